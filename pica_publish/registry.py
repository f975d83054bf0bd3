"""Registered DOIs: ``dois.lock``, so that a DOI, once deposited, never changes.

Every DOI is derived from ``issue.yml`` (``doi_prefix``, ``doi_pattern``, ``series``, ``number``,
``year``) and the article's slug. Editing one of those after the DOIs were deposited with
Crossref would give every article a new DOI without a word, and the deposited ones would resolve
to nothing. ``pica-publish register`` (:func:`register`) records the current DOIs in
``dois.lock``, committed with the sources; from then on *check* — and so every build — refuses
an issue whose DOIs differ from the recorded ones, at the key of ``issue.yml`` that changed them
(:func:`check_registry`). An article not yet registered is fine; a registered one may not
disappear. Nothing here ever rewrites or drops a recorded DOI: there is no ``--force``.

``dois.lock`` is YAML, sorted, one entry per DOI::

    issue:
      doi: 10.5555/catnews.si13
      registered: '2019-05-01'
    articles:
      central-asia:
        doi: 10.5555/catnews.si13.central-asia
        registered: '2019-05-01'
"""

from __future__ import annotations

import datetime
import os
import re
import string
import sys
from collections.abc import Mapping
from io import StringIO
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from pica_publish import rules
from pica_publish.diagnostics import Location, Report
from pica_publish.doi import DOI_RE
from pica_publish.model import DoiRegistry, Issue, IssueConfig, RegisteredDoi
from pica_publish.sources import read_yaml_file
from pica_publish.yamlsource import Positions

LOCK_FILE = "dois.lock"
MANIFEST = "issue.yml"
HEADER = """\
# Registered DOIs, recorded by `pica-publish register` when they were deposited with Crossref.
# Never edit this file: a registered DOI never changes, and `pica-publish check` fails when
# issue.yml would change one. Commit it with the sources.
"""
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
FIELD_FORMS = {
    "prefix": r"10\.\d{4,9}",
    "series": r"[a-z0-9-]+",
    "number": r"\d+",
    "year": r"\d{4}",
    "slug": r"[a-z0-9-]+",
}
"""What each field of a DOI pattern can look like in a DOI (the series as its slug)."""
PATTERN_KEYS = {"prefix": "doi_prefix", "series": "series", "number": "number", "year": "year"}
"""The issue.yml key behind each field of a DOI pattern (the slug is the chapter's file name)."""


# --- reading -------------------------------------------------------------------------------------


def read_registry(root: Path, report: Report) -> DoiRegistry | None:
    """``dois.lock`` as recorded; None when the project has none (or it cannot be read:
    reported as ``doi-registry-invalid`` at its line)."""
    path = root / LOCK_FILE
    if not path.exists() and not path.is_symlink():
        return None
    read = read_yaml_file(path, LOCK_FILE, report, root=root, rule=rules.DOI_REGISTRY_INVALID)
    if read is None:
        return None
    _text, data, positions = read
    problems: list[tuple[str, tuple[int, int]]] = []
    registry = _registry(data, positions, problems)
    for message, (line, column) in problems:
        report.add(rules.DOI_REGISTRY_INVALID, message, Location(LOCK_FILE, line, column))
    return None if problems else registry


def _registry(
    data: Any, positions: Positions, problems: list[tuple[str, tuple[int, int]]]
) -> DoiRegistry:
    if data is None:
        data = {}
    if not isinstance(data, dict) or set(data) - {"issue", "articles"}:
        problems.append(("dois.lock must hold only 'issue' and 'articles'", (1, 1)))
        return DoiRegistry(None, {})
    issue = _entry(data.get("issue"), ("issue",), positions, problems)
    articles = data.get("articles") or {}
    if not isinstance(articles, dict):
        problems.append(("'articles' must map slugs to DOIs", positions.of_value(("articles",))))
        return DoiRegistry(issue, {})
    recorded = {}
    for slug, value in articles.items():
        if not SLUG_RE.fullmatch(slug):
            problems.append((f"'{slug}' is not a slug", positions.of_key(("articles", slug))))
        entry = _entry(value, ("articles", slug), positions, problems)
        if entry is not None:
            recorded[slug] = entry
    return DoiRegistry(issue, recorded)


