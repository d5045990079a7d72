"""The report's charts, each drawn from the report's data as an accessible inline SVG. Pure.

``figures(report)`` returns, in reading order, one entry per chart:
``{"key", "title", "caption", "svg"}``, or ``{"key", "title", "missing"}`` saying
why a chart could not be drawn (an old run, a single approach, a regression
task has no confusion matrix, ...).

Example:
    >>> fig = anytime({"gbm": [[1.0, 0.8], [2.0, 0.9]]}, "accuracy", "tabular")
    >>> fig["key"], "<svg" in fig["svg"], "gradient boosting" in fig["svg"]
    ('anytime', True, True)
"""

from __future__ import annotations

from typing import Any

from ..metrics import LABELS, greater_is_better
from .svg import (APPROACH_COLOURS, APPROACH_DASHES, APPROACH_MARKERS, INK, OKABE_ITO, Chart, Scale, esc,
                  label, log_ticks, nice_ticks, rect, text, wrap)

WIDTH, HEIGHT = 640, 330
MARGIN = {"left": 64, "right": 20, "top": 36, "bottom": 50}
NAMES = {"gbm": "gradient boosting", "deep": "deep network", "blend": "blend of both"}
MAX_BARS = 20
LABEL_CHARS = 22


def approach_name(approach: str, modality: str = "tabular") -> str:
    if approach == "gbm" and modality == "text":
        return "classical TF-IDF model"
    return NAMES.get(approach, approach)


