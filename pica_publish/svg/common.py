"""What the check and the expansion bound share: :class:`SvgProblem`, how a problem quotes
the file, and CSS decoding (comments removed, escapes decoded).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_CSS_COMMENT = re.compile(r"/\*.*?(?:\*/|$)", re.DOTALL)
_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})[ \t\r\n\f]?|(.))", re.DOTALL)


@dataclass(frozen=True)
class SvgProblem:
    """Why an SVG file is refused."""

    message: str
    """Short, quotes the offending thing: ``has a <script> element``."""
    line: int = 0
    """1-based line in the SVG file, or 0 when the problem is the whole file."""

    def __str__(self) -> str:
        return f"{self.message} (line {self.line})" if self.line else self.message


def _problem(message: str, node: Any) -> SvgProblem:
    return SvgProblem(message, node.sourceline or 0)


def _decoded_css(css: str) -> str:
    """``css`` without comments and with escapes decoded (``\\75rl(`` is ``url(``)."""
    return _CSS_ESCAPE.sub(_unescape, _CSS_COMMENT.sub(" ", css))


def _unescape(match: re.Match[str]) -> str:
    if match.group(1) is None:
        return match.group(2)
    code = int(match.group(1), 16)
    return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "\ufffd"


def _short(value: str, limit: int = 60) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"
