"""The typed data model every stage works on.

``IssueConfig`` (from ``issue.yml``) and ``ChapterMeta`` (a chapter's front matter) are frozen
pydantic models: they are the schema, and their field docstrings are the reference documentation.
The rest are frozen dataclasses built by the stages: :class:`Issue` → :class:`Chapter` →
:class:`ChapterMeta`/:class:`Author`, and the :class:`Bibliography` of :class:`BibEntry`.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from pica_publish.diagnostics import Location
from pica_publish.names import PersonName, split_name
from pica_publish.yamlsource import Positions

Role = Literal["editorial", "prologue", "chapter", "strategy", "appendix"]
FRONT_ROLES: frozenset[str] = frozenset({"editorial", "prologue"})
NUMBERED_ROLES: frozenset[str] = frozenset({"chapter", "strategy"})
BACK_ROLES: frozenset[str] = frozenset({"appendix"})
RuleSetting = Literal["error", "warning", "off"]
"""What ``issue.yml``'s ``rules`` may set a rule to (:data:`pica_publish.rules.OVERRIDES`)."""

ORCID_RE = re.compile(r"^(?:https?://orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$")
EMAIL_RE = re.compile(r"^[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}$")
"""An address as people write it (letters of any script); no quotes, brackets, spaces or
markup characters, which no real address needs and every output would have to escape."""
ISSN_RE = re.compile(r"^\d{4}-\d{3}[\dX]$")
DOI_PREFIX_RE = re.compile(r"^10\.\d{4,9}$")
DOI_PATTERN_FIELDS = ("prefix", "series", "number", "year", "slug")
"""The fields a DOI pattern may use: plain names, no format specs or conversions."""


def orcid_checksum_ok(orcid: str) -> bool:
    """ISO 7064 11,2 check character of an ORCID iD (``0000-0002-1825-0097``)."""
    digits = orcid.replace("-", "")
    total = 0
    for char in digits[:-1]:
        total = (total + int(char)) * 2
    check = (12 - total % 11) % 11
    return digits[-1] == ("X" if check == 10 else str(check))


def issn_checksum_ok(issn: str) -> bool:
    digits = issn.replace("-", "")
    total = sum(int(d) * w for d, w in zip(digits[:7], range(8, 1, -1), strict=True))
    check = (11 - total % 11) % 11
    return digits[-1] == ("X" if check == 10 else str(check))


LIST_SEPARATOR_RE = re.compile(r"[,;]")


def split_list(value: Any) -> Any:
    """A list written as one line of text — ``keywords: manul, dens; home range`` — read as
    the list it means: split at commas and semicolons, blanks dropped. Any other value is left
    to validation. Accepted without a warning: the meaning is plain, and no keyword, affiliation
    key or taxon name contains a comma or a semicolon."""
    if isinstance(value, str):
        return tuple(part.strip() for part in LIST_SEPARATOR_RE.split(value) if part.strip())
    return value


class _Schema(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, use_attribute_docstrings=True, str_strip_whitespace=True
    )


class Editor(_Schema):
    name: str = Field(min_length=1)
    """Full name as printed on the masthead."""
    role: str | None = None
    """E.g. 'Co-chair IUCN SSC Cat Specialist Group'."""
    email: str | None = None
    affiliation: str | None = None
    """Institution, printed under the name on the masthead, e.g. 'KORA'."""
    address: str | None = None
    """Postal address, printed on the masthead, e.g. 'Talgut-Zentrum 5, 3063 Ittigen, Switzerland'."""


class CoverImage(_Schema):
    """The cover photograph, printed to the edge of the page (into the bleed)."""

    image: str = Field(min_length=1)
    """Path of a JPEG or PNG inside the project, e.g. ``frame/cover.jpg``; at least 300 dpi at
    the cover's size with bleed (216 × 303 mm: 2551 × 3579 pixels)."""
    credit: str = Field(min_length=1)
    """Photographer and place, printed on the cover and the masthead, e.g. 'Photo: A. Barashkova,
    Kotbas Hills, Kazakhstan'."""
    alt: str = Field(min_length=1)
    """What the photograph shows, for readers who cannot see it."""
    focal_point: tuple[int, int] = (50, 50)
    """The point that must stay on the page when the photograph is cropped to the cover, in
    percent from the left and from the top: ``[50, 65]``."""

    @field_validator("focal_point")
    @classmethod
    def _focal_point(cls, value: tuple[int, int]) -> tuple[int, int]:
        if not all(0 <= v <= 100 for v in value):
            raise ValueError(f"focal_point {list(value)} is not two percentages from 0 to 100")
        return value


