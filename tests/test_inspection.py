"""Column kinds, target choice, task inference and the Profile, on hand-made and real tables."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from automl.data import load
from automl.errors import ConfigError, DataError, TargetError, UserInputError
from automl.data.columns import profile_column
from automl.data.profile import Profile, inspect_dataset, inspect_frame
from automl.data.target import choose_target, infer_task
from automl.modalities.tabular.columns import MAX_CATEGORY_LEVELS

N = 100
RNG = np.random.default_rng(0)


def series(values, name="col", dtype=None) -> pd.Series:
    return pd.Series(values, name=name, dtype=dtype)


# ------------------------------------------------------------- profile_column

KIND_CASES = [
    ("floats", series(RNG.normal(size=N), "x"), "numeric", True),
    ("small ints", series(RNG.integers(0, 5, N), "rooms"), "numeric", True),
    ("0/1 ints", series(RNG.integers(0, 2, N), "flag"), "numeric", True),
    ("categories", series(RNG.choice(["red", "green", "blue"], N), "colour"), "categorical", True),
    ("yes/no", series(RNG.choice(["yes", "no"], N), "smoker"), "boolean", True),
    ("Yes/No", series(RNG.choice(["Yes", "No"], N), "smoker"), "boolean", True),
    ("Y/N", series(RNG.choice(["Y", "N"], N), "smoker"), "boolean", True),
    ("True/False text", series(RNG.choice(["True", "False"], N), "alone"), "boolean", True),
    ("bool dtype", series(RNG.choice([True, False], N), "alone"), "boolean", True),
    ("yes/no with missing", series(list(RNG.choice(["yes", "no"], N - 5)) + [None] * 5, "smoker"), "boolean", True),
    ("ISO dates", series(pd.date_range("2020-01-01", periods=N).astype(str), "day"), "datetime", True),
    (
        "date and time",
        series(pd.date_range("2020-01-01 10:00", periods=N, freq="h").strftime("%d/%m/%Y %H:%M"), "when"),
        "datetime",
        True,
    ),
    ("datetime64 dtype", series(pd.date_range("2020-01-01", periods=N), "day"), "datetime", True),
    (
        "sentences",
        series([f"This is review number {i} and it says the product was fine." for i in range(N)], "review"),
        "text",
        True,
    ),
    ("image paths", series([f"images/cat_{i}.png" for i in range(N)], "file"), "image_path", True),
    ("image paths upper case", series([f"img/{i}.JPG" for i in range(N)], "file"), "image_path", True),
    ("audio paths", series([f"audio/{i}.wav" for i in range(N)], "clip"), "audio_path", True),
    ("identifier strings", series([f"CUST{i:05d}" for i in range(N)], "customer"), "identifier", False),
    ("consecutive int id", series(np.arange(N), "row"), "identifier", False),
    ("consecutive ints shuffled", series(RNG.permutation(np.arange(N) + 1000), "n"), "identifier", False),
    ("unique ints named like an id", series(RNG.permutation(np.arange(N) * 7), "customer_id"), "identifier", False),
    ("unique ints not named like an id", series(RNG.permutation(np.arange(N) * 7), "paid"), "numeric", True),
    ("few unique strings stay categorical", series([f"CUST{i:05d}" for i in range(30)], "customer"), "categorical", True),
    ("constant", series([5] * N, "five"), "constant", False),
    ("constant text", series(["same"] * N, "same"), "constant", False),
    ("all missing floats", series([np.nan] * N, "empty"), "constant", False),
    ("all missing objects", series([None] * N, "empty", dtype=object), "constant", False),
]


@pytest.mark.parametrize("label, s, kind, used", KIND_CASES, ids=[c[0] for c in KIND_CASES])
def test_profile_column_kind(label, s, kind, used):
    col = profile_column(s)
    assert col.kind == kind, col.reason
    assert col.used is used
    assert col.name == s.name
    assert col.missing == int(s.isna().sum())
    assert col.reason.strip()
    if not used:
        assert "dropped" in col.reason


def test_all_missing_column_reason():
    col = profile_column(series([np.nan] * N, "empty"))
    assert "all values are missing" in col.reason
    assert col.missing == N and col.unique == 0


def test_numeric_column_with_infinities_gets_a_note():
    s = series(list(RNG.normal(size=N - 3)) + [np.inf, -np.inf, np.inf], "ratio")
    col = profile_column(s)
    assert col.kind == "numeric" and col.used
    assert len(col.notes) == 1
    assert "'ratio'" in col.notes[0]
    assert "3 infinite" in col.notes[0]


@pytest.mark.parametrize("dtype", [object, "string"])
def test_numbers_mixed_with_text_are_numeric_with_a_note(dtype):
    values = [str(v) for v in RNG.normal(size=N - 3)] + ["abc", "?", "n/a"]
    col = profile_column(series(values, "horsepower", dtype=dtype))
    assert col.kind == "numeric" and col.used
    assert len(col.notes) == 1
    note = col.notes[0]
    assert "'horsepower'" in note
    assert "mixes numbers and text" in note
    assert "'abc'" in note and "'?'" in note


def test_high_cardinality_categorical_is_capped():
    levels = np.array([f"level{i}" for i in range(100_000)])
    s = series(np.concatenate([levels, levels]), "city")
    col = profile_column(s)
    assert col.kind == "categorical" and col.used
    assert col.unique == 100_000
    assert str(MAX_CATEGORY_LEVELS) in col.reason
    assert len(col.notes) == 1
    assert "'city'" in col.notes[0]
    assert "100,000 levels" in col.notes[0]
    assert f"{MAX_CATEGORY_LEVELS} most frequent" in col.notes[0]


def test_categorical_under_the_cap_has_no_note():
    col = profile_column(series(RNG.choice([f"l{i}" for i in range(50)], 1000), "c"))
    assert col.kind == "categorical"
    assert col.notes == []


def test_all_numeric_text_column_gets_no_mixed_note():
    col = profile_column(series(RNG.choice(["0", "1", "2"], N), "code", dtype=object))
    assert col.kind == "numeric"
    assert col.notes == []


def test_constant_reason_shows_the_plain_value():
    col = profile_column(series([5] * N, "five"))
    assert "has a single value (5)" in col.reason


def test_range_bins_are_categorical_not_dates():
    col = profile_column(series(RNG.choice(["1-5", "6-10", "11-15"], 200), "household_size"))
    assert col.kind == "categorical"


# ---------------------------------------------------------------- choose_target


@pytest.mark.parametrize(
    "columns, requested, expected",
    [
        (["a", "b", "c"], "a", "a"),
        (["a", "target", "c"], "c", "c"),  # explicit beats a target-like name
        (["a", "target", "c"], None, "target"),
        (["a", "Target", "c"], None, "Target"),
        (["LABEL", "a", "c"], None, "LABEL"),
        (["Class", "a", "c"], None, "Class"),
        (["x", "Y"], None, "Y"),
        (["x", "y", "z"], None, "z"),  # a point's coordinates: none named like a target; the last column
        (["carat", "price", "x", "y", "z"], None, "price"),  # diamonds: the last column but the coordinates
        (["age", "survived", "alone"], None, "survived"),  # an outcome's name
        (["a", "label", "target"], None, "target"),  # target before label
        (["a", "y", "class"], None, "class"),  # class before y
        (["a", "b", "c"], None, "c"),  # else the last column
        (["classes", "labels", "yy"], None, "yy"),  # only exact names count
    ],
)
def test_choose_target(columns, requested, expected):
    name, reason, how = choose_target(columns, requested)
    assert name == expected
    assert repr(expected) in reason
    if requested is not None:
        assert "given as the target" in reason and how == "given"
    elif how == "as the last column":
        assert "last column" in reason and expected.lower() not in ("target", "label", "class", "y", "survived")
    else:
        assert "named like a target" in reason and how == "by its name"


def test_a_target_name_that_another_column_relabels_is_passed_over_for_an_outcome():
    titanic = pd.DataFrame({"survived": [0, 1, 1, 0] * 10, "pclass": [1, 2, 3, 3] * 10,
                            "class": ["First", "Second", "Third", "Third"] * 10, "fare": np.arange(40.0)})
    name, reason, how = choose_target(list(titanic.columns), None, titanic)
    assert (name, how) == ("survived", "by its name")
    assert "'class' is named like one too, but 'pclass' relabels it one to one" in reason
    alone = titanic.drop(columns="survived")  # no other name left: 'class' it stays, and the leak is warned of
    assert choose_target(list(alone.columns), None, alone)[0] == "class"
    profile = inspect_frame(titanic)
    assert profile.target == "survived" and "class" in profile.target_candidates


def test_a_column_named_as_the_data_is_its_target(tmp_path):
    tips = pd.DataFrame({"total_bill": np.arange(30.0), "tip": np.arange(30.0) / 7, "size": [2, 3, 4] * 10})
    assert choose_target(list(tips.columns), None, tips, "tips")[::2] == ("tip", "by the data's name")
    assert choose_target(list(tips.columns), None, tips, "")[0] == "size"  # a DataFrame has no name to go by
    tips.to_csv(tmp_path / "tips.csv", index=False)
    profile = inspect_dataset(load(tmp_path / "tips.csv"))
    assert profile.target == "tip" and "named as the data (tips)" in profile.target_reason
    assert inspect_dataset(load(tips)).target == "size"
    customers = pd.DataFrame({"customer": [f"c{i}" for i in range(30)], "spend": np.arange(30.0), "churn": [0, 1] * 15})
    assert choose_target(list(customers.columns), None, customers, "customers")[0] == "churn"  # an id, passed over
    named = customers.rename(columns={"churn": "left"})
    assert choose_target(list(named.columns), None, named, "customers")[0] == "left"


@pytest.mark.parametrize(
    "columns, requested, suggestion",
    [
        (["age", "income", "sex"], "incme", "income"),
        (["age", "income", "sex"], "Income", "income"),
        (["sepal_length", "species"], "specie", "species"),
        (["age", "income", "sex"], "zzzzzz", None),
    ],
)
def test_choose_target_not_found(columns, requested, suggestion):
    with pytest.raises(TargetError) as info:
        choose_target(columns, requested)
    message = str(info.value)
    assert isinstance(info.value, DataError)
    assert f"target column {requested!r} not found" in message
    assert "Columns: " + ", ".join(columns) in message
    if suggestion:
        assert f"Did you mean {suggestion!r}?" in message
    else:
        assert "Did you mean" not in message


def test_choose_target_not_found_shortens_a_long_column_list():
    columns = [f"c{i}" for i in range(40)]
    with pytest.raises(TargetError) as info:
        choose_target(columns, "nothing")
    message = str(info.value)
    assert "c29" in message and "c30" not in message
    assert message.endswith("...")


# ---------------------------------------------------------------- infer_task


@pytest.mark.parametrize(
    "values, requested, task",
    [
        (["yes", "no"] * 10, "auto", "binary"),
        ([0, 1] * 10, "auto", "binary"),
        ([-1.0, 1.0] * 10, "auto", "binary"),
        ([True, False] * 10, "auto", "binary"),
        (["a", "b", "c"] * 10, "auto", "multiclass"),
        (list("ABCDEFGHIJ") * 5, "auto", "multiclass"),
        ([1, 2, 3] * 10, "auto", "multiclass"),
        ([1.0, 2.0, 3.0] * 10, "auto", "multiclass"),
        (list(range(10)) * 30, "auto", "multiclass"),
        (list(range(31)) * 30, "auto", "regression"),  # more than 30 whole numbers
        (list(range(30)), "auto", "regression"),  # every value distinct
        (list(np.linspace(0, 1, 50)), "auto", "regression"),
        ([1.5, 2.5, 3.5] * 10, "auto", "regression"),  # three real numbers are not classes
        ([1, 2, 3] * 10, "regression", "regression"),
        (list(np.linspace(0, 1, 50)), "multiclass", "multiclass"),
        (["a", "b"] * 10, "multiclass", "multiclass"),
        ([0, 1] * 10, "binary", "binary"),
    ],
)
def test_infer_task(values, requested, task):
    name, reason = infer_task(pd.Series(values), requested, "t")
    assert name == task
    if requested == "auto":
        assert "'t'" in reason and task in reason
    else:
        assert f"The task {requested!r} was given" in reason


@pytest.mark.parametrize(
    "values, requested, expected",
    [
        (["a", "b", "c"] * 10, "regression", ["task='regression' needs a numeric target", "'t'", "'a'"]),
        (["a", "b", "c"] * 10, "binary", ["task='binary' needs 2 classes", "has 3"]),
        (["a"] * 10, "auto", ["one class ('a')", "all 10 rows"]),
        (["a"] * 10, "multiclass", ["one class"]),
        ([3.0] * 10, "auto", ["one class ('3.0')"]),
    ],
)
def test_infer_task_errors(values, requested, expected):
    with pytest.raises(TargetError) as info:
        infer_task(pd.Series(values), requested, "t")
    for part in expected:
        assert part in str(info.value)


# ---------------------------------------------------------------- inspect_frame


def frame(n=40, y=None, **columns) -> pd.DataFrame:
    data = {"x": RNG.normal(size=n), "colour": RNG.choice(["red", "blue"], n)}
    data.update(columns)
    data["y"] = y if y is not None else ["a", "b"] * (n // 2)
    return pd.DataFrame(data)


def test_inspect_frame_profile():
    df = frame(60, row=np.arange(60), same=[1] * 60)
    p = inspect_frame(df)
    assert (p.target, p.task, p.modality) == ("y", "binary", "tabular")
    assert (p.n_rows, p.n_columns) == (60, 5)
    assert p.class_counts == {"a": 30, "b": 30}
    assert p.rows_dropped_missing_target == 0 and p.n_train_rows == 60
    assert [c.name for c in p.features] == ["x", "colour"]
    assert [c.name for c in p.dropped] == ["row", "same"]
    assert p.column("row").kind == "identifier" and p.column("same").kind == "constant"
    assert p.column("y").kind == "target"
    assert p.n_bytes > 0
    assert p.warnings == []
    assert Profile.from_dict(p.to_dict()) == p


def test_short_integer_column_is_not_called_an_identifier():
    p = inspect_frame(frame(40, row=np.arange(40)))  # under 50 rows, unique whole numbers may be a feature
    assert p.column("row").kind == "numeric" and p.column("row").used


def test_inspect_frame_respects_n_bytes_and_forced_task():
    p = inspect_frame(frame(40, y=[1, 2] * 20), task="multiclass", n_bytes=123)
    assert p.n_bytes == 123
    assert p.task == "multiclass"


@pytest.mark.parametrize(
    "df, kwargs, expected",
    [
        (frame(40, y=["a"] * 40), {}, ["one class ('a')"]),
        (frame(40, y=[np.nan] * 40), {}, ["has no values", "all 40 rows are missing"]),
        (frame(40, y=[None] * 40), {}, ["has no values"]),
        (frame(40, y=[" "] * 40), {}, ["has no values"]),  # blanks are missing too
        (frame(40, y=["a"] * 20 + ["b"] * 19 + ["c"]), {}, ["single row", "'c'", "at least 2 rows"]),
        (frame(19, y=["a", "b"] * 9 + ["a"]), {}, ["only 19 rows", "at least 20"]),
        (frame(24, y=["a", "b"] * 8 + [None] * 8), {}, ["only 16 rows", "at least 20"]),
        (frame(40), {"target": "incme"}, ["'incme' not found"]),
        (frame(40, y=["p", "q", "r", "s"] * 10), {"task": "binary"}, ["task='binary' needs 2 classes"]),
    ],
)
def test_inspect_frame_target_errors(df, kwargs, expected):
    with pytest.raises(TargetError) as info:
        inspect_frame(df, **kwargs)
    message = str(info.value)
    assert isinstance(info.value, UserInputError)
    for part in expected:
        assert part in message, (part, message)


def test_a_guessed_target_of_single_rows_names_the_option_that_chooses_another():
    # mpg's layout: the label is the first column, the last one a name per car
    names = [f"car {i}" for i in range(40)]
    cars = pd.DataFrame({"mpg": np.arange(40.0), "weight": np.arange(40.0) * 3, "name": names})
    with pytest.raises(TargetError) as info:
        inspect_frame(cars)
    assert str(info.value).endswith("The target 'name' was chosen as the last column, not given: name the target "
                                    "column with `target` if it is another.")
    with pytest.raises(TargetError) as given:
        inspect_frame(cars, target="name")
    assert "--target" not in str(given.value)  # named by the user: nothing to guess again
    assert inspect_frame(cars, target="mpg").task == "regression"


def test_inspect_frame_unknown_task():
    with pytest.raises(ConfigError) as info:
        inspect_frame(frame(40), task="reg")
    assert "`task`" in str(info.value) and "task='reg'" in str(info.value)


@pytest.mark.parametrize(
    "y, dropped, task",
    [
        (["a", "b"] * 18 + [None, np.nan, "", "  "], 4, "binary"),
        (list(RNG.normal(size=36)) + [np.nan, np.inf, -np.inf, np.nan], 4, "regression"),
        (["a", "b"] * 10 + [None] * 4 + ["a", "b"] * 8, 4, "binary"),
    ],
)
def test_rows_with_missing_target_are_counted(y, dropped, task):
    n = len(y)
    p = inspect_frame(frame(n, y=y))
    assert p.task == task
    assert p.rows_dropped_missing_target == dropped
    assert p.n_rows == n
    assert p.n_train_rows == n - dropped
    assert any(f"{dropped} row(s) with a missing or infinite target 'y'" in w for w in p.warnings)
    if task != "regression":
        assert sum(p.class_counts.values()) == n - dropped


def test_column_notes_become_profile_warnings():
    n = 40
    ratio = list(RNG.normal(size=n - 1)) + [np.inf]
    p = inspect_frame(frame(n, ratio=ratio))
    assert any("'ratio'" in w and "infinite" in w for w in p.warnings)


@pytest.mark.parametrize(
    "column, values, modality",
    [
        ("review", [f"This is a long sentence number {i} about a product." for i in range(40)], "text"),
        ("file", [f"{i}.png" for i in range(40)], "image"),
        ("clip", [f"{i}.wav" for i in range(40)], "audio"),
    ],
)
def test_modality(column, values, modality, tmp_path):
    _write_media(values, tmp_path)  # image and audio paths must name real files (relative to the working dir)
    p = inspect_frame(frame(40, **{column: values}))
    assert p.modality == modality
    assert repr(column) in p.modality_reason


def _write_media(names, folder):
    import numpy as np

    for i, name in enumerate(names):
        if name.endswith(".png"):
            from PIL import Image

            Image.new("L", (8, 8), i).save(folder / name)
        elif name.endswith(".wav"):
            import soundfile

            soundfile.write(folder / name, np.sin(np.arange(800) * (0.1 + i / 100)), 8000)


# ---------------------------------------------------------------- real data

# name -> (target column, task, rows, columns, classes), from ../shared/data/README.md
TABULAR = {
    "breast_cancer": ("diagnosis", "binary", 569, 31, 2),
    "wine": ("cultivar", "multiclass", 178, 14, 3),
    "diabetes": ("disease_progression", "regression", 442, 11, None),
    "titanic": ("survived", "binary", 891, 14, 2),
    "penguins": ("species", "multiclass", 344, 7, 3),
    "tips": ("tip", "regression", 244, 7, None),
    "diamonds": ("price", "regression", 53_940, 10, None),
    "mpg": ("mpg", "regression", 398, 9, None),
    "adult": ("income", "binary", 48_842, 15, 2),
    "letter": ("letter", "multiclass", 20_000, 17, 26),
    "mushroom": ("class", "binary", 8_124, 23, 2),
    "spambase": ("is_spam", "binary", 4_601, 58, 2),
    "wine_quality_red": ("quality", "multiclass", 1_599, 12, 6),
    "california_housing": ("median_house_value", "regression", 20_640, 9, None),
}


def test_real_data_table_matches_readme(shared_data):
    readme = (shared_data / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\w+) \| tabular \| (\w+)[^|]*\| `([^`]+)`", readme, flags=re.M)
    assert rows, "no tabular rows found in the shared data README"
    assert {name: (target, task) for name, task, target in rows} == {
        name: (target, task) for name, (target, task, *_rest) in TABULAR.items()
    }


@pytest.mark.parametrize("name", sorted(TABULAR))
def test_real_tabular_data(shared_data, name):
    target, task, n_rows, n_columns, n_classes = TABULAR[name]
    ds = load(shared_data / name / f"{name}.csv")
    assert ds.frame.shape == (n_rows, n_columns)
    p = inspect_frame(ds.frame, target=target, n_bytes=ds.n_bytes)
    assert p.modality == "tabular", p.modality_reason
    assert p.target == target
    assert p.task == task, p.task_reason
    assert p.rows_dropped_missing_target == 0
    assert p.features, "no usable feature columns"
    if n_classes is None:
        assert p.class_counts is None
    else:
        assert len(p.class_counts) == n_classes
        assert sum(p.class_counts.values()) == n_rows


def test_labels_that_differ_only_in_case_or_spaces_are_named():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=60), "y": ["yes", "Yes", "yes ", "no"] * 15})
    profile = inspect_frame(frame, target="y")
    assert profile.task == "multiclass" and len(profile.class_counts) == 4
    assert ("target 'y' has labels that differ only in case or spaces ('Yes', 'yes', 'yes '): each is a class of "
            "its own to the model. If they mean the same, write each one way in the file." in profile.warnings)
    clean = inspect_frame(frame.assign(y=["yes", "no"] * 30), target="y")
    assert not any("differ only in case" in w for w in clean.warnings)
    with pytest.raises(TargetError, match=r"single row: 'No'\. .* differ from another class only in case or spaces "
                                          r"\('No', 'no'\): write each one way"):
        inspect_frame(pd.DataFrame({"x": range(41), "y": ["no", "yes"] * 20 + ["No"]}), target="y")
