"""Tables too large for memory: read in pieces with a sample held in memory (``automl.data.large``), the plan for
them, the refusal without Dask, and predictions streamed piece by piece. No Dask cluster starts here
(``test_dask.py`` trains on one)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from automl.data import load, read_table
from automl.data import large
from automl.data.memory import parse_size
from automl.data.profile import inspect_dataset
from automl.errors import ConfigError, DataError
from automl.hardware import Hardware
from automl.run.plan import make_plan


def table(rows: int = 4000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(rows, 3))
    colour = rng.choice(["red", "green", "blue"], size=rows)
    y = np.where(x[:, 0] + (colour == "red") + rng.normal(scale=0.5, size=rows) > 0.5, "yes", "no")
    return pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "c": x[:, 2], "colour": colour, "target": y})


@pytest.fixture
def parquet(tmp_path: Path) -> Path:
    path = tmp_path / "big.parquet"
    table().to_parquet(path, row_group_size=500)  # 8 pieces
    return path


@pytest.fixture
def csv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(large, "CSV_PIECE_BYTES", 20_000)  # several pieces from a small file
    path = tmp_path / "big.csv"
    table().to_csv(path, index=False)
    return path


@pytest.mark.parametrize("kind", ["parquet", "csv"])
def test_pieces_read_every_row_once_in_file_order(kind: str, parquet: Path, csv: Path) -> None:
    path = parquet if kind == "parquet" else csv
    pieces = large.pieces_of(path)
    assert len(pieces.pieces) > 3
    whole = pd.concat([pieces.read_piece(i) for i in range(len(pieces.pieces))], ignore_index=True)
    expected = table()
    assert list(whole.columns) == list(expected.columns)
    assert len(whole) == len(expected)
    np.testing.assert_allclose(whole["a"].to_numpy(), expected["a"].to_numpy())
    assert whole["colour"].tolist() == expected["colour"].tolist()


def test_held_rows_are_a_fixed_sample_with_their_positions_in_the_file(parquet: Path) -> None:
    first = load(parquet, dask="local")
    again = load(parquet, dask="local")
    full = table()
    held = first.large.held_rows
    assert first.large.n_rows == len(full)
    assert abs(len(first.frame) - held) < 0.2 * held  # drawn at random: about the planned share
    assert len(first.frame) < len(full) // 2
    np.testing.assert_array_equal(first.positions, again.positions)  # the same rows every time (a resume)
    np.testing.assert_allclose(first.frame["a"].to_numpy(), full["a"].to_numpy()[first.positions])


def test_a_table_too_large_for_the_memory_given_is_refused_with_dask_off(parquet: Path) -> None:
    with pytest.raises(DataError, match=r"too large for this machine's memory.*Train on Dask"):
        load(parquet, memory=50_000, dask="off")
    with pytest.raises(DataError, match="too large"):
        read_table(parquet, memory=50_000)


def test_a_table_too_large_goes_to_pieces_on_its_own_and_fits_otherwise(parquet: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    assert load(parquet).large is None  # it fits in what is free
    monkeypatch.setattr(large, "HELD_ROWS", 200)  # as on a table of millions of rows: the held rows are few
    needed = large.reading_bytes(parquet)
    chosen = large.choose(parquet, available=needed // 2, dask="auto")  # half of what reading it needs
    assert chosen is not None and chosen.reading_bytes == needed and chosen.memory == needed // 2


def test_without_dask_installed_a_table_too_large_names_the_extra(parquet: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(large, "installed", lambda: False)
    with pytest.raises(DataError, match=r"Dask is not installed\. Install the distributed extra \(pip install"):
        large.choose(parquet, available=10_000, dask="auto")


def test_held_rows_that_do_not_fit_the_memory_given_are_refused(parquet: Path) -> None:
    with pytest.raises(DataError, match=r"held in memory .* need about"):
        large.choose(parquet, available=1_000, dask="local")


def test_the_plan_trains_boosting_on_dask_and_tests_on_held_rows(parquet: Path) -> None:
    dataset = load(parquet, dask="local")
    profile = inspect_dataset(dataset)
    assert profile.n_rows == 4000 and profile.large["held"] == len(dataset.frame)
    plan = make_plan(profile, 120, Hardware(2, 8 << 30, None))
    assert [a.name for a in plan.approaches] == ["dask", "deep"]
    assert plan.approaches[0].role == "primary" and plan.approaches[0].kind == "classical"
    assert plan.test_rows <= len(dataset.frame) // 4
    assert any("trains on Dask" in r and "held in memory" in r for r in plan.reasons)
    assert plan.refit_seconds == 0.0  # the Dask model is not refitted in this process


def test_text_data_too_large_for_memory_is_refused_by_the_plan(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    words = ["good film", "bad plot", "great acting and a moving story", "dull and far too long"]
    frame = pd.DataFrame({"review": [" ".join(rng.choice(words, size=6)) for _ in range(3000)],
                          "label": rng.choice(["pos", "neg"], size=3000)})
    path = tmp_path / "reviews.parquet"
    frame.to_parquet(path, row_group_size=500)
    profile = inspect_dataset(load(path, dask="local"))
    if profile.modality != "text":
        pytest.skip("the sample was not read as text")
    with pytest.raises(ConfigError, match="only tabular data trains on Dask"):
        make_plan(profile, 120, Hardware(2, 8 << 30, None))


@pytest.mark.parametrize("given, expected", [("8GB", 8 << 30), ("512 MB", 512 << 20), ("1.5g", int(1.5 * (1 << 30))),
                                             (4096, 4096)])
def test_memory_sizes(given, expected) -> None:
    assert parse_size(given) == expected


@pytest.mark.parametrize("given", ["lots", "-1GB", "8 parsecs", 0, True])
def test_bad_memory_sizes_name_the_argument(given) -> None:
    with pytest.raises(ConfigError, match=r"`memory` must be a size such as 8GB"):
        parse_size(given)


def test_bad_dask_setting_names_the_argument() -> None:
    with pytest.raises(ConfigError, match=r"`dask` must be auto, local, off or a Dask scheduler's address"):
        large.dask_setting("everywhere")


def test_predicting_a_file_too_large_reads_it_in_pieces_never_a_sample(parquet: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from types import SimpleNamespace

    import psutil

    from automl.predictor import read_whole, streams

    monkeypatch.setattr(psutil, "virtual_memory", lambda: SimpleNamespace(available=50_000, total=50_000))
    with pytest.raises(DataError, match=r"too large for this machine's memory.*Predict it piece by piece instead: "
                                        r"automl predict --stream"):
        read_whole(parquet)  # whole or not at all: a sample would silently predict some rows only
    assert streams(parquet, available=50_000) and not streams(parquet, available=10 << 30)
    assert not streams(parquet.with_suffix(".png"), available=1)
