"""What the Attendance page says: its labels and its sentences, as pure functions of the numbers the page reads from
the reporting layer (so that a sentence can be tested without a build)."""

from __future__ import annotations

from nsw_doe.app import layout

SERIES_LABELS = {
    "published": "Published by the department",
    "weighted": "Weighted by headcount",
    "unweighted": "Unweighted mean of schools",
}
STATUS_LABELS = layout.STATUS_LABELS  # defined once, in nsw_doe.app.layout
COLLECTION_LABELS = {
    "semester_1_pre_2021": "Semester 1",
    "not_collected": "Not collected (COVID-19)",
    "national_standard_2021": "New national standard",
}
DISTRIBUTION_COLUMNS = {
    "schools": "Schools",
    "p10": "10th pct",
    "q1": "Lower quartile",
    "median": "Median",
    "q3": "Upper quartile",
    "p90": "90th pct",
    "weighted": "Weighted (%)",
}
PUBLISHED_LABELS = {
    "all_levels": "All levels",
    "primary": "Primary",
    "junior_secondary": "Junior secondary",
    "senior_secondary": "Senior secondary",
    "secondary": "Secondary",
    "all": "All of NSW",
    "major_cities": "Major cities",
    "regional": "Regional",
    "remote_very_remote": "Remote and very remote",
    "all_students": "All students",
    "aboriginal_students": "Aboriginal students",
}


def collection_label(collection: str) -> str:
    return COLLECTION_LABELS.get(collection, collection)


def why_weight(weighted_gap: float, unweighted_gap: float) -> str:
    """Why the state rate is weighted by headcount, with the largest misses of both computed rates."""
    return f"""
**Why weight by headcount?** The state's attendance rate is the share of all student-days attended, so a school
of 1,500 students should count thirty times as much as a school of 50. Weighting each school's rate by its
headcount does that, and lands within **{weighted_gap:.2f} points** of the department's published figure in every
year (that figure is rounded to 0.1, and a school whose headcount is suppressed cannot be weighted). The plain
average of school rates gives every school one vote, so the many small schools pull it away: it misses the
published figure by up to **{unweighted_gap:.2f} points**.
"""


def distribution_caption(year: int, state_rate: float) -> str:
    return (
        f"Each box spans the middle half of the schools that reported a rate in {year} (lower to upper quartile); "
        "the white tick is the median school and the whiskers reach from the 10th to the 90th percentile. The "
        f"dashed line is the state rate ({layout.rate(state_rate)}, weighted). Schools are grouped by what the "
        "school list valid on 1 July that year records (for years before the first list, April 2018, its "
        "values). ICSEA, the Index of Community Socio-Educational Advantage, averages 1,000 nationally; lower "
        "means less advantage."
    )


def breaks_markdown(missing_years: list[int], standard_years: list[int], last_year_before: int) -> str:
    """The two breaks in the series: the years with no collection and the new national standard."""
    missing = ", ".join(str(year) for year in missing_years)
    first, last = min(standard_years), max(standard_years)
    return f"""
- **No collection in {missing}**: students learned from home for part of semester 1 (COVID-19), and the
  department collected no attendance that year. Nothing is filled in: the charts leave the year empty.
- **A new national standard from {first}**: from {first} attendance is counted to a new national
  standard, which the department says is not directly comparable with earlier years. The fall from
  {last_year_before} to {last} mixes real change with the new way of counting, and these data cannot tell
  the two apart.
"""


def editions_markdown(older: int, latest: int, overlapping: int, different: int) -> str:
    return f"""
- **Two editions of the file**: each edition republishes every year since 2011. The {older} and {latest}
  editions both cover {layout.count(overlapping)} school-years; where both have a school-year, the
  {latest} edition is used. They differ on **{layout.count(different)}** of them:
"""


def specific_purposes_caption(first_year: int, schools: int) -> str:
    return (
        f"Schools for specific purposes (for students with disability and additional needs) have rates only from "
        f"{first_year} ({layout.count(schools)} schools that year). Their rates are far below the state's, "
        "which pulls the unweighted mean below the weighted rate from then on."
    )


def aboriginal_sentence(year: int, aboriginal: float, everyone: float) -> str:
    return (
        f"In {year}, Aboriginal students in NSW public schools attended **{layout.rate(aboriginal)}** of school days, "
        f"against **{layout.rate(everyone)}** for all students."
    )


def publications_caption(gap_min: float | None, gap_max: float | None, first: int | None, last: int | None) -> str:
    """Where the statewide tables come from and, when both cover years, how far they are from the file's state row."""
    differs = ""
    if gap_min is not None:
        differs = (
            f" Their all-students figure differs from the attendance file's state row by {gap_min:.1f} to "
            f"{gap_max:.1f} points in the years both cover ({first}-{last}): a separate publication, so compare "
            "within this chart rather than with the series above."
        )
    return (
        "The department's own statewide tables (marts.fct__statewide_attendance_by_level and _by_remoteness): all "
        "students 2006-2017, Aboriginal students 2006-2017 by level and 2015-2017 by remoteness." + differs
    )
