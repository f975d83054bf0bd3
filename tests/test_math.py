"""Math (issue 13): TeX kept by pandoc, MathML in the HTML edition, SVG in print, numbered
equations and their cross-references, and the check of every formula.

Fast tests drive the converters directly; one build of the miniature project with the math
chapter of ``tests/corpus/math/`` checks both editions and the JATS export structurally.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pypdf
import pytest
from lxml import etree
from lxml import html as lxml_html

from pica_publish import mathtex, rules
from pica_publish.diagnostics import Location, Report
from pica_publish.filters import csl_style_path, lua_filters
from pica_publish.htmltree import parse, to_html
from pica_publish.markdown import scan_body
from pica_publish.mathtex import MathProblem, RenderedMath, check_math, mathml_element, render_svgs
from pica_publish.pandoc import markdown_to_html, markdown_to_jats
from pica_publish.print_html import print_body
from pica_publish.sanitize import MATH_ATTRIBUTES, MATH_TAGS, sanitize_math
from pica_publish.site.math import mathml_body

CORPUS = Path(__file__).parent / "corpus" / "math"

FORMULAS = [
    r"E = mc^2",
    r"x_i^2 + \alpha_{ij} - \Gamma",
    r"\frac{a}{b} + \sqrt{x} + \sqrt[3]{y}",
    r"\sum_{i=1}^{n} x_i = \int_0^\infty e^{-x}\,dx",
    r"\text{if } x > 0 \text{ then } \mathrm{d}x",
    r"\operatorname{logit} p = \beta_0 + \beta_1 x",
    r"\begin{pmatrix} 1 & 2 \\ 3 & 4 \end{pmatrix}",
    r"\begin{aligned} a &= b + c \\ d &= e \end{aligned}",
    r"\hat{D} \approx 4.2, \quad \left( \frac{1}{2} \right)",
]

ATTACKS = [
    (r"\href{javascript:alert(1)}{x}", rules.MATH_UNSAFE, r"\href is not allowed"),
    (r"\style{background:url(https://evil.example/x)}{x}", rules.MATH_UNSAFE, r"\style"),
    (r"\class{cover-page}{x}", rules.MATH_UNSAFE, r"\class"),
    (r"\underbrace{" * 30 + "x" + "}_{a}" * 30, rules.MATH_TOO_COMPLEX, "nested more than"),
    (r"\frac{1}{" * 12 + "x" + "}" * 12, rules.MATH_TOO_COMPLEX, "nested more than"),
    ("{" * 900 + "x" + "}" * 900, rules.MATH_TOO_COMPLEX, "nested more than"),
    ("x+" * 1500 + "x", rules.MATH_TOO_COMPLEX, "characters (at most 2000)"),
]


@pytest.fixture(autouse=True)
def math_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache of set formulas shared by these tests (the fonts' cache lives there too)."""
    folder = tmp_path_factory.getbasetemp() / "math-cache"
    monkeypatch.setenv("PICA_PUBLISH_CACHE", str(folder))
    return folder


def tree_shape(node: etree._Element) -> list[tuple[str, tuple[tuple[str, str], ...], str]]:
    return [
        (str(n.tag), tuple(sorted(n.attrib.items())), (n.text or "").replace("\u00a0", " "))
        for n in node.iter()
    ]


# --- web edition: MathML -----------------------------------------------------------------------


@pytest.mark.parametrize("tex", FORMULAS)
def test_mathml_keeps_the_tex_and_only_allowed_markup(tex: str):
    math = mathml_element(tex, display=True)
    assert math.tag == "math" and math.get("display") == "block"
    semantics = math[0]
    assert [child.tag for child in semantics] == ["mrow", "annotation"]
    assert semantics[1].get("encoding") == "application/x-tex"
    assert semantics[1].text == tex
    for node in math.iter():
        assert node.tag in MATH_TAGS
        allowed = MATH_ATTRIBUTES["*"] | MATH_ATTRIBUTES.get(node.tag, set())
        assert set(node.attrib) <= allowed
    # the sanitiser allows exactly what is emitted: its pass changes nothing
    again = parse(sanitize_math(to_html(math)))[0]
    assert tree_shape(again) == tree_shape(math)


def test_aligned_environments_become_tables():
    math = mathml_element(r"\begin{aligned} a &= b \\ c &= d \end{aligned}", display=True)
    cells = [td.get("columnalign") for td in math.iter("mtd")]
    assert cells == ["right", "left", "right", "left"]
    assert "&" not in "".join(math.itertext()).replace(math.find(".//annotation").text, "")


