"""SVG primitives for the report's charts: scales, ticks, axes, marks and an accessible wrapper. Pure.

No plotting library and no JavaScript: each chart is a string of SVG. Every
text that reaches the SVG goes through ``esc`` (data strings such as class
labels and column names included), and every number through ``num``, so a
label like ``<script>`` stays text.

Colours come from the Okabe-Ito palette, which stays distinct under the
common colour-vision deficiencies; series also differ by marker and dash, so
the charts read in grey print too.

Example:
    >>> nice_ticks(0.0, 1.0, 5)
    [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    >>> esc("<b>&")
    '&lt;b&gt;&amp;'
    >>> chart = Chart(200, 100, Scale(0, 10, 40, 190), Scale(0, 1, 80, 10))
    >>> chart.line([(0, 0), (10, 1)], "#0072B2")
    >>> chart.svg("demo", "A title", "A description").startswith('<svg class="chart"')
    True
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

# Okabe & Ito (2008), "Color Universal Design".
OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7",
}
INK = "#1a1a1a"
GRID = "#d9d9d9"
FONT = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12"'


def esc(value: object) -> str:
    """Text made safe for SVG and HTML, quotes included."""
    return html.escape(str(value), quote=True)


def num(value: float) -> str:
    """A coordinate: short, finite, never scientific notation.

    >>> num(3.14159), num(2.0), num(float("nan"))
    ('3.14', '2', '0')
    """
    if not math.isfinite(value):
        return "0"
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def label(value: float) -> str:
    """A tick label: as few digits as the value needs.

    >>> label(0.25), label(1500.0), label(0.00012), label(2e6), label(1e-05), label(-0.5)
    ('0.25', '1,500', '0.00012', '2,000,000', '0.00001', '-0.5')
    """
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 1:
        return f"{value:.6g}"
    decimals = 2 - math.floor(math.log10(abs(value)))  # three significant digits, never "1e-05"
    return f"{value:.{decimals}f}".rstrip("0").rstrip(".")


def tick_labels(ticks: list[float]) -> list[str]:
    """Labels for a row of ticks, no two neighbours alike: ``label`` each, or, where rounding would repeat one,
    the fewest fixed decimals that tell them apart.

    >>> tick_labels([0.0, 0.5, 1.0])
    ['0', '0.5', '1']
    >>> tick_labels([0.9995, 1.0, 1.0005])
    ['0.9995', '1.0000', '1.0005']
    >>> tick_labels([1000.0, 1000.5, 1001.0])
    ['1,000.0', '1,000.5', '1,001.0']
    """
    shown = [label(t) for t in ticks]
    decimals = 0
    while any(a == b for a, b in zip(shown, shown[1:])) and decimals < 12:
        shown = [f"{t:,.{decimals}f}" for t in ticks]
        decimals += 1
    return shown


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round-numbered ticks covering ``[low, high]``, about ``count`` of them."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return [0.0]
    if high < low:
        low, high = high, low
    if high == low:
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    raw = (high - low) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step + 1e-9) * step
    ticks, value = [], first
    while value <= high + step * 1e-9 or len(ticks) < 2:
        ticks.append(round(value, 12))
        value += step
    if ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 12))
    return ticks


def log_ticks(low: float, high: float) -> list[float]:
    """Powers of ten covering ``[low, high]`` (both positive).

    >>> log_ticks(0.003, 0.2)
    [0.001, 0.01, 0.1, 1.0]
    """
    first, last = math.floor(math.log10(low)), math.ceil(math.log10(high))
    if first == last:
        last += 1
    return [10.0 ** e for e in range(first, last + 1)]


@dataclass(frozen=True)
class Scale:
    """Maps the domain ``[low, high]`` to pixels ``[start, end]``; ``log`` for positive data spread wide."""

    low: float
    high: float
    start: float
    end: float
    log: bool = False

    def __call__(self, value: float) -> float:
        low, high, value = self.low, self.high, value
        if self.log:
            low, high, value = math.log10(low), math.log10(high), math.log10(max(value, 1e-300))
        share = 0.5 if high == low else (value - low) / (high - low)
        return self.start + share * (self.end - self.start)


@dataclass
class Chart:
    """A drawing area with an x and a y scale; marks are appended as SVG strings."""

    width: int
    height: int
    x: Scale
    y: Scale
    parts: list[str] = field(default_factory=list)

    def line(self, points: list[tuple[float, float]], colour: str, width: float = 2.0, dash: str | None = None,
             step: bool = False) -> None:
        """A polyline through ``points`` (data units); ``step`` holds each value until the next point."""
        if not points:
            return
        coords = []
        for i, (px, py) in enumerate(points):
            if step and i:
                coords.append((self.x(px), self.y(points[i - 1][1])))
            coords.append((self.x(px), self.y(py)))
        path = " ".join(f"{num(a)},{num(b)}" for a, b in coords)
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        self.parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="{num(width)}"'
                          f'{dashed} stroke-linejoin="round"/>')

    def marker(self, px: float, py: float, colour: str, shape: str = "circle", size: float = 4.5,
               tip: str | None = None, opacity: float = 1.0) -> None:
        """One point in data units, as a circle, square or diamond; ``tip`` shows on hover."""
        self.parts.append(shape_at(self.x(px), self.y(py), colour, shape, size, tip, opacity))

    def rule(self, x1: float, y1: float, x2: float, y2: float, colour: str = INK, dash: str | None = None,
             width: float = 1.0) -> None:
        """A straight line between two points in data units."""
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        self.parts.append(f'<line x1="{num(self.x(x1))}" y1="{num(self.y(y1))}" x2="{num(self.x(x2))}" '
                          f'y2="{num(self.y(y2))}" stroke="{colour}" stroke-width="{num(width)}"{dashed}/>')

    def axes(self, x_label: str, y_label: str, x_ticks: list[float], y_ticks: list[float]) -> None:
        """Grid lines, tick labels and axis titles."""
        left, right = min(self.x.start, self.x.end), max(self.x.start, self.x.end)
        top, bottom = min(self.y.start, self.y.end), max(self.y.start, self.y.end)
        for t, shown in zip(y_ticks, tick_labels(y_ticks)):
            py = self.y(t)
            self.parts.append(f'<line x1="{num(left)}" y1="{num(py)}" x2="{num(right)}" y2="{num(py)}" '
                              f'stroke="{GRID}" stroke-width="1"/>')
            self.parts.append(text(left - 6, py + 4, shown, anchor="end"))
        for t, shown in zip(x_ticks, tick_labels(x_ticks)):
            px = self.x(t)
            self.parts.append(f'<line x1="{num(px)}" y1="{num(bottom)}" x2="{num(px)}" y2="{num(bottom + 4)}" '
                              f'stroke="{INK}" stroke-width="1"/>')
            self.parts.append(text(px, bottom + 17, shown, anchor="middle"))
        self.parts.append(f'<line x1="{num(left)}" y1="{num(bottom)}" x2="{num(right)}" y2="{num(bottom)}" '
                          f'stroke="{INK}" stroke-width="1"/>')
        self.parts.append(text((left + right) / 2, bottom + 34, x_label, anchor="middle"))
        self.parts.append(f'<text x="0" y="0" transform="translate(14 {num((top + bottom) / 2)}) rotate(-90)" '
                          f'text-anchor="middle" fill="{INK}">{esc(y_label)}</text>')

    def legend(self, items: list[tuple[str, str, str | None, str | None]], x: float, y: float) -> None:
        """Entries ``(text, colour, shape or None, dash or None)`` in a row from ``(x, y)`` in pixels."""
        for name, colour, shape, dash in items:
            if shape:
                self.parts.append(shape_at(x + 8, y - 4, colour, shape, 4.5))
            else:
                dashed = f' stroke-dasharray="{dash}"' if dash else ""
                self.parts.append(f'<line x1="{num(x)}" y1="{num(y - 4)}" x2="{num(x + 18)}" y2="{num(y - 4)}" '
                                  f'stroke="{colour}" stroke-width="2.5"{dashed}/>')
            self.parts.append(text(x + 24, y, name))
            x += 34 + 7 * len(name)

    def add(self, raw_svg: str) -> None:
        """Append SVG made by this module's helpers (already escaped)."""
        self.parts.append(raw_svg)

    def svg(self, key: str, title: str, description: str) -> str:
        return wrap(key, self.width, self.height, title, description, "".join(self.parts))


