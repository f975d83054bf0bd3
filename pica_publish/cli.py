"""Command line: ``pica-publish [-C DIR] {build,check,info}``.

Thin by design: parse arguments into :class:`BuildOptions`, run the pipeline, print the report,
return the exit status (0 ok, 1 problems in the input, 2 usage). Heavy libraries are imported
only by the commands that need them.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pica_publish import __version__
from pica_publish.diagnostics import Diagnostic, Severity, display_path
from pica_publish.progress import (
    Lines,
    Live,
    Progress,
    reporting,
    summary_rows,
    write_summary,
)
from pica_publish.reporting import (
    FORMATS,
    summary,
    visible,
    write_github,
    write_human,
    write_json,
)

if TYPE_CHECKING:
    from pica_publish.state import BuildOptions, BuildState


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="pica-publish",
        description="Build a journal special issue (print PDF and HTML edition) from Markdown chapters.",
    )
    top.add_argument("--version", action="version", version=f"pica-publish {__version__}")
    top.add_argument(
        "-C",
        dest="directory",
        type=Path,
        default=None,
        help="project folder holding issue.yml (default: the current folder or the nearest "
        "folder above it that holds issue.yml, as git finds its repository)",
    )
    top.add_argument(
        "-v", "--verbose", action="count", default=0, help="show progress (-vv: timings)"
    )
    top.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    # -v/-q are accepted after the command too (`pica-publish check -v`).
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-v", "--verbose", action="count", default=argparse.SUPPRESS)
    common.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS)
    common.add_argument(
        "--no-progress",
        action="store_true",
        default=argparse.SUPPRESS,
        help="plain progress lines instead of the live display (the default in CI and pipes)",
    )
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = commands.add_parser(
        "build", parents=[common], help="build the print and/or HTML edition into build/"
    )
    build.add_argument("--pdf", action="store_true", help="build the print edition (default: both)")
    build.add_argument("--html", action="store_true", help="build the HTML edition (default: both)")
    build.add_argument("--strict", action="store_true", help="warnings fail the build")
    variant = build.add_mutually_exclusive_group()  # one kind of PDF a build
    variant.add_argument(
        "--archive",
        action="store_true",
        help="PDF/A-3u with the sources attached instead of PDF/UA-1 (make archive)",
    )
    variant.add_argument(
        "--print",
        dest="print_master",
        action="store_true",
        help="the print master instead of the reading PDFs: PDF/X-4 with 3 mm bleed and crop "
        "marks, in build/print/ (make print)",
    )
    build.add_argument("--build-dir", type=Path, help="output folder (default: DIR/build)")
    build.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=os.cpu_count() or 2,
        help="parallel pandoc runs and article layouts (default: the number of cores)",
    )
    build.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="STAGE",
        help="run only this stage (repeatable); an output stage also runs load and check",
    )
    build.add_argument(
        "--skip",
        action="append",
        default=[],
        metavar="STAGE",
        help="skip this stage (repeatable); load and check cannot be skipped for an output stage",
    )

    check = commands.add_parser(
        "check",
        parents=[common],
        help="check the manifest, chapters and bibliography (no pandoc, no layout)",
        description="Lint the issue, or only the files given. Exit 0 clean, 1 problems, 2 usage.",
    )
    check.add_argument("files", nargs="*", type=Path, help="report only on these files")
    check.add_argument("--strict", action="store_true", help="warnings fail the check")
    check.add_argument(
        "--format", choices=FORMATS, default="human", help="output: human (default), json, github"
    )

    preview = commands.add_parser(
        "preview",
        parents=[common],
        help="build one article quickly: build/preview/SLUG.pdf and its web page",
    )
    preview.add_argument("chapter", type=Path, help="the chapter file, e.g. chapters/03-x.md")

    serve = commands.add_parser(
        "serve", parents=[common], help="serve the web edition on localhost, rebuilt on changes"
    )
    serve.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000)")
    serve.add_argument("--open", action="store_true", help="open the site in the web browser")

    new = commands.add_parser("new", help="scaffold a new chapter and list it in issue.yml")
    new.add_argument("kind", choices=["chapter"], help="what to create")
    new.add_argument("title", help="the chapter title, in sentence case")
    new.add_argument(
        "--role", default="chapter", choices=["chapter", "editorial", "prologue", "appendix"]
    )

    imported = commands.add_parser(
        "import",
        parents=[common],
        help="turn a Word (.docx) or LibreOffice (.odt) manuscript into a chapter",
        description="Write chapters/NN-slug.md from a manuscript: front matter from its title "
        "page, the body as Markdown, figures into chapters/figures/<slug>/, the works its "
        "Zotero, Mendeley or EndNote citations cite into references/<slug>.bib (an entry already "
        "in references/ keeps its key); list it in issue.yml before the strategy chapter. "
        "Tracked changes and comments are refused unless --accept-changes.",
    )
    imported.add_argument("manuscript", type=Path, help="the .docx or .odt file")
    imported.add_argument("--slug", help="the chapter's slug (default: from its title)")
    imported.add_argument(
        "--role", default="chapter", choices=["chapter", "editorial", "prologue", "appendix"]
    )
    imported.add_argument(
        "--accept-changes",
        action="store_true",
        help="accept every tracked change and leave the comments out",
    )
    exported = commands.add_parser(
        "export",
        parents=[common],
        help="write a chapter as a Word file in the house styles, for review",
    )
    exported.add_argument("format", choices=["docx"], help="the file format")
    exported.add_argument("chapter", type=Path, help="chapters/NN-slug.md")
    exported.add_argument("-o", "--output", type=Path, help="default: build/docx/<slug>.docx")
    commands.add_parser(
        "register",
        parents=[common],
        help="record the DOIs of the issue and its articles in dois.lock (once deposited)",
        description="Check the issue, then record the current DOI of the issue and of every "
        "article in dois.lock; DOIs already recorded are kept. Refused when the issue has "
        "errors, among them a DOI that would change: a registered DOI never changes.",
    )
    preflight = commands.add_parser(
        "preflight",
        parents=[common],
        help="check a print master as a printer's prepress does (PDF/X-4, boxes, fonts, images)",
        description="Check a print master (make print): PDF/X-4 identification and output "
        "intent, TrimBox inside BleedBox inside MediaBox with 3 mm bleed on every page, every "
        "font embedded, every image's resolution where it is placed (300 dpi), transparency "
        "groups. Exit status 1 when the file fails; low-resolution images are warnings.",
    )
    preflight.add_argument("pdf", type=Path, help="the print master, e.g. build/print/*-print.pdf")
    commands.add_parser(
        "info", parents=[common], help="print versions of Python, pandoc, WeasyPrint and Pango"
    )
    return top


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        status = _command(args)
        sys.stdout.flush()  # here, so that a reader that left is seen inside the try
        return status
    except BrokenPipeError:
        # `pica-publish check | head`: the reader left. Say nothing more (a traceback, or
        # Python's own "Exception ignored" at exit, would be noise): point stdout at devnull.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


def _command(args: argparse.Namespace) -> int:
    configure_logging(args.verbose)
    if args.command == "info":
        return info()
    if args.command == "preflight":
        return preflight_command(args.pdf)
    if args.directory is None:
        args.base = Path.cwd()
        args.directory = project_root(args.base)
        given = [*getattr(args, "files", ()), *filter(None, [getattr(args, "chapter", None)])]
        if not (args.directory / "issue.yml").is_file() and given:
            # `pica-publish check ~/issue13/chapters/03-x.md` from anywhere: the file's project
            args.directory = project_root((args.base / given[0]).parent)
    else:
        args.base = args.directory.resolve()  # like `git -C DIR`: paths are relative to DIR
    if args.command == "serve":
        from pica_publish.serve import serve

        return serve(args.directory.resolve(), args.port, open_browser=args.open)
    if args.command == "new":
        from pica_publish.scaffold import new_chapter

        return new_chapter(args.directory.resolve(), args.title, role=args.role)
    if args.command == "import":
        from pica_publish import word_import

        root = args.directory.resolve()
        return word_import.main(
            root,
            (args.base / args.manuscript).resolve(),
            slug=args.slug,
            role=args.role,
            accept_changes=args.accept_changes,
        )
    if args.command == "export":
        from pica_publish.word_export import main as export_docx

        return export_docx(
            args.directory.resolve(),
            (args.base / args.chapter).resolve(),
            (args.base / args.output).resolve() if args.output else None,
        )
    if args.command == "register":
        from pica_publish.registry import register

        return register(args.directory.resolve())
    return run_pipeline(args)


def preflight_command(pdf: Path) -> int:
    """Print the print master's findings, one a line, then a summary; 1 if it fails."""
    from pica_publish.print_preflight import preflight, summary

    display = str(pdf)
    if not pdf.is_file():
        print(f"{display}: error: no such file (build it with `make print`)", file=sys.stderr)
        return 1
    report = preflight(pdf)
    for finding in report.findings:
        print(finding.line(display), file=sys.stderr)
    verdict = "passed" if report.ok else "FAILED"
    print(f"{display}: preflight {verdict}: {summary(report)}")
    return 0 if report.ok else 1


