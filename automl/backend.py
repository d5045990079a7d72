"""Which Keras backend trains the networks, whether it can use the GPU here, and why; found without importing it.

Keras 3 runs the same network on TensorFlow, JAX or PyTorch. ``KERAS_BACKEND``
is respected when set. Otherwise, on a machine with an NVIDIA GPU, the first
installed backend that can use it is taken, JAX first (its CUDA build is what
``pip install -e ".[gpu]"`` brings, and what the GPU recipe runs on). On a
CPU, the data's modality states its preference (``Modality.cpu_backends``): a
table of more than 5,000 training rows, in a run of two minutes or more,
takes JAX, measured two to four times faster an epoch than TensorFlow here
(``docs/gpu.md``); everything else takes TensorFlow. Whether a backend can use the GPU is read from
what is installed, not from importing it (which takes seconds): JAX's CUDA
plugin, PyTorch's CUDA library, TensorFlow's cuDNN.

Example:
    >>> choose(None, {"tensorflow": False, "jax": True}, gpu_here=True).name
    'jax'
    >>> choose(None, {"tensorflow": False, "jax": False}, gpu_here=False, cpu=(("jax", "tensorflow"), "faster")).name
    'jax'
    >>> print(choose(None, {"tensorflow": False}, gpu_here=True).reason)  # doctest: +NORMALIZE_WHITESPACE
    Networks train on the CPU with TensorFlow: no installed Keras backend can use the GPU here (TensorFlow
    finds no cuDNN). pip install -e ".[gpu]" adds JAX's CUDA build.
"""

from __future__ import annotations

import atexit
import ctypes.util
import importlib.util
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError

BACKENDS = ("tensorflow", "jax", "torch")
GPU_ORDER = ("jax", "tensorflow", "torch")  # preferred on a GPU
LABELS = {"tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch"}
GPU_FIX = 'pip install -e ".[gpu]" adds JAX\'s CUDA build'
WHY_NO_GPU = {"tensorflow": "TensorFlow finds no cuDNN", "jax": "JAX has no CUDA plugin",
              "torch": "PyTorch is a CPU build"}
# JAX takes 75 % of the GPU's memory when it starts and TensorFlow all of it: XGBoost on the same GPU, or a
# second run, would then find none. PyTorch takes memory as it goes already.
ON_DEMAND = {"jax": ("XLA_PYTHON_CLIENT_PREALLOCATE", "false"), "tensorflow": ("TF_FORCE_GPU_ALLOW_GROWTH", "true")}
# JAX compiles every new network's steps (training, scoring, each batch shape), which took 9-10 s for a fresh network
# of adult's default on this CPU; networks of one configuration (an ensemble's members, a bag's folds) compile the
# same steps. Kept on disk for the process, every compilation however short, the later ones took 0.6 s.
JAX_CACHE = ("JAX_COMPILATION_CACHE_DIR", {"JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0"})


@dataclass(frozen=True)
class Backend:
    """The Keras backend for the networks, whether it trains them on the GPU, and a sentence on why."""

    name: str
    gpu: bool
    reason: str


def installed(check_gpu: bool = True) -> dict[str, bool]:
    """Installed Keras backends and whether each can use an NVIDIA GPU, judged from its files alone (without
    ``check_gpu``, on a machine with no GPU to use, every one is marked False without looking)."""
    found = {}
    for name in BACKENDS:
        spec = importlib.util.find_spec(name)
        if spec is not None:
            found[name] = check_gpu and _gpu_build(name, spec)
    return found


def _gpu_build(name: str, spec: object) -> bool:
    if name == "jax":
        return any(importlib.util.find_spec(p) is not None for p in ("jax_cuda13_plugin", "jax_cuda12_plugin"))
    if name == "torch":
        origin = getattr(spec, "origin", None)
        return origin is not None and any((Path(origin).parent / "lib").glob("libtorch_cuda*"))
    # TensorFlow's Linux wheels are CUDA builds; they need cuDNN, from tensorflow[and-cuda] or the system
    return _has_module("nvidia.cudnn") or ctypes.util.find_library("cudnn") is not None


def _has_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # the parent package (nvidia) is absent
        return False


