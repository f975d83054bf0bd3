"""SVG figures are data, not code: each attack an author can put in a figure, refused by
``check`` (``svg_problems``) and removed at output (``clean_svg``) in both editions.

Real lxml, real WeasyPrint (through :class:`pica_publish.layout.Typesetter`), real CLI.
"""

from __future__ import annotations

import base64
import io
import re
import shutil
import subprocess
from pathlib import Path

import pypdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from pica_publish.cli import main
from pica_publish.layout import LayoutError, PdfOptions, Typesetter
from pica_publish.svg import (
    MAX_ELEMENTS,
    METADATA_NAMESPACES,
    SVG_NS,
    XLINK_NS,
    SvgProblem,
    clean_svg,
    svg_problems,
)
from pica_publish.web_images import web_image

REPO = Path(__file__).resolve().parents[2]
FIGURES = sorted((REPO / "chapters" / "figures").glob("*.svg")) + [
    REPO / "tests" / "projects" / "mini" / "chapters" / "figures" / "range.svg"
]
OPEN = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
PNG = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8"
    "z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def svg(body: str) -> bytes:
    return f"{OPEN}\n{body}\n</svg>".encode()


def messages(data: bytes) -> list[str]:
    return [problem.message for problem in svg_problems(data)]


def without_namespaces(data: bytes) -> str:
    text = data.decode("utf-8")
    return text.replace(f'xmlns="{SVG_NS}"', "").replace(f'xmlns:xlink="{XLINK_NS}"', "")


def assert_clean(data: bytes) -> bytes:
    """``clean_svg`` output: no script, no handler, nothing outside the file, no problem left."""
    cleaned = clean_svg(data)
    assert cleaned.startswith(b"<?xml version=")
    text = without_namespaces(cleaned).lower()
    assert "script" not in text
    assert re.search(r"\son\w*\s*=", text) is None
    for outside in ("http:", "https:", "file:", "javascript:", "@import", "foreignobject"):
        assert outside not in text
    assert svg_problems(cleaned) == []
    assert clean_svg(cleaned) == cleaned  # cleaning is idempotent
    return cleaned


def lay_out(tmp_path: Path, data: bytes) -> tuple[Typesetter, bytes]:
    """Lay ``data`` out as ``figure.svg`` from a tiny HTML page; the PDF's bytes."""
    project = tmp_path / "project"
    project.mkdir(exist_ok=True)
    (project / "figure.svg").write_bytes(data)
    typesetter = Typesetter([project], "")
    laid = typesetter.lay_out('<p>Figure</p><img src="figure.svg" alt="figure">', project)
    return typesetter, Typesetter.join([laid], PdfOptions())


# One test per attack ------------------------------------------------------------------------


def test_script_element():
    data = svg('<rect width="4" height="4"/>\n<script>alert(document.cookie)</script>')
    assert svg_problems(data) == [SvgProblem("has a <script> element", 3)]
    cleaned = assert_clean(data)
    assert b"<rect" in cleaned and b"alert" not in cleaned


def test_onload_attribute():
    data = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><g onClick="x()"/></svg>'
    assert messages(data) == [
        "has an event handler attribute 'onload'",
        "has an event handler attribute 'onClick'",
    ]
    assert b"alert" not in assert_clean(data)


def test_foreign_object_with_html():
    data = svg(
        '<foreignObject width="100" height="100">'
        '<body xmlns="http://www.w3.org/1999/xhtml"><iframe src="https://evil.example"/>'
        '<img src="x" onerror="alert(1)"/></body></foreignObject>'
    )
    found = messages(data)
    assert found[0] == "has a <foreignObject> element"
    assert "has a <iframe> element from the namespace 'http://www.w3.org/1999/xhtml'" in found
    assert "has an event handler attribute 'onerror'" in found
    assert b"iframe" not in assert_clean(data)


def test_javascript_link():
    data = svg('<a href="javascript:alert(1)"><text>click</text></a>')
    assert messages(data) == ["refers to 'javascript:alert(1)' outside the file"]
    cleaned = assert_clean(data)
    assert b"<a>" in cleaned and b">click<" in cleaned  # the link goes, its text stays


