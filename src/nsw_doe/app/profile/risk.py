"""The school's attendance-risk score (ml.attendance_risk) in words - the prediction, whether it came true, the
score's rank - what drives it (ml.attendance_risk_drivers, whose labels and units come from the model's feature
registry), and why a school has no score (ml.attendance_risk_unscored)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from nsw_doe.app import layout
from nsw_doe.app.data import query, scalar

RISK_SQL = """
select
    risk.*,
    (select count(*) from ml.attendance_risk) as scored,
    verdict.*
from ml.attendance_risk as risk
cross join (
    select
        bool_and(beats_baseline) as beats_baseline,
        max(value) filter (where model = 'logistic_regression' and metric = 'roc_auc' and fold is null) as auc,
        max(value) filter (where model = 'baseline' and metric = 'roc_auc' and fold is null) as baseline_auc,
        max(value) filter (where model = 'logistic_regression' and metric = 'brier' and fold is null) as brier,
        max(value) filter (where model = 'baseline' and metric = 'brier' and fold is null) as baseline_brier,
        max(value) filter (
            where model = 'logistic_regression' and metric = 'came_true' and fold is null
        ) as came_true,
        max(value) filter (
            where model = 'logistic_regression' and metric = 'came_true_predicted_below' and fold is null
        ) as came_true_predicted_below,
        max(value) filter (
            where model = 'logistic_regression' and metric = 'came_true_predicted_not_below' and fold is null
        ) as came_true_predicted_not_below
    from ml.attendance_model_eval
) as verdict
where risk.school_code = ?
"""
UNSCORED_SQL = "select explanation from ml.attendance_risk_unscored where school_code = ?"
DRIVERS_SQL = """
select feature, label, unit, feature_value, category, contribution
from ml.attendance_risk_drivers
where school_code = ?
order by abs(contribution) desc, feature
"""
CATEGORY = "category"  # the unit of a categorical feature (nsw_doe.ml.attendance_risk.CATEGORY)
IMPUTED = f"{layout.MISSING} (the model used a typical value)"


def _number(value: float, unit: str) -> str:
    return f"{value:.0f}" if unit in ("index", "FTE") or float(value).is_integer() else f"{value:.1f}"


def driver_value(row) -> str:
    """A driver's value as people read it, in its unit (a value the school lacked was imputed by the model)."""
    if row.unit == CATEGORY:
        return IMPUTED if layout.is_missing(row.category) else str(row.category)
    if layout.is_missing(row.feature_value):
        return IMPUTED
    if row.unit == "points":
        return f"{row.feature_value:+.1f} points"
    return _number(row.feature_value, row.unit) + ("%" if row.unit == "%" else "")


def driver_sentence(row) -> str:
    """'- **Label**: value, which strongly raises the risk' (strongly from 1 log-odds, slightly under 0.3)."""
    strength = "strongly " if abs(row.contribution) >= 1 else "slightly " if abs(row.contribution) < 0.3 else ""
    direction = "raises" if row.contribution > 0 else "lowers"
    return f"- **{row.label}**: {driver_value(row)}, which {strength}{direction} the risk"


def baseline_warning(row) -> str | None:
    """What the page says when the model no longer beats its baseline (ml.attendance_model_eval.beats_baseline:
    a higher AUC and a lower Brier score than last year's below/not below alone); None when it does."""
    if row["beats_baseline"]:
        return None
    return (
        "**This build's risk model does not beat its baseline**, so do not read much into this score: it needs a "
        "higher AUC and a lower Brier score than simply asking whether the school was below the state rate the "
        f"year before (AUC {row['auc']:.3f} against the baseline's {row['baseline_auc']:.3f}; Brier "
        f"{row['brier']:.3f} against {row['baseline_brier']:.3f}, lower is better)."
    )


def probability(value: float) -> str:
    """A probability as a whole percentage, never rounded to a certainty ('over 99%', 'under 1%')."""
    if value >= 0.995:
        return "over 99%"
    if value < 0.005:
        return "under 1%"
    return f"{value * 100:.0f}%"


def prediction_sentence(row) -> str:
    """The yes/no prediction (predicted_below_state_rate) with its probability, dated by what it was made from."""
    year = int(row["calendar_year"])
    if row["predicted_below_state_rate"]:
        verdict = f"likely below the state rate in {year} (estimated probability {probability(row['risk_score'])})"
    else:
        verdict = (
            f"likely not below the state rate in {year} (estimated probability of falling below it "
            f"{probability(row['risk_score'])})"
        )
    return f"Predicted from data up to {year - 1}: {verdict}."


