"""A new approach or a new modality is one class plus one registration: nothing outside this file changes.

Two extensions are written here, as a user or a plugin would: a k-nearest-neighbours baseline as a third
approach for tables, and a toy fifth modality, "series" (a column of numbers joined by ``;``), with its own
column detector and one route. Each goes through ``fit``, ``predict`` from the saved run and the report.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import automl
from automl import AutoML, registry
from automl.metrics import score_output
from automl.modalities.base import Claim, Detector, Modality
from automl.modalities.tabular.encoder import TabularEncoder
from automl.registry import RouteSpec
from automl.search.base import SearchResult

REPO = Path(__file__).resolve().parents[1]
WINE = REPO / "data" / "wine.csv"


class KNNModel:
    """k nearest neighbours on standardised numbers; saved as JSON (the training rows are the model)."""

    name = "knn"

    def __init__(self, encoder, X, y, task, n_classes, k=5):
        self.encoder, self.X, self.y, self.task, self.n_classes, self.params = encoder, X, y, task, n_classes, {"k": k}
        self.mean, self.std = X.mean(axis=0), X.std(axis=0) + 1e-9

    def _neighbours(self, frame):
        X = np.nan_to_num(self.encoder.numeric(frame))
        distance = (((X[:, None, :] - self.X[None]) / self.std) ** 2).sum(axis=2)
        return self.y[np.argsort(distance, axis=1)[:, : self.params["k"]]]

    def predict_proba(self, frame):
        near = self._neighbours(frame).astype(int)
        return np.stack([(near == c).mean(axis=1) for c in range(self.n_classes)], axis=1)

    def predict(self, frame):
        if self.task == "regression":
            return self._neighbours(frame).mean(axis=1)
        return self.predict_proba(frame).argmax(axis=1)

    def save(self, folder):
        meta = {"encoder": self.encoder.to_dict(), "X": self.X.tolist(), "y": self.y.tolist(), "task": self.task,
                "n_classes": self.n_classes}
        (folder / "knn.json").write_text(json.dumps(meta))


class KNNRoute:
    saves = (("knn.json",),)

    def load(self, folder):
        meta = json.loads((folder / "knn.json").read_text())
        return KNNModel(TabularEncoder.from_dict(meta["encoder"]), np.array(meta["X"]), np.array(meta["y"]),
                        meta["task"], meta["n_classes"])

    def finish_seconds(self, budget):
        return 0.5

    def search(self, ctx):
        started = __import__("time").monotonic()
        encoder = TabularEncoder.fit(ctx.X, ctx.kinds)
        model = KNNModel(encoder, np.nan_to_num(encoder.numeric(ctx.X)), np.asarray(ctx.y), ctx.task, ctx.n_classes)
        score = score_output(ctx.task, ctx.y, model.predict(ctx.X) if ctx.task == "regression"
                             else model.predict_proba(ctx.X), ctx.metric)  # on its own rows: a baseline
        ctx.log_trial("knn", model.params, score, started)
        ctx.improved(model)
        return SearchResult(model, score, 0.0, ["k nearest neighbours on the numeric columns, k=5."])


def series_values(column):
    """A column is a series when every sampled value is at least three numbers joined by ';'."""
    parts = column.sample.str.split(";")
    if (parts.str.len() >= 3).all() and pd.to_numeric(parts.explode(), errors="coerce").notna().all():
        return Claim("series", f"numbers joined by ';', {parts.str.len().median():.0f} per value.")
    return None


class SeriesModality(Modality):
    name = "series"
    column_kind = "series"
    priority = 5
    unit = "series"
    detectors = (Detector(45, series_values),)

    def describe(self, frame, columns, root, warnings):
        self.set_aside(columns)


class CentroidModel:
    """The class whose mean (level, trend) is nearest; for regression, the mean target of the nearest level."""

    name = "series_centroid"

    def __init__(self, column, centroids, task):
        self.column, self.centroids, self.task, self.params = column, np.asarray(centroids), task, {}

    def features(self, frame):
        values = [np.array(v.split(";"), dtype=float) for v in frame[self.column]]
        return np.array([[v.mean(), v[-1] - v[0]] for v in values])

    def predict_proba(self, frame):
        distance = ((self.features(frame)[:, None, :] - self.centroids[None]) ** 2).sum(axis=2)
        weights = np.exp(-distance)
        return weights / weights.sum(axis=1, keepdims=True)

    def predict(self, frame):
        return self.predict_proba(frame).argmax(axis=1)

    def save(self, folder):
        (folder / "centroids.json").write_text(json.dumps({"column": self.column, "task": self.task,
                                                           "centroids": self.centroids.tolist()}))


class CentroidRoute:
    saves = (("centroids.json",),)

    def load(self, folder):
        meta = json.loads((folder / "centroids.json").read_text())
        return CentroidModel(meta["column"], meta["centroids"], meta["task"])

    def finish_seconds(self, budget):
        return 0.5

    def search(self, ctx):
        started = __import__("time").monotonic()
        column = ctx.columns_of("series")[0]
        probe = CentroidModel(column, [], ctx.task)
        X, y = probe.features(ctx.X), np.asarray(ctx.y)
        model = CentroidModel(column, [X[y == c].mean(axis=0) for c in range(ctx.n_classes)], ctx.task)
        ctx.log_trial("series_centroid", {}, score_output(ctx.task, y, model.predict_proba(ctx.X), ctx.metric), started)
        ctx.improved(model)
        return SearchResult(model, ctx.trials[-1].val_score, 0.0, [])


@pytest.fixture
def knn():
    spec = RouteSpec("tabular", "knn", "classical", KNNRoute, "k nearest neighbours (a baseline)",
                     "the nearest-neighbours baseline", share=0.1)
    with registry.register(spec):
        yield spec


@pytest.fixture
def series():
    with registry.register(SeriesModality()), registry.register(
            RouteSpec("series", "classical", "classical", CentroidRoute, "nearest class centroid of level and trend",
                      "the centroid model")):
        yield


def series_frame(n=60, seed=0):
    rng = np.random.default_rng(seed)
    labels = np.array(["flat", "rising", "falling"])[np.arange(n) % 3]
    slope = {"flat": 0.0, "rising": 1.0, "falling": -1.0}
    rows = [";".join(f"{slope[lab] * t + rng.normal(scale=0.1):.3f}" for t in range(8)) for lab in labels]
    return pd.DataFrame({"signal": rows, "shape": labels})


def test_a_third_approach_is_planned_and_runs_beside_the_two_others_without_the_network(knn, tmp_path):
    model = AutoML(budget="30s", compare=True, max_trials=1, out=tmp_path / "runs").fit(WINE)
    plan = [a.name for a in model.plan_.approaches]
    assert plan == ["classical", "knn"] and any("deep" in s for s in model.plan_.skipped)  # 30 s: no room for it
    board = model.leaderboard_
    assert set(board["approach"]) == {"classical", "knn", "blend", "baseline"}
    knn_model = automl.load(model.run_dir_, approach="knn")
    frame = pd.read_csv(WINE)
    assert knn_model.predict_proba(frame).shape == (178, 3) and set(knn_model.predict(frame)) <= set(model.classes_)
    report = json.loads((model.run_dir_ / "report.json").read_text())
    assert report["approaches"]["knn"] == {"kind": "classical", "noun": "the nearest-neighbours baseline"}
    assert "nearest-neighbours baseline" in report["verdict"] or "radient boosting" in report["verdict"]
    assert "knn" in (model.run_dir_ / "report.html").read_text()


@pytest.mark.slow
def test_three_approaches_and_the_blend_of_them_all_end_to_end(knn, tmp_path):
    model = AutoML(budget="60s", max_trials=1, max_epochs=1, out=tmp_path / "runs").fit(WINE)
    assert [a.name for a in model.plan_.approaches] == ["classical", "knn", "deep"]
    board = model.leaderboard_
    assert set(board["approach"]) == {"classical", "knn", "deep", "blend", "baseline"}
    record = json.loads((model.run_dir_ / "run.json").read_text())
    assert next(f for f in record["finalists"] if f["approach"] == "blend")["params"]["members"] == \
        ["classical", "knn", "deep"]
    # the kNN route gives no out-of-sample predictions, so nothing can be weighed: equal weights, said so
    assert record["selection"]["rows"] == 0 and "equal weights" in record["selection"]["how"]
    frame = pd.read_csv(WINE)
    parts = [automl.load(model.run_dir_, a).predict_proba(frame) for a in ("classical", "knn", "deep")]
    np.testing.assert_allclose(automl.load(model.run_dir_, "blend").predict_proba(frame), np.mean(parts, axis=0),
                               atol=1e-9)
    report = json.loads((model.run_dir_ / "report.json").read_text())
    assert report["comparison"]["winner_kind"] != report["comparison"]["loser_kind"]  # best classical vs deep
    html = (model.run_dir_ / "report.html").read_text()
    assert "the nearest-neighbours baseline" in html or "nearest-neighbours baseline" in html


def test_a_fifth_modality_is_detected_trained_predicted_and_reported(series, tmp_path):
    data = tmp_path / "series.csv"
    series_frame().to_csv(data, index=False)
    model = AutoML(budget="20s", out=tmp_path / "runs").fit(data)
    assert model.profile_.modality_reason == "column 'signal' is a series column, so this is series data."
    assert model.profile_.column("signal").kind == "series" and model.profile_.task == "multiclass"
    assert model.score(series_frame(30, seed=1).drop(columns="shape"), series_frame(30, seed=1)["shape"]) > 0.9
    out, _ = automl.load(model.run_dir_).predict_frame(series_frame(6, seed=2).drop(columns="shape"))
    assert list(out.columns) == ["predicted_shape", "proba_falling", "proba_flat", "proba_rising"]
    assert out["predicted_shape"].tolist() == ["flat", "rising", "falling"] * 2
    report = json.loads((model.run_dir_ / "report.json").read_text())
    assert report["modality"] == "series" and report["verdict"].startswith("Only the centroid model ran")
    assert (model.run_dir_ / "report.html").is_file()


def test_registered_items_are_found_while_registered(knn, series):
    assert registry.route_spec("tabular", "knn") is knn
    assert [m.name for m in registry.modalities()][0] == "series"


def test_nothing_is_left_registered_after_the_tests_above():
    assert [r.approach for r in registry.routes("tabular")] == ["classical", "deep"]
    assert "series" not in [m.name for m in registry.modalities()]


def test_registering_over_a_built_in_and_removing_it_restores_the_built_in():
    built_in = registry.route_spec("tabular", "classical")
    stand_in = RouteSpec("tabular", "classical", "classical", KNNRoute, "a stand-in", "the stand-in")
    with registry.register(stand_in):
        assert registry.route_spec("tabular", "gbm") is stand_in
    assert registry.route_spec("tabular", "classical") is built_in
    with pytest.raises(automl.ConfigError, match="`kind` must be classical or deep"):
        registry.register(RouteSpec("tabular", "x", "shallow", KNNRoute, "", ""))


def test_a_chosen_blend_is_deployed_with_the_members_that_can_refit_refitted(knn, tmp_path, monkeypatch):
    """The blend chosen: gradient boosting is refitted on all rows, the kNN (no refit) is kept, weights unchanged."""
    from automl.run import runner
    from automl.run.choice import Choice

    monkeypatch.setattr(runner, "choose", lambda finalists, metric, gap=None: Choice(*[finalists[-1].approach] * 2))
    model = AutoML(budget="30s", compare=True, max_trials=1, out=tmp_path / "runs").fit(WINE)
    record = json.loads((model.run_dir_ / "run.json").read_text())
    deployed = record["deployed"]
    assert record["best"] == "blend" and deployed["refitted"]
    assert deployed["models"] == {"classical": "models/deployed/classical", "blend": "models/deployed/blend"}
    assert any("has no refit" in n for n in deployed["notes"])
    frame = pd.read_csv(WINE)
    used = automl.load(model.run_dir_)
    assert used.approach == "blend" and used.refitted
    classical = registry.route_spec("tabular", "classical").route().load(model.run_dir_ / "models/deployed/classical")
    weights = record["selection"]["weights"]
    expected = (weights["classical"] * classical.predict_proba(frame)
                + weights["knn"] * automl.load(model.run_dir_, "knn").predict_proba(frame)) / sum(weights.values())
    np.testing.assert_allclose(used.predict_proba(frame), expected, atol=1e-9)
