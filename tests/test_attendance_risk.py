"""The attendance risk model (ml.attendance_risk, ml.attendance_model_eval, ml.attendance_calibration,
ml.attendance_risk_drivers, ml.attendance_risk_unscored): its labels against the state's weighted rate, no leakage
from the label year, cross-validated metrics, the yes/no prediction and whether it came true, calibration deciles,
per-school drivers that add up to the score, why a school has no score, identical tables on every run.
Pure-function tests on small frames first, then the real build."""

import datetime as dt
import shutil

import dagster as dg
import duckdb
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import brier_score_loss, roc_auc_score

from nsw_doe.build import model_warnings
from nsw_doe.defs.ml.attendance_risk import (
    ATTENDANCE_QUERY,
    SCHOOLS_QUERY,
    STATE_QUERY,
    attendance_risk_definitions,
    verdict_sentence,
)
from nsw_doe.defs.resources import WarehouseResource
from nsw_doe.ml import attendance_risk as risk
from nsw_doe.warehouse import Warehouse
from tests.conftest import publish_a_new_build

# ---------------------------------------------------------------------------------------------- small frames


def attendance_rows(*rows) -> pd.DataFrame:
    """(school_code, calendar_year, attendance_rate, attendance_status, headcount) rows as fct__attendance."""
    frame = pd.DataFrame(
        rows, columns=["school_code", "calendar_year", "attendance_rate", "attendance_status", "headcount"]
    )
    frame["school_sk"] = "sk" + frame["school_code"].astype(str) + "-" + frame["calendar_year"].astype(str)
    return frame


def test_the_state_rates_are_read_as_given_and_a_year_without_one_is_left_out():
    """The model forms no state rate of its own: it reads reporting.rpt__state_attendance_rate's (whose weighting
    tests/test_reporting.py checks against the semantic metric)."""
    state = pd.DataFrame({"calendar_year": [2019, 2020, 2021], "attendance_rate": [91.5, None, 88.25]})
    assert risk.state_rates(state).to_dict() == {2019: 91.5, 2021: 88.25}


def test_history_is_built_from_earlier_reported_years_and_last_year_skips_the_missing_2020():
    state = pd.Series({2018: 90.0, 2019: 91.0, 2021: 88.0})
    attendance = attendance_rows(
        (1, 2018, 92.0, "reported", 100),
        (1, 2019, 90.0, "reported", 100),
        (1, 2021, 87.0, "reported", 100),
        (1, 2022, 50.0, "reported", 100),  # the label year: never a feature
        (2, 2018, 89.0, "reported", 100),
        (2, 2019, 95.0, "reported", 100),
        (2, 2021, None, "suppressed", 100),  # no 2021 rate: its last year is 2019
    )
    history = risk.history_features(attendance, state, label_year=2022)
    one, two = history.loc[1], history.loc[2]
    assert (one.last_year, one.last_rate, one.last_gap) == (2021, 87.0, -1.0)
    assert one.mean_gap == pytest.approx((2.0 - 1.0 - 1.0) / 3)
    assert (one.years_reported, one.years_since_last) == (3, 1)
    assert (two.last_year, two.last_rate, two.last_gap, two.years_since_last) == (2019, 95.0, 4.0, 3)


def dim_rows(*rows) -> pd.DataFrame:
    """(school_code, valid_from, valid_to, icsea_value) rows as dim__school, the other attributes filled in."""
    frame = pd.DataFrame(rows, columns=["school_code", "valid_from", "valid_to", "icsea_value"])
    for column in ("valid_from", "valid_to"):
        frame[column] = pd.to_datetime(frame[column])
    frame["is_inferred"] = False
    frame["latest_year_enrolment_fte"] = 100.0
    frame["lbote_pct"] = 10.0
    frame["indigenous_pct"] = 5.0
    frame["asgs_remoteness"] = "Major Cities of Australia"
    frame["level_of_schooling"] = "Primary School"
    return frame


