"""Math in the HTML edition: MathML, which browsers render natively (MathML Core).

The converted chapter keeps each formula's TeX (``<span class="math inline">\\(…\\)</span>``);
here it becomes ``<math>`` inside that span, with the TeX as an ``application/x-tex``
annotation (read by screen readers that know TeX, and copied with the formula). The chapter
was sanitised before (convert stage), and the MathML is made after it, so each ``<math>`` is
built from the allow-list of :mod:`pica_publish.sanitize` and passed through
:func:`~pica_publish.sanitize.sanitize_math` once more before it joins the page. The STIX Two
Math font (shipped with ziamath, as print uses it) is served with the site, so formulas look
the same on every machine.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from pica_publish.htmltree import classes, parse, serialise, to_html
from pica_publish.sanitize import sanitize_math

MATH_FONT = "STIXTwoMath-Regular.woff2"
"""The math font's file name under ``assets/fonts/``."""
MATH_FONT_FACE = (
    '@font-face {\n  font-family: "STIX Two Math"; font-display: swap;\n'
    f'  src: url("fonts/{MATH_FONT}") format("woff2");\n}}\n'
)
"""The math font's rule, in the site's stylesheet only when a page has math (so that no
stylesheet names a file the site does not ship)."""


def mathml_body(body: str) -> str:
    """``body`` with every ``span.math`` holding MathML instead of TeX; a formula that cannot
    be converted (``check`` has reported it) stays TeX, in ``<code>``."""
    root = parse(body)
    spans = [span for span in root.iter("span") if "math" in classes(span)]
    if not spans:
        return body
    from pica_publish.mathtex import MathProblem, mathml_element, span_tex

    for span in spans:
        tex = span_tex(span)
        for child in list(span):
            span.remove(child)
        span.text = None
        try:
            math = mathml_element(tex, display="display" in classes(span))
        except MathProblem:
            code = parse("<code></code>")[0]
            code.set("class", "math-source")
            code.text = tex.strip()
            span.append(code)
            continue
        clean = parse(sanitize_math(to_html(math)))
        for node in list(clean):
            span.append(node)
    return serialise(root)


def has_math(html: str) -> bool:
    """Whether a page holds a formula (so the site ships the math font)."""
    return any(True for _ in parse(html).iter("math"))


@cache
def math_font() -> bytes:
    """STIX Two Math as WOFF2 (fontTools, brotli): 0.56 MB instead of 1.5 MB. Compressing it
    takes seconds, so it is kept in the user cache, by ziamath's version."""
    import io
    import os
    import tempfile
    from importlib.metadata import version

    from fontTools.ttLib import TTFont

    from pica_publish.fonts import cache_root

    cached = cache_root() / "fonts" / f"stix-two-math-{version('ziamath')}.woff2"
    if cached.is_file():
        return cached.read_bytes()
    source = resources.files("ziamath") / "fonts" / "STIXTwoMath-Regular.ttf"
    font = TTFont(io.BytesIO(source.read_bytes()))
    font.flavor = "woff2"
    out = io.BytesIO()
    font.save(out)
    cached.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=cached.parent, delete=False) as tmp:
        tmp.write(out.getvalue())
    os.replace(tmp.name, cached)
    return out.getvalue()