@pytest.mark.parametrize(("tex", "rule", "message"), ATTACKS, ids=lambda x: str(x)[:20])
def test_attacks_are_refused(tex: str, rule: rules.Rule, message: str):
    started = time.monotonic()
    with pytest.raises(MathProblem) as caught:
        mathml_element(tex, display=False)
    assert caught.value.rule is rule
    assert message in caught.value.message
    assert time.monotonic() - started < 2


@pytest.mark.parametrize(("tex", "rule", "message"), ATTACKS, ids=lambda x: str(x)[:20])
def test_nothing_unsafe_reaches_the_web_page(tex: str, rule: rules.Rule, message: str):
    body = f'<p>See <span class="math inline">\\({tex}\\)</span>.</p>'
    root = parse(mathml_body(body))
    assert not list(root.iter("math"))  # refused: shown as its TeX, as text
    code = root.find(".//span/code")
    assert code is not None and code.text == tex
    for node in root.iter():
        assert not {"href", "style", "onclick"} & set(node.attrib)


@pytest.mark.parametrize(
    "markup",
    [
        '<math><maction actiontype="statusline"><mi>x</mi><mtext>y</mtext></maction></math>',
        '<math><mi href="javascript:alert(1)" onclick="alert(1)">x</mi></math>',
        '<math><mglyph src="https://evil.example/x.png"></mglyph></math>',
        '<math><mi xlink:href="javascript:alert(1)" style="color:red">x</mi></math>',
        '<math><mi>x</mi><script>alert(1)</script><mtext mathcolor="red;x:url(y)">t</mtext></math>',
        (
            '<math><semantics><mi>x</mi><annotation-xml encoding="text/html">'
            "<img src=x onerror=alert(1)></annotation-xml></semantics></math>"
        ),
    ],
)
def test_math_sanitiser_strips_what_could_run_or_fetch(markup: str):
    clean = parse(sanitize_math(markup))
    for node in clean.iter():
        assert node.tag in MATH_TAGS or node is clean
        assert not {"href", "xlink:href", "onclick", "onerror", "src", "style", "actiontype"} & {
            str(name) for name in node.attrib
        }
        assert ":" not in (node.get("mathcolor") or "")


def test_web_body_gets_mathml_with_numbered_equations():
    body = (
        '<p><span id="x-eq:e" class="equation"><span class="math display">\\[E = mc^2\\]</span>'
        '<span class="equation-number">(1)</span></span></p>'
        '<p>Inline <span class="math inline">\\(x &lt; y\\)</span>.</p>'
    )
    root = parse(mathml_body(body))
    maths = list(root.iter("math"))
    assert [m.get("display") for m in maths] == ["block", "inline"]
    assert [a.text for a in root.iter("annotation")] == ["E = mc^2", "x < y"]
    equation = root.find(".//span[@class='equation']")
    assert equation is not None and equation.get("id") == "x-eq:e"
    assert equation[-1].text == "(1)"


# --- print edition: SVG ------------------------------------------------------------------------


def test_print_formulas_are_svg_paths_sized_in_em():
    formulas = [("E = mc^2", False), (r"x_{ij}^2", False), (r"\frac{a}{b}", True)]
    results = render_svgs(formulas)
    for formula in formulas:
        result = results[formula]
        assert isinstance(result, RenderedMath)
        svg = etree.fromstring(result.svg.encode())
        local = {etree.QName(n).localname for n in svg.iter() if isinstance(n.tag, str)}
        assert local <= {"svg", "g", "path", "rect", "line"}  # glyphs are paths: no font
        assert 0 < result.width < 10 and 0 < result.height < 4
    inline, subscript = results[formulas[0]], results[formulas[1]]
    assert isinstance(inline, RenderedMath) and isinstance(subscript, RenderedMath)
    assert subscript.depth > inline.depth > 0  # a subscript reaches below the baseline


def test_set_formulas_are_cached_by_content(monkeypatch: pytest.MonkeyPatch):
    render_svgs([(r"\alpha + \beta", False)])

    def no_worker(*args: object, **kwargs: object) -> None:
        raise AssertionError("a cached formula was set again")

    monkeypatch.setattr(subprocess, "Popen", no_worker)
    assert isinstance(
        render_svgs([(r"\alpha + \beta", False)])[r"\alpha + \beta", False], RenderedMath
    )