def test_attributes_come_from_the_last_vintage_before_the_label_year():
    schools = dim_rows(
        (1, "2019-06-05", "2020-03-05", 900),
        (1, "2020-03-05", "2023-08-18", 950),  # the last vintage before 2022
        (1, "2023-08-18", None, 1100),  # published after 1 January 2022: never a feature
        (2, "2023-08-18", None, 1000),  # a school first seen after: no attributes
    )
    assert risk.vintage_before(schools, 2022) == dt.date(2020, 3, 5)
    attributes = risk.attributes_on(schools, dt.date(2020, 3, 5))
    assert attributes.index.tolist() == [1]
    assert attributes.loc[1, "icsea_value"] == 950


def test_the_baseline_scores_a_group_by_its_share_below_in_the_training_folds():
    train = np.array([risk.BELOW, risk.BELOW, risk.NOT_BELOW, risk.NOT_BELOW, risk.NOT_BELOW, risk.NOT_BELOW])
    label = np.array([True, False, True, False, False, False])
    test = np.array([risk.BELOW, risk.NOT_BELOW, risk.NO_HISTORY])  # no_history is not in training: base rate
    assert risk.baseline_probabilities(train, label, test).tolist() == pytest.approx([0.5, 0.25, 2 / 6])


def test_calibration_deciles_split_ties_by_school_code_and_cover_every_school():
    score = np.array([0.1] * 5 + [0.9] * 18)
    school_code = np.arange(23)[::-1]  # the five tied lowest scores belong to schools 22, 21, 20, 19, 18
    label = school_code == 18  # decile 1 holds schools 18, 19 and 20: one of its three is below
    table = risk.calibration_by_decile(score, label, school_code)
    assert table.decile.tolist() == list(range(1, 11))
    assert table.schools.tolist() == [3, 3, 3, 2, 2, 2, 2, 2, 2, 2]
    assert table.share_below_state_rate.tolist()[:2] == [pytest.approx(1 / 3), 0.0]
    assert (table.max_risk_score.to_numpy()[:-1] <= table.min_risk_score.to_numpy()[1:]).all()


def test_drivers_group_each_feature_s_columns_and_add_up_to_the_score_against_the_average_row():
    """Contributions come back per original feature (a missing flag joins its number, one-hot columns their
    category) and add up to the fitted model's log-odds minus its log-odds at the training rows' mean."""
    rng = np.random.default_rng(7)
    n = 200
    frame = pd.DataFrame({feature: rng.normal(size=n) for feature in risk.NUMERIC_FEATURES})
    frame.loc[::9, "icsea_value"] = np.nan  # a missing flag column for icsea_value
    frame["asgs_remoteness"] = rng.choice(["Major Cities", "Inner Regional", "Remote"], size=n)
    frame["level_of_schooling"] = rng.choice(["Primary School", "Secondary School"], size=n)
    label = (frame["last_gap"].fillna(0) + (frame["asgs_remoteness"] == "Remote") + rng.normal(size=n)) > 0.5
    train, test = frame.iloc[:150], frame.iloc[150:]
    pipeline = risk.make_pipeline().fit(train, label[:150])
    assert "numeric__missingindicator_icsea_value" in pipeline[:-1].get_feature_names_out()

    contribution = risk.contributions(pipeline, train, test)
    assert list(contribution.columns) == list(risk.NUMERIC_FEATURES + risk.CATEGORICAL_FEATURES)
    assert contribution.index.equals(test.index)
    features, model = pipeline.named_steps["features"], pipeline.named_steps["model"]
    at_mean = model.intercept_[0] + np.asarray(features.transform(train)).mean(axis=0) @ model.coef_[0]
    np.testing.assert_allclose(contribution.sum(axis=1), pipeline.decision_function(test) - at_mean, atol=1e-9)

    drivers = risk.drivers_table(
        frame.assign(school_code=np.arange(n) + 1000).iloc[150:].reset_index(drop=True),
        contribution.reset_index(drop=True),
    )
    assert len(drivers) == 50 * 11 and list(drivers.columns) == [
        "school_code",
        "feature",
        "label",
        "unit",
        "feature_value",
        "category",
        "contribution",
    ]
    first = drivers[drivers.school_code == 1150].set_index("feature")
    assert first.loc["asgs_remoteness", "category"] == frame.loc[150, "asgs_remoteness"]
    assert np.isnan(first.loc["asgs_remoteness", "feature_value"])
    assert first.loc["last_gap", "feature_value"] == frame.loc[150, "last_gap"]


