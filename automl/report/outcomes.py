"""Charts of what the finalists predicted on the test rows: confusion matrices, per-class scores, ROC,
precision-recall and calibration curves, residuals. Pure.

Each returns ``{"key", "title", "caption", "svg"}`` (or ``"missing"`` with the
reason); ``styles`` maps each approach to its label, colour, marker and dash.

Example:
    >>> from automl.report.plots import styles
    >>> s = styles({"classical": {"kind": "classical", "noun": "gradient boosting"}})
    >>> regression({"missing": "no file"}, s)[0]["missing"]
    'no file'
"""

from __future__ import annotations

from typing import Any

from .plots import (
    MARGIN,
    MAX_BARS,
    WIDTH,
    Style,
    _frame,
    _legend,
    _missing,
    _short,
    _x_scale,
    _y_scale,
)
from .svg import INK, OKABE_ITO, Chart, Scale, esc, nice_ticks, rect, text, tick_labels, wrap


def classification(evaluation: dict[str, Any], styles: dict[str, Style]) -> list[dict[str, Any]]:
    """A confusion matrix and a per-class precision/recall/F1 chart for each approach."""
    if "missing" in evaluation or not evaluation.get("approaches"):
        why = evaluation.get("missing", "no test predictions were recorded")
        return [_missing("confusion", "Confusion matrix", why), _missing("per_class", "Per-class scores", why)]
    out = []
    labels = evaluation["labels"]
    shown = [labels[i] for i in evaluation.get("shown", range(len(labels)))]
    for approach, data in evaluation["approaches"].items():
        out.append(confusion(approach, data["confusion"], shown, styles, evaluation.get("note"),
                             data.get("confusion_weight")))
    for approach, data in evaluation["approaches"].items():
        out.append(per_class(approach, data["per_class"], styles))
    return out


def _blend(share: float) -> str:
    """White to Okabe-Ito blue, by ``share`` in [0, 1]."""
    r0, g0, b0 = 0xFF, 0xFF, 0xFF
    r1, g1, b1 = 0x00, 0x72, 0xB2
    s = max(0.0, min(1.0, share))
    return "#{:02x}{:02x}{:02x}".format(*(round(a + (b - a) * s) for a, b in ((r0, r1), (g0, g1), (b0, b1))))


def confusion(approach: str, matrix: list[list[int]], labels: list[str], styles: dict[str, Style],
              note: str | None = None, weighed: list[list[float]] | None = None) -> dict[str, Any]:
    """The rows counted in each (actual, predicted) cell; shaded by the cell's share of its actual class, in rows,
    or with ``weighed`` (the cells' weights, ``--weight``) in weight."""
    name = styles[approach].label
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
        shading = row if weighed is None else weighed[i]
        total = sum(shading) or 1
        parts.append(text(left - 6, top + cell * i + cell / 2 + 4, _short(labels[i], 20), anchor="end", size=size))
        for j, count in enumerate(row):
            share = shading[j] / total
            of = "of the row" if weighed is None else "of the row's weight"
            parts.append(rect(left + cell * j, top + cell * i, cell, cell, _blend(share), stroke="#ffffff",
                              tip=f"actual {labels[i]}, predicted {labels[j]}: {count} ({share:.0%} {of})"))
            if cell >= 22:
                parts.append(text(left + cell * j + cell / 2, top + cell * i + cell / 2 + 4, count, anchor="middle",
                                  colour="#ffffff" if share > 0.5 else INK, size=size))
        described.append(f"{labels[i]}: {row[i]} of {sum(row)} right")
    caption = "Rows are the actual classes, columns the predicted ones; shading is the share of each row."
    if weighed is not None:
        caption = ("Rows are the actual classes, columns the predicted ones; the numbers count test rows, and shading "
                   "is the share of each row's weight (`weight`), as the scores weigh them.")
    if note:
        caption += " " + note
    key = f"confusion_{approach}"
    return {"key": key, "title": title, "caption": caption,
            "svg": wrap(key, width, height, title, "; ".join(described) + ".", "".join(parts))}


def per_class(approach: str, rows: list[dict[str, Any]], styles: dict[str, Style]) -> dict[str, Any]:
    name = styles[approach].label
    title = f"Per-class precision, recall and F1: {name}"
    rows = sorted(rows, key=lambda r: -r["support"])[:MAX_BARS]
    series = [("precision", OKABE_ITO["blue"]), ("recall", OKABE_ITO["orange"]), ("f1", OKABE_ITO["green"])]
    bar, gap = 8, 10
    left, top = 170, 40
    height = top + len(rows) * (3 * bar + gap) + 40
    x = Scale(0.0, 1.0, left, WIDTH - 40)
    chart = Chart(WIDTH, height, x, Scale(0, 1, height - 30, top))
    parts = []
    ticks = nice_ticks(0.0, 1.0)
    for t, shown in zip(ticks, tick_labels(ticks)):
        parts.append(f'<line x1="{x(t):.1f}" y1="{top - 4}" x2="{x(t):.1f}" y2="{height - 30}" stroke="#d9d9d9"/>')
        parts.append(text(x(t), height - 14, shown, anchor="middle"))
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
    if rows and "weight" in rows[0]:
        caption += " Each test row counts its weight (`weight`), as the scores do."
    described = "; ".join(f"{r['label']}: precision {r['precision']:.2f}, recall {r['recall']:.2f}, "
                          f"F1 {r['f1']:.2f}" for r in rows)
    key = f"per_class_{approach}"
    return {"key": key, "title": title, "caption": caption, "svg": chart.svg(key, title, described + ".")}


