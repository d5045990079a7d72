"""Short dates (``31.12.2021``, ``12/31/2021``) read one way per column (``automl.data.dates``): by inspection, by
the encoder at fit and predict alike, and by ``--order``."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from automl.data import dates
from automl.data.order import keys
from automl.data.profile import inspect_frame
from automl.modalities.tabular.encoder import TabularEncoder


@pytest.mark.parametrize("values, first", [
    (["13.01.2021", "01.02.2021"], True),  # a first number over 12: the day
    (["01/13/2021", "02/01/2021"], False),  # a second number over 12: the month
    (["01.02.2021", "03.04.2021"], True),  # nothing tells; dots are written day first
    (["01/02/2021", "03-04-2021"], False),  # nothing tells; slashes and dashes month first, as pandas reads them
    (["2021-01-13", "2021-02-01"], False),  # ISO dates are not short dates
    (["13.01.2021", "01.13.2021"], False),  # both orders: the month-first reading, pandas' own
])
def test_a_column_writes_its_short_dates_day_first_or_month_first(values, first) -> None:
    assert dates.day_first(pd.Series(values + [None], dtype="string")) is first


def test_every_short_date_of_a_column_is_read_one_way_and_iso_dates_as_they_are() -> None:
    values = pd.Series(["13.01.2021", "01.02.2021 08:15", "2021-03-04", "5 March 2021", "later", None])
    got = dates.read(values, dayfirst=True)
    assert [str(d) for d in got.iloc[:4]] == ["2021-01-13 00:00:00+00:00", "2021-02-01 08:15:00+00:00",
                                              "2021-03-04 00:00:00+00:00", "2021-03-05 00:00:00+00:00"]
    assert got.iloc[4:].isna().all()
    assert str(dates.read(values, dayfirst=False).iloc[1]) == "2021-01-02 08:15:00+00:00"  # as pandas reads it


def european(n: int = 120) -> pd.DataFrame:
    days = pd.date_range("2021-01-01", periods=n, freq="3D")
    return pd.DataFrame({"when": days.strftime("%d.%m.%Y"), "y": np.arange(n) % 2})


def test_inspection_claims_dotted_dates_and_says_which_comes_first() -> None:
    column = inspect_frame(european(), target="y").column("when")
    assert column.kind == "datetime"
    assert "(day first: '04.01.2021' is 4 January 2021)" in column.reason


def test_the_encoder_reads_day_first_at_fit_and_keeps_it_for_files_that_cannot_tell() -> None:
    frame = european()
    encoder = TabularEncoder.fit(frame, {"when": "datetime"})
    parts = encoder.gbm_frame(frame)
    truth = pd.to_datetime(frame["when"], format="%d.%m.%Y")
    assert parts["when__month"].tolist() == truth.dt.month.astype(float).tolist()
    assert np.all(np.diff(parts["when__days"].to_numpy()) == 3)  # in order, three days apart
    saved = json.loads(json.dumps(encoder.to_dict()))
    assert saved["specs"] == [{"name": "when", "kind": "datetime", "categories": None, "dayfirst": True}]
    again = TabularEncoder.from_dict(saved)
    new = pd.DataFrame({"when": ["01.02.2022", "03/04/2022"]})  # alone, each could be either
    assert again.gbm_frame(new)["when__month"].tolist() == [2.0, 4.0]


def test_a_month_first_column_saves_no_flag_and_older_encoders_read_month_first() -> None:
    frame = pd.DataFrame({"when": ["12/31/2021", "01/02/2022"], "x": [1.0, 2.0]})
    encoder = TabularEncoder.fit(frame, {"when": "datetime", "x": "numeric"})
    assert all("dayfirst" not in spec for spec in encoder.to_dict()["specs"])
    assert encoder.gbm_frame(frame)["when__month"].tolist() == [12.0, 1.0]
    with pytest.raises(ValueError, match=r"column 1 \('x'\) has dayfirst True; only a datetime column"):
        TabularEncoder.from_dict({"specs": [{"name": "x", "kind": "numeric", "dayfirst": True}]})


def test_order_sorts_dotted_dates_by_the_day_they_are() -> None:
    frame = pd.DataFrame({"when": ["02.01.2021", "13.01.2021", "01.02.2021"]})  # 2 Jan, 13 Jan, 1 Feb
    assert keys(frame, "when").argsort().tolist() == [0, 1, 2]


def test_a_time_of_day_means_the_same_whenever_it_is_read() -> None:
    times = pd.Series(["14:30", "2:30 pm", "09:15:07", None])
    read = dates.read(times)
    assert [str(t) for t in read.iloc[:3]] == ["1970-01-01 14:30:00+00:00", "1970-01-01 14:30:00+00:00",
                                               "1970-01-01 09:15:07+00:00"]
    frame = pd.DataFrame({"at": [f"{h:02d}:{m:02d}" for h, m in zip(np.arange(80) % 24, np.arange(80) % 60)],
                          "y": np.arange(80) % 2})
    column = inspect_frame(frame, target="y").column("at")
    assert column.kind == "datetime" and "times of day (such as '00:00')" in column.reason
    parts = TabularEncoder.fit(frame, {"at": "datetime"}).gbm_frame(pd.DataFrame({"at": ["06:00", "18:00"]}))
    assert parts["at__days"].tolist() == [0.25, 0.75] and parts["at__hour"].tolist() == [6.0, 18.0]
