"""Compare two warehouse files table by table on each table's key, in DuckDB.

Both files are attached read-only to one connection. For every table of the published schemas: schema changes
(tables added and removed; columns added, removed and retyped), then, unless an order-independent fingerprint of the
table's shared columns is equal on both sides (most tables, most builds: no join needed), a FULL OUTER JOIN on the
key with `IS DISTINCT FROM` per column gives rows added, removed and changed, the changes per column, the largest
numeric changes and a few example keys. All row work happens in SQL; Python only composes it, table by table.

Columns declared `changes_every_build` (table_keys) are left out of "changed" and counted apart. A table with no key
is compared as whole rows (added and removed only, counting repeated rows). A key that repeats in either file is
reported, not counted: a join on it would multiply rows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb

from nsw_doe.table_comments import sql_literal
from nsw_doe.table_keys import TableKeys
from nsw_doe.warehouse import lock_down

# What the warehouse publishes; raw, staging and prep are the build's working layers (audit.source_files records
# what raw read, and every change in them that matters reaches a mart).
DIFF_SCHEMAS = ("marts", "reporting", "semantic", "ml", "quarantine", "audit")
# The diff's own record, which describes the comparison rather than the data.
OWN_TABLES = frozenset({"audit.build_diff", "audit.release_notes"})
EXAMPLES = 3
LARGEST = 3
NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UBIGINT", "FLOAT", "DOUBLE", "DECIMAL")
FLOAT_TYPES = ("FLOAT", "DOUBLE", "REAL")
# Floating-point sums run in parallel differ in their last bits from build to build (92.27927595542253 against
# 92.2792759554222, or 0 against -5.7e-14): a float counts as changed only beyond this difference, relative to the
# larger value (absolute below 1).
FLOAT_TOLERANCE = 1e-9


class DiffError(Exception):
    """A file to compare is missing or is not a DuckDB database."""


@dataclass
class TableDiff:
    table: str
    key: list[str] | None  # None: no declared key, compared as whole rows
    status: str  # added, removed, changed, unchanged, key_not_unique
    rows_old: int | None = None
    rows_new: int | None = None
    added: int = 0
    removed: int = 0
    changed: int | None = 0  # None without a key (whole rows are only added or removed)
    changed_columns: dict[str, int] = field(default_factory=dict)
    # columns that differ in every build by nature (a timestamp): changed rows counted here, not in `changed`
    changes_every_build: dict[str, int] = field(default_factory=dict)
    columns_added: list[str] = field(default_factory=list)
    columns_removed: list[str] = field(default_factory=list)
    columns_retyped: dict[str, str] = field(default_factory=dict)  # column -> "OLD -> NEW"
    duplicate_keys: dict[str, int] = field(default_factory=dict)  # "old"/"new" -> keys held by more than one row
    examples: dict[str, list] = field(default_factory=dict)  # added/removed/changed (or duplicated) -> keys
    largest_changes: list[dict] = field(default_factory=list)  # {key, column, old, new}

    @property
    def differs(self) -> bool:
        return self.status != "unchanged" or bool(self.columns_added or self.columns_removed or self.columns_retyped)


@dataclass
class WarehouseDiff:
    old: str
    new: str
    tables: list[TableDiff]

    def as_dict(self) -> dict:
        return {"old": self.old, "new": self.new, "tables": [asdict(t) for t in self.tables]}

    @property
    def differing(self) -> list[TableDiff]:
        return [t for t in self.tables if t.differs]


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def open_pair(old: Path, new: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory connection with `old` and `new` attached read-only under those names, which can then write
    nothing anywhere (as warehouse.open_read_only does for one file)."""
    for path in (old, new):
        if not Path(path).is_file():
            raise DiffError(f"There is no warehouse file at {path} to compare.")
    con = duckdb.connect(":memory:")
    try:
        for alias, path in (("old", old), ("new", new)):
            try:
                con.execute(f"attach {sql_literal(str(path))} as {alias} (read_only)")
            except duckdb.Error as exc:
                raise DiffError(f"{path} is not a DuckDB database this DuckDB can open: {exc}") from None
        lock_down(con)
    except BaseException:
        con.close()
        raise
    return con


