"""Dormant organization pages: the officer's list of open findings, its Excel export, and the
decision on one finding. Officers and administrators only; everyone else signed in gets a 404."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from gongxin.accounts.models import Role
from gongxin.annual import dormancy
from gongxin.annual.models import DormancyGround, DormancyOutcome
from gongxin.core.exports import export_request, export_started
from gongxin.core.worklists import Worklist
from gongxin.registry.views import paginate


def _supervisor(request) -> None:
    user = request.user
    if not (user.role == Role.OFFICER or user.is_platform_admin):
        raise Http404


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome"), choices=DormancyOutcome.choices,
                                widget=forms.RadioSelect(attrs={"class": "form-check-input"}))
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}))
    confirm = forms.BooleanField(
        label=gettext_lazy("I confirm: this changes the organization's registration status in the registry."),
        required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))

    def clean(self):
        data = super().clean()
        if data.get("outcome") in dormancy.STATUS_BY_OUTCOME and not data.get("confirm"):
            self.add_error("confirm", _("Deregistration, cancellation and revocation end the organization's "
                                        "registration: tick the box to confirm."))
        return data


def _filters(source) -> tuple[str, str]:
    ground = source.get("ground", "")
    sort = source.get("sort", "first_found")
    return (ground if ground in DormancyGround.values else "",
            sort if sort in dormancy.SORTS else "first_found")


PENDING_SORTS = {
    "first_found": (gettext_lazy("First found, oldest first"), dormancy.SORTS["first_found"]),
    "-first_found": (gettext_lazy("First found, newest first"), dormancy.SORTS["-first_found"]),
    "name": (gettext_lazy("Name"), dormancy.SORTS["name"]),
    "-name": (gettext_lazy("Name, reversed"), dormancy.SORTS["-name"]),
}
DECIDED_SORTS = {
    "-decided": (gettext_lazy("Decided, newest first"), ("-decided_at", "-id")),
    "name": (gettext_lazy("Name"), ("organization__name", "id")),
}


@require_http_methods(["GET"])
@login_required
def finding_list(request):
    """/annual/dormancy/: open findings in the officer's jurisdiction, with their evidence; the
    decided ones (and their outcome) under 已处理."""
    _supervisor(request)
    ground, _sort = _filters(request.GET)
    wl = Worklist.from_request(request, pending=PENDING_SORTS, decided=DECIDED_SORTS, extra={"ground": ground})
    pending = dormancy.findings_open(actor=request.user, ground=ground, sort=wl.sort if not wl.decided else "",
                                     q=wl.q)
    decided = dormancy.findings_decided(actor=request.user, ground=ground, q=wl.q)
    page = paginate(request, decided.order_by(*wl.order) if wl.decided else pending)
    rows = [{"finding": f, "org": f.organization, "reasons": dormancy.reasons(f)} for f in page.object_list]
    return render(request, "annual/dormancy_list.html", {
        "page": page, "rows": rows, "ground": ground, "sort": wl.sort, "grounds": DormancyGround.choices,
        "querystring": wl.querystring(), "legal_basis": dormancy.LEGAL_BASIS, "wl": wl,
        "pending": pending.count(), "decided": decided.count()})


@require_POST
@login_required
def finding_export(request):
    _supervisor(request)
    ground, sort = _filters(request.POST)
    job = export_request(actor=request.user, kind="dormancy_findings", params={"ground": ground, "sort": sort})
    return export_started(request, job)


@require_http_methods(["GET", "POST"])
@login_required
def finding_decide(request, pk: int):
    """One finding: its grounds and evidence, and the decision form while it is open."""
    _supervisor(request)
    finding = dormancy.finding_get(actor=request.user, pk=pk)
    form = DecisionForm(request.POST or None) if not finding.outcome else None
    if request.method == "POST":
        if form is None:
            messages.error(request, _("This finding has already been decided."))
            return redirect("annual:dormancy_decide", pk=pk)
        if form.is_valid():
            try:
                decided = dormancy.dormancy_decide(actor=request.user, finding=finding,
                                                   outcome=form.cleaned_data["outcome"], note=form.cleaned_data["note"])
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect("annual:dormancy_decide", pk=pk)
            messages.success(request, _("Decision recorded for %(name)s: %(outcome)s.")
                             % {"name": decided.organization.name, "outcome": decided.get_outcome_display()})
            return redirect("annual:dormancy_list")
    return render(request, "annual/dormancy_decide.html", {
        "finding": finding, "org": finding.organization, "reasons": dormancy.reasons(finding), "form": form,
        "status_outcomes": [o.value for o in dormancy.STATUS_BY_OUTCOME], "legal_basis": dormancy.LEGAL_BASIS})
