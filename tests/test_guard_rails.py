"""Guard rails: a guessed target says so and names the other candidates, leaks are flagged (not dropped),
``--drop`` leaves columns out, ``evaluate`` says when its rows are the run's own, and predictions carry the
file path or an ``--id`` column so they can be matched to what they predict."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from automl.cli import main
from automl.data import load
from automl.data.leaks import find_leaks
from automl.data.profile import inspect_dataset, inspect_frame
from automl.errors import ConfigError, DataError
from automl.predictor import load as load_run
from synthetic import make_folder, stripes

DATA = Path(__file__).resolve().parents[1] / "data"
WINE = DATA / "wine.csv"
FAST = ["--budget", "10s", "--no-compare", "--max-trials", "1"]
RNG = np.random.default_rng(0)


def invoke(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=True)


def one_error_line(result) -> str:
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("automl: error:"), lines
    return lines[0]


def people(n: int = 200) -> pd.DataFrame:
    """Titanic-like: the label first, a column named ``class`` that is not the label, a boolean last."""
    survived = RNG.integers(0, 2, n)
    grade = RNG.choice(["First", "Second", "Third"], n)
    return pd.DataFrame({"survived": survived, "age": RNG.normal(30, 10, n).round(1), "class": grade,
                         "fare": RNG.gamma(2.0, 10.0, n).round(2), "alone": RNG.integers(0, 2, n).astype(bool)})


# --------------------------------------------------------------------------- target choice


def test_a_target_chosen_by_its_name_says_so_and_names_the_other_candidates():
    p = inspect_frame(people())
    assert p.target == "class"
    assert p.target_candidates == ["survived", "alone"]
    warning = next(w for w in p.warnings if "other columns could be the target" in w)
    assert "'class' was chosen by its name, not given" in warning
    assert "'survived' (named like a target, 2 distinct values)" in warning
    assert "'alone' (the last column, 2 distinct values)" in warning and "--target" in warning


def test_a_target_taken_as_the_last_column_says_so():
    frame = people().rename(columns={"class": "grade", "survived": "code"})[["code", "age", "fare", "alone", "grade"]]
    p = inspect_frame(frame)
    assert p.target == "grade" and p.target_candidates == ["code"]
    assert any("'grade' was chosen as the last column, not given" in w and "'code' (the first column, 2 distinct "
               "values)" in w for w in p.warnings)


def test_a_given_target_or_no_other_candidate_gives_no_such_warning():
    assert inspect_frame(people(), target="survived").target_candidates == []
    honest = inspect_frame(pd.DataFrame({"x": RNG.normal(size=60), "y": ["a", "b"] * 30}))
    assert honest.target_candidates == [] and honest.warnings == []


def test_titanic_guesses_survived_and_a_class_target_flags_its_copy(shared_data):
    path = shared_data / "titanic" / "titanic.csv"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    p = inspect_dataset(load(path))
    assert p.target == "survived"  # 'class' is named like a target too, but 'pclass' relabels it
    assert "'pclass' relabels it one to one" in p.target_reason and "class" in p.target_candidates
    assert p.leaks == []
    asked = inspect_dataset(load(path), target="class")
    assert asked.leaks == ["pclass"] and asked.target_candidates == []
    assert any("'pclass' is a relabelling of the target 'class'" in w and "--drop pclass" in w for w in asked.warnings)


# --------------------------------------------------------------------------- leaks


def test_a_relabelled_copy_of_the_target_is_flagged_by_name():
    frame = people(300)
    frame["class_code"] = frame["class"].map({"First": 1, "Second": 2, "Third": 3})
    p = inspect_frame(frame, target="class")
    assert p.leaks == ["class_code"]
    warning = next(w for w in p.warnings if "class_code" in w)
    assert "relabelling of the target 'class'" in warning and "--drop class_code" in warning
    assert p.column("class_code").used  # flagged, not dropped


def test_a_single_column_that_predicts_the_target_almost_perfectly_is_flagged():
    n = 400
    y = RNG.integers(0, 2, n)
    frame = pd.DataFrame({"x": RNG.normal(size=n), "score after": y * 10 + RNG.normal(0, 1, n), "y": y})
    leaks = find_leaks(frame, "y", "binary", ["x", "score after"])
    assert [leak.column for leak in leaks] == ["score after"] and leaks[0].how == "predictor"
    assert leaks[0].score >= 0.99 and leaks[0].baseline < 0.6
    assert "--drop 'score after'" in leaks[0].reason


def test_a_column_of_amounts_written_for_people_is_judged_by_its_numbers():
    n = 300
    amount = RNG.uniform(10, 5000, n)
    frame = pd.DataFrame({"amount": [f"${a:,.2f}" for a in amount], "x": RNG.normal(size=n),
                          "y": np.where(amount > 2500, "big", "small")})
    p = inspect_frame(frame, target="y")
    assert p.column("amount").kind == "numeric" and p.leaks == ["amount"]
    assert any("column 'amount' alone predicts the target 'y'" in w for w in p.warnings)


def test_a_copy_of_a_numeric_target_is_flagged_for_regression():
    n = 300
    y = RNG.normal(100, 20, n)
    frame = pd.DataFrame({"x": RNG.normal(size=n), "y_in_cents": np.exp(y / 50), "y": y})
    p = inspect_frame(frame, target="y")
    assert p.task == "regression" and p.leaks == ["y_in_cents"]
    assert any("'y_in_cents' moves in step with the target 'y'" in w for w in p.warnings)


@pytest.mark.parametrize("name", ["wine.csv", "breast_cancer.csv", "diabetes.csv"])
def test_honest_data_has_no_leak_warning(name):
    p = inspect_dataset(load(DATA / name))
    assert p.leaks == []
    assert not any("--drop" in w for w in p.warnings)


# --------------------------------------------------------------------------- --drop


def test_drop_leaves_a_column_out_and_silences_its_leak_warning():
    frame = people(300)
    frame["class_code"] = frame["class"].map({"First": 1, "Second": 2, "Third": 3})
    p = inspect_frame(frame, target="class", drop=["class_code"])
    column = p.column("class_code")
    assert not column.used and column.reason == "dropped by `drop`"
    assert "class_code" not in [c.name for c in p.features] and p.leaks == [] and p.drop == ["class_code"]


def test_drop_of_a_guessed_target_chooses_another():
    p = inspect_frame(people(), drop="class")
    assert p.target == "survived" and not p.column("class").used  # the outcome's name left


def test_drop_of_an_unknown_column_names_it_and_the_columns():
    with pytest.raises(ConfigError, match=r"`drop` names 'fair', which is not a column of the data. Did you mean "
                                          r"'fare'\? Its columns are: survived, age, class, fare, alone"):
        inspect_frame(people(), drop=["fair"])
    with pytest.raises(ConfigError, match="`drop` names 'fare', which is the target"):
        inspect_frame(people(), target="fare", drop=["fare"])


def test_inspect_cli_drop_marks_the_column_and_refuses_unknown_names():
    result = invoke("inspect", WINE, "--drop", "proline", "--drop", "hue")
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.startswith("  ")}
    assert "dropped by `drop`" in lines["proline"] and "dropped by `drop`" in lines["hue"]
    line = one_error_line(invoke("inspect", WINE, "--drop", "prolin"))
    assert "'prolin'" in line and "proline" in line


# --------------------------------------------------------------------------- a tabular run: --drop, row hashes, --id


@pytest.fixture(scope="module")
def wine_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("guard_runs")
    result = invoke("fit", WINE, *FAST, "--out", out, "--drop", "proline", "--quiet")
    assert result.exit_code == 0, (result.output, result.exception)
    return next(p for p in out.iterdir() if p.is_dir())


def test_fit_drop_leaves_the_column_out_of_the_model(wine_run):
    record = json.loads((wine_run / "run.json").read_text())
    assert "proline" not in record["features"] and "alcohol" in record["features"]
    assert record["settings"]["drop"] == ["proline"]
    assert record["row_hashes"]["rows"] == 178 and "proline" not in record["row_hashes"]["columns"]
    assert np.load(wine_run / "row_hashes.npy").dtype == np.uint64


def test_fit_drop_of_an_unknown_column_is_a_one_line_error(tmp_path):
    line = one_error_line(invoke("fit", WINE, *FAST, "--out", tmp_path / "runs", "--drop", "nope"))
    assert "'nope'" in line and "alcohol" in line
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())


def test_evaluate_on_the_training_file_says_the_score_is_not_held_out(wine_run):
    result = invoke("evaluate", wine_run, WINE)
    assert result.exit_code == 0, result.output
    assert "178 of 178 rows (100.0 %) were in this run's training/test data, so this score is not held-out" \
        in result.stderr


def test_evaluate_counts_only_the_rows_the_run_saw(wine_run, tmp_path):
    wine = pd.read_csv(WINE)
    new = wine.iloc[::5].copy()  # 36 rows of every class
    new["alcohol"] = new["alcohol"] + 0.001  # other rows, as far as the model can tell
    seen = wine.iloc[100:120].astype({"magnesium": float})  # the same rows, read with another dtype
    mixed = pd.concat([new, seen])
    mixed.to_csv(tmp_path / "mixed.csv", index=False)
    new.to_csv(tmp_path / "new.csv", index=False)
    scores, notes = load_run(wine_run).evaluate(tmp_path / "mixed.csv")
    assert any("20 of 56 rows (35.7 %) were in this run's training/test data" in n for n in notes), notes
    result = invoke("evaluate", wine_run, tmp_path / "new.csv")
    assert result.exit_code == 0 and "training/test data" not in result.stderr


def test_predict_id_carries_the_ids_through_in_order(wine_run, tmp_path):
    wine = pd.read_csv(WINE).sample(frac=1.0, random_state=1).head(30)
    wine.insert(0, "bottle", [f"b{i:03d}" for i in RNG.permutation(30)])
    wine.to_csv(tmp_path / "bottles.csv", index=False)
    result = invoke("predict", wine_run, tmp_path / "bottles.csv", "--id", "bottle", "-o", tmp_path / "p.csv")
    assert result.exit_code == 0, result.output
    out = pd.read_csv(tmp_path / "p.csv")
    assert list(out.columns[:2]) == ["bottle", "predicted_cultivar"]
    assert out["bottle"].tolist() == wine["bottle"].tolist()
    frame, _ = load_run(wine_run).predict_frame(wine, id_column="bottle")
    assert frame["predicted_cultivar"].tolist() == out["predicted_cultivar"].tolist()
    line = one_error_line(invoke("predict", wine_run, tmp_path / "bottles.csv", "--id", "bottel"))
    assert "`id` names 'bottel', which is not a column of the data. Did you mean 'bottle'?" in line
    with pytest.raises(DataError, match="'nope'"):
        load_run(wine_run).predict_frame(wine, id_column="nope")


def test_a_run_without_row_hashes_evaluates_without_the_warning(wine_run, tmp_path):
    import shutil

    old = tmp_path / "old"
    shutil.copytree(wine_run, old)
    (old / "row_hashes.npy").unlink()
    record = json.loads((old / "run.json").read_text())
    del record["row_hashes"]
    (old / "run.json").write_text(json.dumps(record))
    _, notes = load_run(old).evaluate(WINE)
    assert not any("training/test data" in n for n in notes)


def test_a_damaged_row_hashes_file_is_a_note_not_a_failure(wine_run, tmp_path):
    import shutil

    damaged = tmp_path / "damaged"
    shutil.copytree(wine_run, damaged)
    (damaged / "row_hashes.npy").write_bytes(b"not numpy")
    scores, notes = load_run(damaged).evaluate(WINE)
    assert scores["accuracy"] is not None
    assert any("could not be checked" in n and "row_hashes.npy is not readable" in n for n in notes), notes


# --------------------------------------------------------------------------- files: the path comes first


@pytest.mark.slow
def test_predict_on_a_folder_writes_each_files_path_first_and_scores_like_evaluate(tmp_path):
    folder = make_folder(tmp_path / "stripes", per_class=12, mixed=False)
    out = tmp_path / "runs"
    # 20 s leaves the deep search too little time: the classical image route alone, no TensorFlow
    result = invoke("fit", folder, "--budget", "20s", "--max-trials", "1", "--out", out, "--quiet")
    assert result.exit_code == 0, (result.output, result.exception)
    run = next(p for p in out.iterdir() if p.is_dir())
    record = json.loads((run / "run.json").read_text())
    assert record["row_hashes"]["files_by_content"] == ["path"]
    result = invoke("predict", run, folder, "-o", tmp_path / "p.csv")
    assert result.exit_code == 0, result.output
    predictions = pd.read_csv(tmp_path / "p.csv")
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.png"))
    assert predictions.columns[0] == "path" and sorted(predictions["path"]) == files and len(predictions) == 24
    truth = predictions["path"].str.split("/").str[0]
    accuracy = float((predictions["predicted_label"] == truth).mean())
    evaluated = invoke("evaluate", run, folder)
    assert evaluated.exit_code == 0, evaluated.output
    shown = next(line for line in evaluated.stdout.splitlines() if line.split()[:1] == ["accuracy"])
    assert float(shown.split()[1]) == pytest.approx(accuracy, abs=1e-4)
    assert "24 of 24 rows (100.0 %) were in this run's training/test data" in evaluated.stderr
    new = tmp_path / "new"
    for label in ("horizontal", "vertical"):
        (new / label).mkdir(parents=True)
        stripes(label, 16, "L", seed=500).save(new / label / "other.png")
    fresh = invoke("evaluate", run, new)
    assert fresh.exit_code == 0 and "training/test data" not in fresh.stderr
    copied = tmp_path / "copied"
    (copied / "horizontal").mkdir(parents=True)
    (copied / "horizontal" / "renamed.png").write_bytes((folder / "horizontal" / "0.png").read_bytes())
    (copied / "vertical").mkdir()
    stripes("vertical", 16, "L", seed=501).save(copied / "vertical" / "new.png")
    again = invoke("evaluate", run, copied)
    assert "1 of 2 rows (50.0 %) were in this run's training/test data" in again.stderr  # same bytes, new name
    single = invoke("predict", run, folder / "vertical" / "3.png")
    assert single.exit_code == 0 and pd.read_csv(io.StringIO(single.stdout))["path"].tolist() == ["3.png"]
