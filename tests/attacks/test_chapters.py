"""Attacks through what a chapter or a ``.bib`` says: steering pandoc, injecting CSS, loading
third-party resources, and making the build run without bounds.

Heavy cases run the real command line in a child process with a time limit and an address-space
cap, so that a regression fails the test instead of taking the test machine down.
"""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pypdf
import pytest

from pica_publish import pandoc
from pica_publish.filters import csl_style_path
from pica_publish.pandoc import PandocError, bib_to_csl_json, markdown_to_jats
from pica_publish.sanitize import sanitize
from pica_publish.theme import css_string
from tests.conftest import chapter_html, edit

CHAPTER = Path("chapters") / "01-dens.md"
BODY_START = "## Dens {#sec:dens}\n"


def run_capped(root: Path, *args: str, seconds: int = 60, memory_gb: int = 3) -> tuple[int, str]:
    """The CLI in a child process that may use ``seconds`` and ``memory_gb`` at most."""

    def cap() -> None:
        limit = memory_gb * 1024**3
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    process = subprocess.run(
        [sys.executable, "-m", "pica_publish", "-C", str(root), *args],
        capture_output=True,
        text=True,
        timeout=seconds,
        preexec_fn=cap,
        check=False,
    )
    return process.returncode, process.stdout + process.stderr


def add_to_body(root: Path, text: str) -> int:
    """Insert ``text`` at the start of the dens chapter's body; its first line's number."""
    path = root / CHAPTER
    source = path.read_text("utf-8")
    line = source[: source.index(BODY_START)].count("\n") + 1
    edit(path, BODY_START, f"{text}\n\n{BODY_START}")
    return line


# --- pandoc cannot be steered by a chapter -------------------------------------------------


@pytest.mark.parametrize("option", ["citation-abbreviations", "bibliography", "csl"])
def test_body_metadata_block_is_refused_by_check(mini, run_cli, http_trap, option):
    line = add_to_body(mini, f"---\n{option}: {http_trap.url}/x.json\n---")
    result = run_cli("-C", str(mini), "check")
    assert result.status == 1
    assert (
        f"chapters/01-dens.md:{line}:1: error: a YAML metadata block ('{option}: …') in the body "
        "is not allowed [body-metadata-block]" in result.lines
    )
    assert http_trap.requests == []


@pytest.mark.parametrize("target", ["trap", "canary"])
def test_pandoc_ignores_metadata_in_the_body(tmp_path, http_trap, canary, target):
    """Defence in depth: even unchecked, the body cannot set options that read or fetch."""
    source = f"{http_trap.url}/x.json" if target == "trap" else str(canary.path)
    body = (
        f"Text [@a].\n\n---\ncitation-abbreviations: {source}\nbibliography: {source}\n"
        f"csl: {source}\n---\n"
    )
    references = [{"id": "a", "type": "book", "title": "A", "issued": {"date-parts": [[2020]]}}]
    html = chapter_html(body, references=references, metadata={}, cache=tmp_path)
    jats = markdown_to_jats(
        body, metadata={}, references=references, csl=csl_style_path(), cache_dir=tmp_path
    )
    assert http_trap.requests == []
    canary.assert_absent(html, jats, tmp_path)
    assert "TRAP" not in html + jats


def test_raw_format_blocks_are_refused(mini, run_cli):
    line = add_to_body(
        mini, "```{=html}\n<script>alert(1)</script>\n```\n\nInline `<b>`{=jats} too."
    )
    result = run_cli("-C", str(mini), "check")
    assert result.status == 1
    assert (
        f"chapters/01-dens.md:{line}:1: error: raw {{=html}} content is not allowed "
        "[body-raw-format]" in result.lines
    )
    assert f"chapters/01-dens.md:{line + 4}:13: error: raw {{=jats}} content is not allowed" in (
        result.output
    )


