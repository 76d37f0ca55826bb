"""The manifest, the readers and the pinned snapshot, on the real files."""

import gzip

import pytest
import yaml

from nsw_doe.settings import load_settings
from nsw_doe.sources.catalog import CatalogError, load_manifest, save_manifest
from nsw_doe.sources.readers import SourceFormatError, detect_encoding, parse, parse_csv
from nsw_doe.sources.snapshot import SnapshotError, load_table, read_bytes, verify
from tests.conftest import nsw_doe


def test_every_pinned_file_matches_its_sha256_row_count_and_header():
    settings = load_settings()
    manifest = load_manifest(settings.manifest_path)
    results = verify(settings, [d for d in manifest.datasets if not d.is_external])
    assert [r for r in results if not r.ok] == []
    assert len(results) == 27


def test_the_manifest_catalogues_every_file_in_the_snapshot_and_nothing_else():
    settings = load_settings()
    manifest = load_manifest(settings.manifest_path)
    listed = {f.path for d in manifest.datasets if not d.is_external for f in d.files}
    on_disk = {p.relative_to(settings.snapshot_dir).as_posix() for p in settings.snapshot_dir.rglob("*.gz")}
    assert listed == on_disk
    for dataset in manifest.datasets:
        assert dataset.licence and dataset.attribution and dataset.publisher, dataset.id
        for f in dataset.files:
            assert len(f.sha256) == 64 and f.rows > 0 and f.columns and f.encoding, f.path


def test_the_manifest_round_trips_unchanged(snapshot_copy):
    before = snapshot_copy.manifest_path.read_text()
    save_manifest(load_manifest(snapshot_copy.manifest_path), snapshot_copy.manifest_path)
    assert snapshot_copy.manifest_path.read_text() == before


def test_a_malformed_manifest_names_the_dataset(snapshot_copy):
    text = snapshot_copy.manifest_path.read_text().replace("    raw_table: attendance\n", "    raw_tabel: x\n", 1)
    snapshot_copy.manifest_path.write_text(text)
    with pytest.raises(CatalogError, match="Dataset 'attendance' in the manifest is malformed"):
        load_manifest(snapshot_copy.manifest_path)


def test_encodings_are_detected_from_the_bytes():
    assert detect_encoding(b"\xef\xbb\xbfschool_code,name\n") == "utf-8-sig"
    assert detect_encoding(b"Yandelora School\n") == "utf-8"
    assert detect_encoding(b"local health districts\xa0cover\n") == "cp1252"


def test_a_ragged_csv_row_is_reported_with_its_file_and_data_row():
    with pytest.raises(SourceFormatError, match=r"^x\.csv, data row 2: has 3 fields; the header has 2$"):
        parse_csv("a,b\n1,2\n1,2,3\n", "x.csv")


def test_a_stray_crlf_inside_an_lf_file_is_one_line_ending():
    # The 2026-05-05 master-dataset vintage is LF-terminated with one CRLF; DuckDB's strict CSV mode rejects it.
    table = parse(b"a,b\n1,2\r\n3,4\n", "csv", "utf-8", "t.csv")
    assert table.rows == [["1", "2"], ["3", "4"]]


def test_a_file_in_the_wrong_encoding_is_a_clear_error():
    with pytest.raises(
        SourceFormatError, match=r"^d\.csv, data row 1, column 'b': byte 0xa0 \(offset 7 .* not valid utf-8"
    ):
        parse(b"a,b\nx,y\xa0z\n", "csv", "utf-8", "d.csv")


def test_a_tampered_or_corrupt_pinned_file_is_refused(snapshot_copy):
    manifest = load_manifest(snapshot_copy.manifest_path)
    dataset = manifest.get("selective_entry_scores")
    path = snapshot_copy.snapshot_dir / dataset.files[0].path
    original = read_bytes(path)

    path.write_bytes(gzip.compress(original.replace(b"182", b"183", 1)))
    with pytest.raises(SnapshotError, match=r"sha256 is [0-9a-f]{64}; the manifest expects"):
        load_table(snapshot_copy, dataset, dataset.files[0])
    [result] = verify(snapshot_copy, [dataset])
    assert not result.ok and str(path) in result.message

    path.write_bytes(gzip.compress(original)[:-10])
    with pytest.raises(SnapshotError, match="is truncated: its gzip stream ends early"):
        read_bytes(path)


def test_a_row_count_that_differs_from_the_manifest_is_refused(snapshot_copy):
    manifest = load_manifest(snapshot_copy.manifest_path)
    dataset = manifest.get("selective_entry_scores")
    dataset.files[0].rows = 46
    with pytest.raises(SnapshotError, match="has 45 rows; the manifest expects 46"):
        load_table(snapshot_copy, dataset, dataset.files[0])


def test_external_files_need_their_directory(snapshot_copy):
    manifest = load_manifest(snapshot_copy.manifest_path)
    dataset = manifest.get("acara_school_profile")
    with pytest.raises(SnapshotError, match="set NSW_DOE_ACARA_DIR"):
        load_table(snapshot_copy, dataset, dataset.files[0])
    [result] = verify(snapshot_copy, [dataset])
    assert result.ok and result.message == "skipped: NSW_DOE_ACARA_DIR not set"


def test_sources_cli_lists_and_verifies_the_snapshot(snapshot_copy):
    listing = nsw_doe("sources", "list", COLUMNS="200")
    assert listing.returncode == 0
    assert "master_dataset" in listing.stdout and "22,136" in listing.stdout

    ok = nsw_doe("sources", "verify", NSW_DOE_SNAPSHOT_DIR=str(snapshot_copy.snapshot_dir))
    assert ok.returncode == 0 and "All 29 files verified." in ok.stdout

    (snapshot_copy.snapshot_dir / "other" / "2015-2018-selective-high-schools-minimum-entry-scores.csv.gz").unlink()
    bad = nsw_doe("sources", "verify", NSW_DOE_SNAPSHOT_DIR=str(snapshot_copy.snapshot_dir))
    assert bad.returncode == 1
    assert "FAIL selective_entry_scores" in bad.stdout
    assert "1 of 29 files failed verification." in bad.stderr


def test_describe_gives_the_manifest_entry_of_a_file(snapshot_copy):
    dataset = load_manifest(snapshot_copy.manifest_path).get("master_dataset_dictionary")
    pinned = dataset.files[0]
    result = nsw_doe("sources", "describe", str(snapshot_copy.snapshot_dir / pinned.path), "--vintage", pinned.vintage)
    assert result.returncode == 0, result.stderr
    [entry] = yaml.safe_load(result.stdout)
    assert entry["sha256"] == pinned.sha256 and entry["rows"] == pinned.rows == 44
    assert entry["encoding"] == "cp1252" and entry["columns"] == pinned.columns
