"""The one module that runs pandoc (shipped by pypandoc-binary).

pypandoc locates the bundled binary and tells its version; conversions run the binary directly
with :mod:`subprocess` so that each run's warnings are captured for that chapter alone and runs
can go in parallel threads. Every conversion is a pure function of its inputs and is cached on
disk under a hash of them (including the pandoc version).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pypandoc

from pica_publish.doi import normalise_doi
from pica_publish.inputs import read_input

WARNING_RE = re.compile(r"^\[WARNING\]\s*(.*)$")


class PandocError(Exception):
    """pandoc failed on the user's input; the message is pandoc's own."""


@cache
def pandoc_path() -> str:
    return str(pypandoc.get_pandoc_path())


@cache
def pandoc_version() -> str:
    return str(pypandoc.get_pandoc_version())


CHAPTER_FORMAT = "markdown-yaml_metadata_block-raw_tex-raw_attribute"
"""How chapter bodies are read. A chapter cannot steer pandoc: with no metadata blocks in the
body, nothing it says can set ``bibliography``, ``csl``, ``citation-abbreviations`` or any other
option that reads a file or a URL (``check`` refuses such blocks with their location); raw TeX
and raw ``{=format}`` blocks are off too (``check`` reports them). Every option that reads a file
is set on the command line by this module."""

TIMEOUT_SECONDS = 120
"""Wall-clock limit of one pandoc run (a chapter, a bibliography); its own limit, not a test's."""
HEAP_LIMIT = "1536m"
"""pandoc's heap cap (GHC runtime ``-M``): a run that needs more fails instead of exhausting
the machine (a ``crossref`` loop in a ``.bib``, a pathological body)."""


def _run(args: list[str], stdin: str | None = None) -> tuple[str, list[str]]:
    """Run pandoc on ``stdin`` with the time and memory limits, in an empty data folder."""
    with tempfile.TemporaryDirectory(prefix="pica-pandoc-data-") as data_dir:
        try:
            process = subprocess.run(
                [
                    pandoc_path(),
                    "+RTS",
                    f"-M{HEAP_LIMIT}",
                    "-RTS",
                    f"--data-dir={data_dir}",
                    *args,
                ],
                input=stdin,
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="replace",
                check=False,
                timeout=TIMEOUT_SECONDS,
                env={**os.environ, "LANG": "C.UTF-8"},
            )
        except subprocess.TimeoutExpired:
            raise PandocError(
                f"pandoc took longer than {TIMEOUT_SECONDS} s and was stopped"
            ) from None
    if process.returncode != 0:
        raise PandocError(_failure(process.stderr, process.returncode))
    warnings = []
    for line in process.stderr.splitlines():
        match = WARNING_RE.match(line)
        if match:
            warnings.append(match[1])
        elif warnings and line.startswith(" "):
            warnings[-1] += " " + line.strip()
    return process.stdout, warnings


def _failure(stderr: str, status: int) -> str:
    """pandoc's own reason in one short line: never a backtrace, never pages of its input."""
    if "Heap exhausted" in stderr or status == 251:
        return f"pandoc needed more than {HEAP_LIMIT}B of memory and was stopped"
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    first = next((line for line in lines if not line.startswith("HasCallStack")), "")
    first = first.removeprefix("pandoc: ")
    if not first:
        return f"pandoc exited with status {status}"
    return first if len(first) <= 160 else first[:157] + "..."


def _theme_text(path: Path) -> str:
    """A theme file pandoc reads (the CSL style, a Lua filter), through the input rule too."""
    return read_input(path, [path.parent], kind="theme").decode("utf-8")


def _digest(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False) as tmp:
        tmp.write(text)
    os.replace(tmp.name, path)


CSL_JSON_VERSION = "2"
"""Bumped when :func:`bib_to_csl_json` changes what it does to pandoc's items (the cache key)."""


def bib_to_csl_json(text: str, cache_dir: Path, prelude: str = "") -> list[dict[str, Any]]:
    """CSL JSON items of BibTeX text, as pandoc maps the fields; cached by content.

    ``prelude`` is put before the text (BibTeX the text relies on). Every DOI leaves here in
    its bare form (``10.1002/x``, :func:`pica_publish.doi.normalise_doi`), whatever the
    ``.bib`` wrote (``https://doi.org/…``, ``doi:…``); a value that is no DOI is dropped, so the
    reference list, the Crossref deposit and every export agree.
    """
    if not (prelude + text).strip():
        return []
    key = _digest(pandoc_version(), CSL_JSON_VERSION, prelude, text)
    cached = cache_dir / "csl-json" / f"{key}.json"
    if cached.is_file():
        items: list[dict[str, Any]] = json.loads(cached.read_text("utf-8"))
        return items
    output, _ = _run(["--from=biblatex", "--to=csljson", "--sandbox"], stdin=prelude + text)
    items = [_normalise_item(item) for item in json.loads(output)]
    _write_atomic(cached, json.dumps(items, ensure_ascii=False, sort_keys=True))
    return items


