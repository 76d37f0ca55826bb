"""The committed ERD and bus matrix are what the current dbt project generates."""

from nsw_doe.docs import DOCS_DIR, bus_matrix_markdown, erd_markdown, generate_dbt_docs
from nsw_doe.warehouse import Warehouse


def test_committed_erd_and_bus_matrix_are_up_to_date(built, tmp_path):
    settings, _ = built
    target = generate_dbt_docs(Warehouse(settings.warehouse_dir).published, tmp_path / "target")
    assert (target / "index.html").exists() and (target / "catalog.json").exists()
    stale = "is stale: run `make docs` and commit the result"
    assert (DOCS_DIR / "ERD.md").read_text() == erd_markdown(target), f"docs/ERD.md {stale}"
    assert (DOCS_DIR / "bus_matrix.md").read_text() == bus_matrix_markdown(target / "manifest.json"), (
        f"docs/bus_matrix.md {stale}"
    )


def test_the_bus_matrix_keys_every_school_fact_to_school_and_year(built):
    text = (DOCS_DIR / "bus_matrix.md").read_text()
    row = next(line for line in text.splitlines() if line.startswith("| `fct__attendance`"))
    assert "school_sk" in row and "calendar_year" in row
