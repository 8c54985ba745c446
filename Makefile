# Two commands do all the set-up on a machine with only Python >= 3.10: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-test

.PHONY: run test lint bench bench-smoke clean

$(PY):
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10) and "readlist needs Python >= 3.10")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[test]'
	touch $@

## Import the bundled sample feed into your library and open readlist.
run: $(STAMP)
	$(VENV)/bin/readlist sample_feed.txt

## Run the whole test suite (unit, UI, snapshot, end-to-end in tmux, X clipboard under Xvfb).
test: $(STAMP)
	$(PY) -m pytest -q -p no:cacheprovider

## ruff and mypy over the package.
lint: $(STAMP)
	$(VENV)/bin/ruff check readlist tests benchmarks
	$(VENV)/bin/ruff format --check readlist tests benchmarks
	$(VENV)/bin/mypy

## The performance benchmark at 10,000 and 100,000 papers (several minutes).
bench: $(STAMP)
	$(PY) -m benchmarks --sizes 10000,100000 --json bench-latest.json

## The benchmark at 1,000 papers: proves it runs (CI).
bench-smoke: $(STAMP)
	$(PY) -m benchmarks --sizes 1000 --json bench-smoke.json

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache bench-*.json
