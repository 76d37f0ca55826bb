"""The command that serves the report app: Streamlit on 127.0.0.1, headless, with no telemetry."""

from __future__ import annotations

from pathlib import Path

from nsw_doe.settings import installed_script

MAIN_SCRIPT = Path(__file__).with_name("main.py")
# Streamlit draws captions, metric notes and quotes in its text colour at 60% opacity: with its default text colour
# (#2F2D2B) that is #82817F on white, 3.9:1, short of WCAG AA's 4.5:1 for normal text. Near-black text (#111111)
# makes that grey #707070: 5.0:1 on white, 4.9:1 on the sidebar and 4.8:1 on a code span there. The light base is
# what those ratios are measured against.
THEME = {"base": "light", "textColor": "#111111"}


def streamlit_command(port: int) -> list[str]:
    return [
        installed_script("streamlit"),
        "run",
        str(MAIN_SCRIPT),
        "--server.address=127.0.0.1",
        f"--server.port={port}",
        "--server.headless=true",
        # Streamlit reports usage to its servers unless told not to; the platform makes no request of its own.
        "--browser.gatherUsageStats=false",
        # The app's code does not change under a running server: no file watcher, no rerun on save.
        "--server.fileWatcherType=none",
        "--client.toolbarMode=viewer",
        *(f"--theme.{option}={value}" for option, value in THEME.items()),
    ]
