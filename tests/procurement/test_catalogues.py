"""The transferable-functions and purchasable-services catalogues: building a draft, publishing
(which supersedes the batch in force), the frozen published batch, scope, and the public pages."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError

from gongxin.core.models import AuditEvent, Region
from gongxin.procurement import catalogues as cat
from gongxin.procurement.models import Catalogue, CatalogueKind, CatalogueStatus, TransferMode
from gongxin.registry.applications import NotAllowed
from gongxin.registry.services import StaleEdit

pytestmark = pytest.mark.django_db
TODAY = dt.datetime(2026, 3, 2, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def services_draft(actor, region="440400", title="珠海市政府购买服务指导目录（2026年）", items=(("1", "居家养老上门服务", "A05"),)):
    c = cat.catalogue_create(actor=actor, kind=CatalogueKind.SERVICES, region=Region.objects.get(code=region),
                             year=2026, title=title)
    for code, name, category in items:
        cat.service_add(actor=actor, catalogue=c, code=code, name=name, category=category,
                        department_name="珠海市民政局")
    c.refresh_from_db()
    return c


def functions_draft(actor, region="440400", title="珠海市政府职能转移目录（2026年）"):
    c = cat.catalogue_create(actor=actor, kind=CatalogueKind.FUNCTIONS, region=Region.objects.get(code=region),
                             year=2026, title=title)
    cat.function_add(actor=actor, catalogue=c, code="1", name="行业统计调查", department_name="珠海市统计局",
                     mode=TransferMode.ENTRUST, legal_basis="《统计法》")
    cat.function_add(actor=actor, catalogue=c, code="2", name="社会组织等级评估", department_name="珠海市民政局",
                     mode=TransferMode.TRANSFER)
    c.refresh_from_db()
    return c


def publish(actor, c):
    c.refresh_from_db()
    return cat.catalogue_publish(actor=actor, catalogue=c, expected_version=c.version)


# --- services ------------------------------------------------------------------------------------


def test_batches_are_numbered_per_kind_and_jurisdiction(actors):
    officer = actors["officer_zhuhai"]
    first = services_draft(officer)
    second = services_draft(officer, title="第二批")
    functions = functions_draft(officer)
    district = services_draft(officer, region="440402", title="香洲区目录")
    assert (first.batch, second.batch, functions.batch, district.batch) == (1, 2, 1, 1)


def test_a_double_submitted_create_returns_the_same_draft(actors):
    officer = actors["officer_zhuhai"]
    kwargs = {"actor": officer, "kind": CatalogueKind.SERVICES, "region": Region.objects.get(code="440400"),
              "year": 2026, "title": "珠海市政府购买服务指导目录"}
    assert cat.catalogue_create(**kwargs).pk == cat.catalogue_create(**kwargs).pk
    assert Catalogue.objects.count() == 1


def test_an_officer_cannot_create_a_catalogue_outside_the_jurisdiction(actors):
    with pytest.raises(NotAllowed):
        cat.catalogue_create(actor=actors["officer_foshan"], kind=CatalogueKind.SERVICES,
                             region=Region.objects.get(code="440400"), year=2026, title="越权")
    with pytest.raises(NotAllowed):
        cat.catalogue_create(actor=actors["purchaser"], kind=CatalogueKind.SERVICES,
                             region=Region.objects.get(code="440400"), year=2026, title="越权")


def test_the_qualified_organizations_catalogue_is_not_built_here(actors):
    with pytest.raises(ValidationError):
        cat.catalogue_create(actor=actors["officer_zhuhai"], kind=CatalogueKind.QUALIFIED,
                             region=Region.objects.get(code="440400"), year=2026, title="资质目录")


def test_publishing_supersedes_the_batch_in_force_and_is_audited(actors):
    officer = actors["officer_zhuhai"]
    old = publish(officer, services_draft(officer))
    functions = publish(officer, functions_draft(officer))
    new = publish(officer, services_draft(officer, title="第二批"))
    old.refresh_from_db()
    functions.refresh_from_db()
    assert old.status == CatalogueStatus.SUPERSEDED
    assert new.status == CatalogueStatus.PUBLISHED and new.published_on == dt.date(2026, 3, 2)
    assert functions.status == CatalogueStatus.PUBLISHED  # another kind is untouched
    actions = list(AuditEvent.objects.filter(action__startswith="procurement.catalogue_").values_list("action", flat=True))
    assert actions.count("procurement.catalogue_publish") == 3
    assert actions.count("procurement.catalogue_supersede") == 1


def test_publishing_a_district_catalogue_leaves_the_city_one_in_force(actors):
    officer = actors["officer_zhuhai"]
    city = publish(officer, services_draft(officer))
    publish(officer, services_draft(officer, region="440402", title="香洲区目录"))
    city.refresh_from_db()
    assert city.status == CatalogueStatus.PUBLISHED


def test_an_empty_catalogue_cannot_be_published(actors):
    officer = actors["officer_zhuhai"]
    empty = services_draft(officer, items=())
    with pytest.raises(NotAllowed):
        publish(officer, empty)


def test_a_stale_publish_is_refused(actors):
    officer = actors["officer_zhuhai"]
    draft = services_draft(officer)
    seen = draft.version
    cat.service_add(actor=officer, catalogue=draft, code="2", name="社区矫正社会工作服务", category="B03")
    with pytest.raises(StaleEdit):
        cat.catalogue_publish(actor=officer, catalogue=draft, expected_version=seen)
    draft.refresh_from_db()
    assert draft.status == CatalogueStatus.DRAFT


def test_a_published_catalogue_cannot_be_edited(actors):
    officer = actors["officer_zhuhai"]
    published = publish(officer, services_draft(officer))
    item = published.services.get()
    with pytest.raises(NotAllowed):
        cat.service_add(actor=officer, catalogue=published, code="9", name="新增", category="A05")
    with pytest.raises(NotAllowed):
        cat.service_update(actor=officer, item=item, expected_version=published.version, name="改名")
    with pytest.raises(NotAllowed):
        cat.service_delete(actor=officer, item=item, expected_version=published.version)
    with pytest.raises(NotAllowed):
        cat.catalogue_delete(actor=officer, catalogue=published, expected_version=published.version)
    item.refresh_from_db()
    assert item.name == "居家养老上门服务"


def test_item_codes_are_unique_within_a_catalogue(actors):
    officer = actors["officer_zhuhai"]
    draft = services_draft(officer)
    with pytest.raises(ValidationError) as exc:
        cat.service_add(actor=officer, catalogue=draft, code="1", name="重复", category="A05")
    assert "code" in exc.value.message_dict


def test_an_unknown_transfer_mode_or_category_is_refused(actors):
    officer = actors["officer_zhuhai"]
    functions = functions_draft(officer)
    with pytest.raises(ValidationError):
        cat.function_add(actor=officer, catalogue=functions, code="9", name="x", department_name="y", mode="sell")
    services = services_draft(officer)
    with pytest.raises(ValidationError):
        cat.service_add(actor=officer, catalogue=services, code="9", name="x", category="Z99")


def test_an_item_update_changes_the_draft_and_is_audited(actors):
    officer = actors["officer_zhuhai"]
    draft = functions_draft(officer)
    item = draft.functions.get(code="1")
    cat.function_update(actor=officer, item=item, expected_version=draft.version, mode=TransferMode.AUTHORIZE)
    item.refresh_from_db()
    assert item.mode == TransferMode.AUTHORIZE
    event = AuditEvent.objects.filter(action="procurement.catalogue_item_update").get()
    assert event.before == {"mode": "entrust"} and event.after == {"mode": "authorize"}


def test_a_draft_can_be_deleted_with_its_items(actors):
    officer = actors["officer_zhuhai"]
    draft = functions_draft(officer)
    cat.catalogue_delete(actor=officer, catalogue=draft, expected_version=draft.version)
    assert not Catalogue.objects.exists()
    assert AuditEvent.objects.filter(action="procurement.catalogue_delete").count() == 1


# --- selectors -----------------------------------------------------------------------------------


def test_the_catalogue_in_force_comes_from_the_nearest_region(actors):
    officer = actors["officer_zhuhai"]
    city = publish(officer, services_draft(officer))
    assert cat.current_catalogue(CatalogueKind.SERVICES, "440402") == city
    district = publish(officer, services_draft(officer, region="440402", title="香洲区目录"))
    assert cat.current_catalogue(CatalogueKind.SERVICES, "440402") == district
    assert cat.current_catalogue(CatalogueKind.SERVICES, "440403") == city
    assert cat.current_catalogue(CatalogueKind.SERVICES, "440604") is None
    assert cat.current_catalogue(CatalogueKind.FUNCTIONS, "440402") is None


def test_services_in_force_are_the_items_of_the_current_batch(actors, django_assert_num_queries):
    officer = actors["officer_zhuhai"]
    publish(officer, services_draft(officer))
    publish(officer, services_draft(officer, title="第二批", items=(("1", "社区矫正", "B03"), ("2", "助残", "A06"))))
    with django_assert_num_queries(2):  # the current batch, then its items with their categories
        items = list(cat.services_in_force("440402"))
        assert [(i.name, i.category.name) for i in items] == [("社区矫正", "社会工作服务"), ("助残", "残疾人服务")]
    assert list(cat.services_in_force("440604")) == []


def test_drafts_are_seen_only_by_the_officers_who_manage_them(actors):
    from django.http import Http404

    draft = services_draft(actors["officer_zhuhai"])
    assert cat.catalogue_get(actors["officer_zhuhai"], draft.pk) == draft
    assert cat.catalogue_get(actors["admin"], draft.pk) == draft
    for name in ("officer_foshan", "public", "purchaser", "org_user_a"):
        with pytest.raises(Http404):
            cat.catalogue_get(actors[name], draft.pk)
    assert list(cat.catalogues_managed(actors["officer_foshan"])) == []
    assert [c.pk for c in cat.catalogues_managed(actors["officer_zhuhai"])] == [draft.pk]


def test_public_catalogues_are_the_published_and_superseded_ones_newest_first(actors):
    officer = actors["officer_zhuhai"]
    with time_machine.travel(TODAY - dt.timedelta(days=400), tick=False):
        old = publish(officer, services_draft(officer))
    new = publish(officer, services_draft(officer, title="第二批"))
    services_draft(officer, title="草稿")
    assert list(cat.catalogues_public()) == [new, old]
    assert list(cat.catalogues_public(region_prefix="4406")) == []


# --- views ---------------------------------------------------------------------------------------


def test_the_public_search_finds_two_character_words_in_item_names(actors, client):
    officer = actors["officer_zhuhai"]
    services = publish(officer, services_draft(officer, items=(("1", "居家养老上门服务", "A05"),
                                                               ("2", "第三方绩效评估", "E05"))))
    functions = publish(officer, functions_draft(officer))
    page = client.get("/procurement/catalogues/", {"q": "养老"})
    assert page.status_code == 200
    assert [r["catalogue"] for r in page.context["rows"]] == [services]
    assert "居家养老上门服务" in page.content.decode()
    page = client.get("/procurement/catalogues/", {"q": "评估"})
    assert {r["catalogue"].pk for r in page.context["rows"]} == {services.pk, functions.pk}
    assert client.get("/procurement/catalogues/", {"q": "航天"}).context["rows"] == []


def test_the_catalogue_page_filters_services_by_a_category_subtree(actors, client):
    officer = actors["officer_zhuhai"]
    c = publish(officer, services_draft(officer, items=(("1", "居家养老上门服务", "A05"), ("2", "助残服务", "A06"),
                                                        ("3", "社区治理", "B01"))))
    page = client.get(f"/procurement/catalogues/{c.pk}/", {"category": "A"})
    assert [i.code for i in page.context["page"].object_list] == ["1", "2"]
    page = client.get(f"/procurement/catalogues/{c.pk}/", {"category": "B01"})
    assert [i.code for i in page.context["page"].object_list] == ["3"]
    tree = page.context["tree"]
    assert [(root["code"], root["count"]) for root in tree] == [("A", 2), ("B", 1)]
    assert client.get(f"/procurement/catalogues/{c.pk}/", {"q": "助残"}).context["page"].paginator.count == 1


def test_the_catalogue_page_shows_functions_with_department_and_mode(actors, client):
    c = publish(actors["officer_zhuhai"], functions_draft(actors["officer_zhuhai"]))
    html = client.get(f"/procurement/catalogues/{c.pk}/").content.decode()
    assert "珠海市统计局" in html and "《统计法》" in html
    assert "Entrust" in html or "委托" in html
    page = client.get(f"/procurement/catalogues/{c.pk}/", {"mode": "transfer"})
    assert [i.code for i in page.context["page"].object_list] == ["2"]


def test_a_foshan_officer_gets_404_on_a_zhuhai_draft(actors, client_for):
    draft = services_draft(actors["officer_zhuhai"])
    foshan = client_for("officer_foshan")
    for url in (f"/procurement/catalogues/{draft.pk}/", f"/procurement/catalogues/manage/{draft.pk}/",
                f"/procurement/catalogues/manage/{draft.pk}/publish/",
                f"/procurement/catalogues/manage/{draft.pk}/import/"):
        assert foshan.get(url).status_code == 404, url
    assert foshan.post(f"/procurement/catalogues/manage/{draft.pk}/publish/", {"version": draft.version}).status_code == 404
    draft.refresh_from_db()
    assert draft.status == CatalogueStatus.DRAFT


def test_publishing_through_the_page_shows_what_it_supersedes(actors, client_for):
    officer = actors["officer_zhuhai"]
    old = publish(officer, services_draft(officer))
    new = services_draft(officer, title="第二批")
    client = client_for("officer_zhuhai")
    page = client.get(f"/procurement/catalogues/manage/{new.pk}/publish/")
    assert page.status_code == 200 and old.title in page.content.decode()
    assert page.context["superseding"] == old
    response = client.post(f"/procurement/catalogues/manage/{new.pk}/publish/", {"version": new.version})
    assert response.status_code == 302
    new.refresh_from_db()
    old.refresh_from_db()
    assert (new.status, old.status) == (CatalogueStatus.PUBLISHED, CatalogueStatus.SUPERSEDED)
    # The superseded batch says which one is in force.
    page = client.get(f"/procurement/catalogues/{old.pk}/")
    assert page.context["current"] == new


def test_a_stale_publish_through_the_page_changes_nothing(actors, client_for):
    officer = actors["officer_zhuhai"]
    draft = services_draft(officer)
    client = client_for("officer_zhuhai")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the message is asserted in English
    response = client.post(f"/procurement/catalogues/manage/{draft.pk}/publish/", {"version": draft.version - 1},
                           follow=True)
    assert "changed since you opened it" in response.content.decode() or "reload" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == CatalogueStatus.DRAFT


def test_items_are_added_edited_and_deleted_through_the_forms(actors, client_for):
    officer = actors["officer_zhuhai"]
    draft = functions_draft(officer)
    client = client_for("officer_zhuhai")
    base = f"/procurement/catalogues/manage/{draft.pk}"
    response = client.post(f"{base}/items/new/", {"code": "3", "name": "行业标准制定", "department_name": "珠海市市场监督管理局",
                                                 "mode": "authorize"})
    assert response.status_code == 302
    item = draft.functions.get(code="3")
    draft.refresh_from_db()
    response = client.post(f"{base}/items/{item.pk}/", {"version": draft.version, "code": "3", "name": "团体标准制定",
                                                        "department_name": "珠海市市场监督管理局", "mode": "authorize"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.name == "团体标准制定"
    assert client.get(f"{base}/items/{item.pk}/delete/").status_code == 200  # the confirmation
    draft.refresh_from_db()
    assert client.post(f"{base}/items/{item.pk}/delete/", {"version": draft.version}).status_code == 302
    assert not draft.functions.filter(code="3").exists()


def test_the_forms_of_a_published_catalogue_send_back_to_its_page(actors, client_for):
    c = publish(actors["officer_zhuhai"], functions_draft(actors["officer_zhuhai"]))
    client = client_for("officer_zhuhai")
    response = client.post(f"/procurement/catalogues/manage/{c.pk}/items/new/",
                           {"code": "9", "name": "x", "department_name": "y", "mode": "transfer"})
    assert response.status_code == 302 and response["Location"] == f"/procurement/catalogues/manage/{c.pk}/"
    assert not c.functions.filter(code="9").exists()


def test_a_published_catalogue_exports_to_excel(actors, client):
    from io import BytesIO

    from python_calamine import CalamineWorkbook

    c = publish(actors["officer_zhuhai"], functions_draft(actors["officer_zhuhai"]))
    response = client.get(f"/procurement/catalogues/{c.pk}/export/")
    assert response.status_code == 200
    rows = CalamineWorkbook.from_filelike(BytesIO(response.content)).get_sheet_by_index(0).to_python()
    assert rows[0] == ["编号", "职能事项", "部门", "转移方式", "依据", "说明"]
    assert rows[1][:4] == ["1", "行业统计调查", "珠海市统计局", "委托"]


def test_creating_a_batch_through_the_page(actors, client_for):
    client = client_for("officer_zhuhai")
    assert client.get("/procurement/catalogues/manage/new/").status_code == 200
    response = client.post("/procurement/catalogues/manage/new/", {"kind": "functions", "region": "440400",
                                                                   "year": 2026, "title": "珠海市政府职能转移目录"})
    c = Catalogue.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/procurement/catalogues/manage/{c.pk}/"
    # A region outside the jurisdiction is not offered.
    response = client.post("/procurement/catalogues/manage/new/", {"kind": "functions", "region": "440600",
                                                                   "year": 2026, "title": "x"})
    assert response.status_code == 200 and "region" in response.context["form"].errors


def test_the_public_index_makes_a_fixed_number_of_queries(actors, client, django_assert_max_num_queries):
    officer = actors["officer_zhuhai"]
    for n in range(4):
        publish(officer, services_draft(officer, title=f"第{n + 1}批", items=[(str(i), f"养老服务{i}", "A05")
                                                                             for i in range(1, 6)]))
    with django_assert_max_num_queries(8):  # filter choices 2, count, page, matches 2x2, in force
        page = client.get("/procurement/catalogues/", {"q": "养老"})
    rows = page.context["rows"]
    assert len(rows) == 4 and all(r["match_count"] == 5 and len(r["matches"]) == 3 for r in rows)


def test_the_add_form_suggests_the_next_number(actors, client_for):
    c = functions_draft(actors["officer_zhuhai"])
    page = client_for("officer_zhuhai").get(f"/procurement/catalogues/manage/{c.pk}/items/new/")
    assert page.context["form"].initial["code"] == "3"
