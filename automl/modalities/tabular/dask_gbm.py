"""Gradient boosting on Dask (``xgboost.dask``) for a table too large for memory.

The table's rows that are not held in memory (``data.large``) are read on the
Dask workers piece by piece, encoded there with the encoder fitted on the held
rows, and gathered into one ``DaskQuantileDMatrix`` (histogram bins: about one
byte per cell besides the float32 rows). The training rows held in memory are
the validation rows: every trial stops early on them, and the best trial on
them is the model. With ``--weight``, each row's weight comes with it from its
piece (a row whose weight is missing, negative or not a number is left out, as
a row without a target is) and counts in training, early stopping and the
choice alike. Trials are few and large: a 10-round probe times a round,
then each trial gets the rounds its share of the time allows, defaults first.
When the best model is still improving as its rounds run out, the time left
trains it on from where it stopped rather than starting a new configuration.
The model is an ordinary XGBoost booster with its encoder (``gbm.GBMModel``),
so it predicts, saves and loads like the in-memory route's.

Example:
    >>> route = DaskGBMRoute()       # doctest: +SKIP
    >>> result = route.search(ctx)   # doctest: +SKIP
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from ...decision import ranking_score
from ...metrics import better, greater_is_better
from ...search.base import SearchContext, SearchResult
from . import gbm, gbm_space
from .encoder import TabularEncoder

LABEL = "__label__"
WEIGHT = "__weight__"  # with ``--weight``: how much the row counts
PROBE_ROUNDS = 10
FIRST_SHARE = 0.5  # of the search's time, at most, for the first (default) configuration
MIN_LEARNING_RATE = 0.05  # with rounds bounded by time, slower rates do not converge
MAX_BIN = 256
MAX_FAILURES = 3  # trials failing in a row end the search
PLANNED_SHARE = 0.9  # of the time left, planned for a trial's rounds: the rest absorbs a slower round
GRACE_SECONDS = 30.0  # a call to the cluster may run this long past the search's deadline, and no longer


class DaskGBMRoute:
    """XGBoost configurations trained on a Dask cluster, chosen on the validation rows held in memory."""

    saves = gbm.GBMRoute.saves

    def load(self, folder: Path) -> Any:
        return gbm.load(folder)

    def finish_seconds(self, budget: float) -> float:
        """Time kept back for scoring and saving the model (the cluster's shutdown is inside the search)."""
        return 2.0 + 0.02 * budget

    def search(self, ctx: SearchContext) -> SearchResult:
        import numpy as np
        import xgboost.dask as xd

        from ...search.dask_client import connected, describe

        table = ctx.large
        if table is None:
            raise RuntimeError("gradient boosting on Dask needs a table read in pieces (automl.data.large)")
        encoder = TabularEncoder.fit(ctx.X, ctx.kinds)
        X_val, y_val, w_val = encoded(ctx.X, encoder), np.asarray(ctx.y), ctx.weights_of(np.arange(len(ctx.y)))
        started = time.monotonic()
        with connected(ctx.dask, table.memory, ctx.hardware.cpu_count) as client:
            cluster = describe(client)
            frame = training_frame(table, encoder, ctx.target, ctx.task, ctx.classes, X_val, ctx.weight)
            dtrain = within(ctx.deadline.remaining() + GRACE_SECONDS, "reading and binning the training rows",
                            xd.DaskQuantileDMatrix, client, frame.drop(columns=[LABEL, WEIGHT], errors="ignore"),
                            frame[LABEL], weight=frame[WEIGHT] if ctx.weight else None, max_bin=MAX_BIN)
            dval = within(ctx.deadline.remaining() + GRACE_SECONDS, "binning the validation rows",
                          xd.DaskQuantileDMatrix, client, _dask(X_val), _dask(y_val.astype("float32")),
                          weight=None if w_val is None else _dask(w_val), ref=dtrain)
            built = time.monotonic() - started
            search = _Search(ctx, client, dtrain, dval, encoder, X_val, y_val, w_val)
            search.run()
        if search.best is None:
            raise RuntimeError("no gradient-boosting trial on Dask finished inside the budget")
        model, score, output = search.best
        notes = [f"Trained on Dask ({_cluster_text(cluster)}) over every row not held in memory, read in "
                 f"{len(table.pieces):,} piece(s) and binned into one DaskQuantileDMatrix in {built:.0f}s; "
                 f"{len(search.trials)} trial(s) (models of up to {search.most_rounds:,} rounds; a model still "
                 f"improving when its rounds ran out trained on), each stopped early on the {len(y_val):,} training "
                 f"rows held in memory, which chose the model.{_weighed(ctx.weight)} The Dask workers' CPU time "
                 "is not in the energy figure; the money figure counts the machine's cores for the whole search."]
        return SearchResult(model, score, round(time.monotonic() - started, 2), notes, np.arange(len(y_val)), output)


class _Search:
    """The trials of one Dask search: a probe that times a round, then configurations while time allows. When the
    best model was still improving as its rounds ran out, the time left goes to training it on (more rounds from
    where it stopped) instead of to a new configuration that would stop even sooner."""

    def __init__(self, ctx: SearchContext, client: Any, dtrain: Any, dval: Any, encoder: TabularEncoder,
                 X_val: Any, y_val: Any, w_val: Any = None):
        self.ctx, self.client, self.dtrain, self.dval = ctx, client, dtrain, dval
        self.encoder, self.X_val, self.y_val, self.w_val = encoder, X_val, y_val, w_val
        self.best: tuple[Any, float, Any] | None = None  # model, validation score, validation output
        self.capped = False  # the best model used every round it was given: more rounds would likely help
        self.trials: list[dict[str, Any]] = []
        self.most_rounds = 0
        self.round_seconds = 0.0  # per round at depth 6, measured
        self.probe_seconds = 0.0  # the probe's 10 rounds, call included
        self.call_seconds = 0.0  # what every training call costs besides its rounds (the workers rebuild their matrix)
        self.failures = 0  # trials in a row that failed

    def run(self) -> None:
        import numpy as np

        ctx = self.ctx
        rng = np.random.default_rng(ctx.seed)
        configs = [dict(gbm_space.DEFAULTS["xgboost"])]
        probe_started = time.monotonic()
        self._train(configs[0], PROBE_ROUNDS, patience=None)
        self.probe_seconds = time.monotonic() - probe_started
        self.round_seconds = self.probe_seconds / PROBE_ROUNDS  # an overestimate until a trial tells the call's cost
        self._replay()
        while not ctx.deadline.expired() and not ctx.trial_cap_reached() and self.failures < MAX_FAILURES:
            if self.best is not None and self.capped:
                start = self.best[0]
                params = start.params
            else:
                params, start = (configs.pop(0) if configs else _sampled(rng, ctx.large.n_rows)), None
            share = FIRST_SHARE if self.best is None and not self.trials else 1.0
            rounds = self._rounds(params, ctx.deadline.remaining() * share * PLANNED_SHARE - self.call_seconds)
            if rounds < PROBE_ROUNDS:
                break
            self._trial(params, rounds, start)

    def _replay(self) -> None:
        """A resumed search starts from the earlier sessions' best model, trained again for its rounds (its booster
        was not kept apart from the run's model; ``trials.jsonl`` has the trial, so it is not logged again)."""
        done = [t for t in self.ctx.previous if t.status == "ok" and t.val_score is not None]
        if not done:
            return
        best = (max if greater_is_better(self.ctx.metric) else min)(done, key=lambda t: t.val_score)
        rounds = int(best.extra.get("rounds") or PROBE_ROUNDS)
        booster, used = self._train(best.params, rounds, patience=None)
        self.best = self._scored(booster, best.params, used, {"rows": int(self.ctx.large.n_rows)})
        self.capped = best.extra.get("round_limit") == rounds  # it had not stopped early: it may train on
        self.ctx.improved(self.best[0])

    def _scored(self, booster: Any, params: dict[str, Any], used: int, fit: dict[str, float]) -> tuple[Any, float, Any]:
        """The booster as the run's model (its first ``used`` rounds), its validation score and output."""
        ctx = self.ctx
        model = gbm.GBMModel("xgboost", booster, self.encoder, ctx.task, ctx.n_classes, params, used, fit=fit,
                             codes=True)
        output = model.output(self.X_val)
        return model, ranking_score(ctx.task, self.y_val, output, ctx.metric, self.w_val), output

    def _timed(self, params: dict[str, Any], rounds: int, seconds: float) -> None:
        """A round's and a call's cost, from this call (``rounds`` in ``seconds``) against the probe's 10."""
        depth6 = rounds * max(int(params.get("max_depth", 6)), 1) / 6  # in rounds of depth 6
        if depth6 > 2 * PROBE_ROUNDS:
            self.round_seconds = max((seconds - self.probe_seconds) / (depth6 - PROBE_ROUNDS), 1e-3)
            self.call_seconds = max(0.0, self.probe_seconds - PROBE_ROUNDS * self.round_seconds)

    def _rounds(self, params: dict[str, Any], seconds: float) -> int:
        """The rounds ``seconds`` allow ``params`` (deeper trees cost more a round), at most ``MAX_ROUNDS``."""
        return int(min(gbm_space.MAX_ROUNDS, seconds / self._per_round(params)))

    def _per_round(self, params: dict[str, Any]) -> float:
        return max(self.round_seconds, 1e-3) * max(int(params.get("max_depth", 6)), 1) / 6

    def _train(self, params: dict[str, Any], rounds: int, patience: int | None,
               start: Any = None) -> tuple[Any, int]:
        """A booster trained ``rounds`` more rounds (on from ``start``'s booster when given), and the rounds that
        count: up to the best on the validation rows with ``patience``, else all."""
        import xgboost.dask as xd

        settings = gbm.booster_params(params, self.ctx, 1) | {"max_cat_to_onehot": 8, "device": "cpu"}
        settings.pop("nthread")  # each Dask worker uses its own threads
        out = within(self.ctx.deadline.remaining() + GRACE_SECONDS, f"a trial of {rounds} rounds", xd.train,
                     self.client, settings, self.dtrain, num_boost_round=rounds,
                     evals=[(self.dval, "val")] if patience else None, early_stopping_rounds=patience,
                     xgb_model=None if start is None else start.estimator, verbose_eval=False)
        booster = out["booster"]
        best = getattr(booster, "best_iteration", None) if patience else None
        return booster, (best + 1) if best is not None else booster.num_boosted_rounds()

    def _trial(self, params: dict[str, Any], rounds: int, start: Any = None) -> None:
        ctx = self.ctx
        started = time.monotonic()
        before = start.estimator.num_boosted_rounds() if start is not None else 0
        try:
            booster, used = self._train(params, rounds, gbm_space.EARLY_STOPPING_ROUNDS, start)
        except Exception as exc:  # a failed trial is recorded; the search goes on while time allows
            ctx.log_trial("xgboost", params, None, started, status="failed", error=_first_line(exc))
            self.failures = MAX_FAILURES if isinstance(exc, ClusterTimeout) else self.failures + 1  # stuck: stop
            self.capped = False
            return
        self.failures = 0
        seconds = time.monotonic() - started
        added = booster.num_boosted_rounds() - before
        self._timed(params, added, seconds)
        model, score, output = self._scored(booster, params, used, {
            "seconds": round(seconds + (start.fit.get("seconds", 0.0) if start else 0.0), 3),
            "rows": int(ctx.large.n_rows)})
        self.most_rounds = max(self.most_rounds, used)
        self.trials.append({"params": params, "rounds": used, "score": score})
        extra = {"rounds": used, "round_limit": before + rounds, "engine": "dask"}
        if start is not None:
            extra["continued_from_rounds"] = before
        ctx.log_trial("xgboost", params, score, started, extra=extra)
        if self.best is None or better(score, self.best[1], ctx.metric):
            self.best = (model, score, output)
            self.capped = added >= rounds  # no early stop: it was still improving when its rounds ran out
            ctx.improved(model)
        elif start is not None:
            self.capped = False  # training on did not help: new configurations get the time


class ClusterTimeout(RuntimeError):
    """A call to the Dask cluster did not return in time (workers paused at their memory limit, or lost)."""


def within(seconds: float, what: str, call: Any, *args: Any, **kwargs: Any) -> Any:
    """``call(*args, **kwargs)`` if it returns within ``seconds``; else ``ClusterTimeout``, and the caller's closing
    of the cluster ends the call. Dask's calls wait on their workers without a limit of their own.

    >>> within(1.0, "adding", lambda a, b: a + b, 2, 3)
    5
    """
    import concurrent.futures

    pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="automl-dask")
    try:
        return pool.submit(call, *args, **kwargs).result(timeout=max(seconds, 1.0))
    except concurrent.futures.TimeoutError:
        raise ClusterTimeout(f"{what} on Dask did not finish within {seconds:.0f}s: its workers may be paused at "
                             "their memory limit (give more memory with `memory`, or more workers) or lost") from None
    finally:
        pool.shutdown(wait=False)


