"""Work laid out ahead in a forked copy (:mod:`pica_publish.ahead`): results come back in
order; a copy that fails, dies or takes too long gives None (the build then does the work
itself), prints nothing, and leaves no process and no file behind."""

from __future__ import annotations

import logging
import os
import signal
import time

import pytest

from pica_publish import ahead
from pica_publish.ahead import Ahead

pytestmark = pytest.mark.skipif(not ahead.available(), reason="needs fork (Linux)")


def _gone(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_results_come_back_for_each_item_and_the_copy_is_reaped():
    with Ahead(lambda n: {"square": n * n, "pid": os.getpid()}, [3, 4, 5], seconds=30) as work:
        pid, folder = work.pid, work.folder
        assert 4 in work and 6 not in work
        results = [work.take(n) for n in (5, 3, 4)]  # in any order
    assert [r["square"] for r in results] == [25, 9, 16]
    assert all(r["pid"] not in (os.getpid(), None) for r in results)  # made in the copy
    assert pid is not None and _gone(pid)
    assert not folder.exists()


def test_an_item_that_fails_ends_the_copy_and_gives_none_from_there():
    def compute(n: int) -> int:
        if n == 2:
            raise ValueError("broken input")
        return n

    with Ahead(compute, [1, 2, 3], seconds=30) as work:
        assert work.take(1) == 1
        assert work.take(2) is None
        assert work.take(3) is None


def test_a_copy_that_takes_too_long_is_given_up_and_killed():
    with Ahead(lambda n: time.sleep(n), [60], seconds=0.5) as work:
        pid = work.pid
        started = time.monotonic()
        assert work.take(60) is None
        assert time.monotonic() - started < 5
        assert pid is not None and _gone(pid)


def test_a_copy_killed_from_outside_gives_none():
    with Ahead(lambda n: time.sleep(n), [60], seconds=30) as work:
        assert work.pid is not None
        os.kill(work.pid, signal.SIGKILL)
        assert work.take(60) is None


def test_the_copy_prints_nothing_and_ignores_ctrl_c(capfd: pytest.CaptureFixture[str]):
    logger = logging.getLogger("pica_publish")
    handler = logging.StreamHandler()
    logger.addHandler(handler)
    try:

        def noisy(n: int) -> int:
            logger.warning("from the copy")
            os.kill(os.getpid(), signal.SIGINT)  # as Ctrl-C in the terminal would
            return n

        with Ahead(noisy, [7], seconds=30) as work:
            assert work.take(7) == 7
    finally:
        logger.removeHandler(handler)
    out, err = capfd.readouterr()
    assert "from the copy" not in out + err


def test_the_copy_is_bounded_in_memory():
    """An item that would take more than ``memory`` bytes fails in the copy, not the machine."""

    def greedy(n: int) -> int:
        block = bytearray(n)
        return len(block)

    with Ahead(greedy, [1024, 2 * 1024**3], seconds=30, memory=256 * 1024**2) as work:
        assert work.take(1024) == 1024
        assert work.take(2 * 1024**3) is None
