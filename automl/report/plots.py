"""The report's charts, each drawn from the report's data as an accessible inline SVG. Pure.

``figures(report)`` returns, in reading order, one entry per chart:
``{"key", "title", "caption", "svg"}``, or ``{"key", "title", "missing"}`` saying
why a chart could not be drawn (an old run, a single approach, a regression
task has no confusion matrix, ...). Every approach gets a ``Style`` (label,
colour, marker, dash): the first classical and the first deep approach keep
their usual blue and vermillion, the blend purple, any other the next colour.
Charts of the test-row predictions live in ``outcomes``.

Example:
    >>> s = styles({"classical": {"kind": "classical", "noun": "gradient boosting"}})
    >>> fig = anytime({"classical": [[1.0, 0.8], [2.0, 0.9]]}, "accuracy", s)
    >>> fig["key"], "<svg" in fig["svg"], "gradient boosting" in fig["svg"]
    ('anytime', True, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..metrics import LABELS, greater_is_better
from .svg import (
    INK,
    OKABE_ITO,
    Chart,
    Scale,
    esc,
    label,
    log_ticks,
    nice_ticks,
    rect,
    text,
    tick_labels,
    wrap,
)
from .verdict import kind_of, noun

WIDTH, HEIGHT = 640, 330
MARGIN = {"left": 64, "right": 20, "top": 36, "bottom": 50}
MAX_BARS = 20
LABEL_CHARS = 22
KIND_STYLES = {"classical": (OKABE_ITO["blue"], "circle", None), "deep": (OKABE_ITO["vermillion"], "square", "6 3"),
               "blend": (OKABE_ITO["purple"], "diamond", "2 3")}
MORE_STYLES = [(OKABE_ITO[c], m, d) for c, m, d in (("green", "circle", "4 2"), ("orange", "square", "1 2"),
                                                      ("sky_blue", "diamond", "8 2"), ("black", "circle", "3 3"))]


@dataclass(frozen=True)
class Style:
    label: str
    colour: str
    marker: str
    dash: str | None


def styles(approaches: dict[str, dict[str, str]]) -> dict[str, Style]:
    """A style per approach (``report["approaches"]``: name -> kind and noun)."""
    out: dict[str, Style] = {}
    taken: set[str] = set()
    more = iter(MORE_STYLES * 4)
    models = sum(1 for a in approaches.values() if a["kind"] != "blend")
    for name, a in approaches.items():
        kind = a["kind"]
        colour, marker, dash = KIND_STYLES[kind] if kind not in taken and kind in KIND_STYLES else next(more)
        taken.add(kind)
        shown = "blend of both" if kind == "blend" and models == 2 else a["noun"].removeprefix("the ")
        out[name] = Style(shown, colour, marker, dash)
    return out


def figures(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Every chart of a run's report, in reading order."""
    from .outcomes import classification, probability_curves, regression

    metric, leaderboard = report["metric"], report.get("leaderboard", [])
    named = report.get("approaches") or {f["approach"]: {"kind": kind_of(f), "noun": noun(f)} for f in leaderboard}
    found = styles(named)
    for name in report.get("anytime", {}):  # trials of an approach the run did not list
        found.setdefault(name, Style(name, INK, "circle", None))
    out = [anytime(report.get("anytime", {}), metric, found),
           trial_points(report.get("trials") or [], metric, named),
           cost_vs_score(leaderboard, report.get("costs"), metric, found)]
    evaluation = report.get("evaluation") or {}
    out += (regression if report["task"] == "regression" else classification)(evaluation, found)
    if report["task"] != "regression":
        out += probability_curves(evaluation.get("curves") or evaluation, found, metric)
    deep = next((f["approach"] for f in leaderboard if kind_of(f) == "deep" and f["approach"] in
                 (report.get("training_curves") or {})), None)
    out += training_curves((report.get("training_curves") or {}).get(deep) or [], metric)
    importance = report.get("feature_importance") or {}
    shown = [f["approach"] for f in leaderboard if kind_of(f) != "blend" and f["approach"] != "baseline"]
    shown += [a for a in importance if a not in shown]
    for approach in shown or [None]:
        name = found[approach].label if approach in found else "the classical model"
        key = f"feature_importance_{approach}" if approach else "feature_importance"
        out.append(feature_importance(importance.get(approach), name, key, (named.get(approach) or {}).get("noun")))
    return out


