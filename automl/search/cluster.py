"""Keras Tuner's distributed mode with every wait bounded: a chief serving the oracle, workers running trials.

In Keras Tuner's distributed mode one process, the chief, holds the oracle and
answers workers over gRPC (its ``OracleServicer``); each worker builds, trains
and scores the trials the oracle hands it (its ``OracleClient``), and all of
them share one folder of trial checkpoints. Two of its waits have no useful
bound (keras-tuner #915, #990): the chief's ``start_server`` loops until every
worker has said goodbye, so one dead worker hangs it for ever, and each
worker's gRPC call waits up to an hour for a chief that has gone. So here:

* the chief (``serve``) runs Keras Tuner's own servicer on a loop of ours,
  which ends when every worker is done or at the deadline plus a grace; a
  local worker whose process died has its trial ended as failed, and the
  search goes on with the others;
* a worker (``BoundedClient``) waits for the chief at most until the deadline
  plus a grace, and sleeps between asks while the oracle waits for a
  Hyperband round to finish (Keras Tuner asks again at once, in a busy loop).

What a worker measured about a trial (its epochs, speed) is written beside the
trial's checkpoint (``worker.json``), where the chief reads it when the trial
ends; the chief alone writes the run's records.

Example:
    >>> Worker("127.0.0.1:8470", "worker-1").host_port()
    ('127.0.0.1', '8470')
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from concurrent import futures
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..budget import Deadline
from ..errors import ConfigError

POLL_SECONDS = 0.2  # how often the chief looks for ended trials and stopped workers
IDLE_SECONDS = 0.5  # how long a worker waits before asking again while the oracle waits for a round to end
STOP_SECONDS = 3.0  # from SIGTERM to SIGKILL for a worker still running after the grace
INFO = "worker.json"  # what a worker measured about a trial, beside its checkpoint


class WorkerDone(Exception):
    """A worker's search ended: its trials are with the chief, and there is no model for it to return."""

    def __init__(self, trials: int):
        super().__init__(f"{trials} trial(s) run for the chief")
        self.trials = trials


@dataclass
class Launched:
    """A worker process the chief started on this machine."""

    name: str
    process: subprocess.Popen
    log: str = ""


@dataclass
class Chief:
    """The chief's side of a distributed search: ``start(address, ctx)`` starts the local workers and returns
    them (the run layer writes what they need to rebuild the search first); ``listen`` is where the oracle is
    served (port 0: any free one)."""

    workers: int
    start: Callable[[str, Any], list[Launched]]
    listen: str = "127.0.0.1:0"
    grace: float = 10.0
    finish: Callable[[], None] = lambda: None  # called once the workers are gone (the run layer tidies up)
    summary: dict[str, Any] = field(default_factory=dict)  # filled by ``serve``: what each worker did


@dataclass
class Worker:
    """A worker's side: the chief's ``host:port`` and this worker's name (Keras Tuner's tuner id)."""

    address: str
    name: str
    grace: float = 30.0

    def host_port(self) -> tuple[str, str]:
        return split_address(self.address, "--chief")


def split_address(address: str, option: str) -> tuple[str, str]:
    """``HOST:PORT`` as its two parts; a ``ConfigError`` naming ``option`` when it is not one.

    >>> split_address("10.0.0.5:8470", "--chief")
    ('10.0.0.5', '8470')
    """
    host, _, port = str(address).rpartition(":")
    if not host or not port.isdigit() or not 0 <= int(port) < 65536:
        raise ConfigError(f"{option} must be HOST:PORT, for example 10.0.0.5:8470; got {address!r}.")
    return host, port


class _BoundedStub:
    """A gRPC stub whose every call waits at most until the deadline plus a grace (Keras Tuner: an hour)."""

    def __init__(self, stub: Any, deadline: Deadline, grace: float):
        self._stub = stub
        self._deadline = deadline
        self._grace = grace

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = getattr(self._stub, name)

        def call(request: Any, **kwargs: Any) -> Any:
            kwargs["timeout"] = max(1.0, self._deadline.remaining() + self._grace)
            return method(request, **kwargs)

        return call


