"""Alerts to a chat channel: a failed run, or an asset check that started failing, posted as JSON to a webhook.

The webhook's URL is a secret (it carries the channel's token), so it is read from NSW_DOE_ALERT_WEBHOOK_URL when a
message is sent and never written into a log line or an error: a failure names the variable instead. Without the
variable alerts are off and nothing is posted. Posting goes through urllib, which logs nothing (requests' urllib3
logs each request line, the URL's path and so its token, at DEBUG).

Slack's incoming webhooks take `{"text": ...}`. Teams' Workflows webhooks take a message with an Adaptive Card
attachment, and Slack reads `attachments` as its own legacy attachments (a card there is ignored at best, refused
at worst), so no one body suits both: the format follows the webhook's host (Slack's for hooks.slack.com, Teams'
for any other) unless NSW_DOE_ALERT_FORMAT names one (`slack` also suits Mattermost and Rocket.Chat).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from http.client import HTTPException
from urllib.parse import urlsplit

WEBHOOK_ENV = "NSW_DOE_ALERT_WEBHOOK_URL"
FORMAT_ENV = "NSW_DOE_ALERT_FORMAT"
UI_URL_ENV = "NSW_DOE_UI_URL"
DEFAULT_UI_URL = "http://127.0.0.1:3000"
FORMATS = ("slack", "teams")
TIMEOUT_SECONDS = 10
ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"
MAX_DETAIL = 1000  # characters of an error or a description; the run's page has the rest


class AlertError(Exception):
    """An alert could not be sent. The message names the webhook's variable, never its URL."""


@dataclass(frozen=True)
class Alert:
    title: str
    facts: list[tuple[str, str]]  # (label, value), shown as a list under the title
    detail: str
    run_url: str

    def text(self) -> str:
        """The message as plain text: the body Slack shows."""
        facts = [f"{label}: {value}" for label, value in self.facts]
        return "\n".join([self.title, *facts, self.detail, f"Run: {self.run_url}"])


def run_url(run_id: str) -> str:
    """The run's page in the Dagster UI (NSW_DOE_UI_URL, default the local `nsw-doe ui`)."""
    base = os.environ.get(UI_URL_ENV, "").strip().rstrip("/") or DEFAULT_UI_URL
    return f"{base}/runs/{run_id}"


def _shorten(text: str) -> str:
    return text if len(text) <= MAX_DETAIL else text[: MAX_DETAIL - 1] + "…"


def run_failure_alert(job_name: str, failed_steps: list[str], error: str, run_id: str) -> Alert:
    return Alert(
        title=f"Dagster run failed: {job_name}",
        facts=[("Job", job_name), ("Failed step", ", ".join(failed_steps) or "none (the run failed outside a step)")],
        detail=_shorten(error),
        run_url=run_url(run_id),
    )


def check_failure_alert(job_name: str, check: str, severity: str, description: str | None, run_id: str) -> Alert:
    """`check` is `<asset key>:<check name>`, as Dagster writes an asset check's key."""
    return Alert(
        title=f"Asset check failed: {check}",
        facts=[("Job", job_name), ("Check", check), ("Severity", severity)],
        detail=_shorten(description or "The check gave no description."),
        run_url=run_url(run_id),
    )


def error_first_line(error) -> str:
    """The first line of the innermost error of a Dagster SerializableErrorInfo chain, without its
    `module.Class: ` prefix: what a person reads first (the outer errors only say which step raised it)."""
    while error.cause is not None:
        error = error.cause
    name, _, text = error.message.partition(": ")
    message = text if error.cls_name and name.endswith(error.cls_name) else error.message
    return (message.strip().splitlines() or [error.cls_name or "unknown error"])[0]


def alert_format(url: str) -> str:
    named = os.environ.get(FORMAT_ENV, "").strip().lower()
    if named and named not in FORMATS:
        raise AlertError(f"{FORMAT_ENV} is '{named}'; expected one of {', '.join(FORMATS)}.")
    return named or ("slack" if urlsplit(url).hostname == "hooks.slack.com" else "teams")


def payload(alert: Alert, fmt: str) -> dict:
    """The JSON body for a Slack incoming webhook or a Teams Workflows webhook."""
    if fmt == "slack":
        return {"text": alert.text()}
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {"type": "TextBlock", "text": alert.title, "weight": "Bolder", "size": "Medium", "wrap": True},
            {"type": "FactSet", "facts": [{"title": label, "value": value} for label, value in alert.facts]},
            {"type": "TextBlock", "text": alert.detail, "wrap": True},
        ],
        "actions": [{"type": "Action.OpenUrl", "title": "Open the run in Dagster", "url": alert.run_url}],
    }
    return {
        "type": "message",
        "attachments": [{"contentType": ADAPTIVE_CARD, "contentUrl": None, "content": card}],
    }


def _unreachable(reason: object) -> str:
    """Why a webhook could not be reached, in words that cannot hold its URL."""
    if isinstance(reason, TimeoutError):
        return f"no answer within {TIMEOUT_SECONDS} s"
    if isinstance(reason, (ConnectionError, socket.gaierror)) and reason.strerror:
        return reason.strerror
    return type(reason).__name__


WEBHOOK = f"the alert webhook ({WEBHOOK_ENV})"


def _check_url(url: str) -> None:
    try:
        scheme = urlsplit(url).scheme
    except ValueError:  # its message may quote the URL
        scheme = None
    if scheme not in ("http", "https"):
        raise AlertError(f"{WEBHOOK} is not an http(s) URL.")


def _post(url: str, body: bytes) -> None:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"}, method="POST")
    # `from None` throughout: a chained urllib error may carry the URL into a traceback.
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS):
            pass
    except urllib.error.HTTPError as exc:
        raise AlertError(f"{WEBHOOK} answered HTTP {exc.code}.") from None
    except urllib.error.URLError as exc:
        raise AlertError(f"{WEBHOOK} could not be reached: {_unreachable(exc.reason)}.") from None
    except (OSError, ValueError, HTTPException) as exc:
        raise AlertError(f"{WEBHOOK} could not be reached: {_unreachable(exc)}.") from None


def send(alert: Alert, log: logging.Logger) -> bool:
    """Post the alert if a webhook is configured; True if it was posted. Raises AlertError if the post failed."""
    url = os.environ.get(WEBHOOK_ENV, "").strip()
    if not url:
        log.info(f"Alerts are off ({WEBHOOK_ENV} is not set), so this was not sent: {alert.title}")
        return False
    _check_url(url)
    _post(url, json.dumps(payload(alert, alert_format(url))).encode())
    log.info(f"Sent to the alert webhook ({WEBHOOK_ENV}): {alert.title}")
    return True
