"""`nsw-doe sources refresh` against a local fake of the data.nsw.gov.au CKAN API."""

import gzip
import json

import pytest

from nsw_doe.sources.catalog import RefreshResource, load_manifest, save_manifest
from nsw_doe.sources.ckan import CkanClient
from nsw_doe.sources.readers import parse_csv
from nsw_doe.sources.refresh import refresh
from nsw_doe.sources.snapshot import read_bytes, verify
from tests.fake_ckan import FakePortal

MASTER_PACKAGE = "78c10ea3-8d04-4c9c-b255-bbf8547e37e7"
MASTER_RESOURCE = "3e6d5f6a-055c-440d-a690-fc0537c31095"
ATTENDANCE_PACKAGE = "b558a070-09f5-4941-a140-e60a744327bf"
ATTENDANCE_RESOURCE = "df5e3989-0595-4c61-94ab-0f63ab6b1528"
DOWNLOAD_PREFIX = f"/data/dataset/{ATTENDANCE_PACKAGE}/resource/{ATTENDANCE_RESOURCE}"


def pinned(settings, dataset_id, vintage) -> bytes:
    dataset = load_manifest(settings.manifest_path).get(dataset_id)
    source = next(f for f in dataset.files if f.vintage == vintage)
    return read_bytes(settings.snapshot_dir / source.path)


def master_records(settings, date_extracted=None):
    """The pinned 2026-04-07 datastore dump as datastore records, optionally re-dated as a new extraction."""
    dump = json.loads(pinned(settings, "master_dataset", "2026-04-07"))
    fields = [f["id"] for f in dump["fields"]]
    records = [dict(zip(fields, r, strict=True)) for r in dump["records"]]
    if date_extracted:
        for r in records:
            r["Date_extracted"] = date_extracted
    return fields, records


def attendance_2023_edition(settings) -> bytes:
    """The pinned 2022 edition (UTF-8 with a BOM) with a 2023 column added, as the next edition would be."""
    lines = pinned(settings, "attendance", "2022").decode("utf-8-sig").splitlines()
    return ("\ufeff" + "\r\n".join([lines[0] + ",2023"] + [line + ",90.1" for line in lines[1:]]) + "\r\n").encode()


def serve_attendance(portal: FakePortal, settings, data: bytes | None = None, declared_hash: str = "") -> None:
    """Publish the next attendance edition (last modified 2024-03-01) on the fake portal."""
    data = data if data is not None else attendance_2023_edition(settings)
    portal.add_download(
        ATTENDANCE_PACKAGE, ATTENDANCE_RESOURCE, "2023-attendance.csv", data, "2024-03-01T00:00:00", declared_hash
    )


@pytest.fixture
def portal(snapshot_copy):
    with FakePortal(slow_seconds=1.5) as fake:
        fields, records = master_records(snapshot_copy, "2026-11-01")
        fake.add_datastore(MASTER_PACKAGE, MASTER_RESOURCE, fields, records, "2026-11-01T03:00:00")
        yield fake


def client(fake: FakePortal) -> CkanClient:
    return CkanClient(fake.url, timeout=0.5, attempts=3, backoff=0.01)


def files_of(settings, dataset_id):
    return [f.path for f in load_manifest(settings.manifest_path).get(dataset_id).files]


def assert_untouched(settings, dataset_id, before_files):
    assert files_of(settings, dataset_id) == before_files
    on_disk = {p.relative_to(settings.snapshot_dir).as_posix() for p in settings.snapshot_dir.rglob("*.gz")}
    assert not [p for p in on_disk if p.startswith("attendance/attendance_rates")], "nothing half-written"


def test_new_master_vintage_is_paged_from_the_datastore_and_pinned(snapshot_copy, portal):
    outcomes = refresh(snapshot_copy, only=["master_dataset"], client=client(portal))

    assert [(o.dataset, o.status) for o in outcomes] == [("master_dataset", "added")]
    dataset = load_manifest(snapshot_copy.manifest_path).get("master_dataset")
    new = next(f for f in dataset.files if f.vintage == "2026-11-01")
    assert (new.rows, len(new.columns), new.format) == (2210, 46, "ckan_datastore_dump")
    # 2,210 records in pages of 1,000: three pages, stopping at result.total although _links.next goes on.
    pages = [r for r in portal.requests if "datastore_search" in r]
    assert len(pages) == 3
    assert all(r.ok for r in verify(snapshot_copy, [dataset]))


def test_unchanged_resource_adds_nothing(snapshot_copy):
    with FakePortal() as fake:
        fields, records = master_records(snapshot_copy)
        fake.add_datastore(MASTER_PACKAGE, MASTER_RESOURCE, fields, records, "2026-04-07T00:00:00")
        before = files_of(snapshot_copy, "master_dataset")
        outcomes = refresh(snapshot_copy, only=["master_dataset"], client=client(fake))
    assert outcomes[0].status == "unchanged"
    assert "2026-04-07" in outcomes[0].message
    assert files_of(snapshot_copy, "master_dataset") == before


