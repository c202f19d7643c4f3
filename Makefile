# Quick start: `make run` builds the graph, `make test` runs the tests.
# Both create .venv with the interpreter named by PYTHON (default python3).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint build install clean system-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	@# without Java, HermiT cannot run: the rules in ontology/rules give the same graph
	@if command -v java >/dev/null 2>&1; then $(BIN)/dmkg build --out build; \
	else echo "no 'java' command: building without HermiT (dmkg build --no-reason)"; \
	$(BIN)/dmkg build --out build --no-reason; fi
	@echo; echo "== Which autoantibodies are linked to cancer, and how strong is the evidence?"
	@$(BIN)/dmkg query antibody-cancer-evidence --graph build
	@echo; echo "== Which cancers came with dermatomyositis in the bundled cases?"
	@$(BIN)/dmkg query cancer-sites --graph build
	@echo; echo "== Did patients with clinical myositis fare worse? (Requena series)"
	@$(BIN)/dmkg query survival-by-finding --param finding=myositis --graph build
	@echo; echo "== Which printed numbers disagree with the papers' own rows? (first lines of 'dmkg qa')"
	@$(BIN)/dmkg qa --graph build | head -n 12

build: run

# Debian packages the tests drive (Java for HermiT, Chromium, Virtuoso); installed if missing
system-deps:
	@bash .ci/system-deps

# ruff (lint and format) and mypy --strict, with the pinned versions of the test extras
lint: $(STAMP)
	$(BIN)/ruff check kg tests
	$(BIN)/ruff format --check kg tests
	$(BIN)/mypy --strict kg

# the suite in TEST_WORKERS processes (whole files per process), then the tests marked serial
# alone: those that assert on times, and the Virtuoso ones
TEST_WORKERS ?= 2
test: $(STAMP) system-deps lint
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist loadfile -m "not serial"
	$(BIN)/python -m pytest -q -m serial

clean:
	rm -rf build dist .pytest_cache
