"""`nsw-doe sources refresh` against a local fake of the data.nsw.gov.au CKAN API.

The fake logs every request, so these tests count attempts and pages at the server instead of trusting the
client's settings. Retries use a backoff factor of 0.01 s and a 0.5 s timeout, so the file runs in seconds.
"""

import gzip
import json
from pathlib import PurePosixPath

import pytest

from nsw_doe.sources.catalog import RefreshResource, load_manifest, save_manifest
from nsw_doe.sources.ckan import CkanClient
from nsw_doe.sources.readers import parse_csv
from nsw_doe.sources.refresh import refresh
from nsw_doe.sources.snapshot import read_bytes, verify
from tests.fake_ckan import FakePortal

pytestmark = pytest.mark.timeout(60)  # a paging loop that never ends fails instead of hanging

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
        serve_master(fake, snapshot_copy)
        yield fake


def serve_master(portal: FakePortal, settings, last_modified="2026-11-01T03:00:00", **datastore) -> None:
    """Publish the next master-dataset vintage (re-dated 2026-11-01, 2,210 records) in the fake's datastore."""
    fields, records = master_records(settings, "2026-11-01")
    portal.add_datastore(MASTER_PACKAGE, MASTER_RESOURCE, fields, records, last_modified, **datastore)


def client(fake: FakePortal, backoff: float = 0.01) -> CkanClient:
    return CkanClient(fake.url, timeout=0.5, attempts=3, backoff=backoff)


def files_of(settings, dataset_id):
    return [f.path for f in load_manifest(settings.manifest_path).get(dataset_id).files]


def on_disk(settings, dataset_id) -> dict[str, bytes]:
    """Every file in the snapshot folders of a dataset, temporary files included, with its bytes."""
    folders = {PurePosixPath(path).parent.as_posix() for path in files_of(settings, dataset_id)}
    return {
        p.relative_to(settings.snapshot_dir).as_posix(): p.read_bytes()
        for folder in sorted(folders)
        for p in sorted((settings.snapshot_dir / folder).rglob("*"))
        if p.is_file()
    }


class Untouched:
    """Asserts that a dataset's manifest entry and files are exactly as they were when it was created."""

    def __init__(self, settings, dataset_id):
        self.settings, self.dataset_id = settings, dataset_id
        self.files, self.disk = files_of(settings, dataset_id), on_disk(settings, dataset_id)

    def check(self):
        assert files_of(self.settings, self.dataset_id) == self.files
        assert on_disk(self.settings, self.dataset_id) == self.disk, "nothing written, nothing half-written"


def added_vintage(settings, dataset_id, vintage):
    return next(f for f in load_manifest(settings.manifest_path).get(dataset_id).files if f.vintage == vintage)


def test_new_master_vintage_is_paged_from_the_datastore_and_pinned(snapshot_copy, portal):
    outcomes = refresh(snapshot_copy, only=["master_dataset"], client=client(portal))

    assert [(o.dataset, o.status) for o in outcomes] == [("master_dataset", "added")]
    dataset = load_manifest(snapshot_copy.manifest_path).get("master_dataset")
    new = added_vintage(snapshot_copy, "master_dataset", "2026-11-01")
    assert (new.rows, len(new.columns), new.format) == (2210, 46, "ckan_datastore_dump")
    # 2,210 records in pages of 1,000: three pages, stopping at result.total although _links.next goes on.
    assert portal.offsets(MASTER_RESOURCE) == [0, 1000, 2000]
    assert {r.params["limit"] for r in portal.requests_to("/datastore_search")} == {"1000"}
    assert len(portal.requests_to("/package_show")) == 1
    assert all(r.ok for r in verify(snapshot_copy, [dataset]))


def test_a_page_size_capped_by_the_portal_is_followed(snapshot_copy):
    # CKAN silently caps `limit` at ckan.datastore.search.rows_max: the offset must advance by what a page held.
    with FakePortal(rows_max=500) as fake:
        serve_master(fake, snapshot_copy)
        [outcome] = refresh(snapshot_copy, only=["master_dataset"], client=client(fake))

    assert outcome.status == "added", outcome.message
    assert fake.offsets(MASTER_RESOURCE) == [0, 500, 1000, 1500, 2000]
    assert added_vintage(snapshot_copy, "master_dataset", "2026-11-01").rows == 2210


