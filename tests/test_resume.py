"""Resuming a run in place (``automl fit --resume RUN``, ``AutoML.fit(resume=RUN)``) and clean stops.

Gradient boosting only in the fast tests (no TensorFlow); the kill-and-resume test at the end runs both
approaches in subprocesses on the JAX backend and is marked slow.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

import automl
from automl import AutoML
from automl.cli import main
from automl.data import load as load_data
from automl.data.fingerprint import fingerprint
from automl.data.folders import LABEL_COLUMN
from automl.errors import BudgetError, ConfigError, DataError
from automl.modalities.tabular.gbm import trial_key
from automl.run.rundir import RunDir

from synthetic import make_folder
from test_interrupt import InterruptOnTrial, only_run

REPO = Path(__file__).resolve().parents[1]
BREAST_CANCER = REPO / "data" / "breast_cancer.csv"


def trials_of(run: Path) -> list[dict]:
    return [json.loads(line) for line in (run / "trials.jsonl").read_text().splitlines() if line.strip()]


def record_of(run: Path) -> dict:
    return json.loads((run / "run.json").read_text())


@pytest.fixture
def interrupted(tmp_path) -> Path:
    """A gradient-boosting run on a copy of breast_cancer.csv, stopped by Ctrl-C at its third trial."""
    data = tmp_path / "breast_cancer.csv"
    shutil.copy(BREAST_CANCER, data)
    with pytest.raises(KeyboardInterrupt) as stop:
        AutoML(budget="1m", compare=False, out=tmp_path / "runs", max_trials=6).fit(data,
                                                                                   listener=InterruptOnTrial(3))
    run = only_run(tmp_path / "runs")
    assert stop.value.run_dir == run  # the command line names the run to resume
    return run


def test_an_interrupted_run_resumes_in_place_keeping_its_trials_split_and_seed(interrupted):
    before = trials_of(interrupted)
    assert [t["session"] for t in before] == [1, 1, 1]
    model = AutoML(budget="1m").fit(resume=interrupted)
    assert model.run_dir_ == interrupted
    record = record_of(interrupted)
    assert record["status"] == "complete"
    assert [s["resumed_from"] for s in record["sessions"]] == [None, "interrupted"]
    after = trials_of(interrupted)
    assert after[:3] == before  # every finished trial kept, none run again
    assert {t["session"] for t in after[3:]} == {2} and len(after) == 6  # max_trials counts both sessions
    keys = [trial_key(t["model"], t["params"]) for t in after]
    assert len(set(keys)) == len(keys)
    assert all(later["started"] >= before[-1]["ended"] for later in after[3:])  # one time line for the run
    assert record["finalists"][0]["trials"] == 6
    report = json.loads((interrupted / "report.json").read_text())
    assert report["status"] == "complete" and len(report["sessions"]) == 2
    assert "Run in 2 sessions" in (interrupted / "report.md").read_text()
    test_rows = pd.read_csv(interrupted / "test_predictions.csv")["row"]
    assert len(test_rows) == record["split"]["test_rows"]
    assert automl.load(interrupted).predict(pd.read_csv(BREAST_CANCER).head(5)).shape == (5,)
    assert model.score(pd.read_csv(BREAST_CANCER).drop(columns="target"), pd.read_csv(BREAST_CANCER)["target"]) > 0.9


def test_a_finished_run_given_more_budget_searches_further_and_reuses_nothing_twice(interrupted):
    AutoML(budget="1m").fit(resume=interrupted)
    first = trials_of(interrupted)
    record = record_of(interrupted)
    record["settings"]["max_trials"] = None  # as if it had been started without a cap
    RunDir(interrupted).write_json("run.json", record)
    AutoML(budget="30s").fit(resume=interrupted)
    record = record_of(interrupted)
    assert record["status"] == "complete" and len(record["sessions"]) == 3
    after = trials_of(interrupted)
    assert after[: len(first)] == first
    assert len(after) > len(first) and {t["session"] for t in after[len(first):]} == {3}
    keys = [trial_key(t["model"], t["params"]) for t in after]
    assert len(set(keys)) == len(keys)


def test_changed_data_is_refused_and_the_run_is_left_as_it_was(interrupted, tmp_path):
    data = tmp_path / "breast_cancer.csv"
    frame = pd.read_csv(data)
    frame.loc[0, frame.columns[0]] += 1.0
    frame.to_csv(data, index=False)
    saved = (interrupted / "run.json").read_text()
    with pytest.raises(DataError, match="data changed"):
        AutoML(budget="10s").fit(resume=interrupted)
    assert (interrupted / "run.json").read_text() == saved


def test_a_run_in_use_by_another_process_cannot_be_resumed(interrupted):
    with RunDir(interrupted).locked():
        with pytest.raises(ConfigError, match="in use by another automl process"):
            AutoML(budget="10s").fit(resume=interrupted)


def test_the_command_line_resumes_with_what_the_budget_has_left_and_refuses_what_a_resume_cannot_change(
        interrupted):
    runner = CliRunner()
    changed = runner.invoke(main, ["fit", "--resume", str(interrupted), "--target", "mean radius"])
    assert changed.exit_code == 2 and "--target cannot change on --resume" in changed.output
    resumed = runner.invoke(main, ["fit", "--resume", str(interrupted), "--quiet"])
    assert resumed.exit_code == 0, resumed.output
    assert record_of(interrupted)["status"] == "complete"
    finished = runner.invoke(main, ["fit", "--resume", str(interrupted)])
    assert finished.exit_code == 2
    assert "finished" in finished.output and "--budget" in finished.output
    missing = runner.invoke(main, ["fit"])
    assert missing.exit_code == 2 and "--resume RUN" in missing.output


def test_resume_needs_a_run_directory(tmp_path):
    with pytest.raises(ConfigError, match="not a run directory"):
        AutoML(budget="10s").fit(resume=tmp_path)


def classical_score(record: dict) -> float:
    return next(f for f in record["finalists"] if f["approach"] == "classical")["test_scores"]["accuracy"]


def _fit_command(out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "automl", "fit", str(BREAST_CANCER), "--out", str(out), *extra]


def _env() -> dict[str, str]:
    return os.environ | {"KERAS_BACKEND": "jax", "PYTHONUNBUFFERED": "1"}


def _wait_for_trials(out: Path, n: int, proc: subprocess.Popen, timeout: float = 120) -> Path:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        runs = [p for p in out.glob("*") if p.is_dir()] if out.exists() else []
        if runs and (runs[0] / "trials.jsonl").exists() and len(trials_of(runs[0])) >= n:
            return runs[0]
        if proc.poll() is not None:
            pytest.fail(f"automl fit ended (exit {proc.returncode}) before it could be stopped")
        time.sleep(0.1)
    proc.kill()
    pytest.fail("timed out waiting for trials")


@pytest.mark.parametrize("signum, code", [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_sigterm_and_sighup_stop_like_ctrl_c_and_the_run_resumes(tmp_path, signum, code):
    out = tmp_path / "runs"
    proc = subprocess.Popen(_fit_command(out, "--budget", "60s", "--no-compare"), cwd=REPO, env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        run = _wait_for_trials(out, 2, proc)
        proc.send_signal(signum)
        text = proc.communicate(timeout=60)[0].decode(errors="replace")
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == code, text
    assert "Traceback" not in text
    assert f"stopped by {signal.Signals(signum).name}" in text and f"automl fit --resume {run}" in text
    record = record_of(run)
    assert record["status"] == "interrupted" and "classical" in record["models"]
    resumed = subprocess.run([sys.executable, "-m", "automl", "fit", "--resume", str(run), "--budget", "15s"],
                             cwd=REPO, env=_env(), capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert record_of(run)["status"] == "complete"


@pytest.mark.slow
def test_killed_at_random_moments_every_run_resumes_keeps_its_trials_and_scores_the_same_test_rows(tmp_path):
    """20 seeds: ``automl fit`` (both approaches) stopped by SIGINT, SIGTERM or SIGKILL at a random moment of its
    run (once its run directory exists, before a run as long as the first would end), then resumed with what its
    budget has left. Every resumed run finishes, keeps every trial it had finished, scores its finalists on the
    same test rows as an uninterrupted run, and lands within noise of its score."""
    budget = ["--budget", "60s", "--max-trials", "2", "--max-epochs", "1"]
    whole = tmp_path / "whole"
    started = time.monotonic()
    done = subprocess.run(_fit_command(whole, *budget), cwd=REPO, env=_env(), capture_output=True, text=True,
                          timeout=300)
    took = time.monotonic() - started  # the moments to stop at lie inside a run, however fast this machine is
    assert done.returncode == 0, done.stdout + done.stderr
    reference = only_run(whole)
    reference_rows = pd.read_csv(reference / "test_predictions.csv")["row"].tolist()
    reference_score = classical_score(record_of(reference))
    rng = random.Random(0)
    outcomes = []
    for seed in range(20):
        out = tmp_path / f"runs-{seed}"
        signum = rng.choice([signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
        proc = subprocess.Popen(_fit_command(out, *budget), cwd=REPO, env=_env(), stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True,
                                preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        begun = time.monotonic()  # stop it once its run directory exists, at a random moment of the run left
        while not (out.exists() and any(out.iterdir())) and proc.poll() is None and time.monotonic() - begun < 60:
            time.sleep(0.02)
        time.sleep(rng.uniform(0.0, max(1.0, 0.9 * took - (time.monotonic() - begun))))
        finished_first = proc.poll() is not None
        if not finished_first:
            proc.send_signal(signum)
        proc.wait(timeout=120)
        runs = [p for p in out.glob("*") if p.is_dir()] if out.exists() else []
        if not runs:  # stopped before its run directory existed: nothing to resume, nothing lost
            outcomes.append((seed, signum.name, "before the run directory"))
            continue
        run = runs[0]
        if not (run / "run.json").exists():  # stopped in the instant between the folder and its record
            trials = run / "trials.jsonl"
            assert not (trials.exists() and trials.read_text().strip()), (seed, signum.name)  # nothing ran
            outcomes.append((seed, signum.name, "before the run's record"))
            continue
        kept = trials_of(run)
        if record_of(run)["status"] == "complete":
            outcomes.append((seed, signum.name, "finished first"))
        else:
            resumed = subprocess.run([sys.executable, "-m", "automl", "fit", "--resume", str(run)], cwd=REPO,
                                     env=_env(), capture_output=True, text=True, timeout=300)
            assert resumed.returncode == 0, (seed, signum.name, resumed.stdout[-2000:] + resumed.stderr[-2000:])
            outcomes.append((seed, signum.name, "resumed"))
        record = record_of(run)
        assert record["status"] == "complete", (seed, signum.name, record["errors"])
        assert trials_of(run)[: len(kept)] == kept, (seed, signum.name)
        assert pd.read_csv(run / "test_predictions.csv")["row"].tolist() == reference_rows
        score = classical_score(record)
        assert abs(score - reference_score) <= 0.05, (seed, signum.name, score, reference_score)
    assert sum(1 for o in outcomes if o[2] == "resumed") >= 10, outcomes


def test_a_run_alone_on_its_network_resumed_with_too_little_time_names_the_budget_it_needs(tmp_path):
    """A --no-compare image run (the network alone) with less time left than the network needs: the advice is a
    --budget, since a resume cannot drop --no-compare."""
    folder = make_folder(tmp_path / "stripes", per_class=15)
    run = RunDir.create(tmp_path / "runs", "stripes", "1")
    record = {"status": "interrupted", "target": LABEL_COLUMN, "task": "binary", "seed": 0, "budget_seconds": 30.0,
              "total_seconds": 12.0, "data": {"name": "stripes", "source": str(folder),
                                               "sha256": fingerprint(load_data(folder))},
              "split": {}, "plan": {"metric": "accuracy"}, "searched": {},
              "settings": {"compare": False, "refit": True, "device": "cpu", "metric": "accuracy"}}
    run.write_json("run.json", record)
    with pytest.raises(BudgetError, match=r"needs a budget of at least 26s .* --budget 26s") as error:
        AutoML(budget="12s").fit(resume=run.path)
    assert "--no-compare" not in str(error.value)
