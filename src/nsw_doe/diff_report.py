"""`nsw-doe diff` as people read it: a terminal table (rich) or Markdown from the same rows; JSON is the diff."""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table

from nsw_doe.diff import TableDiff, WarehouseDiff, format_key, headline_counts, number

COLUMNS = ("table", "key", "rows old -> new", "added", "removed", "changed", "changed columns")


def _count(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def _rows(table: TableDiff) -> str:
    return f"{_count(table.rows_old) or '-'} -> {_count(table.rows_new) or '-'}"


def _examples(table: TableDiff) -> str:
    return "; ".join(f"{kind}: {' | '.join(format_key(k) for k in keys)}" for kind, keys in table.examples.items())


def _key(table: TableDiff) -> str:
    if table.key is None:
        return "(none: whole rows)"
    return ", ".join(table.key) or "(one row)"


def table_rows(diff: WarehouseDiff) -> list[tuple[str, ...]]:
    """One row of text per table that differs, in COLUMNS' order."""
    return [
        (
            t.table if t.status in ("changed", "unchanged") else f"{t.table} ({t.status.replace('_', ' ')})",
            _key(t),
            _rows(t),
            _count(t.added),
            _count(t.removed),
            _count(t.changed) if t.key is not None else "n/a",
            ", ".join(f"{c} {n:,}" for c, n in t.changed_columns.items()),
        )
        for t in diff.differing
    ]


def detail_lines(diff: WarehouseDiff) -> list[str]:
    """Example keys, schema changes, repeated keys, the largest numeric changes and what was left out of "changed"."""
    lines = []
    for t in diff.differing:
        if t.examples:
            lines.append(f"{t.table}: examples: {_examples(t)}")
        for label, columns in (("columns added", t.columns_added), ("columns removed", t.columns_removed)):
            if columns:
                lines.append(f"{t.table}: {label}: {', '.join(columns)}")
        if t.columns_retyped:
            lines.append(f"{t.table}: columns retyped: {', '.join(f'{c} {x}' for c, x in t.columns_retyped.items())}")
        for side, n in t.duplicate_keys.items():
            lines.append(f"{t.table}: key ({', '.join(t.key)}) not unique in the {side} build: {n:,} keys repeat")
        for c in t.largest_changes:
            change = f"{c['column']} {number(c['old'])} -> {number(c['new'])}"
            lines.append(f"{t.table}: largest change: {format_key(c['key'])}: {change}")
    volatile = [f"{t.table} ({', '.join(t.changes_every_build)})" for t in diff.tables if t.changes_every_build]
    if volatile:
        lines.append(f"Not counted as changes (they differ in every build): {'; '.join(volatile)}")
    return lines


def summary_line(diff: WarehouseDiff) -> str:
    changed = diff.differing
    if not changed:
        return f"No differences between {diff.old} and {diff.new} ({len(diff.tables)} tables compared)."
    return f"{diff.old} -> {diff.new}: {headline_counts(diff)} ({len(diff.tables)} tables compared)."


def print_report(console: Console, diff: WarehouseDiff) -> None:
    """The diff as a table, then a line per detail (unwrapped, so keys and paths stay whole)."""
    if diff.differing:
        table = Table(title="Data diff")
        for column in COLUMNS:
            table.add_column(column, overflow="fold")  # a narrow terminal wraps names, never cuts them
        for row in table_rows(diff):
            table.add_row(*row)
        console.print(table)
    for line in [*detail_lines(diff), summary_line(diff)]:
        console.print(line, markup=False, highlight=False, soft_wrap=True)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown_report(diff: WarehouseDiff) -> str:
    lines = [f"# Data diff\n\n{summary_line(diff)}\n"]
    if diff.differing:
        lines.append("| " + " | ".join(COLUMNS) + " |")
        lines.append("|" + "---|" * len(COLUMNS))
        lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in table_rows(diff)]
    details = detail_lines(diff)
    if details:
        lines.append("")
        lines += [f"- {_cell(line)}" for line in details]
    return "\n".join(lines) + "\n"


def json_report(diff: WarehouseDiff) -> str:
    return json.dumps(diff.as_dict(), default=str, indent=2)
