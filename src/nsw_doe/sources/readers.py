"""Turn the bytes of a source file into a header and text rows, with an explicit dialect.

No sniffing: CSV files are read with the csv module's default dialect (comma, double quote), which also copes
with the stray CRLF inside the LF-terminated 2026-05-05 master-dataset vintage. Every value stays text.

An error names the file and, where one record is to blame, its data row as the raw tables' `_source_row` counts
(1 = the first row after the header, whatever lines a quoted value spans) and its column.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import json
import re
import struct
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import openpyxl
import shapefile

from nsw_doe.sources import topojson
from nsw_doe.sources.catalog import FORMATS

UTF8_BOM = b"\xef\xbb\xbf"
# Decoding with errors="surrogateescape" turns each undecodable byte into one of these code points.
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
# One field of the excel dialect, quotes included: quoted stretches (doubled quotes are two of them; an unclosed
# one runs to the end of the text) and unquoted characters up to a comma or a line end.
_CSV_FIELD = re.compile(r'(?:"[^"]*(?:"|\Z)|[^,"\r\n]+)*')


class SourceFormatError(Exception):
    """A source file cannot be read as what the manifest says it is.

    `row` is a data row (1 = the first row after the header) or 0 for the header row; `column` is how the message
    names the field: its quoted header name, or its position."""

    def __init__(self, source: str, message: str, row: int | None = None, column: str | None = None):
        where = [source]
        if row is not None:
            where.append(f"data row {row}" if row else "header row")
        if column is not None:
            where.append(f"column {column}")
        super().__init__(f"{', '.join(where)}: {message}")
        self.source = source
        self.row = row
        self.column = column


@dataclass
class Table:
    columns: list[str]
    rows: list[list[str | None]]


TextParser = Callable[[str, str], Table]


def _column(columns: list[str], index: int) -> str:
    """The field at `index` as a message names it: by its header name, else (past the header) by its position."""
    return f"'{columns[index]}'" if index < len(columns) else str(index + 1)


def detect_encoding(data: bytes) -> str:
    """Name the encoding of a text file: UTF-8 with or without a byte-order mark, else Windows-1252."""
    if data.startswith(UTF8_BOM):
        return "utf-8-sig"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _codec(encoding: str, source: str) -> str:
    """The codec for a manifest encoding. UTF-8 is read with any byte-order mark dropped: a BOM is never part of
    the header (kept, it would rename the first column '\\ufeffSchool Code')."""
    try:
        name = codecs.lookup(encoding).name
    except LookupError as exc:
        raise SourceFormatError(
            source, f"the manifest gives an unknown encoding '{encoding}' (utf-8, utf-8-sig and cp1252 are known)"
        ) from exc
    return "utf-8-sig" if name == "utf-8" else name


def _undecodable_field(text: str, parser: TextParser, source: str) -> tuple[int | None, str | None]:
    """The row and column holding the first undecodable byte, which `text` carries escaped; (None, None) when the
    text does not parse either."""
    try:
        table = parser(text, source)
    except SourceFormatError:
        return None, None
    for row, values in enumerate([table.columns, *table.rows]):
        for index, value in enumerate(values):
            if isinstance(value, str) and _ESCAPED_BYTE.search(value):
                # A header name holding the byte cannot be printed: name the column by its position.
                return row, _column(table.columns if row else [], index)
    return None, None


def decode(data: bytes, encoding: str, source: str, parser: TextParser) -> str:
    """The text of a file; an undecodable byte is reported with the row and column that `parser` finds it in."""
    codec = _codec(encoding, source)
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        row, column = _undecodable_field(data.decode(codec, "surrogateescape"), parser, source)
        raise SourceFormatError(
            source,
            f"byte 0x{data[exc.start]:02x} (offset {exc.start:,} of the uncompressed file) is not valid {encoding}, "
            "the encoding its manifest entry gives. If the file was saved in another encoding (Windows-1252 is "
            "common), `nsw-doe sources describe` on the file detects it: put that in its manifest entry.",
            row,
            column,
        ) from exc


def _oversized_field(text: str, start: int, limit: int) -> tuple[int, int] | None:
    """The index and length of the first field longer than `limit` in the record that starts at offset `start`."""
    index, position = 0, start
    while True:
        field = _CSV_FIELD.match(text, position)
        if field.end() - position > limit:
            return index, field.end() - position
        if not text.startswith(",", field.end()):
            return None
        index, position = index + 1, field.end() + 1


def _unreadable_record(
    exc: csv.Error, text: str, lines_before: int, row: int, header: list[str], source: str
) -> SourceFormatError:
    """The SourceFormatError for a record the csv module gave up on, which starts after `lines_before` lines."""
    limit = csv.field_size_limit()
    # The csv module has no exception class per problem; agate tells this one apart by its message too.
    if "field larger than field limit" not in str(exc):
        return SourceFormatError(source, f"cannot be read as CSV ({exc})", row)
    start = sum(len(line) for line in itertools.islice(io.StringIO(text, newline=""), lines_before))
    found = _oversized_field(text, start, limit)
    size = "a field" if found is None else f"a field of {found[1]:,} characters"
    return SourceFormatError(
        source,
        f"holds {size}, more than the csv reader's limit of {limit:,} characters. A double quote left unclosed "
        "runs one field on through the rows after it: check the quotes in this row.",
        row,
        None if found is None else _column(header, found[0]),
    )


def _csv_records(text: str, source: str) -> list[list[str]]:
    """Every record of a CSV text, the header first, so that a record's index is its data row."""
    reader = csv.reader(io.StringIO(text, newline=""), dialect="excel")
    records: list[list[str]] = []
    lines_before = 0  # the lines the records read so far span: where the next record starts
    try:
        for record in reader:
            records.append(record)
            lines_before = reader.line_num
    except csv.Error as exc:
        header = records[0] if records else []
        raise _unreadable_record(exc, text, lines_before, len(records), header, source) from exc
    return records


