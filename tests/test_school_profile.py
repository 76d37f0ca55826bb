"""The school profile's sections (nsw_doe.app.profile): their pure helpers on small frames, no build needed."""

import math

import numpy as np
import pandas as pd
import pytest
import yaml

from nsw_doe.app import compare_content, layout
from nsw_doe.app.profile import attendance, enrolment, history, like_schools, nearby, offer, risk
from nsw_doe.app.profile.text import date_text, value_text
from nsw_doe.settings import PROJECT_ROOT


def test_values_read_as_people_read_them():
    assert value_text(1115.0, "icsea_value") == "1115"
    assert value_text(2318.0) == "2,318" and value_text(12.25) == "12.2" and value_text("Coed") == "Coed"
    assert value_text(None) == value_text(float("nan")) == layout.MISSING
    assert date_text(pd.Timestamp(2020, 3, 5)) == "5 Mar 2020"


def changes(*rows) -> pd.DataFrame:
    return pd.DataFrame(
        rows,
        columns=[
            "change_date",
            "attribute_position",
            "attribute",
            "attribute_label",
            "value_before",
            "value_after",
            "moved_km",
        ],
    )


def test_changes_read_in_the_tracked_order_with_a_move_last():
    day = pd.Timestamp(2023, 8, 18)
    rows = changes(
        (day, 9, "latitude", "Latitude", "-33.1", "-33.2", 4.789),
        (day, 12, "latest_year_enrolment_fte", "Enrolment (FTE)", "567", "474", None),
        (day, 11, "icsea_value", "ICSEA", "1115", "1111", None),
        (day, 13, "indigenous_pct", "Aboriginal students %", None, "2", None),
    )
    assert history.change_phrases(rows) == [
        "ICSEA 1115 → 1111",
        "Enrolment (FTE) 567 → 474",
        f"Aboriginal students % {layout.MISSING} → 2",
        "Location moved 4.79 km",
    ]
    unpublished = changes((day, 9, "latitude", "Latitude", "-33.1", None, None))
    assert history.change_phrases(unpublished) == [f"Location → {layout.MISSING}"]


def test_the_timeline_names_gaps_changes_and_the_closing():
    day = pd.Timestamp
    versions = pd.DataFrame(
        {
            "school_code": [1, 1, 1],
            "school_name": ["A School"] * 3,
            "level_of_schooling": ["Primary School"] * 3,
            "valid_from": [day(2018, 4, 23), day(2019, 6, 5), day(2023, 8, 18)],
            "valid_to": [day(2019, 6, 5), day(2020, 3, 5), day(2024, 8, 9)],
        }
    )
    rows = changes((day(2019, 6, 5), 11, "icsea_value", "ICSEA", "975", "1010", None))
    events = history.timeline(versions, rows, in_first_list=True)
    assert events["what_changed"].tolist() == [
        "Listed (in the first school list here) as A School, Primary School",
        "ICSEA 975 → 1010",
        "Missing from the school lists",
        "No visible change (only letter case or spacing)",
        "No longer in the school list (closed, merged or renamed)",
    ]
    assert history.timeline(versions, rows, in_first_list=False)["what_changed"][0].startswith("Listed (first listed)")


def test_distances_and_the_nearest_schools():
    # One degree of latitude is 1/360 of a great circle.
    assert nearby.great_circle_km(0, 0, [1.0], [0.0])[0] == pytest.approx(2 * math.pi * nearby.EARTH_RADIUS_KM / 360)
    assert nearby.great_circle_km(-33.85, 151.13, [-33.85], [151.13])[0] == 0
    schools = pd.DataFrame(
        {"school_code": [1, 2, 3, 4], "latitude": [0.0, 0.0, 0.0, 0.0], "longitude": [0.0, 0.2, -0.1, 0.1]}
    )
    found = nearby.nearest(schools.iloc[0], schools, n=2)
    assert found["school_code"].tolist() == [3, 4]  # equally near: by school code; never the school itself
    assert np.allclose(found["distance_km"], nearby.great_circle_km(0, 0, [0, 0], [-0.1, 0.1]))


def driver(unit, value=None, category=None, contribution=0.5, label="A feature"):
    return pd.Series(
        {"label": label, "unit": unit, "feature_value": value, "category": category, "contribution": contribution}
    )


