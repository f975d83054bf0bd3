"""Personal names: which part of an author's name is the family name.

One rule, used by every output (bylines, reference-style names in suggested citations, CSL,
Highwire, JSON-LD, Crossref, JATS, RIS, BibTeX):

1. ``given:`` and ``family:`` in the front matter say it outright (``family`` may start with
   lowercase particles: ``van der Berg``).
2. ``family:`` alone: the name starts with it (family-first: ``Zhou Haoran``, family ``Zhou``)
   or ends with it (``Anna Petrova``); anything else is an error in the front matter.
3. Neither: the last word is the family name, with the lowercase particles right before it
   (``Jan van der Berg`` → ``van der Berg``); one word is a family name alone.
4. ``organisation: true``: a group or institution; its name is used whole (no initials).

A name of three or more capitalised words with neither field set is ambiguous (``Maria José
Silva Santos``, ``Zhou Hao Ran``): *check* warns and asks for ``family:``.
"""

from __future__ import annotations

from dataclasses import dataclass

PARTICLES = frozenset(
    {
        "al", "bin", "binti", "da", "dal", "das", "de", "degli", "dei", "del", "della", "der",
        "des", "di", "do", "dos", "du", "el", "la", "le", "lo", "op", "san", "st", "te", "ten",
        "ter", "van", "vande", "vanden", "vander", "von", "zu", "zum", "zur",
    }
)  # fmt: skip
"""Lowercase words that belong to the family name when they stand right before it."""


@dataclass(frozen=True)
class PersonName:
    given: str
    """Given names ('' for a single name)."""
    particle: str
    """Lowercase particles of the family name, kept with it ('van der'), or ''."""
    family: str
    """The family name without its particles ('Berg'); an organisation's whole name."""
    organisation: bool = False
    """A group or institution as author: a name with no given or family part."""

    @property
    def family_with_particle(self) -> str:
        return f"{self.particle} {self.family}".strip()

    def csl(self) -> dict[str, str]:
        """As a CSL JSON name."""
        if self.organisation:
            return {"literal": self.family}
        name = {"family": self.family}
        if self.given:
            name["given"] = self.given
        if self.particle:
            name["non-dropping-particle"] = self.particle
        return name


class FamilyNameMismatch(ValueError):
    """``family`` is neither the start nor the end of ``name``."""


def split_name(name: str, *, given: str | None = None, family: str | None = None) -> PersonName:
    """The parts of ``name`` by the rule above.

    :raises FamilyNameMismatch: ``family`` (without ``given``) is neither the start nor the end of
        ``name``.
    """
    name = " ".join(name.split())
    if family is not None:
        family = " ".join(family.split())
        if given is None:
            if name == family:
                given = ""
            elif name.endswith(" " + family):
                given = name[: -len(family)].strip()
            elif name.startswith(family + " "):
                given = name[len(family) :].strip()
            else:
                raise FamilyNameMismatch(
                    f"family name {family!r} is neither the start nor the end of {name!r}"
                )
        return _with_particle(" ".join(given.split()), family)
    words = name.split(" ")
    if given is not None:
        given = " ".join(given.split())
        rest = name[len(given) :].strip() if name.startswith(given) else words[-1]
        return _with_particle(given, rest or name)
    at = len(words) - 1
    while at > 0 and words[at - 1] in PARTICLES:
        at -= 1
    return _with_particle(" ".join(words[:at]), " ".join(words[at:]))


def _with_particle(given: str, family: str) -> PersonName:
    words = family.split(" ")
    at = 0
    while at < len(words) - 1 and words[at] in PARTICLES:
        at += 1
    return PersonName(given, " ".join(words[:at]), " ".join(words[at:]))


def ambiguous(name: str) -> bool:
    """Three or more capitalised words and no particle: which is the family name cannot be told
    (family-first names, double surnames)."""
    words = name.split()
    return len(words) >= 3 and all(w[:1].isupper() for w in words)
