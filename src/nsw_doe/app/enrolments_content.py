"""The Enrolments page's chart specs and sentences: pure functions of the frames the page reads (from `semantic`,
`marts` and `ml`), importable and tested without a build (tests/test_enrolments_content.py)."""

import altair as alt
import pandas as pd

KIND_LABELS = {
    "statewide": "State total",
    "level": "Levels of schooling",
    "directorate": "Directorates",
    "remoteness": "Remoteness areas",
    "school": "Individual schools",
}
METHOD_NOTES = {
    "naive": "last actual value (baseline)",
    "linear_trend": "least squares on the last 5 years (baseline)",
    "drift": "last value plus the history's average yearly change",
    "damped_trend": "Holt's damped trend, parameters per series",
    "prophet": "Prophet, linear growth, no seasonality",
}
# The yardsticks each kind's winner is compared with in the summary.
COMPARED = {"prophet": "Prophet", "naive": "the naive baseline (last value)"}
YEAR_AXIS = alt.Axis(format="d", title="Year")


def method_label(method: str) -> str:
    return "Prophet" if method == "prophet" else method.replace("_", " ")


def percent(share: float) -> str:
    return f"{100 * share:.0f}%"


def coverage_sentence(
    coverage: pd.DataFrame, whose: str = "the state's", lead: str = "The shaded band is the forecast's 80% range."
) -> str:
    """What a forecast range can claim: the measured out-of-sample coverage at 1-3 years ahead (`horizon`, `covered`,
    `n` of the method the kind is forecast with, from ml.forecast_interval_coverage), rather than its nominal 80%.
    `whose` names the series ("the state's", "a school's"); `lead` comes first (may be empty)."""
    rows = coverage.sort_values("horizon")
    shares = ", ".join(
        f"{percent(r.covered)} at {int(r.horizon)} year{'s' if r.horizon > 1 else ''} ahead" for r in rows.itertuples()
    )
    return (
        (f"{lead} " if lead else "")
        + "Replayed on the past, with each range built only from the errors known at the time, the actual number "
        f"landed inside {whose} range {shares} ({int(rows['n'].sum()):,} past forecasts)."
    )


def state_chart(actual: pd.DataFrame, forecast: pd.DataFrame) -> alt.LayerChart:
    """The actual headcount and the forecast with its band, the forecast starting from the last actual so that the
    two lines meet. `actual` and `forecast`: calendar_year, series, students, low, high."""
    last = actual.iloc[-1]
    joined = pd.concat(
        [actual.tail(1).assign(series="Forecast", low=last["students"], high=last["students"]), forecast]
    )
    shown = pd.concat([actual, joined])
    x = alt.X("calendar_year:Q", axis=YEAR_AXIS)
    colour = alt.Color("series:N", title=None, scale=alt.Scale(domain=["Actual", "Forecast"]))
    tooltip = [
        alt.Tooltip("calendar_year:Q", title="Year", format="d"),
        alt.Tooltip("series:N", title="Series"),
        alt.Tooltip("students:Q", title="Students", format=",.0f"),
        alt.Tooltip("low:Q", title="80% range from", format=",.0f"),
        alt.Tooltip("high:Q", title="80% range to", format=",.0f"),
    ]
    band = (
        alt.Chart(joined)
        .mark_area(opacity=0.2)
        .encode(x=x, y=alt.Y("low:Q", title="Students (headcount)"), y2="high:Q", color=colour)
    )
    lines = (
        alt.Chart(shown)
        .mark_line(point=True)
        .encode(
            x=x,
            y=alt.Y("students:Q", title="Students (headcount)", scale=alt.Scale(zero=False)),
            color=colour,
            strokeDash=alt.StrokeDash("series:N", legend=None, scale=alt.Scale(range=[[1, 0], [6, 4]])),
            tooltip=tooltip,
        )
    )
    return band + lines


