"""Text the credit rules generate (a ground's facts: 作出行政处罚, 年度工作报告 …) is stored in
Chinese as the legal record, and shown in the reader's language."""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.utils import translation

from gongxin.credit import engine, rules
from gongxin.credit.models import ListEntry, ListingStatus
from gongxin.credit.services import listing_confirm, penalty_decide
from gongxin.registry.models import JurisdictionPolicy

from .conftest import TODAY

EN = {"HTTP_COOKIE": "django_language=en"}
GENERATED = ("作出行政处罚", "罚款人民币", "年度工作报告", "无法取得联系", "责令整改", "3年内受到")

SAMPLES = [
    ("未按时报送2025年度工作报告(截止日期后仍未报送,2026-07-01起)",
     "The 2025 annual work report was not submitted on time (still missing after the deadline, since 2026-07-01)"),
    ("2025年度工作报告逾期报送(2026-07-20报送)", "The 2025 annual work report was submitted late (on 2026-07-20)"),
    ("2024年度工作报告未按要求报送,年检结论为不合格(2025-09-01)",
     "The 2024 annual work report was not submitted as required; the annual inspection concluded it failed "
     "(2025-09-01)"),
    ("抽查或检查后责令整改,逾期未完成整改(整改通知珠民整〔2026〕3号,2026-10-01逾期)",
     "Ordered to rectify after a spot check or inspection; the rectification was not completed in time "
     "(rectification notice 珠民整〔2026〕3号, overdue on 2026-10-01)"),
    ("通过登记的住所无法取得联系(2026-05-06确认)", "Could not be reached at the registered address (confirmed on 2026-05-06)"),
    (rules._penalty_facts("fine", "民罚字〔2026〕1号", "香洲区民政局", dt.date(2026, 11, 23), Decimal("60000")),
     "Administrative penalty decided by 香洲区民政局 on 2026-11-23 (民罚字〔2026〕1号): Fine ¥60,000.00"),
    (rules._penalty_facts("warning", "民罚字〔2026〕2号", "珠海市民政局", dt.date(2026, 3, 1), None),
     "Administrative penalty decided by 珠海市民政局 on 2026-03-01 (民罚字〔2026〕2号): Warning"),
    ("3年内受到2次以上警告或不满5万元罚款:民罚字〔2025〕1号(2025-01-02)、民罚字〔2026〕2号(2026-03-01)",
     "Two or more warnings or fines under ¥50,000 within 3 years: 民罚字〔2025〕1号 (2025-01-02), "
     "民罚字〔2026〕2号 (2026-03-01)"),
    ("自2024-05-01起列入活动异常名录届满2年",
     "On the list of organizations with abnormal activities for 2 years since 2024-05-01"),
    ("社会组织评估等级4A", "Social organization evaluation grade 4A"),
    ("评估等级4A,有效期至2030-05-31", "Evaluation grade 4A, valid until 2030-05-31"),
]


@pytest.mark.parametrize(("stored", "english"), SAMPLES)
def test_each_generated_fact_reads_in_english_and_stays_as_stored_in_chinese(stored, english):
    with translation.override("en"):
        assert rules.facts_display(stored) == english
    with translation.override("zh-hans"):
        assert rules.facts_display(stored) == stored


def test_the_chinese_translation_of_each_template_gives_back_the_stored_text():
    """The catalogue's Chinese for each English template is the rules' own wording."""
    for stored, _english in SAMPLES:
        pattern, msgid = next((p, m) for p, m in rules._FACT_PATTERNS if re.fullmatch(p, stored))
        parts = {k: v or "" for k, v in re.fullmatch(pattern, stored).groupdict().items()}
        if "kind" in parts:
            with translation.override("zh-hans"):
                label = {v: k for k, v in rules._PENALTY_LABELS.items()}[rules._PENALTY_LABELS[parts.pop("kind")]]
                amount = parts.pop("amount")
                parts["penalty"] = f"{label}人民币{amount}元" if amount else label
        with translation.override("zh-hans"):
            assert str(msgid) % parts == stored


def test_text_that_no_rule_generated_is_shown_as_stored():
    with translation.override("en"):
        assert rules.facts_display("被人民法院列为失信被执行人(珠海市中级人民法院,2026-01-05)").startswith("被人民法院")


