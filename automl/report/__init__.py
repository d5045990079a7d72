"""Build the report of a run directory and render it as JSON, Markdown and self-contained HTML.

``build`` turns the run's files (run.json, trials.jsonl, test_predictions.csv) into one
JSON-serialisable dict, the schema of ``report.json`` (``report.schema.json`` beside this
file, documented in docs/report.md). ``render`` draws it: HTML with the charts as inline
SVG and styles inline, Markdown with the charts as SVG files under ``plots/``.
``compare`` does the same for several runs, one row per dataset. Nothing here loads a
model or imports TensorFlow.

Example:
    >>> write_reports("runs/adult-20260101-000000")   # doctest: +SKIP
    >>> write_comparison(["runs/adult-...", "runs/wine-..."], "comparison")   # doctest: +SKIP
"""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path
from typing import Any

from ..metrics import LABELS, greater_is_better
from ..prices import Prices, resolve
from ..run.integrity import read_record, report_checks
from ..run.record import upgrade_predictions, upgrade_trial
from ..run.rundir import atomic_write_text
from .columns import column_summaries
from .costs import costs
from .evaluation import evaluate, interval, read_predictions
from .speed import speed
from .trail import trail
from .verdict import comparison, interrupted, verdict

SCHEMA_VERSION = 3
FORMATS = ("html", "md", "json")
PLOTS = "plots"  # folder of SVG files beside report.md
SCHEMA_FILE = Path(__file__).with_name("report.schema.json")


def build(run_dir: str | Path, price: Any = None) -> dict[str, Any]:
    """The report's content, from the files of a run directory (of any format: older ones are upgraded).

    Prices: ``price`` (``"cpu=...,gpu=..."``) over those the run recorded; runs that recorded none
    use the config files or the defaults (``automl.prices``).
    """
    run_dir = Path(run_dir)
    record = read_record(run_dir, report_checks()).to_dict()  # DamagedRunError when run.json is not fit's
    metric = record["plan"]["metric"]
    finalists = sorted([f for f in record["finalists"] if not _is_baseline(f)],
                       key=lambda f: _rank(f["test_scores"].get(metric), metric))
    trials = _read_trials(run_dir / "trials.jsonl")
    money = costs(finalists, record["hardware"], _prices(record, price))
    frame = read_predictions(run_dir)
    frame = None if frame is None else upgrade_predictions(frame)
    seed, classes = record["seed"], record["classes"]
    named = approaches(record)
    python = not str(record.get("command") or "automl").startswith("automl")  # fitted from Python: its words
    summary = comparison(finalists, metric, money["approaches"], None)
    if summary is not None:
        summary = comparison(finalists, metric, money["approaches"],
                             interval(frame, record["task"], classes, metric, summary["winner"], summary["loser"],
                                      seed, record.get("decisions")))
    return {
        "schema_version": SCHEMA_VERSION, "kind": "run", "generator": f"automl {_version()}",
        "dataset": record["data"]["name"], "status": record["status"],
        "verdict": interrupted(record, str(run_dir), python) or verdict(
            finalists, metric, record["data"]["name"], summary, record.get("baseline"), record.get("best"), python),
        "comparison": summary, "approaches": named, "task": record["task"], "modality": record["modality"],
        "target": record["target"], "classes": classes, "metric": metric, "metric_label": LABELS[metric],
        "greater_is_better": greater_is_better(metric), "budget_seconds": record["budget_seconds"],
        "total_seconds": record.get("total_seconds"), "leaderboard": finalists, "costs": money,
        "trial_counts": {a: sum(1 for t in trials if t["approach"] == a) for a in record.get("spend", {})},
        "anytime": _anytime(trials, metric),
        "evaluation": evaluate(frame, record["task"], classes, [a for a in named if named[a]["kind"] != "blend"],
                               seed, record.get("decisions")),
        "training_curves": record.get("training_curves", {}),
        "feature_importance": _importance(record.get("feature_importance", {})),
        "trail": trail(record, trials), "spend": record.get("spend", {}), "profile": record["profile"],
        "plan": record["plan"], "hardware": record["hardware"], "versions": record["versions"],
        "cost_formula": money["formula"], "errors": record.get("errors", []),
        "skipped_files": record.get("skipped_files", []), "seed": seed, "command": record.get("command", ""),
        "split": record.get("split", {}), "best": record.get("best"), "selection": record.get("selection"),
        "deployed": record.get("deployed"), "sessions": record.get("sessions") or [],
        "baseline": baseline(record, run_dir), "trials": _trial_points(trials),
        "columns": column_summaries(record, run_dir), "usage": usage(run_dir, record),
        "speed": speed(trials, _unit(record["modality"])),
    }


