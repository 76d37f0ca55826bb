"""Headcount forecasts: the series, the methods, a rolling-origin backtest, its accuracy, the method chosen per kind
of series, and the forecast with 80% intervals.

Pure functions on frames and arrays; `nsw_doe.defs.ml.forecast` reads the marts (its SQL), writes the `ml` tables and
says what they hold.

- **Series.** Actuals are sums of `fct__enrolment.headcount` (a suppressed cell is missing, never zero). Kinds:
  `statewide` (every school), `level`, `directorate`, `remoteness` (schools grouped by their *current* attributes:
  see `nsw_doe.defs.ml.forecast.CURRENT_SEGMENTS_SQL`), and `school` (one series per school).
- **Eligibility.** A series is forecast from an origin year when it has at least `MIN_HISTORY` observed years up
  to the origin and is open in it (a school with a row that year, suppressed or not); the final forecast also
  leaves out schools the latest master-dataset vintage no longer lists (closed or merged since).
- **Methods** (`METHODS`): functions `(history [n, T] with NaN for missing, years [T], horizon) -> [n, horizon]`,
  each run on the series kinds it lists. Forecasts are floored at zero (a headcount cannot be negative).
- **Backtest.** For every origin t from `FIRST_ORIGIN` to the last actual year minus 1, fit on years <= t and
  predict t+1..t+3; rows only where the target year has an actual.
- **Choice.** Per series kind, the method with the lowest mean of MAPE over horizons 1-3; ties go to the simpler
  method (the order of `METHODS`): `method_choice`, the table `ml.forecast_method_choice`.
- **Intervals.** Split-conformal, widened for years whose errors move together, the same for every method: the
  80% interval is yhat +/- q * scale, where scale is the series' last actual at the origin (at least 1) and q the
  finite-sample conformal quantile (ceil((n+1) * 0.8) / n) of the absolute scaled errors |actual - yhat| / scale of
  the backtest, pooled over every series of the kind, per method and horizon, plus the standard deviation over
  origins of each origin's mean scaled error (`origin_spread`; the segment kinds share one, `interval_pool`). In
  the backtest, the interval at origin t uses only the errors already known at t (target year <= t), so its
  coverage (`interval_coverage`) is measured out of sample; the forecast uses every error of the backtest (all
  known by the last actual year).
- **Newer evidence.** The school list's enrolment FTE for the years after the last headcount year
  (reporting.rpt__school_fte) against each school's forecast for that year: inside its interval, or pointing another
  way, above or below it (`newer_evidence`, the table `ml.forecast_newer_evidence`).
"""

from __future__ import annotations

import contextlib
import copy
import functools
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

SERIES_KINDS = ("statewide", "level", "directorate", "remoteness", "school")
# The segment kinds and the dim__school attribute each one groups by.
SEGMENT_ATTRIBUTES = {
    "level": "level_of_schooling",
    "directorate": "operational_directorate",
    "remoteness": "asgs_remoteness",
}
MIN_HISTORY = 8
FIRST_ORIGIN = 2012
BACKTEST_HORIZON = 3  # the horizons scored in the backtest table and used to choose a method
FORECAST_HORIZON = 5  # years forecast past the last actual year; the backtest's errors at 4-5 give their intervals
CHOICE_HORIZONS = (1, 2, 3)
INTERVAL_WIDTH = 0.8
SEED = 20_240_101
LINEAR_TREND_WINDOW = 5

STATEWIDE_SERIES = "statewide"


@dataclass(frozen=True)
class Panel:
    """Every series on one grid of consecutive years.

    `keys` has one row per series (`series`, `series_kind`, `school_code`, `is_current`: false for a school the
    latest master-dataset vintage no longer lists), in the order of the rows of `values` (float, NaN = no actual)
    and `open` (the series existed that year: for a school, a row in fct__enrolment)."""

    keys: pd.DataFrame
    years: np.ndarray
    values: np.ndarray
    open: np.ndarray

    def kind_rows(self, kind: str) -> np.ndarray:
        return np.flatnonzero(self.keys["series_kind"].to_numpy() == kind)


