"""The registry search's "credit status" filter (a facet token kept by the listing services)."""

import datetime as dt

from gongxin.credit import engine
from gongxin.credit.models import ListEntry
from gongxin.credit.services import listing_confirm
from gongxin.registry.selectors import SearchFilters, organization_search

from .conftest import TODAY


def _names(credit):
    return {o.name for o in organization_search(actor=None, q="测试", filters=SearchFilters(credit=credit))}


def _list_all(actors):
    engine.evaluate(today=TODAY)
    for entry in ListEntry.objects.all():
        listing_confirm(actor=actors["officer_zhuhai"], entry=entry, expected_version=entry.version,
                        today=entry.objection_due + dt.timedelta(days=1))


def test_the_credit_filter_finds_listed_organizations_only(actors, fine):
    fine("60000")  # A: dishonesty list
    fine(None, kind="warning", org=actors["org_b"])  # B: abnormal list
    engine.evaluate(today=TODAY)
    assert _names("listed") == set()  # notices are not listings
    _list_all(actors)
    a, b = actors["org_a"].name, actors["org_b"].name
    assert _names("dishonest") == {a}
    assert _names("abnormal") == {b}
    assert _names("listed") == {a, b}
    assert actors["org_foshan"].name in _names("")


def test_removal_takes_the_organization_out_of_the_filter(actors, fine):
    fine(None, kind="warning", org=actors["org_b"])
    _list_all(actors)
    entry = ListEntry.objects.get()
    engine.evaluate(today=entry.clock_from.replace(year=entry.clock_from.year + 1))
    assert _names("listed") == set()


def test_the_api_and_page_take_the_credit_filter(actors, fine, client):
    fine("60000")
    _list_all(actors)
    data = client.get("/api/v1/orgs", {"q": "测试", "credit": "dishonest"}).json()
    assert [i["uscc"] for i in data["items"]] == [actors["org_a"].uscc]
    assert data["items"][0]["credit_status"] == "dishonest"
    assert client.get("/api/v1/orgs", {"credit": "bogus"}).status_code == 422
    page = client.get("/orgs/", {"q": "测试", "credit": "listed"}).content.decode()
    assert actors["org_a"].name in page and actors["org_b"].name not in page
