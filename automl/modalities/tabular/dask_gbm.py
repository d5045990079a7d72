"""Gradient boosting on Dask (``xgboost.dask``) for a table too large for memory.

The table's rows that are not held in memory (``data.large``) are read on the
Dask workers piece by piece, encoded there with the encoder fitted on the held
rows, and gathered into one ``DaskQuantileDMatrix`` (histogram bins: about one
byte per cell besides the float32 rows). The training rows held in memory are
the validation rows: every trial stops early on them, and the best trial on
them is the model. Trials are few and large: a 10-round probe times a round,
then each trial gets the rounds its share of the time allows, defaults first.
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

from ...metrics import score_output
from ...search.base import SearchContext, SearchResult
from . import gbm, gbm_space
from .encoder import TabularEncoder

LABEL = "__label__"
PROBE_ROUNDS = 10
FIRST_SHARE = 0.5  # of the search's time, at most, for the first (default) configuration
MIN_LEARNING_RATE = 0.05  # with rounds bounded by time, slower rates do not converge
MAX_BIN = 256
MAX_FAILURES = 3  # trials failing in a row end the search


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
        X_val, y_val = encoded(ctx.X, encoder), np.asarray(ctx.y)
        started = time.monotonic()
        with connected(ctx.dask, table.memory, ctx.hardware.cpu_count) as client:
            cluster = describe(client)
            frame = training_frame(table, encoder, ctx.target, ctx.task, ctx.classes, X_val)
            dtrain = xd.DaskQuantileDMatrix(client, frame.drop(columns=[LABEL]), frame[LABEL], max_bin=MAX_BIN)
            dval = xd.DaskQuantileDMatrix(client, _dask(X_val), _dask(y_val.astype("float32")), ref=dtrain)
            built = time.monotonic() - started
            search = _Search(ctx, client, dtrain, dval, encoder, X_val, y_val)
            search.run()
        if search.best is None:
            raise RuntimeError("no gradient-boosting trial on Dask finished inside the budget")
        model, score, output = search.best
        notes = [f"Trained on Dask ({_cluster_text(cluster)}) over every row not held in memory, read in "
                 f"{len(table.pieces):,} piece(s) and binned into one DaskQuantileDMatrix in {built:.0f}s; "
                 f"{len(search.trials)} trial(s) of up to {search.most_rounds:,} rounds, each stopped early on the "
                 f"{len(y_val):,} training rows held in memory, which chose the model. The Dask workers' CPU time "
                 "is not in the energy figure; the money figure counts the machine's cores for the whole search."]
        return SearchResult(model, score, round(time.monotonic() - started, 2), notes, np.arange(len(y_val)), output)


class _Search:
    """The trials of one Dask search: a probe that times a round, then configurations while time allows."""

    def __init__(self, ctx: SearchContext, client: Any, dtrain: Any, dval: Any, encoder: TabularEncoder,
                 X_val: Any, y_val: Any):
        self.ctx, self.client, self.dtrain, self.dval = ctx, client, dtrain, dval
        self.encoder, self.X_val, self.y_val = encoder, X_val, y_val
        self.best: tuple[Any, float, Any] | None = None
        self.trials: list[dict[str, Any]] = []
        self.most_rounds = 0
        self.round_seconds = 0.0
        self.failures = 0  # trials in a row that failed

    def run(self) -> None:
        import numpy as np

        ctx = self.ctx
        rng = np.random.default_rng(ctx.seed)
        n_rows = ctx.large.n_rows
        configs = [dict(gbm_space.DEFAULTS["xgboost"])]
        first = True
        while not ctx.deadline.expired() and not ctx.trial_cap_reached() and self.failures < MAX_FAILURES:
            params = configs.pop(0) if configs else _sampled(rng, n_rows)
            if first:
                probe_started = time.monotonic()
                self._train(params, PROBE_ROUNDS, patience=None)
                self.round_seconds = (time.monotonic() - probe_started) / PROBE_ROUNDS
            share = FIRST_SHARE if first else 1.0
            rounds = self._rounds(params, ctx.deadline.remaining() * share)
            if rounds < PROBE_ROUNDS:
                break
            self._trial(params, rounds)
            first = False

    def _rounds(self, params: dict[str, Any], seconds: float) -> int:
        """The rounds ``seconds`` allow ``params`` (deeper trees cost more a round), at most ``MAX_ROUNDS``."""
        per_round = max(self.round_seconds, 1e-3) * max(int(params.get("max_depth", 6)), 1) / 6
        return int(min(gbm_space.MAX_ROUNDS, seconds / per_round))

    def _train(self, params: dict[str, Any], rounds: int, patience: int | None) -> tuple[Any, int]:
        import xgboost.dask as xd

        settings = gbm.booster_params(params, self.ctx, 1) | {"max_cat_to_onehot": 8, "device": "cpu"}
        settings.pop("nthread")  # each Dask worker uses its own threads
        out = xd.train(self.client, settings, self.dtrain, num_boost_round=rounds,
                       evals=[(self.dval, "val")] if patience else None, early_stopping_rounds=patience,
                       verbose_eval=False)
        booster = out["booster"]
        best = getattr(booster, "best_iteration", None) if patience else None
        return booster, (best + 1) if best is not None else booster.num_boosted_rounds()

    def _trial(self, params: dict[str, Any], rounds: int) -> None:
        ctx = self.ctx
        started = time.monotonic()
        try:
            booster, used = self._train(params, rounds, gbm_space.EARLY_STOPPING_ROUNDS)
        except Exception as exc:  # a failed trial is recorded; the search goes on while time allows
            ctx.log_trial("xgboost", params, None, started, status="failed", error=_first_line(exc))
            self.failures += 1
            return
        self.failures = 0
        model = gbm.GBMModel("xgboost", booster, self.encoder, ctx.task, ctx.n_classes, params, used,
                             fit={"seconds": round(time.monotonic() - started, 3), "rows": int(ctx.large.n_rows)},
                             codes=True)
        output = model.output(self.X_val)
        score = score_output(ctx.task, self.y_val, output)[ctx.metric]
        self.most_rounds = max(self.most_rounds, rounds)
        self.trials.append({"params": params, "rounds": used, "score": score})
        ctx.log_trial("xgboost", params, score, started,
                      extra={"rounds": used, "round_limit": rounds, "engine": "dask"})
        from ...metrics import better

        if self.best is None or better(score, self.best[1], ctx.metric):
            self.best = (model, score, output)
            ctx.improved(model)


def _first_line(exc: Exception) -> str:
    """An error's type and first line: XGBoost's carry the C++ stack after it."""
    return f"{type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"


def _sampled(rng: Any, n_rows: int) -> dict[str, Any]:
    params = gbm_space.sample("xgboost", rng, n_rows)
    params["learning_rate"] = max(params["learning_rate"], MIN_LEARNING_RATE)
    return params


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

    from ...data.target import clean_target

    values = clean_target(values)[0]
    if task == "regression":
        return pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    if all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in classes):
        number = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
        known = np.asarray(classes, dtype=float)
        at = np.searchsorted(known, number).clip(0, len(known) - 1)
        return np.where(known[at] == number, at, np.nan).astype(float)
    index = {str(c): float(i) for i, c in enumerate(classes)}
    return values.astype(str).map(index).where(values.notna()).to_numpy(dtype=float)


def training_piece(i: int, table: Any, encoder: TabularEncoder, target: str, task: str, classes: list | None) -> Any:
    """Piece ``i``'s rows that are not held in memory, encoded, with the target in ``LABEL`` (rows without one
    left out). Runs on a Dask worker."""
    import numpy as np

    part = table.read_piece(i)
    part = part.loc[~table.held(i, len(part))]
    y = target_codes(part[target], task, classes)
    keep = ~np.isnan(y)
    out = encoded(part.loc[keep], encoder).reset_index(drop=True)
    out[LABEL] = y[keep].astype("float32")
    return out


def training_frame(table: Any, encoder: TabularEncoder, target: str, task: str, classes: list | None,
                   like: Any) -> Any:
    """A Dask DataFrame of the training rows, one partition per piece; ``like``: encoded rows giving its dtypes."""
    import dask.dataframe as dd

    import pandas as pd

    meta = like.iloc[:0].copy()
    meta[LABEL] = pd.Series([], dtype="float32")
    return dd.from_map(training_piece, range(len(table.pieces)), meta=meta, enforce_metadata=False,
                       label="automl-training-rows", table=table, encoder=encoder, target=target, task=task,
                       classes=classes)


def _dask(values: Any) -> Any:
    """An in-memory frame or array as a one-partition Dask collection."""
    import dask.dataframe as dd
    import pandas as pd

    return dd.from_pandas(values if isinstance(values, pd.DataFrame) else pd.Series(values), npartitions=1)
