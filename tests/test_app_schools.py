"""The map pages and the school profile of the report app (Find a school, School profile, Non-government schools),
rendered by Streamlit's AppTest against the test build: every number and table they show is checked against this
file's own SQL over the marts."""

import json
import math
import re
from urllib.parse import parse_qs

import duckdb
import numpy as np
import pandas as pd
import pytest
from streamlit import dataframe_util

from nsw_doe.app import maps
from tests.conftest import open_page, publish_a_new_build

CURRENT = "from marts.dim__school where is_current"


@pytest.fixture(autouse=True)
def no_basemap(monkeypatch):
    monkeypatch.setenv(maps.BASEMAP_SETTING, "off")


def metric(app, label_start: str) -> str:
    (found,) = [m.value for m in app.metric if m.label.startswith(label_start)]
    return found


def number(text: str) -> float:
    return float(text.replace(",", "").rstrip("%"))


def deck(app, index: int = 0) -> dict:
    return json.loads(app.get("deck_gl_json_chart")[index].proto.json)


def chart_data(app, title: str) -> list[pd.DataFrame]:
    """The data frames behind the Altair chart titled `title`."""
    (chart,) = [c for c in app.get("vega_lite_chart") if json.loads(c.proto.spec).get("title") == title]
    return [dataframe_util.convert_arrow_bytes_to_pandas_df(d.data.data) for d in chart.proto.datasets]


def table(app, column: str) -> pd.DataFrame:
    """The one table of the page (a sortable grid or a static table) that has this column."""
    (found,) = [d.value for d in [*app.dataframe, *app.table] if column in d.value.columns]
    return found


def codes_in_links(links: pd.Series) -> list[int]:
    """The school codes of profile links: URLs (a grid's link column) or Markdown links (a static table's names)."""
    return [int(re.search(r"school\?school=([0-9]+)", link).group(1)) for link in links]


def expected_schools(con, where: str = "true", *params) -> tuple[set[int], int]:
    """The current schools matching `where`, and their students in the latest headcount year."""
    rows = con.execute(
        f"select d.school_code, e.headcount from marts.dim__school as d left join marts.fct__enrolment as e "
        f"on e.school_code = d.school_code and e.calendar_year = (select max(calendar_year) from marts.fct__enrolment) "
        f"where d.is_current and ({where})",
        list(params),
    ).fetchall()
    return {code for code, _ in rows}, sum(headcount or 0 for _, headcount in rows)


def assert_shows(app, codes: set[int], students: int) -> None:
    """The counts, the sortable table (its toggle on), the list of the first matches and the map show these schools."""
    assert number(metric(app, "Matching schools")) == len(codes)
    assert number(metric(app, "Students at them")) == students
    grid = app.dataframe[0].value
    assert set(grid["Code"]) == codes
    (listed,) = [t.value for t in app.table]  # the first 25 matches, by name, as the grid orders them
    assert codes_in_links(listed["School, suburb"]) == grid["Code"].head(25).tolist()
    points = deck(app)["layers"][1]["data"]
    assert {point["school_code"] for point in points} == codes
    # The map's text alternative: its legend counts what it draws.
    assert f"The map draws {len(points):,} school" in map_summary(app)


def map_summary(app) -> str:
    (summary,) = [m.value for m in app.markdown if m.value.startswith("The map draws ")]
    return summary


def test_every_page_renders(built):
    for page, params, title in (
        ("schools", {}, "Find a school"),
        ("school", {}, "School profile"),
        ("school", {"school": "1001"}, "Abbotsford Public School"),
        ("non_government", {}, "Non-government schools"),
    ):
        app = open_page(page, **params)
        assert app.title[0].value == title, page


