"""Deep comparison on tables: a Keras Tuner search over MLPs with numeric embeddings.

Numbers are imputed with training medians (plus a missing-value indicator per
column that had gaps) and mapped to a normal distribution through their
training quantiles (``quantile_points``, numpy side: heavy tails and skew no
longer swamp a layer), then enter through periodic embeddings
(``periodic.PeriodicEmbedding``, PLR), piecewise-linear codes over their
quantile bins (``piecewise.PiecewiseLinearEmbedding``) or as they are; each
categorical column enters through an ``Embedding`` or one-hot
``CategoryEncoding``. The search (``timed.timed_search``) starts from a strong
default (3 x 256, dropout 0.1, piecewise-linear codes for a regression and
periodic embeddings for classes, the other tried second), tunes depth, width,
dropout, the encodings and the learning rate, then trains the winner on with a
falling learning rate.
``docs/deep-tabular.md`` says what comes from which paper and what was
measured. Everything uses Keras 3 layers, so it runs on the TensorFlow, JAX and
PyTorch backends.

Example:
    >>> TabularMLPRoute().search(ctx)   # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ...errors import ModelFileError
from ...run.integrity import field, is_number, is_numbers, is_params, is_task, is_whole, reading
from ...search import members, timed, tuner
from ...search.base import SearchContext, SearchResult
from ...search.networks import NetworkModel, Targets, check_head, compile_network, read_network
from ...search.tuner import keras, keras_tuner
from .encoder import TabularEncoder
from .periodic import PeriodicEmbedding
from .piecewise import PiecewiseLinearEmbedding, bin_edges


QUANTILES = 1000  # reference points per numeric column for the normal mapping
QUANTILE_CELLS = 200_000  # reference points over all columns, at most (a wide table's columns get fewer, 100 at least)


def quantile_points(numeric: Any, n: int = QUANTILES) -> list[Any]:
    """Each column's values at ``n`` evenly spaced ranks (fewer for fewer rows; ``QUANTILE_CELLS`` over all the
    columns, 100 a column at least), missing values left out: ``numpy.quantile``'s linear points, from one sort
    of the matrix (a call per column took 11 s on 2,000 columns of 3,200 rows).

    >>> [p.tolist() for p in quantile_points(np.array([[3.0, 5.0], [1.0, np.nan], [np.nan, np.nan], [2.0, 4.0]]), 3)]
    [[1.0, 2.0, 3.0], [4.0, 5.0]]
    >>> len(quantile_points(np.zeros((3000, 50)))[0]), len(quantile_points(np.zeros((3000, 4000)))[0])
    (1000, 100)
    """
    numeric = np.asarray(numeric, dtype=float).reshape(len(numeric), -1)
    n = min(n, max(100, QUANTILE_CELLS // max(numeric.shape[1], 1)))
    ordered = np.sort(numeric, axis=0)  # missing values last
    points = []
    for j, present in enumerate((~np.isnan(numeric)).sum(axis=0)):
        if not present:
            points.append(np.zeros(2))
            continue
        at = np.linspace(0.0, present - 1.0, max(2, min(n, present)))
        low = np.floor(at).astype(int)
        column = ordered[:present, j]
        points.append(column[low] + (column[np.minimum(low + 1, present - 1)] - column[low]) * (at - low))
    return points


def to_normal(values: Any, points: Any) -> Any:
    """Values mapped through the column's quantiles to a standard normal (ties take their mean rank, as in
    scikit-learn's ``QuantileTransformer``); values past the training range land at about +-5.2.

    >>> to_normal(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0])).round(2).tolist()
    [-5.2, 0.0, 5.2]
    """
    from scipy.special import ndtri

    ranks = np.linspace(0.0, 1.0, len(points))
    up = np.interp(values, points, ranks)
    down = -np.interp(-values, -points[::-1], -ranks[::-1])
    return ndtri(np.clip(0.5 * (up + down), 1e-7, 1 - 1e-7))



EMBEDDED = 32_768  # the numbers' embedded features a network's first layer meets, at most


def embedding_width(columns: int) -> int:
    """Features each of ``columns`` numeric columns becomes in a periodic or piecewise-linear embedding: 16, the
    papers' default and ours, and fewer past 2,048 columns, so that the first dense layer meets at most
    ``EMBEDDED`` of them (2 at least): 10,000 columns at 16 would make a first layer of 41 million weights.
    At 2,000 columns 16 still scored ahead of 4 in the same 60 s (docs/deep-tabular.md, "Wide tables").

    >>> embedding_width(57), embedding_width(2000), embedding_width(4096), embedding_width(20_000)
    (16, 16, 8, 2)
    """
    return int(max(2, min(16, EMBEDDED // max(columns, 1))))


class InputPrep:
    """Numpy side of the network's preprocessing: encoder, medians, missing indicators, the numbers' quantiles
    (None in models saved before 0.4: standardised only), target scale."""

    def __init__(self, encoder: TabularEncoder, medians: list[float], flagged: list[int],
                 y_mean: float = 0.0, y_std: float = 1.0, quantiles: list[list[float]] | None = None):
        self.encoder = encoder
        self.medians = np.asarray(medians, dtype="float32")
        self.flagged = list(flagged)
        self.y_mean = y_mean
        self.y_std = y_std
        self.quantiles = None if quantiles is None else [np.asarray(q, dtype="float64") for q in quantiles]

    @classmethod
    def fit(cls, X: Any, kinds: dict[str, str], y_scale: tuple[float, float]) -> "InputPrep":
        encoder = TabularEncoder.fit(X, kinds)
        numeric = encoder.numeric(X)
        with np.errstate(all="ignore"):
            medians = np.nan_to_num(np.nanmedian(numeric, axis=0), nan=0.0) if numeric.shape[1] else np.zeros(0)
        flagged = [int(j) for j in np.flatnonzero(np.isnan(numeric).any(axis=0))]
        quantiles = [points.tolist() for points in quantile_points(numeric)]
        return cls(encoder, medians.tolist(), flagged, *y_scale, quantiles=quantiles)

    def inputs(self, X: Any) -> dict[str, Any]:
        numeric = self.encoder.numeric(X)
        missing = np.isnan(numeric)
        filled = np.where(missing, self.medians, numeric)
        if self.quantiles:  # None in older models; empty with no numeric column
            filled = np.column_stack([to_normal(filled[:, j], q) for j, q in enumerate(self.quantiles)])
        filled = filled.astype("float32")
        if self.flagged:
            filled = np.concatenate([filled, missing[:, self.flagged].astype("float32")], axis=1)
        out = {"numeric": filled} if filled.shape[1] else {}
        codes = self.encoder.codes(X)
        for j in range(codes.shape[1]):
            out[f"cat_{j}"] = codes[:, j : j + 1]
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"encoder": self.encoder.to_dict(), "medians": self.medians.tolist(), "flagged": self.flagged,
                "y_mean": self.y_mean, "y_std": self.y_std,
                "quantiles": None if self.quantiles is None else [q.tolist() for q in self.quantiles]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "InputPrep":
        """What ``to_dict`` wrote; ``ValueError`` saying which part does not fit (types, lengths, ranges)."""
        if not isinstance(d, dict):
            raise ValueError(f"the input preprocessing is {type(d).__name__}, not an object")
        encoder = TabularEncoder.from_dict(d.get("encoder"))
        width = encoder.numeric_width
        medians, flagged, quantiles = d.get("medians"), d.get("flagged"), d.get("quantiles")
        if not is_numbers(medians, width):
            raise ValueError(f"the medians are not {width} numbers, one per numeric column")
        if not (isinstance(flagged, list) and all(is_whole(j, 0, width - 1) for j in flagged)
                and len(set(flagged)) == len(flagged)):
            raise ValueError(f"the missing-value flags are not distinct column positions below {width}")
        if not (is_number(d.get("y_mean")) and is_number(d.get("y_std")) and d["y_std"] > 0):
            raise ValueError("the target scale is not a number and a positive spread")
        if quantiles is not None and not (isinstance(quantiles, list) and len(quantiles) == width and all(
                is_numbers(q) and len(q) >= 2 and not np.any(np.diff(q) < 0) for q in quantiles)):
            raise ValueError("the numbers' quantiles do not match the model's numeric columns")
        return cls(encoder, medians, flagged, d["y_mean"], d["y_std"], quantiles)


class MLPHyperModel(keras_tuner.HyperModel):
    """MLPs over numbers (periodic embeddings, piecewise-linear codes or as they are) and embedded or one-hot
    categories; every hyperparameter's default is the configuration tried first, ``starts`` the ones tried next."""

    family = "mlp"

    def __init__(self, numeric_mean: Any, numeric_var: Any, cardinalities: list[int], task: str, n_classes: int,
                 metric: str = "accuracy", edges: list[list[float]] | None = None):
        super().__init__(name="mlp")
        self.metric = metric
        self.edges = edges  # the numbers' bins for piecewise-linear codes (``piecewise.bin_edges``); None: not offered
        # Measured (docs/deep-tabular.md): piecewise-linear codes ahead on regression, periodic on classes; the
        # search tries the other second.
        self.numeric_default = "piecewise" if edges and task == "regression" else "periodic"
        other = {"piecewise": "periodic", "periodic": "piecewise"}[self.numeric_default]
        self.starts = ({"numeric": other},) if edges else ()
        # A default regression network trained alone (no search fits the time): the rate cut after 3 flat epochs and
        # training stopped after 8, measured ahead of 1 and 4 on california_housing and diamonds; on adult (classes)
        # the longer training left no time for the ensemble and scored lower, so classes keep 1 and 4.
        self.fresh_patience = (3, 8) if task == "regression" else (1, 4)
        self.numeric_mean = numeric_mean
        self.numeric_var = numeric_var
        self.cardinalities = cardinalities
        self.task = task
        self.n_classes = n_classes

    def build(self, hp: Any) -> Any:
        layers = keras.layers
        inputs, parts = [], []
        if self.numeric_mean is not None:
            numeric = keras.Input(shape=(len(self.numeric_mean),), name="numeric")
            inputs.append(numeric)
            kinds = ["periodic", "piecewise", "plain"] if self.edges else ["periodic", "plain"]
            kind = hp.Choice("numeric", kinds, default=self.numeric_default)
            width = embedding_width(len(self.numeric_mean))
            if kind == "piecewise":  # the edges are in the inputs' own scale: no normalisation first
                x = PiecewiseLinearEmbedding(self.edges, width)(numeric)
            else:
                x = layers.Normalization(mean=self.numeric_mean, variance=self.numeric_var)(numeric)
            if kind == "periodic":
                x = PeriodicEmbedding(16, width, hp.Choice("frequency_scale", [0.1, 0.03, 0.3], default=0.1))(x)
            parts.append(x)
        encoding = hp.Choice("categorical", ["embedding", "one_hot"]) if self.cardinalities else None
        for j, cardinality in enumerate(self.cardinalities):
            code = keras.Input(shape=(1,), name=f"cat_{j}", dtype="int32")
            inputs.append(code)
            if encoding == "embedding":
                width = int(min(16, max(2, round(1.6 * cardinality**0.56))))
                parts.append(layers.Flatten()(layers.Embedding(cardinality, width)(code)))
            else:
                parts.append(layers.CategoryEncoding(num_tokens=cardinality, output_mode="one_hot")(code))
        x = parts[0] if len(parts) == 1 else layers.Concatenate()(parts)
        units = hp.Choice("units", [64, 128, 256, 512], default=256)
        dropout = hp.Float("dropout", 0.0, 0.5, step=0.1, default=0.1)
        for i in range(hp.Int("layers", 1, 4, default=3)):
            x = layers.Dense(units, activation="relu", name=f"dense_{i}")(x)
            if hp.Boolean("batch_norm"):
                x = layers.BatchNormalization()(x)
            if dropout:
                x = layers.Dropout(dropout)(x)
        smoothing = 0.0
        if self.task != "regression":  # smoothed targets sharpen accuracy and blur probabilities: off for log loss
            smoothing = hp.Choice("label_smoothing", [0.1, 0.0], default=0.0 if self.metric == "log_loss" else 0.1)
        return compile_network(hp, inputs, x, self.task, self.n_classes, rates=(1e-4, 1e-2, 1e-3),
                               smoothing=smoothing)


