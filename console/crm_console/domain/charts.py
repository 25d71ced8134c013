"""Charts as SVG drawn on the server from numbers: no script, nothing fetched, printable as they are.

Each function takes labels already translated and formatted by the caller and returns SVG markup with a
<title> (its accessible name), axes with their unit, and the value written on or beside each mark, so a
printout or a screen reader reads the figures without hovering anything.
"""

from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 320
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 40, 48  # room for the y labels, the legend and the x labels
COLOURS = ("#1f5fa8", "#c2571a", "#2e7d4f", "#7a4fa0")  # AA contrast on white, told apart in greyscale too
PERCENT_TICKS = (0, 20, 40, 60, 80, 100)


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]  # shares 0…1; None where there is nothing to divide (no vehicle of that age)


def _percent_label(ratio: float) -> str:
    return f"{ratio * 100:.1f}%"


def _frame(title: str, y_unit: str, x_unit: str, series: list[Series]) -> list[str]:
    """Title, y grid with percentages, axis units and the legend: what every percentage chart shares."""
    plot_h = HEIGHT - TOP - BOTTOM
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" class="chart" '
             f'font-family="system-ui, sans-serif" font-size="13"><title>{escape(title)}</title>']
    for tick in PERCENT_TICKS:
        y = TOP + plot_h * (1 - tick / 100)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#d5d9de"/>'
                     f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#333">{tick}%</text>')
    parts.append(f'<text x="4" y="{TOP - 14}" fill="#333">{escape(y_unit)}</text>'
                 f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 6}" text-anchor="end" fill="#333">{escape(x_unit)}</text>')
    for index, one in enumerate(series):  # the legend top right, clear of the y axis' unit
        x = WIDTH - RIGHT - (len(series) - index) * 150
        parts.append(f'<rect x="{x}" y="8" width="12" height="12" fill="{COLOURS[index % len(COLOURS)]}"/>'
                     f'<text x="{x + 18}" y="18" fill="#222">{escape(one.name)}</text>')
    return parts


def _y(ratio: float) -> float:
    ratio = min(max(ratio, 0.0), 1.0)
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - ratio)


def percent_bars(title: str, categories: list[str], series: list[Series], y_unit: str, x_unit: str) -> Markup:
    """Grouped bars, one group per category (a vehicle age), each bar's percentage written above it."""
    parts = _frame(title, y_unit, x_unit, series)
    slot = (WIDTH - LEFT - RIGHT) / max(len(categories), 1)
    bar = slot * 0.8 / max(len(series), 1)
    for position, category in enumerate(categories):
        x0 = LEFT + slot * position + slot * 0.1
        for index, one in enumerate(series):
            value = one.values[position]
            if value is None:
                continue
            x, y = x0 + bar * index, _y(value)
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar - 1:.1f}" height="{HEIGHT - BOTTOM - y:.1f}" '
                         f'fill="{COLOURS[index % len(COLOURS)]}"/>'
                         f'<text x="{x + bar / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle" font-size="10" '
                         f'fill="#222">{value * 100:.0f}%</text>')
        parts.append(f'<text x="{x0 + slot * 0.4:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
                     f'fill="#222">{escape(category)}</text>')
    parts.append(_x_axis())
    return Markup("".join(parts) + "</svg>")


def percent_lines(title: str, categories: list[str], series: list[Series], y_unit: str, x_unit: str,
                  groups: list[str] | None = None) -> Markup:
    """One line per series over the categories (months); a gap where a value is missing.

    `groups` is a second line of x labels written only where it changes (the year under its first month),
    so 24 months stay short labels that never overlap.
    """
    parts = _frame(title, y_unit, x_unit, series)
    step = (WIDTH - LEFT - RIGHT) / max(len(categories), 1)
    every = max(1, len(categories) // 12)  # at most a dozen x labels
    written = None
    for position, category in enumerate(categories):
        x = LEFT + step * (position + 0.5)
        if (len(categories) - 1 - position) % every != 0:  # counted from the latest month, always labelled
            continue
        parts.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" fill="#222">'
                     f'{escape(category)}</text>')
        if groups and groups[position] != written:  # under the first labelled month of each year only
            written = groups[position]
            parts.append(f'<text x="{x:.1f}" y="{HEIGHT - BOTTOM + 32}" text-anchor="middle" fill="#333">'
                         f'{escape(groups[position])}</text>')
    for index, one in enumerate(series):
        colour = COLOURS[index % len(COLOURS)]
        points = [(LEFT + step * (p + 0.5), _y(v)) for p, v in enumerate(one.values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        parts.extend(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in points)
        last = [(x, y, v) for (x, y), v in zip(points, [v for v in one.values if v is not None], strict=True)]
        if last:  # the latest figure, written where the eye ends
            x, y, v = last[-1]
            parts.append(f'<text x="{x:.1f}" y="{y - 6:.1f}" text-anchor="middle" fill="{colour}">'
                         f'{_percent_label(v)}</text>')
    parts.append(_x_axis())
    return Markup("".join(parts) + "</svg>")


def count_bars(title: str, labels: list[str], counts: list[int], unit: str) -> Markup:
    """Horizontal bars for a distribution: one row per category, its count and share written at the end."""
    row, left, right = 26, 150, 140
    height = TOP + row * max(len(labels), 1) + 8
    total = sum(counts) or 1
    widest = max(counts, default=0) or 1
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" class="chart" '
             f'font-family="system-ui, sans-serif" font-size="13"><title>{escape(title)}</title>'
             f'<text x="{left}" y="20" fill="#333">{escape(unit)}</text>']
    for position, (label, count) in enumerate(zip(labels, counts, strict=True)):
        y = TOP + row * position
        length = (WIDTH - left - right) * count / widest
        parts.append(f'<text x="{left - 8}" y="{y + 15}" text-anchor="end" fill="#222">{escape(label)}</text>'
                     f'<rect x="{left}" y="{y + 3}" width="{length:.1f}" height="{row - 8}" fill="{COLOURS[0]}"/>'
                     f'<text x="{left + length + 6:.1f}" y="{y + 15}" fill="#222">'
                     f'{count:,} ({count / total * 100:.1f}%)</text>')
    return Markup("".join(parts) + "</svg>")


def _x_axis() -> str:
    return (f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" y2="{HEIGHT - BOTTOM}" stroke="#555"/>'
            f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{HEIGHT - BOTTOM}" stroke="#555"/>')
