"""The ``automl`` command line, driven through click's CliRunner.

Every fit is capped with ``--max-trials`` and a small budget so the whole file
runs in well under a minute; none of these tests imports TensorFlow
(``--no-compare`` everywhere).
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from automl.cli import main

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
WINE = DATA / "wine.csv"
DIABETES = DATA / "diabetes.csv"
FAST = ["--budget", "10s", "--no-compare", "--max-trials", "2"]


# --------------------------------------------------------------------------- helpers


def invoke(*args: object):
    """Run ``automl ARGS`` in-process; stdout and stderr are kept apart (click >= 8.2)."""
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=True)


def run_dirs(out: Path) -> list[Path]:
    return sorted(p for p in out.iterdir() if p.is_dir()) if out.exists() else []


def only_run(out: Path) -> Path:
    runs = run_dirs(out)
    assert len(runs) == 1, f"expected exactly one run directory under {out}, found {runs}"
    return runs[0]


def error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.strip()]


def assert_one_line_error(result, *needles: str) -> str:
    """Exit code 2, exactly one ``automl: error:`` line on stderr, no traceback anywhere."""
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    lines = error_lines(result)
    assert len(lines) == 1, lines
    line = lines[0]
    assert line.startswith("automl: error:"), line
    for needle in needles:
        assert needle in line, (needle, line)
    return line


def fit_ok(data: Path, out: Path, *extra: object):
    result = invoke("fit", data, *FAST, "--out", out, *extra)
    assert result.exit_code == 0, (result.output, result.exception)
    return result, only_run(out)


# --------------------------------------------------------------------------- shared runs


@pytest.fixture(scope="module")
def wine_fit(tmp_path_factory):
    """One classification run on the bundled wine table, shared by the tests that read it."""
    out = tmp_path_factory.mktemp("wine_runs")
    result = invoke("fit", WINE, *FAST, "--out", out)
    return result, out


@pytest.fixture(scope="module")
def wine_run(wine_fit) -> Path:
    result, out = wine_fit
    assert result.exit_code == 0, (result.output, result.exception)
    return only_run(out)


@pytest.fixture(scope="module")
def categorical_run(tmp_path_factory) -> tuple[Path, Path]:
    """A small table with a categorical column (colour), fitted once."""
    folder = tmp_path_factory.mktemp("categorical")
    rng = np.random.default_rng(0)
    n = 120
    colour = rng.choice(["red", "green", "blue"], size=n)
    size = rng.normal(size=n).round(3)
    label = np.where((colour == "red") | (size > 1.0), "yes", "no")
    frame = pd.DataFrame({"colour": colour, "size": size, "label": label})
    data = folder / "shapes.csv"
    frame.to_csv(data, index=False)
    out = folder / "runs"
    result = invoke("fit", data, *FAST, "--out", out)
    assert result.exit_code == 0, (result.output, result.exception)
    return only_run(out), data


@pytest.fixture(scope="module")
def diabetes_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("diabetes_runs")
    result = invoke("fit", DIABETES, *FAST, "--out", out)
    assert result.exit_code == 0, (result.output, result.exception)
    return only_run(out)


# --------------------------------------------------------------------------- help / inspect


def test_help_lists_every_command():
    result = invoke("--help")
    assert result.exit_code == 0
    for command in ("fit", "inspect", "predict", "evaluate", "report"):
        assert command in result.output


def test_inspect_prints_profile_and_plan_without_training(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("inspect", WINE)
    assert result.exit_code == 0, (result.output, result.exception)
    out = result.stdout
    assert "178 rows x 14 columns" in out
    assert "multiclass" in out
    assert "plan:" in out
    assert "cultivar" in out  # the chosen target and its reason
    assert "class_0" in out  # class counts
    assert "5-fold cross-validation" in out
    assert not (tmp_path / "runs").exists(), "inspect must not create a run directory"


def test_inspect_json_is_one_document_with_profile_and_plan():
    result = invoke("inspect", WINE, "--json")
    assert result.exit_code == 0, (result.output, result.exception)
    document = json.loads(result.stdout)  # nothing else on stdout
    assert document["profile"]["target"] == "cultivar" and document["profile"]["task"] == "multiclass"
    assert document["plan"]["metric"] == "accuracy" and document["plan"]["approaches"]


def test_inspect_bad_target_is_a_one_line_error():
    result = invoke("inspect", WINE, "--target", "nope_not_a_column")
    assert_one_line_error(result, "nope_not_a_column")


# --------------------------------------------------------------------------- fit


def test_fit_prints_verdict_and_writes_the_run_directory(wine_fit, wine_run):
    result, _ = wine_fit
    record = json.loads((wine_run / "run.json").read_text())
    assert record["status"] == "complete"
    assert record["target"] == "cultivar"
    assert record["task"] == "multiclass"
    assert record["best"] == "classical"
    assert record["classes"] == ["class_0", "class_1", "class_2"]

    report = json.loads((wine_run / "report.json").read_text())
    shown = " ".join(result.stdout.split())  # the verdict is wrapped to the terminal's width
    assert report["verdict"] in shown
    assert "Only gradient boosting ran on wine" in shown
    assert str(wine_run) in result.stdout
    assert "report.html" in result.stdout

    trials = [json.loads(line) for line in (wine_run / "trials.jsonl").read_text().splitlines() if line.strip()]
    assert 1 <= len(trials) <= 2  # --max-trials 2
    assert all(t["approach"] == "classical" for t in trials)
    assert any(t["status"] == "ok" for t in trials)

    board = pd.read_csv(wine_run / "leaderboard.csv")
    assert list(board["approach"]) == ["classical", "baseline"]  # the majority class, below the model
    for column in ("test_accuracy", "fit_seconds", "predict_ms_per_row", "model_bytes", "peak_memory_mb",
                   "cost_usd"):
        assert column in board.columns
    assert board.loc[0, "test_accuracy"] > 0.85

    gbm = wine_run / "models" / "classical"
    assert gbm.is_dir() and (gbm / "model.json").is_file()
    assert not (wine_run / "models" / "deep").exists()
    for name in ("report.html", "report.md", "report.json", "test_predictions.csv"):
        assert (wine_run / name).is_file() and (wine_run / name).stat().st_size > 0, name


def test_fit_shows_a_leaderboard_that_fits_80_columns(wine_fit, wine_run):
    result, _ = wine_fit
    lines = result.stdout.splitlines()
    top = next(i for i, line in enumerate(lines) if line.startswith("approach "))
    table = lines[top:lines.index("", top)]
    assert [line.split()[0] for line in table[1:]] == ["classical*", "baseline"]  # * : the model predict uses
    assert max(len(line) for line in table) <= 80  # CliRunner has no terminal: the default width
    board = pd.read_csv(wine_run / "leaderboard.csv")
    assert f"{board.loc[0, 'test_accuracy']:.4f}" in table[1] and f"{board.loc[0, 'val_score']:.4f}" in table[1]
    assert "ms/row" in table[1] and "nan" not in result.stdout.lower()
    assert table[2].rstrip().endswith("–")  # the baseline has no fit time


def test_fit_json_is_one_document_on_stdout(tmp_path):
    result = invoke("fit", WINE, "--budget", "10s", "--no-compare", "--max-trials", "1", "--out", tmp_path, "--json")
    assert result.exit_code == 0, (result.output, result.exception)
    document = json.loads(result.stdout)  # progress went to stderr
    assert Path(document["run_dir"]) == only_run(tmp_path) and document["best_approach"] == "classical"
    assert document["choice"] is None  # one finalist: nothing to choose between
    assert document["verdict"].startswith("Only gradient boosting ran on wine")
    rows = {row["approach"]: row for row in document["leaderboard"]}
    assert set(rows) == {"classical", "baseline"}
    assert rows["baseline"]["fit_seconds"] is None and 0.2 < rows["baseline"]["test_accuracy"] < 0.5
    assert "automl fit" in result.stderr and "[classical]" in result.stderr


def test_fit_leaves_no_temporary_files(wine_run):
    leftovers = [p for p in wine_run.rglob(".*")]
    assert leftovers == []


def test_run_files_honour_the_umask(wine_run):
    umask = os.umask(0)
    os.umask(umask)
    expected = 0o666 & ~umask
    if expected == 0o600:
        pytest.skip("umask 077: cannot tell mkstemp's 0600 from the umask")
    for name in ("run.json", "report.html", "leaderboard.csv", "trials.jsonl"):
        assert (wine_run / name).stat().st_mode & 0o777 == expected, name
    assert (wine_run / "models" / "classical").stat().st_mode & 0o777 == 0o777 & ~umask


def test_the_command_clock_starts_with_its_own_process_but_not_with_a_host_program(monkeypatch):
    import sys
    import time

    from automl.budget import process_started
    from automl.cli import command_started

    host = command_started()  # pytest started before this test; a CliRunner fit must not inherit that
    assert time.monotonic() - host < 1.0
    for program in ("/venv/bin/automl", "/repo/automl/__main__.py"):
        monkeypatch.setattr(sys, "argv", [program, "fit"])
        assert abs(command_started() - process_started()) < 0.5, program


# --------------------------------------------------------------------------- predict


def test_predict_writes_one_row_per_input_with_probabilities(wine_run, tmp_path):
    out_csv = tmp_path / "out.csv"
    result = invoke("predict", wine_run, WINE, "-o", out_csv)
    assert result.exit_code == 0, (result.output, result.exception)
    assert "wrote 178 predictions (classical" in result.stderr  # ", refitted on all rows" when there was time
    source = pd.read_csv(WINE)
    pred = pd.read_csv(out_csv)
    assert len(pred) == len(source)
    assert list(pred.columns) == ["predicted_cultivar", "proba_class_0", "proba_class_1", "proba_class_2"]
    proba = pred[["proba_class_0", "proba_class_1", "proba_class_2"]].to_numpy()
    assert np.all(proba >= 0) and np.allclose(proba.sum(axis=1), 1.0, atol=1e-5)
    labels = np.array(["class_0", "class_1", "class_2"])[proba.argmax(axis=1)]
    assert (labels == pred["predicted_cultivar"].to_numpy()).all()
    accuracy = float((pred["predicted_cultivar"] == source["cultivar"]).mean())
    assert accuracy > 0.9


def test_predict_on_the_test_rows_reproduces_the_leaderboard(wine_run, tmp_path):
    """The saved model, applied to the run's own test rows, gives exactly the reported test accuracy."""
    source = pd.read_csv(WINE)
    saved = pd.read_csv(wine_run / "test_predictions.csv")
    rows = saved["row"].to_numpy()
    assert (source["cultivar"].to_numpy()[rows] == saved["actual"].to_numpy()).all()
    test_csv = tmp_path / "test_rows.csv"
    source.iloc[rows].to_csv(test_csv, index=False)
    out_csv = tmp_path / "pred.csv"
    result = invoke("predict", wine_run, test_csv, "-o", out_csv)
    assert result.exit_code == 0, (result.output, result.exception)
    pred = pd.read_csv(out_csv)
    assert (pred["predicted_cultivar"].to_numpy() == saved["classical_prediction"].to_numpy()).all()
    accuracy = float((pred["predicted_cultivar"].to_numpy() == saved["actual"].to_numpy()).mean())
    board = pd.read_csv(wine_run / "leaderboard.csv")
    assert accuracy == pytest.approx(board.loc[0, "test_accuracy"], abs=1e-12)


