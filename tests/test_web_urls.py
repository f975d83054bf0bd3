"""Every URL the HTML edition writes is valid and names a file of the site (issue 13).

The sample project gets figures whose names collide (``a/map.png`` and ``b/map.png``, also used
by two chapters) or need escaping (spaces, ``#``, ``%``, ``(``, Cyrillic); the built site is
then read back as a browser would: every ``src``, ``srcset``, ``href`` and CSS ``url()`` must be
a valid URL, and every one that stays on the site must resolve to a file. The sanitiser part:
code keeps its text, whatever URL-like content it holds; only ``href``/``src`` are encoded.
"""

from __future__ import annotations

import re
import shutil
import string
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import tinycss2
from lxml import html as lxml_html
from PIL import Image

from pica_publish.cli import main
from pica_publish.sanitize import sanitize, valid_url
from tests.conftest import PROJECTS, chapter_html

BASE_URL = "https://catnews.example.org/si99/"  # tests/projects/mini/issue.yml
URL_CHARACTERS = set(string.ascii_letters + string.digits + "-._~!$&'()*+,;=:@/?#%")
ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")

FIGURES = {
    "a/map.png": (200, 60, 40),
    "b/map.png": (40, 90, 200),
    "my map #1 (100%).png": (10, 120, 10),
    "карта.png": (150, 150, 20),
}
"""File (under chapters/figures/) → colour: different bytes for each."""
REFERENCES = {
    "a/map.png": "figures/a/map.png",
    "b/map.png": "figures/b/map.png",
    "my map #1 (100%).png": "<figures/my map %231 (100%25).png>",
    "карта.png": "figures/карта.png",
}
"""How the Markdown refers to each file (``#`` and ``%`` escaped, as in any URL)."""


def add_figures(root: Path) -> None:
    folder = root / "chapters" / "figures"
    for name, colour in FIGURES.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (1000, 400), colour).save(folder / name, "PNG")
    figures = "".join(
        f"\n![Figure {name}.]({REFERENCES[name]}){{#fig:f{number}}}\n"
        for number, name in enumerate(FIGURES, 1)
    )
    dens = root / "chapters" / "01-dens.md"
    dens.write_text(dens.read_text("utf-8") + "\n## Maps\n" + figures, "utf-8")
    strategy = root / "chapters" / "02-strategy.md"
    strategy.write_text(
        strategy.read_text("utf-8") + "\n![The other map.](figures/b/map.png){#fig:other}\n",
        "utf-8",
    )


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("urls") / "mini"
    shutil.copytree(PROJECTS / "mini", root, ignore=shutil.ignore_patterns("build"))
    add_figures(root)
    assert main(["-q", "-C", str(root), "build"]) == 0
    return root / "build" / "html"


def page_urls(page: Path) -> list[tuple[str, str]]:
    """(attribute, URL) for every URL of a page: src, href, and each srcset candidate."""
    root = lxml_html.document_fromstring(page.read_bytes())
    found = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for attribute in ("src", "href"):
            if element.get(attribute) is not None:
                found.append((attribute, element.get(attribute)))
        for candidate in (element.get("srcset") or "").split(","):
            if candidate.strip():
                found.append(("srcset", candidate.split()[0]))
    return found


def css_urls(stylesheet: Path) -> list[str]:
    urls = []
    rules = tinycss2.parse_stylesheet(stylesheet.read_text("utf-8"))
    tokens = [token for rule in rules for token in getattr(rule, "content", None) or []]
    while tokens:
        token = tokens.pop()
        if token.type == "url":
            urls.append(token.value)
        elif token.type == "function" and token.lower_name == "url":
            urls += [arg.value for arg in token.arguments if arg.type == "string"]
        tokens += getattr(token, "content", None) or []
    return urls


def is_valid_url(url: str) -> bool:
    return bool(url) and set(url) <= URL_CHARACTERS and not ESCAPE.search(url)


def site_file(site: Path, page_address: str, url: str) -> Path | None:
    """The file of the site that ``url`` (on the page at ``page_address``) names; None when it
    points to another host or is not a web address (mailto:)."""
    absolute = urljoin(page_address, url)
    if not absolute.startswith(BASE_URL):
        return None
    path = unquote(urlsplit(absolute).path)[len(urlsplit(BASE_URL).path) :]
    if path == "" or path.endswith("/"):
        path += "index.html"
    return site / path