def test_search_and_every_filter_change_the_count_the_map_and_the_table(built, con):
    app = open_page("schools")
    assert not app.dataframe  # the sortable table waits for its toggle
    app.toggle(key="schools_grid").set_value(True).run()
    everyone = expected_schools(con)
    assert len(everyone[0]) == con.execute(f"select count(*) {CURRENT}").fetchone()[0] > 2000
    assert_shows(app, *everyone)

    # Every word of the search starts a word of the school's name, suburb, LGA, postcode or code, in any order.
    text = "lower(concat_ws(' ', d.school_name, d.town_suburb, d.lga, d.postcode, d.school_code))"
    for search in ("dubbo", "2046", "1001", "parramatta north", "North Parramatta", "Parramatta"):
        app.text_input(key="schools_q").input(search).run()
        where = " and ".join(f"regexp_matches({text}, '(^|[^a-z0-9])' || ?)" for _ in search.split())
        expected = expected_schools(con, where, *search.lower().split())
        assert 0 < len(expected[0]) < len(everyone[0]), search
        assert_shows(app, *expected)
        assert app.query_params["q"] == search
    parramatta_lga = expected_schools(con, "d.lga = 'Parramatta'")
    assert expected_schools(con, where, "parramatta")[0] >= parramatta_lga[0]  # the whole LGA, not 10 names
    app.text_input(key="schools_q").input("").run()

    assert not app.multiselect  # the filters wait for their toggle, unless the URL sets one
    app.toggle(key="schools_filters").set_value(True).run()
    for parameter, column, value in (
        ("lga", "lga", "Dubbo"),
        ("remoteness", "asgs_remoteness", "Remote Australia"),
        ("level", "level_of_schooling", "Secondary School"),
        ("directorate", "operational_directorate", "Metropolitan North"),
        ("selective", "selective_school", "Fully Selective"),
    ):
        app.multiselect(key=f"schools_{parameter}").select(value).run()
        expected = expected_schools(con, f"d.{column} = ?", value)
        assert 0 < len(expected[0]) < len(everyone[0]), parameter
        assert_shows(app, *expected)
        assert app.query_params[parameter] == value
        app.multiselect(key=f"schools_{parameter}").unselect(value).run()
    assert_shows(app, *everyone)

    # Filters combine, and a filtered view opened from its URL shows the same.
    shared = open_page("schools", q="public", level="Primary School", lga="Dubbo")
    assert shared.toggle(key="schools_filters").value
    shared.toggle(key="schools_grid").set_value(True).run()
    combined = expected_schools(
        con, f"regexp_matches({text}, '(^| )public') and d.level_of_schooling = 'Primary School' and d.lga = 'Dubbo'"
    )
    assert 0 < len(combined[0]) < len(expected_schools(con, "d.lga = 'Dubbo'")[0])
    assert_shows(shared, *combined)


def test_the_map_starts_over_mainland_nsw_and_fits_a_search(built):
    state = deck(open_page("schools"))
    view = state["initialViewState"]
    assert maps.MAINLAND_LATITUDE[0] < view["latitude"] < maps.MAINLAND_LATITUDE[1]
    assert maps.MAINLAND_LONGITUDE[0] < view["longitude"] < maps.MAINLAND_LONGITUDE[1]
    # At that zoom the whole mainland fits the map (deck.gl: the world is 512 * 2^zoom pixels wide) and fills most of
    # it, centred on the mainland: Lord Howe Island, 600 km out to sea, neither shrank nor moved the state.
    world = 512 * 2 ** view["zoom"]
    width = (maps.MAINLAND_LONGITUDE[1] - maps.MAINLAND_LONGITUDE[0]) / 360 * world
    height = (
        (maps._mercator_y(maps.MAINLAND_LATITUDE[1]) - maps._mercator_y(maps.MAINLAND_LATITUDE[0]))
        * world
        / (2 * math.pi)
    )
    assert width <= maps.ASSUMED_WIDTH and height <= maps.HEIGHT
    assert width > 0.75 * maps.ASSUMED_WIDTH  # fitted to a phone's width, the narrower side
    assert abs(view["longitude"] - sum(maps.MAINLAND_LONGITUDE) / 2) < 0.5
    # Points over the outline of NSW.
    outline, points = state["layers"]
    assert outline["@@type"] == "PolygonLayer" and len(outline["data"][0]["polygon"][0]) > 100
    assert points["@@type"] == "ScatterplotLayer" and points["radiusUnits"] == "pixels"

    nearby = deck(open_page("schools", q="2046"))["initialViewState"]
    assert nearby["zoom"] > view["zoom"] + 4
    assert abs(nearby["latitude"] - -33.86) < 0.05 and abs(nearby["longitude"] - 151.13) < 0.05