def accuracy_table(accuracy: pd.DataFrame, kinds: list[str]) -> pd.DataFrame:
    """The accuracy table the page shows, one row per kind and method in kind then rank order: MAPE at each horizon,
    the mean, the forecasts scored one year ahead and the choice. `accuracy`: ml.forecast_method_choice joined with
    ml.forecast_accuracy (series_kind, method, mean_mape, rank, chosen, horizon, mape, n)."""
    keys = ["series_kind", "method", "mean_mape", "rank", "chosen"]
    scores = accuracy.pivot(index=keys, columns="horizon", values="mape").reset_index()
    scores = scores.sort_values(
        ["series_kind", "rank"], key=lambda c: c.map(kinds.index) if c.name == "series_kind" else c, kind="stable"
    )
    predictions = accuracy[accuracy["horizon"] == 1].set_index(["series_kind", "method"])["n"]
    horizons = [h for h in scores.columns if isinstance(h, int | float) and h in set(accuracy["horizon"])]
    return pd.DataFrame(
        {
            "series_kind": scores["series_kind"],
            "method": scores["method"],
            "mean_mape": scores["mean_mape"],
            "rank": scores["rank"],
            "chosen": scores["chosen"],
            "Series": scores["series_kind"].map(KIND_LABELS),
            "Method": scores["method"].map(method_label),
            **{f"{int(h)} year{'s' if h > 1 else ''} ahead": scores[h] for h in horizons},
            "Mean error": scores["mean_mape"],
            "Forecasts scored": [predictions[(k, m)] for k, m in zip(scores.series_kind, scores.method, strict=True)],
            "Most accurate": scores["chosen"],
        }
    )


def change_table(changes: pd.DataFrame, first_year: int, last_year: int, url) -> pd.DataFrame:
    """The growers' or decliners' table from reporting.rpt__enrolment_change rows; `url` makes a profile link."""
    return pd.DataFrame(
        {
            "School": changes["school_name"],
            "Level": changes["level_of_schooling"],
            "LGA": changes["lga"],
            str(first_year): changes["first_students"],
            str(last_year): changes["last_students"],
            "Change": changes["headcount_change"],
            "Change %": changes["headcount_change_pct"],
            "Profile": [url(code) for code in changes["school_code"]],
        }
    )


def withheld_note(grades: pd.DataFrame, count) -> str:
    """The caption on the schools whose grades were withheld, from reporting.rpt__enrolment_by_grade_state
    (is_breakdown_withheld, fte, schools); `count` formats a count."""
    withheld = grades[grades["is_breakdown_withheld"]]
    share = 100 * withheld["fte"].sum() / grades["fte"].sum()
    return (
        f"**Not stated**: {count(withheld['schools'].min())}-{count(withheld['schools'].max())} schools a year were "
        f"published with their total only, their grades withheld ({share:.1f}% of all FTE over the years). Their "
        "students are in this row, not in any grade, so each grade's row is a little under its true size."
    )


def methods_caption() -> str:
    """What each forecasting method does, and where the backtest lives."""
    return (
        "The methods: "
        + "; ".join(f"**{method_label(name)}**: {note}" for name, note in METHOD_NOTES.items())
        + ". The backtest of every forecast is in `ml.forecast_backtest`, the choice in `ml.forecast_method_choice`, "
        "the measured coverage of the 80% ranges in `ml.forecast_interval_coverage`."
    )


def breakdown_caption(choice: str, not_recorded: str) -> str:
    """How to read the breakdown's panels, with the directorates' reorganisation when they are shown."""
    reorganised = (
        " The directorates were reorganised in 2023, after that year's school list, so every year shows the former "
        "ones."
        if choice == "Operational directorate"
        else ""
    )
    return (
        "Each panel has its own scale, so read the numbers on its axis. Each year counts a school in the group it "
        f"belonged to that year, from the department's school list.{reorganised} '{not_recorded}': schools that "
        "closed before the first school list (2018) and carry no attributes."
    )


