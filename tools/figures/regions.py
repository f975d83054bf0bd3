"""Figures for the two regional status chapters (south-west; Himalaya and China).

* ``regions-elevation.svg``  column-width strip plot of record elevations by country, from
  ``data/regions_elevation.csv`` (chapter 05-himalaya-china)
* ``regions-decades.svg``    column-width stacked bars of records per period and country, from
  ``data/regions_decades.csv`` (chapter 04-south-west)

Both tables are ILLUSTRATIVE: they were made up for this sample issue to show how such summaries
look, and the captions in the chapters say so. A few elevations echo values reported in the
literature cited in the text, but neither table is a compiled database of real records.

Output is byte-reproducible: no random numbers (the jitter is a fixed pattern), the shared
``configure()`` style with a fixed SVG hash salt, and ``save()`` without dates.
"""

from __future__ import annotations

import sys
from collections import OrderedDict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from make_figures import COLUMN, GRID, MM, configure, read_csv, save  # noqa: E402

# Okabe-Ito colours and markers; the first three match the shared map and bar chart.
EVIDENCE = {
    "camera trap": ("#0072B2", "o"),
    "specimen": ("#D55E00", "s"),
    "sighting": ("#009E73", "^"),
    "scat (genetic)": ("#CC79A7", "D"),
}
COUNTRY_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9"]
# Deterministic vertical offsets so that points at similar elevations do not hide each other.
JITTER = (0.0, 0.16, -0.16, 0.08, -0.08, 0.24, -0.24)


def elevation_strips(rows: list[dict[str, str]], path: Path) -> None:
    """One row per country (west at the top), points at record elevation, marked by evidence."""
    countries = list(OrderedDict.fromkeys(r["country"] for r in rows))
    unknown = {r["evidence"] for r in rows} - EVIDENCE.keys()
    if unknown:
        raise SystemExit(f"regions_elevation.csv: unknown evidence {sorted(unknown)}")
    fig, ax = plt.subplots(figsize=(COLUMN, 66 * MM), layout="constrained")
    for y, country in enumerate(countries):
        values = sorted(int(r["elevation_m"]) for r in rows if r["country"] == country)
        ax.plot(
            [values[0], values[-1]], [y, y], color="#9A9A9A", linewidth=0.8, zorder=1,
            solid_capstyle="butt",
        )
    for evidence, (colour, marker) in EVIDENCE.items():
        xs, ys = [], []
        for y, country in enumerate(countries):
            own = [r for r in rows if r["country"] == country]
            for i, row in enumerate(own):
                if row["evidence"] == evidence:
                    xs.append(int(row["elevation_m"]))
                    ys.append(y + JITTER[i % len(JITTER)])
        ax.scatter(
            xs, ys, s=13, c=colour, marker=marker, edgecolors="white", linewidths=0.4,
            label=evidence, zorder=3,
        )
    ax.set_yticks(range(len(countries)), countries)
    ax.set_ylim(len(countries) - 0.5, -0.5)  # first (westernmost) country at the top
    ax.set_xlim(1000, 6000)
    ax.set_xticks(range(1000, 6001, 1000))
    ax.xaxis.set_major_formatter(lambda v, _: f"{v:,.0f}")
    ax.set_xlabel("Elevation of record (m a.s.l.)")
    ax.grid(True, axis="x", color=GRID, linewidth=0.4, linestyle=(0, (2, 2)))
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.legend(
        loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False, ncols=2,
        handletextpad=0.1, columnspacing=0.7, borderaxespad=0.2,
    )
    save(fig, path)


def short_period(period: str) -> str:
    """'1950-1979' -> '1950–79', 'before 1950' -> '<1950' (keeps the tick labels apart)."""
    if period.startswith("before "):
        return "<" + period.split()[1]
    start, end = period.split("-")
    return f"{start}–{end[2:]}"


def decade_bars(rows: list[dict[str, str]], path: Path) -> None:
    """Stacked bars: number of records per period, one colour per country or region."""
    periods = list(OrderedDict.fromkeys(r["period"] for r in rows))
    countries = list(OrderedDict.fromkeys(r["country"] for r in rows))
    counts = {(r["country"], r["period"]): int(r["records"]) for r in rows}
    fig, ax = plt.subplots(figsize=(COLUMN, 60 * MM), layout="constrained")
    x = np.arange(len(periods))
    bottom = np.zeros(len(periods))
    for colour, country in zip(COUNTRY_COLOURS, countries, strict=True):
        values = np.array([counts.get((country, p), 0) for p in periods])
        ax.bar(x, values, bottom=bottom, width=0.68, color=colour, label=country,
               edgecolor="white", linewidth=0.3)
        bottom += values
    for xi, total in zip(x, bottom, strict=True):
        ax.text(xi, total + 0.6, f"{total:.0f}", ha="center", va="bottom", fontsize=6.5)
    ax.set_xticks(x, [short_period(p) for p in periods])
    ax.set_ylabel("Number of records")
    ax.set_ylim(0, max(bottom) * 1.18)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(axis="x", length=0)
    ax.legend(loc="upper left", frameon=False, handlelength=1, handleheight=0.8)
    save(fig, path)


def draw(out: Path) -> None:
    """Write both regional figures into *out*."""
    out.mkdir(parents=True, exist_ok=True)
    configure()
    elevation_strips(read_csv("regions_elevation.csv"), out / "regions-elevation.svg")
    decade_bars(read_csv("regions_decades.csv"), out / "regions-decades.svg")
