"""The report app in a real browser (Debian's Chromium, headless, through Playwright) against `nsw-doe app` on
127.0.0.1 over the test suite's warehouse: every page draws with no console error, no Streamlit exception box and no
request leaving 127.0.0.1, and breaks no accessibility rule axe-core checks but those only Streamlit can fix.
Screenshots of every page land in test-artifacts/screenshots/, axe-core's counts per page in test-artifacts/axe/."""

import io
import json
import re
from collections import Counter
from urllib.parse import parse_qs, urlparse

import pytest
from PIL import Image, ImageColor
from playwright.sync_api import expect, sync_playwright

from nsw_doe.app.pages import PAGES
from nsw_doe.intake_zones import ZoneIndex
from nsw_doe.settings import PROJECT_ROOT
from tests.browser import (
    PageProblems,
    axe_violations,
    launch_chromium,
    new_page,
    open_app_page,
    screenshot,
    serve_app,
    wait_until_drawn,
)
from tests.conftest import publish_a_new_build

SCREENSHOTS = PROJECT_ROOT / "test-artifacts" / "screenshots"
AXE_COUNTS = PROJECT_ROOT / "test-artifacts" / "axe"
ALL_PAGES = [entry for entries in PAGES.values() for entry in entries]
# Every page of the navigation (/school without a school is its picker, /compare without schools its picker), a
# school's profile and a comparison.
AXE_PAGES = [entry.url_path for entry in ALL_PAGES] + [
    "school?school=1001",
    "compare?schools=1001,2840,8135",
    "near?place=Parramatta",
]
# A parent's phone and a principal's desktop.
WIDTHS = {"desktop": 1280, "phone": 390}
# What axe-core finds that only Streamlit can fix, in markup of its own: (rule id, CSS selector of the elements the rule
# is excused on, why). Nothing else is excused, whatever its impact; an entry that no longer matches on a page fails
# the test, so that the list shrinks when Streamlit mends its markup.
AXE_ALLOWED = [
    (
        "list",
        '[data-testid="stSidebarNavItems"]',
        "Streamlit's page navigation wraps each section's <li>s in a <div> inside its <ul>, which may hold only <li>s",
    ),
    (
        "listitem",
        '[data-testid="stSidebarNavItems"] li',
        "the same navigation's page links: each <li>'s parent is that section <div>, not a list",
    ),
]
AXE_ALLOWED_PAIRS = [(rule, selector) for rule, selector, _ in AXE_ALLOWED]


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
    page = new_page(chromium)
    problems = PageProblems()
    yield problems.watch(page), problems
    page.context.close()


@pytest.mark.parametrize("entry", ALL_PAGES, ids=[entry.url_path or "overview" for entry in ALL_PAGES])
def test_every_page_draws_offline_without_errors(app_url, browser_page, entry):
    page, problems = browser_page
    open_app_page(page, f"{app_url}/{entry.url_path}")
    screenshot(page, SCREENSHOTS / f"{entry.url_path or 'overview'}.png")
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


def metric_values(page) -> dict[str, str]:
    """The st.metric tiles on the page: label -> value as shown."""
    tiles = page.locator('[data-testid="stMetric"]')
    return {
        tiles.nth(i).locator('[data-testid="stMetricLabel"]').inner_text().strip(): tiles.nth(i)
        .locator('[data-testid="stMetricValue"]')
        .inner_text()
        .strip()
        for i in range(tiles.count())
    }


def test_the_overview_shows_the_warehouse_numbers(app_url, browser_page, con):
    page, problems = browser_page
    open_app_page(page, app_url)
    year, schools, students = con.execute(
        "select calendar_year, count(distinct school_code), sum(headcount) from marts.fct__enrolment "
        "group by 1 order by 1 desc limit 1"
    ).fetchone()
    shown = metric_values(page)
    assert shown[f"Government schools, {year}"] == f"{schools:,}"
    assert shown[f"Students, {year}"] == f"{students:,}"
    assert not problems, problems


