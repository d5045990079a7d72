"""Damaged or hostile run directories: one ``automl: error: RUN is damaged: ...`` line and exit code 2, never a
traceback, and nothing in a file is ever executed.

Two small real runs are made once for the module: a table with both approaches (XGBoost ``model.ubj``, a Keras
``model.keras``, the blend) and a short text run (a skops ``model.skops`` and ``vectorizer.json``). Each case copies
one, damages one thing (a file missing, truncated, replaced by a pickle that would create a marker file when
unpickled, garbage, a run.json that is not an object or lacks a key, a model path that leaves the run), then checks
``automl predict`` and ``automl.load``. Deep models need Keras: slow.
"""

from __future__ import annotations

import json
import os
import pathlib
import pickle
import shutil
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from synthetic import reviews

import automl
from automl import AutoML
from automl.cli import main
from automl.errors import DamagedRunError

pytestmark = pytest.mark.slow


class Touch:
    """Unpickling this creates ``marker`` (through ``Path.touch``): a loader that unpickles runs code from the file."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return pathlib.Path.touch, (self.marker,)


def table(n: int = 200, seed: int = 0) -> pd.DataFrame:
    """Two numbers and a category; the label is the sign of the numbers' sum."""
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=n), rng.normal(size=n)
    return pd.DataFrame({"a": a, "b": b, "c": rng.choice(["x", "y", "z"], n),
                         "label": np.where(a + b > 0, "yes", "no")})


def deep_budget(frame: pd.DataFrame) -> int:
    """The smallest budget in 5 s steps from 40 s whose plan includes the deep comparison on this machine."""
    from automl.data.profile import inspect_frame
    from automl.hardware import detect
    from automl.run.plan import make_plan

    profile, hardware = inspect_frame(frame, "label"), detect()
    for seconds in range(40, 125, 5):
        if make_plan(profile, seconds, hardware).approach("deep") is not None:
            return seconds
    pytest.fail("no budget up to 2 minutes includes the deep comparison")


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> dict[str, Path]:
    """The two runs (made once) and a labelled file for each, by name."""
    root = tmp_path_factory.mktemp("damaged_base")
    frame, texts = table(), reviews(80)
    frame.to_csv(root / "table.csv", index=False)
    texts.to_csv(root / "reviews.csv", index=False)
    tabular = AutoML(budget=f"{deep_budget(frame)}s", max_trials=1, max_epochs=1, out=root / "runs").fit(
        frame, target="label")
    text = AutoML(budget="15s", max_trials=1, out=root / "runs").fit(texts, target="label")  # too short for deep
    assert {"classical", "deep", "blend"} <= set(json.loads((tabular.run_dir_ / "run.json").read_text())["models"])
    assert (text.run_dir_ / "models" / "classical" / "model.skops").is_file()
    return {"tabular": tabular.run_dir_, "text": text.run_dir_, "tabular.csv": root / "table.csv",
            "text.csv": root / "reviews.csv"}


# --------------------------------------------------------------------------- ways to damage a run


def remove(relative: str) -> Callable[[Path, Path], None]:
    def damage(run: Path, marker: Path) -> None:
        os.remove(run / relative)
    return damage