def test_every_feature_of_the_model_is_in_the_registry_once_with_a_label_and_a_unit():
    names = [feature.name for feature in risk.FEATURES]
    assert len(names) == len(set(names)) == len(risk.NUMERIC_FEATURES + risk.CATEGORICAL_FEATURES)
    assert set(names) == set(risk.NUMERIC_FEATURES + risk.CATEGORICAL_FEATURES)
    assert all(feature.label and feature.unit for feature in risk.FEATURES)
    assert {f.name for f in risk.FEATURES if f.unit == risk.CATEGORY} == set(risk.CATEGORICAL_FEATURES)


def test_driver_values_are_numbers_in_their_unit_and_categories_text():
    """The enrolment FTE rather than its log; a value the school lacked (imputed by the model) is null, and so is
    the model's Unknown category."""
    frame = pd.DataFrame(
        {
            **{feature: [1.0, np.nan] for feature in risk.NUMERIC_FEATURES},
            "log_enrolment_fte": [np.log1p(627.0), np.nan],
            "icsea_value": [1115.0, np.nan],
            "last_gap": [4.26, -1.0],
            "asgs_remoteness": ["Major Cities of Australia", risk.UNKNOWN],
            "level_of_schooling": ["Primary School", "Primary School"],
        }
    )
    values = risk.feature_values(frame)
    assert list(values.columns) == [feature.name for feature in risk.FEATURES]
    assert values.at[0, "log_enrolment_fte"] == pytest.approx(627.0)
    assert values.at[0, "icsea_value"] == 1115.0 and values.at[0, "last_gap"] == 4.26
    assert np.isnan(values.at[1, "icsea_value"]) and np.isnan(values.at[1, "log_enrolment_fte"])
    assert values.at[0, "asgs_remoteness"] == "Major Cities of Australia"
    assert values.at[1, "asgs_remoteness"] is None


def evaluation_of(auc: float, brier: float, baseline_auc: float = 0.8, baseline_brier: float = 0.13) -> pd.DataFrame:
    """ml.attendance_model_eval's cross-validated rows (null fold) for the model and the baseline."""
    frame = pd.DataFrame(
        [
            (risk.MODEL, "roc_auc", auc),
            (risk.MODEL, "brier", brier),
            (risk.BASELINE, "roc_auc", baseline_auc),
            (risk.BASELINE, "brier", baseline_brier),
        ],
        columns=["model", "metric", "value"],
    )
    return frame.assign(fold=pd.array([pd.NA] * 4, dtype="Int64"))


@pytest.mark.parametrize(
    ("auc", "brier", "beats"),
    [
        (0.93, 0.10, True),  # better on both
        (0.75, 0.10, False),  # a lower AUC
        (0.93, 0.15, False),  # a higher Brier score
        (0.80, 0.10, False),  # an equal AUC is not better
        (0.93, 0.13, False),  # nor an equal Brier score
    ],
)
def test_the_model_beats_its_baseline_only_when_strictly_better_on_both_metrics(auc, brier, beats):
    evaluation = evaluation_of(auc, brier)
    assert risk.beats_baseline(evaluation) is beats


def test_a_model_that_loses_to_its_baseline_gets_the_verdict_false_and_every_text_says_so():
    """The headline (build summary), the verdict line (build summary and metadata) and the school profile's
    message, from a model worse than its baseline."""
    from nsw_doe.app.profile.risk import baseline_warning

    evaluation = evaluation_of(auc=0.75, brier=0.15)
    evaluation = pd.concat([evaluation, evaluation_of(0.9, 0.1).assign(model=risk.BASELINE_GAP)[2:]])
    evaluation["beats_baseline"] = risk.beats_baseline(evaluation)
    assert not evaluation["beats_baseline"].any()
    dataset = risk.Dataset(pd.DataFrame(), 2022, dt.date(2020, 3, 5), 85.0, 0)
    result = risk.RiskResult(dataset, pd.DataFrame(), evaluation, pd.DataFrame(), pd.DataFrame())
    assert not result.beats_baseline
    assert result.headline.endswith(": does NOT beat the baseline")
    assert "does NOT beat its baseline" in verdict_sentence(False, 0.75, 0.8, 0.15, 0.13)
    assert "AUC 0.750 against 0.800, Brier 0.150 against 0.130" in verdict_sentence(False, 0.75, 0.8, 0.15, 0.13)
    row = {"beats_baseline": False, "auc": 0.75, "baseline_auc": 0.8, "brier": 0.15, "baseline_brier": 0.13}
    assert baseline_warning(row).startswith("**This build's risk model does not beat its baseline**")
    assert "AUC 0.750 against the baseline's 0.800" in baseline_warning(row)
    assert baseline_warning(row | {"beats_baseline": True}) is None
    assert "beats its baseline" in verdict_sentence(True, 0.93, 0.8, 0.1, 0.13)