def _normalise_item(item: dict[str, Any]) -> dict[str, Any]:
    if "DOI" in item:
        doi = normalise_doi(str(item["DOI"]))
        if doi is None:
            del item["DOI"]
        else:
            item["DOI"] = doi
    return item


def _chapter_arguments(
    to: str, filters: tuple[Path, ...], filters_after: tuple[Path, ...], number_prefix: str
) -> list[str]:
    """How a chapter is converted to a standalone document outside the build's HTML (JATS, Word):
    the build's filters around citeproc, the chapter's figure-number prefix."""
    return [
        f"--from={CHAPTER_FORMAT}-raw_html",
        f"--to={to}",
        "--standalone",
        *(f"--lua-filter={path}" for path in filters),
        "--citeproc",
        *(f"--lua-filter={path}" for path in filters_after),
        f"--metadata=number-prefix:{number_prefix}",
    ]


def _chapter_inputs(folder: Path, metadata_json: str, references_json: str, csl: Path) -> list[str]:
    """The metadata and the cited works, written to ``folder`` for pandoc, and the arguments
    that give them and the citation style to it."""
    (folder / "meta.json").write_text(metadata_json, "utf-8")
    (folder / "references.json").write_text(references_json, "utf-8")
    return [
        f"--csl={csl}",
        f"--bibliography={folder / 'references.json'}",
        f"--metadata-file={folder / 'meta.json'}",
    ]


def markdown_to_jats(
    markdown: str,
    *,
    metadata: dict[str, Any],
    references: list[dict[str, Any]],
    csl: Path,
    filters: tuple[Path, ...] = (),
    filters_after: tuple[Path, ...] = (),
    number_prefix: str = "",
    cache_dir: Path,
) -> str:
    """One chapter as a standalone JATS (Publishing) article, ``metadata`` filling the front."""
    metadata_json = json.dumps(metadata, ensure_ascii=False, sort_keys=True)
    references_json = json.dumps(references, ensure_ascii=False, sort_keys=True)
    args = [
        *_chapter_arguments("jats_publishing", filters, filters_after, number_prefix),
        "--sandbox",
    ]
    key = _digest(
        pandoc_version(),
        markdown,
        metadata_json,
        references_json,
        _theme_text(csl),
        *(_theme_text(f) for f in (*filters, *filters_after)),
        *args,
    )
    cached = cache_dir / "jats" / f"{key}.xml"
    if cached.is_file():
        return cached.read_text("utf-8")
    with tempfile.TemporaryDirectory(prefix="pica-pandoc-") as tmp:
        inputs = _chapter_inputs(Path(tmp), metadata_json, references_json, csl)
        xml, _ = _run([*args, *inputs], stdin=markdown)
    _write_atomic(cached, xml)
    return xml


@dataclass(frozen=True)
class Conversion:
    html: str
    warnings: tuple[str, ...]


