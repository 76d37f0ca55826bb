"""The report app in a real browser (Debian's Chromium, headless, through Playwright) against `nsw-doe app` on
127.0.0.1 over the test suite's warehouse: every page draws with no console error, no Streamlit exception box and no
request leaving 127.0.0.1. Screenshots of every page land in test-artifacts/screenshots/."""

import pytest
from playwright.sync_api import expect, sync_playwright

from nsw_doe.app.pages import PAGES
from nsw_doe.settings import PROJECT_ROOT
from tests.browser import VIEWPORT, PageProblems, launch_chromium, open_app_page, serve_app
from tests.conftest import publish_a_new_build

SCREENSHOTS = PROJECT_ROOT / "test-artifacts" / "screenshots"
ALL_PAGES = [entry for entries in PAGES.values() for entry in entries]


@pytest.fixture(scope="session")
def chromium():
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def app_url(built):
    with serve_app(built[0].warehouse_dir) as url:
        yield url


@pytest.fixture
def browser_page(chromium):
    """A fresh browser tab and what goes wrong in it."""
    context = chromium.new_context(viewport=VIEWPORT)
    problems = PageProblems()
    yield problems.watch(context.new_page()), problems
    context.close()


def screenshot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


@pytest.mark.parametrize("entry", ALL_PAGES, ids=[entry.url_path or "overview" for entry in ALL_PAGES])
def test_every_page_draws_offline_without_errors(app_url, browser_page, entry):
    page, problems = browser_page
    open_app_page(page, f"{app_url}/{entry.url_path}")
    screenshot(page, entry.url_path or "overview")
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator("h1").first.inner_text().strip()
    assert page.locator('[data-testid="stSidebar"]').inner_text().count("Built ") == 1
    assert not problems, problems


def test_a_build_published_while_the_app_is_open_shows_after_the_next_click(own_warehouse, browser_page):
    page, problems = browser_page
    sidebar = page.locator('[data-testid="stSidebar"]')
    with serve_app(own_warehouse.directory) as url:
        open_app_page(page, f"{url}/about")
        assert "Built 01 Jan 2031" not in sidebar.inner_text()
        publish_a_new_build(own_warehouse, "update audit.build set built_at = timestamptz '2031-01-01 09:30:00+00'")
        page.get_by_role("link", name="Data quality").click()
        expect(sidebar).to_contain_text("Built 01 Jan 2031 09:30 UTC")
    assert not problems, problems
