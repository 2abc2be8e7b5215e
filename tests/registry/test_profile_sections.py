"""The public profile's sections: what goes where (a performance evaluation is a result of the
purchase section, not an honour; a grade belongs to the evaluation section), every section
pages past 20 rows on the page and in the API alike, and the queries do not grow with rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongxin.credit.models import CreditRecord, Penalty, RecordKind
from gongxin.credit.services import record_create
from gongxin.evaluation.services import evaluation_record
from gongxin.procurement import services as procurement
from gongxin.procurement.models import IndicatorSet, PerformanceEvaluation, ProjectStatus
from tests.procurement.factories_projects import TODAY, at, completed
from tests.procurement.test_public import make_project

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(time_machine):
    at(time_machine, TODAY)


def failed_evaluation(actors):
    """A project of organization A evaluated 不合格 through the real service (55.66 points)."""
    project = completed(actors)
    evaluation = procurement.evaluation_assign(actor=actors["purchaser"], project=project)
    scores = {"management": Decimal("10"), "output": Decimal("15.66"), "effect": Decimal("20"),
              "satisfaction": Decimal("10")}
    return procurement.evaluation_submit(actor=actors["purchaser"], evaluation=evaluation, scores=scores,
                                         comments="服务数量未达合同约定。", expected_version=evaluation.version,
                                         today=project.completed_on)  # evaluated once the service is accepted


def test_a_failed_performance_evaluation_is_a_result_of_the_purchase_section_not_a_commendation(client, actors):
    evaluation = failed_evaluation(actors)
    org = actors["org_a"]
    assert evaluation.rating == "fail" and CreditRecord.objects.filter(kind=RecordKind.GOVERNMENT_SERVICE).count() == 1
    response = client.get(f"/orgs/{org.uscc}/", HTTP_COOKIE="django_language=en")
    page = response.content.decode()
    commendations = page[page.index('data-testid="section-commendations"'):]
    commendations = commendations[:commendations.index("</section>")]
    assert "No records" in commendations and "绩效评价" not in commendations
    purchases = page[page.index('data-testid="section-purchases"'):]
    purchases = purchases[:purchases.index("</section>")]
    assert evaluation.project.title in purchases and "Fail" in purchases and "55.66" in purchases
    body = client.get(f"/api/v1/orgs/{org.uscc}").json()
    sections = {s["key"]: s for s in body["sections"]}
    assert sections["commendations"]["records"] == []
    [project] = sections["purchases"]["records"]
    assert (project["rating"], project["score"]) == ("fail", "55.66")
    # The credit information keeps it, under 其他信息, as the regulation's categories say.
    other = next(p for p in sections["credit_information"]["parts"] if p["key"] == "credit_information-other")
    assert other["count"] == 1


def test_commendations_show_only_honours_and_grades_stay_in_the_evaluation_section(client, actors):
    org, officer = actors["org_a"], actors["officer_zhuhai"]
    evaluation_record(actor=officer, organization=org, grade=4, decided_on=dt.date(2025, 6, 1),
                      deciding_body="珠海市民政局", certificate_number="珠评字2025第1号")
    record_create(actor=officer, organization=org, kind=RecordKind.COMMENDATION, title="全省先进社会组织",
                  source="广东省民政厅通报", deciding_body="广东省民政厅", occurred_on=dt.date(2025, 1, 10))
    record_create(actor=officer, organization=org, kind=RecordKind.EVALUATION_GRADE, title="社会组织评估等级3A",
                  source="省厅评估结果", deciding_body="广东省民政厅", occurred_on=dt.date(2019, 1, 10))
    body = client.get(f"/api/v1/orgs/{org.uscc}").json()
    sections = {s["key"]: s for s in body["sections"]}
    assert [r["title"] for r in sections["commendations"]["records"]] == ["全省先进社会组织"]
    grades = sections["evaluation"]
    assert [r["grade"] for r in grades["records"]] == ["4A"]
    # The grade written by the evaluation module shows once; one recorded from elsewhere beside it.
    [recorded] = grades["parts"]
    assert [r["title"] for r in recorded["records"]] == ["社会组织评估等级3A"]


def many_rows(actors, n_projects=45, n_penalties=25, n_records=30):
    org, officer = actors["org_a"], actors["officer_zhuhai"]
    civil = actors["purchaser"].department
    indicators = IndicatorSet.objects.create(name="珠海市绩效评价指标", region_id="440400", indicators=[])
    for i in range(n_projects):
        project = make_project(civil, f"2016年第{i:02d}号居家养老服务项目", status=ProjectStatus.EVALUATED, org=org,
                               amount="10000.00", publicized_on=dt.date(2016, 1, 1) + dt.timedelta(days=i))
        PerformanceEvaluation.objects.create(project=project, indicator_set=indicators, status="submitted",
                                             total=Decimal("55.66") if i % 3 else Decimal("91.00"),
                                             rating="fail" if i % 3 else "excellent",
                                             evaluated_on=dt.date(2017, 1, 1), comments="见评价报告。")
    Penalty.objects.bulk_create([
        Penalty(organization=org, kind="warning", decision_number=f"珠民罚字〔2020〕{i}号", facts="违规收费",
                legal_basis="《社会团体登记管理条例》第三十条", decided_on=dt.date(2020, 1, 1) + dt.timedelta(days=i),
                deciding_body="珠海市民政局", authority_id="440400") for i in range(n_penalties)])
    CreditRecord.objects.bulk_create([
        CreditRecord(organization=org, category="other", kind=RecordKind.COMMENDATION, title=f"表彰{i}",
                     source="通报", deciding_body="珠海市民政局", occurred_on=dt.date(2021, 1, 1) + dt.timedelta(days=i),
                     recorded_by=officer) for i in range(n_records)])
    return org


def test_every_section_pages_past_20_rows_on_the_page(client, actors):
    org = many_rows(actors)
    page = client.get(f"/orgs/{org.uscc}/", HTTP_COOKIE="django_language=en").content.decode()
    assert page.count("居家养老服务项目</a>") == 20
    assert 'data-testid="pager-purchases"' in page and "1–20 of 45" in page and "Page 1 of 3" in page
    assert 'data-testid="pager-penalties"' in page and "1–20 of 25" in page
    assert 'data-testid="pager-commendations"' in page and "1–20 of 30" in page
    assert "45 projects awarded, ¥450,000.00 in all." in page
    # The next page of one section keeps the others where they were.
    third = client.get(f"/orgs/{org.uscc}/", {"section_page_purchases": "3", "section_page_penalties": "2"},
                       HTTP_COOKIE="django_language=en").content.decode()
    assert third.count("居家养老服务项目</a>") == 5 and "41–45 of 45" in third and "21–25 of 25" in third
    assert "?section_page_purchases=2&amp;section_page_penalties=2#purchases" in third  # its previous page
    # A page past the end is the last page; nonsense is the first.
    assert "41–45 of 45" in client.get(f"/orgs/{org.uscc}/", {"section_page_purchases": "99"},
                                       HTTP_COOKIE="django_language=en").content.decode()
    assert client.get(f"/orgs/{org.uscc}/", {"section_page_purchases": "x"}).status_code == 200


def test_every_section_pages_past_20_rows_in_the_api(client, actors):
    org = many_rows(actors)
    body = client.get(f"/api/v1/orgs/{org.uscc}").json()
    sections = {s["key"]: s for s in body["sections"]}
    purchases = sections["purchases"]
    assert (purchases["count"], purchases["page"], purchases["pages"], len(purchases["records"])) == (45, 1, 3, 20)
    assert purchases["summary"]["awarded_amount"] == "450000.00"
    assert purchases["next"] == f"/api/v1/orgs/{org.uscc}/sections/purchases?page=2"
    seen = [r["title"] for r in purchases["records"]]
    url = purchases["next"]
    while url:
        chunk = client.get(url).json()
        seen += [r["title"] for r in chunk["records"]]
        url = chunk["next"]
    assert len(seen) == len(set(seen)) == 45
    other = next(p for p in sections["credit_information"]["parts"] if p["key"] == "credit_information-other")
    assert (other["count"], len(other["records"])) == (30, 20)
    second = client.get(other["next"]).json()
    assert (second["key"], second["page"], len(second["records"]), second["next"]) == (
        "credit_information-other", 2, 10, None)
    assert all(len(s["records"]) <= 20 for s in body["sections"])
    assert client.get(f"/api/v1/orgs/{org.uscc}/sections/nonsense").status_code == 404
    assert client.get(f"/api/v1/orgs/{org.uscc}/sections/penalties", {"page": 0}).status_code == 422


def profile_queries(client, org) -> int:
    client.get(f"/orgs/{org.uscc}/")  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"/orgs/{org.uscc}/").status_code == 200
    return len(ctx.captured_queries)


def test_the_profile_page_costs_the_same_queries_with_hundreds_of_rows(client, actors, make_org):
    empty = profile_queries(client, make_org("珠海市空白协会", region="440400"))
    # The organization and its three prefetches; one query per section's list (annual reports,
    # grades (and the grade in force, when there are grades), grades recorded elsewhere, penalties, each list's entries,
    # commendations, projects, transfers, services recorded elsewhere, commitments) and per
    # credit-information source (records outside "other", reports, inspections, notices,
    # penalties, "other" records).
    assert empty == 21
    full = profile_queries(client, many_rows(actors, n_projects=120, n_penalties=60, n_records=200))
    # A section holding more than a page adds its COUNT (and the purchases their total amount):
    # projects (+ amount), penalties, commendations, and in the credit information penalties and
    # "other" records.
    assert full == empty + 6
