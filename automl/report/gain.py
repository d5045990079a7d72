"""The verdict's dot-and-whisker: the winner's gain over the other model with its bootstrap interval, against
zero, as inline SVG for the report and as one line of text for the terminal. Pure.

A whisker that crosses the zero line is the picture of "no clear winner".

Example:
    >>> c = {"winner": "deep", "loser": "classical", "gain": 0.018, "unit": "points", "significant": False,
    ...      "interval": {"low": -0.018, "high": 0.035, "level": 0.95}}
    >>> print(gain_text(c, 60))
    gain of deep over classical, points (95% interval):
    -1.8 [------------|----------o-----------] 3.5  (| 0, o 1.8)
    >>> gain_svg(c, "accuracy").startswith('<svg class="gain"')
    True
"""

from __future__ import annotations

import textwrap
from typing import Any

from .svg import GRID, INK, OKABE_ITO, Scale, esc, nice_ticks, num, text, tick_labels

WIDTH, HEIGHT = 420, 86


def _points(c: dict[str, Any]) -> tuple[float, float, float] | None:
    """Gain, low and high in the unit shown (points: x100), or None without an interval."""
    interval = c.get("interval")
    if not interval or interval.get("low") is None:
        return None
    scale = 100.0 if c.get("unit") == "points" else 1.0
    return c["gain"] * scale, interval["low"] * scale, interval["high"] * scale


def _names(c: dict[str, Any], named: dict[str, Any] | None) -> tuple[str, str]:
    """The winner's and the loser's plain names (``named``: the report's ``approaches``), else their approaches."""
    def one(approach: str) -> str:
        entry = (named or {}).get(approach)
        return (entry.get("noun") if isinstance(entry, dict) else entry) or approach
    return one(c["winner"]), one(c["loser"])


def _shown(value: float) -> str:
    return f"{value:.1f}" if abs(value) >= 0.1 or value == 0 else f"{value:.3g}"


def gain_text(c: dict[str, Any] | None, width: int = 80, named: dict[str, Any] | None = None) -> str | None:
    """Lines for the terminal: what is measured (wrapped), then ``low [---|--o---] high``, no wider than ``width``.
    ``named``: the report's ``approaches`` (approach -> {"noun"}), for plain names."""
    found = c and _points(c)
    if not found:
        return None
    gain, low, high = found
    level = c["interval"].get("level", 0.95)
    winner, loser = _names(c, named)
    head = f"gain of {winner} over {loser}, {c['unit']} ({level:.0%} interval):"
    left, right = _shown(low), _shown(high)
    legend = f"  (| 0, o {_shown(gain)})"
    bar = max(10, min(40, width - len(left) - len(right) - len(legend) - 4))
    span_low, span_high = min(low, 0.0), max(high, 0.0)
    scale = Scale(span_low, span_high, 0, bar - 1)
    cells = [" "] * bar
    for i in range(round(scale(low)), round(scale(high)) + 1):
        cells[i] = "-"
    cells[round(scale(0.0))] = "|"
    cells[round(scale(gain))] = "o"
    line = f"{left} [{''.join(cells)}] {right}{legend}"
    return "\n".join([*textwrap.wrap(head, max(width, 20)), line])


def gain_svg(c: dict[str, Any] | None, label: str, named: dict[str, Any] | None = None) -> str | None:
    """The gain as a dot, its interval as a whisker, zero as a dashed line; None without an interval.

    ``label``: the metric's name for the axis; ``named``: the report's ``approaches``, for plain names. Every
    text is escaped.
    """
    found = c and _points(c)
    if not found:
        return None
    gain, low, high = found
    level = c["interval"].get("level", 0.95)
    ticks = nice_ticks(min(low, 0.0), max(high, 0.0), 5)
    x = Scale(ticks[0], ticks[-1], 24, WIDTH - 24)
    y = 34
    clear = c.get("significant") is not False
    colour = OKABE_ITO["blue"] if clear else OKABE_ITO["vermillion"]
    parts = [f'<line x1="{num(x(0.0))}" y1="{y - 14}" x2="{num(x(0.0))}" y2="{y + 16}" stroke="{INK}" '
             f'stroke-dasharray="4 3" stroke-width="1"/>',
             f'<line x1="{num(x(low))}" y1="{y}" x2="{num(x(high))}" y2="{y}" stroke="{colour}" stroke-width="2.5"/>']
    for end in (low, high):
        parts.append(f'<line x1="{num(x(end))}" y1="{y - 7}" x2="{num(x(end))}" y2="{y + 7}" stroke="{colour}" '
                     'stroke-width="2.5"/>')
    parts.append(f'<circle cx="{num(x(gain))}" cy="{y}" r="6" fill="{colour}"><title>{esc(_shown(gain))}</title>'
                 '</circle>')
    parts.append(f'<line x1="24" y1="{y + 22}" x2="{WIDTH - 24}" y2="{y + 22}" stroke="{GRID}" stroke-width="1"/>')
    for t, shown in zip(ticks, tick_labels(ticks)):
        parts.append(text(x(t), y + 38, shown, anchor="middle", size=11))
    winner, loser = _names(c, named)
    parts.append(text(24, 14, f"gain of {winner} over {loser}, {label} {c['unit']}", size=11))
    verdict = "clear of zero" if clear else "includes zero: no clear winner"
    title = f"Gain with its {level:.0%} interval"
    description = (f"Gain of {winner} over {loser}: {_shown(gain)} {c['unit']}, {level:.0%} interval "
                   f"{_shown(low)} to {_shown(high)}; the interval {verdict}.")
    return (f'<svg class="gain" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" '
            'style="max-width:100%;height:auto" role="img" '
            f'aria-labelledby="gain-title gain-desc" font-family="system-ui, sans-serif" font-size="12">'
            f'<title id="gain-title">{esc(title)}</title><desc id="gain-desc">{esc(description)}</desc>'
            f'{"".join(parts)}</svg>')
