"""The report app's speed as a reader meets it, in a real browser (part of `make bench`).

Each run starts a fresh `nsw-doe app` (nothing imported, nothing cached) and a fresh browser context, then times:
the first load of `/`, of `/schools`, of `/school?school=1001` and of `/compare` with four schools (pages whose
queries nobody has run yet), a filter change on `/schools` (from the click to the page's last change), and a zone
lookup on `/near` (from pressing Enter on a typed suburb to the page's last change, the zone index built already).
A load ends at the page's last change once the script has finished and every chart and map has drawn
(tests/browser.py). The floor, in the same run, is a second load of `/about` (a text page whose queries are
cached): what Streamlit itself costs to put a page on screen.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.browser import launch_chromium, new_page, now_ms, open_app_page, serve_app, wait_until_drawn

SCHOOL = 1001
COMPARED = "1001,2840,8135,3626"
PLACES = ("Parramatta", "Dubbo")  # the first builds the zone index; the second is the lookup timed
TARGETS = {
    "first load of /": 3.0,
    "first load of /schools": 2.0,
    f"first load of /school?school={SCHOOL}": 2.5,
    f"first load of /compare?schools={COMPARED}": 3.0,
    "filter change on /schools": 1.0,
    "zone lookup on /near": 1.0,
}


def change_a_filter(page: Page, url: str) -> float:
    """Load /schools, then time one filter change: from choosing a level of schooling to the new count shown."""
    open_app_page(page, f"{url}/schools")
    count = page.locator('[data-testid="stMetricValue"]').first
    before = count.inner_text()
    page.get_by_text("Filter by council area").click()
    wait_until_drawn(page)  # the filters drawn
    page.get_by_label("Level of schooling").click()
    started = now_ms(page)
    page.get_by_role("option", name="Secondary School").click()
    expect(count).not_to_have_text(before, timeout=30_000)
    return (wait_until_drawn(page) - started) / 1000


def look_up_a_zone(page: Page, url: str) -> float:
    """Open /near for one place (building the zone index), then time the lookup of another: from Enter to drawn."""
    open_app_page(page, f"{url}/near?place={PLACES[0]}")
    box = page.get_by_label("Your suburb or postcode, or a point as latitude, longitude")
    box.fill(PLACES[1])
    started = now_ms(page)
    box.press("Enter")
    expect(page.get_by_text(f"{PLACES[1]} 2830 is placed")).to_be_visible(timeout=30_000)
    return (wait_until_drawn(page) - started) / 1000


def one_run(browser, warehouse_dir: Path) -> dict[str, float]:
    with serve_app(warehouse_dir) as url:
        timings = {}
        for path in ["", "schools", f"school?school={SCHOOL}", f"compare?schools={COMPARED}"]:
            page = new_page(browser)
            timings[f"first load of /{path}"] = open_app_page(page, f"{url}/{path}")
            page.context.close()
        page = new_page(browser)
        timings["filter change on /schools"] = change_a_filter(page, url)
        timings["zone lookup on /near"] = look_up_a_zone(page, url)
        open_app_page(page, f"{url}/about")
        timings["floor: cached text page (/about)"] = open_app_page(page, f"{url}/about")
        page.context.close()
    return timings


def time_app(warehouse_dir: Path, runs: int) -> dict[str, list[float]]:
    """Seconds of each timing, one per run."""
    samples: dict[str, list[float]] = {}
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        for run in range(runs):
            for name, seconds in one_run(browser, warehouse_dir).items():
                samples.setdefault(name, []).append(seconds)
            print(f"app run {run + 1}/{runs} done", file=sys.stderr)
        browser.close()
    return samples


def print_app_timings(samples: dict[str, list[float]], runs: int) -> None:
    print(f"\nreport app in Chromium (median s of {runs}, each run a fresh server and browser context):")
    for name, values in samples.items():
        median = statistics.median(values)
        target = TARGETS.get(name)
        verdict = "" if target is None else f"  target <= {target:g} s: {'met' if median <= target else 'MISSED'}"
        print(f"  {name:40} {median:6.2f}  (min {min(values):.2f}, max {max(values):.2f}){verdict}")