def outcome_sentence(row) -> str:
    """What happened in the label year, and whether the prediction came true (prediction_came_true)."""
    side = "below" if row["is_below_state_rate"] else "above"
    verdict = "came true" if row["prediction_came_true"] else "did not come true"
    return (
        f"In {int(row['calendar_year'])} the school's rate was {layout.rate(row['attendance_rate'])}, {side} the "
        f"state's {layout.rate(row['state_attendance_rate'])}: the prediction {verdict}."
    )


def percentile_sentence(row) -> str:
    """The score's rank among the scored schools (risk_percentile), worded so it does not read as a probability."""
    return (
        f"Its risk score is higher than those of {row['risk_percentile'] * 100:.0f} in 100 schools (a rank among "
        f"the {int(row['scored']):,} schools the model scored, not a chance)."
    )


def track_record_sentence(row) -> str:
    """How often the model's yes/no came true on schools it was not fitted on (ml.attendance_model_eval)."""
    return (
        f"How often such predictions came true, on schools the model was not fitted on: "
        f"{row['came_true'] * 100:.0f}% of all schools; {row['came_true_predicted_below'] * 100:.0f}% of those "
        f"predicted below, {row['came_true_predicted_not_below'] * 100:.0f}% of those predicted not below."
    )


def show(code: int, attendance: pd.DataFrame) -> None:
    st.header("Attendance risk score")
    risk = query(RISK_SQL, code)
    if risk.empty:
        if (reason := scalar(UNSCORED_SQL, code)) is not None:
            st.caption(f"No score: {reason}.")
            return
        status = attendance.set_index("calendar_year")["attendance_status"].get(
            scalar("select max(calendar_year) from ml.attendance_risk"), "no row"
        )
        st.caption(
            "No score: the model scores only the schools that reported an attendance rate in its label year "
            f"(this school, no longer listed: {layout.status_label(status).lower()})."
        )
        return
    row = risk.iloc[0]
    year = int(row["calendar_year"])
    if warning := baseline_warning(row):
        st.warning(warning, icon=":material/warning:")
    st.markdown(f"**{prediction_sentence(row)}**")
    st.markdown(outcome_sentence(row))
    st.markdown(percentile_sentence(row))
    st.caption(track_record_sentence(row))
    st.caption(
        f"This is a model's estimate, not a judgement of the school. A logistic regression predicts whether a "
        f"school's {year} attendance fell below the state's (headcount-weighted) rate from what was known before "
        f"{year}: its attributes in the 2020 school list and its attendance history. Each school's score comes from "
        f"a model fitted on the other schools (out-of-fold), never on itself. Across schools it ranks a school that "
        f"fell below above one that did not {row['auc'] * 100:.0f}% of the time (AUC {row['auc']:.3f}; 50% is "
        "chance). Most of its skill is last year's standing: attendance is persistent."
    )
    drivers = query(DRIVERS_SQL, code)
    drivers = drivers.assign(shown_value=[driver_value(row) for row in drivers.itertuples(index=False)])
    st.markdown("**What drives it** (the strongest first, against the average school):")
    st.markdown("\n".join(driver_sentence(r) for r in drivers.head(4).itertuples(index=False)))
    with st.expander("Every feature's push on the score"):
        figure = (
            alt.Chart(drivers)
            .mark_bar()
            .encode(
                alt.X("contribution:Q", title="Push on the score (log-odds; right raises the risk)"),
                alt.Y("label:N", title=None, sort=None),
                alt.Color("contribution:Q", scale=alt.Scale(scheme="redblue", reverse=True, domainMid=0), legend=None),
                tooltip=[
                    alt.Tooltip("label:N", title="Feature"),
                    alt.Tooltip("shown_value:N", title="Value"),
                    alt.Tooltip("contribution:Q", format="+.2f"),
                ],
            )
        )
        layout.chart(figure, drivers, f"Risk drivers of school {code}")
        st.caption(
            "Each bar is the feature's contribution to the model's log-odds (coefficient x the school's standardised "
            "value, minus the same for the average school in the model's training folds). Together they move the "
            "average school's score to this school's. From ml.attendance_risk_drivers."
        )
