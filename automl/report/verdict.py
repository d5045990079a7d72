"""The verdict: who wins, by how much and how surely, at what cost, and when the other is the better buy. Pure.

A gain whose 95 % interval includes zero names no winner: the verdict says
"No clear winner", gives both scores and the interval, and advises the cheaper
model, saying whether it is cheaper to train, to run, or both. Every ratio is
written one way: "N.Nx less" or "N.Nx more", N at least 1.

However many approaches ran, the verdict sets the best classical finalist
against the best deep one (each chosen by its validation score), names each
the way the run recorded it, and says in a last sentence when the blend of
them all beats both. ``comparison`` summarises that pair from the numbers the
report already has (test scores, the paired bootstrap interval, costs);
``verdict`` writes it as one or two sentences, falling back to scores and
training time for runs without costs.

Example (``fill`` is ``textwrap.fill``, to keep the lines short):
    >>> from textwrap import fill
    >>> gbm = {"approach": "classical", "noun": "gradient boosting", "test_scores": {"accuracy": 0.87},
    ...        "fit_seconds": 20.0}
    >>> deep = {"approach": "deep", "kind": "deep", "test_scores": {"accuracy": 0.85}, "fit_seconds": 60.0}
    >>> print(fill(verdict([gbm, deep], "accuracy", "adult"), 110))
    Gradient boosting wins on adult: test accuracy 0.870 against 0.850 for the deep network, 2.0 points better. It
    took 3.0x less time to train (20s vs 60s).
    >>> money = {"classical": {"train_usd": 0.001, "predict_usd_per_1000": 0.0001},
    ...          "deep": {"train_usd": 0.018, "predict_usd_per_1000": 0.0009}}
    >>> interval = {"difference": 0.02, "low": 0.005, "high": 0.035, "level": 0.95, "rows": 900}
    >>> c = comparison([gbm, deep], "accuracy", money, interval)
    >>> c["winner"], round(c["train_cost_ratio"], 3), c["significant"]
    ('classical', 0.056, True)
    >>> print(fill(verdict([gbm, deep], "accuracy", "adult", summary=c), 110))
    Gradient boosting wins on adult: test accuracy 0.870 against 0.850 for the deep network, 2.0 points better
    (95% interval 0.5 to 3.5 points on 900 test rows). It costs 18.0x less to train ($0.0010 vs $0.018) and 9.0x
    less per 1,000 predictions ($0.00010 vs $0.00090), so nothing here favours the deep network.

    When the interval includes zero there is no winner, and the advice is the cheaper model:

    >>> unsure = {"difference": 0.02, "low": -0.018, "high": 0.035, "level": 0.95, "rows": 900}
    >>> print(fill(verdict([gbm, deep], "accuracy", "adult",
    ...                    summary=comparison([gbm, deep], "accuracy", money, unsure)), 110))
    No clear winner on adult: test accuracy 0.870 for gradient boosting and 0.850 for the deep network, a gap of
    2.0 points whose 95% interval (-1.8 to 3.5 points on 900 test rows) includes zero. Take gradient boosting, the
    cheaper one: it costs 18.0x less to train ($0.0010 vs $0.018) and 9.0x less per 1,000 predictions ($0.00010 vs
    $0.00090).
"""

from __future__ import annotations

import math
from typing import Any

from ..metrics import LABELS, better, greater_is_better
from .costs import ratio

LEGACY_NOUNS = {"gbm": "gradient boosting", "classical": "gradient boosting", "deep": "the deep network",
                "blend": "the blend"}
UNIT_SCALE = frozenset({"accuracy", "balanced_accuracy", "roc_auc", "f1_macro", "r2"})
TIE = 1e-9
SIMILAR = 1.25  # cost ratios below this are within timing noise: no advice is built on them


def kind_of(finalist: dict[str, Any]) -> str:
    """classical, deep or blend (runs that did not record it: from the approach's name)."""
    name = finalist["approach"]
    return finalist.get("kind") or ("deep" if name == "deep" else "blend" if name == "blend" else "classical")


def noun(finalist: dict[str, Any], capital: bool = False) -> str:
    """What a sentence calls a finalist: ``gradient boosting``, ``the deep network`` (``The ...`` to start one)."""
    text = finalist.get("noun") or LEGACY_NOUNS.get(finalist["approach"], finalist["approach"])
    return text[:1].upper() + text[1:] if capital else text


