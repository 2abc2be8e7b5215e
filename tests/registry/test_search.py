"""Search correctness. The suite runs on SQLite (FTS5) and PostgreSQL (GIN); every assertion
here must hold on both, which is what "identical results on both engines" means in practice."""

from __future__ import annotations

import pytest
from django.test import override_settings

from gongxin.registry.models import OrgStatus, OrgType
from gongxin.registry.search import QueryTooLong, build_document, parse_query, pinyin_initials
from gongxin.registry.selectors import SearchFilters, organization_search
from gongxin.registry.services import organization_change

pytestmark = pytest.mark.django_db


def names(q="", **filters):
    return [o.name for o in organization_search(actor=None, q=q, filters=SearchFilters(**filters))]


@pytest.fixture
def registry(make_org):
    make_org("珠海市家电协会", region="440402", legal_representative="李明")
    make_org("珠海市家用电器行业协会", region="440400", subtype="industry_association", industry="C")
    make_org("佛山市陶瓷行业协会", region="440600", subtype="industry_association", industry="C")
    make_org("江门市台山商会", region="440781", subtype="chamber_of_commerce")
    make_org("香洲区阳光社会工作服务中心", region="440402", org_type=OrgType.SOCIAL_SERVICE_AGENCY,
             subtype="social_work", legal_representative="王协")
    make_org("广东省千禾慈善基金会", region="440000", org_type=OrgType.FOUNDATION, status=OrgStatus.DEREGISTERED)
    make_org("协会", region="440400")


def test_two_character_query_finds_every_name_containing_it(registry):
    # exact name, then code-point order of the rest (用 U+7528 sorts before 电 U+7535)
    assert names("协会") == ["协会", "佛山市陶瓷行业协会", "珠海市家用电器行业协会", "珠海市家电协会"]


def test_one_character_query(registry):
    assert set(names("瓷")) == {"佛山市陶瓷行业协会"}
    assert "香洲区阳光社会工作服务中心" in names("协")  # legal representative 王协 also matches


def test_exact_name_ranks_first_then_prefix_then_contains(registry):
    result = names("珠海市家电协会")
    assert result == ["珠海市家电协会"]
    assert names("珠海")[:2] == ["珠海市家用电器行业协会", "珠海市家电协会"]  # prefix matches first
    assert names("协会")[0] == "协会"


def test_longer_query_needs_the_whole_substring_not_just_its_bigrams(make_org):
    make_org("电器协会家电")  # holds the bigrams 家电 and 电协 but not the substring 家电协
    make_org("珠海市家电协会")
    assert names("家电协") == ["珠海市家电协会"]


def test_query_by_former_name_after_a_change(registry, actors):
    org = next(o for o in organization_search(actor=None, q="陶瓷", filters=SearchFilters()))
    import datetime as dt

    organization_change(actor=actors["officer_foshan"], org=org, expected_version=org.version,
                        changed_on=dt.date(2024, 3, 1), name="佛山市陶瓷产业协会")
    assert names("陶瓷行业") == ["佛山市陶瓷产业协会"]
    assert names("陶瓷产业") == ["佛山市陶瓷产业协会"]


def test_uscc_whole_and_prefix(registry):
    org = organization_search(actor=None, q="佛山市陶瓷行业协会", filters=SearchFilters())[0]
    assert names(org.uscc) == ["佛山市陶瓷行业协会"]
    assert names(org.uscc.lower()) == ["佛山市陶瓷行业协会"]
    assert set(names("51440400")) == {"珠海市家用电器行业协会", "协会"}
    assert set(names("514404")) == {"珠海市家用电器行业协会", "协会", "珠海市家电协会"}  # 440402 is under 4404
    assert "佛山市陶瓷行业协会" in names(org.uscc[:8])


def test_pinyin_initials(registry):
    assert names("zhsjdxh") == ["珠海市家电协会"]
    assert "珠海市家电协会" in names("jdxh")  # without the region prefix
    assert names("ZHSJD") == ["珠海市家电协会"]
    assert pinyin_initials("重庆市慈善总会")[0] == "cqscszh"


def test_legal_representative(registry):
    assert names("李明") == ["珠海市家电协会"]


def test_filters_type_status_industry_subtype_region_subtree(registry):
    assert names("协会", org_type=OrgType.SOCIAL_GROUP) == names("协会")
    assert names(status=OrgStatus.DEREGISTERED) == ["广东省千禾慈善基金会"]
    assert set(names(industry="C")) == {"佛山市陶瓷行业协会", "珠海市家用电器行业协会"}
    assert names(subtype="chamber_of_commerce") == ["江门市台山商会"]
    # Zhuhai (440400) includes its district 香洲区 (440402); Guangdong includes everything here.
    assert set(names(region="440400")) == {"协会", "珠海市家电协会", "珠海市家用电器行业协会", "香洲区阳光社会工作服务中心"}
    assert set(names(region="440402")) == {"珠海市家电协会", "香洲区阳光社会工作服务中心"}
    assert len(names(region="440000")) == 7
    assert names(region="110000") == []


def test_ordering_without_query_is_by_name_code_point(registry):
    result = names()
    assert result == sorted(result)


