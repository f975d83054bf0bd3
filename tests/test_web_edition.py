"""The HTML edition of the miniature project: indexer metadata, links and anchors, HTML validity
(Nu HTML Checker), accessibility (axe-core in headless Chromium) and a real browser session
(Playwright driving Debian's Chromium against the local server).

The tools are installed by .ci/run; locally the tests skip when they are absent, in CI they fail.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import threading
from html.parser import HTMLParser
from pathlib import Path

import pytest
from lxml import html as lxml_html

from pica_publish.serve import make_server
from tests.conftest import require

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / ".ci" / "node" / "node_modules"
VNU = NODE / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = NODE / "axe-core" / "axe.min.js"


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
        "assets/cover.jpg",
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


# --- weight and reading: fonts, section links, the Cite block, the measure ----------------------


def test_the_site_ships_fonts_as_woff2_subsets_only(site):
    fonts = sorted((site / "assets" / "fonts").iterdir())
    assert fonts and all(f.suffix == ".woff2" for f in fonts), [f.name for f in fonts]
    assert not list(site.rglob("*.ttf")) and not list(site.rglob("*.otf"))
    assert sum(f.stat().st_size for f in fonts) < 600_000  # the whole TTFs: 8.7 MB
    css = (site / "assets" / "style.css").read_text("utf-8")
    assert css.count("font-display: swap;") == css.count("@font-face {")
    page = lxml_html.parse(str(site / "dens" / "index.html")).getroot()
    preloads = page.xpath("//head/link[@rel='preload']")
    assert {link.get("href").rsplit("/", 1)[1].split("-")[0] for link in preloads} == {
        "NotoSerif",
        "NotoSans",
    }
    for link in preloads:
        assert link.get("as") == "font" and link.get("type") == "font/woff2"
        assert link.get("crossorigin") is not None  # fonts are fetched in CORS mode
        assert (site / "dens" / link.get("href")).resolve().is_file()
        assert link.get("href").removeprefix("../assets/") in css  # the stylesheet's own file


def test_every_heading_of_an_article_has_an_id_once(site):
    for article in ("editorial", "dens", "strategy"):
        page = lxml_html.parse(str(site / article / "index.html")).getroot()
        headings = page.xpath("//article//*[self::h2 or self::h3 or self::h4 or self::h5]")
        assert headings and all(h.get("id") for h in headings), article
        ids = page.xpath("//@id")
        assert len(ids) == len(set(ids)), article
    page = lxml_html.parse(str(site / "dens" / "index.html")).getroot()
    (dens,) = page.xpath("//h2[@id='dens-sec:dens']")  # the author's {#sec:dens}
    assert dens.text_content() == "Dens"
    assert page.xpath("//h2[@id='dens-home-ranges']")[0].text_content() == "Home ranges"


def test_the_search_index_splits_articles_at_their_headings(site):
    from tests.attacks.test_search import fragments

    index = {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in (site / "pagefind").rglob("*")
        if p.is_file()
    }
    (dens,) = [f for f in fragments(index) if f["url"].endswith("/dens/index.html")]
    anchors = [(a["element"], a["id"]) for a in dens["anchors"] if a["element"] != "span"]
    assert ("h2", "dens-sec:dens") in anchors and ("h2", "dens-home-ranges") in anchors
    assert ("h2", "abstract") in anchors
    assert "cite" not in {a["id"] for a in dens["anchors"]}  # the Cite block is not indexed
    words = dens["content"].split()
    # "marmot" comes after the Dens heading, not in the abstract's part of the page
    (abstract,) = [a for a in dens["anchors"] if a["id"] == "abstract"]
    (section,) = [a for a in dens["anchors"] if a["id"] == "dens-sec:dens"]
    marmot = next(i for i, w in enumerate(words) if w.startswith("marmot"))
    assert abstract["location"] < section["location"] <= marmot


def test_article_pages_offer_the_citation_and_its_files(site, built):
    import bibtexparser

    page = lxml_html.parse(str(site / "dens" / "index.html")).getroot()
    (block,) = page.xpath("//section[@class='cite-as']")
    assert block.get("data-pagefind-ignore") is not None
    assert block.xpath("h2")[0].text == "Cite this article"
    (text,) = block.xpath("p[@class='citation-text']")
    assert " ".join(text.text_content().split()).startswith("Петрова А. С., Tsend B. & Öztürk G.")
    links = {a.text: a for a in block.xpath(".//a[@download]")}
    assert set(links) == {"BibTeX", "RIS"}
    assert links["BibTeX"].get("download") == "catnews99dens.bib"
    assert links["RIS"].get("download") == "catnews99dens.ris"
    # the same entry as the issue's files (one exporter, one record)
    bib = (site / "dens" / links["BibTeX"].get("href")).read_text("utf-8")
    (entry,) = bibtexparser.parse_string(bib).entries
    issue = bibtexparser.parse_string((built / "build/metadata/issue.bib").read_text("utf-8"))
    (same,) = [e for e in issue.entries if e.key == entry.key]
    assert entry.key == "catnews99dens" and entry.fields_dict.keys() == same.fields_dict.keys()
    assert {k: f.value for k, f in entry.fields_dict.items()} == {
        k: f.value for k, f in same.fields_dict.items()
    }
    ris = (site / "dens" / links["RIS"].get("href")).read_bytes().decode("utf-8")
    issue_ris = (built / "build/metadata/issue.ris").read_bytes().decode("utf-8")
    records = [r.lstrip("\r\n") + "ER  - \r\n" for r in issue_ris.split("ER  - \r\n")]
    assert ris in records and ris.count("TY  - ") == 1
    assert "DO  - 10.5555/catnews.si99.dens" in ris


def transferred(requests) -> list[tuple[str, str, int]]:
    """(resource type, URL, bytes on the wire: headers and encoded body) of each request."""
    rows = []
    for request in requests:
        sizes = request.sizes()
        rows.append(
            (
                request.resource_type,
                request.url,
                sizes["responseHeadersSize"] + sizes["responseBodySize"],
            )
        )
    return rows


@pytest.mark.parametrize("width", [375, 1280])
def test_an_article_page_first_load_is_under_400_kb_without_its_figures(browser, server, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    tab = context.new_page()
    finished = []
    tab.on("requestfinished", lambda request: finished.append(request))
    tab.goto(f"{server}/dens/index.html", wait_until="networkidle")
    assert tab.evaluate("document.fonts.ready.then(() => document.fonts.status)") == "loaded"
    tab.wait_for_load_state("networkidle")
    rows = transferred(finished)
    counted = [r for r in rows if not (r[0] == "image" and "/figures/" in r[1])]
    total = sum(size for _, _, size in counted)
    print(f"\nfirst load of dens/ at {width} px: {total / 1000:.1f} kB without figures")
    for kind, url, size in sorted(counted, key=lambda r: -r[2]):
        print(f"  {size / 1000:8.1f} kB  {kind:10} {url.removeprefix(server)}")
    assert [u for k, u, _ in counted if k == "font" and not u.endswith(".woff2")] == []
    assert any(kind == "font" for kind, _, _ in counted)  # the fonts are counted
    assert total < 400_000
    context.close()


def test_search_results_link_to_the_section_of_the_hit(page, server):
    page.goto(f"{server}/search/index.html")
    page.fill(".pagefind-ui__search-input", "marmot burrows")
    page.wait_for_selector(".pagefind-ui__result-nested .pagefind-ui__result-link", timeout=15000)
    nested = page.eval_on_selector_all(
        ".pagefind-ui__result-nested .pagefind-ui__result-link",
        "links => links.map(a => [a.textContent.trim(), a.getAttribute('href')])",
    )
    assert ["Dens", "/mini/dens/index.html#dens-sec:dens"] in [list(n) for n in nested], nested
    assert "Abstract" not in [title for title, _ in nested]
    page.click(".pagefind-ui__result-nested .pagefind-ui__result-link >> text=Dens")
    page.wait_for_url("**/dens/index.html#dens-sec:dens")
    assert page.evaluate("decodeURIComponent(location.hash)") == "#dens-sec:dens"
    assert page.is_visible("h2[id='dens-sec:dens']")
    assert page.problems == []


def test_the_copy_button_copies_the_suggested_citation(browser, server):
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    tab = context.new_page()
    errors = []
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.goto(f"{server}/dens/index.html")
    tab.click("button.copy-citation")
    tab.wait_for_selector(".copy-status:has-text('Copied')")
    copied = tab.evaluate("navigator.clipboard.readText()")
    shown = tab.eval_on_selector(".cite-as .citation-text", "p => p.textContent")
    assert copied == " ".join(shown.split())
    assert copied.startswith("Петрова А. С.") and copied.endswith("catnews.si99.dens")
    assert errors == []
    context.close()


MEASURE_SCRIPT = """
(paragraph) => {
  // characters on each line of a paragraph, read from the browser's own line boxes
  const lines = [];
  let top = null;
  const range = document.createRange();
  const walker = document.createTreeWalker(paragraph, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (let i = 0; i < node.length; i++) {
      range.setStart(node, i);
      range.setEnd(node, i + 1);
      const rect = range.getClientRects()[0];
      if (!rect) continue;
      if (top === null || rect.top > top + rect.height / 2) {
        lines.push(0);
        top = rect.top;
      }
      lines[lines.length - 1] += 1;
    }
  }
  return lines;
}
"""


def test_body_text_is_set_to_a_measure_of_65_to_75_characters(page, server):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{server}/dens/index.html")
    # a long paragraph of the article's own text, set where the body's paragraphs are
    text = " ".join(
        page.eval_on_selector_all(".article-body p", "ps => ps.map(p => p.textContent)")
    )
    handle = page.evaluate_handle(
        "text => { const p = document.createElement('p'); p.textContent = text;"
        " document.querySelector('.article-body').append(p); return p; }",
        " ".join([text] * 3),
    )
    lines = page.evaluate(MEASURE_SCRIPT, handle)[:-1]  # the last line is short
    average = sum(lines) / len(lines)
    print(f"\nmeasure at 1280 px: {average:.1f} characters a line over {len(lines)} lines")
    assert len(lines) >= 10
    assert 65 <= average <= 75, lines