def _columns(con: duckdb.DuckDBPyConnection, catalog: str) -> dict[str, dict[str, str]]:
    """ "schema.table" -> {column: type} of every table of the diffed schemas in `catalog`, in column order."""
    rows = con.execute(
        f"""
        select c.schema_name || '.' || c.table_name, c.column_name, c.data_type
        from duckdb_columns() as c
        join duckdb_tables() as t using (database_name, schema_name, table_name)
        where c.database_name = ? and c.schema_name in ({", ".join("?" * len(DIFF_SCHEMAS))})
        order by 1, c.column_index
        """,
        [catalog, *DIFF_SCHEMAS],
    ).fetchall()
    tables: dict[str, dict[str, str]] = {}
    for table, column, data_type in rows:
        tables.setdefault(table, {})[column] = data_type
    return {t: c for t, c in tables.items() if t not in OWN_TABLES}


def _relation(catalog: str, table: str) -> str:
    schema, name = table.split(".")
    return f"{quote(catalog)}.{quote(schema)}.{quote(name)}"


def _value(column: str, new_type: str | None, alias: str = "") -> str:
    """A column as compared: a retyped column in its new type on both sides, so INTEGER 5 and DOUBLE 5.0 are equal
    (an old value the new type cannot hold becomes null, and differs)."""
    ref = f"{alias}.{quote(column)}" if alias else quote(column)
    return f"try_cast({ref} as {new_type})" if new_type else ref


def _is_numeric(data_type: str) -> bool:
    return data_type.startswith(NUMERIC_TYPES)


