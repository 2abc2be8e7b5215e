"""The credit walk-through in the browser: the Zhuhai officer records a ¥60,000 fine on an
organization through the form, the rule engine serves the notice (on commit, for real in a live
server), the objection period passes, the officer confirms the listing, and the public profile
shows the organization on the serious violation and dishonesty list with the reason.
Screenshots go to var/screenshots."""

import datetime as dt
import os
from pathlib import Path

import pytest

from gongxin.accounts.models import Role
from tests.e2e.conftest import e2e_user, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("GONGXIN_SCREENSHOTS", "var/screenshots"))
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def _officer_page(browser, live_server, violations):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    login(page, live_server, "officer_credit_e2e")
    return context, page


def test_officer_records_a_fine_confirms_the_listing_public_sees_it(live_server, browser, make_org, time_machine):
    from gongxin.credit.models import ListEntry, Penalty

    org = make_org("珠海市信用测试行业协会", region="440402", subtype="industry_association")
    e2e_user("officer_credit_e2e", role=Role.OFFICER, jurisdiction_id="440400")
    SHOTS.mkdir(parents=True, exist_ok=True)
    violations: list[str] = []

    context, page = _officer_page(browser, live_server, violations)
    page.goto(f"{live_server.url}/credit/manage/orgs/?q=信用测试")
    page.get_by_test_id("org-link").first.click()
    page.get_by_test_id("penalty-new").click()
    page.select_option("#id_kind", "fine")
    page.fill("#id_decision_number", "珠民罚字〔2026〕E2E号")
    page.fill("#id_amount", "60000")
    page.fill("#id_facts", "违反规定向会员强制收取赞助费。")
    page.fill("#id_legal_basis", "《社会团体登记管理条例》第三十条")
    page.screenshot(path=str(SHOTS / "credit-penalty-form.png"), full_page=True)
    page.get_by_test_id("penalty-save").click()

    # Back on the organization's credit page: the penalty, and the notice the engine served.
    page.wait_for_url(f"{live_server.url}/credit/manage/orgs/{org.uscc}/")
    assert "珠民罚字〔2026〕E2E号" in page.get_by_test_id("penalties").inner_text()
    assert page.get_by_test_id("entry-row").count() == 1
    assert page.locator("[data-testid=entries] [data-testid=list-dishonest]").is_visible()
    page.screenshot(path=str(SHOTS / "credit-org-page.png"), full_page=True)
    penalty = Penalty.objects.get(decision_number="珠民罚字〔2026〕E2E号")
    assert penalty.organization_id == org.pk and penalty.amount == 60000
    entry = ListEntry.objects.get(organization=org)
    assert entry.status == "noticed"

    page.goto(f"{live_server.url}/credit/manage/")
    assert page.get_by_test_id("count-objection").inner_text() == "1"
    assert "珠海市信用测试行业协会" in page.get_by_test_id("worklist").inner_text()
    page.screenshot(path=str(SHOTS / "credit-worklist.png"), full_page=True)
    page.get_by_test_id("entry-link").first.click()
    assert page.get_by_test_id("in-objection-period").is_visible()
    context.close()

    # The objection period passes without an objection (the live server runs in this process).
    after = entry.objection_due + dt.timedelta(days=1)
    time_machine.move_to(dt.datetime(after.year, after.month, after.day, 9, 30, tzinfo=SHANGHAI))
    context, page = _officer_page(browser, live_server, violations)  # signed in again: the session timed out
    page.goto(f"{live_server.url}/credit/manage/?tab=awaiting")
    assert page.get_by_test_id("count-awaiting").inner_text() == "1"
    page.get_by_test_id("entry-link").first.click()
    page.get_by_test_id("confirm-listing").click()
    assert page.get_by_test_id("error-confirm").is_visible()  # the confirmation box is required
    page.check("#id_confirm")
    page.get_by_test_id("confirm-listing").click()
    assert page.get_by_test_id("status-listed").is_visible()
    assert page.get_by_test_id("history-listed").is_visible()
    page.screenshot(path=str(SHOTS / "credit-entry-detail.png"), full_page=True)
    context.close()
    entry.refresh_from_db()
    assert entry.status == "listed" and entry.listed_on == after

    public = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 1000})
    page = public.new_page()
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{live_server.url}/orgs/{org.uscc}/")
    badge = page.get_by_test_id("credit-badge")
    assert badge.is_visible() and "/credit/dishonest/" in (badge.get_attribute("href") or "")
    section = page.get_by_test_id("section-dishonest").inner_text()
    assert after.isoformat() in section and "珠民罚字〔2026〕E2E号" in section  # the reason's facts name the fine
    page.get_by_test_id("section-dishonest").screenshot(path=str(SHOTS / "credit-profile-dishonest.png"))
    public.close()
    assert violations == []
