"""The public disclosure platform of the purchase of services (政府购买社会组织服务项目信息公示平台,
online in Zhuhai since 1 January 2015, seed 002): every project is publicized here at least 15
days before procurement starts, then its award, contract, milestones and performance result;
and the yearly statistics (projects, budgets, the share awarded to social organizations).
No login: everything here is published."""

from __future__ import annotations

import io

from django import forms
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from gongxin.core.downloads import attachment
from gongxin.core.exports import export_request, export_started
from gongxin.core.models import Region
from gongxin.core.spreadsheets import ColumnWidths, workbook
from gongxin.core.uploads import download_response
from gongxin.credit.views_public import region_choices
from gongxin.procurement import exports as _exports  # noqa: F401  (registers "procurement_public_projects" here too)
from gongxin.procurement import selectors_public as sel
from gongxin.procurement import stats
from gongxin.procurement.models import Department, ProjectStatus, PurchaseMethod, ServiceCategory
from gongxin.registry.policy import policy_for
from gongxin.registry.views import MAX_PAGES

# Bootstrap badge of each status on the list and the notice.
STATUS_BADGES = {
    ProjectStatus.PUBLICIZED: "text-bg-primary",
    ProjectStatus.AWARDED: "text-bg-info",
    ProjectStatus.CONTRACTED: "text-bg-warning",
    ProjectStatus.COMPLETED: "text-bg-secondary",
    ProjectStatus.EVALUATED: "text-bg-success",
    ProjectStatus.CANCELLED: "text-bg-dark",
    ProjectStatus.UNSUCCESSFUL: "text-bg-light border",
}


def _year_choices() -> list[tuple[str, str]]:
    this_year = timezone.localdate().year
    return [("", _("All years")), *[(str(y), str(y)) for y in range(this_year + 1, stats.FIRST_YEAR - 1, -1)]]


