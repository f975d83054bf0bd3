"""Figures for the threats (chapter 08) and monitoring (chapter 10) chapters.

* ``threat-ranking.svg``   column-width grouped bars: scope and severity scores per threat
                           (``data/threats-ranking.csv``, the authors' assessment, 1-4 scales)
* ``detection-effort.svg`` column-width curves of the probability of detecting the species at an
                           occupied site at least once in k survey occasions, 1 - (1 - p)^k, for
                           the per-occasion detection probabilities in ``data/threats-detection.csv``

Both figures are deterministic (no random numbers); the shared style and writer come from
``tools/make_figures.py``.
"""

from __future__ import annotations

import math
import sys
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import matplotlib.pyplot as plt  # noqa: E402  (after the path tweak)
import numpy as np  # noqa: E402

from make_figures import COLUMN, GRID, MM, configure, read_csv, save  # noqa: E402

# Okabe-Ito colours, as in the other figures of the issue.
BLUE = "#0072B2"
ORANGE = "#D55E00"
GREEN = "#009E73"
PURPLE = "#CC79A7"
TARGET = 0.95  # cumulative detection probability used as the design target in the text
MAX_OCCASIONS = 40


def threat_ranking(rows: list[dict[str, str]], path: Path) -> None:
    """Grouped horizontal bars (scope, severity), threats ordered by scope x severity."""
    for row in rows:
        row["score"] = str(int(row["scope"]) * int(row["severity"]))
    # Highest combined score at the top; ties broken by scope, then by name (stable output).
    order = sorted(rows, key=lambda r: (int(r["score"]), int(r["scope"]), r["threat"]))
    labels = [textwrap.fill(r["threat"], 24) for r in order]
    y = np.arange(len(order))
    height = 0.36

    fig, ax = plt.subplots(figsize=(COLUMN, 78 * MM), layout="constrained")
    ax.barh(y + height / 2, [int(r["scope"]) for r in order], height=height, color=BLUE,
            label="Scope")
    ax.barh(y - height / 2, [int(r["severity"]) for r in order], height=height, color=ORANGE,
            label="Severity")
    for yi, row in zip(y, order):
        ax.text(4.15, yi, f"{row['score']}", va="center", ha="left", fontsize=6.5)
    ax.text(4.15, len(order) - 0.45, "S×S", va="bottom", ha="left", fontsize=6.5,
            fontweight="bold")
    ax.set_yticks(y, labels)
    ax.set_ylim(-0.6, len(order) - 0.4)
    ax.set_xlim(0, 4.7)
    ax.set_xticks([1, 2, 3, 4])
    ax.set_xlabel("Score (1 = lowest, 4 = highest)")
    ax.grid(True, axis="x", color=GRID, linewidth=0.4)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.legend(loc="lower left", bbox_to_anchor=(0.0, 1.0), ncol=2, frameon=False,
              handlelength=1, handleheight=0.8, borderaxespad=0.2)
    save(fig, path)


def detection_effort(rows: list[dict[str, str]], path: Path) -> None:
    """Cumulative detection probability 1 - (1 - p)^k against the number of occasions k."""
    colours = [PURPLE, ORANGE, GREEN, BLUE]
    k = np.arange(1, MAX_OCCASIONS + 1)

    fig, ax = plt.subplots(figsize=(COLUMN, 60 * MM), layout="constrained")
    ax.axhline(TARGET, color="#777777", linewidth=0.6, linestyle=(0, (3, 2)))
    ax.text(MAX_OCCASIONS, TARGET - 0.015, f"{TARGET:.2f}", ha="right", va="top", fontsize=6.5,
            color="#555555")
    for row, colour in zip(rows, colours):
        p = float(row["p_per_occasion"])
        cumulative = 1 - (1 - p) ** k
        ax.plot(k, cumulative, color=colour, linewidth=1.1, label=f"p = {p:.2f}")
        needed = math.ceil(math.log(1 - TARGET) / math.log(1 - p))
        if needed <= MAX_OCCASIONS:
            ax.plot(needed, 1 - (1 - p) ** needed, marker="o", markersize=3.2, color=colour,
                    markeredgecolor="white", markeredgewidth=0.4)
            ax.annotate(f"{needed}", (needed, 1 - (1 - p) ** needed), xytext=(0, -8),
                        textcoords="offset points", ha="center", va="top", fontsize=6,
                        color=colour)
    ax.set_xlim(0, MAX_OCCASIONS + 0.5)
    ax.set_ylim(0, 1.02)
    ax.set_xticks(range(0, MAX_OCCASIONS + 1, 5))
    ax.set_xlabel("Number of survey occasions at a site (k)")
    ax.set_ylabel("P(detected at least once)")
    ax.grid(True, color=GRID, linewidth=0.4)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(loc="lower right", frameon=True, framealpha=0.9, edgecolor=GRID,
              title="Per-occasion detection", title_fontsize=6.5, handlelength=1.4)
    save(fig, path)


def draw(out: Path) -> None:
    """Write both figures into *out*."""
    configure()
    out.mkdir(parents=True, exist_ok=True)
    threat_ranking(read_csv("threats-ranking.csv"), out / "threat-ranking.svg")
    detection_effort(read_csv("threats-detection.csv"), out / "detection-effort.svg")
