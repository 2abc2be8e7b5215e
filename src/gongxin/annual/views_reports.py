"""Annual work report pages: the organization's portal and form, the review pages of the
sponsor unit and the registration authority, and their worklist."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongxin.accounts.models import Role
from gongxin.annual import rules, selectors, services
from gongxin.annual.content import EIGHT_HAVES, SELF_GOVERNANCE, SIX_GOODS
from gongxin.annual.forms import ReportForm, ReviewForm, SponsorReviewForm
from gongxin.annual.models import AnnualReport, BasicPassReason, Conclusion, FailReason, ReportStatus
from gongxin.core.audit import audit_record
from gongxin.core.confirm import Confirmation, confirmable, confirmation
from gongxin.core.exports import export_request, export_started
from gongxin.core.forms import form_add_errors
from gongxin.core.uploads import body_exceeds, download_response
from gongxin.registry.policy import policy_for
from gongxin.registry.selectors import officer_manages
from gongxin.registry.services import StaleEdit
from gongxin.registry.views import paginate

PORTAL_YEARS = 5


@require_GET
@login_required
def portal(request):
    """/annual/: an organization's reports by year; officers and sponsors go to their worklist."""
    user = request.user
    if user.role in (Role.OFFICER, Role.SPONSOR) or user.is_platform_admin:
        return redirect("annual:queue")
    if user.role != Role.ORG_USER:
        raise Http404
    org = user.organization
    today = timezone.localdate()
    policy = policy_for(org.registration_authority_id)
    reports = {r.year: r for r in AnnualReport.objects.filter(organization=org)}
    rows = []
    for year in range(today.year - 1, today.year - 1 - PORTAL_YEARS, -1):
        ob = rules.obligation_for(org, year)
        report = reports.get(year)
        rows.append({"year": year, "obligation": ob, "report": report,
                     "overdue": ob.owed and (report is None or report.submitted_at is None) and today > ob.deadline})
    return render(request, "annual/portal.html", {"org": org, "rows": rows, "policy": policy, "today": today})


@require_http_methods(["GET", "POST"])
@login_required
def report_edit(request, year: int):
    """The organization's form for one year: save a draft, or submit."""
    user = request.user
    if user.role != Role.ORG_USER:
        raise Http404
    org = user.organization
    today = timezone.localdate()
    if not 2000 <= year < today.year:
        raise Http404
    ob = rules.obligation_for(org, year)
    report = AnnualReport.objects.filter(organization=org, year=year).first()
    if report is not None and report.locked:
        return redirect("annual:report_detail", pk=report.pk)
    if not ob.owed:
        messages.info(request, ob.reason)
        return redirect("annual:portal")
    previous = (AnnualReport.objects.filter(organization=org, year__lt=year, submitted_at__isnull=False)
                .order_by("-year").first())
    initial = {"version": report.version if report else None}
    if report is None:
        initial.update(prefill(org, previous))
    if body_exceeds(request, services.MAX_ATTACHMENT_BYTES):
        # Refused from the announced length, before Django reads (and spools to disk) the body.
        form = ReportForm(instance=report, initial=initial)
        form.previous = previous
        form.errors["financial_report"] = form.error_class([_("The file is larger than 20 MB.")])
        return render(request, "annual/report_form.html", {
            "form": form, "org": org, "year": year, "obligation": ob, "report": report, "previous": previous,
            "prefilled": report is None, "industry": org.subtype in services.INDUSTRY_SUBTYPES}, status=413)
    form = ReportForm(request.POST or None, request.FILES or None, instance=report, initial=initial)
    form.previous = previous
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data.get("version")
        try:
            # Save and the completeness check are one transaction: a submission refused for an
            # incomplete report must not leave the draft saved under a new version the page
            # doesn't know. A complete report is saved, then confirmed on its own page (it locks).
            with transaction.atomic():
                saved = services.report_save_draft(
                    actor=user, organization=org, year=year, data=form.content(), expected_version=version,
                    financial_report=request.FILES.get("financial_report"))
                if "submit" in request.POST:
                    errors = services.completeness_errors(saved)
                    if errors:
                        raise ValidationError(errors)
            if "submit" in request.POST:
                return redirect("annual:report_submit", pk=saved.pk)
            messages.success(request, _("Draft saved."))
            return redirect("annual:report_edit", year=year)
        except ValidationError as exc:
            form_add_errors(form, exc)
    return render(request, "annual/report_form.html", {
        "form": form, "org": org, "year": year, "obligation": ob, "report": report, "previous": previous,
        "prefilled": report is None, "industry": org.subtype in services.INDUSTRY_SUBTYPES})


