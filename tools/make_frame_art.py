"""Paint the illustrative frame artwork of the sample issue: two cover images and four logos.

Usage (from the repository root)::

    python tools/make_frame_art.py              # writes frame/*
    python tools/make_frame_art.py --out DIR    # writes somewhere else
    python tools/make_frame_art.py --scale 0.25 --out /tmp/art   # quick, small preview

Outputs:

* ``cover.jpg``       the front-cover "photograph": the Mongolian steppe at dusk, layered rocky
                      hills, rock outcrops and a stylised Pallas's cat (manul) sitting on a rock
* ``back-cover.jpg``  the same kind of landscape at night under the Milky Way
* ``logos/cat-specialist-group.svg``, ``logos/pica.svg``  stand-ins for two real organisations
* ``logos/steppe-fund.svg``, ``logos/zoo-partners.svg``   logos of two fictional funders

Everything is illustrative: the images are painted by this script (they are not photographs)
and the logos are simple sample marks, not those of any real organisation; each one says so.
The covers are 2551 x 3579 px, A4 plus 3 mm bleed on every side (216 x 303 mm) at 300 dpi,
RGB JPEG at quality 86 (optimised, progressive, 300 dpi). The random generators have fixed
seeds and no dates are written, so two runs give identical files. Needs Pillow and numpy
(``pip install -e .[figures]``).
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageDraw, ImageFilter

ROOT = Path(__file__).resolve().parents[1]
WIDTH, HEIGHT = 2551, 3579  # 216 x 303 mm at 300 dpi: A4 plus 3 mm bleed on every side
DPI = 300
JPEG_QUALITY = 86
SUPERSAMPLE = 3  # shapes are drawn this many times larger, then reduced: smooth edges

Array = npt.NDArray[np.floating[Any]]  # float32 in practice
Point = tuple[float, float]
Stops = Sequence[tuple[float, str]]


# --------------------------------------------------------------------------------------------
# Colours, noise and masks
# --------------------------------------------------------------------------------------------


def rgb(code: str) -> Array:
    """``"#rrggbb"`` as a float32 array of three 0-255 channel values."""
    value = code.lstrip("#")
    return np.array([int(value[i : i + 2], 16) for i in (0, 2, 4)], np.float32)


def ramp(stops: Stops, t: Array) -> Array:
    """The colours at positions ``t`` (any shape) of a piecewise-linear colour ramp."""
    positions = [position for position, _ in stops]
    colours = np.stack([rgb(code) for _, code in stops])
    out = np.empty((*t.shape, 3), np.float32)
    for channel in range(3):
        out[..., channel] = np.interp(t, positions, colours[:, channel])
    return out


def smoothstep(edge0: float, edge1: float, x: Array) -> Array:
    t: Array = np.clip((x - edge0) / (edge1 - edge0), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def value_noise(rng: np.random.Generator, width: int, height: int, cells: Point) -> Array:
    """Smooth noise in [0, 1]: a coarse random grid of ``cells`` (x, y) enlarged bicubically."""
    cells_x, cells_y = max(1, round(cells[0])), max(1, round(cells[1]))
    grid = rng.random((cells_y + 1, cells_x + 1), dtype=np.float32)
    enlarged = Image.fromarray(grid).resize((width, height), Image.Resampling.BICUBIC)
    return np.asarray(enlarged, np.float32)


def fractal_noise(
    rng: np.random.Generator,
    width: int,
    height: int,
    cells: Point,
    octaves: int,
    gain: float = 0.5,
) -> Array:
    """Octaves of :func:`value_noise`, each twice as fine and ``gain`` times as strong."""
    total = np.zeros((height, width), np.float32)
    amplitude, norm = 1.0, 0.0
    for octave in range(octaves):
        factor = 2**octave
        total += amplitude * value_noise(rng, width, height, (cells[0] * factor, cells[1] * factor))
        norm += amplitude
        amplitude *= gain
    return total / norm


def ridge_line(
    rng: np.random.Generator,
    width: int,
    base: float,
    amplitude: float,
    octaves: int,
    first: int = 3,
    gain: float = 0.5,
) -> Array:
    """The height (a y coordinate, in px) of a hill crest at every x: 1-D fractal noise."""
    x = np.linspace(0.0, 1.0, width, dtype=np.float32)
    y = np.zeros(width, np.float32)
    weight = 1.0
    for octave in range(octaves):
        knots_count = first * 2**octave
        knots = rng.uniform(-1.0, 1.0, knots_count + 1).astype(np.float32)
        position = x * knots_count
        index = np.minimum(position.astype(np.int64), knots_count - 1)
        f = smoothstep(0.0, 1.0, position - index)
        y += weight * (knots[index] * (1.0 - f) + knots[index + 1] * f)
        weight *= gain
    return base + amplitude * y


def add_tors(
    rng: np.random.Generator, ridge: Array, count: int, size: float, x_range: Point
) -> Array:
    """``ridge`` with ``count`` granite tors (clusters of rounded blocks) raised on its crest."""
    width = ridge.shape[0]
    x = np.arange(width, dtype=np.float32)
    lift = np.zeros(width, np.float32)
    for _ in range(count):
        centre = rng.uniform(*x_range) * width
        for _ in range(int(rng.integers(2, 5))):
            half = size * rng.uniform(0.5, 1.3)
            rise = size * rng.uniform(0.3, 0.8)
            c = centre + rng.uniform(-1.0, 1.0) * size
            dome = np.sqrt(np.clip(1.0 - ((x - c) / half) ** 2, 0.0, 1.0)) ** 0.7
            lift = np.maximum(lift, rise * dome)
    return ridge - lift


class Sketch:
    """Shapes drawn supersampled on a local box of the canvas, read back as a smooth mask."""

    def __init__(self, box: tuple[int, int, int, int], scale: int = SUPERSAMPLE) -> None:
        self.x0, self.y0, x1, y1 = box
        self.width, self.height = x1 - self.x0, y1 - self.y0
        self.scale = scale
        self.image = Image.new("L", (self.width * scale, self.height * scale), 0)
        self.draw = ImageDraw.Draw(self.image)

    def _xy(self, point: Point) -> tuple[float, float]:
        return ((point[0] - self.x0) * self.scale, (point[1] - self.y0) * self.scale)

    def polygon(self, points: Sequence[Point], fill: int = 255) -> None:
        self.draw.polygon([self._xy(p) for p in points], fill=fill)

    def ellipse(self, centre: Point, rx: float, ry: float, fill: int = 255) -> None:
        cx, cy = self._xy(centre)
        s = self.scale
        self.draw.ellipse((cx - rx * s, cy - ry * s, cx + rx * s, cy + ry * s), fill=fill)

    def line(self, points: Sequence[Point], width: float, fill: int = 255) -> None:
        self.draw.line(
            [self._xy(p) for p in points], fill=fill, width=max(1, round(width * self.scale))
        )

    def rectangle(self, corner0: Point, corner1: Point, fill: int = 255) -> None:
        self.draw.rectangle((*self._xy(corner0), *self._xy(corner1)), fill=fill)

    def alpha(self) -> Array:
        small = self.image.resize((self.width, self.height), Image.Resampling.BOX)
        return np.asarray(small, np.float32) / 255.0


def blur(mask: Array, radius: float) -> Array:
    """A Gaussian blur of a 0-1 mask (through an 8-bit image: plenty for soft shadows)."""
    image = Image.fromarray(np.clip(mask * 255.0 + 0.5, 0, 255).astype(np.uint8))
    return np.asarray(image.filter(ImageFilter.GaussianBlur(radius)), np.float32) / 255.0


def bezier(points: Sequence[Point], steps: int) -> list[Point]:
    """Points along the cubic Bézier curve with the four control ``points``."""
    (x0, y0), (x1, y1), (x2, y2), (x3, y3) = points
    out = []
    for i in range(steps + 1):
        t = i / steps
        a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t**2, t**3
        out.append((a * x0 + b * x1 + c * x2 + d * x3, a * y0 + b * y1 + c * y2 + d * y3))
    return out


# --------------------------------------------------------------------------------------------
# The canvas
# --------------------------------------------------------------------------------------------


class Canvas:
    """A float RGB picture (0-255) with the painting operations the landscapes use."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.rgb = np.zeros((height, width, 3), np.float32)
        self.solid = np.zeros((height, width), bool)  # rocks: no grass grows from them
        self.rows = np.arange(height, dtype=np.float32)[:, None]
        self.cols = np.arange(width, dtype=np.float32)[None, :]

    def paint(self, box: tuple[int, int], alpha: Array, colour: Array, at_x: int = 0) -> None:
        """Blend ``colour`` (RGB, or an image of the mask's size) over the canvas where
        ``alpha`` is set; the mask's top-left corner is at (``at_x``, ``box[0]``) and it is
        clipped to the canvas. ``box`` is (top, bottom) of the mask rows."""
        top, bottom = box
        width = alpha.shape[1]
        y0, y1 = max(top, 0), min(bottom, self.height)
        x0, x1 = max(at_x, 0), min(at_x + width, self.width)
        if y0 >= y1 or x0 >= x1:
            return
        a = alpha[y0 - top : y1 - top, x0 - at_x : x1 - at_x, None]
        if colour.ndim == 3:
            colour = colour[y0 - top : y1 - top, x0 - at_x : x1 - at_x]
        region = self.rgb[y0:y1, x0:x1]
        region += (colour - region) * a

    def mark_solid(self, top: int, alpha: Array, at_x: int) -> None:
        """Remember where ``alpha`` (placed like in :meth:`paint`) covers the ground."""
        height, width = alpha.shape
        y0, y1 = max(top, 0), min(top + height, self.height)
        x0, x1 = max(at_x, 0), min(at_x + width, self.width)
        if y0 < y1 and x0 < x1:
            self.solid[y0:y1, x0:x1] |= alpha[y0 - top : y1 - top, x0 - at_x : x1 - at_x] > 0.5

    def hill(
        self,
        ridge: Array,
        top: str,
        bottom: str,
        depth: float,
        texture: Array | None = None,
        texture_strength: float = 0.0,
        rim: tuple[str, float, float] | None = None,
    ) -> None:
        """Fill everything below the crest ``ridge`` with a colour running from ``top`` at the
        crest to ``bottom`` ``depth`` px lower (haze in the valleys), optionally textured.
        ``rim`` (colour, strength, x of the light) lights the crest from behind."""
        start = max(int(ridge.min()) - 1, 0)
        rows = self.rows[start:]
        below = rows - ridge[None, :]
        alpha = np.clip(below + 0.5, 0.0, 1.0)
        colour = ramp([(0.0, top), (1.0, bottom)], np.clip(below / depth, 0.0, 1.0))
        if texture is not None:
            colour *= (1.0 + texture_strength * (texture[start:] - 0.5))[..., None]
        if rim is not None:
            rim_colour, strength, light_x = rim
            near = np.exp(-(((self.cols - light_x) / (0.35 * self.width)) ** 2))
            amount = strength * near * np.exp(-np.clip(below, 0.0, None) / (0.004 * self.height))
            colour += (rgb(rim_colour) - colour) * amount[..., None]
        self.paint((start, self.height), alpha, colour)

    def glow(self, centre: Point, radii: Point, colour: str, strength: float) -> None:
        """Add light: an elliptical Gaussian glow (screen-like, it never overshoots white)."""
        dx = (self.cols - centre[0]) / radii[0]
        dy = (self.rows - centre[1]) / radii[1]
        amount = strength * np.exp(-(dx * dx + dy * dy))
        light = rgb(colour)
        self.rgb += (255.0 - self.rgb) * (light / 255.0) * amount[..., None]

    def image(self) -> Image.Image:
        return Image.fromarray(np.clip(self.rgb + 0.5, 0, 255).astype(np.uint8), "RGB")

    def load(self, image: Image.Image) -> None:
        self.rgb = np.asarray(image.convert("RGB"), np.float32).copy()