def test_predict_to_stdout(wine_run):
    result = invoke("predict", wine_run, WINE)
    assert result.exit_code == 0, (result.output, result.exception)
    lines = result.stdout.splitlines()
    assert lines[0].startswith("predicted_cultivar,proba_class_0")
    assert len(lines) == 1 + 178


def test_predict_missing_feature_column_is_named_and_writes_nothing(wine_run, tmp_path):
    source = pd.read_csv(WINE).drop(columns=["proline"])
    data = tmp_path / "no_proline.csv"
    source.to_csv(data, index=False)
    out_csv = tmp_path / "out.csv"
    result = invoke("predict", wine_run, data, "-o", out_csv)
    assert_one_line_error(result, "'proline'")
    assert not out_csv.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_predict_missing_feature_column_leaves_existing_output_unchanged(wine_run, tmp_path, write_csv):
    data = tmp_path / "no_hue.csv"
    pd.read_csv(WINE).drop(columns=["hue"]).to_csv(data, index=False)
    out_csv = write_csv("keep me\n", "out.csv")
    result = invoke("predict", wine_run, data, "-o", out_csv)
    assert_one_line_error(result, "'hue'")
    assert out_csv.read_text() == "keep me\n"


def test_predict_extra_columns_are_noted_on_stderr(wine_run, tmp_path):
    source = pd.read_csv(WINE).head(10)
    source["comment"] = "hello"
    data = tmp_path / "extra.csv"
    source.to_csv(data, index=False)
    out_csv = tmp_path / "out.csv"
    result = invoke("predict", wine_run, data, "-o", out_csv)
    assert result.exit_code == 0, (result.output, result.exception)
    notes = [line for line in result.stderr.splitlines() if line.startswith("automl: note:")]
    assert len(notes) == 1 and "'comment'" in notes[0]
    assert len(pd.read_csv(out_csv)) == 10


