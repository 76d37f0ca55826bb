"""The Compare schools page, rendered by Streamlit's AppTest against the test build: the schools the URL names, side by
side, every figure checked against the reporting table it comes from."""

import numpy as np
import pandas as pd

from tests.conftest import open_page
from tests.test_app_schools import chart_data

CODES = [1001, 2840, 8135]


def blocks(app, start: str) -> list[str]:
    """The Markdown blocks of the page that start with `start`, in page order (one per school in a section)."""
    return [m.value for m in app.markdown if m.value.startswith(start)]


def test_three_schools_side_by_side(built, con):
    app = open_page("compare", schools=",".join(map(str, CODES)))
    assert app.title[0].value == "Compare schools"
    assert app.multiselect[0].value == CODES
    schools = (
        con.execute(
            "select school_code, school_name, icsea_value, icsea_band, latest_headcount "
            "from reporting.rpt__school_current where list_contains(?, school_code)",
            [CODES],
        )
        .df()
        .set_index("school_code")
        .loc[CODES]
    )
    headings = [m.value for m in app.markdown if m.value.startswith("**[")]
    assert headings[: len(CODES)] == [f"**[{n}](school?school={c})**" for c, n in schools["school_name"].items()]
    glance = blocks(app, "**Level**")
    for shown, row in zip(glance, schools.itertuples(), strict=True):
        assert f"**ICSEA**: {row.icsea_value} ({row.icsea_band})" in shown
        assert f"headcount)**: {row.latest_headcount:,}" in shown

    offers = blocks(app, "**Students**")
    support = con.execute(
        "select support_class_count, selective_school from reporting.rpt__school_offer where list_contains(?, "
        "school_code) order by list_position(?, school_code)",
        [CODES, CODES],
    ).fetchall()
    for shown, (count, selective) in zip(offers, support, strict=True):
        assert f"**Selective**: {selective}" in shown
        assert f"**Support classes (2018)**: {'None' if count == 0 else f'{count:.0f}'}" in shown
    scores = con.execute(
        "select string_agg(calendar_year || ': ' || minimum_entry_score::int, ' · ' order by calendar_year) "
        "from marts.fct__selective_entry_score where school_code = 8135"
    ).fetchone()[0]
    assert scores in offers[2]

    # Attendance: each school's line is its rpt__like_school_attendance rates; the like group's size and rate.
    charted = pd.concat(chart_data(app, "Attendance rate of the schools and the state"))
    for code, name in schools["school_name"].items():
        line = charted[charted.series == name].set_index("calendar_year")["rate"].dropna()
        table = con.execute(
            "select calendar_year, attendance_rate from reporting.rpt__like_school_attendance where school_code = ? "
            "and attendance_rate is not null order by 1",
            [code],
        ).df()
        assert line.index.tolist() == table["calendar_year"].tolist()
        assert np.allclose(line, table["attendance_rate"])
    likes = con.execute(
        "select l.like_group_size, a.calendar_year, a.like_group_attendance_rate from reporting.rpt__like_school as l "
        "join reporting.rpt__like_school_attendance as a using (school_code) where list_contains(?, l.school_code) "
        "and a.attendance_rate is not null qualify a.calendar_year = max(a.calendar_year) over (partition by "
        "l.school_code) order by list_position(?, l.school_code)",
        [CODES, CODES],
    ).fetchall()
    for shown, (size, year, rate) in zip(blocks(app, "Compared with the "), likes, strict=True):
        assert f"the {size} other " in shown and f"In {year} " in shown and f"schools like it {rate:.1f}%" in shown

    # Headcount: each school's small multiple is its enrolment fact and forecast.
    frame = pd.concat(chart_data(app, "Headcount, school 1001"))
    forecast = frame[frame.kind == "Forecast"].drop_duplicates("calendar_year")
    yhat = con.execute("select yhat from ml.enrolment_forecast where school_code = 1001 order by calendar_year").df()
    assert forecast["headcount"].tail(len(yhat)).tolist() == yhat["yhat"].tolist()
    change = con.execute(
        "select headcount_change_pct from reporting.rpt__like_school_enrolment where school_code = 1001 "
        "order by calendar_year desc limit 1"
    ).fetchone()[0]
    assert f"{abs(change):.1f}%" in blocks(app, "Since ")[0]

    # Composite classes in the latest year: 1001 has a row, the high school none.
    count, pct = con.execute(
        "select composite_class_count, pct_composite_classes from marts.fct__composite_class where school_code = 1001 "
        "order by calendar_year desc limit 1"
    ).fetchone()
    composite = [m.value for m in app.markdown if "composite classes (" in m.value or m.value == "not published"]
    assert composite[0].startswith(f"{count} composite classes ({pct:.1f}% of its classes)")
    assert composite[2] == "not published"


def test_the_url_and_the_picker_stay_in_step(built):
    app = open_page("compare", schools="1001,99999,2840")
    assert app.multiselect[0].value == [1001, 2840]
    assert any("99999" in w.value for w in app.warning)
    app.multiselect[0].unselect(1001).run()
    assert app.query_params["schools"] == "2840"
    app.multiselect[0].select(8135).run()
    assert app.query_params["schools"] == "2840,8135"
    empty = open_page("compare")
    assert not empty.multiselect[0].value and empty.info
