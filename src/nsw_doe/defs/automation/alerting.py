"""Alerts to the webhook in NSW_DOE_ALERT_WEBHOOK_URL (see nsw_doe.alerts): one message per failed run, and one per
asset check that starts failing. On by default: without the variable they post nothing.

A failed asset check does not fail its run (dagster-io/dagster#29896), so a run-failure sensor never hears of it;
the check sensor reads the checks' evaluations from the event log instead, after the storage id in its cursor.

A check alerts when it starts failing: its evaluation fails and its previous one (as this sensor saw it) passed,
or this is the first failure the sensor sees. A check that keeps failing run after run stays quiet until it has
passed again: a WARN check that lists known exceptions (five zones name a school missing from the latest list)
fails on every build, and an alert per build would teach people to ignore the channel.

Both sensors send each alert at most once: a post that fails is reported on the sensor's tick (a failed tick for a
run, the skip reason and an error in the log for a check) and not retried, so a webhook that comes back is not
flooded with stale alerts.
"""

import json

import dagster as dg

from nsw_doe.alerts import WEBHOOK_ENV, AlertError, check_failure_alert, error_first_line, run_failure_alert, send

# evaluations read per tick; any more wait for the next tick (the cursor only moves past what was read)
CHECK_EVALUATIONS_PER_TICK = 1000


@dg.run_failure_sensor(
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Posts one message per failed run of this code location's jobs to NSW_DOE_ALERT_WEBHOOK_URL.",
)
def alert_on_run_failure(context: dg.RunFailureSensorContext) -> None:
    steps = context.get_step_failure_events()
    error = steps[0].step_failure_data.error if steps else context.failure_event.job_failure_data.error
    alert = run_failure_alert(
        context.dagster_run.job_name,
        [e.step_key for e in steps],
        error_first_line(error) if error else context.failure_event.message or "The run failed.",
        context.dagster_run.run_id,
    )
    send(alert, context.log)  # an AlertError fails this tick with its message, and is not retried


def _evaluations_after(instance: dg.DagsterInstance, storage_id: int | None, limit: int) -> list:
    records = instance.event_log_storage.get_event_records(
        dg.EventRecordsFilter(event_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION, after_cursor=storage_id),
        limit=limit,
        ascending=storage_id is not None,
    )
    return list(records)


@dg.sensor(
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
    description="Posts one message per asset check that starts failing to NSW_DOE_ALERT_WEBHOOK_URL.",
)
def alert_on_failed_check(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    if context.cursor is None:
        # The first tick starts from now, as Dagster's run-status sensors do: past failures are not alerted.
        latest = _evaluations_after(context.instance, None, limit=1)
        after = latest[0].storage_id if latest else 0
        return dg.SensorResult(
            skip_reason="First tick: alerts start with the next check evaluation.",
            cursor=json.dumps({"after": after, "failing": []}),
        )
    state = json.loads(context.cursor)
    failing = set(state["failing"])
    records = _evaluations_after(context.instance, state["after"], CHECK_EVALUATIONS_PER_TICK)
    started, sent, undelivered = 0, 0, []
    for record in records:
        evaluation = record.event_log_entry.dagster_event.asset_check_evaluation_data
        check = evaluation.asset_check_key.to_user_string()
        if evaluation.passed:
            failing.discard(check)
            continue
        if check in failing:  # still failing: alerted when it started
            continue
        failing.add(check)
        started += 1
        alert = check_failure_alert(
            record.event_log_entry.job_name or "(no job)",
            check,
            evaluation.severity.value,
            evaluation.description,
            record.event_log_entry.run_id,
        )
        try:
            sent += send(alert, context.log)
        except AlertError as exc:
            context.log.error(f"{check}: {exc}")
            undelivered.append(str(exc))
    cursor = json.dumps({"after": records[-1].storage_id if records else state["after"], "failing": sorted(failing)})
    if undelivered:
        reason = f"{len(undelivered)} alert(s) could not be sent (not retried): {undelivered[0]}"
    elif not started:
        reason = f"No check started failing in {len(records)} new evaluation(s)."
    elif not sent:
        reason = f"{started} check(s) started failing; alerts are off ({WEBHOOK_ENV} is not set)."
    else:
        reason = None
    return dg.SensorResult(skip_reason=reason, cursor=cursor)
