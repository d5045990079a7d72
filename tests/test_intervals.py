"""A regression's prediction interval: one half width from the chosen model's validation errors (split conformal),
kept in run.json with how often it held on the test rows, and written beside every prediction."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from click.testing import CliRunner

from automl import intervals
from automl.cli import main


def test_the_width_is_the_conformal_rank_of_the_validation_errors():
    errors = np.arange(1.0, 101.0)  # 1 .. 100, on rows whose predictions are all 0: one band
    found = intervals.fit(errors, np.zeros(100))
    assert (found.level, found.half_width, found.rows, found.edges) == (0.9, 91.0, 100, ())  # the 91st of 100
    assert intervals.fit(errors, np.zeros(100), level=0.5).half_width == 51.0
    assert intervals.fit(np.zeros(19), np.ones(19)) is None  # too few rows to say
    assert intervals.fit(np.zeros(5), np.ones(5), level=0.99) is None


def test_each_band_of_predicted_value_gets_its_own_width_and_holds_its_level():
    rng = np.random.default_rng(1)
    predicted = rng.uniform(1, 100, 12000)
    y = predicted + rng.normal(0, 0.1 * predicted)  # errors grow with the value, as prices' do
    found = intervals.fit(y[:2000], predicted[:2000])
    assert len(found.half_widths) == intervals.BANDS and list(found.half_widths) == sorted(found.half_widths)
    fresh_y, fresh = y[2000:], predicted[2000:]
    widths = found.widths(fresh)
    low, high = fresh < found.edges[0], fresh >= found.edges[-1]
    for band in (low, high):
        assert 0.86 < intervals.coverage(fresh_y[band], fresh[band], widths[band]) < 0.94
    one = found.half_width  # one width for all: far from its level at either end
    assert intervals.coverage(fresh_y[low], fresh[low], one) > 0.99
    assert intervals.coverage(fresh_y[high], fresh[high], one) < 0.8


def test_a_fresh_rows_share_inside_the_interval_is_near_its_level():
    rng = np.random.default_rng(0)
    x = rng.uniform(-3, 3, 6000)
    y = np.sin(x) * 10 + rng.standard_t(4, 6000) * 2  # heavy tails: no normal width would do
    predicted = np.sin(x) * 10 + 0.3  # a slightly biased model
    found = intervals.fit(y[:1000], predicted[:1000])
    held = intervals.coverage(y[1000:], predicted[1000:], found.widths(predicted[1000:]))
    assert 0.87 < held < 0.93


def test_a_damaged_or_missing_width_is_no_interval():
    assert intervals.saved({"deep": {"half_width": -1.0}}, "deep") is None
    assert intervals.saved({"deep": {"half_width": "wide"}}, "deep") is None
    assert intervals.saved({"deep": {"half_width": float("nan")}}, "deep") is None
    assert intervals.saved({"deep": {"half_width": 1.0, "edges": [2.0, 1.0], "half_widths": [1, 2, 3]}}, "deep") is None
    assert intervals.saved(None, "deep") is None
    kept = intervals.fit(np.arange(400.0), np.arange(400.0) + np.tile([1.0, -1.0], 200)).to_dict()
    assert intervals.saved({"deep": kept}, "deep") == intervals.Interval(**{k: tuple(v) if isinstance(v, list) else v
                                                                            for k, v in kept.items()})


def rows(n: int = 300, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"a": rng.normal(size=n), "b": rng.uniform(size=n), "c": rng.choice(["x", "y"], n)})
    return frame.assign(y=3 * frame["a"] + np.where(frame["c"] == "x", 2.0, -1.0) + rng.normal(0, 0.5, n))


def test_a_regression_run_keeps_its_interval_and_predict_writes_it(quick_fit, tmp_path):
    data = tmp_path / "values.csv"
    rows().to_csv(data, index=False)
    run, record = quick_fit(data, "--target", "y")
    kept = record["intervals"]["classical"]
    assert kept["level"] == 0.9 and kept["rows"] == record["split"]["train_rows"]  # 5-fold: every training row
    assert kept["half_width"] > 0 and 0.0 <= kept["test_coverage"] <= 1.0
    interval = intervals.saved(record["intervals"], "classical")
    assert len(kept["half_widths"]) == len(kept["edges"]) + 1 == min(intervals.BANDS, kept["rows"] // 40)
    (finalist,) = [f for f in record["finalists"] if f["approach"] == "classical"]
    assert any("90 % prediction interval" in n and f"{kept['test_coverage'] * 100:.1f} %" in n
               for n in finalist["notes"])
    tested = pd.read_csv(run / "test_predictions.csv")
    inside = (tested["classical_lower"] <= tested["actual"]) & (tested["actual"] <= tested["classical_upper"])
    assert np.isclose(inside.mean(), kept["test_coverage"], atol=1e-4)
    assert np.allclose(tested["classical_upper"] - tested["classical_prediction"],
                       interval.widths(tested["classical_prediction"]))
    new = tmp_path / "new.csv"
    rows(40, seed=1).drop(columns="y").to_csv(new, index=False)
    out = tmp_path / "predictions.csv"
    assert CliRunner().invoke(main, ["predict", str(run), str(new), "-o", str(out)]).exit_code == 0
    written = pd.read_csv(out)
    assert list(written.columns) == ["predicted_y", "lower_y", "upper_y"]
    assert np.allclose(written["upper_y"] - written["lower_y"], 2 * interval.widths(written["predicted_y"]))
    assert (written["lower_y"] < written["predicted_y"]).all()
    scored = CliRunner().invoke(main, ["evaluate", str(run), str(data), "--json"])
    assert scored.exit_code == 0, scored.output
    assert 0.8 <= json.loads(scored.stdout)["scores"]["interval_coverage"] <= 1.0  # rows it trained on, mostly


def test_a_classification_run_has_no_interval_and_a_damaged_one_is_named(quick_fit, tmp_path):
    data = tmp_path / "classes.csv"
    rows().assign(y=lambda f: np.where(f["y"] > 0, "up", "down")).to_csv(data, index=False)
    run, record = quick_fit(data, "--target", "y")
    assert record["intervals"] == {}
    values = tmp_path / "values.csv"
    rows().to_csv(values, index=False)
    regression = CliRunner().invoke(main, ["fit", str(values), "--target", "y", "--budget", "15s", "--no-compare",
                                           "--out", str(tmp_path / "other"), "-q"])
    assert regression.exit_code == 0, regression.output
    (other,) = list((tmp_path / "other").iterdir())
    saved = json.loads((other / "run.json").read_text())
    saved["intervals"]["classical"]["half_width"] = -3.0
    (other / "run.json").write_text(json.dumps(saved))
    damaged = CliRunner().invoke(main, ["predict", str(other), str(values)])
    assert damaged.exit_code == 2 and "intervals" in damaged.output and "Traceback" not in damaged.output


def test_a_run_from_before_intervals_predicts_without_them(quick_fit, tmp_path):
    data = tmp_path / "values.csv"
    rows().to_csv(data, index=False)
    run, record = quick_fit(data, "--target", "y")
    saved = json.loads((run / "run.json").read_text())
    saved.pop("intervals")
    (run / "run.json").write_text(json.dumps(saved))
    result = CliRunner().invoke(main, ["predict", str(run), str(data)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "predicted_y"
