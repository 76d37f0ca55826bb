"""The script Streamlit runs (`nsw-doe app`): the page list, the build banner, and the page the URL names."""

import streamlit as st

from nsw_doe.app.data import current_build, published_path
from nsw_doe.app.layout import build_caption

# (script, title, URL path, icon): the URL paths are part of the app's contract (people share these links).
PAGES = {
    "Explore": [
        ("views/overview.py", "Overview", "", ":material/home:"),
        ("views/schools.py", "Find a school", "schools", ":material/map:"),
        ("views/school.py", "School profile", "school", ":material/school:"),
    ],
    "Topics": [
        ("views/enrolments.py", "Enrolments", "enrolments", ":material/groups:"),
        ("views/attendance.py", "Attendance", "attendance", ":material/event_available:"),
        ("views/composite_classes.py", "Composite classes", "composite_classes", ":material/diversity_3:"),
        ("views/non_government.py", "Non-government schools", "non_government", ":material/account_balance:"),
    ],
    "About the data": [
        ("views/data_quality.py", "Data quality", "data_quality", ":material/fact_check:"),
        ("views/about.py", "About", "about", ":material/info:"),
    ],
}

st.set_page_config(page_title="NSW public schools explorer", page_icon=":material/school:", layout="wide")
page = st.navigation(
    {
        section: [
            st.Page(script, title=title, url_path=url_path, icon=icon, default=url_path == "")
            for script, title, url_path, icon in pages
        ]
        for section, pages in PAGES.items()
    }
)
if current_build() is None:
    st.title("No warehouse yet")
    st.info(
        f"There is no published warehouse at `{published_path()}` to show. Build one from the pinned snapshot "
        "with `make run` (or `nsw-doe build`, about a minute), then reload this page.",
        icon=":material/construction:",
    )
    st.stop()
st.sidebar.caption(build_caption())
page.run()