@dataclass(frozen=True)
class RockColours:
    shadow: str
    lit: str
    crack: float = 0.8  # brightness of the cracks between facets
    lichen: str = "#a89a6a"


def rock(
    canvas: Canvas,
    rng: np.random.Generator,
    centre: Point,
    radii: Point,
    colours: RockColours,
    light: tuple[float, float, float] = (0.7, -0.55, 0.45),
    flat_top: float = 1.0,
    shadow: float = 0.45,
) -> None:
    """A faceted boulder: an irregular polygon, flat-shaded by Voronoi facets lit from
    ``light`` (x right, y down, z towards the viewer), with cracks, lichen and a soft shadow.
    ``flat_top`` < 1 cuts the top off flat at that fraction of the vertical radius."""
    cx, cy = centre
    rx, ry = radii
    # The ground shadow first, so the rock is painted over it.
    if shadow > 0.0:
        sx0, sy0 = int(cx - 1.6 * rx), int(cy)
        sx1, sy1 = int(cx + 1.6 * rx), int(cy + 1.1 * ry)
        ground = Sketch((sx0, sy0, sx1, sy1), scale=1)
        ground.ellipse((cx - 0.15 * rx, cy + 0.5 * ry), 1.3 * rx, 0.28 * ry)
        soft = blur(ground.alpha(), max(2.0, 0.12 * ry))
        canvas.paint((sy0, sy1), soft * shadow, rgb("#120c12"), at_x=sx0)

    count = int(rng.integers(10, 15))
    angles = np.linspace(0.0, 2.0 * math.pi, count, endpoint=False)
    angles += rng.uniform(-0.25, 0.25, count) * (2.0 * math.pi / count)
    reach = rng.uniform(0.86, 1.08, count)
    xs = cx + rx * reach * np.cos(angles)
    ys = cy + ry * reach * np.sin(angles)
    ys = np.clip(ys, cy - flat_top * ry, cy + ry * rng.uniform(0.5, 0.7, count))
    x0, y0 = int(cx - 1.12 * rx) - 2, int(cy - 1.1 * ry) - 2
    x1, y1 = int(cx + 1.12 * rx) + 3, int(cy + 0.62 * ry) + 3
    sketch = Sketch((x0, y0, x1, y1))
    sketch.polygon(list(zip(xs.tolist(), ys.tolist(), strict=True)))
    alpha = sketch.alpha()

    h, w = alpha.shape
    u = (np.arange(w, dtype=np.float32)[None, :] + x0 - cx) / rx
    v = (np.arange(h, dtype=np.float32)[:, None] + y0 - cy) / ry
    u, v = np.broadcast_to(u, (h, w)), np.broadcast_to(v, (h, w))
    lx, ly, lz = np.array(light, np.float32) / np.linalg.norm(light)

    facets = int(rng.integers(6, 11))
    su = rng.uniform(-0.95, 0.95, facets).astype(np.float32)
    sv = rng.uniform(-0.95, 0.6, facets).astype(np.float32)
    nz = np.sqrt(np.clip(1.0 - su**2 - sv**2, 0.08, 1.0))
    normals = np.stack([su, sv, nz], axis=1) + rng.normal(0.0, 0.28, (facets, 3))
    normals /= np.linalg.norm(normals, axis=1, keepdims=True)
    facet_light = np.clip(normals @ np.array([lx, ly, lz]), 0.0, 1.0).astype(np.float32)

    distances = (u[None] - su[:, None, None]) ** 2 + (v[None] - sv[:, None, None]) ** 2
    order = np.argsort(distances, axis=0)
    nearest, second = order[0], order[1]
    d1 = np.take_along_axis(distances, nearest[None], axis=0)[0]
    d2 = np.take_along_axis(distances, second[None], axis=0)[0]
    crack = smoothstep(0.0, 0.035, np.sqrt(d2) - np.sqrt(d1))

    dome_z = np.sqrt(np.clip(1.0 - u**2 - v**2, 0.05, 1.0))
    dome = np.clip((u * lx + v * ly + dome_z * lz) / np.sqrt(u**2 + v**2 + dome_z**2), 0, 1)
    shade = 0.45 * facet_light[nearest] + 0.55 * dome
    shade *= colours.crack + (1.0 - colours.crack) * crack
    shade *= 1.0 - 0.35 * smoothstep(0.0, 0.6, v)  # darker where it meets the ground
    grain = fractal_noise(rng, w, h, (w / 40 + 2, h / 40 + 2), 3)
    shade = np.clip(shade * (0.85 + 0.3 * grain), 0.0, 1.0)

    colour = ramp([(0.0, colours.shadow), (1.0, colours.lit)], shade**1.15)
    lichen = smoothstep(0.66, 0.8, fractal_noise(rng, w, h, (w / 60 + 2, h / 60 + 2), 3))
    colour += (rgb(colours.lichen) - colour) * (0.2 * lichen * shade)[..., None]
    canvas.paint((y0, y1), alpha, colour, at_x=x0)
    canvas.mark_solid(y0, alpha, x0)


