"""Time a network search leaves unused, turned into a deep ensemble of its winning configuration.

A small network often stops on its validation plateau long before its share of the budget is spent.
Several networks of the same configuration trained from different random starts and averaged are better
than one (Lakshminarayanan, Pritzel and Blundell 2017, "Simple and scalable predictive uncertainty
estimation using deep ensembles"; TabM, Gorishniy et al. 2024, gets much of its strength from the same
effect). ``grow`` trains such members while the time allows, averages every one that reaches its own
validation plateau before the deadline, and keeps the mean when it scores better than the winner
on the validation rows; the result is one Keras model (``average``) that saves, loads and
predicts like any other, on every backend.

Example:
    >>> found = grow(found, hypermodel, ctx, wrap, x, y, (x_val, y_val), score, 256, 5)  # doctest: +SKIP
"""

from __future__ import annotations

import time
from typing import Any, Callable

from ..metrics import greater_is_better
from .base import SearchContext
from .tuner import (SCORE, TRIAL_PATIENCE, DeadlineCallback, MetricCallback, Timed, continue_training, keras,
                    keras_tuner)


def rebuild(hypermodel: Any, params: dict[str, Any], seed: int) -> Any:
    """A fresh, compiled network of the configuration ``params`` (the tuner's values), its weights drawn from
    ``seed``."""
    hp = keras_tuner.HyperParameters()
    hp.values.update(params)  # registered hyperparameters take these values instead of their defaults
    keras.utils.set_random_seed(seed)
    return hypermodel.build(hp)


def train_member(network: Any, epochs: int, ctx: SearchContext, x: Any, y: Any, validation_data: tuple[Any, Any],
                 score: Callable[[Any], float], batch_size: int, phase: str) -> tuple[Any, float | None, int]:
    """Train a fresh network the way the winner trained: as a Hyperband trial (up to ``epochs`` at its fixed
    learning rate, stopped as a trial is stopped, ``TRIAL_PATIENCE``, the best epoch kept), then on
    with the rate cut on plateaus (``continue_training``). Returns the network, its best validation score
    (None when no epoch finished inside the deadline) and the epochs run."""
    first, ran = None, 0
    if epochs:
        stopper = keras.callbacks.EarlyStopping(monitor=SCORE, mode="max" if greater_is_better(ctx.metric) else "min",
                                                patience=TRIAL_PATIENCE, restore_best_weights=True)
        history = keras.callbacks.History()
        fit_args = {} if isinstance(x, keras.utils.PyDataset) else {"batch_size": batch_size}
        network.fit(x, y, validation_data=validation_data, epochs=epochs, verbose=0, **fit_args,
                    callbacks=[DeadlineCallback(ctx.deadline), MetricCallback(score), history, stopper])
        scores = [s for s in history.history.get(SCORE, []) if s == s]
        ran = len(scores)
        if scores:
            first = max(scores) if greater_is_better(ctx.metric) else min(scores)
            if stopper.best_weights is not None:
                network.set_weights(stopper.best_weights)
        if not scores or ctx.deadline.expired():
            return network, first, ran
    network, own, more = continue_training(network, ctx, x, y, validation_data, score, first, batch_size,
                                           phase=phase, curve=[])
    return network, own, ran + more


def average(networks: list[Any]) -> Any:
    """One Keras model whose output is the mean of ``networks``' outputs (all reading the same named inputs).

    >>> import numpy as np
    >>> a = keras.Sequential([keras.Input((2,), name="x"), keras.layers.Dense(1)])
    >>> b = keras.Sequential([keras.Input((2,), name="x"), keras.layers.Dense(1)])
    >>> both = average([a, b])
    >>> x = np.ones((3, 2), dtype="float32")
    >>> bool(np.allclose(both.predict(x, verbose=0), (a.predict(x, verbose=0) + b.predict(x, verbose=0)) / 2))
    True
    """
    if len(networks) == 1:
        return networks[0]
    first = networks[0]
    inputs = {t.name: keras.Input(shape=tuple(t.shape[1:]), dtype=t.dtype, name=t.name) for t in first.inputs}
    members = [keras.Model({t.name: t for t in n.inputs}, n.outputs[0], name=f"member_{i}")
               for i, n in enumerate(networks)]
    outputs = keras.layers.Average(dtype="float32", name="output")([m(inputs) for m in members])
    return keras.Model(inputs, outputs, name="deep_ensemble")