def build_panel(enrolment: pd.DataFrame, segments: pd.DataFrame) -> Panel:
    """The statewide, segment and school series from school-year headcounts (`school_code`, `calendar_year`,
    `headcount`, null = suppressed) and each school's segments (`school_code`, the SEGMENT_ATTRIBUTES columns and
    `is_current`)."""
    frame = enrolment[["school_code", "calendar_year", "headcount"]].copy()
    frame["school_code"] = frame["school_code"].astype("int64")
    frame["calendar_year"] = frame["calendar_year"].astype("int64")
    frame["headcount"] = pd.to_numeric(frame["headcount"]).astype("float64")
    years = np.arange(frame["calendar_year"].min(), frame["calendar_year"].max() + 1)
    frame = frame.merge(segments, on="school_code", how="left")

    keys: list[tuple[str, str, int | None]] = []
    values: list[np.ndarray] = []
    opens: list[np.ndarray] = []

    def add(kind: str, by: str | None) -> None:
        grouped = frame.groupby([by, "calendar_year"] if by else ["calendar_year"], dropna=True, sort=True)
        total = grouped["headcount"].sum(min_count=1)
        present = grouped.size()
        if by is None:
            total = pd.concat({STATEWIDE_SERIES: total})
            present = pd.concat({STATEWIDE_SERIES: present})
        wide = total.unstack().reindex(columns=years)
        open_wide = present.unstack().reindex(index=wide.index, columns=years).notna()
        names = list(wide.index)
        codes = [int(name) for name in names] if kind == "school" else [None] * len(names)
        keys.extend((str(name), kind, code) for name, code in zip(names, codes, strict=True))
        values.append(wide.to_numpy(dtype="float64", na_value=np.nan))
        opens.append(open_wide.to_numpy(dtype=bool))

    add("statewide", None)
    for kind, attribute in SEGMENT_ATTRIBUTES.items():
        add(kind, attribute)
    add("school", "school_code")

    key_frame = pd.DataFrame(keys, columns=["series", "series_kind", "school_code"])
    key_frame["school_code"] = key_frame["school_code"].astype("Int64")
    current = segments.set_index("school_code")["is_current"].astype(bool)
    key_frame["is_current"] = [
        bool(current.get(code, False)) if kind == "school" else True
        for kind, code in zip(key_frame["series_kind"], key_frame["school_code"], strict=True)
    ]
    return Panel(key_frame, years, np.vstack(values), np.vstack(opens))


def eligible(panel: Panel, origin: int) -> np.ndarray:
    """Series that can be forecast from `origin`: at least MIN_HISTORY observed years up to it, and open in it."""
    k = int(np.searchsorted(panel.years, origin)) + 1
    observed = (~np.isnan(panel.values[:, :k])).sum(axis=1)
    return (observed >= MIN_HISTORY) & panel.open[:, k - 1]


# --- methods ---------------------------------------------------------------------------------------------------------


def last_observed(history: np.ndarray) -> np.ndarray:
    """Each row's last non-missing value (NaN for a row with none)."""
    observed = ~np.isnan(history)
    last = history.shape[1] - 1 - np.argmax(observed[:, ::-1], axis=1)
    value = history[np.arange(history.shape[0]), last]
    return np.where(observed.any(axis=1), value, np.nan)


def naive(history: np.ndarray, years: np.ndarray, horizon: int) -> np.ndarray:
    """The last actual value, for every horizon."""
    return np.repeat(last_observed(history)[:, None], horizon, axis=1)


def linear_trend(history: np.ndarray, years: np.ndarray, horizon: int) -> np.ndarray:
    """Least squares line through the last LINEAR_TREND_WINDOW years (those observed), extended; with fewer than two
    observations in the window, the last actual value."""
    window = history[:, -LINEAR_TREND_WINDOW:]
    x = np.arange(-window.shape[1] + 1, 1, dtype="float64")  # 0 = the origin year
    mask = ~np.isnan(window)
    y = np.where(mask, window, 0.0)
    n = mask.sum(axis=1).astype("float64")
    sx = (mask * x).sum(axis=1)
    sxx = (mask * x * x).sum(axis=1)
    sy = y.sum(axis=1)
    sxy = (y * x).sum(axis=1)
    denominator = n * sxx - sx * sx
    fits = (n >= 2) & (denominator > 0)
    safe = np.where(fits, denominator, 1.0)
    slope = np.where(fits, (n * sxy - sx * sy) / safe, 0.0)
    intercept = np.where(fits, (sy - slope * sx) / np.where(n > 0, n, 1.0), 0.0)
    steps = np.arange(1, horizon + 1, dtype="float64")
    line = intercept[:, None] + slope[:, None] * steps[None, :]
    return np.where(fits[:, None], line, naive(history, years, horizon))


