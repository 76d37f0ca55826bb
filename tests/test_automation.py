"""The portal sensor against a fake data.nsw.gov.au, and the refresh-and-publish job it and the schedule start."""

import json

import dagster as dg
import pytest

from nsw_doe.defs.automation.alerting import alert_on_failed_check, alert_on_run_failure
from nsw_doe.defs.automation.refresh_and_publish import (
    portal_resources_changed,
    refresh_and_publish,
    refresh_and_publish_daily,
)
from nsw_doe.destinations import TOKEN_ENV
from nsw_doe.settings import load_settings
from nsw_doe.sources.catalog import load_manifest
from nsw_doe.sources.portal_watch import watched_packages
from tests.fake_ckan import API, FakePortal
from tests.test_refresh import master_records, pinned, serve_attendance

pytestmark = pytest.mark.timeout(120)

MASTER_PACKAGE = "78c10ea3-8d04-4c9c-b255-bbf8547e37e7"
MASTER_RESOURCE = "3e6d5f6a-055c-440d-a690-fc0537c31095"
ATTENDANCE_PACKAGE = "b558a070-09f5-4941-a140-e60a744327bf"
ATTENDANCE_RESOURCE = "df5e3989-0595-4c61-94ab-0f63ab6b1528"


@pytest.fixture
def portal(monkeypatch):
    """The manifest's two packages: the master dataset in the datastore, the attendance file as a download."""
    with FakePortal() as portal:
        portal.add_datastore(MASTER_PACKAGE, MASTER_RESOURCE, ["School_code"], [{"School_code": "1"}], "2026-04-07")
        portal.add_download(ATTENDANCE_PACKAGE, ATTENDANCE_RESOURCE, "attendance.csv", b"a,b\n1,2\n", "2023-03-01")
        monkeypatch.setenv("NSW_DOE_PORTAL_URL", portal.url)
        yield portal


class Sensor:
    """The portal sensor, tick after tick, each tick starting from the cursor the last one left."""

    def __init__(self):
        self.cursor = None

    def tick(self):
        data = portal_resources_changed.evaluate_tick(dg.build_sensor_context(cursor=self.cursor))
        self.cursor = data.cursor
        return data


def resource(portal: FakePortal, package_id: str, resource_id: str) -> dict:
    return next(r for r in portal.packages[package_id] if r["id"] == resource_id)


def test_the_sensor_watches_each_package_of_the_manifest_once(portal):
    packages = watched_packages(load_manifest(load_settings().manifest_path))
    assert packages == [MASTER_PACKAGE, ATTENDANCE_PACKAGE]
    Sensor().tick()
    assert sorted(r.params["id"] for r in portal.requests_to("/package_show")) == sorted(packages)


def test_the_first_tick_records_the_portal_and_starts_nothing(portal):
    sensor = Sensor()
    first = sensor.tick()
    assert first.run_requests == []
    assert first.skip_message == "First poll: recorded 2 resources of 2 packages; a change to one starts a run."
    assert json.loads(sensor.cursor)[ATTENDANCE_PACKAGE] == {
        ATTENDANCE_RESOURCE: {"last_modified": "2023-03-01", "size": len(b"a,b\n1,2\n")}
    }
    unchanged = sensor.tick()
    assert unchanged.run_requests == [] and unchanged.skip_message == "No change in 2 resources of 2 packages."


@pytest.mark.parametrize(
    "change",
    [
        lambda p: resource(p, MASTER_PACKAGE, MASTER_RESOURCE).update(last_modified="2026-06-01T02:00:00"),
        lambda p: resource(p, ATTENDANCE_PACKAGE, ATTENDANCE_RESOURCE).update(size=12345),
        lambda p: p.add_download(ATTENDANCE_PACKAGE, "new-resource-2024", "2024.csv", b"a\n1\n", "2024-03-01"),
        lambda p: p.packages[ATTENDANCE_PACKAGE].clear(),
    ],
    ids=["last_modified", "size", "new resource", "resource removed"],
)
def test_a_changed_resource_starts_exactly_one_run(portal, change):
    sensor = Sensor()
    sensor.tick()
    change(portal)
    changed = sensor.tick()
    assert len(changed.run_requests) == 1
    assert changed.run_requests[0].job_name in (None, "refresh_and_publish")
    assert sensor.tick().run_requests == [], "the change is in the cursor now"


def test_a_new_package_level_metadata_modified_alone_starts_nothing(portal):
    sensor = Sensor()
    sensor.tick()
    portal.metadata_modified[MASTER_PACKAGE] = "2026-12-07T09:30:00"
    assert sensor.tick().run_requests == []


