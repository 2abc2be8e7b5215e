"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium; Playwright cannot
download its own browser here). `make test` installs Chromium through scripts/system-deps.sh."""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in this thread; the live server's database access
# happens in Django's server thread, and fixtures touch the database from here between calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("GONGXIN_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make test` (it installs Debian's chromium)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()




E2E_PASSWORD = "Correct-horse-9"


def e2e_user(username, **fields):
    """A user for a browser test (role and scope in ``fields``), with the shared password."""
    from gongxin.accounts.models import User

    user = User(username=username, **fields)
    user.set_password(E2E_PASSWORD)
    user.save()
    return user


def login(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", E2E_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(f"{live_server.url}/accounts/")
