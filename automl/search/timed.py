"""How every network route spends its budget: probe the default network, size one Hyperband bracket to the time,
search, then train the winner on (``timed_search``).

The probe times a few batches of the search space's default network (set-up
and per epoch); from that, ``search_shape`` decides between a Hyperband
bracket that fits 60 % of the time (``epochs_for_budget``) and, when that
bracket's trials would be too short to compare architectures
(``MIN_BRACKET_EPOCHS``), the default network trained alone
(``train_default``). A hypermodel whose networks rank badly after one epoch
(images) sets ``min_first_round_epochs``, and only brackets whose first round
trains that long are sized. A default network too large for the device's memory at
the planned batch is probed again at half the batch (``probe_fitting``).
The Keras Tuner parts (the budgeted oracle, the recording tuner, training on
with plateau cuts) are in ``search.tuner``.

Example:
    >>> epochs_for_budget(420, 12, 2, cap=27)
    6
"""

from __future__ import annotations

import contextlib
import math
import dataclasses
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ..metrics import greater_is_better
from ..run.meters import metered
from . import cluster, oom
from .base import SearchContext
from .tuner import (SCORE, HandOver, cluster_notes, continue_training, feed, keras, keras_tuner, kept_epochs,
                    learning_rate, run_search, set_seed, trial_name)

# A search runs only when its bracket's longest trials reach this many epochs: shorter rounds pick architectures
# by their first epochs, which on tables chose worse than the default trained alone (docs/deep-tabular.md).
MIN_BRACKET_EPOCHS = 9
# The Hyperband max_epochs a search may take; a hypermodel's ``min_first_round_epochs`` (1 when it has none) keeps
# those whose first round trains every trial at least that many epochs (``hyperband_rounds``).
BRACKET_EPOCHS = (2, 3, 4, 6, 9, 12, 18, 27)
PROBE_BATCHES = 6


def hyperband_rounds(max_epochs: int, factor: int = 3) -> list[tuple[int, int]]:
    """Keras Tuner's first (widest) Hyperband bracket, round by round: how many trials each round trains and to
    how many epochs (a promoted trial resumes from the epochs it had).

    >>> hyperband_rounds(9), hyperband_rounds(18)
    ([(9, 1), (3, 3), (1, 9)], [(12, 2), (4, 6), (2, 18)])
    """
    bracket = _num_brackets(max_epochs, factor) - 1
    end_size = math.ceil(1 + math.log(max_epochs, factor))
    return [(math.ceil(end_size / (bracket + 1) * factor ** (bracket - r)),
             math.ceil(max_epochs / factor ** (bracket - r))) for r in range(bracket + 1)]


def hyperband_cost(max_epochs: int, factor: int = 3) -> tuple[int, int]:
    """Trials and epochs of Keras Tuner's first (widest) Hyperband bracket; resumed trials' epochs count once.

    >>> [hyperband_cost(e) for e in (2, 3, 9, 27)]
    [(2, 4), (4, 5), (13, 21), (40, 81)]
    """
    trials, total, previous = 0, 0, 0
    for size, epochs_now in hyperband_rounds(max_epochs, factor):
        trials += size
        total += size * (epochs_now - previous)
        previous = epochs_now
    return trials, total


def _num_brackets(max_epochs: int, factor: int) -> int:
    """Keras Tuner's count: one bracket per time ``max_epochs`` divides by ``factor``, plus one."""
    epochs, brackets = max_epochs, 0
    while epochs >= factor:
        epochs /= factor
        brackets += 1
    return brackets + 1


def epochs_for_budget(seconds: float, epoch_seconds: float, trial_seconds: float, cap: int,
                      search_share: float = 0.6, choices: tuple[int, ...] = BRACKET_EPOCHS) -> int:
    """The largest Hyperband ``max_epochs`` whose first bracket fits ``search_share`` of ``seconds``; 0 when none
    does.

    A bracket costs its epochs at ``epoch_seconds`` each plus ``trial_seconds``
    per trial (building and compiling a network). The rest of the budget
    continues training the winner.

    >>> epochs_for_budget(420, 12, 2, cap=27), epochs_for_budget(130, 0.2, 1.8, cap=27)
    (6, 18)
    >>> epochs_for_budget(30, 10, 2, cap=27)
    0
    """
    def cost(e: int) -> float:
        trials, epochs = hyperband_cost(e)
        return trials * trial_seconds + epochs * epoch_seconds

    return max((e for e in choices if e <= cap and cost(e) <= search_share * seconds), default=0)