class _TableComparison:
    """The SQL comparing one table present in both catalogs."""

    def __init__(self, con, catalogs: tuple[str, str], table: str, old: dict, new: dict, keys: TableKeys):
        self.con, self.table = con, table
        self.old_rel, self.new_rel = (_relation(c, table) for c in catalogs)
        shared = [c for c in new if c in old]
        self.retyped = {c: new[c] for c in shared if old[c] != new[c]}
        self.types = new
        self.volatile = [c for c in keys.volatile(table) if c in shared]
        key = keys.key(table)
        # a key column missing from either side cannot be joined on: compare whole rows then
        self.key = key if key is not None and all(c in shared for c in key) else None
        self.compared = [c for c in shared if c not in self.volatile and c not in (self.key or [])]
        self.numeric = {c for c in self.compared if c not in self.retyped and _is_numeric(new[c])}
        self.result = TableDiff(
            table,
            self.key,
            "unchanged",
            columns_added=[c for c in new if c not in old],
            columns_removed=[c for c in old if c not in new],
            columns_retyped={c: f"{old[c]} -> {new[c]}" for c in shared if c in self.retyped},
        )

    def fingerprint(self, relation: str) -> tuple[int, int]:
        """Rows and an order-independent hash of the compared rows (a sum, so repeated rows do not cancel)."""
        columns = [_value(c, self.retyped.get(c)) for c in [*(self.key or []), *self.compared]]
        digest = f"sum(hash({', '.join(columns)}))::hugeint" if columns else "0"
        return tuple(self.con.execute(f"select count(*), {digest} from {relation}").fetchall()[0])

    def run(self) -> TableDiff:
        (rows_old, hash_old), (rows_new, hash_new) = self.fingerprint(self.old_rel), self.fingerprint(self.new_rel)
        self.result.rows_old, self.result.rows_new = rows_old, rows_new
        if (rows_old, hash_old) == (rows_new, hash_new) and not self.volatile:
            return self.result
        if self.key is None:
            self._whole_rows()
        elif not self._duplicates():
            self._join()
        return self.result

    def _whole_rows(self) -> None:
        columns = ", ".join(_value(c, self.retyped.get(c)) for c in self.compared)
        added, removed = self.con.execute(
            f"""
            with o as (select {columns} from {self.old_rel}), n as (select {columns} from {self.new_rel})
            select (select count(*) from (from n except all from o)), (select count(*) from (from o except all from n))
            """
        ).fetchall()[0]
        self.result.added, self.result.removed, self.result.changed = added, removed, None
        self.result.status = "changed" if added or removed else "unchanged"

    def _key_struct(self, *aliases: str) -> str:
        if not self.key:
            return "null"  # a one-row table: the row is its own key
        fields = []
        for c in self.key:
            value = ", ".join(f"{a}.{quote(c)}" for a in aliases)
            fields.append(f"{quote(c)} := {f'coalesce({value})' if len(aliases) > 1 else value}")
        return f"struct_pack({', '.join(fields)})"

    def _duplicates(self) -> bool:
        """Count the keys each side repeats; True (and the table reported as such) if any does."""
        group = ", ".join(quote(c) for c in self.key) or "()"
        for side, relation in (("old", self.old_rel), ("new", self.new_rel)):
            repeated, examples = self.con.execute(
                f"""
                select count(*), min(key, {EXAMPLES}) from (
                    select {self._key_struct("t")} as key from {relation} as t group by {group} having count(*) > 1
                )
                """
            ).fetchall()[0]
            if repeated:
                self.result.duplicate_keys[side] = repeated
                self.result.examples[f"duplicated_in_{side}"] = examples
        if self.result.duplicate_keys:
            self.result.status = "key_not_unique"
            self.result.added = self.result.removed = self.result.changed = None
        return bool(self.result.duplicate_keys)

    def _join(self) -> None:
        on = " and ".join(f"o.{quote(c)} is not distinct from n.{quote(c)}" for c in self.key) or "true"
        flags = [f"{self._differs(c)} as f{i}" for i, c in enumerate([*self.compared, *self.volatile])]
        values = [
            f"o.{quote(c)} as o{i}, n.{quote(c)} as n{i}" for i, c in enumerate(self.compared) if c in self.numeric
        ]
        self.con.execute(
            f"""
            create or replace temp table _diff as
            select {self._key_struct("n", "o")} as key, o._in is not null as in_old, n._in is not null as in_new,
                {", ".join([*flags, *values]) or "null as no_columns"}
            from (select *, true as _in from {self.old_rel}) as o
            full join (select *, true as _in from {self.new_rel}) as n on {on}
            """
        )
        try:
            self._count()
            self._largest()
        finally:
            self.con.execute("drop table _diff")

    def _differs(self, column: str) -> str:
        """SQL true where the column differs between the joined rows `o` and `n`."""
        old, new = (_value(column, self.retyped.get(column), side) for side in ("o", "n"))
        if not self.types[column].startswith(FLOAT_TYPES):
            return f"{old} is distinct from {new}"
        close = f"abs({old} - {new}) <= {FLOAT_TOLERANCE} * greatest(abs({old}), abs({new}), 1)"
        return f"({old} is distinct from {new} and not coalesce({close}, false))"

    def _count(self) -> None:
        both = "in_old and in_new"
        any_change = " or ".join(f"f{i}" for i in range(len(self.compared))) or "false"
        per_column = [f"count(*) filter ({both} and f{i})" for i in range(len(self.compared) + len(self.volatile))]
        row = self.con.execute(
            f"""
            select
                count(*) filter (not in_old), count(*) filter (not in_new), count(*) filter ({both} and ({any_change})),
                min(key, {EXAMPLES}) filter (not in_old), min(key, {EXAMPLES}) filter (not in_new),
                min(key, {EXAMPLES}) filter ({both} and ({any_change}))
                {"".join(", " + p for p in per_column)}
            from _diff
            """
        ).fetchall()[0]
        r = self.result
        r.added, r.removed, r.changed = row[:3]
        r.examples = {kind: keys for kind, keys in zip(("added", "removed", "changed"), row[3:6], strict=True) if keys}
        counts = dict(zip([*self.compared, *self.volatile], row[6:], strict=True))
        r.changed_columns = {c: counts[c] for c in self.compared if counts[c]}
        r.changes_every_build = {c: counts[c] for c in self.volatile if counts[c]}
        r.status = "changed" if r.added or r.removed or r.changed else "unchanged"

    def _largest(self) -> None:
        """The biggest numeric changes of the table, by absolute change (a value appearing or vanishing last)."""
        parts = [
            f'select key, {sql_literal(c)} as "column", o{i}::double as old, n{i}::double as new from _diff '
            f"where in_old and in_new and f{i}"
            for i, c in enumerate(self.compared)
            if c in self.numeric and self.result.changed_columns.get(c)
        ]
        if not parts:
            return
        order = f'order by abs(new - old) desc nulls last, "column" limit {LARGEST}'
        rows = self.con.execute(f"select * from ({' union all '.join(parts)}) {order}").fetchall()
        self.result.largest_changes = [dict(zip(("key", "column", "old", "new"), r, strict=True)) for r in rows]


