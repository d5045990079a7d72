"""make_plan: which approaches run, for how long, validated how, and why."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from automl.run.plan import MIN_DEEP_SECONDS, make_plan
from automl.errors import ConfigError, UserInputError
from automl.hardware import Hardware
from automl.data.profile import Profile, inspect_frame

HW = Hardware(cpu_count=2, memory_bytes=8 << 30, gpu_name=None)


def profile(n_rows=1000, task="binary", modality="tabular", dropped=0) -> Profile:
    n = n_rows - dropped
    counts = None if task == "regression" else {"a": n // 2, "b": n - n // 2}
    return Profile(
        n_rows=n_rows,
        n_columns=5,
        n_bytes=1000,
        columns=[],
        target="y",
        target_reason="'y' is named like a target (y).",
        task=task,
        task_reason=f"The task is {task}.",
        modality=modality,
        modality_reason=f"This is {modality} data.",
        class_counts=counts,
        rows_dropped_missing_target=dropped,
    )


def names(plan) -> list[str]:
    return [a.name for a in plan.approaches]


@pytest.mark.parametrize(
    "n_rows, budget, compare, approaches, validation, folds",
    [
        (1000, 600, True, ["classical", "deep"], "kfold", 5),
        (300, 120, True, ["classical", "deep"], "kfold", 5),
        (6250, 600, True, ["classical", "deep"], "kfold", 5),  # 5,000 training rows: still k-fold
        (6300, 600, True, ["classical", "deep"], "holdout", 1),  # 5,040 training rows
        (100_000, 600, True, ["classical", "deep"], "holdout", 1),
        (1000, 600, False, ["classical"], "kfold", 5),
        (100_000, 3600, False, ["classical"], "holdout", 1),
        (1000, 20, True, ["classical"], "kfold", 5),  # too short for the deep comparison
        (1000, 10, True, ["classical"], "kfold", 5),
    ],
)
def test_make_plan_table(n_rows, budget, compare, approaches, validation, folds):
    plan = make_plan(profile(n_rows), budget, HW, compare=compare)
    assert names(plan) == approaches
    assert plan.approaches[0].role == "primary"
    assert all(a.role == "comparison" for a in plan.approaches[1:])
    assert (plan.validation, plan.folds) == (validation, folds)
    assert (plan.modality, plan.task, plan.metric) == ("tabular", "binary", "accuracy")
    assert plan.budget_seconds == float(budget)
    assert plan.device == "cpu"


def test_no_compare_is_noted_as_skipped():
    plan = make_plan(profile(), 600, HW, compare=False)
    assert names(plan) == ["classical"]
    assert len(plan.skipped) == 1
    assert "--no-compare" in plan.skipped[0]
    assert "deep" in plan.skipped[0]


@pytest.mark.parametrize("budget", [10, 20, 30])
def test_small_budget_skips_deep_with_a_reason(budget):
    plan = make_plan(profile(), budget, HW)
    assert names(plan) == ["classical"]
    assert plan.approach("deep") is None
    assert len(plan.skipped) == 1
    skipped = plan.skipped[0]
    assert "deep comparison is skipped" in skipped
    assert f"{MIN_DEEP_SECONDS:.0f}s" in skipped
    assert "--budget" in skipped
    # the primary gets what the comparison would have had
    assert plan.approaches[0].seconds == pytest.approx(budget - plan.reserve_seconds - plan.refit_seconds, abs=0.1)


def test_the_plan_keeps_a_tenth_of_the_search_time_to_refit_the_chosen_model_unless_told_not_to():
    plan = make_plan(profile(), 600, HW)
    searches = sum(a.seconds for a in plan.approaches)
    assert plan.refit_seconds == pytest.approx(0.1 * (600 - plan.reserve_seconds), abs=0.1)
    assert searches + plan.refit_seconds + plan.reserve_seconds == pytest.approx(600, abs=0.2)
    assert any("refit the chosen model (gradient boosting) on all rows" in r for r in plan.reasons)
    off = make_plan(profile(), 600, HW, refit=False)
    assert off.refit_seconds == 0 and sum(a.seconds for a in off.approaches) > searches
    assert any("--no-refit" in r for r in off.reasons)


def test_big_enough_budget_has_nothing_skipped():
    plan = make_plan(profile(), 600, HW)
    assert plan.skipped == []
    assert plan.approach("deep").seconds >= MIN_DEEP_SECONDS


@pytest.mark.parametrize("budget", [10, 20, 45, 60, 66, 90, 120, 600, 3600, 7200])
@pytest.mark.parametrize("compare", [True, False])
def test_budgets_add_up(budget, compare):
    plan = make_plan(profile(), budget, HW, compare=compare)
    spent = sum(a.seconds for a in plan.approaches)
    assert plan.reserve_seconds > 0
    assert all(a.seconds > 0 for a in plan.approaches)
    assert spent <= budget
    # each figure is rounded to 0.1 s on its own, so allow that much
    kept = plan.reserve_seconds + plan.refit_seconds
    assert plan.refit_seconds > 0
    assert spent + kept <= budget + 0.1 + 1e-9
    assert spent + kept >= budget - 0.2
    deep = plan.approach("deep")
    if deep is not None:
        assert deep.seconds >= MIN_DEEP_SECONDS - 0.05


def test_rounded_budgets_never_exceed_the_budget():
    over = []
    for budget in range(10, 601):
        plan = make_plan(profile(), budget, HW)
        total = sum(a.seconds for a in plan.approaches) + plan.reserve_seconds
        if total > budget + 1e-9:
            over.append((budget, round(total, 3)))
    assert over == []


@pytest.mark.parametrize(
    "task, metric, expected",
    [
        ("binary", None, "accuracy"),
        ("multiclass", None, "accuracy"),
        ("regression", None, "rmse"),
        ("binary", "roc_auc", "roc_auc"),
        ("multiclass", "log_loss", "log_loss"),
        ("regression", "r2", "r2"),
        ("regression", "mae", "mae"),
    ],
)
def test_metric(task, metric, expected):
    plan = make_plan(profile(task=task), 600, HW, metric=metric)
    assert plan.metric == expected
    why = "it was given as the metric" if metric else "it is the default for this task"
    assert any(r.startswith("The search optimises") and why in r for r in plan.reasons)


@pytest.mark.parametrize(
    "task, metric",
    [("binary", "rmse"), ("regression", "accuracy"), ("multiclass", "auc"), ("binary", "Accuracy")],
)
def test_invalid_metric(task, metric):
    with pytest.raises(ConfigError) as info:
        make_plan(profile(task=task), 600, HW, metric=metric)
    message = str(info.value)
    assert "`metric`" in message
    assert f"metric={metric!r}" in message
    assert task in message


@pytest.mark.parametrize("modality", ["video"])
def test_unsupported_modality(modality):
    with pytest.raises(ConfigError) as info:
        make_plan(profile(modality=modality), 600, HW)
    assert isinstance(info.value, UserInputError)
    message = str(info.value)
    assert f"{modality} data is not supported yet" in message
    assert f"This is {modality} data." in message  # the modality reason is passed on
    assert "audio, image, tabular, text" in message  # what is supported instead


def test_text_plan_runs_the_classical_side_first_and_the_network_as_primary():
    n = 40
    frame = pd.DataFrame(
        {"review": [f"This was review number {i}, and I liked it a lot." for i in range(n)], "label": ["p", "n"] * 20}
    )
    p = inspect_frame(frame)
    assert p.modality == "text"
    plan = make_plan(p, 600, HW)
    assert names(plan) == ["classical", "deep"]
    assert [a.role for a in plan.approaches] == ["comparison", "primary"]
    assert plan.approach("deep").seconds > plan.approach("classical").seconds
    assert (plan.validation, plan.folds) == ("kfold", 5)
    assert any("successive halving over a 5-fold split" in r for r in plan.reasons)
    assert "TF-IDF" in plan.approach("classical").label


def test_text_plan_gives_the_classical_side_half_the_time_when_other_columns_are_read_beside_the_text():
    n = 40
    texts = [f"This was review number {i}, and I liked it a lot." for i in range(n)]
    alone = make_plan(inspect_frame(pd.DataFrame({"review": texts, "label": ["p", "n"] * 20})), 600, HW)
    both = make_plan(inspect_frame(pd.DataFrame({"review": texts, "price": np.arange(n) * 1.5,
                                                 "label": ["p", "n"] * 20})), 600, HW)
    seconds = [(p.approach("classical").seconds, p.approach("deep").seconds) for p in (alone, both)]
    assert seconds[0][0] == pytest.approx(seconds[0][1] / 3, abs=0.2)  # a quarter and three quarters
    assert seconds[1][0] == pytest.approx(seconds[1][1], abs=0.2)
    assert not any("rather than" in r for r in alone.reasons)
    assert any("The classical side gets 50% of the search time rather than 25%: the table has 1 column(s) beside "
               "the text ('price')" in r for r in both.reasons)


def test_text_plan_races_classical_candidates_only_when_they_run_and_the_table_is_not_large():
    big = make_plan(profile(modality="text", n_rows=50_000), 600, HW)
    assert (big.validation, big.folds) == ("holdout", 1)
    network_only = make_plan(profile(modality="text"), 600, HW, compare=False)
    assert names(network_only) == ["deep"] and network_only.validation == "holdout"


@pytest.mark.parametrize("modality", ["image", "audio", "text"])
@pytest.mark.parametrize("budget", [10, 25])
def test_no_compare_with_too_little_time_for_the_network_alone_is_a_budget_error(modality, budget):
    from automl import registry
    from automl.errors import BudgetError
    from automl.run.plan import smallest_budget

    least = smallest_budget(registry.route_spec(modality, "deep"), registry.modality(modality))
    assert least == 26  # 20 s for the network, 3 s to finish and 3 s for the backend's shutdown
    with pytest.raises(BudgetError) as info:
        make_plan(profile(modality=modality), budget, HW, compare=False)
    message = str(info.value)
    assert f"budget='{budget}s'" in message and f"{MIN_DEEP_SECONDS:.0f}s to load and train" in message
    assert "--budget 26s or more" in message and "drop --no-compare" in message
    assert "\n" not in message


def test_the_smallest_budget_for_the_network_alone_gives_it_what_it_needs():
    plan = make_plan(profile(modality="text"), 26, HW, compare=False)
    assert names(plan) == ["deep"] and plan.approach("deep").seconds >= MIN_DEEP_SECONDS
    assert make_plan(profile(modality="text"), 25, HW, compare=True).approaches[0].name == "classical"


def test_text_plan_without_time_for_the_network_keeps_the_classical_side():
    plan = make_plan(profile(modality="text"), 25, HW)
    assert names(plan) == ["classical"]
    assert any("deep search is skipped" in s for s in plan.skipped)


@pytest.mark.parametrize("modality", ["tabular", "text"])
def test_a_plan_with_both_kinds_says_how_the_model_used_is_chosen(modality):
    said = "the deep network is used over "
    plan = make_plan(profile(modality=modality), 600, HW)
    assert names(plan) == ["classical", "deep"]
    assert sum(said in r and "only when its lead is clear of chance" in r for r in plan.reasons) == 1
    assert not any(said in r for r in make_plan(profile(modality=modality), 600, HW, compare=False).reasons)


@pytest.mark.parametrize("budget, compare", [(600, True), (600, False), (20, True)])
def test_reasons_are_sentences(budget, compare):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {"x": rng.normal(size=200), "c": rng.choice(["u", "v", "w"], 200), "target": rng.choice(["a", "b"], 200)}
    )
    plan = make_plan(inspect_frame(frame), budget, HW, compare=compare)
    assert len(plan.reasons) >= 6
    for reason in plan.reasons + plan.skipped:
        assert isinstance(reason, str)
        assert len(reason.split()) >= 4, reason
        assert reason.rstrip().endswith("."), reason
    for approach in plan.approaches:
        assert approach.reason in plan.reasons
        assert approach.label
    assert any("5-fold cross-validation" in r for r in plan.reasons)
    assert any("stratified test set" in r for r in plan.reasons)
    assert any("2 CPU cores" in r for r in plan.reasons)


@pytest.mark.parametrize(
    "n_rows, dropped, task, test_rows",
    [(1000, 0, "binary", 200), (1000, 100, "binary", 180), (500, 0, "regression", 100), (200_000, 0, "binary", 20_000)],
)
def test_test_rows(n_rows, dropped, task, test_rows):
    plan = make_plan(profile(n_rows, task=task, dropped=dropped), 600, HW)
    assert plan.test_rows == test_rows
    split = "stratified test set" if task != "regression" else " test set"
    assert any(split in r for r in plan.reasons)


def test_gpu_hardware_is_used():
    plan = make_plan(profile(), 600, Hardware(cpu_count=8, memory_bytes=64 << 30, gpu_name="NVIDIA H100"))
    assert plan.device == "gpu"
    assert any("Training runs on the GPU" in r and "NVIDIA H100" in r for r in plan.reasons)


def test_plan_round_trips_through_a_dict():
    from automl.run.plan import Plan

    plan = make_plan(profile(), 600, HW)
    assert Plan.from_dict(plan.to_dict()) == plan


def test_same_inputs_same_plan():
    assert make_plan(profile(), 300, HW) == make_plan(profile(), 300, HW)


BY_RULE = "rank their candidates by the score such a rule reaches, not by their most probable class."


@pytest.mark.parametrize("metric, said", [("balanced_accuracy", BY_RULE),
                                          ("f1_macro", "so rare classes are not under-predicted."),
                                          ("accuracy", None)])
def test_the_plan_says_when_classes_follow_a_decision_rule(metric, said):
    reasons = make_plan(profile(task="binary"), 600, HW, metric=metric).reasons
    rules = [r for r in reasons if "share of the training rows" in r]
    assert rules == [] if said is None else (len(rules) == 1 and rules[0].endswith(said))
