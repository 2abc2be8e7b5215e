"""The qualified organizations catalogue: applying (refused with reasons when ineligible,
idempotent on a double submit), the officer's decision (checks run again), batch publication
and numbering, withdrawal, scope, and the public catalogue's search."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import translation

from gongxin.core.models import AuditEvent, Region
from gongxin.credit.models import ListEntry
from gongxin.procurement import qualification as qual
from gongxin.procurement.models import Catalogue, QualificationApplication, QualificationStatus
from gongxin.registry.applications import NotAllowed
from gongxin.registry.services import StaleEdit
from tests.procurement.eligibility_helpers import make_eligible

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 30)


@pytest.fixture(autouse=True)
def _english(settings):
    """Messages and labels are asserted in English (the platform's default is Chinese)."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(dt.datetime(2026, 6, 30, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False):
        with translation.override("en"):
            yield


@pytest.fixture
def zhuhai(db):
    return Region.objects.get(code="440400")


def apply(actors, who="a", zhuhai=None, **kw):
    org = actors[f"org_{who}"]
    return qual.qualification_apply(actor=actors[f"org_user_{who}"], organization=org,
                                    region=zhuhai or Region.objects.get(code="440400"),
                                    service_areas=kw.get("service_areas", "行业标准制定、行业统计"),
                                    statement=kw.get("statement", "专职人员12名"))


@pytest.fixture
def eligible(actors):
    make_eligible(actors["org_a"], TODAY)
    make_eligible(actors["org_b"], TODAY)
    return actors


def test_an_ineligible_organization_is_refused_with_the_failing_reasons(actors, zhuhai):
    with pytest.raises(NotAllowed) as exc:
        apply(actors, zhuhai=zhuhai)
    text = " ".join(exc.value.messages)
    assert "No evaluation grade in force" in text and "2024" in text and "2025" in text
    assert not QualificationApplication.objects.exists()


def test_an_eligible_organization_applies_and_the_checks_are_stored(eligible, zhuhai):
    app = apply(eligible, zhuhai=zhuhai)
    assert app.status == QualificationStatus.SUBMITTED and app.eligible and app.region_prefix == "4404"
    assert {c["code"] for c in app.checks} == {"active", "credit", "grade", "annual_reports", "governance"}
    assert AuditEvent.objects.filter(action="procurement.qualification_apply", object_id=str(app.pk)).exists()


def test_a_double_submit_returns_the_open_application(eligible, zhuhai):
    first = apply(eligible, zhuhai=zhuhai)
    second = apply(eligible, zhuhai=zhuhai, statement="再次提交")
    assert second.pk == first.pk and QualificationApplication.objects.count() == 1


def test_a_double_submit_through_the_page_creates_one_application(eligible, client_for):
    client = client_for("org_user_a")
    data = {"region": "440400", "service_areas": "行业培训", "statement": "", "confirm": "on"}
    assert client.post("/procurement/qualification/mine/", data).status_code == 302
    assert client.post("/procurement/qualification/mine/", data).status_code == 302
    assert QualificationApplication.objects.filter(organization=eligible["org_a"]).count() == 1


def test_only_the_organization_itself_may_apply(eligible, zhuhai):
    with pytest.raises(NotAllowed):
        qual.qualification_apply(actor=eligible["org_user_b"], organization=eligible["org_a"], region=zhuhai,
                                 service_areas="x", statement="")


def test_an_organization_cannot_apply_to_another_citys_catalogue(eligible):
    with pytest.raises(ValidationError) as exc:
        apply(eligible, zhuhai=Region.objects.get(code="440600"))
    assert "region" in exc.value.message_dict


def test_the_page_shows_the_checks_and_keeps_the_form_closed_when_ineligible(actors, client_for):
    response = client_for("org_user_a").get("/procurement/qualification/mine/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="ineligible"' in body and 'data-testid="apply-disabled"' in body
    assert 'data-testid="check-grade" data-passed="no"' in body
    assert not response.context["can_apply"]
    refused = client_for("org_user_a").post("/procurement/qualification/mine/", {
        "region": "440400", "service_areas": "行业培训", "confirm": "on"})
    assert refused.status_code == 200 and "No evaluation grade in force" in refused.content.decode()


def test_the_page_opens_the_form_when_eligible(eligible, client_for):
    response = client_for("org_user_a").get("/procurement/qualification/mine/")
    assert response.context["can_apply"] and 'data-testid="eligible"' in response.content.decode()


# --- the officer -----------------------------------------------------------------------------


def test_approving_runs_the_checks_again(eligible, zhuhai):
    app = apply(eligible, zhuhai=zhuhai)
    org = eligible["org_a"]
    ListEntry.objects.create(
        organization=org, list="dishonest", status="listed", authority_id="440402", region_prefix=org.region_prefix,
        noticed_on=dt.date(2026, 5, 4), objection_due=dt.date(2026, 5, 18), listed_on=dt.date(2026, 6, 1),
        clock_from=dt.date(2026, 6, 1))
    with pytest.raises(NotAllowed) as exc:
        qual.qualification_decide(actor=eligible["officer_zhuhai"], application=app, approve=True,
                                  expected_version=app.version)
    assert "Serious violation and dishonesty list" in " ".join(exc.value.messages)
    app.refresh_from_db()
    assert app.status == QualificationStatus.SUBMITTED
    rejected = qual.qualification_decide(actor=eligible["officer_zhuhai"], application=app, approve=False,
                                         reason="已列入严重违法失信名单", expected_version=app.version)
    assert rejected.status == QualificationStatus.REJECTED and not rejected.eligible


def test_a_rejection_needs_a_reason_and_a_stale_decision_is_refused(eligible, zhuhai):
    app = apply(eligible, zhuhai=zhuhai)
    officer = eligible["officer_zhuhai"]
    with pytest.raises(ValidationError) as exc:
        qual.qualification_decide(actor=officer, application=app, approve=False, reason=" ",
                                  expected_version=app.version)
    assert "reason" in exc.value.message_dict
    with pytest.raises(StaleEdit):
        qual.qualification_decide(actor=officer, application=app, approve=True, expected_version=app.version + 1)
    approved = qual.qualification_decide(actor=officer, application=app, approve=True, expected_version=app.version)
    assert approved.status == QualificationStatus.APPROVED and approved.version == app.version + 1
    with pytest.raises(NotAllowed):
        qual.qualification_decide(actor=officer, application=app, approve=True, expected_version=approved.version)


def test_the_foshan_officer_gets_404_on_a_zhuhai_application(eligible, zhuhai, client_for):
    app = apply(eligible, zhuhai=zhuhai)
    foshan = client_for("officer_foshan")
    assert foshan.get(f"/procurement/qualification/manage/{app.pk}/").status_code == 404
    assert foshan.post(f"/procurement/qualification/manage/{app.pk}/decide/",
                       {"decision": "approve", "version": app.version}).status_code == 404
    assert foshan.get("/procurement/qualification/manage/").context["page"].paginator.count == 0
    with pytest.raises(NotAllowed):
        qual.qualification_decide(actor=eligible["officer_foshan"], application=app, approve=True,
                                  expected_version=app.version)


def test_the_officer_approves_through_the_detail_page(eligible, zhuhai, client_for):
    app = apply(eligible, zhuhai=zhuhai)
    client = client_for("officer_zhuhai")
    page = client.get(f"/procurement/qualification/manage/{app.pk}/")
    assert page.status_code == 200 and page.context["live"].eligible
    response = client.post(f"/procurement/qualification/manage/{app.pk}/decide/",
                           {"decision": "approve", "reason": "", "version": app.version})
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.status == QualificationStatus.APPROVED and app.decided_by == eligible["officer_zhuhai"]


def test_batches_are_numbered_1_2_and_take_every_approved_application(eligible, zhuhai):
    officer = eligible["officer_zhuhai"]
    a = apply(eligible, "a", zhuhai)
    qual.qualification_decide(actor=officer, application=a, approve=True, expected_version=a.version)
    with pytest.raises(StaleEdit):
        qual.qualified_batch_publish(actor=officer, region=zhuhai, year=2026, title="", expected_count=2)
    first = qual.qualified_batch_publish(actor=officer, region=zhuhai, year=2026, title="", expected_count=1)
    assert first.batch == 1 and first.status == "published" and first.published_on == TODAY
    assert first.title == "珠海市第1批具备承接政府职能转移和购买服务资质的社会组织目录"
    with pytest.raises(NotAllowed):  # nothing approved any more
        qual.qualified_batch_publish(actor=officer, region=zhuhai, year=2026, title="")
    b = apply(eligible, "b", zhuhai)
    qual.qualification_decide(actor=officer, application=b, approve=True, expected_version=b.version)
    second = qual.qualified_batch_publish(actor=officer, region=zhuhai, year=2026, title="第二批")
    assert second.batch == 2 and second.title == "第二批"
    assert list(second.qualified.values_list("organization", flat=True)) == [eligible["org_b"].pk]
    a.refresh_from_db()
    assert a.status == QualificationStatus.PUBLISHED and a.catalogue == first
    assert AuditEvent.objects.filter(action="procurement.qualification_publish").count() == 2


def test_the_foshan_officer_cannot_publish_zhuhais_batch(eligible, zhuhai):
    with pytest.raises(NotAllowed):
        qual.qualified_batch_publish(actor=eligible["officer_foshan"], region=zhuhai, year=2026, title="")


def test_the_publish_page_says_how_many_and_which_batch(eligible, zhuhai, client_for):
    officer = eligible["officer_zhuhai"]
    a = apply(eligible, "a", zhuhai)
    qual.qualification_decide(actor=officer, application=a, approve=True, expected_version=a.version)
    client = client_for("officer_zhuhai")
    page = client.get("/procurement/qualification/manage/publish/")
    assert page.status_code == 200 and page.context["batch"] == 1 and len(page.context["approved"]) == 1
    assert "1 approved application will form batch 1" in page.content.decode()
    unconfirmed = client.post("/procurement/qualification/manage/publish/", {
        "region": "440400", "year": 2026, "title": "x", "expected_count": 1})
    assert unconfirmed.status_code == 200 and not Catalogue.objects.exists()
    done = client.post("/procurement/qualification/manage/publish/", {
        "region": "440400", "year": 2026, "title": page.context["form"].initial["title"], "expected_count": 1,
        "confirm": "on"})
    assert done.status_code == 302 and Catalogue.objects.get().batch == 1


def test_withdrawal_takes_the_organization_out_of_the_public_catalogue(eligible, zhuhai, client_for):
    officer = eligible["officer_zhuhai"]
    a = apply(eligible, "a", zhuhai)
    a = qual.qualification_decide(actor=officer, application=a, approve=True, expected_version=a.version)
    qual.qualified_batch_publish(actor=officer, region=zhuhai, year=2026, title="")
    a.refresh_from_db()
    assert qual.qualified_public(qual.PublicFilters()).count() == 1
    with pytest.raises(ValidationError):
        qual.qualification_withdraw(actor=officer, application=a, reason="", expected_version=a.version)
    response = client_for("officer_zhuhai").post(f"/procurement/qualification/manage/{a.pk}/withdraw/", {
        "reason": "2026年6月列入活动异常名录", "version": a.version, "confirm": "on"})
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.status == QualificationStatus.WITHDRAWN and a.withdrawn_on == TODAY
    assert qual.qualified_public(qual.PublicFilters()).count() == 0
    # Withdrawn: the organization may apply again.
    again = apply(eligible, "a", zhuhai)
    assert again.pk != a.pk and again.status == QualificationStatus.SUBMITTED


def test_the_officer_queue_filters_by_status_and_searches(eligible, zhuhai, client_for):
    officer = eligible["officer_zhuhai"]
    a = apply(eligible, "a", zhuhai)
    apply(eligible, "b", zhuhai)
    qual.qualification_decide(actor=officer, application=a, approve=True, expected_version=a.version)
    client = client_for("officer_zhuhai")
    assert client.get("/procurement/qualification/manage/").context["page"].paginator.count == 2
    approved = client.get("/procurement/qualification/manage/?status=approved").context["page"]
    assert [x.pk for x in approved.object_list] == [a.pk]
    found = client.get("/procurement/qualification/manage/?q=学会").context["page"]
    assert [x.organization.name for x in found.object_list] == ["珠海市测试乙学会"]
    assert client.get("/procurement/qualification/manage/?q=学").status_code == 400
    export = client.post("/procurement/qualification/manage/export/", {"status": "approved"})
    assert export.status_code == 302 and export["Location"].startswith("/exports/")
    from gongxin.core.exports import EXPORTERS

    data = EXPORTERS["qualification_queue"](officer, {"status": "approved"})
    rows = list(data.rows)
    assert data.total == 1 and rows[0][0] == eligible["org_a"].name and "✓" in rows[0][6]


# --- public ----------------------------------------------------------------------------------


@pytest.fixture
def published(eligible, zhuhai):
    officer = eligible["officer_zhuhai"]
    for who in ("a", "b"):
        app = apply(eligible, who, zhuhai)
        qual.qualification_decide(actor=officer, application=app, approve=True, expected_version=app.version)
        qual.qualified_batch_publish(actor=officer, region=zhuhai, year=2026 if who == "b" else 2025, title="")
    return eligible


def test_the_public_catalogue_searches_with_two_characters(published, client_for):
    client = client_for("public")
    everything = client.get("/procurement/qualification/")
    assert everything.status_code == 200 and everything.context["page"].paginator.count == 2
    body = everything.content.decode()
    assert body.index("第2批") < body.index("第1批")  # newest batch first
    found = client.get("/procurement/qualification/?q=协会").context["page"]
    assert [a.organization.name for a in found.object_list] == ["珠海市测试甲行业协会"]
    by_code = client.get(f"/procurement/qualification/?q={published['org_b'].uscc[:8]}").context["page"]
    assert published["org_b"].pk in [a.organization_id for a in by_code.object_list]
    too_short = client.get("/procurement/qualification/?q=协")
    assert too_short.status_code == 400 and "at least 2 characters" in too_short.content.decode()


def test_the_public_catalogue_filters_by_batch_and_region(published, client_for):
    client = client_for("public")
    first = Catalogue.objects.get(batch=1)
    page = client.get(f"/procurement/qualification/?batch={first.pk}").context["page"]
    assert [a.organization_id for a in page.object_list] == [published["org_a"].pk]
    assert client.get("/procurement/qualification/?region=440600").context["page"].paginator.count == 0
    assert client.get("/procurement/qualification/?region=440400").context["page"].paginator.count == 2


def test_submitted_and_approved_applications_are_not_public(eligible, zhuhai):
    app = apply(eligible, "a", zhuhai)
    qual.qualification_decide(actor=eligible["officer_zhuhai"], application=app, approve=True,
                              expected_version=app.version)
    assert qual.qualified_public(qual.PublicFilters()).count() == 0


def test_the_public_excel_export_lists_the_catalogue(published, client_for):
    import io

    from python_calamine import CalamineWorkbook

    response = client_for("public").get("/procurement/qualification/export/?q=协会")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert rows[0][1] == "Name" and len(rows) == 2 and rows[1][1] == "珠海市测试甲行业协会"


def test_the_public_excel_export_writes_formulas_and_links_as_text_and_is_named_in_chinese(eligible, zhuhai,
                                                                                         client_for):
    from tests.core.hostile_sheets import HOSTILE_TEXTS, assert_inert

    officer = eligible["officer_zhuhai"]
    app = apply(eligible, "a", zhuhai, service_areas=" ".join(HOSTILE_TEXTS[:2]))
    qual.qualification_decide(actor=officer, application=app, approve=True, expected_version=app.version)
    qual.qualified_batch_publish(actor=officer, region=zhuhai, year=2026, title="")
    client = client_for("public")
    client.cookies["django_language"] = "zh-hans"
    response = client.get("/procurement/qualification/export/")
    assert_inert(response.content, " ".join(HOSTILE_TEXTS[:2]))
    assert response["Content-Disposition"] == (
        "attachment; filename=\"Qualified organizations_20260630.xlsx\"; "
        "filename*=UTF-8''%E6%89%BF%E6%8E%A5%E8%B5%84%E8%B4%A8%E7%9B%AE%E5%BD%95_20260630.xlsx")
