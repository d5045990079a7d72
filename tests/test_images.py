"""Images: folders and path tables in, decoding, classical features, the plan, and both routes end to end.

Unit tests use tiny generated images (horizontal against vertical stripes, in
every format and colour mode we accept); the end-to-end tests cap the search
at 1 trial and 1 epoch.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from synthetic import make_folder, stripes

from automl.data import load
from automl.errors import DataError
from automl.data.folders import read_folder
from automl.modalities.image import IMAGE
from automl.modalities.image.decode import ImageSpec, choose_spec, decode, probe
from automl.modalities.image.features import features
from automl.modalities.media import decoding


def decode_many(paths, spec):
    return decoding.decode_many(paths, spec, decode)


def decode_column(paths, spec, memory_bytes):
    return decoding.decode_column(paths, spec, memory_bytes, decode, IMAGE.unit)
from automl.data.profile import inspect_dataset, inspect_frame
from automl.data.paths import resolve_paths

@pytest.fixture
def folder(tmp_path) -> Path:
    return make_folder(tmp_path / "stripes")


# --------------------------------------------------------------------------- reading folders and paths


def test_read_folder_labels_from_class_folders_and_notes_what_it_skipped(folder):
    (folder / "notes.txt").write_text("not an image")
    (folder / "empty_class").mkdir()
    (folder / ".hidden").mkdir()
    stripes("vertical").save(folder / ".hidden" / "x.png")
    listing = read_folder(folder)
    assert listing.kind == "image"
    assert list(listing.frame.columns) == ["path", "label"]
    assert listing.frame["label"].value_counts().to_dict() == {"horizontal": 30, "vertical": 30}
    assert all(not p.startswith(".hidden") for p in listing.frame["path"])
    notes = " ".join(listing.notes)
    assert "notes.txt" in notes and "'empty_class'" in notes


def test_read_folder_with_images_and_audio_uses_the_larger_group_and_says_so(folder):
    (folder / "horizontal" / "clip.wav").write_bytes(b"RIFF")
    listing = read_folder(folder)
    assert listing.kind == "image" and "1 audio" in " ".join(listing.notes)


def test_read_folder_without_media_is_an_error(tmp_path):
    (tmp_path / "a.json").write_text("{}")
    with pytest.raises(DataError, match="no image, audio or text files"):
        read_folder(tmp_path)


def test_flat_folder_and_single_file_load_without_labels(folder):
    flat = load(folder / "horizontal")
    assert list(flat.frame.columns) == ["path"] and len(flat.frame) == 30
    single = load(folder / "horizontal" / "0.png")
    assert single.frame["path"].tolist() == ["0.png"] and single.root == (folder / "horizontal").resolve()


def test_paths_may_not_leave_the_table_folder(tmp_path):
    (tmp_path / "inside").mkdir()
    stripes("vertical").save(tmp_path / "outside.png")
    with pytest.raises(DataError, match="outside the table's folder"):
        resolve_paths(["../outside.png"], tmp_path / "inside")
    with pytest.raises(DataError, match="outside the table's folder"):
        resolve_paths([str(tmp_path / "outside.png")], tmp_path / "inside")


def test_missing_files_are_named(tmp_path):
    with pytest.raises(DataError, match=r"2 file\(s\) that do not exist.*'a.png', 'b.png'"):
        resolve_paths(["a.png", "b.png"], tmp_path)


# --------------------------------------------------------------------------- probing, sizing, decoding


def test_probe_reports_sizes_modes_and_unreadable_files(folder):
    bad = folder / "horizontal" / "broken.png"
    bad.write_bytes(b"not a png at all")
    paths = sorted(str(p) for p in folder.rglob("*.*"))
    stats = probe(paths)
    assert stats.count == 61 and stats.readable == 60
    assert stats.unreadable == [str(bad)]
    assert stats.min_side == 16 and stats.max_side == 32
    assert set(stats.modes) >= {"L", "RGB"}
    assert not stats.grey


def test_choose_spec_follows_the_images_and_caps_the_size_by_budget():
    from automl.modalities.image.decode import ImageStats

    small_grey = ImageStats(10, 10, 8, 8, 8, 8, {"L": 10})
    assert choose_spec(small_grey, 180, gpu=False)[0] == ImageSpec(8, 1)
    photos = ImageStats(10, 10, 640, 480, 300, 900, {"RGB": 10})
    spec, why = choose_spec(photos, 120, gpu=False)
    assert spec == ImageSpec(32, 3) and "allows inputs up to 32x32" in why
    assert choose_spec(photos, 3600, gpu=True)[0].size == 224


def test_decode_converts_modes_and_sizes(tmp_path):
    rgba = Image.new("RGBA", (40, 20), (255, 0, 0, 0))  # fully transparent: white after compositing
    rgba.save(tmp_path / "a.png")
    grey = decode(str(tmp_path / "a.png"), ImageSpec(8, 1))
    assert grey.shape == (8, 8, 1) and grey.dtype == np.uint8 and int(grey.min()) == 255
    colour = decode(str(tmp_path / "a.png"), ImageSpec(8, 3))
    assert colour.shape == (8, 8, 3)
    frames = [Image.new("L", (10, 10), 0), Image.new("L", (10, 10), 255)]
    frames[0].save(tmp_path / "anim.gif", save_all=True, append_images=frames[1:])
    assert int(decode(str(tmp_path / "anim.gif"), ImageSpec(8, 1)).max()) == 0  # the first frame


def test_large_jpeg_is_shrunk_while_decoding(tmp_path):
    Image.new("RGB", (4000, 3000), (10, 200, 30)).save(tmp_path / "big.jpg", quality=80)
    array = decode(str(tmp_path / "big.jpg"), ImageSpec(32, 3))
    assert array.shape == (32, 32, 3)
    assert abs(int(array[..., 1].mean()) - 200) < 5


def test_truncated_files_are_skipped_and_too_many_stop_the_run(tmp_path):
    paths = []
    for i in range(20):
        stripes("vertical", 32, "RGB", seed=i).save(tmp_path / f"{i}.jpg", quality=90)
        paths.append(str(tmp_path / f"{i}.jpg"))
    data = Path(paths[3]).read_bytes()
    Path(paths[3]).write_bytes(data[: len(data) // 2])
    _, bad = decode_many(paths, ImageSpec(16, 3))
    assert [i for i, _ in bad] == [3]
    decoded = decode_column(paths, ImageSpec(16, 3), memory_bytes=1 << 30)
    assert decoded.good.sum() == 19 and decoded.bad[0]["path"] == paths[3]
    assert decoded.cache is not None and decoded.cache.lookup(paths[:2], ImageSpec(16, 3)).shape == (2, 16, 16, 3)
    for i in (5, 7, 9):
        Path(paths[i]).write_bytes(b"garbage")
    with pytest.raises(DataError, match=r"4 of 20 images \(20%\) cannot be decoded"):
        decode_column(paths, ImageSpec(16, 3), memory_bytes=1 << 30)


def test_images_too_large_for_memory_are_not_cached(folder):
    paths = sorted(str(p) for p in folder.rglob("*.png"))
    assert decode_column(paths, ImageSpec(16, 1), memory_bytes=100).cache is None


def test_features_have_fixed_width_and_tell_stripes_apart():
    horizontal = np.stack([np.asarray(stripes("horizontal", 16, seed=i))[..., None] for i in range(5)])
    vertical = np.stack([np.asarray(stripes("vertical", 16, seed=i))[..., None] for i in range(5)])
    fh, fv = features(horizontal), features(vertical)
    assert fh.shape == fv.shape == (5, features(horizontal[:1]).shape[1])
    assert fh.dtype == np.float32 and np.isfinite(fh).all()
    assert np.abs(fh.mean(axis=0) - fv.mean(axis=0)).max() > 0.3
    colour = features(np.zeros((2, 16, 16, 3), dtype="uint8"))
    assert colour.shape[1] > fh.shape[1]  # colour histograms and a thumbnail per channel


# --------------------------------------------------------------------------- inspection and the plan


def test_inspect_a_folder_profiles_the_images_and_plans_a_size(folder):
    from automl.run.plan import make_plan
    from automl.hardware import Hardware

    profile = inspect_dataset(load(folder))
    assert profile.modality == "image" and profile.task == "binary"
    column = profile.column("path")
    assert column.kind == "image_path" and column.stats["count"] == 60
    assert "median" in column.reason
    plan = make_plan(profile, 180, Hardware(2, 8 << 30, None))
    assert plan.inputs["image"] == {"size": 24, "channels": 3}  # the median of 16, 24 and 32
    assert any("resized to 24x24 RGB" in r for r in plan.reasons)


def test_a_table_of_paths_reads_its_other_columns_beside_the_images_for_gradient_boosting(folder):
    rows = [{"file": p.relative_to(folder).as_posix(), "label": p.parent.name, "width": i % 7}
            for i, p in enumerate(sorted(folder.rglob("*.*")))]
    pd.DataFrame(rows).to_csv(folder / "labels.csv", index=False)
    profile = inspect_dataset(load(folder / "labels.csv"))
    assert profile.modality == "image"
    assert [c.name for c in profile.features] == ["file", "width"]
    assert "by both gradient boosting and the network" in profile.column("width").reason


def test_whole_number_labels_of_a_small_image_table_are_classes(tmp_path):
    for i in range(24):  # 6 classes of 4 images: too few rows per class for a plain table to call them classes
        stripes("vertical" if i % 2 else "horizontal", seed=i).save(tmp_path / f"{i}.png")
    table = pd.DataFrame({"file": [f"{i}.png" for i in range(24)], "digit": [i % 6 for i in range(24)]})
    table.to_csv(tmp_path / "labels.csv", index=False)
    profile = inspect_dataset(load(tmp_path / "labels.csv"), target="digit")
    assert profile.task == "multiclass" and "next to image files" in profile.task_reason
    assert inspect_dataset(load(tmp_path / "labels.csv"), target="digit", task="regression").task == "regression"
    plain = table.assign(file=np.arange(24) * 1.5)  # the same labels beside a number are still read as values
    assert inspect_frame(plain, target="digit").task == "regression"


def test_a_table_naming_missing_or_escaping_files_is_a_one_line_error(tmp_path):
    pd.DataFrame({"image": ["a.png", "b.png"] * 15, "label": ["x", "y"] * 15}).to_csv(tmp_path / "t.csv", index=False)
    with pytest.raises(DataError, match="do not exist"):
        inspect_dataset(load(tmp_path / "t.csv"))
    escaping = [f"../{i}.png" for i in range(30)]
    pd.DataFrame({"image": escaping, "label": ["x", "y"] * 15}).to_csv(tmp_path / "t.csv", index=False)
    with pytest.raises(DataError, match="outside the table's folder"):
        inspect_dataset(load(tmp_path / "t.csv"))


def test_many_unreadable_images_stop_inspection(folder):
    for p in list((folder / "horizontal").glob("*.png"))[:4] + list((folder / "vertical").glob("*.png"))[:4]:
        p.write_bytes(b"broken")
    with pytest.raises(DataError, match="cannot be read"):
        inspect_dataset(load(folder))


def test_a_single_class_folder_is_a_one_line_error(tmp_path):
    make_folder(tmp_path / "one")
    shutil.rmtree(tmp_path / "one" / "vertical")
    from automl.errors import TargetError

    with pytest.raises(TargetError, match="one class"):
        inspect_dataset(load(tmp_path / "one"))


# --------------------------------------------------------------------------- end to end


@pytest.fixture(scope="module")
def stripes_run(tmp_path_factory):
    from automl import AutoML

    root = tmp_path_factory.mktemp("images")
    data = make_folder(root / "stripes", per_class=40)
    model = AutoML(budget="90s", max_trials=1, max_epochs=1, out=root / "runs").fit(data)
    return model, data


@pytest.mark.slow
def test_fit_a_folder_trains_both_approaches_and_predicts_like_the_test_rows(stripes_run):
    from automl import load as load_run

    model, data = stripes_run
    board = model.leaderboard_
    assert sorted(board["approach"]) == ["baseline", "blend", "classical", "deep"]
    assert board.loc[board.approach == "classical", "test_accuracy"].item() >= 0.9
    record = json.loads((model.run_dir_ / "run.json").read_text())
    assert record["modality"] == "image" and record["plan"]["inputs"]["image"]["channels"] == 3
    trials = [json.loads(line) for line in (model.run_dir_ / "trials.jsonl").read_text().splitlines()]
    assert any(t["approach"] == "deep" and "rows_per_second" in t["extra"] for t in trials)
    saved = pd.read_csv(model.run_dir_ / "test_predictions.csv")
    listing = read_folder(data).frame
    test_rows = listing.iloc[saved["row"]]
    for approach in ("classical", "deep"):
        predictor = load_run(model.run_dir_, approach)
        again = predictor.predict(pd.DataFrame({"path": test_rows["path"]}).pipe(
            lambda f: f.assign(path=[str(data / p) for p in f.path])))
        assert list(again) == saved[f"{approach}_prediction"].tolist()
    scores, _ = load_run(model.run_dir_, "classical").evaluate(data)
    assert scores["accuracy"] >= 0.9


@pytest.mark.slow
def test_predict_on_a_folder_a_single_file_and_a_grey_image_from_the_cli(stripes_run, tmp_path):
    from click.testing import CliRunner

    from automl.cli import main

    model, data = stripes_run
    new = tmp_path / "new"
    new.mkdir()
    stripes("vertical", 24, "L", seed=99).save(new / "grey.png")  # the model was trained on RGB: converted
    stripes("horizontal", 64, "RGB", seed=98).save(new / "big.jpg")
    result = CliRunner().invoke(main, ["predict", str(model.run_dir_), str(new), "--approach", "classical"])
    assert result.exit_code == 0, result.output
    out = pd.read_csv(pd.io.common.StringIO(result.stdout))
    assert out["predicted_label"].tolist() == ["horizontal", "vertical"]  # big.jpg, grey.png (sorted)
    single = CliRunner().invoke(main, ["predict", str(model.run_dir_), str(new / "grey.png"), "--approach", "classical"])
    assert single.exit_code == 0 and "vertical" in single.stdout


@pytest.mark.slow
def test_streamed_training_when_images_do_not_fit_in_memory(tmp_path, monkeypatch):
    import automl.modalities.media.decoding
    from automl import AutoML

    monkeypatch.setattr(automl.modalities.media.decoding, "CACHE_SHARE", 0.0)
    data = make_folder(tmp_path / "stripes", per_class=20, mixed=False)
    model = AutoML(budget="60s", max_trials=1, max_epochs=1, compare=False, out=tmp_path / "runs").fit(data)
    notes = " ".join(json.loads((model.run_dir_ / "run.json").read_text())["finalists"][0]["notes"])
    assert "streamed from disk" in notes


@pytest.mark.slow
def test_a_few_hundred_real_digits_end_to_end(shared_data, tmp_path):
    from automl import AutoML

    source = shared_data / "digits_png"
    for label in sorted(p.name for p in source.iterdir() if p.is_dir()):
        (tmp_path / "digits" / label).mkdir(parents=True)
        for f in sorted((source / label).glob("*.png"))[:30]:
            shutil.copy(f, tmp_path / "digits" / label / f.name)
    model = AutoML(budget="90s", max_trials=1, max_epochs=1, out=tmp_path / "runs").fit(tmp_path / "digits")
    board = model.leaderboard_.set_index("approach")
    assert board.loc["classical", "test_accuracy"] >= 0.8
    assert 0.0 <= board.loc["deep", "test_accuracy"] <= 1.0
    assert json.loads((model.run_dir_ / "run.json").read_text())["plan"]["inputs"]["image"] == {"size": 8,
                                                                                                 "channels": 1}


@pytest.mark.slow
@pytest.mark.parametrize("streamed", [False, True])
def test_time_left_after_the_search_trains_more_networks_whose_better_mean_saves_and_loads(tmp_path, monkeypatch,
                                                                                           streamed):
    import dataclasses
    import warnings

    from test_route_contract import context

    import automl.modalities.media.decoding
    from automl.budget import Deadline
    from automl.modalities.image.network import ImageHyperModel, ImageNetworkRoute
    from automl.search import members

    if streamed:  # the training images come in batches from disk, not as arrays
        monkeypatch.setattr(automl.modalities.media.decoding, "CACHE_SHARE", 0.0)
    # a network trained alone that stops on its plateau, as a search's winner does (an image network trained
    # alone otherwise trains to the deadline and leaves no time for more)
    monkeypatch.setattr(ImageHyperModel, "decay_to_deadline", False)
    ctx, handed, split = context("image", "deep", "multiclass", tmp_path, Deadline(40.0), max_trials=2)
    ctx = dataclasses.replace(ctx, max_epochs=None)  # as a run: epochs as the time allows, then more networks
    grow = members.grow

    def favouring_the_mean(found, hypermodel, ctx, wrap, x, y, score, batch, max_members):
        assert max_members == 3
        better = lambda model: score(model) + (1.0 if model.name == "deep_ensemble" else 0.0)  # noqa: E731
        return grow(found, hypermodel, ctx, wrap, x, y, better, batch, max_members)

    monkeypatch.setattr(members, "grow", favouring_the_mean)
    route = ImageNetworkRoute()
    found = route.search(ctx)
    tried = [t for t in ctx.trials if t.extra.get("member")]
    assert tried and all(t.extra["finished"] and t.extra["rows_per_second"] > 0 for t in tried), found.notes
    assert found.model.params["members"] == len(tried) + 1 and handed[-1] is found.model
    assert found.model.name == f"mean of {len(tried) + 1} image networks"
    assert "so the mean is the model" in " ".join(found.notes)
    folder = tmp_path / "saved"
    folder.mkdir()
    found.model.save(folder)
    again = route.load(folder)
    frame = split.X_test
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # Keras warns when the inputs' structure is not the model's
        np.testing.assert_allclose(again.predict_proba(frame), found.model.predict_proba(frame), rtol=1e-5,
                                   atol=1e-6)
    assert len(members.members_of(again.keras_model)) == len(tried) + 1
