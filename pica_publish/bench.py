"""``make bench``: time the sample issue's build, cold and warm, and the check, in one run.

Builds into a temporary folder so that the user's ``build/`` is left alone. Prints seconds and
the ratios between runs (ratios from one run on one machine are what we compare over time), and
how much the cold build's articles hyphenate (:mod:`pica_publish.hyphenation_report`).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from pica_publish.build import STAGES, Stage, select_stages
from pica_publish.hyphenation_report import IssueRecorder, measure, report_lines
from pica_publish.state import BuildOptions, BuildState


def timed(
    options: BuildOptions, stages: list[tuple[str, Stage]] | None = None
) -> tuple[float, dict[str, float]]:
    per_stage: dict[str, float] = {}
    chosen = stages if stages is not None else list(STAGES)
    started = time.perf_counter()
    state = BuildState(options)
    for name, stage in chosen:
        t0 = time.perf_counter()
        state = stage(state)
        per_stage[name] = time.perf_counter() - t0
    total = time.perf_counter() - started
    if state.report.has_errors:
        raise SystemExit("the sample issue has errors: run `make check`")
    return total, per_stage


def synthetic_bibliography(entries: int) -> str:
    """A Zotero-like export of ``entries`` articles (for timing the check on large files)."""
    blocks = ["% Exported by Better BibTeX for Zotero\n"]
    for n in range(entries):
        blocks.append(
            f"@article{{synthetic{n:05d}kaz,\n"
            f"  title = {{Synthetic study number {n} of steppe small mammals and their predators}},\n"
            f"  author = {{Surname{n}, Given and Ömirbekov, Nurlan and Zhuravleva, Polina}},\n"
            f"  journal = {{Journal of Synthetic Ecology}},\n  volume = {{{n % 90 + 1}}},\n"
            f"  pages = {{{n % 500 + 1}--{n % 500 + 12}}},\n  year = {{{1960 + n % 60}}},\n"
            f"  doi = {{10.5555/synthetic.{n}}},\n  keywords = {{steppe, pika, {n}}}\n}}\n"
        )
    return "\n".join(blocks)


def time_check_with_large_bibliography(root: Path, entries: int, tmp: Path) -> float:
    project = tmp / "large"
    shutil.copytree(root, project, ignore=shutil.ignore_patterns("build", ".venv", ".git"))
    (project / "references" / "large.bib").write_text(synthetic_bibliography(entries), "utf-8")
    options = BuildOptions(root=project, build_dir=project / "build", outputs=frozenset())
    seconds, _ = timed(options, select_stages(only=("load", "check")))
    return seconds


def time_writes() -> tuple[list[float], list[float]]:
    """Seconds of each part PDF written by WeasyPrint, and of each join (the issue first, then
    the offprints), recorded during the builds that follow."""
    from pica_publish import pdfjoin
    from pica_publish.layout import Typesetter

    writes: list[float] = []
    joins: list[float] = []
    write, join = Typesetter.join, pdfjoin.join_pdfs

    def timed_write(parts, options):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return write(parts, options)
        finally:
            writes.append(time.perf_counter() - started)

    def timed_join(*args, **kwargs):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return join(*args, **kwargs)
        finally:
            joins.append(time.perf_counter() - started)

    Typesetter.join = staticmethod(timed_write)  # type: ignore[method-assign]
    pdfjoin.join_pdfs = timed_join
    return writes, joins


def timed_edit(
    options: BuildOptions, project: Path, *, middle: bool, words: int
) -> tuple[float, dict[str, float]]:
    """A build after an edit of one chapter: one word changed in the middle chapter, or
    ``words`` words added to the first article (enough to add a page)."""
    from pica_publish.stages.load import load

    issue = load(BuildState(options)).issue
    assert issue is not None
    chapters = [c for c in issue.chapters if c.role in ("chapter", "prologue", "editorial")]
    chapter = chapters[len(chapters) // 2] if middle else chapters[0]
    text = chapter.path.read_text("utf-8")
    if words == 1:
        position = text.index(" the ", len(text) // 2)  # in the body, past the front matter
        text = text[:position] + " this " + text[position + len(" the ") :]
    else:
        sentence = "Field teams repeated the survey along the same transects each spring. "
        text = text.rstrip("\n") + "\n\n" + sentence * (words // 11) + "\n"
    chapter.path.write_text(text, "utf-8")
    return timed(options)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-C", dest="root", type=Path, default=Path("."))
    args = parser.parse_args()
    root = args.root.resolve()
    with tempfile.TemporaryDirectory(prefix="pica-bench-") as tmp:
        project = Path(tmp) / "issue"  # a copy: the edits below must not touch the sample
        shutil.copytree(root, project, ignore=shutil.ignore_patterns("build", ".venv", ".git"))
        options = BuildOptions(root=project, build_dir=project / "build")
        check_seconds, _ = timed(options, select_stages(only=("load", "check")))
        large = time_check_with_large_bibliography(root, 5000, Path(tmp))
        writes, joins = time_writes()
        recorder = IssueRecorder()
        uninstall = recorder.install()
        try:
            cold, cold_stages = timed(options)
        finally:
            uninstall()
        hyphenation = measure(recorder.articles(), first_page=recorder.first_article_page())
        cold_writes, cold_joins = list(writes), list(joins)
        recorder.calls.clear()  # the laid-out documents: not kept through the warm build
        warm, warm_stages = timed(options)
        word, word_stages = timed_edit(options, project, middle=True, words=1)
        page, page_stages = timed_edit(options, project, middle=False, words=400)
    print(f"sample issue: {root}")
    print(f"check            {check_seconds:7.2f} s")
    print(f"check, +5000 bib {large:7.2f} s   (a synthetic 5,000-entry Zotero export added)")
    print(
        f"build, cold      {cold:7.2f} s   "
        + "  ".join(f"{k} {v:.2f}" for k, v in cold_stages.items())
    )
    print(
        f"build, warm      {warm:7.2f} s   "
        + "  ".join(f"{k} {v:.2f}" for k, v in warm_stages.items())
    )
    print(f"warm / cold      {warm / cold:7.2f}")
    print(
        f"one-word edit    {word:7.2f} s   typeset {word_stages['typeset']:.2f}"
        f"   / cold {word / cold:.2f}   (a word changed in the middle chapter)"
    )
    print(
        f"page-adding edit {page:7.2f} s   typeset {page_stages['typeset']:.2f}"
        f"   / cold {page / cold:.2f}   (400 words added to the first article)"
    )
    print(f"typeset / cold   {cold_stages['typeset'] / cold:7.2f}")
    if cold_joins:
        print(
            f"cold: part PDF writes ({len(cold_writes)}) {sum(cold_writes):.2f} s   "
            f"joins: issue {cold_joins[0]:.2f} s, offprints ({len(cold_joins) - 1}) "
            f"{sum(cold_joins[1:]):.2f} s"
        )
    print("\n".join(report_lines(hyphenation)))


if __name__ == "__main__":
    main()