def pair(finalists: list[dict[str, Any]], metric: str) -> list[dict[str, Any]]:
    """The finalists the verdict compares: the best classical and the best deep one (by validation score,
    else test score), or, when only one kind ran, the two best of it."""
    def pick(group: list[dict[str, Any]]) -> list[dict[str, Any]]:
        by_val = all(f.get("val_score") is not None for f in group)
        return sorted(group, key=lambda f: _order(f.get("val_score") if by_val else f["test_scores"].get(metric),
                                                  metric))

    models = [f for f in finalists if kind_of(f) != "blend"]
    by_kind = {k: pick([f for f in models if kind_of(f) == k]) for k in ("classical", "deep")}
    if by_kind["classical"] and by_kind["deep"]:
        return [by_kind["classical"][0], by_kind["deep"][0]]
    return pick(models)[:2]


def verdict(finalists: list[dict[str, Any]], metric: str, dataset: str, summary: dict[str, Any] | None = None,
            floor: dict[str, Any] | None = None, used: str | None = None, python: bool = False) -> str:
    """The best classical model against the best deep one in one or two sentences; one more when the blend of
    them all beats both, one when a model does not beat ``floor`` (the run's majority-class or mean
    baseline, ``run.baseline``), and one when ``used`` (the approach ``predict`` uses, chosen on validation) is
    not the model the verdict advises. ``summary`` is their ``comparison`` (without it: score and training time
    only). ``python``: the run was fitted from Python, so what to do next is said in Python, not as a command."""
    chosen = pair(finalists, metric)
    c = summary if summary is not None else comparison(finalists, metric, {}, None)
    by_name = {f["approach"]: f for f in chosen}
    head = _sentences(c, metric, dataset, by_name) if c else _alone(chosen, metric, dataset)
    blend = next((f for f in finalists if kind_of(f) == "blend"), None)
    score = blend and blend["test_scores"].get(metric)
    others = [f["test_scores"].get(metric) for f in finalists if kind_of(f) != "blend"]
    if score is not None and all(better(score, o, metric) for o in others):
        n = len((blend.get("params") or {}).get("members") or others)
        head += (f" Averaging the {'two' if n == 2 else n} models' predictions does better still: test "
                 f"{LABELS[metric]} {_num(score)}.")
    advice = advised(c, by_name) if c else None
    return head + below(finalists, metric, floor) + in_use(finalists, used, advice, metric, python)


def advised(c: dict[str, Any], by_name: dict[str, dict[str, Any]]) -> str | None:
    """The approach the verdict tells a reader to take: the winner when the gain is clear of chance (or was not
    tested), the cheaper one when the scores cannot tell them apart; None when neither is cheaper on both
    counts (or their costs are alike)."""
    if not (c["tie"] or c["significant"] is False):
        return c["winner"]
    sides = _cheaper_sides(c, by_name[c["winner"]], by_name[c["loser"]])
    cheap = {f["approach"] for f, _, _ in sides.values()}
    return cheap.pop() if len(cheap) == 1 else None


