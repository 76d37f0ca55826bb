"""The About page's words and its forecast table: where each method is written down (the repository's docs/, one
copy of each explanation, which this page names instead of repeating) and how this build's forecasts did. Pure
functions, tested without a build (tests/test_about_content.py)."""

from __future__ import annotations

import pandas as pd

# Each methods document in the repository's docs/ directory, and what it explains.
DOCS = {
    "metrics.md": "the metrics (headcount, the attendance rate weighted by headcount and why, composite classes), "
    "how the semantic layer defines each once and what `semantic` holds",
    "forecasts.md": "the enrolment forecasts: the methods, the rolling-origin backtest, how a method is chosen, and "
    "how the ranges are built and measured",
    "attendance_risk.md": "the attendance risk model: its features, cross-validation, scores against the baseline, "
    "and what it is not",
    "data_quality.md": "the checks every build runs, what happens to a value that cannot be used, and the quirks of "
    "the source data",
    "data.md": "the sources, how the snapshot is pinned and refreshed",
    "warehouse.md": "the schemas, the school history (a version of a school for each change; a fact of a year uses "
    "that year's attributes) and every way to read the warehouse",
}
DOCS_INTRO = (
    "Each method is written down once, in the `docs/` directory of the project's repository (beside its README); "
    "this page names the documents rather than repeating them:"
)
FORECAST_CAPTION = (
    "MAPE: the mean absolute error in percent of the actual, averaged over 1, 2 and 3 years ahead "
    "(ml.forecast_method_choice). Held: the share of backtest forecasts whose range, built only from the errors "
    "known at the time, held the actual (ml.forecast_interval_coverage); the ranges are built for 80%."
)


def doc_lines(gaps: pd.Series, risk: pd.Series) -> list[str]:
    """One bullet per document: its path in the repository and what it explains, with this build's figures where
    the document gives them for the pinned snapshot only: the weighted and plain rates' largest distance from the
    published one (`gaps`: weighted_max_gap, unweighted_max_gap) and the risk model's scores (`risk`: roc_auc,
    brier)."""
    figures = {
        "metrics.md": f" (this build: the weighted state rate lands within **{gaps.weighted_max_gap:.2f} points** of "
        f"the published figure every year; the plain mean of school rates misses it by up to "
        f"**{gaps.unweighted_max_gap:.2f} points**)",
        "attendance_risk.md": f" (this build: ROC AUC is {risk.roc_auc:.3f}, Brier score {risk.brier:.3f}; "
        "`ml.attendance_model_eval`)",
    }
    return [f"- `docs/{name}`: {what}{figures.get(name, '')}." for name, what in DOCS.items()]


def forecast_summary(first: pd.Series) -> str:
    """The years forecast and the backtest's origins, from the first row of the page's forecast query."""
    return (
        f"Headcount is forecast for {first.first_forecast_year}-{first.last_forecast_year} for the state, each level, "
        "directorate and remoteness area, and each school with enough history. Each kind of series uses the method "
        f"that predicted best when replayed from every origin year {first.first_origin}-{first.last_origin} "
        "(`docs/forecasts.md`); the naive baseline (next year = this year) is a candidate, so a method is chosen only "
        "where it beats it."
    )


def forecast_table(forecasts: pd.DataFrame, coverage: pd.DataFrame) -> pd.DataFrame:
    """Each kind's chosen method, its MAPE beside the naive baseline's, its predictions one year ahead and, per
    horizon, the share of its ranges that held the actual (percent). `coverage`: series_kind, horizon, covered."""
    held = coverage.pivot(index="series_kind", columns="horizon", values="covered")
    shown = forecasts[["series_kind", "method", "mape", "naive_mape", "predictions"]].rename(
        columns={
            "series_kind": "Series",
            "method": "Method chosen",
            "mape": "MAPE (%)",
            "naive_mape": "Naive baseline MAPE (%)",
            "predictions": "Predictions (1 year ahead)",
        }
    )
    for horizon in held.columns:
        label = f"Held, {int(horizon)} year{'s' if horizon > 1 else ''} ahead"
        shown[label] = [100 * held.at[kind, horizon] for kind in forecasts["series_kind"]]
    return shown
