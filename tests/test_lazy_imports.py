"""Heavy libraries load lazily: the CLI never imports a deep-learning library (TensorFlow, Keras, JAX,
PyTorch) unless a deep search runs,
and ``import automl`` alone imports neither pandas nor scikit-learn.

Each check runs in a fresh interpreter, since this test process may already have imported anything.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
WINE = REPO / "data" / "wine.csv"
HEAVY = ("tensorflow", "keras", "keras_tuner", "jax", "torch")

CLI_PROBE = """
import json, sys
from automl.cli import main
argv = json.loads(sys.argv[1])
sys.argv = ["automl"] + argv
code = None
try:
    main(argv, prog_name="automl")
except SystemExit as exc:
    code = exc.code
heavy = sorted(m for m in sys.modules if m.split(".")[0] in %r)
print("PROBE " + json.dumps({"code": code, "heavy": heavy[:20]}))
""" % (HEAVY,)


def probe(code: str, *args: str, timeout: float = 300) -> dict:
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=REPO, capture_output=True, text=True,
                          timeout=timeout)
    lines = [line for line in done.stdout.splitlines() if line.startswith("PROBE ")]
    assert lines, (done.returncode, done.stdout[-3000:], done.stderr[-3000:])
    return json.loads(lines[-1][len("PROBE "):])


def run_cli(argv: list[str]) -> dict:
    return probe(CLI_PROBE, json.dumps(argv))


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["--help"], id="help"),
        pytest.param(["inspect", str(WINE)], id="inspect"),
        pytest.param(["inspect", str(WINE), "--budget", "1h"], id="inspect-with-deep-plan"),
    ],
)
def test_cli_without_training_does_not_import_tensorflow(argv):
    result = run_cli(argv)
    assert result["code"] in (0, None)
    assert result["heavy"] == []


def test_fit_no_compare_does_not_import_tensorflow(tmp_path):
    out = tmp_path / "runs"
    result = run_cli(["fit", str(WINE), "--budget", "10s", "--no-compare", "--max-trials", "1", "--out", str(out),
                      "--quiet"])
    assert result["code"] in (0, None)
    assert result["heavy"] == []
    runs = [p for p in out.iterdir() if p.is_dir()]
    assert len(runs) == 1
    assert json.loads((runs[0] / "run.json").read_text())["status"] == "complete"


def test_fit_with_a_budget_too_small_for_the_deep_comparison_does_not_import_tensorflow(tmp_path):
    """Comparison on, but the deep share of 15 s is under 20 s, so the plan skips it: no TensorFlow either."""
    out = tmp_path / "runs"
    result = run_cli(["fit", str(WINE), "--budget", "15s", "--max-trials", "1", "--out", str(out), "--quiet"])
    assert result["code"] in (0, None)
    assert result["heavy"] == []
    record = json.loads((next(p for p in out.iterdir() if p.is_dir()) / "run.json").read_text())
    assert [a["name"] for a in record["plan"]["approaches"]] == ["classical"]


@pytest.fixture(scope="module")
def gbm_run(tmp_path_factory) -> Path:
    """One gradient-boosting-only run, shared by the tests that read it back."""
    out = tmp_path_factory.mktemp("classical") / "runs"
    first = run_cli(["fit", str(WINE), "--budget", "10s", "--no-compare", "--max-trials", "1", "--out", str(out),
                     "-q"])
    assert first["code"] in (0, None)
    return next(p for p in out.iterdir() if p.is_dir())


def test_predict_with_a_gbm_model_does_not_import_tensorflow(gbm_run, tmp_path):
    run = gbm_run
    result = run_cli(["predict", str(run), str(WINE), "-o", str(tmp_path / "pred.csv")])
    assert result["code"] in (0, None)
    assert result["heavy"] == []
    assert (tmp_path / "pred.csv").is_file()


def test_report_and_comparison_do_not_import_tensorflow(gbm_run, tmp_path):
    """Re-rendering reads the run's records only: no model is loaded, no deep-learning library imported."""
    run = gbm_run
    for argv in (["report", str(run), "--price", "cpu=0.1"], ["report", str(run), str(run), "--out", str(tmp_path / "c")]):
        result = run_cli(argv)
        assert result["code"] in (0, None), argv
        assert result["heavy"] == [], argv
    assert (tmp_path / "c" / "report.html").is_file()


def test_import_automl_is_light():
    code = """
import json, sys
import automl
names = ("pandas", "sklearn", "numpy", "xgboost", "tensorflow", "keras", "jinja2")
print("PROBE " + json.dumps({m: m in sys.modules for m in names} | {"all": sorted(automl.__all__)}))
"""
    result = probe(code)
    assert result["all"] == ["AutoML", "AutoMLClassifier", "AutoMLRegressor", "load"]
    for name in ("pandas", "sklearn", "tensorflow", "keras", "xgboost"):
        assert result[name] is False, name


def test_cli_module_import_is_light():
    code = """
import json, sys
import automl.cli
print("PROBE " + json.dumps({m: m in sys.modules for m in ("pandas", "sklearn", "tensorflow", "keras")}))
"""
    assert not any(probe(code).values())


def test_inspect_an_image_folder_does_not_import_tensorflow(tmp_path):
    from PIL import Image

    for label, shade in (("dark", 30), ("light", 220)):
        (tmp_path / "photos" / label).mkdir(parents=True)
        for i in range(12):
            Image.new("RGB", (20 + i, 16), (shade, shade, shade)).save(tmp_path / "photos" / label / f"{i}.png")
    result = run_cli(["inspect", str(tmp_path / "photos")])
    assert result["code"] in (0, None)
    assert result["heavy"] == []
