# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install demo test bench stop clean

$(BIN)/tickets-db: pyproject.toml
	./scripts/ensure-postgres
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

# The Supabase CLI and pyright (npm), which the tests run beside tickets-db and over its models.
node_modules/.bin/supabase: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(BIN)/tickets-db node_modules/.bin/supabase

## Start the local database, rebuild it from the migrations and seeds, and show what it holds.
demo: install
	$(BIN)/tickets-db start
	$(BIN)/tickets-db reset
	$(BIN)/tickets-db status

## The whole test suite, against a real PostgreSQL started and stopped by the tests, after
## mypy --strict over the package.
test: install
	$(BIN)/mypy --strict src/
	$(BIN)/pytest

## Benchmarks print ratios against baselines run beside them; sqlacodegen is the typegen baseline.
bench: install
	$(BIN)/pip install -q sqlacodegen
	test -x .venv-migra/bin/migra || ($(PYTHON) -m venv .venv-migra && .venv-migra/bin/pip install -q migra psycopg2-binary 'psycopg[binary]')
	$(BIN)/python bench/reset.py
	$(BIN)/python bench/typegen.py
	$(BIN)/python bench/diff.py
	$(BIN)/python bench/pull.py

stop:
	-$(BIN)/tickets-db stop

clean: stop
	rm -rf $(VENV) .tickets-db
