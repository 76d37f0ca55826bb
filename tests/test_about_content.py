"""The About page's pointers to docs/ and its forecast table, on small frames (no build)."""

from pathlib import Path

import pandas as pd

from nsw_doe.app import about_content as content

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_every_document_the_page_names_exists_and_this_build_s_figures_are_quoted():
    assert all((DOCS / name).is_file() for name in content.DOCS)
    lines = content.doc_lines(
        pd.Series({"weighted_max_gap": 0.1234, "unweighted_max_gap": 0.9}), pd.Series({"roc_auc": 0.81, "brier": 0.1})
    )
    assert len(lines) == len(content.DOCS) and all(line.startswith("- `docs/") for line in lines)
    assert "within **0.12 points**" in lines[0] and "up to **0.90 points**" in lines[0]
    assert any("ROC AUC is 0.810, Brier score 0.100" in line for line in lines)


def test_the_forecast_table_puts_each_kind_s_measured_coverage_beside_its_error():
    forecasts = pd.DataFrame(
        {
            "series_kind": ["statewide", "school"],
            "method": ["damped_trend", "naive"],
            "mape": [1.2, 10.0],
            "naive_mape": [1.8, 10.0],
            "predictions": [7, 21000],
        }
    )
    coverage = pd.DataFrame(
        {"series_kind": ["school", "statewide", "statewide"], "horizon": [1, 1, 2], "covered": [0.8, 0.5, 0.25]}
    )
    table = content.forecast_table(forecasts, coverage)
    assert table["Held, 1 year ahead"].tolist() == [50.0, 80.0]
    assert table["Held, 2 years ahead"].iloc[0] == 25.0 and pd.isna(table["Held, 2 years ahead"].iloc[1])
    assert table.columns[:2].tolist() == ["Series", "Method chosen"]
