"""Pages of random inspections (双随机一公开) and rectification notices.

Reads go through the selectors of ``annual.inspections`` (scope: 404 outside it), writes
through its services; these views only translate between forms and those calls."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongxin.accounts.models import Role
from gongxin.annual import inspections as svc
from gongxin.annual.models import (
    InspectionKind,
    InspectionResult,
    InspectionStatus,
    RectificationStatus,
)
from gongxin.core.confirm import Confirmation, confirmable, confirmation
from gongxin.core.exports import export_request, export_started
from gongxin.core.forms import DateField, form_add_errors
from gongxin.core.uploads import download_response
from gongxin.registry.models import OrgStatus, OrgSubtype, OrgType
from gongxin.registry.policy import policy_for
from gongxin.registry.views import paginate

ITEMS_PER_PAGE = 50


# --- forms -----------------------------------------------------------------------------------


class BootstrapForm(forms.Form):
    """Puts Bootstrap's classes on the widgets (no inline style: the CSP forbids it)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)


def _blank(label, choices):
    return [("", label), *choices]


class InspectionForm(BootstrapForm):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=128)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=InspectionKind.choices)
    jurisdiction = forms.ChoiceField(label=gettext_lazy("Jurisdiction"))
    org_type = forms.ChoiceField(label=gettext_lazy("Organization type"), required=False,
                                 choices=_blank(gettext_lazy("All types"), OrgType.choices))
    subtype = forms.ChoiceField(label=gettext_lazy("Subtype"), required=False,
                                choices=_blank(gettext_lazy("All subtypes"), OrgSubtype.choices[1:]))
    status = forms.ChoiceField(label=gettext_lazy("Organization status"), choices=OrgStatus.choices,
                               initial=OrgStatus.ACTIVE)
    region = forms.ChoiceField(label=gettext_lazy("Registered in region"), required=False,
                               help_text=gettext_lazy("Optional: only organizations registered in this part of the jurisdiction."))
    sample_size = forms.IntegerField(label=gettext_lazy("Sample size (organizations)"), required=False, min_value=1)
    sample_share = forms.DecimalField(label=gettext_lazy("or sample share (%)"), required=False, min_value=Decimal("0.01"),
                                      max_value=100, max_digits=5, decimal_places=2,
                                      help_text=gettext_lazy("The number drawn is rounded up."))
    inspectors = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Inspector pool"), required=False, queryset=None, widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Inspectors are assigned at random, in turn. None chosen: you alone."))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        regions = [(r.code, "\u3000" * max(r.level - 1, 0) + f"{r.name} ({r.code})")
                   for r in svc.jurisdiction_choices(actor=actor)]
        self.fields["jurisdiction"].choices = regions
        self.fields["region"].choices = _blank(_("Whole jurisdiction"), regions)
        if actor.jurisdiction_id:
            self.fields["jurisdiction"].initial = actor.jurisdiction_id
        self.fields["inspectors"].queryset = svc.inspector_choices(actor=actor)
        self.fields["inspectors"].label_from_instance = lambda u: f"{u} ({u.jurisdiction_id})"

    def clean(self):
        data = super().clean()
        if (data.get("sample_size") is None) == (data.get("sample_share") is None):
            raise ValidationError(_("Give either a sample size or a sample share, not both."))
        return data


class DrawForm(BootstrapForm):
    seed = forms.CharField(label=gettext_lazy("Random seed"), required=False, max_length=64,
                           help_text=gettext_lazy("Leave empty for a fresh random seed. It is published with the draw."))
    confirm = forms.BooleanField(label=gettext_lazy("I confirm: the draw is final and cannot be repeated."),
                                 error_messages={"required": gettext_lazy("Tick the box to confirm the draw.")})


