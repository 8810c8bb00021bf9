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

# Two pytest-xdist workers per core: with one per core, the cores idle while tests wait on
# sockets and timers. `--dist loadgroup`: the few modules that compute a corpus's results once
# (marker xdist_group) stay on one worker; the other tests go wherever a worker is free. Then
# the tests that assert how long something takes (marker `timing`) run alone, so that the load
# of the others cannot fail them.
WORKERS ?= $(shell echo $$(( 2 * $$(nproc) )))

# Python keeps each module compiled in __pycache__ (gitignored), unless PYTHONDONTWRITEBYTECODE
# is set, as some shells and CI images do: then every process the suite starts (hundreds of
# guards, commands and workers) compiles the project again. The tests let Python keep them.
# (Not PYTHONPYCACHEPREFIX: under it the standard library's compiled files are not found, and
# a fresh clone's first run compiled all 2,400 modules again, a minute of the suite's time.)
TEST_ENV := PYTHONDONTWRITEBYTECODE=

test: install
	$(TEST_ENV) $(BIN)/python -m pytest -q -n $(WORKERS) --dist loadgroup -m "not timing"
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
