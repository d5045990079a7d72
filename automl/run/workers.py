"""Worker processes for a deep search: what the chief writes for them, how it starts them, and a worker's run.

With ``automl fit --workers N`` the process running the fit is the chief of
Keras Tuner's distributed mode (``search.cluster``). When a network search
starts, it writes what a worker needs to rebuild that search into the run
directory (``search/<approach>/cluster/``: the training rows as Parquet, the
targets, the decoded files when the run holds them, and ``spec.json`` with
the task, metric, seed, plan inputs and the search's deadline as wall-clock
time), then starts N ``automl worker`` processes on this machine. A worker on
another machine that sees the same run directory joins the same way
(``automl worker --chief HOST:PORT RUN``).

Each local worker gets its own share of the machine: one GPU each
(``CUDA_VISIBLE_DEVICES``) when there are as many GPUs as workers, a share of
the GPU's memory when they share one, and its share of the CPU threads
otherwise.

Example:
    >>> thread_env(workers=2, cpus=8)["OMP_NUM_THREADS"]
    '4'
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from ..budget import Deadline
from ..errors import ConfigError, DataError
from ..search.cluster import Chief, Launched, Worker, WorkerDone, split_address

FOLDER = "search/{approach}/cluster"
SPEC = "spec.json"
WEIGHTS = "weights.npy"  # the training rows' weights (--weight)
DATA_FILES = (SPEC, "X.parquet", "y.npy", WEIGHTS, "cache.npy", "cache.json")  # deleted once the workers are gone
WAIT_FOR_SPEC = 1.0  # seconds between looks for a search to join


def chief(settings: Any, run_dir: Path, modality: str, hardware: Any) -> Chief | None:
    """The chief of a run's network searches, or None when the run searches in one process."""
    if not settings.workers:
        return None

    def start(address: str, ctx: Any) -> list[Launched]:
        folder = write_spec(run_dir, ctx, modality, settings.device)
        return launch(run_dir, ctx.approach, address, settings.workers, hardware, folder)

    def finish() -> None:  # the workers are gone: the copies of the data they read go too
        for folder in (run_dir / "search").glob("*/cluster"):
            for path in folder.glob("*"):
                if path.name in DATA_FILES:
                    path.unlink(missing_ok=True)

    return Chief(settings.workers, start, listen=settings.listen, finish=finish)


def _rule(folder: Path) -> Any:
    """The run's ``splitting.Rule`` as ``write_spec`` left it in ``folder``; None when it has none."""
    import numpy as np

    from ..data.splitting import Rule

    parts = {part: np.load(folder / f"rule_{part}.npy") for part in ("groups", "order")
             if (folder / f"rule_{part}.npy").is_file()}
    return Rule(**parts) if parts else None


def write_spec(run_dir: Path, ctx: Any, modality: str, device: str) -> Path:
    """Write what a worker needs to rebuild ``ctx``'s search; returns the folder."""
    import numpy as np

    folder = run_dir / FOLDER.format(approach=ctx.approach)
    folder.mkdir(parents=True, exist_ok=True)
    ctx.X.to_parquet(folder / "X.parquet", index=False)
    np.save(folder / "y.npy", np.asarray(ctx.y))
    for part in ("groups", "order"):  # the networks' validation rows are split by the run's rule on every worker
        if getattr(ctx.rule, part, None) is not None:
            np.save(folder / f"rule_{part}.npy", np.asarray(getattr(ctx.rule, part)))
    if ctx.sample_weight is not None:  # and trained on rows drawn by their weight, and scored by it (--weight)
        np.save(folder / WEIGHTS, np.asarray(ctx.sample_weight, dtype=float))
    cache = ctx.cache.get(modality)
    if cache is not None and hasattr(cache, "index"):  # decoded media files: workers map them, not decode again
        np.save(folder / "cache.npy", np.asarray(cache.array))
        (folder / "cache.json").write_text(json.dumps(cache.index), encoding="utf-8")
    spec = {
        "approach": ctx.approach, "modality": modality, "task": ctx.task, "metric": ctx.metric,
        "classes": ctx.classes, "kinds": ctx.kinds, "seed": ctx.seed, "validation": ctx.validation,
        "folds": ctx.folds, "inputs": ctx.inputs, "max_trials": ctx.max_trials, "max_epochs": ctx.max_epochs,
        "device": device, "backend": ctx.hardware.backend, "ends_at": time.time() + ctx.deadline.remaining(),
    }
    tmp = folder / (SPEC + ".tmp")
    tmp.write_text(json.dumps(spec, default=str), encoding="utf-8")
    os.replace(tmp, folder / SPEC)  # last, and whole: a joining worker takes the spec as the sign all is there
    return folder


