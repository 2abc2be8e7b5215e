"""Form helpers in the browser: the long sponsor-unit select filtered by typing and by the
chosen registration authority (static/gongxin/forms.js), under the CSP."""

import os
from pathlib import Path

import pytest

from gongxin.accounts.models import Role
from tests.e2e.conftest import e2e_user, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = Path(os.environ.get("GONGXIN_SCREENSHOTS", "var/screenshots"))


def test_the_sponsor_select_filters_by_typing_and_by_the_authority(live_server, browser, make_org):
    from gongxin.registry.models import SponsorUnit

    for i in range(40):
        SponsorUnit.objects.create(name=f"珠海市第{i}业务主管单位", region_id="440400")
    SponsorUnit.objects.create(name="珠海市科学技术协会", region_id="440400")
    SponsorUnit.objects.create(name="佛山市科学技术协会", region_id="440600")
    e2e_user("founder_forms", role=Role.FOUNDER)
    SHOTS.mkdir(parents=True, exist_ok=True)
    violations, errors = [], []
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 900})
    page = context.new_page()
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, live_server, "founder_forms")
    page.goto(f"{live_server.url}/applications/new/establishment/")
    assert page.get_by_test_id("required-mark").first.is_visible()  # before the first submit
    visible = "#id_sponsor_unit option:not([hidden])"
    assert page.locator(visible).count() == 43  # the blank choice and 42 units
    page.get_by_test_id("search-sponsor_unit").fill("科学技术")
    assert page.locator(visible).all_inner_texts()[1:] == ["佛山市科学技术协会", "珠海市科学技术协会"]
    page.select_option("#id_registration_authority", "440400")  # 珠海市民政局: Zhuhai's units only
    assert page.locator(visible).all_inner_texts()[1:] == ["珠海市科学技术协会"]
    page.select_option("#id_sponsor_unit", label="珠海市科学技术协会")
    page.screenshot(path=str(SHOTS / "forms-sponsor-search-390.png"), full_page=True)
    context.close()
    assert violations == [] and errors == []
