"""The public disclosure platform: the project list and its filters, the publicity notice, the
statistics and the exports, and the organization profile's purchases section."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string

from gongxin.core.exports import export_run_now
from gongxin.core.models import ExportJob
from gongxin.procurement import stats
from gongxin.procurement.models import (
    Contract,
    Department,
    FunctionTransfer,
    IndicatorSet,
    Milestone,
    PerformanceEvaluation,
    ProjectDocument,
    ProjectStatus,
    PurchaseProject,
)
from gongxin.procurement.profile import purchases_section

pytestmark = pytest.mark.django_db

AWARDED = (ProjectStatus.AWARDED, ProjectStatus.CONTRACTED, ProjectStatus.COMPLETED, ProjectStatus.EVALUATED)


def make_project(department, title="2016年香洲区居家养老服务项目", *, year=2016, budget="100000.00",
                 status=ProjectStatus.PUBLICIZED, org=None, supplier="", amount=None, category="A05",
                 method="competitive_consultation", region=None, publicized_on=None) -> PurchaseProject:
    """A project row as the workflow leaves it (the services are not what is tested here)."""
    publicized = publicized_on or dt.date(year, 3, 1)
    region = region or department.region_id
    awarded = status in AWARDED
    project = PurchaseProject(
        department=department, region_id=region, region_prefix=region[:4] if region[4:] == "00" else region,
        category_id=category, title=title, description="服务内容见采购文件。", budget=Decimal(budget), method=method,
        year=year, publicized_on=None if status == ProjectStatus.DRAFT else publicized,
        procurement_starts_on=publicized + dt.timedelta(days=15), bid_deadline=publicized + dt.timedelta(days=25),
        service_starts_on=publicized + dt.timedelta(days=40), service_ends_on=publicized + dt.timedelta(days=400),
        status=status, awarded_organization=org if awarded else None,
        awarded_supplier_name=(org.name if org else supplier) if awarded else "",
        awarded_supplier_id=org.uscc if awarded and org else "",
        awarded_amount=Decimal(amount or budget) if awarded else None,
        awarded_on=publicized + dt.timedelta(days=30) if awarded else None,
        award_reason="综合评分第一。" if awarded else "")
    project.ocid = f"{settings.OCDS_PREFIX}-t{PurchaseProject.objects.count() + 1}"
    project.save()
    return project


@pytest.fixture
def depts(actors):
    civil = actors["purchaser"].department
    health = Department.objects.get(name="珠海市卫生健康局")
    foshan = Department.objects.create(name="佛山市民政局", region_id="440600", region_prefix="4406")
    return {"civil": civil, "health": health, "foshan": foshan}


@pytest.fixture
def projects(actors, depts):
    """Hand-made projects of 2016–2017 in Zhuhai and Foshan, one draft, one company award."""
    org_a = actors["org_a"]
    return {
        "elderly": make_project(depts["civil"], "2016年香洲区居家养老服务项目", budget="300000.00",
                                status=ProjectStatus.EVALUATED, org=org_a, amount="280000.00"),
        "company": make_project(depts["civil"], "2016年社会组织等级评估服务项目", budget="200000.00", category="D03",
                                status=ProjectStatus.CONTRACTED, supplier="珠海市华信管理咨询有限公司",
                                amount="120000.00", method="public_tender"),
        "open": make_project(depts["health"], "2016年慢性病防治健康教育项目", budget="50000.00", category="A04"),
        "cancelled": make_project(depts["civil"], "2016年困境儿童关爱服务项目", budget="40000.00", category="A11",
                                  status=ProjectStatus.CANCELLED),
        "later": make_project(depts["civil"], "2017年斗门区社区矫正社会工作服务项目", year=2017, budget="90000.00",
                              category="B03", region="440403", status=ProjectStatus.AWARDED, org=actors["org_b"]),
        "foshan": make_project(depts["foshan"], "2017年南海区居家养老服务项目", year=2017, budget="70000.00",
                               status=ProjectStatus.AWARDED, org=actors["org_foshan"]),
        "draft": make_project(depts["civil"], "2017年养老服务草稿项目", year=2017, status=ProjectStatus.DRAFT),
    }


def titles(response) -> set[str]:
    return {p.title for p in response.context["page"].object_list}


# --- The list ------------------------------------------------------------------------------------


def test_the_public_sees_every_publicized_project_and_never_a_draft(client, projects):
    response = client.get("/procurement/")
    assert response.status_code == 200
    assert titles(response) == {p.title for k, p in projects.items() if k != "draft"}
    assert "草稿" not in response.content.decode()


def test_a_draft_project_page_is_not_found_like_a_project_that_does_not_exist(client, projects):
    assert client.get(f"/procurement/projects/{projects['draft'].pk}/").status_code == 404
    assert client.get("/procurement/projects/999999/").status_code == 404


def test_a_two_character_search_finds_titles_containing_it(client, projects):
    response = client.get("/procurement/", {"q": "养老"})
    assert titles(response) == {projects["elderly"].title, projects["foshan"].title}  # the draft stays hidden


@pytest.mark.parametrize(("query", "expected"), [
    ({"year": "2017"}, {"later", "foshan"}),
    ({"status": "cancelled"}, {"cancelled"}),
    ({"method": "public_tender"}, {"company"}),
    ({"category": "A"}, {"elderly", "open", "cancelled", "foshan"}),
    ({"category": "A", "subcategory": "A05"}, {"elderly", "foshan"}),
    ({"subcategory": "B03"}, {"later"}),
    ({"region": "440400"}, {"elderly", "company", "open", "cancelled", "later"}),
    ({"region": "440403"}, {"later"}),
    ({"region": "440600", "q": "养老"}, {"foshan"}),
])
def test_filters_narrow_the_list(client, projects, query, expected):
    assert titles(client.get("/procurement/", query)) == {projects[k].title for k in expected}


def test_the_department_filter_shows_only_its_projects(client, projects, depts):
    response = client.get("/procurement/", {"department": depts["health"].pk})
    assert titles(response) == {projects["open"].title}


def test_sorting_by_budget_puts_the_largest_first(client, projects):
    rows = list(client.get("/procurement/", {"sort": "budget"}).context["page"].object_list)
    assert [p.budget for p in rows] == sorted((p.budget for p in rows), reverse=True)
    rows = list(client.get("/procurement/", {"sort": "budget_asc"}).context["page"].object_list)
    assert rows[0] == projects["cancelled"]


def test_the_summary_row_counts_and_totals_the_filtered_set(client, projects):
    response = client.get("/procurement/", {"year": "2016"})
    assert response.context["totals"] == {"count": 4, "budget": Decimal("590000.00")}
    assert "¥590,000.00" in response.content.decode()


def test_an_invalid_filter_is_a_400_with_a_message(client, projects):
    response = client.get("/procurement/", {"year": "1999"})
    assert response.status_code == 400 and response.context["error"]


def test_an_empty_search_says_so(client, projects):
    response = client.get("/procurement/", {"q": "没有这个"})
    assert 'data-testid="empty"' in response.content.decode()


def test_the_list_runs_a_fixed_number_of_queries_whatever_the_page_size(client, depts, django_assert_num_queries):
    for n in range(2):
        make_project(depts["civil"], f"2016年第{n}个项目")
    # regions, departments, categories (the form), the summary (count and budget), the page.
    with django_assert_num_queries(5):
        client.get("/procurement/")
    for n in range(25):
        make_project(depts["health"], f"2016年卫生项目{n}", status=ProjectStatus.EVALUATED, amount="1000.00",
                     org=None, supplier="某公司")
    with django_assert_num_queries(5):
        response = client.get("/procurement/", {"page": "2"})
    assert len(response.context["page"].object_list) == 7


# --- The notice ----------------------------------------------------------------------------------


def test_the_notice_of_an_awarded_project_links_the_winner_to_its_registry_profile(client, projects):
    page = client.get(f"/procurement/projects/{projects['elderly'].pk}/").content.decode()
    assert f"/orgs/{projects['elderly'].awarded_organization.uscc}/" in page
    assert "¥280,000.00" in page and "综合评分第一" in page
    assert f"/api/v1/ocds/records/{projects['elderly'].ocid}" in page


def test_a_company_winner_is_named_without_a_profile_link(client, projects):
    response = client.get(f"/procurement/projects/{projects['company'].pk}/")
    page = response.content.decode()
    assert "珠海市华信管理咨询有限公司" in page and "/orgs/" not in page.split('data-testid="award-supplier"')[1][:300]


def test_the_notice_shows_the_publicity_period_against_the_15_day_rule(client, projects):
    response = client.get(f"/procurement/projects/{projects['open'].pk}/")
    assert response.context["publicity_period"] == 15 and response.context["publicity_days"] == 15
    assert 'data-testid="section-award"' not in response.content.decode()


def test_the_notice_shows_contract_milestones_and_the_performance_result(client, projects):
    project = projects["elderly"]
    Contract.objects.create(project=project, number="GMFW-2016-1", signed_on=dt.date(2016, 4, 5),
                            amount=Decimal("280000.00"), starts_on=dt.date(2016, 4, 10), ends_on=dt.date(2017, 4, 9))
    Milestone.objects.create(project=project, title="中期评估", due_on=dt.date(2016, 10, 10),
                             payment=Decimal("112000.00"), status=Milestone.Status.MET, done_on=dt.date(2016, 10, 12))
    indicators = IndicatorSet.objects.create(name="珠海市绩效评价指标", region_id="440400", indicators=[])
    PerformanceEvaluation.objects.create(project=project, indicator_set=indicators, status="submitted",
                                         total=Decimal("91.50"), rating="excellent", evaluated_on=dt.date(2017, 5, 1),
                                         comments="服务目标全部完成。")
    page = client.get(f"/procurement/projects/{project.pk}/").content.decode()
    for text in ("GMFW-2016-1", "中期评估", "112,000.00", "91.50", "服务目标全部完成。"):
        assert text in page


def test_only_public_documents_are_listed_and_served(client, projects):
    project = projects["elderly"]
    public = ProjectDocument.objects.create(project=project, kind="tender", title="采购文件",
                                            file=SimpleUploadedFile("tender.pdf", b"%PDF-1.4 tender"), sha256="x")
    hidden = ProjectDocument.objects.create(project=project, kind="contract", title="内部合同", is_public=False,
                                            file=SimpleUploadedFile("c.pdf", b"%PDF-1.4 c"), sha256="y")
    page = client.get(f"/procurement/projects/{project.pk}/").content.decode()
    assert "采购文件" in page and "内部合同" not in page
    download = client.get(f"/procurement/projects/{project.pk}/documents/{public.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 tender"
    assert client.get(f"/procurement/projects/{project.pk}/documents/{hidden.pk}/").status_code == 404
    other = projects["company"]
    assert client.get(f"/procurement/projects/{other.pk}/documents/{public.pk}/").status_code == 404


# --- Statistics ----------------------------------------------------------------------------------


def test_yearly_statistics_count_budgets_awards_and_the_share_to_social_organizations(projects):
    rows = {r.year: r for r in stats.yearly(last_year=2017)}
    assert rows[2015] == stats.YearRow(2015, 0, Decimal("0.00"), 0, Decimal("0.00"), Decimal("0.00"))
    y2016 = rows[2016]
    # Publicized: elderly, company, open, cancelled (not the draft of 2017 either way).
    assert (y2016.projects, y2016.budget) == (4, Decimal("590000.00"))
    # Awarded: the organization's 280,000 and the company's 120,000; the share is 70%.
    assert (y2016.awarded, y2016.awarded_amount, y2016.to_organizations) == (2, Decimal("400000.00"),
                                                                            Decimal("280000.00"))
    assert y2016.share == Decimal("70.0") and y2016.companies == Decimal("120000.00")
    assert rows[2015].share is None  # nothing awarded: no share rather than 0%
    total = stats.total(list(rows.values()))
    assert (total.projects, total.budget) == (6, Decimal("750000.00"))


def test_yearly_statistics_of_a_region_leave_the_others_out(projects):
    zhuhai = {r.year: r for r in stats.yearly("4404", last_year=2017)}
    assert (zhuhai[2017].projects, zhuhai[2017].to_organizations) == (1, Decimal("90000.00"))
    foshan = {r.year: r for r in stats.yearly("4406", last_year=2017)}
    assert (foshan[2016].projects, foshan[2017].projects) == (0, 1)


def test_yearly_statistics_are_one_query(projects, django_assert_num_queries):
    with django_assert_num_queries(1):
        stats.yearly()


def test_the_statistics_page_shows_the_table_and_the_chart_data(client, projects):
    response = client.get("/procurement/statistics/", {"region": "440400"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="stats-row-2016"' in page and "70.0%" in page and "590,000.00" in page
    assert 'id="procurement-stats-data"' in page and "vendor/echarts/echarts.min.js" in page
    assert "cdn" not in page.lower()
    chart = response.context["chart"]
    assert chart["years"][:3] == ["2015", "2016", "2017"] and chart["share"][1] == 70.0


def test_the_statistics_export_is_an_excel_file_with_a_total_line(client, projects):
    response = client.get("/procurement/statistics/export/", {"region": "440400"})
    assert response.status_code == 200 and "spreadsheetml" in response["Content-Type"]
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    by_year = {r[0]: r for r in rows[1:]}
    assert by_year[2016][1:7] == (4, 590000, 2, 400000, 280000, 70)
    assert rows[-1][1] == 5  # Zhuhai's publicized projects of every year


# --- The list export -----------------------------------------------------------------------------


def test_the_public_signs_in_before_exporting_and_comes_back_to_the_same_list(client, projects):
    response = client.post("/procurement/export/", {"q": "养老", "year": "2016"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert "year%3D2016" in response["Location"]
    assert not ExportJob.objects.exists()


def test_a_signed_in_user_exports_the_filtered_list(client_for, projects):
    response = client_for("org_user_b").post("/procurement/export/", {"q": "养老", "region": "440400"})
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/exports/{job.id}/"
    export_run_now(str(job.id))  # what the worker does
    job.refresh_from_db()
    rows = list(openpyxl.load_workbook(job.file.open("rb")).active.iter_rows(values_only=True))
    assert [r[1] for r in rows[1:]] == [projects["elderly"].title]
    assert rows[1][0] == projects["elderly"].ocid and rows[1][11] == projects["elderly"].awarded_supplier_name


def test_export_is_post_only(client):
    assert client.get("/procurement/export/").status_code == 405


# --- The organization profile ----------------------------------------------------------------------


def test_the_profile_section_lists_the_awards_and_the_functions_in_force(actors, projects, depts):
    from tests.procurement.factories_projects import transferable_function

    org = actors["org_a"]
    function = transferable_function()
    FunctionTransfer.objects.create(function=function, organization=org, department=depts["civil"],
                                    started_on=dt.date(2020, 1, 1), guidance_until=dt.date(2023, 1, 1))
    revoked = transferable_function(code="F002")
    FunctionTransfer.objects.create(function=revoked, organization=org, department=depts["civil"], status="revoked",
                                    started_on=dt.date(2020, 1, 1), guidance_until=dt.date(2023, 1, 1))
    section = purchases_section(org)
    assert [p.title for p in section.rows] == [projects["elderly"].title]
    assert (section.total, section.summary["awarded_amount"]) == (1, Decimal("280000.00"))
    [transfers, _recorded] = section.parts
    assert [t.function for t in transfers.rows] == [function]
    html = render_to_string("procurement/public/includes/org_purchases.html", {"rows": section.rows,
                                                                               "section": section})
    html += render_to_string(transfers.template, {"rows": transfers.rows})
    assert projects["elderly"].title in html and "280,000.00" in html and function.name in html


def test_an_organization_without_purchases_has_an_empty_section(actors, django_assert_num_queries):
    with django_assert_num_queries(3):  # the projects, the transfers, the services recorded elsewhere
        section = purchases_section(actors["org_b"])
    assert section.count == 0


def test_a_draft_is_not_found_on_the_public_page_whoever_asks_its_purchaser_included(client_for, projects):
    from tests.authz import ACTORS

    url = f"/procurement/projects/{projects['draft'].pk}/"
    assert {actor: client_for(actor).get(url).status_code for actor in ACTORS} == dict.fromkeys(ACTORS, 404)


def test_the_excel_button_says_what_it_does_for_the_public(client, client_for, projects):
    client.cookies["django_language"] = "en"
    public = client.get("/procurement/").content.decode()
    assert "Sign in to export this list to Excel" in public and "sign in required" not in public
    signed_in = client_for("org_user_b")
    signed_in.cookies["django_language"] = "en"
    assert "Sign in to export" not in signed_in.get("/procurement/").content.decode()