def test_animation_that_sets_a_link():
    data = svg(
        '<a href="#x"><set attributeName="href" to="javascript:alert(1)"/><text>t</text></a>'
    )
    assert messages(data)[0] == "has a <set> element that changes 'href'"
    assert b"<set" not in assert_clean(data)


def test_remote_image_makes_no_request(tmp_path: Path, http_trap):
    data = svg(f'<image href="{http_trap.url}/x.png" width="10" height="10"/>')
    assert messages(data) == [f"refers to '{http_trap.url}/x.png' outside the file"]
    assert_clean(data)
    typesetter, _ = lay_out(tmp_path, data)
    assert http_trap.requests == []
    assert typesetter.fetcher.refused == []  # the image was removed, not merely refused


def test_file_image_does_not_leak(tmp_path: Path, canary):
    for href in (canary.path.as_uri(), "../outside/secret.txt"):
        data = svg(
            f'<image xlink:href="{href}" width="10" height="10"/><rect width="4" height="4"/>'
        )
        assert messages(data) == [
            f"refers to '{href[:59]}{'…' * (len(href) > 60)}' outside the file"
        ]
        cleaned = assert_clean(data)
        typesetter, pdf = lay_out(tmp_path, data)
        assert typesetter.fetcher.refused == []
        canary.assert_absent(cleaned.decode(), pdf.decode("latin-1"), tmp_path / "project")


def test_embedded_raster_image_is_kept(tmp_path: Path):
    data = svg(f'<image href="{PNG}" width="10" height="10"/>')
    assert svg_problems(data) == []
    assert PNG.encode() in clean_svg(data)
    lay_out(tmp_path, data)  # WeasyPrint reads it through the fetcher's data: branch
    svg_image = svg('<image href="data:image/svg+xml;base64,PHN2Zy8+" width="1" height="1"/>')
    assert messages(svg_image) == [
        "refers to 'data:image/svg+xml;base64,PHN2Zy8+' outside the file"
    ]


def test_entity_bomb(tmp_path: Path):
    lol = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i else "lol"}">' for i in range(10))
    data = (
        f'<?xml version="1.0"?>\n<!DOCTYPE svg [{lol}]>\n'
        f'<svg xmlns="{SVG_NS}"><text>&lol9;</text></svg>'
    ).encode()
    assert svg_problems(data)[0] == SvgProblem(
        "has a DOCTYPE with declarations (entities are refused)", 2
    )
    with pytest.raises(ValueError, match="DOCTYPE"):
        clean_svg(data)
    with pytest.raises(LayoutError) as error:
        lay_out(tmp_path, data)
    assert any("unsafe SVG" in problem for problem in error.value.problems)


def test_attribute_defaults_from_the_doctype():
    data = (
        b'<!DOCTYPE svg [<!ATTLIST svg onload CDATA "alert(1)">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"/>'
    )
    assert messages(data) == ["has a DOCTYPE with declarations (entities are refused)"]


def test_matplotlib_doctype_is_allowed():
    data = (
        b'<?xml version="1.0" encoding="utf-8" standalone="no"?>\n'
        b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"\n'
        b'  "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
        b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>'
    )
    assert svg_problems(data) == []
    assert b"DOCTYPE" not in assert_clean(data)


def use_bomb() -> bytes:
    """2 KB that expand to 10**9 elements: each group holds 10 uses of the previous one."""
    groups = ['<g id="a0"><rect width="1" height="1"/></g>']
    for level in range(1, 10):
        groups.append(f'<g id="a{level}">' + f'<use href="#a{level - 1}"/>' * 10 + "</g>")
    return svg("<defs>" + "".join(groups) + '</defs><use href="#a9"/>')


def test_use_bomb(tmp_path: Path):
    data = use_bomb()
    assert len(data) < 2500
    assert messages(data) == ["expands to more than 20000 elements through <use>"]
    with pytest.raises(ValueError, match="through <use>"):
        clean_svg(data)
    with pytest.raises(LayoutError) as error:  # refused by the fetcher, never laid out
        lay_out(tmp_path, data)
    assert any("expands to more than" in problem for problem in error.value.problems)


