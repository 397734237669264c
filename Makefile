# tootlog: `make run` starts the server, `make test` runs every test. Both work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# `make run` installs what runs; `make test` (and bench, lint) adds the test tools and clients.
RUN_STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test

.PHONY: run test bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[embedded]'
	touch $@

$(TEST_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[embedded,test]'
	touch $@ $(RUN_STAMP)

# exec: the server replaces the recipe's shell, so a SIGTERM to make (which make passes on to
# its recipe) or Ctrl-C stops the server, its worker and the embedded PostgreSQL.
run: $(RUN_STAMP)
	exec $(BIN)/tootlog serve --host $${HOST:-127.0.0.1} --port $${PORT:-8000}

test: $(TEST_STAMP)
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: $(TEST_STAMP)
	$(BIN)/python -m bench.run $(BENCH_ARGS)

lint: $(TEST_STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
