"""The attendance risk model as Dagster assets: ml.attendance_risk, ml.attendance_model_eval,
ml.attendance_calibration and ml.attendance_risk_drivers, written together by one step (the logic is in
nsw_doe.ml.attendance_risk)."""

import dagster as dg
import duckdb

from nsw_doe.defs.resources import WarehouseResource
from nsw_doe.table_comments import write_frame

SCHEMA = "ml"
RISK = dg.AssetKey([SCHEMA, "attendance_risk"])
EVALUATION = dg.AssetKey([SCHEMA, "attendance_model_eval"])
CALIBRATION = dg.AssetKey([SCHEMA, "attendance_calibration"])
DRIVERS = dg.AssetKey([SCHEMA, "attendance_risk_drivers"])
UPSTREAM = [
    dg.AssetKey(["marts", "fct__attendance"]),
    dg.AssetKey(["marts", "dim__school"]),
    dg.AssetKey(["reporting", "rpt__state_attendance_rate"]),
]
# What the model reads of the marts (the tests read the same).
ATTENDANCE_QUERY = (
    "select school_code, school_sk, calendar_year, attendance_rate, attendance_status, headcount "
    "from marts.fct__attendance order by school_code, calendar_year"
)
SCHOOLS_QUERY = (
    "select school_code, valid_from, valid_to, is_inferred, icsea_value, latest_year_enrolment_fte, lbote_pct, "
    "indigenous_pct, asgs_remoteness, level_of_schooling from marts.dim__school order by school_code, valid_from"
)
# The state's weighted rate per year: read from the reporting layer, which forms it as the semantic metric does.
STATE_QUERY = "select calendar_year, attendance_rate from reporting.rpt__state_attendance_rate order by calendar_year"

