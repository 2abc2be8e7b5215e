"""credit.records.credit_information: the five categories, public and internal views, one query
per source."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from gongxin.annual import services as annual
from gongxin.annual.models import (
    InspectionItem,
    InspectionResult,
    InspectionStatus,
    RandomInspection,
    RectificationNotice,
    RectificationStatus,
)
from gongxin.credit.models import CreditRecord, RecordKind
from gongxin.credit.records import CategoryBlock, CreditItem, credit_information
from gongxin.credit.services import penalty_decide, record_create
from gongxin.registry.services import organization_change

from .conftest import TODAY

pytestmark = pytest.mark.django_db

CONTENT = {"total_assets": 10, "total_liabilities": 0, "net_assets": 10, "income": 1, "expenses": 1,
           "staff_count": 1, "activity_count": 1, "activities": "活动", "compliance": "守法",
           "party_org_established": False, "self_governance_check": ["self_run"]}


def _published_report(actors, org, year=2024):
    report = annual.report_save_draft(actor=actors["org_user_a"], organization=org, year=year, data=CONTENT)
    report = annual.report_submit(actor=actors["org_user_a"], report=report, expected_version=report.version)
    return annual.report_review(actor=actors["officer_zhuhai"], report=report, conclusion="pass", reasons=[],
                                note="", expected_version=report.version)


def _inspection(actors, title, status):
    return RandomInspection.objects.create(jurisdiction_id="440400", title=title, kind="spot_check", status=status,
                                           sample_size=1, created_by=actors["officer_zhuhai"])


@pytest.fixture
def history(actors, time_machine):
    """Organization A with something in every category, public and not."""
    time_machine.move_to(dt.datetime(2026, 11, 23, 10, 0), tick=False)
    org, officer = actors["org_a"], actors["officer_zhuhai"]
    organization_change(actor=None, org=org, expected_version=org.version, changed_on=dt.date(2024, 3, 1),
                        legal_representative="李四")
    org.refresh_from_db()
    _published_report(actors, org)
    published = _inspection(actors, "2026年第一批双随机抽查", InspectionStatus.PUBLISHED)
    hidden = _inspection(actors, "2026年第二批双随机抽查", InspectionStatus.DRAWN)
    item = InspectionItem.objects.create(inspection=published, organization=org, result=InspectionResult.ISSUES,
                                         findings="财务制度不健全", inspected_on=dt.date(2026, 5, 10))
    InspectionItem.objects.create(inspection=hidden, organization=org, result=InspectionResult.COMPLIANT,
                                  inspected_on=dt.date(2026, 10, 10))
    RectificationNotice.objects.create(organization=org, inspection_item=item, requirements="健全财务制度",
                                       issued_on=dt.date(2026, 5, 12), due_on=dt.date(2026, 6, 12),
                                       status=RectificationStatus.COMPLETED, completed_on=dt.date(2026, 6, 1),
                                       issued_by=officer)
    RectificationNotice.objects.create(organization=org, requirements="按期召开理事会", issued_on=dt.date(2026, 11, 1),
                                       due_on=dt.date(2026, 12, 1), issued_by=officer)  # still open: internal
    common = {"actor": officer, "organization": org, "legal_basis": "《社会团体登记管理条例》第三十条",
              "facts": "未按规定开展活动", "today": TODAY}
    penalty_decide(kind="fine", decision_number="珠民罚字〔2026〕1号", decided_on=dt.date(2026, 8, 1),
                   amount=Decimal("60000"), **common)
    penalty_decide(kind="warning", decision_number="珠民罚字〔2026〕2号", decided_on=dt.date(2026, 9, 1),
                   is_public=False, **common)
    record_create(actor=officer, organization=org, kind=RecordKind.COMMENDATION, title="全省先进社会组织",
                  source="广东省民政厅", deciding_body="广东省民政厅", occurred_on=dt.date(2025, 12, 1), today=TODAY)
    record_create(actor=officer, organization=org, kind=RecordKind.FRAUDULENT_CHANGE, title="以欺骗手段取得变更登记被撤销",
                  source="珠海市民政局", deciding_body="珠海市民政局", occurred_on=dt.date(2026, 2, 1), today=TODAY)
    record_create(actor=officer, organization=org, kind=RecordKind.OTHER, title="内部备注", source="珠海市民政局",
                  deciding_body="珠海市民政局", occurred_on=dt.date(2026, 3, 1), is_public=False, today=TODAY)
    return org


def _titles(blocks: list[CategoryBlock]) -> dict[str, list[str]]:
    return {b.category: [i.title for i in b.items] for b in blocks}


def test_five_categories_in_the_order_of_the_regulation(actors):
    blocks = credit_information(actors["org_b"])
    assert [b.category for b in blocks] == ["basic", "annual", "inspection", "penalty", "other"]
    assert all(isinstance(b, CategoryBlock) for b in blocks)
    # A new organization has its registration and nothing else.
    assert [len(b.items) for b in blocks] == [1, 0, 0, 0, 0]
    item = blocks[0].items[0]
    assert isinstance(item, CreditItem)
    assert item.date == dt.date(2015, 7, 1) and item.deciding_body == "珠海市民政局" and item.is_public


def test_public_view_holds_only_published_facts(history):
    with translation.override("en"):
        titles = _titles(credit_information(history))
    assert titles["basic"] == ["Establishment registration", "Change registration: Legal representative",
                               "以欺骗手段取得变更登记被撤销"]
    assert titles["annual"] == ["2024 annual work report"]
    # The published draw's result and its completed notice; not the unpublished draw, not the open notice.
    assert titles["inspection"] == ["Rectification notice", "2026年第一批双随机抽查"]
    assert titles["penalty"] == ["Fine ¥60,000.00"]
    assert titles["other"] == ["全省先进社会组织"]


def test_officer_entered_records_go_to_their_category(history):
    blocks = {b.category: b for b in credit_information(history)}
    assert "以欺骗手段取得变更登记被撤销" in [i.title for i in blocks["basic"].items]
    assert CreditRecord.objects.get(title="以欺骗手段取得变更登记被撤销").category == "basic"


def test_internal_view_adds_unpublished_items_marked_as_such(history):
    with translation.override("en"):
        blocks = {b.category: b for b in credit_information(history, public=False)}
    hidden = sorted((category, i.title) for category, block in blocks.items() for i in block.items
                    if not i.is_public)
    assert hidden == [("inspection", "2026年第二批双随机抽查"), ("inspection", "Rectification notice"),
                      ("other", "内部备注"), ("penalty", "Warning")]
    assert [len(blocks[c].items) for c in ("inspection", "penalty", "other")] == [4, 2, 2]


def test_items_carry_date_body_source_and_content(history):
    with translation.override("en"):
        blocks = {b.category: b for b in credit_information(history)}
    fine = blocks["penalty"].items[0]
    assert fine.date == dt.date(2026, 8, 1) and fine.deciding_body == "香洲区民政局"
    assert "珠民罚字〔2026〕1号" in fine.source
    assert "未按规定开展活动" in fine.content and "第三十条" in fine.content
    change = blocks["basic"].items[1]
    assert change.date == dt.date(2024, 3, 1) and "张伟 → 李四" in change.content
    inspection = next(i for i in blocks["inspection"].items if i.title.startswith("2026"))
    assert inspection.deciding_body == "珠海市民政局" and "财务制度不健全" in inspection.content
    assert blocks["annual"].items[0].content == "Result: Pass (submitted late)"  # 2024 report, filed in 2026


def test_one_query_per_source_whatever_the_number_of_rows(history, actors, django_assert_max_num_queries):
    org = history
    # changes, reports, inspection results, notices, penalties, records
    with django_assert_max_num_queries(6):
        credit_information(org, public=False)
    for i in range(5):
        record_create(actor=actors["officer_zhuhai"], organization=org, kind=RecordKind.COMMENDATION,
                      title=f"表彰{i}", source="珠海市民政局", deciding_body="珠海市民政局",
                      occurred_on=dt.date(2025, 1, 1 + i), today=TODAY, evaluate=False)
    with django_assert_max_num_queries(6):
        blocks = credit_information(org, public=False)
    assert len(blocks[4].items) == 7
