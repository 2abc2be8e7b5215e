"""The annual work report walk-through: the organization fills in and submits its report, the
officer reviews it, the public profile shows the result; screenshots go to var/screenshots."""

import datetime as dt
import os
from pathlib import Path

import pytest

from gongxin.accounts.models import Role
from tests.e2e.conftest import e2e_user, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("GONGXIN_SCREENSHOTS", "var/screenshots"))


def test_organization_submits_officer_reviews_public_sees_result(live_server, browser, make_org):
    org = make_org("珠海市年报测试行业协会", region="440402", subtype="industry_association",
                   established_on=dt.date(2018, 3, 1))
    e2e_user("org_e2e", role=Role.ORG_USER, organization=org)
    e2e_user("officer_e2e", role=Role.OFFICER, jurisdiction_id="440400")
    SHOTS.mkdir(parents=True, exist_ok=True)
    year = dt.date.today().year - 1
    violations = []

    org_ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 1000})
    page = org_ctx.new_page()
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    login(page, live_server, "org_e2e")
    page.get_by_test_id("nav-org").click()  # the organization's menu
    page.get_by_test_id("nav-annual").click()
    page.get_by_test_id(f"edit-{year}").click()
    page.fill("#id_total_assets", "800000")
    page.fill("#id_total_liabilities", "200000")
    page.fill("#id_net_assets", "600000")
    page.fill("#id_income", "500000")
    page.fill("#id_expenses", "450000")
    page.fill("#id_staff_count", "6")
    page.fill("#id_activity_count", "14")
    page.fill("#id_activities", "举办行业培训六场，发布团体标准一项。")
    page.fill("#id_compliance", "遵守法律法规和国家政策。")
    page.select_option("#id_party_org_established", "true")
    page.get_by_test_id("submit-report").click()
    # Submission without the self-check (an industry association must do it) is refused by field.
    assert page.get_by_test_id("error-self_governance_check").is_visible()
    page.check("input[name=self_governance_check][value=self_initiated]")
    page.check("input[name=self_governance_check][value=self_funded]")
    page.screenshot(path=str(SHOTS / "annual-report-form.png"), full_page=True)
    page.get_by_test_id("submit-report").click()
    # Submitting locks the report: the confirmation page says so, with the way back to the form.
    assert page.get_by_test_id("confirmation-irreversible").is_visible()
    page.screenshot(path=str(SHOTS / "annual-report-submit-confirmation.png"), full_page=True)
    page.get_by_test_id("confirm").click()
    assert "等待登记管理机关审查" in page.get_by_test_id("report-status").inner_text() or \
        "authority" in page.get_by_test_id("report-status").inner_text()
    org_ctx.close()

    officer_ctx = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 1000})
    page = officer_ctx.new_page()
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    login(page, live_server, "officer_e2e")
    page.goto(f"{live_server.url}/annual/queue/")
    page.get_by_role("link", name="珠海市年报测试行业协会").click()
    # 基本合格 without a reason: the choice and the note stay, the reasons are open, the error
    # is under them.
    page.check("input[name=conclusion][value=basic_pass]")
    assert page.get_by_test_id("basic-pass-reasons").get_attribute("open") is not None  # opened on choosing
    page.fill("#id_note", "换届逾期半年")
    page.get_by_test_id("save-review").click()
    assert page.locator("input[name=conclusion][value=basic_pass]").is_checked()
    assert page.input_value("#id_note") == "换届逾期半年"
    reasons = page.get_by_test_id("basic-pass-reasons")
    assert reasons.get_attribute("open") is not None
    assert reasons.get_by_test_id("error-basic_pass_reasons").is_visible()
    assert "is-invalid" in (page.locator("input[name=basic_pass_reasons]").first.get_attribute("class") or "")
    page.screenshot(path=str(SHOTS / "annual-report-review-error.png"), full_page=True)
    page.check("input[name=basic_pass_reasons][value=meetings]")
    page.screenshot(path=str(SHOTS / "annual-report-review.png"), full_page=True)
    page.get_by_test_id("save-review").click()
    assert "换届逾期半年" in page.get_by_test_id("confirmation").inner_text()
    page.get_by_test_id("confirm").click()
    assert page.get_by_test_id("conclusion").is_visible()
    officer_ctx.close()

    public = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 1000})
    page = public.new_page()
    page.goto(f"{live_server.url}/orgs/{org.uscc}/")
    results = page.get_by_test_id("annual-results").inner_text()
    assert str(year) in results and "600,000.00" in results
    page.get_by_test_id("section-annual").screenshot(path=str(SHOTS / "annual-profile-section.png"))
    public.close()
    assert violations == []