def test_pandoc_failure_is_one_short_line(tmp_path, monkeypatch):
    """A crossref loop exhausts pandoc's capped heap; the diagnostic is a sentence."""
    monkeypatch.setattr(pandoc, "HEAP_LIMIT", "100m")
    loop = "@book{a, title={A}, crossref={b}}\n@book{b, title={B}, crossref={a}}\n"
    with pytest.raises(PandocError) as error:
        bib_to_csl_json(loop, tmp_path)
    assert str(error.value) == "pandoc needed more than 100mB of memory and was stopped"


def test_crossref_loop_is_refused_by_check(mini, run_cli):
    bib = mini / "references" / "loop.bib"
    bib.write_text(
        "@book{loopa, title={A}, crossref={loopb}}\n@book{loopb, title={B}, crossref={loopa}}\n"
    )
    status, output = run_capped(mini, "build", "--html", seconds=60)
    assert status == 1
    assert (
        "references/loop.bib:1:1: error: entry 'loopa' inherits from itself: "
        "loopa → loopb → loopa [bib-crossref-loop]" in output
    )
    assert "Traceback" not in output


# --- bounded work ------------------------------------------------------------------------

ALIAS_BOMB = "".join(
    [
        'lol0: &l0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n',
        *(f"lol{i}: &l{i} [{','.join([f'*l{i - 1}'] * 9)}]\n" for i in range(1, 9)),
    ]
)


def test_alias_bomb_in_front_matter(mini):
    edit(mini / CHAPTER, "keywords:", ALIAS_BOMB + "keywords:")
    status, output = run_capped(mini, "check", seconds=30, memory_gb=1)
    assert status == 1
    assert "chapters/01-dens.md:" in output
    assert "expands to more than 20000 values" in output
    assert "Traceback" not in output


def test_alias_bomb_in_manifest(mini):
    edit(mini / "issue.yml", "chapters:", ALIAS_BOMB + "chapters:")
    status, output = run_capped(mini, "check", seconds=30, memory_gb=1)
    assert status == 1
    assert "issue.yml:" in output and "expands to more than 20000 values" in output


def test_alias_bomb_in_body_never_reaches_pandoc(mini):
    add_to_body(mini, "---\n" + ALIAS_BOMB + "---")
    status, output = run_capped(mini, "build", "--html", seconds=60, memory_gb=3)
    assert status == 1
    assert "[body-metadata-block]" in output and "Traceback" not in output


@pytest.mark.parametrize(
    ("yaml", "message"),
    [
        ("deep: " + "[" * 3000 + "]" * 3000, "YAML is nested more than 32 levels deep"),
        ("keywords: !tag [a]", "YAML tag '!tag' is not allowed"),
        ("keywords: !!python/object:os.system [a]", "YAML tag"),
    ],
)
def test_hostile_yaml_is_a_located_diagnostic(mini, run_cli, yaml, message):
    edit(mini / CHAPTER, "keywords: [Otocolobus manul, dens, home range]\n", yaml + "\n")
    result = run_cli("-C", str(mini), "check")
    assert result.status == 1
    assert "chapters/01-dens.md:21:" in result.output and message in result.output


@pytest.mark.parametrize(
    "text",
    [
        "x " + "`" * 12_000,
        "{" * 60_000,
        "{#" * 30_000,
        "[" * 50_000,
        "a `b " * 20_000,
    ],
    ids=["backticks", "braces", "label-braces", "brackets", "code-spans"],
)
def test_check_is_linear_on_pathological_lines(mini, text):
    add_to_body(mini, text)
    status, output = run_capped(mini, "check", seconds=30, memory_gb=2)
    assert status in (0, 1) and "Traceback" not in output


@pytest.mark.parametrize(
    "text", [">" * 120 + " deep", "*" * 3000 + "x" + "*" * 3000], ids=["quotes", "emphasis"]
)
def test_deep_nesting_is_refused(mini, run_cli, text):
    line = add_to_body(mini, text)
    result = run_cli("-C", str(mini), "check")
    assert result.status == 1
    assert (
        f"chapters/01-dens.md:{line}:1: error: quotes, lists or emphasis are nested more than "
        "24 levels deep [body-nesting]" in result.lines
    )


