"""The organization's own credit pages (/credit/my/): its credit status, its list entries with
the notice, the objection and the removal application, its penalties and credit information
(unpublished ones too), and its credit reports, which its registration authority's officers
may also issue and download."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongxin.accounts.models import Role
from gongxin.core.audit import audit_record
from gongxin.core.forms import form_add_errors
from gongxin.core.uploads import download_response
from gongxin.credit import reports as credit_reports
from gongxin.credit.commitments import commitment_text_for, signatures_of
from gongxin.credit.forms import BootstrapForm
from gongxin.credit.models import CreditList, ListEntry, ListingStatus, Penalty, RemovalStatus
from gongxin.credit.records import credit_information
from gongxin.credit.rules import GROUNDS
from gongxin.credit.selectors import organization_entries
from gongxin.credit.services import objection_submit, removal_apply, removal_eligibility
from gongxin.registry.applications import NotAllowed
from gongxin.registry.models import Organization, authority_name
from gongxin.registry.selectors import officer_manages
from gongxin.registry.views import paginate


def _own_org(user) -> Organization:
    """The organization of an organization user; anyone else finds nothing here."""
    if user.role != Role.ORG_USER or not user.organization_id:
        raise Http404
    return Organization.objects.select_related("registration_authority", "sponsor_unit").get(pk=user.organization_id)


class ObjectionForm(BootstrapForm):
    objection = forms.CharField(label=gettext_lazy("Your objection"), max_length=5000,
                                widget=forms.Textarea(attrs={"rows": 6}),
                                help_text=gettext_lazy("State the facts and reasons, and name any evidence."))
    confirm = forms.BooleanField(label=gettext_lazy("I confirm the objection is complete: it can be submitted once."))


class RemovalForm(BootstrapForm):
    statement = forms.CharField(label=gettext_lazy("What was done"), max_length=5000,
                                widget=forms.Textarea(attrs={"rows": 6}),
                                help_text=gettext_lazy("Describe how the obligations were fulfilled or what was "
                                                       "rectified, with dates and documents."))


def _entry_view(entry: ListEntry, today) -> dict:
    """What the pages say about one entry: its grounds with their rules, whether an objection
    may still be made, and whether removal may be applied for now (and if not, why)."""
    grounds = [{"ground": g, "rule": GROUNDS.get(g.ground)} for g in entry.grounds.all()]
    can_object = entry.status == ListingStatus.NOTICED and today <= entry.objection_due and not entry.objection
    eligible, why = (False, "")
    if entry.status == ListingStatus.LISTED:
        eligible, why = removal_eligibility(entry, today)
    return {"entry": entry, "grounds": grounds, "can_object": can_object, "eligible": eligible, "why": why,
            "authority": authority_name(entry.authority),
            "days_left": (entry.objection_due - today).days if entry.status == ListingStatus.NOTICED else None}


@require_GET
@login_required
def my_credit(request):
    """/credit/my/: the organization's credit status and its entries on either list."""
    org = _own_org(request.user)
    today = timezone.localdate()
    entries = organization_entries(org, include_notices=True)
    page = paginate(request, entries)
    pending = set(ListEntry.objects.filter(organization=org, removal_applications__status=RemovalStatus.PENDING)
                  .values_list("id", flat=True))
    rows = [{**_entry_view(e, today), "pending": e.pk in pending} for e in page.object_list]
    return render(request, "credit/my/overview.html", {
        "org": org, "page": page, "rows": rows, "today": today, "tab": "entries",
        "open_notices": sum(1 for e in entries if e.status == ListingStatus.NOTICED),
        "penalty_count": Penalty.objects.filter(organization=org).count(),
        "commitment": commitment_text_for(org, today), "signed": signatures_of(org).first(),
    })


def _entry_of(org: Organization, pk: int) -> ListEntry:
    entry = (ListEntry.objects.filter(organization=org, pk=pk).select_related("organization", "authority")
             .prefetch_related("grounds").first())
    if entry is None:
        raise Http404
    return entry