def baseline(record: dict[str, Any], run_dir: Path) -> dict[str, Any] | None:
    """The majority-class (or mean) baseline's row, never a finalist: from run.json (``baseline``, or a finalist
    named so) or else leaderboard.csv; None when the run recorded none.

    Its ``test_scores`` and ``val_score`` are what guessing gets, the floor every finalist should clear.
    """
    found = record.get("baseline") or next((f for f in record.get("finalists", []) if _is_baseline(f)), None)
    if isinstance(found, dict) and found.get("test_scores") is not None:
        return {"approach": "baseline", "model": str(found.get("model") or "baseline"),
                "test_scores": dict(found["test_scores"]), "val_score": found.get("val_score"),
                "notes": [str(n) for n in found.get("notes") or []]}
    table = run_dir / "leaderboard.csv"
    if not table.is_file():
        return None
    import csv

    with open(table, newline="", encoding="utf-8") as fh:
        row = next((r for r in csv.DictReader(fh) if r.get("approach") == "baseline"), None)
    if row is None:
        return None
    scores = {k.removeprefix("test_"): _number(v) for k, v in row.items() if k and k.startswith("test_")}
    return {"approach": "baseline", "model": row.get("model") or "baseline", "test_scores": scores,
            "val_score": _number(row.get("val_score")), "notes": []}


def usage(run_dir: Path, record: dict[str, Any]) -> dict[str, str]:
    """How to predict with this run: the shell command and the Python lines, with the run's real path."""
    import shlex

    path = str(Path(run_dir).resolve())
    source = Path(str((record.get("data") or {}).get("source", "")))
    new = "new_files/" if record.get("modality") in ("image", "audio") and not source.suffix else "new.csv"
    return {"cli": f"automl predict {shlex.quote(path)} {new} -o predictions.csv",
            "python": f"import automl\np = automl.load({path!r})\npredictions = p.predict_frame({new!r})"}


def approaches(record: dict[str, Any]) -> dict[str, dict[str, str]]:
    """What each approach of a run is: its kind (classical, deep or blend) and what a sentence calls it, the
    finalist's noun (what its model turned out to be: ``ridge regression with gradient boosting``) over the plan's
    (what the route searches: ``gradient boosting``)."""
    named = {a["name"]: {"kind": a.get("kind", "classical"), "noun": a.get("noun") or a["name"]}
             for a in record["plan"].get("approaches", []) if not _is_baseline(a)}
    for f in record["finalists"]:
        if _is_baseline(f):
            continue
        entry = named.setdefault(f["approach"], {"kind": f.get("kind", "classical"), "noun": f["approach"]})
        entry["noun"] = f.get("noun") or entry["noun"]
    return named


def write_reports(run_dir: str | Path, formats: tuple[str, ...] = FORMATS, price: Any = None,
                  out: str | Path | None = None) -> list[Path]:
    """Render and atomically write ``report.<format>`` files (into ``out``, default the run directory).

    Markdown's charts go to ``plots/*.svg`` beside it. Returns the report files' paths.
    """
    return write(build(run_dir, price), Path(out) if out is not None else Path(run_dir), formats)