def in_use(finalists: list[dict[str, Any]], used: str | None, advice: str | None, metric: str,
           python: bool = False) -> str:
    """A sentence naming the model ``predict`` uses when it is not the one the verdict advises (``advice``), with
    the validation scores that chose it and how to predict with the advised one (in Python, with ``python``);
    empty otherwise.

    >>> blend = {"approach": "blend", "kind": "blend", "val_score": 0.982, "test_scores": {"accuracy": 0.939}}
    >>> gbm = {"approach": "classical", "noun": "gradient boosting", "val_score": 0.974,
    ...        "test_scores": {"accuracy": 0.947}}
    >>> from textwrap import fill
    >>> print(fill(in_use([blend, gbm], "blend", "classical", "accuracy").strip(), 100))
    Predictions use the blend, which validation chose (accuracy 0.982 against 0.974 for gradient
    boosting); `automl predict --approach classical` uses gradient boosting alone.
    >>> in_use([blend, gbm], "blend", "classical", "accuracy", python=True).split("; ")[1]
    "`automl.load(run_dir, approach='classical')` uses gradient boosting alone."
    >>> net = {"approach": "deep", "kind": "deep", "noun": "the deep network", "selection_score": 0.978,
    ...        "test_scores": {"accuracy": 0.99}}
    >>> print(fill(in_use([net, gbm], "classical", "deep", "accuracy").strip(), 100))
    Predictions use gradient boosting, the simpler model, which validation chose: the deep network's
    lead there (accuracy 0.978 against 0.974) was within chance; `automl predict --approach deep` uses
    the deep network alone.
    """
    by_name = {f["approach"]: f for f in finalists}
    if used is None or used == advice or used not in by_name:
        return ""
    model = by_name[used]
    text = f" Predictions use {noun(model)}, which validation chose"
    other = by_name.get(advice) if advice else None
    if other is None:
        return text + "."
    scores = (_chose_by(model), _chose_by(other))
    if None not in scores and better(scores[1], scores[0], metric):  # a lead within chance (``automl.run.choice``)
        text = (f" Predictions use {noun(model)}, the simpler model, which validation chose: {noun(other)}'s lead "
                f"there ({LABELS[metric]} {_num(scores[1])} against {_num(scores[0])}) was within chance")
    elif None not in scores:
        text += f" ({LABELS[metric]} {_num(scores[0])} against {_num(scores[1])} for {noun(other)})"
    how = f"automl.load(run_dir, approach={advice!r})" if python else f"automl predict --approach {advice}"
    return f"{text}; `{how}` uses {noun(other)} alone."


def _chose_by(finalist: dict[str, Any]) -> float | None:
    """The validation score the choice read: on the rows every finalist predicted, else the route's own."""
    shared = finalist.get("selection_score")
    return shared if shared is not None else finalist.get("val_score")


def below(finalists: list[dict[str, Any]], metric: str, floor: dict[str, Any] | None) -> str:
    """A sentence naming the models (not the blend) whose test score does not beat the baseline; empty when all do.

    >>> floor = {"model": "majority class", "predicts": "no", "test_scores": {"accuracy": 0.62}}
    >>> below([{"approach": "deep", "test_scores": {"accuracy": 0.61}}], "accuracy", floor)
    ' The deep network does not beat the majority-class baseline (always no: test accuracy 0.620).'
    """
    base = (floor or {}).get("test_scores", {}).get(metric)
    if base is None:
        return ""
    models = [f for f in finalists if kind_of(f) != "blend" and f["test_scores"].get(metric) is not None]
    losers = [f for f in models if not better(f["test_scores"][metric], base, metric)]
    if not losers:
        return ""
    what = "mean" if floor.get("model") == "training mean" else "majority-class"
    how = f"always {floor['predicts']}: " if floor.get("predicts") else ""
    shown = f"the {what} baseline ({how}test {LABELS[metric]} {_num(base)})"
    if len(losers) == len(models) > 1:
        return f" No model beats {shown}."
    names = [noun(f) for f in losers]
    who = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f" {who[:1].upper() + who[1:]} {'does' if len(names) == 1 else 'do'} not beat {shown}."


def interrupted(record: dict[str, Any], run: str, python: bool = False) -> str | None:
    """For a run stopped before its finalists were scored though it kept models: what it kept and how to go on
    (``run``: its directory, for the command, or for Python's ``fit(resume=...)`` with ``python``). None for any
    other run.

    >>> plan = {"approaches": [{"name": "classical", "noun": "gradient boosting"}]}
    >>> record = {"status": "interrupted", "finalists": [], "models": {"classical": "models/classical"},
    ...           "data": {"name": "wine"}, "plan": plan}
    >>> print(interrupted(record, "runs/wine-1"))
    The run on wine was interrupted before its finalists were scored ... It kept the model of gradient boosting \
(classical); `automl fit --resume runs/wine-1` continues it.
    """
    models = record.get("models") or {}
    if record.get("status") != "interrupted" or record.get("finalists") or not models:
        return None
    nouns = {a["name"]: a.get("noun") for a in (record.get("plan") or {}).get("approaches", [])}
    kept = [f"{nouns.get(name) or LEGACY_NOUNS.get(name, name)} ({name})" for name in models]
    listed = kept[0] if len(kept) == 1 else ", ".join(kept[:-1]) + " and " + kept[-1]
    return (f"The run on {record['data']['name']} was interrupted before its finalists were scored on the test rows, "
            f"so there is no verdict yet. It kept the model{'s' if len(kept) > 1 else ''} of {listed}; "
            f"`{f'AutoML().fit(resume={run!r})' if python else f'automl fit --resume {run}'}` continues it.")