def _live(args: argparse.Namespace) -> bool:
    """A person at a terminal, not CI, not asking for plain lines or the log (-v)."""
    return (
        sys.stderr.isatty()
        and not os.environ.get("CI")
        and not getattr(args, "no_progress", False)
        and not args.verbose
    )


def _progress(args: argparse.Namespace) -> Progress:
    """The display of a build: none for ``check`` and ``-q``; live on a terminal; else lines."""
    if args.command not in ("build", "preview") or args.quiet:
        return Progress()
    if _live(args):
        return Live()
    return Lines()


def _outputs(state: BuildState, options: BuildOptions) -> dict[str, str]:
    """What the build wrote, for the summary: the issue PDF with its pages, the offprints, the
    web edition with its pages, a preview."""
    build = options.build_path
    shown = display_path(build, Path.cwd()).rstrip("/")
    files = list(state.files)
    rows: dict[str, str] = {}
    for folder in ("pdf", "print"):  # the reading PDF, or the print master (make print)
        whole = [f for f in files if f.startswith(f"{folder}/") and f.count("/") == 1]
        if whole and state.issue is not None:
            import io

            import pikepdf

            with pikepdf.open(io.BytesIO(state.files[whole[0]])) as written:
                pages = len(written.pages)
            rows[folder] = f"{shown}/{whole[0]} ({pages} pages)"
    offprints = [f for f in files if f.startswith("pdf/offprints/")]
    if offprints:
        rows["offprints"] = f"{len(offprints)} in {shown}/pdf/offprints/"
    for site in ("html", "preview/html"):
        pages_html = [f for f in files if f.startswith(f"{site}/") and f.endswith(".html")]
        if pages_html:
            rows[site.split("/")[0] if site == "html" else "preview web"] = (
                f"{shown}/{site}/ ({len(pages_html)} pages)"
            )
    previews = [f for f in files if f.startswith("preview/") and f.endswith(".pdf")]
    if previews:
        rows["preview pdf"] = f"{shown}/{previews[0]}"
    return rows