def thread_env(workers: int, cpus: int) -> dict[str, str]:
    """Environment variables that give each of ``workers`` processes its share of ``cpus`` threads."""
    share = str(max(1, cpus // max(workers, 1)))
    return {"OMP_NUM_THREADS": share, "TF_NUM_INTRAOP_THREADS": share, "TF_NUM_INTEROP_THREADS": "1",
            "XLA_FLAGS": f"--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads={share}"}


def device_env(index: int, workers: int, gpus: int) -> dict[str, str]:
    """Which GPU worker ``index`` sees, and its share of that GPU's memory when workers share one.

    >>> device_env(1, 2, 2)
    {'CUDA_VISIBLE_DEVICES': '1'}
    >>> device_env(1, 4, 1)["XLA_PYTHON_CLIENT_MEM_FRACTION"]
    '0.23'
    """
    env = {"CUDA_VISIBLE_DEVICES": str(index % gpus)}
    sharing = -(-workers // gpus)  # workers on the busiest GPU
    if sharing > 1:  # no process may take the whole GPU's memory up front (JAX would; TensorFlow would grow)
        env |= {"XLA_PYTHON_CLIENT_PREALLOCATE": "false", "TF_FORCE_GPU_ALLOW_GROWTH": "true",
                "XLA_PYTHON_CLIENT_MEM_FRACTION": f"{0.9 / sharing:.2f}"}
    return env


def gpu_count() -> int:
    """NVIDIA GPUs on this machine (``nvidia-smi -L``), 0 without one."""
    try:
        out = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return 0
    return sum(1 for line in out.stdout.splitlines() if line.startswith("GPU ")) if out.returncode == 0 else 0


def launch(run_dir: Path, approach: str, address: str, workers: int, hardware: Any, folder: Path) -> list[Launched]:
    """Start ``workers`` local ``automl worker`` processes joining ``address``; their output goes to the run's
    ``logs/`` and their names and process ids to ``workers.json`` beside the spec."""
    gpus = gpu_count() if hardware.network_gpu else 0
    host, port = split_address(address, "--listen")
    if host in ("0.0.0.0", "::", "[::]"):
        address = f"127.0.0.1:{port}"  # the chief listens everywhere; local workers reach it here
    (run_dir / "logs").mkdir(parents=True, exist_ok=True)
    launched = []
    for i in range(workers):
        name = f"worker-{i + 1}"
        share = device_env(i, workers, gpus) if gpus else thread_env(workers, hardware.cpu_count)
        env = os.environ | share
        if "XLA_FLAGS" in share and os.environ.get("XLA_FLAGS"):  # the user's own XLA flags stay
            env["XLA_FLAGS"] = f"{os.environ['XLA_FLAGS']} {share['XLA_FLAGS']}"
        log = run_dir / "logs" / f"{approach}-{name}.log"
        with open(log, "ab") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "automl", "worker", "--chief", address, str(run_dir), "--approach", approach,
                 "--name", name], stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
                start_new_session=True)  # a Ctrl-C at the terminal reaches the chief, which stops them
        launched.append(Launched(name, process, str(log.relative_to(run_dir))))
    listed = {"address": address, "workers": [{"name": w.name, "pid": w.process.pid, "log": w.log}
                                              for w in launched]}
    (folder / "workers.json").write_text(json.dumps(listed, indent=2), encoding="utf-8")
    return launched


def join(run_dir: Path, address: str, name: str, approach: str | None = None, wait: float = 600.0
         ) -> dict[str, Any]:
    """A worker's whole life: find the search to join in ``run_dir`` (waiting up to ``wait`` seconds for its
    chief to write it), rebuild it, run the trials the chief hands out until it says stop or the deadline
    passes; returns what it did. A ``ConfigError`` or ``DataError`` names what is missing."""
    split_address(address, "--chief")
    if not (run_dir / "run.json").is_file():
        raise ConfigError(f"RUN: {run_dir} is not a run directory (no run.json); give the folder `automl fit` "
                          "printed, as the chief's machine sees it on the shared file system.")
    folder = _find_spec(run_dir, approach, wait)
    spec = json.loads((folder / SPEC).read_text(encoding="utf-8"))
    import grpc

    ctx, route = rebuild(run_dir, folder, spec, Worker(address, name))
    started = time.monotonic()
    did = {"approach": spec["approach"], "name": name, "trials": 0, "ended": "the chief said the search is over"}
    try:
        route.search(ctx)
    except WorkerDone as done:
        return did | {"trials": done.trials, "seconds": round(time.monotonic() - started, 1)}
    except grpc.RpcError as exc:  # the chief stopped serving (its search ended) or never answered in time
        trials = sum(1 for p in (ctx.workdir / "search").glob("trial_*/worker.json")
                     if json.loads(p.read_text(encoding="utf-8")).get("worker") == name)
        return did | {"trials": trials, "seconds": round(time.monotonic() - started, 1),
                      "ended": f"the chief stopped answering ({getattr(exc.code(), 'name', exc.code())})"}
    raise DataError(f"the {spec['approach']} route does not search with Keras Tuner, so it has no trials for "
                    "workers; run it without --workers.")


def _find_spec(run_dir: Path, approach: str | None, wait: float) -> Path:
    """The folder of the search to join: ``approach``'s, else the one whose deadline is furthest away."""
    give_up = time.monotonic() + wait
    while True:
        found = []
        for path in sorted((run_dir / "search").glob(f"{approach or '*'}/cluster/{SPEC}")):
            try:
                ends = float(json.loads(path.read_text(encoding="utf-8"))["ends_at"])
            except (OSError, ValueError, KeyError, TypeError):
                continue
            if ends > time.time():
                found.append((ends, path.parent))
        if found:
            return max(found)[1]
        if time.monotonic() >= give_up:
            which = f"the {approach} search" if approach else "a network search"
            raise ConfigError(f"RUN: {run_dir} has no running {which} to join within {wait:.0f}s; start "
                              "`automl fit ... --workers N` first, and join while its network search runs.")
        time.sleep(min(WAIT_FOR_SPEC, max(0.1, give_up - time.monotonic())))


def rebuild(run_dir: Path, folder: Path, spec: dict[str, Any], worker: Worker) -> tuple[Any, Any]:
    """The chief's search context, rebuilt from what it wrote, and the route that runs it."""
    import numpy as np
    import pandas as pd

    from .. import registry
    from ..hardware import detect
    from ..search.base import SearchContext

    if spec.get("backend"):  # the chief's backend, unless this machine's KERAS_BACKEND says otherwise
        os.environ.setdefault("KERAS_BACKEND", spec["backend"])
    cache: dict[str, Any] = {}
    if (folder / "cache.npy").is_file():
        from ..modalities.media.decoding import FileCache

        kind = registry.modality(spec["modality"])
        index = json.loads((folder / "cache.json").read_text(encoding="utf-8"))
        cache[spec["modality"]] = FileCache(kind.spec(spec["inputs"][kind.name]), index,
                                            np.load(folder / "cache.npy", mmap_mode="r"))
    ctx = SearchContext(
        approach=spec["approach"], X=pd.read_parquet(folder / "X.parquet"), y=np.load(folder / "y.npy"),
        task=spec["task"], metric=spec["metric"], classes=spec["classes"], kinds=spec["kinds"], seed=spec["seed"],
        validation=spec["validation"], folds=spec["folds"], deadline=Deadline(max(0.0, spec["ends_at"] - time.time())),
        hardware=detect(spec["device"]), max_trials=spec["max_trials"], max_epochs=spec["max_epochs"],
        inputs=spec["inputs"], cache=cache, workdir=run_dir / "search" / spec["approach"], cluster=worker,
        rule=_rule(folder),
        sample_weight=np.load(folder / WEIGHTS) if (folder / WEIGHTS).is_file() else None,
    )
    route = registry.route_spec(spec["modality"], spec["approach"]).route()
    return ctx, route
