"""The semantic layer: MetricFlow over the dbt project's semantic models, run in-process (no `mf` process)."""