class ResultForm(BootstrapForm):
    result = forms.ChoiceField(label=gettext_lazy("Result"),
                               choices=[c for c in InspectionResult.choices if c[0] != InspectionResult.PENDING])
    findings = forms.CharField(label=gettext_lazy("Findings"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    inspected_on = DateField(label=gettext_lazy("Inspected on"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}),
                                   help_text=gettext_lazy("Empty: today."))
    version = forms.IntegerField(widget=forms.HiddenInput)


class RectificationForm(BootstrapForm):
    requirements = forms.CharField(label=gettext_lazy("Requirements"), widget=forms.Textarea(attrs={"rows": 5}))
    issued_on = DateField(label=gettext_lazy("Issued on"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}), help_text=gettext_lazy("Empty: today."))
    working_days = forms.IntegerField(label=gettext_lazy("Time limit (working days)"), required=False, min_value=1,
                                      max_value=365)


class CompleteForm(BootstrapForm):
    follow_up = forms.CharField(label=gettext_lazy("Follow-up: how the rectification was verified"),
                                widget=forms.Textarea(attrs={"rows": 4}))
    completed_on = DateField(label=gettext_lazy("Completed on"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}), help_text=gettext_lazy("Empty: today."))


def _require_officer(request) -> None:
    if svc.officer_prefix(request.user) is None:
        raise Http404(_("No such page."))


# --- officer pages ---------------------------------------------------------------------------


@login_required
@require_GET
def inspection_list(request):
    page = paginate(request, svc.inspection_list(actor=request.user))
    return render(request, "annual/inspection_list.html", {"page": page, "querystring": ""})


@login_required
@require_http_methods(["GET", "POST"])
def inspection_create(request):
    _require_officer(request)
    form = InspectionForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            inspection = svc.inspection_create(
                actor=request.user, jurisdiction=d["jurisdiction"], title=d["title"], kind=d["kind"],
                filters={k: d[k] for k in ("org_type", "subtype", "status", "region")},
                sample_size=d["sample_size"], sample_share=d["sample_share"], inspectors=list(d["inspectors"]))
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("The inspection has been created. Check it, then draw."))
            return redirect("annual:inspection_detail", pk=inspection.pk)
    return render(request, "annual/inspection_form.html", {"form": form})


@login_required
@require_GET
def inspection_detail(request, pk: int):
    inspection = svc.inspection_get(actor=request.user, pk=pk)
    page = paginate(request, svc.inspection_items(inspection=inspection), per_page=ITEMS_PER_PAGE)
    covers = svc.officer_covers(request.user, inspection)
    return render(request, "annual/inspection_detail.html", {
        "inspection": inspection, "page": page, "querystring": "",
        "inspectors": inspection.inspectors.order_by("id"),
        "can_draw": covers and inspection.status == InspectionStatus.DRAFT,
        "can_publish": covers and inspection.status == InspectionStatus.DRAWN,
        "can_record": inspection.status in (InspectionStatus.DRAWN, InspectionStatus.PUBLISHED),
        "can_issue": covers,
        "filters": _filter_labels(inspection.filters),
    })


def _filter_labels(filters: dict) -> list[tuple[str, str]]:
    labels = []
    if filters.get("org_type"):
        labels.append((_("Organization type"), OrgType(filters["org_type"]).label))
    if filters.get("subtype"):
        labels.append((_("Subtype"), OrgSubtype(filters["subtype"]).label))
    if filters.get("status"):
        labels.append((_("Organization status"), OrgStatus(filters["status"]).label))
    if filters.get("region"):
        labels.append((_("Registered in region"), filters["region"]))
    return labels


@login_required
@require_http_methods(["GET", "POST"])
def inspection_draw(request, pk: int):
    """The confirmation step before the draw (a page, not a JS dialog: the CSP allows no inline script)."""
    inspection = svc.inspection_get(actor=request.user, pk=pk)
    if not svc.officer_covers(request.user, inspection):
        raise Http404(_("No such page."))
    form = DrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            svc.inspection_draw(actor=request.user, inspection=inspection, seed=form.cleaned_data["seed"])
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("The organizations and inspectors have been drawn."))
            return redirect("annual:inspection_detail", pk=inspection.pk)
    context = {"inspection": inspection, "form": form, "filters": _filter_labels(inspection.filters)}
    if inspection.status == InspectionStatus.DRAFT:
        count = svc.inspection_candidates(inspection).count()
        context.update(candidate_count=count, sample_count=svc.sample_count(inspection, count))
    return render(request, "annual/inspection_draw.html", context)


