"""The HTML edition of the miniature project: indexer metadata, links and anchors, HTML validity
(Nu HTML Checker), accessibility (axe-core in headless Chromium) and a real browser session
(Playwright driving Debian's Chromium against the local server).

The tools are installed by .ci/run; locally the tests skip when they are absent, in CI they fail.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import threading
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pica_publish.serve import make_server

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / ".ci" / "node" / "node_modules"
VNU = NODE / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = NODE / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def require(condition: bool, what: str) -> None:
    if not condition:
        if os.environ.get("CI"):
            pytest.fail(f"{what} is missing: .ci/run installs it")
        pytest.skip(f"{what} not installed (run .ci/run once)")


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: list[tuple[str, str]] = []
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.jsonld: list[str] = []
        self._in_jsonld = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "id" in attributes:
            self.ids.add(attributes["id"])
        if tag == "meta" and ("name" in attributes or "property" in attributes):
            self.meta.append(
                (attributes.get("name") or attributes["property"], attributes["content"])
            )
        is_stylesheet = tag == "link" and attributes.get("rel") == "stylesheet"
        for key in ("href", "src"):
            if attributes.get(key) and (tag != "link" or is_stylesheet):
                self.links.append(attributes[key])
        self._in_jsonld = tag == "script" and attributes.get("type") == "application/ld+json"

    def handle_data(self, data):
        if self._in_jsonld:
            self.jsonld.append(data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_jsonld = False


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text("utf-8"))
    return page


@pytest.fixture(scope="session")
def site(built: Path) -> Path:
    return built / "build" / "html"


def test_site_has_every_page(site):
    for name in [
        "index.html",
        "404.html",
        "authors/index.html",
        "search/index.html",
        "editorial/index.html",
        "dens/index.html",
        "strategy/index.html",
        "robots.txt",
        "sitemap.xml",
        "assets/cover.png",
        "pdf/catnews-special-issue-99.pdf",
        "pdf/offprints/dens.pdf",
        "pagefind/pagefind-ui.js",
    ]:
        assert (site / name).is_file(), name
    assert "Sitemap: https://example.org/mini/sitemap.xml" in (site / "robots.txt").read_text()
    sitemap = (site / "sitemap.xml").read_text()
    assert "<loc>https://example.org/mini/dens/</loc>" in sitemap
    assert "<loc>https://example.org/mini/</loc>" in sitemap


def test_highwire_dublin_core_open_graph_and_json_ld(site, built):
    page = parse(site / "dens" / "index.html")
    meta: dict[str, list[str]] = {}
    for name, content in page.meta:
        meta.setdefault(name, []).append(content)
    pages = json.loads((built / "build/pagemap.json").read_text())["dens"]
    assert meta["citation_title"] == ["Dens and home ranges of the Pallas’s cat"]
    assert meta["citation_author"] == [
        "Петрова, Анна Сергеевна",
        "Tsend, Batbayar",
        "Öztürk, Gülşen",
    ]
    assert meta["citation_author_orcid"] == ["https://orcid.org/0000-0002-1825-0097"]
    assert len(meta["citation_author_institution"]) == 4
    assert meta["citation_journal_title"] == ["CATnews"] and meta["citation_issn"] == ["1027-2992"]
    assert meta["citation_issue"] == ["Special Issue 99"]
    assert meta["citation_firstpage"] == [str(pages["first"])]
    assert meta["citation_lastpage"] == [str(pages["last"])]
    assert meta["citation_publication_date"] == ["2026/09/01"]
    assert meta["citation_pdf_url"] == ["https://example.org/mini/pdf/offprints/dens.pdf"]
    assert meta["citation_doi"] == ["10.5555/catnews.si99.dens"]
    assert meta["citation_language"] == ["en"]
    assert meta["citation_keywords"] == ["Otocolobus manul; dens; home range"]
    assert len(meta["citation_reference"]) == 2
    assert "citation_doi=10.1139/Z10-056" in meta["citation_reference"][0]
    assert meta["DC.creator"][0] == "Анна Сергеевна Петрова"
    assert meta["og:type"] == ["article"] and meta["og:url"] == ["https://example.org/mini/dens/"]
    data = json.loads(page.jsonld[0])
    assert data["@type"] == "ScholarlyArticle" and data["pageStart"] == pages["first"]
    assert data["isPartOf"]["@type"] == "PublicationIssue"
    assert data["isPartOf"]["isPartOf"]["issn"] == "1027-2992"
    assert data["author"][0]["identifier"] == "https://orcid.org/0000-0002-1825-0097"
    landing = json.loads(parse(site / "index.html").jsonld[0])
    assert (
        landing["@type"] == "PublicationIssue"
        and landing["identifier"]["value"] == "10.5555/catnews.si99"
    )


def test_every_internal_link_and_anchor_resolves(site):
    for path in sorted(site.rglob("*.html")):
        if path.name == "404.html":
            continue  # links from the site root, wherever the 404 page is shown
        page = parse(path)
        for link in page.links:
            if re.match(r"^[a-z]+:", link):
                assert link.startswith(("https://orcid.org/", "https://doi.org/", "mailto:")), (
                    path,
                    link,
                )
                continue
            target, _, fragment = link.partition("#")
            file = (path.parent / target).resolve() if target else path
            if file.is_dir():
                file = file / "index.html"
            assert file.is_file(), f"{path.relative_to(site)}: broken link {link}"
            if fragment:
                assert fragment in parse(file).ids, f"{path.relative_to(site)}: no #{fragment}"


def test_references_link_back_to_their_citations(site):
    html = (site / "dens" / "index.html").read_text()
    assert 'id="dens-cite-1"' in html
    assert re.search(r'id="dens-ref-ross2010den".*?<a href="#dens-cite-1"', html, re.DOTALL)


def test_pages_are_valid_html5(site):
    require(
        VNU.is_file() and shutil.which("java") is not None, "the Nu HTML Checker (vnu-jar) or Java"
    )
    pages = [str(p) for p in sorted(site.rglob("*.html"))]
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *pages],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    assert [f"{m.get('url')}: {m.get('message')}" for m in messages] == []


@pytest.fixture(scope="session")
def server(site: Path, tmp_path_factory: pytest.TempPathFactory):
    # Served under the base URL's path (/mini/), as a static host would serve the site.
    host_root = tmp_path_factory.mktemp("host")
    (host_root / "mini").symlink_to(site, target_is_directory=True)
    httpd = make_server(host_root, 0, None)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/mini"
    httpd.shutdown()


@pytest.fixture(scope="session")
def browser():
    require(CHROMIUM is not None, "Chromium")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):
    context = browser.new_context()
    tab = context.new_page()
    tab.problems = []  # console errors, failed requests, requests to other hosts
    tab.on("console", lambda m: m.type == "error" and tab.problems.append(f"console: {m.text}"))
    tab.on("pageerror", lambda e: tab.problems.append(f"page error: {e}"))
    # A request the browser itself abandons because the page navigated on (a favicon or font
    # still loading when a link is clicked) is not a fault of the site.
    tab.on(
        "requestfailed",
        lambda r: (
            "ERR_ABORTED" in (r.failure or "")
            or tab.problems.append(f"failed: {r.url} ({r.failure})")
        ),
    )
    tab.on(
        "response", lambda r: r.status >= 400 and tab.problems.append(f"HTTP {r.status}: {r.url}")
    )
    origin = server.rsplit("/mini", 1)[0]
    tab.on(
        "request",
        lambda r: (
            r.url.startswith(origin)
            or r.url.startswith("data:")
            or tab.problems.append(f"external request: {r.url}")
        ),
    )
    yield tab
    context.close()


def test_reader_journey_in_a_real_browser(page, server):
    page.goto(f"{server}/index.html")
    assert "A miniature test issue" in page.title()
    page.click("text=Dens and home ranges of the Pallas’s cat")
    page.wait_for_url("**/dens/index.html")
    page.click("a[href='#dens-ref-ross2010den']")
    assert page.evaluate("location.hash") == "#dens-ref-ross2010den"
    assert page.is_visible("#dens-ref-ross2010den")
    page.goto(f"{server}/search/index.html")
    page.fill(".pagefind-ui__search-input", "marmot burrows")
    result = page.wait_for_selector(".pagefind-ui__result-link", timeout=15000)
    assert "dens/" in result.get_attribute("href"), result.get_attribute("href")
    page.click(".pagefind-ui__result-link")
    page.wait_for_url("**/dens/**")
    assert page.problems == []


@pytest.mark.parametrize(
    "path", ["index.html", "dens/index.html", "authors/index.html", "search/index.html", "404.html"]
)
@pytest.mark.parametrize("width", [375, 1280])
def test_no_accessibility_violations(page, server, path, width):
    require(AXE.is_file(), "axe-core")
    page.set_viewport_size({"width": width, "height": 900})
    # axe is served from the site's own origin: the pages' Content-Security-Policy refuses
    # inline and third-party scripts, and the test keeps that policy on.
    page.route("**/__axe.min.js", lambda route: route.fulfill(path=str(AXE)))
    page.goto(f"{server}/{path}")
    page.add_script_tag(url=f"{server}/__axe.min.js")
    results = page.evaluate(
        "async () => (await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})).violations"
        ".map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"
    )
    assert results == []
    assert page.problems == []
