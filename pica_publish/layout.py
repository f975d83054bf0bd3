"""The one module that uses WeasyPrint.

Each print part (cover, masthead, contents, every article) is laid out as its own document; the
issue PDF is the pages of all of them joined with ``Document.copy`` and written once, which keeps
links between articles, the outline and the tags (see docs/architecture.md).

Resources are fetched through :class:`ProjectFetcher`, which allows ``data:`` URLs and files
inside the allowed folders only; anything else stops the layout and becomes a diagnostic.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime
import io
import logging
import signal
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import weasyprint
from weasyprint import CSS, HTML, Attachment
from weasyprint.document import Document
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher

from pica_publish.citation import article_title
from pica_publish.engine_fixes import ENGINE_FIXES, install
from pica_publish.inputs import InputRefused, read_input, resolve_input
from pica_publish.model import Issue

install()  # the engine fixes, before anything is laid out

WEASYPRINT_MAJOR = 70
"""The WeasyPrint major version whose box tree :func:`page_boxes` hands out (and the engine
fixes wrap); pyproject.toml pins it, and a test fails when another one is installed."""


def page_boxes(document: Document) -> list[Any]:
    """The page boxes of a laid-out document: the one use of WeasyPrint's private
    ``Page._page_box``. Its box tree (``children``, ``position_y``, ``element``…) is read by
    :mod:`pica_publish.pages`, the preflight, the placement and the hyphenation report."""
    return [page._page_box for page in document.pages]


IMAGE_DPI = 300
"""Print resolution: raster images larger than this at their printed size are downsampled."""


class ResourceDenied(ValueError):
    """A document asked for a URL outside the allowed folders."""


class ProjectFetcher(URLFetcher):  # type: ignore[misc]  # WeasyPrint ships no type hints
    """Fetch only ``data:`` URLs and existing files inside ``allowed_roots``; fail on anything else."""

    def __init__(self, allowed_roots: Sequence[Path]) -> None:
        super().__init__(allowed_protocols={"file", "data"}, fail_on_errors=True, timeout=1)
        self.allowed_roots = tuple(root.resolve() for root in allowed_roots)
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> Any:
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            return super().fetch(url, headers)
        parts = urlsplit(url)
        # file://host/… would make urllib look the host up (a DNS request) before failing.
        if scheme != "file" or parts.netloc not in ("", "localhost"):
            self.refused.append(f"'{url}' is outside the project")
            raise ResourceDenied(f"not allowed: {url}")
        requested = Path(url2pathname(parts.path))
        try:
            # The input rule again, where the file is used: inside, regular, within its size.
            path = resolve_input(requested, self.allowed_roots, kind="image")
        except InputRefused as refused:
            self.refused.append(
                f"missing file '{requested}'" if refused.missing else f"'{url}' {refused.reason}"
            )
            raise ResourceDenied(f"{refused.reason}: {url}") from None
        if path.suffix.lower() == ".svg":
            # SVG is data, not code: lay out only what the allow-list keeps.
            from weasyprint.urls import URLFetcherResponse

            from pica_publish.svg import MAX_BYTES, clean_svg

            try:
                with path.open("rb") as file:
                    cleaned = clean_svg(file.read(MAX_BYTES + 1))  # larger: refused
            except (OSError, ValueError) as error:
                self.refused.append(f"unsafe SVG '{path}': {error}")
                raise ResourceDenied(f"unsafe SVG: {path}") from None
            return URLFetcherResponse(path.as_uri(), cleaned, {"Content-Type": "image/svg+xml"})
        return super().fetch(path.as_uri(), headers)


LAYOUT_SECONDS: float = 300
"""Wall-clock limit for laying out one print part or writing one PDF. A 30-page article takes
about 12 s on one core; only a pathological input gets near this."""
LAYOUT_MEMORY = 4 * 1024**3
"""Bytes of data memory (``RLIMIT_DATA``: heap and private writable mappings) a layout worker
process may use (:func:`limit_memory`); a worker laying out the sample issue's longest article
uses about 0.4 GB."""


def limit_memory(limit: int) -> None:
    """Bound this process's data memory (Linux ``RLIMIT_DATA``): an allocation past it fails
    (``MemoryError``, reported by :meth:`Typesetter.lay_out`) instead of the machine swapping.
    Not for the build's own process: the tools it starts (pandoc) would inherit the bound."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    except (ImportError, ValueError, OSError):  # not on this platform: the input bounds remain
        pass


class _OutOfTime(BaseException):
    """Raised by the watchdog inside WeasyPrint; a BaseException so that no ``except Exception``
    on the way (image loading, for one) can swallow it."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Stop the block after ``seconds`` with :class:`LayoutError` (a SIGALRM watchdog; in the
    main thread only, where the pipeline lays out)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "setitimer"
    ):
        yield
        return

    def on_alarm(_signum: int, _frame: Any) -> None:
        raise _OutOfTime

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _OutOfTime:
        raise LayoutError([f"the layout took longer than {seconds:g} s and was stopped"]) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class LayoutError(Exception):
    """The layout could not be made; ``problems`` say why, in the user's terms."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class LaidOut:
    """One laid-out print part."""

    document: Document
    warnings: list[str]
    kind: str = ""
    """The print part's kind ('cover', 'article'…) once it is written as a part of its own."""
    folio: int = 0
    """The folio of its first page, likewise."""
    placement: object = None
    """An article's placement of floats (:class:`pica_publish.placement.Placement`)."""

    @property
    def page_count(self) -> int:
        return len(self.document.pages)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _collect_logs() -> Iterator[_Collect]:
    handler = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


