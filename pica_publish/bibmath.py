"""TeX math in a bibliography field as LaTeX text that pandoc's BibTeX reader renders.

pandoc prints ``$\\Delta$$\\Sigma$`` in a title as raw TeX in the reference list. Titles hold
little math: Greek letters, an isotope (``$\\delta^{13}$C``), a unit (``$\\mu$m``), an
operator. latex2mathml parses it; the MathML becomes Unicode symbols, italic Latin letters and
``\\textsuperscript``/``\\textsubscript``, which pandoc maps to CSL markup.
"""

from __future__ import annotations

from latex2mathml.converter import convert as latex_to_mathml
from lxml import etree

LATEX_SPECIALS = {c: "\\" + c for c in "&%$#_{}"} | {"~": "\\textasciitilde{}", "^": "\\^{}"}


class MathNotRenderable(Exception):
    """The math has no plain-text form (a fraction bar, an accent, an unknown command)."""


def math_as_text(tex: str) -> str:
    """TeX math as LaTeX text. :raises MathNotRenderable: with the reason."""
    try:
        mathml = latex_to_mathml(tex)
    except Exception as error:  # noqa: BLE001 - latex2mathml's errors share no base class
        raise MathNotRenderable(f"not understood: {type(error).__name__}") from None
    return _text(etree.fromstring(mathml.encode("utf-8")))


def plain(tex: str) -> str:
    """The fallback for math that cannot be rendered: its characters, without backslashes."""
    return "".join(LATEX_SPECIALS.get(c, c) for c in tex if c != "\\")


def _text(node: etree._Element) -> str:
    tag = etree.QName(node).localname
    children = [child for child in node if isinstance(child.tag, str)]
    if tag in ("math", "mrow", "mstyle", "mpadded"):
        return "".join(_text(child) for child in children)
    if tag in ("mi", "mn", "mo", "mtext"):
        text = node.text or ""
        if text.startswith("\\"):
            raise MathNotRenderable(f"unknown command {text}")
        escaped = "".join(LATEX_SPECIALS.get(c, c) for c in text.replace("\u00a0", " "))
        single_letter = len(text) == 1 and text.isascii() and text.isalpha()
        if tag == "mi" and single_letter and node.get("mathvariant") != "normal":
            return f"\\textit{{{escaped}}}"
        return escaped
    if tag == "mspace":
        return " "
    if tag in ("msup", "msub", "msubsup") and len(children) >= 2:
        base = _text(children[0])
        if tag == "msub":
            return f"{base}\\textsubscript{{{_text(children[1])}}}"
        if tag == "msup":
            return f"{base}\\textsuperscript{{{_text(children[1])}}}"
        return (
            f"{base}\\textsubscript{{{_text(children[1])}}}"
            f"\\textsuperscript{{{_text(children[2])}}}"
        )
    if tag == "mfrac" and len(children) == 2:
        return f"{_text(children[0])}/{_text(children[1])}"
    if tag == "msqrt":
        return "√" + "".join(_text(child) for child in children)
    raise MathNotRenderable(f"no plain-text form for <{tag}>")