def test_predict_without_target_column(wine_run, tmp_path):
    data = tmp_path / "unlabelled.csv"
    pd.read_csv(WINE).drop(columns=["cultivar"]).head(7).to_csv(data, index=False)
    result = invoke("predict", wine_run, data, "-o", tmp_path / "out.csv")
    assert result.exit_code == 0, (result.output, result.exception)
    assert "note" not in result.stderr
    assert len(pd.read_csv(tmp_path / "out.csv")) == 7


def test_predict_unseen_and_missing_categories(categorical_run, tmp_path, write_csv):
    run, _ = categorical_run
    record = json.loads((run / "run.json").read_text())
    assert record["kinds"]["colour"] == "categorical"
    data = write_csv("colour,size\nred,0.1\npurple,0.2\n,0.3\nblue,2.5\nGREEN,-1\n", "new.csv")
    out_csv = tmp_path / "out.csv"
    result = invoke("predict", run, data, "-o", out_csv)
    assert result.exit_code == 0, (result.output, result.exception)
    pred = pd.read_csv(out_csv)
    assert len(pred) == 5
    assert set(pred["predicted_label"]) <= {"yes", "no"}
    proba = pred[["proba_no", "proba_yes"]].to_numpy()
    assert np.isfinite(proba).all() and np.allclose(proba.sum(axis=1), 1.0, atol=1e-5)


