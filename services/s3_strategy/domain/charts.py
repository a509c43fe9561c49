"""Server-side charts as plain SVG: the synergy heatmap and the topics bar chart.

Plain SVG text rather than matplotlib: no heavy dependency for two simple figures, and the output is the same
bytes for the same data (matplotlib's SVG carries a creation date and random ids unless tamed), which the
reproducibility promise of the analysis extends to its pictures.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from xml.sax.saxutils import escape

from .synergy import SynergyMatrix
from .topics import Topic

CELL = 28
FAMILY = "font-family='DejaVu Sans, Arial, sans-serif'"
FONT = f"{FAMILY} font-size='11'"


def colour(value: float) -> str:
    """White (0) to a deep blue (1), linearly in RGB."""
    v = min(1.0, max(0.0, value))
    r, g, b = (round(255 + (end - 255) * v) for end in (8, 69, 148))
    return f"#{r:02x}{g:02x}{b:02x}"


def heatmap_svg(matrix: SynergyMatrix, *, title: str = "S3 synergy matrix") -> str:
    n = len(matrix.regions)
    left, top = 70, 90
    width, height = left + n * CELL + 90, top + n * CELL + 20
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' viewBox='0 0 {width} {height}' "
        f"role='img' aria-labelledby='title'>",
        f"<title id='title'>{escape(title)}: {n} regions, 0 (white) to 1 (blue)</title>",
        f"<text x='{left}' y='18' {FAMILY} font-size='14' font-weight='bold'>{escape(title)}</text>",
    ]
    for i, code in enumerate(matrix.regions):
        y = top + i * CELL
        x = left + i * CELL
        parts.append(f"<text x='{left - 6}' y='{y + CELL * 0.65:.1f}' text-anchor='end' {FONT}>{escape(code)}</text>")
        parts.append(
            f"<text transform='translate({x + CELL * 0.65:.1f},{top - 6}) rotate(-60)' {FONT}>{escape(code)}</text>"
        )
    for i, row in enumerate(matrix.combined):
        for j, value in enumerate(row):
            x, y = left + j * CELL, top + i * CELL
            label = f"{matrix.regions[i]} - {matrix.regions[j]}: {value:.2f}"
            parts.append(
                f"<rect x='{x}' y='{y}' width='{CELL}' height='{CELL}' fill='{colour(value)}' stroke='#ffffff'>"
                f"<title>{escape(label)}</title></rect>"
            )
            if n <= 30:
                ink = "#ffffff" if value > 0.55 else "#222222"
                parts.append(
                    f"<text x='{x + CELL / 2:.1f}' y='{y + CELL * 0.65:.1f}' text-anchor='middle' {FAMILY} "
                    f"font-size='9' fill='{ink}'>{value:.2f}</text>"
                )
    legend_x = left + n * CELL + 20
    for step in range(11):
        value = 1 - step / 10
        parts.append(
            f"<rect x='{legend_x}' y='{top + step * 14}' width='16' height='14' fill='{colour(value)}' "
            "stroke='#999999'/>"
        )
        if step % 5 == 0:
            parts.append(f"<text x='{legend_x + 22}' y='{top + step * 14 + 11}' {FONT}>{value:.1f}</text>")
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def topics_svg(topics: Sequence[Topic], *, title: str = "Candidate joint topics") -> str:
    """One bar per topic: its number of regions, with similarity and budget in the label."""
    shown = list(topics)
    most = max((t.region_count for t in shown), default=1)
    left, top, bar, gap, scale = 330, 40, 18, 6, 30
    width = left + most * scale + 260
    height = top + len(shown) * (bar + gap) + 30
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' viewBox='0 0 {width} {height}' "
        f"role='img' aria-labelledby='title'>",
        f"<title id='title'>{escape(title)}: regions per topic</title>",
        f"<text x='10' y='20' {FAMILY} font-size='14' font-weight='bold'>{escape(title)}</text>",
    ]
    for i, topic in enumerate(shown):
        y = top + i * (bar + gap)
        label = f"{topic.id} {topic.label}"
        short = label if len(label) <= 52 else label[:51] + "…"
        parts.append(f"<text x='{left - 8}' y='{y + bar * 0.7:.1f}' text-anchor='end' {FONT}>{escape(short)}</text>")
        length = topic.region_count * scale
        parts.append(
            f"<rect x='{left}' y='{y}' width='{length}' height='{bar}' fill='{colour(topic.similarity)}' "
            f"stroke='#08458f'><title>{escape(label)}</title></rect>"
        )
        budget = f"{topic.total_budget.quantize(Decimal(1), ROUND_HALF_UP):,} {topic.reporting_currency}"
        parts.append(
            f"<text x='{left + length + 6}' y='{y + bar * 0.7:.1f}' {FONT}>{topic.region_count} regions, "
            f"similarity {topic.similarity:.2f}, {escape(budget)}</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
