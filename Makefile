# Quick start: `make run` builds the graph, `make test` runs the tests.
# Both create .venv with the interpreter named by PYTHON (default python3).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test build install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/dmkg build --out build

build: run

test: $(STAMP)
	$(BIN)/python -m pytest -q

clean:
	rm -rf build dist .pytest_cache
