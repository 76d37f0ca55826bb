"""The command that serves the report app: Streamlit on 127.0.0.1, headless, with no telemetry."""

from __future__ import annotations

from pathlib import Path

from nsw_doe.settings import installed_script

MAIN_SCRIPT = Path(__file__).with_name("main.py")


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
    ]
