"""Attendance risk: which schools' attendance in the latest year falls below the state's weighted rate.

The question is asked as it would have been on 1 January of the label year: every feature comes from before it.

- **Label** (`is_below_state_rate`): in the label year (by default the latest year with a reported rate), the
  school's reported rate is below the state's rate for that year, weighted by headcount: sum(rate x headcount) /
  sum(headcount) over the schools that reported a rate and a headcount. Schools with no reported rate that year
  (suppressed, not applicable, not reported) are not labelled, and so not scored; a school that reported a rate but
  no headcount is labelled (its rate can be compared), it only does not weigh in the state rate. The state rates are
  read, not computed here: the caller passes reporting.rpt__state_attendance_rate, which forms them as the semantic
  metric attendance_rate does.
- **Attributes**: the school's row in the last master-dataset vintage published before 1 January of the label year
  (`dim__school` rows valid on that vintage's date): ICSEA, remoteness, level of schooling, size (log of the
  vintage's enrolment FTE), LBOTE % and Indigenous %. Schools opened since have none: numeric features are imputed
  with the training folds' median (with a missing-value flag) and categories become "Unknown".
- **History** (years before the label year with a reported rate; there is no 2020 in the source, so "last year" is
  the latest earlier year the school reported, 2021 for most schools in 2022, 2019 where 2021 is missing):
  `last_rate`, `last_gap` (last rate minus the state's weighted rate of that same year), `mean_gap` (mean gap over
  every earlier reported year), `years_reported`, `years_since_last`. Gaps rather than raw rates carry most of the
  signal because the state rate itself moves (90.1 in 2021, 85.2 in 2022).
- **Model**: a scikit-learn Pipeline (median imputation + StandardScaler on numeric features, OneHotEncoder on
  categories, LogisticRegression), fixed seed.
- **Baseline**: one feature, last year's rate below last year's state rate (three groups: below, not below, no
  earlier rate). Its probability is the share of training-fold schools of the same group that ended up below, so its
  AUC is the AUC of the binary feature (ties count half) and its Brier score is that of a calibrated one-feature rule.
  A second, stronger baseline, `baseline_gap`, keeps the size of that gap: a logistic regression on `last_gap` alone.
  The model has to beat `baseline` (the issue's yardstick): a higher mean ROC AUC and a lower mean Brier score over
  the folds, both strictly (`beats_baseline`, stored in ml.attendance_model_eval); how far it gets past
  `baseline_gap` says what the attributes and the longer history add to last year's gap.
- **Evaluation**: stratified 5-fold cross-validation with a fixed seed, the same folds for model and baseline. Every
  `risk_score` is out-of-fold: the probability from the model fitted on the four folds the school is not in. ROC AUC
  and Brier score per fold, and their mean over the folds as the headline; calibration of the model's out-of-fold
  scores by decile.
- **Drivers**: what moves each school's score, from the same out-of-fold model that scored it (so they explain the
  published `risk_score`, and no school's drivers come from a model that saw it). A feature's contribution is
  coefficient x (the school's transformed value - the training folds' mean of it), summed over the columns the
  feature became (its scaled value and missing flag, or its one-hot categories): in log-odds, relative to the
  average training school. A school's contributions add up to its score's log-odds minus the fold model's log-odds at
  the training folds' mean.
  Each feature's label and unit are defined once, in the registry `FEATURES`, which the drivers table carries (values
  as numbers in their unit, categories as text).
- **The prediction as a yes/no** (`predicted_below_state_rate`): the out-of-fold score above THRESHOLD (0.5: "likely
  below" means more likely than not), and `prediction_came_true` when that matches the label. The share that came
  true, overall and per predicted class, is measured per fold like the other metrics (ml.attendance_model_eval);
  `threshold_comparison` measures the alternative, the training folds' base rate, the same way.
- **Unscored schools** (`unscored_schools`): every current school with no score, with the reason, read from the
  same label-year filter that chose the scored ones (`reported`), so the two lists cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

SEED = 20260101
N_FOLDS = 5
N_DECILES = 10
MODEL = "logistic_regression"
BASELINE = "baseline"
BASELINE_GAP = "baseline_gap"
MODELS = (MODEL, BASELINE, BASELINE_GAP)
# The threshold on the out-of-fold probability above which the model's yes/no says "below the state rate".
THRESHOLD = 0.5
CAME_TRUE_METRICS = ("came_true", "came_true_predicted_below", "came_true_predicted_not_below")
METRICS = ("roc_auc", "brier", *CAME_TRUE_METRICS)


@dataclass(frozen=True)
class Feature:
    """One feature of the model, as the model uses it (`name`) and as people read it (`label`, and the `unit` of the
    value ml.attendance_risk_drivers stores: CATEGORY for a categorical feature, whose value is text)."""

    name: str
    label: str
    unit: str


CATEGORY = "category"
# The model's features, their units and labels, defined once: the model, ml.attendance_risk_drivers and the school
# profile all read this registry. log_enrolment_fte is stored as the enrolment FTE itself (the model uses its log).
FEATURES = (
    Feature("icsea_value", "ICSEA (2020 school list)", "index"),
    Feature("log_enrolment_fte", "Enrolment, FTE (2020 school list)", "FTE"),
    Feature("lbote_pct", "Students with a language background other than English, % (2020 list)", "%"),
    Feature("indigenous_pct", "Aboriginal and Torres Strait Islander students, % (2020 list)", "%"),
    Feature("last_rate", "Attendance rate in its last reported year before", "%"),
    Feature("last_gap", "Gap to the state rate that year, points", "points"),
    Feature("mean_gap", "Average gap to the state rate over all earlier years, points", "points"),
    Feature("years_reported", "Years with a reported attendance rate before", "years"),
    Feature("years_since_last", "Years since its last reported rate", "years"),
    Feature("asgs_remoteness", "Remoteness", CATEGORY),
    Feature("level_of_schooling", "Level of schooling", CATEGORY),
)
FEATURE_BY_NAME = {feature.name: feature for feature in FEATURES}
NUMERIC_FEATURES = tuple(feature.name for feature in FEATURES if feature.unit != CATEGORY)
CATEGORICAL_FEATURES = tuple(feature.name for feature in FEATURES if feature.unit == CATEGORY)
UNKNOWN = "Unknown"  # the category the model gives a school with none

# The baseline's one feature: last available year's rate below that year's state rate.
BELOW, NOT_BELOW, NO_HISTORY = "below", "not_below", "no_history"


@dataclass(frozen=True)
class Dataset:
    """One row per labelled school (sorted by school_code): label, features and the baseline's feature."""

    frame: pd.DataFrame
    label_year: int
    vintage: dt.date
    state_rate: float
    unlabelled: int