def test_unseen_categories_do_not_rely_on_deprecated_pandas_behaviour(categorical_run, write_csv):
    import warnings

    import automl

    run, _ = categorical_run
    data = write_csv("colour,size\npurple,0.2\nred,0.1\n", "unseen.csv")
    predictor = automl.load(run)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame, _ = predictor.predict_frame(data)
    assert len(frame) == 2
    assert [str(w.message) for w in caught if "Categorical" in str(w.message)] == []


def test_categorical_model_learns_the_category(categorical_run, tmp_path):
    run, data = categorical_run
    result = invoke("evaluate", run, data)
    assert result.exit_code == 0, (result.output, result.exception)
    accuracy = float(next(line.split()[1] for line in result.stdout.splitlines() if line.split()[:1] == ["accuracy"]))
    assert accuracy > 0.9


def test_predict_approach_without_a_saved_model(wine_run):
    result = invoke("predict", wine_run, WINE, "--approach", "deep")
    assert_one_line_error(result, "no saved deep model")


def test_predict_to_an_existing_folder_is_one_line_naming_o_before_predicting(wine_run, tmp_path):
    folder = tmp_path / "predictions"
    folder.mkdir()
    result = invoke("predict", wine_run, tmp_path / "no_such_data.csv", "-o", folder)
    line = assert_one_line_error(result, "`-o`", "not a folder", str(folder / "predictions.csv"))
    assert "no_such_data" not in line  # checked before the data is read
    assert list(folder.iterdir()) == []


