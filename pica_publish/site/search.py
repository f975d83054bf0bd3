"""Full-text search that works on any static host: a Pagefind index (pagefind[bin] from PyPI)
built from the finished pages, served with the site. No server, no other host.

The indexer is the ``pagefind`` binary in service mode, driven here directly rather than through
pagefind's asynchronous Python client: that client reads replies with a 2 MiB line limit and
waits forever once one is longer (a single long article was enough). Here:

* pages are sent one at a time, in sorted order, so page numbers — and so every index file —
  are the same on every machine (the ``--site`` CLI would number pages in the order the file
  system lists them, which differs between file systems);
* the index comes back in the reply to ``GetFiles`` (files made in memory; replies are read
  to their end whatever their length). ``WriteFiles`` answered before its files were on disk,
  and the binary exits at the end of its input: under load, files of the index were missing
  or empty (a ``pagefind-entry.json`` of 0 bytes, no ``pagefind.js``) and search was broken;
* a watchdog kills the binary when the deadline passes (60 s + 10 s per MB of HTML), which ends
  any blocked read or write: the time is bounded, whatever the input;
* the binary runs in the scratch folder with ``PAGEFIND_*`` variables removed, so no
  ``pagefind.yml`` or environment setting changes the index and nothing is written elsewhere.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import tempfile
import threading
from pathlib import Path, PurePosixPath
from typing import IO, Any

from pagefind.service import get_executable

BASE_TIMEOUT = 60.0
"""Seconds allowed to any index, plus :data:`TIMEOUT_PER_MB` per megabyte of HTML."""
TIMEOUT_PER_MB = 10.0


UNUSED_BUNDLES = ("pagefind-component-ui.", "pagefind-modular-ui.")
"""Pagefind's other two user interfaces: the site uses its default UI (``pagefind-ui.*``), so
these are not published (100 KB less; one of them was once written incompletely under load)."""


def search_index(pages: dict[str, str], language: str) -> dict[str, bytes]:
    """``pages``: site path → HTML. Returns the index files, by path under ``pagefind/``.

    Raises :class:`RuntimeError` when the indexer fails or runs out of time, :class:`OSError`
    when it cannot be started.
    """
    binary = get_executable()
    if binary is None:
        raise FileNotFoundError("the pagefind binary is missing (pip install 'pagefind[bin]')")
    size = sum(len(html.encode("utf-8")) for html in pages.values())
    timeout = BASE_TIMEOUT + TIMEOUT_PER_MB * size / 1_000_000
    config = {"root_selector": "main", "force_language": language.split("-")[0]}
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("PAGEFIND_")}
    with (
        tempfile.TemporaryDirectory(prefix="pica-pagefind-") as scratch,
        open(Path(scratch, "stderr.log"), "w+b") as stderr,
    ):
        service = _Service(binary, Path(scratch), env, stderr, timeout)
        try:
            index_id = service.request({"type": "NewIndex", "config": config}, "NewIndex")[
                "index_id"
            ]
            for path, html in sorted(pages.items()):
                service.request(
                    {
                        "type": "AddFile",
                        "index_id": index_id,
                        "file_path": None,
                        "url": "/" + path,
                        # soft hyphens (house hyphenation) would split or glue words
                        "file_contents": html.replace("\u00ad", ""),
                    },
                    "IndexedFile",
                )
            reply = service.request({"type": "GetFiles", "index_id": index_id}, "GetFiles")
        finally:
            service.close()
    return bundle(reply.get("files") or [])


def bundle(files: list[dict[str, Any]]) -> dict[str, bytes]:
    """The files of a ``GetFiles`` reply (relative path, base64 content), by path under
    ``pagefind/``, sorted, without :data:`UNUSED_BUNDLES`."""
    found = {}
    for file in files:
        name = PurePosixPath(str(file.get("path")))
        if name.is_absolute() or ".." in name.parts or not name.parts:
            raise RuntimeError(f"pagefind: unexpected file {_short(str(name))}")
        if name.name.startswith(UNUSED_BUNDLES):
            continue
        try:
            found[f"pagefind/{name}"] = base64.b64decode(str(file.get("content")), validate=True)
        except ValueError:
            raise RuntimeError(f"pagefind: unreadable file {_short(str(name))}") from None
    return dict(sorted(found.items()))


class _Service:
    """One ``pagefind --service`` process: requests and replies are base64 JSON ended by ``,``."""

    def __init__(
        self, binary: Path, cwd: Path, env: dict[str, str], stderr: IO[bytes], timeout: float
    ):
        self.timeout = timeout
        self.stderr = stderr
        self.expired = threading.Event()
        self.process = subprocess.Popen(
            [str(binary), "--service"],
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
        )
        self.watchdog = threading.Timer(timeout, self._expire)
        self.watchdog.daemon = True
        self.watchdog.start()
        self.buffer = bytearray()
        self.message_id = 0

    def _expire(self) -> None:
        self.expired.set()
        self.process.kill()

    def request(self, payload: dict[str, Any], expected: str) -> dict[str, Any]:
        """Send one request and wait for its reply (payload of type ``expected``)."""
        self.message_id += 1
        message = json.dumps({"message_id": self.message_id, "payload": payload}).encode("utf-8")
        assert self.process.stdin is not None
        try:
            self.process.stdin.write(base64.b64encode(message) + b",")
            self.process.stdin.flush()
        except OSError:  # the binary died (or the watchdog killed it) while reading
            raise self._failure() from None
        while True:
            reply = self._read_reply()
            reply_payload = reply["payload"]
            if reply.get("message_id") not in (self.message_id, None):
                continue  # a late reply to an earlier request: not expected, but harmless
            if reply_payload.get("type") == "Error" or reply.get("message_id") is None:
                raise RuntimeError(f"pagefind: {_short(str(reply_payload.get('message')))}")
            if reply_payload.get("type") != expected:
                raise RuntimeError(
                    f"pagefind: unexpected reply {_short(str(reply_payload.get('type')))}"
                )
            return dict(reply_payload)

    def _read_reply(self) -> dict[str, Any]:
        """The next reply: a JSON object whose ``payload`` is an object."""
        assert self.process.stdout is not None
        end = self.buffer.find(b",")
        while end < 0:
            chunk = os.read(self.process.stdout.fileno(), 1 << 16)
            if not chunk:
                raise self._failure()
            found = chunk.find(b",")
            end = len(self.buffer) + found if found >= 0 else -1
            self.buffer += chunk
        encoded = bytes(self.buffer[:end])
        del self.buffer[: end + 1]
        try:
            reply = json.loads(base64.b64decode(encoded, validate=True))
        except ValueError as error:
            raise RuntimeError(f"pagefind: unreadable reply ({error})") from None
        if isinstance(reply, dict) and isinstance(reply.get("payload"), dict):
            return reply
        raise RuntimeError("pagefind: unreadable reply")

    def _failure(self) -> RuntimeError:
        status = self.process.wait()  # bounded: the watchdog still runs
        if self.expired.is_set():
            return RuntimeError(f"pagefind did not finish within {self.timeout:.0f} s")
        self.stderr.seek(0)
        lines = self.stderr.read().decode("utf-8", "replace").strip().splitlines()
        detail = f": {_short(lines[-1])}" if lines else ""
        return RuntimeError(f"pagefind stopped (exit status {status}){detail}")

    def close(self) -> None:
        """End of input: the binary finishes what it is writing and exits. It is killed only if
        the watchdog expires (killing it at once could leave a half-written index file)."""
        if self.process.stdin is not None:
            try:
                self.process.stdin.close()
            except OSError:
                pass
        try:
            self.process.wait(timeout=self.timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.watchdog.cancel()
        if self.process.stdout is not None:
            self.process.stdout.close()


def _short(text: str, limit: int = 200) -> str:
    """A message from the binary, on one line, without control characters, at most ``limit``."""
    text = re.sub(r"[\x00-\x1f\x7f-\x9f]+", " ", text).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
