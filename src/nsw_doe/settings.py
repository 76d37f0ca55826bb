"""Where things live. Every path the code uses is derived here, overridable by environment variables."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR_ENV = "NSW_DOE_PROJECT_DIR"
# What makes a directory a checkout of the project: the dbt project and the pinned snapshot's catalogue.
CHECKOUT_FILES = ("transform/dbt_project.yml", "data/sources/manifest.yml")


class ProjectDirError(RuntimeError):
    """The package runs outside a checkout of the project, and no checkout was named."""


def project_dir() -> Path:
    """The checkout the package works in: the one NSW_DOE_PROJECT_DIR names, else the one this file sits in (an
    editable install). Checked when a path is needed, so that importing the package never fails."""
    named = os.environ.get(PROJECT_DIR_ENV, "").strip()
    root = Path(named).expanduser().resolve() if named else Path(__file__).resolve().parents[2]
    missing = " or ".join(name for name in CHECKOUT_FILES if not (root / name).is_file())
    if named and missing:
        raise ProjectDirError(
            f"{PROJECT_DIR_ENV} names {root}, which is not a checkout of the project: it has no {missing}."
        )
    if missing:
        raise ProjectDirError(
            f"nsw_doe runs from {Path(__file__).parent}, not from a checkout of the project ({root} has no {missing}). "
            f"Set {PROJECT_DIR_ENV} to the directory of a clone of the repository."
        )
    return root


def __getattr__(name: str) -> Path:
    # PROJECT_ROOT is resolved on first use, not at import.
    if name == "PROJECT_ROOT":
        return project_dir()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
        snapshot_dir=_directory("NSW_DOE_SNAPSHOT_DIR", "data/sources"),
        warehouse_dir=_directory("NSW_DOE_WAREHOUSE_DIR", "warehouse"),
        acara_dir=Path(acara) if acara else None,
        portal_url=env.get("NSW_DOE_PORTAL_URL", "https://data.nsw.gov.au").rstrip("/"),
        destination=env.get("NSW_DOE_DESTINATION", "local").strip().lower(),
        motherduck_database=env.get("NSW_DOE_MOTHERDUCK_DATABASE", "nsw_doe"),
    )


def _directory(variable: str, in_checkout: str) -> Path:
    """The directory an environment variable names, else its place in the checkout."""
    named = os.environ.get(variable, "").strip()
    return Path(named) if named else project_dir() / in_checkout


def installed_script(name: str) -> str:
    """A command installed with this package's environment (dbt, dagster), found beside the interpreter so that
    `.venv/bin/nsw-doe` works without the environment on PATH."""
    return str(Path(sys.executable).with_name(name))