def test_the_school_map_draws_its_points(app_url, browser_page):
    """The deck.gl canvas of /schools has pixels in the colour of each level of schooling it shows."""
    from nsw_doe.app.maps import LEVEL_COLOURS

    page, problems = browser_page
    open_app_page(page, f"{app_url}/schools")
    canvas = page.locator('[data-testid="stDeckGlJsonChart"] canvas').first
    box = canvas.bounding_box()
    assert box["width"] > 400 and box["height"] > 300
    page.wait_for_timeout(500)  # deck.gl draws on the next animation frames
    image = Image.open(io.BytesIO(canvas.screenshot())).convert("RGB")
    pixels = Counter(image.getdata())
    for level in ("Primary School", "Secondary School"):
        colour = ImageColor.getrgb(LEVEL_COLOURS[level])
        near = sum(n for rgb, n in pixels.items() if max(abs(a - b) for a, b in zip(rgb, colour, strict=True)) < 24)
        assert near > 30, level
    assert not problems, problems


def test_a_school_profile_opens_by_url_and_from_the_table(app_url, browser_page, con):
    page, problems = browser_page
    name = con.execute("select school_name from marts.dim__school where school_code = 1001 and is_current").fetchone()
    open_app_page(page, f"{app_url}/school?school=1001")
    expect(page.locator("h1").first).to_contain_text(name[0])
    # Search for it on /schools, then follow its name in the list of matches (a new tab, as every profile link).
    open_app_page(page, f"{app_url}/schools?q=1001")
    with page.context.expect_page() as opened:
        page.locator('[data-testid="stTable"]').get_by_role("link", name=name[0]).click()
    profile = problems.watch(opened.value)
    profile.wait_for_url(f"{app_url}/school?school=1001")
    wait_until_drawn(profile)
    expect(profile.locator("h1").first).to_contain_text(name[0])
    # The sortable table, on request: ticking a row opens the profile in the same tab.
    page.get_by_text("Every column, sortable").click()
    grid = page.locator('[data-testid="stDataFrame"]').first
    grid.scroll_into_view_if_needed()
    wait_until_drawn(page)
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)
    page.wait_for_url(f"{app_url}/school?school=1001")
    expect(page.locator("h1").first).to_contain_text(name[0])
    assert not problems, problems


def axe_check(page, path: str) -> tuple[list[str], set[tuple[str, str]]]:
    """What axe-core finds on the page as drawn that AXE_ALLOWED does not excuse, and every chart without a text
    alternative (axe cannot tell: a chart's container has a role only when it has one); and the (rule, selector) pairs
    of AXE_ALLOWED that excused something. Its counts per rule land in test-artifacts/axe/."""
    violations = axe_violations(page, AXE_ALLOWED_PAIRS)
    record_axe_counts(path, violations)
    own = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at {node['target']}"
        for violation in violations
        for node in violation["nodes"]
        if node["allowed_by"] is None
    ]
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    own += [
        f"chart {i} has no description" for i in range(charts.count()) if not charts.nth(i).get_attribute("aria-label")
    ]
    excused = {(violation["id"], node["allowed_by"]) for violation in violations for node in violation["nodes"]}
    return own, excused - {(rule, None) for rule, _ in excused}


def sized_page(chromium, width: int):
    """A fresh tab `width` px wide and what goes wrong in it."""
    page = new_page(chromium)
    page.set_viewport_size({"width": width, "height": 900})
    problems = PageProblems()
    return problems.watch(page), problems


# The page's own elements: what must fit a phone's width (a grid may scroll inside itself, but not past the screen).
CONTENT = ", ".join(
    f'[data-testid="stMain"] [data-testid="{kind}"]'
    for kind in (
        "stVegaLiteChart",
        "stDeckGlJsonChart",
        "stDataFrame",
        "stTable",
        "stMarkdownContainer",
        "stCaptionContainer",
        "stMetric",
        "stHorizontalBlock",
    )
)
PAST_THE_SCREEN = f"""
() => [...document.querySelectorAll({CONTENT!r})]
    .filter(element => element.getBoundingClientRect().right > window.innerWidth + 1)
    .map(element => element.dataset.testid + ": " + (element.ariaLabel || element.innerText).slice(0, 80))
"""


