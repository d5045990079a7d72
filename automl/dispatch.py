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

from . import routes
from .budget import format_seconds
from .errors import ConfigError
from .hardware import Hardware
from .inspection import Profile
from .metrics import LABELS, check_metric, default_metric

PRIMARY = {"tabular": "gbm", "image": "deep", "text": "deep", "audio": "deep"}
WHY_PRIMARY = {
    "gbm": "gradient boosting is the usual winner on tabular data: strong on structured features, cheap and interpretable",
    "deep": "deep networks learn features from raw images, text and audio end to end",
}
PRIMARY_SHARE = {"gbm": 0.45, "deep": 0.65}
MIN_DEEP_SECONDS = 20.0
DEEP_SHUTDOWN_SECONDS = 3.0  # measured: TensorFlow takes 2-3 s to exit after a search on 2 cores
KFOLD_MAX_ROWS = 5000
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
    names = routes.available(modality)
    if not names:
        raise ConfigError(
            f"{modality} data is not supported yet ({profile.modality_reason}). "
            "This version trains on tables of numeric, categorical, boolean and date columns."
        )
    reasons = [profile.modality_reason, profile.target_reason, profile.task_reason]
    skipped: list[str] = []
    metric_why = "it was given with --metric" if metric != default_metric(task) else "it is the default for this task"
    reasons.append(f"The search optimises {LABELS[metric]} because {metric_why}.")

    primary = PRIMARY[modality] if PRIMARY[modality] in names else names[0]
    comparison = next((n for n in names if n != primary), None)
    if not compare and comparison is not None:
        skipped.append(f"The comparison with {routes.describe(modality, comparison)} is off (--no-compare).")
        comparison = None
    reserve = round(_reserve(budget_seconds, {primary, comparison}), 1)
    usable = budget_seconds - reserve
    first = round(usable * PRIMARY_SHARE[primary], 1) if comparison else usable
    if comparison == "deep" and usable - first < MIN_DEEP_SECONDS:
        skipped.append(
            f"The deep comparison is skipped: the budget leaves it {format_seconds(usable - first)}, less than the "
            f"{MIN_DEEP_SECONDS:.0f}s a network needs to load and train here; raise --budget to include it."
        )
        comparison = None
        reserve = round(_reserve(budget_seconds, {primary}), 1)
        first = usable = budget_seconds - reserve
    plans = []
    plans.append(
        ApproachPlan(
            primary, "primary", routes.describe(modality, primary), round(first, 1),
            f"Primary: {routes.describe(modality, primary)}, because {WHY_PRIMARY[primary]}; "
            f"{format_seconds(first)} of the budget.",
        )
    )
    if comparison is not None:
        plans.append(
            ApproachPlan(
                comparison, "comparison", routes.describe(modality, comparison), round(usable - first, 1),
                f"Comparison: {routes.describe(modality, comparison)} on the same test rows, "
                f"{format_seconds(usable - first)} plus whatever the primary leaves unused.",
            )
        )
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
    if train_rows <= KFOLD_MAX_ROWS:
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
    reasons.append(f"Training runs on the {device.upper()} ({hardware.describe()}).")
    return Plan(
        modality=modality, task=task, metric=metric, budget_seconds=float(budget_seconds),
        reserve_seconds=reserve, test_rows=test_rows, validation=validation, folds=folds,
        device=device, approaches=plans, reasons=reasons, skipped=skipped,
    )


def _reserve(budget_seconds: float, approaches: set[str | None]) -> float:
    """Seconds kept back from the searches for scoring, saving, reporting and exit."""
    base = min(max(3.0, 0.06 * budget_seconds), 60.0)
    return base + (DEEP_SHUTDOWN_SECONDS if "deep" in approaches else 0.0)
