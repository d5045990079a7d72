"""A text table's other columns (numbers, categories, flags, dates) read beside the text by both text routes."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from automl.modalities.side import SideColumns
from synthetic import reviews


def _table(n: int = 240, seed: int = 0) -> pd.DataFrame:
    """Reviews whose text says nothing about the label: 'return' when the stars are below 3."""
    rng = np.random.default_rng(seed)
    frame = reviews(n, seed=seed).drop(columns="label")
    frame["stars"] = rng.integers(1, 6, n)
    frame["shop"] = rng.choice(["a", "b"], n)
    frame["label"] = np.where(frame["stars"] < 3, "return", "keep")
    return frame


def test_every_value_is_in_the_unit_range_and_missing_or_unseen_values_are_marked():
    train = pd.DataFrame({"price": [1.0, 2.0, 3.0, 4.0, 100.0, np.nan], "shop": ["a", "b", "a", "c", None, "a"],
                          "open": ["yes", "no", "yes", "no", "yes", "no"]})
    side = SideColumns.fit(train, {"price": "numeric", "shop": "categorical", "open": "boolean", "note": "text"})
    assert side.columns == ["price", "shop", "open"]  # the text column is the text routes' own
    new = pd.DataFrame({"price": [-50.0, np.nan, 1e9], "shop": ["zzz", "b", None], "open": ["yes", None, "no"]})
    block = side.matrix(new).toarray()
    assert block.shape == (3, side.width) and len(side.names) == side.width
    assert block.min() >= 0.0 and block.max() <= 1.0
    named = pd.DataFrame(block, columns=side.names)
    assert named["price"].tolist()[::2] == [0.0, 1.0]  # clipped at the training rows' percentiles
    assert named["price missing"].tolist() == [0.0, 1.0, 0.0]
    bins = [n for n in side.names if n.startswith(("price <", "price >=")) or "<= price <" in n]
    assert named[bins].sum(axis=1).tolist() == [1.0, 0.0, 1.0]  # one bin per known value, none when missing
    levels = [n for n in side.names if n.startswith("shop = ")]
    assert named[levels].sum(axis=1).tolist() == [0.0, 1.0, 0.0]  # an unseen or missing level sets none
    again = SideColumns.from_dict(json.loads(json.dumps(side.to_dict())))
    assert np.array_equal(again.matrix(new).toarray(), block)


def test_a_date_whose_parts_do_not_vary_gets_one_named_bin_per_part():
    train = pd.DataFrame({"when": ["2020-01-01", "2021-02-03", "2021-05-03"]})  # the hour is always 0
    side = SideColumns.fit(train, {"when": "datetime"})
    assert "when__hour known" in side.names
    assert side.matrix(train).shape == (3, side.width) == (3, len(side.names))


def test_a_table_of_text_alone_has_no_side_block():
    assert SideColumns.fit(pd.DataFrame({"review": ["a b c"]}), {"review": "text"}) is None


@pytest.mark.parametrize("data, message", [
    ([], "not an object"),
    ({"encoder": {"specs": []}, "low": 1, "high": [], "edges": []}, "lack lists"),
    ({"encoder": {"specs": [{"name": "x", "kind": "numeric"}]}, "low": ["a"], "high": [1.0], "edges": [[]]},
     "not all numbers"),
])
def test_a_damaged_side_block_is_refused_with_what_is_wrong(data, message):
    with pytest.raises(ValueError, match=message):
        SideColumns.from_dict(data)


@pytest.mark.slow
def test_both_text_routes_learn_from_the_other_columns_and_predict_with_them(tmp_path):
    from automl import AutoML, load
    from automl.errors import DataError

    frame = _table(320)
    model = AutoML(budget="90s", max_trials=1, max_epochs=1, out=tmp_path / "runs").fit(frame, target="label")
    record = json.loads((model.run_dir_ / "run.json").read_text())
    assert record["modality"] == "text" and set(record["features"]) == {"review", "stars", "shop"}
    board = model.leaderboard_.set_index("approach")
    assert board.loc["classical", "test_accuracy"] >= 0.9  # the text alone is a coin flip
    new = _table(40, seed=1)
    for approach in ("classical", "deep"):
        predictor = load(model.run_dir_, approach)
        out, _ = predictor.predict_frame(new.drop(columns="label"))
        assert list(out.columns) == ["predicted_label", "proba_keep", "proba_return"]
        assert np.allclose(out[["proba_keep", "proba_return"]].sum(axis=1), 1.0)
    keras_model = load(model.run_dir_, "deep").model.keras_model
    assert "columns" in [t.name for t in keras_model.inputs]
    out, _ = load(model.run_dir_, "classical").predict_frame(new.drop(columns="label"))
    assert (out["predicted_label"] == new["label"]).mean() >= 0.9
    with pytest.raises(DataError, match="'stars'"):
        load(model.run_dir_, "classical").predict_frame(new.drop(columns=["label", "stars"]))


def _context(frame: pd.DataFrame, seconds: float = 30.0):
    """The classical text route's context for ``frame`` (review text, number ``x``, category ``shop``, ``label``),
    and the list its ``improved`` fills."""
    from automl.budget import Deadline
    from automl.hardware import Hardware
    from automl.search.base import SearchContext

    classes = sorted(frame["label"].unique())
    handed: list = []
    ctx = SearchContext(approach="classical", X=frame.drop(columns="label"), y=frame["label"].map(classes.index)
                        .to_numpy(), task="binary", metric="accuracy", classes=classes,
                        kinds={"review": "text", "x": "numeric", "shop": "categorical"}, seed=0, validation="kfold",
                        folds=5, deadline=Deadline(seconds), hardware=Hardware(2, 8 << 30, None),
                        improved=handed.append, max_trials=2)
    return ctx, handed


def _threshold(n: int, seed: int = 0) -> pd.DataFrame:
    """Filler reviews; the label is whether ``x`` passes a threshold that moves with the shop."""
    rng = np.random.default_rng(seed)
    frame = reviews(n, seed=seed).drop(columns="label")
    frame["x"] = rng.uniform(0, 100, n)
    frame["shop"] = rng.choice(["a", "b", "c"], n)
    frame["label"] = np.where(frame["x"] > frame["shop"].map({"a": 20, "b": 50, "c": 80}), "yes", "no")
    return frame


def _text_result(ctx, score: float):
    """A text model fitted on all rows, with uninformative out-of-fold outputs scoring ``score``."""
    from automl.modalities.text.classical import fit_on_all
    from automl.search.base import SearchResult
    from automl.modalities.text.tokens import text_of

    texts = np.asarray(text_of(ctx.X, ["review"]), dtype=object)
    model = fit_on_all("tfidf_nb", {"alpha": 0.3}, texts, ctx.y, ctx, ["review"], ctx.prior())
    n = len(ctx.y)
    return SearchResult(model, score, 1.0, ["the race"], np.arange(n), np.tile(ctx.prior(), (n, 1)))


def test_a_stack_on_the_other_columns_replaces_a_weaker_text_model_and_saves_and_refits(tmp_path):
    from automl.modalities.text.classical import TextClassicalRoute
    from automl.modalities.text.stack import StackedTextModel, stacked

    frame = _threshold(300)
    ctx, handed = _context(frame)
    found, note = stacked(ctx, _text_result(ctx, 0.5), SideColumns.fit(ctx.X, ctx.kinds))
    assert isinstance(found.model, StackedTextModel) and handed == [found.model]
    assert found.val_score > 0.9 and sorted(found.val_rows) == list(range(300))
    assert "beat the text model alone on validation" in note and "the race" in found.notes
    new = _threshold(100, seed=1)
    assert (found.model.predict(new) == (new["label"] == "yes")).mean() >= 0.9
    found.model.save(tmp_path)
    route = TextClassicalRoute()
    again = route.load(tmp_path)
    assert np.allclose(again.predict_proba(new), found.model.predict_proba(new))
    refitted = route.refit(found.model, ctx)
    assert isinstance(refitted.model, StackedTextModel) and "under the stack" in refitted.note
    assert refitted.model.boosted is found.model.boosted and refitted.model.text is not found.model.text


def test_a_stack_that_does_not_beat_the_text_model_is_not_used():
    from automl.modalities.text.stack import stacked

    ctx, handed = _context(_threshold(200))
    found, note = stacked(ctx, _text_result(ctx, 1.0), SideColumns.fit(ctx.X, ctx.kinds))
    assert found is None and handed == [] and "did not beat the text model" in note


def test_no_stack_when_too_few_training_rows_were_scored_out_of_fold():
    from automl.modalities.text.stack import stacked

    ctx, _ = _context(_threshold(200))
    text = _text_result(ctx, 0.5)
    text.val_rows, text.val_output = text.val_rows[:40], text.val_output[:40]  # one fold's rows
    found, note = stacked(ctx, text, SideColumns.fit(ctx.X, ctx.kinds))
    assert found is None and "scored out of fold on 40 of the 200 training rows, fewer than 60%" in note


def test_a_stack_trains_on_the_rows_the_text_model_predicted_out_of_fold():
    from automl.modalities.text.stack import stacked

    ctx, _ = _context(_threshold(200))
    text = _text_result(ctx, 0.5)
    text.val_rows, text.val_output = text.val_rows[40:], text.val_output[40:]  # four folds of five
    found, note = stacked(ctx, text, SideColumns.fit(ctx.X, ctx.kinds))
    assert "(on the 160 of 200 training rows it predicted out of fold)" in note
    assert set(found.val_rows) <= set(range(40, 200)) and len(found.val_rows) == len(found.val_output)