def drift(history: np.ndarray, years: np.ndarray, horizon: int) -> np.ndarray:
    """Random walk with drift: the last actual value plus, per year ahead, the average yearly change between the
    first and the last actual year of the history; flat for a series with a single actual."""
    observed = ~np.isnan(history)
    steps = history.shape[1]
    first = np.argmax(observed, axis=1)
    last = steps - 1 - np.argmax(observed[:, ::-1], axis=1)
    rows = np.arange(history.shape[0])
    span = last - first
    slope = np.where(span > 0, (history[rows, last] - history[rows, first]) / np.where(span > 0, span, 1), 0.0)
    ahead = np.arange(1, horizon + 1, dtype="float64")
    return last_observed(history)[:, None] + slope[:, None] * ahead[None, :]


# Holt's additive damped trend, its smoothing parameters chosen per series from this grid by in-sample one-step
# squared error (as ETS does by likelihood): alpha (level), beta as a share of alpha (trend), phi (damping).
DAMPED_ALPHAS = (0.2, 0.4, 0.6, 0.8, 1.0)
DAMPED_BETA_SHARES = (0.05, 0.2, 0.5)
DAMPED_PHIS = (0.8, 0.9, 0.98)


def damped_trend(history: np.ndarray, years: np.ndarray, horizon: int) -> np.ndarray:
    """Holt's linear trend with damping, in error-correction form, vectorised over all series and every parameter
    combination of the grid at once; each series keeps the combination with the least one-step squared error.

    The level starts at the first observation and the trend at the slope to the second; a missing year advances
    the state without an update. A series with a single observation is forecast flat."""
    grid = np.array(
        [(a, a * b, p) for a in DAMPED_ALPHAS for b in DAMPED_BETA_SHARES for p in DAMPED_PHIS], dtype="float64"
    )
    alpha, beta, phi = (grid[:, i : i + 1] for i in range(3))  # each [G, 1], broadcast over series
    n, steps = history.shape
    level = np.zeros((grid.shape[0], n))
    trend = np.zeros((grid.shape[0], n))
    sse = np.zeros((grid.shape[0], n))
    started = np.zeros(n, dtype=bool)
    has_trend = np.zeros(n, dtype=bool)
    gap = np.zeros(n)
    for t in range(steps):
        y = history[:, t]
        observed = ~np.isnan(y)
        gap += 1
        # Series with a trend: predict one step, then correct with the error where there is an actual.
        forecast = level + phi * trend
        error = np.where(observed & has_trend, np.nan_to_num(y) - forecast, 0.0)
        sse += error * error
        level = np.where(has_trend, forecast + alpha * error, level)
        trend = np.where(has_trend, phi * trend + beta * error, trend)
        # Second observation: the trend starts as the slope from the first.
        second = observed & started & ~has_trend
        slope = np.where(second, (np.nan_to_num(y) - level[0]) / gap, 0.0)
        trend = np.where(second, slope, trend)
        level = np.where(second, np.nan_to_num(y), level)
        has_trend |= second
        # First observation: the level starts there.
        first = observed & ~started
        level = np.where(first, np.nan_to_num(y), level)
        started |= first
        gap = np.where(observed, 0.0, gap)
    best = np.argmin(sse, axis=0)  # first of equals: deterministic
    columns = np.arange(n)
    phi_best = grid[best, 2]
    damping = np.cumsum(phi_best[:, None] ** np.arange(1, horizon + 1)[None, :], axis=1)
    prediction = level[best, columns][:, None] + damping * trend[best, columns][:, None]
    return np.where(started[:, None], prediction, np.nan)