def test_a_failing_portal_is_a_skip_naming_the_problem_and_keeps_the_cursor(portal):
    sensor = Sensor()
    sensor.tick()
    before = sensor.cursor
    portal.fail_always(f"{API}/package_show", "409")
    failed = sensor.tick()
    assert failed.run_requests == []
    assert failed.skip_message.startswith(f"Could not poll the portal {portal.url}: package_show for package ")
    assert "answered HTTP 409 (Validation Error" in failed.skip_message
    assert failed.cursor == before

    portal.rules.clear()
    resource(portal, MASTER_PACKAGE, MASTER_RESOURCE)["last_modified"] = "2026-06-01"
    assert len(sensor.tick().run_requests) == 1, "a change made while the portal failed is still found"


@pytest.mark.timeout(900)
def test_the_job_refreshes_then_builds_and_publishes(monkeypatch, tmp_path, capfd):
    """The whole job, offline: a portal holding what the snapshot pinned refreshes nothing; the build publishes."""
    settings = load_settings()
    with FakePortal() as portal:
        fields, records = master_records(settings)
        portal.add_datastore(MASTER_PACKAGE, MASTER_RESOURCE, fields, records, "2026-04-07T00:00:00")
        serve_attendance(portal, settings, data=pinned(settings, "attendance", "2022"))
        monkeypatch.setenv("NSW_DOE_PORTAL_URL", portal.url)
        monkeypatch.setenv("NSW_DOE_WAREHOUSE_DIR", str(tmp_path))
        monkeypatch.delenv("NSW_DOE_ACARA_DIR", raising=False)
        result = refresh_and_publish.execute_in_process()
    assert result.success
    assert (tmp_path / "nsw_doe.duckdb").is_file()
    logged = capfd.readouterr().err
    assert "unchanged master_dataset: the portal's copy matches vintage 2026-04-07" in logged
    assert "unchanged attendance: the portal's copy matches vintage 2022" in logged
    assert f"Published {tmp_path / 'nsw_doe.duckdb'}" in logged
    # the build's own WARN checks reach this run's log (the known exception of the pinned snapshot)
    assert "WARN check failed: marts/dim__intake_zone:assert_current_intake_zones_name_a_listed_school" in logged


def test_the_job_fails_at_the_refresh_with_its_message_and_builds_nothing(monkeypatch):
    with FakePortal() as empty:
        monkeypatch.setenv("NSW_DOE_PORTAL_URL", empty.url)
        result = refresh_and_publish.execute_in_process(raise_on_error=False)
    assert not result.success
    [failure] = [e for e in result.all_events if e.is_step_failure]
    assert failure.step_key == "refresh_snapshot"
    lines = failure.step_failure_data.error.message.splitlines()
    assert lines[0].endswith(
        f"master_dataset failed to refresh: master_dataset: package_show for package {MASTER_PACKAGE} "
        f"(resolving resource {MASTER_RESOURCE}) answered HTTP 404 (Not Found Error: Not found)."
    )
    assert lines[1].startswith("attendance failed to refresh: attendance: package_show")
    assert "build_and_publish" not in {e.step_key for e in result.all_events if e.is_step_start}


def test_the_job_fails_at_the_build_with_its_message(monkeypatch, tmp_path):
    """A refresh with nothing to refresh passes; a build that cannot start fails the op with the build's reason."""
    (tmp_path / "manifest.yml").write_text("datasets: {}\n")
    monkeypatch.setenv("NSW_DOE_SNAPSHOT_DIR", str(tmp_path))
    monkeypatch.setenv("NSW_DOE_WAREHOUSE_DIR", str(tmp_path / "warehouse"))
    monkeypatch.setenv("NSW_DOE_DESTINATION", "motherduck")
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    result = refresh_and_publish.execute_in_process(raise_on_error=False)
    assert not result.success
    [failure] = [e for e in result.all_events if e.is_step_failure]
    assert failure.step_key == "build_and_publish"
    assert failure.step_failure_data.error.cls_name == "Failure"
    assert f"NSW_DOE_DESTINATION=motherduck needs a MotherDuck access token in {TOKEN_ENV}" in (
        failure.step_failure_data.error.message
    )
    assert not (tmp_path / "warehouse" / "nsw_doe.duckdb").exists()


def test_the_refresh_automation_is_off_by_default_and_runs_in_sydney_time_while_alerts_are_on():
    assert portal_resources_changed.default_status == dg.DefaultSensorStatus.STOPPED
    assert refresh_and_publish_daily.default_status == dg.DefaultScheduleStatus.STOPPED
    assert refresh_and_publish_daily.execution_timezone == "Australia/Sydney"
    assert refresh_and_publish_daily.job_name == portal_resources_changed.job_name == "refresh_and_publish"
    assert alert_on_run_failure.default_status == alert_on_failed_check.default_status == dg.DefaultSensorStatus.RUNNING