class DeepTabularModel(NetworkModel):
    """A trained Keras MLP with the numpy preprocessing it was trained with."""

    single, plural = "mlp", "MLPs"
    batch_size = 2048

    def __init__(self, keras_model: Any, prep: InputPrep, task: str, n_classes: int, params: dict[str, Any]):
        super().__init__(keras_model, task, params, (prep.y_mean, prep.y_std))
        self.prep = prep
        self.n_classes = n_classes

    def encode(self, frame: Any) -> tuple[Any, Any]:
        return self.prep.inputs(frame), None

    def importance(self, X: Any, y: Any, metric: str, seed: int, max_seconds: float,
                   sample_weight: Any = None) -> dict[str, Any]:
        """Permutation importance on the test rows, as for the classical models without a gain of their own, so
        the report ranks the columns of both approaches the same way."""
        from ...search.importance import permuted

        return permuted(self, X, y, self.task, metric, seed, max_seconds, sample_weight)

    def meta(self) -> dict[str, Any]:
        return {"task": self.task, "n_classes": self.n_classes, "params": self.params, "prep": self.prep.to_dict()}


def load(folder: Path) -> DeepTabularModel:
    """The network saved in ``folder`` with its preprocessing; ``ModelFileError`` naming the file that is missing,
    unreadable or not what ``save`` wrote."""
    model, meta = read_network(folder)
    path = folder / "model.json"
    task = field(meta, "task", is_task, "binary, multiclass or regression", path)
    n_classes = field(meta, "n_classes", is_whole, "a whole number", path)
    params = field(meta, "params", is_params, "an object of parameters", path)
    with reading(path):
        prep = InputPrep.from_dict(field(meta, "prep", lambda v: isinstance(v, dict), "an object", path))
    check_head(model, task, n_classes, folder / "model.keras")
    check_inputs(model, prep, folder / "model.keras")
    return DeepTabularModel(model, prep, task, n_classes, params)


