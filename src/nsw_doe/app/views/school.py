"""School profile (`/school?school=<code>`): one government school's attributes now, how they changed and when,
its headcount with its forecast, its attendance against the state's, composite classes, its attendance-risk score
and what drives it, and the nearest schools."""

from __future__ import annotations

import math
import re

import altair as alt
import pandas as pd
import streamlit as st

from nsw_doe.app import layout
from nsw_doe.app.data import query, scalar

FIND_A_SCHOOL = "views/schools.py"
EARTH_RADIUS_KM = 6371.0088  # mean radius
NEARBY = 8

# The attributes whose change starts a new version of a school in marts.dim__school (prep__school_vintage's hash),
# as people name them. Latitude and longitude are shown together as a move.
TRACKED = {
    "school_name": "Name",
    "level_of_schooling": "Level",
    "school_subtype": "Subtype",
    "lga": "LGA",
    "electorate": "Electorate",
    "asgs_remoteness": "Remoteness",
    "operational_directorate": "Directorate",
    "principal_network": "Principal network",
    "icsea_value": "ICSEA",
    "latest_year_enrolment_fte": "Enrolment (FTE)",
    "indigenous_pct": "Aboriginal students %",
    "lbote_pct": "LBOTE %",
    "selective_school": "Selective",
    "opportunity_class": "Opportunity classes",
    "school_gender": "Gender",
}
ATTENDANCE_STATUS = {
    "reported": "Reported",
    "suppressed": "Suppressed (too few students to publish)",
    "not_applicable": "Not applicable (e.g. no students in the collection)",
    "not_reported": "Not reported by the department",
}
DRIVER_LABELS = {
    "icsea_value": "ICSEA (2020 school list)",
    "log_enrolment_fte": "Enrolment, FTE (2020 school list)",
    "lbote_pct": "Students with a language background other than English, % (2020 list)",
    "indigenous_pct": "Aboriginal and Torres Strait Islander students, % (2020 list)",
    "last_rate": "Attendance rate in its last reported year before",
    "last_gap": "Gap to the state rate that year, points",
    "mean_gap": "Average gap to the state rate over all earlier years, points",
    "years_reported": "Years with a reported attendance rate before",
    "years_since_last": "Years since its last reported rate",
    "asgs_remoteness": "Remoteness",
    "level_of_schooling": "Level of schooling",
}

VERSIONS_SQL = """
select *
from marts.dim__school
where school_code = ? and school_code != -1
order by valid_from
"""
SCHOOL_LIST_SQL = """
select school_code, school_name, town_suburb, is_current
from marts.dim__school
where school_code != -1
qualify row_number() over (partition by school_code order by valid_from desc) = 1
order by school_name, school_code
"""
ENROLMENT_SQL = """
select calendar_year, 'Actual' as kind, headcount, null::double as lower, null::double as upper, headcount_status
    as status
from marts.fct__enrolment
where school_code = ?
union all
select calendar_year, 'Forecast', yhat, yhat_lower, yhat_upper, method
from ml.enrolment_forecast
where series_kind = 'school' and school_code = ?
order by calendar_year
"""
ATTENDANCE_SQL = """
select
    a.calendar_year,
    a.attendance_status,
    a.attendance_rate,
    state.attendance_rate as state_attendance_rate
from marts.fct__attendance as a
left join semantic.metrics_by_year as state on state.calendar_year = a.calendar_year
where a.school_code = ?
order by a.calendar_year
"""
COMPOSITE_SQL = """
select calendar_year, composite_class_count, composite_class_students, pct_composite_classes,
    pct_composite_class_students
from marts.fct__composite_class
where school_code = ?
order by calendar_year
"""
RISK_SQL = """
with ranked as (
    select *, percent_rank() over (order by risk_score) as percentile, count(*) over () as scored
    from ml.attendance_risk
)
select
    ranked.*,
    (select value from ml.attendance_model_eval
     where model = 'logistic_regression' and metric = 'roc_auc' and fold is null) as auc
from ranked
where school_code = ?
"""
DRIVERS_SQL = """
select feature, feature_value, contribution
from ml.attendance_risk_drivers
where school_code = ?
order by abs(contribution) desc, feature
"""
NEARBY_SQL = f"""
with here as (
    select ?::double as latitude, ?::double as longitude, ?::integer as school_code
)
select
    d.school_code,
    d.school_name,
    d.town_suburb,
    d.level_of_schooling,
    2 * {EARTH_RADIUS_KM} * asin(sqrt(
        pow(sin(radians(d.latitude - here.latitude) / 2), 2)
        + cos(radians(here.latitude)) * cos(radians(d.latitude))
        * pow(sin(radians(d.longitude - here.longitude) / 2), 2)
    )) as distance_km,
    d.latitude,
    d.longitude
from marts.dim__school as d
cross join here
where d.is_current and d.school_code != here.school_code and d.latitude is not null and d.longitude is not null
order by distance_km, d.school_code
limit {NEARBY}
"""


