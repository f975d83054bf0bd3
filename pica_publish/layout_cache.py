"""The last print layout, kept so that an unchanged issue is never laid out again.

The key is a digest of everything the layout depends on (page contexts, templates, stylesheet,
images, pica_publish's own code, the WeasyPrint version and the PDF variant). Only the last
layout is kept: a changed issue is laid out anew.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from pathlib import Path

from pica_publish.pagemap import PageMap
from pica_publish.products import PrintPlan


def layout_digest(plan: PrintPlan, engine: str) -> str:
    """The whole issue's layout: every part's page context, and ``engine``, what every part
    depends on (:func:`pica_publish.part_cache.engine_digest`)."""
    parts = [[p.kind, p.slug, p.template, p.base_path, p.context] for p in plan.parts]
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode("utf-8"))
    digest.update(engine.encode("utf-8"))
    return digest.hexdigest()


def load_layout(cache: Path, key: str) -> tuple[dict[str, bytes], PageMap] | None:
    folder = cache / key
    try:
        manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
        files = {name: (folder / "files" / name).read_bytes() for name in manifest["files"]}
        page_map = {slug: (int(v[0]), int(v[1])) for slug, v in manifest["page_map"].items()}
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return files, page_map


def store_layout(cache: Path, key: str, files: dict[str, bytes], page_map: PageMap) -> None:
    cache.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".tmp-", dir=cache))
    for name, data in files.items():
        target = staging / "files" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    manifest = {"files": sorted(files), "page_map": {k: list(v) for k, v in page_map.items()}}
    (staging / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    for old in cache.iterdir():
        if old != staging:
            shutil.rmtree(old) if old.is_dir() else old.unlink()
    staging.rename(cache / key)
