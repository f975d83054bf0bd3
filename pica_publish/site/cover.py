"""The issue's cover image for the landing page and for link previews: the first page of the
issue PDF, rendered with pdfium (pypdfium2) and saved as JPEG (a cover is a photograph: as an
optimised PNG it was six times larger and took a second to encode)."""

from __future__ import annotations

import io

import pypdfium2


def cover_jpeg(pdf: bytes, *, width: int = 640) -> bytes:
    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        scale = width / page.get_width()
        image = page.render(scale=scale).to_pil()
    finally:
        document.close()
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=85, optimize=True, progressive=True)
    return buffer.getvalue()