def write_comparison(run_dirs: list[str | Path], out: str | Path, formats: tuple[str, ...] = FORMATS,
                     price: Any = None) -> list[Path]:
    """One report across several runs, datasets as rows, written into ``out``."""
    from .compare import compare

    return write(compare([(Path(r).name, build(r, price)) for r in run_dirs]), Path(out), formats)


def write(report: dict[str, Any], folder: Path, formats: tuple[str, ...] = FORMATS) -> list[Path]:
    """Write ``report`` in ``formats`` into ``folder``; returns the report files' paths."""
    written = []
    for fmt in formats:
        path = folder / f"report.{fmt}"
        if fmt == "md":
            for figure in _figures(report):
                if "svg" in figure:
                    from .svg import standalone

                    atomic_write_text(folder / PLOTS / f"{figure['key']}.svg", standalone(figure["svg"]))
        atomic_write_text(path, render(report, fmt))
        written.append(path)
    return written


def render(report: dict[str, Any], fmt: str) -> str:
    """The report as ``json``, ``md`` or ``html`` text."""
    if fmt == "json":
        return json.dumps(report, indent=2) + "\n"
    import jinja2
    from markupsafe import Markup

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("automl.report", "templates"),
        autoescape=fmt == "html",  # every string from the data is escaped in HTML
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(_filters())
    if fmt == "md":  # "$1 ... $2" would be read as maths by some Markdown renderers
        env.filters["usd"] = lambda v, usd=env.filters["usd"]: usd(v).replace("$", "\\$")
        env.filters["md"] = lambda v: _md(v).replace("$", "\\$")
    figures = _figures(report)
    for figure in figures:
        if "svg" in figure:
            figure["svg"] = Markup(figure["svg"])  # built by automl.report.svg, where every text is escaped
    name = "compare" if report.get("kind") == "comparison" else "report"
    template = env.get_template(f"{name}.{'html' if fmt == 'html' else 'md'}.j2")
    return template.render(r=report, figures=figures, metrics_of=_metrics_of(report), plots=PLOTS,
                           sparks=_sparks(report) if fmt == "html" else {})


def _sparks(report: dict[str, Any]) -> dict[str, Any]:
    """Each numeric column's histogram as inline SVG, by column name."""
    from markupsafe import Markup

    from .plots import sparkline

    summaries = (report.get("columns") or {}).get("columns") or {}
    drawn = {name: sparkline(s, name, f"spark-{i}") for i, (name, s) in enumerate(summaries.items())}
    return {name: Markup(svg) for name, svg in drawn.items() if svg}  # built by automl.report.svg, escaped


def _figures(report: dict[str, Any]) -> list[dict[str, Any]]:
    from . import plots

    if report.get("kind") == "comparison":
        return [plots.comparison_chart(report["rows"])]
    return plots.figures(report)


def _filters() -> dict[str, Any]:
    from .svg import label
    from markupsafe import Markup

    from .gain import gain_svg, gain_text
    from .verdict import _times, _usd

    return {
        "num": _num,
        "short": lambda v: "n/a" if v is None else label(v),
        "secs": lambda s: "n/a" if s is None else (f"{s:.1f}s" if s < 60 else f"{s / 60:.1f} min"),
        "mb": lambda b: "n/a" if b is None else f"{b / 2**20:.2f} MB",
        "md": _md,
        "usd": _usd,
        "wh": lambda v: "not recorded" if v is None else (f"{v:.3g} Wh" if v >= 0.001 else f"{v * 1000:.3g} mWh"),
        "gain_svg": lambda c, label, named=None: Markup(gain_svg(c, label, named) or ""),  # .gain escapes its text
        "gain_text": lambda c, named=None: gain_text(c, 72, named) or "",
        "ratio": lambda v: "n/a" if v is None else _times(v),  # "18.0x less": N >= 1, as the verdict writes it
        "or_nr": lambda v: "not recorded" if v is None else v,
        "fixed": lambda v, digits=1: "not recorded" if v is None else f"{v:.{digits}f}",
        "pct": lambda v: "n/a" if v is None else f"{v:.0%}",
        "measure": lambda v, unit="": "–" if v is None else f"{v:,.0f}{unit}",  # a speed table's cell
    }