def test_came_true_shares_are_counted_per_fold_and_per_predicted_class():
    score = np.array([0.9, 0.6, 0.2, 0.4, 0.7, 0.1])
    label = np.array([True, False, False, True, True, False])
    folds = np.array([1, 1, 1, 2, 2, 2])
    table = risk.came_true_by_fold(score, label, folds).set_index(["fold", "metric"])["value"]
    # Fold 1: predicted below, below, not below -> came true, no, yes; fold 2: not below (wrong), below, not below.
    assert table[1, "came_true"] == pytest.approx(2 / 3) and table[2, "came_true"] == pytest.approx(2 / 3)
    assert table[1, "came_true_predicted_below"] == 0.5 and table[1, "came_true_predicted_not_below"] == 1.0
    assert table[2, "came_true_predicted_below"] == 1.0 and table[2, "came_true_predicted_not_below"] == 0.5
    # A threshold per school: at 0.3 the fold-2 school scoring 0.4 is predicted below, and comes true.
    lower = risk.came_true_by_fold(score, label, folds, np.full(6, 0.3)).set_index(["fold", "metric"])["value"]
    assert lower[2, "came_true"] == 1.0
    # A fold without schools predicted below has no share for that class (not a zero).
    assert np.isnan(
        risk.came_true_by_fold(score, label, folds, 0.95).set_index(["fold", "metric"])["value"][
            1, "came_true_predicted_below"
        ]
    )


def test_the_base_rate_threshold_is_the_other_folds_share_below():
    label = np.array([True, False, False, True, True, True])
    folds = np.array([1, 1, 1, 2, 2, 2])
    assert risk.training_base_rate(label, folds).tolist() == [1.0] * 3 + [1 / 3] * 3


def test_each_current_school_without_a_score_gets_the_reason_of_the_filter_that_left_it_out():
    attendance = attendance_rows(
        (1, 2021, 90.0, "reported", 100),
        (1, 2022, 90.0, "reported", 100),  # scored
        (2, 2022, None, "suppressed", 10),
        (3, 2022, None, "not_applicable", None),
        (4, 2021, 88.0, "reported", 100),  # no 2022 row, rows before
        (7, 2022, 80.0, "reported", 100),  # scored, but closed since: in neither table
    )
    schools = pd.DataFrame(
        {
            "school_code": [1, 2, 3, 4, 5, 6, 7],
            "valid_from": pd.to_datetime(["2018-01-01"] * 5 + ["2023-08-18", "2018-01-01"]),
            "is_inferred": False,
            "is_current": [True] * 6 + [False],
        }
    )
    frame = pd.DataFrame({"school_code": [1, 7]})
    dataset = risk.Dataset(frame, 2022, dt.date(2020, 3, 5), 85.0, unlabelled=2)
    table = risk.unscored_schools(attendance, schools, dataset).set_index("school_code")
    assert table["reason"].to_dict() == {
        2: "suppressed",
        3: "not_applicable",
        4: "no_row_in_label_year",
        5: "not_in_attendance_file",
        6: "new_school",
    }
    assert table.loc[6, "explanation"].startswith(
        "it is newer than the data: first listed on 18 Aug 2023, after the 5 Mar 2020"
    )
    assert table.loc[2, "attendance_status"] == "suppressed" and pd.isna(table.loc[5, "attendance_status"])
    assert (table["calendar_year"] == 2022).all()


def test_the_risk_percentile_is_sql_s_percent_rank_ties_included():
    score = np.array([0.3, 0.1, 0.3, 0.9, 0.5, 0.1, 0.3])
    expected = (
        duckdb.connect()
        .execute(
            "select percent_rank() over (order by s) from unnest(?) with ordinality as t(s, i) order by i",
            [score.tolist()],
        )
        .fetchall()
    )
    assert risk.risk_percentile(score).tolist() == [value for (value,) in expected]
    assert risk.risk_percentile(np.array([0.4])).tolist() == [0.0]


