"""A check that the intake zones' boundaries were decoded right: nearly every school lies inside its own current
zone. A decoding fault (an arc reversed, a transform misapplied) moves or scrambles boundaries and drops the share
far below what the department's own zones give (2,090 of 2,095 zones on the pinned snapshot)."""

import dagster as dg
import duckdb
import pandas as pd

from nsw_doe.defs.resources import WarehouseResource
from nsw_doe.intake_zones import schools_in_own_zone

ZONES = dg.AssetKey(["marts", "dim__intake_zone"])
# A school outside its own zone is rare (a school at the edge of its area, a zone drawn for a new site): below this
# share the boundaries themselves are wrong.
MINIMUM_SHARE_INSIDE = 0.99

ZONES_WITH_SCHOOLS_SQL = """
select zone.school_code, zone.school_name, zone.catchment_type, zone.geometry, school.longitude, school.latitude
from marts.dim__intake_zone as zone
inner join marts.dim__school as school on zone.school_sk = school.school_sk
where zone.zone_status = 'current' and school.latitude is not null and school.longitude is not null
order by zone.school_code, zone.catchment_type
"""


def containment_result(located: pd.DataFrame) -> dg.AssetCheckResult:
    """Pass when at least MINIMUM_SHARE_INSIDE of the zones hold their school; the metadata lists the others."""
    inside = int(located["inside"].sum())
    share = inside / len(located) if len(located) else 0.0
    outside = located.loc[~located["inside"], ["school_code", "school_name", "catchment_type"]]
    return dg.AssetCheckResult(
        passed=share >= MINIMUM_SHARE_INSIDE,
        severity=dg.AssetCheckSeverity.ERROR,
        description=f"{inside:,} of {len(located):,} current zones ({share:.2%}) hold their school's own location.",
        metadata={
            "zones": len(located),
            "zones_holding_their_school": inside,
            "share": share,
            "minimum_share": MINIMUM_SHARE_INSIDE,
            "zones_not_holding_their_school": dg.MetadataValue.md(outside.to_markdown(index=False)),
        },
    )


@dg.asset_check(asset=ZONES, name="schools_lie_in_their_own_zone", blocking=True)
def schools_lie_in_their_own_zone(warehouse: WarehouseResource) -> dg.AssetCheckResult:
    with duckdb.connect(warehouse.database) as con:
        zones = con.execute(ZONES_WITH_SCHOOLS_SQL).df()
    return containment_result(schools_in_own_zone(zones))