def grass(
    canvas: Canvas,
    rng: np.random.Generator,
    top: float,
    count: int,
    length: Point,
    width: Point,
    tint: Point = (0.62, 1.3),
    tufts: bool = False,
    region: tuple[float, float] | None = None,
) -> None:
    """Grass blades on the ground below the row ``top`` (px), drawn supersampled 2x.

    Blade length and width grow from ``length[0]``/``width[0]`` at ``top`` to the second values
    at the bottom edge (perspective); their colour is the ground's, times a random ``tint``.
    ``tufts`` draws fans of blades instead of single blades; ``region`` limits the bases to the
    rows (y0, y1). No blade grows from a rock (:attr:`Canvas.solid`)."""
    scale = 2
    y_top = int(top)
    picture = canvas.image()
    layer = Image.new("RGBA", (canvas.width * scale, (canvas.height - y_top) * scale))
    draw = ImageDraw.Draw(layer)
    y_low, y_high = region if region is not None else (top, float(canvas.height))
    for _ in range(count):
        y = min(y_low + (y_high - y_low) * rng.random() ** 0.8, canvas.height - 1.0)
        x = min(rng.uniform(0.0, 1.0) * canvas.width, canvas.width - 1.0)
        depth = (y - top) / (canvas.height - top)
        size = length[0] + (length[1] - length[0]) * depth**1.6
        thickness = width[0] + (width[1] - width[0]) * depth
        if canvas.solid[int(y), int(x)]:
            continue
        base = np.array(picture.getpixel((int(x), int(y))), np.float32)
        blades = int(rng.integers(4, 9)) if tufts else 1
        for _ in range(blades):
            spread = 0.55 if tufts else 0.22
            angle = -math.pi / 2 + rng.normal(0.0, spread) + 0.12
            reach = size * rng.uniform(0.55, 1.1)
            x1, y1 = x + reach * math.cos(angle), y + reach * math.sin(angle)
            xm = x + 0.5 * reach * math.cos(angle) - 0.06 * reach
            ym = y + 0.5 * reach * math.sin(angle)
            colour = np.clip(base * rng.uniform(*tint), 0, 255).astype(int)
            points = [(bx * scale, (by - y_top) * scale) for bx, by in ((x, y), (xm, ym), (x1, y1))]
            draw.line(points, fill=(*colour.tolist(), 255), width=max(1, round(thickness * scale)))
    small = layer.resize((canvas.width, canvas.height - y_top), Image.Resampling.LANCZOS)
    picture.paste(small, (0, y_top), small)
    canvas.load(picture)


# --------------------------------------------------------------------------------------------
# A stylised Pallas's cat
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Face:
    """The colours of the cat's face: greyish fur, pale eye patches and muzzle, yellow eyes."""

    fur: str = "#6a5a58"
    pale: str = "#b3a393"
    iris: str = "#d8b446"
    dark: str = "#161012"
    nose: str = "#5c3b3c"


