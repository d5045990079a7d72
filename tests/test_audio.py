"""Audio end to end: folders of clips in, inspection and the plan, both routes, predict from the saved run.

Synthetic tones (a low and a high pitch, with noise, at mixed sample rates,
channel counts and formats) stand in for recordings; the end-to-end tests cap
the search at 1 trial and 1 epoch. Signal-level tests live in test_audio_signal.py.
"""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
import soundfile

from synthetic import make_clips, tone

from automl.data import load
from automl.errors import DataError
from automl.data.profile import inspect_dataset

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


def test_the_default_audio_network_is_narrower_on_a_cpu_and_the_note_says_why():
    import keras_tuner

    from automl.modalities.audio.decode import AudioSpec
    from automl.modalities.audio.network import AudioHyperModel

    def first_filters(gpu: bool) -> tuple[int, str]:
        hypermodel = AudioHyperModel(AudioSpec(8000, 0.25), "multiclass", 3, gpu=gpu)
        model = hypermodel.build(keras_tuner.HyperParameters())
        convs = [layer for layer in model.layers if layer.__class__.__name__ == "Conv2D"]
        return convs[0].filters, hypermodel.width_note()

    cpu, cpu_note = first_filters(gpu=False)
    gpu, gpu_note = first_filters(gpu=True)
    assert (cpu, gpu) == (16, 32)
    assert "16 filters wide" in cpu_note and "32 filters wide" in gpu_note


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
    assert set(board.index) == {"classical", "deep", "blend", "baseline"}
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