@contextlib.contextmanager
def _quiet_prophet() -> Iterator[None]:
    """cmdstanpy logs every fit at INFO and prophet notes its defaults: silence both for the duration (after
    cmdstanpy has configured its logger: it sets the level when it first fetches it)."""
    from cmdstanpy.utils import get_logger

    get_logger()

    loggers = [logging.getLogger(name) for name in ("cmdstanpy", "prophet", "prophet.plot")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


@functools.cache
def _trend_only_prophet() -> type:
    """Prophet, with one shortcut for a model without seasonality, holidays or regressors: the matrix saying which
    feature column feeds which component (always the same single placeholder column here) is built once instead of
    by a pandas crosstab on every fit, a third of a fit's time on yearly data. The Stan data, hence the fit, are
    Prophet's own (a test holds the forecasts equal to stock Prophet's)."""
    from prophet import Prophet

    class TrendOnlyProphet(Prophet):
        _placeholder_components: tuple | None = None

        def regressor_column_matrix(self, seasonal_features, modes):
            plain = (
                list(seasonal_features.columns) == ["zeros"]
                and not any(modes.values())
                and self.train_holiday_names is None
                and not self.extra_regressors
            )
            if not plain:
                return super().regressor_column_matrix(seasonal_features, modes)
            if TrendOnlyProphet._placeholder_components is None:
                TrendOnlyProphet._placeholder_components = super().regressor_column_matrix(
                    seasonal_features, copy.deepcopy(modes)
                )
            component_cols, cached_modes = TrendOnlyProphet._placeholder_components
            modes.update(copy.deepcopy(cached_modes))
            return component_cols.copy(), modes

    return TrendOnlyProphet


def _prophet_model(values: np.ndarray, years: np.ndarray, uncertainty_samples: int):
    """Prophet fitted on a yearly series: linear growth, no seasonality (one point a year), 80% intervals."""
    observed = ~np.isnan(values)
    history = pd.DataFrame({"ds": pd.to_datetime([f"{y}-01-01" for y in years[observed]]), "y": values[observed]})
    model = _trend_only_prophet()(
        growth="linear",
        yearly_seasonality=False,
        weekly_seasonality=False,
        daily_seasonality=False,
        interval_width=INTERVAL_WIDTH,
        uncertainty_samples=uncertainty_samples,
    )
    return model.fit(history, seed=SEED)  # the seed of cmdstan's optimiser (its inits are given: deterministic)


def _future(years: np.ndarray, horizon: int) -> pd.DataFrame:
    return pd.DataFrame({"ds": pd.to_datetime([f"{years[-1] + h}-01-01" for h in range(1, horizon + 1)])})


def prophet(history: np.ndarray, years: np.ndarray, horizon: int) -> np.ndarray:
    """Prophet's point forecast, one fit per series, without uncertainty sampling (the backtest needs no
    intervals). With no seasonality, holidays or regressors Prophet's yhat is its trend, so the prediction calls
    `predict_trend` directly: the same numbers as `predict`, without its bookkeeping of components (a test holds
    them equal), which halves the time of a backtest fit."""
    out = np.full((history.shape[0], horizon), np.nan)
    with _quiet_prophet():
        for i, row in enumerate(history):
            model = _prophet_model(row, years, uncertainty_samples=0)
            out[i] = model.predict_trend(model.setup_dataframe(_future(years, horizon)))
    return out


def prophet_intervals(history: np.ndarray, years: np.ndarray, horizon: int) -> tuple[np.ndarray, ...]:
    """Prophet's forecast with its own 80% interval (1,000 uncertainty samples drawn from a fixed seed). Not used by
    the forecast, whose intervals are the backtest's conformal ones for every method."""
    shape = (history.shape[0], horizon)
    yhat, lower, upper = np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, np.nan)
    with _quiet_prophet():
        for i, row in enumerate(history):
            model = _prophet_model(row, years, uncertainty_samples=1000)
            state = np.random.get_state()
            np.random.seed(SEED)  # Prophet draws its uncertainty samples from numpy's global generator
            try:
                predicted = model.predict(_future(years, horizon))
            finally:
                np.random.set_state(state)
            yhat[i] = predicted["yhat"].to_numpy()
            lower[i] = predicted["yhat_lower"].to_numpy()
            upper[i] = predicted["yhat_upper"].to_numpy()
    return yhat, lower, upper


Predict = Callable[[np.ndarray, np.ndarray, int], np.ndarray]


@dataclass(frozen=True)
class Method:
    """A forecasting method: its name in the tables, its point forecast and the series kinds it runs on. Its
    intervals are the backtest's conformal ones, whatever the method."""

    name: str
    predict: Predict
    kinds: tuple[str, ...]
    description: str = ""


SEGMENT_KINDS = ("statewide", "level", "directorate", "remoteness")

# The methods, simplest first (a tie in accuracy goes to the earlier one). Prophet is too slow for the ~2,100
# school series (see the README), so it runs on the state and segment series only.
METHODS: tuple[Method, ...] = (
    Method("naive", naive, SERIES_KINDS, description="last actual value (baseline)"),
    Method("linear_trend", linear_trend, SERIES_KINDS, description="least squares on the last 5 years (baseline)"),
    Method("drift", drift, SERIES_KINDS, description="last value plus the history's average yearly change"),
    Method("damped_trend", damped_trend, SERIES_KINDS, description="Holt's damped trend, parameters per series"),
    Method("prophet", prophet, SEGMENT_KINDS, description="Prophet, linear growth, no seasonality"),
)
BASELINES = ("naive", "linear_trend")


def methods_for(kind: str, methods: tuple[Method, ...] = METHODS) -> list[Method]:
    return [m for m in methods if kind in m.kinds]


def _predict(method: Method, history: np.ndarray, years: np.ndarray, horizon: int) -> np.ndarray:
    if history.shape[0] == 0:
        return np.zeros((0, horizon))
    return np.maximum(method.predict(history, years, horizon), 0.0)