def manul(
    canvas: Canvas,
    base: Point,
    size: float,
    fur: str,
    ring: str,
    rim: str,
    rim_strength: float,
    face: Face | None = None,
    eyes: str | None = None,
) -> None:
    """A sitting Pallas's cat seen from the front, ``size`` px tall, its feet at ``base``.

    Stocky round body, a broad flat head with small, low-set ears on its sides, fluffy cheeks,
    and a thick, bushy tail with dark rings and a dark tip lying along the rock to its right.
    Lit from behind: a ``rim`` of light on the upper-right edges. With a ``face``: round-pupilled
    yellow eyes in pale patches, a pale muzzle, dark cheek stripes and forehead spots; without
    one, a silhouette, with eyes glinting in the colour ``eyes`` if it is given."""
    bx, by = base
    s = size

    def at(u: float, v: float) -> Point:
        return (bx + u * s, by + v * s)

    x0, y0 = int(bx - 0.55 * s), int(by - 1.05 * s)
    x1, y1 = int(bx + 1.0 * s), int(by + 0.12 * s)
    box = (x0, y0, x1, y1)

    body = Sketch(box)
    for (u, v), (ru, rv) in (
        ((0.0, -0.17), (0.35, 0.19)),  # haunches
        ((0.0, -0.36), (0.29, 0.30)),  # body
        ((0.0, -0.57), (0.215, 0.15)),  # chest
        ((0.0, -0.765), (0.25, 0.165)),  # broad, flat head
        ((0.0, -0.70), (0.28, 0.115)),  # fluffy cheeks
    ):
        body.ellipse(at(u, v), ru * s, rv * s)
    for side in (-1.0, 1.0):
        # Small, rounded ears set low on the sides of the head, pointing outwards.
        body.polygon(
            [
                at(side * 0.2, -0.87),
                at(side * 0.29, -0.9),
                at(side * 0.325, -0.85),
                at(side * 0.25, -0.78),
            ]
        )
        body.ellipse(at(side * 0.3, -0.874), 0.026 * s, 0.026 * s)
        # Tufts of long fur on the cheeks.
        body.polygon([at(side * 0.25, -0.75), at(side * 0.315, -0.7), at(side * 0.24, -0.69)])
        body.polygon([at(side * 0.26, -0.7), at(side * 0.325, -0.64), at(side * 0.225, -0.635)])
    body.rectangle(at(-0.6, 0.015), at(1.0, 0.2), fill=0)
    body_alpha = body.alpha()

    path = bezier([at(0.12, -0.085), at(0.45, -0.02), at(0.68, -0.05), at(0.8, -0.16)], 90)
    tail_all, tail_rings = Sketch(box), Sketch(box)
    for i, (px_, py_) in enumerate(path):
        t = i / (len(path) - 1)
        radius = (0.072 + 0.016 * math.sin(math.pi * min(t * 1.2, 1.0))) * s
        tail_all.ellipse((px_, py_), radius, radius)
        dark = t > 0.86 or (t > 0.3 and int((t - 0.3) * 18) % 2 == 1)
        tail_rings.ellipse((px_, py_), radius, radius, fill=255 if dark else 0)
    tail_alpha, ring_alpha = tail_all.alpha(), tail_rings.alpha()

    h, w = body_alpha.shape
    alpha = 1.0 - (1.0 - body_alpha) * (1.0 - tail_alpha)
    colour = np.broadcast_to(rgb(fur), (h, w, 3)).copy()
    colour += (rgb(ring) - colour) * (ring_alpha * (1.0 - body_alpha))[..., None]
    # A little sky light on top, darker towards the feet.
    height_v = (np.arange(h, dtype=np.float32)[:, None] + y0 - by) / s
    colour *= (1.0 + 0.25 * np.clip(-height_v - 0.4, 0.0, 0.6))[..., None]

    # Rim light: inside the cat, where the pixel up and to the right is outside it.
    shift = max(1, round(0.008 * s))
    shifted = np.zeros_like(alpha)
    shifted[shift:, : w - shift] = alpha[: h - shift, shift:]
    edge = blur(np.clip(alpha - shifted, 0.0, 1.0), max(1.0, 0.004 * s)) * alpha
    colour += (rgb(rim) - colour) * np.clip(edge * rim_strength, 0.0, 1.0)[..., None]
    canvas.paint((y0, y1), alpha, colour, at_x=x0)

    def dab(colour: str, opacity: float, *spots: tuple[float, float, float, float]) -> None:
        """Ellipses (u, v, ru, rv) of one colour on the cat."""
        sketch = Sketch(box)
        for u, v, ru, rv in spots:
            sketch.ellipse(at(u, v), ru * s, rv * s)
        canvas.paint((y0, y1), sketch.alpha() * opacity, rgb(colour), at_x=x0)

    eye_u, eye_v = 0.085, -0.76
    if face is None:
        if eyes is not None:
            dab(eyes, 0.85, *((side * eye_u, eye_v, 0.022, 0.02) for side in (-1.0, 1.0)))
        return
    dab(face.fur, 0.6, (0.0, -0.745, 0.17, 0.1))
    dab(
        face.pale,
        0.85,
        *((side * eye_u, eye_v, 0.047, 0.04) for side in (-1.0, 1.0)),
        (0.0, -0.69, 0.065, 0.042),
        (0.0, -0.655, 0.05, 0.025),
    )
    marks = Sketch(box)
    for side in (-1.0, 1.0):
        marks.line([at(side * 0.125, -0.745), at(side * 0.215, -0.72)], 0.013 * s)
        marks.line([at(side * 0.12, -0.71), at(side * 0.205, -0.68)], 0.013 * s)
        marks.line([at(0.0, -0.697), at(side * 0.022, -0.678)], 0.007 * s)
        for u, v in ((0.0, -0.85), (0.032, -0.835), (0.064, -0.82), (0.02, -0.81)):
            marks.ellipse(at(side * u, v), 0.009 * s, 0.009 * s)
    canvas.paint((y0, y1), marks.alpha() * 0.9, rgb(face.dark), at_x=x0)
    ears = Sketch(box)
    for side in (-1.0, 1.0):
        ears.polygon(
            [
                at(side * 0.225, -0.85),
                at(side * 0.285, -0.874),
                at(side * 0.3, -0.85),
                at(side * 0.255, -0.808),
            ]
        )
    canvas.paint((y0, y1), ears.alpha() * 0.5, rgb(face.dark), at_x=x0)
    nose = Sketch(box)
    nose.polygon([at(-0.02, -0.716), at(0.02, -0.716), at(0.0, -0.696)])
    canvas.paint((y0, y1), nose.alpha(), rgb(face.nose), at_x=x0)
    dab(face.iris, 1.0, *((side * eye_u, eye_v, 0.03, 0.03) for side in (-1.0, 1.0)))
    dab(face.dark, 1.0, *((side * eye_u, eye_v, 0.014, 0.014) for side in (-1.0, 1.0)))
    dab(
        "#fff6e0", 0.9, *((side * eye_u + 0.01, eye_v - 0.01, 0.006, 0.006) for side in (-1.0, 1.0))
    )


