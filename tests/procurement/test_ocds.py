"""OCDS publication: the releases of projects in every state, validated with libcoveocds against
the offline OCDS 1.1.5 schema (zero validation errors), the record packages, the change feed's
paging, the bulk download and the management command.

Projects are built through the ORM here (the workflow services are tested on their own); the
releases go through ``ocds.release_publish`` and ``ocds.releases_backfill`` as in production."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command

from gongxin.procurement import ocds
from gongxin.procurement.models import (
    Bid,
    Catalogue,
    Contract,
    IndicatorSet,
    Milestone,
    OcdsRelease,
    PerformanceEvaluation,
    ProjectDocument,
    PurchasableService,
    PurchaseProject,
    ServiceCategory,
    TrackingReport,
    TransferableFunction,
)

pytestmark = pytest.mark.django_db
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture(autouse=True, scope="module")
def _schema_zip_present():
    # Validation against the real schema is the point of these tests: no zip is a failure, not a skip.
    try:
        ocds.standard_zip_path()
    except Exception as exc:  # noqa: BLE001 - the message says what is missing
        pytest.fail(f"OCDS schema zip not found, cannot validate: {exc}")


def assert_valid(package: dict) -> dict:
    result = ocds.validate(package)
    assert result["validation_errors"] == [], json.dumps(result["validation_errors"], ensure_ascii=False, indent=1)
    assert result["additional_closed_codelist_values"] == {}  # reported apart from the schema errors
    # Nothing outside the 1.1.5 schema (no extension needed) but the paging ``links`` of OCDS's
    # pagination convention (in the package schema from 1.2; an additional field, not an error, in 1.1).
    extra = {f"{f['path']}/{f['field_name']}" for f in result["all_additional_fields"]}
    assert extra <= {"/links", "/links/next", "/links/prev"}, result["all_additional_fields"]
    assert set(result["additional_open_codelist_values"]) <= {"releases/tender/items/classification/scheme",
                                                              "records/releases/tender/items/classification/scheme",
                                                              "records/compiledRelease/tender/items/classification/scheme"}
    assert result["additional_checks"] == {}  # e.g. empty fields
    assert result["version_used"] == "1.1"
    return result


# --- Building projects ---------------------------------------------------------------------------


@pytest.fixture
def world(actors):
    department = actors["purchaser"].department
    category = ServiceCategory.objects.get(code="A05")
    catalogue = Catalogue.objects.create(kind="services", region_id="440400", year=2026, batch=1,
                                         title="珠海市政府购买服务指导目录（2026）", status="published",
                                         published_on=dt.date(2026, 1, 5))
    service = PurchasableService.objects.create(catalogue=catalogue, code="A0501", name="居家养老上门服务",
                                                category=category)
    indicators = IndicatorSet.objects.create(name="购买服务绩效评价指标", region_id="440400",
                                             indicators=[{"code": "Q", "name": "服务质量", "weight": 100}])
    return {"department": department, "service": service, "category": category, "indicators": indicators,
            "actors": actors}


_n = iter(range(1, 10_000))


def make_project(world, status="publicized", **extra) -> PurchaseProject:
    fields = {
        "department": world["department"], "region_id": "440400", "region_prefix": "4404",
        "service": world["service"], "category": world["category"], "title": f"社区居家养老服务项目{next(_n)}",
        "description": "为辖区高龄独居老人提供上门助餐、助洁服务。", "budget": Decimal("500000.00"),
        "method": "public_tender", "min_grade": 3, "requirements": "具有三年以上养老服务经验。", "year": 2026,
        "publicized_on": dt.date(2026, 3, 2), "procurement_starts_on": dt.date(2026, 3, 17),
        "bid_deadline": dt.date(2026, 3, 31), "service_starts_on": dt.date(2026, 5, 1),
        "service_ends_on": dt.date(2026, 12, 31), "status": status,
    }
    fields.update(extra)
    if status == "draft" and "publicized_on" not in extra:
        fields["publicized_on"] = None
    project = PurchaseProject.objects.create(ocid=f"tmp-{next(_n)}", **fields)
    project.ocid = ocds.ocid_for(project)
    project.save(update_fields=["ocid"])
    return project


def bid(project, org, amount="480000.00", status="submitted") -> Bid:
    return Bid.objects.create(project=project, organization=org, amount=Decimal(amount), proposal="服务方案",
                              status=status, eligible=True)


def award(project, org, *, amount="470000.00", on=dt.date(2026, 4, 3), status="awarded"):
    project.status = status
    project.awarded_organization = org
    project.awarded_supplier_name = org.name
    project.awarded_supplier_id = org.uscc
    project.awarded_amount = Decimal(amount)
    project.awarded_on = on
    project.award_reason = "综合评分最高，服务方案切实可行。"
    project.save()


def contract(project, *, signed_on=dt.date(2026, 4, 20)) -> Contract:
    return Contract.objects.create(project=project, number=f"ZHMZ-2026-{project.pk:03d}", signed_on=signed_on,
                                   amount=project.awarded_amount, starts_on=dt.date(2026, 5, 1),
                                   ends_on=dt.date(2026, 12, 31))


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI)


@pytest.fixture
def lifecycle(world):
    """One project through every step, a release published at each (as the services do)."""
    a, b = world["actors"]["org_a"], world["actors"]["org_b"]
    project = make_project(world)
    ProjectDocument.objects.create(project=project, kind="tender", title="采购文件",
                                   file=ContentFile(b"%PDF-1.4 tender", name="tender.pdf"), sha256="0" * 64)
    ocds.release_publish(project=project, tag="tender", when=at(dt.date(2026, 3, 2)))
    bid(project, a)
    bid(project, b, "490000.00")
    award(project, a)
    project.bids.filter(organization=a).update(status="awarded")
    ocds.release_publish(project=project, tag="award", when=at(dt.date(2026, 4, 3)))
    contract(project)
    project.status = "contracted"
    project.save()
    first = Milestone.objects.create(project=project, title="首期服务验收", due_on=dt.date(2026, 8, 31),
                                     payment=Decimal("235000.00"))
    Milestone.objects.create(project=project, title="全年服务验收", due_on=dt.date(2026, 12, 31),
                             payment=Decimal("235000.00"))
    ocds.release_publish(project=project, tag="contract", when=at(dt.date(2026, 4, 20)))
    first.status, first.done_on = "met", dt.date(2026, 8, 30)
    first.save()
    TrackingReport.objects.create(project=project, milestone=first, author="organization",
                                  reported_on=dt.date(2026, 8, 30), progress=50, content="已服务老人120名。")
    ocds.release_publish(project=project, tag="implementation", when=at(dt.date(2026, 8, 30)))
    project.status, project.completed_on = "completed", dt.date(2026, 12, 31)
    project.save()
    ocds.release_publish(project=project, tag="implementation", when=at(dt.date(2026, 12, 31)))
    PerformanceEvaluation.objects.create(project=project, indicator_set=world["indicators"], status="submitted",
                                         scores={"Q": 92}, total=Decimal("92.00"), rating="excellent",
                                         comments="服务对象满意度高。", evaluated_on=dt.date(2027, 1, 20))
    project.status = "evaluated"
    project.save()
    ocds.release_publish(project=project, tag="implementation", when=at(dt.date(2027, 1, 20)))
    return project


# --- Releases and packages -----------------------------------------------------------------------


def test_every_step_of_a_project_publishes_a_valid_release(lifecycle):
    releases = list(OcdsRelease.objects.filter(project=lifecycle).order_by("date", "id"))
    assert [r.tags for r in releases] == [["tender"], ["award"], ["contract"], ["implementation"],
                                           ["implementation"], ["implementation"]]
    assert [r.release_id for r in releases][:2] == [f"{lifecycle.ocid}-0001-tender", f"{lifecycle.ocid}-0002-award"]
    result = assert_valid(ocds.release_package(releases, "https://example.org/api/v1/ocds/releases"))
    assert result["count"] == 6

    tender = releases[0].data
    assert tender["date"] == "2026-03-02T10:00:00+08:00"
    assert tender["tender"]["status"] == "active" and "awards" not in tender
    assert tender["tender"]["procurementMethod"] == "open"
    assert tender["tender"]["procurementMethodDetails"] == "公开招标"
    assert tender["tender"]["enquiryPeriod"] == {"startDate": "2026-03-02T00:00:00+08:00",
                                                 "endDate": "2026-03-17T00:00:00+08:00"}
    assert tender["tender"]["tenderPeriod"]["endDate"] == "2026-03-31T23:59:59+08:00"
    assert tender["tender"]["items"][0]["classification"] == {"scheme": "CN-GMFW", "id": "A05", "description": "养老服务"}
    assert tender["planning"]["budget"]["amount"] == {"amount": 500000.0, "currency": "CNY"}
    assert tender["planning"]["budget"]["project"] == "居家养老上门服务"
    assert tender["buyer"]["id"] == "CN-USCC-11440400007045999X"
    (document,) = tender["tender"]["documents"]
    assert document["documentType"] == "biddingDocuments"
    doc = lifecycle.documents.get()
    assert document["url"].endswith(f"/procurement/projects/{lifecycle.pk}/documents/{doc.pk}/")


def test_the_award_names_the_supplier_by_its_credit_code(lifecycle, actors):
    org = actors["org_a"]
    award_release = OcdsRelease.objects.get(project=lifecycle, tags=["award"]).data
    (award,) = award_release["awards"]
    assert award["status"] == "active" and award["date"] == "2026-04-03T00:00:00+08:00"
    assert award["value"] == {"amount": 470000.0, "currency": "CNY"}
    assert award["description"] == "综合评分最高，服务方案切实可行。"
    assert award["suppliers"] == [{"id": f"CN-USCC-{org.uscc}", "name": org.name}]
    party = next(p for p in award_release["parties"] if p["id"] == f"CN-USCC-{org.uscc}")
    assert party["identifier"] == {"scheme": "CN-USCC", "id": org.uscc, "legalName": org.name}
    assert party["roles"] == ["tenderer", "supplier"]  # one party, both roles
    assert award_release["tender"]["numberOfTenderers"] == 2
    assert award_release["tender"]["status"] == "complete"


def test_implementation_carries_milestones_reports_and_the_performance_evaluation(lifecycle):
    latest = OcdsRelease.objects.filter(project=lifecycle).order_by("-date").first().data
    (contract_,) = latest["contracts"]
    assert contract_["status"] == "terminated" and contract_["dateSigned"] == "2026-04-20T00:00:00+08:00"
    assert contract_["awardID"] == latest["awards"][0]["id"]
    milestones = {m["title"]: m for m in contract_["implementation"]["milestones"]}
    assert milestones["首期服务验收"]["status"] == "met" and milestones["首期服务验收"]["type"] == "payment"
    assert milestones["全年服务验收"]["status"] == "scheduled"
    assert milestones["绩效评价"]["status"] == "met"
    assert milestones["绩效评价"]["description"].startswith("绩效评价总分 92.00，等级：优秀。")
    (report,) = contract_["implementation"]["documents"]
    assert report["documentType"] == "physicalProgressReport" and "已服务老人120名" in report["description"]
    # The contract release, published before the evaluation, does not know it.
    signed = OcdsRelease.objects.get(project=lifecycle, tags=["contract"]).data
    assert "绩效评价" not in {m["title"] for m in signed["contracts"][0]["implementation"]["milestones"]}


def test_the_record_package_is_valid_and_compiles_to_the_latest_state(lifecycle, client):
    response = client.get(f"/api/v1/ocds/records/{lifecycle.ocid}")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    package = response.json()
    assert_valid(package)
    (record,) = package["records"]
    assert record["ocid"] == lifecycle.ocid and len(record["releases"]) == 6
    compiled = record["compiledRelease"]
    assert compiled["tag"] == ["compiled"] and compiled["date"] == "2027-01-20T10:00:00+08:00"
    assert compiled["contracts"][0]["value"]["amount"] == 470000.0


def test_an_unknown_ocid_is_a_404_in_the_house_error_shape(client, db):
    response = client.get("/api/v1/ocds/records/ocds-gx0000-999999")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_publishing_the_same_step_twice_makes_one_release(world):
    project = make_project(world)
    when = at(dt.date(2026, 3, 2))
    first = ocds.release_publish(project=project, tag="tender", when=when)
    assert ocds.release_publish(project=project, tag="tender", when=when) == first
    # A retried request later on, with nothing changed, adds nothing either.
    assert ocds.release_publish(project=project, tag="tender") == first
    assert OcdsRelease.objects.filter(project=project).count() == 1


def test_drafts_are_never_published(world, client):
    draft = make_project(world, status="draft")
    with pytest.raises(ValueError):
        ocds.release_publish(project=draft, tag="tender")
    assert ocds.releases_backfill() == 0
    assert client.get("/api/v1/ocds/releases").json()["releases"] == []
    assert client.get(f"/api/v1/ocds/records/{draft.ocid}").status_code == 404


def test_cancelled_and_unsuccessful_projects_say_so(world, actors):
    cancelled = make_project(world, cancelled_reason="预算调整，项目取消。")
    ocds.release_publish(project=cancelled, tag="tender", when=at(dt.date(2026, 3, 2)))
    cancelled.status = "cancelled"
    cancelled.save()
    rel = ocds.release_publish(project=cancelled, tag="tenderCancellation", when=at(dt.date(2026, 3, 10)))
    assert rel.data["tender"]["status"] == "cancelled"
    assert "预算调整" in rel.data["tender"]["procurementMethodRationale"]

    failed = make_project(world, method="competitive_consultation", cancelled_reason="无符合条件的申请人。")
    bid(failed, actors["org_b"], status="unsuccessful")
    failed.status = "unsuccessful"
    failed.save()
    ocds.releases_backfill(PurchaseProject.objects.filter(pk=failed.pk))
    history = [r.data for r in OcdsRelease.objects.filter(project=failed).order_by("date", "id")]
    assert [r["tag"] for r in history] == [["tender"], ["tenderUpdate"]]
    assert [r["tender"]["status"] for r in history] == ["active", "unsuccessful"]
    assert history[0]["tender"]["procurementMethod"] == "limited"
    assert_valid(ocds.release_package(OcdsRelease.objects.all(), "https://example.org/x"))


def test_backfill_creates_the_history_a_project_state_implies(world, actors):
    org = actors["org_a"]
    project = make_project(world)
    bid(project, org, status="awarded")
    award(project, org, status="contracted")
    contract(project)
    Milestone.objects.create(project=project, title="中期验收", due_on=dt.date(2026, 8, 31), status="met",
                             done_on=dt.date(2026, 8, 20))
    # An award recorded from history names a supplier that is not a registered organization.
    old = make_project(world, status="awarded", awarded_supplier_name="珠海市某某社工服务中心",
                       awarded_supplier_id="52440400MJL000000X", awarded_amount=Decimal("99999.99"),
                       awarded_on=dt.date(2026, 4, 1))
    make_project(world, status="draft")

    assert ocds.releases_backfill() == 5
    assert ocds.releases_backfill() == 0  # only projects without releases
    history = list(OcdsRelease.objects.filter(project=project).order_by("date"))
    assert [r.tags for r in history] == [["tender"], ["award"], ["contract"]]
    assert [r.data["date"] for r in history] == ["2026-03-02T09:00:00+08:00", "2026-04-03T10:00:00+08:00",
                                                 "2026-04-20T11:00:00+08:00"]
    assert "awards" not in history[0].data and "contracts" not in history[1].data
    (supplier,) = OcdsRelease.objects.get(project=old, tags=["award"]).data["awards"][0]["suppliers"]
    assert supplier == {"id": "CN-USCC-52440400MJL000000X", "name": "珠海市某某社工服务中心"}
    assert OcdsRelease.objects.get(project=old, tags=["award"]).data["awards"][0]["value"]["amount"] == 99999.99
    assert_valid(ocds.release_package(OcdsRelease.objects.all(), "https://example.org/x"))


def _every_step(world, actors) -> PurchaseProject:
    """A project with something in each part of a release, dated so that each backfilled step
    sees only part of it: a transferred function, a late and a withdrawn application, tender,
    contract, report and evaluation documents (one private, one an applicant's), milestones
    met, missed and pending, reports before and after the signature, the evaluation."""
    a, b, foshan = actors["org_a"], actors["org_b"], actors["org_foshan"]
    functions = Catalogue.objects.create(kind="functions", region_id="440400", year=2026, batch=1,
                                         title="珠海市政府职能转移目录", status="published", published_on=dt.date(2026, 1, 5))
    function = TransferableFunction.objects.create(catalogue=functions, code="ZN001", name="居家养老服务需求评估",
                                                   department_name="珠海市民政局", mode="entrust")
    project = make_project(world, function=function)
    early, late, withdrawn = bid(project, a, status="awarded"), bid(project, b, "490000.00", "unsuccessful"), \
        bid(project, foshan, "450000.00", "withdrawn")
    Bid.objects.filter(pk=early.pk).update(submitted_at=at(dt.date(2026, 3, 1)))  # before publicity: odd but kept
    Bid.objects.filter(pk=late.pk).update(submitted_at=at(dt.date(2026, 3, 25)))
    Bid.objects.filter(pk=withdrawn.pk).update(submitted_at=at(dt.date(2026, 3, 5)))
    award(project, a, status="evaluated")
    contract(project)
    project.completed_on = dt.date(2026, 12, 31)
    project.save()
    m1 = Milestone.objects.create(project=project, title="首期服务验收", due_on=dt.date(2026, 8, 31),
                                  payment=Decimal("235000.00"), status="met", done_on=dt.date(2026, 8, 30))
    Milestone.objects.create(project=project, title="中期检查", due_on=dt.date(2026, 10, 31), status="missed")
    Milestone.objects.create(project=project, title="全年服务验收", due_on=dt.date(2026, 12, 31),
                             payment=Decimal("235000.00"))
    TrackingReport.objects.create(project=project, milestone=m1, author="organization",
                                  reported_on=dt.date(2026, 4, 10), progress=5, content="团队组建完成。")
    TrackingReport.objects.create(project=project, milestone=m1, author="department",
                                  reported_on=dt.date(2026, 8, 30), progress=50, content="已服务老人120名。")
    for kind, day, public, bid_ in (("tender", dt.date(2026, 3, 2), True, None),
                                    ("contract", dt.date(2026, 4, 20), True, None),
                                    ("report", dt.date(2026, 9, 1), True, None),
                                    ("evaluation", dt.date(2027, 1, 20), True, None),
                                    ("report", dt.date(2026, 9, 2), False, None),
                                    ("tender", dt.date(2026, 3, 20), True, early)):
        doc = ProjectDocument.objects.create(project=project, kind=kind, title=f"{kind}文件", is_public=public, bid=bid_,
                                             file=ContentFile(b"%PDF-1.4", name=f"{kind}.pdf"), sha256="0" * 64)
        ProjectDocument.objects.filter(pk=doc.pk).update(uploaded_at=at(day, 16))
    PerformanceEvaluation.objects.create(project=project, indicator_set=world["indicators"], status="submitted",
                                         scores={"Q": 92.5}, total=Decimal("92.50"), rating="excellent",
                                         comments="服务对象满意度高。", evaluated_on=dt.date(2027, 1, 20))
    return project


def test_the_backfill_gives_exactly_the_releases_release_build_gives(world, actors):
    project = _every_step(world, actors)
    # An award recorded from history (a supplier outside the registry), cancelled after its contract.
    cancelled = make_project(world, status="cancelled", cancelled_reason="预算调整，合同解除。",
                             awarded_supplier_name="珠海市某某社工服务中心", awarded_supplier_id="52440400MJL000000X",
                             awarded_amount=Decimal("99999.99"), awarded_on=dt.date(2026, 4, 1), method="")
    contract(cancelled)
    failed = make_project(world, status="unsuccessful", cancelled_reason="无符合条件的申请人。", service=None,
                          category=None, min_grade=None, requirements="", require_qualified=False)

    assert ocds.releases_backfill() == 5 + 4 + 2
    for p in (project, cancelled, failed):
        fresh = PurchaseProject.objects.get(pk=p.pk)  # nothing prefetched: the live publish's path
        expected = ocds.history_releases(fresh)
        stored = list(OcdsRelease.objects.filter(project=p).order_by("date", "id"))
        assert [r.data for r in stored] == expected
        assert [(r.release_id, r.ocid, r.tags, r.date) for r in stored] == [
            (e["id"], e["ocid"], e["tag"], dt.datetime.fromisoformat(e["date"])) for e in expected]
    steps = [r.data for r in OcdsRelease.objects.filter(project=project).order_by("date", "id")]
    assert [r["tag"] for r in steps] == [["tender"], ["award"], ["contract"], ["implementation"], ["implementation"]]
    # Each step knows only what had happened: the late application, the documents, the reports.
    assert [r["tender"]["numberOfTenderers"] for r in steps] == [1, 2, 2, 2, 2]
    assert [len(r["tender"]["documents"]) for r in steps] == [1] * 5  # an applicant's own file is never published
    implementation = [r["contracts"][0]["implementation"] for r in steps[2:]]
    assert [len(i["documents"]) for i in implementation] == [1, 3, 4]  # reports, then the report and evaluation files
    assert [m["status"] for m in implementation[0]["milestones"]] == ["scheduled", "notMet", "scheduled"]
    assert [m["status"] for m in implementation[2]["milestones"]] == ["met", "notMet", "scheduled", "met", "met"]
    assert implementation[1]["milestones"][3] == {"id": "performance-evaluation", "title": "绩效评价",
                                                  "type": "assessment", "status": "scheduled",
                                                  "description": "项目完成后的绩效评价"}
    assert steps[0]["tender"]["procurementMethodRationale"] == "承接政府转移职能：居家养老服务需求评估"
    assert steps[-1]["contracts"][0]["status"] == "terminated"
    last = OcdsRelease.objects.filter(project=cancelled).order_by("-date").first().data
    assert last["contracts"][0]["status"] == "cancelled" and last["awards"][0]["status"] == "cancelled"
    assert_valid(ocds.release_package(OcdsRelease.objects.all(), "https://example.org/x"))


def test_the_backfill_stores_text_the_bulk_download_passes_through(world, actors):
    project = _every_step(world, actors)
    ocds.releases_backfill()
    texts = list(ocds.stored_release_texts(OcdsRelease.objects.filter(project=project)))
    assert [json.loads(t) for t in texts] == ocds.history_releases(PurchaseProject.objects.get(pk=project.pk))


# --- The feed -------------------------------------------------------------------------------------


@pytest.fixture
def many_releases(world):
    """25 releases: 5 on the same instant (the keyset cursor must not skip or repeat them)."""
    projects = [make_project(world) for _ in range(20)]
    for i, project in enumerate(projects):
        ocds.release_publish(project=project, tag="tender", when=at(dt.date(2026, 3, 1) + dt.timedelta(days=i)))
    same = at(dt.date(2026, 3, 10), 15)
    for project in projects[:5]:
        project.title += "（更正）"
        project.save()
        ocds.release_publish(project=project, tag="tenderUpdate", when=same)
    return list(OcdsRelease.objects.order_by("date", "id"))


def walk(client, url) -> list[dict]:
    pages = []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        package = response.json()
        pages.append(package)
        url = package.get("links", {}).get("next")
    return pages


def test_the_listing_pages_walk_every_release_exactly_once_newest_first(client, many_releases):
    pages = walk(client, "/api/v1/ocds/releases?limit=7")
    assert [len(p["releases"]) for p in pages] == [7, 7, 7, 4]
    assert pages[1]["links"]["next"].startswith("http://testserver/api/v1/ocds/releases?page=3")
    ids = [r["id"] for p in pages for r in p["releases"]]
    assert sorted(ids) == sorted(r.release_id for r in many_releases) and len(set(ids)) == 25
    dates = [r["date"] for p in pages for r in p["releases"]]
    assert dates == sorted(dates, reverse=True)
    assert_valid(pages[0])


def test_the_change_feed_pages_everything_after_since_in_date_order(client, many_releases):
    since = "2026-03-10T15:00:00+08:00"  # exclusive: the five releases at exactly this instant are not after it
    after = [r for r in many_releases if r.date > dt.datetime(2026, 3, 10, 15, tzinfo=SHANGHAI)]
    pages = walk(client, f"/api/v1/ocds/releases?since={since.replace('+', '%2B')}&limit=3")
    ids = [r["id"] for p in pages for r in p["releases"]]
    assert ids == [r.release_id for r in after]

    # From just before the five same-instant releases, pages of 2 cut through them: none skipped or repeated.
    pages = walk(client, "/api/v1/ocds/releases?since=2026-03-10T14:59:59%2B08:00&limit=2")
    ids = [r["id"] for p in pages for r in p["releases"]]
    expected = [r.release_id for r in many_releases if r.date >= dt.datetime(2026, 3, 10, 15, tzinfo=SHANGHAI)]
    assert ids == expected and len(ids) == len(set(ids)) == 15
    # A naive since is Asia/Shanghai time.
    naive = client.get("/api/v1/ocds/releases?since=2026-03-10T14:59:59&limit=100").json()
    assert [r["id"] for r in naive["releases"]] == expected
    # An unencoded "+" (a space once decoded) still means the offset.
    unencoded = client.get("/api/v1/ocds/releases?since=2026-03-10T14:59:59+08:00&limit=100").json()
    assert [r["id"] for r in unencoded["releases"]] == expected


def test_a_malformed_since_is_refused_in_the_house_shape(client, db):
    response = client.get("/api/v1/ocds/releases?since=yesterday")
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "since"


def test_the_bulk_download_serves_the_generated_valid_package(client, lifecycle, many_releases):
    from gongxin.procurement.ocds_bulk import bulk_build

    bulk_build()
    response = client.get("/api/v1/ocds/bulk")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="ocds-releases.json"'
    package = json.loads(b"".join(response.streaming_content))
    assert len(package["releases"]) == OcdsRelease.objects.count() == 31
    assert_valid(package)
    year = json.loads(b"".join(client.get("/api/v1/ocds/bulk?year=2027").streaming_content))
    assert [r["date"][:4] for r in year["releases"]] == ["2027"]


def test_the_streaming_writer_gives_the_same_package_as_the_whole_one(lifecycle):
    rows = list(OcdsRelease.objects.order_by("date", "id"))
    whole = ocds.release_package(rows, "https://example.org/x", published_date=at(dt.date(2027, 2, 1)))
    chunks = list(ocds.stream_release_package((r.data for r in rows), uri="https://example.org/x",
                                              published_date=at(dt.date(2027, 2, 1)), flush_bytes=100))
    assert len(chunks) > 3
    assert json.loads("".join(chunks)) == whole


# --- The command ----------------------------------------------------------------------------------


def test_the_command_exports_and_validates(lifecycle, tmp_path):
    out = tmp_path / "releases.json"
    call_command("ocds", "export", "--out", str(out), stderr=StringIO())
    stdout = StringIO()
    call_command("ocds", "validate", str(out), stdout=stdout)
    assert "valid OCDS 1.1 release package (6 releases" in stdout.getvalue()

    bad = json.loads(out.read_text())
    bad["releases"][0]["tender"]["procurementMethod"] = "auction"  # not in the closed codelist
    out.write_text(json.dumps(bad))
    with pytest.raises(SystemExit) as exit_:
        call_command("ocds", "validate", str(out), stdout=StringIO(), stderr=StringIO())
    assert exit_.value.code == 1


def test_the_command_backfills(world):
    make_project(world)
    stdout = StringIO()
    call_command("ocds", "backfill", stdout=stdout)
    assert stdout.getvalue().strip() == "1 releases created"


# --- The bulk download as a generated file ---------------------------------------------------


def test_the_bulk_file_is_built_once_and_answers_304_to_a_client_that_has_it(client, many_releases):
    from django_tasks_db.models import DBTaskResult

    from gongxin.procurement.ocds_bulk import bulk_build, bulk_dir

    not_yet = client.get("/api/v1/ocds/bulk")
    assert not_yet.status_code == 503 and not_yet["Retry-After"] == "300"
    assert not_yet.json()["error"]["code"] == "bulk_not_ready"
    assert DBTaskResult.objects.filter(task_path__endswith="ocds_bulk_refresh").count() == 1  # queued once
    client.get("/api/v1/ocds/bulk")
    assert DBTaskResult.objects.filter(task_path__endswith="ocds_bulk_refresh").count() == 1  # not again

    bulk_build()
    assert sorted(p.name for p in bulk_dir().iterdir()) == ["manifest.json", "ocds-releases-2026.json",
                                                            "ocds-releases.json"]
    first = client.get("/api/v1/ocds/bulk")
    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    assert len(json.loads(b"".join(first.streaming_content))["releases"]) == 25
    again = client.get("/api/v1/ocds/bulk", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    since = client.get("/api/v1/ocds/bulk", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304
    assert client.get("/api/v1/ocds/bulk", HTTP_IF_NONE_MATCH='"other"').status_code == 200
    # A year without releases: an empty package; a year with some: its file.
    assert json.loads(client.get("/api/v1/ocds/bulk?year=2030").content)["releases"] == []
    year = client.get("/api/v1/ocds/bulk?year=2026")
    assert year["Content-Disposition"] == 'attachment; filename="ocds-releases-2026.json"'


def test_a_new_release_queues_a_rebuild_while_the_previous_file_is_served(client, world, many_releases):
    from django.core.cache import cache
    from django_tasks_db.models import DBTaskResult

    from gongxin.procurement.ocds_bulk import bulk_build

    bulk_build()
    client.get("/api/v1/ocds/bulk")
    assert not DBTaskResult.objects.exists()  # fresh: nothing to do
    ocds.release_publish(project=make_project(world), tag="tender", when=at(dt.date(2026, 6, 1)))
    cache.clear()
    stale = client.get("/api/v1/ocds/bulk")
    assert stale.status_code == 200
    assert len(json.loads(b"".join(stale.streaming_content))["releases"]) == 25  # the previous build
    assert DBTaskResult.objects.filter(task_path__endswith="ocds_bulk_refresh").count() == 1
    bulk_build()  # what the queued task does
    assert len(json.loads(b"".join(client.get("/api/v1/ocds/bulk").streaming_content))["releases"]) == 26
