"""The data-quality thresholds of `quality.yml`: row-count bounds (blocking), the freshness limit and the anomaly
rules (warnings).

Validated as the file is read, so a typo fails the build before anything runs, with the file, the entry and what was
expected."""

from __future__ import annotations

from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from nsw_doe.settings import project_dir

CONFIG_NAME = "quality.yml"

Identifier = Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_]*$")]
TableName = Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$")]


class QualityConfigError(Exception):
    """quality.yml is missing or does not say what the checks need."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RowCountBound(_Strict):
    table: TableName
    min: int = Field(ge=0)
    max: int = Field(ge=0)
    per: Identifier | None = None  # one count per value of this column
    distinct: Identifier | None = None  # count distinct values of this column rather than rows
    where: str | None = None  # a SQL condition on the table's rows

    @model_validator(mode="after")
    def _ordered(self) -> RowCountBound:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) is above max ({self.max})")
        return self

    @property
    def counted(self) -> str:
        return f"distinct {self.distinct}" if self.distinct else "rows"


class MartRows(_Strict):
    max_fall: float = Field(ge=0, le=1)
    max_rise: float = Field(ge=0)


class MetricChanges(_Strict):
    tables: list[TableName]
    counts: list[Identifier]
    max_relative_change: float = Field(gt=0)
    rates: list[Identifier]
    max_point_change: float = Field(gt=0)
    min_schools: int = Field(ge=0)


class SincePublished(_Strict):
    mart_rows: MartRows
    metrics: MetricChanges


class KnownAnomaly(_Strict):
    metric: Identifier
    year: int
    reason: str = Field(min_length=1)


class History(_Strict):
    table: TableName
    counts: list[Identifier]
    rates: list[Identifier]
    max_robust_score: float = Field(gt=0)
    known: list[KnownAnomaly] = []


class Anomalies(_Strict):
    since_published: SincePublished
    history: History


class Freshness(_Strict):
    continuous_max_age_days: int = Field(gt=0)

    @property
    def continuous_max_age(self) -> timedelta:
        return timedelta(days=self.continuous_max_age_days)


class QualityConfig(_Strict):
    row_count_bounds: list[RowCountBound]
    freshness: Freshness
    anomalies: Anomalies

    @model_validator(mode="after")
    def _one_bound_per_table(self) -> QualityConfig:
        tables = [b.table for b in self.row_count_bounds]
        if twice := sorted({t for t in tables if tables.count(t) > 1}):
            raise ValueError(f"row_count_bounds: one bound per table, but {', '.join(twice)} has more")
        return self

    def bounds_of(self, schema: str) -> list[RowCountBound]:
        return [b for b in self.row_count_bounds if b.table.startswith(f"{schema}.")]


def config_path() -> Path:
    return project_dir() / CONFIG_NAME


@cache
def load_quality_config(path: Path | None = None) -> QualityConfig:
    path = path or config_path()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise QualityConfigError(f"Cannot read the data-quality thresholds {path}: {exc}") from exc
    except yaml.YAMLError as exc:
        raise QualityConfigError(f"{path} is not valid YAML: {exc}") from exc
    try:
        return QualityConfig.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc']) or 'the file'}: {error['msg']}" for error in exc.errors()
        )
        raise QualityConfigError(f"{path}: {problems}") from None
