"""Release notes: what changed in the data since the build a new build replaces, in sentences a person reads.

Each rule is SQL over the two builds attached to one connection (Builds names their catalogs), guided by the table
diff (diff.py) so that a rule runs only where its table changed:

- schools that joined or left the current school list (marts.dim__school current rows, by school code);
- per attribute of the school dimension, the schools whose current row changed it;
- per school-level fact and calendar year, the rows added and removed;
- the state's headcount in the latest year against the year before (semantic.metrics_by_year);
- tables added or removed, schema changes, keys that repeat, and the other tables that changed.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from nsw_doe.diff import TableDiff, WarehouseDiff, change_counts, quote
from nsw_doe.table_comments import sql_literal

SCHOOLS = "marts.dim__school"
STATE_METRICS = "semantic.metrics_by_year"
# The dimension's key and versioning columns: what changes with every new version, not an attribute of the school.
VERSION_COLUMNS = ("school_sk", "school_code", "valid_from", "valid_to", "is_current")
NAMED = 5  # schools named in a sentence before "and N more"


@dataclass(frozen=True)
class Builds:
    """The two builds attached to one connection, by catalog name."""

    con: duckdb.DuckDBPyConnection
    old: str
    new: str


@dataclass(frozen=True)
class Note:
    topic: str
    sentence: str


def _count(n: int, singular: str, plural: str | None = None) -> str:
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"


def _listed(names: list[str], total: int) -> str:
    more = total - len(names)
    return ", ".join(names) + (f" and {more:,} more" if more > 0 else "")


def _words(column: str) -> str:
    return column.replace("_", " ")


def _table_label(table: str) -> str:
    """marts.fct__enrolment_by_grade -> Enrolment by grade."""
    name = table.split(".")[1].split("__", 1)[-1]
    return _words(name).capitalize()


def _school_list_notes(b: Builds) -> list[Note]:
    notes = []
    for topic, entered, left, verb, list_verb in (
        ("schools_opened", b.new, b.old, "opened", "joined"),
        ("schools_closed", b.old, b.new, "closed", "left"),
    ):
        total, names = b.con.execute(
            f"""
            select count(*), list(school_name || ' (' || school_code || ')' order by school_name, school_code)[:{NAMED}]
            from {entered}.{SCHOOLS}
            where is_current and school_code not in (select school_code from {left}.{SCHOOLS} where is_current)
            """
        ).fetchall()[0]
        if total:
            listed = _listed(names, total)
            notes.append(
                Note(topic, f"{_count(total, 'school')} {verb} ({list_verb} the current school list): {listed}.")
            )
    return notes


def _school_attribute_notes(b: Builds, attributes: list[str]) -> list[Note]:
    """Per attribute, the schools current in both builds whose current row changed it."""
    if not attributes:
        return []
    changes = " union all ".join(
        f"select {sql_literal(a)} as attribute, n.school_code, n.school_name, "
        f"cast(o.{quote(a)} as varchar) as old, cast(n.{quote(a)} as varchar) as new "
        f"from o join n using (school_code) where o.{quote(a)} is distinct from n.{quote(a)}"
        for a in attributes
    )
    rows = b.con.execute(
        f"""
        with o as (select * from {b.old}.{SCHOOLS} where is_current),
        n as (select * from {b.new}.{SCHOOLS} where is_current)
        select attribute, count(*),
            list(school_name || ' (' || school_code || '): ' || coalesce(old, 'none') || ' to ' || coalesce(new, 'none')
                order by school_name, school_code)[:{NAMED}]
        from ({changes})
        group by attribute
        order by count(*) desc, attribute
        """
    ).fetchall()
    return [
        Note("school_attributes", f"{_count(total, 'school')} changed {_words(a)}: {_listed(examples, total)}.")
        for a, total, examples in rows
    ]


def _fact_notes(b: Builds, table: TableDiff) -> list[Note]:
    """Rows added and removed per calendar year of a fact at school-year grain (or finer)."""
    key = ", ".join(quote(c) for c in table.key)
    label = _table_label(table.table)
    unit = "school" if "school_code" in table.key else "row"
    school = "count(distinct school_code)" if unit == "school" else "count(*)"
    codes = "list(distinct school_code order by school_code)" if unit == "school" else "[]"
    rows = b.con.execute(
        f"""
        with o as (from {b.old}.{table.table}), n as (from {b.new}.{table.table}),
        added as (select {key} from n except select {key} from o),
        removed as (select {key} from o except select {key} from n),
        years_before as (select distinct calendar_year from o)
        select 'added', calendar_year, {school}, {codes}[:{NAMED}], calendar_year in (from years_before)
        from added group by calendar_year
        union all
        select 'removed', calendar_year, {school}, {codes}[:{NAMED}], true from removed group by calendar_year
        order by 1, 2
        """
    ).fetchall()
    notes = []
    for kind, year, total, examples, year_existed in rows:
        if kind == "added" and not year_existed:
            sentence = f"{label}: {year} added, for {_count(total, unit)}."
        else:
            named = f" ({_listed([str(c) for c in examples], total)})" if unit == "school" else ""
            sentence = f"{label}: rows for {year} {kind} for {_count(total, unit)}{named}."
        notes.append(Note("facts", sentence))
    if table.changed:
        columns = ", ".join(f"{_words(c)} in {n:,}" for c, n in table.changed_columns.items())
        notes.append(Note("facts", f"{label}: {_count(table.changed, 'row')} changed ({columns})."))
    return notes


def _state_headcount_note(b: Builds) -> list[Note]:
    """The latest year's state headcount against the year before, when it is new or revised in this build."""
    row = b.con.execute(
        f"""
        with n as (select calendar_year, headcount from {b.new}.{STATE_METRICS} where headcount is not null),
        o as (select calendar_year, headcount from {b.old}.{STATE_METRICS} where headcount is not null),
        latest as (select max(calendar_year) as calendar_year from n)
        select latest.calendar_year,
            (select headcount from n where calendar_year = latest.calendar_year),
            (select headcount from n where calendar_year = latest.calendar_year - 1),
            (select headcount from o where calendar_year = latest.calendar_year)
        from latest
        """
    ).fetchall()[0]
    year, headcount, year_before, old_headcount = row
    if year is None or headcount == old_headcount:
        return []
    if old_headcount is None:
        sentence = f"The state's {year} headcount is {headcount:,}"
    else:
        sentence = f"The state's {year} headcount was revised from {old_headcount:,} to {headcount:,}"
    if year_before:
        change = (headcount - year_before) / year_before * 100
        direction = "above" if change >= 0 else "below"
        sentence += f", {abs(change):.1f}% {direction} {year - 1} ({year_before:,})"
    return [Note("state_headcount", sentence + ".")]