def regression(evaluation: dict[str, Any], styles: dict[str, Style]) -> list[dict[str, Any]]:
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
        colour, shape = styles[approach].colour, styles[approach].marker
        for actual, pred in d["points"]:
            scatter.marker(actual, pred, colour, shape, 3, opacity=0.6)
            spread.marker(pred, actual - pred, colour, shape, 3, opacity=0.6)
        described.append(f"{styles[approach].label}: residual mean {d['residual_mean']:.4g}, "
                         f"spread {d['residual_sd']:.4g}")
    _legend(scatter, [styles[a] for a in data], lines=False)
    _legend(spread, [styles[a] for a in data], lines=False)
    note = (" " + evaluation["note"]) if evaluation.get("note") else ""
    return [
        {"key": "predicted_actual", "title": titles[0], "svg": scatter.svg("predicted_actual", titles[0],
                                                                            "; ".join(described) + "."),
         "caption": "Points on the dashed diagonal are predicted exactly." + note},
        {"key": "residuals", "title": titles[1], "svg": spread.svg("residuals", titles[1], "; ".join(described) + "."),
         "caption": "A good model's residuals scatter evenly around the dashed zero line." + note},
    ]


def probability_curves(curves: dict[str, Any], styles: dict[str, Style], metric: str = "") -> list[dict[str, Any]]:
    """ROC, precision-recall and reliability curves (``evaluation["curves"]``), every finalist on each chart."""
    titles = {"roc": "ROC curve on the test rows", "precision_recall": "Precision against recall on the test rows",
              "calibration": "Calibration: predicted probability against observed frequency"}
    if "average" not in curves:
        why = curves.get("missing") or "not recorded in this report"
        return [_missing(key, title, why) for key, title in titles.items()]
    data = curves["approaches"]
    which = (f"positive class {curves['positive']}" if curves["average"] == "binary"
             else "every class one-vs-rest, micro-averaged")
    out = []
    for key, title in titles.items():
        chart = _frame(_x_scale(0.0, 1.0), _y_scale(0.0, 1.0))
        ticks = nice_ticks(0.0, 1.0)
        described = []
        if key == "roc":
            chart.axes("false positive rate", "true positive rate", ticks, ticks)
            chart.rule(0.0, 0.0, 1.0, 1.0, colour="#767676", dash="4 3")
        elif key == "precision_recall":
            chart.axes("recall", "precision", ticks, ticks)
            prevalence = next(iter(data.values()))["pr"]["prevalence"]
            chart.rule(0.0, prevalence, 1.0, prevalence, colour="#767676", dash="4 3")
        else:
            chart.axes("mean predicted probability" + ("" if curves["average"] == "binary" else " of the top class"),
                       "observed frequency" if curves["average"] == "binary" else "share right", ticks, ticks)
            chart.rule(0.0, 0.0, 1.0, 1.0, colour="#767676", dash="4 3")
        legend = []
        for approach, c in data.items():
            s = styles[approach]
            if key == "roc":
                chart.line([(a, b) for a, b in c["roc"]["points"]], s.colour, dash=s.dash)
                shown = f"{s.label} (AUC {c['roc']['auc']:.3f})"
            elif key == "precision_recall":
                chart.line([(a, b) for a, b in c["pr"]["points"]], s.colour, dash=s.dash, step=True)
                shown = f"{s.label} (AP {c['pr']['average_precision']:.3f})"
            else:
                points = c["calibration"]["points"]
                chart.line([(a, b) for a, b, _ in points], s.colour, dash=s.dash)
                for a, b, n in points:
                    chart.marker(a, b, s.colour, s.marker, 3.5, tip=f"{s.label}: predicted {a:.2f}, observed {b:.2f} "
                                                                    f"({n} rows)")
                shown = s.label
            legend.append((shown, s.colour, None, s.dash))
            described.append(shown)
        chart.legend(legend, MARGIN["left"], 20)
        caption = {
            "roc": f"Each curve sweeps the decision threshold ({which}); the dashed diagonal is guessing. AUC is the "
                   "area under the curve: 1 is perfect, 0.5 chance.",
            "precision_recall": f"Precision against recall as the threshold sweeps ({which}); the dashed line is the "
                                "share of positives, what guessing gets. AP is the average precision.",
            "calibration": "Test rows grouped in ten bins of predicted probability"
                           + (f" of {curves['positive']}" if curves["average"] == "binary" else " of the top class")
                           + "; on the dashed diagonal the probabilities mean what they say. Below it they are too "
                             "high (over-confident), above it too low.",
        }[key]
        title = f"{title} ({which})" if key != "calibration" else title
        out.append({"key": key, "title": title, "caption": caption,
                    "svg": chart.svg(key, title, "; ".join(described) + ".")})
    return out
