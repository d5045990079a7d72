"""Build the report of a run directory and render it as JSON, Markdown and self-contained HTML.

Example:
    >>> write_reports("runs/adult-20260101-000000")   # doctest: +SKIP
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..cost import PRICE_SOURCE
from ..metrics import LABELS, greater_is_better
from ..rundir import atomic_write_text
from .verdict import verdict

SCHEMA_VERSION = 1
FORMATS = ("html", "md", "json")


def build(run_dir: str | Path) -> dict[str, Any]:
    """The report's content, from the files of a run directory."""
    run_dir = Path(run_dir)
    record = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    plan = record["plan"]
    metric = plan["metric"]
    finalists = sorted(
        record.get("finalists", []),
        key=lambda f: (f["test_scores"].get(metric) is None,
                       -(f["test_scores"].get(metric) or 0) if greater_is_better(metric) else (f["test_scores"].get(metric) or 0)),
    )
    trials = _read_trials(run_dir / "trials.jsonl")
    return {
        "schema_version": SCHEMA_VERSION,
        "dataset": record["data"]["name"],
        "status": record["status"],
        "verdict": verdict(finalists, metric, record["data"]["name"], record["modality"]),
        "task": record["task"],
        "modality": record["modality"],
        "target": record["target"],
        "metric": metric,
        "metric_label": LABELS[metric],
        "budget_seconds": record["budget_seconds"],
        "total_seconds": record.get("total_seconds"),
        "leaderboard": finalists,
        "trial_counts": {a: sum(1 for t in trials if t["approach"] == a) for a in record.get("spend", {})},
        "anytime": _anytime(trials, metric),
        "spend": record.get("spend", {}),
        "profile": record["profile"],
        "plan": plan,
        "hardware": record["hardware"],
        "versions": record["versions"],
        "cost_formula": f"cost = training hours x (CPU cores x core-hour price + GPU-hour price if a GPU was used); {PRICE_SOURCE}",
        "feature_importance": record.get("feature_importance", {}),
        "errors": record.get("errors", []),
        "skipped_files": record.get("skipped_files", []),
        "seed": record["seed"],
        "command": record.get("command", ""),
        "split": record.get("split", {}),
    }


def write_reports(run_dir: str | Path, formats: tuple[str, ...] = FORMATS) -> list[Path]:
    """Render and atomically write ``report.<format>`` files; returns their paths."""
    run_dir = Path(run_dir)
    report = build(run_dir)
    written = []
    for fmt in formats:
        path = run_dir / f"report.{fmt}"
        atomic_write_text(path, render(report, fmt))
        written.append(path)
    return written


def render(report: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(report, indent=2) + "\n"
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("automl.report", "templates"),
        autoescape=fmt == "html",  # every string from the data is escaped in HTML
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = _num
    env.filters["secs"] = lambda s: "n/a" if s is None else (f"{s:.1f}s" if s < 60 else f"{s / 60:.1f} min")
    env.filters["mb"] = lambda b: f"{b / 2**20:.2f} MB"
    env.filters["md"] = lambda s: str(s).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
    template = env.get_template("report.html.j2" if fmt == "html" else "report.md.j2")
    return template.render(r=report, metrics_of=_metrics_of(report))


def _metrics_of(report: dict[str, Any]) -> list[str]:
    first = report["leaderboard"][0]["test_scores"] if report["leaderboard"] else {}
    main = report["metric"]
    return [main] + [m for m in first if m != main]


def _read_trials(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _anytime(trials: list[dict[str, Any]], metric: str) -> dict[str, list[list[float]]]:
    """Best validation score so far against elapsed run seconds, per approach."""
    out: dict[str, list[list[float]]] = {}
    for t in trials:
        if t.get("best_so_far") is not None:
            out.setdefault(t["approach"], []).append([t["ended"], t["best_so_far"]])
    return out


def _num(value: Any) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.4f}" if abs(value) < 1000 else f"{value:,.1f}"
    return str(value)
