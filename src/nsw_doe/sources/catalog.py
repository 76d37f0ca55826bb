"""The manifest: the one catalogue of every dataset and file the platform reads."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from nsw_doe.atomic_files import write_atomically

# The file formats a manifest entry may name (`sources.readers.parse` reads each).
FORMATS = ("csv", "ckan_datastore_dump", "xlsx", "topojson", "dbf")


# How often a publisher puts out a new edition: once a year; refreshed through the year; no longer; never again.
CADENCES = ("annual", "continuous", "ceased", "one_off")


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
class Publication:
    """When the publisher puts out a new edition, and how to read from the data which period it covers."""

    cadence: str  # one of CADENCES
    appears_month: int | None = None  # annual only: the month (1-12) a new edition usually appears
    lag_years: int | None = None  # annual only: years from the year an edition covers to the year it appears
    period_column: str | None = None  # the raw column holding the year or date covered; absent: the files' vintage
    basis: str = ""  # required: where the values come from, and which of them are judgements

    def problems(self) -> list[str]:
        """What is wrong with these fields, as `field: reason` (empty when they are valid)."""
        problems = []
        if self.cadence not in CADENCES:
            problems.append(f"cadence: {self.cadence!r} is not one of {', '.join(CADENCES)}")
        if not isinstance(self.basis, str) or not self.basis.strip():
            problems.append("basis: say where the values come from (and which are judgements)")
        if self.cadence == "annual":
            if not _is_int(self.appears_month) or not 1 <= self.appears_month <= 12:
                problems.append(f"appears_month: {self.appears_month!r} is not a month number 1-12")
            if not _is_int(self.lag_years) or self.lag_years < 0:
                problems.append(f"lag_years: {self.lag_years!r} is not a whole number of years >= 0")
        else:
            problems += [
                f"{name}: only an annual dataset has one ({self.cadence} given)"
                for name in ("appears_month", "lag_years")
                if getattr(self, name) is not None
            ]
        if self.period_column is not None and (not isinstance(self.period_column, str) or not self.period_column):
            problems.append(f"period_column: {self.period_column!r} is not a raw column name")
        return problems


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


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
    publication: Publication | None = None  # load_manifest requires it of every dataset
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


def _publication_from_dict(dataset_id: str, raw) -> Publication:
    if not isinstance(raw, dict):
        raise CatalogError(
            f"Dataset '{dataset_id}' in the manifest has no publication: add `publication:` with its cadence "
            f"({', '.join(CADENCES)}), basis and, for an annual dataset, appears_month and lag_years."
        )
    try:
        publication = Publication(**raw)
    except TypeError as exc:
        raise CatalogError(f"Dataset '{dataset_id}' in the manifest has a malformed publication: {exc}") from exc
    if problems := publication.problems():
        listed = "; ".join(f"publication.{problem}" for problem in problems)
        raise CatalogError(f"Dataset '{dataset_id}' in the manifest has invalid publication fields: {listed}")
    return publication


def _dataset_from_dict(dataset_id: str, raw: dict) -> Dataset:
    publication = _publication_from_dict(dataset_id, raw.pop("publication", None))
    try:
        files = [SourceFile(**f) for f in raw.pop("files", [])]
        refresh = [RefreshResource(**r) for r in raw.pop("refresh", [])]
        return Dataset(id=dataset_id, files=files, refresh=refresh, publication=publication, **raw)
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


class _Block(dict):
    """A mapping the manifest writes in block style: a long `basis` reads better on lines of its own."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(
    _Block, lambda dumper, data: dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=False)
)


def _without_empty(values: dict) -> dict:
    return {k: v for k, v in values.items() if v not in (None, [], "")}


def save_manifest(manifest: Manifest, path: Path) -> None:
    """Write the manifest atomically: readers see the old or the new file, never half of one."""
    body = {}
    for dataset in manifest.datasets:
        entry = _without_empty(
            {k: v for k, v in asdict(dataset).items() if k not in ("id", "files", "refresh", "publication")}
        )
        if dataset.publication:
            entry["publication"] = _Block(_without_empty(asdict(dataset.publication)))
        if dataset.refresh:
            entry["refresh"] = [asdict(r) for r in dataset.refresh]
        entry["files"] = [_without_empty(asdict(f)) for f in sorted(dataset.files, key=lambda f: (f.vintage, f.path))]
        body[dataset.id] = entry
    header = (
        "# The source catalogue: every dataset and pinned file the platform reads.\n"
        "# Written by `nsw-doe sources refresh`; edit by hand only to add a dataset (see README).\n"
    )
    text = header + yaml.dump(
        {"datasets": body}, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120, default_flow_style=None
    )
    write_atomically(path, text.encode("utf-8"))