def members_of(keras_model: Any) -> list[Any]:
    """The networks ``average`` combined (the model itself when it is a single network)."""
    inner = [layer for layer in keras_model.layers if layer.name.startswith("member_")]
    return inner or [keras_model]


def grow(found: Timed, hypermodel: Any, ctx: SearchContext, wrap: Callable[..., Any], x: Any, y: Any,
         validation_data: tuple[Any, Any], score: Callable[[Any], float], batch_size: int,
         max_members: int) -> Timed:
    """Train up to ``max_members - 1`` more networks of ``found``'s configuration from fresh weights while the
    deadline leaves time for one, each trained as the winner was (``train_member``). The first is expected to
    take ``found.epoch_seconds`` times the winner's epochs (nothing when those are unknown), the next ones as
    long as the last took. Each one that stops on its own plateau joins the mean; one cut short by the
    deadline is left out and ends the growing. The mean replaces the winner only when it scores better on
    the validation rows, a test that leans towards the winner (the rows chose it among the trials and
    its epochs), so the deep side's validation score is never flattered by it. Every member is a trial in
    ``trials.jsonl``; a mean that is kept is handed to ``ctx.improved``."""
    if ctx.max_epochs is not None or found.val_score is None or max_members <= 1:
        return found
    params = dict(found.model.params)
    kept, single = [found.model.keras_model], found.val_score
    expected, tried, cut_short = found.epoch_seconds * max(found.epochs, 1), 0, False
    while tried < max_members - 1 and ctx.deadline.remaining() > 1.2 * expected + 1.0:
        tried += 1
        started = time.monotonic()
        network = rebuild(hypermodel, params, ctx.seed + 1000 * tried)
        network, own, epochs = train_member(network, int(params.get("tuner/epochs", 0)), ctx, x, y,
                                            validation_data, score, batch_size, f"member {tried}")
        expected = time.monotonic() - started
        finished = own is not None and not ctx.deadline.expired()  # stopped on its own plateau, not cut short
        ctx.log_trial(f"{hypermodel.family}/member {tried}", params, own, started,
                      extra={"epochs": epochs, "member": tried, "finished": finished})
        if not finished:
            cut_short = True
            break
        kept.append(network)
    if len(kept) == 1:
        if cut_short:
            found.notes.append("One more network of the winning configuration started with the time left but was "
                               "cut short by the deadline, so the single network is kept.")
        return found
    mean = average(kept)
    together = score(mean)
    told = (f"With time left after the search, {len(kept) - 1} more network(s) of the winning configuration "
            f"trained from fresh weights as it had been trained, each until its own validation plateau."
            f"{' One more was cut short by the deadline and left out.' if cut_short else ''} "
            f"The mean of the {len(kept)} networks' outputs (a deep ensemble, Lakshminarayanan et al. 2017) "
            f"scored {together:.4f} on the validation rows, the single network {single:.4f}")
    better = (together > single) if greater_is_better(ctx.metric) else (together < single)
    if not better:  # a tie too: on a few hundred rows, accuracy ties often, and the winner has no doubt on its side
        found.notes.append(told + ", so the single network is kept (the rows that chose it lean its way).")
        return found
    found.model, found.val_score = wrap(mean, params | {"members": len(kept)}), together
    ctx.improved(found.model)
    found.notes.append(told + ", so the mean is the model.")
    return found
