"""The report's SVG charts: well-formed, accessible, escaped, and honest about what is missing."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest

from automl.report import plots
from automl.report.curves import curves
from automl.report.outcomes import probability_curves
from automl.report.svg import OKABE_ITO, label, log_ticks, nice_ticks, standalone, tick_labels

SCRIPT = "<script>alert(1)</script>"
SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    """The chart as XML (so it is well-formed), with the namespace a standalone file gets."""
    return ET.fromstring(standalone(svg).split("\n", 1)[1])


def texts(root: ET.Element) -> list[str]:
    return ["".join(e.itertext()) for e in root.iter() if e.tag in (f"{SVG}text", f"{SVG}title", f"{SVG}desc")]


def probabilities(rows: int = 60, seed: int = 0) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Test labels (0/1) and two models' probabilities: one informative, one noisier."""
    rng = np.random.default_rng(seed)
    y = np.arange(rows) % 2
    good = np.clip(0.5 + (y - 0.5) * 0.6 + rng.normal(scale=0.2, size=rows), 0.01, 0.99)
    weak = np.clip(0.5 + (y - 0.5) * 0.2 + rng.normal(scale=0.3, size=rows), 0.01, 0.99)
    return y, {"classical": np.c_[1 - good, good], "deep": np.c_[1 - weak, weak]}


def classification_report(label: str = "cat") -> dict:
    y, proba = probabilities()
    per_class = [{"label": label, "precision": 0.9, "recall": 0.8, "f1": 0.85, "support": 10},
                 {"label": "dog", "precision": 0.7, "recall": 0.75, "f1": 0.72, "support": 8}]
    return {
        "metric": "accuracy", "modality": "tabular", "task": "binary",
        "anytime": {"classical": [[0.5, 0.8], [2.0, 0.9]], "deep": [[5.0, 0.6], [9.0, 0.85], [12.0, 0.85]]},
        "leaderboard": [
            {"approach": "classical", "test_scores": {"accuracy": 0.9}, "fit_seconds": 2.0},
            {"approach": "deep", "test_scores": {"accuracy": 0.86}, "fit_seconds": 12.0},
            {"approach": "blend", "test_scores": {"accuracy": 0.91}, "fit_seconds": 14.0},
        ],
        "costs": {"approaches": {"classical": {"train_usd": 0.0001}, "deep": {"train_usd": 0.004},
                                 "blend": {"train_usd": 0.0041}}},
        "evaluation": {"labels": [label, "dog"], "shown": [0, 1], "approaches": {
            "classical": {"confusion": [[9, 1], [2, 6]], "per_class": per_class},
            "deep": {"confusion": [[8, 2], [2, 6]], "per_class": per_class},
        }, "curves": curves(y, proba, [label, "dog"])},
        "trials": [{"approach": "classical", "model": "xgboost", "ended": 0.5, "val_score": 0.8},
                   {"approach": "classical", "model": "hist_gbm", "ended": 2.0, "val_score": 0.9},
                   {"approach": "classical", "model": "xgboost", "ended": 3.0, "val_score": None},
                   {"approach": "deep", "model": "mlp/dense", "ended": 9.0, "val_score": 0.85}],
        "training_curves": {"deep": [
            {"epoch": 1, "phase": "search", "loss": 0.9, "val_loss": 0.8, "val_score": 0.7},
            {"epoch": 2, "phase": "search", "loss": 0.6, "val_loss": 0.65, "val_score": 0.8},
            {"epoch": 3, "phase": "continued", "loss": 0.5, "val_loss": 0.6, "val_score": 0.85},
        ]},
        "feature_importance": {"classical": {"method": "gain", "features": [[label, 0.7], ["b", 0.3]], "note": "gain"}},
    }


def test_ticks():
    assert nice_ticks(0.81, 0.97) == [0.8, 0.85, 0.9, 0.95, 1.0]
    assert nice_ticks(3.0, 3.0)[0] < 3.0 < nice_ticks(3.0, 3.0)[-1]
    assert log_ticks(0.0002, 0.05) == [0.0001, 0.001, 0.01, 0.1]


def test_pareto_front_lower_is_better():
    assert plots.pareto([(1, 3.0), (2, 2.0), (3, 2.5), (4, 1.0)], greater=False) == [(1, 3.0), (2, 2.0), (4, 1.0)]


