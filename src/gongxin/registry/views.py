from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from gongxin.core.sections import link_pages, pages_from_query
from gongxin.registry.forms import OrgSearchForm
from gongxin.registry.profile import profile_sections
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
    sections = profile_sections(org, pages_from_query(request.GET))
    link_pages(sections, request.GET)
    return render(request, "registry/org_profile.html", {
        "org": org, "sections": sections, "manages_branches": officer_manages(request.user, org.region_prefix)})