@pytest.mark.parametrize(
    ("tag", "attribute"),
    [("clipPath", "clip-path"), ("mask", "mask"), ("pattern", "fill"), ("marker", "marker-mid")],
)
def test_reference_bombs(tag: str, attribute: str):
    """Clip paths, masks and markers that draw the previous level ten times (each of these
    keeps WeasyPrint 70 busy for minutes)."""
    levels = [f'<{tag} id="p0"><rect width="1" height="1"/></{tag}>']
    points = " ".join(f"{n} {n}" for n in range(10))
    for level in range(1, 8):
        if tag == "marker":
            inner = f'<polyline points="{points}" marker-mid="url(#p{level - 1})"/>'
        else:
            inner = f'<rect width="1" height="1" {attribute}="url(#p{level - 1})"/>' * 10
        levels.append(f'<{tag} id="p{level}">{inner}</{tag}>')
    shape = '<polyline points="1 1 2 2 3 3"' if tag == "marker" else '<rect width="9" height="9"'
    data = svg("<defs>" + "".join(levels) + f'</defs>{shape} {attribute}="url(#p7)"/>')
    assert messages(data) == [
        "expands to more than 20000 elements through clip paths, masks, patterns or markers"
    ]


def test_use_cycle():
    data = svg('<g id="a">\n<use href="#b"/></g>\n<g id="b"><use xlink:href="#a"/></g>')
    assert svg_problems(data) == [SvgProblem("has a <use> cycle through '#a'", 4)]
    assert messages(svg('<g id="a"><use href="#a"/></g>')) == ["has a <use> cycle through '#a'"]
    clip = svg('<clipPath id="c"><rect width="1" height="1" clip-path="url(#c)"/></clipPath>')
    assert messages(clip) == ["has a cycle of references through 'url(#c)'"]
    with pytest.raises(ValueError, match="cycle"):
        clean_svg(data)


def test_style_import(http_trap):
    data = svg(f"<style>@import url({http_trap.url}/x.css); rect {{ fill: red }}</style>")
    assert messages(data) == [
        "has a CSS @import",
        f"refers to '{http_trap.url}/x.css' outside the file",
    ]
    cleaned = assert_clean(data)
    assert b"<style/>" in cleaned  # the element stays empty: its text was not safe
    escaped = svg(r"<style>@\69mport 'x.css'; a { b\61ckground: \75rl(http://x/y) }</style>")
    assert messages(escaped) == ["has a CSS @import", "refers to 'http://x/y' outside the file"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('<rect style="fill: url(http://x/p.svg#g)"/>', "refers to 'http://x/p.svg#g' outside"),
        ("<rect fill=\"url('file:///etc/passwd')\"/>", "refers to 'file:///etc/passwd' outside"),
        ('<rect style="width: expression(alert(1))"/>', "has a CSS expression()"),
        ("<style>rect { fill: image-set('x.png' 1x) }</style>", "has a CSS image-set()"),
        ("<style>/**/@import 'a.css';</style>", "has a CSS @import"),
        ('<rect style="fill: url(#gradient)"/>', None),
    ],
)
def test_css_in_attributes_and_style(body: str, message: str | None):
    found = messages(svg(body))
    if message is None:
        assert found == []
    else:
        assert found and found[0].startswith(message)
        assert_clean(svg(body))


@pytest.mark.parametrize(
    ("data", "message", "line"),
    [
        (b"<svg xmlns='http://www.w3.org/2000/svg'>\n<g>\n</svg>", "is not well-formed XML", 3),
        (b"", "is not well-formed XML", 1),
        (b"<html><body/></html>", "is not an SVG file (its root element is <html>)", 1),
        (b"<svg><rect/></svg>", "is not an SVG file (its root element is <svg>)", 1),
        (svg('<?xml-stylesheet href="http://x/y.css"?>'), "has a processing instruction", 2),
        (svg("<iframe/>"), "has a <iframe> element", 2),
        (svg('<handler type="application/ecmascript"/>'), "has a <handler> element", 2),
    ],
)
def test_not_svg_or_not_allowed(data: bytes, message: str, line: int):
    problem = svg_problems(data)[0]
    assert problem.message.startswith(message)
    assert problem.line == line


