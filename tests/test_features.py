"""TabularEncoder: the same encoding at fit and predict time, saved as JSON."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from automl.errors import DataError, UserInputError
from automl.modalities.tabular.encoder import DATE_PARTS, TabularEncoder
from automl.modalities.tabular.columns import MAX_CATEGORY_LEVELS

TRAIN = pd.DataFrame(
    {
        "colour": ["red", "blue", "red", None, " red ", "green"],
        "size": ["1", "x", "inf", None, "2.5", "-3"],
        "smoker": ["yes", "no", "YES", None, "maybe", "No"],
        "when": ["2021-03-04 05:06", "2020-01-01", "garbage", None, "2022-12-31T23:00:00", "2021-03-05"],
        "alone": [True, False, True, False, True, False],
    }
)
KINDS = {"colour": "categorical", "size": "numeric", "smoker": "boolean", "when": "datetime", "alone": "boolean"}


@pytest.fixture
def encoder() -> TabularEncoder:
    return TabularEncoder.fit(TRAIN, KINDS)


def test_categories_are_most_frequent_first(encoder):
    assert encoder.columns == list(KINDS)
    spec = encoder.specs[0]
    assert spec.kind == "categorical"
    assert spec.categories[0] == "red"  # 3 times, " red " stripped
    assert sorted(spec.categories) == ["blue", "green", "red"]
    assert encoder.cardinalities == [4]  # 3 levels + 'missing or unseen'


def test_gbm_frame_columns_and_types(encoder):
    out = encoder.gbm_frame(TRAIN)
    date_columns = [f"when__{part}" for part in DATE_PARTS]
    assert list(out.columns) == ["colour", "size", "smoker", *date_columns, "alone"]
    assert isinstance(out["colour"].dtype, pd.CategoricalDtype)
    assert list(out["colour"].cat.categories) == encoder.specs[0].categories
    assert all(out[c].dtype == np.float64 for c in out.columns if c != "colour")
    assert out.index.equals(TRAIN.index)


def test_unseen_and_missing_categories(encoder):
    new = TRAIN.head(4).copy()
    new["colour"] = ["purple", "blue", np.nan, "RED"]
    out = encoder.gbm_frame(new)
    assert out["colour"].isna().tolist() == [True, False, True, True]  # case matters: 'RED' is unseen
    assert out["colour"].iloc[1] == "blue"
    blue = encoder.specs[0].categories.index("blue") + 1
    assert encoder.codes(new)[:, 0].tolist() == [0, blue, 0, 0]


def test_codes_are_one_based_and_int32(encoder):
    codes = encoder.codes(TRAIN)
    assert codes.dtype == np.int32
    assert codes.shape == (len(TRAIN), 1)
    index = {level: i + 1 for i, level in enumerate(encoder.specs[0].categories)}
    assert codes[:, 0].tolist() == [1, index["blue"], 1, 0, 1, index["green"]]
    assert sorted(index.values()) == [1, 2, 3]


def test_unseen_categories_do_not_rely_on_deprecated_pandas_behaviour(encoder):
    import warnings

    new = TRAIN.assign(colour=["purple"] * len(TRAIN))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        codes = encoder.codes(new)
        out = encoder.gbm_frame(new)
    assert codes[:, 0].tolist() == [0] * len(TRAIN)
    assert out["colour"].isna().all()


def test_numbers_in_a_categorical_match_their_text():
    enc = TabularEncoder.fit(pd.DataFrame({"c": ["1", "2", "XL", "1"]}), {"c": "categorical"})
    codes = enc.codes(pd.DataFrame({"c": [1, 2, "XL", "1"]}))[:, 0].tolist()
    assert codes == [1, enc.specs[0].categories.index("2") + 1, enc.specs[0].categories.index("XL") + 1, 1]


def test_whole_floats_match_integer_categories():
    enc = TabularEncoder.fit(pd.DataFrame({"c": ["1", "2", "XL", "1"]}), {"c": "categorical"})
    new = pd.DataFrame({"c": [1.0, 2.0, np.nan]})  # what pandas reads from '1\n2\n\n'
    two = enc.specs[0].categories.index("2") + 1
    assert enc.codes(new)[:, 0].tolist() == [1, two, 0]


def test_category_cap():
    levels = [f"v{i:03d}" for i in range(300)]
    values = [level for i, level in enumerate(levels) for _ in range(300 - i)]  # v000 most frequent
    enc = TabularEncoder.fit(pd.DataFrame({"c": values}), {"c": "categorical"})
    categories = enc.specs[0].categories
    assert len(categories) == MAX_CATEGORY_LEVELS == 254
    assert categories == levels[:254]
    assert enc.cardinalities == [255]
    codes = enc.codes(pd.DataFrame({"c": ["v000", "v253", "v254", "v299"]}))[:, 0].tolist()
    assert codes == [1, 254, 0, 0]
    assert enc.gbm_frame(pd.DataFrame({"c": ["v254"]}))["c"].isna().all()


def test_datetime_expansion(encoder):
    out = encoder.gbm_frame(TRAIN)
    row = {part: out[f"when__{part}"].iloc[0] for part in DATE_PARTS}
    assert row["year"] == 2021 and row["month"] == 3 and row["day"] == 4
    assert row["weekday"] == 3  # Thursday
    assert row["hour"] == 5
    assert row["days"] == pytest.approx(18690 + (5 * 60 + 6) / 1440)
    assert out.loc[4, "when__hour"] == 23 and out.loc[4, "when__weekday"] == 5  # Saturday
    for part in DATE_PARTS:  # unparseable and missing dates are missing in every part
        assert np.isnan(out.loc[2, f"when__{part}"]) and np.isnan(out.loc[3, f"when__{part}"])


def test_boolean_strings_to_zero_one(encoder):
    out = encoder.gbm_frame(TRAIN)
    assert out["smoker"].tolist()[:3] == [1.0, 0.0, 1.0]
    assert np.isnan(out["smoker"].iloc[3])  # missing
    assert np.isnan(out["smoker"].iloc[4])  # 'maybe'
    assert out["smoker"].iloc[5] == 0.0  # 'No'
    assert out["alone"].tolist() == [1.0, 0.0, 1.0, 0.0, 1.0, 0.0]


@pytest.mark.parametrize(
    "values, expected",
    [
        (["true", "false", "t", "f", "Y", "n"], [1, 0, 1, 0, 1, 0]),
        (["1", "0", "1.0", "0.0", " yes ", "NO"], [1, 0, 1, 0, 1, 0]),
        ([1, 0, 1, 0, 1, 0], [1, 0, 1, 0, 1, 0]),
        ([True, False, None, True, False, None], [1, 0, np.nan, 1, 0, np.nan]),
    ],
)
def test_boolean_values(values, expected):
    enc = TabularEncoder.fit(pd.DataFrame({"b": values}), {"b": "boolean"})
    out = enc.gbm_frame(pd.DataFrame({"b": values}))["b"].to_numpy()
    np.testing.assert_array_equal(out, np.array(expected, dtype=float))


def test_numeric_text_inf_and_junk_become_missing(encoder):
    out = encoder.gbm_frame(TRAIN)["size"].tolist()
    assert out[0] == 1.0 and out[4] == 2.5 and out[5] == -3.0
    assert all(np.isnan(out[i]) for i in (1, 2, 3))  # 'x', 'inf', missing
    new = pd.DataFrame({"size": [np.inf, -np.inf, 7, "8", "nan", "1,5"]})
    enc = TabularEncoder.fit(new, {"size": "numeric"})
    got = enc.gbm_frame(new)["size"].to_numpy()
    np.testing.assert_array_equal(np.isnan(got), [True, True, False, False, True, True])
    assert got[2] == 7.0 and got[3] == 8.0


def test_number_columns_of_every_numeric_dtype_read_as_floats_without_parsing():
    frame = pd.DataFrame({"nullable": pd.array([1, None, 3], dtype="Int64"), "floats": [1.5, np.inf, None],
                          "small": np.array([1, 2, 3], dtype="uint8"),
                          "masked": pd.array([0.5, None, 2.0], dtype="Float64")})
    enc = TabularEncoder.fit(frame, dict.fromkeys(frame.columns, "numeric"))
    np.testing.assert_array_equal(enc.numeric(frame), np.array([[1, 1.5, 1, 0.5], [np.nan, np.nan, 2, np.nan],
                                                                [3, np.nan, 3, 2.0]], dtype="float32"))


def test_numeric_matrix_skips_categoricals(encoder):
    matrix = encoder.numeric(TRAIN)
    assert matrix.dtype == np.float32
    assert matrix.shape == (len(TRAIN), 1 + 1 + len(DATE_PARTS) + 1)
    gbm = encoder.gbm_frame(TRAIN).drop(columns=["colour"]).to_numpy(dtype=np.float32)
    np.testing.assert_array_equal(matrix, gbm)


def test_no_categoricals_or_no_numerics():
    only_cat = TabularEncoder.fit(pd.DataFrame({"c": ["a", "b"]}), {"c": "categorical"})
    assert only_cat.numeric(pd.DataFrame({"c": ["a", "b"]})).shape == (2, 0)
    only_num = TabularEncoder.fit(pd.DataFrame({"n": [1, 2]}), {"n": "numeric"})
    assert only_num.codes(pd.DataFrame({"n": [1, 2]})).shape == (2, 0)
    assert only_num.cardinalities == []


def test_to_dict_from_dict_round_trip(encoder):
    saved = json.loads(json.dumps(encoder.to_dict()))  # must survive JSON
    loaded = TabularEncoder.from_dict(saved)
    assert loaded.to_dict() == encoder.to_dict()
    new = TRAIN.assign(colour=["purple", "blue", "red", None, "green", "x"])
    pd.testing.assert_frame_equal(loaded.gbm_frame(new), encoder.gbm_frame(new))
    np.testing.assert_array_equal(loaded.numeric(new), encoder.numeric(new))
    np.testing.assert_array_equal(loaded.codes(new), encoder.codes(new))
    assert loaded.cardinalities == encoder.cardinalities


def test_check_names_missing_columns(encoder):
    with pytest.raises(DataError) as info:
        encoder.check(pd.DataFrame({"colour": ["red"], "alone": [True]}))
    assert isinstance(info.value, UserInputError)
    message = str(info.value)
    assert "missing 3 column(s)" in message
    assert "'size', 'smoker', 'when'" in message
    assert "'colour'" not in message


def test_check_shortens_a_long_list_of_missing_columns():
    kinds = {f"c{i}": "numeric" for i in range(12)}
    enc = TabularEncoder.fit(pd.DataFrame({k: [1.0] for k in kinds}), kinds)
    with pytest.raises(DataError) as info:
        enc.check(pd.DataFrame({"other": [1]}))
    message = str(info.value)
    assert "missing 12 column(s)" in message
    assert "'c9'" in message and "'c10'" not in message and "..." in message


def test_check_returns_extra_columns(encoder):
    frame = TRAIN.assign(extra=1, another="x")
    assert encoder.check(frame) == ["extra", "another"]
    assert encoder.check(TRAIN) == []
    # column order does not matter
    assert encoder.check(TRAIN[list(reversed(TRAIN.columns))]) == []
