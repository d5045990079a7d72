"""Text data: tokeniser, text-vs-categorical decision, both text routes end to end (tiny, 1 trial, 1 epoch)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from automl.errors import DataError
from automl.data.columns import profile_column
from automl.data.profile import inspect_frame
from synthetic import reviews

from automl.modalities.text.tokens import OOV, PAD, TextStats, Tokenizer, text_of, tokenize

REPO = Path(__file__).resolve().parents[1]
@pytest.mark.parametrize(
    "text, tokens",
    [
        ("Hello, WORLD!", ["hello", "world"]),
        ("don't stop", ["don't", "stop"]),
        ("Ünïcödé café 東京", ["ünïcödé", "café", "東京"]),
        ("snake_case and 2024", ["snake", "case", "and", "2024"]),
        ("", []),
        (None, []),
        (float("nan"), []),
    ],
)
def test_tokenize(text, tokens):
    assert tokenize(text) == tokens


def test_vocabulary_comes_from_training_rows_and_unknown_words_map_to_oov():
    tok = Tokenizer.fit(["a b b c c c"], max_tokens=10, length=5)
    assert tok.words == ["c", "b", "a"]  # most frequent first
    ids = tok.encode(["c zzz a"])
    assert ids.tolist() == [[2, OOV, 4, PAD, PAD]]
    assert tok.size == 5


def test_sequences_are_truncated_and_padded_to_the_length():
    tok = Tokenizer.fit(["one two three four five six"], length=3)
    assert tok.words == ["five", "four", "one", "six", "three", "two"]  # ties in alphabetical order
    assert tok.encode(["one two three four five six", "two"]).tolist() == [[4, 7, 6], [7, 0, 0]]


def test_max_tokens_caps_the_vocabulary():
    tok = Tokenizer.fit(["a a a b b c"], max_tokens=4, length=2)
    assert tok.words == ["a", "b"]
    assert tok.encode(["c"]).tolist() == [[OOV, PAD]]


def test_tokenizer_round_trip():
    tok = Tokenizer.fit(["x y z", "y z"], length=4)
    again = Tokenizer.from_dict(json.loads(json.dumps(tok.to_dict())))
    assert again.encode(["z y x q"]).tolist() == tok.encode(["z y x q"]).tolist()


def test_text_stats():
    stats = TextStats.of(["one two three", "", None, "four"])
    assert (stats.rows, stats.empty_rows, stats.max_tokens, stats.vocabulary) == (4, 2, 3, 4)


def test_text_of_joins_columns_and_skips_missing():
    frame = pd.DataFrame({"title": ["A", None], "body": ["b c", "d"]})
    assert text_of(frame, ["title", "body"]) == ["A \n b c", " \n d"]


@pytest.mark.parametrize(
    "values, kind",
    [
        (["I really loved this film, the acting was superb and moving"] * 10
         + [f"review number {i} says the plot was slow and long" for i in range(30)], "text"),
        (["red", "green", "blue", "green"] * 10, "categorical"),
        (["New York", "San Francisco", "Los Angeles"] * 10, "categorical"),
        ([str(i) for i in range(40)], "numeric"),
    ],
)
def test_text_or_categorical(values, kind):
    assert profile_column(pd.Series(values, name="c")).kind == kind


def test_text_profile_has_token_stats_and_reads_the_other_columns_beside():
    frame = reviews(60).assign(stars=np.arange(60) % 5, code=[f"id-{i}" for i in range(60)])
    profile = inspect_frame(frame, target="label")
    assert profile.modality == "text"
    review = profile.column("review")
    assert review.stats["median_tokens"] == 9 and review.stats["vocabulary"] > 10
    stars = profile.column("stars")
    assert stars.used and "Read beside the text column(s) ('review')" in stars.reason
    assert not profile.column("code").used  # an identifier stays out


def test_a_text_column_that_is_all_identical_leaves_no_features():
    frame = pd.DataFrame({"text": ["same words every time here"] * 30, "label": ["a", "b"] * 15})
    with pytest.raises(DataError, match="no usable feature columns"):
        inspect_frame(frame)


def test_tfidf_vectorizer_json_round_trip():
    from automl.modalities.text.tfidf import vectorizer, vectorizer_from_dict, vectorizer_to_dict

    texts = reviews(50)["review"].tolist()
    vec = vectorizer("words+chars").fit(texts)
    again = vectorizer_from_dict(json.loads(json.dumps(vectorizer_to_dict(vec))))
    new = ["a wonderful place", "zzz unseen words"]
    assert np.allclose(vec.transform(new).toarray(), again.transform(new).toarray())


@pytest.mark.slow
def test_text_end_to_end_both_routes(tmp_path):
    from automl import AutoML, load

    frame = reviews(240)
    frame.loc[3, "review"] = ""  # an empty row is predicted from the prior, not a crash
    model = AutoML(budget="90s", max_trials=1, max_epochs=1, out=tmp_path / "runs").fit(frame, target="label")
    board = model.leaderboard_
    assert set(board["approach"]) == {"classical", "deep", "blend", "baseline"}
    assert board.loc[board.approach == "classical", "test_accuracy"].iloc[0] >= 0.9
    for approach in ("classical", "deep", "blend"):
        predictor = load(model.run_dir_, approach)
        out, _ = predictor.predict_frame(pd.DataFrame({"review": ["", "an excellent superb visit", None]}))
        assert list(out.columns) == ["predicted_label", "proba_neg", "proba_pos"]
        assert np.allclose(out[["proba_neg", "proba_pos"]].sum(axis=1), 1.0)
        assert np.allclose(out.loc[0, ["proba_neg", "proba_pos"]].astype(float), [0.5, 0.5], atol=0.01)
    record = json.loads((model.run_dir_ / "run.json").read_text())
    assert record["modality"] == "text" and record["features"] == ["review"]
    trials = [json.loads(line) for line in (model.run_dir_ / "trials.jsonl").read_text().splitlines()]
    assert any(t["approach"] == "deep" and t["extra"]["rows_per_second"] > 0 for t in trials)  # the report's speed


def test_nbsvm_is_one_linear_model_that_saves_like_any_other(tmp_path):
    from sklearn.linear_model import LogisticRegression

    from automl.modalities.text.classical import TextClassicalModel, load
    from automl.modalities.text.estimators import nb_logistic
    from automl.modalities.text.tfidf import vectorizer

    frame = pd.concat([reviews(90, seed=1), pd.DataFrame({"review": ["So so, average."] * 30, "label": "mid"})])
    y = pd.factorize(frame["label"])[0]
    vec = vectorizer("words+chars").fit(frame["review"])
    X = vec.transform(frame["review"])
    model = nb_logistic(X, y, C=4.0)
    assert model.coef_.shape == (3, X.shape[1]) and list(model.classes_) == [0, 1, 2]
    # class 0 against the rest, fitted directly on the ratio-scaled features, decides the same
    present = (X > 0).astype(float)
    p, q = 1 + present[y == 0].sum(axis=0).A1, 1 + present[y != 0].sum(axis=0).A1
    ratio = np.log((p / p.sum()) / (q / q.sum()))
    direct = LogisticRegression(C=4.0, max_iter=2000).fit(X.multiply(ratio).tocsr(), (y == 0).astype(int))
    assert np.allclose(model.decision_function(X)[:, 0], direct.decision_function(X.multiply(ratio).tocsr()))
    assert (model.predict(X) == y).mean() >= 0.9
    wrapped = TextClassicalModel("tfidf_nbsvm", vec, model, ["review"], "multiclass", 3, [1 / 3] * 3, {"C": 4.0})
    wrapped.save(tmp_path)
    assert np.allclose(load(tmp_path).predict_proba(frame), wrapped.predict_proba(frame))