# Carried over from the last submitted report: what rarely changes from one year to the next.
# The year's finances are not copied (they are that year's figures); the form shows last
# year's beside each field instead.
CARRIED_OVER = ["staff_count", "member_count", "branch_count", "party_org_established", "eight_haves", "six_goods",
                "self_governance_check"]


def prefill(org, previous: AnnualReport | None) -> dict:
    """A new report's initial values: the previous report's counts and checklists, else what the
    registry knows (members at registration, branches filed)."""
    values = {name: getattr(previous, name) for name in CARRIED_OVER} if previous is not None else {}
    if values.get("member_count") is None and org.member_count is not None:
        values["member_count"] = org.member_count
    if values.get("branch_count") is None:
        values["branch_count"] = org.branches.count()
    return {k: v for k, v in values.items() if v not in (None, "", [])}


@require_http_methods(["GET", "POST"])
@login_required
@confirmable
def report_submit(request, pk: int):
    """The confirmation step of a saved, complete report: submitting locks it."""
    report = selectors.report_get(actor=request.user, pk=pk)
    user = request.user
    if user.role != Role.ORG_USER or user.organization_id != report.organization_id:
        raise Http404
    if report.locked:
        return redirect("annual:report_detail", pk=pk)
    errors = services.completeness_errors(report)
    if errors:
        messages.error(request, _("The report is not complete yet: correct the fields marked below."))
        return redirect("annual:report_edit", year=report.year)
    destination = _("the sponsor unit's pre-review, then the registration authority") \
        if report.organization.sponsor_unit_id else _("the registration authority")
    page = confirmation(request, Confirmation(
        title=_("Submit the %(year)s annual work report") % {"year": report.year}, button=_("Submit report"),
        back_url=reverse("annual:report_edit", args=[report.year]),
        facts=[(_("Organization"), report.organization.name), (_("Year"), report.year),
               *[(label, value) for label, value in report_display(report)["finance"][:5]]],
        effects=[_("The report goes to %(to)s.") % {"to": destination},
                 _("A report submitted after the deadline is recorded as late.")],
        irreversible=_("A submitted report is locked: it can be changed again only if it is returned for "
                       "correction."),
        carry={"version": report.version}))
    if page:
        return page
    try:
        saved = services.report_submit(actor=user, report=report,
                                       expected_version=int(request.POST.get("version") or 0))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("annual:report_edit", year=report.year)
    messages.success(request, _("Your %(year)s annual work report has been submitted.") % {"year": saved.year})
    return redirect("annual:report_detail", pk=saved.pk)


def _detail(request, report, *, review_form=None, sponsor_form=None, status=200):
    user = request.user
    if report.status == ReportStatus.SPONSOR_REVIEW and user.role == Role.SPONSOR:
        sponsor_form = sponsor_form or SponsorReviewForm(initial={"version": report.version})
    else:
        sponsor_form = None
    if report.status == ReportStatus.AUTHORITY_REVIEW and (user.role == Role.OFFICER or user.is_platform_admin):
        review_form = review_form or ReviewForm(initial={"version": report.version})
    else:
        review_form = None
    return render(request, "annual/report_detail.html", {
        "report": report, "org": report.organization, "sponsor_form": sponsor_form, "review_form": review_form,
        "conclusion_chosen": review_form["conclusion"].value() if review_form is not None else "",
        **report_display(report)}, status=status)


@require_GET
@login_required
def report_detail(request, pk: int):
    return _detail(request, selectors.report_get(actor=request.user, pk=pk))


def _labels(choices, keys) -> list[str]:
    names = dict(choices)
    return [str(names.get(k, k)) for k in keys]


def report_display(report: AnnualReport) -> dict:
    """The report's content as (label, value) pairs in form order, checklists as labels."""
    def pairs(names):
        return [(AnnualReport._meta.get_field(n).verbose_name, getattr(report, n)) for n in names]

    return {
        "finance": pairs(ReportForm.FINANCE), "counts": pairs(ReportForm.COUNTS),
        "narrative": pairs(ReportForm.NARRATIVE),
        "eight_haves": _labels(EIGHT_HAVES, report.eight_haves), "six_goods": _labels(SIX_GOODS, report.six_goods),
        "self_check": _labels(SELF_GOVERNANCE, report.self_governance_check),
        "reason_labels": _labels([*BasicPassReason.choices, *FailReason.choices], report.conclusion_reasons),
    }


@require_GET
@login_required
def report_attachment(request, pk: int):
    report = selectors.report_get(actor=request.user, pk=pk)
    if not report.financial_report:
        raise Http404
    audit_record(actor=request.user, action="annual.attachment_download", obj=report)
    return download_response(report.financial_report, f"{report.organization.uscc}-{report.year}.pdf")