def test_every_url_of_the_site_is_valid_and_names_a_file(site: Path):
    checked = 0
    for page in sorted(site.rglob("*.html")):
        address = BASE_URL + page.relative_to(site).as_posix()
        for attribute, url in page_urls(page):
            where = f"{page.relative_to(site)} {attribute}={url!r}"
            assert is_valid_url(url), f"invalid URL: {where}"
            target = site_file(site, address, url)
            if target is not None:
                assert target.is_file(), f"no file for {where}"
                checked += 1
    # Every url() of the stylesheet names a file the site ships (the math font's rule is there
    # only when a page has math).
    for url in css_urls(site / "assets" / "style.css"):
        assert is_valid_url(url), f"invalid URL in style.css: {url!r}"
        assert (site / "assets" / unquote(url)).is_file(), url
        checked += 1
    assert checked > 50


def test_figures_with_one_name_do_not_overwrite_each_other(site: Path):
    page = lxml_html.document_fromstring((site / "dens" / "index.html").read_bytes())
    sources = {img.get("alt"): img.get("src") for img in page.iter("img")}
    published = {name: sources[f"Figure {name}."] for name in FIGURES}
    assert len(set(published.values())) == len(FIGURES)  # four files, four names
    for name, src in published.items():
        with Image.open(site / "dens" / unquote(src)) as image:
            assert image.getpixel((0, 0)) == FIGURES[name], name  # the page shows that file
    # the same file in another chapter: that chapter's folder, the same content name
    other = lxml_html.document_fromstring((site / "strategy" / "index.html").read_bytes())
    (strategy_src,) = [img.get("src") for img in other.iter("img") if img.get("alt")]
    assert strategy_src == published["b/map.png"]
    assert (site / "strategy" / strategy_src).is_file()


# --- the sanitiser: code text is never URL-encoded ----------------------------------------------

CODE = [
    "https:// arxiv.org/abs/2101.00001",
    "see https://arxiv.org/abs/a b and x",
    "a < b && c > d",
    "javascript:alert(1)",
    "100% [x] {y} |z| ^ `",
    "&amp; &lt; %20 %zz",
]


@pytest.mark.parametrize("code", CODE)
def test_code_text_is_never_url_encoded(code: str, tmp_path: Path):
    body = f"Inline `` {code} `` here.\n\n```\n{code}\n```\n\n```python\nx = '{code}'\n```\n"
    html = chapter_html(body, references=[], metadata={}, cache=tmp_path)
    cleaned = sanitize(html, page_url=BASE_URL + "dens/", id_prefix="x-")
    root = lxml_html.fragment_fromstring(cleaned, create_parent="div")
    texts = [code_element.text_content() for code_element in root.iter("code")]
    assert texts == [code, code, f"x = '{code}'"]
    assert "javascript" not in "".join(a.get("href", "") for a in root.iter("a"))


def test_link_targets_and_image_sources_are_encoded_not_their_text():
    html = (
        '<p><a href="https://doi.org/10.1002/(SICI)1097(2002)083[2248:E]2.0.CO;2">'
        "https://doi.org/10.1002/(SICI)1097(2002)083[2248:E]2.0.CO;2</a> "
        '<img src="figures/карта (1).png" alt="a b"> <a href="javascript:alert(1)">x</a></p>'
    )
    root = lxml_html.fragment_fromstring(sanitize(html), create_parent="div")
    (link, script_link) = root.iter("a")
    assert link.get("href") == "https://doi.org/10.1002/(SICI)1097(2002)083%5B2248:E%5D2.0.CO;2"
    assert link.text == "https://doi.org/10.1002/(SICI)1097(2002)083[2248:E]2.0.CO;2"
    assert script_link.get("href") is None
    (image,) = root.iter("img")
    assert image.get("src") == "figures/%D0%BA%D0%B0%D1%80%D1%82%D0%B0%20(1).png"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("figures/my map.png", "figures/my%20map.png"),
        ("figures/a%20b.png", "figures/a%20b.png"),  # escapes stay
        ("100%.png", "100%25.png"),
        ("#sec:dens", "#sec:dens"),
        ("https://x.org/p#a#b", "https://x.org/p#a%23b"),
        ("https://пример.рф/путь", "https://xn--e1afmkfd.xn--p1ai/%D0%BF%D1%83%D1%82%D1%8C"),
        ("mailto:b.tsend@example.org", "mailto:b.tsend@example.org"),
    ],
)
def test_valid_url(url: str, expected: str):
    assert valid_url(url) == expected
    assert is_valid_url(valid_url(url))