# --- backtest, accuracy, choice --------------------------------------------------------------------------------------


def backtest(
    panel: Panel,
    methods: tuple[Method, ...] = METHODS,
    first_origin: int = FIRST_ORIGIN,
    horizon: int = FORECAST_HORIZON,
    seconds: dict[str, float] | None = None,
) -> pd.DataFrame:
    """Rolling origin: for every origin t from `first_origin` to the last actual year minus 1, fit each method on
    years <= t of every eligible series of the kinds it runs on, and predict t+1..t+horizon. One row per prediction
    whose target year has an actual: `series`, `series_kind`, `school_code`, `method`, `origin_year`,
    `calendar_year`, `horizon`, `actual`, `yhat`, and `origin_value` (the last actual at the origin, which scales
    the errors for the intervals). The backtest table keeps horizons up to BACKTEST_HORIZON. `seconds`, if given,
    receives the time each method took."""
    last_year = int(panel.years[-1])
    frames = []
    for origin in range(first_origin, last_year):
        k = int(np.searchsorted(panel.years, origin)) + 1
        history_years = panel.years[:k]
        ok = eligible(panel, origin)
        for kind in SERIES_KINDS:
            rows = panel.kind_rows(kind)
            rows = rows[ok[rows]]
            if rows.size == 0:
                continue
            history = panel.values[rows, :k]
            origin_value = last_observed(history)
            for method in methods_for(kind, methods):
                started = time.perf_counter()
                yhat = _predict(method, history, history_years, horizon)
                if seconds is not None:
                    seconds[method.name] = seconds.get(method.name, 0.0) + time.perf_counter() - started
                for h in range(1, horizon + 1):
                    if origin + h > last_year:
                        break
                    actual = panel.values[rows, k - 1 + h]
                    scored = ~np.isnan(actual)
                    frames.append(
                        pd.DataFrame(
                            {
                                "row": rows[scored],
                                "method": method.name,
                                "origin_year": origin,
                                "calendar_year": origin + h,
                                "horizon": h,
                                "actual": actual[scored],
                                "yhat": yhat[scored, h - 1],
                                "origin_value": origin_value[scored],
                            }
                        )
                    )
    predictions = pd.concat(frames, ignore_index=True)
    keys = panel.keys.iloc[predictions.pop("row").to_numpy()].reset_index(drop=True)
    predictions = pd.concat([keys, predictions], axis=1)
    return sort_backtest(predictions)


def sort_backtest(predictions: pd.DataFrame) -> pd.DataFrame:
    kind_order = {k: i for i, k in enumerate(SERIES_KINDS)}
    return (
        predictions.assign(_kind=predictions["series_kind"].map(kind_order))
        .sort_values(["_kind", "series", "method", "origin_year", "horizon"], kind="stable")
        .drop(columns="_kind")
        .reset_index(drop=True)
    )


def accuracy(predictions: pd.DataFrame, max_horizon: int = BACKTEST_HORIZON) -> pd.DataFrame:
    """MAPE (percent) per series kind, method and horizon, over the predictions whose actual is above zero (an
    absolute percentage error is undefined at zero), and `n`, how many predictions it averages."""
    scored = predictions[(predictions["horizon"] <= max_horizon) & (predictions["actual"] > 0)]
    ape = 100 * (scored["yhat"] - scored["actual"]).abs() / scored["actual"]
    table = (
        scored.assign(ape=ape)
        .groupby(["series_kind", "method", "horizon"], sort=False)
        .agg(mape=("ape", "mean"), n=("ape", "size"))
        .reset_index()
    )
    kind_order = {k: i for i, k in enumerate(SERIES_KINDS)}
    method_order = {m.name: i for i, m in enumerate(METHODS)}
    return (
        table.assign(_k=table["series_kind"].map(kind_order), _m=table["method"].map(method_order).fillna(len(METHODS)))
        .sort_values(["_k", "_m", "method", "horizon"], kind="stable")
        .drop(columns=["_k", "_m"])
        .reset_index(drop=True)
    )