def _frame(x: Scale, y: Scale) -> Chart:
    return Chart(WIDTH, HEIGHT, x, y)


def _x_scale(low: float, high: float, log: bool = False) -> Scale:
    return Scale(low, high, MARGIN["left"], WIDTH - MARGIN["right"], log)


def _y_scale(low: float, high: float) -> Scale:
    return Scale(low, high, HEIGHT - MARGIN["bottom"], MARGIN["top"])


def _legend(chart: Chart, shown: list[Style], lines: bool = True) -> None:
    chart.legend([(s.label, s.colour, None if lines else s.marker, s.dash) for s in shown], MARGIN["left"], 20)


def _missing(key: str, title: str, why: str) -> dict[str, Any]:
    return {"key": key, "title": title, "missing": why}


def _short(value: object, chars: int = LABEL_CHARS) -> str:
    s = str(value)
    return s if len(s) <= chars else s[: chars - 1] + "\u2026"


def anytime(curves: dict[str, list[list[float]]], metric: str, styles: dict[str, Style]) -> dict[str, Any]:
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
        s = styles[approach]
        chart.line([(p[0], p[1]) for p in pts], s.colour, dash=s.dash, step=True)
        for px, py in pts:
            chart.marker(px, py, s.colour, s.marker, 3.5, tip=f"{s.label}: {py:.4g} at {px:.1f}s")
        best = pts[-1]
        summary.append(f"{s.label} reached {best[1]:.4g} after {best[0]:.1f} s "
                       f"({len(pts)} trials)")
    _legend(chart, [styles[a] for a in curves])
    caption = ("Each step is a trial that improved the best validation score, on cross-validation or a holdout of "
               "the training rows (see the plan); test rows are never used here.")
    return {"key": "anytime", "title": title, "caption": caption,
            "svg": chart.svg("anytime", title, "; ".join(summary) + ".")}


FAMILY_COLOURS = [OKABE_ITO[c] for c in ("blue", "vermillion", "green", "orange", "sky_blue", "purple", "black")]


def family(model: str) -> str:
    """The model family a trial's model belongs to, as the legend names it.

    >>> family("xgboost"), family("cnn/cnn"), family("text/ngram")
    ('xgboost', 'cnn', 'text')
    """
    return str(model).split("/", 1)[0] or "?"