@pytest.mark.django_db
def test_credit_list_profile_and_api_show_the_listing_facts_in_the_readers_language(actors, client):
    org = actors["org_a"]
    penalty_decide(actor=actors["officer_zhuhai"], organization=org, kind="fine", decision_number="民罚字〔2026〕7号",
                   facts="违规收取会费", legal_basis="《社会团体登记管理条例》第三十条", decided_on=TODAY,
                   amount=Decimal("60000"), today=TODAY)
    engine.evaluate(organization=org, today=TODAY)
    entry = ListEntry.objects.get(organization=org, status=ListingStatus.NOTICED)
    listing_confirm(actor=actors["officer_zhuhai"], entry=entry, expected_version=entry.version,
                    today=entry.objection_due + dt.timedelta(days=1))
    english = "Administrative penalty decided by 香洲区民政局 on 2026-11-23 (民罚字〔2026〕7号): Fine ¥60,000.00"

    listing = client.get("/credit/dishonest/", **EN).content.decode()
    profile = client.get(f"/orgs/{org.uscc}/", **EN).content.decode()
    dishonest = profile.split('data-testid="section-dishonest"')[1].split("</section>")[0]
    api = client.get("/api/v1/credit/dishonest", **EN).json()["items"][0]["reasons"][0]["facts"][0]
    for text in (listing, dishonest):
        assert english in text
        assert not any(word in text for word in GENERATED)
    assert api == english

    listing_zh = client.get("/credit/dishonest/").content.decode()
    assert "香洲区民政局2026-11-23作出行政处罚(民罚字〔2026〕7号):罚款人民币60,000.00元" in listing_zh
    assert client.get("/api/v1/credit/dishonest").json()["items"][0]["reasons"][0]["facts"][0].startswith(
        "香洲区民政局2026-11-23作出行政处罚")


def test_the_publicity_days_help_names_the_rule_not_the_seed():
    field = JurisdictionPolicy._meta.get_field("procurement_publicity_days")
    with translation.override("en"):
        assert "seed" not in str(field.help_text) and "15-day publicity rule" in str(field.help_text)
    with translation.override("zh-hans"):
        assert "15 日规则" in str(field.help_text)


@pytest.mark.django_db
def test_the_stored_reason_of_a_notice_reads_in_the_readers_language(actors, client_for):
    org = actors["org_a"]
    penalty_decide(actor=actors["officer_zhuhai"], organization=org, kind="warning", decision_number="民罚字〔2026〕8号",
                   facts="违规收取会费", legal_basis="《社会团体登记管理条例》第三十条", decided_on=TODAY, today=TODAY)
    engine.evaluate(organization=org, today=TODAY)
    entry = ListEntry.objects.get(organization=org, status=ListingStatus.NOTICED)
    assert "警告" in entry.reason  # stored in Chinese, as the record
    client = client_for("org_user_a")
    client.cookies["django_language"] = "en"
    page = client.get(f"/credit/my/entries/{entry.pk}/").content.decode()
    assert "A warning or a fine under ¥50,000" in page and entry.reason not in page
    assert "作出行政处罚" not in page
    client.cookies["django_language"] = "zh-hans"
    page_zh = client.get(f"/credit/my/entries/{entry.pk}/").content.decode()
    assert entry.reason in page_zh and "作出行政处罚" in page_zh


@pytest.mark.django_db
def test_an_evaluation_grade_record_reads_in_the_readers_language_on_the_profile_and_api(actors, client):
    from gongxin.evaluation.services import evaluation_record

    org = actors["org_a"]
    evaluation_record(actor=actors["officer_zhuhai"], organization=org, grade=4, decided_on=dt.date(2025, 6, 1),
                      deciding_body="珠海市民政局", today=TODAY)
    page = client.get(f"/orgs/{org.uscc}/", **EN).content.decode()
    assert "Social organization evaluation grade 4A" in page and "社会组织评估等级" not in page
    assert "Evaluation grade 4A, valid until" in page and "有效期至" not in page
    body = json.dumps(client.get(f"/api/v1/orgs/{org.uscc}", **EN).json(), ensure_ascii=False)
    assert "Social organization evaluation grade 4A" in body and "社会组织评估等级" not in body
    assert "社会组织评估等级" in client.get(f"/orgs/{org.uscc}/").content.decode()