# Table and column descriptions, written as DuckDB comments (the data dictionary of `nsw-doe export` reads them).
TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "attendance_risk": (
        "Attendance risk: for each school with a reported attendance rate in the label year (the latest year), the "
        "cross-validated probability that its rate is below the state's headcount-weighted rate that year, from "
        "what was known before it (attributes of the last master-dataset vintage before the year, attendance "
        "history up to the year before). One row per labelled school; schools without a reported rate that year "
        "are not labelled and not scored.",
        {
            "school_code": "NSW DoE school code.",
            "school_sk": "Key of the dim__school version of the school valid in the label year (from fct__attendance).",
            "calendar_year": "The label year: the latest year with reported attendance.",
            "risk_score": "Out-of-fold probability (0-1) that the school's rate is below the state rate: from the "
            "logistic regression fitted on the other four folds, never on a model that saw the school.",
            "is_below_state_rate": "The actual label: the school's rate that year is below state_attendance_rate.",
            "attendance_rate": "The school's attendance rate that year, 0-100.",
            "state_attendance_rate": "The state's rate that year, 0-100: sum(rate x headcount) / sum(headcount) over "
            "the schools that reported a rate and a headcount (reporting.rpt__state_attendance_rate.attendance_rate).",
            "baseline_score": "The baseline's out-of-fold probability (0-1): the training folds' share below among "
            "schools with the same value of the one feature (last reported year below that year's state rate, "
            "not below, or no earlier rate).",
            "baseline_gap_score": "The gap baseline's out-of-fold probability (0-1): a logistic regression on one "
            "feature, the last reported year's rate minus that year's state rate.",
            "fold": "The cross-validation fold (1-5) the school was held out in.",
        },
    ),
    "attendance_model_eval": (
        "Attendance risk model evaluation: stratified 5-fold cross-validated ROC AUC and Brier score of the "
        "logistic regression and of two one-feature baselines (last year's rate below last year's state rate; "
        "the size of that gap), scored on held-out folds only. Rows with a null fold are the mean over the five "
        "folds.",
        {
            "model": "logistic_regression (the model), baseline (one binary feature: the last reported year's rate "
            "below that year's state rate) or baseline_gap (one number: that year's gap to the state rate).",
            "metric": "roc_auc (higher is better, 0.5 = chance) or brier (mean squared error of the probability, "
            "lower is better).",
            "fold": "The held-out fold (1-5) the value was measured on; null for the mean over the folds.",
            "value": "The metric's value.",
        },
    ),
    "attendance_calibration": (
        "Calibration of the attendance risk model: the scored schools ranked by their out-of-fold risk_score in "
        "ten groups of near-equal size (ties by school code), with the mean predicted probability and the share "
        "that was actually below the state rate. Every scored school is in exactly one decile.",
        {
            "model": "The model whose scores are ranked (logistic_regression).",
            "decile": "1 = the lowest risk scores, 10 = the highest.",
            "schools": "Schools in the decile.",
            "mean_risk_score": "Mean out-of-fold risk_score of the decile (0-1).",
            "share_below_state_rate": "Share of the decile's schools actually below the state rate (0-1); a "
            "calibrated model has it close to mean_risk_score.",
            "min_risk_score": "Lowest risk_score in the decile.",
            "max_risk_score": "Highest risk_score in the decile.",
        },
    ),
    "attendance_risk_drivers": (
        "What drives each school's attendance risk score: for every scored school and every feature of the model, "
        "the feature's contribution to the school's log-odds of being below the state rate, relative to the average "
        "school. It comes from the same out-of-fold model that produced the school's risk_score (the one fitted on "
        "the four folds the school is not in): coefficient x (the school's standardised or one-hot value - the "
        "training folds' mean), summed over the columns the feature became. A school's contributions add up to its "
        "risk_score's log-odds minus the log-odds of the training folds' average school.",
        {
            "school_code": "NSW DoE school code (one of ml.attendance_risk).",
            "feature": "The model's feature: icsea_value, log_enrolment_fte, lbote_pct, indigenous_pct, last_rate, "
            "last_gap, mean_gap, years_reported, years_since_last, asgs_remoteness or level_of_schooling (see "
            "nsw_doe.ml.attendance_risk).",
            "label": "The feature as people read it (the registry nsw_doe.ml.attendance_risk.FEATURES).",
            "unit": "The unit of feature_value: index (ICSEA), FTE (the enrolment FTE), % (0-100), points (a gap "
            "to the state rate), years, or category for a categorical feature (its value is in category).",
            "feature_value": "The school's value of a numeric feature, in unit: the enrolment FTE itself for "
            "log_enrolment_fte; null where the school had no value (the model used the training folds' median and "
            "a missing flag) and for a categorical feature.",
            "category": "The school's value of a categorical feature (asgs_remoteness, level_of_schooling); null "
            "where the school had none (the model's 'Unknown' category) and for a numeric feature.",
            "contribution": "Contribution to the log-odds of risk_score relative to the average training school: "
            "positive raises the risk, negative lowers it.",
        },
    ),
}
INTEGER_COLUMNS = {"school_code", "calendar_year", "fold", "decile", "schools"}
ORDER_BY = {
    "attendance_risk": "school_code",
    "attendance_model_eval": "model != 'logistic_regression', model, metric desc, fold nulls first",
    "attendance_calibration": "model, decile",
    "attendance_risk_drivers": "school_code, feature",
}


def write_table(con: duckdb.DuckDBPyConnection, name: str, frame) -> int:
    """Replace ml.<name> with the frame's columns (in TABLES' order), sorted, and comment it."""
    description, columns = TABLES[name]
    selected = ", ".join(f"cast({c} as integer) as {c}" if c in INTEGER_COLUMNS else c for c in columns)
    return write_frame(
        con, f"{SCHEMA}.{name}", frame[list(columns)], description, columns.items(), selected, ORDER_BY[name]
    )


def _markdown(frame, floats: str = "{:.4f}") -> str:
    header = "| " + " | ".join(frame.columns) + " |\n|" + "---|" * len(frame.columns) + "\n"
    lines = [
        "| " + " | ".join(floats.format(v) if isinstance(v, float) else str(v) for v in row) + " |"
        for row in frame.itertuples(index=False)
    ]
    return header + "\n".join(lines)


def _mean_absolute_contribution(drivers):
    """How much each feature moves scores on average (mean absolute contribution over the schools)."""
    size = drivers.assign(mean_absolute_contribution=drivers.contribution.abs())
    table = size.groupby("feature", as_index=False)["mean_absolute_contribution"].mean()
    return table.sort_values("mean_absolute_contribution", ascending=False)


