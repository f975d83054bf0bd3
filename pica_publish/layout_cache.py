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
from pica_publish.theme import theme_path


def layout_digest(plan: PrintPlan, stylesheet: str, *extra: str) -> str:
    digest = hashlib.sha256()
    parts = [[p.kind, p.slug, p.template, p.base_path, p.context] for p in plan.parts]
    digest.update(json.dumps(parts, sort_keys=True, default=str).encode("utf-8"))
    package = Path(__file__).resolve().parent
    for source in sorted([*package.rglob("*.py"), *theme_path("templates").rglob("*.html")]):
        digest.update(source.read_bytes())  # a new pica_publish lays the issue out anew
    digest.update(stylesheet.encode("utf-8"))
    for value in extra:
        digest.update(value.encode("utf-8"))
    for asset in sorted(plan.assets):
        digest.update(str(asset).encode("utf-8"))
        digest.update(asset.read_bytes())
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
