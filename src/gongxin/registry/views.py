from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gongxin.registry.forms import OrgSearchForm
from gongxin.registry.search import QueryTooLong, code_hint
from gongxin.registry.selectors import (
    OrganizationNotFound,
    officer_manages,
    organization_public_get,
    organization_search,
)

# Deep pages cost an OFFSET scan; nobody pages past this, they refine the query instead.
MAX_PAGES = 500


def paginate(request, qs, per_page=None, param="page"):
    """One page of ``qs`` by the query parameter ``param`` (a page with two paged lists gives
    each its own); includes/pagination.html links with the same parameter."""
    paginator = Paginator(qs, per_page or settings.PAGE_SIZE)
    try:
        number = int(request.GET.get(param, "1"))
    except ValueError:
        number = 1
    number = max(1, min(number, MAX_PAGES))
    page = paginator.get_page(number)
    page.max_pages = MAX_PAGES
    page.param = param
    return page


@require_GET
def org_list(request):
    form = OrgSearchForm(request.GET)  # every field is optional: an empty query lists all
    page, error, status = None, "", 200
    if form.is_valid():
        try:
            qs = organization_search(actor=request.user, q=form.cleaned_data["q"], filters=form.filters())
            page = paginate(request, qs)
        except QueryTooLong as exc:
            error, status = str(exc), 400
    else:
        error, status = _("Please correct the search form."), 400
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "registry/org_list.html", {
        "form": form, "page": page, "error": error, "querystring": query.urlencode(),
        "hint": no_results_hint(page, request.GET.get("q", ""))}, status=status)


def no_results_hint(page, q: str) -> str:
    """For an empty result: why a query that looks like a credit code cannot be one."""
    return code_hint(q) if page is not None and not page.object_list else ""


@require_GET
def org_profile(request, uscc: str):
    try:
        org = organization_public_get(uscc=uscc)
    except OrganizationNotFound as exc:
        return render(request, "404.html", {"reason": str(exc)}, status=404)
    return render(request, "registry/org_profile.html", {
        "org": org, "sections": profile_sections(org),
        "manages_branches": officer_manages(request.user, org.region_prefix)})


def profile_sections(org):
    """The national credit platform's profile sections, as (key, title, rows, template); an
    empty section shows 暂无 (no records).

    Penalties, records and reports are read once and shared with the credit-information
    section (credit.records), which otherwise reads them again."""
    from gongxin.annual.selectors import published_reports
    from gongxin.credit.models import IntegrityCommitment, RecordKind
    from gongxin.credit.records import credit_blocks, public_penalties, public_records
    from gongxin.credit.selectors import organization_entries
    from gongxin.credit.selectors_public import entry_public_fields
    from gongxin.evaluation.selectors import profile_grades
    from gongxin.procurement.selectors_public import org_purchases

    reports = published_reports(org)
    penalties = public_penalties(org)
    records = public_records(org)
    entries = [entry_public_fields(e) for e in organization_entries(org)]
    honours = {RecordKind.COMMENDATION, RecordKind.EVALUATION_GRADE, RecordKind.GOVERNMENT_SERVICE}
    commitments = list(IntegrityCommitment.objects.filter(organization=org).select_related("text")
                       .order_by("-signed_at"))
    return [
        ("annual", _("Annual inspection results and annual work reports"), reports, "annual/profile_section.html"),
        ("evaluation", _("Evaluation grade"), profile_grades(org), "evaluation/includes/profile_section.html"),
        ("penalties", _("Administrative penalties"), penalties, "credit/public/profile_penalties.html"),
        ("abnormal", _("Abnormal activity list"), [e for e in entries if e["list"] == "abnormal"],
         "credit/public/profile_entries.html"),
        ("dishonest", _("Serious violation and dishonesty list"), [e for e in entries if e["list"] == "dishonest"],
         "credit/public/profile_entries.html"),
        ("commendations", _("Commendations"), [r for r in records if r.kind in honours],
         "credit/public/profile_commendations.html"),
        ("purchases", _("Government purchase projects"), org_purchases(org),
         "procurement/public/includes/org_purchases.html"),
        ("commitments", _("Integrity commitments"), commitments, "credit/public/profile_commitments.html"),
        ("credit_information", _("Credit information"),
         credit_blocks(org, public=True, penalties=penalties, records=records, reports=reports),
         "credit/public/profile_credit_information.html"),
    ]
