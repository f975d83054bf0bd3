"""Draw the figures of the sample issue from the small CSV tables in ``data/``.

Usage (from the repository root)::

    python tools/make_figures.py            # writes chapters/figures/*
    python tools/make_figures.py --out DIR  # writes somewhere else

Outputs, all sized for the CATnews layout (column 85 mm, page 176 mm):

* ``range-map.svg``           wide schematic map of records (data/records.csv, data/countries.csv)
* ``records-by-country.svg``  column-width bar chart of records per country
* ``planning-timeline.svg``   column-width timeline of the planning process (data/timeline.csv)
* ``occupancy-grid.png``      2400 x 1600 px heat map of a *simulated* camera-trap grid

The output is reproducible: the Agg backend, a fixed RNG seed, a fixed SVG hash salt, no dates in
the SVG metadata and no software/time tags in the PNG, so two runs give byte-identical files. Text
in the SVGs is converted to paths (``svg.fonttype = "path"``), so they do not depend on the fonts
installed where they are viewed.
"""

from __future__ import annotations

import argparse
import importlib.util
import csv
import textwrap
from collections import Counter
from datetime import date
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # before pyplot is imported: no display, deterministic rendering

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
OUT = ROOT / "chapters" / "figures"

MM = 1 / 25.4  # inches per millimetre
COLUMN = 85 * MM
PAGE = 176 * MM
SEED = 2018

# Okabe-Ito colours (colour-blind safe) and markers, shared by the map and the bar chart.
SOURCES = {
    "camera trap": ("#0072B2", "o"),
    "specimen": ("#D55E00", "s"),
    "sighting": ("#009E73", "^"),
}
INK = "#333333"
GRID = "#C8C8C8"


def configure() -> None:
    """Set the shared, reproducible matplotlib style (7 pt text, thin lines)."""
    plt.rcParams.update(
        {
            "svg.hashsalt": "pica",
            "svg.fonttype": "path",
            "font.family": "DejaVu Sans",  # ships with matplotlib: same outlines everywhere
            "font.size": 7,
            "axes.titlesize": 7,
            "axes.labelsize": 7,
            "xtick.labelsize": 6.5,
            "ytick.labelsize": 6.5,
            "legend.fontsize": 6.5,
            "axes.linewidth": 0.5,
            "xtick.major.width": 0.5,
            "ytick.major.width": 0.5,
            "axes.edgecolor": INK,
            "text.color": INK,
            "axes.labelcolor": INK,
            "xtick.color": INK,
            "ytick.color": INK,
        }
    )


def read_csv(name: str) -> list[dict[str, str]]:
    """Read ``data/<name>`` as a list of rows keyed by the header."""
    with open(DATA / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def save(fig: Figure, path: Path, dpi: float | None = None) -> None:
    """Write *fig* without timestamps or version tags, then close it."""
    if path.suffix == ".svg":
        fig.savefig(path, format="svg", metadata={"Date": None})
    else:
        fig.savefig(path, format="png", dpi=dpi, metadata={"Software": None})
    plt.close(fig)
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def range_map(records: list[dict[str, str]], countries: list[dict[str, str]], path: Path) -> None:
    """Schematic map of the records: graticule, country labels, points coloured by source."""
    fig, ax = plt.subplots(figsize=(PAGE, PAGE / 2.4), layout="constrained")
    ax.set_xlim(45, 125)
    ax.set_ylim(25, 56)
    ax.set_aspect("equal")  # plate carree: one degree of latitude = one degree of longitude
    ax.set_xticks(range(50, 125, 10))
    ax.set_yticks(range(25, 57, 5))
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:.0f}°E")
    ax.yaxis.set_major_formatter(lambda v, _: f"{v:.0f}°N")
    ax.grid(True, color=GRID, linewidth=0.4, linestyle=(0, (2, 2)))
    ax.set_axisbelow(True)
    ax.set_facecolor("#FAFAF7")

    for row in countries:
        ax.text(
            float(row["lon"]),
            float(row["lat"]),
            row["country"].upper(),
            ha="center",
            va="center",
            fontsize=6,
            color="#8A8A8A",
            fontstyle="italic",
            zorder=1,
        )

    for source, (colour, marker) in SOURCES.items():
        rows = [r for r in records if r["source_type"] == source]
        ax.scatter(
            [float(r["lon"]) for r in rows],
            [float(r["lat"]) for r in rows],
            s=14,
            c=colour,
            marker=marker,
            edgecolors="white",
            linewidths=0.4,
            label=f"{source} ({len(rows)})",
            zorder=3,
        )
    ax.legend(
        loc="lower left",
        frameon=True,
        framealpha=0.9,
        edgecolor=GRID,
        title="Record type",
        title_fontsize=6.5,
        handletextpad=0.3,
    )
    save(fig, path)


def records_by_country(records: list[dict[str, str]], path: Path) -> None:
    """Horizontal bars: records per country, stacked by source type, largest at the top."""
    totals = Counter(r["country"] for r in records)
    order = sorted(totals, key=lambda c: (totals[c], c))  # smallest first = bottom row
    fig, ax = plt.subplots(figsize=(COLUMN, 62 * MM), layout="constrained")
    left = np.zeros(len(order))
    for source, (colour, _) in SOURCES.items():
        counts = np.array(
            [
                sum(1 for r in records if r["country"] == c and r["source_type"] == source)
                for c in order
            ]
        )
        ax.barh(order, counts, left=left, height=0.7, color=colour, label=source)
        left += counts
    for y, country in enumerate(order):
        ax.text(totals[country] + 0.2, y, str(totals[country]), va="center", fontsize=6.5)
    ax.set_xlabel("Number of records")
    ax.set_xlim(0, max(totals.values()) + 1.5)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.legend(loc="lower right", frameon=False, handlelength=1, handleheight=0.8)
    save(fig, path)


