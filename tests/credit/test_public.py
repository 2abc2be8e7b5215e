"""The public credit lists (pages and API), the eligibility check and the credit sections of the
organization profile."""

import datetime as dt
from decimal import Decimal

import pytest

from gongxin.annual.models import SupervisionFact
from gongxin.credit import engine
from gongxin.credit.models import ListEntry, ListingStatus
from gongxin.credit.rules import add_months
from gongxin.credit.services import (
    banned_record,
    listing_confirm,
    listing_withdraw,
    penalty_decide,
    record_create,
)

from .conftest import TODAY

pytestmark = pytest.mark.django_db

EN = {"HTTP_COOKIE": "django_language=en"}
_numbers = iter(range(1, 10_000))


def _notice(actors, org, amount="60000", officer="officer_zhuhai") -> ListEntry:
    """A fine (¥60,000: dishonesty list ground D4; under ¥50,000: abnormal list ground A5) and
    the engine's notice that follows it."""
    penalty_decide(actor=actors[officer], organization=org, kind="fine",
                   decision_number=f"民罚字〔2026〕{next(_numbers)}号", facts="违规收取会费",
                   legal_basis="《社会团体登记管理条例》第三十条", decided_on=TODAY, amount=Decimal(amount), today=TODAY)
    engine.evaluate(organization=org, today=TODAY)
    return ListEntry.objects.get(organization=org, status=ListingStatus.NOTICED)


def _list(actors, org, amount="60000", officer="officer_zhuhai") -> ListEntry:
    """Noticed, then listed by the officer once the objection period has run out."""
    entry = _notice(actors, org, amount, officer)
    return listing_confirm(actor=actors[officer], entry=entry, expected_version=entry.version,
                           today=entry.objection_due + dt.timedelta(days=1))


def _page(client, url, **params):
    response = client.get(url, params, **EN)
    assert response.status_code == 200, response.content.decode()[:2000]
    return response.content.decode()


def test_lists_show_listed_entries_with_the_five_columns(actors, client):
    dishonest = _list(actors, actors["org_a"])
    abnormal = _list(actors, actors["org_b"], amount="10000")
    page = _page(client, "/credit/dishonest/")
    for header in ("Date listed", "Reason for listing", "Listing authority", "Date removed", "Reason for removal"):
        assert header in page
    org = actors["org_a"]
    assert f'href="/orgs/{org.uscc}/"' in page and org.name in page and org.uscc in page
    assert dishonest.listed_on.isoformat() in page
    assert "A fine of ¥50,000 or more" in page  # the ground's title …
    assert "Fine ¥60,000.00" in page  # … and the facts the rule found, in the reader's language
    assert "香洲区民政局" in page  # the listing authority
    assert actors["org_b"].name not in page
    page = _page(client, "/credit/abnormal/")
    assert actors["org_b"].name in page and "A warning or a fine under ¥50,000" in page
    assert abnormal.listed_on.isoformat() in page and "珠海市民政局" in page
    assert actors["org_a"].name not in page

    body = client.get("/api/v1/credit/dishonest").json()
    assert body["count"] == 1 and body["page"] == 1
    item = body["items"][0]
    assert {k: item[k] for k in ("uscc", "name", "status", "listed_on", "authority", "removed_on",
                                 "removal_reason")} == {
        "uscc": org.uscc, "name": org.name, "status": "listed", "listed_on": dishonest.listed_on.isoformat(),
        "authority": "香洲区民政局", "removed_on": None, "removal_reason": ""}
    assert item["reasons"][0]["facts"][0].startswith("香洲区民政局2026-11-23作出行政处罚")
    assert "id" not in item


def test_notices_and_withdrawn_notices_are_not_published(actors, client):
    _notice(actors, actors["org_a"])
    withdrawn = _notice(actors, actors["org_b"])
    listing_withdraw(actor=actors["officer_zhuhai"], entry=withdrawn, expected_version=withdrawn.version,
                     reason="异议成立", today=TODAY)
    page = _page(client, "/credit/dishonest/", removed="1")
    assert actors["org_a"].name not in page and actors["org_b"].name not in page
    assert 'data-testid="empty"' in page and "No organization is on this list." in page
    assert client.get("/api/v1/credit/dishonest", {"removed": "true"}).json()["count"] == 0