class ProjectFilterForm(forms.Form):
    """Search, filters and sorting of the public project list; every field optional."""

    q = forms.CharField(label=gettext_lazy("Search"), required=False, max_length=64)
    year = forms.TypedChoiceField(label=gettext_lazy("Year"), required=False, coerce=int, empty_value=None)
    region = forms.ChoiceField(label=gettext_lazy("Region"), required=False)
    department = forms.TypedChoiceField(label=gettext_lazy("Purchasing department"), required=False, coerce=int,
                                        empty_value=None)
    category = forms.ChoiceField(label=gettext_lazy("Service category"), required=False)
    subcategory = forms.ChoiceField(label=gettext_lazy("Subcategory"), required=False)
    method = forms.ChoiceField(label=gettext_lazy("Method"), required=False)
    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False)
    sort = forms.ChoiceField(label=gettext_lazy("Sort by"), required=False, choices=[
        ("date", gettext_lazy("Date publicized, newest first")), ("date_asc", gettext_lazy("Date publicized, oldest first")),
        ("budget", gettext_lazy("Budget, largest first")), ("budget_asc", gettext_lazy("Budget, smallest first"))])

    def __init__(self, data, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["year"].choices = _year_choices()
        self.fields["region"].choices = region_choices()
        # Departments carry their city in their name (珠海市民政局): one list, grouped by region order.
        self.fields["department"].choices = [("", _("All departments")),
                                             *Department.objects.order_by("region_id", "name").values_list("id", "name")]
        first, second = [], []
        for code, name, parent in ServiceCategory.objects.order_by("code").values_list("code", "name", "parent_id"):
            (second if parent else first).append((code, f"{code} {name}"))
        self.fields["category"].choices = [("", _("All categories")), *first]
        self.fields["subcategory"].choices = [("", _("All subcategories")), *second]
        self.fields["method"].choices = [("", _("All methods")), *PurchaseMethod.choices]
        self.fields["status"].choices = [("", _("All statuses")),
                                         *[(v, label) for v, label in ProjectStatus.choices if v != ProjectStatus.DRAFT]]

    def filters(self) -> sel.ProjectFilters:
        d = self.cleaned_data
        # The second level narrows the first; a subcategory of another heading wins alone.
        category = d.get("subcategory") or d.get("category") or ""
        return sel.ProjectFilters(q=d.get("q") or "", year=d.get("year"), department=d.get("department"),
                                  status=d.get("status") or "", category=category, method=d.get("method") or "",
                                  region=d.get("region") or "", sort=d.get("sort") or "date")

    def is_filtered(self) -> bool:
        return any(self.cleaned_data.get(k) for k in self.fields if k != "sort")


def _querystring(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _paginate(request, qs, count: int):
    """registry.views.paginate, told the count the summary row already has (one COUNT less)."""
    paginator = Paginator(qs, settings.PAGE_SIZE)
    paginator.count = count  # a cached_property: set on the instance, the paginator never counts
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        number = 1
    page = paginator.get_page(max(1, min(number, MAX_PAGES)))
    page.max_pages = MAX_PAGES
    return page


@require_GET
def index(request):
    form = ProjectFilterForm(request.GET)
    page, totals, error, status = None, None, "", 200
    if form.is_valid():
        qs = sel.public_projects(form.filters())
        totals = sel.summary(qs)
        page = _paginate(request, qs, totals["count"])
        page.object_list = list(page.object_list)
        for p in page.object_list:
            p.badge = STATUS_BADGES.get(p.status, "")
    else:
        error, status = _("Please correct the search form."), 400
    return render(request, "procurement/public/index.html", {
        "form": form, "page": page, "totals": totals, "error": error, "querystring": _querystring(request)},
        status=status)


@require_POST
def export(request):
    """The filtered list as an Excel file, written by the task worker (it may be tens of
    thousands of rows). Export jobs belong to a user, so the public signs in first and comes
    back to the same list."""
    form = ProjectFilterForm(request.POST)
    if not request.user.is_authenticated:
        query = request.POST.copy()
        query.pop("csrfmiddlewaretoken", None)
        back = reverse("procurement:public_index") + (f"?{query.urlencode()}" if query else "")
        return redirect_to_login(back)
    if not form.is_valid():
        return redirect("procurement:public_index")
    job = export_request(actor=request.user, kind="procurement_public_projects", params=form.filters().as_params())
    return export_started(request, job)


@require_GET
def project(request, pk: int):
    project = sel.project_public_get(pk)
    evaluation = sel.project_evaluation(project)
    publicity_days = policy_for(project.region_id).procurement_publicity_days
    period = (project.procurement_starts_on - project.publicized_on).days if project.publicized_on else None
    # The reverse one-to-one raises an AttributeError subclass when there is no contract.
    contract = getattr(project, "contract", None)
    return render(request, "procurement/public/project.html", {
        "project": project, "evaluation": evaluation, "contract": contract, "publicity_days": publicity_days,
        "publicity_period": period, "badge": STATUS_BADGES.get(project.status, ""),
        "region_name": project.region.full_name(), "documents": project.public_documents,
        "milestones": list(project.milestones.all())})


@require_GET
def document(request, pk: int, document_pk: int):
    """A public document of a publicized project (tender documents, contract, evaluation
    report); bid documents and documents not marked public are not served here."""
    project = sel.project_public_get(pk)
    doc = next((d for d in project.public_documents if d.pk == document_pk), None)
    if doc is None or not doc.file:
        raise Http404(_("No such document."))
    return download_response(doc.file, doc.file.name.rsplit("/", 1)[-1])


class StatsFilterForm(forms.Form):
    region = forms.ChoiceField(label=gettext_lazy("Region"), required=False)

    def __init__(self, data, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["region"].choices = region_choices()

    def region_prefix(self) -> str:
        code = self.cleaned_data.get("region") or ""
        return Region.prefix_of(code) if code else ""


def _stats(request):
    form = StatsFilterForm(request.GET)
    if not form.is_valid():
        return form, None
    return form, stats.yearly(form.region_prefix() or None)


def _wan(value) -> float:
    """Yuan to 10,000 yuan (万元) for the chart, two decimals."""
    return round(float(value) / 10000, 2)


@require_GET
def statistics(request):
    form, rows = _stats(request)
    if rows is None:
        return render(request, "procurement/public/statistics.html", {
            "form": form, "rows": None, "error": _("Please correct the search form.")}, status=400)
    chart = {
        "years": [str(r.year) for r in rows],
        "budget": [_wan(r.budget) for r in rows],
        "awarded": [_wan(r.awarded_amount) for r in rows],
        "organizations": [_wan(r.to_organizations) for r in rows],
        "share": [float(r.share) if r.share is not None else None for r in rows],
        "projects": [r.projects for r in rows],
        "labels": {"budget": _("Budget publicized (10,000 yuan)"), "awarded": _("Awarded (10,000 yuan)"),
                   "organizations": _("Awarded to social organizations (10,000 yuan)"),
                   "share": _("Share to social organizations (%)"), "projects": _("Projects publicized"),
                   "amount": _("10,000 yuan")},
    }
    region = form.cleaned_data.get("region") or ""
    region_label = dict(form.fields["region"].choices).get(region, "").strip("\u3000") if region else ""
    return render(request, "procurement/public/statistics.html", {
        "form": form, "rows": rows, "total": stats.total(rows), "chart": chart, "region_label": region_label,
        "querystring": _querystring(request)})


def stats_headers() -> list[str]:
    return [str(h) for h in (_("Year"), _("Projects publicized"), _("Budget (yuan)"), _("Projects awarded"),
                             _("Awarded amount (yuan)"), _("Awarded to social organizations (yuan)"),
                             _("Share to social organizations (%)"))]


def _stats_line(r: stats.YearRow, label) -> list:
    return [label, r.projects, float(r.budget), r.awarded, float(r.awarded_amount), float(r.to_organizations),
            float(r.share) if r.share is not None else ""]


@require_GET
def statistics_export(request):
    """The statistics table as an Excel file, written at once: a dozen rows need no worker."""
    form, rows = _stats(request)
    if rows is None:
        raise Http404(_("Please correct the search form."))
    buffer = io.BytesIO()
    book = workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(str(_("Statistics"))[:31])
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0.00"})
    widths = ColumnWidths(minimum=10)
    sheet.write_row(0, 0, stats_headers(), bold)
    widths.add(stats_headers())
    for n, r in enumerate([*rows, stats.total(rows)], start=1):
        line = _stats_line(r, r.year or str(_("Total")))
        sheet.write_row(n, 0, line)
        for col in (2, 4, 5):
            sheet.write_number(n, col, line[col], money)
        widths.add(line)
    widths.apply(sheet)
    sheet.freeze_panes(1, 0)
    book.close()
    region = form.cleaned_data.get("region") or ""
    region_label = dict(form.fields["region"].choices).get(region, "").strip("\u3000") if region else ""
    title = _("Purchase of services statistics") + (f"_{region_label}" if region_label else "")
    return attachment(buffer.getvalue(), title)