class Logo(_Schema):
    """A logo of the publisher or a partner (SVG or PNG inside the project)."""

    file: str = Field(min_length=1)
    """Path, e.g. ``frame/logos/cat-specialist-group.svg``."""
    alt: str = Field(min_length=1)
    """The organisation's name as a reader of the PDF hears it."""


class Funder(_Schema):
    """An organisation that funded the issue (masthead, with its logo)."""

    name: str = Field(min_length=1)
    logo: str | None = None
    """Path of its logo (SVG or PNG) inside the project."""
    url: str | None = None
    """Its web address, printed under the logo."""


class Production(_Schema):
    """Who made the issue, as the masthead credits them."""

    design: str | None = None
    layout: str | None = None
    print: str | None = None
    """The printer, e.g. 'Printed by Example Druck AG on FSC paper'."""


class BackCover(_Schema):
    """The last page: a photograph with its credit, or a text with the partners' logos."""

    image: str | None = None
    """Path of a JPEG or PNG inside the project, printed to the edge of the page."""
    credit: str | None = None
    alt: str | None = None
    text: str | None = None
    """A short text printed on the back cover (over the image, or above the logos)."""

    @model_validator(mode="after")
    def _image_needs_credit_and_alt(self) -> BackCover:
        if self.image is not None and (not self.credit or not self.alt):
            raise ValueError("a back-cover image needs its credit and its alt text")
        return self


class ChapterEntry(_Schema):
    file: str = Field(min_length=1)
    """Path of the chapter's Markdown file, relative to the project root."""
    role: Role = "chapter"
    """editorial or prologue (front matter), chapter, strategy (last chapter), appendix (back)."""