def test_records_fewer_than_total_are_refused(snapshot_copy):
    untouched = Untouched(snapshot_copy, "master_dataset")
    with FakePortal() as fake:
        serve_master(fake, snapshot_copy, claimed_total=2300)
        [outcome] = refresh(snapshot_copy, only=["master_dataset"], client=client(fake))

    assert outcome.status == "failed"
    assert outcome.message == (
        f"master_dataset: datastore_search for resource {MASTER_RESOURCE} returned 2210 records; "
        "its result.total says 2300. Refusing a partial table."
    )
    # Paging went on past the last full page to offset 2,210, found it empty, and stopped there.
    assert fake.offsets(MASTER_RESOURCE) == [0, 1000, 2000, 2210]
    untouched.check()


def test_unchanged_resource_adds_nothing(snapshot_copy):
    with FakePortal() as fake:
        fields, records = master_records(snapshot_copy)
        fake.add_datastore(MASTER_PACKAGE, MASTER_RESOURCE, fields, records, "2026-04-07T00:00:00")
        untouched = Untouched(snapshot_copy, "master_dataset")
        outcomes = refresh(snapshot_copy, only=["master_dataset"], client=client(fake))
    assert outcomes[0].status == "unchanged"
    assert "2026-04-07" in outcomes[0].message
    untouched.check()


def test_an_already_pinned_vintage_with_other_content_is_refused(snapshot_copy):
    # The portal's copy differs from the pinned 2026-04-07 file but claims the same day: never overwrite a pin.
    untouched = Untouched(snapshot_copy, "master_dataset")
    with FakePortal() as fake:
        serve_master(fake, snapshot_copy, last_modified="2026-04-07T09:30:00")
        [outcome] = refresh(snapshot_copy, only=["master_dataset"], client=client(fake))

    assert outcome.status == "failed"
    assert outcome.message == (
        f"master_dataset resource {MASTER_RESOURCE}: vintage 2026-04-07 is pinned already with other content; "
        "resolve it by hand."
    )
    untouched.check()


def test_http_500_is_retried_with_backoff_then_succeeds(snapshot_copy, portal):
    portal.fail("/data/api/3/action/package_show", "500", "500")
    outcomes = refresh(snapshot_copy, only=["master_dataset"], client=client(portal, backoff=0.05))
    assert outcomes[0].status == "added"
    attempts = [r.at for r in portal.requests_to("/package_show")]
    assert len(attempts) == 3
    # Exponential backoff with factor 0.05 s: at least 0.05 s before the 2nd attempt and 0.1 s before the 3rd.
    assert attempts[1] - attempts[0] >= 0.05
    assert attempts[2] - attempts[1] >= 0.1


def test_timeout_is_retried_then_succeeds(snapshot_copy, portal):
    serve_attendance(portal, snapshot_copy)
    portal.fail(DOWNLOAD_PREFIX, "slow")

    [outcome] = refresh(snapshot_copy, only=["attendance"], client=client(portal))

    assert outcome.status == "added", outcome.message
    assert len(portal.requests_to(DOWNLOAD_PREFIX)) == 2


def test_timeout_fails_one_dataset_and_the_others_go_on(snapshot_copy, portal):
    serve_attendance(portal, snapshot_copy)
    portal.fail_always(DOWNLOAD_PREFIX, "slow")
    untouched = Untouched(snapshot_copy, "attendance")

    outcomes = {o.dataset: o for o in refresh(snapshot_copy, client=client(portal))}

    assert outcomes["attendance"].status == "failed"
    assert "2023-attendance.csv timed out on each of 3 attempts" in outcomes["attendance"].message
    # Counted at the server, not read back from the retry setting: exactly three attempts, then it gave up.
    assert len(portal.requests_to(DOWNLOAD_PREFIX)) == 3
    assert outcomes["master_dataset"].status == "added"
    assert outcomes["enrolment_headcount"].status == "skipped"
    untouched.check()


@pytest.mark.parametrize("fault", ["500", "slow"])
def test_a_page_that_fails_twice_is_retried_and_paging_resumes(snapshot_copy, portal, fault):
    portal.fail("/data/api/3/action/datastore_search", fault, fault, offset="1000")

    [outcome] = refresh(snapshot_copy, only=["master_dataset"], client=client(portal))

    assert outcome.status == "added", outcome.message
    # The failing page is asked for three times; the pages before it are not fetched again.
    assert portal.offsets(MASTER_RESOURCE) == [0, 1000, 1000, 1000, 2000]
    assert added_vintage(snapshot_copy, "master_dataset", "2026-11-01").rows == 2210


