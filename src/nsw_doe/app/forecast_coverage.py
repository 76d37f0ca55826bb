"""The measured out-of-sample coverage of the forecast ranges, as ml.forecast_interval_coverage holds it for the
method each kind of series is forecast with: read here for the Overview, Enrolments and school pages, stated by one
sentence (`enrolments_content.coverage_sentence`)."""

from __future__ import annotations

import pandas as pd

from nsw_doe.app import enrolments_content as content
from nsw_doe.app.data import query

# The measured coverage of each kind's intervals (the method it is forecast with), by horizon; one kind, or every
# kind when the parameter is null.
COVERAGE_SQL = """
select coverage.series_kind, coverage.horizon, coverage.covered, coverage.n
from ml.forecast_interval_coverage as coverage
join ml.forecast_method_choice as choice using (series_kind, method)
where choice.chosen and coverage.series_kind = coalesce(?, coverage.series_kind)
order by coverage.series_kind, coverage.horizon
"""


def interval_coverage(kind: str | None = None) -> pd.DataFrame:
    """`series_kind`, `horizon`, `covered` (share) and `n` of the chosen method's intervals for `kind` (statewide,
    school, ...), or for every kind."""
    return query(COVERAGE_SQL, kind)


def coverage_text(kind: str, **wording: str) -> str:
    """The sentence stating how often `kind`'s ranges held the actual in the backtest (see coverage_sentence)."""
    return content.coverage_sentence(interval_coverage(kind), **wording)
