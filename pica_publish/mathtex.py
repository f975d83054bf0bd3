"""TeX math: one source, MathML for the web edition, SVG for print, and the checks of both.

pandoc keeps each formula's TeX in the converted chapter (``<span class="math inline">\\(…\\)
</span>``, ``--mathjax``); each edition converts it on its tree: the web edition to MathML
(:func:`mathml_element`, with the TeX as an annotation), the print edition to an SVG image
(:func:`render_svgs`, through :mod:`pica_publish.mathsvg`). Both start from the same MathML,
:func:`ziamath.tex.tex2mml` (latex2mathml, with ziamath's fixes for ``aligned``, ``\\binom`` and
``\\mathrm``), so that a formula reads the same in both editions.

``check`` runs both converters on every formula (:func:`check_math`): a formula that passes is
one the build sets. The limits (:data:`MAX_TEX_CHARACTERS`, :data:`MAX_NESTING`,
:data:`RENDER_SECONDS`) keep a formula from stalling the build. Set formulas are cached by
content in the user cache (``$PICA_PUBLISH_CACHE/math``), so rebuilds do not set them again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import selectors
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from pica_publish import rules
from pica_publish.diagnostics import Report, Rule
from pica_publish.fonts import cache_root
from pica_publish.htmltree import HtmlElement, element
from pica_publish.sanitize import MATH_ATTRIBUTES, MATH_TAGS, math_attribute_allowed

if TYPE_CHECKING:
    from pica_publish.markdown import BodyScan
    from pica_publish.model import ChapterSource

MAX_TEX_CHARACTERS = 2000
"""Longer formulas are refused (a page of TeX is a table or a figure, not a formula)."""
MAX_NESTING = 20
"""How deep a formula's MathML may nest. ziamath's layout time doubles with each level of some
constructs (nested ``\\frac``, ``\\underbrace``): 20 levels take about a second."""
RENDER_SECONDS = 5.0
"""Time one formula may take to set for print; the worker is stopped after it."""
RENDER_FORMAT = "1"
"""Bumped when :mod:`pica_publish.mathsvg` changes what it writes (a cache key part)."""
UNSAFE_ATTRIBUTES = {"href": r"\href", "style": r"\style", "class": r"\class"}
"""Attributes latex2mathml writes for commands the editions never keep."""
UNKNOWN_COMMAND = re.compile(r"\\[A-Za-z]+")


class MathProblem(Exception):
    """A formula the converters cannot set, or one over a limit; ``rule`` says which."""

    def __init__(self, rule: Rule, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class RenderedMath:
    """A formula set for print: an SVG document and its size in em of the text around it."""

    svg: str
    width: float
    height: float
    depth: float
    """How far the formula reaches below the baseline (negative: it floats above it)."""


# --- TeX → MathML ------------------------------------------------------------------------------


def span_tex(span: HtmlElement) -> str:
    """The TeX of a ``span.math`` as pandoc writes it with ``--mathjax``: ``\\(…\\)`` inline,
    ``\\[…\\]`` display."""
    text = str(span.text_content())
    for opening, closing in (("\\(", "\\)"), ("\\[", "\\]")):
        if text.startswith(opening) and text.endswith(closing):
            return text[len(opening) : -len(closing)]
    return text


def tex_to_mathml(tex: str, *, display: bool) -> str:
    """The formula as MathML (a ``<math>`` document), or :class:`MathProblem`."""
    if len(tex) > MAX_TEX_CHARACTERS:
        raise MathProblem(
            rules.MATH_TOO_COMPLEX,
            f"the formula has {len(tex)} characters (at most {MAX_TEX_CHARACTERS})",
        )
    _check_braces(tex)
    return _tex_to_mathml(tex, display)


def _check_braces(tex: str) -> None:
    """Braces must pair up: latex2mathml closes an open group silently, TeX does not."""
    depth = 0
    for token in re.findall(r"\\.|[{}]", tex):
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth < 0:
                raise MathProblem(
                    rules.MATH_INVALID, "a '}' closes no group", "remove it or add '{'"
                )
    if depth > 0:
        raise MathProblem(
            rules.MATH_INVALID,
            f"{depth} '{{' {'is' if depth == 1 else 'are'} not closed",
            "add the missing '}'",
        )


@cache
def _tex_to_mathml(tex: str, display: bool) -> str:
    from ziamath.tex import tex2mml

    try:
        mathml = tex2mml(tex, inline=not display)
    except RecursionError:
        raise MathProblem(
            rules.MATH_TOO_COMPLEX, f"the formula is nested more than {MAX_NESTING} levels deep"
        ) from None
    except Exception as error:  # noqa: BLE001 - latex2mathml's exceptions are the user's input
        raise MathProblem(rules.MATH_INVALID, _converter_message(error)) from None
    try:
        root = etree.fromstring(mathml.encode("utf-8"), etree.XMLParser(resolve_entities=False))
    except etree.XMLSyntaxError:  # deeper than lxml reads (256 levels)
        raise MathProblem(
            rules.MATH_TOO_COMPLEX, f"the formula is nested more than {MAX_NESTING} levels deep"
        ) from None
    _check_tree(root)
    return mathml


def _converter_message(error: Exception) -> str:
    kind = type(error).__name__
    detail = str(error).strip()
    reason = {
        "NoAvailableTokensError": "it ends too early (a brace or an argument is missing)",
        "MissingSuperScriptOrSubscriptError": "a ^ or _ has no script after it",
        "DoubleSubscriptsError": "a double subscript (write x_{ab}, not x_a_b)",
        "DoubleSuperscriptsError": "a double superscript (write x^{ab}, not x^a^b)",
        "ExtraLeftOrMissingRightError": "a \\left has no \\right",
        "MissingEndError": "an environment has no \\end",
        "DenominatorNotFoundError": "a fraction has no denominator",
        "InvalidStyleForGenfracError": "\\genfrac has an invalid style",
        "InvalidWidthError": "a width is not a TeX length",
        "InvalidAlignmentError": "an alignment is not one of l, c, r",
        "LimitsMustFollowMathOperatorError": "\\limits must follow an operator such as \\sum",
    }.get(kind)
    if reason:
        return f"cannot read the formula: {reason}"
    return f"cannot read the formula: {kind}{': ' + detail if detail else ''}"


def _check_tree(root: etree._Element) -> None:
    """Unknown commands, unsafe commands and nesting, as :class:`MathProblem`."""
    for node in root.iter():
        local = etree.QName(node).localname
        for attribute, command in UNSAFE_ATTRIBUTES.items():
            if node.get(attribute) is not None:
                raise MathProblem(rules.MATH_UNSAFE, f"{command} is not allowed in a formula")
        if local in ("mi", "mo", "mn") and node.text and UNKNOWN_COMMAND.fullmatch(node.text):
            raise MathProblem(
                rules.MATH_INVALID,
                f"unknown command '{node.text}'",
                "use a command latex2mathml knows (see its list of supported commands), "
                "or \\operatorname{name} for a function name",
            )
        depth = sum(1 for _ in node.iterancestors())
        if depth >= MAX_NESTING:
            raise MathProblem(
                rules.MATH_TOO_COMPLEX,
                f"the formula is nested more than {MAX_NESTING} levels deep",
            )


def mathml_element(tex: str, *, display: bool) -> HtmlElement:
    """The HTML edition's ``<math>``: the formula's MathML with the TeX as its annotation.

    Built from the allow-list of :mod:`pica_publish.sanitize` only (elements and attributes,
    attribute values checked): nothing that can link, run or style gets through, whatever the
    TeX says. Raises :class:`MathProblem`.
    """
    source = etree.fromstring(
        tex_to_mathml(tex, display=display).encode("utf-8"),
        etree.XMLParser(resolve_entities=False),
    )
    math = element("math", {"display": "block" if display else "inline"})
    semantics = element("semantics")
    math.append(semantics)
    row = element("mrow")
    semantics.append(row)
    for child in source:
        _copy_allowed(child, row)
    annotation = element("annotation", {"encoding": "application/x-tex"})
    annotation.text = tex.strip()
    semantics.append(annotation)
    return math


def _copy_allowed(source: etree._Element, parent: HtmlElement) -> None:
    tag = etree.QName(source).localname
    if tag not in MATH_TAGS or tag in ("math", "semantics", "annotation"):
        # dropped with its content (latex2mathml writes no such element: a safety net)
        return
    allowed = MATH_ATTRIBUTES.get(tag, set()) | MATH_ATTRIBUTES["*"]
    attributes = {
        name: value
        for name, value in sorted(source.attrib.items())
        if isinstance(name, str) and name in allowed and math_attribute_allowed(tag, name, value)
    }
    node = element(tag, attributes)
    node.text, node.tail = source.text, source.tail
    parent.append(node)
    for child in source:
        _copy_allowed(child, node)


# --- TeX → SVG ---------------------------------------------------------------------------------


def render_svgs(
    formulas: Iterable[tuple[str, bool]],
) -> dict[tuple[str, bool], RenderedMath | MathProblem]:
    """Each ``(tex, display)`` set as SVG, from the cache or by the worker; a failure is a
    :class:`MathProblem` in place of the result."""
    results: dict[tuple[str, bool], RenderedMath | MathProblem] = {}
    missing: list[tuple[str, bool]] = []
    for formula in dict.fromkeys(formulas):
        tex, display = formula
        try:
            tex_to_mathml(tex, display=display)
        except MathProblem as problem:
            results[formula] = problem
            continue
        cached = _cache_path(tex, display)
        if cached.is_file():
            results[formula] = _from_json(json.loads(cached.read_text("utf-8")))
        else:
            missing.append(formula)
    for formula, stored in _run_worker(missing):
        if stored is not None:
            try:
                _write_atomic(_cache_path(*formula), json.dumps(stored, sort_keys=True))
            except OSError:  # no cache (read-only home): set again next time, not an error
                pass
            results[formula] = _from_json(stored)
        else:
            results[formula] = MathProblem(
                rules.MATH_TOO_COMPLEX, f"the formula took longer than {RENDER_SECONDS:g} s to set"
            )
    return results


def _from_json(stored: dict[str, object]) -> RenderedMath | MathProblem:
    if "error" in stored:
        return MathProblem(rules.MATH_INVALID, f"cannot set the formula: {stored['error']}")
    return RenderedMath(
        str(stored["svg"]),
        float(str(stored["width"])),
        float(str(stored["height"])),
        float(str(stored["depth"])),
    )


def _cache_path(tex: str, display: bool) -> Path:
    digest = hashlib.sha256(
        json.dumps([_renderer_version(), tex, display], ensure_ascii=False).encode("utf-8")
    ).hexdigest()
    return cache_root() / "math" / digest[:2] / f"{digest}.json"


@cache
def _renderer_version() -> str:
    return f"{RENDER_FORMAT} ziamath {version('ziamath')} latex2mathml {version('latex2mathml')}"


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False) as tmp:
        tmp.write(text)
    os.replace(tmp.name, path)


def _run_worker(
    formulas: list[tuple[str, bool]],
) -> Iterable[tuple[tuple[str, bool], dict[str, object] | None]]:
    """Set ``formulas`` in worker processes: each result as it comes, None for a formula that
    took longer than :data:`RENDER_SECONDS` (its worker is stopped; the next one goes on)."""
    pending = list(formulas)
    while pending:
        process = subprocess.Popen(
            [sys.executable, "-m", "pica_publish.mathsvg"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
        )
        assert process.stdin is not None and process.stdout is not None
        process.stdin.write(json.dumps(pending))
        process.stdin.close()
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            # the first formula also waits for the worker to start (imports, the font)
            deadline = time.monotonic() + RENDER_SECONDS + 10
            while pending:
                if not selector.select(timeout=max(0.0, deadline - time.monotonic())):
                    process.kill()
                    process.wait()
                    yield pending.pop(0), None
                    break
                line = process.stdout.readline()
                if not line:  # the worker died (out of memory): this formula is the cause
                    process.wait()
                    yield pending.pop(0), {"error": "the formula could not be set"}
                    break
                yield pending.pop(0), json.loads(line)
                deadline = time.monotonic() + RENDER_SECONDS
        process.stdout.close()
        process.wait()


# --- check ------------------------------------------------------------------------------------


def check_math(chapter: ChapterSource, scan: BodyScan, report: Report) -> None:
    """Every formula of the chapter through both converters, within the limits: a problem is
    reported at the formula's line and column, with the converter's message."""
    found = [(math, (math.tex, math.display)) for math in scan.math]
    results = render_svgs(formula for _, formula in found)
    for math, formula in found:
        result = results[formula]
        if isinstance(result, MathProblem):
            report.add(
                result.rule,
                f"formula '{_snippet(math.tex)}': {result.message}",
                chapter.location(math.line + chapter.body_line - 1, math.column),
                result.hint or None,
            )


def _snippet(tex: str, length: int = 40) -> str:
    text = " ".join(tex.split())
    return text if len(text) <= length else text[: length - 1] + "…"
