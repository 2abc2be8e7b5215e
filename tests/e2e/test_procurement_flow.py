"""The purchase-of-services walk-through in the browser: a Zhuhai department drafts a project
through the form, is told the 15-day publicity rule (with the earliest allowed date) when the
procurement start is 14 days out, moves the date and publicizes; a qualified organization finds
the project among its open opportunities and applies with a document; an organization outside
the qualified catalogue sees why it cannot apply; once procurement has started the department
awards the project; the public page and the OCDS record and feed show the award.
Screenshots go to var/screenshots."""

import datetime as dt
import os
import re
from pathlib import Path

import pytest

from gongxin.accounts.models import Role
from tests.e2e.conftest import e2e_user, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("GONGXIN_SCREENSHOTS", "var/screenshots"))
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
TODAY = dt.date(2026, 3, 2)  # a Monday
TITLE = "2026年香洲区社区居家养老服务E2E项目"
PROPOSAL = "组建10人专业社工团队，每周上门服务两次。"


def _context(browser, live_server, violations, username=None):
    """A fresh browser (signed in as ``username`` when given) that collects CSP violations."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    if username:
        login(page, live_server, username)
    return context, page


def _fill_dates(page, start: dt.date):
    page.fill("#id_procurement_starts_on", start.isoformat())
    page.fill("#id_bid_deadline", (start + dt.timedelta(days=5)).isoformat())
    page.fill("#id_service_starts_on", (start + dt.timedelta(days=30)).isoformat())
    page.fill("#id_service_ends_on", (start + dt.timedelta(days=395)).isoformat())


def test_department_publicizes_qualified_org_applies_award_is_public(live_server, browser, make_org, time_machine):
    from gongxin.procurement.categories import categories_ensure
    from gongxin.procurement.models import Bid, Department, OcdsRelease, ProjectStatus, PurchaseProject
    from tests.procurement.factories_projects import catalogue_service, qualify

    time_machine.move_to(dt.datetime(TODAY.year, TODAY.month, TODAY.day, 9, 30, tzinfo=SHANGHAI))
    categories_ensure()  # reference data a transactional test's flush may have emptied
    department = Department.objects.create(name="珠海市民政局", region_id="440400", region_prefix="4404",
                                           uscc="11440400007045999X")
    e2e_user("purchaser_e2e", role=Role.PURCHASER, unit_name=department.name, department=department)
    service = catalogue_service(code="A0501")  # the published 440400 services catalogue
    winner = make_org("珠海市长者关爱服务中心", region="440402", org_type="social_service_agency")
    qualify(winner)  # in a published batch of the 440400 qualified organizations catalogue
    e2e_user("org_qualified_e2e", role=Role.ORG_USER, organization=winner)
    outsider = make_org("珠海市未入库测试协会", region="440402", subtype="industry_association")
    e2e_user("org_unqualified_e2e", role=Role.ORG_USER, organization=outsider)
    SHOTS.mkdir(parents=True, exist_ok=True)
    violations: list[str] = []

    # 1. The department drafts the project, procurement planned 14 days out: one day short.
    context, page = _context(browser, live_server, violations, "purchaser_e2e")
    page.goto(f"{live_server.url}/procurement/work/")
    page.get_by_test_id("project-new").click()
    page.select_option("#id_service", label=f"{service.code} {service.name}")
    page.fill("#id_title", TITLE)
    page.fill("#id_description", "为香洲区80岁以上独居老人提供上门助餐、助洁、陪护服务。")
    page.fill("#id_budget", "500000")
    page.select_option("#id_method", "public_tender")
    assert page.locator("#id_require_qualified").is_checked()
    _fill_dates(page, TODAY + dt.timedelta(days=14))
    page.screenshot(path=str(SHOTS / "procurement-project-form.png"), full_page=True)
    page.get_by_test_id("project-save").click()
    page.wait_for_url(re.compile(r"/procurement/work/projects/\d+/$"))
    project = PurchaseProject.objects.get(title=TITLE)
    assert page.url == f"{live_server.url}/procurement/work/projects/{project.pk}/"
    earliest = (TODAY + dt.timedelta(days=15)).isoformat()
    assert earliest in page.get_by_test_id("publicity-hint").inner_text()

    page.get_by_test_id("publicize").click()
    rule = page.get_by_test_id("publicity-rule")
    assert earliest in rule.inner_text() and (TODAY + dt.timedelta(days=14)).isoformat() in rule.inner_text()
    assert page.get_by_test_id("publicize-confirm").is_disabled()
    # A page left open while the dates were valid would still post: the service refuses it too.
    page.check("#id_confirm")
    with page.expect_navigation():
        page.locator("[data-testid=publicize-form]").evaluate("form => form.submit()")
    refusal = page.get_by_test_id("form-errors").inner_text()
    assert "15" in refusal and earliest in refusal
    assert "500,000.00" in page.get_by_test_id("publicize-form").inner_text()
    page.screenshot(path=str(SHOTS / "procurement-publicize-refused.png"), full_page=True)
    project.refresh_from_db()
    assert project.status == ProjectStatus.DRAFT

    # The dates move by a day; the confirmation page now lets it through.
    page.get_by_test_id("edit-dates").click()
    page.wait_for_url(f"{live_server.url}/procurement/work/projects/{project.pk}/edit/")
    _fill_dates(page, TODAY + dt.timedelta(days=15))
    page.get_by_test_id("project-save").click()
    page.wait_for_url(f"{live_server.url}/procurement/work/projects/{project.pk}/")
    page.get_by_test_id("publicize").click()
    assert not page.get_by_test_id("publicize-confirm").is_disabled()
    page.get_by_test_id("publicize-confirm").click()
    assert page.get_by_test_id("error-confirm").is_visible()  # the confirmation box is required
    page.check("#id_confirm")
    page.screenshot(path=str(SHOTS / "procurement-publicize-confirm.png"), full_page=True)
    page.get_by_test_id("publicize-confirm").click()
    page.wait_for_url(f"{live_server.url}/procurement/work/projects/{project.pk}/")
    assert page.get_by_test_id("no-bids").is_visible()
    context.close()
    project.refresh_from_db()
    assert project.status == ProjectStatus.PUBLICIZED and project.publicized_on == TODAY

    # 2. The qualified organization finds it among the open projects and applies with a document.
    context, page = _context(browser, live_server, violations, "org_qualified_e2e")
    page.goto(f"{live_server.url}/procurement/work/")
    row = page.get_by_test_id("opportunity-row").filter(has_text=TITLE)
    assert row.get_by_test_id("eligible").is_visible()
    row.get_by_role("link", name=TITLE).click()
    assert page.get_by_test_id("check-qualified").is_visible()
    page.fill("#id_amount", "480000")
    page.fill("#id_proposal", PROPOSAL)
    page.set_input_files("#id_documents", files=[{"name": "服务方案.pdf", "mimeType": "application/pdf",
                                                  "buffer": b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"}])
    page.check("#id_confirm")
    page.screenshot(path=str(SHOTS / "procurement-bid-form.png"), full_page=True)
    page.get_by_test_id("bid-submit").click()
    page.wait_for_url(f"{live_server.url}/procurement/work/bids/")
    bid_row = page.get_by_test_id("bid-row").filter(has_text=TITLE)
    assert "480,000.00" in bid_row.inner_text()
    page.screenshot(path=str(SHOTS / "procurement-bids.png"), full_page=True)
    context.close()
    bid = Bid.objects.get(project=project)
    assert bid.organization_id == winner.pk and [d.title for d in bid.documents.all()] == ["服务方案.pdf"]

    # 3. The organization outside the qualified catalogue sees the reason and no way to apply.
    context, page = _context(browser, live_server, violations, "org_unqualified_e2e")
    page.goto(f"{live_server.url}/procurement/work/opportunities/")
    row = page.get_by_test_id("opportunity-row").filter(has_text=TITLE)
    assert row.get_by_test_id("ineligible").is_visible()
    reasons = row.get_by_test_id("ineligible-reasons").inner_text()
    row.get_by_role("link", name=TITLE).click()
    # The one failing check, the qualified catalogue, with the same reason as in the list.
    failing = page.get_by_test_id("check-qualified")
    assert failing.is_visible() and "text-danger" in (failing.get_attribute("class") or "")
    assert failing.locator(".text-body").inner_text().strip() in reasons
    assert page.locator("[data-testid=checks] li.text-danger").count() == 1
    assert page.get_by_test_id("not-eligible").is_visible()
    assert page.get_by_test_id("bid-form").count() == 0 and page.get_by_test_id("bid-submit").count() == 0
    page.screenshot(path=str(SHOTS / "procurement-bid-refused.png"), full_page=True)
    context.close()

    # 4. Applications have closed (the live server runs in this process): the department awards.
    start = project.bid_deadline + dt.timedelta(days=1)
    time_machine.move_to(dt.datetime(start.year, start.month, start.day, 9, 30, tzinfo=SHANGHAI))
    context, page = _context(browser, live_server, violations, "purchaser_e2e")  # the session timed out
    page.goto(f"{live_server.url}/procurement/work/projects/")
    page.get_by_test_id("project-row").filter(has_text=TITLE).get_by_role("link", name=TITLE).click()
    page.wait_for_url(f"{live_server.url}/procurement/work/projects/{project.pk}/")
    bid_card = page.get_by_test_id(f"bid-{bid.pk}")
    assert winner.name in bid_card.inner_text() and bid_card.get_by_test_id("eligible-now").is_visible()
    page.select_option("#id_bid", str(bid.pk))
    page.fill("#id_amount", "480000")
    page.fill("#id_reason", "综合评分第一：服务方案完整，团队经验丰富，报价合理。")
    page.screenshot(path=str(SHOTS / "procurement-award-form.png"), full_page=True)
    page.get_by_test_id("award-submit").click()
    assert winner.name in page.get_by_test_id("confirmation-facts").inner_text()
    page.screenshot(path=str(SHOTS / "procurement-award-confirmation.png"), full_page=True)
    page.get_by_test_id("confirm").click()
    page.wait_for_url(f"{live_server.url}/procurement/work/projects/{project.pk}/")
    result = page.get_by_test_id("award-result").inner_text()
    assert winner.name in result and "480,000.00" in result and start.isoformat() in result
    page.screenshot(path=str(SHOTS / "procurement-awarded.png"), full_page=True)
    context.close()
    project.refresh_from_db()
    assert project.status == ProjectStatus.AWARDED and project.awarded_organization_id == winner.pk

    # 5. The public, not signed in: the disclosure platform, the project's page, the OCDS record and feed.
    context, page = _context(browser, live_server, violations)
    page.goto(f"{live_server.url}/procurement/")
    page.get_by_test_id("search-input").fill("居家养老服务E2E")
    page.get_by_test_id("search-submit").click()
    row = page.get_by_test_id("project-row").filter(has_text=TITLE)
    assert winner.name in row.inner_text()
    page.screenshot(path=str(SHOTS / "procurement-public-index.png"), full_page=True)
    row.get_by_test_id("project-link").click()
    page.wait_for_url(f"{live_server.url}/procurement/projects/{project.pk}/")
    award = page.get_by_test_id("section-award")
    assert winner.name in award.get_by_test_id("award-supplier").inner_text()
    assert winner.uscc in award.inner_text() and "¥480,000.00" in award.inner_text()
    page.screenshot(path=str(SHOTS / "procurement-public-project.png"), full_page=True)

    response = page.request.get(f"{live_server.url}/api/v1/ocds/records/{project.ocid}")
    assert response.ok
    compiled = response.json()["records"][0]["compiledRelease"]
    (awarded,) = compiled["awards"]
    assert awarded["value"]["amount"] == 480000 and awarded["value"]["currency"] == "CNY"
    supplier_id = awarded["suppliers"][0]["id"]
    supplier = next(p for p in compiled["parties"] if p["id"] == supplier_id)
    assert supplier["identifier"]["id"] == winner.uscc and "supplier" in supplier["roles"]

    feed = page.request.get(f"{live_server.url}/api/v1/ocds/releases")
    assert feed.ok
    tags = [r["tag"] for r in feed.json()["releases"] if r["ocid"] == project.ocid]
    assert ["award"] in tags and ["tender"] in tags
    context.close()
    assert OcdsRelease.objects.filter(ocid=project.ocid).count() == len(tags)
    assert violations == []