@dataclass
class Schedule:
    """How one network's kept weights were trained from fresh: the learning rate of each epoch behind them (the
    epochs after its best one left out), the seconds an epoch took and the validation score it ended with."""

    rates: list[float]
    epoch_seconds: float
    val_score: float | None = None


@dataclass
class Timed:
    """What ``timed_search`` found: the best model (as ``wrap`` made it, and as last handed to
    ``ctx.improved``), its validation score, and sentences on how the time was spent."""

    model: Any
    val_score: float | None
    notes: list[str]
    epoch_seconds: float = 0.0  # the probe's measure of one epoch
    epochs: int = 0  # epochs the winner trained, in the search and after it
    batch_size: int = 0  # the batch the search trained at (smaller than planned when the device ran out of memory)
    # one per network of the model, in ``members.members_of``'s order (``members.refit`` trains them again); None
    # where it is not known (a Hyperband winner whose trials ran in other processes, ``searched_rates``)
    schedules: list[Schedule | None] = dataclasses.field(default_factory=lambda: [None])


def timed_search(hypermodel: Any, ctx: SearchContext, wrap: Callable[..., Any], x: Any, y: Any,
                 score: Callable[[Any], float], batch_size: int, n_fit: int, n_val: int, max_epochs: int,
                 precision: Callable[[], Any] = contextlib.nullcontext,
                 keep: Callable[[float, float, float], float] | None = None) -> Timed:
    """Probe, search and continue inside ``ctx.deadline``, the way every network route spends its budget:

    1. a few timed batches of the default network measure seconds per epoch and per trial start;
    2. one Hyperband bracket whose ``max_epochs`` (at most ``max_epochs``) fits 60 % of the time runs, defaults
       first; when that bracket's ``max_epochs`` is under ``MIN_BRACKET_EPOCHS``, the probe's default network
       trains on alone instead (``train_default``);
    3. the winner trains on, its learning rate lowered on plateaus, until the deadline or until it stops
       improving (``continue_training``); a better continuation is handed to ``ctx.improved``. A hypermodel's
       ``decay_to_deadline`` replaces the plateaus with a rate falling linearly with the time left, to the
       deadline, better epochs handed over as they come (as for a network trained alone, ``train_default``).

    ``keep(epoch_seconds, trial_seconds, remaining)``: the seconds the route keeps for what it does after the
    search (more networks), from the probe's measures and the seconds left after it; the bracket is sized for
    the rest, and the search and its winner's training end that much before ``ctx.deadline``.
    """
    with precision():
        shape, probed = search_shape(hypermodel, ctx, x, y, batch_size, n_fit, n_val, max_epochs, keep)
    if shape.get("kept"):
        ctx = dataclasses.replace(ctx, deadline=ctx.deadline.child(keep=shape["kept"]))
    if shape.get("batch_size", batch_size) != batch_size:  # the default network did not fit the planned batch
        batch_size = shape["batch_size"]
        if isinstance(x, keras.utils.PyDataset):
            oom.set_batch(x, {}, batch_size)
    epochs, cap, epoch_seconds = shape["epochs"], shape["cap"], shape["epoch_seconds"]
    if probed is not None and cap == 1 and ctx.max_epochs is None:
        found = train_default(probed, hypermodel, ctx, wrap, x, y, score, batch_size, n_fit,
                              shape["note"], precision)
        found.batch_size = batch_size
        return found
    with precision():
        best, val_score, params = run_search(hypermodel, ctx, wrap, x, y, score, batch_size, epochs,
                                             defaults_first=True, rows_per_epoch=n_fit, trial_cap=cap)
    memory = oom.note([t for t in ctx.trials if t.approach == ctx.approach])
    rates = searched_rates(best, params, ctx)
    found = Timed(wrap(best, params), val_score,  # handed over already
                  [shape["note"], *cluster_notes(ctx), *([memory] if memory else [])], epoch_seconds, epochs,
                  batch_size, [Schedule(rates, epoch_seconds, val_score) if rates else None])
    if ctx.max_epochs is not None or ctx.deadline.remaining() <= epoch_seconds:  # not even one more epoch
        return found
    started = time.monotonic()
    after: list[float] = []
    falling = decays_to_deadline(hypermodel, ctx)  # to the deadline: hand better epochs over as they come
    hand_over = handing_over(ctx, wrap, params, val_score) if falling else None
    with precision(), metered(ctx.hardware.network_gpu) as use:
        best, new_score, more = continue_training(best, ctx, x, y, score, val_score, batch_size,
                                                  path=after, to_deadline=falling, hand_over=hand_over)
    improved = new_score is not None and new_score != val_score
    found.epochs += more
    seconds = max(time.monotonic() - started, 1e-6)
    if rates and improved:  # the trials' epochs, then those after the search (unknown trials: no schedule)
        found.schedules = [Schedule(rates + after, seconds / max(more, 1), new_score)]
    ctx.log_trial(f"{hypermodel.family}/{params.get('family', 'default')} (continued)", params, new_score, started,
                  extra={"epochs": more, "continued": True, "improved": improved,
                         "rows_per_second": round(n_fit * more / seconds, 1), **use})
    if improved:
        found.model, found.val_score = wrap(best, params), new_score
        ctx.improved(found.model)
        how = (" to the deadline, its learning rate falling linearly with the time left towards nothing (no "
               "plateau cuts; the best epoch kept)" if falling else "")
        found.notes.append(f"The winning network trained {more} more epoch(s) after the search{how}, its "
                           f"validation score going from {val_score:.4f} to {new_score:.4f}.")
    return found


