"""Every error a source file can cause names the file and, where one record is to blame, its data row (as the raw
tables' `_source_row` counts) and column, in one paragraph of our own words. On copies of the real pinned files,
each damaged the way a download, an editor or a disk damages files."""

import csv
import dataclasses
import gzip
import json
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from nsw_doe.defs.ingest.raw import to_arrow
from nsw_doe.settings import Settings
from nsw_doe.sources.catalog import Dataset, SourceFile, load_manifest, save_manifest
from nsw_doe.sources.readers import SourceFormatError, parse
from nsw_doe.sources.snapshot import SnapshotError, check_file, load_table, read_bytes, sha256_hex
from tests.conftest import nsw_doe

MASTER_2023 = "master_dataset/master_dataset_2023-08-18.csv.gz"
MASTER_2024 = "master_dataset/master_dataset_2024-08-09.csv.gz"
DATASTORE_DUMP = "master_dataset/master_dataset_2026-04-07_datastore_dump.json.gz"
ATTENDANCE = "attendance/2011-2017-attendance-rates-by-nsw-government-schools.csv.gz"
ENROLMENTS = "enrolments/nsw-enrolments-by-school-and-calendar-year-2010-2017.csv.gz"
ENTRY_SCORES = "other/2015-2018-selective-high-schools-minimum-entry-scores.csv.gz"
DICTIONARY = "master_dataset/master-dataset-data-dictionary_doe-metadata-ids.csv.gz"
TEN_MB = b"x" * 10_000_000


def pinned(settings: Settings, relative_path: str) -> tuple[Dataset, SourceFile]:
    manifest = load_manifest(settings.manifest_path)
    return next((d, f) for d in manifest.datasets for f in d.files if f.path == relative_path)


def field(settings: Settings, relative_path: str, row: int, column: str) -> bytes:
    """The value of one field of the pinned file, as it is written in the file."""
    table = load_table(settings, *pinned(settings, relative_path))
    return table.rows[row - 1][table.columns.index(column)].encode()


def change_line(data: bytes, index: int, change: Callable[[bytes], bytes]) -> bytes:
    """`data` with line `index` changed (line 0 is the header; in the pinned CSVs data row N is line N)."""
    lines = data.splitlines(keepends=True)
    lines[index] = change(lines[index])
    return b"".join(lines)


def replace_field(data: bytes, row: int, value: bytes, new: bytes) -> bytes:
    def replace(line: bytes) -> bytes:
        assert line.count(value) == 1, (line, value)
        return line.replace(value, new)

    return change_line(data, row, replace)


def store(settings: Settings, relative_path: str, data: bytes, *, pin: bool) -> Path:
    """Store `data` as the file, compressed. With `pin`, also give the manifest its sha256, as if the damage had been
    pinned: the checks then get past the hash to the content."""
    path = settings.snapshot_dir / relative_path
    path.write_bytes(gzip.compress(data))
    if pin:
        manifest = load_manifest(settings.manifest_path)
        next(f for d in manifest.datasets for f in d.files if f.path == relative_path).sha256 = sha256_hex(data)
        save_manifest(manifest, settings.manifest_path)
    return path


def failure(call: Callable[[], object], error: type[Exception], cause: type[BaseException]) -> str:
    """The message of the error that `call` raises: one paragraph of ours, the library's error chained to it."""
    with pytest.raises(error) as caught:
        call()
    assert isinstance(caught.value.__cause__, cause), repr(caught.value.__cause__)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_a_truncated_gzip_is_named_with_how_to_restore_it(snapshot_copy):
    path = snapshot_copy.snapshot_dir / MASTER_2024
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])

    message = failure(lambda: load_table(snapshot_copy, *pinned(snapshot_copy, MASTER_2024)), SnapshotError, EOFError)

    assert message.startswith(f"{path} is truncated")
    assert f"`git checkout -- {path}`" in message and "download it again" in message
    assert "end-of-stream marker" not in message


def test_a_byte_in_another_encoding_is_named_with_its_data_row_and_column(snapshot_copy):
    name = field(snapshot_copy, MASTER_2024, 100, "School_name")
    original = read_bytes(snapshot_copy.snapshot_dir / MASTER_2024)
    path = store(snapshot_copy, MASTER_2024, replace_field(original, 100, name, b"\xe9" + name[1:]), pin=True)

    message = failure(
        lambda: load_table(snapshot_copy, *pinned(snapshot_copy, MASTER_2024)), SourceFormatError, UnicodeDecodeError
    )

    assert message.startswith(f"{path}, data row 100, column 'School_name': byte 0xe9 ")
    assert "is not valid utf-8" in message and "`nsw-doe sources describe`" in message
    assert "codec can't decode" not in message


def test_a_field_over_the_csv_limit_is_named_with_its_data_row_and_column(snapshot_copy):
    name = field(snapshot_copy, ATTENDANCE, 500, "school_name")
    original = read_bytes(snapshot_copy.snapshot_dir / ATTENDANCE)
    path = store(snapshot_copy, ATTENDANCE, replace_field(original, 500, name, TEN_MB), pin=True)

    message = failure(
        lambda: load_table(snapshot_copy, *pinned(snapshot_copy, ATTENDANCE)), SourceFormatError, csv.Error
    )

    assert message.startswith(f"{path}, data row 500, column 'school_name': holds a field of 10,000,000 characters")
    assert "limit of 131,072 characters" in message