def text(x: float, y: float, content: object, anchor: str = "start", colour: str = INK, weight: str = "",
         size: float | None = None) -> str:
    """A text element at pixel ``(x, y)``; ``content`` is escaped."""
    bold = f' font-weight="{weight}"' if weight else ""
    sized = f' font-size="{num(size)}"' if size else ""
    return f'<text x="{num(x)}" y="{num(y)}" text-anchor="{anchor}" fill="{colour}"{bold}{sized}>{esc(content)}</text>'


def rect(x: float, y: float, width: float, height: float, colour: str, tip: str | None = None,
         stroke: str | None = None) -> str:
    """A rectangle in pixels; ``tip`` (escaped) shows on hover and to screen readers."""
    outline = f' stroke="{stroke}" stroke-width="1"' if stroke else ""
    inner = f"<title>{esc(tip)}</title>" if tip else ""
    return (f'<rect x="{num(x)}" y="{num(y)}" width="{num(max(width, 0))}" height="{num(max(height, 0))}" '
            f'fill="{colour}"{outline}>{inner}</rect>')


def shape_at(px: float, py: float, colour: str, shape: str = "circle", size: float = 4.5, tip: str | None = None,
             opacity: float = 1.0) -> str:
    """A marker centred on pixel ``(px, py)``."""
    inner = f"<title>{esc(tip)}</title>" if tip else ""
    faded = f' fill-opacity="{num(opacity)}"' if opacity < 1 else ""
    if shape == "square":
        s = size * 0.9
        return (f'<rect x="{num(px - s)}" y="{num(py - s)}" width="{num(2 * s)}" height="{num(2 * s)}" '
                f'fill="{colour}"{faded}>{inner}</rect>')
    if shape == "diamond":
        s = size * 1.25
        return (f'<polygon points="{num(px)},{num(py - s)} {num(px + s)},{num(py)} {num(px)},{num(py + s)} '
                f'{num(px - s)},{num(py)}" fill="{colour}"{faded}>{inner}</polygon>')
    return f'<circle cx="{num(px)}" cy="{num(py)}" r="{num(size)}" fill="{colour}"{faded}>{inner}</circle>'


def wrap(key: str, width: int, height: int, title: str, description: str, body: str) -> str:
    """The ``<svg>`` element: scalable (viewBox), labelled for screen readers by its title and description."""
    ident = esc(key)
    return (f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
            f'aria-labelledby="{ident}-title {ident}-desc" {FONT}>'
            f'<title id="{ident}-title">{esc(title)}</title><desc id="{ident}-desc">{esc(description)}</desc>'
            f'<rect width="{width}" height="{height}" fill="#ffffff"/>{body}</svg>')


def standalone(svg: str) -> str:
    """An inline ``<svg>`` as a file of its own (for the Markdown report)."""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            + svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1) + "\n")
