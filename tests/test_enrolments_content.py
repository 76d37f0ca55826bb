"""The Enrolments page's sentences and chart specs, on small frames (no build)."""

import pandas as pd

from nsw_doe.app import enrolments_content as content


def test_the_coverage_sentence_states_the_measured_share_not_the_nominal_one():
    coverage = pd.DataFrame({"horizon": [2, 1, 3], "covered": [0.6, 0.714, 0.333], "n": [5, 7, 3]})
    text = content.coverage_sentence(coverage)
    assert "71% at 1 year ahead, 60% at 2 years ahead, 33% at 3 years ahead (15 past forecasts)" in text
    assert "four years in five" not in text


def test_accuracy_lines_name_each_kinds_winner_and_whether_prophet_won_anywhere():
    choice = pd.DataFrame(
        {
            "series_kind": ["statewide", "statewide", "statewide", "school", "school"],
            "method": ["damped_trend", "prophet", "naive", "naive", "drift"],
            "mean_mape": [1.3, 1.5, 1.8, 10.9, 12.1],
            "rank": [1, 2, 3, 1, 2],
            "chosen": [True, False, False, True, False],
        }
    )
    lines = content.accuracy_lines(choice)
    assert lines[0] == (
        "- **State total**: **damped trend** was the most accurate (1.30% mean error); Prophet 1.50%; the naive "
        "baseline (last value) 1.80%."
    )
    assert lines[1].endswith("Nothing beat the last known value, so the forecast repeats it.")
    assert "**none** of them" in lines[2] and "tried on 1 kinds" in lines[2]


def test_the_state_chart_starts_the_forecast_at_the_last_actual():
    actual = pd.DataFrame(
        {"calendar_year": [2022, 2023], "series": "Actual", "students": [10.0, 12.0], "low": None, "high": None}
    )
    forecast = pd.DataFrame(
        {"calendar_year": [2024], "series": "Forecast", "students": [13.0], "low": [11.0], "high": [15.0]}
    )
    spec = content.state_chart(actual, forecast).to_dict()
    band = next(layer for layer in spec["layer"] if layer["mark"]["type"] == "area")
    rows = spec["datasets"][band["data"]["name"]]
    assert [(r["calendar_year"], r["low"], r["high"]) for r in rows] == [(2023, 12.0, 12.0), (2024, 11.0, 15.0)]


def test_grades_sort_in_school_order():
    grades = ["Year 10", "Not stated", "K", "Year 2", "Secondary ungraded"]
    assert sorted(grades, key=content.grade_order) == ["K", "Year 2", "Year 10", "Secondary ungraded", "Not stated"]


def test_the_coverage_sentence_names_whose_range_and_can_drop_its_lead():
    coverage = pd.DataFrame({"horizon": [1], "covered": [0.805], "n": [21362]})
    text = content.coverage_sentence(coverage, whose="a school's", lead="")
    assert text.startswith("Replayed on the past") and "inside a school's range 80% at 1 year ahead" in text


def test_the_accuracy_table_orders_kinds_then_ranks_and_counts_one_year_ahead_forecasts():
    accuracy = pd.DataFrame(
        {
            "series_kind": ["school", "school", "statewide", "statewide"],
            "method": ["naive", "naive", "drift", "drift"],
            "mean_mape": [10.0, 10.0, 1.5, 1.5],
            "rank": [1, 1, 1, 1],
            "chosen": [True, True, True, True],
            "horizon": [1, 2, 1, 2],
            "mape": [9.0, 11.0, 1.0, 2.0],
            "n": [100, 80, 7, 6],
        }
    )
    table = content.accuracy_table(accuracy, list(content.KIND_LABELS))
    assert table["Series"].tolist() == ["State total", "Individual schools"]
    assert table["1 year ahead"].tolist() == [1.0, 9.0] and table["2 years ahead"].tolist() == [2.0, 11.0]
    assert table["Forecasts scored"].tolist() == [7, 100]


def test_the_withheld_note_and_the_change_table_format_the_reporting_rows():
    grades = pd.DataFrame(
        {"is_breakdown_withheld": [True, True, False], "fte": [10.0, 30.0, 360.0], "schools": [3, 5, 900]}
    )
    assert content.withheld_note(grades, str).startswith("**Not stated**: 3-5 schools a year")
    assert "(10.0% of all FTE over the years)" in content.withheld_note(grades, str)
    changes = pd.DataFrame(
        {
            "school_code": [1],
            "school_name": ["A"],
            "level_of_schooling": ["Primary School"],
            "lga": ["X"],
            "first_students": [100],
            "last_students": [150],
            "headcount_change": [50],
            "headcount_change_pct": [50.0],
        }
    )
    table = content.change_table(changes, 2018, 2023, lambda code: f"school?school={code}")
    assert table.columns.tolist() == ["School", "Level", "LGA", "2018", "2023", "Change", "Change %", "Profile"]
    assert table.iloc[0].tolist() == ["A", "Primary School", "X", 100, 150, 50, 50.0, "school?school=1"]
    assert "reorganised in 2023" in content.breakdown_caption("Operational directorate", "not published")
    assert "reorganised" not in content.breakdown_caption("Remoteness", "not published")