class IssueConfig(_Schema):
    """The issue manifest, ``issue.yml``."""

    series: str = "CATnews"
    """Journal name, printed on the cover and in running headers."""
    issue_label: str = "Special Issue"
    """'Special Issue' or 'Issue'; precedes the number."""
    number: int = Field(ge=1)
    season: str | None = None
    """'Spring', 'Autumn'…; printed before the year."""
    year: int = Field(ge=1900, le=2200)
    title: str = Field(min_length=1)
    issn: str
    publisher: str = Field(min_length=1)
    publisher_address: str | None = None
    editors: tuple[Editor, ...] = Field(min_length=1)
    licence: str = "CC BY 4.0"
    language: str = "en"
    """BCP 47 language tag of the issue (hyphenation and ``<html lang>``)."""
    base_url: str
    """Where the HTML edition will be published, e.g. https://example.org/catnews/si13/."""
    doi_prefix: str | None = None
    """Registrant prefix (10.NNNN); with it, the issue and every article get DOIs."""
    doi_pattern: str = "{prefix}/{series}.si{number}.{slug}"
    """Article DOI; fields {prefix} {series} {number} {year} {slug}. Must use {slug}, so DOIs
    never change when chapters are reordered."""
    issue_doi_pattern: str = "{prefix}/{series}.si{number}"
    """The issue's own DOI."""
    first_page: int = Field(default=1, ge=1)
    """Folio of the cover page."""
    sample_notice: str | None = None
    """Sentence printed on the cover and masthead of a sample or draft edition."""
    italic_terms: tuple[str, ...] = ()
    """Scientific names set in italics wherever they appear in roman — reference titles,
    keywords, titles, captions, tables — e.g. ``[Otocolobus manul, Otocolobus, Panthera uncia]``;
    a genus alone matches only as a whole word."""
    chapters: tuple[ChapterEntry, ...] = Field(min_length=1)
    """The articles in print order; the strategy chapter is the last chapter."""
    cover: CoverImage | None = None
    """The cover photograph (without one, the cover is the house colour)."""
    logos: tuple[Logo, ...] = ()
    """The publisher's and partners' logos: on the cover's foot and on the back cover."""
    standing_statement: str | None = None
    """The series' standing text at the head of the masthead ('CATnews is the newsletter of
    the Cat Specialist Group…')."""
    associate_editors: tuple[Editor, ...] = ()
    production: Production | None = None
    funders: tuple[Funder, ...] = ()
    copyright: str | None = None
    """E.g. '© IUCN SSC Cat Specialist Group'; printed on the masthead with the licence."""
    disclaimer: str | None = None
    """The publisher's disclaimer on the designation of geographical entities (masthead)."""
    back_cover: BackCover | None = None
    contents_titles: Literal["full", "short"] = "full"
    """The contents page lists each article's full title (as CATnews does) or its short title."""
    rules: dict[str, RuleSetting] = Field(default_factory=dict)
    """Severity of diagnostic rules by id, e.g. ``{heading-skip: error, bib-uncited: off}``:
    ``error``, ``warning`` or ``off`` (not reported). The rules that refuse unsafe input or
    output that would be wrong cannot be changed; see docs/rules.md."""

    _italic_terms = field_validator("italic_terms", mode="before")(split_list)

    @field_validator("issn")
    @classmethod
    def _issn(cls, value: str) -> str:
        if not ISSN_RE.match(value):
            raise ValueError(f"ISSN {value!r} is not of the form NNNN-NNNC")
        if not issn_checksum_ok(value):
            raise ValueError(f"ISSN {value!r} has a wrong check digit")
        return value

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        if not re.match(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", value):
            raise ValueError(f"language {value!r} is not a BCP 47 tag such as 'en' or 'en-GB'")
        return value

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or not re.fullmatch(r"[A-Za-z0-9.:\[\]-]+", parts.netloc)
            or parts.query
            or parts.fragment
            or re.search(r"[\s\\\"'<>`]", value)
        ):
            raise ValueError(
                f"base_url {value!r} is not a plain http(s) URL such as https://example.org/si13/"
            )
        if "//" in parts.path or "/../" in f"{parts.path}/" or "/./" in f"{parts.path}/":
            raise ValueError(f"base_url {value!r} has an empty, '.' or '..' path segment")
        return value if value.endswith("/") else value + "/"

    @field_validator("doi_pattern", "issue_doi_pattern")
    @classmethod
    def _doi_pattern(cls, value: str, info: ValidationInfo) -> str:
        fields = []
        try:
            for _text, name, spec, conversion in string.Formatter().parse(value):
                if name is None:
                    continue
                if name not in DOI_PATTERN_FIELDS or spec or conversion:
                    raise ValueError(
                        f"{info.field_name} {value!r}: '{{{name}{'!' + conversion if conversion else ''}"
                        f"{':' + spec if spec else ''}}}' is not one of "
                        + ", ".join(f"{{{f}}}" for f in DOI_PATTERN_FIELDS)
                    )
                fields.append(name)
        except ValueError as error:
            if str(error).startswith(info.field_name or ""):
                raise
            raise ValueError(
                f"{info.field_name} {value!r} is not a valid pattern: {error}"
            ) from None
        if not value.startswith("{prefix}/"):
            raise ValueError(f"{info.field_name} {value!r} must start with '{{prefix}}/'")
        if info.field_name == "doi_pattern" and "slug" not in fields:
            raise ValueError(f"doi_pattern {value!r} must contain '{{slug}}'")
        return value

    @field_validator("doi_prefix")
    @classmethod
    def _doi_prefix(cls, value: str | None) -> str | None:
        if value is not None and not DOI_PREFIX_RE.match(value):
            raise ValueError(f"DOI prefix {value!r} is not of the form 10.NNNN")
        return value

    @property
    def issue_line(self) -> str:
        """'CATnews Special Issue 13 Spring 2019' (running header)."""
        parts = [self.series, self.issue_label, str(self.number), self.season or "", str(self.year)]
        return " ".join(p for p in parts if p)


