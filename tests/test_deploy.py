"""Refit for deployment: the chosen model is scored on the test rows, then refitted on all rows for ``predict``.

Gradient boosting only (``compare=False``): no TensorFlow, a second or two per fit.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import automl
from automl import AutoML
from automl.modalities.tabular.gbm import GBMRoute
from automl.run.results import Event

REPO = Path(__file__).resolve().parents[1]
WINE = REPO / "data" / "wine.csv"
DIABETES = REPO / "data" / "diabetes.csv"


def fit(tmp_path: Path, data: Path = WINE, **kwargs) -> AutoML:
    settings = {"budget": "20s", "compare": False, "max_trials": 3, "out": tmp_path / "runs"} | kwargs
    return AutoML(**settings).fit(data)


def record(model: AutoML) -> dict:
    return json.loads((model.run_dir_ / "run.json").read_text())


@pytest.mark.parametrize("data", [WINE, DIABETES], ids=["classification", "regression"])
def test_predict_uses_the_model_refitted_on_all_rows_and_the_report_keeps_the_held_out_scores(tmp_path, data):
    model = fit(tmp_path, data)
    run = record(model)
    deployed = run["deployed"]
    assert deployed["refitted"] and deployed["approach"] == run["best"] == "classical"
    assert deployed["rows"] == run["split"]["train_rows"] + run["split"]["test_rows"] == len(pd.read_csv(data))
    assert deployed["models"] == {"classical": "models/deployed/classical"}
    assert (model.run_dir_ / "models" / "deployed" / "classical" / "model.json").is_file()
    assert run["plan"]["refit_seconds"] > 0 and any("refit" in r for r in run["plan"]["reasons"])

    frame = pd.read_csv(data)
    used, scored = automl.load(model.run_dir_), automl.load(model.run_dir_, "classical")
    assert used.refitted and not scored.refitted
    out = used.model.predict(frame) if run["task"] == "regression" else used.model.predict_proba(frame)
    before = scored.model.predict(frame) if run["task"] == "regression" else scored.model.predict_proba(frame)
    assert not np.allclose(out, before)  # a different model: it has seen the test rows too
    assert (np.asarray(model.predict(frame)) == np.asarray(used.predict(frame))).all()  # AutoML predicts with it

    test = pd.read_csv(model.run_dir_ / "test_predictions.csv")
    held_out = run["finalists"][0]["test_scores"][run["plan"]["metric"]]
    if run["task"] != "regression":  # the report's test score is the scored model's, matching its saved predictions
        right = test["classical_prediction"].astype(str) == test["actual"].astype(str)
        assert held_out == pytest.approx(right.mean())
    html = (model.run_dir_ / "report.html").read_text()
    assert "refitted on all" in html and "before the refit" in html


def test_no_refit_keeps_the_scored_model(tmp_path):
    model = fit(tmp_path, refit=False)
    run = record(model)
    assert run["deployed"] is None and run["plan"]["refit_seconds"] == 0
    assert not (model.run_dir_ / "models" / "deployed").exists()
    assert not automl.load(model.run_dir_).refitted
    assert any("--no-refit" in r for r in run["plan"]["reasons"])


def test_a_failed_refit_leaves_the_scored_model_in_use(tmp_path, monkeypatch):
    def broken(self, model, ctx):
        raise MemoryError("out of memory")

    monkeypatch.setattr(GBMRoute, "refit", broken)
    model = fit(tmp_path)
    run = record(model)
    assert run["status"] == "complete" and run["deployed"]["refitted"] is False
    assert "MemoryError" in " ".join(run["deployed"]["notes"])
    predictor = automl.load(model.run_dir_)
    assert not predictor.refitted and len(predictor.predict(WINE)) == len(pd.read_csv(WINE))


def test_ctrl_c_during_the_refit_keeps_the_scored_model(tmp_path, monkeypatch):
    def interrupted(self, model, ctx):
        raise KeyboardInterrupt

    monkeypatch.setattr(GBMRoute, "refit", interrupted)
    seen: list[Event] = []
    with pytest.raises(KeyboardInterrupt):
        AutoML(budget="20s", compare=False, max_trials=2, out=tmp_path / "runs").fit(WINE, listener=seen.append)
    run_dir = next((tmp_path / "runs").iterdir())
    run = json.loads((run_dir / "run.json").read_text())
    assert run["status"] == "interrupted" and run["best"] == "classical" and run["deployed"] is None
    assert not automl.load(run_dir).refitted and len(automl.load(run_dir).predict(WINE)) == 178
    assert any("refitting" in e.message for e in seen if e.kind == "message")


def test_the_refit_skips_what_does_not_fit_in_its_time(tmp_path, monkeypatch):
    """A refit expected to outrun the time left is not started; the run ends within its budget and says so."""
    import automl.modalities.tabular.gbm as gbm

    monkeypatch.setattr(gbm, "_refit_seconds", lambda bag, rows: 1e9)
    model = fit(tmp_path, budget="10s", max_trials=None)
    run = record(model)
    assert run["deployed"]["refitted"] is False and "no time" in " ".join(run["deployed"]["notes"]).lower()
    assert run["total_seconds"] <= 10 * 1.05


def test_the_command_line_says_when_its_model_was_refitted(tmp_path):
    from click.testing import CliRunner

    from automl.cli import main

    model = fit(tmp_path)
    runner = CliRunner()
    used = runner.invoke(main, ["evaluate", str(model.run_dir_), str(WINE)])
    assert used.exit_code == 0 and "refitted on all the run's rows" in used.output
    scored = runner.invoke(main, ["evaluate", str(model.run_dir_), str(WINE), "--approach", "classical"])
    assert scored.exit_code == 0 and "refitted" not in scored.output
    wrote = runner.invoke(main, ["predict", str(model.run_dir_), str(WINE), "-o", str(tmp_path / "p.csv")])
    assert wrote.exit_code == 0 and "(classical, refitted on all rows)" in wrote.output
    assert len(pd.read_csv(tmp_path / "p.csv")) == 178


def test_only_a_model_with_a_refit_is_announced_as_refitted():
    """A network has no refit: `refitting the chosen model (deep)` followed by "used as its search left it"
    said two things; a blend is refitted when one of its members can be."""
    from types import SimpleNamespace

    from automl.run.deploy import can_refit

    run = SimpleNamespace(plan=SimpleNamespace(modality="tabular"),
                          record=SimpleNamespace(selection={"weights": {"classical": 0.4, "deep": 0.6}}))
    assert [can_refit(run, SimpleNamespace(approach=a)) for a in ("classical", "deep", "blend")] == [True, False, True]
    run.record.selection = {"weights": {"deep": 1.0}}
    assert not can_refit(run, SimpleNamespace(approach="blend"))
