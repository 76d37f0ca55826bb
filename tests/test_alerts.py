"""Alerts on failed runs and failed asset checks, posted to a webhook receiver on 127.0.0.1.

The failing run is the project's own refresh_and_publish job against a fake portal that knows no package; the
sensors are evaluated against the Dagster instance the runs wrote to, tick after tick with the cursor each tick
left, as the daemon does.
"""

import json
import logging
import traceback

import dagster as dg
import pytest

from nsw_doe import alerts
from nsw_doe.defs.automation.alerting import alert_on_failed_check, alert_on_run_failure
from nsw_doe.defs.automation.refresh_and_publish import refresh_and_publish
from tests.fake_ckan import FakePortal
from tests.servers import WebhookReceiver, free_port

pytestmark = pytest.mark.timeout(120)

TOKEN = "T0FAKE/B0FAKE/s3cr3t-t0ken-do-not-log"
UI_URL = "http://dagster.example:3000"


@pytest.fixture
def receiver(monkeypatch):
    with WebhookReceiver() as receiver:
        receiver.url = f"{receiver.base_url}/services/{TOKEN}"
        monkeypatch.setenv(alerts.WEBHOOK_ENV, receiver.url)
        monkeypatch.delenv(alerts.FORMAT_ENV, raising=False)
        monkeypatch.setenv(alerts.UI_URL_ENV, UI_URL)
        yield receiver


class Logs:
    """Everything logged so far: through Python's logging (caplog) and what Dagster's loggers, which do not
    propagate to the root logger, wrote to stdout and stderr."""

    def __init__(self, caplog, capfd):
        self.caplog, self.capfd, self.written = caplog, capfd, ""

    @property
    def text(self) -> str:
        out, err = self.capfd.readouterr()
        self.written += out + err
        return self.caplog.text + self.written


@pytest.fixture
def logs(caplog, capfd) -> Logs:
    caplog.set_level(logging.DEBUG)
    return Logs(caplog, capfd)


@pytest.fixture(params=["in memory", "sqlite"])
def instance(request, tmp_path):
    """Both kinds of event log: in memory (tests, `execute_in_process`) and SQLite sharded by run (`dagster dev`)."""
    if request.param == "in memory":
        with dg.DagsterInstance.ephemeral() as instance:
            yield instance
    else:
        with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
            assert instance.event_log_storage.is_run_sharded
            yield instance


@pytest.fixture
def empty_portal(monkeypatch):
    with FakePortal() as portal:
        monkeypatch.setenv("NSW_DOE_PORTAL_URL", portal.url)
        yield portal


class Ticks:
    """A sensor evaluated tick after tick against an instance, each tick starting from the cursor the last left,
    within the definitions it would be loaded with."""

    def __init__(self, sensor: dg.SensorDefinition, instance: dg.DagsterInstance, definitions=None):
        self.sensor, self.instance, self.cursor = sensor, instance, None
        self.definitions = definitions or dg.Definitions()

    def tick(self):
        context = dg.build_sensor_context(instance=self.instance, cursor=self.cursor, definitions=self.definitions)
        data = self.sensor.evaluate_tick(context)
        self.cursor = data.cursor
        return data


def failed_refresh_run(instance) -> dg.ExecuteInProcessResult:
    result = refresh_and_publish.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    return result


def teams_card(body: dict) -> dict:
    assert body["type"] == "message"
    [attachment] = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    return attachment["content"]


def facts(card: dict) -> dict[str, str]:
    return {f["title"]: f["value"] for block in card["body"] if block["type"] == "FactSet" for f in block["facts"]}


def test_a_failed_run_posts_one_message_with_job_step_error_and_link(receiver, instance, empty_portal):
    sensor = Ticks(alert_on_run_failure, instance)
    sensor.tick()  # the first tick only places the cursor
    run = failed_refresh_run(instance)
    sensor.tick()

    [body] = receiver.bodies
    card = teams_card(body)
    assert facts(card) == {"Job": "refresh_and_publish", "Failed step": "refresh_snapshot"}
    texts = [block["text"] for block in card["body"] if block["type"] == "TextBlock"]
    assert texts[0] == "Dagster run failed: refresh_and_publish"
    # the first line of the op's failure: the first dataset that failed, with the portal's answer
    assert texts[1].startswith("master_dataset failed to refresh: master_dataset: package_show for package 78c10ea3")
    assert "HTTP 404" in texts[1] and "\n" not in texts[1]
    assert card["actions"] == [
        {"type": "Action.OpenUrl", "title": "Open the run in Dagster", "url": f"{UI_URL}/runs/{run.run_id}"}
    ]

    sensor.tick()
    assert len(receiver.bodies) == 1, "a run is alerted once"


