"""Stage 1, *load*: read the manifest, the chapters and the bibliography into the model.

Consumes the project folder; produces ``state.issue``. Reads everything, validates schemas and
order, and reports every problem with its location; nothing is written.
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from pica_publish import rules
from pica_publish.bibliography import load_bibliography
from pica_publish.diagnostics import Location, Report, did_you_mean, display_path
from pica_publish.frontmatter import read_front_matter, repair_shape
from pica_publish.model import (
    BACK_ROLES,
    FRONT_ROLES,
    NUMBERED_ROLES,
    Chapter,
    ChapterDraft,
    ChapterEntry,
    ChapterMeta,
    Issue,
    IssueConfig,
    RuleSetting,
)
from pica_publish.registry import read_registry
from pica_publish.sources import read_text, read_yaml_file, validate_model
from pica_publish.state import BuildState
from pica_publish.yamlsource import Positions

MANIFEST = "issue.yml"
SLUG_RE = re.compile(r"^\d{2,3}-([a-z0-9]+(?:-[a-z0-9]+)*)$")
"""Chapter file names: ``NN-slug.md``. The slug becomes ids, URLs and file names of every output,
and the name passes through shells in CI: nothing but lowercase letters, digits and hyphens."""


def load(state: BuildState) -> BuildState:
    """Load ``issue.yml``, every listed chapter, every ``references/*.bib`` and the registered
    DOIs (``dois.lock``)."""
    root = state.options.root.resolve()
    report = state.report
    if state.options.build_dir is None:
        check_build_folder(root, root / "build", report)
    loaded = load_manifest(root, report)
    bibliography = load_bibliography(root, report)
    registry = read_registry(root, report)
    if loaded is None:
        return state
    config, entries, positions = loaded
    chapters, drafts = load_chapters(root, entries, positions, report)
    issue = Issue(root, config, positions, chapters, bibliography, drafts, registry)
    return dataclasses.replace(state, issue=issue)


def check_build_folder(root: Path, build: Path, report: Report) -> None:
    """``build/`` holds outputs and caches and is never committed. One that comes with the
    sources — a symlink to elsewhere, or files added to git by a pull request (a forged layout
    cache would be published as the issue PDF) — is refused before anything is read from it or
    written to it."""
    if build.is_symlink():
        report.add(
            rules.BUILD_FOLDER_COMMITTED,
            "build/ is a symbolic link; outputs would be written wherever it points",
            Location("build/"),
            "delete the link: build/ is made by the build",
        )
        return
    if not (root / ".git").exists():
        return
    try:
        tracked = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--", "build"],
            capture_output=True,
            timeout=30,
            check=False,
        ).stdout
    except (OSError, subprocess.TimeoutExpired):  # no git here: nothing to compare with
        return
    if tracked:
        count = tracked.count(0)
        report.add(
            rules.BUILD_FOLDER_COMMITTED,
            f"{count} file(s) under build/ are committed to the repository",
            Location("build/"),
            "remove them with `git rm -r --cached build` (outputs and caches are never committed)",
        )


class _ChapterList(BaseModel):
    """Just the chapter list of a manifest whose other fields are invalid, so that the chapters
    can still be checked and every problem reported in one run."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    chapters: tuple[ChapterEntry, ...]


class _RuleSettings(BaseModel):
    """Just the ``rules`` of a manifest whose other fields are invalid: they apply all the same."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    rules: dict[str, RuleSetting] = {}


def _rule_settings(data: Any) -> dict[str, RuleSetting]:
    try:
        return _RuleSettings.model_validate(data).rules
    except ValidationError:
        return {}


def load_manifest(
    root: Path, report: Report
) -> tuple[IssueConfig | None, tuple[ChapterEntry, ...], Positions] | None:
    path = root / MANIFEST
    if not path.is_file() and not path.is_symlink():
        report.add(
            rules.MANIFEST_MISSING,
            f"no issue manifest '{MANIFEST}' in {root}",
            Location(MANIFEST),
        )
        return None
    read = read_yaml_file(path, MANIFEST, report, root=root)
    if read is None:
        return None
    text, data, positions = read

    def locate(loc: tuple[Any, ...], *, key: bool) -> Location:
        line, column = positions.of_key(loc) if key else positions.of_value(loc)
        return Location(MANIFEST, line, column)

    data, _mistaken = repair_shape(
        IssueConfig,
        data,
        positions,
        text,
        report,
        lambda line, column: Location(MANIFEST, line, column),
    )
    config = validate_model(IssueConfig, data, locate, report, what="issue.yml")
    settings = config.rules if config is not None else _rule_settings(data)
    report.override(
        rules.severity_overrides(settings, lambda rule: locate(("rules", rule), key=True), report)
    )
    if config is not None:
        return config, config.chapters, positions
    try:
        entries = _ChapterList.model_validate(data).chapters
    except ValidationError:
        return None
    return None, entries, positions


def load_chapters(
    root: Path, entries: tuple[ChapterEntry, ...], positions: Positions, report: Report
) -> tuple[tuple[Chapter, ...], tuple[ChapterDraft, ...]]:
    """Every listed chapter, in manifest order, plus the checks on the order itself; and the
    chapters whose front matter has errors, as drafts whose bodies *check* still reads."""

    def entry_location(index: int, field: str = "file") -> Location:
        line, column = positions.of_value(("chapters", index, field))
        return Location(MANIFEST, line, column)

    existing = (
        sorted(p for p in (root / "chapters").glob("*.md")) if (root / "chapters").is_dir() else []
    )
    existing_names = [display_path(p, root) for p in existing]
    listed: set[Path] = set()
    chapters: list[Chapter] = []
    drafts: list[ChapterDraft] = []
    slugs: dict[str, int] = {}
    number = 0
    for index, entry in enumerate(entries):
        path = (root / entry.file).resolve()
        if not path.is_relative_to(root):
            report.add(
                rules.MANIFEST_OUTSIDE,
                f"chapter file '{entry.file}' is outside the project",
                entry_location(index),
            )
            continue
        if path in listed:
            report.add(
                rules.MANIFEST_DUPLICATE, f"'{entry.file}' is listed twice", entry_location(index)
            )
            continue
        listed.add(path)
        if not path.is_file():
            report.add(
                rules.MANIFEST_MISSING_FILE,
                f"chapter file '{entry.file}' does not exist",
                entry_location(index),
                did_you_mean(entry.file, existing_names) or "check the path in issue.yml",
            )
            continue
        match = SLUG_RE.match(path.stem)
        if not match or path.suffix != ".md":
            report.add(
                rules.CHAPTER_FILENAME,
                f"chapter file name '{path.name}' is not of the form NN-slug.md",
                entry_location(index),
            )
            continue
        slug = match[1]
        if slug in slugs:
            report.add(
                rules.CHAPTER_SLUG_DUPLICATE,
                f"two chapters have the slug '{slug}'",
                entry_location(index),
            )
            continue
        slugs[slug] = index
        if entry.role in NUMBERED_ROLES:
            number += 1
        chapter = load_chapter(root, path, slug, entry.role, number, report)
        if isinstance(chapter, ChapterDraft):
            drafts.append(chapter)
        elif chapter is not None:
            if chapter.meta.role is not None and chapter.meta.role != entry.role:
                report.add(
                    rules.CHAPTER_ROLE_MISMATCH,
                    f"front matter says role '{chapter.meta.role}' but issue.yml says '{entry.role}'",
                    chapter.front_matter_location(("role",)),
                )
            chapters.append(chapter)

    check_order(entries, entry_location, report)
    for path, name in zip(existing, existing_names, strict=True):
        if path.resolve() in listed:
            continue  # its name was checked with its manifest entry
        if not SLUG_RE.match(path.stem):
            report.add(
                rules.CHAPTER_FILENAME,
                f"chapter file name '{path.name}' is not of the form NN-slug.md",
                Location(name),
                "rename it with two digits, a hyphen, then lowercase letters, digits and hyphens, "
                "e.g. chapters/03-central-asia.md",
            )
        else:
            report.add(
                rules.CHAPTER_UNLISTED,
                f"'{name}' is not listed in issue.yml and will not be published",
                Location(name),
            )
    return tuple(chapters), tuple(drafts)


def check_order(entries: tuple[ChapterEntry, ...], entry_location: Any, report: Report) -> None:
    """Front matter first, then chapters, the strategy as the last chapter, then back matter."""
    roles = [entry.role for entry in entries]
    strategy = [i for i, role in enumerate(roles) if role == "strategy"]
    numbered = [i for i, role in enumerate(roles) if role in NUMBERED_ROLES]
    if not strategy:
        report.add(
            rules.ORDER_NO_STRATEGY,
            "the issue has no conservation strategy chapter",
            entry_location(len(roles) - 1, "role"),
        )
    elif len(strategy) > 1:
        for index in strategy[1:]:
            report.add(
                rules.ORDER_STRATEGY_TWICE,
                "only one chapter may have role 'strategy'",
                entry_location(index, "role"),
            )
    elif numbered and strategy[0] != numbered[-1]:
        report.add(
            rules.ORDER_STRATEGY_NOT_LAST,
            f"the strategy chapter must be the last chapter, but '{entries[numbered[-1]].file}' "
            "comes after it",
            entry_location(strategy[0]),
        )
    seen_body = False
    for index, role in enumerate(roles):
        if role in FRONT_ROLES and seen_body:
            report.add(
                rules.ORDER_FRONT_MATTER,
                f"'{role}' must come before the numbered chapters",
                entry_location(index, "role"),
            )
        if role in NUMBERED_ROLES or role in BACK_ROLES:
            seen_body = True
        if role in NUMBERED_ROLES and any(r in BACK_ROLES for r in roles[:index]):
            report.add(
                rules.ORDER_BACK_MATTER,
                "back matter (appendix) must come after the strategy chapter",
                entry_location(roles.index("appendix"), "role"),
            )
            break


TOOL_KEYS = {
    "header-includes": "remove it: the house style sets the layout (TeX or HTML for the "
    "document header is not used)",
    **dict.fromkeys(
        ("output", "format", "execute", "knitr", "jupyter", "engine", "params", "editor"),
        "remove it: an R Markdown/Quarto setting; if the body has code chunks, render it to "
        "Markdown first",
    ),
    "bibliography": "remove it: every chapter cites from the .bib files in references/",
    "csl": "remove it: the issue uses the house citation style",
    "link-citations": "remove it: citations are linked to the reference list in the HTML edition",
    **dict.fromkeys(
        ("documentclass", "classoption", "geometry", "fontsize", "mainfont", "linestretch"),
        "remove it: the house style sets page, type and spacing",
    ),
    **dict.fromkeys(
        ("papersize", "toc", "number-sections", "numbersections", "lof", "lot"),
        "remove it: the house style sets page size, contents and numbering",
    ),
}
"""Front-matter keys of R Markdown, Quarto and LaTeX templates, and what to do with each."""


def load_chapter(
    root: Path, path: Path, slug: str, role: Any, number: int, report: Report
) -> Chapter | ChapterDraft | None:
    """The chapter; a :class:`ChapterDraft` when its front matter has errors (reported);
    None when even its body cannot be read."""
    display = display_path(path, root)
    text = read_text(path, display, report, root=root, kind="chapter")
    if text is None:
        return None
    front = read_front_matter(text, display, report)
    if front is None:
        return None

    def locate(loc: tuple[Any, ...], *, key: bool) -> Location:
        if loc == ():
            return Location(display, 1, 1)
        line, column = front.positions.of_key(loc) if key else front.positions.of_value(loc)
        return Location(display, line + front.yaml_line - 1, column)

    data = front.data
    if not front.readable:
        meta = None  # the YAML syntax error is reported; validating nothing would add noise
    elif isinstance(data, dict):
        for key in [key for key in data if key in TOOL_KEYS]:
            report.add(
                rules.FRONT_MATTER_TOOL_KEY,
                f"'{key}' is an R Markdown, Quarto or LaTeX setting that is not used here",
                locate((key,), key=True),
                TOOL_KEYS[key],
            )
            del data[key]  # reported: not a second time as an unknown field
    declared_prefix = data.get("number_prefix") if isinstance(data, dict) else None
    if front.readable:
        data, mistaken = repair_shape(
            ChapterMeta,
            data,
            front.positions,
            front.text,
            report,
            lambda line, column: Location(display, line + front.yaml_line - 1, column),
        )
        meta = validate_model(ChapterMeta, data, locate, report, what="front matter")
        if mistaken:
            meta = None  # reported, and validated as meant: a draft, kept out of the build
    source = {
        "path": path,
        "display_path": display,
        "slug": slug,
        "role": role,
        "number": number if role in NUMBERED_ROLES else None,
        "body": front.body,
        "body_line": front.body_line,
        "positions": front.positions,
        "front_matter_line": front.yaml_line,
        "front_matter_text": front.text,
    }
    if meta is None:
        valid_prefix = isinstance(declared_prefix, str) and re.fullmatch(r"[A-Z]?", declared_prefix)
        return ChapterDraft(
            **source, declared_number_prefix=declared_prefix if valid_prefix else None
        )
    return Chapter(**source, meta=meta)