def _order(score: float | None, metric: str) -> tuple[bool, float]:
    return score is None, -(score or 0.0) if greater_is_better(metric) else (score or 0.0)


def _alone(chosen: list[dict[str, Any]], metric: str, dataset: str) -> str:
    """No pair to compare: nothing ran, one approach ran, or only one has a test score."""
    label = LABELS[metric]
    scored = [f for f in chosen if f["test_scores"].get(metric) is not None]
    if not chosen:
        return f"No approach produced a model on {dataset}."
    if len(chosen) == 1:
        return (f"Only {noun(chosen[0])} ran on {dataset} (no comparison); its test {label} is "
                f"{_num(chosen[0]['test_scores'].get(metric))}.")
    if not scored:
        return f"No model has a test {label} on {dataset}."
    other = next(f for f in chosen if f is not scored[0])
    return (f"{noun(scored[0], True)} wins on {dataset}: test {label} {_num(scored[0]['test_scores'][metric])}, "
            f"while {noun(other)} has no {label} on these rows.")


def _num(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.3f}" if abs(value) < 1000 else f"{value:,.0f}"


def _secs(seconds: float) -> str:
    return f"{seconds:.1f}s" if seconds < 10 else f"{seconds:.0f}s"


def comparison(finalists: list[dict[str, Any]], metric: str, money: dict[str, dict[str, Any]],
               interval: dict[str, Any] | None) -> dict[str, Any] | None:
    """Winner, gain (positive: the winner is better) with its interval, and the winner's cost ratios.

    The pair is ``pair(finalists)``: the best classical and the best deep
    finalist. ``money`` maps approach -> its costs (``train_usd``,
    ``predict_usd_per_1000``); ``interval`` is the paired bootstrap of
    ``metric(winner) - metric(loser)``. None unless the pair both have a score.
    """
    chosen = pair(finalists, metric)
    if len(chosen) != 2 or any(f["test_scores"].get(metric) is None for f in chosen):
        return None
    a, b = chosen
    win, lose = (b, a) if better(b["test_scores"][metric], a["test_scores"][metric], metric) else (a, b)
    ws, ls = win["test_scores"][metric], lose["test_scores"][metric]
    sign = 1.0 if greater_is_better(metric) else -1.0
    gain = sign * (ws - ls)
    low = high = None
    if interval is not None and interval.get("low") is not None:
        low, high = sorted((sign * interval["low"], sign * interval["high"]))
    w_money, l_money = money.get(win["approach"], {}), money.get(lose["approach"], {})
    return {
        "winner": win["approach"], "loser": lose["approach"], "tie": abs(ws - ls) <= TIE,
        "winner_kind": kind_of(win), "loser_kind": kind_of(lose),
        "winner_score": ws, "loser_score": ls, "gain": gain,
        "unit": "points" if metric in UNIT_SCALE else LABELS[metric],
        "interval": None if low is None else {**interval, "difference": sign * interval["difference"],
                                              "low": low, "high": high},
        "significant": None if low is None else bool(low > 0 or high < 0),
        "time_ratio": ratio(win.get("fit_seconds"), lose.get("fit_seconds")),
        "train_cost_ratio": ratio(w_money.get("train_usd"), l_money.get("train_usd")),
        "predict_cost_ratio": ratio(w_money.get("predict_usd_per_1000"), l_money.get("predict_usd_per_1000")),
        "train_usd": {win["approach"]: w_money.get("train_usd"), lose["approach"]: l_money.get("train_usd")},
        "predict_usd_per_1000": {win["approach"]: w_money.get("predict_usd_per_1000"),
                                 lose["approach"]: l_money.get("predict_usd_per_1000")},
    }