@login_required
@require_POST
@confirmable
def inspection_publish(request, pk: int):
    """Publication, behind a confirmation page (core.confirm): the public sees the draw at once."""
    inspection = svc.inspection_get(actor=request.user, pk=pk)
    if svc.officer_covers(request.user, inspection) and inspection.status == InspectionStatus.DRAWN:
        page = confirmation(request, Confirmation(
            title=_("Publish the draw “%(title)s”") % {"title": inspection.title}, button=_("Publish the draw"),
            back_url=reverse("annual:inspection_detail", args=[inspection.pk]),
            facts=[(_("Organizations drawn"), inspection.items.count()),
                   (_("Candidates"), inspection.candidate_count), (_("Random seed"), inspection.seed),
                   (_("Digest of the candidate list"), inspection.candidate_digest)],
            effects=[_("The organizations drawn, their inspectors, the seed and the digest appear on the public "
                       "inspection page."), _("The organizations drawn see the inspection in their portal.")],
            irreversible=_("A published draw stays public: it is neither withdrawn nor drawn again.")))
        if page:
            return page
    try:
        svc.inspection_publish(actor=request.user, inspection=inspection)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The draw has been published on the public page."))
    return redirect("annual:inspection_detail", pk=inspection.pk)


@login_required
@require_http_methods(["GET", "POST"])
def item_result(request, pk: int):
    item = svc.item_get(actor=request.user, pk=pk)
    initial = {"result": item.result if item.result != InspectionResult.PENDING else "",
               "findings": item.findings, "inspected_on": item.inspected_on, "version": item.version}
    form = ResultForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            svc.inspection_record_result(actor=request.user, item=item, result=d["result"], findings=d["findings"],
                                         inspected_on=d["inspected_on"], expected_version=d["version"])
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("The result for %(name)s has been recorded.") % {"name": item.organization})
            return redirect("annual:inspection_detail", pk=item.inspection_id)
    return render(request, "annual/inspection_item_result.html", {"item": item, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def rectification_issue(request, pk: int):
    item = svc.item_get(actor=request.user, pk=pk)
    if not svc.officer_covers(request.user, item.inspection):
        raise Http404(_("No such page."))
    open_notice = svc.open_notice_for_item(item)
    if open_notice is not None:
        # One notice at a time: the page links to the one that stands instead of offering the form
        # (a second POST, a double click or an old tab, is refused the same way).
        if request.method == "POST":
            messages.warning(request, _("A rectification notice for this inspection is still open; "
                                        "no second notice was issued."))
        return render(request, "annual/inspection_rectification_form.html",
                      {"item": item, "form": None, "open_notice": open_notice})
    default_days = policy_for(item.organization.registration_authority_id).rectification_time_limit
    form = RectificationForm(request.POST or None)
    form.fields["working_days"].help_text = _("Empty: the jurisdiction's limit of %(n)s working days.") % {
        "n": default_days}
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            notice = svc.rectification_issue(actor=request.user, inspection_item=item, requirements=d["requirements"],
                                             issued_on=d["issued_on"], working_days=d["working_days"])
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("The rectification notice has been issued, due %(date)s.")
                             % {"date": notice.due_on.isoformat()})
            return redirect("annual:rectification_detail", pk=notice.pk)
    return render(request, "annual/inspection_rectification_form.html", {"item": item, "form": form})


def _with_days_left(notices):
    today = timezone.localdate()
    for notice in notices:
        _set_days_left(notice, today)
    return notices


def _set_days_left(notice, today=None):
    notice.days_left = svc.days_left(notice, today)
    notice.days_overdue = -notice.days_left if notice.days_left is not None and notice.days_left < 0 else 0


@login_required
@require_GET
def rectification_list(request):
    """The officer's worklist: open and overdue notices first, earliest due first."""
    _require_officer(request)
    status = request.GET.get("status", "")
    status = status if status in RectificationStatus.values else ""
    page = paginate(request, svc.rectifications_visible(actor=request.user, status=status))
    _with_days_left(page.object_list)
    return render(request, "annual/inspection_rectification_list.html", {
        "page": page, "status": status, "statuses": RectificationStatus.choices,
        "querystring": urlencode({"status": status}) if status else "",
    })


@login_required
@require_POST
def rectification_export(request):
    """Queue an Excel export of the worklist as filtered (core.exports, prepared by the worker)."""
    _require_officer(request)
    status = request.POST.get("status", "")
    job = export_request(actor=request.user, kind="rectifications",
                         params={"status": status if status in RectificationStatus.values else ""})
    return export_started(request, job)


def _notice_page(request, notice, form, status=200):
    _set_days_left(notice)
    can_complete = (svc.org_in_scope(request.user, notice.organization)
                    and notice.status != RectificationStatus.COMPLETED)
    return render(request, "annual/inspection_rectification_detail.html",
                  {"notice": notice, "form": form, "can_complete": can_complete}, status=status)


@login_required
@require_GET
def rectification_detail(request, pk: int):
    notice = svc.rectification_get(actor=request.user, pk=pk)
    return _notice_page(request, notice, CompleteForm())


@login_required
@require_POST
def rectification_complete(request, pk: int):
    _require_officer(request)
    notice = svc.rectification_get(actor=request.user, pk=pk)
    form = CompleteForm(request.POST)
    if form.is_valid():
        try:
            svc.rectification_complete(actor=request.user, notice=notice, follow_up=form.cleaned_data["follow_up"],
                                       completed_on=form.cleaned_data["completed_on"])
        except ValidationError as exc:
            form_add_errors(form, exc)
        else:
            messages.success(request, _("The rectification has been confirmed as completed."))
            return redirect("annual:rectification_detail", pk=notice.pk)
    return _notice_page(request, notice, form)


@login_required
@require_GET
def rectification_mine(request):
    """An organization user's own rectification notices and published inspections."""
    user = request.user
    if not (user.role == Role.ORG_USER or user.is_platform_admin):
        raise Http404(_("No such page."))
    page = paginate(request, svc.rectifications_visible(actor=user))
    _with_days_left(page.object_list)
    items = list(svc.organization_items(actor=user)[:50]) if user.role == Role.ORG_USER else []
    return render(request, "annual/inspection_rectification_mine.html",
                  {"page": page, "items": items, "querystring": ""})


# --- public pages ----------------------------------------------------------------------------


@require_GET
def public_list(request):
    page = paginate(request, svc.public_inspections())
    return render(request, "annual/inspection_public_list.html", {"page": page, "querystring": ""})


@require_GET
def public_detail(request, pk: int):
    inspection = svc.public_inspection_get(pk=pk)
    page = paginate(request, svc.inspection_items(inspection=inspection), per_page=100)
    candidates = svc.candidates_open(inspection)
    if candidates is not None:
        candidates.close()
    return render(request, "annual/inspection_public_detail.html", {
        "inspection": inspection, "page": page, "querystring": "",
        "filters": _filter_labels(inspection.filters),
        "sample_count": page.paginator.count, "candidates_available": candidates is not None,
    })


@require_GET
def public_candidates(request, pk: int):
    """The candidate list of a published draw, byte for byte as it was hashed."""
    inspection = svc.public_inspection_get(pk=pk)
    fh = svc.candidates_open(inspection)
    if fh is None:
        raise Http404(_("The candidate list of this draw is not available."))
    return download_response(fh, f"inspection-{inspection.pk}-candidates.txt", text=True)