def searched_rates(best: Any, params: dict[str, Any], ctx: SearchContext) -> list[float]:
    """The learning rate of each epoch behind a Hyperband winner's weights, as far as this process saw them: its
    trial's epochs after those of the trials it resumed from (``ctx.history``) up to their best validation score,
    all at its ``learning_rate`` (trials run at a fixed rate; without one in ``params``, the rate ``best`` was
    built with). Empty when no epoch was seen here (a chief, whose workers ran the trials, or a search resumed
    from an earlier session)."""
    scores = [e.get(SCORE, math.nan) for e in ctx.history if e.get("phase") == "search"]
    rate = float(params.get("learning_rate") or learning_rate(best))
    return [rate] * kept_epochs(scores, "max" if greater_is_better(ctx.metric) else "min")


def hyperband_winner(model: Any, val_score: float | None, ctx: SearchContext, batch_size: int) -> Timed:
    """A Hyperband search's winner (``model`` as ``wrap`` made it, handed to ``ctx.improved`` already) as
    ``members.grow`` and ``members.refit`` take it, for a route that searches without a probe (text): the epochs
    of its trial, the seconds each took from its record in ``ctx.trials`` (building and compiling included), and
    the learning rates behind its weights (``searched_rates``; without them it has no schedule to be refitted
    on)."""
    params = dict(model.params)
    epochs = int(params.get("tuner/epochs", 1))
    ran = max(1, epochs - int(params.get("tuner/initial_epoch", 0)))
    trial = next((t for t in reversed(ctx.trials) if t.approach == ctx.approach and t.params == params), None)
    epoch_seconds = trial.seconds / ran if trial is not None else 0.0
    rates = searched_rates(model.keras_model, params, ctx)
    return Timed(model, val_score, [], epoch_seconds, epochs, batch_size,
                 [Schedule(rates, epoch_seconds, val_score) if rates and trial is not None else None])


def train_default(probed: tuple[Any, dict[str, Any]], hypermodel: Any, ctx: SearchContext,
                  wrap: Callable[..., Any], x: Any, y: Any, score: Callable[[Any], float], batch_size: int,
                  n_fit: int, note: str, precision: Callable[[], Any] = contextlib.nullcontext) -> Timed:
    """The default network the probe built (compiled and warmed up already) trains on until the deadline or until
    it stops improving, each better epoch handed to ``ctx.improved``: with one candidate there is nothing for the
    tuner to compare, and building it again would spend the set-up time twice. A hypermodel's
    ``fresh_patience`` (epochs flat before the learning rate drops, then before training stops) replaces the
    schedule for a winner trained on after its search (1 and 4): a network trained from its first epoch can
    take longer flat stretches. A hypermodel's ``decay_to_deadline`` replaces plateaus with a rate falling
    linearly with the time left (``continue_training``'s ``to_deadline``): the network trains until the deadline."""
    keras_model, params = probed
    falling = decays_to_deadline(hypermodel, ctx)
    schedule = {"to_deadline": True} if falling else fresh_schedule(hypermodel)
    started = time.monotonic()
    hand_over = handing_over(ctx, wrap, params)
    rates: list[float] = []
    with precision(), metered(ctx.hardware.network_gpu) as use:
        best, val_score, epochs = continue_training(keras_model, ctx, x, y, score, None, batch_size,
                                                    phase="search", hand_over=hand_over, path=rates, **schedule)
    if val_score is None:
        raise RuntimeError("no epoch of the default network finished inside the budget")
    seconds = max(time.monotonic() - started, 1e-6)
    ctx.log_trial(trial_name(hypermodel.family, params), params, val_score, started,
                  extra={"epochs": epochs, "stopped_by_budget": ctx.deadline.expired(),
                         "rows_per_second": round(n_fit * epochs / seconds, 1), **use})
    how = ([f"It trained {epochs} epochs to the deadline, its learning rate falling linearly with the time left "
            "towards nothing (a schedule that ends with the budget, Li et al. 2020), with no plateau cuts; the best "
            "epoch on the validation rows is kept."] if falling else [])
    found = Timed(wrap(best, params), val_score, [note, *how], seconds / max(epochs, 1), epochs,
                  schedules=[Schedule(rates, seconds / max(epochs, 1), val_score)])
    if isinstance(ctx.cluster, cluster.Chief):
        found.notes.append("No worker was started: with one candidate there was nothing to share out, so the "
                           "default network trained in this process.")
    if hand_over.handed != val_score:  # the best epoch came after the last hand-over
        ctx.improved(found.model)
    return found


