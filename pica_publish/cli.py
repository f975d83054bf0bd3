"""Command line: ``pica-publish [-C DIR] {build,check,info}``.

Thin by design: parse arguments into :class:`BuildOptions`, run the pipeline, print the report,
return the exit status (0 ok, 1 problems in the input, 2 usage). Heavy libraries are imported
only by the commands that need them.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from pica_publish import __version__


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
        default=Path("."),
        help="project folder holding issue.yml (default: the current folder)",
    )
    top.add_argument(
        "-v", "--verbose", action="count", default=0, help="show progress (-vv: timings)"
    )
    top.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = commands.add_parser("build", help="build the print and/or HTML edition into build/")
    build.add_argument("--pdf", action="store_true", help="build the print edition (default: both)")
    build.add_argument("--html", action="store_true", help="build the HTML edition (default: both)")
    build.add_argument("--strict", action="store_true", help="warnings fail the build")
    build.add_argument("--build-dir", type=Path, help="output folder (default: DIR/build)")
    build.add_argument(
        "-j", "--jobs", type=int, default=os.cpu_count() or 2, help="parallel pandoc runs"
    )
    build.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="STAGE",
        help="run only this stage (repeatable)",
    )
    build.add_argument(
        "--skip", action="append", default=[], metavar="STAGE", help="skip this stage (repeatable)"
    )

    check = commands.add_parser("check", help="check the manifest, chapters and bibliography")
    check.add_argument("--strict", action="store_true", help="warnings fail the check")

    commands.add_parser("info", help="print versions of Python, pandoc, WeasyPrint and Pango")
    return top


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    configure_logging(args.verbose)
    if args.command == "info":
        return info()
    return run_pipeline(args)


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
    from pica_publish.build import STAGE_NAMES, run, select_stages
    from pica_publish.state import BuildOptions

    root = args.directory.resolve()
    if args.command == "check":
        outputs: frozenset[str] = frozenset()
        stages = select_stages(only=("load", "check"))
    else:
        unknown = [s for s in [*args.only, *args.skip] if s not in STAGE_NAMES]
        if unknown:
            print(
                f"pica-publish: unknown stage {unknown[0]!r}; stages: {', '.join(STAGE_NAMES)}",
                file=sys.stderr,
            )
            return 2
        wanted = {name for name, flag in (("pdf", args.pdf), ("html", args.html)) if flag}
        outputs = frozenset(wanted or {"pdf", "html"})
        stages = select_stages(args.only, args.skip)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    options = BuildOptions(
        root=root,
        outputs=outputs,
        build_dir=getattr(args, "build_dir", None),
        strict=args.strict,
        jobs=max(1, getattr(args, "jobs", 2)),
        source_date_epoch=int(epoch) if epoch and epoch.isdigit() else None,
    )
    state = run(options, stages)
    report = state.report
    for diagnostic in report.sorted():
        if args.quiet and diagnostic.severity < 30:
            continue
        print(diagnostic.format(), file=sys.stderr)
    failed = report.failed(strict=args.strict)
    if not args.quiet:
        errors, warnings = report.count_errors_warnings()
        summary = f"{errors} error(s), {warnings} warning(s)"
        if failed:
            print(f"pica-publish: {args.command} failed: {summary}", file=sys.stderr)
        elif args.command == "build":
            written = ", ".join(sorted({f.split("/")[0] for f in state.files})) or "nothing"
            print(
                f"pica-publish: built {written} in {options.build_path} ({summary})",
                file=sys.stderr,
            )
        else:
            print(f"pica-publish: check passed ({summary})", file=sys.stderr)
    return 1 if failed else 0


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
