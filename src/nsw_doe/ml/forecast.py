"""Headcount forecasts: the series, the methods, a rolling-origin backtest, its accuracy, the method chosen per kind
of series, and the forecast with 80% intervals.

Pure functions on frames and arrays; `nsw_doe.defs.ml.forecast` reads the marts and writes the `ml` tables.

- **Series.** Actuals are sums of `fct__enrolment.headcount` (a suppressed cell is missing, never zero). Kinds:
  `statewide` (every school), `level`, `directorate`, `remoteness` (schools grouped by their *current* attributes:
  see `CURRENT_SEGMENTS_SQL`), and `school` (one series per school).
- **Eligibility.** A series is forecast from an origin year when it has at least `MIN_HISTORY` observed years up
  to the origin and is open in it (a school with a row that year, suppressed or not); the final forecast also
  leaves out schools the latest master-dataset vintage no longer lists (closed or merged since).
- **Methods** (`METHODS`): functions `(history [n, T] with NaN for missing, years [T], horizon) -> [n, horizon]`,
  each run on the series kinds it lists. Forecasts are floored at zero (a headcount cannot be negative).
- **Backtest.** For every origin t from `FIRST_ORIGIN` to the last actual year minus 1, fit on years <= t and
  predict t+1..t+3; rows only where the target year has an actual.
- **Choice.** Per series kind, the method with the lowest mean of MAPE over horizons 1-3; ties go to the simpler
  method (the order of `METHODS`).
- **Intervals.** Prophet's own (interval_width 0.8, fixed seed). For the other methods, empirical: the 10th and
  90th percentiles of the backtest's errors for that kind, method and horizon (1-5), each error scaled by the
  series' value at its origin, so that one set of quantiles fits series of any size.
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

# The query the asset runs: one row per school and year (headcount null when suppressed or invalid), and each
# school's current segment attributes (see current_segments).
ENROLMENT_SQL = """
select school_code, calendar_year, headcount
from marts.fct__enrolment
order by school_code, calendar_year
"""

CURRENT_SEGMENTS_SQL = """
-- Each school's current segment: the value its latest master-dataset vintage published (for a closed school, the
-- last vintage that listed it); where that vintage left an attribute blank, the latest one that gave it. Schools
-- known only from fact files (closed before the first vintage, 2018) have none and belong to no segment.
select
    school_code,
    arg_max(level_of_schooling, valid_from) filter (where level_of_schooling is not null) as level_of_schooling,
    arg_max(operational_directorate, valid_from) filter (where operational_directorate is not null)
        as operational_directorate,
    arg_max(asgs_remoteness, valid_from) filter (where asgs_remoteness is not null) as asgs_remoteness,
    -- In the latest vintage: a school that is not has closed (or merged) since, and is not forecast.
    bool_or(is_current) as is_current
from marts.dim__school
where school_code != -1 and not is_inferred
group by school_code
order by school_code
"""


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
    """Prophet's forecast with its own 80% interval (1,000 uncertainty samples drawn from a fixed seed)."""
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
IntervalPredict = Callable[[np.ndarray, np.ndarray, int], tuple[np.ndarray, ...]]


@dataclass(frozen=True)
class Method:
    """A forecasting method: its name in the tables, its point forecast, the series kinds it runs on, and, if it
    has them, its own intervals (otherwise the backtest's empirical ones are used)."""

    name: str
    predict: Predict
    kinds: tuple[str, ...]
    intervals: IntervalPredict | None = None
    description: str = ""


SEGMENT_KINDS = ("statewide", "level", "directorate", "remoteness")

