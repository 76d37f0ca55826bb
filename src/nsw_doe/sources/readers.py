"""Turn the bytes of a source file into a header and text rows, with an explicit dialect.

No sniffing: CSV files are read with the csv module's default dialect (comma, double quote), which also copes
with the stray CRLF inside the LF-terminated 2026-05-05 master-dataset vintage. Every value stays text.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass

import openpyxl

UTF8_BOM = b"\xef\xbb\xbf"


class SourceFormatError(Exception):
    """A source file cannot be read as what the manifest says it is."""

    def __init__(self, source: str, message: str, row: int | None = None):
        where = f"{source}, row {row}" if row is not None else source
        super().__init__(f"{where}: {message}")
        self.source = source
        self.row = row


@dataclass
class Table:
    columns: list[str]
    rows: list[list[str | None]]


def detect_encoding(data: bytes) -> str:
    """Name the encoding of a text file: UTF-8 with or without a byte-order mark, else Windows-1252."""
    if data.startswith(UTF8_BOM):
        return "utf-8-sig"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def decode(data: bytes, encoding: str, source: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise SourceFormatError(
            source, f"is not valid {encoding} (byte {exc.start}: {data[exc.start : exc.start + 1]!r})"
        ) from exc


def parse_csv(text: str, source: str) -> Table:
    reader = csv.reader(io.StringIO(text, newline=""), dialect="excel")
    try:
        columns = next(reader)
    except StopIteration:
        raise SourceFormatError(source, "is empty; expected a header row") from None
    rows = []
    for line, row in enumerate(reader, start=2):
        if len(row) != len(columns):
            raise SourceFormatError(source, f"has {len(row)} fields; expected {len(columns)} as in the header", line)
        rows.append(row)
    return Table(columns, rows)


def parse_datastore_dump(text: str, source: str) -> Table:
    """A CKAN datastore dump: {"fields": [{"id": ...}], "records": [[...], ...]}."""
    try:
        body = json.loads(text)
        columns = [f["id"] for f in body["fields"]]
        records = body["records"]
    except (ValueError, KeyError, TypeError) as exc:
        raise SourceFormatError(source, f"is not a CKAN datastore dump ({exc})") from exc
    for index, record in enumerate(records, start=1):
        if len(record) != len(columns):
            raise SourceFormatError(source, f"record has {len(record)} values; expected {len(columns)}", index)
    return Table(columns, records)


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_xlsx(data: bytes, sheet: str, source: str) -> Table:
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    if sheet not in workbook.sheetnames:
        raise SourceFormatError(source, f"has no sheet '{sheet}' (sheets: {', '.join(workbook.sheetnames)})")
    rows = workbook[sheet].iter_rows(values_only=True)
    columns = [str(c) for c in next(rows)]
    return Table(columns, [[_cell_text(v) for v in row] for row in rows])


def parse(data: bytes, fmt: str, encoding: str, source: str, sheet: str | None = None) -> Table:
    if fmt == "xlsx":
        return parse_xlsx(data, sheet or "", source)
    text = decode(data, encoding, source)
    if fmt == "csv":
        return parse_csv(text, source)
    if fmt == "ckan_datastore_dump":
        return parse_datastore_dump(text, source)
    raise SourceFormatError(source, f"has unknown format '{fmt}'; expected csv, ckan_datastore_dump or xlsx")
