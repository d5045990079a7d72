"""``run.json``'s schema in one place: the ``RunRecord``, and how records of older runs are read.

Format 2 names the approaches after what they are (``classical``, ``deep``,
and any registered later); format 1 (before 0.2) called the classical one
``gbm``. ``upgrade`` reads a format-1 record (and its trials and test
predictions) as format 2, so every reader sees one shape.

Example:
    >>> old = {"format": 1, "models": {"gbm": "models/gbm"}, "best": "gbm", "modality": "text",
    ...        "finalists": [{"approach": "gbm"}], "plan": {"approaches": [{"name": "gbm"}]}}
    >>> new = upgrade(old)
    >>> new["models"], new["best"], new["finalists"][0]["noun"]
    ({'classical': 'models/gbm'}, 'classical', 'the classical TF-IDF model')
"""

from __future__ import annotations

import dataclasses
import json
import platform
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from ..registry import ALIASES

FORMAT = 2
VERSIONED = ("automl", "numpy", "pandas", "scikit-learn", "xgboost", "keras", "keras-tuner", "tensorflow", "jax", "torch")
LEGACY_NOUNS = {"deep": "the deep network", "blend": "the blend"}


@dataclass
class RunRecord:
    """What a run did: its command, data, hardware and plan, and (as it goes) what each approach produced."""

    command: str
    created: str  # UTC, ISO 8601
    data: dict[str, Any]  # name, source, rows, bytes
    versions: dict[str, str]
    hardware: dict[str, Any]
    seed: int
    budget_seconds: float
    target: str
    task: str
    modality: str
    classes: list | None
    features: list[str]
    kinds: dict[str, str]  # feature -> column kind
    split: dict[str, int]  # train_rows, test_rows
    profile: dict[str, Any]
    plan: dict[str, Any]
    prices: dict[str, Any] | None = None
    format: int = FORMAT
    status: str = "running"  # running | complete | interrupted | failed
    spend: dict[str, float] = field(default_factory=dict)  # approach -> search wall seconds
    finalists: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    models: dict[str, str] = field(default_factory=dict)  # approach -> model folder, relative to the run
    best: str | None = None
    skipped_files: list[dict[str, str]] = field(default_factory=list)
    total_seconds: float | None = None
    feature_importance: dict[str, Any] = field(default_factory=dict)  # approach -> {"method", "features", "note"}
    training_curves: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # approach -> epochs
    selection: dict[str, Any] | None = None  # how ``best`` and the blend's weights were chosen (on validation)
    deployed: dict[str, Any] | None = None  # the model predict uses, when refitted on all rows (``run.deploy``)
    # How it was asked for (compare, refit, device, metric, max_trials, max_epochs): a resume asks the same.
    settings: dict[str, Any] = field(default_factory=dict)
    # Approaches whose search ended (not cut by a stop): val_score, notes, trials, seconds, cpu_seconds,
    # peak_memory_mb; their out-of-sample predictions are in search/<approach>/validation.npz. A resume reuses them.
    searched: dict[str, dict[str, Any]] = field(default_factory=dict)
    sessions: list[dict[str, Any]] = field(default_factory=list)  # each start or resume: started, budget, seconds
    # The rows the run read (train and test): how many, the columns hashed, and the file of their distinct hashes
    # (``data.fingerprint.ROW_HASHES``), so ``evaluate`` can say when its rows are not new. None in older runs.
    row_hashes: dict[str, Any] | None = None
    # The majority-class (or mean) baseline from the training labels, scored on the test rows: a leaderboard
    # row, never a finalist (``run.baseline``); None in runs before 0.6.
    baseline: dict[str, Any] | None = None
    # Approach -> the decision rule its predicted classes follow (``automl.decision``: weights, power, metric and
    # the validation scores that chose it), where the metric is balanced accuracy or macro F1 and a rule beat the
    # most probable class on validation rows; others predict the most probable class. Empty in older runs.
    decisions: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Approach -> its prediction interval for a regression (``automl.intervals``: level, half_width, the validation
    # rows that chose it and the share of test rows it held). Empty for classification and in older runs.
    intervals: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "RunRecord":
        """A record from run.json of any format: older ones upgraded, keys this version does not know ignored,
        keys it lacks empty (None, or the field's default)."""
        data = upgrade(data)
        return cls(**{f.name: data[f.name] if f.name in data else _empty(f) for f in dataclasses.fields(cls)})

    @classmethod
    def read(cls, run_dir: Path) -> "RunRecord":
        return cls.from_dict(json.loads((Path(run_dir) / "run.json").read_text(encoding="utf-8")))


def versions() -> dict[str, str]:
    """Python's version and those of the libraries that shape a run, where installed."""
    found = {"python": platform.python_version()}
    for name in VERSIONED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return found


def approach_name(name: str) -> str:
    """An approach's current name (``gbm`` -> ``classical``)."""
    return ALIASES.get(name, name)


def upgrade(data: dict[str, Any]) -> dict[str, Any]:
    """A format-1 run.json as format 2: approaches renamed, each finalist and planned approach given its kind and
    noun. Records already in format 2 come back unchanged."""
    if data.get("format", 1) >= FORMAT:
        return data
    out = dict(data) | {"format": FORMAT}
    for key in ("models", "spend", "feature_importance", "training_curves"):
        out[key] = {approach_name(k): v for k, v in (data.get(key) or {}).items()}
    out["best"] = data.get("best") and approach_name(data["best"])
    modality = data.get("modality", "tabular")
    out["finalists"] = [_described(f, "approach", modality) for f in data.get("finalists", [])]
    plan = dict(data.get("plan") or {})
    plan["approaches"] = [_described(a, "name", modality) for a in plan.get("approaches", [])]
    out["plan"] = plan
    return out


def upgrade_trial(trial: dict[str, Any]) -> dict[str, Any]:
    return trial | {"approach": approach_name(trial.get("approach", ""))}


def upgrade_predictions(frame: Any) -> Any:
    """test_predictions.csv of a format-1 run: its ``gbm_...`` columns renamed ``classical_...``."""
    renamed = {c: "classical_" + c[4:] for c in frame.columns if c.startswith("gbm_")}
    return frame.rename(columns=renamed) if renamed else frame


def _empty(f: dataclasses.Field) -> Any:
    if f.default is not dataclasses.MISSING:
        return f.default
    return f.default_factory() if f.default_factory is not dataclasses.MISSING else None


def _described(item: dict[str, Any], key: str, modality: str) -> dict[str, Any]:
    name = approach_name(item.get(key, ""))
    kind = "blend" if name == "blend" else "deep" if name == "deep" else "classical"
    classical = "the classical TF-IDF model" if modality == "text" else "gradient boosting"
    return item | {key: name, "kind": item.get("kind", kind), "noun": item.get("noun") or LEGACY_NOUNS.get(name, classical)}