def test_the_basemap_setting(built, monkeypatch):
    """Off or unset: the spec names no basemap and no URL at all (Streamlit's frontend reads pydeck's default-style
    sentinel, sent with no map provider, as 'no basemap'; a missing style would make it fetch Carto's). On: Carto's
    light style."""
    for value in ("off", None):
        if value is None:
            monkeypatch.delenv(maps.BASEMAP_SETTING)
        else:
            monkeypatch.setenv(maps.BASEMAP_SETTING, value)
        spec = deck(open_page("schools"))
        assert spec["mapStyle"] == maps.NO_BASEMAP and "mapProvider" not in spec
        assert "http" not in json.dumps(spec)
    monkeypatch.setenv(maps.BASEMAP_SETTING, "on")
    spec = deck(open_page("schools"))
    assert spec["mapStyle"] == maps.LIGHT_BASEMAP and spec["mapProvider"] == "carto"


def test_the_profile_of_school_1001(built, con):
    app = open_page("school", school="1001")
    name, icsea = con.execute(f"select school_name, icsea_value {CURRENT} and school_code = 1001").fetchone()
    assert app.title[0].value == name
    assert metric(app, "ICSEA") == str(icsea)

    # Headcount: the chart's actual series is the fact's, the forecast the ml table's.
    frames = pd.concat(chart_data(app, "Headcount by year, with the forecast"))
    actual = frames[frames.kind == "Actual"].drop_duplicates("calendar_year")
    fact = con.execute(
        "select calendar_year, headcount from marts.fct__enrolment where school_code = 1001 order by 1"
    ).df()
    assert actual["calendar_year"].tolist() == fact["calendar_year"].tolist() == list(range(2004, 2024))
    assert actual["headcount"].tolist() == fact["headcount"].astype(float).tolist()
    forecast = frames[(frames.kind == "Forecast") & (frames.calendar_year > 2023)].drop_duplicates("calendar_year")
    ml = con.execute(
        "select calendar_year, yhat, yhat_lower from ml.enrolment_forecast where school_code = 1001 order by 1"
    ).df()
    assert (
        forecast["headcount"].tolist() == ml["yhat"].tolist()
        and forecast["lower"].tolist() == ml["yhat_lower"].tolist()
    )
    assert number(metric(app, "Students (2023")) == fact["headcount"].iloc[-1]

    # Attendance: a row for every year the fact has, with its status; the state column is the weighted rate.
    shown = table(app, "Status").set_index("Year")
    fact = con.execute(
        "select a.calendar_year, a.attendance_status, s.attendance_rate from marts.fct__attendance as a "
        "join semantic.metrics_by_year as s using (calendar_year) where a.school_code = 1001 order by 1"
    ).df()
    assert shown.index.tolist() == fact["calendar_year"].tolist()
    statuses = zip(shown["Status"].str.lower(), fact["attendance_status"].str.replace("_", " "), strict=True)
    assert all(label.startswith(status) for label, status in statuses)
    assert np.allclose(shown["NSW government schools (%)"], fact["attendance_rate"].round(1))

    # The timeline has a line per version (1001 was never missing from a list, and is open), naming what changed:
    # its ICSEA went from 1115 to 1111 in the list of 18 August 2023.
    (history,) = [m.value for m in app.markdown if m.value.startswith("- **23 Apr 2018**: Listed")]
    versions = con.execute("select count(*) from marts.dim__school where school_code = 1001").fetchone()[0]
    assert len(history.splitlines()) == versions == 7
    assert "- **18 Aug 2023**: ICSEA 1115 → 1111;" in history

    # The risk score's strongest drivers, from the ml table (tests/test_school_profile.py checks its sentences).
    strongest = con.execute(
        "select label, unit, feature_value, contribution > 0 from ml.attendance_risk_drivers where school_code = 1001 "
        "order by abs(contribution) desc limit 4"
    ).fetchall()
    (drivers,) = [m.value.splitlines() for m in app.markdown if m.value.endswith("the risk")]
    assert len(drivers) == 4
    for sentence, (label, unit, value, raises) in zip(drivers, strongest, strict=True):
        assert sentence.startswith(f"- **{label}**: ")
        assert sentence.endswith("raises the risk" if raises else "lowers the risk")
        if value is not None:  # the stored number, to the decimal shown
            shown = float(sentence.split(": ")[1].split(" ")[0].rstrip("%,"))
            assert shown == pytest.approx(value, abs=0.05 if unit in ("%", "points") else 0.5)


