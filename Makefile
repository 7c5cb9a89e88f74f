# Two commands do all the set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DB ?= $(CURDIR)/.demo/acquittance.db

.PHONY: demo test lint typecheck unit browser bench docs clean

# src is byte-compiled as a wheel's modules are when pip installs them: the editable
# install leaves them as source, compiled again on every run where bytecode is not written.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	$(BIN)/python -m compileall -q src
	touch $(STAMP)

demo: $(STAMP)
	@rm -rf $(dir $(DEMO_DB)) && mkdir -p $(dir $(DEMO_DB))
	@ACQUITTANCE_DB=$(DEMO_DB) $(BIN)/acquittance demo examples/valence-berg-2002.toml --as-of 2002-03-31

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy src/acquittance benchmarks

unit: $(STAMP)
	$(BIN)/pytest -n auto -q -m "not slow"

# Debian's chromium and its driver, for the pages' end-to-end tests (quiet when installed).
browser:
	@bash scripts/ensure-chromium.sh

test: lint typecheck browser unit

# Compiled first, so that a module edited since the install is not compiled in the timings.
bench: $(STAMP)
	$(BIN)/python -m compileall -q src
	$(BIN)/python -m benchmarks.run

# The deal-file reference is generated from the schema the parser enforces (deals/schema.py).
docs: $(STAMP)
	$(BIN)/python -m acquittance.deals.reference docs/deal-file.md

clean:
	rm -rf $(VENV) .demo .pytest_cache .mypy_cache .ruff_cache
