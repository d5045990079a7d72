"""Ctrl-C during ``fit``: the run directory is marked ``interrupted`` and keeps a loadable best model.

Gradient boosting only (``compare=False`` / ``--no-compare``): no TensorFlow.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import automl
from automl import AutoML
from automl.run.results import Event

REPO = Path(__file__).resolve().parents[1]
BREAST_CANCER = REPO / "data" / "breast_cancer.csv"
WINE = REPO / "data" / "wine.csv"


class InterruptOnTrial:
    """A listener that raises KeyboardInterrupt on the n-th 'trial' event, as Ctrl-C would."""

    def __init__(self, n: int):
        self.n = n
        self.trials = 0
        self.kinds: list[str] = []

    def __call__(self, event: Event) -> None:
        self.kinds.append(event.kind)
        if event.kind == "trial":
            self.trials += 1
            if self.trials == self.n:
                raise KeyboardInterrupt


def only_run(out: Path) -> Path:
    runs = [p for p in out.iterdir() if p.is_dir()]
    assert len(runs) == 1, runs
    return runs[0]


def dot_entries(folder: Path) -> list[Path]:
    return [p for p in folder.rglob(".*")]


def test_keyboard_interrupt_in_fit_leaves_an_interrupted_run_with_the_best_model(tmp_path):
    out = tmp_path / "runs"
    listener = InterruptOnTrial(3)
    model = AutoML(budget="2m", compare=False, out=out)
    with pytest.raises(KeyboardInterrupt):
        model.fit(BREAST_CANCER, listener=listener)
    assert listener.trials == 3
    assert not hasattr(model, "run_dir_"), "an interrupted fit must not look fitted"

    run = only_run(out)
    record = json.loads((run / "run.json").read_text())
    assert record["status"] == "interrupted"
    assert record["best"] == "classical"
    assert record["models"] == {"classical": "models/classical"}
    assert isinstance(record["total_seconds"], float)
    trials = [json.loads(line) for line in (run / "trials.jsonl").read_text().splitlines() if line.strip()]
    assert len(trials) == 3

    gbm = run / "models" / "classical"
    assert gbm.is_dir() and (gbm / "model.json").is_file()
    assert dot_entries(run / "models") == []
    assert dot_entries(run) == []

    predictor = automl.load(run)
    frame = pd.read_csv(BREAST_CANCER)
    labels = predictor.predict(frame)
    assert labels.shape == (len(frame),)
    assert float((labels == frame["target"].to_numpy()).mean()) > 0.85
    assert predictor.predict_proba(frame.head(3)).shape == (3, 2)


def test_interrupted_run_can_still_be_reported(tmp_path):
    from click.testing import CliRunner

    from automl.cli import main

    out = tmp_path / "runs"
    with pytest.raises(KeyboardInterrupt):
        AutoML(budget="1m", compare=False, out=out).fit(WINE, listener=InterruptOnTrial(1))
    run = only_run(out)
    result = CliRunner().invoke(main, ["report", str(run)])
    assert result.exit_code == 0, (result.output, result.exception)
    report = json.loads((run / "report.json").read_text())
    assert report["status"] == "interrupted"
    assert "interrupted" in (run / "report.html").read_text()


def test_report_of_a_run_interrupted_before_scoring_names_the_kept_model_and_how_to_resume(tmp_path):
    from automl.report import build

    out = tmp_path / "runs"
    with pytest.raises(KeyboardInterrupt):
        AutoML(budget="1m", compare=False, out=out).fit(WINE, listener=InterruptOnTrial(2))
    run = only_run(out)
    record = json.loads((run / "run.json").read_text())
    assert record["status"] == "interrupted" and record["models"] and not record["finalists"]
    text = build(run)["verdict"]
    assert "No approach produced a model" not in text
    assert "interrupted before its finalists were scored" in text
    assert "gradient boosting (classical)" in text
    assert f"AutoML().fit(resume={str(run)!r})" in text  # fitted from Python: how to go on, in Python


def _wait_for(predicate, timeout: float, proc: subprocess.Popen) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        if proc.poll() is not None:
            pytest.fail(f"automl fit ended (exit {proc.returncode}) before it could be interrupted")
        time.sleep(0.1)
    proc.kill()
    pytest.fail("timed out waiting for automl fit to record trials")


def test_sigint_exits_130_and_marks_the_run_interrupted(tmp_path):
    out = tmp_path / "runs"
    log = tmp_path / "fit.log"
    with open(log, "wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "automl", "fit", str(BREAST_CANCER), "--budget", "60s", "--no-compare",
             "--out", str(out)],
            cwd=REPO, stdout=sink, stderr=subprocess.STDOUT,
            # A shell's background job ignores SIGINT, and the child would inherit that: give it the default.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        try:
            def two_trials() -> bool:
                runs = [p for p in out.glob("*") if p.is_dir()] if out.exists() else []
                if not runs:
                    return False
                trials = runs[0] / "trials.jsonl"
                return trials.exists() and len(trials.read_text().splitlines()) >= 2

            _wait_for(two_trials, 120, proc)
            proc.send_signal(signal.SIGINT)
            code = proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    text = log.read_text(errors="replace")
    assert code == 130, text
    assert "Traceback" not in text
    assert "interrupted" in text

    run = only_run(out)
    record = json.loads((run / "run.json").read_text())
    assert record["status"] == "interrupted"
    assert "classical" in record["models"]
    assert dot_entries(run / "models") == []
    predictor = automl.load(run)
    frame = pd.read_csv(BREAST_CANCER).head(20)
    assert predictor.predict(frame).shape == (20,)
    assert os.path.isdir(run / "models" / "classical")


def test_a_full_disk_stops_the_run_in_one_line_and_a_resume_finishes_it(tmp_path, monkeypatch):
    """The first model's save finds no room: the run stops there (the other approaches and the refit would find
    none either), says so in one line with exit code 1, and is marked failed; with room again, `--resume`
    finishes it."""
    import errno

    from click.testing import CliRunner

    from automl.cli import main
    from automl.modalities.tabular import gbm

    def no_room(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    out = tmp_path / "runs"
    fit = ["fit", str(WINE), "--budget", "10s", "--no-compare", "--max-trials", "2", "--out", str(out)]
    monkeypatch.setattr(gbm, "save_estimator", no_room)
    result = CliRunner().invoke(main, fit)
    run = only_run(out)
    assert result.exit_code == 1, result.output
    line = result.output.strip().splitlines()[-1]
    assert line.startswith("automl: error: no room left on the disk holding ") and "Traceback" not in result.output
    assert f"`automl fit --resume {run}`" in line and "--out DIR" in line
    record = json.loads((run / "run.json").read_text())
    assert record["status"] == "failed" and "DiskFullError" in record["errors"][-1]
    assert not dot_entries(run / "models")  # no half-written model folder left behind
    monkeypatch.undo()
    resumed = CliRunner().invoke(main, ["fit", "--resume", str(run), "--budget", "10s"])
    assert resumed.exit_code == 0, resumed.output
    assert json.loads((run / "run.json").read_text())["status"] == "complete"