def _entry(
    value: Any,
    path: tuple[str, ...],
    positions: Positions,
    problems: list[tuple[str, tuple[int, int]]],
) -> RegisteredDoi | None:
    if value is None and path == ("issue",):
        return None
    where = positions.of_value(path)
    name = ".".join(path)
    if not isinstance(value, dict) or set(value) != {"doi", "registered"}:
        problems.append((f"'{name}' must have exactly 'doi' and 'registered'", where))
        return None
    doi, registered = str(value["doi"]), str(value["registered"])
    if not DOI_RE.match(doi):
        problems.append((f"'{name}.doi' {doi!r} is not a DOI", positions.of_value((*path, "doi"))))
        return None
    if not DATE_RE.fullmatch(registered):
        problems.append(
            (
                f"'{name}.registered' {registered!r} is not a date (YYYY-MM-DD)",
                positions.of_value((*path, "registered")),
            )
        )
        return None
    line, column = positions.of_value((*path, "doi"))
    return RegisteredDoi(doi, registered, Location(LOCK_FILE, line, column))


# --- checking ------------------------------------------------------------------------------------


def check_registry(issue: Issue, report: Report) -> None:
    """Every registered DOI is still the DOI its article (and the issue) gets, and every
    registered article is still in the issue. Reported in issue.yml, at the key that changed."""
    from pica_publish.citation import article_doi, issue_doi  # the one place DOIs are made

    registry, config = issue.registry, issue.config
    if registry is None or config is None:
        return
    if registry.issue is not None:
        _report_change(issue, report, "the issue", registry.issue, issue_doi(config), "")
    for chapter in issue.chapters:
        registered = registry.articles.get(chapter.slug)
        if registered is not None:
            doi = article_doi(config, chapter)
            _report_change(issue, report, f"'{chapter.slug}'", registered, doi, chapter.slug)
    present = {chapter.slug for chapter in (*issue.chapters, *issue.drafts)}
    line, column = issue.config_positions.of_key(("chapters",))
    for slug, registered in sorted(registry.articles.items()):
        if slug not in present:
            report.add(
                rules.DOI_REGISTERED_MISSING,
                f"article '{slug}' is registered as {registered.doi} ({LOCK_FILE}, "
                f"{registered.registered}) but no longer in the issue",
                Location(MANIFEST, line, column),
                f"a registered DOI must keep resolving: list chapters/NN-{slug}.md (the slug "
                f"'{slug}') in issue.yml again",
            )


def _report_change(
    issue: Issue,
    report: Report,
    what: str,
    registered: RegisteredDoi,
    doi: str | None,
    slug: str,
) -> None:
    if doi is not None and doi.lower() == registered.doi.lower():  # DOIs ignore case
        return
    config = issue.manifest
    now = f"to {doi}" if doi is not None else "to none: issue.yml has no doi_prefix"
    key, hint = _culprit(config, registered.doi, slug)
    line, column = issue.config_positions.of_key((key,)) if key else (1, 1)
    report.add(
        rules.DOI_CHANGED,
        f"the DOI of {what} would change from {registered.doi} (registered "
        f"{registered.registered} in {LOCK_FILE}) {now}",
        Location(MANIFEST, line, column),
        f"a registered DOI never changes: {hint}",
    )


