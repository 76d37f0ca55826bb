"""Where a build writes: the local DuckDB file (default), or MotherDuck, the documented scale-out destination.

`NSW_DOE_DESTINATION=motherduck` with `MOTHERDUCK_TOKEN` set builds into `md:<NSW_DOE_MOTHERDUCK_DATABASE>`: dlt loads
raw there and dbt builds the models there. MotherDuck is a shared service, so there is no local file to publish
atomically: the database is updated in place. Everything here is decided before any connection is made.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from nsw_doe.settings import Settings

DESTINATIONS = ("local", "motherduck")
TOKEN_ENV = "MOTHERDUCK_TOKEN"


class DestinationError(Exception):
    """The configured destination is unknown or incomplete."""


@dataclass(frozen=True)
class RemoteDestination:
    database: str  # an md: URL
    token: str


def remote_destination(settings: Settings) -> RemoteDestination | None:
    """The MotherDuck database when configured, None for the local file; raises if the configuration is incomplete."""
    if settings.destination not in DESTINATIONS:
        raise DestinationError(
            f"NSW_DOE_DESTINATION is '{settings.destination}'; expected one of {', '.join(DESTINATIONS)}."
        )
    if settings.destination == "local":
        return None
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        raise DestinationError(
            f"NSW_DOE_DESTINATION=motherduck needs a MotherDuck access token in {TOKEN_ENV} "
            "(create one in the MotherDuck UI under Settings > Access tokens); nothing was built."
        )
    return RemoteDestination(database=f"md:{settings.motherduck_database}", token=token)


def is_motherduck(database: str) -> bool:
    return database.startswith("md:")