def test_removed_entries_appear_only_when_asked_with_date_and_reason(actors, client):
    entry = _list(actors, actors["org_b"], amount="10000")
    removal_day = add_months(entry.listed_on, 6)
    engine.evaluate(organization=actors["org_b"], today=removal_day)  # nothing to rectify: removed after 6 months
    entry.refresh_from_db()
    assert entry.status == ListingStatus.REMOVED
    assert actors["org_b"].name not in _page(client, "/credit/abnormal/")
    page = _page(client, "/credit/abnormal/", removed="1")
    assert actors["org_b"].name in page and removal_day.isoformat() in page
    assert "自动移出" in page
    body = client.get("/api/v1/credit/abnormal", {"removed": "true"}).json()
    assert body["items"][0]["removed_on"] == removal_day.isoformat()
    assert "自动移出" in body["items"][0]["removal_reason"]
    assert client.get("/api/v1/credit/abnormal").json()["count"] == 0


def test_search_by_a_two_character_name_fragment_or_the_code(actors, client):
    _list(actors, actors["org_a"])
    _list(actors, actors["org_b"])
    a, b = actors["org_a"], actors["org_b"]
    page = _page(client, "/credit/dishonest/", q="学会")  # 珠海市测试乙学会
    assert b.name in page and a.name not in page
    page = _page(client, "/credit/dishonest/", q=a.uscc)
    assert a.name in page and b.name not in page
    page = _page(client, "/credit/dishonest/", q=a.uscc[:12].lower())  # a prefix, in any case
    assert a.name in page and b.name not in page
    assert [i["name"] for i in client.get("/api/v1/credit/dishonest", {"q": "学会"}).json()["items"]] == [b.name]
    page = _page(client, "/credit/dishonest/", q="基金会")
    assert "No entry matches your search." in page


def test_region_filter_takes_the_whole_subtree(actors, client):
    _list(actors, actors["org_a"])  # 440402, under Zhuhai
    _list(actors, actors["org_foshan"], officer="officer_foshan")  # 440604
    page = _page(client, "/credit/dishonest/", region="440400")
    assert actors["org_a"].name in page and actors["org_foshan"].name not in page
    page = _page(client, "/credit/dishonest/", region="440600")
    assert actors["org_foshan"].name in page and actors["org_a"].name not in page
    names = [i["name"] for i in client.get("/api/v1/credit/dishonest", {"region": "440400"}).json()["items"]]
    assert names == [actors["org_a"].name]


def test_ground_year_and_sort(actors, client):
    _list(actors, actors["org_a"])
    _list(actors, actors["org_foshan"], officer="officer_foshan")
    assert _page(client, "/credit/dishonest/", ground="D5").count('data-testid="entry-row"') == 0
    assert _page(client, "/credit/dishonest/", ground="D4").count('data-testid="entry-row"') == 2
    assert _page(client, "/credit/dishonest/", year="2025").count('data-testid="entry-row"') == 0
    assert _page(client, "/credit/dishonest/", year="2026").count('data-testid="entry-row"') == 2
    by_name = [i["name"] for i in client.get("/api/v1/credit/dishonest", {"sort": "name"}).json()["items"]]
    assert by_name == sorted(by_name)


def test_bad_filters_are_refused_with_a_message(client):
    response = client.get("/credit/abnormal/", {"region": "999999", "year": "abc"}, **EN)
    assert response.status_code == 400 and "Please correct the search form." in response.content.decode()
    for params, field in (({"region": "44"}, "region"), ({"ground": "D4"}, "ground"), ({"page": 0}, "page"),
                          ({"year": 1800}, "year"), ({"sort": "random"}, "sort"), ({"q": "协" * 65}, "q")):
        response = client.get("/api/v1/credit/abnormal", params)
        assert response.status_code == 422 and response.json()["error"]["field"] == field, params


