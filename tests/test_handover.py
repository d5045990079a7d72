"""A search that returns a model it never handed to ``ctx.improved`` still leaves it saved and named in run.json.

This happens on a resume: Keras Tuner's reloaded best trial is taken to be on disk already, but a SIGKILL can
land after its checkpoint and before run.json named the model (found by the random-kill resume test).
"""

from __future__ import annotations

import json
import time

import numpy as np

import automl
from automl import AutoML, registry
from automl.registry import RouteSpec
from automl.search.base import SearchResult
from test_giveback import WINE, ShareModel, StubPrimary


class Silent(StubPrimary):
    """Returns its model without handing it over."""

    def search(self, ctx):
        started = time.monotonic()
        y = np.asarray(ctx.y)
        model = ShareModel(np.bincount(y, minlength=ctx.n_classes) / len(y), 7)
        ctx.log_trial("shares", model.params, 0.5, started)
        return SearchResult(model, 0.5, 0.0, ["silent"])


def test_a_model_never_handed_over_is_saved_and_loads(tmp_path):
    spec = RouteSpec("tabular", "classical", "classical", Silent, "silent stub", "the silent stub")
    with registry.register(spec):
        model = AutoML(budget="20s", compare=False, refit=False, out=tmp_path).fit(WINE, target="cultivar")
        run = json.loads((model.run_dir_ / "run.json").read_text())
        assert run["models"]["classical"] == "models/classical"
        assert json.loads((model.run_dir_ / "models/classical/shares.json").read_text())["call"] == 7
        assert automl.load(model.run_dir_).approach == "classical"