def texts(app) -> list[str]:
    return [m.value for m in app.markdown] + [c.value for c in app.caption]


def test_the_profile_words_the_risk_prediction_and_the_school_list_fte_of_school_1001(built, con):
    """The prediction, its outcome and the score's rank as sentences, and the school list's FTE against the forecast,
    each with the numbers of its table (read here, not from the page's code)."""
    app = open_page("school", school="1001")
    shown = texts(app)
    score, predicted, below, came_true, rate, state, percentile, scored = con.execute(
        "select risk_score, predicted_below_state_rate, is_below_state_rate, prediction_came_true, attendance_rate, "
        "state_attendance_rate, risk_percentile, (select count(*) from ml.attendance_risk) "
        "from ml.attendance_risk where school_code = 1001"
    ).fetchone()
    likely = (
        "likely below the state rate in 2022 (estimated probability"
        if predicted
        else ("likely not below the state rate in 2022 (estimated probability of falling below it")
    )
    assert f"**Predicted from data up to 2021: {likely} {score * 100:.0f}%).**" in shown
    side, verdict = ("below" if below else "above"), ("came true" if came_true else "did not come true")
    assert (
        f"In 2022 the school's rate was {rate:.1f}%, {side} the state's {state:.1f}%: the prediction {verdict}."
        in shown
    )
    assert (
        f"Its risk score is higher than those of {percentile * 100:.0f} in 100 schools (a rank among the {scored:,}"
        in " ".join(shown)
    )

    evidence = con.execute(
        "select calendar_year, fte, yhat_lower, yhat_upper, coalesce(direction, 'inside') "
        "from ml.forecast_newer_evidence where school_code = 1001 order by 1"
    ).fetchall()
    assert [year for year, *_ in evidence] == [2024, 2025]
    for year, fte, lower, upper, where in evidence:
        interval = f"({lower:.0f}\N{EN DASH}{upper:.0f})"
        lead = f"The school list's FTE for {year} ({fte:.0f}) is {where} this forecast's 80% range {interval}"
        assert [line for line in shown if line.startswith(lead)]
    overlap = con.execute(
        "select string_agg(fte_year::varchar, ', ' order by fte_year), bool_and(fte = headcount) "
        "from reporting.rpt__school_fte where school_code = 1001 and headcount is not null"
    ).fetchone()
    assert overlap[1]
    assert [
        line
        for line in shown
        if f"For this school's years with both ({overlap[0]}), FTE equals the census headcount." in line
    ]
    frames = pd.concat(chart_data(app, "Headcount by year, with the forecast"))
    fte = frames[frames.kind == "School list FTE"].drop_duplicates("calendar_year")
    stored = con.execute("select fte_year, fte from reporting.rpt__school_fte where school_code = 1001 order by 1").df()
    assert fte.sort_values("calendar_year")["headcount"].tolist() == stored["fte"].tolist()


