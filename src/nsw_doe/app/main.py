"""The script Streamlit runs (`nsw-doe app`): the page list, the build banner, and the page the URL names."""

import streamlit as st

from nsw_doe.app.data import current_build, published_path, unreadable_message
from nsw_doe.app.layout import build_caption, has_table
from nsw_doe.app.pages import PAGES

# An emoji favicon is drawn in the browser; a Material one (the default: the page's icon) is fetched from Google.
st.set_page_config(page_title="NSW public schools explorer", page_icon="🏫", layout="wide")
page = st.navigation(
    {
        section: [
            st.Page(
                entry.script, title=entry.title, url_path=entry.url_path, icon=entry.icon, default=not entry.url_path
            )
            for entry in entries
        ]
        for section, entries in PAGES.items()
    }
)


def explain_and_stop(title: str, message: str) -> None:
    st.title(title)
    st.info(message, icon=":material/construction:")
    st.stop()


build = current_build()
if build is None:
    explain_and_stop(
        "No warehouse yet",
        f"There is no published warehouse at `{published_path()}` to show. Build one from the pinned snapshot "
        "with `make run` (or `nsw-doe build`, about a minute), then reload this page.",
    )
if (problem := unreadable_message(build)) is not None:
    explain_and_stop("The published warehouse is not readable", problem)
# A build with the audit schema holds the tables the pages read (a build publishes only when all its assets
# succeeded); the few tables added since (the data-quality operations' audit tables) are checked where they are read.
if not has_table("audit.build"):
    explain_and_stop(
        "This warehouse is older than the app",
        f"The warehouse at `{published_path()}` was built by an earlier version that did not record its build "
        "(schema `audit`). Rebuild it with `make run` (or `nsw-doe build`), then reload this page.",
    )
st.sidebar.caption(build_caption())
page.run()
