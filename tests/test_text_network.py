"""The text network's inputs and layers: symbol tokens, TF-IDF n-gram bags, safe pooling, every encoder builds."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from automl.modalities.text.ngrams import NgramBag
from automl.modalities.text.tokens import Tokenizer, tokenize

SPAM = ["WIN a £1000 prize now!!", "free entry: txt WIN to 80086", "Call 09061701461 to claim £900"]
HAM = ["see you at lunch", "ok, on my way home", "are you coming to the party tonight?"]


def test_symbols_are_tokens_only_when_asked():
    assert tokenize("Win £100!", symbols=True) == ["win", "£", "100", "!"]
    assert tokenize("Win £100!") == ["win", "100"]


def test_tokenizer_keeps_its_symbol_setting_through_json():
    tok = Tokenizer.fit(SPAM + HAM, length=8, symbols=True)
    again = Tokenizer.from_dict(json.loads(json.dumps(tok.to_dict())))
    assert again.symbols and (again.encode(["win £5!"]) == tok.encode(["win £5!"])).all()
    old = Tokenizer.from_dict({"words": ["win"], "length": 4})  # saved before symbols existed
    assert not old.symbols


def test_ngram_bag_keeps_the_informative_ngrams_and_round_trips():
    texts, y = SPAM * 4 + HAM * 4, [1] * 12 + [0] * 12
    bag = NgramBag.fit(texts, y, "binary", kind="words", top=5)
    assert bag.size == 6
    ids, weights = bag.encode(["free entry to win £1000", "", "completely unseen words"])
    assert ids.dtype == np.int32 and weights.dtype == np.float32 and ids.shape == weights.shape
    assert (ids[0] > 0).any() and ids.max() < bag.size
    assert not ids[1].any() and not weights[1].any() and not ids[2].any()
    assert ((ids > 0) == (weights > 0)).all()
    again = NgramBag.from_dict(json.loads(json.dumps(bag.to_dict())))
    ids2, weights2 = again.encode(["free entry to win £1000"])
    assert (ids2 == ids[:1]).all() and np.allclose(weights2, weights[:1])


def test_rows_with_more_ngrams_than_the_length_keep_the_heaviest():
    bag = NgramBag.fit(SPAM + HAM, [1, 1, 1, 0, 0, 0], "binary", kind="words+chars")
    bag.length = 4
    full = bag.vec.transform([SPAM[0]]).toarray()[0]
    ids, weights = bag.encode([SPAM[0]])
    assert np.allclose(np.sort(weights[0]), np.sort(full)[-4:])
    assert np.allclose(full[ids[0] - 1], weights[0])


def test_ngram_bag_for_regression_targets():
    bag = NgramBag.fit(SPAM + HAM, [3.0, 2.5, 2.9, 0.1, 0.0, 0.2], "regression", kind="words", top=3)
    assert bag.size == 4


def test_masked_mean_gives_zeros_for_a_row_without_tokens():
    from automl.modalities.text.network import MaskedMean

    embedded = np.ones((2, 3, 4), dtype="float32")
    ids = np.array([[0, 0, 0], [5, 7, 0]])
    out = np.asarray(MaskedMean()(embedded, ids))
    assert np.isfinite(out).all()
    assert np.allclose(out[0], 0.0) and np.allclose(out[1], 1.0)


def test_weighted_bag_equals_a_dense_layer_on_the_full_vector():
    from automl.modalities.text.network import WeightedBag

    layer = WeightedBag(6, 3)
    ids = np.array([[1, 4, 0], [5, 0, 0]], dtype="int32")
    weights = np.array([[0.5, 2.0, 0.0], [1.0, 0.0, 0.0]], dtype="float32")
    dense = np.zeros((2, 6), dtype="float32")
    for r in range(2):
        for i, w in zip(ids[r], weights[r]):
            dense[r, i] += w
    table, bias = (np.asarray(w) for w in layer.weights)
    assert np.allclose(np.asarray(layer(ids, weights)), dense @ table + bias, atol=1e-6)


@pytest.mark.parametrize("encoder", ["ngram", "bag", "cnn", "transformer", "bigru"])
def test_every_encoder_builds_predicts_and_round_trips(tmp_path, encoder):
    import keras_tuner

    from automl.modalities.text.network import TextHyperModel, TextInputs, TextNetworkModel, load

    texts = SPAM + HAM + ["", "!!!"]
    tokenizer = Tokenizer.fit(texts, length=16, symbols=True)
    bags = {"wordgram": NgramBag.fit(SPAM + HAM, [1, 1, 1, 0, 0, 0], "binary", kind="words")}
    hypermodel = TextHyperModel(tokenizer.size, 16, "binary", 2, {"wordgram": (bags["wordgram"].size, 8)})
    bags["wordgram"].length = 8
    hp = keras_tuner.HyperParameters()
    hp.Fixed("encoder", encoder)
    keras_model = hypermodel.build(hp)
    model = TextNetworkModel(keras_model, TextInputs(tokenizer, bags), ["text"], "binary", 2, [0.5, 0.5], (0.0, 1.0),
                             {"encoder": encoder})
    frame = pd.DataFrame({"text": texts})
    proba = model.predict_proba(frame)
    assert proba.shape == (8, 2) and np.isfinite(proba).all()
    assert np.allclose(proba[6], [0.5, 0.5])  # the empty row gets the prior
    model.save(tmp_path)
    saved = json.loads((tmp_path / "model.json").read_text())
    assert bool(saved["ngrams"]) == (encoder == "ngram")  # only the inputs the network reads are saved
    assert np.allclose(load(tmp_path).predict_proba(frame), proba, atol=1e-5)


def test_rows_longer_than_a_sequence_network_reads_are_counted_in_the_profile():
    from automl.data.profile import inspect_frame
    from automl.modalities.text.tokens import MAX_SEQUENCE

    rng = np.random.default_rng(0)
    words = [f"w{i}" for i in range(300)]
    texts = [" ".join(rng.choice(words, size=12)) for _ in range(60)]
    texts[0] = " ".join(rng.choice(words, size=MAX_SEQUENCE + 50))
    frame = pd.DataFrame({"text": texts, "label": ["a", "b"] * 30})
    profile = inspect_frame(frame, target="label")
    column = next(c for c in profile.columns if c.name == "text")
    assert column.stats["long_rows"] == 1
    assert any(f"longer than {MAX_SEQUENCE} tokens" in w for w in profile.warnings)


@pytest.mark.slow
def test_the_winning_network_is_retrained_on_all_training_rows(tmp_path):
    from automl import AutoML

    rng = np.random.default_rng(0)
    rows = [{"text": f"{rng.choice(SPAM if i % 2 else HAM)} {rng.choice(['ok', 'hi', 'so'])}",
             "label": "spam" if i % 2 else "ham"} for i in range(160)]
    model = AutoML(budget="90s", max_trials=2, out=tmp_path / "runs").fit(pd.DataFrame(rows), target="label")
    record = json.loads((model.run_dir_ / "run.json").read_text())
    deep = next(f for f in record["finalists"] if f["approach"] == "deep")
    told = [n for n in deep["notes"] if "trained again from fresh weights on all 128 training rows" in n]
    assert told, deep["notes"]
    trials = [json.loads(line) for line in (model.run_dir_ / "trials.jsonl").read_text().splitlines()]
    refits = [t for t in trials if t["extra"].get("refit")]
    assert refits and all(t["extra"]["finished"] for t in refits), refits
    assert deep["test_scores"]["accuracy"] >= 0.9
