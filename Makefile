# The two commands a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: run test check lint typecheck format install clean bench bench-cli profile screenshots

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[server,dev]'
	touch $(STAMP)

install: $(STAMP)

## Seed the demo service into ./playrunner.db and serve on 127.0.0.1:8000.
run: $(STAMP)
	$(BIN)/playrunner serve --demo

# Tests wait on real servers, databases and a browser more than on the CPU: more workers than
# cores keeps both cores busy. `make test TEST_WORKERS=0` runs them in one process.
TEST_WORKERS ?= 4

## Everything CI checks: lint, types, then every test.
test: $(STAMP) check
	$(BIN)/python -m pytest -n $(TEST_WORKERS)

check: lint typecheck

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Load-test the trigger call against a bare ASGI baseline (needs wrk; installs it via apt).
bench: $(STAMP)
	@command -v wrk >/dev/null || (apt-get install -y wrk || (apt-get update && apt-get install -y wrk))
	scripts/services-up
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)
	$(BIN)/python -m benchmarks.anchor

## How long CLI commands take to start, against `python -c pass` in the same run.
bench-cli: $(STAMP)
	$(BIN)/python -m benchmarks.cli_startup $(BENCH_ARGS)

## Flame graph of the trigger call under load (py-spy), in benchmarks/results/profile.svg.
profile: $(STAMP)
	@command -v wrk >/dev/null || (apt-get install -y wrk || (apt-get update && apt-get install -y wrk))
	$(BIN)/python -m benchmarks.run --profile

## Screenshots of the web app's main pages into docs/screenshots (needs Chromium: scripts/browser-up).
screenshots: $(STAMP)
	scripts/browser-up
	$(BIN)/python -m scripts.screenshots

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