@require_POST
@login_required
def report_sponsor_review(request, pk: int):
    report = selectors.report_get(actor=request.user, pk=pk)
    form = SponsorReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose a decision."))
        return redirect("annual:report_detail", pk=pk)
    try:
        services.report_sponsor_review(actor=request.user, report=report,
                                       approve=form.cleaned_data["decision"] == "approve",
                                       opinion=form.cleaned_data["opinion"],
                                       expected_version=form.cleaned_data["version"])
        messages.success(request, _("Pre-review recorded."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("annual:report_detail", pk=pk)


@require_POST
@login_required
@confirmable
def report_review(request, pk: int):
    """The authority's conclusion (behind a confirmation: it is published) or the return for
    correction. A form in error comes back as typed, with the error under its field."""
    report = selectors.report_get(actor=request.user, pk=pk)
    if not officer_manages(request.user, report.organization.region_prefix):
        messages.error(request, _("Only the registration authority may review this report."))
        return redirect("annual:report_detail", pk=pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == "return":
                services.report_return(actor=request.user, report=report, note=data["note"],
                                       expected_version=data["version"])
                messages.success(request, _("The report was returned for correction."))
                return redirect("annual:report_detail", pk=pk)
            services.review_check(conclusion=data["conclusion"],
                                  reasons=[*data["basic_pass_reasons"], *data["fail_reasons"]])
            if page := confirmation(request, _review_confirmation(report, form)):
                return page
            services.report_review(actor=request.user, report=report, conclusion=data["conclusion"],
                                   reasons=[*data["basic_pass_reasons"], *data["fail_reasons"]], note=data["note"],
                                   expected_version=data["version"])
        except StaleEdit as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("annual:report_detail", pk=pk)
        except ValidationError as exc:
            _review_errors(form, exc)
        else:
            messages.success(request, _("Review saved and published."))
            return redirect("annual:report_detail", pk=pk)
    return _detail(request, report, review_form=form, status=400)


def _review_errors(form: ReviewForm, exc: ValidationError) -> None:
    """The service names ``reasons``; the form has one list per conclusion."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            if name == "reasons":
                name = "fail_reasons" if form.cleaned_data.get("conclusion") == Conclusion.FAIL else "basic_pass_reasons"
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _review_confirmation(report: AnnualReport, form: ReviewForm) -> Confirmation:
    data = form.cleaned_data
    reasons = _labels([*BasicPassReason.choices, *FailReason.choices],
                      [*data["basic_pass_reasons"], *data["fail_reasons"]])
    effects = [_("The conclusion is published with the report on the organization's public profile.")]
    if data["conclusion"] == Conclusion.FAIL:
        effects.append(_("A failed inspection is recorded as a supervision fact and counts in the credit rules."))
    return Confirmation(
        title=_("Conclude the review of the %(year)s report of %(org)s") % {"year": report.year,
                                                                              "org": report.organization.name},
        button=_("Save conclusion and publish"), back_url=reverse("annual:report_detail", args=[report.pk]),
        danger=data["conclusion"] == Conclusion.FAIL,
        facts=[(_("Conclusion"), Conclusion(data["conclusion"]).label), (_("Reasons"), "；".join(reasons)),
               (_("Note"), data["note"])],
        effects=effects, irreversible=_("A published conclusion is not changed here."))


SORTS = {"submitted": ("submitted_at", "id"), "-submitted": ("-submitted_at", "-id"),
         "name": ("organization__name", "id"), "year": ("-year", "submitted_at")}


@require_GET
@login_required
def queue(request):
    """The review worklist: reports waiting for this sponsor unit or registration authority."""
    user = request.user
    if not (user.role in (Role.OFFICER, Role.SPONSOR) or user.is_platform_admin):
        raise Http404
    status = request.GET.get("status", "")
    if status not in ReportStatus.values:
        status = ""
    try:
        year = int(request.GET.get("year", "")) or None
    except ValueError:
        year = None
    q = request.GET.get("q", "").strip()[:64]
    sort = request.GET.get("sort", "submitted")
    qs = selectors.review_queue(actor=user, status=status, year=year, q=q).order_by(*SORTS.get(sort, SORTS["submitted"]))
    page = paginate(request, qs)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "annual/queue.html", {
        "page": page, "status": status, "year": year, "q": q, "sort": sort,
        "statuses": ReportStatus.choices, "years": range(timezone.localdate().year - 1, timezone.localdate().year - 6, -1),
        "querystring": query.urlencode(), "today": timezone.localdate()})


@require_POST
@login_required
def queue_export(request):
    user = request.user
    if not (user.role in (Role.OFFICER, Role.SPONSOR) or user.is_platform_admin):
        raise Http404
    params = {k: request.POST.get(k, "")[:64] for k in ("status", "year", "q")}
    job = export_request(actor=user, kind="annual_reports", params=params)
    return export_started(request, job)
