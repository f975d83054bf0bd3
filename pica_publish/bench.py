"""``make bench``: time the sample issue's build, cold and warm, and the check, in one run.

Builds into a temporary folder so that the user's ``build/`` is left alone. Prints seconds and
the ratios between runs (ratios from one run on one machine are what we compare over time), and
how much the cold build's articles hyphenate (:mod:`pica_publish.hyphenation_report`).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Self

from pica_publish.build import STAGES, Stage, select_stages
from pica_publish.hyphenation_report import IssueRecorder, measure, report_lines
from pica_publish.pagemap import issue_pdf_name, read_page_map
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
    """A build in this process after an edit of one chapter (:func:`edit_chapter`)."""
    edit_chapter(options, project, middle=middle, words=words)
    return timed(options)


def edit_chapter(options: BuildOptions, project: Path, *, middle: bool, words: int) -> None:
    """One word changed in the middle chapter (another each time), or ``words`` words added to
    the first article (enough to add a page)."""
    from pica_publish.stages.load import load

    if middle:
        chapter = middle_chapter(project)
    else:
        issue = load(BuildState(options)).issue
        assert issue is not None
        chapter = next(c for c in issue.chapters if c.role in ("chapter", "prologue", "editorial"))
    text = chapter.path.read_text("utf-8")
    if words == 1:
        position = text.index(" the ", len(text) // 2)  # in the body, past the front matter
        text = text[:position] + " this " + text[position + len(" the ") :]
    else:
        sentence = "Field teams repeated the survey along the same transects each spring. "
        text = text.rstrip("\n") + "\n\n" + sentence * (words // 11) + "\n"
    chapter.path.write_text(text, "utf-8")


def cli_build(project: Path, build: Path, jobs: int) -> float:
    """Seconds of ``pica-publish build`` run as a user runs it (a new Python process)."""
    import subprocess
    import sys

    command = [sys.executable, "-m", "pica_publish", "-C", str(project), "build"]
    command += ["--build-dir", str(build), "--jobs", str(jobs)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"the build failed:\n{done.stderr}")
    return seconds


def serve_reloads(project: Path, edits: int = 3) -> list[float] | str:
    """Seconds from saving a one-word edit of the middle chapter to the reload of its page in
    a browser, with ``pica-publish serve`` running on ``project`` (a copy), as an author sees
    it; or why it could not be measured here (no Chromium or Playwright)."""
    import queue
    import shutil
    import socket
    import subprocess
    import sys
    import threading

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return "not measured: Playwright is not installed (make dev)"
    if chromium is None:
        return "not measured: Chromium is not installed"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    command = [sys.executable, "-m", "pica_publish", "-C", str(project), "serve"]
    server = subprocess.Popen(
        [*command, "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert server.stdout is not None
        for line in server.stdout:
            lines.put(line)

    def wait_for(*starts: str) -> str:
        deadline = time.monotonic() + 300
        while True:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            if line.startswith(starts):
                return line

    def reloaded(tab) -> bool:  # type: ignore[no-untyped-def]
        try:
            return bool(tab.evaluate("window.picaBench === undefined"))
        except Exception as error:  # the page is being replaced: not loaded yet
            if "context was destroyed" in str(error) or "navigat" in str(error):
                return False
            raise

    threading.Thread(target=read, daemon=True).start()
    seconds: list[float] = []
    try:
        wait_for("rebuilt in", "up to date in")
        chapter = middle_chapter(project)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium, args=["--no-sandbox", "--disable-gpu"]
            )
            tab = browser.new_page()
            tab.goto(f"http://127.0.0.1:{port}/{chapter.slug}/")
            for n in range(edits):
                tab.evaluate("window.picaBench = 1")
                time.sleep(0.5)  # the page's event stream is open
                text = chapter.path.read_text("utf-8")
                position = text.index(" the ", len(text) // 2)
                while not lines.empty():  # what the server said before this save
                    lines.get_nowait()
                saved = time.monotonic()
                chapter.path.write_text(
                    f"{text[:position]} the{n} {text[position + len(' the ') :]}", "utf-8"
                )
                while not reloaded(tab):
                    if time.monotonic() - saved > 60:
                        raise SystemExit("serve: the page did not reload within 60 s")
                    time.sleep(0.01)
                seconds.append(time.monotonic() - saved)
                wait_for("search index updated in")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    return seconds


def middle_chapter(project: Path):  # type: ignore[no-untyped-def]
    """The chapter the one-word edits change (the middle one of the articles)."""
    from pica_publish.stages.load import load

    options = BuildOptions(root=project, build_dir=project / "build")
    issue = load(BuildState(options)).issue
    assert issue is not None
    chapters = [c for c in issue.chapters if c.role in ("chapter", "prologue", "editorial")]
    return chapters[len(chapters) // 2]


def one_document_size(options: BuildOptions, page_map: dict[str, tuple[int, int]]) -> int:
    """Bytes of the issue PDF written as one WeasyPrint document (every part laid out in one
    process from the folios of ``page_map``, the pages written once, as before the print
    edition was made of parts): what the joined issue PDF's size is compared with."""
    from pica_publish.layout import LaidOut, Typesetter
    from pica_publish.stages import typeset as stage

    state = BuildState(options)
    for name, function in STAGES:
        if name == "typeset":
            break
        state = function(state)
    plan, issue = state.print_plan, state.issue
    assert plan is not None and issue is not None
    key = stage.prepare(state, plan, issue)
    assert key is not None
    typesetter = Typesetter(stage.allowed_roots(issue.root), key.stylesheet)
    run = stage.Typesetting(issue, state.report, typesetter, as_parts=False)
    laid: list[LaidOut] = []
    folio = issue.manifest.first_page
    for part in plan.parts:
        done: LaidOut | None
        if part.kind == "article":
            folio = page_map[part.slug][0]
            article = stage.lay_out_article(run, part, folio, {})  # here: run.ahead is False
            assert article is not None and isinstance(article[0], LaidOut)
            done = article[0]
        else:
            done = stage.lay_out(run, part, folio, page_map)
        assert done is not None
        laid.append(done)
        folio += done.page_count
    return len(Typesetter.join(laid, key.pdf_options))


