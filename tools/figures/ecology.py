"""Figure for the behaviour and ecology chapter: the Pallas's cat's annual cycle.

Drawn from ``data/ecology-annual-cycle.csv``: one row per published observation, with the
calendar period it covers (``MM-DD`` to ``MM-DD``, wrapping past 31 December when the end comes
before the start), whether it refers to zoo or wild cats, and the citation key of its source.

* ``kind = period``       a solid bar
* ``kind = approximate``  a hatched bar (the source gives only a season, e.g. "over winter")
* ``kind = event``        a diamond on a single day (several events may share one row)

Output: ``ecology-annual-cycle.svg`` (column width). No randomness, so the SVG is reproducible.
"""

from __future__ import annotations

import sys
import textwrap
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

from make_figures import COLUMN, GRID, MM, configure, read_csv, save  # noqa: E402

# Okabe-Ito colours, as in the other figures: blue for wild cats, orange for zoo cats.
SETTING_COLOURS = {"wild": "#0072B2", "zoo": "#D55E00"}
SETTING_NAMES = {"wild": "Wild cats", "zoo": "Zoo cats"}
MONTHS = "JFMAMJJASOND"
YEAR = 2019  # any non-leap year: only the day of the year matters


def day_of_year(text: str) -> float:
    """``MM-DD`` as a position on a 0-365 axis (start of that day)."""
    month, day = (int(part) for part in text.split("-"))
    return float((date(YEAR, month, day) - date(YEAR, 1, 1)).days)


def spans(start: str, end: str) -> list[tuple[float, float]]:
    """(left, width) pieces of a period that ends at the close of *end*; split at New Year."""
    left, right = day_of_year(start), day_of_year(end) + 1.0
    if right > left:
        return [(left, right - left)]
    return [(left, 365.0 - left), (0.0, right)]


def annual_cycle(rows: list[dict[str, str]], path: Path) -> None:
    """Horizontal timeline: one line per observation, months along the x axis."""
    labels: dict[int, str] = {}
    for row in rows:
        labels.setdefault(int(row["row"]), row["label"])
    order = sorted(labels)
    position = {number: index for index, number in enumerate(order)}

    fig, ax = plt.subplots(figsize=(COLUMN, 58 * MM), layout="constrained")
    for row in rows:
        y = position[int(row["row"])]
        colour = SETTING_COLOURS[row["setting"]]
        if row["kind"] == "event":
            ax.plot(
                day_of_year(row["start"]) + 0.5,
                y,
                marker="D",
                markersize=4.2,
                color=colour,
                markeredgecolor="white",
                markeredgewidth=0.4,
                linestyle="none",
                zorder=3,
            )
            continue
        approximate = row["kind"] == "approximate"
        ax.broken_barh(
            spans(row["start"], row["end"]),
            (y - 0.28, 0.56),
            facecolors="white" if approximate else colour,
            edgecolors=colour,
            linewidth=0.6,
            hatch="////" if approximate else None,
            zorder=2,
        )

    month_starts = [day_of_year(f"{m:02d}-01") for m in range(1, 13)]
    ax.set_xlim(0, 365)
    ax.set_xticks(month_starts + [365.0])
    ax.xaxis.set_major_formatter("")
    ax.set_xticks([start + 15 for start in month_starts], minor=True)
    ax.set_xticklabels(list(MONTHS), minor=True)
    ax.tick_params(axis="x", which="minor", length=0)
    ax.set_yticks(
        range(len(order)),
        [textwrap.fill(labels[number], 22) for number in order],
        fontsize=6,
        linespacing=1.0,
    )
    ax.set_ylim(len(order) - 0.5, -0.5)  # first row at the top
    ax.tick_params(axis="y", length=0)
    ax.grid(True, axis="x", which="major", color=GRID, linewidth=0.4)
    ax.set_axisbelow(True)
    ax.spines[["top", "right", "left"]].set_visible(False)

    handles = [
        Patch(facecolor=SETTING_COLOURS[key], edgecolor=SETTING_COLOURS[key], label=name)
        for key, name in SETTING_NAMES.items()
    ]
    handles.append(
        Patch(facecolor="white", edgecolor=SETTING_COLOURS["wild"], hatch="////",
              label="Approximate")
    )
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncols=3,
        frameon=False,
        handlelength=1.2,
        handleheight=0.8,
        columnspacing=1.0,
    )
    save(fig, path)


def draw(out: Path) -> None:
    """Write the ecology figure into *out*."""
    configure()
    out.mkdir(parents=True, exist_ok=True)
    annual_cycle(read_csv("ecology-annual-cycle.csv"), out / "ecology-annual-cycle.svg")


if __name__ == "__main__":
    draw(Path(__file__).resolve().parents[2] / "chapters" / "figures")