@pytest.mark.parametrize("path", AXE_PAGES)
def test_every_page_fits_a_phone(app_url, chromium, path):
    page, problems = sized_page(chromium, WIDTHS["phone"])
    open_app_page(page, f"{app_url}/{path}")
    assert page.evaluate(PAST_THE_SCREEN) == []
    page.context.close()
    assert not problems, problems


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_three_schools_compared_and_the_url_shared(app_url, chromium, width):
    """A parent adds three schools to /compare one by one; the address bar then opens the same comparison fresh."""
    page, problems = sized_page(chromium, width)
    open_app_page(page, f"{app_url}/compare")
    picker = page.get_by_role("combobox", name=re.compile("Schools to compare"))
    for code in ("1001", "2840", "8135"):
        picker.click()
        picker.fill(code)
        page.keyboard.press("Enter")
        wait_until_drawn(page)
    shared = page.url
    assert parse_qs(urlparse(shared).query)["schools"] == ["1001,2840,8135"]
    chosen = page.locator('[data-testid="stMultiSelectTagsContainer"] [data-tag]')
    expect(chosen).to_have_count(3)
    page.context.close()

    fresh, fresh_problems = sized_page(chromium, width)
    open_app_page(fresh, shared)
    tags = fresh.locator('[data-testid="stMultiSelectTagsContainer"] [data-tag]')
    assert [tags.nth(i).inner_text().split(" — ")[0] for i in range(3)] == [
        "Abbotsford Public School",
        "Parramatta Public School",
        "Parramatta High School",
    ]
    expect(fresh.get_by_role("heading", name="Attendance")).to_be_visible()
    assert fresh.locator('[data-testid="stException"]').count() == 0
    screenshot(fresh, SCREENSHOTS / f"compare_{width}.png")
    own, _ = axe_check(fresh, f"compare_{width}")
    assert not own, own
    fresh.context.close()
    assert not problems and not fresh_problems, (problems, fresh_problems)


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_a_parent_types_a_suburb_and_reaches_the_zone_schools_profiles(app_url, chromium, con, width):
    """A parent on /near types their postcode, sees the primary school whose intake zone holds it, and opens its
    profile from the link."""
    latitude, longitude = con.execute(
        "select latitude, longitude from reporting.rpt__place where place_kind = 'postcode' and place_name = '2046'"
    ).fetchone()
    zones = con.execute("select * from marts.dim__intake_zone where school_code != -1").df()
    found = ZoneIndex(zones).containing(longitude, latitude)
    (primary,) = found.query("zone_status == 'current' and zone_level == 'primary'")["school_name"]
    page, problems = sized_page(chromium, width)
    open_app_page(page, f"{app_url}/near")
    box = page.get_by_label("Your suburb or postcode, or a point as latitude, longitude")
    box.fill("2046")
    box.press("Enter")
    link = page.get_by_role("link", name=primary)
    expect(link).to_be_visible(timeout=30_000)
    wait_until_drawn(page)
    assert parse_qs(urlparse(page.url).query)["place"] == ["2046"]
    screenshot(page, SCREENSHOTS / f"near_{width}.png")
    own, _ = axe_check(page, f"near_2046_{width}")
    assert not own, own
    with page.context.expect_page() as opened:  # a link in the page's text opens in a new tab
        link.click()
    profile = opened.value
    expect(profile.locator("h1").first).to_contain_text(primary, timeout=30_000)
    page.context.close()
    assert not problems, problems


def test_a_click_on_the_map_between_schools_moves_the_point_there(app_url, browser_page, con):
    page, problems = browser_page
    start = "lat=-32.24000&lon=148.60000"  # Dubbo: schools in town, wide rural zones around it
    open_app_page(page, f"{app_url}/near?{start}")
    canvas = page.locator('[data-testid="stDeckGlJsonChart"] canvas').first
    canvas.scroll_into_view_if_needed()
    wait_until_drawn(page)
    box = canvas.bounding_box()
    where = (box["x"] + box["width"] / 2 + 80, box["y"] + box["height"] / 2 + 120)
    page.mouse.move(*where)  # as a hand does: deck.gl picks what is under the pointer as it moves
    expect(page.get_by_text("Click to put your point here")).to_be_visible()
    page.mouse.click(*where)
    page.wait_for_function(f"() => location.search.includes('lat=') && !location.search.includes({start!r})")
    wait_until_drawn(page)
    moved = {key: float(values[0]) for key, values in parse_qs(urlparse(page.url).query).items()}
    schools = con.execute("select latitude, longitude from reporting.rpt__school_current where is_current").fetchall()
    assert (moved["lat"], moved["lon"]) not in {(round(lat, 5), round(lon, 5)) for lat, lon in schools}
    assert -32.24 - 0.5 < moved["lat"] < -32.24 and 148.6 < moved["lon"] < 148.6 + 0.5  # south-east, as clicked
    expect(page.get_by_role("heading", name="Your intake-zone schools")).to_be_visible()
    assert not problems, problems