def test_a_school_without_a_score_says_why_and_an_fte_that_points_another_way_says_so(built, con):
    code, explanation = con.execute(
        "select school_code, explanation from ml.attendance_risk_unscored where reason = 'new_school' "
        "order by school_code limit 1"
    ).fetchone()
    assert f"No score: {explanation}." in texts(open_page("school", school=str(code)))
    code, year, fte, direction = con.execute(
        "select school_code, calendar_year, fte, direction from ml.forecast_newer_evidence "
        "where points_another_way and fte = round(fte) order by school_code, calendar_year limit 1"
    ).fetchone()
    trend = "falling" if direction == "below" else "rising"
    (sentence,) = [
        line
        for line in texts(open_page("school", school=str(code)))
        if line.startswith(f"The school list's FTE for {year} ({fte:,.0f}) is {direction} this forecast's 80% range")
    ]
    assert sentence.endswith(f"enrolment is {trend} faster than the forecast assumes.")


def test_the_profile_says_when_the_risk_model_no_longer_beats_its_baseline(own_warehouse):
    """The message is the stored verdict's: the build's own model beats its baseline and the page says nothing;
    a build whose evaluation says it lost shows the warning above the score."""
    assert not [w for w in open_page("school", school="1001").warning if "baseline" in w.value]
    publish_a_new_build(own_warehouse, "update ml.attendance_model_eval set beats_baseline = false")
    app = open_page("school", school="1001")
    (warning,) = [w.value for w in app.warning if "baseline" in w.value]
    assert warning.startswith("**This build's risk model does not beat its baseline**")
    # The prediction is still shown, under the warning.
    assert [m for m in app.markdown if m.value.startswith("**Predicted from data up to 2021: likely")]


def test_statuses_other_than_reported_are_listed_and_not_charted(built, con):
    code, years = con.execute(
        "select school_code, count(*) from marts.fct__attendance group by 1 "
        "having count(*) filter (attendance_status = 'suppressed') > 0 "
        "and count(*) filter (attendance_status = 'reported') > 0 order by 1 limit 1"
    ).fetchone()
    app = open_page("school", school=str(code))
    statuses = table(app, "Status")["Status"]
    assert len(statuses) == years and statuses.str.startswith("Suppressed").any()
    charted = pd.concat(chart_data(app, "Attendance rate against the state"))
    reported = con.execute(
        f"select calendar_year from marts.fct__attendance where school_code = {code} and attendance_status = 'reported'"
    ).fetchall()
    school = charted[(charted.series == "This school") & charted.rate.notna()]
    assert set(school["calendar_year"]) == {y for (y,) in reported}


@pytest.mark.parametrize("code", ["99999", "abc", "-1", "²", "1e3", "99999999999999999999"])
def test_an_unknown_code_says_so(built, code):
    app = open_page("school", school=code)  # no exception
    assert len(app.error) == 1 and code in app.error[0].value
    assert app.title[0].value == "School profile" and not app.metric
    assert any(link.proto.page.endswith("schools") for link in app.get("page_link"))


def test_choosing_a_school_opens_its_profile(built, con):
    app = open_page("school")
    # The picker matches the typed letters in order within each option: name, suburb, LGA and code.
    name, suburb, lga = con.execute(f"select school_name, town_suburb, lga {CURRENT} and school_code = 1001").fetchone()
    assert f"{name} — {suburb}, {lga} (1001)" in app.selectbox(key="school_picker").options
    app.selectbox(key="school_picker").select(1001).run()
    assert not app.exception
    assert app.query_params["school"] == "1001" and app.title[0].value == "Abbotsford Public School"


def test_nearby_schools_are_the_nearest_by_distance_without_the_school_itself(built, con):
    app = open_page("school", school="1001")
    nearby = table(app, "Distance (km)")
    codes = codes_in_links(nearby["School"])
    assert 1001 not in codes and len(codes) == 8
    assert nearby["Distance (km)"].is_monotonic_increasing
    schools = con.execute(f"select school_code, latitude, longitude {CURRENT} and latitude is not null").df()
    here = schools[schools.school_code == 1001].iloc[0]
    lat, lon, lat0, lon0 = map(np.radians, (schools.latitude, schools.longitude, here.latitude, here.longitude))
    km = (
        2
        * 6371.0088
        * np.arcsin(np.sqrt(np.sin((lat - lat0) / 2) ** 2 + np.cos(lat0) * np.cos(lat) * np.sin((lon - lon0) / 2) ** 2))
    )
    nearest = schools.assign(km=km)[schools.school_code != 1001].sort_values(["km", "school_code"]).head(8)
    assert codes == nearest["school_code"].tolist()
    assert np.allclose(nearby["Distance (km)"], nearest["km"].round(1))
    (shown,) = chart_data(app, "School 1001 and its nearest schools")
    assert sorted(shown["school_code"]) == sorted([1001, *codes])  # the school and its neighbours, on the map


