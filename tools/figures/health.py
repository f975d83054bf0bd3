"""Figures for the health chapters: ex-situ management (kitten mortality) and pathogens (serology).

Both figures are drawn from small tables of *published* figures, one row per study cohort:

* ``data/health-serology.csv``        -> ``health-serology.svg`` (seroprevalence with 95% intervals)
* ``data/health-kitten-mortality.csv`` -> ``health-kitten-mortality.svg`` (reported kitten mortality)

The ``source`` column holds the citation key of the publication each row was taken from.
Intervals are Wilson score intervals computed here; they are not given in the sources.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from make_figures import COLUMN, GRID, MM, configure, read_csv, save  # noqa: E402

# Okabe-Ito colours, as in the shared figures.
SETTING_STYLE = {
    "wild": ("#0072B2", "o", "Wild"),
    "captive": ("#D55E00", "s", "Zoo"),
}
BAR = "#56B4E9"
BAR_TREATED = "#009E73"


def wilson(positive: int, tested: int, z: float = 1.959964) -> tuple[float, float, float]:
    """Proportion and Wilson score 95% interval, all as percentages."""
    p = positive / tested
    denom = 1 + z * z / tested
    centre = (p + z * z / (2 * tested)) / denom
    half = z * math.sqrt(p * (1 - p) / tested + z * z / (4 * tested * tested)) / denom
    return 100 * p, 100 * max(0.0, centre - half), 100 * min(1.0, centre + half)


def serology(rows: list[dict[str, str]], path: Path) -> None:
    """Dot plot: one row per pathogen and population, dot = proportion, line = 95% interval."""
    fig, ax = plt.subplots(figsize=(COLUMN, 70 * MM), layout="constrained")
    labels = []
    for y, row in enumerate(rows):
        positive, tested = int(row["positive"]), int(row["tested"])
        share, low, high = wilson(positive, tested)
        colour, marker, _ = SETTING_STYLE[row["setting"]]
        ax.plot([low, high], [y, y], color=colour, linewidth=1.0, solid_capstyle="butt",
                clip_on=False)
        ax.plot(share, y, marker=marker, markersize=4.2, color=colour, clip_on=False,
                markeredgecolor="white", markeredgewidth=0.4, linestyle="none")
        ax.text(104, y, f"{positive}/{tested}", va="center", ha="left", fontsize=6)
        labels.append(f"{row['pathogen']}\n{row['population']}")
    ax.set_yticks(range(len(rows)), labels, fontsize=5.8, linespacing=1.0)
    ax.set_ylim(len(rows) - 0.5, -0.5)  # first row at the top
    ax.set_xlim(0, 100)
    ax.set_xlabel("Seropositive animals (%), with 95% interval")
    ax.grid(True, axis="x", color=GRID, linewidth=0.4)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(axis="y", length=0)
    handles = [
        plt.Line2D([], [], color=c, marker=m, linestyle="none", markersize=4, label=name)
        for c, m, name in SETTING_STYLE.values()
    ]
    ax.legend(handles=handles, loc="lower right", frameon=True, framealpha=0.9,
              edgecolor=GRID, handletextpad=0.2, borderpad=0.4)
    save(fig, path)


def kitten_mortality(rows: list[dict[str, str]], path: Path) -> None:
    """Horizontal bars: reported mortality of kittens per cohort, with the cohort size."""
    fig, ax = plt.subplots(figsize=(COLUMN, 52 * MM), layout="constrained")
    labels = []
    for y, row in enumerate(rows):
        value = float(row["mortality_pct"])
        treated = "clindamycin" in row["cohort"]
        ax.barh(y, value, height=0.62, color=BAR_TREATED if treated else BAR)
        size = f"n = {row['kittens']}" if row["kittens"] else "n not stated"
        approx = "≈" if "approximate" in row["measure"] else ""
        ax.text(value + 1.5, y, f"{approx}{value:.0f}%\n({size})", va="center", ha="left",
                fontsize=6, linespacing=1.0)
        labels.append(f"{row['cohort']}\n{row['period']}")
    ax.set_yticks(range(len(rows)), labels, fontsize=6, linespacing=1.0)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_xlim(0, 100)
    ax.set_xticks(range(0, 101, 20))
    ax.set_xlabel("Kittens that died (%)")
    ax.grid(True, axis="x", color=GRID, linewidth=0.4)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(axis="y", length=0)
    save(fig, path)


def draw(out: Path) -> None:
    """Write both health figures into *out*."""
    configure()
    out.mkdir(parents=True, exist_ok=True)
    serology(read_csv("health-serology.csv"), out / "health-serology.svg")
    kitten_mortality(read_csv("health-kitten-mortality.csv"), out / "health-kitten-mortality.svg")


if __name__ == "__main__":
    draw(Path(__file__).resolve().parents[2] / "chapters" / "figures")