@dataclass(frozen=True)
class RiskResult:
    dataset: Dataset
    risk: pd.DataFrame  # ml.attendance_risk
    evaluation: pd.DataFrame  # ml.attendance_model_eval
    calibration: pd.DataFrame  # ml.attendance_calibration
    drivers: pd.DataFrame  # ml.attendance_risk_drivers

    def metric(self, model: str, metric: str) -> float:
        """The cross-validated value (mean over the folds)."""
        return mean_metric(self.evaluation, model, metric)

    @property
    def beats_baseline(self) -> bool:
        """The verdict the evaluation table carries (see `beats_baseline`)."""
        return bool(self.evaluation["beats_baseline"].iloc[0])

    @property
    def headline(self) -> str:
        auc, base_auc = self.metric(MODEL, "roc_auc"), self.metric(BASELINE, "roc_auc")
        brier, base_brier = self.metric(MODEL, "brier"), self.metric(BASELINE, "brier")
        gap_auc = self.metric(BASELINE_GAP, "roc_auc")
        verdict = "" if self.beats_baseline else ": does NOT beat the baseline"
        return (
            f"attendance risk {self.dataset.label_year}: AUC {auc:.3f} (baseline {base_auc:.3f}, gap-only "
            f"{gap_auc:.3f}), Brier {brier:.3f} (baseline {base_brier:.3f}){verdict}"
        )