def test_non_government_counts_equal_the_mart(built, con):
    app = open_page("non_government")
    listed = "from marts.dim__non_government_school where in_2017_list"
    assert number(metric(app, "Non-government schools")) == con.execute(f"select count(*) {listed}").fetchone()[0]
    for sector in ("Catholic", "Independent"):
        expected = con.execute(f"select count(*) {listed} and sector = ?", [sector]).fetchone()[0]
        (shown,) = [m.value for m in app.metric if m.label == sector]
        assert number(shown) == expected > 100
    by_level = chart_data(app, "Schools by level and sector")[0]
    expected = con.execute(f"select level_of_schooling, sector, count(*) as schools {listed} group by all").df()
    pd.testing.assert_frame_equal(
        by_level.sort_values(["level_of_schooling", "sector"]).reset_index(drop=True),
        expected.sort_values(["level_of_schooling", "sector"]).reset_index(drop=True),
        check_dtype=False,
    )
    by_remoteness = chart_data(app, "Schools by remoteness and sector")[0]
    assert by_remoteness["schools"].sum() == len(con.execute(f"select 1 {listed}").fetchall())
    assert set(by_remoteness["remoteness"]) == {
        "Major Cities",
        "Inner Regional",
        "Outer Regional",
        "Remote",
        "Very Remote",
    }
    points = deck(app)["layers"][1]["data"]
    assert len(points) == con.execute(f"select count(latitude) {listed}").fetchone()[0]
    assert {p["sector"] for p in points} == {"Catholic", "Independent"}
    assert map_summary(app).startswith(f"The map draws {len(points):,} schools, coloured by sector:")
    for sector in ("Catholic", "Independent"):
        assert f"{sector} ({sum(p['sector'] == sector for p in points):,})" in map_summary(app)


@pytest.mark.acara
def test_acara_profiles_by_sector_when_supplied(built, acara, con):
    app = open_page("non_government")
    for sector, students in con.execute(
        "select school_sector, sum(total_enrolments) from marts.fct__school_profile group by 1"
    ).fetchall():
        assert number(metric(app, f"{sector}: students")) == students
    assert not any("NSW_DOE_ACARA_DIR" in i.value for i in app.info)
    assert any("ACARA Data Access Program" in c.value for c in app.caption)  # its attribution


def test_without_acara_profiles_the_page_says_how_to_supply_them(own_warehouse):
    with duckdb.connect(str(own_warehouse.published)) as con:
        con.execute("delete from marts.fct__school_profile")
    app = open_page("non_government")
    assert any("NSW_DOE_ACARA_DIR" in i.value for i in app.info)
    assert not any(m.label.endswith(": students") for m in app.metric)
    titles = [json.loads(c.proto.spec).get("title") for c in app.get("vega_lite_chart")]
    assert "ICSEA of NSW schools by sector, 2023" not in titles


def markdown_with(app, text: str) -> str:
    """The one Markdown block of the page that contains `text`."""
    (found,) = [m.value for m in app.markdown if text in m.value]
    return found


