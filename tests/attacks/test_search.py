"""The search indexer takes pages of any size and any shape, in bounded time, deterministically.

A long appendix (~3 MB of HTML in one article) once hung the build for ever: pagefind's Python
client could not read back an index larger than 2 MiB. Pagefind's files are gzip-compressed with
a ``pagefind_dcd`` header; fragments are JSON (URL, title, text), word indexes CBOR (the stemmed
words are plain UTF-8 inside).
"""

from __future__ import annotations

import gzip
import json
import os
import random
import stat
from pathlib import Path

import pytest

from pica_publish.site import search
from pica_publish.site.search import search_index

SYLLABLES = ["ba", "ko", "ri", "tu", "ne", "sa", "mi", "lo", "da", "fe", "gu", "po"]


def decoded(data: bytes) -> bytes:
    raw = gzip.decompress(data)
    assert raw.startswith(b"pagefind_dcd"), raw[:20]
    return raw[len(b"pagefind_dcd") :]


def fragments(index: dict[str, bytes]) -> list[dict]:
    return [
        json.loads(decoded(data))
        for name, data in sorted(index.items())
        if name.startswith("pagefind/fragment/")
    ]


def words_index(index: dict[str, bytes]) -> bytes:
    return b"".join(
        decoded(data) for name, data in index.items() if name.startswith("pagefind/index/")
    )


def page(body: str, title: str = "A page") -> str:
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"</head><body><nav>menu</nav><main><h1>{title}</h1>{body}</main></body></html>"
    )


def appendix(megabytes: float) -> tuple[str, list[str]]:
    """A long article of paragraphs of varied made-up words (unchanged by English stemming)."""
    rng = random.Random(7)
    vocabulary = sorted(
        {"".join(rng.choice(SYLLABLES) for _ in range(3)) + "k" for _ in range(6000)}
    )
    paragraphs, size = [], 0
    while size < megabytes * 1_000_000:
        paragraph = "<p>" + " ".join(rng.choice(vocabulary) for _ in range(90)) + ".</p>\n"
        paragraphs.append(paragraph)
        size += len(paragraph)
    # Words seen once only, at the start, the middle and the very end of the article.
    markers = ["zyxqobegink", "zyxqomiddlek", "zyxqofinalk"]
    paragraphs.insert(0, f"<p>{markers[0]}</p>")
    paragraphs.insert(len(paragraphs) // 2, f"<p>{markers[1]}</p>")
    paragraphs.append(f"<p>{markers[2]}</p>")
    return page("".join(paragraphs), "Appendix"), markers


SMALL_SITE = {
    "index.html": page("<p>Landing page of the issue</p>", "Issue"),
    "dens/index.html": page(
        '<h2 id="burrows">Burrows</h2><p>marmot burrows used by manul</p>', "Dens"
    ),
    "authors/index.html": page("<p>Петрова Анна and Öztürk</p>", "Authors"),
}


def test_a_three_megabyte_article_is_indexed(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    html, markers = appendix(3)
    assert len(html) > 3_000_000
    index = search_index({"appendix/index.html": html, **SMALL_SITE}, "en")
    (fragment,) = [f for f in fragments(index) if f["url"] == "/appendix/index.html"]
    assert fragment["meta"]["title"] == "Appendix"
    words = words_index(index)
    for marker in markers:
        assert marker in fragment["content"]
        assert marker.encode() in words, f"{marker} is not in the word index"
    assert b"marmot" in words  # the other pages are indexed too
    assert list(tmp_path.iterdir()) == [], "the indexer wrote into the current folder"


def test_urls_and_file_set_are_those_the_site_expects():
    index = search_index(SMALL_SITE, "en-GB")
    assert list(index) == sorted(index)
    assert {"pagefind/pagefind-entry.json", "pagefind/pagefind.js", "pagefind/pagefind-ui.js"} <= (
        set(index)
    )
    assert json.loads(index["pagefind/pagefind-entry.json"])["languages"].keys() == {"en"}
    urls = sorted(f["url"] for f in fragments(index))
    assert urls == ["/authors/index.html", "/dens/index.html", "/index.html"]
    (dens,) = [f for f in fragments(index) if f["url"] == "/dens/index.html"]
    assert "menu" not in dens["content"]  # only <main> is indexed
    assert dens["anchors"][0]["id"] == "burrows"


def test_two_runs_give_the_same_bytes_whatever_the_order_of_the_pages():
    first = search_index(SMALL_SITE, "en")
    second = search_index(dict(reversed(list(SMALL_SITE.items()))), "en")
    assert first == second
    assert list(first) == list(second)


def test_configuration_from_the_folder_or_environment_is_ignored(tmp_path, monkeypatch):
    expected = search_index(SMALL_SITE, "en")
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pagefind.yml").write_text("root_selector: nav\nkeep_index_url: false\n")
    monkeypatch.setenv("PAGEFIND_ROOT_SELECTOR", "nav")
    monkeypatch.setenv("PAGEFIND_FORCE_LANGUAGE", "de")
    assert search_index(SMALL_SITE, "en") == expected
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pagefind.yml"]


@pytest.mark.parametrize(
    "html",
    [
        "<html><body><p>no main element at all</p></body></html>",
        "<html><body></main><main><p>stray</main></main> closing</p></main></body></html>",
        "<main><main>nested <main>mains</main></main>",
        "<main>" + "<div>" * 5000 + "deep" + "</div>" * 10 + "</body>",
        "\x00\x01 <<<>>> &#0; &#xD800; <main",
        "",
    ],
)
def test_odd_pages_do_not_break_the_indexer(html):
    index = search_index({"odd/index.html": html, **SMALL_SITE}, "en")
    assert "pagefind/pagefind-entry.json" in index
    assert "/dens/index.html" in {f["url"] for f in fragments(index)}


def test_nothing_to_index_still_gives_an_index():
    assert "pagefind/pagefind-entry.json" in search_index({}, "en")


def fake_indexer(tmp_path: Path, script: str) -> str:
    path = tmp_path / "fake-pagefind"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


@pytest.mark.skipif(os.name != "posix", reason="shell-script stand-ins for the binary")
def test_a_hung_indexer_is_stopped_by_the_deadline(tmp_path, monkeypatch):
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", fake_indexer(tmp_path, "exec sleep 600\n"))
    monkeypatch.setattr(search, "BASE_TIMEOUT", 1.0)
    monkeypatch.setattr(search, "TIMEOUT_PER_MB", 0.0)
    with pytest.raises(RuntimeError, match="did not finish within"):
        search_index(SMALL_SITE, "en")


@pytest.mark.skipif(os.name != "posix", reason="shell-script stand-ins for the binary")
@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("echo 'boom \x1b[31m' >&2; exit 3\n", r"exit status 3\): boom +\[31m$"),
        # Reads its stdin in the foreground (a background job's stdin would be /dev/null), so
        # the request is always written before the reply is read.
        ("echo 'not base64!,'; exec cat >/dev/null\n", "unreadable reply"),
    ],
)
def test_a_failing_indexer_raises_a_short_runtime_error(tmp_path, monkeypatch, script, message):
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", fake_indexer(tmp_path, script))
    with pytest.raises(RuntimeError, match=message) as error:
        search_index(SMALL_SITE, "en")
    assert "\x1b" not in str(error.value)