def accuracy_lines(choice: pd.DataFrame) -> list[str]:
    """One bullet per kind of series (its winner and the yardsticks), and one on Prophet, from
    ml.forecast_method_choice (series_kind, method, mean_mape, rank, chosen), ordered by kind and rank."""
    lines = []
    for kind, group in choice.groupby("series_kind", sort=False):
        best = group[group["chosen"]].iloc[0]
        others = "; ".join(
            f"{COMPARED[row.method]} {row.mean_mape:.2f}%"
            for row in group.itertuples()
            if row.method in COMPARED and not row.chosen
        )
        lines.append(
            f"- **{KIND_LABELS[kind]}**: **{method_label(best['method'])}** was the most accurate "
            f"({best['mean_mape']:.2f}% mean error)"
            + (f"; {others}." if others else ".")
            + (" Nothing beat the last known value, so the forecast repeats it." if best["method"] == "naive" else "")
        )
    prophet = choice[choice["method"] == "prophet"]
    wins = [KIND_LABELS[k] for k in prophet.loc[prophet["chosen"], "series_kind"]]
    lines.append(
        f"- **Prophet** was tried on {len(prophet)} kinds of series (not on individual schools: too slow for "
        "2,000 of them) and was the most accurate for "
        + (
            ", ".join(wins) + "."
            if wins
            else "**none** of them: with one number a year and no seasons to find, simpler methods did as well or "
            "better."
        )
    )
    return lines


def breakdown_groups(frame: pd.DataFrame) -> list[str]:
    """The groups of a breakdown, the largest (its peak number of students) first."""
    return frame.groupby("segment")["students"].max().sort_values(ascending=False).index.tolist()


def breakdown_panel(frame: pd.DataFrame, choice: str, years: tuple[int, int]) -> alt.Chart:
    """One group's students by year, on its own scale: the groups differ in size by up to 500 times."""
    return (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("calendar_year:Q", axis=YEAR_AXIS, scale=alt.Scale(domain=list(years))),
            y=alt.Y("students:Q", title="Students"),
            tooltip=[
                alt.Tooltip("segment:N", title=choice),
                alt.Tooltip("calendar_year:Q", title="Year", format="d"),
                alt.Tooltip("students:Q", title="Students", format=","),
                alt.Tooltip("schools:Q", title="Schools", format=","),
            ],
        )
        .properties(height=140)
    )


def grade_order(grade: str) -> tuple:
    """K, Year 1 .. Year 12, then the ungraded rows, then 'Not stated'."""
    if grade == "K":
        return (0, 0)
    if grade.startswith("Year "):
        return (0, int(grade.split()[1]))
    return (1 if "ungraded" in grade else 2, grade)


def grade_chart(grades: pd.DataFrame) -> alt.LayerChart:
    """FTE by grade and year as a labelled heatmap (grades in school order)."""
    order = sorted(grades["grade"].unique(), key=grade_order)
    base = alt.Chart(grades).encode(
        x=alt.X("calendar_year:O", title="Year", axis=alt.Axis(labelAngle=0, orient="top")),
        y=alt.Y("grade:N", title="Grade", sort=order, axis=alt.Axis(labelOverlap=False, labelLimit=200)),
        tooltip=[
            alt.Tooltip("grade:N", title="Grade"),
            alt.Tooltip("calendar_year:O", title="Year"),
            alt.Tooltip("fte:Q", title="FTE enrolment", format=",.0f"),
            alt.Tooltip("schools:Q", title="Schools", format=","),
        ],
    )
    heatmap = base.mark_rect().encode(color=alt.Color("fte:Q", title="FTE enrolment", scale=alt.Scale(scheme="blues")))
    labels = base.mark_text(fontSize=11).encode(
        text=alt.Text("fte:Q", format=",.0f"),
        color=alt.condition(alt.datum.fte > float(grades["fte"].max()) / 2, alt.value("white"), alt.value("black")),
    )
    return (heatmap + labels).properties(height=alt.Step(26))
