# The two commands of the README: `make demo` and `make test`; `make check` is the fast inner loop.
VENV := .venv
BIN := $(VENV)/bin
export PREFECT_SERVER_ANALYTICS_ENABLED := false

.PHONY: setup demo test check lint test-sqlite test-postgres bench serve clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -c requirements.lock -e '.[dev]'
	touch $@

demo: setup            ## a whole demo cycle on the embedded defaults (SQLite + local Prefect server); COLLECTOR=quang-ninh: a province's
	$(BIN)/dvtracker demo $(if $(COLLECTOR),--collector $(COLLECTOR))

test: setup            ## the whole suite: on SQLite, then on PostgreSQL (the Prefect and browser tests once)
	scripts/test-all

check: lint            ## lint, layers, types, and every test that needs no Prefect server or browser (SQLite)
	$(BIN)/python -m pytest tests -q -p no:cacheprovider -m "not prefect and not browser" -n 2

lint: setup            ## ruff, the import contracts, mypy on the domain and the steps
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

test-sqlite: setup
	$(BIN)/python -m pytest tests

test-postgres: setup
	scripts/with-postgres $(BIN)/python -m pytest tests

bench: setup
	$(BIN)/python bench/run.py

serve: setup
	$(BIN)/dvtracker serve

clean:
	rm -rf var
