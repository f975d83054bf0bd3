"""Responsive images for the HTML edition (real Pillow, generated images)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from pica_publish.web_images import rewrite_img, web_image


def make(path: Path, size: tuple[int, int], kind: str) -> Path:
    Image.new("RGB", size, (120, 90, 40)).save(path, kind)
    return path


def test_large_jpeg_gets_smaller_variants(tmp_path: Path):
    image = web_image(make(tmp_path / "photo.jpg", (2400, 1600), "JPEG"), "figures/photo.jpg")
    assert sorted(image.files) == [
        "figures/photo-1600w.jpg",
        "figures/photo-800w.jpg",
        "figures/photo.jpg",
    ]
    with Image.open(__import__("io").BytesIO(image.files["figures/photo-800w.jpg"])) as small:
        assert small.size == (800, 533)
    assert dict(image.attributes) == {
        "width": "2400",
        "height": "1600",
        "loading": "lazy",
        "srcset": "figures/photo-800w.jpg 800w, figures/photo-1600w.jpg 1600w, figures/photo.jpg 2400w",
        "sizes": image.attributes["sizes"],
    }


def test_small_png_and_svg_are_served_as_they_are(tmp_path: Path):
    png = web_image(make(tmp_path / "small.png", (600, 400), "PNG"), "figures/small.png")
    assert list(png.files) == ["figures/small.png"] and "srcset" not in png.attributes
    (tmp_path / "map.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    svg = web_image(tmp_path / "map.svg", "figures/map.svg")
    assert svg.attributes == {"loading": "lazy"}


def test_img_is_rewritten_in_place():
    body = "<p><img alt='x' src='figures/a&amp;b.png'> and <img src=\"figures/c.png\"></p>"
    assert rewrite_img(body, "figures/a&b.png", "figures/a.png", {"loading": "lazy"}) == (
        '<p><img alt="x" src="figures/a.png" loading="lazy"> and <img src="figures/c.png"></p>'
    )