def test_a_run_that_fails_outside_any_step_is_alerted_with_its_failure_message(receiver, instance):
    sensor = Ticks(alert_on_run_failure, instance)
    sensor.tick()
    run = instance.create_run_for_job(refresh_and_publish)
    instance.report_run_failed(run, "The run worker was lost.")  # as the run monitor reports a dead worker
    sensor.tick()
    [body] = receiver.bodies
    card = teams_card(body)
    assert facts(card) == {"Job": "refresh_and_publish", "Failed step": "none (the run failed outside a step)"}
    assert card["body"][2]["text"] == "The run worker was lost."


def test_slack_format_is_one_text_with_the_same_content(receiver, instance, empty_portal, monkeypatch):
    monkeypatch.setenv(alerts.FORMAT_ENV, "slack")
    sensor = Ticks(alert_on_run_failure, instance)
    sensor.tick()
    run = failed_refresh_run(instance)
    sensor.tick()
    [body] = receiver.bodies
    assert list(body) == ["text"]
    lines = body["text"].splitlines()
    assert lines[:3] == [
        "Dagster run failed: refresh_and_publish",
        "Job: refresh_and_publish",
        "Failed step: refresh_snapshot",
    ]
    assert lines[3].startswith("master_dataset failed to refresh:")
    assert lines[4] == f"Run: {UI_URL}/runs/{run.run_id}"


def test_the_format_follows_the_host_unless_named(monkeypatch):
    monkeypatch.delenv(alerts.FORMAT_ENV, raising=False)
    assert alerts.alert_format("https://hooks.slack.com/services/T/B/x") == "slack"
    assert alerts.alert_format("https://prod-00.australiasoutheast.logic.azure.com/workflows/x") == "teams"
    monkeypatch.setenv(alerts.FORMAT_ENV, "Slack")
    assert alerts.alert_format("https://chat.example.org/hooks/x") == "slack"
    monkeypatch.setenv(alerts.FORMAT_ENV, "discord")
    with pytest.raises(alerts.AlertError, match="NSW_DOE_ALERT_FORMAT is 'discord'; expected one of slack, teams"):
        alerts.alert_format("https://chat.example.org/hooks/x")


class FlakyCheck:
    """A tiny asset whose WARN check fails or passes as the test says, so its runs succeed either way."""

    def __init__(self):
        self.passes = False

        @dg.asset
        def numbers() -> int:
            return 1

        @dg.asset_check(asset=numbers)
        def numbers_are_positive() -> dg.AssetCheckResult:
            return dg.AssetCheckResult(
                passed=self.passes,
                severity=dg.AssetCheckSeverity.WARN,
                description="2 of 3 numbers are negative." if not self.passes else "All numbers are positive.",
            )

        self.assets = [numbers, numbers_are_positive]
        self.definitions = dg.Definitions(assets=[numbers], asset_checks=[numbers_are_positive])

    def run(self, instance, passes: bool) -> dg.ExecuteInProcessResult:
        self.passes = passes
        result = dg.materialize(self.assets, instance=instance)
        assert result.success, "a failed WARN check does not fail its run"
        return result


def test_a_check_alerts_when_it_starts_failing_not_while_it_keeps_failing(receiver, instance):
    flaky = FlakyCheck()
    sensor = Ticks(alert_on_failed_check, instance, flaky.definitions)
    flaky.run(instance, passes=False)  # before the sensor's first tick: not alerted
    assert sensor.tick().skip_message.startswith("First tick: 1 check(s) failing already")
    flaky.run(instance, passes=False)
    assert sensor.tick().skip_message == "No check started failing (1 failing, as before)."
    flaky.run(instance, passes=True)
    sensor.tick()
    assert receiver.bodies == []

    run = flaky.run(instance, passes=False)
    sensor.tick()
    [body] = receiver.bodies
    card = teams_card(body)
    assert facts(card) == {"Job": run.dagster_run.job_name, "Check": "numbers:numbers_are_positive", "Severity": "WARN"}
    assert [b["text"] for b in card["body"] if b["type"] == "TextBlock"] == [
        "Asset check failed: numbers:numbers_are_positive",
        "2 of 3 numbers are negative.",
    ]
    assert card["actions"][0]["url"] == f"{UI_URL}/runs/{run.run_id}"

    sensor.tick()
    flaky.run(instance, passes=False)
    sensor.tick()
    assert len(receiver.bodies) == 1, "an evaluation is alerted once, and a check that keeps failing stays quiet"

    flaky.run(instance, passes=True)
    sensor.tick()
    again = flaky.run(instance, passes=False)
    sensor.tick()
    assert len(receiver.bodies) == 2, "failing again after a pass is a new alert"
    assert teams_card(receiver.bodies[1])["actions"][0]["url"] == f"{UI_URL}/runs/{again.run_id}"