def _first_line(exc: Exception) -> str:
    """An error's type and first line: XGBoost's carry the C++ stack after it."""
    return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"


def _sampled(rng: Any, n_rows: int) -> dict[str, Any]:
    params = gbm_space.sample("xgboost", rng, n_rows)
    params["learning_rate"] = max(params["learning_rate"], MIN_LEARNING_RATE)
    return params


def _weighed(weight: str) -> str:
    """The note's words on ``--weight``, "" without one."""
    return (f" Each row counted its weight in {weight!r} (`weight`) in training, early stopping and the choice; a row "
            "not held whose weight is missing, negative or not a number was left out, as one without a target is."
            if weight else "")


def _cluster_text(cluster: dict[str, Any]) -> str:
    from ...data.memory import size_text

    return (f"{cluster['workers']} worker(s), {cluster['threads']} thread(s), "
            f"{size_text(cluster['memory_limit'])} memory limit in all")


def encoded(frame: Any, encoder: TabularEncoder) -> Any:
    """``encoder.gbm_frame`` with its columns named by position (as ``gbm._dmatrix`` names them), in float32 (the
    width XGBoost bins at), categories as their codes: XGBoost on Dask cannot take categories on a worker whose
    share of some rows is empty, and the model reads them the same way (``GBMModel.codes``)."""
    out = gbm.as_codes(encoder.gbm_frame(frame))
    return out.set_axis([f"f{i}" for i in range(out.shape[1])], axis=1).astype("float32")