def trial_points(trials: list[dict[str, Any]], metric: str, approaches: dict[str, dict[str, str]]) -> dict[str, Any]:
    """Every scored trial as a point, validation score against the seconds at which it ended, coloured by model
    family and shaped by approach, under the best-so-far line of the whole run."""
    title = f"Every trial: validation {LABELS[metric]} against elapsed seconds"
    scored = [t for t in trials if t.get("val_score") is not None and t.get("ended") is not None]
    if not scored:
        return _missing("trials", title, "no trial with a validation score was recorded")
    families = list(dict.fromkeys(family(t["model"]) for t in scored))
    colour = {f: FAMILY_COLOURS[i] if i < len(FAMILY_COLOURS) else "#767676" for i, f in enumerate(families)}
    xs, ys = [t["ended"] for t in scored], [t["val_score"] for t in scored]
    y_ticks, x_ticks = nice_ticks(min(ys), max(ys)), nice_ticks(0.0, max(xs))
    chart = _frame(_x_scale(0.0, x_ticks[-1]), _y_scale(y_ticks[0], y_ticks[-1]))
    chart.axes("seconds since the run started", f"validation {LABELS[metric]}", x_ticks, y_ticks)
    better = (lambda a, b: a > b) if greater_is_better(metric) else (lambda a, b: a < b)
    best: list[tuple[float, float]] = []
    for t in sorted(scored, key=lambda t: t["ended"]):
        if not best or better(t["val_score"], best[-1][1]):
            best.append((t["ended"], t["val_score"]))
    best.append((max(xs), best[-1][1]))
    chart.line(best, "#767676", width=1.5, step=True)
    for t in scored:
        kind = (approaches.get(t["approach"]) or {}).get("kind", "classical")
        shape = KIND_STYLES.get(kind, KIND_STYLES["classical"])[1]
        chart.marker(t["ended"], t["val_score"], colour[family(t["model"])], shape, 4, opacity=0.8,
                     tip=f"{t['approach']} {t['model']}: {t['val_score']:.4g} at {t['ended']:.1f}s")
    shown = families[: len(FAMILY_COLOURS)]
    chart.legend([(f, colour[f], "circle", None) for f in shown] + [("best so far", "#767676", None, None)],
                 MARGIN["left"], 20)
    counts = {f: sum(1 for t in scored if family(t["model"]) == f) for f in families}
    refits = sum(1 for t in trials if t.get("refit"))
    failed = len(trials) - len(scored) - refits
    caption = ("One point per trial, coloured by model family; circles are classical models, squares networks. "
               "The grey step is the best validation score so far."
               + (f" {failed} failed trial{'s' if failed > 1 else ''} without a score {'are' if failed > 1 else 'is'} "
                  "not drawn." if failed else "")
               + (f" {refits} network{'s' if refits > 1 else ''} trained again on every training row "
                  f"({'they have' if refits > 1 else 'it has'} no validation score: those rows trained "
                  f"{'them' if refits > 1 else 'it'}) {'are' if refits > 1 else 'is'} not drawn." if refits else ""))
    described = "; ".join(f"{f}: {n} trials" for f, n in counts.items())
    return {"key": "trials", "title": title, "caption": caption, "svg": chart.svg("trials", title, described + ".")}