def test_two_failures_between_ticks_alert_once(receiver, instance):
    flaky = FlakyCheck()
    sensor = Ticks(alert_on_failed_check, instance, flaky.definitions)
    assert sensor.tick().skip_message.startswith("First tick: 0 check(s) failing already")
    flaky.run(instance, passes=False)
    flaky.run(instance, passes=False)
    sensor.tick()
    assert len(receiver.bodies) == 1
    assert json.loads(sensor.cursor) == {"failing": ["numbers:numbers_are_positive"]}


def test_without_the_variable_nothing_is_posted_and_it_says_alerts_are_off(
    receiver, instance, empty_portal, monkeypatch, logs
):
    monkeypatch.delenv(alerts.WEBHOOK_ENV)
    flaky = FlakyCheck()
    runs, checks = Ticks(alert_on_run_failure, instance), Ticks(alert_on_failed_check, instance, flaky.definitions)
    runs.tick(), checks.tick()
    failed_refresh_run(instance)
    flaky.run(instance, passes=False)
    reaction = runs.tick().dagster_run_reactions[0]
    assert reaction.error is None
    assert "alerts are off (NSW_DOE_ALERT_WEBHOOK_URL is not set)" in checks.tick().skip_message
    assert receiver.bodies == []
    assert "Alerts are off (NSW_DOE_ALERT_WEBHOOK_URL is not set)" in logs.text


def test_the_url_and_its_token_never_reach_a_log_or_an_error(receiver, instance, empty_portal, logs):
    receiver.status = 500
    flaky = FlakyCheck()
    runs, checks = Ticks(alert_on_run_failure, instance), Ticks(alert_on_failed_check, instance, flaky.definitions)
    runs.tick(), checks.tick()
    failed_refresh_run(instance)
    flaky.run(instance, passes=False)

    reaction = runs.tick().dagster_run_reactions[0]
    run_error = reaction.error.to_string()
    assert "the alert webhook (NSW_DOE_ALERT_WEBHOOK_URL) answered HTTP 500." in run_error
    check_tick = checks.tick()
    assert check_tick.skip_message == (
        "1 alert(s) could not be sent (not retried): the alert webhook (NSW_DOE_ALERT_WEBHOOK_URL) answered HTTP 500."
    )
    assert len(receiver.bodies) == 2, "each was tried once"
    assert checks.tick().skip_message == "No check started failing (1 failing, as before).", "not retried"

    # the logs hold the failures, named by the variable (so they were captured), and nothing of the URL
    assert "numbers:numbers_are_positive: the alert webhook (NSW_DOE_ALERT_WEBHOOK_URL) answered HTTP 500" in logs.text
    for text in (logs.text, run_error, check_tick.skip_message):
        assert TOKEN not in text and "s3cr3t" not in text and receiver.base_url not in text


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (f"http://127.0.0.1:{free_port()}/services/{TOKEN}", "could not be reached: Connection refused."),
        (f"ftp://127.0.0.1/services/{TOKEN}", "is not an http(s) URL."),
        (f"http://[::1/services/{TOKEN}", "is not an http(s) URL."),
    ],
)
def test_a_webhook_that_cannot_be_reached_is_named_by_its_variable(url, expected, monkeypatch, logs):
    monkeypatch.setenv(alerts.WEBHOOK_ENV, url)
    alert = alerts.run_failure_alert("some_job", ["some_step"], "it broke", "run-1")
    with pytest.raises(alerts.AlertError) as raised:
        alerts.send(alert, logging.getLogger("test"))
    assert str(raised.value) == f"the alert webhook (NSW_DOE_ALERT_WEBHOOK_URL) {expected}"
    assert TOKEN not in "".join(traceback.format_exception(raised.value))
    assert TOKEN not in logs.text


def test_the_first_line_of_the_innermost_error_without_its_class():
    @dg.op
    def explodes():
        raise ValueError("bad value in row 7\nTraceback detail")

    @dg.job
    def explosive():
        explodes()

    result = explosive.execute_in_process(raise_on_error=False)
    [failure] = [e for e in result.all_events if e.is_step_failure]
    assert alerts.error_first_line(failure.step_failure_data.error) == "bad value in row 7"


def test_long_details_are_shortened_for_the_message():
    alert = alerts.check_failure_alert("job", "a:b", "WARN", "x" * 5000, "run-1")
    assert len(alert.detail) == alerts.MAX_DETAIL and alert.detail.endswith("…")
    assert alerts.check_failure_alert("job", "a:b", "WARN", None, "r").detail == "The check gave no description."