def test_pagination_at_page_size_plus_one(actors, client, settings, django_assert_max_num_queries):
    settings.PAGE_SIZE = 2
    for key in ("org_a", "org_b"):
        _list(actors, actors[key])
    _list(actors, actors["org_foshan"], officer="officer_foshan")
    # regions for the filter, the count, the page's entries (with organization and authority), their grounds
    with django_assert_max_num_queries(4):
        first = _page(client, "/credit/dishonest/")
    assert first.count('data-testid="entry-row"') == 2 and 'data-testid="next-page"' in first
    assert "Page 1 of 2" in first
    second = _page(client, "/credit/dishonest/", page=2)
    assert second.count('data-testid="entry-row"') == 1 and 'data-testid="next-page"' not in second
    pages = [client.get("/api/v1/credit/dishonest", {"page": p}).json() for p in (1, 2)]
    assert [p["count"] for p in pages] == [3, 3] and [len(p["items"]) for p in pages] == [2, 1]


def test_eligibility_answers_yes_or_no_with_reasons(actors, client):
    _list(actors, actors["org_a"])
    body = client.get(f"/api/v1/credit/eligibility/{actors['org_a'].uscc}", {"purpose": "procurement"}, **EN).json()
    assert body["eligible"] is False and body["purpose"] == "procurement" and body["uscc"] == actors["org_a"].uscc
    assert len(body["reasons"]) == 1 and "香洲区民政局" in body["reasons"][0]
    assert "A fine of ¥50,000 or more" in body["reasons"][0]
    body = client.get(f"/api/v1/credit/eligibility/{actors['org_b'].uscc}", {"purpose": "funding"}).json()
    assert body == {"uscc": actors["org_b"].uscc, "name": actors["org_b"].name, "purpose": "funding",
                    "eligible": True, "reasons": []}
    response = client.get("/api/v1/credit/eligibility/51100000500002862F", {"purpose": "funding"})
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    response = client.get(f"/api/v1/credit/eligibility/{actors['org_b'].uscc}", {"purpose": "lottery"})
    assert response.status_code == 422 and response.json()["error"]["field"] == "purpose"


def test_banned_organizations(actors, client):
    from gongxin.core.models import Region

    banned_record(actor=actors["officer_zhuhai"], region=Region.objects.get(code="440400"), name="珠海市某某非法联合会",
                  decision_number="珠民取字〔2026〕1号", banned_on=dt.date(2026, 6, 1), facts="未经登记擅自以社会团体名义开展活动",
                  legal_basis="《取缔非法民间组织暂行办法》第三条")
    page = _page(client, "/credit/banned/", q="联合")
    assert "珠海市某某非法联合会" in page and "珠民取字〔2026〕1号" in page and "珠海市民政局" in page
    assert "珠海市某某非法联合会" not in _page(client, "/credit/banned/", region="440600")
    body = client.get("/api/v1/credit/banned", {"year": 2026}).json()
    assert body["count"] == 1 and body["items"][0]["authority"] == "珠海市民政局"
    assert client.get("/api/v1/credit/banned", {"year": 2025}).json()["count"] == 0


def test_notices_served_by_public_announcement(actors, client):
    org = actors["org_b"]
    SupervisionFact.objects.create(organization=org, kind="unreachable", key="insp1", occurred_on=TODAY)
    engine.evaluate(organization=org, today=TODAY)
    entry = ListEntry.objects.get(organization=org)
    assert entry.notice_by_announcement and entry.status == ListingStatus.NOTICED
    _notice(actors, actors["org_a"])  # reachable: notified in writing, not announced
    page = _page(client, "/credit/announcements/")
    assert org.name in page and actors["org_a"].name not in page
    assert entry.objection_due.isoformat() in page
    assert "Cannot be reached at its registered address" in page and "Could not be reached at the registered address" in page
    assert "列入活动异常名录情形第(六)项" in page  # the basis
    # Once listed, it leaves the announcements and joins the list.
    listing_confirm(actor=actors["officer_zhuhai"], entry=entry, expected_version=entry.version,
                    today=entry.objection_due + dt.timedelta(days=1))
    assert org.name not in _page(client, "/credit/announcements/")
    assert org.name in _page(client, "/credit/abnormal/")


