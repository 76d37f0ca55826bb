"""Is a source's data as recent as its publisher's cadence says it should be? Pure: the caller brings the
dataset's publication fields, the periods its data covers and `today`.

The rule, per cadence:

- annual: the edition covering year Y appears in `appears_month` of year Y + `lag_years`, so it is due by the last
  day of that month (the whole month counts as "around" it) and overdue from the day after. The expected period is
  the latest year whose edition is past due; each year from the data's latest year to it is an edition behind.
- continuous: the publisher refreshes the data through the year, so its latest date should be at most
  `freshness.continuous_max_age_days` of quality.yml old.
- ceased, one_off: no new edition is expected.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from nsw_doe.quality_config import load_quality_config
from nsw_doe.sources.catalog import Publication


def continuous_max_age() -> timedelta:
    """How old a continuously refreshed dataset's latest date may be (quality.yml, with its reasons)."""
    return load_quality_config().freshness.continuous_max_age


FRESH, OVERDUE, NOT_EXPECTED, NOT_SUPPLIED = "fresh", "overdue", "not_expected", "not_supplied"
UNREADABLE = "unreadable"  # the data's period column holds a value the rule cannot read

# The ways a source writes the period it covers: a year, a year range (its end counts), a date, a compact date.
_YEAR = re.compile(r"^(\d{4})(?:\.0)?$")
_RANGE = re.compile(r"^\d{4}\s*-\s*(\d{4})$")
_DATE = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})")


@dataclass(frozen=True)
class Period:
    """The end of the period some data covers, and whether the source named only its year."""

    end: date
    year_only: bool

    def label(self, as_date: bool) -> str:
        return self.end.isoformat() if as_date else str(self.end.year)


def parse_period(text: str) -> Period:
    """`2017`, `2006-2017` (its end), `2026-05-05` or `20260331` (dates) as a Period; ValueError otherwise."""
    text = text.strip()
    if match := _YEAR.match(text) or _RANGE.match(text):
        return Period(date(int(match.group(1)), 12, 31), year_only=True)
    if match := _DATE.match(text):
        return Period(date(*(int(part) for part in match.groups())), year_only=False)
    raise ValueError(f"{text!r} is not a year, a year range or a date")


def latest_period(values: Iterable[str | None]) -> Period | None:
    """The latest period among a column's values (blanks ignored); None when there are none."""
    periods = [parse_period(v) for v in values if v is not None and v.strip()]
    return max(periods, key=lambda p: p.end) if periods else None


@dataclass(frozen=True)
class Freshness:
    """How a dataset's data stands against its cadence on a day."""

    latest_period: str | None  # None: no data (an external dataset not supplied)
    expected_period: str | None  # annual: the year; continuous: the oldest acceptable date; None when not expected
    status: str  # FRESH, OVERDUE, NOT_EXPECTED, NOT_SUPPLIED or UNREADABLE
    editions_behind: int | None  # annual only
    days_overdue: int | None  # since the first missing edition was due (annual), or past the maximum age

    @property
    def is_overdue(self) -> bool:
        return self.status == OVERDUE


def edition_due(publication: Publication, year: int) -> date:
    """The last day of the month the annual edition covering `year` should appear in."""
    appears = year + publication.lag_years
    last_day = calendar.monthrange(appears, publication.appears_month)[1]
    return date(appears, publication.appears_month, last_day)


def expected_year(publication: Publication, today: date) -> int:
    """The latest year whose annual edition is past due on `today`."""
    year = today.year - publication.lag_years
    return year if edition_due(publication, year) < today else year - 1


def assess(publication: Publication, latest: Period | None, today: date) -> Freshness:
    """The dataset's freshness on `today`, given the latest period its data covers (None: no data)."""
    cadence = publication.cadence
    label = None if latest is None else latest.label(as_date=cadence == "continuous" and not latest.year_only)
    if cadence in ("ceased", "one_off"):
        return Freshness(label, None, NOT_EXPECTED, None, None)
    if cadence == "continuous":
        oldest = today - continuous_max_age()
        if latest is None:
            return Freshness(None, oldest.isoformat(), NOT_SUPPLIED, None, None)
        late = (oldest - latest.end).days
        return Freshness(label, oldest.isoformat(), OVERDUE if late > 0 else FRESH, None, max(late, 0))
    expected = expected_year(publication, today)
    if latest is None:
        return Freshness(None, str(expected), NOT_SUPPLIED, None, None)
    behind = max(expected - latest.end.year, 0)
    days = (today - edition_due(publication, latest.end.year + 1)).days if behind else 0
    return Freshness(label, str(expected), OVERDUE if behind else FRESH, behind, days)


def describe(publication: Publication, freshness: Freshness, today: date) -> str:
    """One plain sentence, e.g. "Latest year in the data is 2023; 2025 should be out by 7 Dec 2026 (annual, appears
    around June): 2 editions overdue."."""
    day = f"{today.day} {today:%b %Y}"
    cadence = publication.cadence
    if cadence in ("ceased", "one_off"):
        kind = "is no longer published" if cadence == "ceased" else "was published once"
        return f"Latest period in the data is {freshness.latest_period}; it {kind}, so no new edition is due."
    if cadence == "continuous":
        expectation = f"data from {freshness.expected_period} or later should be out by {day} (refreshed through "
        expectation += f"the year, at most {continuous_max_age().days} days old)"
        latest = f"Latest date in the data is {freshness.latest_period}"
    else:
        expectation = f"{freshness.expected_period} should be out by {day} (annual, appears around "
        expectation += f"{date(2000, publication.appears_month, 1):%B})"
        latest = f"Latest year in the data is {freshness.latest_period}"
    if freshness.status == NOT_SUPPLIED:
        return f"Not supplied (its raw table is empty), so its freshness is unknown; {expectation}."
    if freshness.status == FRESH:
        return f"{latest}; {expectation}: fresh."
    if cadence == "continuous":
        return f"{latest}; {expectation}: {freshness.days_overdue} days overdue."
    editions = "edition" if freshness.editions_behind == 1 else "editions"
    return f"{latest}; {expectation}: {freshness.editions_behind} {editions} overdue."