def bounded_client(oracle: Any, worker: Worker, deadline: Deadline) -> Any:
    """Keras Tuner's ``OracleClient`` for ``oracle``, talking to ``worker.address`` (not to the address in its
    environment variables), with every wait bounded and no busy loop on IDLE."""
    import grpc
    from keras_tuner.src import protos
    from keras_tuner.src.distribute.oracle_client import OracleClient

    class BoundedClient(OracleClient):
        def __init__(self) -> None:  # OracleClient's own reads the chief's address from environment variables
            self._oracle = oracle
            stub = protos.get_service_grpc().OracleStub(grpc.insecure_channel(worker.address))
            self.stub = _BoundedStub(stub, deadline, worker.grace)
            self.tuner_id = worker.name
            self.multi_worker = False
            self.should_report = True

        def create_trial(self, tuner_id: str) -> Any:
            trial = super().create_trial(tuner_id)
            if trial.status == "IDLE":  # the oracle waits for other workers' trials to end a Hyperband round
                time.sleep(IDLE_SECONDS)
            return trial

    return BoundedClient()


def write_info(trial_dir: str, info: dict[str, Any]) -> None:
    """A worker's measurements of one trial, written whole (the chief may read it at any moment)."""
    path = Path(trial_dir) / INFO
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(info), encoding="utf-8")
    os.replace(tmp, path)