# ---------------------------------------------------------------------------------------------- the real build


@pytest.fixture(scope="module")
def frames(built) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What the asset reads: marts.fct__attendance, marts.dim__school and reporting.rpt__state_attendance_rate of
    the shared build."""
    with Warehouse(built[0].warehouse_dir).connect_read_only() as con:
        return con.execute(ATTENDANCE_QUERY).df(), con.execute(SCHOOLS_QUERY).df(), con.execute(STATE_QUERY).df()


@pytest.fixture(scope="module")
def dataset(frames) -> risk.Dataset:
    return risk.build_dataset(*frames)


def published_state_rates(con) -> dict[int, float]:
    """The department's state attendance row per year, from the latest edition that has the year."""
    rows = con.execute(
        "select calendar_year, measure_value from marts.fct__statewide_total "
        "where source_dataset = 'attendance' and measure = 'attendance_rate' "
        "qualify row_number() over (partition by calendar_year order by edition_year desc) = 1"
    ).fetchall()
    return dict(rows)


def test_the_state_weighted_rate_lands_within_0_2_points_of_the_published_state_row(con, frames):
    computed = risk.state_rates(frames[2])
    published = published_state_rates(con)
    assert sorted(computed.index) == sorted(published) and len(published) == 11  # 2011-2022, no 2020
    misses = {year: round(computed[year] - value, 3) for year, value in published.items()}
    assert all(abs(miss) <= 0.2 for miss in misses.values()), misses


def test_labels_are_the_latest_years_rates_against_the_state_weighted_rate(con):
    year, state = con.execute(
        "select calendar_year, sum(attendance_rate * headcount) / sum(headcount) from marts.fct__attendance "
        "where attendance_status = 'reported' and headcount > 0 group by 1 order by 1 desc limit 1"
    ).fetchone()
    assert year == 2022
    wrong = con.execute(
        "select count(*) from (select * from marts.fct__attendance where calendar_year = $year) as f "
        "full join ml.attendance_risk as r on r.school_code = f.school_code "
        "where (f.attendance_status = 'reported' and f.attendance_rate is not null) "
        "    is distinct from (r.school_code is not null) "
        "  or r.school_code is not null and ("
        "    r.calendar_year != $year or r.is_below_state_rate != (f.attendance_rate < $state) "
        "    or r.attendance_rate != f.attendance_rate or r.school_sk != f.school_sk "
        "    or abs(r.state_attendance_rate - $state) > 1e-9)",
        {"year": year, "state": state},
    ).fetchone()[0]
    assert wrong == 0
    labelled, below = con.execute(
        "select count(*), count(*) filter (is_below_state_rate) from ml.attendance_risk"
    ).fetchone()
    assert labelled > 2000 and 0.2 < below / labelled < 0.8


def test_no_feature_uses_the_label_year(frames, dataset):
    """Change everything of 2022 but the labels (its rates pulled halfway to the state rate, which keeps each school
    on its side and the weighted rate where it is; its headcounts tripled; every attribute of the vintages published
    since 1 January 2022) and the scores do not move. Change 2021 and they do."""
    attendance, schools, state = frames
    before = risk.evaluate(dataset)

    changed = attendance.copy()
    in_2022 = changed["calendar_year"] == 2022
    rates = changed.loc[in_2022, "attendance_rate"]
    changed.loc[in_2022, "attendance_rate"] = dataset.state_rate + (rates - dataset.state_rate) / 2
    changed.loc[in_2022, "headcount"] = changed.loc[in_2022, "headcount"] * 3
    later = pd.to_datetime(schools["valid_from"]) >= pd.Timestamp(2022, 1, 1)
    changed_schools = schools.copy()
    changed_schools.loc[later, "icsea_value"] = 500
    changed_schools.loc[later, "lbote_pct"] = 99.0
    changed_schools.loc[later, "asgs_remoteness"] = "Very Remote Australia"
    changed_schools.loc[later, "level_of_schooling"] = "Other School"
    after = risk.attendance_risk(changed, changed_schools, state)
    assert after.dataset.vintage == dataset.vintage == dt.date(2020, 3, 5)
    assert after.dataset.state_rate == pytest.approx(dataset.state_rate, abs=1e-9)
    assert after.risk["is_below_state_rate"].equals(before.risk["is_below_state_rate"])
    assert np.array_equal(after.risk["risk_score"].to_numpy(), before.risk["risk_score"].to_numpy())
    pd.testing.assert_frame_equal(after.evaluation, before.evaluation)

    earlier = attendance.copy()
    in_2021 = (earlier["calendar_year"] == 2021) & (earlier["school_code"] % 2 == 0)
    earlier.loc[in_2021, "attendance_rate"] = earlier.loc[in_2021, "attendance_rate"] - 3
    moved = risk.attendance_risk(earlier, schools, state)
    assert not np.allclose(moved.risk["risk_score"].to_numpy(), before.risk["risk_score"].to_numpy())


