"""What the anomaly checks measure (warnings: the build still publishes), in SQL on the build's database with the
published warehouse attached read-only as `published`:

- build over build: each mart's rows, and each year (and segment) of the key metrics, against the published build;
- within the build: each year's change of a state series against the series' other changes (a robust z-score), and
  a year missing between reported years.

Thresholds come from quality.yml (nsw_doe.quality_config); its reasons, and the real years flagged, are in
docs/data_quality.md."""

from __future__ import annotations

import math

import duckdb

from nsw_doe.quality_checks import Verdict
from nsw_doe.quality_config import History, MartRows, MetricChanges

PUBLISHED = "published"
# How many flagged values a description names (the check's metadata lists them all).
NAMED = 5


def _listed(lines: list[str]) -> str:
    more = len(lines) - NAMED
    return "; ".join(lines[:NAMED]) + (f"; and {more} more" if more > 0 else "")


def _columns(con: duckdb.DuckDBPyConnection, catalog: str, table: str) -> dict[str, str]:
    schema, name = table.split(".")
    return dict(
        con.execute(
            "select column_name, data_type from information_schema.columns "
            "where table_catalog = ? and table_schema = ? and table_name = ? order by ordinal_position",
            [catalog, schema, name],
        ).fetchall()
    )


def mart_rows(con: duckdb.DuckDBPyConnection, table: str, rule: MartRows) -> Verdict:
    """The mart's rows against the published build's: a fall beyond max_fall or a rise beyond max_rise warns."""
    if not _columns(con, PUBLISHED, table):
        return Verdict(True, f"{table} is new: the published build has no such table.")
    new, old = con.execute(
        f"select (select count(*) from {table}), (select count(*) from {PUBLISHED}.{table})"
    ).fetchall()[0]
    change = (new - old) / old if old else (0.0 if not new else float("inf"))
    passed = -rule.max_fall <= change <= rule.max_rise
    moved = f"{old:,} rows published, {new:,} in this build ({change:+.1%})" if old else f"{old:,} -> {new:,} rows"
    limits = f"warns below -{rule.max_fall:.0%} or above +{rule.max_rise:.0%}"
    return Verdict(passed, f"{table}: {moved}; {limits}.", {"rows": new, "published_rows": old})


def metric_changes(con: duckdb.DuckDBPyConnection, table: str, keys: list[str], rule: MetricChanges) -> Verdict:
    """Each year (and segment) of the table's key metrics, matched on the table's key, against the published build:
    a count that moved by more than max_relative_change, a rate by more than max_point_change points, a value that
    became null, or a row that is no longer there."""
    published = _columns(con, PUBLISHED, table)
    if not published:
        return Verdict(True, f"{table} is new: the published build has no such table.")
    columns = _columns(con, con.execute("select current_database()").fetchall()[0][0], table)
    if missing := [k for k in keys if k not in published]:
        return Verdict(True, f"{table}: the published build's table has no {', '.join(missing)}: not comparable.")
    metrics = [m for m in rule.counts + rule.rates if m in columns and m in published]
    on = " and ".join(f"n.{k} is not distinct from o.{k}" for k in keys)
    label = " || ' ' || ".join(f"coalesce(cast(coalesce(n.{k}, o.{k}) as varchar), '(none)')" for k in keys)
    moves = " union all ".join(
        f"""
        select {label} as label, '{m}' as metric, o.{m}::double as old, n.{m}::double as new,
            n.{keys[0]} is null and o.{keys[0]} is not null as is_gone, {_moved(m, rule)} as is_moved
        from {table} as n full join {PUBLISHED}.{table} as o on {on}
        where greatest(coalesce(n.schools, 0), coalesce(o.schools, 0)) >= {rule.min_schools}
        """
        for m in metrics
    )
    flagged = con.execute(
        f"select label, metric, old, new, is_gone from ({moves}) where is_gone or is_moved order by label, metric"
    ).fetchall()
    gone = sorted({label for label, *_, is_gone in flagged if is_gone})
    lines = [f"{label} published, not in this build" for label in gone] + [
        f"{label} {metric} {_shown(old)} -> {_shown(new)}"
        for label, metric, old, new, is_gone in flagged
        if not is_gone
    ]
    limits = f"counts by more than {rule.max_relative_change:.0%}, rates by more than {rule.max_point_change} points"
    if not lines:
        return Verdict(True, f"{table}: no published year of {', '.join(metrics)} moved ({limits}).")
    return Verdict(
        False,
        f"{table}: {len(lines)} published value(s) moved or gone ({limits}): {_listed(lines)}.",
        {"moved": len(lines)},
    )