def test_predict_never_writes_over_its_data_or_a_file_of_the_run(wine_run, tmp_path):
    record = (Path(wine_run) / "run.json").read_bytes()
    result = invoke("predict", wine_run, WINE, "-o", Path(wine_run) / "run.json")
    assert_one_line_error(result, "`-o`", "It is a file of the run", "which it would overwrite")
    assert (Path(wine_run) / "run.json").read_bytes() == record  # it was replaced by predictions, the run lost
    data = tmp_path / "wine.csv"
    data.write_bytes(WINE.read_bytes())
    for stream in ((), ("--stream",)):
        result = invoke("predict", wine_run, data, "-o", data, *stream)
        assert_one_line_error(result, "`-o`", "It is the data being predicted")
        assert data.read_bytes() == WINE.read_bytes()
    result = invoke("predict", wine_run, WINE, "-o", Path(wine_run) / "predictions.csv")  # a new file there is fine
    assert result.exit_code == 0 and len(pd.read_csv(Path(wine_run) / "predictions.csv")) == 178
    (Path(wine_run) / "predictions.csv").unlink()


def test_predict_creates_missing_folders_of_o_and_rejects_a_file_in_their_place(wine_run, tmp_path, write_csv):
    out_csv = tmp_path / "new" / "deeper" / "out.csv"
    result = invoke("predict", wine_run, WINE, "-o", out_csv)
    assert result.exit_code == 0, (result.output, result.exception)
    assert len(pd.read_csv(out_csv)) == 178
    blocking = write_csv("a file\n", "blocking")
    result = invoke("predict", wine_run, WINE, "-o", blocking / "out.csv")
    assert_one_line_error(result, "`-o`", "is a file, not a folder")
    assert blocking.read_text() == "a file\n"


@pytest.mark.parametrize("command", ["predict", "evaluate"])
def test_bad_data_is_its_error_before_the_model_loads(wine_run, tmp_path, monkeypatch, command):
    """Loading a network takes seconds (its backend imported): a data file that cannot be read is said first."""
    import automl.predictor

    def never(*args, **kwargs):
        raise AssertionError("the model was loaded before the data was read")

    monkeypatch.setattr(automl.predictor, "_load_model", never)
    empty = tmp_path / "new.csv"
    empty.write_bytes(b"")
    assert_one_line_error(invoke(command, wine_run, empty), "`data` is empty", "0 bytes")
    assert_one_line_error(invoke(command, tmp_path / "not_a_run", empty), "not a run directory")


def test_predict_bad_run_directory(tmp_path):
    result = invoke("predict", tmp_path, WINE)
    assert_one_line_error(result, "not a run directory")


# --------------------------------------------------------------------------- evaluate / report


def test_evaluate_prints_every_metric(wine_run):
    result = invoke("evaluate", wine_run, WINE)
    assert result.exit_code == 0, (result.output, result.exception)
    scores = {}
    for line in result.stdout.splitlines()[1:]:
        name, value = line.split()
        scores[name] = value
    assert set(scores) == {"accuracy", "balanced_accuracy", "f1_macro", "log_loss", "roc_auc"}
    assert float(scores["accuracy"]) > 0.9
    assert result.stdout.startswith("classical model on ")


def test_evaluate_json_has_scores_and_notes(wine_run):
    result = invoke("evaluate", wine_run, WINE, "--json")
    assert result.exit_code == 0, (result.output, result.exception)
    document = json.loads(result.stdout)
    assert set(document["scores"]) == {"accuracy", "balanced_accuracy", "f1_macro", "log_loss", "roc_auc"}
    assert document["approach"] == "classical" and document["scores"]["accuracy"] > 0.9
    deployed = json.loads((wine_run / "run.json").read_text()).get("deployed") or {}
    assert document["refitted"] is bool(deployed.get("refitted"))  # a busy machine may leave no time to refit
    assert not document["refitted"] or any("refitted on all the run's rows" in n for n in document["notes"])