def test_index_counts_the_lists(actors, client):
    _list(actors, actors["org_a"])
    _list(actors, actors["org_b"], amount="10000")
    _notice(actors, actors["org_foshan"], officer="officer_foshan")
    page = _page(client, "/credit/")
    for key, count in (("abnormal", 1), ("dishonest", 1), ("banned", 0), ("announcements", 0)):
        block = page.split(f'data-testid="count-{key}"')[1]
        assert f'<div class="display-6{" text-danger" if key == "dishonest" else ""}">{count}</div>' in block[:200]


def test_profile_shows_the_fine_and_the_dishonest_listing(actors, client):
    org = actors["org_a"]
    before = client.get(f"/orgs/{org.uscc}/", **EN).content.decode()
    assert "Credit: not listed" in before
    entry = _list(actors, org)
    record_create(actor=actors["officer_zhuhai"], organization=org, kind="commendation", title="全市先进社会组织",
                  source="珠海市民政局", deciding_body="珠海市民政局", occurred_on=dt.date(2025, 12, 1), today=TODAY,
                  evaluate=False)
    page = client.get(f"/orgs/{org.uscc}/").content.decode()  # in Chinese, the default
    penalties = page.split('data-testid="section-penalties"')[1].split("</section>")[0]
    assert "¥60,000.00" in penalties and "违规收取会费" in penalties and "香洲区民政局" in penalties
    dishonest = page.split('data-testid="section-dishonest"')[1].split("</section>")[0]
    assert entry.listed_on.isoformat() in dishonest and "罚款人民币60,000.00元" in dishonest
    assert 'data-testid="credit-badge"' in page and "/credit/dishonest/?q=" in page
    assert "全市先进社会组织" in page.split('data-testid="section-commendations"')[1]
    page_en = client.get(f"/orgs/{org.uscc}/", **EN).content.decode()
    assert "A fine of ¥50,000 or more" in page_en.split('data-testid="section-dishonest"')[1]

    body = client.get(f"/api/v1/orgs/{org.uscc}").json()
    sections = {s["key"]: s["records"] for s in body["sections"]}
    assert sections["penalties"][0]["amount"] == "60000.00" and sections["penalties"][0]["kind"] == "fine"
    assert sections["dishonest"][0]["listed_on"] == entry.listed_on.isoformat()
    assert sections["dishonest"][0]["authority"] == "香洲区民政局"
    assert sections["abnormal"] == []
    assert sections["commendations"][0]["title"] == "全市先进社会组织"
    info = {c["key"]: c["records"] for s in body["sections"] if s["key"] == "credit_information" for c in s["parts"]}
    assert len(info["credit_information-penalty"]) == 1 and len(info["credit_information-other"]) == 1
    assert not any("id" in row for rows in sections.values() for row in rows)


def test_profile_hides_non_public_penalties_and_lists_commitments(actors, client):
    from gongxin.core.models import Region
    from gongxin.credit.commitments import commitment_sign, commitment_text_publish

    org = actors["org_a"]
    penalty_decide(actor=actors["officer_zhuhai"], organization=org, kind="warning", decision_number="内部1号",
                   facts="内部事实", legal_basis="条例", decided_on=TODAY, is_public=False, today=TODAY)
    text = commitment_text_publish(actor=actors["officer_zhuhai"], region=Region.objects.get(code="440400"),
                                   title="社会组织诚信自律承诺书", body="守法诚信", effective_from=TODAY, today=TODAY)
    commitment_sign(actor=actors["org_user_a"], organization=org, text=text, signatory="张伟", signatory_position="会长",
                    today=TODAY)
    page = client.get(f"/orgs/{org.uscc}/").content.decode()
    assert "内部1号" not in page and "内部事实" not in page
    commitments = page.split('data-testid="section-commitments"')[1].split("</section>")[0]
    assert "社会组织诚信自律承诺书" in commitments and "张伟" in commitments and "会长" in commitments
    body = client.get(f"/api/v1/orgs/{org.uscc}").json()
    sections = {s["key"]: s["records"] for s in body["sections"]}
    assert sections["penalties"] == []
    assert sections["commitments"][0]["title"] == "社会组织诚信自律承诺书"
    assert sections["commitments"][0]["signatory"] == "张伟"
