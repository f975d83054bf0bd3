"""Figure for the chapter on legal status, utilisation and management (06-legal-status.md).

``legal-hunting-status.svg``: column-width stacked bar chart of the Pallas's cat range countries
by region and by the legal position on hunting, read from ``data/legal_status.csv``. The table is
compiled from the sources named in its ``source`` column (national red books, the IUCN Red List
assessments); "not known" means that we found no reliable statement, not that hunting is legal.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from make_figures import COLUMN, GRID, MM, configure, read_csv, save  # noqa: E402

# Order of the stacked segments and their Okabe-Ito colours.
STATUS = {
    "prohibited": ("Prohibited", "#0072B2"),
    "permitted": ("Permitted (local permit)", "#D55E00"),
    "not known": ("Not known", "#BBBBBB"),
}
REGIONS = [
    "Caucasus and Iran",
    "Central Asia",
    "South Asia and Himalaya",
    "Mongolia, Russia and China",
]
NAME = "legal-hunting-status.svg"


def hunting_by_region(out: Path) -> None:
    """Stacked horizontal bars: number of range countries per region and hunting status."""
    rows = read_csv("legal_status.csv")
    unknown = {r["hunting"] for r in rows} - STATUS.keys() | {r["region"] for r in rows} - set(
        REGIONS
    )
    if unknown:
        raise SystemExit(f"legal_status.csv: unknown value(s) {sorted(unknown)}")
    counts = Counter((r["region"], r["hunting"]) for r in rows)

    fig, ax = plt.subplots(figsize=(COLUMN, 52 * MM), layout="constrained")
    y = np.arange(len(REGIONS))[::-1]  # first region at the top
    left = np.zeros(len(REGIONS))
    for status, (label, colour) in STATUS.items():
        widths = np.array([counts[(region, status)] for region in REGIONS])
        ax.barh(y, widths, left=left, height=0.62, color=colour, label=label, edgecolor="white",
                linewidth=0.6)
        for yi, x0, w in zip(y, left, widths):
            if w:
                ax.text(x0 + w / 2, yi, str(w), ha="center", va="center", fontsize=6.5,
                        color="white" if status != "not known" else "#333333")
        left += widths
    ax.set_yticks(y, REGIONS)
    ax.set_xlim(0, max(left) + 0.5)
    ax.set_xticks(range(0, int(max(left)) + 1))
    ax.set_xlabel("Number of range countries")
    ax.grid(True, axis="x", color=GRID, linewidth=0.4)
    ax.set_axisbelow(True)
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(axis="y", length=0)
    fig.legend(loc="outside lower center", ncol=3, frameon=False, title="Hunting",
               title_fontsize=6.5, handlelength=1, handleheight=0.8, columnspacing=1.0)
    save(fig, out / NAME)


def draw(out: Path) -> None:
    """Write the figure(s) of the legal-status chapter into *out*."""
    configure()
    out.mkdir(parents=True, exist_ok=True)
    hunting_by_region(out)
