import re

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def orgs(make_org):
    make_org("珠海市家用电器行业协会", region="440400", subtype="industry_association", legal_representative="陈志强")
    make_org("佛山市陶瓷行业协会", region="440600")
    make_org("香洲区阳光社会工作服务中心", region="440402", org_type="social_service_agency")


def test_search_open_profile_and_switch_language(live_server, page, orgs):
    page.goto(f"{live_server.url}/orgs/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.get_by_test_id("search-input").fill("协会")
    page.get_by_test_id("search-submit").click()
    page.wait_for_url(re.compile(r"q=%E5%8D%8F%E4%BC%9A"))
    links = page.get_by_test_id("result-link")
    assert links.count() == 2
    assert "香洲区阳光社会工作服务中心" not in page.get_by_test_id("results").inner_text()

    page.get_by_role("link", name="珠海市家用电器行业协会").click()
    assert page.get_by_test_id("org-name").inner_text() == "珠海市家用电器行业协会"
    assert "陈志强" in page.locator("#basic").inner_text()
    assert "统一社会信用代码" in page.locator("#basic").inner_text()
    assert "暂无" in page.get_by_test_id("section-penalties").inner_text()

    page.get_by_test_id("lang-switch").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Unified social credit code" in page.locator("#basic").inner_text()
    assert page.get_by_test_id("org-name").inner_text() == "珠海市家用电器行业协会"  # names are not translated
    assert "No records" in page.get_by_test_id("section-penalties").inner_text()

    page.get_by_test_id("lang-switch").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "zh-hans"


def test_pages_render_under_the_content_security_policy(live_server, page, orgs):
    violations = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.goto(f"{live_server.url}/orgs/?q=协会")
    page.get_by_test_id("result-link").first.click()
    page.get_by_test_id("org-name").wait_for()
    page.goto(f"{live_server.url}/api/v1/docs")
    page.get_by_text("/api/v1/orgs/{uscc}").first.wait_for(timeout=15000)  # Swagger UI rendered
    assert violations == []