@pytest.mark.parametrize(
    ("fault", "reason"),
    [("500", "answered HTTP 500 on each of 3 attempts"), ("slow", "timed out on each of 3 attempts")],
)
def test_a_page_that_always_fails_fails_its_dataset_only(snapshot_copy, portal, fault, reason):
    portal.fail_always("/data/api/3/action/datastore_search", fault, offset="1000")
    serve_attendance(portal, snapshot_copy)
    untouched = Untouched(snapshot_copy, "master_dataset")

    outcomes = {
        o.dataset: o for o in refresh(snapshot_copy, only=["master_dataset", "attendance"], client=client(portal))
    }

    assert outcomes["master_dataset"].status == "failed"
    assert outcomes["master_dataset"].message.startswith(
        f"master_dataset: datastore_search for resource {MASTER_RESOURCE} at offset 1000 {reason}"
    )
    assert portal.offsets(MASTER_RESOURCE) == [0, 1000, 1000, 1000], "three attempts at the page, then no more"
    untouched.check()
    assert outcomes["attendance"].status == "added", outcomes["attendance"].message


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("success_false", "answered success: false (Internal Error: Fake portal failure)."),
        ("409", "answered HTTP 409 (Validation Error: offset: ['Invalid integer'])."),
    ],
)
@pytest.mark.parametrize(
    ("path", "params", "asked"),
    [
        (
            "/data/api/3/action/package_show",
            {"id": MASTER_PACKAGE},
            f"package_show for package {MASTER_PACKAGE} (resolving resource {MASTER_RESOURCE})",
        ),
        (
            "/data/api/3/action/datastore_search",
            {"offset": "1000"},
            f"datastore_search for resource {MASTER_RESOURCE} at offset 1000",
        ),
    ],
    ids=["package_show", "datastore_page_2"],
)
def test_a_ckan_error_is_reported_with_its_reason_and_not_retried(
    snapshot_copy, portal, fault, reason, path, params, asked
):
    portal.fail_always(path, fault, **params)
    serve_attendance(portal, snapshot_copy)
    untouched = Untouched(snapshot_copy, "master_dataset")

    outcomes = {
        o.dataset: o for o in refresh(snapshot_copy, only=["master_dataset", "attendance"], client=client(portal))
    }

    assert outcomes["master_dataset"].status == "failed"
    assert outcomes["master_dataset"].message == f"master_dataset: {asked} {reason}"
    faulted = [r for r in portal.requests_to(path) if all(r.params.get(k) == v for k, v in params.items())]
    assert len(faulted) == 1, "an answer from CKAN itself is final: no retry"
    untouched.check()
    assert outcomes["attendance"].status == "added", outcomes["attendance"].message


def test_an_unknown_package_is_reported_and_not_retried(snapshot_copy, portal):
    # The fake portal publishes nothing for attendance: CKAN answers package_show with 404 "Not found".
    [outcome] = refresh(snapshot_copy, only=["attendance"], client=client(portal))

    assert outcome.status == "failed"
    assert outcome.message == (
        f"attendance: package_show for package {ATTENDANCE_PACKAGE} (resolving resource {ATTENDANCE_RESOURCE}) "
        "answered HTTP 404 (Not Found Error: Not found)."
    )
    assert len(portal.requests_to("/package_show")) == 1


def test_a_resource_missing_from_its_package_fails_its_dataset_only(snapshot_copy):
    untouched = Untouched(snapshot_copy, "master_dataset")
    with FakePortal() as fake:
        fields, records = master_records(snapshot_copy, "2026-11-01")
        fake.add_datastore(MASTER_PACKAGE, "a-replacement-resource", fields, records, "2026-11-01T03:00:00")
        serve_attendance(fake, snapshot_copy)
        outcomes = {
            o.dataset: o for o in refresh(snapshot_copy, only=["master_dataset", "attendance"], client=client(fake))
        }

    assert outcomes["master_dataset"].status == "failed"
    assert outcomes["master_dataset"].message == (
        f"master_dataset: package {MASTER_PACKAGE} has no resource {MASTER_RESOURCE} (it lists: "
        "a-replacement-resource); it may have been replaced: find the new resource id and update the manifest."
    )
    assert fake.requests_to("/datastore_search") == [], "nothing is fetched from a resource it did not ask for"
    untouched.check()
    assert outcomes["attendance"].status == "added", outcomes["attendance"].message