# --------------------------------------------------------------------------------------------
# The two covers
# --------------------------------------------------------------------------------------------


def dusk_cover(width: int, height: int) -> Image.Image:
    """The front cover: the steppe at dusk, rocky hills, outcrops and a manul on a rock."""
    rng = np.random.default_rng(1776)  # Pallas described the manul in 1776
    canvas = Canvas(width, height)
    W, H = float(width), float(height)

    # Sky: deep indigo above (room for a white title), warm amber at the horizon.
    t = np.broadcast_to(canvas.rows / (0.56 * H), (height, 1))
    sky = ramp(
        [
            (0.0, "#11132b"),
            (0.3, "#1f1f45"),
            (0.55, "#3f3060"),
            (0.72, "#74426d"),
            (0.85, "#b65f6c"),
            (0.93, "#e69366"),
            (1.0, "#f6c586"),
        ],
        np.clip(t, 0.0, 1.0),
    )
    canvas.rgb[:] = sky
    canvas.glow((0.7 * W, 0.545 * H), (0.55 * W, 0.1 * H), "#ffb36b", 0.55)
    canvas.glow((0.7 * W, 0.54 * H), (0.16 * W, 0.035 * H), "#fff0c0", 0.7)

    # Thin stratus clouds in the lower sky, lit pink and orange from below.
    band_top, band_bottom = int(0.3 * H), int(0.5 * H)
    band_h = band_bottom - band_top
    field = fractal_noise(rng, width, band_h, (3, 9), 4, gain=0.55)
    band_v = np.linspace(0.0, 1.0, band_h, dtype=np.float32)[:, None]
    window = np.clip(np.sin(np.pi * band_v), 0.0, 1.0) ** 1.5
    cover = smoothstep(0.52, 0.74, field) * window * 0.85
    cloud = ramp(
        [(0.0, "#4a3663"), (0.55, "#9a4f71"), (1.0, "#f09a7c")],
        np.broadcast_to(band_v, (band_h, width)),
    )
    near_sun = np.exp(-(((canvas.cols - 0.7 * W) / (0.45 * W)) ** 2))
    cloud += (rgb("#ffc38a") - cloud) * (0.45 * near_sun * band_v)[..., None]
    canvas.paint((band_top, band_bottom), cover, cloud)

    # Hills, far to near: each crest higher in the picture is hazier and pinker.
    far = ridge_line(rng, width, 0.5 * H, 0.045 * H, 8, first=2, gain=0.52)
    canvas.hill(far, "#8d6d93", "#c89aa4", 0.06 * H, rim=("#ffd29a", 0.55, 0.7 * W))
    canvas.glow((0.7 * W, 0.53 * H), (0.35 * W, 0.05 * H), "#ffb27a", 0.35)

    streaks = fractal_noise(rng, width, height, (16, 24), 4, gain=0.6)
    middle = ridge_line(rng, width, 0.555 * H, 0.03 * H, 8, first=3, gain=0.55)
    middle = add_tors(rng, middle, 5, 0.012 * H, (0.05, 0.95))
    canvas.hill(middle, "#62506f", "#a4809a", 0.05 * H, streaks, 0.2, rim=("#f4a877", 0.4, 0.7 * W))

    rocky = ridge_line(rng, width, 0.6 * H, 0.025 * H, 8, first=3, gain=0.55)
    rocky = add_tors(rng, rocky, 7, 0.014 * H, (0.0, 1.0))
    canvas.hill(rocky, "#45384f", "#7d6275", 0.05 * H, streaks, 0.3, rim=("#e89366", 0.3, 0.7 * W))

    # The steppe: grass running from hazy mauve in the distance to dark earth at our feet.
    plain = ridge_line(rng, width, 0.655 * H, 0.008 * H, 6, first=2, gain=0.5)
    ground = fractal_noise(rng, width, height, (4, 24), 5, gain=0.55)
    start = int(plain.min()) - 1
    depth = np.clip((canvas.rows[start:] - plain[None, :]) / (H - plain[None, :]), 0.0, 1.0)
    colour = ramp(
        [
            (0.0, "#7a5e6c"),
            (0.12, "#8f6a5a"),
            (0.35, "#8a6444"),
            (0.7, "#4d3829"),
            (1.0, "#231a18"),
        ],
        depth,
    )
    colour *= (0.82 + 0.36 * ground[start:])[..., None]
    lit = np.exp(-(((canvas.cols - 0.7 * W) / (0.5 * W)) ** 2)) * (1.0 - depth) ** 2
    colour += (rgb("#d79a62") - colour) * (0.35 * lit)[..., None]
    canvas.paint((start, height), np.clip(canvas.rows[start:] - plain + 0.5, 0, 1), colour)

    dusk = RockColours(shadow="#281d2a", lit="#b07f64", lichen="#a8966a")
    # Small rocks scattered over the distant plain.
    for _ in range(14):
        x = rng.uniform(0.03, 0.97) * W
        y = rng.uniform(0.672, 0.72) * H
        r = (6.0 + 60.0 * ((y / H - 0.66) / 0.06) ** 1.5) * W / WIDTH
        rock(canvas, rng, (x, y), (r, 0.6 * r), dusk, shadow=0.3)

    grass(
        canvas,
        rng,
        plain.min(),
        int(20000 * W / WIDTH),
        (6 * H / HEIGHT, 70 * H / HEIGHT),
        (0.8 * W / WIDTH, 3.0 * W / WIDTH),
    )

    # The main outcrop: stacked boulders with a flat slab on top for the cat.
    cat_x, cat_y, cat_size = 0.4 * W, 0.712 * H, 0.15 * H
    for (u, v), (ru, rv), flat in (
        ((0.17, 0.815), (0.12, 0.07), 1.0),
        ((0.63, 0.82), (0.1, 0.065), 1.0),
        ((0.32, 0.85), (0.19, 0.08), 0.9),
        ((0.56, 0.86), (0.15, 0.075), 0.9),
        ((0.43, 0.775), (0.16, 0.06), 0.8),
    ):
        rock(canvas, rng, (u * W, v * H), (ru * W, rv * H), dusk, flat_top=flat)
    slab_ry = 0.05 * H
    rock(
        canvas,
        rng,
        (0.43 * W, cat_y + 0.8 * slab_ry),
        (0.19 * W, slab_ry),
        dusk,
        flat_top=0.8,
    )
    manul(
        canvas,
        (cat_x, cat_y + 0.004 * H),
        cat_size,
        "#3a2e32",
        "#140e12",
        "#ffae6b",
        0.9,
        face=Face(),
    )

    # A right-hand outcrop and big dark rocks in the foreground.
    rock(canvas, rng, (0.8 * W, 0.78 * H), (0.075 * W, 0.04 * H), dusk)
    rock(canvas, rng, (0.85 * W, 0.83 * H), (0.16 * W, 0.065 * H), dusk, flat_top=0.85)
    foreground = RockColours(shadow="#1c151c", lit="#8a6453", lichen="#8d7d58")
    rock(canvas, rng, (0.05 * W, 0.97 * H), (0.3 * W, 0.09 * H), foreground, flat_top=0.9)
    rock(canvas, rng, (0.25 * W, 1.0 * H), (0.16 * W, 0.05 * H), foreground)
    rock(canvas, rng, (1.0 * W, 0.99 * H), (0.2 * W, 0.06 * H), foreground)

    # Tufts in front of the rocks' feet.
    grass(
        canvas,
        rng,
        plain.min(),
        int(1100 * W / WIDTH),
        (20 * H / HEIGHT, 110 * H / HEIGHT),
        (1.2 * W / WIDTH, 4.0 * W / WIDTH),
        tint=(0.55, 1.15),
        tufts=True,
        region=(0.8 * H, H),
    )
    grass(
        canvas,
        rng,
        plain.min(),
        int(260 * W / WIDTH),
        (20 * H / HEIGHT, 70 * H / HEIGHT),
        (1.2 * W / WIDTH, 3.0 * W / WIDTH),
        tint=(0.6, 1.2),
        tufts=True,
        region=(0.74 * H, 0.8 * H),
    )

    finish(canvas, rng, top_darkening=0.25)
    return canvas.image()