def test_http_500_is_retried_then_succeeds(snapshot_copy, portal):
    portal.fail("/data/api/3/action/package_show", "500", "500")
    outcomes = refresh(snapshot_copy, only=["master_dataset"], client=client(portal))
    assert outcomes[0].status == "added"
    assert sum("package_show" in r for r in portal.requests) == 3


def test_timeout_fails_one_dataset_and_the_others_go_on(snapshot_copy, portal):
    serve_attendance(portal, snapshot_copy)
    portal.fail_always(DOWNLOAD_PREFIX, "slow")
    before = files_of(snapshot_copy, "attendance")

    outcomes = {o.dataset: o for o in refresh(snapshot_copy, client=client(portal))}

    assert outcomes["attendance"].status == "failed"
    assert "timed out after 3 attempts" in outcomes["attendance"].message
    assert outcomes["master_dataset"].status == "added"
    assert outcomes["enrolment_headcount"].status == "skipped"
    assert_untouched(snapshot_copy, "attendance", before)


def test_truncated_download_is_refused(snapshot_copy, portal):
    serve_attendance(portal, snapshot_copy)
    portal.fail_always(DOWNLOAD_PREFIX, "truncate")
    before = files_of(snapshot_copy, "attendance")

    [outcome] = refresh(snapshot_copy, only=["attendance"], client=client(portal))

    assert outcome.status == "failed"
    assert "2023-attendance.csv was truncated" in outcome.message
    assert_untouched(snapshot_copy, "attendance", before)


def test_sha256_mismatch_with_the_portal_is_refused(snapshot_copy, portal):
    serve_attendance(portal, snapshot_copy, declared_hash="0" * 64)
    before = files_of(snapshot_copy, "attendance")

    [outcome] = refresh(snapshot_copy, only=["attendance"], client=client(portal))

    assert outcome.status == "failed"
    assert "the portal declares " + "0" * 64 in outcome.message
    assert_untouched(snapshot_copy, "attendance", before)


def test_renamed_column_is_refused_with_its_name(snapshot_copy, portal):
    renamed = attendance_2023_edition(snapshot_copy).replace(b"school_code,", b"school_id,", 1)
    serve_attendance(portal, snapshot_copy, data=renamed)
    before = files_of(snapshot_copy, "attendance")

    [outcome] = refresh(snapshot_copy, only=["attendance"], client=client(portal))

    assert outcome.status == "failed"
    assert "lacks column(s) ['school_code']" in outcome.message
    assert_untouched(snapshot_copy, "attendance", before)


def test_csv_with_a_bom_is_pinned_with_a_clean_header(snapshot_copy, portal):
    serve_attendance(portal, snapshot_copy)

    [outcome] = refresh(snapshot_copy, only=["attendance"], client=client(portal))

    assert outcome.status == "added", outcome.message
    new = next(
        f for f in load_manifest(snapshot_copy.manifest_path).get("attendance").files if f.vintage == "2024-03-01"
    )
    assert new.encoding == "utf-8-sig"
    assert new.columns[0] == "school_code" and new.columns[-1] == "2023"
    assert new.rows == 2214


def test_cp1252_file_is_detected_and_decoded(snapshot_copy):
    manifest = load_manifest(snapshot_copy.manifest_path)
    dictionary = manifest.get("master_dataset_dictionary")
    dictionary.ckan_package_id = MASTER_PACKAGE
    dictionary.refresh = [RefreshResource("dictionary-resource", "download", "master_dataset_dictionary")]
    save_manifest(manifest, snapshot_copy.manifest_path)
    edited = pinned(snapshot_copy, "master_dataset_dictionary", "2020").replace(
        b"Official NSW Department of Education school code.", b"School code (see \x93Definitions\x94)."
    )
    with FakePortal() as fake:
        fake.add_download(MASTER_PACKAGE, "dictionary-resource", "dictionary.csv", edited, "2025-01-01")
        [outcome] = refresh(snapshot_copy, only=["master_dataset_dictionary"], client=client(fake))

    assert outcome.status == "added", outcome.message
    new = next(
        f
        for f in load_manifest(snapshot_copy.manifest_path).get("master_dataset_dictionary").files
        if f.vintage == "2025-01-01"
    )
    assert new.encoding == "cp1252"
    text = gzip.decompress((snapshot_copy.snapshot_dir / new.path).read_bytes()).decode(new.encoding)
    rows = parse_csv(text, new.path).rows
    assert rows[0][2] == "School code (see \u201cDefinitions\u201d)."
    assert any("\u00a0" in row[2] for row in rows)