def mean_metric(evaluation: pd.DataFrame, model: str, metric: str) -> float:
    """The model's cross-validated `metric` (the row with a null fold: the mean over the folds)."""
    e = evaluation
    return float(e.loc[(e.model == model) & (e.metric == metric) & e.fold.isna(), "value"].iloc[0])


def beats_baseline(evaluation: pd.DataFrame) -> bool:
    """Whether the model beats `baseline`: strictly better on both cross-validated metrics, a higher mean ROC AUC
    *and* a lower mean Brier score over the folds. Worse or equal on either one is not beating it. The verdict is
    computed here once and stored as ml.attendance_model_eval.beats_baseline, which the build summary and the
    school profile read."""
    auc_better = mean_metric(evaluation, MODEL, "roc_auc") > mean_metric(evaluation, BASELINE, "roc_auc")
    return auc_better and mean_metric(evaluation, MODEL, "brier") < mean_metric(evaluation, BASELINE, "brier")


def risk_percentile(score: pd.Series | np.ndarray) -> np.ndarray:
    """Each score's percent rank among all the scores, 0-1: (rank - 1) / (n - 1) with tied scores sharing the
    lowest rank (SQL's percent_rank() over (order by score)); 0 for a single score."""
    score = pd.Series(np.asarray(score, dtype=float))
    if len(score) < 2:
        return np.zeros(len(score))
    return ((score.rank(method="min") - 1) / (len(score) - 1)).to_numpy(dtype=float)


def reported(attendance: pd.DataFrame) -> pd.DataFrame:
    """Rows with a reported rate."""
    return attendance[(attendance["attendance_status"] == "reported") & attendance["attendance_rate"].notna()]


def state_rates(state: pd.DataFrame) -> pd.Series:
    """The state's weighted rate per calendar year, from `state` (reporting.rpt__state_attendance_rate's
    calendar_year and attendance_rate: sum(rate x headcount) / sum(headcount) over the schools that reported both,
    the semantic metric attendance_rate); years without a rate (2020) left out."""
    rows = state.dropna(subset=["attendance_rate"])
    rate = pd.Series(rows["attendance_rate"].astype(float).to_numpy(), index=rows["calendar_year"].astype(int))
    return rate.rename("state_rate").rename_axis("calendar_year").sort_index()


def latest_year(attendance: pd.DataFrame) -> int:
    return int(reported(attendance)["calendar_year"].max())


def vintage_before(schools: pd.DataFrame, label_year: int) -> dt.date:
    """The date of the last master-dataset vintage published before 1 January of the label year."""
    start = pd.Timestamp(label_year, 1, 1)
    valid_from = pd.to_datetime(schools.loc[~schools["is_inferred"].astype(bool), "valid_from"])
    earlier = valid_from[valid_from < start]
    if earlier.empty:
        raise ValueError(f"no master-dataset vintage before {label_year}")
    return earlier.max().date()


def attributes_on(schools: pd.DataFrame, day: dt.date) -> pd.DataFrame:
    """The attributes of the schools of the vintage valid on `day` (type-2 rows valid that day), by school_code."""
    valid_from = pd.to_datetime(schools["valid_from"])
    valid_to = pd.to_datetime(schools["valid_to"])
    when = pd.Timestamp(day)
    valid = (
        (valid_from <= when) & (valid_to.isna() | (valid_to > when)) & ~schools["is_inferred"].astype(bool)
    ).fillna(False)
    rows = schools[valid]
    if rows["school_code"].duplicated().any():
        raise ValueError(f"more than one dim__school row valid on {day} for a school")
    enrolment = pd.to_numeric(rows["latest_year_enrolment_fte"], errors="coerce").astype(float)
    return pd.DataFrame(
        {
            "school_code": rows["school_code"].astype(int).to_numpy(),
            "icsea_value": pd.to_numeric(rows["icsea_value"], errors="coerce").astype(float).to_numpy(),
            "log_enrolment_fte": np.log1p(enrolment.clip(lower=0)).to_numpy(),
            "lbote_pct": pd.to_numeric(rows["lbote_pct"], errors="coerce").astype(float).to_numpy(),
            "indigenous_pct": pd.to_numeric(rows["indigenous_pct"], errors="coerce").astype(float).to_numpy(),
            "asgs_remoteness": rows["asgs_remoteness"].to_numpy(),
            "level_of_schooling": rows["level_of_schooling"].to_numpy(),
        }
    ).set_index("school_code")