def night_back_cover(width: int, height: int) -> Image.Image:
    """The back cover: the same steppe at night, the Milky Way, a ger and a manul on a tor."""
    rng = np.random.default_rng(1811)  # Pallas's Zoographia Rosso-Asiatica, 1811
    canvas = Canvas(width, height)
    W, H = float(width), float(height)

    t = np.broadcast_to(canvas.rows / (0.62 * H), (height, 1))
    canvas.rgb[:] = ramp(
        [
            (0.0, "#04060e"),
            (0.45, "#0a1124"),
            (0.8, "#15223d"),
            (0.95, "#22324d"),
            (1.0, "#2c3c55"),
        ],
        np.clip(t, 0.0, 1.0),
    )

    # The Milky Way: a clumpy diagonal band with dark dust lanes.
    sky_h = int(0.66 * H)
    x = canvas.cols / W
    y = canvas.rows[:sky_h] / H
    distance = (y - (0.9 * x - 0.05)) / math.hypot(0.9, 1.0)
    band = np.exp(-((distance / 0.13) ** 2))
    clumps = fractal_noise(rng, width, sky_h, (6, 8), 4, gain=0.6)
    lanes = fractal_noise(rng, width, sky_h, (14, 16), 4, gain=0.5)
    milky = band * smoothstep(0.25, 0.9, clumps) * (1.0 - 0.8 * smoothstep(0.55, 0.7, lanes))
    glow_colour = ramp([(0.0, "#4b5a85"), (1.0, "#c9cfe6")], np.clip(milky, 0.0, 1.0))
    canvas.paint((0, sky_h), np.clip(0.2 * band + 0.35 * milky, 0.0, 1.0), glow_colour)

    # Stars: more of them in the band; a few bright ones with a halo.
    scale = 2
    stars = Image.new("L", (width * scale, sky_h * scale), 0)
    draw = ImageDraw.Draw(stars)
    count = int(5200 * W / WIDTH * H / HEIGHT)
    pixel = W / WIDTH
    for _ in range(count):
        sx, sy = rng.uniform(0, W), rng.uniform(0, sky_h)
        if rng.random() < 0.45:  # pull some stars into the Milky Way
            along = rng.uniform(-0.1, 1.0)
            sx = along * W
            sy = (0.9 * along - 0.05 + rng.normal(0.0, 0.08)) * H
            if not 0 <= sy < sky_h:
                continue
        magnitude = rng.random() ** 5
        radius = (0.7 + 2.8 * magnitude) * pixel * scale
        brightness = int(90 + 165 * rng.random() ** 0.5)
        draw.ellipse(
            (sx * scale - radius, sy * scale - radius, sx * scale + radius, sy * scale + radius),
            fill=brightness,
        )
    star_alpha = np.asarray(stars.resize((width, sky_h), Image.Resampling.BOX), np.float32) / 255.0
    halo = blur(star_alpha, 6.0 * pixel) * 2.5
    fade = smoothstep(0.66 * H, 0.5 * H, canvas.rows[:sky_h])
    canvas.paint((0, sky_h), np.clip((star_alpha + halo) * fade, 0, 1), rgb("#eef2ff"))

    # Dark hills with a faint glow along the horizon.
    far = ridge_line(rng, width, 0.585 * H, 0.04 * H, 8, first=2, gain=0.52)
    canvas.hill(far, "#1c2944", "#2a3a58", 0.05 * H)
    streaks = fractal_noise(rng, width, height, (16, 24), 4, gain=0.6)
    middle = ridge_line(rng, width, 0.63 * H, 0.025 * H, 8, first=3, gain=0.55)
    middle = add_tors(rng, middle, 6, 0.012 * H, (0.0, 1.0))
    canvas.hill(middle, "#141d33", "#1f2b45", 0.05 * H, streaks, 0.3)

    plain = ridge_line(rng, width, 0.675 * H, 0.006 * H, 6, first=2, gain=0.5)
    start = int(plain.min()) - 1
    depth = np.clip((canvas.rows[start:] - plain[None, :]) / (H - plain[None, :]), 0.0, 1.0)
    ground = fractal_noise(rng, width, height, (4, 24), 5, gain=0.55)
    colour = ramp([(0.0, "#25324a"), (0.3, "#1a2233"), (1.0, "#07090e")], depth)
    colour *= (0.8 + 0.4 * ground[start:])[..., None]
    canvas.paint((start, height), np.clip(canvas.rows[start:] - plain + 0.5, 0, 1), colour)

    # A ger far away, its door lit.
    ger(canvas, (0.3 * W, plain[int(0.3 * W)] + 0.012 * H), 0.035 * W)
    ger(canvas, (0.36 * W, plain[int(0.36 * W)] + 0.009 * H), 0.026 * W)

    grass(
        canvas,
        rng,
        plain.min(),
        int(7000 * W / WIDTH),
        (6 * H / HEIGHT, 60 * H / HEIGHT),
        (1.0 * W / WIDTH, 3.0 * W / WIDTH),
        tint=(0.6, 1.35),
    )

    night = RockColours(shadow="#06080d", lit="#34405a", crack=0.6, lichen="#4d5868")
    # A tall tor on the right, with the cat sitting on it against the sky.
    for (u, v), (ru, rv), flat, shadow in (
        ((0.83, 0.8), (0.22, 0.075), 0.9, 0.5),
        ((0.66, 0.83), (0.12, 0.05), 1.0, 0.5),
        ((0.8, 0.715), (0.15, 0.05), 0.9, 0.0),
        ((0.77, 0.655), (0.1, 0.035), 0.75, 0.0),
    ):
        rock(
            canvas,
            rng,
            (u * W, v * H),
            (ru * W, rv * H),
            night,
            light=(0.4, -0.8, 0.4),
            flat_top=flat,
            shadow=shadow,
        )
    manul(
        canvas,
        (0.77 * W, 0.655 * H - 0.75 * 0.035 * H + 0.002 * H),
        0.07 * H,
        "#07080d",
        "#050509",
        "#7f92c0",
        0.55,
        eyes="#d6c36a",
    )
    rock(canvas, rng, (0.12 * W, 0.95 * H), (0.3 * W, 0.1 * H), night, light=(0.4, -0.8, 0.4))
    rock(canvas, rng, (0.36 * W, 0.99 * H), (0.14 * W, 0.04 * H), night, light=(0.4, -0.8, 0.4))

    grass(
        canvas,
        rng,
        plain.min(),
        int(600 * W / WIDTH),
        (20 * H / HEIGHT, 100 * H / HEIGHT),
        (1.2 * W / WIDTH, 3.5 * W / WIDTH),
        tint=(0.5, 1.1),
        tufts=True,
        region=(0.8 * H, H),
    )

    finish(canvas, rng, top_darkening=0.15)
    return canvas.image()