def _date(value) -> str:
    return pd.Timestamp(value).strftime("%d %b %Y").lstrip("0")


def _text(value, column: str = "") -> str:
    """An attribute value as people read it: whole numbers without decimals (an index like ICSEA without a
    thousands separator), missing as 'not published'."""
    if layout.is_missing(value):
        return "not published"
    if column == "icsea_value":
        return f"{value:.0f}"
    if isinstance(value, float) and value.is_integer():
        return f"{value:,.0f}"
    return f"{value:,.1f}" if isinstance(value, float) else str(value)


def _same(before, after) -> bool:
    """Equal as the type-2 history compares them: case and spacing never make a change."""
    if layout.is_missing(before) or layout.is_missing(after):
        return layout.is_missing(before) and layout.is_missing(after)
    return " ".join(str(before).lower().split()) == " ".join(str(after).lower().split())


def _km(lat1, lon1, lat2, lon2) -> float:
    """Great-circle distance (haversine)."""
    p1, p2, dlat, dlon = map(math.radians, (lat1, lat2, lat2 - lat1, lon2 - lon1))
    h = math.sin(dlat / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def changes(before: pd.Series, after: pd.Series) -> list[str]:
    """The tracked attributes that differ between two versions, as 'ICSEA 1115 -> 1111'."""
    found = [
        f"{label} {_text(before[column], column)} → {_text(after[column], column)}"
        for column, label in TRACKED.items()
        if not _same(before[column], after[column])
    ]
    coordinates = ("latitude", "longitude")
    if not all(_same(before[c], after[c]) for c in coordinates):
        if any(layout.is_missing(v) for v in (*before[list(coordinates)], *after[list(coordinates)])):
            found.append("Location → " + ("not published" if layout.is_missing(after["latitude"]) else "published"))
        else:
            moved = _km(before["latitude"], before["longitude"], after["latitude"], after["longitude"])
            found.append(f"Location moved {moved:,.2f} km")
    return found


def timeline(versions: pd.DataFrame, first_list: pd.Timestamp) -> pd.DataFrame:
    """One row per event of the school's type-2 history: first listed, what changed and when, gaps, closing."""
    rows = []
    for i in range(len(versions)):
        version = versions.iloc[i]
        if i == 0:
            when = "in the first school list here" if version["valid_from"] == first_list else "first listed"
            what = f"Listed ({when}) as {version['school_name']}, {_text(version['level_of_schooling'])}"
        else:
            previous = versions.iloc[i - 1]
            if previous["valid_to"] != version["valid_from"]:
                rows.append((previous["valid_to"], version["valid_from"], "Missing from the school lists"))
            what = "; ".join(changes(previous, version)) or "No visible change (only letter case or spacing)"
        rows.append((version["valid_from"], version["valid_to"], what))
    last = versions.iloc[-1]
    if not layout.is_missing(last["valid_to"]):
        rows.append((last["valid_to"], None, "No longer in the school list (closed, merged or renamed)"))
    frame = pd.DataFrame(rows, columns=["valid_from", "valid_to", "what_changed"])
    for column in ("valid_from", "valid_to"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


def school_picker(label: str) -> None:
    """A searchable list of every school; choosing one opens its profile (and puts its code in the URL)."""
    schools = query(SCHOOL_LIST_SQL)
    names = {
        int(row.school_code): f"{row.school_name} — {row.town_suburb or 'suburb unknown'} ({row.school_code})"
        + ("" if row.is_current else " · closed")
        for row in schools.itertuples(index=False)
    }

    def open_chosen() -> None:
        chosen = st.session_state.pop("school_picker", None)
        if chosen is not None:
            st.query_params.from_dict({"school": str(chosen)})

    st.selectbox(
        label,
        list(names),
        index=None,
        format_func=names.get,
        key="school_picker",
        placeholder="Type a school's name, suburb or code",
        on_change=open_chosen,
    )


def parse_code(text: str | None) -> tuple[int | None, str | None]:
    """The school code in the URL, or None and why it names no school (None when the URL has no code)."""
    if text is None:
        return None, None
    if not re.fullmatch(r"[0-9]{1,9}", text.strip()):  # not str.isdigit(): it accepts "²", which int() refuses
        return None, f'"{text}" is not a school code: codes are whole numbers, such as 1001.'
    if scalar("select count(*) from marts.dim__school where school_code = ?", int(text)) == 0:
        return None, f"There is no government school with code {int(text)} in the warehouse."
    return int(text), None


def show_attributes(now: pd.Series, headcount: pd.DataFrame) -> None:
    actual = headcount[(headcount["kind"] == "Actual") & headcount["headcount"].notna()]
    latest = actual.iloc[-1] if not actual.empty else None
    icsea, students, indigenous, lbote = st.columns(4)
    icsea.metric(
        "ICSEA",
        _text(now["icsea_value"], "icsea_value"),
        help="Index of Community Socio-Educational Advantage: "
        "1000 is the national average, higher means more advantaged.",
    )
    students.metric(
        f"Students ({int(latest['calendar_year'])} headcount)" if latest is not None else "Students (headcount)",
        layout.count(latest["headcount"] if latest is not None else None),
    )
    indigenous.metric(
        "Aboriginal students",
        layout.rate(now["indigenous_pct"], "%"),
        help="Share of Aboriginal and/or Torres Strait Islander students; n/a when suppressed.",
    )
    lbote.metric(
        "LBOTE",
        layout.rate(now["lbote_pct"], "%"),
        help="Share of students with a language background other than English.",
    )
    details = {
        "Level of schooling": now["level_of_schooling"],
        "Years": now["school_subtype"],
        "Suburb": f"{_text(now['town_suburb'])} {'' if layout.is_missing(now['postcode']) else now['postcode']}",
        "Local government area": now["lga"],
        "State electorate": now["electorate"],
        "Operational directorate": now["operational_directorate"],
        "Principal network": now["principal_network"],
        "Remoteness": now["asgs_remoteness"],
        "Selective": now["selective_school"],
        "Opportunity classes": {"Y": "Yes", "N": "No"}.get(now["opportunity_class"], now["opportunity_class"]),
        "Students": now["school_gender"],
        "Enrolment (FTE, school list)": now["latest_year_enrolment_fte"],
        "Website": now["website"],
        "Email": now["school_email"],
    }
    # Contact details in code style: shown as text, never as links the page would follow.
    lines = [
        f"**{label}**: "
        + (f"`{value}`" if label in ("Website", "Email") and not layout.is_missing(value) else _text(value))
        for label, value in details.items()
    ]
    third = -(-len(lines) // 3)
    for column, start in zip(st.columns(3), range(0, len(lines), third), strict=True):
        column.markdown("  \n".join(lines[start : start + third]))
    as_of = "listed today" if now["is_current"] else f"last listed until {_date(now['valid_to'])}"
    st.caption(
        f"From the NSW public schools master dataset, version valid from {_date(now['valid_from'])} ({as_of}). "
        "ICSEA, the percentages and the FTE enrolment are the values that list published; the headcount is the "
        "enrolment file's. Website and email are shown as text, not links."
    )


def show_timeline(versions: pd.DataFrame) -> None:
    st.subheader("What changed, and when")
    first_list = scalar("select min(valid_from) from marts.dim__school where not is_inferred")
    events = timeline(versions, pd.Timestamp(first_list))
    st.markdown("\n".join(f"- **{_date(row.valid_from)}**: {row.what_changed}" for row in events.itertuples()))
    layout.download(events, f"History of school {versions['school_code'].iloc[0]}")
    st.caption(
        "Each row is a version of the school in the master dataset's type-2 history (marts.dim__school): it starts "
        "on the date of the school list in which a tracked attribute first took a new value, and lasts until the "
        "next change. Lists were published on a few dates a year or less, so a change happened on or before the date "
        "shown, after the previous list."
    )
    with st.expander("Every version, every attribute"):
        layout.table(versions.drop(columns=["school_sk"]), f"Versions of school {versions['school_code'].iloc[0]}")


def show_enrolment(headcount: pd.DataFrame) -> None:
    st.subheader("Students enrolled")
    if headcount.empty:
        st.info("The enrolment file has no headcount for this school (2004-2023).")
        return
    actual = headcount[headcount["kind"] == "Actual"]
    forecast = headcount[headcount["kind"] == "Forecast"]
    x = alt.X("calendar_year:Q", title="Year", axis=alt.Axis(format="d"))
    y = alt.Y("headcount:Q", title="Students (headcount)")
    colour = alt.Color("kind:N", title=None, scale=alt.Scale(domain=["Actual", "Forecast"]))
    layers = [alt.Chart(actual).mark_line(point=True, invalid="break-paths-filter-domains").encode(x, y, colour)]
    if not forecast.empty:
        # The forecast line starts from the last actual year, so the two read as one series.
        joined = pd.concat([actual.dropna(subset=["headcount"]).tail(1).assign(kind="Forecast"), forecast])
        band = alt.Chart(forecast).mark_area(opacity=0.2).encode(x, alt.Y("lower:Q"), alt.Y2("upper:Q"))
        layers = [band, *layers, alt.Chart(joined).mark_line(strokeDash=[5, 4], point=True).encode(x, y, colour)]
    figure = alt.layer(*layers).encode(
        tooltip=[
            alt.Tooltip("calendar_year:Q", title="Year", format="d"),
            alt.Tooltip("headcount:Q", title="Students", format=",.0f"),
            alt.Tooltip("kind:N", title="Kind"),
        ]
    )
    layout.chart(figure, headcount, "Headcount by year" + ("" if forecast.empty else ", with the forecast"))
    suppressed = actual.loc[actual["status"] == "suppressed", "calendar_year"].astype(int).tolist()
    note = f" Suppressed (not published, small numbers): {', '.join(map(str, suppressed))}." if suppressed else ""
    if forecast.empty:
        st.caption(
            "Headcount in each year's census (2004-2023)." + note + " No forecast: schools get one when they have at "
            "least 8 years of headcount, were open in 2023 and are still listed."
        )
        return
    st.caption(
        "Headcount in each year's census (2004-2023)." + note + " The forecast for a school is the naive method: its "
        "last headcount carried forward, because in the backtest no trend method beat it for single schools (trends "
        "in one school do not persist well enough). The shaded band is an 80% interval from how far schools moved "
        "in the backtest at each horizon."
    )
    st.page_link(
        "views/enrolments.py", label="How accurate are the forecasts? (Enrolments page)", icon=":material/query_stats:"
    )


def show_attendance(attendance: pd.DataFrame) -> None:
    st.subheader("Attendance")
    if attendance.empty:
        st.info("The attendance file has no row for this school (it covers 2011-2022, semester 1).")
        return
    years = range(int(attendance["calendar_year"].min()), int(attendance["calendar_year"].max()) + 1)
    # One row per year, with a null for every year without a reported rate (2020 included), so that lines break.
    by_year = attendance.set_index("calendar_year").reindex(years)
    school_rate = by_year["attendance_rate"].where(by_year["attendance_status"] == "reported")
    plotted = pd.concat(
        [
            pd.DataFrame({"calendar_year": years, "series": "This school", "rate": school_rate.to_numpy()}),
            pd.DataFrame(
                {"calendar_year": years, "series": "NSW government schools", "rate": by_year["state_attendance_rate"]}
            ),
        ]
    )
    figure = (
        alt.Chart(plotted)
        .mark_line(point=True, invalid="break-paths-filter-domains")
        .encode(
            alt.X("calendar_year:Q", title="Year", axis=alt.Axis(format="d")),
            alt.Y("rate:Q", title="Attendance rate, semester 1 (%)", scale=alt.Scale(zero=False)),
            alt.Color(
                "series:N",
                title=None,
                scale=alt.Scale(domain=["This school", "NSW government schools"], range=["#D55E00", "#8C8C8C"]),
            ),
            tooltip=[
                alt.Tooltip("calendar_year:Q", title="Year", format="d"),
                alt.Tooltip("series:N", title="Series"),
                alt.Tooltip("rate:Q", title="Rate (%)", format=".1f"),
            ],
        )
    )
    layout.chart(figure, plotted.dropna(subset=["rate"]), "Attendance rate against the state")
    table = pd.DataFrame(
        {
            "Year": attendance["calendar_year"],
            "Attendance rate (%)": attendance["attendance_rate"].round(1),
            "Status": attendance["attendance_status"].map(ATTENDANCE_STATUS).fillna(attendance["attendance_status"]),
            "NSW government schools (%)": attendance["state_attendance_rate"].round(1),
        }
    )
    layout.table(
        table,
        "Attendance by year, with status",
        height="content",
        column_config={
            "Year": st.column_config.NumberColumn(format="%d"),
            "Attendance rate (%)": st.column_config.NumberColumn(format="%.1f"),
            "NSW government schools (%)": st.column_config.NumberColumn(format="%.1f"),
        },
    )
    st.caption(
        "Attendance rate: the share of possible school days attended in semester 1, as the department publishes it. "
        "Status: reported; suppressed (a rate from too few students to publish); not applicable (the school had no "
        "students in the collection, e.g. it had closed or not yet opened); not reported (the department's file has "
        "no rate for the school that year). There is no 2020: attendance was not collected consistently during "
        "COVID-19 learning from home, and the source has no 2020 column. The state line is the rate over all "
        "government schools, each weighted by its headcount (not the average of school rates); from 2021 the "
        "collection follows the national standard, so compare earlier years with care."
    )


def show_composite(composite: pd.DataFrame) -> None:
    st.subheader("Composite classes")
    if composite.empty:
        st.caption(
            "No composite (multi-age) class rows for this school: the source (2014-2022, no 2020) lists primary "
            "classes only, so secondary schools and schools that did not report are absent."
        )
        return
    table = composite.rename(
        columns={
            "calendar_year": "Year",
            "composite_class_count": "Composite classes",
            "composite_class_students": "Students in them",
            "pct_composite_classes": "Share of classes (%)",
            "pct_composite_class_students": "Share of students (%)",
        }
    )
    figure = (
        alt.Chart(composite)
        .mark_bar()
        .encode(
            alt.X("calendar_year:O", title="Year"),
            alt.Y("pct_composite_classes:Q", title="Classes that are composite (%)"),
            tooltip=[
                alt.Tooltip("calendar_year:O", title="Year"),
                alt.Tooltip("composite_class_count:Q", title="Composite classes"),
                alt.Tooltip("pct_composite_classes:Q", title="Share of classes (%)", format=".1f"),
            ],
        )
    )
    chart_column, table_column = st.columns(2)
    with chart_column:
        layout.chart(figure, composite, "Share of classes that are composite")
    with table_column:
        layout.table(table, "Composite classes by year", height="content")
    st.caption(
        "A composite class mixes students of two or more school years (e.g. Years 3 and 4). From the department's "
        "multi-age classes file; there is no 2020."
    )


def _driver_value(feature: str, text: str) -> str:
    """A driver's value with its unit ('missing' values were imputed by the model)."""
    if text in ("missing", "Unknown"):
        return "not known (the model used a typical value)"
    if feature in ("last_gap", "mean_gap"):
        return f"{float(text):+.1f} points"
    return f"{text}%" if feature in ("last_rate", "lbote_pct", "indigenous_pct") else text


def _driver_sentence(row) -> str:
    strength = "strongly " if abs(row.contribution) >= 1 else "slightly " if abs(row.contribution) < 0.3 else ""
    direction = "raises" if row.contribution > 0 else "lowers"
    label = DRIVER_LABELS.get(row.feature, row.feature)
    return f"- **{label}**: {_driver_value(row.feature, row.feature_value)}, which {strength}{direction} the risk"


def show_risk(code: int, attendance: pd.DataFrame) -> None:
    st.subheader("Attendance risk score")
    risk = query(RISK_SQL, code)
    if risk.empty:
        status = attendance.set_index("calendar_year")["attendance_status"].get(
            scalar("select max(calendar_year) from ml.attendance_risk"), "no row"
        )
        st.caption(
            "No score: the model scores only the schools that reported an attendance rate in its label year "
            f"(this school: {ATTENDANCE_STATUS.get(status, status).lower()})."
        )
        return
    row = risk.iloc[0]
    year = int(row["calendar_year"])
    score, percentile, below = st.columns(3)
    score.metric(
        f"Chance its {year} rate was below the state's",
        f"{row['risk_score'] * 100:.0f}%",
        help="The model's probability, from what was known before the year.",
    )
    percentile.metric(
        "Score higher than",
        f"{row['percentile'] * 100:.0f}% of schools",
        help=f"Among the {int(row['scored']):,} scored schools.",
    )
    below.metric(
        f"In {year} it was, against the state rate",
        "Below" if row["is_below_state_rate"] else "Above",
        layout.change(row["attendance_rate"] - row["state_attendance_rate"], " pts"),
        help=f"Its rate was {layout.rate(row['attendance_rate'])}, the state's "
        f"{layout.rate(row['state_attendance_rate'])}.",
    )
    st.caption(
        f"This is a model's estimate, not a judgement of the school. A logistic regression predicts whether a "
        f"school's {year} attendance fell below the state's (headcount-weighted) rate from what was known before "
        f"{year}: its attributes in the 2020 school list and its attendance history. Each school's score comes from "
        f"a model fitted on the other schools (out-of-fold), never on itself. Across schools it ranks a school that "
        f"fell below above one that did not {row['auc'] * 100:.0f}% of the time (AUC {row['auc']:.3f}; 50% is "
        "chance). Most of its skill is last year's standing: attendance is persistent."
    )
    drivers = query(DRIVERS_SQL, code)
    st.markdown("**What drives it** (the strongest first, against the average school):")
    st.markdown("\n".join(_driver_sentence(r) for r in drivers.head(4).itertuples(index=False)))
    with st.expander("Every feature's push on the score"):
        shown = drivers.assign(feature=drivers["feature"].map(DRIVER_LABELS).fillna(drivers["feature"]))
        figure = (
            alt.Chart(shown)
            .mark_bar()
            .encode(
                alt.X("contribution:Q", title="Push on the score (log-odds; right raises the risk)"),
                alt.Y("feature:N", title=None, sort=None),
                alt.Color("contribution:Q", scale=alt.Scale(scheme="redblue", reverse=True, domainMid=0), legend=None),
                tooltip=["feature", "feature_value", alt.Tooltip("contribution:Q", format="+.2f")],
            )
        )
        layout.chart(figure, drivers, f"Risk drivers of school {code}")
        st.caption(
            "Each bar is the feature's contribution to the model's log-odds (coefficient x the school's standardised "
            "value, minus the same for the average school in the model's training folds). Together they move the "
            "average school's score to this school's. From ml.attendance_risk_drivers."
        )


def nearby_map(points: pd.DataFrame) -> alt.LayerChart:
    """The school and its neighbours, named, on a Mercator map. A Vega chart rather than a pydeck map: a few points
    need no pan or zoom, and WebGL (which a pydeck map starts) costs a second on machines drawing without a GPU."""
    roles = alt.Scale(domain=["This school", "Nearby"], range=["#D55E00", "#0072B2"])
    base = alt.Chart(points).encode(longitude="longitude:Q", latitude="latitude:Q")
    dots = base.mark_circle(opacity=0.9, stroke="white").encode(
        color=alt.Color("role:N", scale=roles, legend=None),
        size=alt.Size("role:N", scale=alt.Scale(domain=roles.domain, range=[260, 120]), legend=None),
        tooltip=[
            alt.Tooltip("school_name:N", title="School"),
            alt.Tooltip("town_suburb:N", title="Suburb"),
            alt.Tooltip("level_of_schooling:N", title="Level"),
            alt.Tooltip("distance:N", title="Distance"),
        ],
    )
    labels = base.mark_text(dy=-13, fontSize=12).encode(text="short_name:N")
    return (dots + labels).project(type="mercator").properties(height=420)


def show_nearby(now: pd.Series) -> None:
    st.subheader("Nearest schools")
    if layout.is_missing(now["latitude"]) or layout.is_missing(now["longitude"]):
        st.caption("This school has no coordinates in the school list, so no distances.")
        return
    nearby = query(NEARBY_SQL, float(now["latitude"]), float(now["longitude"]), int(now["school_code"]))
    table = pd.DataFrame(
        {
            "School": nearby["school_name"],
            "Suburb": nearby["town_suburb"],
            "Level": nearby["level_of_schooling"],
            "Distance (km)": nearby["distance_km"].round(1),
            "Profile": nearby["school_code"].map(layout.school_url),
        }
    )
    here = pd.DataFrame([now])[
        ["school_code", "school_name", "town_suburb", "level_of_schooling", "latitude", "longitude"]
    ]
    points = pd.concat([here.assign(role="This school"), nearby.assign(role="Nearby")], ignore_index=True)
    points = points.assign(
        distance=points["distance_km"].map(lambda km: "" if layout.is_missing(km) else f"{km:,.1f} km away"),
        short_name=points["school_name"].str.replace(r"( Public)? School$", "", regex=True),
    ).drop(columns=["distance_km"])
    map_column, table_column = st.columns([2, 3])
    with map_column:
        layout.chart(nearby_map(points), points, f"School {int(now['school_code'])} and its nearest schools")
    with table_column:
        layout.table(
            table,
            f"Nearest schools to school {int(now['school_code'])}",
            height="content",
            column_config={
                "Distance (km)": st.column_config.NumberColumn(format="%.1f", width="small"),
                "Profile": layout.school_link_column(),
            },
        )
    st.caption(
        f"On the map, orange is this school and blue its {NEARBY} nearest government schools open today, by "
        "straight-line (great-circle) distance between the coordinates in the school list: not travel distance, and "
        "not the school's enrolment area."
    )


def show_profile(code: int) -> None:
    versions = query(VERSIONS_SQL, code)
    now = versions.iloc[-1]
    st.title(now["school_name"])
    st.markdown(
        " · ".join(
            [str(now[c]) for c in ("level_of_schooling", "town_suburb") if not layout.is_missing(now[c])]
            + [f"school code {code}"]
            + ([] if now["is_current"] else ["**no longer in the school list**"])
        )
    )
    if now["is_inferred"]:
        st.warning(
            "This school closed before the first school list here (April 2018): it is known only from the "
            "enrolment and attendance files, so it has no attributes, history or location.",
            icon=":material/history:",
        )
    elif not now["is_current"]:
        st.warning(
            f"This school is not in the latest school list: its last version ended on {_date(now['valid_to'])}. The "
            "attributes below are from that version.",
            icon=":material/history:",
        )
    headcount = query(ENROLMENT_SQL, code, code)
    attendance = query(ATTENDANCE_SQL, code)
    if not now["is_inferred"]:
        show_attributes(now, headcount)
        show_timeline(versions)
    show_enrolment(headcount)
    show_attendance(attendance)
    show_composite(query(COMPOSITE_SQL, code))
    show_risk(code, attendance)
    if not now["is_inferred"]:
        show_nearby(now)


code, problem = parse_code(st.query_params.get("school"))
if code is None:
    st.title("School profile")
    if problem:
        st.error(problem, icon=":material/error:")
    else:
        st.markdown(
            "One government school in depth: what it is like now, how it changed, its students and attendance over "
            "the years, and its neighbours. Choose a school, or find one on the map."
        )
    school_picker("Choose a school")
    st.page_link(FIND_A_SCHOOL, label="Find a school on the map", icon=":material/map:")
else:
    show_profile(code)
    st.divider()
    school_picker("Another school")
