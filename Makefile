# pica_publish — every target sets up its own virtual environment from pyproject.toml first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PICA   := $(BIN)/pica-publish

.PHONY: all pdf html archive serve check test lint bench figures golden rules lock clean distclean info

all: pdf html

$(STAMP): pyproject.toml
	@bash tools/system-deps.sh
	@$(BIN)/python -m pip --version >/dev/null 2>&1 || $(PYTHON) -m venv --clear $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

pdf: $(STAMP)  ## the whole issue as one PDF: build/pdf/
	$(PICA) build --pdf

html: $(STAMP)  ## the web edition: build/html/
	$(PICA) build --html

archive: $(STAMP)  ## PDF/A-3u issue and offprints with the sources attached: build/pdf/
	$(PICA) build --pdf --archive

serve: $(STAMP)  ## live preview of the web edition on http://127.0.0.1:8000/
	$(PICA) serve

check: $(STAMP)  ## lint manifest, chapters and bibliography (no pandoc, no layout)
	$(PICA) check

info: $(STAMP)
	$(PICA) info

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)  ## the code gates CI runs besides the tests: ruff, ruff format, mypy --strict
	$(BIN)/ruff check pica_publish tests
	$(BIN)/ruff format --check pica_publish tests
	$(BIN)/python -m mypy pica_publish

lock:  ## regenerate requirements.lock (exact versions and hashes) from pyproject.toml, with uv
	uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
	  --generate-hashes -o requirements.lock

bench: $(STAMP)  ## timings of the full sample issue, cold and warm
	$(BIN)/python -m pica_publish.bench

rules: $(STAMP)  ## regenerate docs/rules.md, the table of diagnostic rules, from pica_publish/rules.py
	$(BIN)/python -m pica_publish.rules > docs/rules.md

clean:
	rm -rf build

distclean: clean
	rm -rf $(VENV)

figures: $(STAMP)  ## redraw chapters/figures/ from data/ (reproducible; the outputs are committed)
	$(BIN)/python -m pip install --quiet -e '.[dev,figures]'
	$(BIN)/python tools/make_figures.py

golden: $(STAMP)  ## regenerate tests/golden/ from the current code; review the diff before committing
	UPDATE_GOLDEN=1 $(BIN)/python -m pytest -q tests/test_end_to_end.py -k golden