def test_every_chart_of_a_classification_run_is_well_formed_and_labelled():
    figures = plots.figures(classification_report())
    keys = [f["key"] for f in figures]
    assert keys == ["anytime", "trials", "cost_vs_score", "confusion_classical", "confusion_deep",
                    "per_class_classical", "per_class_deep", "roc", "precision_recall", "calibration", "training_loss",
                    "training_metric", "feature_importance_classical", "feature_importance_deep"]
    importance_deep = figures.pop()  # the network recorded none: said, not drawn
    assert importance_deep["missing"] == "not computed for the deep network in this run"
    for figure in figures:
        assert "missing" not in figure, figure
        root = parse(figure["svg"])
        assert root.get("role") == "img"
        title = root.find(f"{SVG}title")
        desc = root.find(f"{SVG}desc")
        assert title is not None and title.text == figure["title"]
        assert desc is not None and desc.text
        assert root.get("aria-labelledby") == f"{figure['key']}-title {figure['key']}-desc"
        assert len(list(root)) > 5, figure["key"]  # more than the title, description and background
    assert OKABE_ITO["blue"] in figures[0]["svg"] and OKABE_ITO["vermillion"] in figures[0]["svg"]
    assert "trained on after the search" in figures[keys.index("training_loss")]["svg"]  # continued training


def test_data_strings_in_charts_are_escaped_text():
    figures = plots.figures(classification_report(label=SCRIPT))
    seen = 0
    for figure in [f for f in figures if "svg" in f]:
        assert "<script" not in figure["svg"], figure["key"]
        root = parse(figure["svg"])
        assert not [e for e in root.iter() if e.tag.endswith("script")]
        seen += sum(1 for t in texts(root) if "<script>alert(1)" in t or SCRIPT[:10] in t)
    assert seen >= 3  # confusion, per-class and importance labels show the text itself


def test_regression_charts():
    report = classification_report()
    report |= {"task": "regression", "metric": "rmse",
               "evaluation": {"approaches": {"classical": {"points": [[1.0, 1.2], [2.0, 1.9], [3.0, 3.3]],
                                                     "residual_mean": 0.0, "residual_sd": 0.2}}}}
    report["leaderboard"] = [{"approach": "classical", "test_scores": {"rmse": 0.2}, "fit_seconds": 1.0}]
    keys = {f["key"]: f for f in plots.figures(report)}
    assert "predicted_actual" in keys and "residuals" in keys and "confusion_classical" not in keys
    parse(keys["predicted_actual"]["svg"])
    assert "Down is better" in keys["cost_vs_score"]["caption"]


def test_a_run_without_the_new_records_says_what_is_missing():
    old = {"metric": "accuracy", "modality": "image", "task": "multiclass", "leaderboard": []}
    figures = plots.figures(old)
    assert all("missing" in f and f["missing"] for f in figures)
    assert {f["key"] for f in figures} >= {"anytime", "confusion", "training_loss", "feature_importance"}


def test_old_importance_format_still_draws():
    from automl.report import _importance

    record = _importance({"classical": {"alcohol": 0.4, "hue": 0.6}})["classical"]  # runs before report schema 2
    figure = plots.feature_importance(record, "gradient boosting")
    assert "hue" in figure["svg"] and figure["svg"].index("hue") < figure["svg"].index("alcohol")


@pytest.mark.parametrize("costs", [None, {"approaches": {}}])
def test_cost_chart_without_costs(costs):
    figure = plots.cost_vs_score([{"approach": "classical", "test_scores": {"accuracy": 0.9}, "fit_seconds": 1.0}],
                                 costs, "accuracy", plots.styles({"classical": {"kind": "classical",
                                                                                 "noun": "gradient boosting"}}))
    assert figure["missing"]


@pytest.mark.parametrize("low, high", [(0.999, 1.001), (0.81, 0.97), (1000.0, 1001.0), (0.0, 4e-5), (-0.002, 0.003),
                                       (12345.5, 12346.5), (0.99995, 1.00005), (3.0, 3.0)])
def test_tick_labels_differ_and_are_never_scientific(low, high):
    ticks = nice_ticks(low, high)
    shown = tick_labels(ticks)
    assert len(set(shown)) == len(shown), shown
    assert not any("e-" in s or "e+" in s for s in shown), shown


def test_chart_axes_use_distinct_tick_labels():
    s = plots.styles({"classical": {"kind": "classical", "noun": "gradient boosting"}})
    figure = plots.anytime({"classical": [[1.0, 0.99991], [2.0, 0.99996], [3.0, 1.00004]]}, "accuracy", s)
    root = parse(figure["svg"])
    y_labels = [e.text for e in root.iter(f"{SVG}text") if e.get("text-anchor") == "end"]
    assert len(y_labels) >= 3 and len(set(y_labels)) == len(y_labels), y_labels
    assert label(1e-05) == "0.00001" and label(0.25) == "0.25"


