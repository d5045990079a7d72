"""A network that runs out of device memory: the trial is retried at half the batch, down to ``oom.MIN_BATCH``,
then recorded as failed while the search goes on. The device's error is stood in for by an exception of the
same name as TensorFlow's, raised by the network's ``fit`` above a batch size."""

from __future__ import annotations

import pytest

from automl.budget import Deadline
from automl.run.results import TrialRecord
from automl.search import oom


class ResourceExhaustedError(Exception):
    """TensorFlow's name for a device out of memory."""


class XlaRuntimeError(Exception):
    """JAX's runtime error, out of memory or not."""


class OutOfMemoryError(RuntimeError):
    """PyTorch's ``torch.OutOfMemoryError``."""


def test_each_backends_out_of_memory_is_recognised_and_nothing_else():
    assert oom.out_of_memory(ResourceExhaustedError("OOM when allocating tensor with shape[256,64,32,32]"))
    assert oom.out_of_memory(XlaRuntimeError("RESOURCE_EXHAUSTED: Out of memory while trying to allocate 2.1GiB"))
    assert oom.out_of_memory(OutOfMemoryError("CUDA out of memory. Tried to allocate 512.00 MiB"))
    assert oom.out_of_memory(MemoryError())
    assert not oom.out_of_memory(XlaRuntimeError("INVALID_ARGUMENT: shapes (32, 3) and (4, 8) do not match"))
    assert not oom.out_of_memory(ValueError("Input 0 of layer 'dense' is incompatible with the layer"))


def test_batches_halve_down_to_the_smallest():
    assert [oom.halved(b) for b in (512, 17, 16, 15, 8)] == [256, 8, 8, None, None]


def record(status: str, at: list[int]) -> TrialRecord:
    return TrialRecord("deep", "mlp", {}, "accuracy", 0.9 if status == "ok" else None, 1.0, 0.0, 1.0,
                       status=status, extra={"out_of_memory_at": at} if at else {})


def test_the_note_counts_retried_and_failed_trials():
    assert oom.note([record("ok", [])]) is None
    text = oom.note([record("ok", [64, 32]), record("failed", [64, 32, 16, 8]), record("ok", [])])
    assert text == ("2 trial(s) ran out of device memory (at batch 64, 32, 16, 8); 1 finished at a smaller batch; "
                    "1 did not fit even at the smallest batch tried and were recorded as failed.")


# --- through Keras Tuner (slow: imports Keras) ---------------------------------------------------------------


def hypermodel_limited(limit: int, wide_never_fits: bool = False):
    """Networks of 4 or 64 units whose ``fit`` runs out of memory above ``limit`` rows a batch (the 64-unit ones
    at every batch with ``wide_never_fits``); the batches each fit asked for are kept in ``asked``."""
    import keras
    import keras_tuner

    class Limited(keras_tuner.HyperModel):
        family = "tiny"

        def __init__(self):
            super().__init__()
            self.asked: list[int] = []

        def build(self, hp):
            units = hp.Choice("units", [4, 64], default=4)
            model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(units, activation="relu"),
                                      keras.layers.Dense(2, activation="softmax")])
            model.compile("adam", "sparse_categorical_crossentropy")
            fit, asked = model.fit, self.asked

            def limited_fit(*args, **kwargs):
                batch = kwargs.get("batch_size") or getattr(args[0] if args else kwargs.get("x"), "batch", None)
                asked.append(batch)
                if batch > limit or (wide_never_fits and units == 64):
                    raise ResourceExhaustedError(f"OOM when allocating tensor with shape[{batch},{units}]")
                return fit(*args, **kwargs)

            model.fit = limited_fit
            return model

    return Limited()


def context(y, **kwargs):
    from automl.hardware import Hardware
    from automl.search.base import SearchContext

    return SearchContext(approach="deep", X=None, y=y, task="binary", metric="accuracy", classes=[0, 1], kinds={},
                         seed=0, validation="holdout", folds=1, deadline=Deadline(120.0),
                         hardware=Hardware(2, 8 << 30, None), **kwargs)


def table(n: int = 120):
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, 3)).astype("float32")
    return x, (x[:, 0] > 0).astype("int64")


@pytest.mark.slow
def test_a_trial_out_of_memory_is_retried_smaller_and_one_that_never_fits_fails_while_the_search_goes_on():
    from automl.search import tuner

    x, y = table()
    ctx = context(y, max_trials=6, max_epochs=1)
    hypermodel = hypermodel_limited(16, wide_never_fits=True)
    score = tuner.val_scorer(ctx, x, y)
    best, val_score, params = tuner.run_search(hypermodel, ctx, lambda m, p=None: m, x, y, score, 64, 3)
    ok = [t for t in ctx.trials if t.status == "ok"]
    failed = [t for t in ctx.trials if t.status == "failed"]
    assert ok and all(t.params["units"] == 4 and t.extra["out_of_memory_at"] == [64, 32] for t in ok)
    assert failed and all(t.params["units"] == 64 and t.extra["out_of_memory_at"] == [64, 32, 16, 8]
                          for t in failed)
    assert all(t.error == "FailedTrialError: out of device memory at batch 8, the smallest tried" for t in failed)
    assert best is not None and params["units"] == 4 and val_score is not None
    note = oom.note(ctx.trials)
    assert note.startswith(f"{len(ok) + len(failed)} trial(s) ran out of device memory (at batch 64, 32, 16, 8)")


@pytest.mark.slow
def test_a_dataset_that_batches_itself_is_retried_smaller_and_left_at_its_planned_batch():
    import keras

    from automl.search import tuner

    x, y = table()

    class Batches(keras.utils.PyDataset):
        def __init__(self):
            super().__init__()
            self.batch = 64

        def __len__(self):
            return -(-len(x) // self.batch)

        def __getitem__(self, i):
            return x[i * self.batch:(i + 1) * self.batch], y[i * self.batch:(i + 1) * self.batch]

    data = Batches()
    ctx = context(y, max_trials=4, max_epochs=1)
    hypermodel = hypermodel_limited(32)
    score = tuner.val_scorer(ctx, x, y)
    tuner.run_search(hypermodel, ctx, lambda m, p=None: m, data, None, score, 64, 3)
    assert len(ctx.trials) >= 2 and all(t.status == "ok" for t in ctx.trials)
    assert all(t.extra["out_of_memory_at"] == [64] for t in ctx.trials), "each trial starts at the planned batch"
    assert data.batch == 64, "the next user of the dataset gets the planned batch back"


@pytest.mark.slow
def test_a_default_network_too_large_for_the_planned_batch_trains_the_whole_search_smaller(monkeypatch):
    from automl.search import timed, tuner

    monkeypatch.setattr(timed, "MIN_BRACKET_EPOCHS", 10**9)  # one candidate: the probe's network trains on
    x, y = table(200)
    handed = []
    ctx = context(y, improved=handed.append)
    ctx.deadline = Deadline(20.0)
    hypermodel = hypermodel_limited(16)
    score = tuner.val_scorer(ctx, x, y)
    found = timed.timed_search(hypermodel, ctx, lambda m, p=None: m, x, y, score, 64, 200, 200, 27)
    assert found.batch_size == 16
    assert "ran out of device memory at batch 64, so the networks trained at batch 16" in found.notes[0]
    assert set(hypermodel.asked) == {64, 32, 16} and hypermodel.asked[-1] == 16
    assert handed and ctx.trials and ctx.trials[0].status == "ok"
