"""The Attendance page's helpers (charts, sentences, tables) on small frames, without a build; and the page's rules:
it reads only the reporting, semantic and ml layers and the marts, and builds no SQL from values."""

import ast
import re

import pandas as pd
import pytest

from nsw_doe.app import attendance_charts as charts
from nsw_doe.app import attendance_tables as tables
from nsw_doe.app import attendance_text as text
from nsw_doe.app.attendance_series import largest_gaps
from nsw_doe.settings import PROJECT_ROOT

APP = PROJECT_ROOT / "src" / "nsw_doe" / "app"
PAGE_FILES = [
    APP / "views" / "attendance.py",
    APP / "attendance_series.py",
    APP / "attendance_charts.py",
    APP / "attendance_tables.py",
    APP / "attendance_text.py",
]


def series() -> pd.DataFrame:
    """rpt__state_attendance_rate as attendance_series reads it: 2019, 2020 (no collection), 2021, 2022."""
    frame = pd.DataFrame(
        {
            "calendar_year": [2019, 2020, 2021, 2022],
            "attendance_collection": [
                "semester_1_pre_2021",
                "not_collected",
                "national_standard_2021",
                "national_standard_2021",
            ],
            "published": [91.4, None, 90.1, 85.2],
            "weighted": [91.5, None, 90.0, 85.3],
            "unweighted": [91.0, None, 89.5, 84.0],
            "schools_reporting_attendance": [2100, None, 2150, 2160],
        }
    )
    return frame.assign(
        weighted_minus_published=frame["weighted"] - frame["published"],
        unweighted_minus_published=frame["unweighted"] - frame["published"],
    )


def test_the_largest_gaps_are_the_reporting_layer_s_differences():
    weighted, unweighted = largest_gaps(series())
    assert weighted == pytest.approx(0.1) and unweighted == pytest.approx(1.2)


def test_the_three_ways_table_keeps_the_year_without_collection_empty_and_labels_the_collection():
    table = tables.three_ways_table(series()).set_index("Year")
    assert pd.isna(table.loc[2020, "Weighted"]) and table.loc[2020, "Collection"] == "Not collected (COVID-19)"
    assert table.loc[2022, "Weighted - published"] == pytest.approx(0.1)
    assert list(table.columns) == [
        "Published",
        "Weighted",
        "Unweighted",
        "Weighted - published",
        "Unweighted - published",
        "Schools",
        "Collection",
    ]


def test_the_sentences_quote_their_numbers():
    assert "within **0.12 points**" in text.why_weight(0.123, 0.9) and "up to **0.90 points**" in text.why_weight(
        0.1, 0.9
    )
    breaks = text.breaks_markdown([2020], [2021, 2022], 2019)
    assert "No collection in 2020" in breaks and "new national standard from 2021" in breaks
    assert "fall from\n  2019 to 2022" in breaks
    assert "both cover 12,345 school-years" in text.editions_markdown(2017, 2022, 12345, 67)
    assert "(91.5%, weighted)" in text.distribution_caption(2019, 91.5)
    assert "only from 2021 (110 schools that year)" in text.specific_purposes_caption(2021, 110)
    assert "differs from" not in text.publications_caption(None, None, None, None)
    assert "by 0.1 to 0.4 points in the years both cover (2011-2017)" in text.publications_caption(0.1, 0.4, 2011, 2017)


def test_the_status_table_has_every_status_a_total_and_a_level_filter():
    counts = pd.DataFrame(
        {
            "calendar_year": [2021, 2021, 2021, 2022],
            "level_of_schooling": [
                "Primary School",
                "Schools for Specific Purposes",
                "Primary School",
                "Primary School",
            ],
            "attendance_status": ["reported", "reported", "suppressed", "reported"],
            "schools": [100, 7, 3, 101],
        }
    )
    table = tables.status_table(counts).set_index("Year")
    assert list(table.columns) == [*text.STATUS_LABELS.values(), "Total"]
    assert table.loc[2021].to_dict() == {
        "Reported": 107,
        "Suppressed": 3,
        "Not applicable": 0,
        "Not reported": 0,
        "Invalid": 0,
        "Total": 110,
    }
    primary = tables.status_table(counts, "Primary School").set_index("Year")
    assert primary.loc[2021, "Reported"] == 100
    without, statuses = tables.without_rate(table.reset_index())
    assert statuses == ["Suppressed", "Not applicable", "Not reported", "Invalid"]
    assert len(without) == 2 * 4 and set(without["order"]) == {0, 1, 2, 3}
    assert tables.first_reported(counts, "Schools for Specific Purposes") == (2021, 7)
    assert tables.first_reported(counts, "Other School") is None


def test_the_publication_gap_is_over_the_years_both_cover():
    whole_state = pd.DataFrame(
        {"cohort": ["All students"] * 2, "calendar_year": [2016, 2017], "attendance_rate": [91.0, 91.3]}
    )
    gap_min, gap_max, first, last = tables.publication_gap(
        whole_state, series().assign(calendar_year=[2017, 2018, 2019, 2020])
    )
    assert (gap_min, gap_max, first, last) == (pytest.approx(0.1), pytest.approx(0.1), 2017, 2017)
    assert tables.publication_gap(whole_state.iloc[:0], series()) == (None, None, None, None)


def test_the_charts_are_valid_vega_lite():
    frame = series()
    assert charts.state_rate_chart(frame).to_dict()["layer"]
    groups = pd.DataFrame(
        {
            "grp": ["A", "B"],
            "schools": [3, 4],
            "p10": [80.0, 81],
            "q1": [85.0, 86],
            "median": [88.0, 89],
            "q3": [90.0, 91],
            "p90": [92.0, 93],
            "weighted": [87.0, 88],
        }
    )
    assert len(charts.box_chart(groups, "Remoteness", 90.0).to_dict()["layer"]) == 4
    table = tables.status_table(
        pd.DataFrame(
            {"calendar_year": [2021], "level_of_schooling": ["x"], "attendance_status": ["suppressed"], "schools": [2]}
        )
    )
    assert charts.status_chart(*tables.without_rate(table)).to_dict()["mark"]["type"] == "bar"
    published = pd.DataFrame(
        {"category": ["All levels"], "cohort": ["All students"], "calendar_year": [2017], "attendance_rate": [92.0]}
    )
    panel = charts.published_panel(published, "Education level", (80, 95), legend=False).to_dict()
    assert panel["encoding"]["y"]["scale"]["domain"] == [80, 95] and panel["encoding"]["color"]["legend"] is None


def test_the_page_reads_no_staging_or_prep_and_builds_no_sql_from_values():
    for path in PAGE_FILES:
        source = path.read_text()
        assert not re.search(r"\b(staging|prep)\.", source), path
        assert ".format(" not in source, path
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "query":
                assert node.args and not isinstance(node.args[0], ast.JoinedStr), (path, node.lineno)


def test_the_page_script_stays_short():
    assert len((APP / "views" / "attendance.py").read_text().splitlines()) <= 250