def test_driver_values_and_sentences():
    assert risk.driver_value(driver("FTE", 627.0000001)) == "627"
    assert risk.driver_value(driver("index", 1115.0)) == "1115"
    assert risk.driver_value(driver("%", 94.26)) == "94.3%" and risk.driver_value(driver("%", 2.0)) == "2%"
    assert risk.driver_value(driver("points", 4.26)) == "+4.3 points"
    assert risk.driver_value(driver("years", 5.0)) == "5"
    assert risk.driver_value(driver("years", float("nan"))) == risk.IMPUTED
    assert risk.driver_value(driver("category", category="Remote Australia")) == "Remote Australia"
    assert risk.driver_value(driver("category")) == risk.IMPUTED
    assert risk.driver_sentence(driver("points", -1.0, contribution=-1.2)) == (
        "- **A feature**: -1.0 points, which strongly lowers the risk"
    )
    assert risk.driver_sentence(driver("years", 5.0, contribution=0.1)).endswith("slightly raises the risk")


def test_attendance_lines_break_in_years_without_a_reported_rate():
    rates = pd.DataFrame(
        {
            "calendar_year": [2019, 2021],
            "attendance_status": ["reported", "suppressed"],
            "attendance_rate": [91.0, None],
            "state_attendance_rate": [92.0, 90.0],
        }
    )
    series = attendance.plotted(rates)
    school = series[series.series == "This school"].set_index("calendar_year")["rate"]
    assert school.index.tolist() == [2019, 2020, 2021] and school[2019] == 91.0 and school[[2020, 2021]].isna().all()
    table = attendance.by_year_table(rates)
    assert table["Status"].tolist() == ["Reported", "Suppressed (too few students to publish)"]
    spec = attendance.rate_chart(series).to_dict()
    assert spec["mark"]["type"] == "line" and spec["encoding"]["y"]["field"] == "rate"


def test_the_headcount_chart_joins_the_forecast_to_the_last_actual_year():
    headcount = pd.DataFrame(
        {
            "calendar_year": [2022, 2023, 2024],
            "kind": ["Actual", "Actual", "Forecast"],
            "headcount": [400.0, 420.0, 420.0],
            "lower": [None, None, 380.0],
            "upper": [None, None, 460.0],
            "status": ["reported", "suppressed", "naive"],
        }
    )
    spec = enrolment.headcount_chart(headcount).to_dict()
    assert len(spec["layer"]) == 3  # band, actual, forecast
    assert enrolment.suppressed_note(headcount) == " Suppressed (not published, small numbers): 2023."
    assert len(enrolment.headcount_chart(headcount[headcount.kind == "Actual"]).to_dict()["layer"]) == 1


def test_one_word_for_a_missing_value_and_one_definition_of_each_status():
    from nsw_doe.app import attendance_text

    assert layout.count(None) == layout.rate(float("nan")) == layout.MISSING == "not published"
    # The reporting models write the same word (a dbt var) where a group has no value.
    dbt_vars = yaml.safe_load((PROJECT_ROOT / "transform" / "dbt_project.yml").read_text())["vars"]
    assert dbt_vars["missing_value"] == layout.MISSING
    assert attendance_text.STATUS_LABELS is layout.STATUS_LABELS
    assert set(layout.STATUS_LABELS) == {"reported", "suppressed", "not_applicable", "not_reported", "invalid"}
    assert set(layout.STATUS_MEANINGS) == set(layout.STATUS_LABELS) - {"reported"}
    assert attendance.status_label("reported") == "Reported"
    assert attendance.status_label("suppressed") == "Suppressed (too few students to publish)"
    assert attendance.status_label("invalid").startswith("Invalid (")  # was shown raw, as 'invalid'
    assert layout.status_label("not_reported") == "Not reported"


def risk_row(**changes) -> pd.Series:
    row = {
        "calendar_year": 2022,
        "risk_score": 0.72,
        "risk_percentile": 0.9412,
        "scored": 2126,
        "predicted_below_state_rate": True,
        "is_below_state_rate": True,
        "prediction_came_true": True,
        "attendance_rate": 81.0,
        "state_attendance_rate": 85.1225,
    }
    return pd.Series(row | changes)


def test_the_risk_sentences_say_the_prediction_whether_it_came_true_and_the_rank_apart():
    assert risk.prediction_sentence(risk_row()) == (
        "Predicted from data up to 2021: likely below the state rate in 2022 (estimated probability 72%)."
    )
    assert risk.outcome_sentence(risk_row()) == (
        "In 2022 the school's rate was 81.0%, below the state's 85.1%: the prediction came true."
    )
    wrong = risk_row(risk_score=0.003, predicted_below_state_rate=False, prediction_came_true=False)
    assert risk.prediction_sentence(wrong).endswith(
        "likely not below the state rate in 2022 (estimated probability of falling below it under 1%)."
    )
    assert risk.outcome_sentence(wrong).endswith("the prediction did not come true.")
    assert risk.probability(0.998) == "over 99%" and risk.probability(0.5) == "50%"
    rank = risk.percentile_sentence(risk_row())
    assert rank.startswith("Its risk score is higher than those of 94 in 100 schools") and "%" not in rank


