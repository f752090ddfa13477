# The two commands of the README: `make demo` and `make test`.
VENV := .venv
BIN := $(VENV)/bin
export PREFECT_SERVER_ANALYTICS_ENABLED := false

.PHONY: setup demo test test-sqlite test-postgres bench serve clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || python3 -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -c requirements.lock -e '.[dev]'
	touch $@

demo: setup            ## a whole demo cycle on the embedded defaults (SQLite + local Prefect server)
	$(BIN)/dvtracker demo

test: setup            ## the whole suite, on SQLite and then on PostgreSQL
	scripts/test-all

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