def history_features(attendance: pd.DataFrame, state: pd.Series, label_year: int) -> pd.DataFrame:
    """Each school's attendance before the label year, by school_code (see the module's docstring)."""
    rows = reported(attendance)
    rows = rows[rows["calendar_year"] < label_year][["school_code", "calendar_year", "attendance_rate"]].copy()
    rows["school_code"] = rows["school_code"].astype(int)
    rows["gap"] = rows["attendance_rate"].astype(float) - rows["calendar_year"].map(state).astype(float)
    rows = rows.sort_values(["school_code", "calendar_year"])
    by_school = rows.groupby("school_code")
    last = by_school.tail(1).set_index("school_code")
    return pd.DataFrame(
        {
            "last_year": last["calendar_year"].astype(int),
            "last_rate": last["attendance_rate"].astype(float),
            "last_gap": last["gap"].astype(float),
            "mean_gap": by_school["gap"].mean().astype(float),
            "years_reported": by_school.size().astype(float),
            "years_since_last": (label_year - last["calendar_year"]).astype(float),
        }
    )


def build_dataset(
    attendance: pd.DataFrame, schools: pd.DataFrame, state: pd.DataFrame, label_year: int | None = None
) -> Dataset:
    """Labels of the label year and features from before it, one row per labelled school, sorted by school_code.

    `attendance` is marts.fct__attendance (school_code, school_sk, calendar_year, attendance_rate,
    attendance_status, headcount); `schools` is marts.dim__school (its type-2 rows with valid_from, valid_to,
    is_inferred and the attributes); `state` is reporting.rpt__state_attendance_rate (calendar_year and the state's
    weighted attendance_rate), the one place the state rate is formed."""
    label_year = latest_year(attendance) if label_year is None else label_year
    state = state_rates(state)
    if label_year not in state.index:
        raise ValueError(f"no state rate for {label_year}")
    state_rate = float(state[label_year])
    year = attendance[attendance["calendar_year"] == label_year]
    labelled = reported(year)
    frame = pd.DataFrame(
        {
            "school_code": labelled["school_code"].astype(int).to_numpy(),
            "school_sk": labelled["school_sk"].astype(str).to_numpy(),
            "calendar_year": label_year,
            "attendance_rate": labelled["attendance_rate"].astype(float).to_numpy(),
            "state_attendance_rate": state_rate,
        }
    )
    frame["is_below_state_rate"] = frame["attendance_rate"] < state_rate
    vintage = vintage_before(schools, label_year)
    history = history_features(attendance, state.drop(label_year), label_year)
    frame = frame.join(attributes_on(schools, vintage), on="school_code").join(history, on="school_code")
    for column in CATEGORICAL_FEATURES:
        frame[column] = frame[column].astype(object).where(frame[column].notna(), UNKNOWN)
    frame["baseline_feature"] = np.where(
        frame["last_gap"].isna(), NO_HISTORY, np.where(frame["last_gap"] < 0, BELOW, NOT_BELOW)
    )
    frame = frame.sort_values("school_code", ignore_index=True)
    return Dataset(frame, label_year, vintage, state_rate, unlabelled=len(year) - len(labelled))