class Typesetter:
    """Lays out print parts with one shared font configuration and fetcher."""

    def __init__(self, allowed_roots: Sequence[Path], stylesheet: str) -> None:
        self.fetcher = ProjectFetcher(allowed_roots)
        self.font_config = FontConfiguration()
        self.stylesheet = CSS(
            string=stylesheet, font_config=self.font_config, url_fetcher=self.fetcher
        )

    def lay_out(self, html: str, base_path: Path, css: str = "") -> LaidOut:
        """Lay out one HTML document; relative URLs resolve against ``base_path``; ``css`` adds
        rules of the layout's own (:class:`pica_publish.placement.Placement`)."""
        self.fetcher.refused.clear()
        stylesheets = [self.stylesheet]
        if css:
            stylesheets.append(CSS(string=css, font_config=self.font_config))
        with _collect_logs() as logs, time_limit(LAYOUT_SECONDS):
            try:
                document = HTML(
                    string=html, base_url=base_path.as_uri() + "/", url_fetcher=self.fetcher
                ).render(
                    stylesheets=stylesheets,
                    font_config=self.font_config,
                    dpi=IMAGE_DPI,  # image options apply when images load, i.e. at layout
                    optimize_images=True,
                )
            except FatalURLFetchingError as error:
                raise LayoutError(self.fetcher.refused or [str(error)]) from None
            except RecursionError:
                raise LayoutError(["the document is nested too deeply to lay out"]) from None
            except MemoryError:
                raise LayoutError(["the layout needs more memory than a part may use"]) from None
        return LaidOut(document, list(logs.messages))

    @staticmethod
    def join(parts: Sequence[LaidOut], options: PdfOptions) -> bytes:
        """The pages of ``parts`` as one PDF (the issue, an offprint, a preview).

        Metadata comes from the first part unless ``options`` overrides it. Raster images were
        downsampled to :data:`IMAGE_DPI` when laid out; SVG stays vector.
        """
        pages = [page for part in parts for page in part.document.pages]
        document = parts[0].document.copy(pages)
        metadata = copy.copy(document.metadata)
        if options.title is not None:
            metadata.title = options.title
            metadata.description = options.title
        if options.authors is not None:
            metadata.authors = list(options.authors)
        if options.keywords is not None:
            metadata.keywords = list(options.keywords)
        if options.created is not None:
            metadata.created = metadata.modified = options.created
        document.metadata = metadata
        when = datetime.datetime.fromisoformat(options.created) if options.created else None
        attachments = [
            Attachment(
                file_obj=io.BytesIO(source_bytes(name, path, options.source_root)),
                name=name,
                description=f"Source: {name}",
                created=when,
                modified=when,
                relationship="Source",
            )
            for name, path in options.attachments
        ]
        output = io.BytesIO()
        with time_limit(LAYOUT_SECONDS):
            document.write_pdf(
                output,
                pdf_variant=options.variant,
                pdf_tags=True,
                dpi=IMAGE_DPI,
                optimize_images=True,
                attachments=attachments or None,
            )
        return output.getvalue()


def source_bytes(name: str, path: Path, root: Path | None) -> bytes:
    """An attached source, read again through the input rule where it is used."""
    try:
        return read_input(path, [root or path.parent], kind="bibliography")
    except InputRefused as refused:
        raise LayoutError([f"the source '{name}' {refused.reason}"]) from None


@dataclass(frozen=True)
class PdfOptions:
    """How a PDF is written: its variant, metadata and attachments."""

    variant: str = "pdf/ua-1"
    """'pdf/ua-1' (tagged, accessible: every build), 'pdf/a-3u' (archive, with sources) or
    'pdf/x-4' (the print master)."""
    title: str | None = None
    authors: tuple[str, ...] | None = None
    keywords: tuple[str, ...] | None = None
    created: str | None = None
    """W3C date-time (from SOURCE_DATE_EPOCH), so two builds give the same bytes."""
    attachments: tuple[tuple[str, Path], ...] = ()
    """(name in the PDF, file) pairs: the sources, in the archival variant."""
    source_root: Path | None = None
    """The project folder the attachments must lie in."""

    @classmethod
    def for_build(
        cls, issue: Issue, archive: bool, epoch: int | None, *, print_master: bool = False
    ) -> PdfOptions:
        created = (
            datetime.datetime.fromtimestamp(epoch, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            if epoch is not None
            else None
        )
        if print_master:
            return cls(variant="pdf/x-4", created=created)
        if not archive:
            return cls(created=created)
        sources = [
            issue.root / "issue.yml",
            *(c.path for c in issue.chapters),
            *issue.bibliography.files,
        ]
        return cls(
            variant="pdf/a-3u",
            created=created,
            attachments=tuple((path.relative_to(issue.root).as_posix(), path) for path in sources),
            source_root=issue.root,
        )

    def for_article(self, issue: Issue, slug: str) -> PdfOptions:
        """An offprint: the article's own title, authors and keywords."""
        chapter = next(c for c in issue.chapters if c.slug == slug)
        return dataclasses.replace(
            self,
            title=article_title(issue.manifest, chapter).text,  # no Markdown asterisks
            authors=tuple(a.name for a in chapter.meta.authors),
            keywords=chapter.meta.keywords,
        )


def layout_engine_version() -> str:
    return f"WeasyPrint {weasyprint.__version__} + {', '.join(ENGINE_FIXES)}"


def versions() -> dict[str, str]:
    from weasyprint.text.ffi import pango

    return {
        "WeasyPrint": weasyprint.__version__,
        "Pango": pango.pango_version_string().decode()
        if hasattr(pango, "pango_version_string")
        else str(pango.pango_version()),
    }