def test_a_formula_too_slow_to_set_is_stopped(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(mathtex, "RENDER_SECONDS", 0.2)
    slow = r"\frac{1}{" * 8 + "x" + "}" * 8 + r"+ \frac{1}{" * 8 + "y" + "}" * 8
    formulas = [("a", False), (slow, True), ("b", False)]
    started = time.monotonic()
    results = render_svgs(formulas)
    assert time.monotonic() - started < 8
    problem = results[slow, True]
    assert isinstance(problem, MathProblem) and problem.rule is rules.MATH_TOO_COMPLEX
    assert "took longer than 0.2 s" in problem.message
    assert isinstance(results["b", False], RenderedMath)  # the worker after it went on


def test_print_body_has_images_with_baseline_and_alt_text():
    body = (
        '<p>A <span class="math inline">\\(x_i\\)</span> and '
        '<span id="x-eq:e" class="equation"><span class="math display">\\[E = mc^2\\]</span>'
        '<span class="equation-number">(1)</span></span></p>'
    )
    segments = print_body(body, "")
    root = lxml_html.fragment_fromstring(segments[0].html, create_parent="div")
    images = root.find_class("math-image")
    assert [img.get("alt") for img in images] == ["x_i", "E = mc^2"]
    for img in images:
        assert img.get("src", "").startswith("data:image/svg+xml;base64,")
        style = dict(part.split(":") for part in img.get("style", "").split(";"))
        assert style[" vertical-align"].strip().endswith("em")
        assert style["width"].strip().endswith("em")


# --- numbering and cross-references (crossref.lua) ---------------------------------------------

EQUATIONS = (CORPUS / "equations.md").read_text("utf-8")


def test_equations_are_numbered_and_referenced(tmp_path: Path):
    result = markdown_to_html(
        EQUATIONS,
        references=[],
        csl=csl_style_path(),
        filters=lua_filters(),
        id_prefix="t-",
        language="en",
        number_prefix="A",
        cache_dir=tmp_path,
    )
    assert result.warnings == ()
    root = parse(result.html)
    equations = root.find_class("equation")
    assert [e.get("id") for e in equations] == ["t-eq:energy", "t-eq:sum", "t-eq:half"]
    assert [e.find_class("equation-number")[0].text for e in equations] == ["(A1)", "(A2)", "(A3)"]
    displays = root.find_class("display")
    assert len(displays) == 4  # the unlabelled one is not numbered
    assert displays[-1].getparent().tag == "p"
    links = [(a.get("href"), a.text_content()) for a in root.find_class("cross-ref")]
    assert links == [
        ("#t-eq:energy", "Eq.\u00a0A1"),
        ("#t-eq:energy", "Eq.\u00a0A1"),
        ("#t-eq:energy", "Eqs\u00a0A1"),
        ("#t-eq:sum", "A2"),
        ("#t-eq:half", "Eq.\u00a0A3"),
    ]
    text = root.text_content()
    assert "(Eq.\u00a0A1)" in text and "{#eq" not in text
    assert "\\[\\frac{1}{2}\\]" in text and "A3)." in text  # the full stop after the label stays


def test_jats_carries_numbered_disp_formulas(tmp_path: Path):
    xml = markdown_to_jats(
        EQUATIONS,
        metadata={"title": "Equations"},
        references=[],
        csl=csl_style_path(),
        filters=lua_filters(),
        cache_dir=tmp_path,
    )
    root = etree.fromstring(xml.encode())
    formulas = root.findall(".//disp-formula")
    labelled = [(f.get("id"), f.findtext("label")) for f in formulas if f.get("id")]
    assert labelled == [("eqU003Aenergy", "(1)"), ("eqU003Asum", "(2)"), ("eqU003Ahalf", "(3)")]
    assert formulas[0].find("alternatives/tex-math") is not None
    assert next(x.get("rid") for x in root.iter("xref")) == "eqU003Aenergy"


# --- check -------------------------------------------------------------------------------------


class StubChapter:
    """What :func:`check_math` reads of a chapter: where its body starts, how to locate."""

    body_line = 10

    def location(self, line: int, column: int = 0) -> Location:
        return Location("chapters/03-models.md", line, column)


CHECK_CASES = [
    ("Text $\\frac{a}{$ here.", 1, 6, "math-invalid", "1 '{' is not closed"),
    ("Text $x^$ here.", 1, 6, "math-invalid", "a ^ or _ has no script after it"),
    ("$$x_a_b$$", 1, 1, "math-invalid", "double subscript"),
    ("Text $\\left( x$.", 1, 6, "math-invalid", "a \\left has no \\right"),
    ("Line one.\n\nThe $x + \\foo y$ term.", 3, 5, "math-invalid", "unknown command '\\foo'"),
    ("$$\\href{javascript:alert(1)}{x}$$ {#eq:a}", 1, 1, "math-unsafe", "\\href"),
    ("A $" + "x+" * 1100 + "x$.", 1, 3, "math-too-complex", "characters"),
    ("$$" + "\\frac{1}{" * 12 + "x" + "}" * 12 + "$$", 1, 1, "math-too-complex", "nested"),
]


@pytest.mark.parametrize(("body", "line", "column", "rule", "message"), CHECK_CASES)
def test_check_reports_each_formula_at_its_place(
    body: str, line: int, column: int, rule: str, message: str
):
    chapter = StubChapter()
    report = Report()
    check_math(chapter, scan_body(body), report)  # type: ignore[arg-type]
    [diagnostic] = report.diagnostics
    assert diagnostic.code == rule
    assert message in diagnostic.message
    assert (diagnostic.location.line, diagnostic.location.column) == (line + 9, column)


def test_check_command_reports_bad_math(mini: Path, run_cli):
    chapter = mini / "chapters" / "01-dens.md"
    text = chapter.read_text("utf-8")
    chapter.write_text(text + "\nA broken formula $\\sqrt{x$ and a good one $x^2$.\n", "utf-8")
    line = len(text.splitlines()) + 2
    result = run_cli("-C", str(mini), "check")
    assert result.status == 1
    found = [entry for entry in result.lines if "[math-invalid]" in entry]
    assert len(found) == 1
    assert found[0].startswith(f"chapters/01-dens.md:{line}:18: error: formula '\\sqrt{{x'")


# --- both editions, built ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def math_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pica_publish.cli import main

    root = tmp_path_factory.mktemp("math-e2e") / "mini"
    shutil.copytree(Path(__file__).parent / "projects" / "mini", root)
    shutil.rmtree(root / "build", ignore_errors=True)
    shutil.copy(CORPUS / "03-models.md", root / "chapters" / "03-models.md")
    manifest = root / "issue.yml"
    strategy = "  - {file: chapters/02-strategy.md, role: strategy}"
    manifest.write_text(
        manifest.read_text("utf-8").replace(
            strategy, "  - {file: chapters/03-models.md, role: chapter}\n" + strategy
        ),
        "utf-8",
    )
    # A cache without math (rendered afresh here); the fonts made from the shipped faces are
    # copied over when this machine has them (making them again takes minutes, tests nothing).
    from pica_publish.fonts import cache_root

    fresh = tmp_path_factory.getbasetemp() / "math-cache"
    for folder in ("fonts", "web-fonts", "cmap", "coverage"):
        if (cache_root() / folder).is_dir() and not (fresh / folder).exists():
            shutil.copytree(cache_root() / folder, fresh / folder)
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("PICA_PUBLISH_CACHE", str(fresh))
    try:
        assert main(["-C", str(root), "build"]) == 0
    finally:
        monkeypatch.undo()
    return root


def structure_alts(reader: pypdf.PdfReader) -> list[str]:
    alts: list[str] = []
    seen: set[int] = set()

    def walk(node: object) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, pypdf.generic.DictionaryObject) and id(node) not in seen:
            seen.add(id(node))
            if "/Alt" in node:
                alts.append(str(node["/Alt"]))
            if "/K" in node:
                walk(node["/K"])
        elif isinstance(node, pypdf.generic.ArrayObject):
            for item in node:
                walk(item)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return alts


