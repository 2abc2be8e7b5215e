import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from gongxin.registry.models import Branch, OrgStatus, ResponsiblePerson
from gongxin.registry.services import StaleEdit, organization_change

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(make_org):
    org = make_org("珠海市家用电器行业协会", region="440400", subtype="industry_association", industry="C")
    for i in range(5):
        ResponsiblePerson.objects.create(organization=org, name=f"张{i}", position="副会长")
        Branch.objects.create(organization=org, name=f"第{i}专业委员会")
    organization_change(actor=None, org=org, expected_version=1, changed_on=dt.date(2023, 5, 4),
                        legal_representative="李四", address="珠海市香洲区新地址1号")
    return org


def test_profile_shows_every_section_with_no_records(client, org):
    page = client.get(f"/orgs/{org.uscc}/").content.decode()
    for title in ("年度检查结果", "评估等级", "行政处罚", "活动异常名录", "严重违法失信名单", "表彰奖励",
                  "承接政府购买服务项目"):
        assert title in page
    assert page.count("暂无") >= 7
    assert "李四" in page and "张伟" in page  # the change: before and after


def test_search_page_query_count_does_not_grow_with_results(client, make_org):
    for i in range(30):
        make_org(f"珠海市第{i}协会", region="440402")
    client.get("/orgs/?q=协会")  # warm the per-minute caches (the authorities' own names)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/orgs/?q=协会").status_code == 200
    # regions for the filter, count, (SQLite: table size), two relevance tiers, the page's rows
    assert len(ctx.captured_queries) <= 6, [q["sql"] for q in ctx.captured_queries]


def test_invalid_uscc_is_a_404_that_says_why(client):
    response = client.get("/orgs/53100000500020462H/", HTTP_COOKIE="django_language=en")
    assert response.status_code == 404
    assert "should be &#x27;K&#x27;" in response.content.decode() or "should be 'K'" in response.content.decode()
    response = client.get("/api/v1/orgs/53100000500020462H")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_valid_but_unknown_uscc_is_404(client):
    response = client.get("/orgs/51100000500002862F/")
    assert response.status_code == 404


def test_deregistered_organization_shows_its_status_prominently(client, make_org):
    org = make_org("珠海市某已注销协会", region="440400", status=OrgStatus.DEREGISTERED)
    page = client.get(f"/orgs/{org.uscc}/").content.decode()
    assert 'data-testid="inactive-banner"' in page
    assert "注销" in page


def test_api_search_shape_and_filters(client, org, make_org):
    make_org("佛山市陶瓷行业协会", region="440600")
    body = client.get("/api/v1/orgs", {"q": "协会", "region": "440400"}).json()
    assert body["count"] == 1
    item = body["items"][0]
    assert {k: item[k] for k in ("uscc", "name", "type", "region", "status")} == {
        "uscc": org.uscc, "name": "珠海市家用电器行业协会", "type": "social_group", "region": "440400",
        "status": "active",
    }
    assert client.get("/api/v1/orgs", {"q": "协会"}).json()["count"] == 2


def test_api_paging_counts_beyond_the_first_page(client, make_org, settings):
    settings.PAGE_SIZE = 3
    for i in range(7):
        make_org(f"珠海市第{i}商会", region="440400")
    pages = [client.get("/api/v1/orgs", {"q": "商会", "page": p}).json() for p in (1, 2, 3, 4)]
    assert [p["count"] for p in pages] == [7, 7, 7, 7]
    assert [len(p["items"]) for p in pages] == [3, 3, 1, 0]
    names = [i["name"] for p in pages for i in p["items"]]
    assert names == sorted(names) and len(set(names)) == 7


