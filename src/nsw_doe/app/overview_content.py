"""The Overview page's sentences and its coverage table: pure functions of the rows the page reads
(reporting.rpt__overview_finding, reporting.rpt__coverage, ml.enrolment_forecast), importable and tested without a
build (tests/test_overview_content.py). The figures are computed in the warehouse; these only word them."""

from __future__ import annotations

import pandas as pd

from nsw_doe.app.layout import change, count, rate


def missing_years(years) -> list[int]:
    """Years between the first and the last of `years` that are not in it."""
    present = set(int(y) for y in years)
    return [y for y in range(min(present), max(present) + 1) if y not in present]


def weighting_finding(found: pd.Series) -> str:
    """The weighted against the plain attendance rate, beside the published state figure."""
    return (
        f"The department published a state attendance rate of **{rate(found.latest_published_attendance_rate)}** "
        f"for {int(found.attendance_year)}. Weighting each school's rate by its students gives "
        f"**{rate(found.latest_attendance_rate)}**, and lands within **{found.weighted_max_gap:.2f} points** of the "
        f"published figure in every year from {int(found.compared_first_year)} to {int(found.attendance_year)}. The "
        "plain average of school rates, where a school of 50 counts as much as one of 1,500, misses by up to "
        f"**{found.unweighted_max_gap:.2f} points** ({int(found.unweighted_worst_year)}: "
        f"{rate(found.unweighted_worst_rate)} against {rate(found.unweighted_worst_published_rate)}). This app uses "
        "the weighted rate."
    )


def peak_title(found: pd.Series) -> str:
    past_peak = found.headcount_peak_year < found.headcount_latest_year
    return "Enrolments have passed their peak" if past_peak else "Enrolments are at their highest"


def peak_finding(found: pd.Series, forecast: pd.Series) -> str:
    """The headcount's peak and latest year, and the state's last forecast year (ml.enrolment_forecast: calendar_year,
    yhat, yhat_lower, yhat_upper, method). The range's measured coverage follows it on the page."""
    return (
        f"Government schools taught **{count(found.headcount_peak)}** students in {int(found.headcount_peak_year)}, "
        f"the most in the data. By {int(found.headcount_latest_year)} it was **{count(found.headcount_latest)}** "
        f"({change(found.headcount_change_on_peak)}). The forecast for {int(forecast['calendar_year'])} is "
        f"**{count(forecast['yhat'])}** (range {count(forecast['yhat_lower'])} to {count(forecast['yhat_upper'])}, "
        f"built for 80%), by the method that predicted past years best ({forecast['method'].replace('_', ' ')})."
    )


def pandemic_title(found: pd.Series) -> str:
    fall = found.attendance_change_since_pre_pandemic
    return f"Attendance {'fell' if fall < 0 else 'rose'} {abs(fall):.1f} points since {int(found.pre_pandemic_year)}"


def pandemic_finding(found: pd.Series) -> str:
    """Attendance in the last year before COVID-19 and in the latest year, with the years not collected between
    and a change of collection."""
    not_collected = [int(year) for year in found.years_not_collected]
    gap_note = (
        f" No attendance was collected in {', '.join(map(str, not_collected))} (COVID-19)." if not_collected else ""
    )
    method_note = (
        ""
        if pd.isna(found.new_collection_since)
        else f" The department has measured attendance to a new national standard since "
        f"{int(found.new_collection_since)}, so the two years are not measured quite alike."
    )
    return (
        f"In semester 1 of {int(found.pre_pandemic_year)} students attended "
        f"**{rate(found.pre_pandemic_attendance_rate)}** of school days; in {int(found.attendance_year)}, "
        f"**{rate(found.latest_attendance_rate)}** (the department's figures: "
        f"{rate(found.pre_pandemic_published_rate)} and {rate(found.latest_published_attendance_rate)})."
        f"{gap_note}{method_note}"
    )


def composite_title(found: pd.Series) -> str:
    return f"{rate(found.published_pct_composite_classes)} of primary classes mix grades"


def composite_finding(found: pd.Series) -> str:
    return (
        f"In {int(found.composite_year)}, {rate(found.published_pct_composite_classes)} of the classes in the "
        "department's composite-class data combined two or more grades (its published figure), and "
        f"**{count(found.schools_with_composite)} of {count(found.schools_open_composite_year)} schools "
        f"({rate(found.pct_schools_with_composite)})** had at least one such class."
    )


def coverage_paragraph(found: pd.Series, sources: pd.Series, first_year: int) -> str:
    """The schools listed and ever known (`found`), the school list's vintage and the datasets loaded (`sources`)."""
    return (
        f"**{count(found.schools_listed_now)}** government schools are listed in the department's latest school "
        f"list ({sources['school_list']}); **{count(found.schools_ever_known)}** schools appear somewhere in the data "
        f"since {first_year}, closed ones included. The warehouse holds **{count(sources['datasets'])}** public "
        "datasets; the yearly ones are:"
    )


def coverage_table(coverage: pd.DataFrame) -> pd.DataFrame:
    """reporting.rpt__coverage as the page shows it."""
    return pd.DataFrame(
        {
            "Dataset": coverage["dataset"],
            "Years": coverage["first_year"].astype(str) + "-" + coverage["last_year"].astype(str),
            "Years missing": [", ".join(str(int(y)) for y in years) or "none" for years in coverage["missing_years"]],
            "Schools": coverage["schools"],
        }
    )