def test_print_edition_sets_math_without_system_fonts(math_build: Path):
    reader = pypdf.PdfReader(math_build / "build" / "pdf" / "offprints" / "models.pdf")
    text = "".join(page.extract_text() for page in reader.pages).replace("\u00a0", " ")
    assert "(1)" in text and "(3)" in text
    assert "from Eq. 1 and" in text and "(Eqs 1 and 2)" in text
    assert "\\frac" not in text and "$$" not in text  # no TeX printed as text
    alts = structure_alts(reader)
    assert "p_{ij}" in alts and r"\sigma" in alts
    assert any(alt.startswith(r"\lambda_{ij} = \lambda_0 \exp") for alt in alts)
    for page in reader.pages:
        fonts = page["/Resources"].get("/Font", {})
        for font in fonts.values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            assert "/FontFile2" in descriptor or "/FontFile3" in descriptor  # embedded


def test_web_edition_has_mathml_and_the_math_font(math_build: Path):
    site = math_build / "build" / "html"
    page = lxml_html.parse(str(site / "models" / "index.html")).getroot()
    maths = list(page.iter("math"))
    assert len(maths) >= 15
    assert sum(1 for m in maths if m.get("display") == "block") == 4
    numbers = [n.text for n in page.find_class("equation-number")]
    assert numbers == ["(1)", "(2)", "(3)"]
    targets = {a.get("href") for a in page.find_class("cross-ref")}
    assert {f"#models-eq:{name}" for name in ("detection", "density", "system")} <= targets
    for node in page.iter("math"):
        for inner in node.iter():
            assert inner.tag in MATH_TAGS
    assert (site / "assets" / "fonts" / "STIXTwoMath-Regular.woff2").is_file()
    jats = etree.parse(str(math_build / "build" / "metadata" / "jats" / "models.xml"))
    labels = [f.findtext("label") for f in jats.iter("disp-formula") if f.get("id")]
    assert labels == ["(1)", "(2)", "(3)"]