def check_inputs(keras_model: Any, prep: InputPrep, path: Path) -> None:
    """The network reads what ``prep.inputs`` gives: ``numeric`` (numbers plus missing flags) and one ``cat_<j>``
    per categorical column; ``ModelFileError`` otherwise (the archive and model.json belong to different models)."""
    width = prep.encoder.numeric_width + len(prep.flagged)
    wanted = {f"cat_{j}": 1 for j in range(len(prep.encoder.cardinalities))} | ({"numeric": width} if width else {})
    found = {t.name: t.shape[-1] for t in keras_model.inputs}
    if found != wanted:
        raise ModelFileError(path, f"reads inputs {found}, not the {wanted} its model.json gives")


MAX_EPOCHS = 27
MAX_MEMBERS = 5  # networks of the winning configuration averaged when time is left (search.members): 5 folds
MEMBER_EPOCHS = 20  # epochs a fresh network of the winning configuration is expected to train (trial + plateau)
BAG_SHARE = 0.5  # at most this share of the network's time is kept from the search for the cross-fitted networks


def bag_seconds(epoch_seconds: float, trial_seconds: float, remaining: float) -> float:
    """Seconds kept from the search on a cross-validated table for one fresh network per fold (``members.bag``):
    each expected to take a trial's start and ``MEMBER_EPOCHS`` epochs, together at most ``BAG_SHARE`` of the
    ``remaining`` seconds, so that the rows the approaches meet on are predicted by networks not chosen on them.

    >>> bag_seconds(0.05, 1.0, 60.0), bag_seconds(0.3, 1.2, 22.0)  # every fold; half of what is left
    (10.0, 11.0)
    """
    return min(MAX_MEMBERS * (trial_seconds + MEMBER_EPOCHS * epoch_seconds), BAG_SHARE * remaining)


