# Two commands for a fresh machine with Python 3.11 and make:
#   make run    simulate the platform, build the warehouse, print a summary
#   make test   lint, build the tiny warehouse, run every test
# Both create .venv from requirements.lock when it is missing or stale.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

export DBT_PROFILES_DIR := $(CURDIR)
export PYTHONPATH := $(CURDIR)
# dbt writes no anonymous usage events from CI or tests.
export DO_NOT_TRACK := 1

SCALE ?= small
SEED ?= 7
RAW_DIR ?= data/$(SCALE)/raw
WAREHOUSE ?= warehouse/pgc.duckdb

TEST_RAW_DIR := data/tiny/raw
TEST_WAREHOUSE := warehouse/tiny.duckdb

.PHONY: run test install data build summary checks lint test-warehouse pytest bench-localization clean

$(INSTALLED): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -qq --disable-pip-version-check -r requirements.lock
	# The `pgc` command: this project, editable, without touching the pinned dependencies.
	$(BIN)/pip install -qq --disable-pip-version-check --no-deps -e .
	touch $@

install: $(INSTALLED)

REPORT ?= reports/metric_health.html

# ---------------------------------------------------------------- the main job
run: build summary checks

SIMULATOR_SOURCES := $(wildcard simulator/*.py seeds/*.csv)

# Regenerated when missing or when the simulator or its seeds changed.
$(RAW_DIR)/ground_truth.json: $(SIMULATOR_SOURCES) | $(INSTALLED)
	$(BIN)/python -m simulator --scale $(SCALE) --seed $(SEED) --out $(RAW_DIR)

data: $(RAW_DIR)/ground_truth.json

build: data
	@mkdir -p $(dir $(WAREHOUSE))
	PGC_RAW_DIR=$(RAW_DIR) PGC_DUCKDB_PATH=$(WAREHOUSE) $(BIN)/dbt build

summary: | $(INSTALLED)
	$(BIN)/python -m scripts.summary --warehouse $(WAREHOUSE) --raw $(RAW_DIR)

# Every check, kept in the warehouse's `checks` schema; a blocking failure fails
# the target, but only after the report is written.
checks: | $(INSTALLED)
	$(BIN)/pgc check --warehouse $(WAREHOUSE) --raw $(RAW_DIR); status=$$?; \
	$(BIN)/pgc report --warehouse $(WAREHOUSE) --out $(REPORT) && exit $$status

# ---------------------------------------------------------------------- tests
test: lint test-warehouse pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	# The direction of imports between python_checks' layers (pyproject.toml).
	$(BIN)/lint-imports --no-logo
	$(BIN)/sqlfluff lint models macros tests/dbt analyses

$(TEST_RAW_DIR)/ground_truth.json: $(SIMULATOR_SOURCES) | $(INSTALLED)
	$(BIN)/python -m simulator --scale tiny --seed $(SEED) --out $(TEST_RAW_DIR)

test-warehouse: $(TEST_RAW_DIR)/ground_truth.json
	@mkdir -p $(dir $(TEST_WAREHOUSE))
	rm -f $(TEST_WAREHOUSE)
	PGC_RAW_DIR=$(TEST_RAW_DIR) PGC_DUCKDB_PATH=$(TEST_WAREHOUSE) $(BIN)/dbt build
	PGC_RAW_DIR=$(TEST_RAW_DIR) PGC_DUCKDB_PATH=$(TEST_WAREHOUSE) $(BIN)/dbt docs generate --quiet
	# CI gates on the checks as a user would: a blocking failure fails the build.
	$(BIN)/pgc check --warehouse $(TEST_WAREHOUSE) --raw $(TEST_RAW_DIR)

pytest: $(INSTALLED)
	PGC_TEST_RAW_DIR=$(TEST_RAW_DIR) PGC_TEST_WAREHOUSE=$(TEST_WAREHOUSE) $(BIN)/pytest

# Root-cause localization over a one-million-leaf cube (a benchmark, not a test).
bench-localization: $(INSTALLED)
	$(BIN)/python -m benchmarks.localization_speed

clean:
	rm -rf data warehouse target logs reports .pytest_cache
