# Two commands for a fresh machine with Python 3.11 and make:
#   make run    simulate the platform, build the warehouse, check it, publish the serving snapshot
#   make test   lint, build the tiny warehouse (on DuckDB and on Spark), run every test
# Also: make bi (Superset over the serving snapshot), make test-bi (its end-to-end test).
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
# The tiny build on Spark: its tables (Parquet), metastore and logs, all in one folder.
TEST_SPARK_DIR := warehouse/spark-tiny

.PHONY: run test install data build summary checks lint test-warehouse test-duckdb pytest
.PHONY: bench-localization clean
.PHONY: test-spark spark-build spark-compare
.PHONY: publish install-bi bi bi-stop test-bi bench-serving
.PHONY: experiment-recovery

$(INSTALLED): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -qq --disable-pip-version-check -r requirements.lock
	# The `pgc` command: this project, editable, without touching the pinned dependencies.
	$(BIN)/pip install -qq --disable-pip-version-check --no-deps -e .
	touch $@

install: $(INSTALLED)

REPORT ?= reports/metric_health.html

# ---------------------------------------------------------------- the main job
run: build summary checks publish

SIMULATOR_SOURCES := $(wildcard simulator/*.py seeds/*.csv)

# Regenerated when missing or when the simulator or its seeds changed.
$(RAW_DIR)/ground_truth.json: $(SIMULATOR_SOURCES) | $(INSTALLED)
	$(BIN)/python -m simulator --scale $(SCALE) --seed $(SEED) --out $(RAW_DIR)

data: $(RAW_DIR)/ground_truth.json

build: data
	@mkdir -p $(dir $(WAREHOUSE))
	@# One line, not dbt's traceback, when a reader holds the build warehouse.
	@$(BIN)/python -m scripts.require_unlocked $(WAREHOUSE)
	PGC_RAW_DIR=$(RAW_DIR) PGC_DUCKDB_PATH=$(WAREHOUSE) $(BIN)/dbt build

summary: | $(INSTALLED)
	$(BIN)/python -m scripts.summary --warehouse $(WAREHOUSE) --raw $(RAW_DIR)

# Every check, kept in the warehouse's `checks` schema, then every experiment's readout and
# the rewards program's causal study (their text beside the report), then the report; a
# blocking check failure fails the target, but only after the report is written.
checks: | $(INSTALLED)
	@mkdir -p $(dir $(REPORT))
	$(BIN)/pgc check --warehouse $(WAREHOUSE) --raw $(RAW_DIR); status=$$?; \
	$(BIN)/pgc experiment --all --warehouse $(WAREHOUSE) > $(dir $(REPORT))experiments.txt && \
	$(BIN)/pgc causal rewards --warehouse $(WAREHOUSE) > $(dir $(REPORT))causal_rewards.txt && \
	$(BIN)/pgc report --warehouse $(WAREHOUSE) --out $(REPORT) && exit $$status

# A new read-only serving snapshot, when the build and its blocking checks passed; BI tools
# and `pgc explain` / `pgc report` read $(SERVING_DIR).duckdb (docs/serving.md).
SERVING_DIR ?= $(dir $(WAREHOUSE))serving
publish: | $(INSTALLED)
	$(BIN)/pgc publish --warehouse $(WAREHOUSE) --serving-dir $(SERVING_DIR)

# ------------------------------------------------------------------ BI client
# Apache Superset in its own environment (it pins SQLAlchemy 1.4), installed only here, from
# requirements-bi.lock; it serves the dashboard kept in bi/superset/dashboard/ over the
# serving snapshot, read-only, on 127.0.0.1:$(BI_PORT) until `make bi-stop`.
BI_VENV := .venv-bi
BI_INSTALLED := $(BI_VENV)/.installed
BI_STATE ?= .superset
BI_PORT ?= 8088

$(BI_INSTALLED): requirements-bi.lock
	$(PYTHON) -m venv $(BI_VENV)
	$(BI_VENV)/bin/pip install -qq --disable-pip-version-check -r requirements-bi.lock
	touch $@

install-bi: $(BI_INSTALLED)

bi: $(BI_INSTALLED)
	@$(BI_VENV)/bin/python bi/superset/serve.py start --serving $(SERVING_DIR).duckdb \
		--state $(BI_STATE) --port $(BI_PORT)

bi-stop:
	@$(BI_VENV)/bin/python bi/superset/serve.py stop --state $(BI_STATE)

# The dashboard end to end in Superset and headless Chromium (Debian's chromium and
# chromium-driver), through a build and a publish; its own warehouse under a temporary folder.
test-bi: $(BI_INSTALLED) $(TEST_RAW_DIR)/ground_truth.json
	PGC_TEST_RAW_DIR=$(TEST_RAW_DIR) PGC_BI_PYTHON=$(BI_VENV)/bin/python $(BIN)/pytest tests/bi

# 8 readers loop the dashboard's queries on the serving snapshot while a build and a publish
# run (docs/serving.md).
bench-serving: $(TEST_RAW_DIR)/ground_truth.json
	$(BIN)/python -m benchmarks.serving_load --raw $(TEST_RAW_DIR)

# ---------------------------------------------------------------------- tests
# The Spark build needs only the tiny data and shares no files with the DuckDB side (lint,
# the DuckDB build, pytest), so `make test` runs it beside all three (timings in
# docs/spark.md), its log in its folder rather than between pytest's lines; the two builds
# are compared once both are done.
test: $(TEST_RAW_DIR)/ground_truth.json
	$(MAKE) --no-print-directory -j2 spark-build test-duckdb SPARK_BUILD_OUTPUT=--quiet
	$(MAKE) --no-print-directory spark-compare

# One after the other: sqlfluff's dbt templater and the DuckDB build share target/.
test-duckdb:
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory test-warehouse
	$(MAKE) --no-print-directory pytest

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

# The tests in PYTEST_WORKERS processes (pytest-xdist), each test file whole in one of them:
# a file's dbt runs share one parse and one warehouse (tests/python/dbt_runs.py). Two on a
# two-core machine: most of a test's time is one dbt or pgc process, so one process left a
# core idle (timings in docs/spark.md, "Cost").
PYTEST_WORKERS ?= 2
pytest: $(INSTALLED)
	PGC_TEST_RAW_DIR=$(TEST_RAW_DIR) PGC_TEST_WAREHOUSE=$(TEST_WAREHOUSE) \
		$(BIN)/pytest --numprocesses $(PYTEST_WORKERS) --dist loadfile

# The same tiny data built on Spark (dbt-spark in this process, local[2]; docs/spark.md), then
# compared table by table with the DuckDB build, and `pgc check` / `pgc explain` run on both
# (tests/spark). Needs the DuckDB build of `make test-warehouse`; Java 17 on the PATH.
test-spark: spark-build
	$(MAKE) --no-print-directory spark-compare

spark-build: $(TEST_RAW_DIR)/ground_truth.json
	@command -v java >/dev/null || { echo "make spark-build: no java on the PATH (pyspark needs Java 17)" >&2; exit 1; }
	rm -rf $(TEST_SPARK_DIR)
	SPARK_LOCAL_IP=127.0.0.1 PGC_TARGET=spark PGC_SPARK_DIR=$(TEST_SPARK_DIR) \
		PGC_RAW_DIR=$(TEST_RAW_DIR) $(BIN)/dbt $(SPARK_BUILD_OUTPUT) build \
		--target-path target/spark --log-path $(TEST_SPARK_DIR)/logs
	@echo "Spark build of tiny done (log: $(TEST_SPARK_DIR)/logs/dbt.log)"

spark-compare: | $(INSTALLED)
	PGC_TEST_RAW_DIR=$(TEST_RAW_DIR) PGC_TEST_WAREHOUSE=$(TEST_WAREHOUSE) \
		PGC_TEST_SPARK_DIR=$(TEST_SPARK_DIR) $(BIN)/pytest tests/spark

# Root-cause localization over a one-million-leaf cube (a benchmark, not a test).
bench-localization: $(INSTALLED)
	$(BIN)/python -m benchmarks.localization_speed

# Recovery of the simulator's planted experiment truths at three seeds (docs/experiments.md);
# simulates and builds its own warehouses under benchmarks/results/.
experiment-recovery: $(INSTALLED)
	$(BIN)/python -m evaluation.experiment_recovery --scale small --seeds 7 8 9 \
		--work benchmarks/results/experiment_recovery

clean:
	rm -rf data warehouse target logs reports .pytest_cache .superset
