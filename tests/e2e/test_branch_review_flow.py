"""An officer, on a 390 px phone screen, hides an organization's filed branch with a reason:
the review list, the confirmation step, the entry gone from the public profile."""

import os
from pathlib import Path

import pytest

from gongxin.accounts.models import Role
from gongxin.registry import applications as svc
from tests.e2e.conftest import e2e_user, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("GONGXIN_SCREENSHOTS", "var/screenshots"))


def test_officer_hides_a_filed_branch_on_a_phone(live_server, browser, make_org):
    org = make_org("珠海市测试甲行业协会", region="440402")
    user = e2e_user("org_e2e", role=Role.ORG_USER, organization=org)
    e2e_user("officer_e2e", role=Role.OFFICER, jurisdiction_id="440400")
    svc.branch_file(actor=user, organization=org, name="珠海市测试甲行业协会投资理财咨询与资产配置专业委员会", kind="branch",
                    leader="陈红")
    SHOTS.mkdir(parents=True, exist_ok=True)
    violations = []
    ctx = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    page = ctx.new_page()
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    login(page, live_server, "officer_e2e")

    def fits() -> bool:
        return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.goto(f"{live_server.url}/orgs/{org.uscc}/")
    page.get_by_role("link", name="审查备案的分支机构").click()
    assert fits()
    page.get_by_role("link", name="隐藏").click()
    page.fill("#id_reason", "名称含有误导公众的投资理财内容")
    page.get_by_test_id("confirm").click()  # without the box ticked: the browser's required check stops it
    assert "/hide/" in page.url
    page.check("#id_confirm")
    page.screenshot(path=str(SHOTS / "branch-hide-390.png"), full_page=True)
    assert fits()
    page.get_by_test_id("confirm").click()
    page.wait_for_url(f"{live_server.url}/orgs/{org.uscc}/branches/")
    assert "名称含有误导公众的投资理财内容" in page.get_by_test_id("hidden-reason").inner_text()
    page.screenshot(path=str(SHOTS / "branch-review-390.png"), full_page=True)
    assert fits()
    ctx.close()

    public = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    public.goto(f"{live_server.url}/orgs/{org.uscc}/")
    assert "投资理财" not in public.get_by_test_id("profile-branches").inner_text()
    public.context.close()
    assert violations == []