def ger(canvas: Canvas, base: Point, size: float) -> None:
    """A Mongolian ger (yurt), ``size`` px wide, its base centred at ``base``, door lit."""
    bx, by = base
    wall, roof = 0.36 * size, 0.3 * size
    x0, y0 = int(bx - 0.7 * size), int(by - wall - roof - 0.1 * size)
    x1, y1 = int(bx + 0.7 * size), int(by + 0.1 * size)
    box = (x0, y0, x1, y1)
    felt = Sketch(box)
    felt.rectangle((bx - size / 2, by - wall), (bx + size / 2, by))
    felt.polygon(
        [
            (bx - size / 2 - 0.04 * size, by - wall),
            (bx - 0.08 * size, by - wall - roof),
            (bx + 0.08 * size, by - wall - roof),
            (bx + size / 2 + 0.04 * size, by - wall),
        ]
    )
    shade = Sketch(box)
    shade.polygon(
        [
            (bx + 0.1 * size, by - wall),
            (bx + size / 2 + 0.04 * size, by - wall),
            (bx + size / 2, by),
            (bx + 0.1 * size, by),
        ]
    )
    door = Sketch(box)
    door.rectangle((bx - 0.09 * size, by - 0.26 * size), (bx + 0.09 * size, by))
    canvas.paint((y0, y1), felt.alpha(), rgb("#6f7a8e"), at_x=x0)
    canvas.paint((y0, y1), shade.alpha() * 0.45, rgb("#2a3144"), at_x=x0)
    canvas.glow((bx, by - 0.1 * size), (1.2 * size, 0.45 * size), "#ff9c40", 0.35)
    canvas.paint((y0, y1), door.alpha(), rgb("#ffc062"), at_x=x0)


def finish(canvas: Canvas, rng: np.random.Generator, top_darkening: float) -> None:
    """A canvas-like texture, a darker top for the title and a soft vignette."""
    w, h = canvas.width, canvas.height
    weave = fractal_noise(rng, w, h, (w / 6, h / 6), 2, gain=0.6)
    canvas.rgb *= (0.985 + 0.03 * weave)[..., None]
    y = canvas.rows / h
    x = canvas.cols / w
    top = 1.0 - top_darkening * smoothstep(0.35, 0.0, y)
    vignette = 1.0 - 0.28 * (((x - 0.5) / 0.75) ** 2 + ((y - 0.55) / 0.8) ** 2)
    canvas.rgb *= (top * vignette)[..., None]


def save_jpeg(image: Image.Image, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True, dpi=(DPI, DPI))


# --------------------------------------------------------------------------------------------
# Logos (flat SVG: basic shapes, paths and text; nothing outside the file)
# --------------------------------------------------------------------------------------------

FONT = "Noto Sans, sans-serif"


def svg(width: int, height: int, title: str, body: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img">\n'
        f"<title>{title}</title>\n{body.strip()}\n</svg>\n"
    )


def text(x: float, y: float, content: str, size: float, fill: str, extra: str = "") -> str:
    return (
        f'<text x="{x}" y="{y}" font-family="{FONT}" font-size="{size}" fill="{fill}"'
        f"{' ' + extra if extra else ''}>{content}</text>"
    )


def cat_specialist_group_logo() -> str:
    green, cream, amber = "#1f5d4c", "#f3efe2", "#d9b44a"
    body = f"""
<circle cx="50" cy="50" r="46" fill="{green}"/>
<circle cx="50" cy="50" r="40.5" fill="none" stroke="{cream}" stroke-width="2"/>
<path d="M30 40 L33 22 L45 33 Q50 31.5 55 33 L67 22 L70 40 Q76 52 68 62 Q60 70 50 70 \
Q40 70 32 62 Q24 52 30 40 Z" fill="{cream}"/>
<path d="M37.5 49 Q42.5 43.5 47 49 Q42.5 53.5 37.5 49 Z" fill="{amber}"/>
<path d="M53 49 Q57.5 43.5 62.5 49 Q57.5 53.5 53 49 Z" fill="{amber}"/>
<ellipse cx="42.3" cy="49" rx="1.1" ry="3.2" fill="{green}"/>
<ellipse cx="57.7" cy="49" rx="1.1" ry="3.2" fill="{green}"/>
<path d="M47 57 L53 57 L50 60.5 Z" fill="{green}"/>
<path d="M50 60.5 Q50 64 46 64.5 M50 60.5 Q50 64 54 64.5 M41 59 L27 56 M41 61.5 L28 63 \
M59 59 L73 56 M59 61.5 L72 63" fill="none" stroke="{green}" stroke-width="1.2" \
stroke-linecap="round"/>
{text(106, 44, "Cat Specialist", 27, green, 'font-weight="700"')}
{text(106, 72, "Group", 27, green, 'font-weight="700"')}
{text(106, 91, "illustrative sample logo", 11, "#666666", 'font-style="italic"')}
"""
    return svg(300, 100, "Cat Specialist Group: illustrative sample logo, not the real mark", body)