def method_choice(
    accuracy_table: pd.DataFrame, horizons: tuple[int, ...] = CHOICE_HORIZONS, methods: tuple[Method, ...] = METHODS
) -> pd.DataFrame:
    """Per series kind and method scored at every one of `horizons`: `mean_mape` (the mean of its MAPE over them),
    `is_baseline`, `rank` (1 = lowest mean MAPE; a tie goes to the earlier, simpler method of `methods`) and
    `chosen` (rank 1: the method that makes the kind's forecast)."""
    order = {m.name: i for i, m in enumerate(methods)}
    kind_order = {k: i for i, k in enumerate(SERIES_KINDS)}
    scored = accuracy_table[accuracy_table["horizon"].isin(horizons) & accuracy_table["method"].isin(order)]
    table = (
        scored.groupby(["series_kind", "method"], sort=False)
        .agg(mean_mape=("mape", "mean"), horizons=("horizon", "nunique"))
        .reset_index()
    )
    table = table[table["horizons"] == len(horizons)].drop(columns="horizons")
    table = (
        table.assign(_k=table["series_kind"].map(kind_order).fillna(len(kind_order)), _m=table["method"].map(order))
        .sort_values(["_k", "series_kind", "mean_mape", "_m"], kind="stable")
        .drop(columns=["_k", "_m"])
        .reset_index(drop=True)
    )
    table.insert(2, "is_baseline", table["method"].isin(BASELINES))
    table["rank"] = table.groupby("series_kind", sort=False).cumcount() + 1
    table["chosen"] = table["rank"] == 1
    return table


def chosen_methods(choice: pd.DataFrame) -> dict[str, str]:
    """{series kind: the method chosen}, in the order of SERIES_KINDS, from a `method_choice` table."""
    chosen = choice[choice["chosen"]].set_index("series_kind")["method"]
    return {k: chosen[k] for k in SERIES_KINDS if k in chosen.index}


def choose_methods(
    accuracy_table: pd.DataFrame, horizons: tuple[int, ...] = CHOICE_HORIZONS, methods: tuple[Method, ...] = METHODS
) -> dict[str, str]:
    """Per series kind, the method with the lowest mean MAPE over `horizons`; a tie goes to the earlier (simpler)
    method of `methods`."""
    return chosen_methods(method_choice(accuracy_table, horizons, methods))


# --- intervals -------------------------------------------------------------------------------------------------------


def interval_scale(level) -> np.ndarray:
    """What an error is divided by to compare series of any size: the series' last actual (at least 1, so that a
    series at zero still gets an interval)."""
    return np.maximum(np.asarray(level, dtype="float64"), 1.0)


def scaled_errors(predictions: pd.DataFrame) -> np.ndarray:
    """|actual - yhat| / interval_scale(origin_value) for each prediction."""
    error = np.abs(predictions["actual"].to_numpy(dtype="float64") - predictions["yhat"].to_numpy(dtype="float64"))
    return error / interval_scale(predictions["origin_value"])


def conformal_quantile(errors: np.ndarray, width: float = INTERVAL_WIDTH) -> float:
    """The split-conformal quantile of n absolute errors: the ceil((n + 1) * width)-th smallest, so that a new error
    exchangeable with them falls at or below it with probability >= width. NaN when there are too few errors for
    the level (fewer than 4 for 80%)."""
    n = errors.size
    k = int(np.ceil(round((n + 1) * width, 9)))
    if n == 0 or k > n:
        return float("nan")
    return float(np.partition(errors, k - 1)[k - 1])


GROUP = ["series_kind", "method", "horizon"]


def interval_pool(kinds) -> np.ndarray:
    """Whose errors a kind's `origin_spread` is taken from: the segment kinds share theirs (one year's shock moves
    every segment, and 20 series measure it better than 5), the state and the schools keep their own."""
    kinds = np.asarray(kinds, dtype=object)
    return np.where(np.isin(kinds, list(SEGMENT_ATTRIBUTES)), "segment", kinds)


def origin_means(predictions: pd.DataFrame) -> dict[tuple, tuple[np.ndarray, np.ndarray]]:
    """{(interval_pool, method, horizon): (origin years, the mean of their `scaled_errors`)}."""
    keys = ["series_kind", "method", "horizon", "origin_year"]
    frame = predictions[keys].assign(error=scaled_errors(predictions))
    sums = frame.groupby(keys, sort=False)["error"].agg(["sum", "count"]).reset_index()
    sums["series_kind"] = interval_pool(sums["series_kind"])
    pooled = sums.groupby(keys, sort=True)[["sum", "count"]].sum()
    means = pooled["sum"] / pooled["count"]
    return {
        key: (group.index.get_level_values(-1).to_numpy(), group.to_numpy())
        for key, group in means.groupby(level=[0, 1, 2])
    }


def origin_spread(origins: np.ndarray, means: np.ndarray, horizon: int, year: int) -> float:
    """The standard deviation of the origins' mean errors known at `year` (origin + horizon <= year; 0 with fewer
    than two): how far a whole year's errors move together, which a quantile pooled over the series of one year
    counts as if they were independent draws."""
    known = means[origins + horizon <= year]
    return float(np.std(known)) if known.size > 1 else 0.0


