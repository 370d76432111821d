"""The /insights chart: the couple's weeks as a PNG, sized and lettered for a phone.

Drawn with matplotlib's Agg canvas on a fresh Figure per call (no pyplot, no global
state), so it can run in a worker thread; a lock keeps two renders from sharing
matplotlib's font caches at the same moment.
"""

from __future__ import annotations

import io
import math
import threading
from collections.abc import Sequence
from functools import cache
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont, get_font
from matplotlib.ft2font import FT2Font
from matplotlib.ticker import MaxNLocator

from couplebot.domain.insights import InsightsSummary, WeekSummary

__all__ = ["HEIGHT_PX", "WIDTH_PX", "render_insights_chart"]

WIDTH_PX, HEIGHT_PX = 1000, 820
_DPI = 100
_FONT = "DejaVu Sans"  # ships with matplotlib: the same letters on every machine
_PARTNER_COLOURS = ("#0072B2", "#D55E00")  # blue and vermilion (colour-blind safe)
_TOGETHER_COLOUR = "#009E73"
_BIDS_COLOUR = "#CC79A7"
_INK = "#222222"
_SOFT_INK = "#555555"
_MAX_NAME = 20
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_render_lock = threading.Lock()


def render_insights_chart(summary: InsightsSummary, names: tuple[str, str]) -> bytes:
    """PNG bytes of the summary; `names` are the partners' display names, in order."""
    labels = (_printable(names[0], "Partner 1"), _printable(names[1], "Partner 2"))
    with _render_lock:
        figure = Figure(figsize=(WIDTH_PX / _DPI, HEIGHT_PX / _DPI), dpi=_DPI)
        FigureCanvasAgg(figure)
        figure.patch.set_facecolor("white")
        figure.text(0.04, 0.975, f"Your last {len(summary.weeks)} weeks", **_heading(32), va="top")
        # Each panel: a heading, a legend row below it, then the plot (figure fractions).
        figure.text(0.04, 0.895, "Closeness you shared (1 to 5)", **_heading(24), va="top")
        closeness = figure.add_axes((0.08, 0.52, 0.86, 0.27))
        figure.text(0.04, 0.415, "Together", **_heading(24), va="top")
        together = figure.add_axes((0.08, 0.075, 0.86, 0.235), sharex=closeness)
        _draw_closeness(closeness, summary.weeks, labels)
        _draw_together(together, summary.weeks)
        out = io.BytesIO()
        figure.savefig(out, format="png", dpi=_DPI, facecolor="white")
    return out.getvalue()


def _heading(size: int) -> dict[str, Any]:
    return {"fontsize": size, "color": _INK, "ha": "left"}


def _legend(ax: Axes) -> None:
    ax.legend(
        loc="lower left",
        bbox_to_anchor=(-0.045, 1.03),
        ncol=2,
        frameon=False,
        fontsize=22,
        borderaxespad=0,
        handlelength=1.4,
        columnspacing=1.6,
    )


def _draw_closeness(ax: Axes, weeks: Sequence[WeekSummary], labels: tuple[str, str]) -> None:
    xs = range(len(weeks))
    for index, (label, colour) in enumerate(zip(labels, _PARTNER_COLOURS, strict=True)):
        values = [w.closeness[index] for w in weeks]
        ys = [math.nan if v is None else v for v in values]
        shown = label if any(v is not None for v in values) else f"{label} (nothing shared yet)"
        ax.plot(xs, ys, color=colour, linewidth=4, marker="o", markersize=13, label=shown)
    ax.set_ylim(0.6, 5.4)
    ax.set_yticks([1, 2, 3, 4, 5], labels=["1", "2", "3", "4", "5"])
    _legend(ax)
    _style(ax)
    ax.tick_params(labelbottom=False)


def _draw_together(ax: Axes, weeks: Sequence[WeekSummary]) -> None:
    xs = list(range(len(weeks)))
    width = 0.38
    days = [w.days_together for w in weeks]
    bids = [w.bids for w in weeks]
    ax.bar([x - width / 2 for x in xs], days, width, color=_TOGETHER_COLOUR, label="Days answered")
    ax.bar([x + width / 2 for x in xs], bids, width, color=_BIDS_COLOUR, label="Small gestures")
    ax.set_ylim(0, max([7, *bids]) * 1.08)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    _legend(ax)
    ticks = [x for x in xs if (len(xs) - 1 - x) % 3 == 0]
    ax.set_xticks(ticks, labels=[_week_label(weeks[x], x == len(xs) - 1) for x in ticks])
    ax.set_xlim(-0.6, len(xs) - 0.4)
    _style(ax)


def _style(ax: Axes) -> None:
    ax.tick_params(labelsize=22, colors=_SOFT_INK, length=0, pad=8)
    ax.grid(axis="y", color="#E6E6E6", linewidth=1.2)
    ax.set_axisbelow(True)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    ax.spines["bottom"].set_color("#BBBBBB")


def _week_label(week: WeekSummary, current: bool) -> str:
    if current:
        return "this week"
    return f"{week.start.day} {_MONTHS[week.start.month - 1]}"


def _printable(name: str, fallback: str) -> str:
    """A display name the chart can letter: glyphs the font has, no math markup, short."""
    font = _font()
    kept = "".join(ch for ch in name if ch.isprintable() and font.get_char_index(ord(ch)))
    kept = " ".join(kept.split())
    if not kept:
        return fallback
    if len(kept) > _MAX_NAME:
        kept = kept[: _MAX_NAME - 1].rstrip() + "…"
    return kept.replace("$", r"\$")  # a pair of $ would start math markup


@cache
def _font() -> FT2Font:
    return get_font(findfont(FontProperties(family=_FONT), fallback_to_default=False))
