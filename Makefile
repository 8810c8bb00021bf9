# Misdelivery Guard — the README's commands. Everything runs from a local .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install run lint test test-fast bench clean

install: $(STAMP)

# System packages first (libmagic, swaks, chromium, PostgreSQL for the tests); the script
# installs what is missing when it may (root), and otherwise says what to install.
$(STAMP): pyproject.toml
	@sh .ci/system-packages
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,lint]'
	@touch $(STAMP)

run: install
	$(BIN)/misdelivery-guard serve $(if $(CONFIG),--config $(CONFIG))

# The quality gate (pyproject.toml [tool.ruff], [tool.mypy]); CI runs it before the tests.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Two pytest-xdist workers per core: the suite's guards, databases and upstreams spend about
# half their time waiting on sockets and timers. Then the tests that assert how long something
# takes (marker `timing`) run alone, so that the load of the others cannot fail them.
WORKERS ?= $(shell echo $$(( 2 * $$(nproc) )))

# Python keeps each module compiled in __pycache__, unless PYTHONDONTWRITEBYTECODE is set (some
# shells and CI images set it): then every process the suite starts compiles the project again,
# about 1 s of CPU for each guard, command and worker, and the suite starts hundreds. The tests
# keep their compiled files under .venv instead, so the source tree stays clean either way.
TEST_ENV := PYTHONDONTWRITEBYTECODE= PYTHONPYCACHEPREFIX=$(CURDIR)/$(VENV)/pycache

test: install
	$(TEST_ENV) $(BIN)/python -m pytest -q -n $(WORKERS) -m "not timing"
	$(TEST_ENV) $(BIN)/python -m pytest -q -m timing

# The edit loop: no browser, no PostgreSQL, no subprocess, nothing slow by design (markers in
# pyproject.toml), spread over the cores.
test-fast: install
	$(TEST_ENV) $(BIN)/python -m pytest -q -n auto -m "not (browser or postgres or process or slow or timing)"

bench: install
	$(BIN)/python bench/extract.py
	$(BIN)/python bench/pii.py
	$(BIN)/python bench/recipients.py
	$(BIN)/python bench/relay.py
	$(BIN)/python bench/check.py
	$(BIN)/python bench/check_startup.py
	$(BIN)/python bench/memory.py
	$(BIN)/python bench/cluster_throughput.py

clean:
	rm -rf $(VENV) var .pytest_cache