def project_root(start: Path) -> Path:
    """The nearest folder from ``start`` upward that holds ``issue.yml`` (an author runs
    ``pica-publish check 03-x.md`` in ``chapters/``); ``start`` itself if none does, where the
    load stage then reports the missing manifest."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / "issue.yml").is_file():
            return folder
    return start


def configure_logging(verbose: int) -> None:
    """-v shows pica_publish's numbered steps, -vv also WeasyPrint's and stage timings."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    levels = {
        "pica_publish": logging.DEBUG
        if verbose > 1
        else logging.INFO
        if verbose
        else logging.WARNING,
        "weasyprint.progress": logging.INFO if verbose > 1 else logging.WARNING,
    }
    for name, level in levels.items():
        logger = logging.getLogger(name)
        logger.handlers = [handler]
        logger.setLevel(level)
        logger.propagate = False


def run_pipeline(args: argparse.Namespace) -> int:
    from pica_publish.build import OUTPUT_STAGES, STAGE_NAMES, VALIDATION, run, select_stages
    from pica_publish.state import BuildOptions

    root = args.directory.resolve()
    preview = None
    if args.command == "check":
        outputs: frozenset[str] = frozenset()
        stages = select_stages(only=("load", "check"))
        missing = sorted(str(f) for f in args.files if not (args.base / f).is_file())
        if missing:
            print(f"pica-publish: no such file: {visible(missing[0])}", file=sys.stderr)
            return 2
        outside = [f for f in args.files if _project_path(root, args.base / f) is None]
        if outside:
            print(
                f"pica-publish: {visible(str(outside[0]))} is not in the project {visible(str(root))}",
                file=sys.stderr,
            )
            return 2
    elif args.command == "preview":
        preview = _project_path(root, args.base / args.chapter)
        if preview is None:
            print(
                f"pica-publish: {visible(str(args.chapter))} is not in the project "
                f"{visible(str(root))}",
                file=sys.stderr,
            )
            return 2
        outputs = frozenset({"pdf", "html"})
        stages = select_stages()
    else:
        unknown = [s for s in [*args.only, *args.skip] if s not in STAGE_NAMES]
        if unknown:
            print(
                f"pica-publish: unknown stage {unknown[0]!r}; stages: {', '.join(STAGE_NAMES)}",
                file=sys.stderr,
            )
            return 2
        kept = {name for name, _ in select_stages(args.only, args.skip)}
        skipped = [s for s in VALIDATION if s in args.skip]
        if skipped and kept & OUTPUT_STAGES:
            print(
                f"pica-publish: cannot skip {skipped[0]!r}: load and check run before every "
                f"output stage ({', '.join(sorted(kept & OUTPUT_STAGES))})",
                file=sys.stderr,
            )
            return 2
        wanted = {name for name, flag in (("pdf", args.pdf), ("html", args.html)) if flag}
        outputs = frozenset(wanted or {"pdf", "html"})
        stages = select_stages(args.only, args.skip)
    strict = getattr(args, "strict", False)
    options = BuildOptions(
        root=root,
        outputs=outputs,
        build_dir=getattr(args, "build_dir", None),
        strict=strict,
        jobs=max(1, getattr(args, "jobs", 2)),
        source_date_epoch=source_date_epoch(root),
        archive=getattr(args, "archive", False),
        print_master=getattr(args, "print_master", False),
        preview=preview,
    )
    with reporting(_progress(args)):
        state = run(options, stages)
    report = state.report
    diagnostics = report.sorted()
    elsewhere: list[Diagnostic] = []
    if args.command == "check" and args.files:
        # issue.yml's errors always show: without a valid manifest no chapter is checked.
        wanted_paths = {_project_path(root, args.base / f) for f in args.files} | {"issue.yml"}
        elsewhere = [d for d in diagnostics if d.location.path not in wanted_paths]
        diagnostics = [d for d in diagnostics if d.location.path in wanted_paths]
    failed = any(
        d.severity >= (Severity.WARNING if strict else Severity.ERROR) for d in diagnostics
    )
    stream = sys.stdout if args.command == "check" else sys.stderr
    fmt = getattr(args, "format", "human")
    if fmt == "json":
        write_json(diagnostics, stream, failed=failed)
        return 1 if failed else 0
    if fmt == "github":
        write_github(diagnostics, stream)
        return 1 if failed else 0
    if args.quiet:
        diagnostics = [d for d in diagnostics if d.severity >= Severity.ERROR]
    write_human(diagnostics, stream, verbose=args.verbose > 0)
    if not args.quiet:
        counts = summary(diagnostics)
        if failed:
            print(f"pica-publish: {args.command} failed: {counts}", file=stream)
        elif state.up_to_date:
            print(
                f"pica-publish: {options.build_path} is up to date: nothing changed since "
                f"the last build ({counts})",
                file=stream,
            )
        elif args.command in ("build", "preview"):
            rows = summary_rows(_outputs(state, options), state.timings, diagnostics)
            write_summary(rows, stream, rich=_live(args))
            written = ", ".join(sorted({f.split("/")[0] for f in state.files})) or "nothing"
            print(f"pica-publish: built {written} in {options.build_path} ({counts})", file=stream)
        else:
            print(f"pica-publish: check passed ({counts})", file=stream)
        errors_elsewhere = sum(1 for d in elsewhere if d.severity >= Severity.ERROR)
        if errors_elsewhere:
            print(
                f"pica-publish: {errors_elsewhere} error(s) in other files of the issue "
                "(run `pica-publish check` to see them)",
                file=stream,
            )
    return 1 if failed else 0


def source_date_epoch(root: Path) -> int | None:
    """``SOURCE_DATE_EPOCH`` if set, else the time of the last commit (reproducible builds)."""
    value = os.environ.get("SOURCE_DATE_EPOCH", "")
    if value.isdigit():
        return int(value)
    try:
        result = subprocess.run(
            ["git", "-C", str(root), "log", "-1", "--format=%ct"],
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    output = result.stdout.strip()
    return int(output) if result.returncode == 0 and output.isdigit() else None


def _project_path(root: Path, path: Path) -> str | None:
    """A path as diagnostics show it (relative to the project root); None outside the project."""
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return None


def info() -> int:
    import platform

    from pica_publish.layout import versions
    from pica_publish.pandoc import pandoc_path, pandoc_version

    print(f"pica-publish {__version__}")
    print(f"Python {platform.python_version()} ({sys.executable})")
    print(f"pandoc {pandoc_version()} ({pandoc_path()})")
    for name, version in versions().items():
        print(f"{name} {version}")
    return 0