def test_size_limits():
    assert messages(b" " * (10 * 1024 * 1024 + 1)) == ["is larger than 10 MB"]
    crowd = svg("<g/>" * (MAX_ELEMENTS + 1))
    assert messages(crowd) == [f"has more than {MAX_ELEMENTS} elements ({MAX_ELEMENTS + 2})"]
    with pytest.raises(ValueError, match="more than"):
        clean_svg(crowd)


def test_editor_metadata_is_dropped_not_refused():
    data = svg(
        '<metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="http://example.org/"/></rdf:RDF></metadata>'
        '<sodipodi:namedview xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"'
        ' pagecolor="#fff"/>'
        '<g xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" inkscape:label="L"'
        ' id="layer1"><path d="M0 0 L1 1" style="stroke:#000"/></g>'
    )
    assert svg_problems(data) == []
    cleaned = assert_clean(data)
    assert b"rdf" not in cleaned and b"sodipodi" not in cleaned and b"inkscape" not in cleaned
    assert b'<g id="layer1"><path d="M0 0 L1 1" style="stroke:#000"/></g>' in cleaned


def test_dropped_element_keeps_following_text():
    data = svg("<text>Hello <script>x()</script>world <tspan>!</tspan></text>")
    assert b"<text>Hello world <tspan>!</tspan></text>" in clean_svg(data)


# Every real figure passes, and is unchanged by cleaning ----------------------------------


def structure(data: bytes) -> list[tuple[str, dict[str, str], str, str]]:
    """Tag, attributes, text and tail of every element outside metadata namespaces."""
    root = etree.fromstring(data, etree.XMLParser(remove_comments=True))
    found = []
    for element in root.iter(etree.Element):
        if etree.QName(element).namespace in METADATA_NAMESPACES:
            continue
        attributes = {
            name: value
            for name, value in element.attrib.items()
            if etree.QName(name).namespace not in METADATA_NAMESPACES
        }
        found.append((element.tag, attributes, element.text or "", element.tail or ""))
    return found


@pytest.mark.parametrize("path", FIGURES, ids=lambda path: path.name)
def test_figures_pass_and_keep_every_element(path: Path):
    data = path.read_bytes()
    assert svg_problems(data) == []
    cleaned = clean_svg(data)
    original, kept = structure(data), structure(cleaned)
    # the same elements, attributes and text; <metadata> loses only its RDF children
    assert [(tag, attributes) for tag, attributes, _, _ in kept] == [
        (tag, attributes) for tag, attributes, _, _ in original
    ]
    assert [text.strip() for *_, text, _ in kept] == [text.strip() for *_, text, _ in original]


def pdf_streams(data: bytes) -> list[bytes]:
    """Every stream WeasyPrint draws for ``data`` as an ``<img>`` (page and form contents)."""
    import weasyprint

    uri = "data:image/svg+xml;base64," + base64.b64encode(data).decode()
    pdf = weasyprint.HTML(string=f'<img src="{uri}" alt="x">').write_pdf()
    streams: list[bytes] = []
    seen: set[int] = set()

    def walk(value: object) -> None:
        value = value.get_object() if hasattr(value, "get_object") else value
        if id(value) in seen:
            return
        seen.add(id(value))
        if isinstance(value, pypdf.generic.StreamObject):
            streams.append(value.get_data())
        if isinstance(value, dict):
            for key, item in value.items():
                if key != "/Parent":
                    walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(pypdf.PdfReader(io.BytesIO(pdf)).pages[0])
    return streams


@pytest.mark.parametrize("path", FIGURES[:3] + FIGURES[-1:], ids=lambda path: path.name)
def test_figures_print_the_same_after_cleaning(path: Path):
    data = path.read_bytes()
    assert pdf_streams(clean_svg(data)) == pdf_streams(data)


# Both editions publish cleaned SVG ----------------------------------------------------------

ATTACK = svg(
    '<script>alert(1)</script><g onmouseover="alert(2)"><rect width="4" height="4"/></g>'
    '<a xlink:href="javascript:alert(3)"><text>x</text></a>'
    '<image href="https://evil.example/x.png"/><foreignObject><div/></foreignObject>'
    "<style>@import 'https://evil.example/x.css';</style>"
)