def test_api_errors_have_one_shape(client, settings):
    settings.SEARCH_MAX_QUERY_LENGTH = 5
    r = client.get("/api/v1/orgs", {"q": "协会协会协会"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "query_too_long"
    assert r.json()["error"]["field"] == "q"
    r = client.get("/api/v1/orgs", {"type": "bogus"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "type"
    r = client.get("/api/v1/orgs", {"region": "44"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "region"


def test_html_search_refuses_over_long_query_with_a_message(client, settings):
    settings.SEARCH_MAX_QUERY_LENGTH = 5
    r = client.get("/orgs/", {"q": "协会协会协会"})
    assert r.status_code == 400
    assert 'data-testid="search-error"' in r.content.decode()


def test_api_profile(client, org):
    body = client.get(f"/api/v1/orgs/{org.uscc.lower()}").json()
    assert body["name"] == "珠海市家用电器行业协会"
    assert len(body["responsible_persons"]) == 5
    assert {c["item"] for c in body["changes"]} == {"legal_representative", "address"}
    assert {c["item_label"] for c in body["changes"]} == {"法定代表人", "住所"}
    assert [s["key"] for s in body["sections"]][:3] == ["annual", "evaluation", "penalties"]
    assert all(s["records"] == [] for s in body["sections"] if s["key"] not in ("credit_information", "changes"))
    assert {c["item"] for c in next(s for s in body["sections"] if s["key"] == "changes")["records"]} == {
        "legal_representative", "address"}
    info = next(s for s in body["sections"] if s["key"] == "credit_information")["parts"]
    assert [c["summary"]["category"] for c in info] == ["basic", "annual", "inspection", "penalty", "other"]
    assert len(info[0]["records"]) == 3  # the establishment registration and the two changes


def test_openapi_and_docs_are_served_without_external_urls(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/orgs" in schema["paths"] and "/api/v1/orgs/{uscc}" in schema["paths"]
    docs = client.get("/api/v1/docs").content.decode()
    assert "cdn" not in docs.lower() and "https://" not in docs


def test_change_registration_records_changes_and_refuses_a_stale_edit(org):
    org.refresh_from_db()
    assert org.version == 2
    assert org.changes.count() == 2
    with pytest.raises(StaleEdit):
        organization_change(actor=None, org=org, expected_version=1, changed_on=dt.date(2024, 1, 1),
                            legal_representative="王五")
    org.refresh_from_db()
    assert org.legal_representative == "李四"


def test_rename_keeps_the_old_name_searchable(client, org):
    organization_change(actor=None, org=org, expected_version=2, changed_on=dt.date(2024, 1, 1),
                        name="珠海市家电行业协会")
    body = client.get("/api/v1/orgs", {"q": "家用电器"}).json()
    assert [i["name"] for i in body["items"]] == ["珠海市家电行业协会"]


def test_registration_refuses_a_code_of_another_type(make_org):
    from django.core.exceptions import ValidationError

    from gongxin.core import uscc
    from gongxin.core.models import Region
    from gongxin.registry.services import organization_register

    with pytest.raises(ValidationError) as info:
        organization_register(
            actor=None, uscc=uscc.generate(org_type="1", region_code="440400", serial=999_001), name="珠海市某基金会",
            org_type="foundation", registration_authority=Region.objects.get(code="440400"),
            legal_representative="李四", address="珠海", business_scope="公益", established_on=dt.date(2020, 1, 1),
            registered_capital="400",
        )
    assert "uscc" in info.value.message_dict


def test_an_unchanged_value_posted_as_text_is_not_a_change(org):
    org.refresh_from_db()
    before = org.version
    organization_change(actor=None, org=org, expected_version=before, changed_on=dt.date(2024, 1, 1),
                        registered_capital="10.00", legal_representative="李四")
    org.refresh_from_db()
    assert org.version == before and org.changes.count() == 2


def test_taking_back_a_former_name_removes_it_from_former_names(org):
    org = organization_change(actor=None, org=org, expected_version=2, changed_on=dt.date(2024, 1, 1),
                              name="珠海市家电行业协会")
    org = organization_change(actor=None, org=org, expected_version=3, changed_on=dt.date(2025, 1, 1),
                              name="珠海市家用电器行业协会")
    assert org.former_names == ["珠海市家电行业协会"]


def test_password_change_is_audited(actors, client_for):
    from gongxin.core.models import AuditEvent

    client = client_for("officer_zhuhai")
    r = client.post("/accounts/password/", {"old_password": "Correct-horse-9", "new_password1": "Another-horse-27!",
                                            "new_password2": "Another-horse-27!"})
    assert r.status_code == 302
    assert AuditEvent.objects.filter(action="auth.password_change").count() == 1
    assert client.get("/accounts/").status_code == 200  # still signed in


def test_api_errors_follow_accept_language(client):
    zh = client.get("/api/v1/orgs", {"type": "bogus"}).json()["error"]["message"]
    en = client.get("/api/v1/orgs", {"type": "bogus"}, HTTP_ACCEPT_LANGUAGE="en").json()["error"]["message"]
    assert en == "Invalid value for “type”."
    assert zh != en


def test_api_region_must_be_a_known_six_digit_code(client):
    for bad in ("44040²", "４４０４００", "449999", "44"):
        r = client.get("/api/v1/orgs", {"region": bad})
        assert r.status_code == 422 and r.json()["error"]["field"] == "region", bad


def test_registered_capital_reads_in_yuan_in_english_and_in_wan_yuan_in_chinese(client, org):
    # make_org registers ¥100,000 (10 万元).
    english = client.get(f"/orgs/{org.uscc}/", HTTP_COOKIE="django_language=en").content.decode()
    assert "¥100,000" in english and "ten thousand" not in english
    chinese = client.get(f"/orgs/{org.uscc}/").content.decode()
    assert "10 万元" in chinese
