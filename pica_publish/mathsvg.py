"""TeX → SVG for the print edition, with ziamath, in a worker process of its own.

ziamath sets a formula from the MathML that :func:`ziamath.tex.tex2mml` makes of the TeX (the
same MathML the web edition shows), with the STIX Two Math font it ships, and draws every glyph
as an SVG ``<path>``: nothing depends on the fonts of the machine and nothing needs TeX.

Its layout time grows exponentially with the nesting of some constructs (ten nested
``\\frac`` take seconds, twenty do not finish), so formulas are set in a child process that
the parent (:func:`pica_publish.mathtex.render_svgs`) stops after
:data:`pica_publish.mathtex.RENDER_SECONDS`. The protocol: a JSON list of ``[tex, display]``
on standard input; one JSON object per formula on standard output, in order, written as soon
as it is set: ``{"svg", "width", "height", "depth"}`` (sizes in em of the surrounding text) or
``{"error"}``.

Run as ``python -m pica_publish.mathsvg``.
"""

from __future__ import annotations

import json
import sys
from typing import Any

SIZE = 10.0
"""The font size ziamath sets at, in SVG user units; the image is scaled in em afterwards."""
MARGIN = 0.4
"""White space around the ink, in SVG user units (a hair, so no stroke is clipped)."""
MATH_SCALE = 1.1
"""STIX Two Math at the text size looks small beside Noto Serif (x-heights 473 and 536 per
1000): formulas are set 1.1 times the size of the text around them."""
MEMORY_LIMIT = 1024 * 1024 * 1024
"""Address space of the worker: a formula that needs more fails instead of the machine."""


def render(tex: str, display: bool) -> dict[str, Any]:
    """One formula as an SVG document and its size in em: width, height and depth (how far
    it reaches below the baseline of the text)."""
    from ziamath.config import config
    from ziamath.tex import tex2mml
    from ziamath.zmath import Math

    from pica_publish.svg import clean_svg

    config.svg2 = False  # plain <path> per glyph: no <use>, no ids shared by formulas
    config.precision = 3
    math = Math(tex2mml(tex, inline=not display), size=SIZE, margin=MARGIN)
    svg = math.svg().encode("utf-8")
    box = math.node.bbox
    scale = MATH_SCALE / SIZE
    return {
        "svg": clean_svg(svg).decode("utf-8"),
        "width": round((box.xmax - box.xmin + 2 * MARGIN) * scale, 4),
        "height": round((box.ymax - box.ymin + 2 * MARGIN) * scale, 4),
        "depth": round((MARGIN - box.ymin) * scale, 4),
    }


def main() -> int:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):  # not on this platform: the time limit remains
        pass
    formulas = json.loads(sys.stdin.read())
    for tex, display in formulas:
        try:
            result = render(str(tex), bool(display))
        except (MemoryError, RecursionError):
            result = {"error": "the formula needs too much memory to set"}
        except Exception as error:  # noqa: BLE001 - ziamath's failures are the user's input
            result = {"error": f"{type(error).__name__}: {error}".strip().rstrip(":")}
        sys.stdout.write(json.dumps(result) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