def rolling_intervals(predictions: pd.DataFrame, width: float = INTERVAL_WIDTH) -> pd.DataFrame:
    """The backtest's predictions with their out-of-sample interval, `yhat_lower` and `yhat_upper`: at origin t,
    yhat +/- q * interval_scale(origin_value), where q is the conformal quantile of the scaled errors of the same
    kind, method and horizon whose target year is <= t (the errors known at t; none from t or later origins) plus
    the `origin_spread` of the known errors of its `interval_pool`, same method and horizon. Null where fewer
    errors were known than the level needs."""
    errors = scaled_errors(predictions)
    origin = predictions["origin_year"].to_numpy()
    target = predictions["calendar_year"].to_numpy()
    pooled = origin_means(predictions)
    q = np.full(len(predictions), np.nan)
    for (kind, method, horizon), index in predictions.groupby(GROUP, sort=False).indices.items():
        means = pooled[(interval_pool([kind])[0], method, horizon)]
        for t in np.unique(origin[index]):
            known = errors[index][target[index] <= t]
            q[index[origin[index] == t]] = conformal_quantile(known, width) + origin_spread(*means, horizon, t)
    yhat = predictions["yhat"].to_numpy(dtype="float64")
    half = q * interval_scale(predictions["origin_value"])
    return predictions.assign(yhat_lower=np.maximum(yhat - half, 0.0), yhat_upper=yhat + half)