@pytest.mark.parametrize("q", ['"', "*", "(", ")", "-", ":", "NEAR", '协会"', "协会*", "(协会)", "-协会",
                               "协:会", "NEAR(协会 商会)", "' OR 1=1 --", "%", "_", "\\", "协会 AND", "^"])
def test_query_syntax_characters_never_error(registry, q):
    list(organization_search(actor=None, q=q, filters=SearchFilters()))


def test_syntax_around_a_word_is_ignored(registry):
    assert names('"协会"') == names("协会")
    assert names("(陶瓷)*") == ["佛山市陶瓷行业协会"]


def test_two_terms_must_both_match(registry):
    assert names("珠海 行业") == ["珠海市家用电器行业协会"]


@override_settings(SEARCH_MAX_QUERY_LENGTH=10)
def test_over_long_query_is_refused():
    with pytest.raises(QueryTooLong):
        parse_query("协" * 11)


def test_full_width_query_is_normalised(registry):
    assert names("ＺＨＳＪＤＸＨ") == ["珠海市家电协会"]


def test_document_tokens_are_letters_and_digits_only():
    _text, tokens = build_document("买买提·艾力（珠海）协会", ["旧名-协会"], "欧阳·娜娜")
    for token in tokens.split():
        assert token.isalnum(), token
    assert "提·" not in tokens.split()


@pytest.mark.parametrize("q", ["协会", "珠海", "协", "行业协会", "zhs", "", "514404"])
def test_walking_the_name_index_and_sorting_the_matches_give_the_same_pages(registry, make_org, monkeypatch, q):
    from gongxin.registry.search import SearchResults

    for i in range(25):
        make_org(f"珠海市第{i:02d}行业协会", region="440400")
    pages = {}
    for dense in (False, True):
        monkeypatch.setattr(SearchResults, "_walk_is_cheaper", lambda self, stop, dense=dense: dense)
        results = organization_search(actor=None, q=q, filters=SearchFilters())
        pages[dense] = [[o.name for o in results[a:b]] for a, b in ((0, 5), (3, 11), (9, 40), (30, 45))]
    assert pages[True] == pages[False]
    assert pages[False][2], "the query should have matches beyond the first page"


def test_numbers_in_names_are_text_not_code_prefixes(make_org):
    make_org("珠海市120急救志愿者协会")
    make_org("珠海市2024届校友会")
    assert names("120") == ["珠海市120急救志愿者协会"]
    assert names("2024") == ["珠海市2024届校友会"]


def test_a_code_pasted_with_invisible_characters_is_still_a_code(registry):
    org = organization_search(actor=None, q="陶瓷", filters=SearchFilters())[0]
    assert names(org.uscc[:6] + "\u200b" + org.uscc[6:]) == [org.name]


def test_exact_name_with_latin_letters_ranks_first(make_org):
    make_org("AABC协会")
    make_org("ABC协会")
    assert names("abc协会") == ["ABC协会", "AABC协会"]


def test_facet_tokens_cannot_be_reached_by_typing_them(registry):
    for q in ("xtsocialgroup", "xr4404", "xsactive", "xic"):
        assert names(q) == [], q


def test_filters_combine_with_each_other_and_with_the_query(registry):
    assert names("协会", region="440400", industry="C") == ["珠海市家用电器行业协会"]
    assert names(region="440400", org_type=OrgType.SOCIAL_SERVICE_AGENCY) == ["香洲区阳光社会工作服务中心"]
    assert names("zhsj", region="440600") == []
    assert names("514404", region="440402") == ["珠海市家电协会"]


def test_a_count_over_the_exact_limit_is_an_estimate_on_postgresql(make_org, monkeypatch):
    from django.db import connection

    from gongxin.registry import search

    for i in range(6):
        make_org(f"珠海市第{i}游艇会")
    monkeypatch.setattr(search, "COUNT_EXACT_LIMIT", 3)
    results = organization_search(actor=None, q="游艇", filters=SearchFilters())
    count = results.count()
    if connection.vendor == "postgresql":
        assert results.count_exact is False and count >= 4
    else:
        assert results.count_exact is True and count == 6
    assert len(list(results)) == 6  # the rows themselves are all there either way


def test_a_search_with_no_results_says_zero_and_what_to_try(client, registry):
    page = client.get("/orgs/?q=没有这样的名字", HTTP_COOKIE="django_language=en").content.decode()
    assert 'data-testid="result-count"' in page and "0 organizations found" in page
    assert 'data-testid="no-results"' in page and "pinyin initials" in page


def test_a_mistyped_credit_code_says_which_check_failed(client, registry):
    page = client.get("/orgs/?q=53100000500020462H", HTTP_COOKIE="django_language=en").content.decode()
    assert "0 organizations found" in page
    assert 'data-testid="code-hint"' in page
    assert "Check character is" in page and "should be" in page
    too_short = client.get("/orgs/?q=5310000050002046", HTTP_COOKIE="django_language=en").content.decode()
    assert "Length is 16 characters" in too_short


def test_a_valid_code_prefix_with_no_match_gets_no_code_hint(client, registry):
    page = client.get("/orgs/?q=5144", HTTP_COOKIE="django_language=en").content.decode()
    assert 'data-testid="code-hint"' not in page
