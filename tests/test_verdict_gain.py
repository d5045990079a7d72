"""The verdict's dot-and-whisker: the gain and its interval against zero, as SVG and as terminal text."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from automl.report.gain import gain_svg, gain_text

SVG = "{http://www.w3.org/2000/svg}"


def pair(low: float, high: float, gain: float, significant: bool, unit: str = "points") -> dict:
    return {"winner": "deep", "loser": "classical", "gain": gain, "unit": unit, "significant": significant,
            "interval": {"low": low, "high": high, "level": 0.95}}


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg.replace("<svg ", '<svg xmlns="http://www.w3.org/2000/svg" ', 1))


def test_the_whisker_spans_the_interval_and_crosses_zero_when_there_is_no_clear_winner():
    root = parse(gain_svg(pair(-0.018, 0.035, 0.018, False), "accuracy"))
    lines = root.findall(f"{SVG}line")
    zero, whisker = lines[0], lines[1]
    assert zero.get("stroke-dasharray")  # the dashed zero line
    x0, lo, hi = float(zero.get("x1")), float(whisker.get("x1")), float(whisker.get("x2"))
    assert lo < x0 < hi  # the interval crosses zero
    dot = float(root.find(f"{SVG}circle").get("cx"))
    assert x0 < dot < hi
    assert "no clear winner" in root.find(f"{SVG}desc").text and "-1.8 to 3.5" in root.find(f"{SVG}desc").text


def test_plain_names_come_from_the_reports_approaches():
    named = {"deep": {"kind": "deep", "noun": "the deep network"}, "classical": {"noun": "gradient boosting"}}
    c = pair(-0.018, 0.035, 0.018, False)
    assert gain_text(c, 80, named).startswith("gain of the deep network over gradient boosting, points")
    assert "Gain of the deep network over gradient boosting: 1.8 points" in gain_svg(c, "accuracy", named)


def test_a_clear_gain_keeps_the_whisker_on_one_side_of_zero():
    root = parse(gain_svg(pair(0.02, 0.08, 0.05, True), "accuracy"))
    zero, whisker = root.findall(f"{SVG}line")[:2]
    assert float(zero.get("x1")) <= float(whisker.get("x1")) < float(whisker.get("x2"))
    assert "clear of zero" in root.find(f"{SVG}desc").text


def test_names_are_escaped_and_no_interval_draws_nothing():
    hostile = pair(-0.1, 0.2, 0.05, False) | {"winner": "<script>"}
    svg = gain_svg(hostile, "accuracy")
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert gain_svg({"gain": 0.1, "unit": "points", "interval": None}, "accuracy") is None
    assert gain_text(None) is None


@pytest.mark.parametrize("columns", [40, 80, 200])
def test_the_text_whisker_fits_the_terminal(columns):
    text = gain_text(pair(-0.4, 0.2, -0.1, False, unit="RMSE"), columns)
    *head, line = text.splitlines()
    assert all(len(row) <= columns for row in head) and len(line) <= max(columns, 40)
    assert " ".join(head) == "gain of deep over classical, RMSE (95% interval):"  # wrapped, never cut
    bar = line[line.index("[") + 1:line.index("]")]
    assert bar.index("o") < bar.index("|")  # a negative gain sits left of zero
    assert line.startswith("-0.4 [") and "] 0.2" in line


def test_the_report_filter_marks_the_svg_safe():
    from markupsafe import Markup

    from automl.report import _filters

    shown = _filters()["gain_svg"](pair(-0.018, 0.035, 0.018, False), "accuracy")
    assert isinstance(shown, Markup) and shown.startswith('<svg class="gain"')