def change_counts(table: TableDiff) -> str:
    """ "+12, -1, 40 changed": what a table gained, lost and changed (the parts that are not zero)."""
    parts = []
    if table.added:
        parts.append(f"+{table.added:,}")
    if table.removed:
        parts.append(f"-{table.removed:,}")
    if table.changed:  # None for a table compared without a key, or a table added or removed
        parts.append(f"{table.changed:,} changed")
    return ", ".join(parts) or "no rows"


def format_key(key) -> str:
    """A key as `school_code=1001, calendar_year=2004` (the one row of a one-row table as `the row`)."""
    return ", ".join(f"{k}={v}" for k, v in key.items()) if isinstance(key, dict) else "the row"


def _size(change: dict) -> float:
    """A numeric change's size comparable across tables: relative to the larger of its two values (from or to null:
    last)."""
    if change["old"] is None or change["new"] is None:
        return -1.0
    return abs(change["new"] - change["old"]) / max(abs(change["old"]), abs(change["new"]), 1e-9)


def number(value: float | None) -> str:
    """A number for people: whole numbers with separators, others to 6 significant digits."""
    if value is None:
        return "null"
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.6g}"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'s' * (n != 1)}"


def headline_counts(diff: WarehouseDiff) -> str:
    """ "3 tables changed: +12 rows, -1 row, 40 rows changed; largest: ...", or "no table changed"."""
    changed = diff.differing
    if not changed:
        return "no table changed"
    added, removed = sum(t.added or 0 for t in changed), sum(t.removed or 0 for t in changed)
    line = (
        f"{_plural(len(changed), 'table')} changed: +{_plural(added, 'row')}, -{_plural(removed, 'row')}, "
        f"{_plural(sum(t.changed or 0 for t in changed), 'row')} changed"
    )
    unkeyed = [t.table for t in changed if t.status == "key_not_unique"]
    if unkeyed:
        line += f"; key not unique in {', '.join(unkeyed)}"
    largest = max(((t, c) for t in changed for c in t.largest_changes), key=lambda tc: _size(tc[1]), default=None)
    if largest is not None:
        t, c = largest
        line += f"; largest: {t.table} {format_key(c['key'])} {c['column']} {number(c['old'])} -> {number(c['new'])}"
    return line


def diff_catalogs(
    con: duckdb.DuckDBPyConnection, old: str, new: str, keys: TableKeys, labels: tuple[str, str] | None = None
) -> WarehouseDiff:
    """Compare every table of the diffed schemas in catalog `old` with catalog `new` on `con`."""
    before, after = _columns(con, old), _columns(con, new)
    tables = []
    for table in sorted(before.keys() | after.keys()):
        if table not in after:
            rows = con.execute(f"select count(*) from {_relation(old, table)}").fetchall()[0][0]
            tables.append(TableDiff(table, keys.key(table), "removed", rows_old=rows, removed=rows, changed=None))
        elif table not in before:
            rows = con.execute(f"select count(*) from {_relation(new, table)}").fetchall()[0][0]
            tables.append(TableDiff(table, keys.key(table), "added", rows_new=rows, added=rows, changed=None))
        else:
            tables.append(_TableComparison(con, (old, new), table, before[table], after[table], keys).run())
    old_label, new_label = labels or (old, new)
    return WarehouseDiff(old_label, new_label, tables)


def diff_files(old: Path, new: Path, keys: TableKeys) -> WarehouseDiff:
    """Compare two warehouse files (see diff_catalogs)."""
    with open_pair(old, new) as con:
        return diff_catalogs(con, "old", "new", keys, labels=(str(old), str(new)))
