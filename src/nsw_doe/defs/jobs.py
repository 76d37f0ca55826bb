"""The job `nsw-doe build` runs: every asset, in dependency order, with every check."""

import dagster as dg

BUILD_JOB_NAME = "build_warehouse"


@dg.definitions
def jobs() -> dg.Definitions:
    return dg.Definitions(
        jobs=[dg.define_asset_job(BUILD_JOB_NAME, selection=dg.AssetSelection.all(), description=__doc__)]
    )
