# pica_publish — every target sets up its own virtual environment from pyproject.toml first.
# Authors' targets (check, new, preview, pdf, html, serve, …) install pica-publish alone; the
# developers' targets (test, lint, bench, golden) add the `dev` extra (pytest, ruff, mypy, …).
PYTHON ?= python3
VENV      := .venv
BIN       := $(VENV)/bin
STAMP     := $(VENV)/.installed-stamp
DEV_STAMP := $(VENV)/.dev-stamp
PIP       := $(BIN)/python -m pip install --disable-pip-version-check

# Flags for pica-publish, in every target that runs it: V=1 shows progress (-v), V=2 also
# timings (-vv); ARGS is appended to the command: make pdf ARGS="--jobs 1 --strict".
V    ?=
ARGS ?=
PICA := $(BIN)/pica-publish$(if $(filter 2,$(V)), -vv,$(if $(filter 1,$(V)), -v))

.PHONY: all pdf html archive serve check new preview import docx hooks test lint bench figures golden rules \
	lock clean distclean info print

all: pdf html

# Say what is installed and why before pip runs, and leave pip's progress visible: the first run
# takes minutes, and a silent one looks hung.
$(STAMP): pyproject.toml
	@bash tools/system-deps.sh
	@$(BIN)/python -m pip --version >/dev/null 2>&1 || $(PYTHON) -m venv --clear $(VENV)
	@echo "Setting up $(VENV) (first run, or pyproject.toml changed): installing pica-publish and what it"
	@echo "needs to build the issue (pandoc, WeasyPrint, fonts, PDF and image libraries): about 370 MB on disk, a few minutes."
	$(PIP) -e .
	@touch $@

$(DEV_STAMP): $(STAMP)
	@echo "Adding the developer tools to $(VENV) (pytest, ruff, mypy, Playwright, Hypothesis, pre-commit): about 300 MB more."
	$(PIP) -e '.[dev]'
	@touch $@

pdf: $(STAMP)  ## the whole issue as one PDF: build/pdf/
	$(PICA) build --pdf $(ARGS)

html: $(STAMP)  ## the web edition: build/html/
	$(PICA) build --html $(ARGS)

archive: $(STAMP)  ## PDF/A-3u issue and offprints with the sources attached: build/pdf/
	$(PICA) build --pdf --archive $(ARGS)

print: $(STAMP)  ## the print master: PDF/X-4, 3 mm bleed, crop marks, checked: build/print/
	$(PICA) build --pdf --print $(ARGS)
	$(PICA) preflight build/print/*-print.pdf

serve: $(STAMP)  ## live preview of the web edition on http://127.0.0.1:8000/
	$(PICA) serve $(ARGS)

check: $(STAMP)  ## lint manifest, chapters and bibliography (no pandoc, no layout)
	$(PICA) check $(ARGS)

# TITLE and CHAPTER reach the command through the environment (make exports command-line
# variables), so quotes and apostrophes in a title need no escaping.
new: $(STAMP)  ## scaffold a chapter and list it in issue.yml: make new TITLE="Pallas's cat in the Altai"
	@test -n "$$TITLE" || { echo 'usage: make new TITLE="The chapter title"' >&2; exit 2; }
	$(PICA) new chapter "$$TITLE" $(ARGS)

preview: $(STAMP)  ## one article as an offprint: make preview CHAPTER=chapters/07-altai.md
	@test -n "$$CHAPTER" || { echo 'usage: make preview CHAPTER=chapters/NN-slug.md' >&2; exit 2; }
	$(PICA) preview "$$CHAPTER" $(ARGS)

import: $(STAMP)  ## a Word or .odt manuscript as a chapter: make import DOC=manuscript.docx
	@test -n "$$DOC" || { echo 'usage: make import DOC=manuscript.docx' >&2; exit 2; }
	$(PICA) import "$$DOC" $(ARGS)

docx: $(STAMP)  ## one chapter as a Word file in the house styles: make docx CHAPTER=chapters/07-altai.md
	@test -n "$$CHAPTER" || { echo 'usage: make docx CHAPTER=chapters/NN-slug.md' >&2; exit 2; }
	$(PICA) export docx "$$CHAPTER" $(ARGS)

hooks: $(STAMP)  ## check every commit: pre-commit in .venv, installed as the git hook
	$(PIP) -e '.[hooks]'
	$(BIN)/pre-commit install

info: $(STAMP)
	$(PICA) info $(ARGS)

test: $(DEV_STAMP)  ## the test suite, on every core (pytest-xdist; a test alone: .venv/bin/pytest tests/x.py)
	$(BIN)/python -m pytest -q -n auto

lint: $(DEV_STAMP)  ## the code gates CI runs besides the tests: ruff, ruff format, mypy --strict
	$(BIN)/ruff check pica_publish tests
	$(BIN)/ruff format --check pica_publish tests
	$(BIN)/python -m mypy pica_publish

lock:  ## regenerate requirements.lock (exact versions and hashes) from pyproject.toml, with uv
	uv pip compile pyproject.toml --extra dev --universal --python-version 3.11 \
	  --generate-hashes -o requirements.lock

bench: $(DEV_STAMP)  ## timings of the full sample issue, cold and warm
	$(BIN)/python -m pica_publish.bench

rules: $(STAMP)  ## regenerate docs/rules.md, the table of diagnostic rules, from pica_publish/rules.py
	$(BIN)/python -m pica_publish.rules > docs/rules.md

clean:
	rm -rf build

distclean: clean
	rm -rf $(VENV)

figures: $(STAMP)  ## redraw chapters/figures/ from data/ (reproducible; the outputs are committed)
	$(PIP) -e '.[figures]'
	$(BIN)/python tools/make_figures.py

golden: $(DEV_STAMP)  ## regenerate tests/golden/ from the current code; review the diff before committing
	UPDATE_GOLDEN=1 $(BIN)/python -m pytest -q tests/test_end_to_end.py -k golden