def test_a_datastore_resource_no_longer_in_the_datastore_is_refused(snapshot_copy):
    untouched = Untouched(snapshot_copy, "master_dataset")
    with FakePortal() as fake:
        fake.add_download(MASTER_PACKAGE, MASTER_RESOURCE, "master.csv", b"a,b\r\n1,2\r\n", "2026-11-01")
        [outcome] = refresh(snapshot_copy, only=["master_dataset"], client=client(fake))

    assert outcome.status == "failed"
    assert outcome.message == (
        f"master_dataset: resource {MASTER_RESOURCE} is not in the portal's datastore (datastore_active is false); "
        "refresh it by download."
    )
    assert fake.requests_to("/datastore_search") == []
    untouched.check()


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("zero_bytes", "is empty; expected a header row"),
        ("header_only", "has no rows"),
        ("no_records", "has no rows"),
    ],
)
def test_an_empty_file_is_refused(snapshot_copy, kind, reason):
    dataset_id = "master_dataset" if kind == "no_records" else "attendance"
    resource = MASTER_RESOURCE if kind == "no_records" else ATTENDANCE_RESOURCE
    untouched = Untouched(snapshot_copy, dataset_id)
    with FakePortal() as fake:
        if kind == "no_records":
            fields, _ = master_records(snapshot_copy)
            fake.add_datastore(MASTER_PACKAGE, MASTER_RESOURCE, fields, [], "2026-11-01T03:00:00")
        else:
            header = attendance_2023_edition(snapshot_copy).split(b"\r\n")[0] + b"\r\n"
            serve_attendance(fake, snapshot_copy, data=b"" if kind == "zero_bytes" else header)
        [outcome] = refresh(snapshot_copy, only=[dataset_id], client=client(fake))

    assert outcome.status == "failed"
    assert outcome.message == f"{dataset_id} resource {resource}: {reason}"
    if kind == "no_records":
        assert fake.offsets(MASTER_RESOURCE) == [0], "result.total is 0: one request, no paging"
    untouched.check()


def test_truncated_download_is_refused(snapshot_copy, portal):
    serve_attendance(portal, snapshot_copy)
    portal.fail_always(DOWNLOAD_PREFIX, "truncate")
    untouched = Untouched(snapshot_copy, "attendance")

    [outcome] = refresh(snapshot_copy, only=["attendance"], client=client(portal))

    assert outcome.status == "failed"
    assert "2023-attendance.csv was truncated on each of 3 attempts" in outcome.message
    assert len(portal.requests_to(DOWNLOAD_PREFIX)) == 3
    untouched.check()


def test_sha256_mismatch_with_the_portal_is_refused(snapshot_copy, portal):
    serve_attendance(portal, snapshot_copy, declared_hash="0" * 64)
    untouched = Untouched(snapshot_copy, "attendance")

    [outcome] = refresh(snapshot_copy, only=["attendance"], client=client(portal))

    assert outcome.status == "failed"
    assert "the portal declares " + "0" * 64 in outcome.message
    assert len(portal.requests_to(DOWNLOAD_PREFIX)) == 1
    untouched.check()


def test_renamed_column_is_refused_with_its_name(snapshot_copy, portal):
    renamed = attendance_2023_edition(snapshot_copy).replace(b"school_code,", b"school_id,", 1)
    serve_attendance(portal, snapshot_copy, data=renamed)
    untouched = Untouched(snapshot_copy, "attendance")

    [outcome] = refresh(snapshot_copy, only=["attendance"], client=client(portal))

    assert outcome.status == "failed"
    assert "lacks column(s) ['school_code']" in outcome.message
    untouched.check()


def test_csv_with_a_bom_is_pinned_with_a_clean_header(snapshot_copy, portal):
    serve_attendance(portal, snapshot_copy)

    [outcome] = refresh(snapshot_copy, only=["attendance"], client=client(portal))

    assert outcome.status == "added", outcome.message
    new = added_vintage(snapshot_copy, "attendance", "2024-03-01")
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
