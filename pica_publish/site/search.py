"""Full-text search that works on any static host: a Pagefind index (pagefind[bin] from PyPI)
built from the finished pages in memory, served with the site. No server, no other host."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from pagefind.index import IndexConfig, PagefindIndex


def search_index(pages: dict[str, str], language: str) -> dict[str, bytes]:
    """``pages``: site path → HTML. Returns the index files, by path under ``pagefind/``."""

    async def build() -> dict[str, bytes]:
        config = IndexConfig(force_language=language.split("-")[0], root_selector="main")
        async with PagefindIndex(config=config) as index:
            for path, html in sorted(pages.items()):
                await index.add_html_file(content=html, url="/" + path)
            files = await index.get_files()
        return {f"pagefind/{f['path']}": bytes(f["content"]) for f in files}

    # Pagefind's client is asynchronous; run it on its own thread so that this works whether or
    # not the caller already runs an event loop (a test browser, a notebook).
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, build()).result()
