"""The attendance risk model as Dagster assets: ml.attendance_risk, ml.attendance_model_eval,
ml.attendance_calibration, ml.attendance_risk_drivers and ml.attendance_risk_unscored, written together by one step
(the logic is in nsw_doe.ml.attendance_risk)."""

import dagster as dg
import duckdb

from nsw_doe.defs.resources import WarehouseResource
from nsw_doe.table_comments import registry_table, write_frame

SCHEMA = "ml"
RISK = dg.AssetKey([SCHEMA, "attendance_risk"])
EVALUATION = dg.AssetKey([SCHEMA, "attendance_model_eval"])
CALIBRATION = dg.AssetKey([SCHEMA, "attendance_calibration"])
DRIVERS = dg.AssetKey([SCHEMA, "attendance_risk_drivers"])
UNSCORED = dg.AssetKey([SCHEMA, "attendance_risk_unscored"])
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
    "select school_code, valid_from, valid_to, is_inferred, is_current, icsea_value, latest_year_enrolment_fte, "
    "lbote_pct, indigenous_pct, asgs_remoteness, level_of_schooling from marts.dim__school "
    "order by school_code, valid_from"
)
# The state's weighted rate per year: read from the reporting layer, which forms it as the semantic metric does.
STATE_QUERY = "select calendar_year, attendance_rate from reporting.rpt__state_attendance_rate order by calendar_year"

# Table and column descriptions, written as DuckDB comments (the data dictionary of `nsw-doe export` reads them):
# defined once, as dbt sources in transform/models/sources/_python_tables.yml, which dbt's docs read too.
TABLE_NAMES = (
    "attendance_risk",
    "attendance_model_eval",
    "attendance_calibration",
    "attendance_risk_drivers",
    "attendance_risk_unscored",
)
TABLES: dict[str, tuple[str, dict[str, str]]] = {name: registry_table(SCHEMA, name) for name in TABLE_NAMES}
INTEGER_COLUMNS = {"school_code", "calendar_year", "fold", "decile", "schools"}
ORDER_BY = {
    "attendance_risk": "school_code",
    "attendance_model_eval": "model != 'logistic_regression', model, metric desc, fold nulls first",
    "attendance_calibration": "model, decile",
    "attendance_risk_drivers": "school_code, feature",
    "attendance_risk_unscored": "school_code",
}


def write_table(con: duckdb.DuckDBPyConnection, name: str, frame) -> int:
    """Replace ml.<name> with the frame's columns (in TABLES' order), sorted, and comment it."""
    description, columns = TABLES[name]
    selected = ", ".join(f"cast({c} as integer) as {c}" if c in INTEGER_COLUMNS else c for c in columns)
    return write_frame(
        con, f"{SCHEMA}.{name}", frame[list(columns)], description, columns.items(), selected, ORDER_BY[name]
    )


# The stored verdict and the numbers it rests on (the build summary reads them from the build it publishes).
VERDICT_QUERY = """
select
    bool_and(beats_baseline),
    max(value) filter (where model = 'logistic_regression' and metric = 'roc_auc' and fold is null),
    max(value) filter (where model = 'baseline' and metric = 'roc_auc' and fold is null),
    max(value) filter (where model = 'logistic_regression' and metric = 'brier' and fold is null),
    max(value) filter (where model = 'baseline' and metric = 'brier' and fold is null)
from ml.attendance_model_eval
"""


def verdict_sentence(beats: bool, auc: float, baseline_auc: float, brier: float, baseline_brier: float) -> str:
    """Whether the model beats its baseline (ml.attendance_model_eval.beats_baseline), with the numbers."""
    numbers = f"AUC {auc:.3f} against {baseline_auc:.3f}, Brier {brier:.3f} against {baseline_brier:.3f}"
    if beats:
        return f"the attendance risk model beats its baseline (higher AUC and lower Brier: {numbers})"
    return (
        "WARNING: the attendance risk model does NOT beat its baseline (it needs a higher AUC and a lower Brier "
        f"score than last year's below/not below alone: {numbers}); do not rely on its scores"
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
            dg.AssetSpec(UNSCORED, deps=UPSTREAM, description=TABLES["attendance_risk_unscored"][0], kinds={"duckdb"}),
        ],
    )
    def attendance_risk_model(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
        """Fit and cross-validate the attendance risk model on the marts and write its five tables."""
        from nsw_doe.ml.attendance_risk import (
            BASELINE,
            BASELINE_GAP,
            MODEL,
            MODELS,
            attendance_risk,
            threshold_comparison,
            unscored_schools,
        )

        with duckdb.connect(warehouse.database) as con:
            attendance = con.execute(ATTENDANCE_QUERY).df()
            schools = con.execute(SCHOOLS_QUERY).df()
            state = con.execute(STATE_QUERY).df()
            result = attendance_risk(attendance, schools, state)
            unscored = unscored_schools(attendance, schools, result.dataset)
            con.execute(f"create schema if not exists {SCHEMA}")
            rows = {
                "attendance_risk": write_table(con, "attendance_risk", result.risk),
                "attendance_model_eval": write_table(con, "attendance_model_eval", result.evaluation),
                "attendance_calibration": write_table(con, "attendance_calibration", result.calibration),
                "attendance_risk_drivers": write_table(con, "attendance_risk_drivers", result.drivers),
                "attendance_risk_unscored": write_table(con, "attendance_risk_unscored", unscored),
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
        verdict = verdict_sentence(
            result.beats_baseline,
            *(result.metric(model, metric) for metric in ("roc_auc", "brier") for model in (MODEL, BASELINE)),
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
                "came true, by threshold (mean over the folds)": dg.MetadataValue.md(
                    _markdown(threshold_comparison(result.risk))
                ),
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
        yield dg.MaterializeResult(
            asset_key=UNSCORED,
            metadata={
                "dagster/row_count": rows["attendance_risk_unscored"],
                "rows": rows["attendance_risk_unscored"],
                "by_reason": dg.MetadataValue.json(unscored["reason"].value_counts().to_dict()),
            },
        )

    return dg.Definitions(assets=[attendance_risk_model])