def _md(value: Any) -> str:
    """Text safe in a Markdown table cell or paragraph: no HTML, no links, no table breaks.

    >>> _md("<b>|[x](y)*_")
    '&lt;b&gt;\\\\|\\\\[x\\\\](y)\\\\*_'
    """
    text = str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for ch in "\\`*[]|":
        text = text.replace(ch, "\\" + ch)
    return text.replace("\n", " ")


def _metrics_of(report: dict[str, Any]) -> list[str]:
    if report.get("kind") == "comparison":
        return []
    first = report["leaderboard"][0]["test_scores"] if report["leaderboard"] else {}
    main = report["metric"]
    return [main] + [m for m in first if m != main]


def _read_trials(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [upgrade_trial(json.loads(line)) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _is_baseline(finalist: dict[str, Any]) -> bool:
    return finalist.get("approach") == "baseline" or finalist.get("kind") == "baseline"


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number else None  # NaN: not scored


def _unit(modality: str) -> str:
    """What one example of ``modality`` is called (images, clips, rows); rows for one this process lacks."""
    from ..errors import ConfigError
    from ..registry import modality as registered

    try:
        return registered(modality).unit
    except ConfigError:  # a modality a plugin registered in the process that wrote the run
        return "rows"


def _trial_points(trials: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every trial, scored or not: approach, model, when it ended (seconds since the run started), its score;
    a network trained again on every training row (no validation score: it has seen those rows) is marked."""
    return [{"approach": t["approach"], "model": str(t.get("model", "?")), "ended": t.get("ended"),
             "val_score": t.get("val_score") if t.get("status") == "ok" else None,
             **({"refit": True} if (t.get("extra") or {}).get("refit") else {})} for t in trials]


def _rank(score: float | None, metric: str) -> tuple[bool, float]:
    """Sort key: best test score first, missing scores last."""
    return score is None, -(score or 0) if greater_is_better(metric) else (score or 0)


def _prices(record: dict[str, Any], price: Any) -> Prices:
    recorded = record.get("prices")
    base = Prices.from_dict(recorded) if recorded else None
    return resolve(price, base=base) if price is not None or base is None else base


def _anytime(trials: list[dict[str, Any]], metric: str) -> dict[str, list[list[float]]]:
    """Best validation score so far against elapsed run seconds, per approach (one point per improvement)."""
    out: dict[str, list[list[float]]] = {}
    last: dict[str, list[float]] = {}
    for t in trials:
        best = t.get("best_so_far")
        if best is None:
            continue
        points = out.setdefault(t["approach"], [])
        if not points or points[-1][1] != best:
            points.append([t["ended"], best])
        last[t["approach"]] = [t["ended"], best]
    for approach, point in last.items():  # the flat tail up to the approach's last trial
        if out[approach][-1] != point:
            out[approach].append(point)
    return out


def _importance(recorded: dict[str, Any]) -> dict[str, Any]:
    """Per approach ``{"method", "features": [[name, value]], "note"}``; runs before schema 2 stored
    ``{name: gain}``."""
    out = {}
    for approach, value in (recorded or {}).items():
        if isinstance(value, dict) and "features" in value:
            out[approach] = value
        elif isinstance(value, dict):
            ranked = sorted(value.items(), key=lambda kv: -kv[1])
            out[approach] = {"method": "gain" if ranked else None, "features": [[k, v] for k, v in ranked],
                             "note": "" if ranked else "This model does not expose feature importance."}
    return out


def _version() -> str:
    try:
        return metadata.version("automl")
    except metadata.PackageNotFoundError:
        return "unknown"


def _num(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.4f}" if abs(value) < 1000 else f"{value:,.1f}"
    return str(value)