def target_codes(values: Any, task: str, classes: list | None) -> Any:
    """The target as the model learns it: float values, or class indices into ``classes`` (NaN where missing
    or a class the held rows never showed).

    >>> import pandas as pd
    >>> target_codes(pd.Series(["b", "a", None, "z"]), "binary", ["a", "b"]).tolist()
    [1.0, 0.0, nan, nan]
    >>> target_codes(pd.Series([1.0, 0.0, 2.0]), "binary", [0, 1]).tolist()
    [1.0, 0.0, nan]
    """
    import numpy as np
    import pandas as pd

    from ...data.number_text import to_number
    from ...data.target import clean_target

    values = clean_target(values)[0]
    if task == "regression":
        return to_number(values).to_numpy(dtype=float)  # $166,005 too
    if all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in classes):
        number = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
        known = np.asarray(classes, dtype=float)
        at = np.searchsorted(known, number).clip(0, len(known) - 1)
        return np.where(known[at] == number, at, np.nan).astype(float)
    index = {str(c): float(i) for i, c in enumerate(classes)}
    return values.astype(str).map(index).where(values.notna()).to_numpy(dtype=float)


def training_piece(i: int, table: Any, encoder: TabularEncoder, target: str, task: str, classes: list | None,
                   weight: str = "") -> Any:
    """Piece ``i``'s rows that are not held in memory, encoded, with the target in ``LABEL`` and, given a
    ``weight`` column, its weights in ``WEIGHT`` (rows without a target or a weight of 0 or more left out). Runs on
    a Dask worker."""
    import numpy as np

    part = table.read_piece(i)
    part = part.loc[~table.held(i, len(part))]
    y = target_codes(part[target], task, classes)
    keep = ~np.isnan(y)
    if weight:
        w = piece_weights(part[weight])
        keep &= ~np.isnan(w)
    out = encoded(part.loc[keep], encoder).reset_index(drop=True)
    out[LABEL] = y[keep].astype("float32")
    if weight:
        out[WEIGHT] = w[keep].astype("float32")
    return out