def markdown_to_html(
    markdown: str,
    *,
    references: list[dict[str, Any]],
    csl: Path,
    filters: tuple[Path, ...] = (),
    filters_after: tuple[Path, ...] = (),
    id_prefix: str,
    language: str,
    number_prefix: str = "",
    metadata: Mapping[str, Any] | None = None,
    cache_dir: Path,
) -> Conversion:
    """One chapter body → an HTML5 fragment with citations resolved by citeproc.

    The Lua ``filters`` run before citeproc (pandoc applies them in command-line order), so that
    cross-references (``@fig:map``) are links before citeproc looks for literature keys;
    ``filters_after`` run after it, on the reference list too.
    ``metadata`` (the editors' settings for the filters, e.g. ``italic-terms``) reaches them as
    document metadata through a file, never from the chapter.
    pandoc runs with ``--sandbox``: it reads nothing but the files named here, and fetches nothing.
    """
    references_json = json.dumps(references, ensure_ascii=False, sort_keys=True)
    metadata_json = json.dumps(dict(metadata or {}), ensure_ascii=False, sort_keys=True)
    csl_text = _theme_text(csl)
    filter_texts = [_theme_text(path) for path in (*filters, *filters_after)]
    args_common = [
        f"--from={CHAPTER_FORMAT}",
        "--to=html5",
        # math stays TeX, in <span class="math inline">\(…\)</span>: each edition converts it
        # (MathML for the web, SVG for print; pica_publish.mathtex). No script is linked.
        "--mathjax",
        *(f"--lua-filter={path}" for path in filters),
        "--citeproc",
        *(f"--lua-filter={path}" for path in filters_after),
        f"--id-prefix={id_prefix}",
        "--section-divs",
        "--sandbox",
        "--wrap=none",
        f"--metadata=lang:{language}",
        "--metadata=link-citations:true",
        "--metadata=link-bibliography:true",
        f"--metadata=number-prefix:{number_prefix}",
    ]
    key = _digest(
        pandoc_version(),
        markdown,
        references_json,
        metadata_json,
        csl_text,
        *filter_texts,
        *args_common,
    )
    cached = cache_dir / "pandoc" / f"{key}.json"
    if cached.is_file():
        stored = json.loads(cached.read_text("utf-8"))
        return Conversion(stored["html"], tuple(stored["warnings"]))
    with tempfile.TemporaryDirectory(prefix="pica-pandoc-") as tmp:
        bibliography = Path(tmp) / "references.json"
        bibliography.write_text(references_json, "utf-8")
        settings = Path(tmp) / "meta.json"
        settings.write_text(metadata_json, "utf-8")
        html, warnings = _run(
            [
                *args_common,
                f"--csl={csl}",
                f"--bibliography={bibliography}",
                f"--metadata-file={settings}",
            ],
            stdin=markdown,
        )
    _write_atomic(cached, json.dumps({"html": html, "warnings": warnings}, ensure_ascii=False))
    return Conversion(html, tuple(warnings))


def read_manuscript(path: Path, reader: str, arguments: list[str]) -> dict[str, Any]:
    """pandoc's AST (JSON) of a Word or OpenDocument manuscript (``pica-publish import``)."""
    output, _warnings = _run(["--from", reader, "--to", "json", *arguments, str(path)])
    ast: dict[str, Any] = json.loads(output)
    return ast


def manuscript_references(path: Path, reader: str) -> list[dict[str, Any]]:
    """The CSL items a manuscript's citation fields carry (Zotero, Mendeley), as CSL JSON."""
    output, _warnings = _run(["--from", reader, "--to", "csljson", str(path)])
    items = json.loads(output) if output.strip() else []
    return [item for item in items if isinstance(item, dict)]


IMPORT_MARKDOWN = (
    "markdown-raw_html-raw_attribute-native_divs-native_spans-bracketed_spans-fenced_divs"
    "-inline_code_attributes-smart"
)
"""The Markdown an imported chapter is written in: pandoc Markdown without raw HTML or
attribute syntax the chapter format refuses (images keep their ``{#fig:…}`` attributes)."""


def ast_to_markdown(ast: dict[str, Any]) -> str:
    """A chapter body from pandoc's AST (``pica-publish import``)."""
    output, _warnings = _run(
        ["--from", "json", "--to", IMPORT_MARKDOWN, "--wrap=auto", "--columns=100"],
        stdin=json.dumps(ast),
    )
    return output


def markdown_to_docx(
    markdown: str,
    *,
    metadata: dict[str, Any],
    references: list[dict[str, Any]],
    csl: Path,
    filters: tuple[Path, ...],
    filters_after: tuple[Path, ...],
    number_prefix: str,
    reference_doc: Path,
    resource_path: Path,
) -> bytes:
    """One chapter as a Word file in the house styles (``reference_doc``), citations and
    references in house style (``pica-publish export docx``). Images are read from
    ``resource_path`` (the chapter's folder; *check* has kept them inside the project)."""
    with tempfile.TemporaryDirectory(prefix="pica-pandoc-") as tmp:
        folder = Path(tmp)
        _run(
            [
                *_chapter_arguments("docx", filters, filters_after, number_prefix),
                *_chapter_inputs(
                    folder,
                    json.dumps(metadata, ensure_ascii=False),
                    json.dumps(references, ensure_ascii=False),
                    csl,
                ),
                f"--reference-doc={reference_doc}",
                f"--resource-path={resource_path}",  # no --sandbox: the figures are read
                f"--output={folder / 'chapter.docx'}",
            ],
            stdin=markdown,
        )
        return (folder / "chapter.docx").read_bytes()
