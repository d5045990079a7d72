"""Time the approaches leave unused goes back to the primary one: its search continues, and the better model stays."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest

from automl import AutoML, registry
from automl.data import load
from automl.data.profile import inspect_dataset
from automl.hardware import Hardware
from automl.registry import RouteSpec
from automl.run.giveback import worth_it
from automl.run.plan import make_plan
from automl.search.base import SearchResult, continued_key

WINE = Path(__file__).resolve().parents[1] / "data" / "wine.csv"
CALLS: list[dict] = []  # one entry per search of the stub primary route: what it was handed


class ShareModel:
    """The training rows' class shares for every row, tagged with the search call that made it."""

    name = "shares"

    def __init__(self, shares, call):
        self.shares, self.call, self.params = np.asarray(shares, dtype=float), call, {"call": call}

    def predict_proba(self, frame):
        return np.tile(self.shares, (len(frame), 1))

    def predict(self, frame):
        return self.predict_proba(frame).argmax(axis=1)

    def save(self, folder):
        (folder / "shares.json").write_text(json.dumps({"shares": self.shares.tolist(), "call": self.call}))


class StubPrimary:
    """Logs one trial per call; the second call's validation score is ``SECOND`` (set by each test)."""

    saves = (("shares.json",),)
    second = 0.0

    def load(self, folder):
        meta = json.loads((folder / "shares.json").read_text())
        return ShareModel(meta["shares"], meta["call"])

    def finish_seconds(self, budget):
        return 0.5

    def search(self, ctx):
        started = time.monotonic()
        CALLS.append({"previous": len(ctx.previous), "seconds": ctx.deadline.seconds, "cache": ctx.cache,
                      "kept": ctx.cache.get(continued_key(ctx.approach))})
        call = len(CALLS)
        ctx.cache[continued_key(ctx.approach)] = {"left by call": call}
        y = np.asarray(ctx.y)
        model = ShareModel(np.bincount(y, minlength=ctx.n_classes) / len(y), call)
        score = 0.5 if call == 1 else StubPrimary.second
        ctx.log_trial("shares", model.params, score, started)
        ctx.improved(model)
        rows = np.arange(len(y))
        return SearchResult(model, score, 0.0, [f"call {call}"], rows, model.predict_proba(ctx.X.iloc[rows]) + call)


class StubDeep(StubPrimary):
    """A comparison that ends at once, leaving its time unused."""

    def search(self, ctx):
        model = ShareModel(np.full(ctx.n_classes, 1.0 / ctx.n_classes), 0)
        ctx.improved(model)
        return SearchResult(model, 0.1, 0.0, ["deep stub"])


@pytest.fixture
def stubs():
    CALLS.clear()
    primary = RouteSpec("tabular", "classical", "classical", StubPrimary, "stub", "the stub", continues=True)
    deep = RouteSpec("tabular", "deep", "deep", StubDeep, "deep stub", "the deep stub")
    with registry.register(primary), registry.register(deep):
        yield


def test_enough_time_left_is_the_larger_of_ten_seconds_and_a_tenth_of_the_budget():
    assert worth_it(10.0, 60.0) and not worth_it(9.9, 60.0)
    assert worth_it(30.0, 300.0) and not worth_it(29.0, 300.0)


def test_a_better_continued_search_replaces_the_first_model(stubs, tmp_path):
    StubPrimary.second = 0.9
    model = AutoML(budget="40s", refit=False, out=tmp_path).fit(WINE, target="cultivar")
    assert len(CALLS) == 2 and CALLS[0]["previous"] == 0 and CALLS[1]["previous"] == 1  # it saw its first trial
    assert CALLS[1]["seconds"] >= 10.0
    assert CALLS[0]["kept"] is None and CALLS[1]["kept"] == {"left by call": 1}  # the first pass's state, taken up
    assert continued_key("classical") not in CALLS[1]["cache"]  # and dropped once nothing could continue it
    run = json.loads((model.run_dir_ / "run.json").read_text())
    primary = next(f for f in run["finalists"] if f["approach"] == "classical")
    assert primary["val_score"] == 0.9 and "the continued model is kept" in primary["notes"][-1]
    assert json.loads((model.run_dir_ / "models/classical/shares.json").read_text())["call"] == 2
    assert run["searched"]["classical"]["trials"] == 2
    sessions = [json.loads(line) for line in (model.run_dir_ / "trials.jsonl").read_text().splitlines()]
    assert [t["params"]["call"] for t in sessions if t["approach"] == "classical"] == [1, 2]
    assert any("goes back to the stub" in r for r in run["plan"]["reasons"])