def test_auc_and_brier_come_from_held_out_folds_never_the_training_fit(con, dataset):
    table = con.execute(
        "select school_code, risk_score, baseline_score, baseline_gap_score, is_below_state_rate, fold "
        "from ml.attendance_risk "
        "order by school_code"
    ).df()
    evaluation = con.execute("select model, metric, fold, value from ml.attendance_model_eval").df()
    assert table["school_code"].tolist() == dataset.frame["school_code"].tolist()

    # Every risk_score is the prediction of a model fitted without the school's fold.
    features = risk.feature_matrix(dataset.frame)
    label = dataset.frame["is_below_state_rate"].to_numpy(dtype=bool)
    for k in range(1, risk.N_FOLDS + 1):
        held_out = (table["fold"] == k).to_numpy()
        assert 0.15 < held_out.mean() < 0.25
        fitted = risk.make_pipeline().fit(features[~held_out], label[~held_out])
        np.testing.assert_allclose(table["risk_score"][held_out], fitted.predict_proba(features[held_out])[:, 1])

    # The table's metrics are those of the held-out scores, fold by fold, and their mean.
    def value(model, metric, fold=None):
        rows = evaluation[(evaluation.model == model) & (evaluation.metric == metric)]
        rows = rows[rows.fold.isna()] if fold is None else rows[rows.fold == fold]
        assert len(rows) == 1
        return rows.value.iloc[0]

    columns = {risk.MODEL: "risk_score", risk.BASELINE: "baseline_score", risk.BASELINE_GAP: "baseline_gap_score"}
    for model, column in columns.items():
        for metric, score in (("roc_auc", roc_auc_score), ("brier", brier_score_loss)):
            folds = [
                score(table.is_below_state_rate[table.fold == k], table[column][table.fold == k])
                for k in range(1, risk.N_FOLDS + 1)
            ]
            assert [value(model, metric, k) for k in range(1, risk.N_FOLDS + 1)] == pytest.approx(folds)
            assert value(model, metric) == pytest.approx(np.mean(folds))
    assert len(evaluation) == len(columns) * len(risk.METRICS) * (risk.N_FOLDS + 1)

    # Scored on the schools it was fitted on, the model looks better than it is: that number is not the table's.
    assert risk.training_fit_auc(dataset) > value(risk.MODEL, "roc_auc") + 0.005


def test_calibration_deciles_cover_every_scored_school(con):
    mismatched = con.execute(
        "with ranked as ("
        "  select ntile(10) over (order by risk_score, school_code) as decile, risk_score, is_below_state_rate "
        "  from ml.attendance_risk), "
        "expected as ("
        "  select decile, count(*) as schools, avg(risk_score) as mean_score, "
        "    avg(is_below_state_rate::int) as share, min(risk_score) as low, max(risk_score) as high "
        "  from ranked group by decile) "
        "select count(*) from expected full join ml.attendance_calibration as c using (decile) "
        "where c.model is distinct from 'logistic_regression' or c.schools is distinct from expected.schools "
        "  or abs(c.mean_risk_score - expected.mean_score) > 1e-12 "
        "  or abs(c.share_below_state_rate - expected.share) > 1e-12 "
        "  or c.min_risk_score is distinct from expected.low or c.max_risk_score is distinct from expected.high"
    ).fetchone()[0]
    assert mismatched == 0
    deciles, schools = con.execute("select count(*), sum(schools) from ml.attendance_calibration").fetchone()
    assert (deciles, schools) == (10, con.execute("select count(*) from ml.attendance_risk").fetchone()[0])