def _kind_method_order(table: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    kind_order = {k: i for i, k in enumerate(SERIES_KINDS)}
    method_order = {m.name: i for i, m in enumerate(METHODS)}
    return (
        table.assign(_k=table["series_kind"].map(kind_order), _m=table["method"].map(method_order).fillna(len(METHODS)))
        .sort_values(["_k", "_m", *by], kind="stable")
        .drop(columns=["_k", "_m"])
        .reset_index(drop=True)
    )


def interval_coverage(
    intervals: pd.DataFrame, width: float = INTERVAL_WIDTH, max_horizon: int = BACKTEST_HORIZON
) -> pd.DataFrame:
    """Out-of-sample coverage of the backtest's intervals (`rolling_intervals`) per series kind, method and horizon:
    `nominal` (the width claimed), `covered` (the share of predictions whose actual fell inside, 0-1) and `n` (the
    predictions that had an interval)."""
    rows = intervals[(intervals["horizon"] <= max_horizon) & intervals["yhat_lower"].notna()]
    inside = (rows["actual"] >= rows["yhat_lower"]) & (rows["actual"] <= rows["yhat_upper"])
    table = (
        rows.assign(inside=inside.astype("float64"))
        .groupby(GROUP, sort=False)
        .agg(covered=("inside", "mean"), n=("inside", "size"))
        .reset_index()
    )
    table.insert(3, "nominal", width)
    return _kind_method_order(table, ["method", "horizon"])


def interval_quantiles(predictions: pd.DataFrame, width: float = INTERVAL_WIDTH) -> pd.DataFrame:
    """For the forecast, `rolling_intervals`' construction on every error of the backtest (all known by the last
    actual year), per series kind, method and horizon: `q` (the conformal quantile plus the origin spread) and `n`,
    how many errors the quantile is taken from."""
    errors = scaled_errors(predictions)
    pooled = origin_means(predictions)
    rows = []
    for (kind, method, horizon), index in predictions.groupby(GROUP, sort=True).indices.items():
        spread = origin_spread(*pooled[(interval_pool([kind])[0], method, horizon)], 0, np.iinfo("int64").max)
        rows.append((kind, method, horizon, conformal_quantile(errors[index], width) + spread, len(index)))
    return pd.DataFrame(rows, columns=[*GROUP, "q", "n"])


# --- the forecast ----------------------------------------------------------------------------------------------------


def forecast(
    panel: Panel,
    chosen: dict[str, str],
    quantiles: pd.DataFrame,
    methods: tuple[Method, ...] = METHODS,
    horizon: int = FORECAST_HORIZON,
) -> pd.DataFrame:
    """`horizon` years past the last actual year for every series eligible at it (schools: still listed by the
    latest master-dataset vintage), with the method chosen for its kind: `series`, `series_kind`, `school_code`,
    `calendar_year`, `yhat`, `yhat_lower`, `yhat_upper`, `method`.

    Intervals: yhat +/- q * interval_scale(last actual), q from `interval_quantiles`; floored at zero."""
    by_name = {m.name: m for m in methods}
    last_year = int(panel.years[-1])
    ok = eligible(panel, last_year) & panel.keys["is_current"].to_numpy()
    frames = []
    for kind in SERIES_KINDS:
        if kind not in chosen:
            continue
        rows = panel.kind_rows(kind)
        rows = rows[ok[rows]]
        if rows.size == 0:
            continue
        method = by_name[chosen[kind]]
        history = panel.values[rows]
        yhat = np.maximum(method.predict(history, panel.years, horizon), 0.0)
        q = quantiles[(quantiles["series_kind"] == kind) & (quantiles["method"] == method.name)]
        q = q.set_index("horizon")["q"].reindex(range(1, horizon + 1))
        if q.isna().any():
            raise ValueError(f"too few backtest errors for {kind}/{method.name} at some horizon 1-{horizon}")
        half = interval_scale(last_observed(history))[:, None] * q.to_numpy()[None, :]
        lower = np.maximum(yhat - half, 0.0)
        upper = yhat + half
        for h in range(1, horizon + 1):
            keys = panel.keys.iloc[rows].reset_index(drop=True)
            frames.append(
                keys.assign(
                    calendar_year=last_year + h,
                    yhat=yhat[:, h - 1],
                    yhat_lower=lower[:, h - 1],
                    yhat_upper=upper[:, h - 1],
                    method=method.name,
                )
            )
    result = pd.concat(frames, ignore_index=True)
    kind_order = {k: i for i, k in enumerate(SERIES_KINDS)}
    return (
        result.assign(_k=result["series_kind"].map(kind_order))
        .sort_values(["_k", "series", "calendar_year"], kind="stable")
        .drop(columns="_k")
        .reset_index(drop=True)
    )


def newer_evidence(forecast: pd.DataFrame, fte: pd.DataFrame) -> pd.DataFrame:
    """Each school's FTE for a forecast year (`fte`: reporting.rpt__school_fte's school_code, fte_year, vintage_date,
    fte) against its forecast for that year (`forecast`: ml.enrolment_forecast's school rows), one row per school
    with both: `school_code`, `calendar_year`, `vintage_date`, `fte`, `yhat`, `yhat_lower`, `yhat_upper`, `method`,
    `fte_inside_interval` (lower <= fte <= upper), `points_another_way` (outside it) and `direction` ('above' or
    'below' the interval; null inside)."""
    schools = forecast.loc[forecast["series_kind"] == "school"]
    evidence = fte.rename(columns={"fte_year": "calendar_year"})[
        ["school_code", "calendar_year", "vintage_date", "fte"]
    ]
    keys = ["school_code", "calendar_year"]
    table = evidence.astype({key: "int64" for key in keys}).merge(
        schools[[*keys, "yhat", "yhat_lower", "yhat_upper", "method"]].astype({key: "int64" for key in keys}), on=keys
    )
    above = table["fte"] > table["yhat_upper"]
    below = table["fte"] < table["yhat_lower"]
    table["fte_inside_interval"] = ~(above | below)
    table["points_another_way"] = above | below
    table["direction"] = np.where(above, "above", np.where(below, "below", None))
    return table.sort_values(keys, ignore_index=True)


@dataclass(frozen=True)
class ForecastRun:
    backtest: pd.DataFrame  # every prediction with its out-of-sample interval, horizons 1..FORECAST_HORIZON
    accuracy: pd.DataFrame
    choice: pd.DataFrame  # method_choice
    chosen: dict[str, str]
    coverage: pd.DataFrame  # interval_coverage, horizons 1..BACKTEST_HORIZON
    forecast: pd.DataFrame
    seconds: dict[str, float]  # time per method in the backtest, of the intervals, and of the final forecast


def run(enrolment: pd.DataFrame, segments: pd.DataFrame, methods: tuple[Method, ...] = METHODS) -> ForecastRun:
    """The whole pipeline: series, backtest, accuracy, choice, intervals and their coverage, forecast."""
    seconds: dict[str, float] = {}
    panel = build_panel(enrolment, segments)
    predictions = backtest(panel, methods, seconds=seconds)
    started = time.perf_counter()
    predictions = rolling_intervals(predictions)
    coverage = interval_coverage(predictions)
    seconds["intervals"] = time.perf_counter() - started
    table = accuracy(predictions)
    choice = method_choice(table, methods=methods)
    chosen = chosen_methods(choice)
    started = time.perf_counter()
    result = forecast(panel, chosen, interval_quantiles(predictions), methods)
    seconds["final forecast"] = time.perf_counter() - started
    return ForecastRun(predictions, table, choice, chosen, coverage, result, seconds)