def test_a_worse_continued_search_puts_the_first_model_back_and_counts_its_time(stubs, tmp_path):
    StubPrimary.second = 0.2
    model = AutoML(budget="40s", refit=False, out=tmp_path).fit(WINE, target="cultivar")
    assert len(CALLS) == 2
    run = json.loads((model.run_dir_ / "run.json").read_text())
    primary = next(f for f in run["finalists"] if f["approach"] == "classical")
    assert primary["val_score"] == 0.5 and "so the first model is kept" in primary["notes"][-1]
    assert "call 1" in primary["notes"]
    assert json.loads((model.run_dir_ / "models/classical/shares.json").read_text())["call"] == 1
    with np.load(model.run_dir_ / "search/classical/validation.npz") as saved:
        assert saved["output"].min() >= 1.0 and saved["output"].max() <= 2.0  # the first call's (+1), not +2
    assert primary["fit_seconds"] == run["spend"]["classical"] == run["searched"]["classical"]["seconds"]


def test_no_continuation_with_a_trial_cap(stubs, tmp_path):
    AutoML(budget="40s", refit=False, max_trials=5, out=tmp_path).fit(WINE, target="cultivar")
    assert len(CALLS) == 1 and continued_key("classical") not in CALLS[0]["cache"]  # its state dropped unused


def test_the_plan_says_where_unused_time_goes_only_when_there_is_a_comparison():
    profile = inspect_dataset(load(WINE), "cultivar", "auto")
    hardware = Hardware(2, 8 << 30, None)
    both = make_plan(profile, 120, hardware).reasons
    alone = make_plan(profile, 120, hardware, compare=False).reasons
    assert any("goes back to gradient boosting" in r for r in both)
    assert not any("goes back" in r for r in alone)


class StubOverrun(StubPrimary):
    """A primary search that runs ``late`` seconds past its window, as one trial too slow to stop does."""

    late = 0.0

    def search(self, ctx):
        if len(CALLS) == 0:
            time.sleep(max(0.0, ctx.deadline.seconds) + StubOverrun.late)
        return super().search(ctx)


def test_a_comparison_left_less_than_it_needs_by_an_overrun_is_skipped_and_says_so(tmp_path):
    CALLS.clear()
    primary = RouteSpec("tabular", "classical", "classical", StubOverrun, "stub", "the stub", continues=True)
    with registry.register(primary), registry.register(RouteSpec("tabular", "deep", "deep", StubDeep, "deep stub",
                                                                 "the deep stub")):
        profile = inspect_dataset(load(WINE), "cultivar", "auto")
        share = next(a.seconds for a in make_plan(profile, 16, Hardware(2, 8 << 30, None), refit=False).approaches
                     if a.name == "deep")
    StubOverrun.late = share * 0.6  # the network's window is then about 0.4 of its share, below half its need
    deep = RouteSpec("tabular", "deep", "deep", StubDeep, "deep stub", "the deep stub", min_seconds=share)
    events = []
    with registry.register(primary), registry.register(deep):
        model = AutoML(budget="16s", refit=False, out=tmp_path).fit(WINE, target="cultivar", listener=events.append)
    run = json.loads((model.run_dir_ / "run.json").read_text())
    assert share > 3 and [f["approach"] for f in run["finalists"]] == ["classical"] and "deep" not in run["models"]
    skipped = next(e for e in run["errors"] if e.startswith("deep: "))
    assert "skipped: the approaches before it left" in skipped and "raise --budget to include it" in skipped
    assert any(getattr(e, "message", "") == f"[deep] {skipped[6:]}" for e in events)  # said as it happened


@pytest.mark.slow
def test_gradient_boosting_searches_on_in_the_time_a_quick_comparison_leaves(tmp_path):
    """The real classical route continued: its second pass skips the trials it ran and keeps the better model."""
    deep = RouteSpec("tabular", "deep", "deep", StubDeep, "deep stub", "the deep stub")
    with registry.register(deep):
        model = AutoML(budget="30s", out=tmp_path).fit(WINE, target="cultivar")
    run = json.loads((model.run_dir_ / "run.json").read_text())
    primary = next(f for f in run["finalists"] if f["approach"] == "classical")
    assert "the other approaches left unused" in primary["notes"][-1], primary["notes"]
    trials = [json.loads(line) for line in (model.run_dir_ / "trials.jsonl").read_text().splitlines()]
    keys = [json.dumps([t["model"], t["params"]], sort_keys=True) for t in trials if t["approach"] == "classical"]
    assert len(keys) == len(set(keys)) == primary["trials"]  # no configuration tried twice
    assert model.predict(load(WINE).frame.drop(columns="cultivar")).shape == (178,)
