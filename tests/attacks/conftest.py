"""Shared pieces of the attack corpus: a canary file outside the project, a local HTTP server
that records every request, and the miniature project to attack.

Each attack test plays a pull request author: it edits files the author controls (a chapter,
a figure, a ``.bib``) and asserts that nothing outside the project was read (the canary's
secret appears in no output and no diagnostic), that no request reached the trap server, and
that the build ended with a located diagnostic or a correct output — never a traceback.
"""

from __future__ import annotations

import http.server
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest


@dataclass
class Canary:
    """A file outside the project holding a secret that must never appear in any output."""

    path: Path
    secret: str

    def assert_absent(self, *places: Path | str) -> None:
        """The secret is in none of these files, folders (recursively) or strings."""
        for place in places:
            if isinstance(place, str):
                assert self.secret not in place, "the canary's secret leaked into the output"
                continue
            files = [place] if place.is_file() else [p for p in place.rglob("*") if p.is_file()]
            for file in files:
                if file == self.path:
                    continue
                assert self.secret.encode() not in file.read_bytes(), f"canary leaked into {file}"


@pytest.fixture
def canary(tmp_path: Path) -> Canary:
    secret = f"CANARY-{secrets.token_hex(8)}"
    path = tmp_path / "outside" / "secret.txt"
    path.parent.mkdir()
    path.write_text(
        f"{secret}\n"
        f'[{{"id": "{secret}", "type": "book", "title": "{secret}"}}]\n'
        f"@book{{leak, title = {{{secret}}}, author = {{Leak, L.}}, year = {{2020}}, "
        f"publisher = {{{secret}}}}}\n",
        "utf-8",
    )
    return Canary(path, secret)


@dataclass
class Trap:
    """An HTTP server on 127.0.0.1 that answers everything and records each request path."""

    url: str
    requests: list[str] = field(default_factory=list)


@pytest.fixture
def http_trap() -> Iterator[Trap]:
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            body = b'[{"id": "trap", "type": "book", "title": "TRAP"}]'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    trap = Trap(f"http://127.0.0.1:{server.server_address[1]}", seen)
    try:
        yield trap
    finally:
        server.shutdown()
        server.server_close()
