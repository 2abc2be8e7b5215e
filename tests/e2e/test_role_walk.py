"""A walk through the key pages of every role over demo-like data (the demo seed, smaller), in
Chromium at 1440 px and at 390 px, with a screenshot of each page in test-results/e2e-walk/.

It fails on: a response of 500 or more (the page or anything it loads), a console error (a
CSP violation is one), a list table of more than 50 rows (an unpaged list), a header menu
label that wraps onto a second line or a header that needs two rows at 1440 px, and a page
wider than a 390 px phone.

The data is built once (one test for the whole walk: the live server's database is emptied
after each test); problems are collected over the whole walk and reported together."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.e2e.conftest import E2E_PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "e2e-walk"
WIDTHS = (1440, 390)
MAX_ROWS = 50

# The checks run in the page after each load.
PAGE_CHECKS = """(maxRows) => {
  const out = [];
  document.querySelectorAll('main table').forEach((t, i) => {
    const rows = t.tBodies.length ? Array.from(t.tBodies).reduce((n, b) => n + b.rows.length, 0) : 0;
    if (rows > maxRows) out.push(`table ${i} (${t.dataset.testid || t.className}) has ${rows} rows: not paged`);
  });
  if (window.innerWidth >= 992) {
    document.querySelectorAll('.gx-header .nav-link, .gx-header .btn').forEach(el => {
      const r = el.getBoundingClientRect();
      if (!r.width) return;
      const s = getComputedStyle(el);
      const inner = r.height - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom)
                    - parseFloat(s.borderTopWidth) - parseFloat(s.borderBottomWidth);
      if (inner > parseFloat(s.lineHeight) * 1.5) out.push(`menu label wraps: "${el.textContent.trim()}"`);
    });
    const bar = document.querySelector('.gx-header');
    if (bar && bar.getBoundingClientRect().height > 90) out.push(`the header needs two rows (${bar.getBoundingClientRect().height}px)`);
  }
  if (document.documentElement.scrollWidth > window.innerWidth + 1)
    out.push(`page is ${document.documentElement.scrollWidth}px wide in a ${window.innerWidth}px window`);
  return out;
}"""


def _demo_data():
    """The demo seed (a small registry; purchase projects, credit and supervision work as in
    `make run`) with the demo accounts signed in by the e2e password."""
    from gongxin.accounts.models import User
    from gongxin.core import regions
    from gongxin.core.models import Region

    regions.load_into(Region)  # an earlier transactional test's flush empties the region table
    call_command("seed", orgs=150, seed=2026, verbosity=0)
    for user in User.objects.all():
        user.set_password(E2E_PASSWORD)
        user.must_change_password = False
        user.save()


def _pages():
    """(role, [paths]) for every role: the pages each uses most, not every URL."""
    from django.db.models import Count

    from gongxin.credit.models import CreditRecord
    from gongxin.procurement.models import PurchaseProject
    from gongxin.registry.models import Organization

    zhuhai = Organization.objects.filter(region_prefix__startswith="4404").order_by("id").first()
    busiest = (CreditRecord.objects.filter(organization__region_prefix__startswith="4404")
               .values("organization__uscc").annotate(n=Count("id")).order_by("-n").first())
    project = PurchaseProject.objects.exclude(status="draft").order_by("id").first()
    org_credit = f"/credit/manage/orgs/{busiest['organization__uscc']}/" if busiest else "/credit/manage/"
    return [
        ("public", ["/orgs/", "/orgs/?q=协会", "/orgs/?q=53100000500020462H", f"/orgs/{zhuhai.uscc}/",
                    "/credit/", "/credit/abnormal/", "/annual/inspections/public/", "/procurement/",
                    f"/procurement/projects/{project.pk}/", "/procurement/statistics/", "/credit/verify/"]),
        ("org_zhuhai", ["/accounts/", "/annual/", "/credit/my/", "/applications/", "/procurement/work/opportunities/",
                        "/procurement/work/bids/"]),
        ("sponsor_zhuhai", ["/accounts/", "/annual/queue/"]),
        ("officer_zhuhai", ["/accounts/", "/applications/worklist/", "/applications/worklist/?view=decided",
                            "/annual/queue/", "/annual/dormancy/", "/annual/inspections/rectifications/",
                            "/credit/manage/", "/credit/manage/?tab=listed", org_credit,
                            "/procurement/qualification/manage/", "/procurement/work/supervision/"]),
        ("founder", ["/accounts/", "/applications/"]),
        ("purchaser_zhuhai", ["/accounts/", "/procurement/work/projects/"]),
        ("evaluator", ["/accounts/", "/procurement/work/evaluations/"]),
        ("admin", ["/accounts/", "/admin/", "/accounts/security/users/"]),
        ("officer_foshan", ["/accounts/", "/credit/manage/", org_credit]),  # the last: Zhuhai's, a 404
    ]


def _walk(browser, base: str, role: str, paths: list[str], width: int, problems: list[str]) -> None:
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
    page = context.new_page()
    where = {"path": ""}
    page.on("console", lambda m: problems.append(f"{role} {width}px {where['path']}: console {m.type}: {m.text}")
            if m.type == "error" and "404 (Not Found)" not in m.text else None)
    page.on("pageerror", lambda e: problems.append(f"{role} {width}px {where['path']}: script error {e}"))
    page.on("response", lambda r: problems.append(f"{role} {width}px {where['path']}: {r.status} for {r.url}")
            if r.status >= 500 else None)
    if role != "public":
        page.goto(f"{base}/accounts/login/")
        page.fill("input[name=username]", role)
        page.fill("input[name=password]", E2E_PASSWORD)
        page.locator("form button[type=submit]").last.click()
        page.wait_for_url(f"{base}/accounts/")
    for path in paths:
        where["path"] = path
        response = page.goto(base + path)
        page.wait_for_load_state("networkidle")
        status = response.status if response else 0
        expected_404 = role == "officer_foshan" and path.startswith("/credit/manage/orgs/")
        if expected_404 and status != 404:
            problems.append(f"{role}: {path} gave {status}, not 404 (another city's organization)")
        for finding in page.evaluate(PAGE_CHECKS, MAX_ROWS):
            problems.append(f"{role} {width}px {path}: {finding}")
        slug = re.sub(r"[^A-Za-z0-9]+", "-", path).strip("-") or "home"
        page.screenshot(path=str(SHOTS / f"{role}-{slug[:60]}-{width}.png"), full_page=True)
    context.close()


def test_every_role_walks_its_key_pages_at_desktop_and_phone_width(live_server, browser):
    SHOTS.mkdir(parents=True, exist_ok=True)
    _demo_data()
    problems: list[str] = []
    for role, paths in _pages():
        for width in WIDTHS:
            _walk(browser, live_server.url, role, paths, width, problems)
    assert problems == [], "\n".join(problems)
