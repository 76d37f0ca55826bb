"""`nsw-doe sources refresh`: look for new vintages on the portal and add them to the snapshot.

Each dataset is refreshed on its own: a failure is reported with its reason and leaves that dataset's files and
manifest entry as they were, and the other datasets go on. A new vintage is written to the snapshot and the
manifest only after it has been downloaded whole, parsed, and checked to carry every column the dataset had.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath

from nsw_doe.settings import Settings
from nsw_doe.sources.catalog import CatalogError, Dataset, RefreshResource, load_manifest, save_manifest
from nsw_doe.sources.ckan import CkanClient, PortalError
from nsw_doe.sources.readers import SourceFormatError, Table, detect_encoding, parse
from nsw_doe.sources.snapshot import SnapshotError, file_entry, load_table, sha256_hex, store_file


@dataclass
class RefreshOutcome:
    dataset: str
    status: str  # added | unchanged | skipped | failed
    message: str


def fingerprint(table: Table) -> str:
    """A hash of a table's content, blind to file format and to null-versus-blank (CSV has no nulls)."""
    body = json.dumps([table.columns, [["" if v is None else v for v in row] for row in table.rows]])
    return hashlib.sha256(body.encode()).hexdigest()


def _fetch(client: CkanClient, dataset: Dataset, spec: RefreshResource) -> tuple[bytes, str, str, str]:
    """Bytes, format, encoding and vintage of the resource as the portal has it now."""
    resource = client.resource(dataset.ckan_package_id, spec.resource_id)
    vintage = (resource.last_modified or datetime.now(UTC).isoformat())[:10]
    if spec.access == "datastore":
        if not resource.datastore_active:
            raise PortalError(
                f"resource {spec.resource_id} is not in the portal's datastore (datastore_active is false); "
                "refresh it by download."
            )
        table = client.datastore(spec.resource_id)
        body = {
            "fields": [{"id": f, "type": "text"} for f in table.fields],
            "records": [[r.get(f) for f in table.fields] for r in table.records],
        }
        return json.dumps(body, ensure_ascii=False).encode(), "ckan_datastore_dump", "utf-8", vintage
    data = client.download(resource.url)
    if resource.hash and resource.hash.lower() != sha256_hex(data):
        raise PortalError(
            f"{resource.url}: sha256 of the download is {sha256_hex(data)}; the portal declares {resource.hash}."
        )
    return data, "csv", detect_encoding(data), vintage


def _check_columns(dataset: Dataset, table: Table, name: str) -> None:
    latest = max(dataset.files, key=lambda f: f.vintage)
    missing = [c for c in latest.columns if c not in table.columns]
    if missing:
        raise SourceFormatError(
            name,
            f"lacks column(s) {missing} that vintage {latest.vintage} has (renamed upstream?); "
            f"got {table.columns}. Map the new schema before pinning it.",
        )


def refresh_resource(settings: Settings, client: CkanClient, dataset: Dataset, spec: RefreshResource) -> RefreshOutcome:
    try:
        data, fmt, encoding, vintage = _fetch(client, dataset, spec)
    except PortalError as exc:
        raise PortalError(f"{dataset.id}: {exc}") from exc
    name = f"{dataset.id} resource {spec.resource_id}"
    table = parse(data, fmt, encoding, name)
    if not table.rows:
        raise SourceFormatError(name, "has no rows")
    known = {fingerprint(load_table(settings, dataset, f)): f for f in dataset.files}
    if fingerprint(table) in known:
        return RefreshOutcome(
            dataset.id, "unchanged", f"the portal's copy matches vintage {known[fingerprint(table)].vintage}"
        )
    _check_columns(dataset, table, name)
    if any(f.vintage == vintage for f in dataset.files):
        raise SnapshotError(f"{name}: vintage {vintage} is pinned already with other content; resolve it by hand.")
    suffix = ".json.gz" if fmt == "ckan_datastore_dump" else ".csv.gz"
    folder = PurePosixPath(dataset.files[0].path).parent
    path = str(folder / f"{spec.file_stem}_{vintage}{suffix}")
    store_file(settings, path, data)
    dataset.files.append(
        file_entry(
            path,
            vintage,
            fmt,
            encoding,
            data,
            table,
            ckan_resource_id=spec.resource_id,
            provenance=f"nsw-doe sources refresh from {client.portal_url} on {datetime.now(UTC):%Y-%m-%d}",
        )
    )
    return RefreshOutcome(dataset.id, "added", f"vintage {vintage}: {len(table.rows)} rows -> {path}")


def refresh(
    settings: Settings, only: list[str] | None = None, client: CkanClient | None = None
) -> list[RefreshOutcome]:
    manifest = load_manifest(settings.manifest_path)
    datasets = [manifest.get(d) for d in only] if only else manifest.datasets
    client = client or CkanClient(settings.portal_url)
    outcomes = []
    for dataset in datasets:
        if not dataset.refresh:
            reason = "not published on the portal" if dataset.is_external else "no CKAN resource id is known for it"
            outcomes.append(RefreshOutcome(dataset.id, "skipped", reason))
            continue
        for spec in dataset.refresh:
            before = list(dataset.files)
            try:
                outcome = refresh_resource(settings, client, dataset, spec)
            except (PortalError, SourceFormatError, SnapshotError, CatalogError) as exc:
                dataset.files[:] = before
                outcomes.append(RefreshOutcome(dataset.id, "failed", str(exc)))
                continue
            if outcome.status == "added":
                save_manifest(manifest, settings.manifest_path)
            outcomes.append(outcome)
    return outcomes