def test_each_school_s_drivers_explain_its_out_of_fold_score(con, dataset):
    """Every scored school has one row per feature, and its contributions add up to the log-odds of its
    risk_score from its own fold's model, less that model's log-odds at the training folds' mean."""
    drivers = con.execute(
        "select school_code, feature, feature_value, contribution from ml.attendance_risk_drivers"
    ).df()
    scores = con.execute("select school_code, fold from ml.attendance_risk order by school_code").df()
    features_per_school = drivers.groupby("school_code")["feature"].apply(sorted)
    assert features_per_school.index.tolist() == scores["school_code"].tolist()
    assert all(f == sorted(risk.NUMERIC_FEATURES + risk.CATEGORICAL_FEATURES) for f in features_per_school)

    total = drivers.groupby("school_code")["contribution"].sum().to_numpy()
    features = risk.feature_matrix(dataset.frame)
    label = dataset.frame["is_below_state_rate"].to_numpy(dtype=bool)
    for k in range(1, risk.N_FOLDS + 1):
        held_out = (scores["fold"] == k).to_numpy()
        fitted = risk.make_pipeline().fit(features[~held_out], label[~held_out])
        transform, model = fitted.named_steps["features"], fitted.named_steps["model"]
        at_mean = (
            model.intercept_[0] + np.asarray(transform.transform(features[~held_out])).mean(axis=0) @ model.coef_[0]
        )
        np.testing.assert_allclose(total[held_out], fitted.decision_function(features[held_out]) - at_mean, atol=1e-8)

    # The value is the school's own, as a number: 1001's last reported rate before 2022 is its 2021 rate.
    rate_2021 = con.execute(
        "select attendance_rate from marts.fct__attendance where school_code = 1001 and calendar_year = 2021"
    ).fetchone()[0]
    assert drivers.query("school_code == 1001 and feature == 'last_rate'")["feature_value"].item() == rate_2021
    types = dict(
        con.execute(
            "select column_name, data_type from duckdb_columns() "
            "where schema_name = 'ml' and table_name = 'attendance_risk_drivers'"
        ).fetchall()
    )
    assert types["feature_value"] == "DOUBLE" and types["category"] == types["unit"] == types["label"] == "VARCHAR"
    registry = {(f.name, f.label, f.unit) for f in risk.FEATURES}
    assert (
        set(con.execute("select distinct feature, label, unit from ml.attendance_risk_drivers").fetchall()) == registry
    )


def test_every_table_and_column_is_described(con):
    undescribed = con.execute(
        "select table_name || coalesce('.' || column_name, '') from ("
        "  select table_name, null as column_name, comment from duckdb_tables() where schema_name = 'ml' "
        "  union all select table_name, column_name, comment from duckdb_columns() where schema_name = 'ml') "
        "where table_name like 'attendance%' and coalesce(comment, '') = ''"
    ).fetchall()
    assert undescribed == []
    assert con.execute(
        "select count(*) from duckdb_tables() where schema_name = 'ml' and table_name like 'attendance%'"
    ).fetchone()[0] == len(ML_TABLES)


ML_TABLES = (
    "attendance_risk",
    "attendance_model_eval",
    "attendance_calibration",
    "attendance_risk_drivers",
    "attendance_risk_unscored",
)