def _year_fraction(text: str, end: bool = False) -> float:
    """``YYYY`` or ``YYYY-MM-DD`` as a decimal year; a bare year ends on 31 Dec if *end*."""
    if len(text) == 4:
        return int(text) + (1.0 if end else 0.0)
    day = date.fromisoformat(text)
    first = date(day.year, 1, 1)
    length = (date(day.year + 1, 1, 1) - first).days
    return day.year + ((day - first).days + (1 if end else 0)) / length


def planning_timeline(events: list[dict[str, str]], path: Path) -> None:
    """One row per event: a bar for periods, a diamond for single events (mid-year if undated)."""
    fig, ax = plt.subplots(figsize=(COLUMN, 64 * MM), layout="constrained")
    labels = []
    for y, event in enumerate(events):
        start = _year_fraction(event["start"])
        end = _year_fraction(event["end"], end=True)
        if end - start > 1.0 + 1e-9:  # a period longer than one calendar year
            ax.barh(y, end - start, left=start, height=0.45, color="#0072B2")
        else:
            ax.plot(
                (start + end) / 2,
                y,
                marker="D",
                markersize=4.5,
                color="#D55E00",
                markeredgecolor="white",
                markeredgewidth=0.4,
            )
        labels.append(textwrap.fill(event["event"], 30))
    ax.set_yticks(range(len(events)), labels)
    ax.set_ylim(len(events) - 0.5, -0.5)  # first event at the top
    ax.set_xlim(2015.8, 2021.2)
    ax.set_xticks(range(2016, 2022))
    ax.set_xticks([y + 0.5 for y in range(2016, 2021)], minor=True)
    ax.xaxis.set_major_formatter("")
    ax.xaxis.set_minor_formatter(lambda v, _: f"{int(v)}")
    ax.tick_params(axis="x", which="minor", length=0)
    ax.tick_params(axis="y", length=0)
    ax.grid(True, axis="x", which="major", color=GRID, linewidth=0.4)
    ax.set_axisbelow(True)
    ax.spines[["top", "right", "left"]].set_visible(False)
    save(fig, path)


def occupancy_grid(
    path: Path, rows: int = 40, cols: int = 60, nights: int = 30, p_night: float = 0.04
) -> None:
    """Heat map of a simulated camera-trap grid: detection nights per cell.

    Occupancy probability is a smooth surface made of a few random 'rocky' patches; each cell is
    occupied with that probability and, if occupied, detected on a Binomial(nights, p_night) number
    of nights. The numbers illustrate the layout of such data, not any real survey.
    """
    rng = np.random.default_rng(SEED)
    yy, xx = np.mgrid[0:rows, 0:cols]
    psi = np.zeros((rows, cols))
    for _ in range(7):
        cy, cx = rng.uniform(0, rows), rng.uniform(0, cols)
        radius = rng.uniform(4, 10)
        psi += np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * radius**2))
    psi = 0.05 + 0.85 * psi / psi.max()
    occupied = rng.random((rows, cols)) < psi
    detections = np.where(occupied, rng.binomial(nights, p_night, (rows, cols)), 0)

    missed = np.mean(detections[occupied] == 0)
    print(
        f"occupancy grid: {occupied.mean():.0%} of cells occupied, "
        f"{missed:.0%} of them without a detection"
    )

    dpi = 720  # 2400 x 1600 px at 84.7 x 56.4 mm: deliberately far above print resolution
    fig, ax = plt.subplots(figsize=(2400 / dpi, 1600 / dpi), layout="constrained")
    image = ax.imshow(
        detections,
        cmap="magma_r",
        interpolation="nearest",
        origin="lower",
        vmin=0,
        vmax=max(int(detections.max()), 1),
    )
    ax.set_xlabel("Grid column (cell)")
    ax.set_ylabel("Grid row (cell)")
    bar = fig.colorbar(image, ax=ax, shrink=0.9, pad=0.02)
    bar.set_label(f"Nights with detections (of {nights})")
    bar.outline.set_linewidth(0.4)
    save(fig, path, dpi=dpi)


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and write all figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"output folder (default {OUT})")
    args = parser.parse_args(argv)
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)

    configure()
    records = read_csv("records.csv")
    unknown = {r["source_type"] for r in records} - SOURCES.keys()
    if unknown:
        raise SystemExit(f"records.csv: unknown source_type {sorted(unknown)}")
    range_map(records, read_csv("countries.csv"), out / "range-map.svg")
    records_by_country(records, out / "records-by-country.svg")
    planning_timeline(read_csv("timeline.csv"), out / "planning-timeline.svg")
    occupancy_grid(out / "occupancy-grid.png")
    # More figures live in tools/figures/*.py, one module per chapter topic, each with
    # ``draw(out: Path) -> None`` using the helpers here (configure, read_csv, save).
    for module_path in sorted((ROOT / "tools" / "figures").glob("*.py")):
        spec = importlib.util.spec_from_file_location(f"figures_{module_path.stem}", module_path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        module.draw(out)


if __name__ == "__main__":
    main()
