"""The WeasyPrint internals pica_publish reads (the box tree, through ``layout.page_boxes``) and
wraps (``engine_fixes``) were written for one major version: installing another must fail here
first, not as a wrong layout."""

from __future__ import annotations

import tomllib
from pathlib import Path

import weasyprint

from pica_publish.engine_fixes import ENGINE_FIXES
from pica_publish.layout import WEASYPRINT_MAJOR, layout_engine_version


def test_the_installed_weasyprint_is_the_major_version_the_layout_code_reads():
    assert int(weasyprint.__version__.split(".")[0]) == WEASYPRINT_MAJOR


def test_pyproject_pins_that_major_version():
    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text("utf-8"))
    pin = next(d for d in project["project"]["dependencies"] if d.startswith("weasyprint"))
    assert pin.replace(" ", "") == f"weasyprint>={WEASYPRINT_MAJOR},<{WEASYPRINT_MAJOR + 1}"


def test_the_engine_fixes_are_part_of_the_layout_cache_key():
    assert all(fix in layout_engine_version() for fix in ENGINE_FIXES)
