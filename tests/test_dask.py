"""Gradient boosting on Dask (``xgboost.dask``) on a local cluster of two worker processes: a generated table read
in pieces trains, is scored on held rows like any run, matches the in-memory path within noise, and predicts
piece by piece. Needs the distributed extra."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

pytest.importorskip("distributed")

from automl import AutoML  # noqa: E402
from automl.cli import main  # noqa: E402

pytestmark = pytest.mark.slow


def generated(path: Path, rows: int = 40_000) -> Path:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(rows, 4))
    colour = rng.choice(["red", "green", "blue", "grey"], size=rows)
    logit = 1.5 * x[:, 0] - x[:, 1] + 0.8 * x[:, 2] * x[:, 3] + 0.7 * (colour == "red")
    frame = pd.DataFrame(x, columns=["a", "b", "c", "d"])
    frame["colour"] = colour
    frame["target"] = np.where(logit + rng.logistic(size=rows) > 0, "yes", "no")
    frame.to_parquet(path, row_group_size=5_000)  # 8 pieces
    return path


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generated(tmp_path_factory.mktemp("large") / "big.parquet")


@pytest.fixture(scope="module")
def on_dask(data: Path, tmp_path_factory: pytest.TempPathFactory) -> AutoML:
    out = tmp_path_factory.mktemp("runs")
    return AutoML(budget="45s", compare=False, out=out, dask="local", max_trials=2, memory="4GB").fit(data)


def test_boosting_on_dask_trains_on_the_rows_not_held_and_is_scored_on_held_ones(on_dask: AutoML) -> None:
    record = json.loads((on_dask.run_dir_ / "run.json").read_text())
    assert record["data"]["large"]["rows"] == 40_000 and record["data"]["large"]["pieces"] == 8
    assert on_dask.best_approach_ == "dask"
    held = record["profile"]["large"]["held"]
    assert record["split"]["test_rows"] + record["split"]["train_rows"] == held < 40_000 // 2
    trials = [json.loads(line) for line in (on_dask.run_dir_ / "trials.jsonl").read_text().splitlines()]
    assert trials and all(t["extra"]["engine"] == "dask" and t["status"] == "ok" for t in trials)
    notes = " ".join(record["searched"]["dask"]["notes"])
    assert "Trained on Dask (2 worker(s)" in notes and "8 piece(s)" in notes
    positions = pd.read_csv(on_dask.run_dir_ / "test_predictions.csv")["row"]
    assert positions.between(0, 39_999).all() and positions.is_unique  # rows of the file, for the user to find


def test_its_test_score_is_within_noise_of_the_in_memory_path(on_dask: AutoML, data: Path, tmp_path: Path) -> None:
    in_memory = AutoML(budget="30s", compare=False, out=tmp_path, dask="off", max_trials=4).fit(data)
    assert in_memory.best_approach_ == "classical"
    a = on_dask.leaderboard_.set_index("approach").loc["dask", "test_accuracy"]
    b = in_memory.leaderboard_.set_index("approach").loc["classical", "test_accuracy"]
    rows = json.loads((on_dask.run_dir_ / "run.json").read_text())["split"]["test_rows"]
    noise = 3 * math.sqrt(b * (1 - b) / rows)  # three standard errors of the smaller test set
    assert abs(a - b) <= noise, (a, b, noise)


def test_predictions_stream_piece_by_piece_in_file_order(on_dask: AutoML, data: Path, tmp_path: Path) -> None:
    out = tmp_path / "predictions.csv"
    result = CliRunner().invoke(main, ["predict", str(on_dask.run_dir_), str(data), "--stream", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "streamed piece by piece" in result.output and not out.with_name(out.name + ".partial").exists()
    streamed = pd.read_csv(out)
    whole, _ = on_dask.predictor_.predict_frame(pd.read_parquet(data))
    assert len(streamed) == 40_000
    assert streamed["predicted_target"].tolist() == whole["predicted_target"].tolist()
    np.testing.assert_allclose(streamed["proba_yes"], whole["proba_yes"], atol=1e-6)


def test_evaluate_counts_every_row_of_its_own_file_as_seen(on_dask: AutoML, data: Path, tmp_path: Path) -> None:
    # The rows trained on Dask have no hashes kept: the run's own file is known by its fingerprint instead.
    _, notes = on_dask.predictor_.evaluate(data)
    assert any("all 40,000 were in its training/test data" in n for n in notes)
    part = tmp_path / "part.csv"
    pd.read_parquet(data).iloc[:4_000].to_csv(part, index=False)
    _, notes = on_dask.predictor_.evaluate(part)
    assert any("it kept no record of" in n for n in notes)
    assert any("of 4,000 rows" in n and "were in this run's training/test data" in n for n in notes)  # the held ones


def test_the_command_line_refuses_a_table_too_large_with_dask_off(data: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["fit", str(data), "--memory", "1MB", "--dask", "off", "--out", str(tmp_path),
                                       "--no-compare", "--budget", "20s"])
    assert result.exit_code == 2
    error = [line for line in result.output.splitlines() if line.startswith("automl: error")]
    assert len(error) == 1 and "too large for this machine's memory" in error[0] and "Train on Dask" in error[0]
    assert not any(tmp_path.iterdir())  # refused before a run directory was made


def test_a_run_on_dask_resumes_on_dask_with_the_same_held_rows(on_dask: AutoML) -> None:
    before = json.loads((on_dask.run_dir_ / "run.json").read_text())
    resumed = AutoML(budget="40s", compare=False, max_trials=1).fit(resume=on_dask.run_dir_)  # dask="auto"
    after = json.loads((resumed.run_dir_ / "run.json").read_text())
    assert after["status"] == "complete" and len(after["sessions"]) == len(before["sessions"]) + 1
    assert after["split"]["test_sha256"] == before["split"]["test_sha256"]  # the same held test rows
    assert after["data"]["large"]["rows"] == 40_000 and resumed.best_approach_ == "dask"


def test_an_existing_scheduler_is_used_by_its_address(data: Path, tmp_path: Path) -> None:
    from distributed import LocalCluster

    with LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster:
        model = AutoML(budget="30s", compare=False, out=tmp_path, dask=cluster.scheduler_address,
                       max_trials=1).fit(data)
    record = json.loads((model.run_dir_ / "run.json").read_text())
    assert record["settings"]["dask"] == cluster.scheduler_address
    assert "Trained on Dask (1 worker(s), 2 thread(s)" in " ".join(record["searched"]["dask"]["notes"])


def test_a_scheduler_that_does_not_answer_is_a_one_line_error_before_the_run(data: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["fit", str(data), "--dask", "tcp://127.0.0.1:1", "--out", str(tmp_path),
                                       "--no-compare", "--budget", "20s"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1].startswith("automl: error: `dask` scheduler 'tcp://127.0.0.1:1' "
                                                             "does not answer")
    assert not any(tmp_path.iterdir())


def two_crowds(path: Path, rows: int = 40_000) -> Path:
    """Two crowds that nothing tells apart, with opposite rules (label ``x > 0``; ``x < 0``), the second weighing 0
    in column ``w``: weighted, one rule is left to learn; counted alike, the crowds cancel out."""
    rng = np.random.default_rng(2)
    x = rng.uniform(-1, 1, rows)
    second = np.arange(rows) % 2 == 1
    frame = pd.DataFrame({"x": x, "noise": rng.normal(size=rows), "w": np.where(second, 0.0, 1.0),
                          "label": np.where(np.where(second, x < 0, x > 0), "yes", "no")})
    frame.to_parquet(path, row_group_size=5_000)
    return path


def test_weights_reach_the_rows_that_train_on_the_dask_workers(tmp_path: Path) -> None:
    data = two_crowds(tmp_path / "crowds.parquet")
    model = AutoML(budget="30s", compare=False, out=tmp_path / "runs", dask="local", max_trials=1, memory="4GB",
                   weight="w").fit(data, target="label")
    record = json.loads((model.run_dir_ / "run.json").read_text())
    assert model.best_approach_ == "dask" and record["settings"]["weight"] == "w" and "w" not in record["features"]
    assert "counted its weight in 'w'" in " ".join(record["searched"]["dask"]["notes"])
    # Only the rows not held in memory train; counted alike there, the two rules cancel out (about .5).
    assert record["finalists"][0]["test_scores"]["accuracy"] > 0.9


def test_a_bad_weight_among_the_held_rows_is_refused_by_its_row_in_the_file(tmp_path: Path) -> None:
    path = two_crowds(tmp_path / "crowds.parquet")
    frame = pd.read_parquet(path)
    frame.loc[::1_000, "w"] = np.nan  # file rows 1, 1001, 2001, ...
    frame.to_parquet(path, row_group_size=5_000)
    result = CliRunner().invoke(main, ["inspect", str(path), "--target", "label", "--weight", "w", "--dask", "local"])
    assert result.exit_code == 2, result.output
    row = int(result.output.split("(the first is data row ")[1].split(")")[0])
    assert (row - 1) % 1_000 == 0  # a row of the file, not of the rows held in memory


def test_a_piece_leaves_out_the_rows_whose_weight_is_not_a_weight(tmp_path: Path) -> None:
    from automl.data.large import pieces_of
    from automl.modalities.tabular.dask_gbm import LABEL, WEIGHT, training_piece
    from automl.modalities.tabular.encoder import TabularEncoder

    frame = pd.DataFrame({"x": [0.1, 0.2, 0.3, 0.4, 0.5], "w": [1.0, None, -2.0, 0.0, 3.5],
                          "label": ["yes", "no", "yes", "no", None]})
    frame.to_parquet(tmp_path / "t.parquet")
    encoder = TabularEncoder.fit(frame[["x"]], {"x": "numeric"})
    piece = training_piece(0, pieces_of(tmp_path / "t.parquet"), encoder, "label", "binary", ["no", "yes"], "w")
    assert piece[WEIGHT].tolist() == [1.0, 0.0] and piece[LABEL].tolist() == [1.0, 0.0]  # the first and fourth rows
    assert WEIGHT not in training_piece(0, pieces_of(tmp_path / "t.parquet"), encoder, "label", "binary",
                                        ["no", "yes"])
