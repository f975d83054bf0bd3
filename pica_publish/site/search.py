"""Full-text search that works on any static host: a Pagefind index (pagefind[bin] from PyPI)
built from the finished pages in memory, served with the site. No server, no other host."""

from __future__ import annotations

import asyncio
import tempfile
from concurrent.futures import ThreadPoolExecutor

from pagefind.index import IndexConfig, PagefindIndex


def search_index(pages: dict[str, str], language: str) -> dict[str, bytes]:
    """``pages``: site path → HTML. Returns the index files, by path under ``pagefind/``."""

    async def build(scratch: str) -> dict[str, bytes]:
        # The Python API also writes the index to output_path when the context closes: point it
        # at a scratch folder; the files used are the ones returned in memory.
        config = IndexConfig(
            force_language=language.split("-")[0], root_selector="main", output_path=scratch
        )
        async with PagefindIndex(config=config) as index:
            for path, html in sorted(pages.items()):
                await index.add_html_file(content=html, url="/" + path)
            files = await index.get_files()
        return {f"pagefind/{f['path']}": bytes(f["content"]) for f in files}

    # Pagefind's client is asynchronous; run it on its own thread so that this works whether or
    # not the caller already runs an event loop (a test browser, a notebook).
    with (
        tempfile.TemporaryDirectory(prefix="pica-pagefind-") as scratch,
        ThreadPoolExecutor(max_workers=1) as pool,
    ):
        return pool.submit(asyncio.run, build(scratch)).result()