# The methods, simplest first (a tie in accuracy goes to the earlier one). Prophet is too slow for the ~2,100
# school series (see the README), so it runs on the state and segment series only.
METHODS: tuple[Method, ...] = (
    Method("naive", naive, SERIES_KINDS, description="last actual value (baseline)"),
    Method("linear_trend", linear_trend, SERIES_KINDS, description="least squares on the last 5 years (baseline)"),
    Method("drift", drift, SERIES_KINDS, description="last value plus the history's average yearly change"),
    Method("damped_trend", damped_trend, SERIES_KINDS, description="Holt's damped trend, parameters per series"),
    Method("prophet", prophet, SEGMENT_KINDS, prophet_intervals, description="Prophet, linear growth, no seasonality"),
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


def choose_methods(
    accuracy_table: pd.DataFrame, horizons: tuple[int, ...] = CHOICE_HORIZONS, methods: tuple[Method, ...] = METHODS
) -> dict[str, str]:
    """Per series kind, the method with the lowest mean MAPE over `horizons`; a tie goes to the earlier (simpler)
    method of `methods`."""
    order = {m.name: i for i, m in enumerate(methods)}
    chosen = {}
    scores = (
        accuracy_table[accuracy_table["horizon"].isin(horizons)]
        .groupby(["series_kind", "method"], sort=False)["mape"]
        .mean()
    )
    for (kind, method), score in sorted(scores.items(), key=lambda item: (item[0][0], order.get(item[0][1], 99))):
        if kind not in chosen or score < scores[(kind, chosen[kind])]:
            chosen[kind] = method
    return {k: chosen[k] for k in SERIES_KINDS if k in chosen}


def error_quantiles(predictions: pd.DataFrame, width: float = INTERVAL_WIDTH) -> pd.DataFrame:
    """The empirical interval per series kind, method and horizon: the (1-width)/2 and (1+width)/2 quantiles of the
    backtest's errors (actual - yhat), each divided by the series' value at its origin."""
    usable = predictions[predictions["origin_value"] > 0]
    scaled = (usable["actual"] - usable["yhat"]) / usable["origin_value"]
    low, high = (1 - width) / 2, (1 + width) / 2
    grouped = usable.assign(error=scaled).groupby(["series_kind", "method", "horizon"], sort=True)["error"]
    return pd.DataFrame({"q_low": grouped.quantile(low), "q_high": grouped.quantile(high)}).reset_index()


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

    Intervals are the method's own (Prophet) or the backtest's scaled error quantiles around the point forecast;
    they are floored at zero and widened, where needed, to contain the point forecast."""
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
        if method.intervals is not None:
            yhat, lower, upper = method.intervals(history, panel.years, horizon)
        else:
            yhat = method.predict(history, panel.years, horizon)
            q = quantiles[(quantiles["series_kind"] == kind) & (quantiles["method"] == method.name)]
            q = q.set_index("horizon").reindex(range(1, horizon + 1))
            if q[["q_low", "q_high"]].isna().to_numpy().any():
                raise ValueError(f"no backtest errors for {kind}/{method.name} at every horizon 1-{horizon}")
            scale = last_observed(history)[:, None]
            lower = yhat + scale * q["q_low"].to_numpy()[None, :]
            upper = yhat + scale * q["q_high"].to_numpy()[None, :]
        yhat = np.maximum(yhat, 0.0)
        lower = np.minimum(np.maximum(lower, 0.0), yhat)
        upper = np.maximum(upper, yhat)
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


@dataclass(frozen=True)
class ForecastRun:
    backtest: pd.DataFrame  # every prediction, horizons 1..FORECAST_HORIZON (the table keeps 1..BACKTEST_HORIZON)
    accuracy: pd.DataFrame
    chosen: dict[str, str]
    forecast: pd.DataFrame
    seconds: dict[str, float]  # time per method in the backtest, and of the final forecast


def run(enrolment: pd.DataFrame, segments: pd.DataFrame, methods: tuple[Method, ...] = METHODS) -> ForecastRun:
    """The whole pipeline: series, backtest, accuracy, choice, forecast."""
    seconds: dict[str, float] = {}
    panel = build_panel(enrolment, segments)
    predictions = backtest(panel, methods, seconds=seconds)
    table = accuracy(predictions)
    chosen = choose_methods(table, methods=methods)
    started = time.perf_counter()
    result = forecast(panel, chosen, error_quantiles(predictions), methods)
    seconds["final forecast"] = time.perf_counter() - started
    return ForecastRun(predictions, table, chosen, result, seconds)


def mape_of(accuracy_table: pd.DataFrame, kind: str, method: str, horizon: int) -> float:
    match = accuracy_table[
        (accuracy_table["series_kind"] == kind)
        & (accuracy_table["method"] == method)
        & (accuracy_table["horizon"] == horizon)
    ]
    return float(match["mape"].iloc[0]) if len(match) else float("nan")


def accuracy_markdown(accuracy_table: pd.DataFrame, chosen: dict[str, str]) -> str:
    """MAPE per kind and method at each backtest horizon, as a Markdown table (the chosen method in bold)."""
    horizons = sorted(accuracy_table["horizon"].unique())
    lines = [
        "| series kind | method | " + " | ".join(f"MAPE h{h}" for h in horizons) + " | n (h1) |",
        "|---|---|" + "---:|" * (len(horizons) + 1),
    ]
    for (kind, method), group in accuracy_table.groupby(["series_kind", "method"], sort=False):
        by_h = group.set_index("horizon")
        name = f"**{method}**" if chosen.get(kind) == method else method
        cells = " | ".join(f"{by_h.loc[h, 'mape']:.2f}%" if h in by_h.index else "" for h in horizons)
        n = int(by_h.loc[horizons[0], "n"]) if horizons[0] in by_h.index else 0
        lines.append(f"| {kind} | {name} | {cells} | {n:,} |")
    return "\n".join(lines)


def mean_mape(accuracy_table: pd.DataFrame, kind: str, method: str, horizons=CHOICE_HORIZONS) -> float:
    rows = accuracy_table[
        (accuracy_table["series_kind"] == kind)
        & (accuracy_table["method"] == method)
        & accuracy_table["horizon"].isin(horizons)
    ]
    return float(rows["mape"].mean()) if len(rows) else float("nan")


def verdict(accuracy_table: pd.DataFrame, chosen: dict[str, str]) -> str:
    """One line: where Prophet stands against the method chosen, by mean MAPE over horizons 1-3."""
    parts = []
    for kind, method in chosen.items():
        if "prophet" not in set(accuracy_table.loc[accuracy_table["series_kind"] == kind, "method"]):
            continue
        if method == "prophet":
            parts.append(f"{kind}: prophet best ({mean_mape(accuracy_table, kind, 'prophet'):.2f}%)")
        else:
            parts.append(
                f"{kind}: {method} {mean_mape(accuracy_table, kind, method):.2f}% beats prophet "
                f"{mean_mape(accuracy_table, kind, 'prophet'):.2f}%"
            )
    return "mean MAPE h1-3 - " + "; ".join(parts)


def headline(accuracy_table: pd.DataFrame, chosen: dict[str, str]) -> str:
    """One line: the method per kind and its MAPE at horizon 1, against the naive baseline."""
    parts = []
    for kind, method in chosen.items():
        mape = mape_of(accuracy_table, kind, method, 1)
        if method == "naive":
            parts.append(f"{kind}: naive {mape:.1f}%")
        else:
            parts.append(f"{kind}: {method} {mape:.1f}% (naive {mape_of(accuracy_table, kind, 'naive', 1):.1f}%)")
    return "forecast MAPE h1 - " + "; ".join(parts)
