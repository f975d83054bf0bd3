"""Stage 7, *export*: metadata for registries, archives and reference managers.

Consumes the issue, the page map and each chapter's cited references; produces, under
``metadata/``: ``crossref.xml`` (with a DOI prefix), ``jats/SLUG.xml``, ``CITATION.cff``,
``issue.bib`` and ``issue.ris``. Runs with the print edition (the pages come from its layout).

Every export is read back before it is kept: ``issue.bib`` by bibtexparser (the same entries,
keys and values), ``issue.ris`` line by line, ``CITATION.cff`` by ruamel.yaml, ``crossref.xml``
by lxml. The exporters escape
whatever strings reach them, so a failed read-back is a bug in pica_publish and raises
:class:`ExportError`. The JATS comes from pandoc and the chapter's own body: if lxml cannot
parse it, that is reported at the chapter (``jats-invalid``) and the file is not written.
"""

from __future__ import annotations

import dataclasses
import datetime
from concurrent.futures import ThreadPoolExecutor

from lxml import etree
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from pica_publish import rules
from pica_publish.citation import suggested_citations
from pica_publish.diagnostics import Location
from pica_publish.exports.citations import (
    bibtex_problems,
    citation_cff,
    issue_bibtex,
    issue_ris,
    ris_problems,
)
from pica_publish.exports.crossref import crossref_deposit
from pica_publish.exports.jats import jats_metadata
from pica_publish.exports.records import ArticleRecord, article_records, publication_date
from pica_publish.filters import (
    csl_style_path,
    filter_settings,
    lua_filters,
    lua_filters_after_citeproc,
)
from pica_publish.model import IssueConfig
from pica_publish.pandoc import PandocError, markdown_to_jats
from pica_publish.state import BuildState


class ExportError(RuntimeError):
    """An export failed its own read-back check: a bug in pica_publish, not in the input."""


def _parser() -> etree.XMLParser:
    """Well-formedness only: no DTD, no entity expansion, no network."""
    return etree.XMLParser(load_dtd=False, no_network=True, resolve_entities=False, huge_tree=False)


def xml_problem(data: bytes) -> str | None:
    """Why ``data`` is not a well-formed XML document, or None."""
    try:
        etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        return str(error)
    return None


def check_exports(
    files: dict[str, bytes], config: IssueConfig, records: list[ArticleRecord]
) -> None:
    """Read back the exports the exporters wrote; raise :class:`ExportError` on any problem."""
    problems = [
        *(f"issue.bib: {p}" for p in bibtex_problems(files["metadata/issue.bib"], config, records)),
        *(f"issue.ris: {p}" for p in ris_problems(files["metadata/issue.ris"], len(records))),
    ]
    try:
        YAML(typ="safe").load(files["metadata/CITATION.cff"].decode("utf-8"))
    except YAMLError as error:
        problems.append(f"CITATION.cff does not load: {error}")
    if "metadata/crossref.xml" in files:
        problem = xml_problem(files["metadata/crossref.xml"])
        if problem:
            problems.append(f"crossref.xml is not well-formed: {problem}")
    if problems:
        raise ExportError("; ".join(problems))


def export(state: BuildState) -> BuildState:
    issue = state.issue
    options = state.options
    if (
        issue is None
        or state.report.has_errors
        or "pdf" not in options.outputs
        or options.preview is not None
    ):
        return state
    config = issue.manifest
    citations = suggested_citations(issue, state.page_map, options.cache_path)
    records = article_records(issue, dict(state.page_map), citations)
    files: dict[str, bytes] = {
        "metadata/CITATION.cff": citation_cff(config, records),
        "metadata/issue.bib": issue_bibtex(config, records),
        "metadata/issue.ris": issue_ris(config, records),
    }
    if config.doi_prefix:
        epoch = options.source_date_epoch
        if epoch is None:
            day = publication_date(config)
            epoch = int(
                datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC).timestamp()
            )
        files["metadata/crossref.xml"] = crossref_deposit(
            config, records, state.cited_items, timestamp=epoch
        )
    check_exports(files, config, records)

    def to_jats(record: ArticleRecord) -> tuple[ArticleRecord, str | PandocError]:
        try:
            return record, markdown_to_jats(
                record.chapter.body,
                metadata={**jats_metadata(config, record), **filter_settings(issue)},
                references=list(state.cited_items.get(record.chapter.slug, [])),
                csl=csl_style_path(),
                filters=lua_filters(),
                filters_after=lua_filters_after_citeproc(),
                number_prefix=record.chapter.number_prefix,
                cache_dir=options.cache_path,
            )
        except PandocError as error:
            return record, error

    with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
        for record, result in pool.map(to_jats, records):
            if isinstance(result, PandocError):
                state.report.add(
                    rules.JATS_FAILED,
                    f"pandoc could not write JATS: {result}",
                    Location(record.chapter.display_path),
                )
                continue
            jats = result.encode("utf-8")
            problem = xml_problem(jats)
            if problem:
                state.report.add(
                    rules.JATS_INVALID,
                    f"the JATS that pandoc wrote is not well-formed XML: {problem}",
                    Location(record.chapter.display_path),
                )
            else:
                files[f"metadata/jats/{record.chapter.slug}.xml"] = jats
    return dataclasses.replace(state, files={**state.files, **files})
