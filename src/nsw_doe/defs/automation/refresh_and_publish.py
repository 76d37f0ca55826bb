"""Refresh the snapshot from data.nsw.gov.au and build and publish the warehouse: the job, a sensor that starts it
when a resource of a watched CKAN package changes, and a daily schedule as the simple alternative.

Both are off by default: they need the internet. Turn them on in the UI's Automation page (`nsw-doe ui`).
"""

import json

import dagster as dg

from nsw_doe.build import BuildError, run_build
from nsw_doe.destinations import DestinationError
from nsw_doe.settings import load_settings
from nsw_doe.sources.catalog import CatalogError, load_manifest
from nsw_doe.sources.ckan import CkanClient, PortalError
from nsw_doe.sources.portal_watch import changes, portal_state, watched_packages
from nsw_doe.sources.refresh import refresh
from nsw_doe.warehouse import WarehouseError

# A sensor tick must finish within Dagster's 60 s; two packages, each at most two 10 s attempts, fit.
POLL_TIMEOUT_SECONDS = 10
POLL_ATTEMPTS = 2


@dg.op(description="`nsw-doe sources refresh`: add any new vintage on the portal to the snapshot.")
def refresh_snapshot(context: dg.OpExecutionContext) -> None:
    outcomes = refresh(load_settings())
    for outcome in outcomes:
        context.log.info(f"{outcome.status} {outcome.dataset}: {outcome.message}")
    failed = [o for o in outcomes if o.status == "failed"]
    if failed:
        raise dg.Failure(description="\n".join(f"{o.dataset} failed to refresh: {o.message}" for o in failed))


@dg.op(
    ins={"refreshed": dg.In(dg.Nothing)},
    description="`nsw-doe build`: build every asset into a fresh file and publish it if all went well.",
)
def build_and_publish(context: dg.OpExecutionContext) -> None:
    try:
        summary = run_build(load_settings())
    except (BuildError, DestinationError, WarehouseError) as exc:
        raise dg.Failure(description=str(exc)) from None
    context.log.info(
        f"Published {summary.warehouse}: {summary.materialized} assets, {summary.checks_passed} checks passed, "
        f"{len(summary.checks_warned)} warned."
    )
    # The build ran in an instance of its own, so its WARN checks reach this run's log only through its summary.
    for line in [*(f"WARN check failed: {c}" for c in summary.checks_warned), *summary.warnings]:
        context.log.warning(line)


@dg.job(description="Refresh the snapshot from data.nsw.gov.au, then build and publish the warehouse.")
def refresh_and_publish():
    build_and_publish(refresh_snapshot())


refresh_and_publish_daily = dg.ScheduleDefinition(
    name="refresh_and_publish_daily",
    job=refresh_and_publish,
    cron_schedule="0 6 * * *",
    execution_timezone="Australia/Sydney",
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Refresh and publish every morning at 06:00 Sydney time, whether or not the portal changed.",
)


@dg.sensor(
    job=refresh_and_publish,
    minimum_interval_seconds=3600,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description=(
        "Polls CKAN package_show for every package of the manifest (hourly) and starts refresh_and_publish when a "
        "resource is added, removed, or changes its last_modified or size. The first tick only records what the "
        "portal holds."
    ),
)
def portal_resources_changed(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    settings = load_settings()
    client = CkanClient(settings.portal_url, timeout=POLL_TIMEOUT_SECONDS, attempts=POLL_ATTEMPTS)
    try:
        packages = watched_packages(load_manifest(settings.manifest_path))
        seen = portal_state(client, packages)
    except (CatalogError, PortalError) as exc:
        # The cursor stays as it was, so a change made meanwhile is still found on the next tick.
        return dg.SkipReason(f"Could not poll the portal {settings.portal_url}: {exc}")
    cursor = json.dumps(seen, sort_keys=True)
    watched = f"{sum(len(r) for r in seen.values())} resources of {len(seen)} packages"
    if context.cursor is None:
        return dg.SensorResult(
            skip_reason=f"First poll: recorded {watched}; a change to one starts a run.",
            cursor=cursor,
        )
    changed = changes(json.loads(context.cursor), seen)
    if not changed:
        return dg.SensorResult(skip_reason=f"No change in {watched}.", cursor=cursor)
    context.log.info("The portal changed:\n" + "\n".join(changed))
    return dg.SensorResult(run_requests=[dg.RunRequest()], cursor=cursor)