def test_web_image_publishes_cleaned_svg(tmp_path: Path):
    path = tmp_path / "attack.svg"
    path.write_bytes(ATTACK)
    image = web_image(path, "figures/attack.svg")
    assert list(image.files) == ["figures/attack.svg"]
    published = image.files["figures/attack.svg"]
    assert published == assert_clean(ATTACK)
    assert b"<rect" in published and b"alert" not in published


def test_print_lays_out_cleaned_svg(tmp_path: Path, http_trap):
    attack = ATTACK.replace(b"https://evil.example", http_trap.url.encode())
    typesetter, pdf = lay_out(tmp_path, attack)
    assert http_trap.requests == [] and typesetter.fetcher.refused == []
    assert pypdf.PdfReader(io.BytesIO(pdf)).pages


def test_check_refuses_unsafe_figure_at_its_reference(mini: Path, capsys):
    (mini / "chapters" / "figures" / "range.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>',
        "utf-8",
    )
    status = main(["-C", str(mini), "check"])
    captured = capsys.readouterr()
    output = captured.out + captured.err
    assert status == 1
    line = next(line for line in output.splitlines() if "image-unreadable" in line)
    assert re.search(r"chapters/01-dens\.md:\d+", line), output
    assert "is not safe: has an event handler attribute 'onload' (line 1)" in output


# Property: whatever is pieced together, the cleaned file has no problem left -----------------

PIECES = [
    '<rect width="4" height="4" fill="#abc"/>',
    '<g id="g1" transform="translate(1 2)">',
    "</g>",
    '<use href="#g1" x="3"/>',
    "<script>alert(1)</script>",
    '<circle r="2" onclick="alert(1)"/>',
    '<a href="javascript:alert(1)">',
    '<a xlink:href="#g1">',
    "</a>",
    '<image href="file:///etc/passwd"/>',
    f'<image href="{PNG}"/>',
    "<style>@import url(http://x/y.css);</style>",
    "<style>rect{fill:url(#g1)}</style>",
    '<rect style="fill:url(http://x/#p)"/>',
    "<foreignObject><p xmlns='http://www.w3.org/1999/xhtml'>x</p></foreignObject>",
    '<set attributeName="href" to="javascript:alert(1)"/>',
    '<animate attributeName="opacity" to="0"/>',
    '<x:evil xmlns:x="http://evil.example/ns"><rect/></x:evil>',
    '<text>T &amp; <tspan font-weight="bold">t</tspan></text>',
    "<?xml-stylesheet href='http://x/y.css'?>",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=12))
def test_cleaned_output_never_has_problems(pieces: list[str]):
    data = svg("".join(pieces))
    try:
        cleaned = clean_svg(data)
    except ValueError:
        assert svg_problems(data)  # only refused files are not cleaned
        return
    assert svg_problems(cleaned) == []
    assert clean_svg(cleaned) == cleaned
    text = without_namespaces(cleaned)
    assert "script" not in text and "http:" not in text and "file:" not in text


# A browser runs the attack from the raw file, and nothing from the cleaned one ---------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium")
def test_browser_runs_nothing_from_cleaned_svg(tmp_path: Path):
    mark = "document.documentElement.setAttribute"
    attack = (
        f"<svg xmlns=\"{SVG_NS}\" onload=\"{mark}('data-onload', 'ran')\">"
        f"<script>{mark}('data-script', 'ran')</script>"
        '<rect width="4" height="4"/></svg>'
    ).encode()

    def dom(data: bytes, name: str) -> str:
        path = tmp_path / name
        path.write_bytes(data)
        result = subprocess.run(
            [CHROMIUM or "", "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom"]
            + [path.as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        return result.stdout

    raw = dom(attack, "raw.svg")
    if "data-script" not in raw:
        pytest.skip("this Chromium did not run the unsanitised SVG either")
    cleaned = dom(clean_svg(attack), "clean.svg")
    assert "<rect" in cleaned and "ran" not in cleaned