class Author(_Schema):
    name: str = Field(min_length=1)
    """The name as printed in bylines ('Jan van der Berg', 'Zhou Haoran')."""
    given: str | None = None
    family: str | None = None
    """Which part of ``name`` is the family name (``pica_publish.names``: by default the last
    word with the lowercase particles before it; ``family`` alone may be the start of the name,
    for family-first names)."""
    organisation: bool = False
    """A group or institution as author ('IUCN SSC Cat Specialist Group'): its name is used
    whole, never split into given and family names."""
    affiliations: tuple[str, ...] = ()
    """Keys into the chapter's ``affiliations`` mapping."""
    orcid: str | None = None
    corresponding: bool = False
    email: str | None = None

    _affiliations = field_validator("affiliations", mode="before")(split_list)

    @field_validator("orcid")
    @classmethod
    def _orcid(cls, value: str | None) -> str | None:
        if value is None:
            return None
        match = ORCID_RE.match(value)
        if not match:
            raise ValueError(f"ORCID {value!r} is not of the form 0000-0000-0000-000X")
        if not orcid_checksum_ok(match[1]):
            raise ValueError(f"ORCID {value!r} has a wrong check character")
        return match[1]

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not EMAIL_RE.match(value):
            raise ValueError(f"e-mail address {value!r} is malformed")
        return value

    @model_validator(mode="after")
    def _name_parts(self) -> Author:
        self.person  # noqa: B018 — raises FamilyNameMismatch (a ValueError) for a wrong family
        return self

    @property
    def person(self) -> PersonName:
        """The name's parts (given names, particles, family name)."""
        if self.organisation:
            return PersonName("", "", " ".join(self.name.split()), organisation=True)
        return split_name(self.name, given=self.given, family=self.family)

    @property
    def family_name(self) -> str:
        """The family name with its particles ('van der Berg')."""
        return self.person.family_with_particle

    @property
    def given_names(self) -> str:
        return self.person.given


class ChapterMeta(_Schema):
    """A chapter's YAML front matter."""

    title: str = Field(min_length=1)
    """Article title in sentence case."""
    short_title: str | None = None
    """Shorter title for the contents page and navigation."""
    running_head: str | None = None
    """Overrides the short author line of the running header ('Ross et al.')."""
    role: Role | None = None
    """Optional; must agree with the manifest."""
    authors: tuple[Author, ...]
    """At least one. (Checked after the authors themselves, so that one author's wrong ORCID
    is not also reported as 'no authors'.)"""
    affiliations: dict[str, str] = Field(default_factory=dict)
    """Affiliation key → full postal address."""
    abstract: str | None = None
    keywords: tuple[str, ...] = ()
    number_prefix: str | None = Field(default=None, pattern=r"^[A-Z]?$")
    """Letter before figure and table numbers: 'A' gives 'Fig. A1' (default for appendices),
    'S' gives 'Table S1' for supplementary material, '' plain numbers."""

    _keywords = field_validator("keywords", mode="before")(split_list)

    @field_validator("authors")
    @classmethod
    def _authors(cls, value: tuple[Author, ...]) -> tuple[Author, ...]:
        if not value:
            raise ValueError("a chapter needs at least one author under 'authors'")
        return value


@dataclass(frozen=True)
class ChapterSource:
    """A chapter file as read: where it is, its place in the issue and its Markdown body —
    what the body checks need. :class:`Chapter` adds the validated front matter."""

    path: Path
    display_path: str
    slug: str
    """File stem without the number prefix: 'central-asia'; unique; the id prefix."""
    role: Role
    number: int | None
    """Chapter number for chapters and the strategy; None for front and back matter."""
    body: str
    body_line: int
    """1-based line of the file where the Markdown body starts."""
    positions: Positions
    front_matter_line: int
    """1-based file line of the first YAML line (after the opening ``---``)."""
    front_matter_text: str
    """The front matter's YAML as written (between the fences), for checks on the text itself
    (placeholders the scaffold wrote)."""

    @property
    def label(self) -> str:
        """Section label printed above the article: 'editorial', 'chapter 3', 'appendix'."""
        return f"chapter {self.number}" if self.number is not None else self.role

    @property
    def number_prefix(self) -> str:
        """Letter before figure and table numbers: 'A' for appendices by default."""
        return "A" if self.role in BACK_ROLES else ""

    def location(self, line: int, column: int = 0) -> Location:
        return Location(self.display_path, line, column)

    def front_matter_location(self, path: tuple[str | int, ...], *, key: bool = False) -> Location:
        line, column = self.positions.of_key(path) if key else self.positions.of_value(path)
        if path == ():
            return Location(self.display_path, 1, 1)
        return Location(self.display_path, line + self.front_matter_line - 1, column)


@dataclass(frozen=True)
class Chapter(ChapterSource):
    """One article of the issue, loaded and validated."""

    meta: ChapterMeta

    @property
    def number_prefix(self) -> str:
        if self.meta.number_prefix is not None:
            return self.meta.number_prefix
        return super().number_prefix

    @property
    def short_authors(self) -> str:
        """Short author line for running headers: 'Ross', 'Ross & Harris', 'Ross et al.'."""
        if self.meta.running_head:
            return self.meta.running_head
        names = [a.family_name for a in self.meta.authors]
        if len(names) == 1:
            return names[0]
        if len(names) == 2:
            return f"{names[0]} & {names[1]}"
        return f"{names[0]} et al."

    @property
    def affiliation_order(self) -> tuple[str, ...]:
        """Affiliation keys numbered 1, 2, … in order of first mention in the byline."""
        order: dict[str, None] = {}
        for author in self.meta.authors:
            for key in author.affiliations:
                order.setdefault(key, None)
        return tuple(order)


