"""Profile + budget + hardware -> Plan, with the reasons as sentences.

Pure and free of ML imports: the same inputs always give the same plan, and
``automl inspect`` shows it without training anything.

Example:
    >>> from automl.inspection import Profile
    >>> from automl.hardware import Hardware
    >>> p = Profile(1000, 5, 0, [], "y", "", "binary", "", "tabular", "", {"a": 500, "b": 500}, 0)
    >>> plan = make_plan(p, 120, Hardware(2, 8 << 30, None))
    >>> [a.name for a in plan.approaches], plan.validation
    (['gbm', 'deep'], 'kfold')
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from .. import registry
from ..budget import format_seconds
from ..errors import ConfigError
from ..hardware import Hardware
from ..data.profile import Profile
from ..metrics import LABELS, check_metric, default_metric

PRIMARY = {"tabular": "gbm", "image": "deep", "text": "deep", "audio": "deep"}
WHY_PRIMARY = {
    "gbm": "gradient boosting is the usual winner on tabular data: strong on structured features, cheap and interpretable",
    "deep": "deep networks learn features from raw images, text and audio end to end",
}
# Share of the search time when both approaches run. The cheap classical side
# always runs first, so a good model exists within seconds; the network gets
# its share plus whatever the classical side leaves unused.
SHARES = {"tabular": {"gbm": 0.45, "deep": 0.55}, "text": {"gbm": 0.25, "deep": 0.75},
          "image": {"gbm": 0.2, "deep": 0.8}, "audio": {"gbm": 0.2, "deep": 0.8}}
RUN_ORDER = ("gbm", "deep")
MIN_DEEP_SECONDS = 20.0
DEEP_SHUTDOWN_SECONDS = 3.0  # measured: TensorFlow takes 2-3 s to exit after a search on 2 cores
KFOLD_MAX_ROWS = 5000
TEXT_RACE_MAX_ROWS = 20000  # above this one 20% split is steady and k-fold TF-IDF refits cost minutes
TEST_FRACTION = 0.2
MAX_TEST_ROWS = 20000


@dataclass
class ApproachPlan:
    name: str
    role: str  # primary | comparison
    label: str
    seconds: float
    reason: str


@dataclass
class Plan:
    modality: str
    task: str
    metric: str
    budget_seconds: float
    reserve_seconds: float
    test_rows: int
    validation: str  # kfold | holdout
    folds: int
    device: str
    approaches: list[ApproachPlan]
    reasons: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    inputs: dict[str, Any] = field(default_factory=dict)  # per-modality input shape, e.g. {"image": {"size": 32, ...}}

    def approach(self, name: str) -> ApproachPlan | None:
        return next((a for a in self.approaches if a.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Plan":
        data = dict(data)
        data["approaches"] = [ApproachPlan(**a) for a in data["approaches"]]
        return cls(**data)


def make_plan(
    profile: Profile, budget_seconds: float, hardware: Hardware, compare: bool = True, metric: str | None = None
) -> Plan:
    """Decide what runs, for how long, validated how, and say why."""
    modality, task = profile.modality, profile.task
    metric = check_metric(metric, task)
    names = registry.available(modality)
    if not names:
        supported = sorted({m for m, _ in registry.ROUTES})
        raise ConfigError(
            f"{modality} data is not supported yet ({profile.modality_reason}). "
            f"This version trains on {', '.join(supported)} data."
        )
    reasons = [profile.modality_reason, profile.target_reason, profile.task_reason]
    skipped: list[str] = []
    metric_why = "it was given with --metric" if metric != default_metric(task) else "it is the default for this task"
    reasons.append(f"The search optimises {LABELS[metric]} because {metric_why}.")

    primary = PRIMARY[modality] if PRIMARY[modality] in names else names[0]
    comparison = next((n for n in names if n != primary), None)
    if not compare and comparison is not None:
        skipped.append(f"The comparison with {registry.describe(modality, comparison)} is off (--no-compare).")
        comparison = None
    running = [n for n in RUN_ORDER if n in (primary, comparison)]
    reserve = round(_reserve(budget_seconds, set(running)), 1)
    seconds = _shares(budget_seconds - reserve, running, modality)
    if "deep" in seconds and len(running) > 1 and seconds["deep"] < MIN_DEEP_SECONDS:
        skipped.append(
            f"The deep {'comparison' if primary != 'deep' else 'search'} is skipped: the budget leaves it "
            f"{format_seconds(seconds['deep'])}, less than the {MIN_DEEP_SECONDS:.0f}s a network needs to load "
            "and train here; raise --budget to include it."
        )
        running = [n for n in running if n != "deep"]
        reserve = round(_reserve(budget_seconds, set(running)), 1)
        seconds = _shares(budget_seconds - reserve, running, modality)
    plans = []
    for name in running:
        label = registry.describe(modality, name)
        if name == primary:
            why = f"Primary: {label}, because {WHY_PRIMARY[name]}"
        elif name == PRIMARY[modality] or primary == "gbm":
            why = f"Comparison: {label} on the same test rows"
        else:
            why = f"Comparison: {label} on the same test rows (the network is the usual winner here)"
        after = " plus whatever runs before it leaves unused" if name != running[0] else ""
        first = " It runs first, so a good model exists within seconds." if name == "gbm" and len(running) > 1 else ""
        plans.append(ApproachPlan(name, "primary" if name == primary else "comparison", label, seconds[name],
                                  f"{why}; {format_seconds(seconds[name])} of the budget{after}.{first}"))
    reasons += [p.reason for p in plans]
    reasons.append(
        f"{format_seconds(reserve)} of the {format_seconds(budget_seconds)} budget is kept for scoring the "
        + ("finalists, saving models, writing the report and TensorFlow's shutdown."
           if "deep" in {p.name for p in plans} else "finalists, saving models and writing the report.")
    )

    n = profile.n_train_rows
    n_classes = len(profile.class_counts or {})
    test_rows = max(min(int(round(n * TEST_FRACTION)), MAX_TEST_ROWS), n_classes)
    train_rows = n - test_rows
    split_kind = "stratified " if task != "regression" else ""
    reasons.append(
        f"{test_rows:,} of {n:,} rows ({test_rows / n:.0%}) are held out as a {split_kind}test set fixed by the "
        "seed; no search sees them, and every finalist is scored on exactly these rows."
    )
    if modality == "text" and "gbm" in running and train_rows <= TEXT_RACE_MAX_ROWS:
        validation, folds = "kfold", 5
        reasons.append(
            f"Classical text candidates are chosen by successive halving over a 5-fold split of the {train_rows:,} "
            "training rows (all on one fold, the better half on two more, the best on all five): on one split of "
            "this size a few rows decide, and linear models on TF-IDF fit in seconds. The network is compared on a "
            "20% validation split (used for early stopping too)."
        )
    elif modality != "tabular":
        validation, folds = "holdout", 1
        reasons.append(
            f"Both approaches are compared on a 20% validation split of the {train_rows:,} training rows "
            "(used for early stopping too)."
        )
    elif train_rows <= KFOLD_MAX_ROWS:
        validation, folds = "kfold", 5
        reasons.append(
            f"Gradient-boosting candidates are compared by 5-fold cross-validation: with {train_rows:,} training "
            "rows a single validation split would be noisy, and each fold is cheap."
        )
    else:
        validation, folds = "holdout", 1
        reasons.append(
            f"Candidates are compared on a 20% validation split of the {train_rows:,} training rows: "
            "large enough to be steady, and k-fold would cost k times more."
        )
    device = "gpu" if hardware.gpu else "cpu"
    inputs: dict[str, Any] = {}
    if modality in ("image", "audio"):
        if modality == "image":
            from ..modalities.image.decode import ImageStats as Stats, choose_spec
        else:
            from ..modalities.audio.decode import AudioStats as Stats, choose_spec
        column = next(c for c in profile.features if c.kind == f"{modality}_path")
        stats = Stats(**{k: v for k, v in column.stats.items() if k != "unreadable"})
        spec, why = choose_spec(stats, budget_seconds, hardware.gpu)
        inputs[modality] = spec.to_dict()
        reasons.append(why)
    reasons.append(f"Training runs on the {device.upper()} ({hardware.describe()}).")
    return Plan(
        modality=modality, task=task, metric=metric, budget_seconds=float(budget_seconds),
        reserve_seconds=reserve, test_rows=test_rows, validation=validation, folds=folds,
        device=device, approaches=plans, reasons=reasons, skipped=skipped, inputs=inputs,
    )


def _reserve(budget_seconds: float, approaches: set[str | None]) -> float:
    """Seconds kept back from the searches for scoring, saving, reporting and exit."""
    base = min(max(3.0, 0.06 * budget_seconds), 60.0)
    return base + (DEEP_SHUTDOWN_SECONDS if "deep" in approaches else 0.0)


def _shares(usable: float, running: list[str], modality: str) -> dict[str, float]:
    """Seconds per approach, rounded to 0.1 s, summing to ``usable``."""
    if len(running) == 1:
        return {running[0]: round(usable, 1)}
    first = round(usable * SHARES[modality][running[0]], 1)
    return {running[0]: first, running[1]: round(usable - first, 1)}
