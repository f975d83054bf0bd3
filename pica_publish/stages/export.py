"""Stage 7, *export*: metadata for registries, archives and reference managers.

Consumes the issue, the page map and each chapter's cited references; produces, under
``metadata/``: ``crossref.xml`` (with a DOI prefix), ``jats/SLUG.xml``, ``CITATION.cff``,
``issue.bib`` and ``issue.ris``. Runs with the print edition (the pages come from its layout).
"""

from __future__ import annotations

import dataclasses
import datetime
from concurrent.futures import ThreadPoolExecutor

from pica_publish.diagnostics import Location
from pica_publish.exports.citations import citation_cff, issue_bibtex, issue_ris
from pica_publish.exports.crossref import crossref_deposit
from pica_publish.exports.jats import jats_metadata
from pica_publish.exports.records import ArticleRecord, article_records, publication_date
from pica_publish.pandoc import PandocError, markdown_to_jats
from pica_publish.stages.convert import csl_style_path, lua_filters
from pica_publish.state import BuildState


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
    records = article_records(issue, dict(state.page_map))
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

    def to_jats(record: ArticleRecord) -> tuple[ArticleRecord, str | PandocError]:
        try:
            return record, markdown_to_jats(
                record.chapter.body,
                metadata=jats_metadata(config, record),
                references=list(state.cited_items.get(record.chapter.slug, [])),
                csl=csl_style_path(),
                filters=lua_filters(),
                number_prefix=record.chapter.number_prefix,
                cache_dir=options.cache_path,
            )
        except PandocError as error:
            return record, error

    with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
        for record, result in pool.map(to_jats, records):
            if isinstance(result, PandocError):
                state.report.error(
                    "jats-failed",
                    f"pandoc could not write JATS: {result}",
                    Location(record.chapter.display_path),
                )
            else:
                files[f"metadata/jats/{record.chapter.slug}.xml"] = result.encode("utf-8")
    return dataclasses.replace(state, files={**state.files, **files})