def parse_csv(text: str, source: str) -> Table:
    records = _csv_records(text, source)
    if not records:
        raise SourceFormatError(source, "is empty; expected a header row")
    columns, rows = records[0], records[1:]
    for number, row in enumerate(rows, start=1):
        if len(row) != len(columns):
            raise SourceFormatError(source, f"has {len(row)} fields; the header has {len(columns)}", number)
    return Table(columns, rows)


def _json_problem(exc: json.JSONDecodeError, text: str) -> str:
    # Cut short, JSON fails at its end, or on a string that has no closing quote before the end.
    if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
        return f"ends after {len(text):,} characters, before its JSON is complete: the file is truncated"
    return f"is not valid JSON: {exc.msg} at character {exc.pos:,}"


def parse_datastore_dump(text: str, source: str) -> Table:
    """A CKAN datastore dump: {"fields": [{"id": ...}], "records": [[...], ...]}."""
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceFormatError(source, _json_problem(exc, text)) from exc
    try:
        columns = [f["id"] for f in body["fields"]]
        records = body["records"]
    except (KeyError, TypeError) as exc:
        raise SourceFormatError(
            source, 'is not a CKAN datastore dump: expected {"fields": [{"id": ...}, ...], "records": [[...], ...]}'
        ) from exc
    for number, record in enumerate(records, start=1):
        if not isinstance(record, list) or len(record) != len(columns):
            raise SourceFormatError(source, f"is not a list of {len(columns)} values, one per field", number)
    return Table(columns, records)


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _sheet_rows(data: bytes, sheet: str, source: str) -> list[tuple]:
    """The rows of one sheet, as values. openpyxl fails on a damaged workbook in many ways (zip, XML, missing
    parts), reading the rows included: any failure is reported as an unreadable workbook."""
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheets = workbook.sheetnames
        rows = list(workbook[sheet].iter_rows(values_only=True)) if sheet in sheets else None
    except Exception as exc:
        raise SourceFormatError(source, f"is not a readable xlsx workbook ({type(exc).__name__}: {exc})") from exc
    if rows is None:
        raise SourceFormatError(source, f"has no sheet '{sheet}' (sheets: {', '.join(sheets)})")
    return rows


def parse_xlsx(data: bytes, sheet: str, source: str) -> Table:
    rows = _sheet_rows(data, sheet, source)
    if not rows:
        raise SourceFormatError(source, f"sheet '{sheet}' is empty; expected a header row")
    return Table([str(c) for c in rows[0]], [[_cell_text(v) for v in row] for row in rows[1:]])


def parse_topojson(text: str, source: str, name: str) -> Table:
    """The geometries of the TopoJSON object `name`, a row each: their properties (numbers as text), then
    `geometry`, the GeoJSON geometry decoded from the topology's arcs, as JSON text."""
    try:
        topology = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceFormatError(source, _json_problem(exc, text)) from exc
    try:
        decoded = topojson.features(topology, name)
    except topojson.TopologyError as exc:
        row = None if exc.index is None else exc.index + 1
        raise SourceFormatError(source, str(exc), row, None if row is None else "'geometry'") from exc
    columns = list(dict.fromkeys(key for properties, _ in decoded for key in properties))
    rows = [
        [_cell_text(properties.get(column)) for column in columns]
        + [None if shape is None else json.dumps(shape, separators=(",", ":"))]
        for properties, shape in decoded
    ]
    return Table([*columns, "geometry"], rows)


def parse_dbf(data: bytes, encoding: str, source: str) -> Table:
    """A dBase table (a shapefile's attributes), every value as text with its padding stripped."""
    try:
        reader = shapefile.Reader(dbf=io.BytesIO(data), encoding=encoding)
        columns = [field.name for field in reader.fields[1:]]  # the first is the deletion flag
        records = [list(record) for record in reader.iterRecords()]
    except (shapefile.ShapefileException, UnicodeDecodeError, ValueError, struct.error) as exc:
        raise SourceFormatError(source, f"is not a readable dBase (.dbf) table ({type(exc).__name__}: {exc})") from exc
    rows = [[None if value in (None, "") else str(value).strip() or None for value in record] for record in records]
    return Table(columns, rows)


def dbf_encoding(data: bytes) -> str:
    """The encoding of a dBase table's text: UTF-8 when every value decodes as such, else Windows-1252 (a .dbf
    carries no reliable mark of its own)."""
    try:
        parse_dbf(data, "utf-8", "")
    except SourceFormatError:
        return "cp1252"
    return "utf-8"


TEXT_PARSERS: dict[str, TextParser] = {"csv": parse_csv, "ckan_datastore_dump": parse_datastore_dump}


def parse(data: bytes, fmt: str, encoding: str, source: str, sheet: str | None = None) -> Table:
    """Read a file as its manifest format; `sheet` names the part holding the rows (xlsx sheet, TopoJSON object)."""
    if fmt == "xlsx":
        return parse_xlsx(data, sheet or "", source)
    if fmt == "dbf":
        return parse_dbf(data, encoding, source)
    parser = TEXT_PARSERS.get(fmt)
    if fmt == "topojson":
        parser = partial(parse_topojson, name=sheet or "")
    if parser is None:
        raise SourceFormatError(source, f"has unknown format '{fmt}'; expected one of {', '.join(FORMATS)}")
    return parser(decode(data, encoding, source, parser), source)