def decays_to_deadline(hypermodel: Any, ctx: SearchContext) -> bool:
    """Whether the network a route trains on to its end (a search's winner, or the default trained alone) takes a
    rate falling to the deadline instead of plateau cuts: the hypermodel's ``decay_to_deadline``, in a run with a
    deadline to fall to (not one held to a fixed ``max_epochs``, as tests run)."""
    return bool(getattr(hypermodel, "decay_to_deadline", False)) and ctx.max_epochs is None


def handing_over(ctx: SearchContext, wrap: Callable[..., Any], params: dict[str, Any],
                 start_score: float | None = None) -> HandOver:
    """The callback that hands each better epoch of a network trained on to ``ctx.improved``, wrapped with the
    ``params`` it was built from, starting above ``start_score`` (the score it was handed over with already)."""
    return HandOver(lambda m: ctx.improved(wrap(m, params)), "max" if greater_is_better(ctx.metric) else "min",
                    start_score)


def fresh_schedule(hypermodel: Any) -> dict[str, int]:
    """``continue_training``'s plateau arguments for a network trained from its first epoch, from the hypermodel's
    ``fresh_patience`` (none: the defaults, as for a winner trained on after its search)."""
    patience = getattr(hypermodel, "fresh_patience", None)
    return {} if patience is None else {"lr_patience": patience[0], "patience": patience[1]}


def search_shape(hypermodel: Any, ctx: SearchContext, x: Any, y: Any, batch_size: int, n_fit: int, n_val: int,
                 max_epochs: int, keep: Callable[[float, float, float], float] | None = None
                 ) -> tuple[dict[str, Any], tuple[Any, dict[str, Any]] | None]:
    """Hyperband's ``epochs`` and trial ``cap`` for this budget, from a probe of the default network, with
    ``epoch_seconds``, the seconds ``kept`` for after the search (``keep``, see ``timed_search``) and a
    ``note`` saying why; and the probe's network with its hyperparameters (None when the
    shape was read back). Kept in the search's folder: a resumed search reloads Keras Tuner's state, which only
    fits the bracket it was made for, so it takes the same shape instead of probing."""
    import json

    saved = os.path.join(ctx.workdir, "shape.json") if ctx.workdir is not None else None
    if isinstance(ctx.cluster, cluster.Worker):  # a worker takes the chief's shape; it never probes
        with open(str(saved), encoding="utf-8") as fh:
            return json.load(fh), None
    if saved and ctx.previous and os.path.isfile(saved):
        try:
            with open(saved, encoding="utf-8") as fh:
                shape = json.load(fh)
            if {"epochs", "cap", "epoch_seconds", "note"} <= set(shape):
                return shape, None
        except ValueError:
            pass
    set_seed(ctx.seed)
    trial_seconds, epoch_seconds, probed, fitted = probe_fitting(hypermodel, x, y, batch_size, n_fit, n_val)
    kept = (round(keep(epoch_seconds, trial_seconds, ctx.deadline.remaining()), 1)
            if keep is not None and ctx.max_epochs is None else 0.0)
    left = max(ctx.deadline.remaining() - kept, 0.0)
    affordable = left / max(epoch_seconds, 1e-3)
    after = f" ({kept:.0f}s of it kept for the networks trained after the search)" if kept else ""
    timing = (f"One epoch of the default network took about {epoch_seconds:.1f}s and starting a trial "
              f"{trial_seconds:.1f}s, so about {affordable:.0f} epochs fitted the budget{after}")
    first = getattr(hypermodel, "min_first_round_epochs", 1)
    choices = tuple(e for e in BRACKET_EPOCHS if hyperband_rounds(e)[0][1] >= first)
    bracket = epochs_for_budget(left, epoch_seconds, trial_seconds, max_epochs, choices=choices)
    rounds = (f" (only brackets whose first round trains every trial at least {first} epochs: these networks, "
              "judged on their first epoch, were ranked in reverse of where they ended)" if first > 1 else "")
    if ctx.max_epochs is not None:
        epochs, cap, how = ctx.max_epochs, None, f"Hyperband ran with max_epochs={ctx.max_epochs} (given)"
    elif bracket < min(MIN_BRACKET_EPOCHS, max_epochs):
        epochs, cap = 2, 1
        short = (f"the Hyperband bracket that fitted 60 % of that would have trained its best trials {bracket} "
                 f"epoch(s), under the {MIN_BRACKET_EPOCHS} needed to compare architectures fairly" if bracket else
                 "no Hyperband bracket fitted 60 % of that") + rounds
        until = "" if decays_to_deadline(hypermodel, ctx) else ", until it stopped improving or the time ran out"
        how = f"{short}, so the default network (the first candidate of the search) trained alone{until}"
    else:
        epochs, cap = bracket, hyperband_cost(bracket)[0]
        how = f"one Hyperband bracket ran with max_epochs={epochs} ({cap} trials){rounds}"
    smaller = (f" The default network ran out of device memory at batch {batch_size}, so the networks trained "
               f"at batch {fitted}." if fitted != batch_size else "")
    shape = {"epochs": epochs, "cap": cap, "epoch_seconds": epoch_seconds, "kept": kept, "batch_size": fitted,
             "note": f"{timing}; {how}.{smaller}"}
    if saved:
        from ..run.rundir import atomic_write_text

        atomic_write_text(Path(saved), json.dumps(shape))
    return shape, probed