def _culprit(config: IssueConfig, registered: str, slug: str) -> tuple[str, str]:
    """The issue.yml key whose change explains the new DOI of the article ``slug`` (``""``: the
    issue), and how to undo it: the registered DOI is read back through the current pattern,
    field by field; a DOI the pattern cannot have made points at the pattern."""
    from pica_publish.citation import slugify_ascii

    if config.doi_prefix is None:
        prefix = registered.split("/", 1)[0]
        return "", f'restore doi_prefix: "{prefix}" in issue.yml'
    pattern_key = "doi_pattern" if slug else "issue_doi_pattern"
    pattern = config.doi_pattern if slug else config.issue_doi_pattern
    current = {
        "prefix": config.doi_prefix,
        "series": slugify_ascii(config.series),
        "number": str(config.number),
        "year": str(config.year),
        "slug": slug,
    }
    regex, names = "", []
    for literal, name, _spec, _conversion in string.Formatter().parse(pattern):
        regex += re.escape(literal)
        if name is not None:
            regex += f"(?P={name})" if name in names else f"(?P<{name}>{FIELD_FORMS[name]})"
            names.append(name)
    match = re.fullmatch(regex, registered, re.IGNORECASE)
    if match is None:
        return pattern_key, f"restore the {pattern_key} that gave {registered}"
    for name, key in PATTERN_KEYS.items():
        if name in names and match[name].lower() != current[name].lower():
            old = match[name]
            if name == "series":
                return key, f"restore the series whose DOI form was '{old}'"
            return key, f"set {key} back to " + (f'"{old}"' if name == "prefix" else old)
    return pattern_key, f"restore the {pattern_key} that gave {registered}"


# --- registering ---------------------------------------------------------------------------------


def register(root: Path) -> int:
    """``pica-publish register``: check the issue, then record the DOI of the issue and of every
    article in ``dois.lock``; entries already there are kept as they are (with their date).
    Refused — exit 1, with the problems — when the issue has errors, among them a DOI that
    differs from its registered one, or when it has no DOIs."""
    from pica_publish.build import run, select_stages
    from pica_publish.citation import article_doi, issue_doi
    from pica_publish.reporting import summary, write_human
    from pica_publish.state import BuildOptions

    state = run(BuildOptions(root=root), select_stages(only=("load", "check")))
    report, issue = state.report, state.issue
    if issue is not None and issue.config is not None and issue.config.doi_prefix is None:
        report.add(
            rules.REGISTER_NO_DOI,
            "issue.yml has no doi_prefix: the issue has no DOIs to register",
            Location(MANIFEST, 1, 1),
        )
    if report.has_errors or issue is None:
        errors = [d for d in report.sorted() if d.severity >= rules.ERROR]
        write_human(errors, sys.stderr, verbose=False)
        print(
            f"pica-publish: register refused: {summary(errors)}; nothing recorded", file=sys.stderr
        )
        return 1
    # The check passed: every registered DOI is still the current one. Keep those entries as
    # they are (with their dates) and add the articles not registered yet.
    config = issue.manifest
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    old = issue.registry or DoiRegistry(None, {})
    articles = {slug: (entry.doi, entry.registered) for slug, entry in old.articles.items()}
    added = []
    for chapter in issue.chapters:
        doi = article_doi(config, chapter)
        if doi is not None and chapter.slug not in articles:
            articles[chapter.slug] = (doi, today)
            added.append(chapter.slug)
    own = issue_doi(config)
    if old.issue is not None:
        issue_entry: tuple[str, str] | None = (old.issue.doi, old.issue.registered)
    else:
        issue_entry = (own, today) if own is not None else None
    write_registry(root, issue_entry, articles)
    print(
        f"pica-publish: {LOCK_FILE}: {len(added)} DOI(s) registered"
        + (f" ({', '.join(added)})" if added else "")
        + f", {len(articles) - len(added)} already registered"
    )
    return 0


def write_registry(
    root: Path, issue: tuple[str, str] | None, articles: Mapping[str, tuple[str, str]]
) -> None:
    """Write ``dois.lock`` (sorted by slug), all at once: a new file renamed over the old."""
    document = CommentedMap()
    if issue is not None:
        document["issue"] = CommentedMap([("doi", issue[0]), ("registered", issue[1])])
    document["articles"] = CommentedMap(
        (slug, CommentedMap([("doi", doi), ("registered", date)]))
        for slug, (doi, date) in sorted(articles.items())
    )
    yaml = YAML(typ="rt", pure=True)
    yaml.indent(mapping=2, sequence=4, offset=2)
    stream = StringIO()
    yaml.dump(document, stream)
    target = root / LOCK_FILE
    temporary = target.with_name(f".{LOCK_FILE}.tmp")
    temporary.write_text(HEADER + stream.getvalue(), "utf-8")
    os.replace(temporary, target)