def test_evaluate_needs_the_target(wine_run, tmp_path):
    data = tmp_path / "unlabelled.csv"
    pd.read_csv(WINE).drop(columns=["cultivar"]).to_csv(data, index=False)
    result = invoke("evaluate", wine_run, data)
    assert_one_line_error(result, "'cultivar'")


def test_report_md_rewrites_only_the_markdown(wine_run):
    md = wine_run / "report.md"
    html = wine_run / "report.html"
    html_before = html.stat().st_mtime_ns, html.read_text()
    md.unlink()
    result = invoke("report", wine_run, "--format", "md")
    assert result.exit_code == 0, (result.output, result.exception)
    assert md.is_file()
    assert result.stdout.strip().splitlines() == [str(md)]
    text = md.read_text()
    assert text.startswith("# automl report: wine")
    assert "## Leaderboard" in text
    assert (html.stat().st_mtime_ns, html.read_text()) == html_before


def test_report_all_formats(wine_run):
    result = invoke("report", wine_run)
    assert result.exit_code == 0, (result.output, result.exception)
    written = [Path(line).name for line in result.stdout.splitlines()]
    assert written == ["report.html", "report.md", "report.json"]


def test_report_on_a_folder_that_is_not_a_run(tmp_path):
    result = invoke("report", tmp_path)
    assert_one_line_error(result, "not a run directory")


# --------------------------------------------------------------------------- bad input to fit


def _assert_fit_rejected(tmp_path: Path, args: list[object], *needles: str) -> str:
    out = tmp_path / "runs"
    result = invoke("fit", *args, "--out", out)
    line = assert_one_line_error(result, *needles)
    assert run_dirs(out) == [], "a rejected fit must not create a run directory"
    return line


def test_fit_missing_file(tmp_path):
    _assert_fit_rejected(tmp_path, [tmp_path / "nope.csv", "--budget", "10s"], "not found", "nope.csv")


@pytest.mark.parametrize("command", ["fit", "inspect", "predict"])
def test_an_address_for_data_is_one_line_naming_the_download(tmp_path, command):
    """The shell hands ``https://...`` over whole; a Path would fold its ``//`` and report a missing file."""
    args = [tmp_path, "https://example.org/data.csv"] if command == "predict" else ["https://example.org/data.csv"]
    result = invoke(command, *args)
    assert_one_line_error(result, "is an address, not a file: 'https://example.org/data.csv'",
                          "curl -LO https://example.org/data.csv")


def test_fit_empty_file(tmp_path, write_csv):
    data = write_csv("")
    _assert_fit_rejected(tmp_path, [data, "--budget", "10s"], "empty")


def test_fit_header_only(tmp_path, write_csv):
    data = write_csv("a,b,target\n")
    _assert_fit_rejected(tmp_path, [data, "--budget", "10s"], "no data rows")


def test_fit_unknown_target_suggests_the_closest_column(tmp_path):
    line = _assert_fit_rejected(tmp_path, [WINE, "--budget", "10s", "--target", "cultivr"], "'cultivr'")
    assert "Did you mean 'cultivar'?" in line


def test_fit_target_with_one_class(tmp_path, write_csv):
    rows = "\n".join(f"{i},{i * 2 % 7},same" for i in range(30))
    data = write_csv("a,b,y\n" + rows + "\n")
    _assert_fit_rejected(tmp_path, [data, "--budget", "10s"], "one class", "'y'")


def test_fit_budget_not_a_duration(tmp_path):
    _assert_fit_rejected(tmp_path, [WINE, "--budget", "abc"], "budget", "'abc'")


def test_fit_budget_too_small(tmp_path):
    _assert_fit_rejected(tmp_path, [WINE, "--budget", "3s"], "budget", "'3s'", "at least 10s")


@pytest.mark.parametrize("metric", ["nonsense", "rmse"])
def test_fit_unknown_or_wrong_task_metric(tmp_path, metric):
    _assert_fit_rejected(tmp_path, [WINE, "--budget", "10s", "--metric", metric], "metric", repr(metric))