@dg.definitions
def attendance_risk_definitions() -> dg.Definitions:
    @dg.multi_asset(
        name="attendance_risk_model",
        group_name="ml",
        specs=[
            dg.AssetSpec(RISK, deps=UPSTREAM, description=TABLES["attendance_risk"][0], kinds={"sklearn", "duckdb"}),
            dg.AssetSpec(EVALUATION, deps=UPSTREAM, description=TABLES["attendance_model_eval"][0], kinds={"duckdb"}),
            dg.AssetSpec(CALIBRATION, deps=UPSTREAM, description=TABLES["attendance_calibration"][0], kinds={"duckdb"}),
            dg.AssetSpec(DRIVERS, deps=UPSTREAM, description=TABLES["attendance_risk_drivers"][0], kinds={"duckdb"}),
        ],
    )
    def attendance_risk_model(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        """Fit and cross-validate the attendance risk model on the marts and write its three tables."""
        from nsw_doe.ml.attendance_risk import BASELINE_GAP, MODEL, MODELS, attendance_risk

        with duckdb.connect(warehouse.database) as con:
            attendance = con.execute(ATTENDANCE_QUERY).df()
            schools = con.execute(SCHOOLS_QUERY).df()
            state = con.execute(STATE_QUERY).df()
            result = attendance_risk(attendance, schools, state)
            con.execute(f"create schema if not exists {SCHEMA}")
            rows = {
                "attendance_risk": write_table(con, "attendance_risk", result.risk),
                "attendance_model_eval": write_table(con, "attendance_model_eval", result.evaluation),
                "attendance_calibration": write_table(con, "attendance_calibration", result.calibration),
                "attendance_risk_drivers": write_table(con, "attendance_risk_drivers", result.drivers),
            }
        data = result.dataset
        context.log.info(result.headline)
        scores = {
            f"{model} {metric}": dg.MetadataValue.float(round(result.metric(model, metric), 4))
            for model in MODELS
            for metric in ("roc_auc", "brier")
        }
        folds = result.evaluation[result.evaluation.fold.notna()].pivot_table(
            index="fold", columns=["model", "metric"], values="value"
        )
        folds.columns = [f"{model} {metric}" for model, metric in folds.columns]
        verdict = (
            "the model beats the baseline (higher AUC, lower Brier)"
            if result.beats_baseline
            else "the model does NOT beat the baseline on both AUC and Brier"
        )
        gap_lift = result.metric(MODEL, "roc_auc") - result.metric(BASELINE_GAP, "roc_auc")
        verdict += f"; over last year's gap alone it adds {gap_lift:+.3f} AUC"
        yield dg.MaterializeResult(
            asset_key=RISK,
            metadata={
                "headline": dg.MetadataValue.text(result.headline),
                "dagster/row_count": rows["attendance_risk"],
                "rows": rows["attendance_risk"],
                "label_year": data.label_year,
                "attribute_vintage": dg.MetadataValue.text(data.vintage.isoformat()),
                "state_attendance_rate": dg.MetadataValue.float(round(data.state_rate, 3)),
                "schools_below_state_rate": int(result.risk.is_below_state_rate.sum()),
                "schools_not_labelled": dg.MetadataValue.int(data.unlabelled),
                **scores,
                "verdict": dg.MetadataValue.text(verdict),
            },
        )
        yield dg.MaterializeResult(
            asset_key=EVALUATION,
            metadata={
                "dagster/row_count": rows["attendance_model_eval"],
                "rows": rows["attendance_model_eval"],
                **scores,
                "beats_baseline": dg.MetadataValue.bool(result.beats_baseline),
                "per_fold": dg.MetadataValue.md(_markdown(folds.reset_index())),
            },
        )
        yield dg.MaterializeResult(
            asset_key=CALIBRATION,
            metadata={
                "dagster/row_count": rows["attendance_calibration"],
                "rows": rows["attendance_calibration"],
                "by_decile": dg.MetadataValue.md(_markdown(result.calibration)),
            },
        )
        yield dg.MaterializeResult(
            asset_key=DRIVERS,
            metadata={
                "dagster/row_count": rows["attendance_risk_drivers"],
                "rows": rows["attendance_risk_drivers"],
                "by_feature": dg.MetadataValue.md(_markdown(_mean_absolute_contribution(result.drivers))),
            },
        )

    return dg.Definitions(assets=[attendance_risk_model])
