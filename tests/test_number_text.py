"""Numbers written for people ($1,234.50, 12.5%, (300)): read as numbers by inspection, the encoder and the report."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from automl.cli import main
from automl.data.columns import profile_column
from automl.modalities.tabular.encoder import TabularEncoder
from automl.data.number_text import to_number

from test_interrupt import only_run


@pytest.mark.parametrize("text, number", [
    ("$1,234.50", 1234.5), ("1,234,567", 1234567.0), ("12.5%", 12.5), ("-3.5%", -3.5), ("(300.00)", -300.0),
    ("($1,000)", -1000.0), ("-$42", -42.0), ("$-42", -42.0), ("€ 99", 99.0), ("99 €", 99.0), ("£0.50", 0.5),
    (" 7 ", 7.0), ("1e3", 1000.0), (".5", 0.5), ("5.", 5.0), ("+2", 2.0), ("\u22124.5", -4.5), ("\u2212$12", -12.0),
])
def test_a_formatted_number_reads_as_the_number_it_shows(text, number):
    assert to_number(pd.Series([text], dtype="string")).tolist() == [number]


@pytest.mark.parametrize("text", [
    "1,5",  # a decimal comma is not a thousands separator
    "12,34", "1,2345", "(300", "300)", "--5", "+-5", "$", "%", "abc", "5 5", "$$5", "5%%", "1.2.3", "",
])
def test_what_is_not_a_number_is_missing(text):
    assert np.isnan(to_number(pd.Series([text, None], dtype=object))).all()


def test_numbers_already_read_pass_through_untouched():
    values = pd.Series([1, 2, None], dtype="Int64")
    assert to_number(values).tolist()[:2] == [1.0, 2.0] and np.isnan(to_number(values).iloc[2])
    assert to_number(pd.Series([True, False])).tolist() == [1.0, 0.0]


def test_a_column_of_amounts_is_numeric_and_the_profile_says_how_it_was_read():
    values = pd.Series([f"${v:,.2f}" for v in np.linspace(10, 5000, 300)], name="price", dtype="string")
    column = profile_column(values)
    assert column.kind == "numeric" and column.used
    assert "currency signs" in column.reason and "'$10.00' is read as 10" in column.reason
    plain = profile_column(pd.Series([str(v) for v in np.linspace(10, 5000, 300)], name="price", dtype="string"))
    assert plain.kind == "numeric" and "currency" not in plain.reason


def test_the_encoder_reads_amounts_at_fit_and_at_predict_alike():
    train = pd.DataFrame({"price": ["$1,000", "$2,500.50", "(30)", "n/a"]})
    encoder = TabularEncoder.fit(train, {"price": "numeric"})
    later = pd.DataFrame({"price": ["€7", "12%", "1,5"]})
    read = encoder.gbm_frame(later)["price"].tolist()
    assert read[:2] == [7.0, 12.0] and np.isnan(read[2])
    assert encoder.gbm_frame(train)["price"].tolist()[:3] == [1000.0, 2500.5, -30.0]


def test_a_table_of_amounts_trains_predicts_and_reports_on_the_numbers(tmp_path, quick_fit):
    """The way a user meets it: a spreadsheet export whose amounts carry $ and %, fitted, predicted, reported."""
    rng = np.random.default_rng(0)
    n = 240
    amount = rng.uniform(0, 5000, n)
    share = rng.uniform(0, 100, n)
    frame = pd.DataFrame({"amount": [f"${v:,.2f}" for v in amount], "share": [f"{v:.1f}%" for v in share],
                          "label": np.where((amount > 2500) ^ (share > 50), "a", "b")})
    data = tmp_path / "export.csv"
    frame.to_csv(data, index=False)
    run, record = quick_fit(data)
    runner = CliRunner()
    kinds = {c["name"]: c["kind"] for c in record["profile"]["columns"]}
    assert kinds["amount"] == "numeric" and kinds["share"] == "numeric"
    test_accuracy = next(f for f in record["finalists"] if f["approach"] == "classical")["test_scores"]["accuracy"]
    assert test_accuracy > 0.85  # as categories of unique strings there is nothing to learn
    summaries = json.loads((run / "report.json").read_text())["columns"]["columns"]
    assert summaries["amount"]["kind"] == "numeric" and 0 <= summaries["amount"]["min"] < summaries["amount"]["max"]
    out = tmp_path / "predictions.csv"
    predicted = runner.invoke(main, ["predict", str(run), str(data), "-o", str(out)])
    assert predicted.exit_code == 0, (predicted.output, predicted.exception)
    assert (pd.read_csv(out)["predicted_label"] == frame["label"]).mean() > 0.9


def test_a_price_target_written_as_amounts_is_a_regression_trained_evaluated_and_predicted_as_numbers(tmp_path,
                                                                                                    quick_fit):
    """A spreadsheet's prices ($166,005) as the target: once read as 299 classes of one row each, an error."""
    rng = np.random.default_rng(0)
    n = 300
    size = rng.uniform(0, 10, n)
    price = 100_000 + 20_000 * size + rng.normal(0, 2_000, n)
    data = tmp_path / "houses.csv"
    pd.DataFrame({"size": size, "price": [f"${v:,.0f}" for v in price]}).to_csv(data, index=False)
    run, record = quick_fit(data)
    runner = CliRunner()
    assert record["task"] == "regression"
    assert "written as amounts (" in record["profile"]["task_reason"]
    evaluated = runner.invoke(main, ["evaluate", str(run), str(data), "--json"])
    assert evaluated.exit_code == 0, (evaluated.output, evaluated.exception)
    assert json.loads(evaluated.stdout)["scores"]["r2"] > 0.95
    predicted = runner.invoke(main, ["predict", str(run), str(data)])
    assert predicted.exit_code == 0, (predicted.output, predicted.exception)
    numbers = pd.read_csv(io.StringIO(predicted.stdout))["predicted_price"]
    assert np.corrcoef(numbers, price)[0, 1] > 0.97


def test_few_distinct_amounts_stay_classes_named_as_written():
    from automl.data.profile import inspect_frame

    frame = pd.DataFrame({"x": np.random.default_rng(0).normal(size=60), "tier": ["$5", "$10", "$20"] * 20})
    profile = inspect_frame(frame, target="tier")
    assert profile.task == "multiclass" and set(profile.class_counts) == {"$5", "$10", "$20"}


def test_evaluate_names_a_regression_target_value_that_is_no_number(tmp_path):
    from automl.errors import DataError
    from automl.predictor import load

    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"x": rng.normal(size=120)})
    frame["y"] = [f"${v:,.2f}" for v in 1000 + 100 * frame["x"]]
    automl_run = tmp_path / "runs"
    from automl import AutoML

    AutoML(budget="10s", compare=False, out=automl_run).fit(frame, target="y")
    labelled = frame.assign(y=frame["y"].where(frame.index != 3, "call us"))
    with pytest.raises(DataError, match=r"target column 'y' holds values that are not numbers, such as 'call us'"):
        load(only_run(automl_run)).evaluate(labelled)
