"""Attacks on publishing: a build killed at any moment, a full disk, two builds at once.

Whatever happens, ``build/pdf``, ``build/html``, ``build/pagemap.json`` … show one complete set of
outputs — the previous build's or the new one's, never a mix — and a build folder that cannot be
written is a ``publish-failed`` diagnostic, not a traceback.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pypdf
import pytest

from pica_publish import releases
from pica_publish.cli import main
from pica_publish.diagnostics import Severity
from pica_publish.stages.publish import publish
from pica_publish.state import BuildOptions, BuildState

PROJECTS = Path(__file__).parent.parent / "projects"
OUTPUTS = ("pdf", "html", "metadata", "pagemap.json", "preview")
ISSUE_PDF = "pdf/catnews-special-issue-99.pdf"


# --- helpers ------------------------------------------------------------------------------------


def outputs(marker: str, *tops: str) -> dict[str, bytes]:
    """A set of outputs shaped like a real build's, every file carrying ``marker``."""
    files = {
        ISSUE_PDF: f"%PDF-1.7 issue {marker}",
        "pdf/offprints/dens.pdf": f"%PDF-1.7 dens {marker}",
        "pdf/offprints/strategy.pdf": f"%PDF-1.7 strategy {marker}",
        "html/index.html": f"<h1>{marker}</h1>",
        "html/dens/index.html": f"<p>dens {marker}</p>",
        "html/assets/style.css": f"/* {marker} */",
        "html/pdf/catnews-special-issue-99.pdf": f"%PDF-1.7 issue {marker}",
        "metadata/crossref.xml": f"<doi_batch>{marker}</doi_batch>",
        "metadata/jats/dens.xml": f"<article>{marker}</article>",
        "pagemap.json": json.dumps({"dens": {"first": 5, "last": 6}, "marker": marker}),
        "preview/dens.pdf": f"%PDF-1.7 preview {marker}",
    }
    wanted = tops or ("pdf", "html", "metadata", "pagemap.json")
    return {k: v.encode() for k, v in files.items() if k.split("/")[0] in wanted}


def seen(build: Path) -> dict[str, bytes]:
    """Every output file as a reader sees it, through the top-level names in ``build/``."""
    found: dict[str, bytes] = {}
    for name in OUTPUTS:
        path = build / name
        if path.is_file():
            found[name] = path.read_bytes()
        elif path.is_dir():
            for file in sorted(path.rglob("*")):
                if file.is_file():
                    found[f"{name}/{file.relative_to(path).as_posix()}"] = file.read_bytes()
    return found


def leftovers(build: Path) -> list[str]:
    return sorted(
        p.name for p in build.iterdir() if p.name.startswith((".staging-", ".old-", ".adopting"))
    ) + sorted(p.name for p in (build / ".releases").iterdir() if not p.name.isdigit())


def assert_tidy(build: Path) -> None:
    """No leftovers, at most two releases, every top-level link resolves into ``current``."""
    assert leftovers(build) == []
    assert 1 <= len(list((build / ".releases").iterdir())) <= 2
    current = (build / "current").resolve()
    assert current.parent == (build / ".releases").resolve()
    for path in build.iterdir():
        if path.name not in (".cache", ".lock", ".releases", "current"):
            assert path.is_symlink(), path
            assert os.readlink(path) == f"current/{path.name}"
            assert path.resolve() == current / path.name  # no dangling link either


def state_for(build: Path, files: dict[str, bytes]) -> BuildState:
    return BuildState(BuildOptions(root=build.parent, build_dir=build), files=files)


def published(build: Path, files: dict[str, bytes]) -> BuildState:
    state = publish(state_for(build, files))
    assert not state.report.has_errors, [d.format() for d in state.report.diagnostics]
    return state


def write_legacy(build: Path, files: dict[str, bytes]) -> None:
    """Outputs as older versions wrote them: real folders and files right in ``build/``."""
    for relative, data in files.items():
        (build / relative).parent.mkdir(parents=True, exist_ok=True)
        (build / relative).write_bytes(data)


class Crash(BaseException):
    """A simulated SIGKILL: not an ``Exception``, so no handler in pica_publish catches it."""


MUTATORS = ("mkdir", "rename", "replace", "link", "symlink", "unlink", "rmdir")