def read_info(trial_dir: str) -> dict[str, Any]:
    """What the worker wrote about a trial; empty when it wrote nothing (it died first)."""
    try:
        return json.loads((Path(trial_dir) / INFO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def serve(tuner: Any, ctx: Any, chief: Chief, ended: Callable[[Any], None]) -> dict[str, Any]:
    """Serve ``tuner``'s oracle to the workers ``chief.start`` launches until the search is over, calling
    ``ended(trial)`` in this thread for each trial as it ends; returns what each worker did.

    The search is over when every local worker has exited and every worker that joined has been told to stop
    (no trial is running), or at ``ctx.deadline`` plus ``chief.grace``: workers still running then are
    stopped, and their trials recorded as failed.
    """
    import grpc
    from keras_tuner.src import protos
    from keras_tuner.src.distribute.oracle_chief import OracleServicer

    oracle = tuner.oracle
    host, port = split_address(chief.listen, "--listen")
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
    protos.get_service_grpc().add_OracleServicer_to_server(OracleServicer(oracle), server)
    bound = server.add_insecure_port(f"{host}:{port}")
    if not bound:
        raise ConfigError(f"`listen` {chief.listen!r}: the chief cannot listen there (address in use, or not this "
                          "machine's); give another HOST:PORT, or port 0 for any free one.")
    server.start()
    address = f"{host}:{bound}"
    chief.summary.update(address=address, workers={})
    launched: list[Launched] = []
    earlier = set(oracle.end_order)  # trials of an earlier session (a resumed search): recorded then
    handed = set(earlier)
    expired, stopped = None, False
    children = _children_cpu()
    try:
        launched = chief.start(address, ctx)
        chief.summary["workers"] = {w.name: {"trials": 0, "ok": 0, "failed": 0, "log": w.log} for w in launched}
        while True:
            _hand_on(oracle, handed, ended)
            _reap(oracle, launched, chief.summary)
            if all(w.process.poll() is not None for w in launched) and not (oracle.ongoing_trials
                                                                             or oracle.tuner_ids):
                break  # every worker, local or joined from elsewhere, has been told to stop (or is gone)
            if expired is None and ctx.deadline.expired():
                expired = time.monotonic()
            if expired is not None and time.monotonic() - expired >= chief.grace:
                break
            time.sleep(POLL_SECONDS)
    except BaseException:
        stopped = True  # a stop (Ctrl-C, SIGTERM): running trials stay open, so a resume runs them again
        raise
    finally:
        if not stopped:
            _abandon(oracle, "it had not ended by the deadline and its grace (its worker stopped answering)")
        server.stop(grace=0.5)
        _stop(launched)
        if not stopped:
            _reap(oracle, launched, chief.summary)
        _hand_on(oracle, handed, ended)
        chief.summary["cpu_seconds"] = round(_children_cpu() - children, 2)  # the local workers' CPU time
        chief.finish()
    for trial_id in [t for t in dict.fromkeys(oracle.end_order) if t not in earlier]:
        trial = oracle.trials[trial_id]
        owner = oracle.owners.get(trial_id, "?")
        entry = chief.summary["workers"].setdefault(owner, {"trials": 0, "ok": 0, "failed": 0, "log": ""})
        entry["trials"] += 1
        entry["ok" if trial.status == "COMPLETED" else "failed"] += 1
    return chief.summary


def describe(summary: dict[str, Any]) -> str:
    """A sentence on what each worker did, from ``serve``'s summary.

    >>> print(describe({"address": "127.0.0.1:5", "workers": {
    ...     "worker-1": {"trials": 3, "ok": 3, "failed": 0},
    ...     "worker-2": {"trials": 2, "ok": 1, "failed": 1, "lost": 1}}}))  # doctest: +NORMALIZE_WHITESPACE
    The search ran on 2 worker processes (Keras Tuner's distributed mode, chief at 127.0.0.1:5): worker-1 ran 3
    trials; worker-2 ran 2 trials, 1 lost when its process stopped.
    """
    workers = summary.get("workers", {})
    parts = []
    for name, did in workers.items():
        part = f"{name} ran {did.get('trials', 0)} trial{'' if did.get('trials') == 1 else 's'}"
        failed, lost = did.get("failed", 0), did.get("lost", 0)
        if lost:
            part += f", {lost} lost when its process stopped"
        if failed - lost > 0:
            part += f", {failed - lost} failed"
        parts.append(part)
    return (f"The search ran on {len(workers)} worker process{'' if len(workers) == 1 else 'es'} (Keras Tuner's "
            f"distributed mode, chief at {summary.get('address', '?')}): " + "; ".join(parts or ["none started"])
            + ".")


def _hand_on(oracle: Any, handed: set[str], ended: Callable[[Any], None]) -> None:
    """Pass on each trial the oracle has ended and that was not ``handed`` on yet (a worker reporting a trial
    the chief had already given up on ends it twice in Keras Tuner's order)."""
    for trial_id in list(oracle.end_order):
        if trial_id not in handed:
            handed.add(trial_id)
            ended(oracle.trials[trial_id])


def _reap(oracle: Any, launched: list[Launched], summary: dict[str, Any]) -> None:
    """A local worker whose process has exited while its trial was running: that trial ends as failed."""
    for worker in launched:
        code = worker.process.poll()
        if code is None:
            continue
        entry = summary["workers"].setdefault(worker.name, {"trials": 0, "ok": 0, "failed": 0, "log": worker.log})
        entry["exit_code"] = code
        trial = oracle.ongoing_trials.get(worker.name)
        if trial is not None:
            how = f"signal {-code}" if code < 0 else f"exit code {code}"
            _fail(oracle, worker.name, trial, f"its worker ({worker.name}) stopped ({how}) during the trial")
            entry["lost"] = entry.get("lost", 0) + 1
        oracle.tuner_ids.discard(worker.name)


def _abandon(oracle: Any, why: str) -> None:
    """Every trial still running ends as failed (its worker is gone or past the deadline)."""
    for name, trial in list(oracle.ongoing_trials.items()):
        _fail(oracle, name, trial, why)


def _fail(oracle: Any, name: str, trial: Any, why: str) -> None:
    from keras_tuner.src.engine import trial as trial_module

    trial.status = trial_module.TrialStatus.FAILED
    trial.message = f"The trial was lost: {why}."
    try:
        oracle.end_trial(trial)
    except RuntimeError:  # Keras Tuner's "too many consecutive failures": the search is over anyway
        pass
    oracle.ongoing_trials.pop(name, None)


def _children_cpu() -> float:
    """CPU seconds (user and system) of this process's children that have ended and been waited for."""
    import resource

    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _stop(launched: list[Launched]) -> None:
    """SIGTERM the workers still running, SIGKILL those still running a few seconds later."""
    running = [w.process for w in launched if w.process.poll() is None]
    for process in running:
        with contextlib.suppress(OSError):
            process.send_signal(signal.SIGTERM)
    end = time.monotonic() + STOP_SECONDS
    for process in running:
        try:
            process.wait(timeout=max(0.0, end - time.monotonic()))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(OSError):
                process.kill()
            process.wait()

