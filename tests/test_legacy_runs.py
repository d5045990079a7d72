"""Run directories written before approaches were renamed (format 1: ``gbm``) still load, predict and report.

``legacy_runs/`` holds five small runs made by automl 0.1.0 as it was before the change (1 trial, 1 epoch; logs and
rendered reports left out): wine, diabetes, synthetic reviews, stripes and tones. Each saved model must reproduce,
on the run's own test rows, the predictions that run wrote to test_predictions.csv, under its old name and its new
one; the report must rebuild in today's schema. Deep models need Keras: slow.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from synthetic import make_clips, make_folder, reviews

import automl
from automl.cli import main
from automl.data.folders import read_folder
from automl.report import build
from automl.run.record import RunRecord

LEGACY = Path(__file__).parent / "legacy_runs"
REPO = Path(__file__).resolve().parents[1]


def data_of(name: str, tmp_path: Path) -> pd.DataFrame:
    """The rows the legacy run was fitted on, in the same order (files regenerated, identically seeded)."""
    if name == "tabular":
        return pd.read_csv(REPO / "data" / "wine.csv")
    if name == "regression":
        return pd.read_csv(REPO / "data" / "diabetes.csv")
    if name == "text":
        return reviews(80)
    root = make_folder(tmp_path / "stripes", 12, mixed=False) if name == "image" else \
        make_clips(tmp_path / "tones", 10, mixed=False)
    listing = read_folder(root).frame
    return listing.assign(path=[str(root / p) for p in listing["path"]])


@pytest.fixture
def run(request, tmp_path) -> Path:
    """A copy of one legacy run (so nothing here can change the fixture)."""
    copy = tmp_path / request.param
    shutil.copytree(LEGACY / request.param, copy)
    return copy


def test_a_legacy_record_reads_in_todays_shape():
    record = RunRecord.read(LEGACY / "text")
    assert record.format == 2 and record.best == "classical" and set(record.models) == {"classical", "deep", "blend"}
    assert record.models["classical"] == "models/gbm"  # the folder keeps its name
    assert [a["name"] for a in record.plan["approaches"]] == ["classical", "deep"]
    assert record.finalists[0]["noun"] == "the classical TF-IDF model"


@pytest.mark.parametrize("run", ["tabular", "regression", "text", "image", "audio"], indirect=True)
def test_classical_model_of_a_legacy_run_predicts_its_test_rows_again(run, tmp_path):
    check_approach(run, "gbm", "classical", tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("run", ["tabular", "regression", "text", "image", "audio"], indirect=True)
def test_deep_model_and_blend_of_a_legacy_run_predict_their_test_rows_again(run, tmp_path):
    check_approach(run, "deep", "deep", tmp_path)
    check_approach(run, "blend", "blend", tmp_path)
    assert automl.load(run).approach == "classical"  # best was "gbm"


def check_approach(run: Path, old: str, new: str, tmp_path: Path) -> None:
    saved = pd.read_csv(run / "test_predictions.csv")
    rows = data_of(run.name, tmp_path).iloc[saved["row"]]
    record = json.loads((run / "run.json").read_text())
    for name in (old, new):
        predictor = automl.load(run, name)
        assert predictor.approach == new
        if record["task"] == "regression":
            np.testing.assert_allclose(predictor.predict(rows), saved[f"{old}_prediction"], rtol=1e-5)
            continue
        columns = [f"{old}_proba_{c}" for c in record["classes"]]
        np.testing.assert_allclose(predictor.predict_proba(rows), saved[columns].to_numpy(), atol=1e-5)
        assert list(predictor.predict(rows)) == saved[f"{old}_prediction"].astype(str).tolist()


@pytest.mark.parametrize("run", ["tabular", "text"], indirect=True)
def test_a_legacy_run_reports_in_todays_schema_and_predicts_from_the_cli(run, tmp_path):
    from test_report import validate

    report = build(run)
    validate(report)
    assert [f["approach"] for f in report["leaderboard"]][0] in ("classical", "deep", "blend")
    assert set(report["approaches"]) == {"classical", "deep", "blend"}
    noun = "classical TF-IDF model" if report["modality"] == "text" else "radient boosting"
    assert noun in report["verdict"]
    assert {"classical", "deep"} <= set(report["anytime"])
    result = CliRunner().invoke(main, ["report", str(run), "--format", "html"])
    assert result.exit_code == 0, result.output
    data = tmp_path / "rows.csv"
    data_of(run.name, tmp_path).to_csv(data, index=False)
    result = CliRunner().invoke(main, ["predict", str(run), str(data), "--approach", "gbm"])
    assert result.exit_code == 0, result.output
    assert "predicted_" in result.stdout.splitlines()[0]