@pytest.mark.parametrize("name", ["Enngonia Public School", "Abbotsford Public School"])
def test_the_profile_compares_the_school_with_schools_like_it(built, con, name):
    code, size, label, fallback = con.execute(
        "select l.school_code, l.like_group_size, l.like_group_label, l.is_fallback from reporting.rpt__like_school "
        "as l join reporting.rpt__school_current using (school_code) where school_name = ?",
        [name],
    ).fetchone()
    app = open_page("school", school=str(code))
    group = markdown_with(app, "This school is compared with the ")
    assert f" {size} other " in group and label in group
    assert any("so the group was widened" in i.value for i in app.info) == fallback
    # The latest reported year's rates, as the table holds them.
    year, rate, like_rate, reporting, state = con.execute(
        "select calendar_year, attendance_rate, like_group_attendance_rate, like_group_schools_reporting, "
        "state_attendance_rate from reporting.rpt__like_school_attendance where school_code = ? "
        "and attendance_rate is not null order by calendar_year desc limit 1",
        [code],
    ).fetchone()
    assert markdown_with(app, "its attendance rate was") == (
        f"In {year} its attendance rate was {rate:.1f}%; schools like it {like_rate:.1f}% (over the {reporting} that "
        f"reported a rate) and all government schools {state:.1f}%."
    )
    charted = pd.concat(chart_data(app, "Attendance against schools like it and the state"))
    like_series = charted[charted.series == "Schools like it"].set_index("calendar_year")["rate"].dropna()
    table_rates = con.execute(
        "select calendar_year, like_group_attendance_rate from reporting.rpt__like_school_attendance "
        "where school_code = ? and like_group_attendance_rate is not null order by 1",
        [code],
    ).df()
    assert like_series.index.tolist() == table_rates["calendar_year"].tolist()
    assert np.allclose(like_series, table_rates["like_group_attendance_rate"])
    base, change, like_change = con.execute(
        "select base_year, headcount_change_pct, like_group_headcount_change_pct "
        "from reporting.rpt__like_school_enrolment where school_code = ? order by calendar_year desc limit 1",
        [code],
    ).fetchone()
    sentence = markdown_with(app, f"Since {base} its enrolment")
    assert f"{abs(change):.1f}%" in sentence and f"{abs(like_change):.1f}%" in sentence
    members = {
        c
        for (c,) in con.execute(
            "select member_school_code from reporting.rpt__like_school_member where school_code = ?", [code]
        ).fetchall()
    }
    assert set(codes_in_links(table(app, "Remoteness")["School"])) == members and len(members) == size


def test_the_profile_lists_what_the_school_offers(built, con):
    code, count, classes, phone, email = con.execute(
        "select school_code, support_class_count, support_classes, phone, school_email "
        "from reporting.rpt__school_offer where support_class_count >= 3 order by school_code limit 1"
    ).fetchone()
    app = open_page("school", school=str(code))
    offered = markdown_with(app, "**Support classes (2018)**")
    assert f"**Support classes (2018)**: {count:.0f} — {classes}" in offered
    reach = markdown_with(app, "**Phone**")
    assert f"**Phone**: {phone}" in reach and f"(mailto:{email})" in reach
    # Selective entry scores, for a school that has them: every year's score.
    scores = con.execute(
        "select calendar_year, minimum_entry_score from marts.fct__selective_entry_score where school_code = 8135 "
        "order by 1"
    ).fetchall()
    shown = markdown_with(open_page("school", school="8135"), "**Selective entry scores (minimum)**")
    assert " · ".join(f"{year}: {score:.0f}" for year, score in scores) in shown


def test_add_to_compare_opens_the_compare_page_with_the_school(built):
    app = open_page("school", school="1001")
    (add,) = [button for button in app.button if button.label == "Add to compare"]
    add.click().run()
    assert not app.exception
    assert app.query_params["schools"] == "1001" and app.title[0].value == "Compare schools"


def test_a_search_of_two_to_four_schools_offers_to_compare_them(built, con):
    app = open_page("schools", q="parramatta east")
    shown = sorted(codes_in_links(table(app, "School, suburb")["School, suburb"]))
    assert 2 <= len(shown) <= 4
    (link,) = [e.proto for e in app.get("page_link") if "Compare these" in e.proto.label]
    assert link.label == f"Compare these {len(shown)} schools side by side"
    assert sorted(int(code) for code in parse_qs(link.query_string)["schools"][0].split(",")) == shown
    assert not [e for e in open_page("schools").get("page_link") if "Compare these" in e.proto.label]
