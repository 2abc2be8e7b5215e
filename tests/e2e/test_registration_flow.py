"""Registration walk-through: a founder applies for establishment, the Zhuhai officer sees it on
the worklist with its deadline and checks, approves it, and the certificate PDF opens."""

import os
from pathlib import Path

import pytest

from gongxin.accounts.models import Role
from tests.e2e.conftest import e2e_user, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("GONGXIN_SCREENSHOTS", "var/screenshots"))


def test_founder_applies_officer_approves_certificate_opens(live_server, browser, make_org):
    make_org("珠海市智慧养老协会", region="440402")  # a similar name the officer is warned about
    e2e_user("founder_e2e", role=Role.FOUNDER)
    e2e_user("officer_e2e", role=Role.OFFICER, jurisdiction_id="440400")
    SHOTS.mkdir(parents=True, exist_ok=True)
    violations = []

    ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 1000})
    page = ctx.new_page()
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    login(page, live_server, "founder_e2e")
    page.goto(f"{live_server.url}/applications/")
    page.get_by_test_id("new-establishment").click()
    page.select_option("#id_registration_authority", "440402")
    page.fill("#id_name", "珠海市智慧养老服务协会")
    page.select_option("#id_org_type", "social_group")
    page.fill("#id_legal_representative", "李明")
    page.fill("#id_address", "珠海市香洲区人民东路1号")
    page.fill("#id_business_scope", "养老服务标准制定、行业培训、交流合作")
    page.fill("#id_registered_capital", "3")
    page.fill("#id_member_count", "56")
    page.fill("#id_founders", "李明\n王芳")
    page.get_by_test_id("submit-application").click()
    status = page.get_by_test_id("application-status").inner_text()
    assert "审查中" in status or "Under review" in status
    ctx.close()

    ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 1000})
    page = ctx.new_page()
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    login(page, live_server, "officer_e2e")
    page.goto(f"{live_server.url}/applications/worklist/")
    assert page.get_by_test_id("days-left").first.inner_text().strip() in {str(n) for n in range(10, 16)}
    page.get_by_role("link", name="珠海市智慧养老服务协会").click()
    checks = page.get_by_test_id("checks").inner_text()
    assert "珠海市智慧养老协会" in checks  # the similar name, as a warning
    page.screenshot(path=str(SHOTS / "application-decision.png"), full_page=True)
    page.get_by_test_id("approve").click()
    # The confirmation step: what approving does (a code and a certificate), and a way back.
    confirmation = page.get_by_test_id("confirmation")
    assert "统一社会信用代码" in confirmation.inner_text() and page.get_by_test_id("confirm-back").is_visible()
    page.screenshot(path=str(SHOTS / "application-approve-confirmation.png"), full_page=True)
    page.get_by_test_id("confirm").click()
    link = page.get_by_test_id("certificate-link")
    href = link.get_attribute("href")
    response = page.request.get(f"{live_server.url}{href}")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    ctx.close()
    assert violations == []
