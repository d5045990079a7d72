"""What a resume needs to know before it touches a run: is it the same data, the same split, how it was asked
for, how much of its budget is left, and which trials it already finished.

These are pure decisions on ``run.json`` and ``trials.jsonl``; ``runner.resume`` acts on them.

Example:
    >>> left = budget_left({"budget_seconds": 60.0, "total_seconds": 45.5, "status": "interrupted"})
    >>> left
    14.5
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import ConfigError, DataError
from .results import TrialRecord

RESUMABLE = ("interrupted", "failed", "running", "complete")
IN_MEMORY = ("dataframe", "arrays")


def resumable(run_dir: Path) -> dict[str, Any]:
    """``run.json`` of a run that ``--resume`` can continue, as a dict; a ``ConfigError`` naming the fix when
    ``run_dir`` is not a run directory or its record cannot be continued."""
    import json

    path = Path(run_dir) / "run.json"
    if not path.is_file():
        raise ConfigError(f"`resume` is not a run directory (no run.json): {str(run_dir)!r}. Give a folder made "
                          "by `automl fit`.")
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{run_dir} is damaged: run.json cannot be read ({exc}); it cannot be resumed. "
                          "Start a new run with `automl fit`.") from None
    if not isinstance(record, dict) or record.get("status") not in RESUMABLE:
        raise ConfigError(f"{run_dir} is damaged: run.json holds no run status; it cannot be resumed. Start a new "
                          "run with `automl fit`.")
    for key in ("target", "task", "seed", "data", "split", "plan"):
        if key not in record:
            raise ConfigError(f"{run_dir} cannot be resumed: run.json has no {key!r} (made by automl before 0.5?). "
                              "Start a new run with `automl fit`.")
    return record


def source_of(record: dict[str, Any], run_dir: Path, given: Any) -> Any:
    """The data to resume on: ``given`` when there is one, else the file or folder the run read."""
    if given is not None:
        return given
    source = record["data"].get("source")
    if source in IN_MEMORY:
        raise ConfigError(f"{run_dir} was fitted on in-memory data ({source}); pass the same data again to resume "
                          "it.")
    if not source or not Path(source).exists():
        raise DataError(f"the data {run_dir} was fitted on is no longer at {source!r}; give its new path: "
                        f"automl fit NEW_PATH --resume {run_dir}.")
    return source


def budget_left(record: dict[str, Any], seen: float = 0.0) -> float:
    """Seconds of the run's budget that its sessions have not used (0 for a run that finished); ``seen`` is the
    end of its last trial, which stands in for a run killed before it could write its time."""
    if record.get("status") == "complete":
        return 0.0
    spent = max(float(record.get("total_seconds") or 0.0), seen)
    return round(max(0.0, float(record.get("budget_seconds") or 0.0) - float(spent)), 2)


def seconds_seen(lines: list[dict[str, Any]]) -> float:
    """The end of the last trial in ``trials.jsonl``'s ``lines``: what a run killed without a word (SIGKILL, a
    power cut), which recorded no total, is known to have spent.

    >>> seconds_seen([{"ended": 3.5}, {"ended": 9.25}, {"ended": None}])
    9.25
    """
    return max((float(t.get("ended") or 0.0) for t in lines), default=0.0)


def check_same_data(run_dir: Path, record: Any, dataset: Any) -> None:
    """A ``DataError`` when ``dataset`` is not what the run trained on (its checksum differs)."""
    from ..data.fingerprint import fingerprint

    known = record.data.get("sha256")
    if known is None:
        raise ConfigError(f"{run_dir} has no checksum of its data (made by automl before 0.5), so a resume could "
                          "mix different data; start a new run with `automl fit`.")
    if fingerprint(dataset) != known:
        raise DataError(f"the data changed since {run_dir} ran (its checksum differs), so its trials and test "
                        "rows no longer apply; start a new run with `automl fit` on the new data.")


def check_same_split(run_dir: Path, record: Any, test_rows: Any) -> None:
    """A ``DataError`` when this version splits the rows differently from the run (its test rows would change)."""
    from ..data.fingerprint import positions

    known = record.split.get("test_sha256")
    if known is not None and positions(test_rows) != known:
        raise DataError(f"{run_dir}'s test rows cannot be rebuilt the same way (the split differs), so scores "
                        "would not compare; start a new run with `automl fit`.")


def previous_trials(lines: list[dict[str, Any]]) -> dict[str, list[TrialRecord]]:
    """Finished trials of earlier sessions by approach, from ``trials.jsonl``'s lines (torn lines already left
    out): the searches skip these and count their best.

    >>> line = {"approach": "classical", "model": "xgboost", "params": {}, "metric": "accuracy",
    ...         "val_score": 0.9, "seconds": 1.0, "started": 0.0, "ended": 1.0, "session": 1}
    >>> [t.val_score for t in previous_trials([line, {"not": "a trial"}])["classical"]]
    [0.9]
    """
    import dataclasses

    names = {f.name for f in dataclasses.fields(TrialRecord)}
    out: dict[str, list[TrialRecord]] = {}
    for line in lines:
        try:
            trial = TrialRecord(**{k: v for k, v in line.items() if k in names})
        except TypeError:
            continue
        if not trial.extra.get("continued"):
            out.setdefault(trial.approach, []).append(trial)
    return out
