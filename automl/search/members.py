"""Time a network search leaves unused, turned into a deep ensemble of its winning configuration.

A small network often stops on its validation plateau long before its share of the budget is spent.
Several networks of the same configuration trained from different random starts and averaged are better
than one (Lakshminarayanan, Pritzel and Blundell 2017, "Simple and scalable predictive uncertainty
estimation using deep ensembles"; TabM, Gorishniy et al. 2024, gets much of its strength from the same
effect). Two ways, each training members while the time allows and averaging every one that reaches its
own validation plateau before the deadline into one Keras model (``average``) that saves, loads and
predicts like any other, on every backend:

- ``bag`` (when the other approaches are cross-validated): each member trains on the training rows but
  one fold and stops on that fold (``folds``), so the bag predicts every row it covers out of fold, as
  bagged gradient boosting does, and is compared and blended with it on those rows;
- ``grow`` (one holdout): the members train on the winner's rows, and the mean is kept only when it
  scores better than the winner on the validation rows; then ``refit`` trains each network again on every
  training row, validation rows included, for the epochs and at the learning rates behind its weights.
  When the time left is too short for one more network to reach its plateau but holds at least half of what
  the last took, that network trains the epochs the time holds with its learning rate falling to nothing over
  them (``train_budgeted``) and joins the mean like the others.

Example:
    >>> found = grow(found, hypermodel, ctx, wrap, x, y, score, 256, 5)  # doctest: +SKIP
    >>> found = refit(found, hypermodel, ctx, wrap, x_all, y_all, 256, len(y), score)  # doctest: +SKIP
    >>> found, rows, output = bag(found, hypermodel, ctx, wrap, splits, 256, targets, scale)  # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from ..decision import ranking_score
from ..metrics import greater_is_better
from ..run.meters import metered
from .base import SearchContext
from .timed import Schedule, Timed, fresh_schedule
from .tuner import (SCORE, TRIAL_PATIENCE, DeadlineCallback, MetricCallback, RateLog, continue_training, keras,
                    keras_tuner, learning_rate, network_output, set_seed)

# A network that cannot reach its plateau in the time left still trains (``train_budgeted``) when that time holds
# at least this share of what the last network took, and this many of its epochs.
BUDGETED_SHARE = 0.5
BUDGETED_EPOCHS = 3


def rebuild(hypermodel: Any, params: dict[str, Any], seed: int) -> Any:
    """A fresh, compiled network of the configuration ``params`` (the tuner's values), its weights drawn from
    ``seed``."""
    hp = keras_tuner.HyperParameters()
    hp.values.update(params)  # registered hyperparameters take these values instead of their defaults
    set_seed(seed)
    return hypermodel.build(hp)


def train_member(network: Any, epochs: int, ctx: SearchContext, x: Any, y: Any, score: Callable[[Any], float],
                 batch_size: int, phase: str,
                 schedule: dict[str, int] | None = None,
                 path: list[float] | None = None) -> tuple[Any, float | None, int]:
    """Train a fresh network the way the winner trained: as a Hyperband trial (up to ``epochs`` at its fixed
    learning rate, stopped as a trial is stopped, ``TRIAL_PATIENCE``, the best epoch kept), then on
    with the rate cut on plateaus (``continue_training``; ``schedule``: its plateau arguments, when the winner had
    its own, as a default network trained alone has, ``timed.fresh_schedule``). The learning rates of the epochs
    behind the weights it ends with are appended to ``path``. Returns the network, its best validation score (None
    when no epoch finished inside the deadline) and the epochs run."""
    first, ran = None, 0
    if epochs:
        direction = "max" if greater_is_better(ctx.metric) else "min"
        stopper = keras.callbacks.EarlyStopping(monitor=SCORE, mode=direction, patience=TRIAL_PATIENCE,
                                                restore_best_weights=True)
        history, rates = keras.callbacks.History(), RateLog()
        fit_args = {} if isinstance(x, keras.utils.PyDataset) else {"batch_size": batch_size}
        network.fit(x, y, epochs=epochs, verbose=0, **fit_args,
                    callbacks=[DeadlineCallback(ctx.deadline), MetricCallback(score), rates, history, stopper])
        scores = [s for s in history.history.get(SCORE, []) if s == s]
        ran = len(scores)
        if scores:
            first = max(scores) if direction == "max" else min(scores)
            if stopper.best_weights is not None:
                network.set_weights(stopper.best_weights)
            if path is not None:
                path.extend(rates.rates[:stopper.best_epoch + 1])  # the epochs behind the weights it restores
        if not scores or ctx.deadline.expired():
            return network, first, ran
    network, own, more = continue_training(network, ctx, x, y, score, first, batch_size,
                                           phase=phase, curve=[], path=path, **(schedule or {}))
    return network, own, ran + more


def train_budgeted(network: Any, epochs: int, ctx: SearchContext, x: Any, y: Any, score: Callable[[Any], float],
                   batch_size: int, path: list[float] | None = None) -> tuple[Any, float | None, int]:
    """Train a fresh network for ``epochs`` planned to end at the deadline, its learning rate falling linearly
    from the configuration's to a ``1/epochs`` share of it at the last epoch (a schedule that ends with the
    budget, as in Li, Yumer and Ramanan 2020, "Budgeted training: rethinking deep neural network training under
    resource constraints"), and keep its best epoch's weights. For a network with less time than its
    configuration takes to reach its plateau: one trained at a fixed rate and cut short stops mid-stride, at a
    rate too high to settle. The learning rates of the epochs behind the weights it ends with are appended to
    ``path``. Returns the network, its best validation score (None when no epoch finished inside the deadline)
    and the epochs run.

    >>> network, own, ran = train_budgeted(rebuild(hypermodel, params, 1), 8, ctx, x, y, score, 32)  # doctest: +SKIP
    """
    rate = learning_rate(network)
    direction = "max" if greater_is_better(ctx.metric) else "min"
    keeper = keras.callbacks.EarlyStopping(monitor=SCORE, mode=direction, patience=epochs + 1,
                                           restore_best_weights=True)  # never stops: keeps the best epoch
    history, rates = keras.callbacks.History(), RateLog()
    falling = keras.callbacks.LearningRateScheduler(lambda epoch, _: rate * (epochs - epoch) / epochs)
    fit_args = {} if isinstance(x, keras.utils.PyDataset) else {"batch_size": batch_size}
    network.fit(x, y, epochs=epochs, verbose=0, **fit_args,
                callbacks=[DeadlineCallback(ctx.deadline), falling, rates, MetricCallback(score), history, keeper])
    scores = [s for s in history.history.get(SCORE, []) if s == s]
    if not scores:
        return network, None, 0
    if keeper.best_weights is not None:
        network.set_weights(keeper.best_weights)
    if path is not None:
        path.extend(rates.rates[:keeper.best_epoch + 1])
    return network, (max(scores) if direction == "max" else min(scores)), len(scores)


def average(networks: list[Any], named: bool = True) -> Any:
    """One Keras model whose output is the mean of ``networks``' outputs, all reading the same inputs: named ones
    fed as a dict (a table's numbers and categories), or (``named=False``) one tensor fed as an array (images,
    clips), which the mean then reads the same way.

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
    if named:
        inputs = {t.name: keras.Input(shape=tuple(t.shape[1:]), dtype=t.dtype, name=t.name) for t in first.inputs}
        members = [keras.Model({t.name: t for t in n.inputs}, n.outputs[0], name=f"member_{i}")
                   for i, n in enumerate(networks)]
    else:
        t = first.inputs[0]
        inputs = keras.Input(shape=tuple(t.shape[1:]), dtype=t.dtype, name=t.name)
        members = [keras.Model(n.inputs[0], n.outputs[0], name=f"member_{i}") for i, n in enumerate(networks)]
    outputs = keras.layers.Average(dtype="float32", name="output")([m(inputs) for m in members])
    return keras.Model(inputs, outputs, name="deep_ensemble")


def members_of(keras_model: Any) -> list[Any]:
    """The networks ``average`` combined (the model itself when it is a single network)."""
    inner = [layer for layer in keras_model.layers if layer.name.startswith("member_")]
    return inner or [keras_model]


@dataclass
class Split:
    """Where one network learns: its training rows' inputs and targets (as the network learns them), the scorer
    of its validation rows, and (for ``bag``, which predicts them) those rows' inputs (``x_val``) and their
    positions in the training rows (``rows``)."""

    x: Any
    y: Any
    score: Callable[[Any], float]
    x_val: Any = None
    rows: Any = None


def take(x: Any, rows: Any) -> Any:
    """The network inputs ``x`` (a dict of arrays, one row each) at the positions ``rows``.

    >>> take({"numeric": np.arange(6).reshape(3, 2)}, np.array([2, 0]))["numeric"].tolist()
    [[4, 5], [0, 1]]
    """
    return {name: values[rows] for name, values in x.items()}


def folds(y: Any, task: str, val: Any, seed: int, k: int, rule: Any = None) -> list[tuple[Any, Any]]:
    """``k`` (fit, validate) position pairs over the training rows whose first validation fold is the winner's
    holdout ``val``; the other rows are split into ``k - 1`` more folds (stratified for classes; whole
    groups when ``rule``, a ``splitting.Rule``, has them), so every row is validated by exactly one of them.

    >>> pairs = folds(np.array([0, 1] * 10), "binary", np.array([0, 1, 2, 3]), 0, 5)
    >>> sorted(np.concatenate([v for _, v in pairs]).tolist()) == list(range(20)), [len(v) for _, v in pairs]
    (True, [4, 4, 4, 4, 4])
    """
    from ..data.splitting import validation_folds

    everything = np.arange(len(y))
    rest = np.setdiff1d(everything, val)
    pairs = [(rest, np.sort(val))]
    inside = None if rule is None else rule.of(rest)
    for _, inner in validation_folds(np.asarray(y)[rest], task, "kfold", k - 1, seed, inside):
        held = np.sort(rest[inner])
        pairs.append((np.setdiff1d(everything, held), held))
    return pairs


@dataclass
class Trained:
    """A fresh network that stopped on its own plateau (or, ``planned``, ran the epochs ``train_budgeted`` planned
    for the time left), the split it learned on, and how it trained."""

    network: Any
    split: Split
    schedule: Schedule
    planned: int = 0
    full: int = 0  # the epochs the network before it took, for a budgeted one's note


def _more(found: Timed, hypermodel: Any, ctx: SearchContext, splits: list[Split], batch_size: int,
          noun: str, keep: Callable[[int, float], float] | None = None,
          budgeted: bool = False) -> tuple[list[Trained], bool]:
    """Train a network of ``found``'s configuration from fresh weights on each of ``splits`` in turn while the
    deadline leaves time for one (``train_member``) and what ``keep(networks, seconds)`` asks to keep after it
    for that many networks of the model, each expected to take as long as one trained here. The first is
    expected to take ``found.epoch_seconds`` times the winner's epochs, the next ones the epochs the last took to
    its plateau at the speed of the last. With ``budgeted``, a network whose expected time no longer fits but
    ``BUDGETED_SHARE`` of it does (and ``BUDGETED_EPOCHS`` epochs) trains the epochs the time holds instead
    (``train_budgeted``), ending an epoch's time early so the networks can still be averaged, scored and saved; it
    is kept whether or not the deadline cut its last epoch. Returns the networks kept, and whether one was cut
    short by the deadline and left out (it ends the training). Every network is a trial in ``trials.jsonl``."""
    params = dict(found.model.params)
    alone = "tuner/epochs" not in params  # the default network trained alone (``timed.train_default``)
    schedule = fresh_schedule(hypermodel) if alone else None
    trained: list[Trained] = []
    expected, epoch, full = found.epoch_seconds * max(found.epochs, 1), found.epoch_seconds, max(found.epochs, 1)
    for tried, split in enumerate(splits, start=1):
        after = keep(len(trained) + 2, expected) if keep is not None else 0.0  # the winner, these, and this one
        room, planned = ctx.deadline.remaining() - after - 1.0, 0
        if room <= 1.2 * expected:  # it would not reach its plateau
            planned = int((room - epoch) / epoch) if budgeted and epoch > 0 else 0
            if room < BUDGETED_SHARE * expected or planned < BUDGETED_EPOCHS:
                break
        started = time.monotonic()
        network, path = rebuild(hypermodel, params, ctx.seed + 1000 * tried), []
        with metered(ctx.hardware.network_gpu) as use:
            if planned:
                inside = dataclasses.replace(ctx, deadline=ctx.deadline.child(keep=after + epoch))
                network, own, epochs = train_budgeted(network, planned, inside, split.x, split.y, split.score,
                                                      batch_size, path)
                finished = own is not None and not inside.deadline.expired()  # its planned epochs all ran
            else:
                network, own, epochs = train_member(network, int(params.get("tuner/epochs", 0)), ctx, split.x,
                                                    split.y, split.score, batch_size, f"{noun} {tried}", schedule,
                                                    path)
                finished = own is not None and not ctx.deadline.expired()  # stopped on its own plateau
        took = time.monotonic() - started
        rows = len(split.y) if split.y is not None else len(getattr(split.x, "paths", ()))  # arrays, or batches
        speed = {"rows_per_second": round(rows * epochs / max(took, 1e-6), 1)} if rows else {}
        ctx.log_trial(f"{hypermodel.family}/{noun} {tried}", params, own, started,
                      extra={"epochs": epochs, "member": tried, "finished": finished,
                             **({"planned_epochs": planned} if planned else {}), **speed, **use})
        if not finished and not (planned and own is not None):
            return trained, True
        epoch = took / max(epochs, 1)
        trained.append(Trained(network, split, Schedule(path, epoch, own), planned, full))
        if not planned:  # a budgeted network's epochs say how fast, not how many a plateau takes
            full = epochs
        expected = epoch * full
    return trained, False


def grow(found: Timed, hypermodel: Any, ctx: SearchContext, wrap: Callable[..., Any], x: Any, y: Any,
         score: Callable[[Any], float], batch_size: int, max_members: int,
         keep: Callable[[int, float], float] | None = None) -> Timed:
    """Train up to ``max_members - 1`` more networks of ``found``'s configuration from fresh weights on the
    winner's own rows while the deadline leaves time for one, each trained as the winner was, or, with less time
    than that but at least half, for the epochs the time holds at a falling rate (``_more``, budgeted).
    The mean replaces the winner only when it scores better on the validation rows, a test that leans
    towards the winner (the rows chose it among the trials and its epochs), so the deep side's validation
    score is never flattered by it. A mean that is kept is handed to ``ctx.improved``. ``keep(networks,
    seconds)``: the time to leave after each network for what follows (``refit``), see ``_more``."""
    if ctx.max_epochs is not None or found.val_score is None or max_members <= 1:
        return found
    params, single = dict(found.model.params), found.val_score
    same = Split(x, y, score)
    trained, cut_short = _more(found, hypermodel, ctx, [same] * (max_members - 1), batch_size, "member", keep,
                               budgeted=True)
    if not trained:
        if cut_short:
            found.notes.append("One more network of the winning configuration started with the time left but was "
                               "cut short by the deadline, so the single network is kept.")
        return found
    kept = [found.model.keras_model] + [t.network for t in trained]
    mean = average(kept, named=isinstance(x, dict))  # a table's named inputs, or one tensor
    together = score(mean)
    told = (f"With time left after the search, {len(kept) - 1} more network(s) of the winning configuration "
            f"trained from fresh weights{_how(trained)}"
            f"{' One more was cut short by the deadline and left out.' if cut_short else ''} "
            f"The mean of the {len(kept)} networks' outputs (a deep ensemble, Lakshminarayanan et al. 2017) "
            f"scored {together:.4f} on the validation rows, the single network {single:.4f}")
    better = (together > single) if greater_is_better(ctx.metric) else (together < single)
    if not better:  # a tie too: on a few hundred rows, accuracy ties often, and the winner has no doubt on its side
        found.notes.append(told + ", so the single network is kept (the rows that chose it lean its way).")
        return found
    found.model, found.val_score = wrap(mean, params | {"members": len(kept)}), together
    found.schedules = found.schedules[:1] + [t.schedule for t in trained]
    ctx.improved(found.model)
    found.notes.append(told + ", so the mean is the model.")
    return found


def _how(trained: list[Trained]) -> str:
    """How ``grow``'s networks trained, for its note: to their own plateau, or (the last) budgeted."""
    last = trained[-1]
    if not last.planned:
        return " as it had been trained, each until its own validation plateau."
    before = "the winner" if len(trained) == 1 else "the network before it"
    others = (" as it had been trained, each until its own validation plateau but the last" if len(trained) > 1
              else "")
    return (f"{others}: with too little time left to reach its plateau ({before} took {last.full} epochs), it "
            f"trained the {last.planned} epochs the time held, its learning rate falling linearly towards nothing "
            "over them (budgeted training, Li et al. 2020).")


def refit(found: Timed, hypermodel: Any, ctx: SearchContext, wrap: Callable[..., Any], x: Any, y: Any,
          batch_size: int, trained_rows: int, score: Callable[[Any], float], distinct: int | None = None) -> Timed:
    """Each network of ``found``'s model trained again from fresh weights on ``x``, ``y`` (arrays of all the training
    rows: the ``trained_rows`` it learned on and its validation rows) for the epochs behind its weights, each at the
    learning rate it had (its ``timed.Schedule``), as gradient boosting's members are refitted on all training rows
    after a holdout search: the validation rows chose the configuration, the epochs and the rates, and now train it
    too. Networks go in order while the deadline leaves time for one (its epochs at its own speed, scaled to the
    rows: its epochs' validation is the margin). A network without a schedule (a Hyperband winner whose epochs
    another process ran) stays as it was, and so does one whose refit is cut short by the deadline or scores worse
    on the validation rows, which it has trained on, than it did without them (``score``: a sign its training went
    wrong, not a measure of how good it is). The validation score stays that of the networks before, and so must the
    validation rows' predictions the approaches are compared and blended on (take them first): a refitted network
    has trained on those rows. Returns ``found``, its model replaced when a network was refitted (and handed to
    ``ctx.improved``), with a note; each refit is a trial in ``trials.jsonl`` without a validation score.
    ``distinct``: the training rows ``y`` holds when a few of them are repeated to fill the last batch
    (``networks.whole_batches``), for the note. With ``ctx.max_epochs`` given nothing is refitted."""
    networks = members_of(found.model.keras_model)
    if ctx.max_epochs is not None or len(networks) != len(found.schedules) or not any(found.schedules):
        return found  # given epochs (``--max-epochs``): the trials asked for and nothing more, as in ``grow``
    params, rows = dict(found.model.params), len(y)
    replaced, refitted, cut_short, tried = list(networks), 0, False, 0
    for at, schedule in enumerate(found.schedules):
        if schedule is None or not schedule.rates:
            continue
        rates = list(schedule.rates)
        expected = len(rates) * schedule.epoch_seconds * rows / max(trained_rows, 1)  # its epochs, validation too
        if ctx.deadline.remaining() <= expected + 1.0:
            cut_short = True
            break
        started = time.monotonic()
        network = rebuild(hypermodel, params, ctx.seed + 1000 * (len(networks) + at + 1))
        with metered(ctx.hardware.network_gpu) as use:
            network.fit(x, y, epochs=len(rates), batch_size=batch_size, verbose=0,
                        callbacks=[DeadlineCallback(ctx.deadline),
                                   keras.callbacks.LearningRateScheduler(lambda epoch, _: rates[epoch])])
        seconds, tried = max(time.monotonic() - started, 1e-6), tried + 1
        finished = not ctx.deadline.expired()
        seen, own = float(score(network)) if finished else None, schedule.val_score
        sound = seen is not None and (own is None or (seen >= own if greater_is_better(ctx.metric) else seen <= own))
        ctx.log_trial(f"{hypermodel.family}/refit {at + 1}", {k: v for k, v in params.items() if k != "members"},
                      None, started,
                      extra={"epochs": len(rates), "refit": True, "finished": finished, "kept": sound,
                             "score_on_rows_seen": seen, "rows_per_second": round(rows * len(rates) / seconds, 1),
                             **use})
        if not finished:
            cut_short = True
            break
        if sound:
            replaced[at], refitted = network, refitted + 1
    if not refitted:
        if cut_short or tried:
            why = ("no time was left to train it again on all training rows" if cut_short else
                   "trained again on all training rows, it scored worse on its validation rows, which it had then "
                   "seen, than before")
            found.notes.append(f"The network is the one trained without its validation rows: {why}.")
        return found
    found.model = wrap(average(replaced, named=isinstance(x, dict)), params | {"refitted": refitted})
    ctx.improved(found.model)
    which = ("The network was" if len(networks) == 1 else f"All {refitted} networks were"
             if refitted == len(networks) else f"{refitted} of the {len(networks)} networks were")
    rest = "" if refitted == len(networks) else (" (the others kept as they were trained: no time was left, their "
                                                 "epochs were not seen by this process, or the refit scored worse "
                                                 "on rows it had seen)")
    one = len(networks) == 1
    behind = ("the epochs behind its weights at the learning rates it had" if one else
              "the epochs behind their weights at the learning rates they had")
    score_of = ("Its validation score is that of the network before, which never saw those rows; the test rows "
                "score the refitted one." if one else "Their validation score is that of the networks before, "
                "which never saw those rows; the test rows score the refitted ones.")
    found.notes.append(f"{which} trained again from fresh weights on all {distinct or rows:,} training rows, "
                       f"validation rows included, for {behind}{rest}, as gradient boosting's models are refitted. "
                       f"{score_of}")
    return found


def bag(found: Timed, hypermodel: Any, ctx: SearchContext, wrap: Callable[..., Any], splits: list[Split],
        batch_size: int, targets: Any, y_scale: tuple[float, float]) -> tuple[Timed, Any, Any]:
    """Cross-fitted networks: one network of the winner's configuration, from fresh weights, trains on each of
    ``splits`` in turn (``folds``: each validates on rows the others train on; the first is the winner's own
    split) while the time allows, stopping on its fold and predicting it. The bag, the mean of the winner and
    every network that finished, is the model. The out-of-fold predictions the approaches are compared and
    blended on come from those fresh networks alone, each row from the one network that never trained on it:
    the winner's predictions on its holdout are left out once a fresh network covers that fold, since that
    holdout chose it among the trials and its epochs and would flatter it. ``targets`` are the training rows'
    classes or values. Returns the search's result (the bag, handed to ``ctx.improved``, and its out-of-fold
    score) and the out-of-fold rows and predictions (the winner's holdout alone when no network finished)."""
    winner = splits[0]
    holdout = network_output(found.model.keras_model, winner.x_val, ctx.task, y_scale)
    if ctx.max_epochs is not None or found.val_score is None or len(splits) <= 1:
        return found, winner.rows, holdout
    trained, cut_short = _more(found, hypermodel, ctx, splits, batch_size, "fold")
    if not trained:
        if cut_short:
            found.notes.append("A network for the first fold started with the time left but was cut short by the "
                               "deadline, so the single network is kept.")
        return found, winner.rows, holdout
    rows = np.concatenate([t.split.rows for t in trained])
    output = np.concatenate([network_output(t.network, t.split.x_val, ctx.task, y_scale)
                             for t in trained])
    order = np.argsort(rows)
    rows, output = rows[order], output[order]
    single = found.val_score
    together = float(ranking_score(ctx.task, np.asarray(targets)[rows], output, ctx.metric, ctx.weights_of(rows)))
    kept = [found.model.keras_model] + [t.network for t in trained]
    found.model = wrap(average(kept), dict(found.model.params) | {"members": len(kept), "bagged": True})
    found.schedules = found.schedules[:1] + [t.schedule for t in trained]
    found.val_score = together
    ctx.improved(found.model)
    short = "; one more was cut short by the deadline and left out" if cut_short else ""
    found.notes.append(
        f"With time left after the search, {len(trained)} more network(s) of the winning configuration trained "
        f"from fresh weights, each on the training rows but one fold and stopped on that fold, the winner's "
        f"holdout first ({len(trained)} of {len(splits)} folds{short}). The model is the mean of the winner and "
        f"them (cross-validation bagging); its score, {together:.4f} on {len(rows):,} rows each predicted by a "
        f"fresh network that never trained on it, replaces the winner's {single:.4f} on its own holdout, which "
        "chose it among the trials and flatters it.")
    return found, rows, output
