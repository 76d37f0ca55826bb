"""Alerts to the webhook in NSW_DOE_ALERT_WEBHOOK_URL (see nsw_doe.alerts): one message per failed run, and one per
asset check that starts failing. On by default: without the variable they post nothing.

A failed asset check does not fail its run (dagster-io/dagster#29896), so a run-failure sensor never hears of it.
The check sensor reads the latest evaluation of each of the code location's checks from the instance, and keeps in
its cursor (JSON) the checks that were failing. A cursor on the event log's storage id does not work here: `dagster
dev`'s SQLite event log is sharded by run and refuses such a cursor for check evaluations.

A check alerts when it starts failing: its latest evaluation failed and the one before it (as this sensor saw it)
passed, or the sensor has not seen it fail before. A check that keeps failing run after run stays quiet until it
has passed again: a WARN check that lists known exceptions (five zones name a school missing from the latest list)
fails on every build, and an alert per build would teach people to ignore the channel.

Both sensors send each alert at most once: a post that fails is reported on the sensor's tick (a failed tick for a
run, the skip reason and an error in the log for a check) and not retried, so a webhook that comes back is not
flooded with stale alerts.
"""

import json

import dagster as dg

from nsw_doe.alerts import WEBHOOK_ENV, AlertError, check_failure_alert, error_first_line, run_failure_alert, send


@dg.run_failure_sensor(
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Posts one message per failed run of this code location's jobs to NSW_DOE_ALERT_WEBHOOK_URL.",
)
def alert_on_run_failure(context: dg.RunFailureSensorContext) -> None:
    steps = context.get_step_failure_events()
    run_failure = context.failure_event.event_specific_data  # None when the failure was reported without details
    error = steps[0].step_failure_data.error if steps else getattr(run_failure, "error", None)
    alert = run_failure_alert(
        context.dagster_run.job_name,
        [e.step_key for e in steps],
        error_first_line(error) if error else context.failure_event.message or "The run failed.",
        context.dagster_run.run_id,
    )
    send(alert, context.log)  # an AlertError fails this tick with its message, and is not retried


@dg.sensor(
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
    description="Posts one message per asset check that starts failing to NSW_DOE_ALERT_WEBHOOK_URL.",
)
def alert_on_failed_check(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    keys = list(context.repository_def.asset_graph.asset_check_keys)
    latest = context.instance.event_log_storage.get_latest_asset_check_execution_by_key(keys)
    # the latest evaluation of each check, if it has finished (a check running now has only its planned event)
    finished = {
        key.to_user_string(): record.event
        for key, record in latest.items()
        if record.event is not None and record.event.dagster_event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION
    }
    failing_now = {c for c, event in finished.items() if not event.dagster_event.asset_check_evaluation_data.passed}
    if context.cursor is None:
        # The first tick starts from now, as Dagster's run-status sensors do: a check failing already is not alerted.
        return dg.SensorResult(
            skip_reason=f"First tick: {len(failing_now)} check(s) failing already; alerts start with the next failure.",
            cursor=json.dumps({"failing": sorted(failing_now)}),
        )
    before = set(json.loads(context.cursor)["failing"])
    # a check running now keeps its state until it finishes; a check no longer defined is forgotten
    known = {key.to_user_string() for key in keys}
    failing = {c for c in before if c in known and c not in finished} | failing_now
    started = sorted(failing_now - before)
    sent, undelivered = 0, []
    for check in started:
        event = finished[check]
        evaluation = event.dagster_event.asset_check_evaluation_data
        alert = check_failure_alert(
            event.job_name or "(no job)", check, evaluation.severity.value, evaluation.description, event.run_id
        )
        try:
            sent += send(alert, context.log)
        except AlertError as exc:
            context.log.error(f"{check}: {exc}")
            undelivered.append(str(exc))
    cursor = json.dumps({"failing": sorted(failing)})
    if undelivered:
        reason = f"{len(undelivered)} alert(s) could not be sent (not retried): {undelivered[0]}"
    elif not started:
        reason = f"No check started failing ({len(failing)} failing, as before)."
    elif not sent:
        reason = f"{len(started)} check(s) started failing; alerts are off ({WEBHOOK_ENV} is not set)."
    else:
        reason = None
    return dg.SensorResult(skip_reason=reason, cursor=cursor)