class TabularMLPRoute:
    """Hyperband over MLPs inside the deadline; the best trial's checkpoint is the finalist."""

    saves = (("model.json",), ("model.keras",))

    def load(self, folder: Path) -> DeepTabularModel:
        return load(folder)

    def finish_seconds(self, budget: float) -> float:
        """Time kept back: the epoch in flight ends at the next batch, then validation, reload and save."""
        return 2.0 + 0.05 * budget

    def search(self, ctx: SearchContext) -> SearchResult:
        rows = Targets.of(ctx)
        fit_idx, val_idx = rows.fit, rows.val
        X_fit, X_val = ctx.X.iloc[fit_idx], ctx.X.iloc[val_idx]
        prep = InputPrep.fit(X_fit, ctx.kinds, rows.scale)
        x_fit, x_val = prep.inputs(X_fit), prep.inputs(X_val)
        y_fit = rows.y[fit_idx]
        numeric = x_fit.get("numeric")
        mean = numeric.mean(axis=0) if numeric is not None else None
        var = numeric.var(axis=0) + 1e-6 if numeric is not None else None
        edges = [bin_edges(numeric[:, j]) for j in range(numeric.shape[1])] if numeric is not None else None
        hypermodel = MLPHyperModel(mean, var, prep.encoder.cardinalities, ctx.task, ctx.n_classes, ctx.metric, edges)

        def wrap(keras_model: Any, params: dict[str, Any] | None = None) -> DeepTabularModel:
            return DeepTabularModel(keras_model, prep, ctx.task, ctx.n_classes, params or {})

        score = tuner.val_scorer(ctx, x_val, np.asarray(ctx.y)[val_idx], rows.scale, ctx.weights_of(val_idx))
        n = len(fit_idx)
        batch_size = int(min(512, max(32, 2 ** round(np.log2(max(n, 1) / 100)))))
        found = timed.timed_search(hypermodel, ctx, wrap, x_fit, y_fit, score, batch_size, n,
                                   len(val_idx), MAX_EPOCHS, keep=bag_seconds if ctx.validation == "kfold" else None)
        batch_size = found.batch_size  # smaller than planned if the device ran out of memory
        notes = [f"The network is the best trial, trained on {len(fit_idx):,} rows with {len(val_idx):,} held out "
                 f"for validation and early stopping (batch size {batch_size}); numbers mapped to a normal "
                 f"distribution through their training quantiles."]
        if ctx.validation == "kfold":  # the other approaches predict every row out of fold: so do the networks
            x_all, targets = prep.inputs(ctx.X), np.asarray(ctx.y)
            others = members.folds(targets, ctx.task, val_idx, ctx.seed, MAX_MEMBERS, ctx.rule)[1:]
            splits = [members.Split(x_fit, y_fit, score, x_val, val_idx)] + [
                members.Split(members.take(x_all, rows.drawn(fit)), rows.y[rows.drawn(fit)],
                              tuner.val_scorer(ctx, members.take(x_all, val), targets[val], rows.scale,
                                               ctx.weights_of(val)),
                              members.take(x_all, val), val)
                for fit, val in others]
            found, val_rows, val_output = members.bag(found, hypermodel, ctx, wrap, splits, batch_size, targets,
                                                      rows.scale)
        else:
            everything = len(fit_idx) + len(val_idx)

            def keep(networks: int, seconds: float) -> float:  # to train each network again on every row
                return networks * seconds * everything / len(fit_idx)

            found = members.grow(found, hypermodel, ctx, wrap, x_fit, y_fit, score, batch_size, MAX_MEMBERS, keep)
            val_rows, val_output = val_idx, tuner.network_output(found.model.keras_model, x_val, ctx.task, rows.scale)
            every = rows.drawn(np.arange(len(rows.y)))
            found = members.refit(found, hypermodel, ctx, wrap, prep.inputs(ctx.X.iloc[every]), rows.y[every],
                                  batch_size, len(fit_idx), score)
        if ctx.task != "regression" and found.val_score is not None:
            groups = None if ctx.rule is None else ctx.rule.of(val_rows).groups
            val_output, found.val_score, told = calibrate(found.model, val_output, np.asarray(ctx.y)[val_rows], ctx,
                                                          groups, ctx.weights_of(val_rows))
            ctx.improved(found.model)  # saved again, with its temperature
            found.notes.append(told)  # after what the members did: it calibrates their mean
        return SearchResult(found.model, found.val_score, ctx.deadline.elapsed(), notes + found.notes, val_rows,
                            val_output)