def test_pixel_bomb_is_refused_without_decoding(mini, run_cli):
    """A 50,000 × 50,000 PNG: its header is read, its pixels never."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 50_000, 50_000, 8, 0, 0, 0, 0)
    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b""))
        + (chunk(b"IEND", b""))
    )
    (mini / "chapters" / "figures" / "dens.png").write_bytes(png)
    result = run_cli("-C", str(mini), "check")
    assert result.status == 1
    assert "image 'figures/dens.png' has more than 80 million pixels" in result.output


# --- no CSS from chapters ----------------------------------------------------------------

INJECTION = "}} @page { @bottom-center { content: 'RETRACTED' } } .article-body { display: none"


def test_control_characters_in_front_matter_are_refused(mini, run_cli):
    edit(mini / CHAPTER, "family: Петрова", 'family: "Петрова\\r' + INJECTION + '"')
    result = run_cli("-C", str(mini), "check")
    assert result.status == 1
    assert (
        "chapters/01-dens.md:6:13: error: value holds the invisible control character U+000D "
        "[text-control-character]" in result.lines
    )


def test_running_head_cannot_inject_css(mini, run_cli, pdf):
    """The short author line reaches the margin boxes through string-set: printed as text."""
    head = 'Evil"; ' + INJECTION + ' \\"'
    edit(mini / CHAPTER, 'short_title: "Dens and home ranges"', f"running_head: >-\n  {head}")
    # Borrowing the theme's classes: neither the running head nor the page type can be forged.
    add_to_body(mini, "[FORGED]{.running-author} ::: also [x]{.cover-page}")
    result = run_cli("-C", str(mini), "build", "--pdf")
    assert result.status == 0, result.output
    reader = pypdf.PdfReader(mini / "build" / "pdf" / "catnews-special-issue-99.pdf")
    texts = [page.extract_text() for page in reader.pages]
    headed = [" ".join(t.split()) for t in texts if "Evil" in t]
    assert len(headed) >= 2  # every page of the article, under its (odd) running head
    assert "rock crevices" in headed[0]  # the body is not hidden
    assert all(" ".join(head.split()) in page for page in headed)  # printed verbatim
    assert all(t.count("RETRACTED") == t.count("Evil") for t in texts)  # no other footer
    assert sum(t.count("FORGED") for t in texts) == 1  # in the text, not in any running head
    assert len(reader.pages) == len(pdf.pages)  # no cover-page break in the article


def test_css_string_escapes_every_control_character():
    escaped = css_string('a\r}b"c\x0c\n\\<\u2028')
    assert escaped == '"a\\d }b\\22 c\\c \\a \\5c \\3c \\2028 "'


# --- no third-party requests from the HTML edition -----------------------------------------


@pytest.mark.parametrize(
    "image", ["![pixel]({trap}/p.png)", '<img src="{trap}/p.png" alt="">'], ids=["md", "html"]
)
def test_remote_image_in_abstract_is_refused(mini, run_cli, http_trap, image):
    edit(mini / CHAPTER, "A short abstract", image.format(trap=http_trap.url) + " A short abstract")
    result = run_cli("-C", str(mini), "check")
    assert result.status == 1
    assert "chapters/01-dens.md:18:11: error: the abstract holds an image [abstract-image]" in (
        result.lines
    )


@pytest.mark.parametrize(
    "html", ['<img src="https://tracker.example/p.png" alt="x">', "<video src='/x.mp4'></video>"]
)
def test_raw_html_media_is_refused(mini, run_cli, html):
    line = add_to_body(mini, f"Text {html} more.")
    result = run_cli("-C", str(mini), "check")
    assert result.status == 1
    assert f"chapters/01-dens.md:{line}:1: error: <" in result.output
    assert "in raw HTML is not allowed [raw-html-media]" in result.output


@pytest.mark.parametrize(
    "src", ["https://t.example/p.png", "//t.example/p.png", "/etc/passwd", "file://host/etc/x"]
)
def test_sanitiser_keeps_only_site_relative_images(src):
    assert "src" not in sanitize(f'<img src="{src}" alt="x">')


def test_protocol_relative_image_is_refused_by_check(mini, run_cli):
    edit(mini / CHAPTER, "(figures/dens.png)", "(//tracker.example/dens.png)")
    result = run_cli("-C", str(mini), "check")
    assert result.status == 1
    assert "image '//tracker.example/dens.png' is not a file in the project" in result.output


def test_relative_links_point_at_the_web_edition():
    html = sanitize('<a href="data/x.csv">x</a><a href="#fig">f</a>', page_url="https://e.org/d/")
    assert html == '<a href="https://e.org/d/data/x.csv">x</a><a href="#fig">f</a>'


@pytest.mark.parametrize(
    "url", ["file://tracker.example/etc/hostname", "http://127.0.0.1:9/x.png", "ftp://x/y.png"]
)
def test_layout_fetches_no_host(tmp_path, url):
    """No DNS lookup, no connection: the fetcher refuses any host before urllib sees the URL."""
    from pica_publish.layout import LayoutError, Typesetter

    with pytest.raises(LayoutError) as error:
        Typesetter([tmp_path], "").lay_out(f'<img src="{url}" alt="x">', tmp_path)
    assert error.value.problems == [f"'{url}' is outside the project"]


def test_layout_refuses_a_symlink_out_of_the_project(tmp_path, canary):
    from pica_publish.layout import LayoutError, Typesetter

    project = tmp_path / "project"
    project.mkdir()
    (project / "figure.png").symlink_to(canary.path)
    with pytest.raises(LayoutError) as error:
        Typesetter([project], "").lay_out('<img src="figure.png" alt="x">', project)
    assert "is outside the project through a symlink" in error.value.problems[0]
    canary.assert_absent(" ".join(error.value.problems))


def test_chapters_cannot_borrow_theme_classes_or_ids():
    html = sanitize(
        '<span class="running-author citation" id="main">x</span>'
        '<div class="columns cover-page wide">y</div>',
        id_prefix="dens-",
    )
    assert html == '<span class="citation" id="dens-main">x</span><div class="wide">y</div>'


def test_relative_links_in_the_pdf_do_not_reveal_the_builder(mini, run_cli):
    """A relative link would resolve against the builder's folder (file:///home/…): it points
    into the web edition instead, the same in every build folder."""
    add_to_body(mini, "The [data](data/dens.csv) and [notes](../notes.md#x).")
    result = run_cli("-C", str(mini), "build", "--pdf")
    assert result.status == 0, result.output
    reader = pypdf.PdfReader(mini / "build" / "pdf" / "offprints" / "dens.pdf")
    uris = {
        str(annotation.get_object()["/A"].get("/URI"))
        for page in reader.pages
        for annotation in page.get("/Annots", [])
        if "/A" in annotation.get_object()
    }
    assert "https://example.org/mini/dens/data/dens.csv" in uris
    assert "https://example.org/mini/notes.md#x" in uris
    assert not [uri for uri in uris if uri.startswith("file:") or str(mini) in uri]


def test_terminal_output_cannot_be_forged(mini, run_cli):
    """An unknown front-matter key with a terminal escape and a GitHub workflow command."""
    edit(mini / CHAPTER, "keywords:", '"x\\e[2J\\n::error file=issue.yml::forged": 1\nkeywords:')
    for fmt in ("human", "github"):
        result = run_cli("-C", str(mini), "check", "--format", fmt)
        assert result.status == 1
        assert "\x1b" not in result.output
        lines = [line for line in result.output.splitlines() if line.startswith("::")]
        assert all(line.startswith("::error file=chapters/01-dens.md,") for line in lines)
        assert "text-control-character" in result.output