def sparkline(summary: dict[str, Any], name: str, key: str) -> str:
    """A numeric column's histogram as a small inline SVG (``summary`` from ``automl.report.columns``; ``key``: a
    unique id for its title); "" when there is nothing to draw."""
    counts = summary.get("counts") or []
    if not counts or not max(counts):
        return ""
    width, height, gap = 120, 24, 1
    bar = width / len(counts)
    step = (summary["max"] - summary["min"]) / len(counts)
    parts = []
    for i, count in enumerate(counts):
        if not count:
            continue
        tall = max(1.0, (height - 2) * count / max(counts))
        low = summary["min"] + i * step
        parts.append(rect(i * bar, height - tall, bar - gap, tall, OKABE_ITO["blue"],
                          tip=f"{label(low)} to {label(low + step)}: {count} row{'s' if count > 1 else ''}"))
    described = f"{sum(counts)} values from {label(summary['min'])} to {label(summary['max'])}"
    svg = wrap(key, width, height, f"Histogram of {name}", described, "".join(parts))
    return svg.replace('class="chart"', 'class="spark"', 1)


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
                  styles: dict[str, Style]) -> dict[str, Any]:
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
        s = styles.get(approach, Style(approach, INK, "circle", None))
        name, colour = s.label, s.colour
        chart.marker(cost, score, colour, s.marker, 6,
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


def training_curves(epochs: list[dict[str, Any]], metric: str) -> list[dict[str, Any]]:
    """Loss and validation metric per epoch of the best network (its Hyperband lineage, then any further training)."""
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


def feature_importance(record: Any, name: str, key: str = "feature_importance", noun: str | None = None
                       ) -> dict[str, Any]:
    """The top features of one model (``name``: what the chart calls it; ``noun``: what a sentence does), as
    horizontal bars."""
    title = f"Feature importance: {name}"
    if not record:
        return _missing(key, title, f"not computed for {noun or name} in this run")
    features = [(str(k), float(v)) for k, v in record.get("features", [])][:MAX_BARS]
    if not features:
        return _missing(key, title, record.get("note") or "no importance was recorded")
    bar, gap, left, top = 14, 6, 200, 40
    height = top + len(features) * (bar + gap) + 40
    high = max(max(v for _, v in features), 1e-12)
    low = min(0.0, min(v for _, v in features))
    ticks = nice_ticks(low, high)
    x = Scale(ticks[0], ticks[-1], left, WIDTH - 60)
    chart = Chart(WIDTH, height, x, Scale(0, 1, height - 30, top))
    for t, shown in zip(ticks, tick_labels(ticks)):
        chart.add(f'<line x1="{x(t):.1f}" y1="{top - 4}" x2="{x(t):.1f}" y2="{height - 30}" stroke="#d9d9d9"/>')
        chart.add(text(x(t), height - 14, shown, anchor="middle"))
    for i, (feature, value) in enumerate(features):
        y0 = top + i * (bar + gap)
        start, end = sorted((x(0.0), x(value)))
        chart.add(text(left - 6, y0 + bar - 3, _short(feature, 26), anchor="end", size=11))
        chart.add(rect(start, y0, end - start, bar, OKABE_ITO["blue"], tip=f"{feature}: {value:.4g}"))
        chart.add(text(end + 4, y0 + bar - 3, f"{value:.3g}", size=10))
    method = record.get("method") or "importance"
    chart.add(text(left, 22, f"{method} (top {len(features)})", weight="600"))
    described = ", ".join(f"{k} {v:.3g}" for k, v in features[:10])
    return {"key": key, "title": title, "caption": record.get("note", ""),
            "svg": chart.svg(key, title, f"Top features by {method}: {described}.")}


def comparison_chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Across runs: the best deep model's gain over the best classical one (points) with its interval, one row
    per run."""
    title = "Best deep model minus best classical model, test score points, per dataset"
    usable = [r for r in rows if r.get("deep_minus_classical_points") is not None]
    if not usable:
        return _missing("datasets", title, "no run has both approaches scored on a 0-1 metric")
    bar, left, top = 26, 200, 40
    height = top + len(usable) * bar + 50
    values = [v for r in usable for v in (r["deep_minus_classical_points"], r.get("low_points"), r.get("high_points"))
              if v is not None] + [0.0]
    ticks = nice_ticks(min(values), max(values))
    x = Scale(ticks[0], ticks[-1], left, WIDTH - 30)
    chart = Chart(WIDTH, height, x, Scale(0, 1, height - 40, top))
    for t, shown in zip(ticks, tick_labels(ticks)):
        chart.add(f'<line x1="{x(t):.1f}" y1="{top - 6}" x2="{x(t):.1f}" y2="{height - 40}" stroke="#d9d9d9"/>')
        chart.add(text(x(t), height - 24, shown, anchor="middle"))
    chart.add(f'<line x1="{x(0):.1f}" y1="{top - 6}" x2="{x(0):.1f}" y2="{height - 40}" stroke="{INK}"/>')
    chart.add(text((left + WIDTH - 30) / 2, height - 6, "points (right: the network is better)", anchor="middle"))
    described = []
    for i, r in enumerate(usable):
        cy = top + i * bar + bar / 2
        chart.add(text(left - 8, cy + 4, _short(r["dataset"], 26), anchor="end"))
        if r.get("low_points") is not None:
            chart.add(f'<line x1="{x(r["low_points"]):.1f}" y1="{cy:.1f}" x2="{x(r["high_points"]):.1f}" '
                      f'y2="{cy:.1f}" stroke="{INK}" stroke-width="2"/>')
        value = r["deep_minus_classical_points"]
        colour = KIND_STYLES["deep"][0] if value > 0 else KIND_STYLES["classical"][0]
        chart.add(f'<circle cx="{x(value):.1f}" cy="{cy:.1f}" r="5" fill="{colour}">'
                  f'<title>{esc(r["dataset"])}: {value:+.1f} points</title></circle>')
        described.append(f"{r['dataset']}: {value:+.1f} points")
    chart.legend([("network better", KIND_STYLES["deep"][0], "circle", None),
                  ("classical model better", KIND_STYLES["classical"][0], "circle", None)], left, 20)
    return {"key": "datasets", "title": title, "svg": chart.svg("datasets", title, "; ".join(described) + "."),
            "caption": "Dots are the test-score difference, lines its 95% paired bootstrap interval; an interval "
                       "crossing zero means the test rows cannot tell the two apart."}