@pytest.mark.parametrize("width", WIDTHS.values(), ids=WIDTHS.keys())
def test_a_principal_sees_the_schools_like_theirs(app_url, chromium, con, width):
    code, size = con.execute(
        "select school_code, like_group_size from reporting.rpt__like_school join reporting.rpt__school_current "
        "using (school_code) where school_name = 'Enngonia Public School'"
    ).fetchone()
    page, problems = sized_page(chromium, width)
    open_app_page(page, f"{app_url}/school?school={code}")
    section = page.get_by_role("heading", name="Schools like this one")
    section.scroll_into_view_if_needed()
    expect(section).to_be_visible()
    expect(page.get_by_text(f"This school is compared with the {size} other primary schools")).to_be_visible()
    chart = page.locator('[data-testid="stVegaLiteChart"][aria-label*="schools like it"]')
    expect(chart).to_have_count(1)
    (member,) = con.execute(
        "select s.school_name from reporting.rpt__like_school_member as m join reporting.rpt__school_current as s "
        "on s.school_code = m.member_school_code where m.school_code = ? order by 1 limit 1",
        [code],
    ).fetchone()
    page.get_by_text(f"The {size} schools like this one").click()
    expect(page.get_by_role("link", name=member, exact=True)).to_be_visible()
    screenshot(page, SCREENSHOTS / f"school_like_schools_{width}.png")
    own, _ = axe_check(page, f"school_{code}_{width}")
    assert not own, own
    page.context.close()
    assert not problems, problems


def record_axe_counts(path: str, violations: list[dict]) -> None:
    """test-artifacts/axe/<page>.json: per rule axe-core found broken, its impact, how many elements break it and how
    many of those the allow-list excuses."""
    counts = {
        violation["id"]: {
            "impact": violation["impact"],
            "elements": len(violation["nodes"]),
            "allowed": sum(node["allowed_by"] is not None for node in violation["nodes"]),
        }
        for violation in violations
    }
    AXE_COUNTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"\W+", "_", path) or "overview"
    (AXE_COUNTS / f"{name}.json").write_text(json.dumps({"page": f"/{path}", "violations": counts}, indent=2) + "\n")


@pytest.mark.parametrize("path", AXE_PAGES, ids=[path or "overview" for path in AXE_PAGES])
def test_no_page_breaks_an_accessibility_rule_of_its_own(app_url, browser_page, path):
    """axe-core (WCAG 2 A and AA, best practices) finds nothing on the page that AXE_ALLOWED does not excuse, and every
    chart has a text alternative: axe cannot tell, since a chart's container has a role only when it has one."""
    page, problems = browser_page
    open_app_page(page, f"{app_url}/{path}")
    own, excused = axe_check(page, path)
    assert not own, own
    assert excused == set(AXE_ALLOWED_PAIRS), "an allow-list entry matches nothing on this page: remove it"
    assert not problems, problems


def test_axe_reports_every_violation_the_allow_list_does_not_excuse(chromium):
    page = new_page(chromium)
    page.set_content(
        '<main><h1>Lists</h1><ul data-testid="stSidebarNavItems"><div><li>excused</li></div></ul>'
        '<ul><div><li>not excused</li></div></ul><p style="color: #aaaaaa">faint</p></main>'
    )
    violations = {violation["id"]: violation for violation in axe_violations(page, AXE_ALLOWED_PAIRS)}
    page.context.close()
    assert [node["allowed_by"] for node in violations["listitem"]["nodes"]] == [AXE_ALLOWED[1][1], None]
    assert [node["allowed_by"] for node in violations["color-contrast"]["nodes"]] == [None]
    assert violations["color-contrast"]["impact"] == "serious"
