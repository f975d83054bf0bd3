"""``pica-publish serve``: the HTML edition on localhost, rebuilt when a source changes.

The site is served from ``build/html`` by the standard library's HTTP server. A watcher
(watchfiles) rebuilds the web edition when a chapter, a reference file, a figure or the manifest
changes (pandoc runs again only for what changed: conversions are cached by content) and tells
open pages to reload over a server-sent-events stream. The reload snippet is added to pages as
they are served; the files in ``build/`` never contain it.
"""

from __future__ import annotations

import functools
import http.server
import logging
import sys
import threading
from pathlib import Path

from watchfiles import watch

from pica_publish.build import run, select_stages
from pica_publish.reporting import visible, write_human
from pica_publish.state import BuildOptions
from pica_publish.theme import CONTENT_SECURITY_POLICY

LOGGER = logging.getLogger("pica_publish")
RELOAD_PATH = "/__pica_reload"
RELOAD_SCRIPT_PATH = "/__pica_reload.js"
RELOAD_SCRIPT = (
    f'new EventSource("{RELOAD_PATH}").onmessage = function () {{ location.reload(); }};\n'
).encode()
# An external script, not an inline one: the pages' Content-Security-Policy allows only 'self'.
SNIPPET = f'<script src="{RELOAD_SCRIPT_PATH}"></script>'.encode()
SVG_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
"""A figure opened on its own is a document: it may not run anything, even if it could."""


class Reloader:
    """Counts builds; the event stream tells the browser when the count changes."""

    def __init__(self) -> None:
        self.version = 0
        self.changed = threading.Condition()

    def bump(self) -> None:
        with self.changed:
            self.version += 1
            self.changed.notify_all()

    def wait(self, seen: int, timeout: float) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.version != seen, timeout=timeout)
            return self.version


class Handler(http.server.SimpleHTTPRequestHandler):
    reloader: Reloader | None

    def log_message(self, format: str, *args: object) -> None:
        LOGGER.debug(format, *args)

    def end_headers(self) -> None:
        """The headers docs/security.md recommends to hosts, so the preview behaves like one."""
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "strict-origin-when-cross-origin")
        policy = SVG_POLICY if self.path.split("?")[0].endswith(".svg") else CONTENT_SECURITY_POLICY
        self.send_header("Content-Security-Policy", policy)
        super().end_headers()

    def do_GET(self) -> None:
        if self.reloader is None:  # a plain static host
            super().do_GET()
            return
        if self.path == RELOAD_SCRIPT_PATH:
            self.send_response(200)
            self.send_header("Content-Type", "text/javascript; charset=utf-8")
            self.send_header("Content-Length", str(len(RELOAD_SCRIPT)))
            self.end_headers()
            self.wfile.write(RELOAD_SCRIPT)
            return
        if self.path == RELOAD_PATH:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.end_headers()
            seen = self.reloader.version
            try:
                while True:
                    now = self.reloader.wait(seen, timeout=15)
                    message = b"data: reload\n\n" if now != seen else b": keep-alive\n\n"
                    self.wfile.write(message)
                    self.wfile.flush()
                    seen = now
            except (BrokenPipeError, ConnectionResetError):
                return
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            body = path.read_bytes().replace(b"</body>", SNIPPET + b"</body>", 1)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()


def make_server(
    site: Path, port: int, reloader: Reloader | None
) -> http.server.ThreadingHTTPServer:
    """Serve ``site`` on 127.0.0.1; with a ``reloader``, pages reload after each rebuild."""
    handler = functools.partial(
        type("SiteHandler", (Handler,), {"reloader": reloader}), directory=str(site)
    )
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)


def build_site(options: BuildOptions) -> bool:
    state = run(options, select_stages())
    write_human(state.report.sorted(), sys.stderr, verbose=False)
    return not state.report.has_errors


def serve(root: Path, port: int = 8000) -> int:
    options = BuildOptions(root=root, outputs=frozenset({"html"}))
    build_site(options)
    site = options.build_path / "html"
    reloader = Reloader()
    server = make_server(site, port, reloader)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"Serving {site} at http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C to stop)")
    watched = [
        p for p in (root / "chapters", root / "references", root / "issue.yml") if p.exists()
    ]
    try:
        for changes in watch(*watched):
            names = sorted({visible(Path(path).name) for _, path in changes})
            print(f"changed: {', '.join(names)}; rebuilding")
            if build_site(options):
                reloader.bump()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
    return 0