def figures(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Every chart of a run's report, in reading order."""
    metric, modality = report["metric"], report["modality"]
    out = [
        anytime(report.get("anytime", {}), metric, modality),
        cost_vs_score(report.get("leaderboard", []), report.get("costs"), metric, modality),
    ]
    evaluation = report.get("evaluation") or {}
    if report["task"] == "regression":
        out += regression(evaluation, modality)
    else:
        out += classification(evaluation, modality)
    out += training_curves(report.get("training_curves") or {}, metric)
    out.append(feature_importance((report.get("feature_importance") or {}).get("gbm"), modality))
    return out


def _frame(x: Scale, y: Scale) -> Chart:
    return Chart(WIDTH, HEIGHT, x, y)


def _x_scale(low: float, high: float, log: bool = False) -> Scale:
    return Scale(low, high, MARGIN["left"], WIDTH - MARGIN["right"], log)


def _y_scale(low: float, high: float) -> Scale:
    return Scale(low, high, HEIGHT - MARGIN["bottom"], MARGIN["top"])


def _legend(chart: Chart, approaches: list[str], modality: str, lines: bool = True) -> None:
    chart.legend([(approach_name(a, modality), APPROACH_COLOURS.get(a, INK),
                   APPROACH_MARKERS.get(a, "circle") if not lines else None, APPROACH_DASHES.get(a))
                  for a in approaches], MARGIN["left"], 20)


def _missing(key: str, title: str, why: str) -> dict[str, Any]:
    return {"key": key, "title": title, "missing": why}


def _short(value: object, chars: int = LABEL_CHARS) -> str:
    s = str(value)
    return s if len(s) <= chars else s[: chars - 1] + "\u2026"


def anytime(curves: dict[str, list[list[float]]], metric: str, modality: str) -> dict[str, Any]:
    """Best validation score so far against elapsed run seconds, both approaches on one chart."""
    title = f"Best validation {LABELS[metric]} against elapsed seconds"
    curves = {a: pts for a, pts in curves.items() if pts}
    if not curves:
        return _missing("anytime", title, "no trial with a validation score was recorded")
    xs = [p[0] for pts in curves.values() for p in pts]
    ys = [p[1] for pts in curves.values() for p in pts]
    y_ticks = nice_ticks(min(ys), max(ys))
    x_ticks = nice_ticks(0.0, max(xs))
    chart = _frame(_x_scale(0.0, x_ticks[-1]), _y_scale(y_ticks[0], y_ticks[-1]))
    chart.axes("seconds since the run started", f"best validation {LABELS[metric]}", x_ticks, y_ticks)
    summary = []
    for approach, pts in curves.items():
        colour = APPROACH_COLOURS.get(approach, INK)
        chart.line([(p[0], p[1]) for p in pts], colour, dash=APPROACH_DASHES.get(approach), step=True)
        for px, py in pts:
            chart.marker(px, py, colour, APPROACH_MARKERS.get(approach, "circle"), 3.5,
                         tip=f"{approach_name(approach, modality)}: {py:.4g} at {px:.1f}s")
        best = pts[-1]
        summary.append(f"{approach_name(approach, modality)} reached {best[1]:.4g} after {best[0]:.1f} s "
                       f"({len(pts)} trials)")
    _legend(chart, list(curves), modality)
    caption = ("Each step is a trial that improved the best validation score. Gradient boosting is validated by "
               "cross-validation or a holdout of the training rows, the network on a holdout; test rows are never "
               "used here.")
    return {"key": "anytime", "title": title, "caption": caption,
            "svg": chart.svg("anytime", title, "; ".join(summary) + ".")}


def pareto(points: list[tuple[float, float]], greater: bool) -> list[tuple[float, float]]:
    """The points no other point beats on both cost (lower) and score, cheapest first.

    >>> pareto([(1, 0.8), (2, 0.7), (3, 0.9)], greater=True)
    [(1, 0.8), (3, 0.9)]
    """
    front: list[tuple[float, float]] = []
    for cost, score in sorted(points, key=lambda p: (p[0], -p[1] if greater else p[1])):
        if not front or (score > front[-1][1] if greater else score < front[-1][1]):
            front.append((cost, score))
    return front


def cost_vs_score(leaderboard: list[dict[str, Any]], costs: dict[str, Any] | None, metric: str,
                  modality: str) -> dict[str, Any]:
    """Test score against training cost, one point per finalist, the Pareto front drawn."""
    title = f"Test {LABELS[metric]} against training cost"
    money = (costs or {}).get("approaches", {})
    points = []
    for f in leaderboard:
        score = f["test_scores"].get(metric)
        cost = money.get(f["approach"], {}).get("train_usd")
        if score is not None and cost is not None:
            points.append((f["approach"], cost, score))
    unit = "training cost (USD)"
    if points and not all(c > 0 for _, c, _ in points):
        points = [(f["approach"], f["fit_seconds"], f["test_scores"][metric]) for f in leaderboard
                  if f["test_scores"].get(metric) is not None and f.get("fit_seconds")]
        unit = "training seconds (the price table is zero)"
    if not points:
        return _missing("cost_vs_score", title, "no finalist has both a test score and a recorded cost")
    costs_only = [c for _, c, _ in points]
    log = max(costs_only) / min(costs_only) > 20
    if log:
        x_ticks = log_ticks(min(costs_only), max(costs_only))
        x = _x_scale(x_ticks[0], x_ticks[-1], log=True)
    else:
        x_ticks = nice_ticks(0.0, max(costs_only))
        x = _x_scale(0.0, x_ticks[-1])
    low, high = min(p[2] for p in points), max(p[2] for p in points)
    pad = (high - low) * 0.08 or abs(high) * 0.01 or 0.01
    y_ticks = nice_ticks(low - pad, high + pad)
    chart = _frame(x, _y_scale(y_ticks[0], y_ticks[-1]))
    chart.axes(unit + (", log scale" if log else ""), f"test {LABELS[metric]}", x_ticks, y_ticks)
    front = pareto([(c, s) for _, c, s in points], greater_is_better(metric))
    chart.line(front, OKABE_ITO["green"], width=1.5, dash="4 3", step=True)
    described = []
    for approach, cost, score in points:
        name = approach_name(approach, modality)
        colour = APPROACH_COLOURS.get(approach, INK)
        chart.marker(cost, score, colour, APPROACH_MARKERS.get(approach, "circle"), 6,
                     tip=f"{name}: {LABELS[metric]} {score:.4g}, cost {label(cost)}")
        right = chart.x(cost) > WIDTH - 170
        chart.add(text(chart.x(cost) + (-9 if right else 9), chart.y(score) - 8, name, colour=INK,
                       anchor="end" if right else "start"))
        described.append(f"{name} {score:.4g} at {label(cost)}")
    chart.legend([("Pareto front: nothing is both cheaper and better", OKABE_ITO["green"], None, "4 3")],
                 MARGIN["left"], 20)
    caption = ("Up is better" if greater_is_better(metric) else "Down is better") + (
        " and left is cheaper; a finalist off the dashed front is beaten on both by another one.")
    return {"key": "cost_vs_score", "title": title, "caption": caption,
            "svg": chart.svg("cost_vs_score", title, "; ".join(described) + ".")}


def classification(evaluation: dict[str, Any], modality: str) -> list[dict[str, Any]]:
    """A confusion matrix and a per-class precision/recall/F1 chart for each approach."""
    if "missing" in evaluation or not evaluation.get("approaches"):
        why = evaluation.get("missing", "no test predictions were recorded")
        return [_missing("confusion", "Confusion matrix", why), _missing("per_class", "Per-class scores", why)]
    out = []
    labels = evaluation["labels"]
    shown = [labels[i] for i in evaluation.get("shown", range(len(labels)))]
    for approach, data in evaluation["approaches"].items():
        out.append(confusion(approach, data["confusion"], shown, modality, evaluation.get("note")))
    for approach, data in evaluation["approaches"].items():
        out.append(per_class(approach, data["per_class"], modality))
    return out


def _blend(share: float) -> str:
    """White to Okabe-Ito blue, by ``share`` in [0, 1]."""
    r0, g0, b0 = 0xFF, 0xFF, 0xFF
    r1, g1, b1 = 0x00, 0x72, 0xB2
    s = max(0.0, min(1.0, share))
    return "#{:02x}{:02x}{:02x}".format(*(round(a + (b - a) * s) for a, b in ((r0, r1), (g0, g1), (b0, b1))))


def confusion(approach: str, matrix: list[list[int]], labels: list[str], modality: str,
              note: str | None = None) -> dict[str, Any]:
    name = approach_name(approach, modality)
    title = f"Confusion matrix on the test rows: {name}"
    k = len(labels)
    cell = max(18, min(48, 460 // max(k, 1)))
    left, top = 150, 64
    width, height = left + cell * k + 20, top + cell * k + 20
    parts = [text(left + cell * k / 2, 18, "predicted class", anchor="middle", weight="600")]
    parts.append(f'<text x="0" y="0" transform="translate(14 {top + cell * k / 2:.1f}) rotate(-90)" '
                 f'text-anchor="middle" fill="{INK}" font-weight="600">actual class</text>')
    size = 11 if cell >= 30 else 9
    for j, lab in enumerate(labels):
        cx = left + cell * j + cell / 2
        parts.append(f'<text x="0" y="0" transform="translate({cx:.1f} {top - 6}) rotate(-35)" fill="{INK}" '
                     f'font-size="{size}">{esc(_short(lab, 14))}<title>{esc(lab)}</title></text>')
    described = []
    for i, row in enumerate(matrix):
        total = sum(row) or 1
        parts.append(text(left - 6, top + cell * i + cell / 2 + 4, _short(labels[i], 20), anchor="end", size=size))
        for j, count in enumerate(row):
            share = count / total
            parts.append(rect(left + cell * j, top + cell * i, cell, cell, _blend(share), stroke="#ffffff",
                              tip=f"actual {labels[i]}, predicted {labels[j]}: {count} ({share:.0%} of the row)"))
            if cell >= 22:
                parts.append(text(left + cell * j + cell / 2, top + cell * i + cell / 2 + 4, count, anchor="middle",
                                  colour="#ffffff" if share > 0.5 else INK, size=size))
        described.append(f"{labels[i]}: {row[i]} of {sum(row)} right")
    caption = "Rows are the actual classes, columns the predicted ones; shading is the share of each row."
    if note:
        caption += " " + note
    key = f"confusion_{approach}"
    return {"key": key, "title": title, "caption": caption,
            "svg": wrap(key, width, height, title, "; ".join(described) + ".", "".join(parts))}


def per_class(approach: str, rows: list[dict[str, Any]], modality: str) -> dict[str, Any]:
    name = approach_name(approach, modality)
    title = f"Per-class precision, recall and F1: {name}"
    rows = sorted(rows, key=lambda r: -r["support"])[:MAX_BARS]
    series = [("precision", OKABE_ITO["blue"]), ("recall", OKABE_ITO["orange"]), ("f1", OKABE_ITO["green"])]
    bar, gap = 8, 10
    left, top = 170, 40
    height = top + len(rows) * (3 * bar + gap) + 40
    x = Scale(0.0, 1.0, left, WIDTH - 40)
    chart = Chart(WIDTH, height, x, Scale(0, 1, height - 30, top))
    parts = []
    for t in nice_ticks(0.0, 1.0):
        parts.append(f'<line x1="{x(t):.1f}" y1="{top - 4}" x2="{x(t):.1f}" y2="{height - 30}" stroke="#d9d9d9"/>')
        parts.append(text(x(t), height - 14, label(t), anchor="middle"))
    for i, row in enumerate(rows):
        y0 = top + i * (3 * bar + gap)
        parts.append(text(left - 6, y0 + 1.5 * bar + 4, _short(row["label"]), anchor="end"))
        for j, (metric, colour) in enumerate(series):
            value = row[metric]
            parts.append(rect(left, y0 + j * bar, x(value) - left, bar - 1, colour,
                              tip=f"{row['label']}: {metric} {value:.3f} (support {row['support']})"))
    for part in parts:
        chart.add(part)
    chart.legend([(m, c, "square", None) for m, c in series], left, 20)
    caption = "Bars per class: precision (top), recall, F1 (bottom); classes by test support, most frequent first."
    described = "; ".join(f"{r['label']}: precision {r['precision']:.2f}, recall {r['recall']:.2f}, "
                          f"F1 {r['f1']:.2f}" for r in rows)
    key = f"per_class_{approach}"
    return {"key": key, "title": title, "caption": caption, "svg": chart.svg(key, title, described + ".")}


def regression(evaluation: dict[str, Any], modality: str) -> list[dict[str, Any]]:
    """Predicted against actual, and residuals against predicted, every approach on the same two charts."""
    titles = ("Predicted against actual on the test rows", "Residuals against predicted on the test rows")
    if "missing" in evaluation or not evaluation.get("approaches"):
        why = evaluation.get("missing", "no test predictions were recorded")
        return [_missing("predicted_actual", titles[0], why), _missing("residuals", titles[1], why)]
    data = evaluation["approaches"]
    values = [v for d in data.values() for p in d["points"] for v in p]
    ticks = nice_ticks(min(values), max(values))
    scatter = _frame(_x_scale(ticks[0], ticks[-1]), _y_scale(ticks[0], ticks[-1]))
    scatter.axes("actual", "predicted", ticks, ticks)
    scatter.rule(ticks[0], ticks[0], ticks[-1], ticks[-1], dash="4 3")
    residuals = [p[0] - p[1] for d in data.values() for p in d["points"]]
    predicted = [p[1] for d in data.values() for p in d["points"]]
    r_ticks, p_ticks = nice_ticks(min(residuals), max(residuals)), nice_ticks(min(predicted), max(predicted))
    spread = _frame(_x_scale(p_ticks[0], p_ticks[-1]), _y_scale(r_ticks[0], r_ticks[-1]))
    spread.axes("predicted", "actual minus predicted", p_ticks, r_ticks)
    spread.rule(p_ticks[0], 0.0, p_ticks[-1], 0.0, dash="4 3")
    described = []
    for approach, d in data.items():
        colour, shape = APPROACH_COLOURS.get(approach, INK), APPROACH_MARKERS.get(approach, "circle")
        for actual, pred in d["points"]:
            scatter.marker(actual, pred, colour, shape, 3, opacity=0.6)
            spread.marker(pred, actual - pred, colour, shape, 3, opacity=0.6)
        described.append(f"{approach_name(approach, modality)}: residual mean {d['residual_mean']:.4g}, "
                         f"spread {d['residual_sd']:.4g}")
    _legend(scatter, list(data), modality, lines=False)
    _legend(spread, list(data), modality, lines=False)
    note = (" " + evaluation["note"]) if evaluation.get("note") else ""
    return [
        {"key": "predicted_actual", "title": titles[0], "svg": scatter.svg("predicted_actual", titles[0],
                                                                            "; ".join(described) + "."),
         "caption": "Points on the dashed diagonal are predicted exactly." + note},
        {"key": "residuals", "title": titles[1], "svg": spread.svg("residuals", titles[1], "; ".join(described) + "."),
         "caption": "A good model's residuals scatter evenly around the dashed zero line." + note},
    ]


def training_curves(curves: dict[str, list[dict[str, Any]]], metric: str) -> list[dict[str, Any]]:
    """Loss and validation metric per epoch of the best network (its Hyperband lineage, then any further training)."""
    epochs = curves.get("deep") or []
    titles = ("Loss per epoch of the best network", f"Validation {LABELS[metric]} per epoch of the best network")
    if not epochs:
        why = "no network was trained in this run, or the run predates per-epoch records"
        return [_missing("training_loss", titles[0], why), _missing("training_metric", titles[1], why)]
    out = []
    continued = next((e["epoch"] for e in epochs if e.get("phase") == "continued"), None)
    for key, title, series in (
        ("training_loss", titles[0], [("loss", "training loss", OKABE_ITO["blue"], None),
                                      ("val_loss", "validation loss", OKABE_ITO["vermillion"], "6 3")]),
        ("training_metric", titles[1], [("val_score", f"validation {LABELS[metric]}", OKABE_ITO["green"], None)]),
    ):
        present = [(k, name, c, d) for k, name, c, d in series if any(k in e for e in epochs)]
        if not present:
            out.append(_missing(key, title, "the epochs recorded no such value"))
            continue
        ys = [e[k] for k, *_ in present for e in epochs if k in e]
        y_ticks = nice_ticks(min(ys), max(ys))
        x_ticks = nice_ticks(1.0, max(e["epoch"] for e in epochs))
        x_ticks = [t for t in x_ticks if float(t).is_integer()] or [1.0]
        chart = _frame(_x_scale(min(1.0, x_ticks[0]), max(x_ticks[-1], epochs[-1]["epoch"])),
                       _y_scale(y_ticks[0], y_ticks[-1]))
        chart.axes("epoch", title.split(" per epoch")[0].lower(), x_ticks, y_ticks)
        if continued is not None:
            chart.rule(continued - 0.5, y_ticks[0], continued - 0.5, y_ticks[-1], colour="#767676", dash="2 3")
            chart.add(text(chart.x(continued - 0.5) + 4, MARGIN["top"] + 12, "trained on after the search",
                           colour="#595959"))
        described = []
        for k, name, colour, dash in present:
            pts = [(float(e["epoch"]), e[k]) for e in epochs if k in e]
            chart.line(pts, colour, dash=dash)
            for px, py in pts:
                chart.marker(px, py, colour, "circle", 2.5, tip=f"epoch {px:.0f}: {name} {py:.4g}")
            described.append(f"{name} from {pts[0][1]:.4g} to {pts[-1][1]:.4g} over {len(pts)} epochs")
        chart.legend([(name, c, None, d) for _, name, c, d in present], MARGIN["left"], 20)
        caption = ("Epochs of the best trial, including those of the Hyperband trials it resumed from"
                   + ("; the dotted line marks where training continued after the search." if continued else "."))
        out.append({"key": key, "title": title, "caption": caption,
                    "svg": chart.svg(key, title, "; ".join(described) + ".")})
    return out


def feature_importance(record: Any, modality: str) -> dict[str, Any]:
    """The top features of the best gradient-boosting model, as horizontal bars."""
    name = approach_name("gbm", modality)
    title = f"Feature importance: {name}"
    if not record:
        return _missing("feature_importance", title, "not recorded for this run")
    if isinstance(record, dict) and "features" not in record:  # runs before report schema 2: {name: gain share}
        record = {"method": "gain", "features": sorted(record.items(), key=lambda kv: -kv[1]), "note": ""}
    features = [(str(k), float(v)) for k, v in record.get("features", [])][:MAX_BARS]
    if not features:
        return _missing("feature_importance", title, record.get("note") or "no importance was recorded")
    bar, gap, left, top = 14, 6, 200, 40
    height = top + len(features) * (bar + gap) + 40
    high = max(max(v for _, v in features), 1e-12)
    low = min(0.0, min(v for _, v in features))
    ticks = nice_ticks(low, high)
    x = Scale(ticks[0], ticks[-1], left, WIDTH - 60)
    chart = Chart(WIDTH, height, x, Scale(0, 1, height - 30, top))
    for t in ticks:
        chart.add(f'<line x1="{x(t):.1f}" y1="{top - 4}" x2="{x(t):.1f}" y2="{height - 30}" stroke="#d9d9d9"/>')
        chart.add(text(x(t), height - 14, label(t), anchor="middle"))
    for i, (feature, value) in enumerate(features):
        y0 = top + i * (bar + gap)
        start, end = sorted((x(0.0), x(value)))
        chart.add(text(left - 6, y0 + bar - 3, _short(feature, 26), anchor="end", size=11))
        chart.add(rect(start, y0, end - start, bar, OKABE_ITO["blue"], tip=f"{feature}: {value:.4g}"))
        chart.add(text(end + 4, y0 + bar - 3, f"{value:.3g}", size=10))
    method = record.get("method") or "importance"
    chart.add(text(left, 22, f"{method} (top {len(features)})", weight="600"))
    described = ", ".join(f"{k} {v:.3g}" for k, v in features[:10])
    return {"key": "feature_importance", "title": title, "caption": record.get("note", ""),
            "svg": chart.svg("feature_importance", title, f"Top features by {method}: {described}.")}


def comparison_chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Across runs: the deep network's gain over gradient boosting (points) with its interval, one row per run."""
    title = "Deep network minus gradient boosting, test score points, per dataset"
    usable = [r for r in rows if r.get("deep_minus_gbm_points") is not None]
    if not usable:
        return _missing("datasets", title, "no run has both approaches scored on a 0-1 metric")
    bar, left, top = 26, 200, 40
    height = top + len(usable) * bar + 50
    values = [v for r in usable for v in (r["deep_minus_gbm_points"], r.get("low_points"), r.get("high_points"))
              if v is not None] + [0.0]
    ticks = nice_ticks(min(values), max(values))
    x = Scale(ticks[0], ticks[-1], left, WIDTH - 30)
    chart = Chart(WIDTH, height, x, Scale(0, 1, height - 40, top))
    for t in ticks:
        chart.add(f'<line x1="{x(t):.1f}" y1="{top - 6}" x2="{x(t):.1f}" y2="{height - 40}" stroke="#d9d9d9"/>')
        chart.add(text(x(t), height - 24, label(t), anchor="middle"))
    chart.add(f'<line x1="{x(0):.1f}" y1="{top - 6}" x2="{x(0):.1f}" y2="{height - 40}" stroke="{INK}"/>')
    chart.add(text((left + WIDTH - 30) / 2, height - 6, "points (right: the network is better)", anchor="middle"))
    described = []
    for i, r in enumerate(usable):
        cy = top + i * bar + bar / 2
        chart.add(text(left - 8, cy + 4, _short(r["dataset"], 26), anchor="end"))
        if r.get("low_points") is not None:
            chart.add(f'<line x1="{x(r["low_points"]):.1f}" y1="{cy:.1f}" x2="{x(r["high_points"]):.1f}" '
                      f'y2="{cy:.1f}" stroke="{INK}" stroke-width="2"/>')
        value = r["deep_minus_gbm_points"]
        colour = APPROACH_COLOURS["deep"] if value > 0 else APPROACH_COLOURS["gbm"]
        chart.add(f'<circle cx="{x(value):.1f}" cy="{cy:.1f}" r="5" fill="{colour}">'
                  f'<title>{esc(r["dataset"])}: {value:+.1f} points</title></circle>')
        described.append(f"{r['dataset']}: {value:+.1f} points")
    chart.legend([("network better", APPROACH_COLOURS["deep"], "circle", None),
                  ("gradient boosting better", APPROACH_COLOURS["gbm"], "circle", None)], left, 20)
    return {"key": "datasets", "title": title, "svg": chart.svg("datasets", title, "; ".join(described) + "."),
            "caption": "Dots are the test-score difference, lines its 95% paired bootstrap interval; an interval "
                       "crossing zero means the test rows cannot tell the two apart."}