def calibrate(model: DeepTabularModel, output: Any, y: Any, ctx: SearchContext,
              groups: Any = None, sample_weight: Any = None) -> tuple[Any, float, str]:
    """One temperature for ``model``'s probabilities (``calibration``), fitted on its out-of-sample rows
    (``output``, classes ``y``; ``groups``: their ``--group`` codes) and kept in its parameters; returns those rows'
    probabilities tempered by the other half's temperature (halves of whole groups, so their log loss is not
    flattered), their score in the run's metric (rows counted by ``sample_weight``) and a note."""
    from ...decision import ranking_score
    from ...metrics import score_output
    from ...search.calibration import cross_fitted_softmax

    proba, temperature = cross_fitted_softmax(np.log(np.clip(output, 1e-12, 1.0)), y, groups, sample_weight)
    model.params = dict(model.params) | {"temperature": round(temperature, 4)}
    log_loss = (score_output(ctx.task, y, output, "log_loss", sample_weight=sample_weight),
                score_output(ctx.task, y, proba, "log_loss", sample_weight=sample_weight))
    told = (f"The network's probabilities are scaled by one temperature, {temperature:.2f}, fitted on its "
            f"{len(y):,} validation rows (log loss there {log_loss[0]:.4f} before, {log_loss[1]:.4f} after, each half "
            "scaled by the other half's temperature); the winning class never changes.")
    return proba, float(ranking_score(ctx.task, y, proba, ctx.metric, sample_weight)), told
