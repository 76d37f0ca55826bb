"""The pinned snapshot: locating, reading, verifying and adding source files."""

from __future__ import annotations

import gzip
import hashlib
import zlib
from dataclasses import dataclass
from pathlib import Path

from nsw_doe.atomic_files import write_atomically
from nsw_doe.settings import Settings
from nsw_doe.sources.catalog import Dataset, SourceFile
from nsw_doe.sources.readers import SourceFormatError, Table, dbf_encoding, detect_encoding, parse


class SnapshotError(Exception):
    """A pinned file is missing or differs from its manifest entry."""


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_location(settings: Settings, dataset: Dataset, source: SourceFile) -> Path | None:
    """Where a file lives: in the snapshot, or in the user's directory for external datasets (None if unset)."""
    if dataset.is_external:
        return settings.acara_dir / source.path if settings.acara_dir else None
    return settings.snapshot_dir / source.path


def read_bytes(path: Path) -> bytes:
    """The uncompressed bytes of a file (snapshot files are gzip-compressed)."""
    if not path.exists():
        raise SnapshotError(f"{path} does not exist.")
    data = path.read_bytes()
    if path.suffix != ".gz":
        return data
    try:
        return gzip.decompress(data)
    except EOFError as exc:
        raise SnapshotError(f"{path} is truncated: its gzip stream ends early. {_restore_hint(path)}") from exc
    except (OSError, zlib.error) as exc:
        raise SnapshotError(f"{path} is damaged: not a readable gzip file ({exc}). {_restore_hint(path)}") from exc


def _restore_hint(path: Path) -> str:
    return (
        f"Restore it with `git checkout -- {path}` if it is pinned in the repository, or download it again "
        "(its manifest entry gives the source_url)."
    )


def parse_file(data: bytes, source: SourceFile, name: str) -> Table:
    return parse(data, source.format, source.encoding, name, source.sheet)


def load_table(settings: Settings, dataset: Dataset, source: SourceFile) -> Table:
    """Read one file and check it against its manifest entry (hash, row count, header)."""
    path = file_location(settings, dataset, source)
    if path is None:
        raise SnapshotError(f"{dataset.id}: set {dataset.external_env} to the directory holding {source.path}.")
    return check_path(path, source)


def check_path(path: Path, source: SourceFile) -> Table:
    """Read one file and check it against its manifest entry. An empty file is said to be one, rather than to
    have the wrong sha256."""
    data = read_bytes(path)
    if not data:
        empty = "is empty (0 bytes)" if path.stat().st_size == 0 else "is a gzip file of 0 bytes once decompressed"
        raise SnapshotError(
            f"{path} {empty}; its manifest entry expects {source.rows:,} data rows under a header of "
            f"{len(source.columns)} columns. {_restore_hint(path)}"
        )
    return check_file(data, source, str(path))


def check_file(data: bytes, source: SourceFile, name: str) -> Table:
    digest = sha256_hex(data)
    if digest != source.sha256:
        raise SnapshotError(f"{name}: sha256 is {digest}; the manifest expects {source.sha256}.")
    table = parse_file(data, source, name)
    if len(table.rows) != source.rows:
        raise SnapshotError(f"{name}: has {len(table.rows)} rows; the manifest expects {source.rows}.")
    if table.columns != source.columns:
        missing = [c for c in source.columns if c not in table.columns]
        extra = [c for c in table.columns if c not in source.columns]
        raise SnapshotError(f"{name}: header differs from the manifest (missing {missing}, unexpected {extra}).")
    return table


@dataclass
class VerifyResult:
    dataset: str
    path: str
    ok: bool
    message: str


def verify(settings: Settings, datasets: list[Dataset]) -> list[VerifyResult]:
    """Check every file of every dataset; external datasets are checked only when their directory is set."""
    return [_verify_file(settings, dataset, source) for dataset in datasets for source in dataset.files]


def _verify_file(settings: Settings, dataset: Dataset, source: SourceFile) -> VerifyResult:
    path = file_location(settings, dataset, source)
    if path is None:
        return VerifyResult(dataset.id, source.path, True, f"skipped: {dataset.external_env} not set")
    try:
        check_path(path, source)
    except (SnapshotError, SourceFormatError) as exc:
        return VerifyResult(dataset.id, source.path, False, str(exc))
    except Exception as exc:  # noqa: BLE001 - an unforeseen failure of one file must not hide the other files' results
        return VerifyResult(dataset.id, source.path, False, f"{path}: cannot be read ({type(exc).__name__}: {exc})")
    return VerifyResult(dataset.id, source.path, True, f"{source.rows} rows, sha256 ok")


def unlisted_files(settings: Settings, datasets: list[Dataset]) -> list[VerifyResult]:
    """A failed result for each file in the snapshot directory that no manifest entry lists (the manifest itself
    and hidden files aside): the build would silently ignore it."""
    listed = {source.path for dataset in datasets if not dataset.is_external for source in dataset.files}
    results = []
    for path in sorted(p for p in settings.snapshot_dir.rglob("*") if p.is_file()):
        relative = path.relative_to(settings.snapshot_dir)
        if path == settings.manifest_path or relative.as_posix() in listed:
            continue
        if any(part.startswith(".") for part in relative.parts):
            continue
        message = (
            f"{path}: the manifest does not list this file. To pin it, run `nsw-doe sources describe {path} "
            "--vintage <vintage>` and add the entry it prints to its dataset's files in manifest.yml; otherwise "
            "remove it."
        )
        results.append(VerifyResult("(not in the manifest)", relative.as_posix(), False, message))
    return results


def store_file(settings: Settings, relative_path: str, data: bytes) -> Path:
    """Store the uncompressed bytes of a new file in the snapshot, gzip-compressed (deterministic: no mtime)."""
    path = settings.snapshot_dir / relative_path
    write_atomically(path, gzip.compress(data, mtime=0))
    return path


def file_entry(path: str, vintage: str, fmt: str, encoding: str, data: bytes, table: Table, **extra) -> SourceFile:
    """The manifest entry of a parsed file: where it is pinned, its vintage, and what its bytes hold."""
    return SourceFile(
        path=path,
        vintage=vintage,
        format=fmt,
        encoding=encoding,
        sha256=sha256_hex(data),
        rows=len(table.rows),
        columns=table.columns,
        **extra,
    )


def describe_file(path: Path, vintage: str, fmt: str = "csv", sheet: str | None = None) -> SourceFile:
    """A manifest entry for a new file: its hash, rows, header and encoding, read from the file itself."""
    data = read_bytes(path)
    encoding = "binary" if fmt == "xlsx" else dbf_encoding(data) if fmt == "dbf" else detect_encoding(data)
    table = parse(data, fmt, encoding, str(path), sheet)
    pinned_name = path.name if path.suffix == ".gz" else f"{path.name}.gz"
    return file_entry(pinned_name, vintage, fmt, encoding, data, table, sheet=sheet)