@dataclass(frozen=True)
class ChapterDraft(ChapterSource):
    """A chapter whose front matter has errors (already reported by *load*). *check* still
    checks its body, so that one run reports every problem; it is never part of
    :attr:`Issue.chapters`, so it cannot reach the build."""

    declared_number_prefix: str | None = None
    """The front matter's ``number_prefix`` when that field itself is valid."""

    @property
    def number_prefix(self) -> str:
        if self.declared_number_prefix is not None:
            return self.declared_number_prefix
        return super().number_prefix


@dataclass(frozen=True)
class BibEntry:
    """A bibliography entry as parsed by bibtexparser (raw, undecoded fields)."""

    key: str
    entry_type: str
    fields: Mapping[str, str]
    location: Location


@dataclass(frozen=True)
class Bibliography:
    entries: Mapping[str, BibEntry]
    files: tuple[Path, ...]
    preludes: Mapping[Path, str] = field(default_factory=dict)
    """Per file: BibTeX to put before its text for pandoc (empty: *load* resolves ``@string``
    macros, across files, itself)."""
    texts: Mapping[Path, str] = field(default_factory=dict)
    """Per file: what pandoc converts: the entries *load* read, written again in one plain form
    (macros resolved, DOIs bare; see :func:`pica_publish.bibliography.entry_for_pandoc`)."""
    unusable: Mapping[str, Location] = field(default_factory=dict)
    """Keys of entries that exist but could not be used (a file that is not UTF-8, a block that
    could not be read, a ``@set``), with where that was reported; the key ``""`` when some file
    could not be read at all. Citing such a key is not a second problem."""


@dataclass(frozen=True)
class Citation:
    """A citation key as written in a chapter, with its exact source position."""

    key: str
    location: Location


@dataclass(frozen=True)
class RegisteredDoi:
    """A DOI recorded in ``dois.lock`` by ``pica-publish register``: deposited, so it never
    changes (:mod:`pica_publish.registry`)."""

    doi: str
    registered: str
    """ISO date on which it was recorded."""
    location: Location
    """Where it is written in dois.lock."""


@dataclass(frozen=True)
class DoiRegistry:
    """The DOIs ``dois.lock`` records: the issue's own and each article's, by slug."""

    issue: RegisteredDoi | None
    articles: Mapping[str, RegisteredDoi]


@dataclass(frozen=True)
class Issue:
    """Everything loaded: the manifest, the chapters in print order and the bibliography."""

    root: Path
    config: IssueConfig | None
    """None only when issue.yml has errors (the chapters are still loaded and checked)."""
    config_positions: Positions
    chapters: tuple[Chapter, ...]
    bibliography: Bibliography
    drafts: tuple[ChapterDraft, ...] = ()
    """Listed chapters whose front matter is invalid: *check* reads their bodies only."""
    registry: DoiRegistry | None = None
    """The registered DOIs (``dois.lock``); None when the project has none yet."""

    @property
    def manifest(self) -> IssueConfig:
        """The validated manifest; stages after *check* run only when it is valid."""
        if self.config is None:
            raise RuntimeError("the manifest is invalid; this stage should not have run")
        return self.config


def strip_value_error(message: str) -> str:
    return message.removeprefix("Value error, ")


def describe_validation_error(error: Mapping[str, Any]) -> tuple[str, bool]:
    """(message, point_at_key) for one pydantic error dict."""
    loc = tuple(error["loc"])
    field = ".".join(str(p) for p in loc) or "document"
    kind = error["type"]
    if kind == "missing":
        return f"missing required field '{field}'", True
    if kind == "extra_forbidden":
        return f"unknown field '{field}'", True
    if kind == "value_error":
        return strip_value_error(error["msg"]), False
    shown = error.get("input")
    if isinstance(shown, dict | list):
        return f"'{field}': {error['msg'].lower()}", False
    return f"'{field}': {error['msg'].lower()} (got {shown!r})", False
