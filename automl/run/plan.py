"""Profile + budget + hardware -> Plan, with the reasons as sentences.

Pure and free of ML imports: the same inputs always give the same plan, and
``automl inspect`` shows it without training anything. What differs by
modality (its approaches and their time shares, validation scheme, input
spec) comes from the modality and the routes registered for it, however many.

Example:
    >>> from automl.data.profile import Profile
    >>> from automl.hardware import Hardware
    >>> p = Profile(1000, 5, 0, [], "y", "", "binary", "", "tabular", "", {"a": 500, "b": 500}, 0)
    >>> plan = make_plan(p, 120, Hardware(2, 8 << 30, None))
    >>> [a.name for a in plan.approaches], plan.validation
    (['classical', 'deep'], 'kfold')
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Mapping

from .. import decision, registry
from ..budget import format_seconds
from ..data import weights as row_weights
from ..data.profile import Profile
from ..errors import BudgetError, ConfigError, invalid, option
from ..hardware import Hardware
from ..metrics import LABELS, check_metric, default_metric

MIN_DEEP_SECONDS = registry.DEEP["min_seconds"]
TEST_FRACTION = 0.2
MAX_TEST_ROWS = 20000
REFIT_SHARE = 0.1  # of the searches' time, kept to refit the chosen model on all rows for deployment


@dataclass
class ApproachPlan:
    name: str
    role: str  # primary | comparison
    label: str
    seconds: float
    reason: str
    kind: str = "classical"  # classical | deep
    noun: str = ""  # what a sentence calls it


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
    refit_seconds: float = 0.0  # kept after the searches to refit the chosen model on all rows (0: no refit)

    def approach(self, name: str) -> ApproachPlan | None:
        name = registry.ALIASES.get(name, name)
        return next((a for a in self.approaches if a.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Plan":
        data = dict(data)
        data["approaches"] = [ApproachPlan(**a) for a in data["approaches"]]
        return cls(**data)


def make_plan(profile: Profile, budget_seconds: float, hardware: Hardware, compare: bool = True,
              metric: str | None = None, refit: bool = True, done: frozenset[str] = frozenset()) -> Plan:
    """Decide what runs, for how long, validated how, and say why; ``refit`` keeps time to refit the chosen
    model on all rows, test rows included, for deployment. ``done``: approaches a resumed run already searched
    to the end; they are reused as they are, so the budget goes to the others."""
    task, metric = profile.task, check_metric(metric, profile.task)
    pieces = profile.large is not None
    specs = registry.routes(profile.modality, pieces=pieces)
    if pieces and not any(s.scale == "pieces" for s in specs):
        raise ConfigError(f"{profile.modality} data too large for memory cannot be trained on yet "
                          f"({profile.modality_reason}); only tabular data trains on Dask. Train on a sample of its "
                          "rows, or on a machine with more memory.")
    if not specs:
        supported = sorted(m.name for m in registry.modalities() if registry.routes(m.name))
        raise ConfigError(f"{profile.modality} data is not supported yet ({profile.modality_reason}). This version "
                          f"trains on {', '.join(supported)} data.")
    modality = registry.modality(profile.modality)
    why = "it was given as the metric" if metric != default_metric(task) else "it is the default for this task"
    reasons = [profile.modality_reason, profile.target_reason, profile.task_reason,
               f"The search optimises {LABELS[metric]} because {why}."]
    reasons.extend(note for note in [decision.plan_note(metric)] if note)
    if getattr(profile, "weight", None):
        reasons.append(row_weights.plan_reason(profile.weight))
    primary = modality.primary if any(s.approach == modality.primary for s in specs) else specs[0].approach
    if pieces:
        reasons.append(profile.large["reason"])
    running, skipped = _running(specs, primary, compare)
    reused = [s for s in running if s.approach in done]
    if reused and len(reused) < len(running):
        running = [s for s in running if s not in reused]
        reasons += [f"{s.noun[0].upper()}{s.noun[1:]} was searched to the end in an earlier session of this run and "
                    "is reused as it is (scored on the same test rows again)." for s in reused]
    weights, why_weights = modality.time_shares(profile)
    running, seconds, reserve, refit_seconds, short = _fit_budget(running, primary, weights, budget_seconds, refit)
    if not reused:  # a resumed run has its reused models whatever happens to the rest
        _check_alone(running, seconds, modality, budget_seconds, refit, [s.noun for s in specs if s not in running])
    approaches = [_approach(s, primary, seconds, i, len(running), modality.why_primary) for i, s in enumerate(running)]
    reasons += [a.reason for a in approaches]
    if why_weights and len(running) > 1:
        reasons.append(why_weights)
    lead = next((s for s in running if s.approach == primary), None)
    if len(running) > 1 and lead is not None and lead.continues:
        reasons.append(f"Time the other approaches leave unused (a network that stops on its plateau) goes back to "
                       f"{lead.noun}: its search continues where it ended, and the continued model is kept when its "
                       "validation score is at least as good.")
    if {s.kind for s in running} >= {"classical", "deep"}:
        reasons.append(_choice_reason(running))
    ending = " and the deep-learning backend's shutdown" if any(s.shutdown_seconds for s in running) else ""
    reasons.append(f"{format_seconds(reserve)} of the {format_seconds(budget_seconds)} budget is kept for scoring the "
                   f"finalists, saving models, writing the report{ending}.")
    reasons.append(_refit_reason(refit, refit_seconds, running))
    test_rows, why_test = _test_rows(profile)
    validation, folds, why_validation = modality.validation(profile.n_train_rows - test_rows,
                                                            [a.name for a in approaches])
    if getattr(profile, "order", None):
        validation, folds = "holdout", 1
        why_validation = (f"Candidates are compared on the latest 20% of the training rows by {profile.order!r}, "
                          "fitted on the earlier ones (`order`): rows in time are never cross-validated, which would "
                          "let a model learn from rows after the ones that score it.")
    if pieces:
        validation, folds = "holdout", 1
        held = int(profile.large["held"]) - test_rows
        why_validation = (f"Gradient boosting on Dask stops early on, and is chosen by, the other {held:,} rows held "
                          "in memory, which it never trains on; the deep network validates on a 20% split of them.")
    reasons += [why_test, why_validation]
    inputs: dict[str, Any] = {}
    spec = modality.input_spec(profile, budget_seconds, hardware)
    if spec is not None:
        inputs[modality.name] = spec[0]
        reasons.append(spec[1])
    device = "gpu" if hardware.gpu else "cpu"
    reasons.append(f"Training runs on the {device.upper()} ({hardware.describe()}).")
    if hardware.backend_reason and any(a.kind == "deep" for a in approaches):
        reasons.append(hardware.backend_reason)
    return Plan(modality=modality.name, task=task, metric=metric, budget_seconds=float(budget_seconds),
                reserve_seconds=reserve, test_rows=test_rows, validation=validation, folds=folds, device=device,
                approaches=approaches, reasons=reasons, skipped=skipped + short, inputs=inputs,
                refit_seconds=refit_seconds)


def _running(specs: list[Any], primary: str, compare: bool) -> tuple[list[Any], list[str]]:
    """The approaches to run, classical ones first (a good model exists within seconds), and those left out."""
    ordered = sorted(specs, key=lambda s: registry.KINDS.index(s.kind))
    if compare:
        return ordered, []
    off = [f"The comparison with {s.label} is off ({option('compare', False)})." for s in ordered
           if s.approach != primary]
    return [s for s in ordered if s.approach == primary], off


def _fit_budget(running: list[Any], primary: str, weights: Mapping[str, float], budget: float, refit: bool
                ) -> tuple[list[Any], dict[str, float], float, float, list[str]]:
    """Shares of the budget, the time kept to finish and to refit; an approach whose share is below what it
    needs is dropped (while others remain)."""
    skipped: list[str] = []
    while True:
        seconds, reserve, refit_seconds = _split(running, weights, budget, refit)
        short = [s for s in running if len(running) > 1 and seconds[s.approach] < s.min_seconds]
        if not short:
            return running, seconds, reserve, refit_seconds, skipped
        for s in short:
            what = f"{s.kind} {'search' if s.approach == primary else 'comparison'}"
            named = "" if s.approach == s.kind else f" ({s.approach})"
            skipped.append(f"The {what}{named} is skipped: the budget leaves it {format_seconds(seconds[s.approach])}, "
                           f"less than the {s.min_seconds:.0f}s it needs to load and train here; raise --budget to "
                           "include it.")
        running = [s for s in running if s not in short]


def _split(running: list[Any], weights: Mapping[str, float], budget: float, refit: bool
           ) -> tuple[dict[str, float], float, float]:
    """Seconds per approach, the time kept to finish (score, save, report, shut down) and the time kept to refit."""
    reserve = round(min(max(3.0, 0.06 * budget), 60.0) + max(s.shutdown_seconds for s in running), 1)
    refit_seconds = round(REFIT_SHARE * (budget - reserve), 1) if refit and any(s.refits for s in running) else 0.0
    return _shares(budget - reserve - refit_seconds, running, weights), reserve, refit_seconds


def smallest_budget(spec: Any, modality: Any, refit: bool = True, limit: int = 24 * 3600) -> int:
    """The fewest whole seconds of budget that leave ``spec``, running alone, the ``min_seconds`` it needs.

    >>> from automl import registry
    >>> smallest_budget(registry.route_spec("image", "deep"), registry.modality("image"))
    26
    """
    for budget in range(1, limit + 1):
        if _split([spec], modality.shares, float(budget), refit)[0][spec.approach] >= spec.min_seconds:
            return budget
    return limit


def _check_alone(running: list[Any], seconds: dict[str, float], modality: Any, budget: float, refit: bool,
                 off: list[str]) -> None:
    """An approach running alone (``--no-compare``, or the only one there is) with less time than it needs to load
    and train fails at once, naming the budget that would do, instead of a run that ends without a model; ``off``:
    what --no-compare left out.

    >>> from automl import registry
    >>> image = registry.modality("image")
    >>> _check_alone([registry.route_spec("image", "deep")], {"deep": 4.0}, image, 10.0, True, ["gradient boosting"])
    Traceback (most recent call last):
    automl.errors.BudgetError: `budget` must be at least 26s for the deep network alone on image data: ...
    """
    if len(running) != 1 or seconds[running[0].approach] >= running[0].min_seconds:
        return
    spec = running[0]
    least = format_seconds(smallest_budget(spec, modality, refit))
    instead = f", or drop --no-compare (compare=False) so {off[0]} runs" if off else ""
    error = BudgetError(invalid(
        "budget", f"at least {least} for {spec.noun} alone on {modality.name} data: it needs {spec.min_seconds:.0f}s "
        "to load and train, and the rest is kept to score, save and write the report", format_seconds(budget),
        f"Give --budget {least} or more{instead}."))
    error.least = least  # the budget that would do, for callers that word their own advice (a resume)
    raise error


def _choice_reason(running: list[Any]) -> str:
    """How the model ``predict`` uses is chosen among ``running`` (``automl.run.choice``), for a plan with both
    kinds of approach."""
    simple = next(s for s in running if s.kind == "classical")
    network = next(s for s in running if s.kind == "deep")
    return (f"The model predict uses is chosen on the validation rows every approach predicted, never the test rows: "
            f"the best score there, or the blend of them when it scores best; but {network.noun} is used over "
            f"{simple.noun}, which is cheaper to run, only when its lead is clear of chance (a 95% paired bootstrap "
            "interval).")


def _refit_reason(refit: bool, seconds: float, running: list[Any]) -> str:
    """Why the model a user gets is (or is not) refitted on all rows."""
    if not refit:
        return (f"The chosen model is not refitted on the test rows ({option('refit', False)}): predict uses the "
                "model the test rows scored.")
    if not seconds:
        return ("No approach here can be refitted on all rows, so predict uses the model the test rows scored.")
    can = " and ".join(s.noun for s in running if s.refits)
    others = "; other models are used as their search trained them" if not all(s.refits for s in running) else ""
    return (f"{format_seconds(seconds)} is kept to refit the chosen model ({can}) on all rows, test rows included, "
            "with the configuration the search chose, so the model a user gets has seen every labelled row"
            f"{others}. The report's scores stay those of the model before that refit "
            f"({option('refit', False)} turns it off).")


def _shares(usable: float, running: list[Any], weights: Mapping[str, float]) -> dict[str, float]:
    """Seconds per approach by the modality's ``weights`` (else the route's own), rounded to 0.1 s, summing to
    ``usable``."""
    given_weights = [weights.get(s.approach, s.share) for s in running]
    out, given = {}, 0.0
    for s, w in zip(running[:-1], given_weights):
        out[s.approach] = round(usable * w / sum(given_weights), 1)
        given += out[s.approach]
    out[running[-1].approach] = round(usable - given, 1)
    return out


def _approach(spec: Any, primary: str, seconds: dict[str, float], i: int, n: int, why_primary: str) -> ApproachPlan:
    if spec.approach == primary:
        why = f"Primary: {spec.label}, because {why_primary}" if why_primary else f"Primary: {spec.label}"
    else:
        why = f"Comparison: {spec.label} on the same test rows"
    after = " plus whatever runs before it leaves unused" if i else ""
    leads = i == 0 < n - 1 and spec.kind == "classical"
    first = " It runs first, so a good model exists within seconds." if leads else ""
    return ApproachPlan(spec.approach, "primary" if spec.approach == primary else "comparison", spec.label,
                        seconds[spec.approach], f"{why}; {format_seconds(seconds[spec.approach])} of the budget"
                        f"{after}.{first}", spec.kind, spec.noun)


def cpu_backends(profile: Profile, budget_seconds: float) -> tuple[tuple[str, ...], str]:
    """The Keras backends the data's modality would rather train its networks with on a CPU in a run of
    ``budget_seconds``, and why (``Modality.cpu_backends``), for ``hardware.detect``."""
    train_rows = profile.n_train_rows - _test_rows(profile)[0]
    return registry.modality(profile.modality).cpu_backends(train_rows, budget_seconds)


def _test_rows(profile: Profile) -> tuple[int, str]:
    n = profile.n_train_rows
    test_rows = max(min(int(round(n * TEST_FRACTION)), MAX_TEST_ROWS), len(profile.class_counts or {}))
    stratified = "stratified " if profile.task != "regression" else ""
    if profile.large is not None:  # drawn from the rows held in memory, which are also the validation rows
        held = int(profile.large["held"])
        test_rows = max(min(test_rows, held // 4), len(profile.class_counts or {}))
        return test_rows, (f"{test_rows:,} of the {held:,} rows held in memory are held out as a {stratified}test "
                           "set fixed by the seed; no search sees them, and every finalist is scored on exactly "
                           "these rows.")
    if getattr(profile, "order", None):
        return test_rows, (f"The rows are ordered in time by {profile.order!r} ({profile.order_reason}; `order`): the "
                           f"latest {test_rows:,} of {n:,} ({test_rows / n:.0%}) are held out as the test set; no "
                           "search sees them, and every finalist is scored on exactly these rows, later than every row "
                           "it was fitted on.")
    if getattr(profile, "group", None):
        return test_rows, (f"About {test_rows:,} of {n:,} rows ({test_rows / n:.0%}) are held out as a "
                           f"{stratified}test set of whole groups of {profile.group!r} (`group`), fixed by the seed, "
                           "and every validation fold keeps its groups whole too; no search sees the test rows, and "
                           "every finalist is scored on exactly these rows.")
    return test_rows, (f"{test_rows:,} of {n:,} rows ({test_rows / n:.0%}) are held out as a {stratified}test set "
                       "fixed by the seed; no search sees them, and every finalist is scored on exactly these rows.")
