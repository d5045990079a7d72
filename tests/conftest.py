"""Shared fixtures: the real data folder, a CSV writer, and a private working directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Keras loads one backend a process, and a table's run chooses JAX on a CPU (automl.backend): the suite's
# networks train with TensorFlow unless a test, or whoever runs the suite, names another.
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    """``../shared/data`` beside the repository; the test is skipped when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data sets not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture
def write_csv(tmp_path):
    """``write_csv(text, name="data.csv")`` writes ``text`` (str as UTF-8, or bytes as is) and returns the path."""

    def write(text: str | bytes, name: str = "data.csv") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8", newline="")
        return path

    return write


@pytest.fixture
def quick_fit(tmp_path):
    """``quick_fit(data, *options)``: ``automl fit DATA`` from the command line, gradient boosting alone for 15 s,
    into ``tmp_path/runs``; checks it exits 0 and returns its run directory and ``run.json``."""
    import json

    from click.testing import CliRunner

    from automl.cli import main

    def fit(data: Path, *options: str) -> tuple[Path, dict]:
        out = tmp_path / "runs"
        result = CliRunner().invoke(main, ["fit", str(data), "--budget", "15s", "--no-compare", "--out", str(out),
                                           *options])
        assert result.exit_code == 0, (result.output, result.exception)
        runs = [p for p in out.iterdir() if p.is_dir()]
        assert len(runs) == 1, runs
        return runs[0], json.loads((runs[0] / "run.json").read_text())

    return fit


@pytest.fixture(autouse=True)
def _work_in_tmp_path(tmp_path, monkeypatch):
    """Run every test inside its own temporary folder, so nothing is written into the repository.

    The user's config folder points there too, so a personal ``~/.config/automl/config.toml``
    (prices) cannot change what a test sees.
    """
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))
    return tmp_path
