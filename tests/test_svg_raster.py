"""SVG figures drawn as PNG for the Word export (:mod:`pica_publish.svg.raster`): the size is
kept, the drawing is the figure's, and the SVG is read and cleaned as the print edition reads
it (an SVG cannot reach a file outside the project or the network)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from pica_publish.inputs import InputRefused
from pica_publish.svg.raster import DPI, svg_png, svg_size

SQUARE = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="2in" height="1in" viewBox="0 0 200 100">'
    '<rect x="0" y="0" width="100" height="100" fill="#cc5500"/></svg>'
)


def test_the_size_comes_from_width_height_or_viewbox():
    assert svg_size(SQUARE.encode()) == (192.0, 96.0)
    assert svg_size(b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 150"/>') == (
        300.0,
        150.0,
    )
    assert svg_size(b'<svg xmlns="http://www.w3.org/2000/svg" width="60mm" viewBox="0 0 2 1"/>')[
        1
    ] == pytest.approx(60 * 96 / 25.4 / 2)
    assert svg_size(b'<svg xmlns="http://www.w3.org/2000/svg" width="1e9" height="1"/>') == (
        600.0,
        400.0,
    )  # no size it can use: the default


def test_an_svg_is_drawn_at_its_size(tmp_path: Path):
    figure = tmp_path / "square.svg"
    figure.write_text(SQUARE, "utf-8")
    with Image.open(io.BytesIO(svg_png(figure, tmp_path))) as image:
        assert image.size == (2 * DPI, DPI)
        assert image.info["dpi"] == pytest.approx((DPI, DPI), abs=0.1)
        assert image.convert("RGB").getpixel((DPI // 2, DPI // 2)) == (0xCC, 0x55, 0x00)
        assert image.convert("RGB").getpixel((DPI + DPI // 2, DPI // 2)) == (255, 255, 255)


def test_an_svg_cannot_reach_outside_the_project(tmp_path: Path):
    project = tmp_path / "project"
    project.mkdir()
    secret = tmp_path / "secret.png"
    Image.new("RGB", (10, 10), (0, 255, 0)).save(secret)
    figure = project / "leak.svg"
    figure.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'width="100" height="100"><image width="100" height="100" '
        f'xlink:href="{secret.as_uri()}"/><image width="100" height="100" '
        'xlink:href="http://example.org/x.png"/></svg>',
        "utf-8",
    )
    with Image.open(io.BytesIO(svg_png(figure, project))) as image:  # cleaned: nothing drawn
        colours = image.convert("RGB").getcolors(maxcolors=10_000) or []
        assert all(colour == (255, 255, 255) for _count, colour in colours)
    with pytest.raises(InputRefused):
        svg_png(figure, project / "figures")  # the file itself outside the allowed folder


def test_what_cannot_be_drawn_is_a_value_error_not_a_traceback(tmp_path: Path):
    broken = tmp_path / "broken.svg"
    broken.write_text('<svg xmlns="http://www.w3.org/2000/svg"><rect', "utf-8")
    with pytest.raises(ValueError):
        svg_png(broken, tmp_path)
    not_svg = tmp_path / "photo.svg"
    not_svg.write_bytes(b"\x89PNG\r\n\x1a\n")
    with pytest.raises(ValueError, match="not an SVG"):
        svg_png(not_svg, tmp_path)