class TreeMemory:
    """The peak resident memory of this process and all its descendants (the layout workers),
    sampled every 0.1 s from /proc while a build runs."""

    def __init__(self) -> None:
        import threading

        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            self.peak = max(self.peak, tree_rss(os.getpid()))


def tree_rss(root: int) -> int:
    """Bytes of resident memory of ``root`` and its descendants (Linux /proc; 0 elsewhere)."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            parents[int(entry.name)] = int(stat[1])
            rss[int(entry.name)] = int(stat[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(child for child, parent in parents.items() if parent == pid)
    return total


def issue_pdf_name_of(project: Path) -> str:
    from pica_publish.stages.load import load

    issue = load(BuildState(BuildOptions(root=project, outputs=frozenset()))).issue
    assert issue is not None
    return issue_pdf_name(issue)


def synthetic_issue(root: Path, target: Path, copies: int) -> None:
    """The sample issue with every chapter but the editorial, prologue, strategy and appendix
    listed ``copies`` times (new slugs), about 40 pages each time: a large issue to time
    (``copies=6``: about 250 pages)."""
    from pica_publish.stages.load import load

    shutil.copytree(root, target, ignore=shutil.ignore_patterns("build", ".venv", ".git"))
    issue = load(BuildState(BuildOptions(root=target, outputs=frozenset()))).issue
    assert issue is not None
    manifest = (target / "issue.yml").read_text("utf-8")
    extra = []
    number = 20
    for copy in range(1, copies):
        for chapter in issue.chapters:
            if chapter.role != "chapter":
                continue
            name = f"{number:02d}-{chapter.slug}-{copy}.md"
            number += 1
            shutil.copy(chapter.path, target / "chapters" / name)
            extra.append(f"  - {{file: chapters/{name}, role: chapter}}\n")
    strategy = next(c for c in issue.chapters if c.role == "strategy")
    line = next(line for line in manifest.splitlines(keepends=True) if strategy.path.name in line)
    (target / "issue.yml").write_text(manifest.replace(line, "".join(extra) + line), "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-C", dest="root", type=Path, default=Path("."))
    parser.add_argument("--quick", action="store_true", help="leave out the 250-page issue")
    args = parser.parse_args()
    root = args.root.resolve()
    jobs = os.cpu_count() or 2
    with tempfile.TemporaryDirectory(prefix="pica-bench-") as tmp:
        project = Path(tmp) / "issue"  # a copy: the edits below must not touch the sample
        shutil.copytree(root, project, ignore=shutil.ignore_patterns("build", ".venv", ".git"))
        options = BuildOptions(root=project, build_dir=project / "build", jobs=jobs)
        check_seconds, _ = timed(options, select_stages(only=("load", "check")))
        large = time_check_with_large_bibliography(root, 5000, Path(tmp))
        writes, joins = time_writes()
        # R: the same parts laid out and written in one process (--jobs 1), the reference.
        single = dataclasses.replace(options, build_dir=Path(tmp) / "single", jobs=1)
        recorder = IssueRecorder()
        uninstall = recorder.install()
        try:
            with TreeMemory() as memory_r:
                reference, reference_stages = timed(single)
        finally:
            uninstall()
        hyphenation = measure(recorder.articles(), first_page=recorder.first_article_page())
        recorder.calls.clear()
        r_writes, r_joins = list(writes), list(joins)
        with TreeMemory() as memory_cold:
            cold, cold_stages = timed(options)
        warm, warm_stages = timed(options)  # every stage, from its caches
        cli_build(project, options.build_path, jobs)  # records the stamp (a CLI build does)
        noop = cli_build(project, options.build_path, jobs)
        joined_size = (options.build_path / "pdf" / issue_pdf_name_of(project)).stat().st_size
        word, word_stages = timed_edit(options, project, middle=True, words=1)
        edit_chapter(options, project, middle=True, words=1)
        word_cli = cli_build(project, options.build_path, jobs)
        page, page_stages = timed_edit(options, project, middle=False, words=400)
        reloads = serve_reloads(project)
        big = None
        if not args.quick:
            synthetic_issue(root, Path(tmp) / "large-issue", copies=6)
            big_options = BuildOptions(
                root=Path(tmp) / "large-issue",
                build_dir=Path(tmp) / "large-issue" / "build",
                jobs=jobs,
            )
            with TreeMemory() as memory_big:
                big_seconds, big_stages = timed(big_options)
            big_pages = sum(
                last - first + 1 for first, last in read_page_map(big_options.build_path).values()
            )
            big = (big_seconds, big_stages, big_pages, memory_big.peak)
        one_size = one_document_size(
            dataclasses.replace(options, build_dir=Path(tmp) / "one"),
            read_page_map(single.build_path),
        )
        sample_pages = sum(
            last - first + 1 for first, last in read_page_map(single.build_path).values()
        )

    def stages(values: dict[str, float]) -> str:
        return "  ".join(f"{k} {v:.2f}" for k, v in values.items())

    mb = 1024 * 1024
    print(f"sample issue: {root}   ({sample_pages} article pages; {jobs} cores)")
    print(f"check            {check_seconds:7.2f} s")
    print(f"check, +5000 bib {large:7.2f} s   (a synthetic 5,000-entry Zotero export added)")
    print(f"R (--jobs 1)     {reference:7.2f} s   {stages(reference_stages)}")
    print(f"                 peak memory {memory_r.peak / mb:.0f} MB")
    print(
        f"cold (--jobs {jobs})   {cold:7.2f} s   / R {cold / reference:.2f}   {stages(cold_stages)}"
    )
    print(f"                 peak memory of the process tree {memory_cold.peak / mb:.0f} MB")
    print(
        f"no-op            {noop:7.2f} s   / R {noop / reference:.2f}   (`pica-publish build`, "
        "nothing changed: a new process, no stage runs)"
    )
    print(
        f"all from caches  {warm:7.2f} s   / R {warm / reference:.2f}   {stages(warm_stages)}"
        "   (every stage run, nothing changed)"
    )
    print(
        f"one-word edit    {word:7.2f} s   / R {word / reference:.2f}   typeset "
        f"{word_stages['typeset']:.2f}   (a word changed in the middle chapter)"
    )
    print(
        f"one-word, CLI    {word_cli:7.2f} s   / R {word_cli / reference:.2f}   (another word "
        "changed, built by `pica-publish build` in a new process, as `make pdf` does)"
    )
    print(
        f"page-adding edit {page:7.2f} s   / R {page / reference:.2f}   typeset "
        f"{page_stages['typeset']:.2f}   (400 words added to the first article)"
    )
    if isinstance(reloads, str):
        print(f"serve reload     {reloads}")
    else:
        shown = ", ".join(f"{r:.2f}" for r in reloads)
        print(
            f"serve reload     {shown} s   (a one-word save in the middle chapter to the reload "
            "of its page in Chromium)"
        )
    if r_joins:
        print(
            f"R: part PDF writes ({len(r_writes)}) {sum(r_writes):.2f} s   "
            f"joins: issue {r_joins[0]:.2f} s, offprints ({len(r_joins) - 1}) "
            f"{sum(r_joins[1:]):.2f} s"
        )
    print(
        f"issue PDF        {joined_size / 1e6:.2f} MB joined from parts, {one_size / 1e6:.2f} MB "
        f"as one WeasyPrint document ({joined_size / one_size:.2f}x)"
    )
    if big is not None:
        seconds, big_stages, pages, peak = big
        per_page, sample_per_page = seconds / pages, cold / max(1, sample_pages)
        print(
            f"large issue      {seconds:7.2f} s   {pages} article pages, {per_page:.2f} s a page "
            f"({per_page / sample_per_page:.2f} × the sample's per page), peak memory of the "
            f"process tree {peak / mb:.0f} MB   {stages(big_stages)}"
        )
    print("\n".join(report_lines(hyphenation)))


if __name__ == "__main__":
    main()