def fte_frame(status: str | None, fte: float = 368.0) -> pd.DataFrame:
    """A school's headcount frame as enrolment.headcount returns it: actuals to 2023, a forecast for 2025 and the
    school list's FTE for 2023 (equal to the census) and 2025 (held against the forecast)."""
    columns = [
        "calendar_year",
        "kind",
        "headcount",
        "lower",
        "upper",
        "status",
        "census_headcount",
        "fte_equals_headcount",
    ]
    return pd.DataFrame(
        [
            (2023, "Actual", 420.0, None, None, "reported", None, None),
            (2025, "Forecast", 420.0, 399.4, 441.2, "naive", None, None),
            (2023, enrolment.FTE, 420.0, None, None, None, 420.0, True),
            (2025, enrolment.FTE, fte, 399.4, 441.2, status, None, None),
        ],
        columns=columns,
    )


def test_the_fte_sentences_say_when_the_school_list_points_another_way():
    (below,) = enrolment.evidence_sentences(fte_frame("below"))
    assert below == (
        "The school list's FTE for 2025 (368) is below this forecast's 80% range (399\N{EN DASH}441): enrolment is "
        "falling faster than the forecast assumes."
    )
    (above,) = enrolment.evidence_sentences(fte_frame("above", 450.5))
    assert above.startswith("The school list's FTE for 2025 (450.5) is above") and "rising faster" in above
    (inside,) = enrolment.evidence_sentences(fte_frame("inside", 420.0))
    assert inside.endswith("(399\N{EN DASH}441): it does not point another way.")
    assert enrolment.fte_note(fte_frame("inside")).endswith(
        "For this school's years with both (2023), FTE equals the census headcount."
    )
    differs = fte_frame("inside").assign(
        headcount=[420.0, 420.0, 419.6, 368.0], fte_equals_headcount=[None, None, False, None]
    )
    assert enrolment.fte_note(differs).endswith("differs from the census headcount in 2023: 419.6 against 420.")
    spec = enrolment.headcount_chart(fte_frame("below")).to_dict()
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["area", "line", "line", "point"]


def like(**values) -> pd.Series:
    row = {
        "like_group_size": 15,
        "level_group": "Primary School",
        "remoteness_group": "Remote or Very Remote Australia",
        "icsea_group": "Below 900",
        "like_group_method": "broad_remoteness",
        "is_fallback": True,
        "is_small_group": False,
        "exact_group_size": 3,
    }
    return pd.Series({**row, **values})


def test_the_like_group_in_words():
    assert like_schools.group_phrase(like()) == (
        "the 15 other primary schools in remote or very remote NSW with ICSEA below 900"
    )
    city = like(remoteness_group="Major Cities of Australia", icsea_group="1100 and above", like_group_size=203)
    assert (
        like_schools.group_phrase(city)
        == "the 203 other primary schools in NSW's major cities with ICSEA 1100 and above"
    )
    other = like(
        level_group="Other School", remoteness_group="any remoteness", icsea_group="any ICSEA", like_group_size=1
    )
    assert like_schools.group_phrase(other) == (
        "the one other school (Other School) anywhere in NSW whatever their ICSEA"
    )
    assert like_schools.widened_note(like()) == (
        "Only 3 other schools share its level, remoteness class and ICSEA band, fewer than five, so the group was "
        "widened: schools in remote or very remote NSW are taken together."
    )
    assert like_schools.widened_note(like(is_fallback=False)) is None
    small = like_schools.widened_note(like(like_group_method="level_only", is_small_group=True, like_group_size=1))
    assert "every school of its level is included" in small and "only one other primary school" in small