def _sentences(c: dict[str, Any], metric: str, dataset: str, by_name: dict[str, dict[str, Any]]) -> str:
    win, lose = by_name[c["winner"]], by_name[c["loser"]]
    if c["tie"] or c["significant"] is False:
        return _no_clear_winner(c, metric, dataset, win, lose)
    label = LABELS[metric]
    band = ""
    if c["interval"] is not None:
        i = c["interval"]
        band = (f" ({i['level']:.0%} interval {_gap(i['low'], metric)} to {_gap(i['high'], metric, True)}"
                f" on {i['rows']:,} test rows)")
    head = (f"{noun(win, True)} wins on {dataset}: test {label} {_num(c['winner_score'])} against "
            f"{_num(c['loser_score'])} for {noun(lose)}, {_gap(c['gain'], metric, True)} better{band}.")
    train, predict = c["train_cost_ratio"], c["predict_cost_ratio"]
    if train is None:  # no prices: training time only
        if c["time_ratio"] is None:
            return head
        times = f"{_secs(win['fit_seconds'])} vs {_secs(lose['fit_seconds'])}"
        return f"{head} It took {_times(c['time_ratio'])} time to train ({times})."
    tu, pu = c["train_usd"], c["predict_usd_per_1000"]
    second = f"It costs {_times(train)} to train ({_usd(tu[c['winner']])} vs {_usd(tu[c['loser']])})"
    if predict is not None:
        second += (f" and {_times(predict)} per 1,000 predictions ({_usd(pu[c['winner']])} vs "
                   f"{_usd(pu[c['loser']])})")
    return f"{head} {second}, {_advice(c, noun(lose), metric)}."


def _no_clear_winner(c: dict[str, Any], metric: str, dataset: str, win: dict[str, Any], lose: dict[str, Any]) -> str:
    """The scores cannot tell the two apart (equal, or the gain's interval includes zero): say so, and advise the
    cheaper one, naming in what (training, prediction) it is cheaper."""
    label = LABELS[metric]
    if c["tie"]:
        first, second = sorted((win, lose), key=lambda f: kind_of(f) != "classical")
        head = (f"No clear winner on {dataset}: {noun(first)} and {noun(second)} both score test {label} "
                f"{_num(c['winner_score'])}.")
    else:
        i = c["interval"]
        head = (f"No clear winner on {dataset}: test {label} {_num(c['winner_score'])} for {noun(win)} and "
                f"{_num(c['loser_score'])} for {noun(lose)}, a gap of {_gap(c['gain'], metric, True)} whose "
                f"{i['level']:.0%} interval ({_gap(i['low'], metric)} to {_gap(i['high'], metric, True)} on "
                f"{i['rows']:,} test rows) includes zero.")
    return f"{head} {cheaper(c, win, lose)}"


def cheaper(c: dict[str, Any], win: dict[str, Any], lose: dict[str, Any]) -> str:
    """Which of the pair is the better buy when their scores cannot tell them apart, and why: cheaper to train
    (in money, else in time), cheaper per prediction (the same), or both; each ratio as "N.Nx less" (N >= 1).

    >>> a = {"approach": "classical", "noun": "gradient boosting", "fit_seconds": 2.0, "predict_ms_per_row": 0.01}
    >>> b = {"approach": "deep", "noun": "the deep network", "fit_seconds": 30.0, "predict_ms_per_row": 0.2}
    >>> c = {"winner": "deep", "loser": "classical", "time_ratio": 15.0, "train_cost_ratio": None,
    ...      "predict_cost_ratio": None}
    >>> cheaper(c, b, a)
    'Take gradient boosting, the cheaper one: it took 15.0x less time to train (2.0s vs 30s) and takes 20.0x less \
time per prediction (0.01 vs 0.2 ms/row).'
    """
    sides = _cheaper_sides(c, win, lose)
    if not sides:
        return "Their costs are within timing noise of each other, so either will do."
    if len({id(f) for f, _, _ in sides.values()}) == 1:
        parts = list(sides.values())
        text = f"{parts[0][1]} {parts[0][2]}"
        if len(parts) == 2:
            text += f" and {'' if parts[1][1] == parts[0][1] else parts[1][1] + ' '}{parts[1][2]}"
        return f"Take {noun(parts[0][0])}, the cheaper one: it {text}."
    (t_cheap, t_verb, t_text), (p_cheap, p_verb, p_text) = sides["train"], sides["predict"]
    return (f"{noun(t_cheap, True)} is cheaper to train (it {t_verb} {t_text}), {noun(p_cheap)} to run (it {p_verb} "
            f"{p_text}): take {noun(t_cheap)} if you retrain often, {noun(p_cheap)} for high-volume prediction.")