def test_every_trial_is_a_point_coloured_by_family():
    report = classification_report()
    named = {"classical": {"kind": "classical", "noun": "gradient boosting"},
             "deep": {"kind": "deep", "noun": "the deep network"}}
    figure = plots.trial_points(report["trials"], "accuracy", named)
    root = parse(figure["svg"])
    marks = [e for e in root.iter() if e.find(f"{SVG}title") is not None and e.tag in (f"{SVG}circle", f"{SVG}rect")]
    tips = {e.find(f"{SVG}title").text: (e.tag.removeprefix(SVG), e.get("fill")) for e in marks}
    assert tips == {"classical xgboost: 0.8 at 0.5s": ("circle", OKABE_ITO["blue"]),
                    "classical hist_gbm: 0.9 at 2.0s": ("circle", OKABE_ITO["vermillion"]),
                    "deep mlp/dense: 0.85 at 9.0s": ("rect", OKABE_ITO["green"])}  # networks are squares
    assert {"xgboost", "hist_gbm", "mlp", "best so far"} <= set(texts(root))  # the legend
    assert "1 failed trial without a score is not drawn" in figure["caption"]
    assert plots.trial_points([], "accuracy", named)["missing"]
    refits = [{"approach": "deep", "model": f"mlp/refit {i}", "ended": 10.0 + i, "val_score": None, "refit": True}
              for i in (1, 2)]
    caption = plots.trial_points(report["trials"] + refits, "accuracy", named)["caption"]
    assert "1 failed trial without a score is not drawn" in caption, "refits are not failures"
    assert "2 networks trained again on every training row (they have no validation score" in caption


def test_the_report_marks_a_network_trained_again_on_every_row():
    from automl.report import _trial_points

    points = _trial_points([{"approach": "deep", "model": "mlp/refit 1", "ended": 3.0, "val_score": None,
                             "status": "ok", "extra": {"refit": True}},
                            {"approach": "deep", "model": "mlp", "ended": 2.0, "val_score": 0.9, "status": "ok"}])
    assert [p.get("refit") for p in points] == [True, None] and points[1]["val_score"] == 0.9


def test_roc_precision_recall_and_calibration_agree_with_sklearn():
    from sklearn.metrics import average_precision_score, roc_auc_score

    y, proba = probabilities()
    found = curves(y, proba, ["cat", "dog"])
    assert (found["average"], found["positive"]) == ("binary", "dog")
    for name, p in proba.items():
        c = found["approaches"][name]
        assert c["roc"]["auc"] == pytest.approx(roc_auc_score(y, p[:, 1]), abs=1e-4)
        assert c["pr"]["average_precision"] == pytest.approx(average_precision_score(y, p[:, 1]), abs=1e-4)
        assert sum(n for _, _, n in c["calibration"]["points"]) == len(y)
        assert c["roc"]["points"][0] == [0.0, 0.0] and c["roc"]["points"][-1] == [1.0, 1.0]
    assert found["approaches"]["classical"]["roc"]["auc"] > found["approaches"]["deep"]["roc"]["auc"]

    s = plots.styles({"classical": {"kind": "classical", "noun": "gradient boosting"},
                      "deep": {"kind": "deep", "noun": "the deep network"}})
    roc, pr, calibration = probability_curves(found, s)
    auc = found["approaches"]["classical"]["roc"]["auc"]
    assert f"gradient boosting (AUC {auc:.3f})" in texts(parse(roc["svg"]))
    assert len(parse(roc["svg"]).findall(f"{SVG}polyline")) == 2  # one curve per model
    assert any(t.startswith("deep network (AP ") for t in texts(parse(pr["svg"])))
    assert len(parse(calibration["svg"]).findall(f"{SVG}circle")) >= 4  # the bins' points


def test_multiclass_curves_are_micro_averaged():
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(1)
    y = np.arange(90) % 3
    logits = rng.normal(size=(90, 3)) + np.eye(3)[y] * 1.5
    proba = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    found = curves(y, {"classical": proba}, ["a", "b", "c"])
    assert found["average"] == "micro" and found["positive"] is None
    c = found["approaches"]["classical"]
    assert c["roc"]["auc"] == pytest.approx(roc_auc_score(np.eye(3)[y], proba, average="micro"), abs=1e-4)
    assert sum(n for _, _, n in c["calibration"]["points"]) == 90  # the top class's probability, one per row


def test_curves_need_two_classes_in_the_test_rows():
    found = curves(np.zeros(10, dtype=int), {"classical": np.full((10, 2), 0.5)}, ["a", "b"])
    assert "single class" in found["missing"]
    figures = probability_curves(found, {})
    assert [f["key"] for f in figures] == ["roc", "precision_recall", "calibration"]
    assert all("single class" in f["missing"] for f in figures)


def test_sparkline_is_a_small_escaped_histogram():
    svg = plots.sparkline({"min": 0.0, "max": 12.0, "counts": [3, 0, 5, 1]}, SCRIPT, "spark-0")
    root = parse(svg)
    bars = root.findall(f"{SVG}rect")[1:]  # after the background
    assert [b.find(f"{SVG}title").text for b in bars] == ["0 to 3: 3 rows", "6 to 9: 5 rows", "9 to 12: 1 row"]
    assert float(bars[1].get("height")) > float(bars[0].get("height")) > float(bars[2].get("height"))
    assert "<script" not in svg and root.find(f"{SVG}title").text == f"Histogram of {SCRIPT}"
    assert plots.sparkline({"min": None, "max": None, "counts": []}, "x", "spark-1") == ""