def table_rows(database, table: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(f"select * from ml.{table}").fetchall()  # in the order written


def test_two_runs_write_identical_tables(built, tmp_path):
    """The asset run twice more on a copy of the shared build writes, row for row and bit for bit, what the build
    wrote."""
    published = Warehouse(built[0].warehouse_dir).published
    asset = attendance_risk_definitions().assets[0]
    copy = tmp_path / "copy.duckdb"
    shutil.copy(published, copy)
    expected = {table: table_rows(published, table) for table in ML_TABLES}
    for _ in range(2):
        with duckdb.connect(str(copy)) as con:
            con.execute("drop schema if exists ml cascade")
        resources = {"warehouse": WarehouseResource(database=str(copy), dbt_artifacts_dir=str(tmp_path / "dbt"))}
        result = dg.materialize([asset], resources=resources)
        assert result.success
        assert {table: table_rows(copy, table) for table in ML_TABLES} == expected
    headline = result.asset_materializations_for_node("attendance_risk_model")[0].metadata["headline"].value
    assert headline.startswith("attendance risk 2022: AUC ")


def test_the_stored_percentile_is_the_percent_rank_of_the_scores(con):
    """The page read percent_rank() over the scores before; the stored column gives the same numbers, exactly."""
    differing = con.execute(
        "select count(*) from (select risk_percentile, percent_rank() over (order by risk_score) as pr "
        "from ml.attendance_risk) where risk_percentile is distinct from pr"
    ).fetchone()[0]
    assert differing == 0


def test_the_build_stores_the_verdict_and_warns_only_when_the_model_loses(built, con, own_warehouse):
    """The shared build's model beats its baseline: the verdict is true on every row and the summary has no
    warning. On a copy whose evaluation says it lost, the summary warns with the numbers."""
    assert con.execute("select distinct beats_baseline from ml.attendance_model_eval").fetchall() == [(True,)]
    assert model_warnings(str(built[0].warehouse_dir / "nsw_doe.duckdb")) == []
    assert not [w for w in built[1].warnings if "baseline" in w]
    publish_a_new_build(own_warehouse, "update ml.attendance_model_eval set beats_baseline = false")
    (warning,) = model_warnings(str(own_warehouse.published))
    assert "does NOT beat its baseline" in warning and "AUC 0.93" in warning


def test_the_came_true_flag_is_the_prediction_against_the_label_and_its_shares_are_the_tables(con):
    """Recomputed from ml.attendance_risk's score and label: the yes/no is the score above one half, it came true when
    it equals the label, and the evaluation's came-true shares are those of the held-out folds."""
    table = con.execute(
        "select risk_score, is_below_state_rate, predicted_below_state_rate, prediction_came_true, fold "
        "from ml.attendance_risk"
    ).df()
    predicted = table["risk_score"] > 0.5
    assert (table["predicted_below_state_rate"] == predicted).all()
    assert (table["prediction_came_true"] == (predicted == table["is_below_state_rate"])).all()
    assert 0 < predicted.mean() < 1 and 0 < table["prediction_came_true"].mean() < 1
    stored = con.execute(
        "select metric, fold, value from ml.attendance_model_eval where model = 'logistic_regression'"
    ).df()
    for k, fold in table.groupby("fold"):
        shares = {
            "came_true": fold["prediction_came_true"].mean(),
            "came_true_predicted_below": fold.loc[fold.predicted_below_state_rate, "prediction_came_true"].mean(),
            "came_true_predicted_not_below": fold.loc[~fold.predicted_below_state_rate, "prediction_came_true"].mean(),
        }
        for metric, share in shares.items():
            (value,) = stored.loc[(stored.metric == metric) & (stored.fold == k), "value"]
            assert value == pytest.approx(share)
    (mean,) = stored.loc[(stored.metric == "came_true") & stored.fold.isna(), "value"]
    assert mean == pytest.approx(table.groupby("fold")["prediction_came_true"].mean().mean())


def test_every_current_school_is_scored_or_has_a_reason_never_both(con):
    current = {code for (code,) in con.execute("select school_code from marts.dim__school where is_current").fetchall()}
    scored = {code for (code,) in con.execute("select school_code from ml.attendance_risk").fetchall()}
    unscored = con.execute(
        "select school_code, attendance_status, reason, explanation from ml.attendance_risk_unscored"
    ).df()
    assert unscored["school_code"].is_unique and unscored["explanation"].str.len().gt(0).all()
    assert not set(unscored["school_code"]) & scored
    assert set(unscored["school_code"]) == current - scored
    # The reason is the school's 2022 attendance status where the fact has a row, checked against the fact itself.
    status = dict(
        con.execute(
            "select school_code, attendance_status from marts.fct__attendance "
            "where calendar_year = (select max(calendar_year) from ml.attendance_risk)"
        ).fetchall()
    )
    for row in unscored.itertuples(index=False):
        if row.school_code in status:
            assert (
                status[row.school_code] != "reported" and row.reason == row.attendance_status == status[row.school_code]
            )
        else:
            assert row.reason in {"new_school", "not_in_attendance_file", "no_row_in_label_year"}
