"""A table too large for memory stops before it is read, with the sizes and the fix, not an out-of-memory crash."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import psutil
import pytest
from click.testing import CliRunner

from automl.cli import main
from automl.data import load
from automl.data.memory import CSV_FACTOR, PARQUET_CELL_BYTES, reading_bytes
from automl.errors import DataError


@pytest.fixture
def free_memory(monkeypatch):
    """``free_memory(n)`` makes this machine report ``n`` bytes of free memory."""

    def set_free(n: int) -> None:
        monkeypatch.setattr(psutil, "virtual_memory", lambda: SimpleNamespace(available=n, total=n))

    return set_free


def _table(tmp_path, rows: int = 2000):
    return pd.DataFrame({"a": range(rows), "b": [f"v{i % 5}" for i in range(rows)], "target": [i % 2 for i in
                                                                                           range(rows)]})


def test_reading_needs_are_estimated_from_the_file_alone(tmp_path):
    frame = _table(tmp_path)
    frame.to_csv(tmp_path / "t.csv", index=False)
    frame.to_parquet(tmp_path / "t.parquet")
    assert reading_bytes(tmp_path / "t.csv") == int((tmp_path / "t.csv").stat().st_size * CSV_FACTOR)
    assert reading_bytes(tmp_path / "t.parquet") == 2000 * 3 * PARQUET_CELL_BYTES
    (tmp_path / "bad.parquet").write_bytes(b"not parquet")
    assert reading_bytes(tmp_path / "bad.parquet") is None  # the reader names that problem itself


def test_a_table_too_large_for_memory_is_refused_before_it_is_read(tmp_path, free_memory):
    _table(tmp_path).to_csv(tmp_path / "t.csv", index=False)
    _table(tmp_path).to_parquet(tmp_path / "t.parquet")
    free_memory(50 << 10)
    with pytest.raises(DataError, match=r"too large for this machine's memory.*50\.0 KB is free.*head -n 1000001"):
        load(tmp_path / "t.csv", dask="off")  # the single-process path (Dask is test_large.py's)
    with pytest.raises(DataError, match=r"reading .*t\.parquet.* needs about 140\.6 KB.*first million rows"):
        load(tmp_path / "t.parquet", dask="off")
    free_memory(10 << 30)
    assert len(load(tmp_path / "t.csv").frame) == 2000  # the same file reads when memory allows


def test_the_command_line_says_so_in_one_line_and_writes_nothing(tmp_path, free_memory):
    _table(tmp_path).to_csv(tmp_path / "t.csv", index=False)
    free_memory(50 << 10)
    expected = {"fit": "`data` is too large for this machine's memory",  # --dask off: refused
                "inspect": "`data` cannot be trained on in 50.0 KB of memory"}  # on Dask, its sample does not fit
    for command in (["fit", str(tmp_path / "t.csv"), "--out", str(tmp_path / "runs"), "--dask", "off"],
                    ["inspect", str(tmp_path / "t.csv")]):
        result = CliRunner().invoke(main, command)
        lines = result.output.strip().splitlines()
        assert result.exit_code == 2 and "Traceback" not in result.output, result.output
        assert lines[-1].startswith("automl: error: " + expected[command[0]])
    assert not (tmp_path / "runs").exists()
