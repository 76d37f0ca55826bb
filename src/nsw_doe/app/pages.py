"""The app's pages, by section of the navigation. The URL paths are part of the app's contract: people share them."""

from typing import NamedTuple


class Page(NamedTuple):
    script: str  # relative to main.py
    title: str
    url_path: str  # "" is the home page
    icon: str


PAGES = {
    "Explore": [
        Page("views/overview.py", "Overview", "", ":material/home:"),
        Page("views/schools.py", "Find a school", "schools", ":material/map:"),
        Page("views/near.py", "Schools for where I live", "near", ":material/home_pin:"),
        Page("views/school.py", "School profile", "school", ":material/school:"),
        Page("views/compare.py", "Compare schools", "compare", ":material/compare_arrows:"),
    ],
    "Topics": [
        Page("views/enrolments.py", "Enrolments", "enrolments", ":material/groups:"),
        Page("views/attendance.py", "Attendance", "attendance", ":material/event_available:"),
        Page("views/composite_classes.py", "Composite classes", "composite_classes", ":material/diversity_3:"),
        Page("views/non_government.py", "Non-government schools", "non_government", ":material/account_balance:"),
    ],
    "About the data": [
        Page("views/data_quality.py", "Data quality", "data_quality", ":material/fact_check:"),
        Page("views/about.py", "About", "about", ":material/info:"),
    ],
}
