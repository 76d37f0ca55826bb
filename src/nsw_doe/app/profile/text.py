"""How the profile writes dates and attribute values."""

from __future__ import annotations

import pandas as pd

from nsw_doe.app import layout


def date_text(value) -> str:
    """A date as '5 Mar 2020'."""
    return pd.Timestamp(value).strftime("%d %b %Y").lstrip("0")


def value_text(value, column: str = "") -> str:
    """An attribute value as people read it: whole numbers without decimals (an index like ICSEA without a
    thousands separator), missing as layout.MISSING."""
    if layout.is_missing(value):
        return layout.MISSING
    if column == "icsea_value":
        return f"{value:.0f}"
    if isinstance(value, float) and value.is_integer():
        return f"{value:,.0f}"
    return f"{value:,.1f}" if isinstance(value, float) else str(value)
