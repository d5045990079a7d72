"""One classical family's default configuration fitted the way the search fits a holdout trial, on the tiny
synthetic table of the route contract: shared by the tests of each family."""

from __future__ import annotations

import numpy as np
from test_route_contract import context

from automl.budget import Deadline
from automl.modalities.tabular import gbm, gbm_space
from automl.modalities.tabular.encoder import TabularEncoder


def fitted(family, task, folder, deadline=None):
    """(context, split, model, rounds) of ``family``'s default on 80 % of the training rows, stopped early on the
    other 20 % (or at ``deadline``)."""
    ctx, _, split = context("tabular", "classical", task, folder, deadline or Deadline(120.0))
    encoder = TabularEncoder.fit(ctx.X, ctx.kinds)
    X, y = encoder.gbm_frame(ctx.X), np.asarray(ctx.y)
    fit, val = gbm.validation_folds(y, ctx.task, "holdout", 1, 0)[0]
    params = gbm_space.default_params(family, task == "regression")  # the default a run's search starts from
    model, rounds = gbm._fit(family, params, X.iloc[fit], y[fit], ctx, encoder, X.iloc[val], y[val])
    return ctx, split, model, rounds
