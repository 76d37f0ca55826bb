"""The source catalogue, the pinned snapshot and the CKAN portal client."""