def _cheaper_sides(c: dict[str, Any], win: dict[str, Any], lose: dict[str, Any]) -> dict[str, tuple]:
    """"train" / "predict" -> (the cheaper finalist, its verb, what it says), for each side whose costs differ by
    more than timing noise."""
    sides = {}
    for key, measure in (("train", _train_measure(c, win, lose)), ("predict", _predict_measure(c, win, lose))):
        if measure is None or 1 / SIMILAR <= measure[0] <= SIMILAR:
            continue
        r, verb, what, figures = measure
        cheap, shown = (lose, figures[::-1]) if r > 1 else (win, figures)
        sides[key] = (cheap, verb, what.format(x=f"{max(r, 1 / r):.1f}x less", a=shown[0], b=shown[1]))
    return sides


def _train_measure(c: dict[str, Any], win: dict[str, Any], lose: dict[str, Any]) -> tuple | None:
    """(winner / loser, verb, phrase, (winner's figure, loser's figure)) for training: money when priced, else
    time."""
    if c.get("train_cost_ratio") is not None:
        usd = c.get("train_usd") or {}
        return (c["train_cost_ratio"], "costs", "{x} to train ({a} vs {b})",
                (_usd(usd.get(c["winner"])), _usd(usd.get(c["loser"]))))
    if c.get("time_ratio") is not None:
        return (c["time_ratio"], "took", "{x} time to train ({a} vs {b})",
                (_secs(win["fit_seconds"]), _secs(lose["fit_seconds"])))
    return None


def _predict_measure(c: dict[str, Any], win: dict[str, Any], lose: dict[str, Any]) -> tuple | None:
    """The same for prediction: money per 1,000 predictions when priced, else milliseconds per row."""
    if c.get("predict_cost_ratio") is not None:
        usd = c.get("predict_usd_per_1000") or {}
        return (c["predict_cost_ratio"], "costs", "{x} per 1,000 predictions ({a} vs {b})",
                (_usd(usd.get(c["winner"])), _usd(usd.get(c["loser"]))))
    r = ratio(win.get("predict_ms_per_row"), lose.get("predict_ms_per_row"))
    if r is None:
        return None
    return (r, "takes", "{x} time per prediction ({a} vs {b} ms/row)",
            (f"{win['predict_ms_per_row']:.2g}", f"{lose['predict_ms_per_row']:.2g}"))


def _advice(c: dict[str, Any], lose: str, metric: str) -> str:
    """When the other approach is the better buy (the gain is clear of chance here)."""
    dearer_train = c["train_cost_ratio"] > SIMILAR
    dearer_predict = c["predict_cost_ratio"] is not None and c["predict_cost_ratio"] > SIMILAR
    if dearer_train and (dearer_predict or c["predict_cost_ratio"] is None):
        return f"so {lose} is preferable when {_worth(c['gain'], metric)} matters less than the extra cost"
    if dearer_train:
        return f"so {lose} is preferable when you retrain often"
    if dearer_predict:
        return f"so {lose} is preferable for high-volume prediction"
    return f"so nothing here favours {lose}"


def _worth(gain: float, metric: str) -> str:
    if metric in UNIT_SCALE:
        return f"{gain * 100:.1f} points of {LABELS[metric]}"
    return f"a {LABELS[metric]} difference of {gain:.4g}"


def _gap(value: float, metric: str, unit: bool = False) -> str:
    """A score difference in the metric's unit: points for 0..1 metrics."""
    if metric in UNIT_SCALE:
        return f"{value * 100:.1f}" + (" points" if unit else "")
    return f"{value:.4g}"


def _times(r: float) -> str:
    """A ratio the one way the project writes them: "N.Nx more" or "N.Nx less", N always at least 1.

    >>> _times(18.0), _times(0.25), _times(1.02)
    ('18.0x more', '4.0x less', 'about the same')
    """
    if 0.95 <= r <= 1.05:
        return "about the same"
    return f"{r:.1f}x more" if r > 1 else f"{1 / r:.1f}x less"


def _usd(value: float | None) -> str:
    """Dollars with two significant digits for small amounts.

    >>> _usd(0.000123), _usd(1234.5), _usd(0.0)
    ('$0.00012', '$1,234.50', '$0')
    """
    if value is None:
        return "n/a"
    if value == 0:
        return "$0"
    if value >= 1:
        return f"${value:,.2f}"
    digits = max(2, 1 - math.floor(math.log10(value)))
    return f"${value:.{digits}f}"
