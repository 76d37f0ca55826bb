"""The Overview page's sentences and coverage table, on small rows (no build)."""

import pandas as pd

from nsw_doe.app import overview_content as content

FOUND = pd.Series(
    {
        "attendance_year": 2022,
        "latest_published_attendance_rate": 86.5,
        "latest_attendance_rate": 86.45,
        "compared_first_year": 2011,
        "weighted_max_gap": 0.123,
        "unweighted_max_gap": 0.914,
        "unweighted_worst_year": 2015,
        "unweighted_worst_rate": 92.0,
        "unweighted_worst_published_rate": 92.9,
        "pre_pandemic_year": 2019,
        "pre_pandemic_attendance_rate": 90.2,
        "pre_pandemic_published_rate": 90.3,
        "attendance_change_since_pre_pandemic": -3.75,
        "years_not_collected": [2020],
        "new_collection_since": 2021,
        "headcount_peak_year": 2019,
        "headcount_peak": 800_000,
        "headcount_latest_year": 2023,
        "headcount_latest": 780_500,
        "headcount_change_on_peak": -19_500,
        "composite_year": 2022,
        "published_pct_composite_classes": 31.04,
        "schools_with_composite": 1200,
        "schools_open_composite_year": 1600,
        "pct_schools_with_composite": 75.0,
        "schools_listed_now": 2216,
        "schools_ever_known": 2400,
    }
)


def test_the_findings_word_the_warehouse_figures():
    assert "within **0.12 points**" in content.weighting_finding(FOUND)
    assert "up to **0.91 points** (2015: 92.0% against 92.9%)" in content.weighting_finding(FOUND)
    assert content.peak_title(FOUND) == "Enrolments have passed their peak"
    assert content.peak_title(pd.Series({**FOUND, "headcount_peak_year": 2023})) == "Enrolments are at their highest"
    assert content.pandemic_title(FOUND) == "Attendance fell 3.8 points since 2019"
    text = content.pandemic_finding(FOUND)
    assert "No attendance was collected in 2020 (COVID-19)." in text and "new national standard since 2021" in text
    alike = content.pandemic_finding(pd.Series({**FOUND, "years_not_collected": [], "new_collection_since": None}))
    assert "collected" not in alike and "standard" not in alike
    assert content.composite_title(FOUND) == "31.0% of primary classes mix grades"
    assert "**1,200 of 1,600 schools (75.0%)**" in content.composite_finding(FOUND)


def test_the_peak_finding_states_the_range_as_built_for_80_percent_not_as_its_coverage():
    forecast = pd.Series(
        {
            "calendar_year": 2028,
            "yhat": 700_000.4,
            "yhat_lower": 650_000,
            "yhat_upper": 750_000,
            "method": "damped_trend",
        }
    )
    text = content.peak_finding(FOUND, forecast)
    assert "**800,000** students in 2019" in text and "**780,500** (-19,500)" in text
    assert "forecast for 2028 is **700,000** (range 650,000 to 750,000, built for 80%)" in text
    assert "(damped trend)" in text and "80% range" not in text


def test_the_coverage_table_names_the_missing_years():
    coverage = pd.DataFrame(
        {
            "dataset": ["Attendance (semester 1)", "Enrolments (headcount)"],
            "first_year": [2011, 2004],
            "last_year": [2022, 2023],
            "missing_years": [[2020], []],
            "schools": [2200, 2500],
        }
    )
    table = content.coverage_table(coverage)
    assert table.values.tolist() == [
        ["Attendance (semester 1)", "2011-2022", "2020", 2200],
        ["Enrolments (headcount)", "2004-2023", "none", 2500],
    ]
    assert content.missing_years([2019, 2021, 2022, 2018]) == [2020]