def probe_fitting(hypermodel: Any, x: Any, y: Any, batch_size: int, n_fit: int, n_val: int
                  ) -> tuple[float, float, tuple[Any, dict[str, Any]], int]:
    """``probe`` at the planned batch, halved each time the device runs out of memory (down to
    ``oom.MIN_BATCH``; below it, the error stands); also returns the batch that fitted. A ``PyDataset`` is left
    batching at that size."""
    batch = batch_size
    while True:
        try:
            return (*probe(hypermodel, x, y, batch, n_fit, n_val), batch)
        except Exception as exc:  # noqa: BLE001 - only running out of memory is handled here
            smaller = oom.halved(batch) if oom.out_of_memory(exc) else None
            streamed = isinstance(x, keras.utils.PyDataset)
            if smaller is None or (streamed and oom.batch_of(x, {}) is None):
                raise
            batch = smaller
            if streamed:
                oom.set_batch(x, {}, batch)
            keras.backend.clear_session()


def probe(hypermodel: Any, x: Any, y: Any, batch_size: int, n_fit: int, n_val: int
          ) -> tuple[float, float, tuple[Any, dict[str, Any]]]:
    """Seconds to build and start a trial, and per epoch (validation scoring included), for the default network;
    and that network (trained on the few probe batches) with its hyperparameters.

    ``x`` is an array, a dict of arrays (one per named input) or a ``keras.utils.PyDataset``.
    """
    started = time.perf_counter()
    hp = keras_tuner.HyperParameters()
    model = hypermodel.build(hp)
    if isinstance(x, keras.utils.PyDataset):
        sample_x, sample_y = x[0]
    else:
        sample_x, sample_y = _head(x, batch_size * (PROBE_BATCHES + 1)), y[: batch_size * (PROBE_BATCHES + 1)]
    model.fit(feed(model, _head(sample_x, batch_size)), sample_y[:batch_size], batch_size=batch_size, epochs=1,
              verbose=0)  # compile, warm up
    trial_seconds = time.perf_counter() - started
    started = time.perf_counter()
    model.fit(feed(model, sample_x), sample_y, batch_size=batch_size, epochs=1, verbose=0)
    per_row = (time.perf_counter() - started) / max(len(sample_y), 1)
    params = {k: v for k, v in hp.values.items() if hp.is_active(k)}
    return trial_seconds, per_row * (n_fit + n_val / 3), (model, params)


def _head(x: Any, n: int) -> Any:
    """The first ``n`` rows of an array or of each array in a dict."""
    return {k: v[:n] for k, v in x.items()} if isinstance(x, dict) else x[:n]
