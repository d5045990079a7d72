"""The report's SVG charts: well-formed, accessible, escaped, and honest about what is missing."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from automl.report import plots
from automl.report.svg import OKABE_ITO, log_ticks, nice_ticks, standalone

SCRIPT = "<script>alert(1)</script>"
SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    """The chart as XML (so it is well-formed), with the namespace a standalone file gets."""
    return ET.fromstring(standalone(svg).split("\n", 1)[1])


def texts(root: ET.Element) -> list[str]:
    return ["".join(e.itertext()) for e in root.iter() if e.tag in (f"{SVG}text", f"{SVG}title", f"{SVG}desc")]


def classification_report(label: str = "cat") -> dict:
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
        }},
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
    assert keys == ["anytime", "cost_vs_score", "confusion_classical", "confusion_deep", "per_class_classical", "per_class_deep",
                    "training_loss", "training_metric", "feature_importance"]
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
    assert "trained on after the search" in figures[6]["svg"]  # the continued-training marker


def test_data_strings_in_charts_are_escaped_text():
    figures = plots.figures(classification_report(label=SCRIPT))
    seen = 0
    for figure in figures:
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
