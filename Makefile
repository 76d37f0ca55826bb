# The two commands: `make run` builds everything, `make test` checks everything. Both install what is missing.
SHELL := /bin/bash
# uv from PATH if there is one, else the uv module that `uv-tool` installs from PyPI.
UV := $(shell command -v uv 2>/dev/null || echo python3 -m uv)
RUN := $(UV) run --frozen
# Compile the dependencies' bytecode at install: machines that set PYTHONDONTWRITEBYTECODE (CI images often do)
# would otherwise recompile Dagster, dbt and dlt from source in every process.
export UV_COMPILE_BYTECODE := 1

.PHONY: uv-tool install run test lint chromium axe dev docs export ci-slim bench app clean

uv-tool:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet --user uv 2>/dev/null \
		|| python3 -m pip install --quiet --user --break-system-packages uv

install: uv-tool  ## Install Python 3.11 and the locked dependencies into .venv
	$(UV) sync --frozen

run: install  ## Build the warehouse from the pinned snapshot and publish it
	$(RUN) nsw-doe build

test: install lint chromium axe  ## Lint, then the whole test suite (PYTEST_ARGS passes options, e.g. -m "not acara")
	$(RUN) pytest $(PYTEST_ARGS)

# The browser tests drive Debian's Chromium (or the one NSW_DOE_CHROMIUM names); Playwright never downloads one.
chromium:  ## Install Debian's Chromium with apt when there is none
	@command -v chromium >/dev/null 2>&1 || [ -n "$$NSW_DOE_CHROMIUM" ] || { \
		sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$sudo apt-get install -y -q chromium >/dev/null \
		|| { $$sudo apt-get update -q >/dev/null && $$sudo apt-get install -y -q chromium >/dev/null; }; }

# The browser tests check every page with axe-core, the npm package pinned in package.json and package-lock.json.
axe: node_modules/axe-core/axe.min.js  ## Install axe-core (npm ci) when it is missing

node_modules/axe-core/axe.min.js: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
		sudo=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$sudo apt-get install -y -q npm >/dev/null \
		|| { $$sudo apt-get update -q >/dev/null && $$sudo apt-get install -y -q npm >/dev/null; }; }
	npm ci --no-audit --no-fund
	@touch $@

lint: install  ## Static checks: ruff (Python), sqlfluff with the dbt templater (SQL)
	$(RUN) ruff check .
	$(RUN) ruff format --check .
	$(RUN) sqlfluff lint transform

dev: install  ## The Dagster UI on http://127.0.0.1:3000
	$(RUN) nsw-doe ui

docs: install  ## dbt docs site, docs/ERD.md and docs/bus_matrix.md (needs a built warehouse: make run)
	$(RUN) nsw-doe docs

EXPORT_DIR ?= warehouse/export
EXPORT_FORMAT ?= parquet
export: install  ## The marts as Parquet (EXPORT_FORMAT=csv) files + data dictionary in EXPORT_DIR (replaces its last export)
	$(RUN) nsw-doe export $(EXPORT_DIR) --format $(EXPORT_FORMAT) --force

ci-slim: install  ## Build only the dbt models changed since the published build (state:modified+), and test them
	$(RUN) nsw-doe ci-slim

APP_PORT ?= 8501
app: install  ## The report app on http://127.0.0.1:$(APP_PORT) (needs a built warehouse: make run)
	$(RUN) nsw-doe app --port $(APP_PORT)

bench: install chromium  ## Median wall time and peak memory of a build, against a bare DuckDB load; the report app in Chromium
	$(RUN) python benchmarks/bench.py

clean:  ## Remove build outputs (the published warehouse included)
	rm -rf warehouse transform/target transform/logs .pytest_cache .ruff_cache
