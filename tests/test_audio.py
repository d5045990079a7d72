"""Audio end to end: folders of clips in, inspection and the plan, both routes, predict from the saved run.

Synthetic tones (a low and a high pitch, with noise, at mixed sample rates,
channel counts and formats) stand in for recordings; the end-to-end tests cap
the search at 1 trial and 1 epoch. Signal-level tests live in test_audio_signal.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import soundfile

from automl.data import load
from automl.errors import DataError
from automl.data.profile import inspect_dataset

FORMATS = (("wav", "PCM_16"), ("wav", "FLOAT"), ("flac", "PCM_16"), ("ogg", "VORBIS"))


def tone(hz: float, rate: int, seconds: float, seed: int, channels: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(int(rate * seconds)) / rate
    wave = 0.5 * np.sin(2 * np.pi * hz * t) + 0.05 * rng.standard_normal(len(t))
    return np.stack([wave] * channels, axis=1) if channels > 1 else wave


def make_clips(root: Path, per_class: int = 24, mixed: bool = True) -> Path:
    for label, hz in (("low", 300.0), ("high", 1200.0)):
        (root / label).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            rate = (8000, 16000, 11025)[i % 3] if mixed else 8000
            fmt, subtype = FORMATS[i % len(FORMATS)] if mixed else ("wav", "PCM_16")
            channels = 2 if mixed and i % 2 else 1
            seconds = 0.4 + 0.1 * (i % 5)
            soundfile.write(root / label / f"{i}.{fmt}", tone(hz, rate, seconds, i, channels), rate, subtype=subtype)
    return root


def test_inspect_a_folder_of_clips_profiles_durations_and_plans_a_rate(tmp_path):
    from automl.run.plan import make_plan
    from automl.hardware import Hardware

    profile = inspect_dataset(load(make_clips(tmp_path / "tones")))
    assert profile.modality == "audio" and profile.task == "binary"
    column = profile.column("path")
    assert column.kind == "audio_path" and column.stats["count"] == 48
    assert "Hz" in column.reason and "95th percentile" in column.reason
    plan = make_plan(profile, 300, Hardware(2, 8 << 30, None))
    spec = plan.inputs["audio"]
    assert spec["sample_rate"] in (8000, 11025, 16000) and 0.4 <= spec["seconds"] <= 1.0
    assert any("Hz" in r for r in plan.reasons)


def test_too_many_unreadable_clips_stop_inspection(tmp_path):
    folder = make_clips(tmp_path / "tones", per_class=10, mixed=False)
    for p in list((folder / "low").glob("*.wav"))[:3]:
        p.write_bytes(b"RIFF not really")
    with pytest.raises(DataError, match="cannot be read"):
        inspect_dataset(load(folder))


@pytest.fixture(scope="module")
def tones_run(tmp_path_factory):
    from automl import AutoML

    root = tmp_path_factory.mktemp("audio")
    data = make_clips(root / "tones")
    model = AutoML(budget="90s", max_trials=1, max_epochs=1, out=root / "runs").fit(data)
    return model, data


@pytest.mark.slow
def test_fit_a_folder_of_clips_trains_both_and_predicts_from_the_saved_run(tones_run, tmp_path):
    from click.testing import CliRunner

    from automl.cli import main

    model, data = tones_run
    board = model.leaderboard_.set_index("approach")
    assert set(board.index) == {"classical", "deep", "blend"}
    assert board.loc["classical", "test_accuracy"] >= 0.9
    record = json.loads((model.run_dir_ / "run.json").read_text())
    assert record["modality"] == "audio" and "sample_rate" in record["plan"]["inputs"]["audio"]
    new = tmp_path / "new"
    new.mkdir()
    soundfile.write(new / "a_high.wav", tone(1200.0, 22050, 0.6, 7, channels=2), 22050, subtype="PCM_24")
    soundfile.write(new / "b_low.flac", tone(300.0, 8000, 0.3, 8), 8000)
    result = CliRunner().invoke(main, ["predict", str(model.run_dir_), str(new), "--approach", "classical"])
    assert result.exit_code == 0, result.output
    out = pd.read_csv(pd.io.common.StringIO(result.stdout))
    assert out["predicted_label"].tolist() == ["high", "low"]
    scores, _ = __import__("automl").load(model.run_dir_, "classical").evaluate(data)
    assert scores["accuracy"] >= 0.9


@pytest.mark.slow
def test_a_few_hundred_fsdd_clips_end_to_end(shared_data, tmp_path):
    from automl import AutoML

    source = shared_data / "fsdd"
    for label in sorted(p.name for p in source.iterdir() if p.is_dir()):
        (tmp_path / "fsdd" / label).mkdir(parents=True)
        for f in sorted((source / label).glob("*.wav"))[:25]:
            shutil.copy(f, tmp_path / "fsdd" / label / f.name)
    model = AutoML(budget="90s", max_trials=1, max_epochs=1, out=tmp_path / "runs").fit(tmp_path / "fsdd")
    board = model.leaderboard_.set_index("approach")
    assert board.loc["classical", "test_accuracy"] >= 0.5
    assert 0.0 <= board.loc["deep", "test_accuracy"] <= 1.0


@pytest.mark.slow
def test_audio_deep_route_under_jax(tmp_path):
    pytest.importorskip("jax")
    data = make_clips(tmp_path / "tones", per_class=16)
    script = (
        "import keras; from automl import AutoML;"
        f"m = AutoML(budget='90s', max_trials=1, max_epochs=1, out={str(tmp_path / 'runs')!r}).fit({str(data)!r});"
        "b = m.leaderboard_; print(keras.backend.backend(), ','.join(sorted(b.approach)))"
    )
    env = dict(os.environ, KERAS_BACKEND="jax")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=tmp_path,
                          timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().splitlines()[-1] == "jax blend,classical,deep"