@require_http_methods(["GET", "POST"])
@login_required
def my_entry(request, pk: int):
    """One entry: the notice (facts, reasons, basis, objection deadline) with the objection
    form while the period runs; the listing with how to get off it and the removal form."""
    org = _own_org(request.user)
    entry = _entry_of(org, pk)
    today = timezone.localdate()
    objection_form = ObjectionForm(prefix="objection")
    removal_form = RemovalForm(prefix="removal")
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "objection":
            objection_form = ObjectionForm(request.POST, prefix="objection")
            if objection_form.is_valid():
                try:
                    objection_submit(actor=request.user, entry=entry, today=today,
                                     text=objection_form.cleaned_data["objection"])
                    messages.success(request, _("Your objection has been submitted. The registration authority "
                                                "must answer it before listing."))
                    return redirect("credit:my_entry", pk=entry.pk)
                except NotAllowed as exc:
                    messages.error(request, " ".join(exc.messages))
                    return redirect("credit:my_entry", pk=entry.pk)
                except ValidationError as exc:
                    form_add_errors(objection_form, exc)
        elif action == "removal":
            removal_form = RemovalForm(request.POST, prefix="removal")
            if removal_form.is_valid():
                pending = entry.removal_applications.filter(status=RemovalStatus.PENDING).first()
                try:
                    application = removal_apply(actor=request.user, entry=entry, today=today,
                                                statement=removal_form.cleaned_data["statement"])
                    if pending is not None and application.pk == pending.pk:
                        messages.info(request, _("Your application of %(date)s is already awaiting verification.")
                                      % {"date": application.submitted_on.isoformat()})
                    else:
                        messages.success(request, _("Your removal application has been submitted; the registration "
                                                    "authority verifies it by %(date)s.")
                                         % {"date": application.due_on.isoformat()})
                    return redirect("credit:my_entry", pk=entry.pk)
                except NotAllowed as exc:
                    messages.error(request, " ".join(exc.messages))
                    return redirect("credit:my_entry", pk=entry.pk)
                except ValidationError as exc:
                    form_add_errors(removal_form, exc)
        else:
            messages.error(request, _("Unknown action."))
            return redirect("credit:my_entry", pk=entry.pk)
        entry = _entry_of(org, pk)  # the form is shown again: show the entry as it is now
    view = _entry_view(entry, today)
    applications = list(entry.removal_applications.select_related("decided_by").order_by("-submitted_on", "-id"))
    return render(request, "credit/my/entry.html", {
        "org": org, **view, "today": today, "objection_form": objection_form, "removal_form": removal_form,
        "applications": applications, "pending": next((a for a in applications if a.status == RemovalStatus.PENDING),
                                                      None),
        "list_is_abnormal": entry.list == CreditList.ABNORMAL,
    })


PENALTY_SORTS = {"-date": ("-decided_on", "-id"), "date": ("decided_on", "id"), "kind": ("kind", "-decided_on")}


@require_GET
@login_required
def my_penalties(request):
    org = _own_org(request.user)
    sort = request.GET.get("sort", "-date")
    if sort not in PENALTY_SORTS:
        sort = "-date"
    page = paginate(request, Penalty.objects.filter(organization=org).order_by(*PENALTY_SORTS[sort]))
    return render(request, "credit/my/penalties.html", {"org": org, "page": page, "sort": sort, "tab": "penalties",
                                                        "querystring": urlencode({"sort": sort})})


@require_GET
@login_required
def my_information(request):
    """The five categories of credit information, unpublished items included (marked)."""
    org = _own_org(request.user)
    blocks = credit_information(org, public=False)
    by_key = {b.category: b for b in blocks}
    category = request.GET.get("category", "")
    if category not in by_key:
        category = next((b.category for b in blocks if b.items), blocks[0].category)
    page = paginate(request, by_key[category].items)
    return render(request, "credit/my/information.html", {
        "org": org, "blocks": blocks, "block": by_key[category], "category": category, "page": page,
        "tab": "information", "querystring": urlencode({"category": category})})


# --- credit reports ---------------------------------------------------------------------------

def _report_org(request, uscc: str) -> Organization:
    """The organization whose reports the user is after: an organization user's own (a code
    naming another organization is a 404), or for an officer the one named by ``uscc`` in
    their jurisdiction."""
    user = request.user
    uscc = (uscc or "").strip().upper()
    if user.role == Role.ORG_USER and user.organization_id:
        org = Organization.objects.get(pk=user.organization_id)
        if uscc and uscc != org.uscc:
            raise Http404
        return org
    org = Organization.objects.filter(uscc=uscc).first() if uscc else None
    if org is None or not officer_manages(user, org.region_prefix):
        raise Http404
    return org


def _reports_url(request, org: Organization) -> str:
    url = reverse("credit:my_reports")
    if request.user.role != Role.ORG_USER:
        url += "?" + urlencode({"uscc": org.uscc})
    return url


@require_GET
@login_required
def my_reports(request):
    org = _report_org(request, request.GET.get("uscc", ""))
    page = paginate(request, credit_reports.reports_of(org))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "credit/my/reports.html", {
        "org": org, "page": page, "tab": "reports", "querystring": query.urlencode(),
        "own": request.user.organization_id == org.pk})


@require_POST
@login_required
def report_issue(request):
    # The organization may also be named in the query string (a link-style form action).
    org = _report_org(request, request.POST.get("uscc", "") or request.GET.get("uscc", ""))
    try:
        report = credit_reports.credit_report_issue(actor=request.user, organization=org)
    except NotAllowed as exc:  # pragma: no cover - _report_org already refused everyone else
        messages.error(request, " ".join(exc.messages))
        return redirect(_reports_url(request, org))
    messages.success(request, _("Credit report issued. Verification code: %(code)s") % {"code": report.code})
    return redirect(_reports_url(request, org))


@require_GET
@login_required
def report_download(request, code: str):
    report = credit_reports.report_for_download(request.user, code)
    if report is None or not report.file:
        raise Http404
    audit_record(actor=request.user, action="credit.report_download", obj=report)
    return download_response(report.file, f"credit-report-{report.organization.uscc}-{report.code}.pdf")
