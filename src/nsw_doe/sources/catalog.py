"""The manifest: the one catalogue of every dataset and file the platform reads."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from nsw_doe.atomic_files import write_atomically

# The file formats a manifest entry may name (`sources.readers.parse` reads each).
FORMATS = ("csv", "ckan_datastore_dump", "xlsx", "topojson", "dbf")


class CatalogError(Exception):
    """The manifest is missing, malformed or names something that does not exist."""


@dataclass
class SourceFile:
    """One pinned file (or, for external datasets, one file the user supplies)."""

    path: str
    vintage: str
    format: str  # one of FORMATS
    encoding: str
    sha256: str
    rows: int
    columns: list[str]
    ckan_resource_id: str | None = None
    source_url: str | None = None
    provenance: str | None = None
    sheet: str | None = None  # the part of the file holding the rows: an xlsx sheet, or a TopoJSON object


@dataclass
class RefreshResource:
    """A live portal resource that `nsw-doe sources refresh` fetches to find a new vintage."""

    resource_id: str
    access: str  # download | datastore
    file_stem: str


@dataclass
class Dataset:
    id: str
    title: str
    publisher: str
    licence: str
    attribution: str
    raw_table: str
    portal_page: str | None = None
    ckan_package_id: str | None = None
    notes: str | None = None
    external_env: str | None = None  # set for datasets read from a user-supplied directory
    refresh: list[RefreshResource] = field(default_factory=list)
    files: list[SourceFile] = field(default_factory=list)

    @property
    def is_external(self) -> bool:
        return self.external_env is not None

    @property
    def rows(self) -> int:
        return sum(f.rows for f in self.files)

    @property
    def vintages(self) -> list[str]:
        return sorted(f.vintage for f in self.files)


@dataclass
class Manifest:
    datasets: list[Dataset]

    def get(self, dataset_id: str) -> Dataset:
        for dataset in self.datasets:
            if dataset.id == dataset_id:
                return dataset
        raise CatalogError(f"No dataset '{dataset_id}' in the manifest.")


def _dataset_from_dict(dataset_id: str, raw: dict) -> Dataset:
    try:
        files = [SourceFile(**f) for f in raw.pop("files", [])]
        refresh = [RefreshResource(**r) for r in raw.pop("refresh", [])]
        return Dataset(id=dataset_id, files=files, refresh=refresh, **raw)
    except TypeError as exc:
        raise CatalogError(f"Dataset '{dataset_id}' in the manifest is malformed: {exc}") from exc


def load_manifest(path: Path) -> Manifest:
    if not path.exists():
        raise CatalogError(f"The manifest {path} does not exist.")
    with path.open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle) or {}
    datasets = raw.get("datasets")
    if not isinstance(datasets, dict):
        raise CatalogError(f"{path}: expected a mapping 'datasets' at the top level.")
    return Manifest([_dataset_from_dict(key, dict(value)) for key, value in datasets.items()])


def _without_empty(values: dict) -> dict:
    return {k: v for k, v in values.items() if v not in (None, [], "")}


def save_manifest(manifest: Manifest, path: Path) -> None:
    """Write the manifest atomically: readers see the old or the new file, never half of one."""
    body = {}
    for dataset in manifest.datasets:
        entry = _without_empty({k: v for k, v in asdict(dataset).items() if k not in ("id", "files", "refresh")})
        if dataset.refresh:
            entry["refresh"] = [asdict(r) for r in dataset.refresh]
        entry["files"] = [_without_empty(asdict(f)) for f in sorted(dataset.files, key=lambda f: (f.vintage, f.path))]
        body[dataset.id] = entry
    header = (
        "# The source catalogue: every dataset and pinned file the platform reads.\n"
        "# Written by `nsw-doe sources refresh`; edit by hand only to add a dataset (see README).\n"
    )
    text = header + yaml.safe_dump(
        {"datasets": body}, sort_keys=False, allow_unicode=True, width=120, default_flow_style=None
    )
    write_atomically(path, text.encode("utf-8"))
