# The two commands: `make run` builds everything, `make test` checks everything. Both install what is missing.
SHELL := /bin/bash
export PATH := $(HOME)/.local/bin:$(PATH)
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
RUN := $(UV) run --frozen

.PHONY: install run test lint dev bench clean

$(UV):
	python3 -m pip install --user --quiet uv || python3 -m pip install --quiet --break-system-packages --user uv

install: $(UV)  ## Install Python 3.11 dependencies from uv.lock into .venv
	$(UV) sync --frozen

run: install  ## Build the warehouse from the pinned snapshot and publish it
	$(RUN) nsw-doe build

test: install lint  ## Lint, then the whole test suite
	$(RUN) pytest

lint: install  ## Static checks
	$(RUN) ruff check .
	$(RUN) ruff format --check .

dev: install  ## The Dagster UI on http://127.0.0.1:3000
	$(RUN) nsw-doe ui

bench: install  ## Median wall time and peak memory of a build, against a bare DuckDB load
	$(RUN) python -m nsw_doe.bench

clean:  ## Remove build outputs (the published warehouse included)
	rm -rf warehouse transform/target transform/logs .pytest_cache .ruff_cache
