"""The Keras backend: KERAS_BACKEND respected, the best installed one otherwise, whether it can use the GPU, and
a one-line error naming the fix when --device gpu asks for what the backend cannot do."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from automl import backend, hardware, registry
from automl.backend import Backend, choose
from automl.cli import main
from automl.errors import ConfigError
from automl.hardware import Hardware


def test_keras_backend_is_respected_and_checked():
    assert choose("jax", {"tensorflow": True, "jax": True}, gpu_here=True) == Backend(
        "jax", True, "Networks train on the GPU with JAX (KERAS_BACKEND=jax).")
    assert choose("pytorch", {"torch": False}, gpu_here=False).name == "torch"
    with pytest.raises(ConfigError, match="KERAS_BACKEND=torch, but torch is not installed"):
        choose("torch", {"tensorflow": True}, gpu_here=False)
    with pytest.raises(ConfigError, match="KERAS_BACKEND=theano is not a backend"):
        choose("theano", {"tensorflow": True}, gpu_here=False)


def test_on_a_gpu_the_first_backend_that_can_use_it_is_chosen_else_the_cpu_with_the_fix():
    assert choose(None, {"tensorflow": True, "jax": True, "torch": True}, gpu_here=True).name == "jax"
    assert choose(None, {"tensorflow": False, "torch": True}, gpu_here=True).name == "torch"
    none = choose(None, {"tensorflow": False, "jax": False}, gpu_here=True)
    assert (none.name, none.gpu) == ("tensorflow", False)
    assert "TensorFlow finds no cuDNN; JAX has no CUDA plugin" in none.reason and '.[gpu]' in none.reason
    cpu = choose(None, {"tensorflow": False, "jax": False}, gpu_here=False)
    assert (cpu.name, cpu.gpu) == ("tensorflow", False) and "default backend" in cpu.reason


def test_on_a_cpu_a_larger_tables_networks_take_jax_and_everything_else_tensorflow():
    from automl.modalities.tabular import TABULAR

    both = {"tensorflow": False, "jax": False}
    large = TABULAR.cpu_backends(20_000, 120)
    table = choose(None, both, gpu_here=False, cpu=large)
    assert (table.name, table.gpu) == ("jax", False)
    assert "fastest on a CPU for a table of more than 5,000 training rows and a budget of 2 minutes" in table.reason
    assert "KERAS_BACKEND=tensorflow or torch" in table.reason
    assert choose(None, both, gpu_here=False, cpu=TABULAR.cpu_backends(20_000, 60)).name == "tensorflow"  # 1 minute
    assert choose(None, both, gpu_here=False, cpu=TABULAR.cpu_backends(5_000, 600)).name == "tensorflow"  # k-fold
    image = registry.modality("image").cpu_backends(50_000, 600)
    assert choose(None, both, gpu_here=False, cpu=image).name == "tensorflow"
    assert choose(None, {"tensorflow": False}, gpu_here=False, cpu=large).name == "tensorflow"  # no JAX
    assert choose("tensorflow", both, gpu_here=False, cpu=large).name == "tensorflow"  # asked for
    assert choose(None, {"tensorflow": True, "jax": True}, gpu_here=True, cpu=large).gpu  # a GPU comes first


@pytest.mark.parametrize("rows, budget, chosen", [(6_500, "2m", "JAX, measured the fastest"),
                                                  (6_500, "1m", "TensorFlow, the default"),
                                                  (60, "10m", "TensorFlow, the default")])
def test_inspect_names_the_backend_chosen_for_the_data(monkeypatch, write_csv, rows, budget, chosen):
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    monkeypatch.setattr(hardware, "_gpu_name", lambda: None)
    monkeypatch.setattr(backend, "installed", lambda check_gpu=True: {"tensorflow": False, "jax": False})
    data = write_csv("a,b,target\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(rows)))
    result = CliRunner().invoke(main, ["inspect", str(data), "--json", "--budget", budget])
    assert result.exit_code == 0, result.output
    reasons = json.loads(result.output)["plan"]["reasons"]
    assert any(r.startswith(f"Networks train on the CPU with {chosen}") for r in reasons), reasons


def test_installed_backends_are_found_without_importing_them():
    found = backend.installed()
    assert "tensorflow" in found  # a dependency of the project
    assert all(isinstance(v, bool) for v in found.values())


def test_device_gpu_with_a_backend_that_cannot_use_it_is_a_one_line_error(monkeypatch, tmp_path, write_csv):
    monkeypatch.setattr(hardware, "_gpu_name", lambda: "NVIDIA H200")
    monkeypatch.setattr(backend, "installed", lambda check_gpu=True: {"tensorflow": False})
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    with pytest.raises(ConfigError, match=r"device='gpu': Networks train on the CPU with TensorFlow.*\.\[gpu\]"):
        hardware.detect("gpu")
    auto = hardware.detect("auto")
    assert auto.gpu and not auto.network_gpu  # gradient boosting may still use the GPU; the networks cannot
    data = write_csv("a,b,target\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(60)))
    result = CliRunner().invoke(main, ["fit", str(data), "--device", "gpu", "--budget", "30s", "--out",
                                       str(tmp_path / "runs")])
    assert result.exit_code == 2 and "device='gpu': Networks train on the CPU" in result.output
    assert not (tmp_path / "runs").exists()


def test_keras_imported_already_keeps_its_backend_and_the_reason_says_so(monkeypatch):
    monkeypatch.setitem(sys.modules, "keras", SimpleNamespace(config=SimpleNamespace(backend=lambda: "jax")))
    chosen = backend.apply(Backend("tensorflow", False, "x"), gpu_here=False)
    assert chosen.name == "jax" and "imported with it before this run started" in chosen.reason
    monkeypatch.delitem(sys.modules, "keras")
    environ = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    monkeypatch.setattr(os, "environ", environ)  # this process's own environment stays as it was
    assert backend.apply(Backend("jax", False, "y"), gpu_here=False).name == "jax"
    assert environ["KERAS_BACKEND"] == "jax"


def test_the_plan_and_run_json_say_which_backend_trains_the_networks(tmp_path, write_csv):
    from automl import AutoML
    from automl.data.profile import inspect_frame
    from automl.run.plan import make_plan

    import pandas as pd

    frame = pd.DataFrame({"a": range(200), "b": [i % 7 for i in range(200)], "target": [i % 2 for i in range(200)]})
    profile = inspect_frame(frame, "target")
    why = "Networks train on the CPU with TensorFlow: no installed Keras backend can use the GPU here (...)."
    hw = Hardware(8, 64 << 30, "NVIDIA H100", backend="tensorflow", backend_gpu=False, backend_reason=why)
    assert why in make_plan(profile, 600, hw).reasons
    assert why not in make_plan(profile, 600, hw, compare=False).reasons  # no network, nothing to say
    data = write_csv(frame.to_csv(index=False))
    model = AutoML(budget="15s", compare=False, out=tmp_path / "runs", verbose=False).fit(data)
    recorded = json.loads((model.run_dir_ / "run.json").read_text())["hardware"]
    assert recorded["backend"] == "tensorflow" and recorded["backend_reason"].startswith("Networks train on the")


def test_on_a_gpu_the_backend_takes_memory_as_it_goes_unless_the_environment_says_otherwise(monkeypatch):
    monkeypatch.delitem(sys.modules, "keras", raising=False)
    environ = {k: v for k, v in os.environ.items()
               if k not in ("KERAS_BACKEND", "XLA_PYTHON_CLIENT_PREALLOCATE", "TF_FORCE_GPU_ALLOW_GROWTH")}
    monkeypatch.setattr(os, "environ", environ)
    chosen = backend.apply(Backend("jax", True, "Networks train on the GPU with JAX."), gpu_here=True)
    assert environ["XLA_PYTHON_CLIENT_PREALLOCATE"] == "false"
    assert chosen.reason.endswith("not all at start (XLA_PYTHON_CLIENT_PREALLOCATE=false), so gradient boosting "
                                  "and other processes can share the GPU.")
    environ.pop("KERAS_BACKEND")
    environ["TF_FORCE_GPU_ALLOW_GROWTH"] = "false"  # the user's choice stands, and nothing claims otherwise
    kept = backend.apply(Backend("tensorflow", True, "TF."), gpu_here=True)
    assert environ["TF_FORCE_GPU_ALLOW_GROWTH"] == "false" and kept.reason == "TF."
    environ.pop("KERAS_BACKEND")
    assert backend.apply(Backend("jax", False, "CPU."), gpu_here=False).reason == "CPU."  # no GPU: nothing to set


SAVE_ON = """
import sys
import numpy as np
import keras
from pathlib import Path
from automl.search.networks import save_keras
from automl.search.tuner import set_seed

