"""Every modality end to end on every installed Keras backend, as a user runs it: ``automl fit`` with
``KERAS_BACKEND`` set trains the network (1 trial of 1 epoch), run.json names the backend that trained it,
``automl predict --approach deep`` answers one row per input with it (file names first for folders), and a
second backend reading the same saved network predicts the same probabilities (a network trained with JAX on
a GPU is served with TensorFlow on a CPU).

Each command runs in its own process: the backend is fixed when Keras is first imported.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import synthetic

BACKENDS = ("tensorflow", "jax", "torch")
SERVED_BY = {"tensorflow": "jax", "jax": "torch", "torch": "tensorflow"}  # the second backend that predicts
MODALITIES = ("tabular", "image", "text", "audio")


def automl(backend: str, *args: object) -> subprocess.CompletedProcess:
    env = dict(os.environ, KERAS_BACKEND=backend, PYTHONUNBUFFERED="1")
    return subprocess.run([sys.executable, "-m", "automl", *map(str, args)], capture_output=True, text=True,
                          env=env, timeout=600)


def user_data(modality: str, folder: Path) -> tuple[Path, int]:
    """Data in the form users hand it over (a CSV, or a folder of files by class) and its number of rows."""
    if modality == "image":
        return synthetic.make_folder(folder / "images", per_class=20), 40
    if modality == "audio":
        return synthetic.make_clips(folder / "clips", per_class=16), 32
    frame = synthetic.reviews(60) if modality == "text" else synthetic.table("multiclass", 120)
    path = folder / f"{modality}.csv"
    frame.to_csv(path, index=False)
    return path, len(frame)


def installed(backend: str) -> bool:
    return importlib.util.find_spec(backend) is not None


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("modality", MODALITIES)
def test_fit_and_predict_on_every_backend(backend, modality, tmp_path):
    if not installed(backend):
        pytest.skip(f"{backend} is not installed")
    data, rows = user_data(modality, tmp_path)
    fit = automl(backend, "fit", data, "--budget", "60s", "--max-trials", "1", "--max-epochs", "1",
                 "--out", tmp_path / "runs", "--json")
    assert fit.returncode == 0, fit.stderr[-3000:]
    run = Path(json.loads(fit.stdout)["run_dir"])
    record = json.loads((run / "run.json").read_text())
    assert record["modality"] == modality
    assert record["hardware"]["backend"] == backend
    assert f"KERAS_BACKEND={backend}" in " ".join(record["plan"]["reasons"])
    deep = [f for f in record["finalists"] if f["approach"] == "deep"]
    assert deep and np.isfinite(deep[0]["test_scores"]["accuracy"]), record["finalists"]

    predicted = automl(backend, "predict", run, data, "--approach", "deep", "-o", tmp_path / "deep.csv")
    assert predicted.returncode == 0, predicted.stderr[-3000:]
    ours = pd.read_csv(tmp_path / "deep.csv")
    assert len(ours) == rows
    if modality in ("image", "audio"):  # a folder's predictions lead with each file's path
        assert ours.columns[0] == "path" and ours["path"].str.contains("/").all()
    proba = ours.filter(like="proba_")
    assert proba.shape[1] == len(record["classes"])
    assert np.allclose(proba.sum(axis=1), 1.0, atol=1e-4)
    label = next(c for c in ours.columns if c.startswith("predicted_"))
    assert set(ours[label].astype(str)) <= set(map(str, record["classes"]))

    other = SERVED_BY[backend]
    if installed(other):
        served = automl(other, "predict", run, data, "--approach", "deep", "-o", tmp_path / "served.csv")
        assert served.returncode == 0, served.stderr[-3000:]
        theirs = pd.read_csv(tmp_path / "served.csv")
        assert np.allclose(theirs.filter(like="proba_"), proba, atol=1e-4), f"{backend} and {other} disagree"