def _table_notes(diff: WarehouseDiff, covered: set[str]) -> list[Note]:
    notes = []
    for t in diff.differing:
        if t.status == "added":
            notes.append(Note("tables", f"New table {t.table} ({_count(t.added, 'row')})."))
        elif t.status == "removed":
            notes.append(Note("tables", f"Table {t.table} was removed (it had {_count(t.removed, 'row')})."))
        elif t.status == "key_not_unique":
            sides = " and ".join(f"the {side} build ({_count(n, 'key')})" for side, n in t.duplicate_keys.items())
            notes.append(
                Note("tables", f"{t.table}: its key ({', '.join(t.key)}) repeats in {sides}, so it was not compared.")
            )
        schema = [
            f"{label} {', '.join(columns)}"
            for label, columns in (
                ("columns added:", t.columns_added),
                ("columns removed:", t.columns_removed),
                ("columns retyped:", [f"{c} ({change})" for c, change in t.columns_retyped.items()]),
            )
            if columns
        ]
        if schema:
            notes.append(Note("schema", f"{t.table}: {'; '.join(schema)}."))
    others = [
        t
        for t in diff.differing
        if t.status == "changed" and t.table not in covered and (t.added or t.removed or t.changed)
    ]
    if others:
        notes.append(Note("tables", f"Also changed: {'; '.join(f'{t.table} ({change_counts(t)})' for t in others)}."))
    return notes


def release_notes(b: Builds, diff: WarehouseDiff) -> list[Note]:
    """The notes of build `b.new` against the build it replaces, `b.old`, guided by the diff between them."""
    by_table = {t.table: t for t in diff.tables}
    notes: list[Note] = []
    covered = set()
    schools = by_table.get(SCHOOLS)
    if schools is not None and schools.status == "changed":
        covered.add(SCHOOLS)
        notes += _school_list_notes(b)
        columns = b.con.execute(f"select * from {b.new}.{SCHOOLS} limit 0").description
        b.con.fetchall()  # DuckDB 2.0: read a result to the end before the next statement
        attributes = [c for c, *_ in columns if c not in VERSION_COLUMNS and c not in schools.columns_added]
        notes += _school_attribute_notes(b, attributes)
    for t in diff.differing:
        if t.table.startswith("marts.fct__") and t.status == "changed" and t.key and "calendar_year" in t.key:
            covered.add(t.table)
            notes += _fact_notes(b, t)
    if STATE_METRICS in by_table and by_table[STATE_METRICS].status == "changed":
        notes += _state_headcount_note(b)
    notes += _table_notes(diff, covered)
    return notes or [Note("no_change", "No data changed since the build it replaces.")]


FIRST_BUILD = Note("first_build", "The first build: nothing was published before it, so there is nothing to compare.")


@dataclass(frozen=True)
class BuildNotes:
    title: str  # when the build ran and from which commit
    sentences: list[str]


def read_notes(con: duckdb.DuckDBPyConnection, latest_only: bool = True) -> list[BuildNotes]:
    """The release notes a build holds (audit.release_notes), newest build first; only the newest with latest_only."""
    found = con.execute(
        "select count(*) from duckdb_tables() where database_name = current_database() "
        "and schema_name = 'audit' and table_name = 'release_notes'"
    ).fetchall()[0][0]
    if not found:
        raise LookupError(
            "The published build has no audit.release_notes table: it was built before builds recorded their "
            "release notes. Run `nsw-doe build`."
        )
    latest = "where built_at = (select max(built_at) from audit.release_notes)" if latest_only else ""
    rows = con.execute(
        f"""
        select strftime(timezone('UTC', built_at), '%Y-%m-%d %H:%M UTC') || coalesce(' (' || code_version || ')', ''),
            list(sentence order by note_order)
        from audit.release_notes {latest}
        group by built_at, code_version
        order by built_at desc
        """
    ).fetchall()
    return [BuildNotes(title, sentences) for title, sentences in rows]
