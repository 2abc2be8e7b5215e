"""Annual work report pages: the organization's portal and form, the review pages of the
sponsor unit and the registration authority, and their worklist."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gongxin.accounts.models import Role
from gongxin.annual import rules, selectors, services
from gongxin.annual.content import EIGHT_HAVES, SELF_GOVERNANCE, SIX_GOODS
from gongxin.annual.forms import ReportForm, ReviewForm, SponsorReviewForm
from gongxin.annual.models import AnnualReport, BasicPassReason, FailReason, ReportStatus
from gongxin.core.audit import audit_record
from gongxin.core.exports import export_request
from gongxin.core.forms import form_add_errors
from gongxin.core.uploads import body_exceeds
from gongxin.registry.policy import policy_for
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
    if body_exceeds(request, services.MAX_ATTACHMENT_BYTES):
        # Refused from the announced length, before Django reads (and spools to disk) the body.
        form = ReportForm(instance=report, initial={"version": report.version if report else None})
        form.errors["financial_report"] = form.error_class([_("The file is larger than 20 MB.")])
        return render(request, "annual/report_form.html", {
            "form": form, "org": org, "year": year, "obligation": ob, "report": report,
            "industry": org.subtype in services.INDUSTRY_SUBTYPES}, status=413)
    form = ReportForm(request.POST or None, request.FILES or None, instance=report,
                      initial={"version": report.version if report else None})
    if request.method == "POST" and form.is_valid():
        version = form.cleaned_data.get("version")
        try:
            # Save and submit are one transaction: a submission refused for an incomplete
            # report must not leave the draft saved under a new version the page doesn't know.
            with transaction.atomic():
                saved = services.report_save_draft(
                    actor=user, organization=org, year=year, data=form.content(), expected_version=version,
                    financial_report=request.FILES.get("financial_report"))
                if "submit" in request.POST:
                    saved = services.report_submit(actor=user, report=saved, expected_version=saved.version)
            if "submit" in request.POST:
                messages.success(request, _("Your %(year)s annual work report has been submitted.") % {"year": year})
                return redirect("annual:report_detail", pk=saved.pk)
            messages.success(request, _("Draft saved."))
            return redirect("annual:report_edit", year=year)
        except ValidationError as exc:
            form_add_errors(form, exc)
    return render(request, "annual/report_form.html", {
        "form": form, "org": org, "year": year, "obligation": ob, "report": report,
        "industry": org.subtype in services.INDUSTRY_SUBTYPES})


@require_GET
@login_required
def report_detail(request, pk: int):
    report = selectors.report_get(actor=request.user, pk=pk)
    user = request.user
    sponsor_form = review_form = None
    if report.status == ReportStatus.SPONSOR_REVIEW and user.role == Role.SPONSOR:
        sponsor_form = SponsorReviewForm(initial={"version": report.version})
    if report.status == ReportStatus.AUTHORITY_REVIEW and (user.role == Role.OFFICER or user.is_platform_admin):
        review_form = ReviewForm(initial={"version": report.version})
    return render(request, "annual/report_detail.html", {
        "report": report, "org": report.organization, "sponsor_form": sponsor_form, "review_form": review_form,
        **report_display(report)})


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
    return FileResponse(report.financial_report.open("rb"), as_attachment=True,
                        filename=f"{report.organization.uscc}-{report.year}.pdf", content_type="application/pdf")


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
def report_review(request, pk: int):
    report = selectors.report_get(actor=request.user, pk=pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The review form was incomplete."))
        return redirect("annual:report_detail", pk=pk)
    data = form.cleaned_data
    try:
        if data["action"] == "return":
            services.report_return(actor=request.user, report=report, note=data["note"],
                                   expected_version=data["version"])
            messages.success(request, _("The report was returned for correction."))
        else:
            if not data["conclusion"]:
                raise ValidationError(_("Choose a conclusion."))
            reasons = [*data["basic_pass_reasons"], *data["fail_reasons"]]
            services.report_review(actor=request.user, report=report, conclusion=data["conclusion"],
                                   reasons=reasons, note=data["note"], expected_version=data["version"])
            messages.success(request, _("Review saved and published."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("annual:report_detail", pk=pk)


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
    return redirect("export_status", job_id=job.id)
