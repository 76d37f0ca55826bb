"""Where things live. Every path the code uses is derived here, overridable by environment variables."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Settings:
    snapshot_dir: Path
    warehouse_dir: Path
    acara_dir: Path | None
    portal_url: str
    destination: str  # local (a DuckDB file, published atomically) or motherduck (the scale-out database)
    motherduck_database: str

    @property
    def manifest_path(self) -> Path:
        return self.snapshot_dir / "manifest.yml"


def load_settings() -> Settings:
    """Read the settings from the environment (defaults suit a clone of the repository)."""
    env = os.environ
    acara = env.get("NSW_DOE_ACARA_DIR", "").strip()
    return Settings(
        snapshot_dir=Path(env.get("NSW_DOE_SNAPSHOT_DIR", PROJECT_ROOT / "data" / "sources")),
        warehouse_dir=Path(env.get("NSW_DOE_WAREHOUSE_DIR", PROJECT_ROOT / "warehouse")),
        acara_dir=Path(acara) if acara else None,
        portal_url=env.get("NSW_DOE_PORTAL_URL", "https://data.nsw.gov.au").rstrip("/"),
        destination=env.get("NSW_DOE_DESTINATION", "local").strip().lower(),
        motherduck_database=env.get("NSW_DOE_MOTHERDUCK_DATABASE", "nsw_doe"),
    )


def installed_script(name: str) -> str:
    """A command installed with this package's environment (dbt, dagster), found beside the interpreter so that
    `.venv/bin/nsw-doe` works without the environment on PATH."""
    return str(Path(sys.executable).with_name(name))