set_seed(0)  # as every network route does first: Keras seeds TensorFlow too where it is installed
network = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3), keras.layers.Dense(1)])
network.compile("adam", "mse")
x = np.random.default_rng(0).normal(size=(16, 4)).astype("float32")
network.fit(x, x[:, 0], epochs=1, verbose=0)
save_keras(network, Path(sys.argv[1]))
assert "tensorflow" not in sys.modules or sys.modules["tensorflow"] is not None  # nothing left behind
again = keras.models.load_model(sys.argv[1])
gap = np.abs(again.predict(x, verbose=0) - network.predict(x, verbose=0)).max()
print(int("tensorflow" in sys.modules), float(gap))
"""


def test_a_saved_network_leaves_the_optimizer_state_out_and_trains_on(tmp_path):
    """A saved network only predicts; Adam's two moments per weight made its archive three times the network."""
    import zipfile

    import h5py
    import numpy as np

    from automl.search.networks import save_keras
    from automl.search.tuner import keras

    network = keras.Sequential([keras.Input((400,)), keras.layers.Dense(256), keras.layers.Dense(1)])
    network.compile("adam", "mse")
    x = np.random.default_rng(0).normal(size=(32, 400)).astype("float32")
    network.fit(x, x[:, 0], epochs=1, verbose=0)
    adam, path = network.optimizer, tmp_path / "network.keras"
    save_keras(network, path)
    weights = sum(w.size * 4 for w in network.get_weights())
    with zipfile.ZipFile(path) as archive, h5py.File(archive.open("model.weights.h5")) as saved:
        assert "optimizer" not in saved or not saved["optimizer"].keys()
    assert path.stat().st_size < 1.3 * weights  # with Adam's state it was over three times
    again = keras.saving.load_model(path, compile=False, safe_mode=True)
    np.testing.assert_allclose(again.predict(x, verbose=0), network.predict(x, verbose=0), rtol=1e-6, atol=1e-6)
    assert network.optimizer is adam
    before = network.get_weights()[0].copy()
    network.fit(x, x[:, 0], epochs=1, verbose=0)  # the network it was saved from trains on
    assert int(adam.iterations) == 2 and not np.allclose(before, network.get_weights()[0])