def test_like_school_sentences_come_from_the_table_row():
    rates = pd.DataFrame(
        {
            "calendar_year": [2021, 2022],
            "attendance_rate": [78.1, None],
            "like_group_attendance_rate": [81.72, 77.8],
            "like_group_schools_reporting": [14, 15],
            "state_attendance_rate": [89.95, 85.1],
        }
    )
    assert like_schools.attendance_sentence(rates) == (
        "In 2021 its attendance rate was 78.1%; schools like it 81.7% (over the 14 that reported a rate) and all "
        "government schools 90.0%."
    )
    assert like_schools.attendance_sentence(rates.iloc[1:]) == "The school has no reported attendance rate to compare."
    assert set(like_schools.plotted(rates)["series"]) == {
        "This school",
        like_schools.LIKE_SCHOOLS,
        "NSW government schools",
    }
    enrolment = pd.DataFrame(
        {
            "calendar_year": [2023],
            "base_year": [2014],
            "headcount": [13],
            "base_headcount": [16],
            "headcount_change_pct": [-18.75],
            "like_group_headcount_change_pct": [-15.986],
            "like_group_matched_schools": [15],
        }
    )
    assert like_schools.enrolment_sentence(enrolment) == (
        "Since 2014 its enrolment fell 18.8%, from 16 to 13 students in 2023; over the same years the enrolment of "
        "schools like it fell 16.0% (the 15 that published a headcount in both years)."
    )
    unpublished = enrolment.assign(headcount=None, headcount_change_pct=None, like_group_headcount_change_pct=None)
    assert like_schools.enrolment_sentence(unpublished) == (
        "Its 2023 headcount was not published, so its change since 2014 is not known; no school like it published a "
        "headcount in both 2014 and 2023."
    )
    assert like_schools.change_words(0.04) == "was unchanged" and like_schools.change_words(2.35) == "rose 2.4%"


def test_what_a_school_offers_reads_as_lines():
    row = pd.Series(
        {
            "street": "350 Great North Rd",
            "town_suburb": "Abbotsford",
            "postcode": "2046",
            "phone": "9713 6220",
            "school_email": "a-p.school@det.nsw.edu.au",
            "website_url": "https://a-p.schools.nsw.gov.au",
            "school_gender": "Coed",
            "has_preschool": True,
            "has_opportunity_class": False,
            "selective_school": "Partially Selective",
            "has_intensive_english_centre": False,
            "distance_education": "No distance education",
            "support_class_year": 2018,
            "support_class_count": 3.0,
            "support_classes": "Autism (Au); Physical disability (P)",
        }
    )
    reach = offer.contact(row)
    assert reach["Address"] == "350 Great North Rd, Abbotsford 2046"
    assert reach["Email"] == "[a-p.school@det.nsw.edu.au](mailto:a-p.school@det.nsw.edu.au)"
    assert reach["Website"] == "[https://a-p.schools.nsw.gov.au](https://a-p.schools.nsw.gov.au)"
    scores = pd.DataFrame({"calendar_year": [2015, 2016], "minimum_entry_score": [193.0, 192.0]})
    offered = offer.offers(row, scores)
    assert offered["Support classes (2018)"] == "3 — Autism (Au); Physical disability (P)"
    assert offered["Selective entry scores (minimum)"] == "2015: 193 · 2016: 192"
    assert offered["Preschool"] == "Yes" and offered["Opportunity classes"] == "No"
    assert offer.support_class_text(row.replace(3.0, 0.0)) == "None"
    assert offer.support_class_text(row.replace(3.0, None)) == layout.MISSING
    assert offer.entry_score_text(scores.iloc[0:0]) == layout.MISSING
    assert offer.lines({"A": "1", "B": "2"}) == "**A**: 1  \n**B**: 2"


def test_compare_keeps_up_to_four_schools_in_the_order_chosen():
    assert compare_content.parse_codes("1001,2840, 8135,1001,x") == [1001, 2840, 8135]
    assert compare_content.parse_codes(None) == []
    assert compare_content.codes_text([1001, 2840]) == "1001,2840"
    assert compare_content.added([1001, 2840], 8135) == [1001, 2840, 8135]
    assert compare_content.added([1001, 2840], 1001) == [2840, 1001]
    assert compare_content.added([1, 2, 3, 4], 5) == [2, 3, 4, 5]
    schools = pd.DataFrame({"school_code": [1, 2, 3], "school_name": ["A", "B", "A"]})
    assert compare_content.series_names(schools) == {1: "A (1)", 2: "B", 3: "A (3)"}
    rates = pd.DataFrame(
        {
            "school_code": [1, 2, 1, 2],
            "calendar_year": [2021, 2021, 2022, 2022],
            "attendance_rate": [90.0, 91.0, None, 88.0],
            "state_attendance_rate": [89.9, 89.9, 85.1, 85.1],
        }
    )
    long = compare_content.attendance_series(rates, {1: "A", 2: "B"})
    assert long[long.series == compare_content.STATE]["rate"].tolist() == [89.9, 85.1]
    assert len(long) == 6
    table = compare_content.comparison({"A": {"Level": "Primary"}, "B": {"Level": "Secondary"}})
    assert table.columns.tolist() == ["Attribute", "A", "B"] and table.iloc[0].tolist() == [
        "Level",
        "Primary",
        "Secondary",
    ]
