"""User-facing problems as data.

Every problem in the user's input becomes a :class:`Diagnostic` with a location that prints as
``path:line:col`` (1-based). Stages report and continue; the build fails at the end if any error
was reported. Real bugs in pica_publish are exceptions, never diagnostics.
"""

from __future__ import annotations

import dataclasses
import difflib
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path


class Severity(enum.IntEnum):
    """How bad a problem is; errors fail the build, warnings fail it only with ``--strict``."""

    INFO = 10
    WARNING = 20
    ERROR = 30

    def __str__(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Rule:
    """One kind of problem in the user's input or the build; every rule is declared once, in
    :mod:`pica_publish.rules`."""

    id: str
    """Stable id, printed as ``[rule-id]`` and used as the key in ``issue.yml``'s ``rules``."""
    severity: Severity
    """Default severity (``issue.yml`` may change it unless the rule is fixed)."""
    stage: str
    """The pipeline stage that reports it (groups the reference table)."""
    summary: str
    """One line: what the problem means."""
    hint: str = ""
    """Default hint, printed when the call site gives none."""
    fixed: bool = False
    """True for safety refusals and problems whose output would be wrong: not overridable."""


@dataclass(frozen=True, order=True)
class Location:
    """A place in a source file. ``line`` and ``column`` are 1-based; 0 means unknown."""

    path: str
    """Path as shown to the user, relative to the project root when inside it."""
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line and self.column:
            return f"{self.path}:{self.line}:{self.column}"
        if self.line:
            return f"{self.path}:{self.line}"
        return self.path


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in the user's input."""

    severity: Severity
    code: str
    """Stable rule id, e.g. ``citation-unknown``."""
    message: str
    location: Location
    hint: str = ""

    def format(self) -> str:
        text = f"{self.location}: {self.severity}: {self.message} [{self.code}]"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    def sort_key(self) -> tuple[str, int, int, int, str]:
        loc = self.location
        return (loc.path, loc.line, loc.column, -int(self.severity), self.message)


@dataclass
class Report:
    """Collects diagnostics from every stage (the only mutable object passed around).

    Problems are reported by rule (:mod:`pica_publish.rules`): the rule gives the id, the
    severity — after the overrides of ``issue.yml`` — and the default hint.
    """

    diagnostics: list[Diagnostic] = field(default_factory=list)
    overrides: dict[str, Severity | None] = field(default_factory=dict)
    """Rule id → severity set in ``issue.yml`` (None: off, the diagnostic is dropped)."""

    def add(self, rule: Rule, message: str, location: Location, hint: str | None = None) -> None:
        """Report one problem; ``hint`` None means the rule's default hint ('' means none)."""
        severity = self.overrides.get(rule.id, rule.severity)
        if severity is None:
            return
        shown = rule.hint if hint is None else hint
        self.diagnostics.append(Diagnostic(severity, rule.id, message, location, shown))

    def override(self, overrides: Mapping[str, Severity | None]) -> None:
        """Apply ``issue.yml``'s severities, also to what was reported before it was read."""
        self.overrides.update(overrides)
        kept = []
        for diagnostic in self.diagnostics:
            if diagnostic.code not in overrides:
                kept.append(diagnostic)
            elif (severity := overrides[diagnostic.code]) is not None:
                kept.append(dataclasses.replace(diagnostic, severity=severity))
        self.diagnostics[:] = kept

    # The string-based API, for call sites not yet converted to rules: the id must be registered
    # (KeyError otherwise) with this default severity (ValueError otherwise).

    def error(self, code: str, message: str, location: Location, hint: str = "") -> None:
        self._add_by_id(Severity.ERROR, code, message, location, hint)

    def warning(self, code: str, message: str, location: Location, hint: str = "") -> None:
        self._add_by_id(Severity.WARNING, code, message, location, hint)

    def info(self, code: str, message: str, location: Location, hint: str = "") -> None:
        self._add_by_id(Severity.INFO, code, message, location, hint)

    def _add_by_id(
        self, severity: Severity, code: str, message: str, location: Location, hint: str
    ) -> None:
        from pica_publish.rules import get  # rules imports this module

        rule = get(code)
        if rule.severity != severity:
            raise ValueError(f"rule '{code}' is a {rule.severity}, not a {severity}")
        self.add(rule, message, location, hint or None)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics.extend(diagnostics)

    @property
    def has_errors(self) -> bool:
        return any(d.severity >= Severity.ERROR for d in self.diagnostics)

    def failed(self, *, strict: bool = False) -> bool:
        threshold = Severity.WARNING if strict else Severity.ERROR
        return any(d.severity >= threshold for d in self.diagnostics)

    def sorted(self) -> list[Diagnostic]:
        unique = dict.fromkeys(self.diagnostics)  # the same problem found twice prints once
        return sorted(unique, key=Diagnostic.sort_key)


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """A hint naming the closest candidate, also matching keys that differ only in case."""
    pool = list(candidates)
    lowered = {c.lower(): c for c in pool}
    if word.lower() in lowered:
        return f"did you mean '{lowered[word.lower()]}'?"
    close = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else ""


def display_path(path: Path, root: Path) -> str:
    """Show ``path`` relative to the project root when it lies inside it."""
    for candidate, base in (
        (path, root),
        (path.absolute(), root.absolute()),
        (path, root.resolve()),
    ):
        try:
            return candidate.relative_to(base).as_posix()
        except ValueError:
            continue
    # Not inside: never resolve symlinks here, so that a message cannot reveal where a link
    # in the project points to.
    return str(path)