def truncate(relative: str) -> Callable[[Path, Path], None]:
    def damage(run: Path, marker: Path) -> None:
        data = (run / relative).read_bytes()
        (run / relative).write_bytes(data[: len(data) // 2])
    return damage


def pickled(relative: str) -> Callable[[Path, Path], None]:
    """The file replaced by a pickle that creates ``marker`` when loaded."""
    def damage(run: Path, marker: Path) -> None:
        (run / relative).write_bytes(pickle.dumps(Touch(marker)))
    return damage


def garbage(relative: str) -> Callable[[Path, Path], None]:
    def damage(run: Path, marker: Path) -> None:
        (run / relative).write_bytes(bytes(range(256)) * 40)
    return damage


def edit_json(relative: str, change: Callable[[Any], Any]) -> Callable[[Path, Path], None]:
    """The JSON file rewritten after ``change`` edited it in place (what ``change`` returns is ignored)."""
    def damage(run: Path, marker: Path) -> None:
        data = json.loads((run / relative).read_text())
        change(data)
        (run / relative).write_text(json.dumps(data))
    return damage


def write_text(relative: str, text: str) -> Callable[[Path, Path], None]:
    def damage(run: Path, marker: Path) -> None:
        (run / relative).write_text(text)
    return damage


def moved_out(relative: str, link: bool, key: str = "") -> Callable[[Path, Path], None]:
    """The model folder moved beside the run; a symbolic link in its place (``link``), or run.json's ``key``
    pointing at it with ``..``."""
    def damage(run: Path, marker: Path) -> None:
        outside = run.parent / "outside" / Path(relative).name
        outside.parent.mkdir()
        shutil.move(str(run / relative), str(outside))
        if link:
            (run / relative).symlink_to(outside, target_is_directory=True)
        else:
            edit_json("run.json", lambda d: d["models"].update({key: "models/../../outside/" + outside.name}))(
                run, marker)
    return damage


def linked_file(relative: str) -> Callable[[Path, Path], None]:
    """A model file replaced by a symbolic link to a copy outside the run."""
    def damage(run: Path, marker: Path) -> None:
        outside = run.parent / "outside.json"
        shutil.copy(run / relative, outside)
        os.remove(run / relative)
        (run / relative).symlink_to(outside)
    return damage


def absolute(key: str) -> Callable[[Path, Path], None]:
    """run.json's ``key`` (``models.NAME`` or ``deployed.models.NAME``) made the folder's absolute path."""
    def damage(run: Path, marker: Path) -> None:
        def change(data: dict) -> None:
            *parents, name = key.split(".")
            holder = data
            for part in parents:
                holder = holder[part]
            holder[name] = str((run / holder[name]).resolve())
        edit_json("run.json", change)(run, marker)
    return damage


def skops_of_another_model(relative: str) -> Callable[[Path, Path], None]:
    """A real skops file, but of an estimator the route never saves there."""
    def damage(run: Path, marker: Path) -> None:
        import skops.io
        from sklearn.tree import DecisionTreeClassifier

        skops.io.dump(DecisionTreeClassifier().fit([[0.0], [1.0]], [0, 1]), run / relative)
    return damage


def without(key: str) -> Callable[[Path, Path], None]:
    return edit_json("run.json", lambda d: d.pop(key))


CLASSICAL, DEEP, TEXT = "models/classical/", "models/deep/", "models/classical/"
CASES = [
    # (run, --approach, damage, what the error line names)
    pytest.param("tabular", "classical", remove(CLASSICAL + "model.json"), "model.json is missing",
                 id="gbm-json-missing"),
    pytest.param("tabular", "classical", truncate(CLASSICAL + "model.json"), "model.json is not valid JSON",
                 id="gbm-json-truncated"),
    pytest.param("tabular", "classical", pickled(CLASSICAL + "model.json"), "model.json is not valid JSON",
                 id="gbm-json-pickle"),
    pytest.param("tabular", "classical", remove(CLASSICAL + "model.ubj"),
                 "model.ubj (or model.skops, model.cbm, m0-0) is missing", id="ubj-missing"),
    pytest.param("tabular", "classical", truncate(CLASSICAL + "model.ubj"), "model.ubj is not an XGBoost model",
                 id="ubj-truncated"),
    pytest.param("tabular", "classical", pickled(CLASSICAL + "model.ubj"), "model.ubj is not an XGBoost model",
                 id="ubj-pickle"),
    pytest.param("tabular", "classical", edit_json(CLASSICAL + "model.json", lambda d: d["encoder"]["specs"][0].update(
        kind="colour")), "has kind 'colour'", id="encoder-kind"),
    pytest.param("tabular", "classical", edit_json(CLASSICAL + "model.json", lambda d: d.update(family="hist_gbm")),
                 "not the HistGradientBoostingClassifier", id="gbm-family-swapped"),
    pytest.param("tabular", "deep", remove(DEEP + "model.keras"), "model.keras is missing", id="keras-missing"),
    pytest.param("tabular", "deep", truncate(DEEP + "model.keras"), "model.keras is not a Keras archive",
                 id="keras-truncated"),
    pytest.param("tabular", "deep", pickled(DEEP + "model.keras"), "model.keras is not a Keras archive",
                 id="keras-pickle"),
    pytest.param("tabular", "deep", garbage(DEEP + "model.keras"), "model.keras is not a Keras archive",
                 id="keras-garbage"),
    pytest.param("tabular", "deep", truncate(DEEP + "model.json"), "models/deep/model.json is not valid JSON",
                 id="mlp-json-truncated"),
    pytest.param("tabular", "deep", edit_json(DEEP + "model.json", lambda d: d["prep"]["medians"].append(0.0)),
                 "medians are not", id="mlp-medians"),
    pytest.param("tabular", "blend", pickled("models/blend/blend.json"), "blend.json is not valid JSON",
                 id="blend-pickle"),
    pytest.param("tabular", "blend", edit_json("models/blend/blend.json", lambda d: d.update(
        weights=[-1.0] * len(d["members"]))), "blend.json has weights=[-1.0", id="blend-weights"),
    pytest.param("tabular", "blend", edit_json("models/blend/blend.json", lambda d: d.update(
        members=["classical", "forest"], weights=[0.5, 0.5])), "names 'forest'", id="blend-unknown-member"),
    pytest.param("text", "classical", truncate(TEXT + "model.skops"), "model.skops is not a skops archive",
                 id="skops-truncated"),
    pytest.param("text", "classical", pickled(TEXT + "model.skops"), "model.skops is not a skops archive",
                 id="skops-pickle"),
    pytest.param("text", "classical", skops_of_another_model(TEXT + "model.skops"), "model.skops",
                 id="skops-other-model"),
    pytest.param("text", "classical", truncate(TEXT + "vectorizer.json"), "vectorizer.json is not valid JSON",
                 id="vectorizer-truncated"),
    pytest.param("text", "classical", edit_json(TEXT + "vectorizer.json", lambda d: d["parts"][0]["params"].update(
        analyzer="code")), "analyzer='code'", id="vectorizer-settings"),
    pytest.param("tabular", "best", remove("run.json"), "run.json is missing", id="record-missing"),
    pytest.param("tabular", "best", write_text("run.json", '{"task": "binary", '), "run.json is not valid JSON",
                 id="record-not-json"),
    pytest.param("tabular", "best", write_text("run.json", "[1, 2, 3]"), "run.json holds a list", id="record-list"),
    pytest.param("tabular", "best", without("task"), "run.json lacks 'task'", id="record-no-task"),
    pytest.param("tabular", "best", without("models"), "run.json lacks 'models'", id="record-no-models"),
    pytest.param("tabular", "best", without("features"), "run.json lacks 'features'", id="record-no-features"),
    pytest.param("tabular", "best", without("kinds"), "run.json lacks 'kinds'", id="record-no-kinds"),
    pytest.param("tabular", "best", edit_json("run.json", lambda d: d.update(features="a")), "run.json has features=",
                 id="record-features-type"),
    pytest.param("tabular", "classical", absolute("models.classical"), "models.classical is an absolute path",
                 id="path-absolute"),
    pytest.param("tabular", "best", absolute("deployed.models.classical"),
                 "deployed.models.classical is an absolute path", id="deployed-path-absolute"),
    pytest.param("tabular", "classical", moved_out("models/classical", link=False, key="classical"),
                 "leaves the run directory", id="path-dotdot"),
    pytest.param("tabular", "classical", moved_out("models/classical", link=True), "leads outside the run directory",
                 id="folder-symlink-out"),
    pytest.param("tabular", "classical", linked_file(CLASSICAL + "model.json"), "outside the run directory",
                 id="file-symlink-out"),
]


@pytest.mark.parametrize("name, approach, damage, needle", CASES)
def test_a_damaged_run_gives_one_line_and_runs_nothing(base, tmp_path, name, approach, damage, needle):
    run, marker = tmp_path / "work" / "run", tmp_path / "MARKER"
    shutil.copytree(base[name], run, symlinks=True)
    damage(run, marker)

    result = CliRunner().invoke(main, ["predict", str(run), str(base[f"{name}.csv"]), "--approach", approach])
    assert result.exit_code == 2, (result.output, result.exception)
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"automl: error: {run} is damaged: "), lines[0]
    assert needle in lines[0], (needle, lines[0])
    assert "\n" not in lines[0] and "automl fit" in lines[0]

    with pytest.raises(DamagedRunError, match="is damaged"):
        automl.load(run, approach)
    assert not marker.exists(), "a file of the run was unpickled"


def test_the_pickle_payload_would_run_if_a_loader_unpickled_it(tmp_path):
    """The cases above mean something: this payload does create its marker when unpickled."""
    marker = tmp_path / "proof"
    pickle.loads(pickle.dumps(Touch(marker)))
    assert marker.exists()


def test_the_undamaged_runs_still_predict(base):
    for name in ("tabular", "text"):
        result = CliRunner().invoke(main, ["predict", str(base[name]), str(base[f"{name}.csv"])])
        assert result.exit_code == 0, (result.output, result.exception)


@pytest.mark.parametrize("run_json", ['{"task": ', "[]", '{"task": "binary"}'], ids=["not-json", "list", "no-keys"])
def test_report_on_a_damaged_run_json_gives_one_line(base, tmp_path, run_json):
    run = tmp_path / "run"
    shutil.copytree(base["text"], run)
    (run / "run.json").write_text(run_json)
    result = CliRunner().invoke(main, ["report", str(run), "--format", "json"])
    assert result.exit_code == 2, (result.output, result.exception)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"automl: error: {run} is damaged: run.json "), lines


def test_the_error_survives_pickling():
    """It crosses process boundaries whole (its arguments, not only its message)."""
    error = pickle.loads(pickle.dumps(DamagedRunError("runs/x", "run.json lacks 'task'")))
    assert (error.run, error.what) == ("runs/x", "run.json lacks 'task'")
    assert str(error).startswith("runs/x is damaged: run.json lacks 'task'. ")