def pica_logo() -> str:
    brown, fur, dark, light = "#5b4a3f", "#9c8e80", "#4a3f38", "#f4efe6"
    ears = "".join(
        f'<path d="M{50 + s * 32} {47} L{50 + s * 38} {35} Q{50 + s * 37} {32} {50 + s * 33} '
        f'{33} L{50 + s * 23} {37} Z" fill="{dark}"/>'
        f'<path d="M{50 + s * 30} {43} L{50 + s * 34.5} {36.5} L{50 + s * 27} {39} Z" '
        f'fill="#d8cbb8"/>'
        for s in (-1, 1)
    )
    stripes = "".join(
        f'<path d="M{50 + s * 20} {58} Q{50 + s * 27} {62} {50 + s * 33} {60} '
        f'M{50 + s * 19} {62.5} Q{50 + s * 25} {67.5} {50 + s * 31} {67}" fill="none" '
        f'stroke="{dark}" stroke-width="1.6" stroke-linecap="round"/>'
        for s in (-1, 1)
    )
    spots = "".join(
        f'<circle cx="{x}" cy="{y}" r="1.3" fill="{dark}"/>'
        for x, y in ((44, 37), (50, 35.5), (56, 37), (47, 41), (53, 41))
    )
    eyes = "".join(
        f'<circle cx="{x}" cy="52" r="8.3" fill="{light}"/>'
        f'<circle cx="{x}" cy="52" r="6.2" fill="#e3c14b"/>'
        f'<circle cx="{x}" cy="52" r="3" fill="#2a2320"/>'
        f'<circle cx="{x + 1.5}" cy="50.4" r="1" fill="#ffffff"/>'
        for x in (38.5, 61.5)
    )
    body = f"""
<circle cx="50" cy="50" r="47" fill="#e9e2d4"/>
{ears}
<ellipse cx="50" cy="54" rx="33" ry="23" fill="{fur}"/>
<ellipse cx="50" cy="63" rx="36" ry="14" fill="{fur}"/>
<path d="M15 60 L9 70 L21 69 Z M85 60 L91 70 L79 69 Z" fill="{fur}"/>
{spots}
{stripes}
{eyes}
<ellipse cx="50" cy="66" rx="10.5" ry="7.5" fill="{light}"/>
<path d="M46.5 60.5 L53.5 60.5 L50 64.5 Z" fill="#6b4a46"/>
<path d="M50 64.5 Q50 68 46.5 68.5 M50 64.5 Q50 68 53.5 68.5" fill="none" stroke="{dark}" \
stroke-width="1.1" stroke-linecap="round"/>
{text(108, 50, "PICA", 46, brown, 'font-weight="700" letter-spacing="2"')}
{text(108, 67, "Pallas’s cat International", 12, brown)}
{text(108, 81, "Conservation Alliance", 12, brown)}
{text(108, 95, "illustrative sample logo", 9.5, "#777777", 'font-style="italic"')}
"""
    return svg(
        300,
        100,
        "PICA, Pallas’s cat International Conservation Alliance: illustrative sample logo, "
        "not the real mark",
        body,
    )


def steppe_fund_logo() -> str:
    teal, deep, sand, sun = "#3d7a6b", "#2b5a4f", "#f2e3c2", "#e8a33d"
    body = f"""
<rect x="6" y="6" width="88" height="88" rx="14" fill="{sand}"/>
<circle cx="64" cy="40" r="12" fill="{sun}"/>
<path d="M6 68 Q28 46 50 60 Q70 48 94 62 L94 80 Q94 94 80 94 L20 94 Q6 94 6 80 Z" \
fill="{teal}"/>
<path d="M6 80 Q40 66 94 77 L94 80 Q94 94 80 94 L20 94 Q6 94 6 80 Z" fill="{deep}"/>
<path d="M24 84 L22 74 M27 84 L28 72 M30 84 L33 75 M66 86 L64 77 M69 86 L70 75 M72 86 \
L75 78" fill="none" stroke="{sand}" stroke-width="1.6" stroke-linecap="round"/>
{text(106, 44, "Steppe Wildlife", 26, deep, 'font-weight="700"')}
{text(106, 71, "Fund", 26, deep, 'font-weight="700"')}
{text(106, 91, "fictional funder · illustrative", 10, "#666666", 'font-style="italic"')}
"""
    return svg(300, 100, "Steppe Wildlife Fund (fictional): illustrative sample logo", body)


def zoo_partners_logo() -> str:
    plum, cream = "#7a3b5e", "#fbf4f7"
    toes = "".join(
        f'<ellipse cx="{x}" cy="{y}" rx="8" ry="10.5" fill="{cream}" '
        f'transform="rotate({angle} {x} {y})"/>'
        for x, y, angle in ((77, 66, -25), (91, 53, -8), (109, 53, 8), (123, 66, 25))
    )
    body = f"""
<circle cx="100" cy="74" r="58" fill="{plum}"/>
<circle cx="100" cy="74" r="52" fill="none" stroke="{cream}" stroke-width="1.5"/>
<path d="M100 72 C112 72 124 84 124 95 C124 104 116 106 108 103 C104 101.5 96 101.5 92 103 \
C84 106 76 104 76 95 C76 84 88 72 100 72 Z" fill="{cream}"/>
{toes}
{text(100, 155, "European Zoo Partners", 16, plum, 'font-weight="700" text-anchor="middle"')}
{text(100, 174, "for Small Cats", 14, plum, 'text-anchor="middle"')}
{
        text(
            100,
            192,
            "fictional funder · illustrative",
            10,
            "#666666",
            'font-style="italic" text-anchor="middle"',
        )
    }
"""
    return svg(
        200,
        200,
        "European Zoo Partners for Small Cats (fictional): illustrative sample logo",
        body,
    )


LOGOS = {
    "cat-specialist-group.svg": cat_specialist_group_logo,
    "pica.svg": pica_logo,
    "steppe-fund.svg": steppe_fund_logo,
    "zoo-partners.svg": zoo_partners_logo,
}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "frame", help="output directory")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="picture size factor, for quick previews"
    )
    args = parser.parse_args(argv)
    width, height = round(WIDTH * args.scale), round(HEIGHT * args.scale)
    out: Path = args.out
    (out / "logos").mkdir(parents=True, exist_ok=True)
    for name, make in LOGOS.items():
        (out / "logos" / name).write_text(make(), encoding="utf-8")
    save_jpeg(dusk_cover(width, height), out / "cover.jpg")
    save_jpeg(night_back_cover(width, height), out / "back-cover.jpg")
    for path in sorted(out.rglob("*.*")):
        print(f"{path.relative_to(out)}  {path.stat().st_size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