@contextmanager
def crash_at(monkeypatch: pytest.MonkeyPatch, step: int) -> Iterator[list[str]]:
    """Die at the ``step``-th change to the file system (each mkdir, rename, link, write …)."""
    calls: list[str] = []

    def wrap(name: str, original: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls.append(name)
            if len(calls) == step:
                raise Crash(f"killed at step {step} ({name})")
            return original(*args, **kwargs)

        return wrapper

    with monkeypatch.context() as patch:
        for name in MUTATORS:
            patch.setattr(os, name, wrap(name, getattr(os, name)))
        patch.setattr(Path, "write_bytes", wrap("write_bytes", Path.write_bytes))
        yield calls


# --- a crash at every step of a publish ---------------------------------------------------------

SCENARIOS = {
    # name: (outputs of the previous build, outputs of the new build)
    "full rebuild": (outputs("old"), outputs("new")),
    "html only": (outputs("old"), outputs("new", "html")),
    "first preview": (outputs("old"), outputs("new", "preview")),
    "first build": ({}, outputs("new")),
}


def carried(old: dict[str, bytes], new: dict[str, bytes]) -> dict[str, bytes]:
    """What a reader should see after ``new`` is published over ``old``."""
    made = {name.split("/")[0] for name in new}
    return {**{k: v for k, v in old.items() if k.split("/")[0] not in made}, **new}


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_a_crash_at_any_step_leaves_one_complete_release(tmp_path, monkeypatch, scenario):
    old, new = SCENARIOS[scenario]
    expected_old, expected_new = old, carried(old, new)

    def fresh(name: str) -> Path:
        build = tmp_path / name / "build"
        build.mkdir(parents=True)
        if old:
            published(build, old)
            published(build, old)  # a previous release too, so that cleanup has work to do
        return build

    build = fresh("count")
    with crash_at(monkeypatch, 10**9) as calls:
        published(build, new)
    steps = len(calls)
    assert steps > 10

    for step in range(1, steps + 1):
        build = fresh(f"step-{step}")
        with crash_at(monkeypatch, step) as calls, pytest.raises(Crash):
            publish(state_for(build, new))
        assert len(calls) == step
        assert seen(build) in (expected_old, expected_new), f"mixed outputs after step {step}"
        # the next build repairs everything: new outputs, no leftovers of the killed one
        published(build, new)
        assert seen(build) == expected_new, step
        assert_tidy(build)


def test_a_crash_while_migrating_older_outputs_is_finished_by_the_next_build(tmp_path, monkeypatch):
    old, new = outputs("old"), outputs("new", "html")
    expected = carried(old, new)
    build = tmp_path / "count" / "build"
    build.mkdir(parents=True)
    write_legacy(build, old)
    with crash_at(monkeypatch, 10**9) as calls:
        published(build, new)
    steps = len(calls)
    assert seen(build) == expected
    assert_tidy(build)

    for step in range(1, steps + 1):
        build = tmp_path / f"step-{step}" / "build"
        build.mkdir(parents=True)
        write_legacy(build, old)
        (build / ".cache").mkdir()
        (build / ".cache" / "keep.bin").write_bytes(b"cache")
        with crash_at(monkeypatch, step), pytest.raises(Crash):
            publish(state_for(build, new))
        published(build, new)
        assert seen(build) == expected, step
        assert_tidy(build)
        assert (build / ".cache" / "keep.bin").read_bytes() == b"cache"


def test_legacy_outputs_a_build_does_not_make_are_kept(tmp_path):
    build = tmp_path / "build"
    build.mkdir()
    (build / "pagemap.json").write_text('{"dens": {"first": 41, "last": 42}}')  # as a user would
    published(build, outputs("new", "preview"))
    assert (build / "pagemap.json").read_text() == '{"dens": {"first": 41, "last": 42}}'
    assert (build / "preview/dens.pdf").read_bytes() == b"%PDF-1.7 preview new"
    assert not (build / "pdf").exists()
    assert_tidy(build)


# --- a full disk, a read-only folder ------------------------------------------------------------


def no_space(*args: Any, **kwargs: Any) -> Any:
    raise OSError(errno.ENOSPC, "No space left on device")


def test_full_disk_is_a_diagnostic_and_keeps_the_previous_outputs(tmp_path, monkeypatch):
    build = tmp_path / "build"
    published(build, outputs("old"))
    monkeypatch.setattr(Path, "write_bytes", no_space)
    state = publish(state_for(build, outputs("new")))
    [diagnostic] = state.report.diagnostics
    assert diagnostic.severity is Severity.ERROR
    assert diagnostic.format() == (
        "build/: error: cannot write the outputs into build/: No space left on device"
        " [publish-failed]\n"
        "    hint: check that the build folder is writable and the disk has space"
    )
    assert seen(build) == outputs("old")
    assert_tidy(build)


def test_failing_carry_over_is_a_diagnostic(tmp_path, monkeypatch):
    build = tmp_path / "build"
    published(build, outputs("old"))
    monkeypatch.setattr(os, "link", no_space)
    monkeypatch.setattr(shutil, "copyfile", no_space)  # the fallback when linking fails
    state = publish(state_for(build, outputs("new", "html")))
    assert [d.code for d in state.report.diagnostics] == ["publish-failed"]
    assert seen(build) == outputs("old")
    assert_tidy(build)


def test_unwritable_build_folder_is_a_diagnostic(tmp_path, monkeypatch):
    build = tmp_path / "build"
    build.write_text("a file where the build folder should be")
    state = publish(state_for(build, outputs("new")))
    [diagnostic] = state.report.diagnostics
    assert diagnostic.code == "publish-failed"
    assert diagnostic.message.startswith("cannot write the outputs into build/: ")
    if os.geteuid() != 0:  # root writes into read-only folders anyway
        build.unlink()
        build.mkdir()
        published(build, outputs("old"))
        build.chmod(0o555)
        try:
            state = publish(state_for(build, outputs("new")))
            assert [d.code for d in state.report.diagnostics] == ["publish-failed"]
            assert "Permission denied" in state.report.diagnostics[0].message
            assert seen(build) == outputs("old")
        finally:
            build.chmod(0o755)


# --- two builds at once -------------------------------------------------------------------------


def test_concurrent_publishes_all_succeed_and_end_in_one_release(tmp_path):
    build = tmp_path / "build"
    published(build, outputs("start"))
    markers = [f"t{thread}-{round}" for thread in range(4) for round in range(3)]
    expected = [outputs("start")] + [outputs(marker) for marker in markers]
    mixed: list[str] = []
    done = threading.Event()

    def writer(thread: int) -> None:
        for round in range(3):
            published(build, outputs(f"t{thread}-{round}"))

    def reader() -> int:  # a web server reading while builds publish
        reads = 0
        while not done.is_set():
            before = os.readlink(build / "current")
            try:
                snapshot = seen(build)
            except OSError:  # a release removed under our feet: read again
                continue
            if os.readlink(build / "current") == before:
                reads += 1
                if snapshot not in expected:
                    mixed.append(before)
        return reads

    with ThreadPoolExecutor(max_workers=5) as pool:
        watcher = pool.submit(reader)
        writers = [pool.submit(writer, n) for n in range(4)]
        for future in writers:
            future.result()  # each build succeeded (re-raises what failed)
        done.set()
        assert watcher.result() > 0
    assert mixed == []
    assert seen(build) in expected[1:]
    assert_tidy(build)


def test_a_second_build_waits_for_the_lock(tmp_path, monkeypatch):
    build = tmp_path / "build"
    published(build, outputs("old"))
    finished = threading.Event()

    def second() -> None:
        published(build, outputs("new"))
        finished.set()

    with releases.locked(build / ".lock", 1):
        thread = threading.Thread(target=second)
        thread.start()
        assert not finished.wait(0.5)  # waiting, not failing
        assert seen(build) == outputs("old")
    thread.join(10)
    assert finished.is_set()
    assert seen(build) == outputs("new")

    monkeypatch.setattr(releases, "LOCK_WAIT", 0.2)  # a build that never lets go
    with releases.locked(build / ".lock", 1):
        state = publish(state_for(build, outputs("newer")))
    assert [d.message for d in state.report.diagnostics] == [
        "cannot write the outputs into build/: another build kept it locked for 0.2 seconds"
    ]
    assert seen(build) == outputs("new")


# --- the real CLI on the miniature project ------------------------------------------------------


@pytest.fixture(scope="module")
def first_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("publish") / "mini"
    shutil.copytree(PROJECTS / "mini", root, ignore=shutil.ignore_patterns("build"))
    assert main(["-C", str(root), "build"]) == 0
    return root


@pytest.fixture
def project(first_build: Path, tmp_path: Path) -> Path:
    """A copy of the miniature project with its first build (the links copied as links)."""
    root = tmp_path / "mini"
    shutil.copytree(first_build, root, symlinks=True)
    return root


def text_of(root: Path) -> str:
    """'old' or 'new': which edit of the strategy chapter the outputs show, checking they agree."""
    build = root / "build"
    current = (build / "current").resolve()
    for name in ("pdf", "html", "metadata", "pagemap.json"):
        assert (build / name).resolve() == current / name
    assert json.loads((build / "pagemap.json").read_text())["strategy"]
    assert (build / "metadata/crossref.xml").is_file()
    assert (build / "pdf/offprints/dens.pdf").is_file()
    html = (build / "html/strategy/index.html").read_text()
    strategy_page = json.loads((build / "pagemap.json").read_text())["strategy"]["last"]
    pdf = pypdf.PdfReader(build / ISSUE_PDF).pages[strategy_page - 1].extract_text()
    offprint = pypdf.PdfReader(build / "pdf/offprints/strategy.pdf").pages[-1].extract_text()
    versions = {
        "old" if "Secure dens" in text else "new" if "Protect dens" in text else "neither"
        for text in (html, pdf, offprint)
    }
    assert len(versions) == 1 and "neither" not in versions, versions
    return versions.pop()


def test_build_html_keeps_the_previous_pdf(project, run_cli):
    build = project / "build"
    before = (build / ISSUE_PDF).read_bytes()
    old_release = (build / "current").resolve()
    assert run_cli("-C", str(project), "build", "--html").status == 0
    assert (build / "current").resolve() != old_release
    assert (build / ISSUE_PDF).read_bytes() == before
    assert (build / ISSUE_PDF).samefile(old_release / ISSUE_PDF)  # carried over by a hard link
    assert (build / "html/index.html").is_file()
    assert (build / "pagemap.json").is_file()
    assert_tidy(build)


def test_full_disk_during_a_real_build_is_a_diagnostic(project, run_cli, monkeypatch):
    build = project / "build"
    before = seen(build)
    original = Path.write_bytes

    def write_bytes(self: Path, data: Any) -> int:
        if ".staging-" in str(self):  # the disk fills up while the outputs are written
            raise OSError(errno.ENOSPC, "No space left on device")
        return original(self, data)

    monkeypatch.setattr(Path, "write_bytes", write_bytes)
    result = run_cli("-C", str(project), "build")
    assert result.status == 1
    assert (
        "build/: error: cannot write the outputs into build/: No space left on device"
        " [publish-failed]"
    ) in result.lines
    assert "Traceback" not in result.output
    assert seen(build) == before
    assert_tidy(build)


def test_killed_builds_leave_the_previous_one_complete(project):
    build = project / "build"
    assert text_of(project) == "old"
    strategy = project / "chapters/02-strategy.md"
    strategy.write_text(strategy.read_text().replace("Secure dens", "Protect dens", 1))
    command = [sys.executable, "-m", "pica_publish", "-C", str(project), "build"]

    def kill(when: float | str) -> str:
        earlier = set(os.listdir(build))  # leftovers of a build killed before
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if when == "publishing":  # the moment the new release is being written
            while process.poll() is None:
                if any(n.startswith(".staging-") for n in set(os.listdir(build)) - earlier):
                    break
        else:
            assert isinstance(when, float)
            time.sleep(when)
        process.send_signal(signal.SIGKILL)
        output = process.communicate()[0].decode()
        assert "Traceback" not in output
        return text_of(project)  # one complete release, whichever it is

    results = {when: kill(when) for when in (1.0, 3.0, 6.0, "publishing")}
    assert results[1.0] == "old"  # far too early to have published anything
    assert any(name.startswith(".staging-") for name in leftovers(build))  # killed half-way
    finished = subprocess.run(command, capture_output=True, text=True, check=False)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert text_of(project) == "new"
    assert_tidy(build)


class Killed(BaseException):
    """Stands for SIGKILL inside the process: nothing after it runs, nothing catches it."""


def test_a_build_killed_at_each_stage_leaves_the_previous_one_complete(project):
    """Stage by stage: nothing before *publish* writes an output, and publish switches all
    outputs at once (its own steps are covered by the crash-at-any-step test above)."""
    from pica_publish.build import STAGES, run

    assert text_of(project) == "old"
    strategy = project / "chapters/02-strategy.md"
    strategy.write_text(strategy.read_text().replace("Secure dens", "Protect dens", 1))
    options = BuildOptions(root=project)
    for index, (name, _stage) in enumerate(STAGES):

        def killed(state: BuildState, name: str = name) -> BuildState:
            raise Killed(name)

        stages = [*STAGES[:index], (name, killed), *STAGES[index + 1 :]]
        with pytest.raises(Killed):
            run(options, stages)
        assert text_of(project) == "old", f"killed at {name}"
    run(options)  # and the next build, not killed, publishes the edit
    assert text_of(project) == "new"
    assert_tidy(project / "build")


def test_an_interrupted_venv_creation_is_repaired(tmp_path):
    """`make pdf` killed while creating .venv (python there, pip not yet) must not break every
    later `make`: the Makefile's guard recreates a venv whose pip does not run."""
    makefile = (Path(__file__).parents[2] / "Makefile").read_text("utf-8")
    recipe = makefile.split("$(STAMP): pyproject.toml\n", 1)[1].split("\n\n", 1)[0]
    guard = next(line for line in recipe.splitlines() if "-m venv" in line).strip().lstrip("@")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    broken = subprocess.run([venv / "bin/python", "-m", "pip", "--version"], check=False)
    assert broken.returncode != 0
    command = (
        guard.replace("$(BIN)", str(venv / "bin"))
        .replace("$(VENV)", str(venv))
        .replace("$(PYTHON)", shutil.which("python3") or sys.executable)
    )
    subprocess.run(["bash", "-c", command], check=True, capture_output=True)
    pip = subprocess.run(
        [venv / "bin/python", "-m", "pip", "--version"], check=False, capture_output=True
    )
    assert pip.returncode == 0, pip.stderr