def test_fit_folder_as_data(tmp_path):
    folder = tmp_path / "a_folder"
    folder.mkdir()
    _assert_fit_rejected(tmp_path, [folder, "--budget", "10s"], "folder")


def test_fit_out_is_a_file(tmp_path, write_csv):
    not_a_folder = write_csv("I am a file\n", "runs")
    result = invoke("fit", WINE, "--budget", "10s", "--no-compare", "--max-trials", "1", "--out", not_a_folder)
    assert_one_line_error(result, "out")
    assert not_a_folder.read_text() == "I am a file\n"


def test_fit_no_compare_on_images_with_too_little_time_for_a_network_fails_at_once(tmp_path):
    from synthetic import make_folder

    images = make_folder(tmp_path / "stripes", per_class=12)
    line = _assert_fit_rejected(tmp_path, [images, "--budget", "10s", "--no-compare"], "`budget`", "'10s'",
                                "--budget 26s or more", "drop --no-compare")
    assert "deep network" in line


def test_fit_ragged_csv_names_the_line(tmp_path, write_csv):
    rows = "\n".join(f"{i},{i % 3}" for i in range(25))
    data = write_csv("a,target\n" + rows + "\n1,2,3,4\n")
    _assert_fit_rejected(tmp_path, [data, "--budget", "10s"], "line 27")


# --------------------------------------------------------------------------- regression


def test_regression_fit_predict_evaluate(diabetes_run, tmp_path):
    record = json.loads((diabetes_run / "run.json").read_text())
    assert record["task"] == "regression" and record["status"] == "complete"
    assert record["plan"]["metric"] == "rmse"
    board = pd.read_csv(diabetes_run / "leaderboard.csv")
    assert {"test_rmse", "test_mae", "test_r2"} <= set(board.columns)

    out_csv = tmp_path / "out.csv"
    result = invoke("predict", diabetes_run, DIABETES, "-o", out_csv)
    assert result.exit_code == 0, (result.output, result.exception)
    source = pd.read_csv(DIABETES)
    pred = pd.read_csv(out_csv)
    assert list(pred.columns) == ["predicted_progression", "lower_progression", "upper_progression"]
    assert (pred["lower_progression"] < pred["predicted_progression"]).all()
    assert len(pred) == len(source)
    values = pred["predicted_progression"].to_numpy()
    assert np.isfinite(values).all()
    # far better than predicting the mean on the data it mostly trained on
    rmse = math.sqrt(float(np.mean((values - source["progression"].to_numpy()) ** 2)))
    assert rmse < source["progression"].std()

    result = invoke("evaluate", diabetes_run, DIABETES)
    assert result.exit_code == 0, (result.output, result.exception)
    names = [line.split()[0] for line in result.stdout.splitlines()[1:]]
    assert names == ["rmse", "mae", "r2", "interval_coverage"]


def test_inspect_of_a_wide_table_lists_the_first_columns_and_those_with_something_to_say(tmp_path):
    """4,000 columns made 4,021 lines that no one reads; now the first 40, every later one worth a line (a row
    number here), and one line counting the rest."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(60, 100)).round(3), columns=[f"f{i}" for i in range(100)])
    frame.insert(70, "row", np.arange(60))
    frame.loc[::7, "f80"] = np.nan
    frame["label"] = np.arange(60) % 2
    frame.to_csv(tmp_path / "wide.csv", index=False)
    result = invoke("inspect", tmp_path / "wide.csv")
    assert result.exit_code == 0, result.output
    listed = [line.split()[0] for line in result.output.splitlines() if line.startswith("  f") or " identifier " in
              line or line.startswith("  label")]
    assert listed == [f"f{i}" for i in range(40)] + ["row", "label"], listed
    assert "60 rows x 102 columns" in result.output
    assert "  ... and 60 more numeric columns (1 with missing values); --all-columns lists each." in result.output
    every = invoke("inspect", tmp_path / "wide.csv", "--all-columns")
    assert every.exit_code == 0 and "f99 " in every.output and "--all-columns lists" not in every.output
