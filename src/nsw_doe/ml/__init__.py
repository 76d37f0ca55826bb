"""Machine learning on the warehouse: forecasts and classification, as pure functions on frames.

The Dagster assets in `nsw_doe.defs.ml` read the marts, call these functions and write schema `ml`.
"""