def make_pipeline() -> Pipeline:
    """Standardised numeric features (median-imputed, with missing flags), one-hot categories, logistic regression."""
    numeric = Pipeline([("impute", SimpleImputer(strategy="median", add_indicator=True)), ("scale", StandardScaler())])
    features = ColumnTransformer(
        [
            ("numeric", numeric, list(NUMERIC_FEATURES)),
            ("categories", OneHotEncoder(handle_unknown="ignore"), list(CATEGORICAL_FEATURES)),
        ]
    )
    return Pipeline([("features", features), ("model", LogisticRegression(max_iter=1000, random_state=SEED))])


def make_gap_pipeline() -> Pipeline:
    """The gap baseline: logistic regression on last year's gap to the state rate alone (median-imputed)."""
    return Pipeline(
        [
            ("impute", SimpleImputer(strategy="median")),
            ("scale", StandardScaler()),
            ("model", LogisticRegression(max_iter=1000, random_state=SEED)),
        ]
    )


def feature_matrix(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[list(NUMERIC_FEATURES + CATEGORICAL_FEATURES)]


def _source_features(features: ColumnTransformer) -> list[str]:
    """For each column the fitted feature transformer outputs, the original feature it comes from."""
    numeric = features.named_transformers_["numeric"].get_feature_names_out(list(NUMERIC_FEATURES))
    owners = [name.removeprefix("missingindicator_") for name in numeric]
    encoder = features.named_transformers_["categories"]
    for column, categories in zip(CATEGORICAL_FEATURES, encoder.categories_, strict=True):
        owners += [column] * len(categories)
    return owners


def contributions(pipeline: Pipeline, train: pd.DataFrame, test: pd.DataFrame) -> pd.DataFrame:
    """Each test row's contribution of every original feature to the fitted model's log-odds, relative to the mean
    training row: coefficient x (transformed value - training mean), summed over the feature's columns."""
    features = pipeline.named_steps["features"]
    coefficients = pipeline.named_steps["model"].coef_[0]
    train_mean = np.asarray(features.transform(train), dtype=float).mean(axis=0)
    centred = (np.asarray(features.transform(test), dtype=float) - train_mean) * coefficients
    by_column = pd.DataFrame(centred, index=test.index, columns=_source_features(features))
    return by_column.T.groupby(level=0, sort=False).sum().T[list(NUMERIC_FEATURES + CATEGORICAL_FEATURES)]


def feature_values(frame: pd.DataFrame) -> pd.DataFrame:
    """The schools' values of every feature as people read them, in the registry's order: numbers (the enrolment FTE
    rather than its log) with null where the school had none (the model imputed it), categories as text with null
    for the model's UNKNOWN."""
    values = {}
    for feature in FEATURES:
        column = frame[feature.name]
        if feature.unit == CATEGORY:
            values[feature.name] = column.astype(object).where(column.notna() & (column != UNKNOWN), None)
        elif feature.name == "log_enrolment_fte":
            values[feature.name] = np.expm1(column.astype(float))
        else:
            values[feature.name] = column.astype(float)
    return pd.DataFrame(values, index=frame.index)


def drivers_table(frame: pd.DataFrame, contribution: pd.DataFrame) -> pd.DataFrame:
    """ml.attendance_risk_drivers: one row per school and feature, with the feature's label and unit from the
    registry and the school's value as a number (`feature_value`) or, for a category, as text (`category`)."""
    long = contribution.rename_axis(index="row", columns="feature").stack().rename("contribution").reset_index()
    long["school_code"] = frame["school_code"].to_numpy()[long["row"]]
    values = feature_values(frame)
    numeric = long["feature"].map(lambda name: FEATURE_BY_NAME[name].unit != CATEGORY).to_numpy(dtype=bool)
    value = [values.at[row, feature] for row, feature in zip(long["row"], long["feature"], strict=True)]
    long["feature_value"] = pd.Series([v if n else None for v, n in zip(value, numeric, strict=True)], dtype=float)
    long["category"] = pd.Series([None if n else v for v, n in zip(value, numeric, strict=True)], dtype=object)
    long["label"] = long["feature"].map(lambda name: FEATURE_BY_NAME[name].label)
    long["unit"] = long["feature"].map(lambda name: FEATURE_BY_NAME[name].unit)
    return long[["school_code", "feature", "label", "unit", "feature_value", "category", "contribution"]]


def baseline_probabilities(train_feature: np.ndarray, train_label: np.ndarray, test_feature: np.ndarray) -> np.ndarray:
    """The share of training schools of the same baseline group that were below (the training base rate for a group
    the training folds lack)."""
    base_rate = float(train_label.mean())
    shares = {
        group: float(train_label[train_feature == group].mean()) if (train_feature == group).any() else base_rate
        for group in (BELOW, NOT_BELOW, NO_HISTORY)
    }
    return np.array([shares[g] for g in test_feature], dtype=float)


def came_true_by_fold(
    score: np.ndarray, label: np.ndarray, folds: np.ndarray, threshold: float | np.ndarray = THRESHOLD
) -> pd.DataFrame:
    """Per fold (`fold`, `metric`, `value`): the share of its schools whose yes/no prediction (score above
    `threshold`, a number or one per school) came true (`came_true`), and that share among the schools predicted
    below (`came_true_predicted_below`) and predicted not below (`came_true_predicted_not_below`); null for a
    predicted class a fold does not have."""
    predicted = np.asarray(score, dtype=float) > threshold
    frame = pd.DataFrame({"fold": folds, "predicted": predicted, "came_true": predicted == np.asarray(label, bool)})
    rows = []
    for fold, group in frame.groupby("fold", sort=True):
        below, not_below = group.loc[group.predicted, "came_true"], group.loc[~group.predicted, "came_true"]
        shares = (
            group.came_true.mean(),
            below.mean() if len(below) else np.nan,
            not_below.mean() if len(not_below) else np.nan,
        )
        rows += [(int(fold), metric, float(v)) for metric, v in zip(CAME_TRUE_METRICS, shares, strict=True)]
    return pd.DataFrame(rows, columns=["fold", "metric", "value"])


def training_base_rate(label: np.ndarray, folds: np.ndarray) -> np.ndarray:
    """For each school, the share below among the schools of the other folds (its model's training base rate)."""
    label = np.asarray(label, dtype=float)
    rate = {k: float(label[folds != k].mean()) for k in np.unique(folds)}
    return np.array([rate[k] for k in folds], dtype=float)


def threshold_comparison(risk: pd.DataFrame) -> pd.DataFrame:
    """The model's yes/no at THRESHOLD and at the training folds' base rate, each measured on the held-out folds
    (ml.attendance_risk's risk_score, is_below_state_rate and fold): `threshold` (its name), `value` (the mean
    threshold), `predicted_below` (schools) and the mean over the folds of each CAME_TRUE_METRICS share."""
    score = risk["risk_score"].to_numpy(dtype=float)
    label = risk["is_below_state_rate"].to_numpy(dtype=bool)
    folds = risk["fold"].to_numpy(dtype=int)
    rows = []
    for name, threshold in (
        (f"{THRESHOLD:g}", np.full(len(risk), THRESHOLD)),
        ("base rate", training_base_rate(label, folds)),
    ):
        shares = came_true_by_fold(score, label, folds, threshold).groupby("metric")["value"].mean()
        rows.append(
            {"threshold": name, "value": float(threshold.mean()), "predicted_below": int((score > threshold).sum())}
            | {metric: float(shares[metric]) for metric in CAME_TRUE_METRICS}
        )
    return pd.DataFrame(rows)


# Why a current school has no score: the label year's attendance status (the model scores only "reported"), or, when
# the attendance file has no row for it that year, whether it has none in any year and is newer than the model's
# school list.
UNSCORED_REASONS = {
    "suppressed": "its {year} attendance rate was suppressed (not published: too few students)",
    "not_applicable": "the attendance file marks its {year} rate as not applicable",
    "not_reported": "the attendance file has no rate for it in {year} (not reported)",
    "invalid": "its {year} attendance value was rejected as invalid (kept in quarantine)",
    "new_school": (
        "it is newer than the data: first listed on {first_listed}, after the {vintage} school list the model reads, "
        "and the attendance file (to {year}) has no row for it"
    ),
    "not_in_attendance_file": (
        "the attendance file (to {year}) has no row for it in any year: attendance is not published for it"
    ),
    "no_row_in_label_year": "the attendance file has no row for it in {year}, only in earlier years",
}


def unscored_schools(attendance: pd.DataFrame, schools: pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    """ml.attendance_risk_unscored: every current school (`schools`: marts.dim__school with is_current) that
    `dataset` does not score, with `calendar_year` (the label year), `attendance_status` that year (null when the
    file has no row) and the `reason` as a code and as words (`explanation`)."""
    year = dataset.label_year
    listed = schools[~schools["is_inferred"].astype(bool)]
    first_listed = pd.to_datetime(listed["valid_from"]).groupby(listed["school_code"].astype(int)).min()
    current = np.unique(listed.loc[listed["is_current"].astype(bool), "school_code"].astype(int))
    codes = np.setdiff1d(current, dataset.frame["school_code"].to_numpy(dtype=int))
    label_year = attendance[attendance["calendar_year"] == year]
    status = label_year.set_index(label_year["school_code"].astype(int))["attendance_status"]
    in_file = set(attendance["school_code"].astype(int))
    rows = []
    for code in codes:
        if code in status.index:
            reason = status[code] if status[code] in UNSCORED_REASONS else "invalid"
        elif code in in_file:
            reason = "no_row_in_label_year"
        elif first_listed[code].date() > dataset.vintage:
            reason = "new_school"
        else:
            reason = "not_in_attendance_file"
        explanation = UNSCORED_REASONS[reason].format(
            year=year, vintage=f"{dataset.vintage:%-d %b %Y}", first_listed=f"{first_listed[code]:%-d %b %Y}"
        )
        rows.append((int(code), year, status.get(code), reason, explanation))
    return pd.DataFrame(rows, columns=["school_code", "calendar_year", "attendance_status", "reason", "explanation"])


def fold_assignment(label: np.ndarray) -> np.ndarray:
    """The fold (1..N_FOLDS) each row is held out in: stratified by the label, shuffled with the fixed seed."""
    folds = np.zeros(len(label), dtype=int)
    splitter = StratifiedKFold(n_splits=N_FOLDS, shuffle=True, random_state=SEED)
    for k, (_, test) in enumerate(splitter.split(np.zeros(len(label)), label), start=1):
        folds[test] = k
    return folds


def calibration_by_decile(score: np.ndarray, label: np.ndarray, school_code: np.ndarray) -> pd.DataFrame:
    """Schools ranked by score (ties by school_code) in ten groups of near-equal size; decile 10 is the riskiest."""
    order = np.lexsort((school_code, score))
    decile = np.empty(len(score), dtype=int)
    for d, rows in enumerate(np.array_split(order, N_DECILES), start=1):
        decile[rows] = d
    frame = pd.DataFrame({"decile": decile, "score": score, "label": label.astype(float)})
    table = frame.groupby("decile").agg(
        schools=("score", "size"),
        mean_risk_score=("score", "mean"),
        share_below_state_rate=("label", "mean"),
        min_risk_score=("score", "min"),
        max_risk_score=("score", "max"),
    )
    return table.reset_index()


def evaluate(dataset: Dataset) -> RiskResult:
    """Cross-validate the model and the baseline on the same folds; out-of-fold scores, metrics, calibration."""
    frame = dataset.frame
    label = frame["is_below_state_rate"].to_numpy(dtype=bool)
    if label.all() or not label.any():
        raise ValueError("the label has a single class: nothing to classify")
    features = feature_matrix(frame)
    baseline_feature = frame["baseline_feature"].to_numpy()
    folds = fold_assignment(label)
    score = np.full(len(frame), np.nan)
    baseline_score = np.full(len(frame), np.nan)
    gap_score = np.full(len(frame), np.nan)
    gap = frame[["last_gap"]]
    rows = []
    contribution = []
    for k in range(1, N_FOLDS + 1):
        train, test = folds != k, folds == k
        pipeline = make_pipeline().fit(features[train], label[train])
        score[test] = pipeline.predict_proba(features[test])[:, 1]
        contribution.append(contributions(pipeline, features[train], features[test]))
        baseline_score[test] = baseline_probabilities(baseline_feature[train], label[train], baseline_feature[test])
        gap_score[test] = make_gap_pipeline().fit(gap[train], label[train]).predict_proba(gap[test])[:, 1]
        for model, predicted in ((MODEL, score), (BASELINE, baseline_score), (BASELINE_GAP, gap_score)):
            rows.append((model, "roc_auc", k, float(roc_auc_score(label[test], predicted[test]))))
            rows.append((model, "brier", k, float(brier_score_loss(label[test], predicted[test]))))
    came_true = [
        came_true_by_fold(predicted, label, folds).assign(model=model)
        for model, predicted in ((MODEL, score), (BASELINE, baseline_score), (BASELINE_GAP, gap_score))
    ]
    per_fold = pd.concat([pd.DataFrame(rows, columns=["model", "metric", "fold", "value"]), *came_true])
    mean = per_fold.groupby(["model", "metric"], sort=False)["value"].mean().reset_index()
    mean["fold"] = pd.NA
    evaluation = pd.concat([mean, per_fold], ignore_index=True)[["model", "metric", "fold", "value"]]
    evaluation["fold"] = evaluation["fold"].astype("Int64")
    evaluation = evaluation.sort_values(
        ["model", "metric", "fold"], na_position="first", ignore_index=True, key=_model_order
    )
    evaluation["beats_baseline"] = beats_baseline(evaluation)

    risk = frame[["school_code", "school_sk", "calendar_year", "attendance_rate", "state_attendance_rate"]].copy()
    risk["risk_score"] = score
    risk["risk_percentile"] = risk_percentile(score)
    risk["is_below_state_rate"] = label
    risk["predicted_below_state_rate"] = score > THRESHOLD
    risk["prediction_came_true"] = risk["predicted_below_state_rate"] == label
    risk["baseline_score"] = baseline_score
    risk["baseline_gap_score"] = gap_score
    risk["fold"] = folds
    calibration = calibration_by_decile(score, label, frame["school_code"].to_numpy())
    calibration.insert(0, "model", MODEL)
    drivers = drivers_table(frame, pd.concat(contribution).sort_index())
    return RiskResult(dataset, risk, evaluation, calibration, drivers)


def _model_order(column: pd.Series) -> pd.Series:
    if column.name == "model":
        return column.map({m: i for i, m in enumerate(MODELS)})
    if column.name == "metric":
        return column.map({m: i for i, m in enumerate(METRICS)})
    return column


def training_fit_auc(dataset: Dataset) -> float:
    """The AUC of a model scored on the schools it was fitted on: optimistic, never reported as the model's AUC
    (it is here so that a test can show the difference)."""
    label = dataset.frame["is_below_state_rate"].to_numpy(dtype=bool)
    features = feature_matrix(dataset.frame)
    return float(roc_auc_score(label, make_pipeline().fit(features, label).predict_proba(features)[:, 1]))


def attendance_risk(
    attendance: pd.DataFrame, schools: pd.DataFrame, state: pd.DataFrame, label_year: int | None = None
) -> RiskResult:
    """Everything the asset writes, from marts.fct__attendance, marts.dim__school and the state rates of
    reporting.rpt__state_attendance_rate."""
    return evaluate(build_dataset(attendance, schools, state, label_year))