def _moved(metric: str, rule: MetricChanges) -> str:
    """SQL: the metric moved beyond its limit (points for a rate, a share of the published value for a count), or a
    published value became null."""
    limit = rule.max_point_change if metric in rule.rates else f"{rule.max_relative_change} * o.{metric}"
    return f"(o.{metric} is not null and n.{metric} is null or abs(n.{metric} - o.{metric}) > {limit})"


def _shown(value: float | None) -> str:
    if value is None:
        return "none"
    return f"{value:,.0f}" if value == int(value) and abs(value) >= 100 else f"{value:,.2f}"


HISTORY_SQL = """
with wide as (select calendar_year, {columns} from {table}),

long as (select * from wide unpivot include nulls (value for metric in ({names}))),

changes as (
    select
        metric,
        calendar_year,
        value,
        case
            when metric in ({rates}) then value - lag(value ignore nulls) over by_year
            else ln(value / lag(value ignore nulls) over by_year)
        end as change,
        value is null
        and calendar_year > min(calendar_year) filter (where value is not null) over series
        and calendar_year < max(calendar_year) filter (where value is not null) over series as is_missing
    from long
    window by_year as (partition by metric order by calendar_year), series as (partition by metric)
),

scored as (
    select
        *,
        (change - median(change) over series) / nullif(1.4826 * mad(change) over series, 0) as score
    from changes
    window series as (partition by metric)
)

select metric, calendar_year, value, change, score, is_missing
from scored
where is_missing or abs(score) > ?
order by metric, calendar_year
"""


def history(con: duckdb.DuckDBPyConnection, rule: History) -> Verdict:
    """Each year's change of each series against the series' other changes, and years missing between reported
    years; the known events of quality.yml are reported as known and do not warn."""
    names = rule.counts + rule.rates
    sql = HISTORY_SQL.format(
        table=rule.table,
        columns=", ".join(f"cast({m} as double) as {m}" for m in names),
        names=", ".join(names),
        rates=", ".join(f"'{m}'" for m in rule.rates) or "null",
    )
    flagged = con.execute(sql, [rule.max_robust_score]).fetchall()
    known = {(k.metric, k.year): k.reason for k in rule.known}
    new, seen = [], []
    for metric, year, value, change, score, missing in flagged:  # the few flagged years, not the table's rows
        if missing:
            line = f"{metric} {year} missing between reported years"
        else:
            moved = f"{change:+.2f} points" if metric in rule.rates else f"{math.expm1(change):+.1%}"
            line = f"{metric} {year} {_shown(value)}: {moved} on the year before, robust score {score:+.1f}"
        (seen if (metric, year) in known else new).append(line)
    base = f"{rule.table}: year-over-year changes of {', '.join(names)} scored against their history"
    known_note = f" Known: {_listed(seen)}." if seen else ""
    if not new:
        return Verdict(True, f"{base}: no unexplained outlier (|score| <= {rule.max_robust_score}).{known_note}")
    return Verdict(
        False,
        f"{base}: {len(new)} unexplained (|score| > {rule.max_robust_score}): {_listed(new)}.{known_note}",
        {"unexplained": len(new), "known": len(seen)},
    )