def piece_weights(column: Any) -> Any:
    """A piece's ``--weight`` column as floats, NaN where a value is missing, negative, infinite or not a number
    (the held rows are checked up front, with an error; a piece's rows are only read on the workers, where such a
    row is left out as a row without a target is).

    >>> import pandas as pd
    >>> piece_weights(pd.Series([1, "2.5", -1, None, "x", float("inf"), 0])).tolist()
    [1.0, 2.5, nan, nan, nan, nan, 0.0]
    """
    import numpy as np
    import pandas as pd

    w = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float, na_value=np.nan, copy=True)
    w[~np.isfinite(w) | (w < 0)] = np.nan
    return w


def training_frame(table: Any, encoder: TabularEncoder, target: str, task: str, classes: list | None,
                   like: Any, weight: str = "") -> Any:
    """A Dask DataFrame of the training rows, one partition per piece; ``like``: encoded rows giving its dtypes;
    ``weight``: the ``--weight`` column, if any."""
    import dask.dataframe as dd

    import pandas as pd

    meta = like.iloc[:0].copy()
    meta[LABEL] = pd.Series([], dtype="float32")
    if weight:
        meta[WEIGHT] = pd.Series([], dtype="float32")
    return dd.from_map(training_piece, range(len(table.pieces)), meta=meta, enforce_metadata=False,
                       label="automl-training-rows", table=table, encoder=encoder, target=target, task=task,
                       classes=classes, weight=weight)


def _dask(values: Any) -> Any:
    """An in-memory frame or array as a one-partition Dask collection."""
    import dask.dataframe as dd
    import pandas as pd

    return dd.from_pandas(values if isinstance(values, pd.DataFrame) else pd.Series(values), npartitions=1)