@pytest.mark.parametrize("name", ["jax", "torch"])
def test_a_network_saved_on_another_backend_does_not_import_tensorflow(name, tmp_path):
    """Keras's seeding and its serializer import TensorFlow to ask whether it is installed: 3.5 s on the deep side's
    clock in a JAX process, for nothing. ``set_seed`` and ``save_keras`` do the same without it."""
    import importlib.util
    import subprocess

    if importlib.util.find_spec(name) is None:
        pytest.skip(f"{name} is not installed")
    env = dict(os.environ, KERAS_BACKEND=name)
    done = subprocess.run([sys.executable, "-c", SAVE_ON, str(tmp_path / "network.keras")], capture_output=True,
                          text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    imported, difference = done.stdout.split()
    assert imported == "0" and float(difference) < 1e-6


COMPILE_ONCE = """
import os
from automl import backend

backend.apply(backend.Backend("jax", False, "CPU."), gpu_here=False)
folder = os.environ["JAX_COMPILATION_CACHE_DIR"]
import jax
import jax.numpy as jnp

jax.jit(lambda x: x * 2 + 1)(jnp.ones(3)).block_until_ready()
print(folder, len(os.listdir(folder)))
"""


def test_jax_keeps_compiled_steps_for_the_process_and_removes_them_when_it_ends(monkeypatch, tmp_path):
    """A fresh network of one configuration compiles its steps again (9-10 s on adult's default here): with JAX,
    a cache on disk for the process lets later networks reuse them, and nothing is left behind."""
    import importlib.util
    import subprocess

    if importlib.util.find_spec("jax") is None:
        pytest.skip("jax is not installed")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("JAX_", "KERAS_BACKEND"))}
    done = subprocess.run([sys.executable, "-c", COMPILE_ONCE], capture_output=True, text=True, env=clean,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    folder, entries = done.stdout.split()
    assert int(entries) > 0 and not os.path.exists(folder)
    mine = str(tmp_path)  # a folder the environment names is the user's: kept, and not removed
    monkeypatch.setattr(os, "environ", dict(clean, JAX_COMPILATION_CACHE_DIR=mine))
    assert backend.compile_once() == mine and os.path.isdir(mine)
    monkeypatch.setattr(os, "environ", dict(clean))
    monkeypatch.setitem(sys.modules, "jax", SimpleNamespace())  # imported already: too late to set, so nothing is
    assert backend.compile_once() is None and "JAX_COMPILATION_CACHE_DIR" not in os.environ


def test_the_next_run_removes_the_compiled_steps_a_killed_process_left_behind():
    """Exit handlers do not run when a process is killed, so its cache folder stays; the next process that makes
    one removes the folders of processes that no longer run, and leaves its own and running ones'."""
    import subprocess

    clean = {k: v for k, v in os.environ.items() if not k.startswith(("JAX_", "KERAS_BACKEND"))}
    killed = "import os; from automl import backend; print(backend.compile_once(), flush=True); os._exit(9)"
    done = subprocess.run([sys.executable, "-c", killed], capture_output=True, text=True, env=clean, timeout=120)
    left = done.stdout.strip()
    assert done.returncode == 9 and os.path.isdir(left), "a killed process leaves its folder"
    alive = tempfile.mkdtemp(prefix=f"automl-jax-{os.getpid()}-")  # this process runs: its folder stays
    try:
        nxt = "from automl import backend; import os; f = backend.compile_once(); print(f, os.path.isdir(f))"
        again = subprocess.run([sys.executable, "-c", nxt], capture_output=True, text=True, env=clean, timeout=120)
        folder, exists = again.stdout.split()
        assert not os.path.exists(left) and os.path.isdir(alive) and exists == "True" and folder != left
        assert not os.path.exists(folder), "and its own goes when it exits"
    finally:
        shutil.rmtree(alive, ignore_errors=True)