def choose(requested: str | None, available: dict[str, bool], gpu_here: bool,
           cpu: tuple[tuple[str, ...], str] | None = None) -> Backend:
    """The backend for this run: ``requested`` (``KERAS_BACKEND``) when set, else the best installed one for the
    device. On a CPU, ``cpu`` is the data's preference (``Modality.cpu_backends``): backends in order, and why;
    the first installed one is taken, TensorFlow without one.

    A ``ConfigError`` names the fix when ``requested`` is unknown or not installed.

    >>> choose("jax", {"tensorflow": True, "jax": False}, gpu_here=True).reason
    'Networks train on the CPU with JAX (KERAS_BACKEND=jax): JAX has no CUDA plugin, so it cannot use the GPU.'
    >>> choose(None, {"tensorflow": True, "jax": True}, gpu_here=False).name
    'tensorflow'
    """
    if requested:
        name = "torch" if requested == "pytorch" else requested
        if name not in BACKENDS:
            raise ConfigError(f"KERAS_BACKEND={requested} is not a backend the networks run on; set it to "
                              "tensorflow, jax or torch, or unset it.")
        if name not in available:
            raise ConfigError(f"KERAS_BACKEND={requested}, but {name} is not installed; install it "
                              f"(pip install {name}) or unset KERAS_BACKEND.")
        gpu = gpu_here and available[name]
        where = "GPU" if gpu else "CPU"
        why = "" if gpu or not gpu_here else f": {WHY_NO_GPU[name]}, so it cannot use the GPU"
        return Backend(name, gpu, f"Networks train on the {where} with {LABELS[name]} (KERAS_BACKEND={requested})"
                                  f"{why}.")
    if not available:
        raise ConfigError("no Keras backend is installed; pip install -e . brings TensorFlow.")
    if gpu_here:
        for name in GPU_ORDER:
            if available.get(name):
                return Backend(name, True, f"Networks train on the GPU with {LABELS[name]}, the first installed "
                                           "Keras backend that can use it (JAX, then TensorFlow, then PyTorch; "
                                           "KERAS_BACKEND overrides).")
        name = "tensorflow" if "tensorflow" in available else next(iter(available))
        missing = "; ".join(WHY_NO_GPU[n] for n in BACKENDS if n in available)
        return Backend(name, False, f"Networks train on the CPU with {LABELS[name]}: no installed Keras backend "
                                    f"can use the GPU here ({missing}). {GPU_FIX}.")
    order, why = cpu or ((), "")
    name = next((n for n in order if n in available), None)
    if name is not None and why:
        others = " or ".join(n for n in ("tensorflow", "jax", "torch") if n != name)
        return Backend(name, False, f"Networks train on the CPU with {LABELS[name]}, {why}; KERAS_BACKEND={others} "
                                    "chooses another.")
    name = "tensorflow" if "tensorflow" in available else next(iter(available))
    return Backend(name, False, f"Networks train on the CPU with {LABELS[name]}, the default backend "
                                "(KERAS_BACKEND=jax or torch chooses another).")


def apply(backend: Backend, gpu_here: bool) -> Backend:
    """Make ``backend`` the one Keras loads in this process (``KERAS_BACKEND``, before Keras is imported); if
    Keras is imported already, the backend it has is the one the run uses, and the reason says so."""
    keras = sys.modules.get("keras")
    if keras is None or not hasattr(keras, "config"):
        os.environ.setdefault("KERAS_BACKEND", backend.name)
        if os.environ["KERAS_BACKEND"] == "jax":
            compile_once()
        return _memory_on_demand(backend)
    actual = keras.config.backend()
    if actual == backend.name:
        return backend
    gpu = gpu_here and installed(gpu_here).get(actual, False)
    return Backend(actual, gpu, f"Networks train on the {'GPU' if gpu else 'CPU'} with {LABELS.get(actual, actual)}: "
                                "Keras was imported with it before this run started, and its backend cannot change "
                                "within a process.")


def compile_once() -> str | None:
    """JAX's compiled steps kept on disk for this process (``JAX_CACHE``), in a temporary folder removed when
    it exits, so networks of one configuration compile once; returns the folder. A folder the environment names
    already is kept as it is (JAX reads it when imported), and nothing is set once JAX is imported."""
    variable, settings = JAX_CACHE
    if variable in os.environ or "jax" in sys.modules:
        return os.environ.get(variable)
    prefix = "automl-jax-"
    sweep_caches(Path(tempfile.gettempdir()), prefix)
    folder = tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-")
    atexit.register(shutil.rmtree, folder, True)
    os.environ[variable] = folder
    for name, value in settings.items():
        os.environ.setdefault(name, value)
    return folder


def sweep_caches(where: Path, prefix: str) -> list[Path]:
    """Remove the ``compile_once`` folders (``<prefix><pid>-...`` in ``where``) of processes that ended without
    removing their own (killed: exit handlers do not run on a kill); returns them. A folder whose process still
    runs, or belongs to another user, is left alone.

    >>> import tempfile
    >>> where = Path(tempfile.mkdtemp())
    >>> (where / "automl-jax-999999999-abc").mkdir(); (where / f"automl-jax-{os.getpid()}-abc").mkdir()
    >>> [p.name for p in sweep_caches(where, "automl-jax-")], sorted(p.name for p in where.iterdir())[0][:11]
    (['automl-jax-999999999-abc'], 'automl-jax-')
    """
    gone: list[Path] = []
    if os.name != "posix":  # elsewhere ``os.kill`` cannot ask whether a process runs without stopping it
        return gone
    for folder in where.glob(f"{prefix}*-*"):
        pid = folder.name[len(prefix):].split("-", 1)[0]
        if not pid.isdigit() or _running(int(pid)):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        gone.append(folder)
    return gone


def _running(pid: int) -> bool:
    """Whether process ``pid`` exists (one of another user's counts: it cannot be signalled, but it runs)."""
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except OSError:  # PermissionError among them
        return True
    return True


def _memory_on_demand(backend: Backend) -> Backend:
    """On a GPU, ``backend`` set to take GPU memory as its networks need it rather than most of it at start
    (``ON_DEMAND``; a value already in the environment is kept), and the reason saying which it does."""
    if not backend.gpu or backend.name not in ON_DEMAND:
        return backend
    variable, value = ON_DEMAND[backend.name]
    if os.environ.setdefault(variable, value) != value:
        return backend
    return Backend(backend.name, True, f"{backend.reason} It takes GPU memory as the networks need it, not all at "
                                       f"start ({variable}={value}), so gradient boosting and other processes can "
                                       "share the GPU.")