def test_a_utf8_byte_order_mark_is_not_part_of_the_header(snapshot_copy):
    dataset, source = pinned(snapshot_copy, ENTRY_SCORES)
    assert source.encoding == "utf-8"
    before = load_table(snapshot_copy, dataset, source)
    store(
        snapshot_copy, ENTRY_SCORES, b"\xef\xbb\xbf" + read_bytes(snapshot_copy.snapshot_dir / ENTRY_SCORES), pin=True
    )

    table = load_table(snapshot_copy, *pinned(snapshot_copy, ENTRY_SCORES))

    assert table.columns == source.columns == before.columns
    assert table.rows == before.rows and len(table.rows) == source.rows


@pytest.mark.parametrize(
    ("content", "said"),
    [(b"", "is empty (0 bytes)"), (gzip.compress(b""), "is a gzip file of 0 bytes once decompressed")],
    ids=["zero-byte file", "gzip of nothing"],
)
def test_an_empty_file_is_said_to_be_empty(snapshot_copy, content, said):
    dataset, source = pinned(snapshot_copy, DICTIONARY)
    path = snapshot_copy.snapshot_dir / DICTIONARY
    path.write_bytes(content)

    with pytest.raises(SnapshotError) as caught:
        load_table(snapshot_copy, dataset, source)

    assert str(caught.value).startswith(f"{path} {said}; its manifest entry expects 46 data rows under a header of ")
    assert "sha256" not in str(caught.value)


def test_a_file_that_is_not_the_workbook_the_manifest_says_is_named(snapshot_copy):
    _, source = pinned(snapshot_copy, ENTRY_SCORES)
    as_workbook = dataclasses.replace(source, format="xlsx", encoding="binary", sheet="Sheet1")
    data = read_bytes(snapshot_copy.snapshot_dir / ENTRY_SCORES)

    message = failure(lambda: check_file(data, as_workbook, "scores.xlsx"), SourceFormatError, zipfile.BadZipFile)

    assert message.startswith("scores.xlsx: is not a readable xlsx workbook")


def test_a_truncated_datastore_dump_is_said_to_be_truncated(snapshot_copy):
    original = read_bytes(snapshot_copy.snapshot_dir / DATASTORE_DUMP)
    path = store(snapshot_copy, DATASTORE_DUMP, original[: len(original) // 2], pin=True)

    message = failure(
        lambda: load_table(snapshot_copy, *pinned(snapshot_copy, DATASTORE_DUMP)),
        SourceFormatError,
        json.JSONDecodeError,
    )

    assert message.startswith(f"{path}: ends after ") and message.endswith("the file is truncated")


def test_a_ragged_rows_data_row_is_the_source_row_the_raw_table_gives_it(snapshot_copy):
    """Data row 3 spans two lines (a quoted newline), so data row 10 is on line 12 of the file: the error gives the
    row's `_source_row`, 10, not its line."""
    name = field(snapshot_copy, MASTER_2023, 3, "School_name")
    spanning = replace_field(
        read_bytes(snapshot_copy.snapshot_dir / MASTER_2023), 3, name, b'"' + name.replace(b" ", b"\r\n", 1) + b'"'
    )
    table = parse(spanning, "csv", "utf-8", MASTER_2023)
    raw = to_arrow(table, pinned(snapshot_copy, MASTER_2023)[1], datetime.now(UTC)).to_pylist()
    ragged_code = spanning.splitlines()[11].split(b",")[0].decode()
    [source_row] = [r["_source_row"] for r in raw if r["School_code"] == ragged_code]
    ragged = change_line(spanning, 11, lambda line: line.replace(b"\r\n", b",an extra field\r\n"))

    with pytest.raises(SourceFormatError) as caught:
        parse(ragged, "csv", "utf-8", MASTER_2023)

    width = len(table.columns)
    assert source_row == 10
    assert str(caught.value) == f"{MASTER_2023}, data row {source_row}: has {width + 1} fields; the header has {width}"


def test_sources_verify_lists_every_damaged_and_every_unlisted_file(snapshot_copy):
    snapshot = snapshot_copy.snapshot_dir
    truncated = snapshot / MASTER_2024
    truncated.write_bytes(truncated.read_bytes()[:1000])
    name = field(snapshot_copy, ENROLMENTS, 1000, "School Name")
    store(
        snapshot_copy,
        ENROLMENTS,
        replace_field(read_bytes(snapshot / ENROLMENTS), 1000, name, b"\xe9" + name[1:]),
        pin=True,
    )
    name = field(snapshot_copy, ATTENDANCE, 500, "school_name")
    store(snapshot_copy, ATTENDANCE, replace_field(read_bytes(snapshot / ATTENDANCE), 500, name, TEN_MB), pin=True)
    (snapshot / DICTIONARY).write_bytes(b"")
    (snapshot / "other" / "entry-scores-2019.csv.gz").write_bytes((snapshot / ENTRY_SCORES).read_bytes())
    (snapshot / ".DS_Store").write_bytes(b"\0")

    result = nsw_doe("sources", "verify", NSW_DOE_SNAPSHOT_DIR=str(snapshot), NSW_DOE_ACARA_DIR=None)

    assert result.returncode == 1 and "Traceback" not in result.stderr
    failed = [line for line in result.stdout.splitlines() if line.startswith("FAIL ")]
    expected = {
        MASTER_2024: f"{truncated} is truncated",
        ENROLMENTS: "data row 1000, column 'School Name': byte 0xe9",
        ATTENDANCE: "data row 500, column 'school_name': holds a field of 10,000,000 characters",
        DICTIONARY: "is empty (0 bytes)",
        "other/entry-scores-2019.csv.gz": "the manifest does not list this file",
    }
    assert len(failed) == len(expected), result.stdout
    for relative_path, said in expected.items():
        assert any(f" {relative_path}: " in line and said in line for line in failed), (relative_path, result.stdout)
    assert ".DS_Store" not in result.stdout  # nor, by the count, manifest.yml
    assert result.stderr.strip() == "error: 5 of 30 files failed verification."
