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


def time_joins() -> list[float]:
    """Seconds of each PDF write (the issue first, then the offprints), recorded during a build."""
    from pica_publish.layout import Typesetter

    durations: list[float] = []
    original = Typesetter.join

    def join(parts, options):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return original(parts, options)
        finally:
            durations.append(time.perf_counter() - started)

    Typesetter.join = staticmethod(join)  # type: ignore[method-assign]
    return durations


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-C", dest="root", type=Path, default=Path("."))
    args = parser.parse_args()
    root = args.root.resolve()
    with tempfile.TemporaryDirectory(prefix="pica-bench-") as tmp:
        options = BuildOptions(root=root, build_dir=Path(tmp) / "build")
        check_seconds, _ = timed(options, select_stages(only=("load", "check")))
        large = time_check_with_large_bibliography(root, 5000, Path(tmp))
        joins = time_joins()
        recorder = IssueRecorder()
        uninstall = recorder.install()
        try:
            cold, cold_stages = timed(options)
        finally:
            uninstall()
        hyphenation = measure(recorder.articles(), first_page=recorder.first_article_page())
        recorder.calls.clear()  # the laid-out documents: not kept through the warm build
        warm, warm_stages = timed(options)
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
    print(f"typeset / cold   {cold_stages['typeset'] / cold:7.2f}")
    if joins:
        print(
            f"issue PDF write  {joins[0]:7.2f} s   offprints ({len(joins) - 1}) {sum(joins[1:]):.2f} s"
            f"   offprints / typeset {sum(joins[1:]) / cold_stages['typeset']:.2f}"
        )
    print("\n".join(report_lines(hyphenation)))


if __name__ == "__main__":
    main()
