"""Ridge regression as a family of the classical search, for regressions only.

Trees predict in steps. Where a target is close to linear in its columns
(diabetes, tips), a smooth model errs less than they do, and differently, so
greedy ensemble selection mixes it in: cross-fitted on five folds, three split
seeds each, it added 3.0 R² points on diabetes and 0.9 on tips to the
ensemble of the four tree families, and 0.1 on mpg (docs/benchmarks.md, "A
ridge family for regressions"). On classification tables a logistic
regression added nothing there, so classification leaves it out
(``gbm_space.REGRESSION_ONLY``).

The model is one scikit-learn pipeline on the encoder's ``gbm_frame`` rows:
numbers with missing values as the median plus a flag per column that had any,
then standardised; categories one-hot (missing is a level of its own), levels
seen fewer than ``MIN_FREQUENCY`` times pooled into one (a level never seen
is read as missing by the encoder, so it takes the missing level where the
fitting rows had one, else the pooled one, else all zeros); then ridge
regression whose strength is chosen among ``ALPHAS`` by leave-one-out on the
fitting rows (``RidgeCV``, exact and cheap for a linear model), so it has
nothing to search and is fitted once, as a default. Saved with skops
(``automl.search.persist``).

Example:
    >>> import numpy as np, pandas as pd
    >>> X = pd.DataFrame({"x": np.r_[np.nan, np.arange(39.0)], "c": pd.Categorical(list("ab") * 20)})
    >>> model = fit(X, 2 * X["x"].fillna(19).to_numpy() + 1, threads=1)
    >>> np.round(output(model, X.iloc[1:3]), 1).tolist()
    [1.0, 3.0]
"""

from __future__ import annotations

from typing import Any

ALPHAS = tuple(round(10.0 ** (k / 2), 4) for k in range(-6, 7))  # 0.001 to 1000, two a decade
MIN_FREQUENCY = 5


def fit(X: Any, y: Any, threads: int, sample_weight: Any = None) -> Any:
    """A fitted pipeline (front, then ``RidgeCV``) on coded rows ``X`` (category columns as pandas categoricals,
    the rest numbers) and values ``y``, each row weighed by ``sample_weight`` where given; linear algebra on at
    most ``threads`` threads."""
    import numpy as np
    from sklearn import compose, impute, linear_model, pipeline, preprocessing
    from threadpoolctl import threadpool_limits

    categories = [i for i, dtype in enumerate(X.dtypes) if dtype.name == "category"]
    numbers = [i for i in range(X.shape[1]) if i not in categories]  # positions: names may be any labels
    front = compose.ColumnTransformer([
        ("numbers", pipeline.make_pipeline(impute.SimpleImputer(strategy="median", add_indicator=True),
                                           preprocessing.StandardScaler()), numbers),
        ("categories", preprocessing.OneHotEncoder(handle_unknown="infrequent_if_exist",
                                                   min_frequency=MIN_FREQUENCY), categories),
    ], sparse_threshold=0)
    model = pipeline.Pipeline([("front", front), ("ridge", linear_model.RidgeCV(alphas=np.array(ALPHAS)))])
    with threadpool_limits(threads):
        return model.fit(X, np.asarray(y, dtype=float), ridge__sample_weight=sample_weight)


def output(model: Any, X: Any) -> Any:
    """Predicted values for coded rows ``X``."""
    return model.predict(X)


def is_model(estimator: Any) -> bool:
    """Whether ``estimator`` is what ``fit`` returns: a pipeline whose last step is ``RidgeCV``.

    >>> is_model(object())
    False
    """
    from sklearn.linear_model import RidgeCV
    from sklearn.pipeline import Pipeline

    return isinstance(estimator, Pipeline) and isinstance(estimator[-1], RidgeCV)
