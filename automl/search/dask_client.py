"""A Dask client for training on a table too large for memory: a local cluster sized to the run's memory, or an
existing scheduler given by address.

Every wait is bounded: connecting to a scheduler times out, and a local cluster that cannot start is an error
that says so.

Example:
    >>> local_shape(memory=8 << 30, cpu_count=2)
    Shape(workers=2, threads=1, memory_per_worker=3006477107)
    >>> with connected("local", 8 << 30, 2) as client:   # doctest: +SKIP
    ...     client.ncores()
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from typing import Any, Iterator

from ..data.memory import size_text
from ..errors import ConfigError

WORKERS_SHARE = 0.7  # of the run's memory, for the local cluster's workers; the rest is this process's (the held rows)
MAX_LOCAL_WORKERS = 4
CONNECT_SECONDS = 30


@dataclass(frozen=True)
class Shape:
    """A local cluster: worker processes, threads each, and each one's memory limit in bytes."""

    workers: int
    threads: int
    memory_per_worker: int

    def describe(self) -> str:
        return (f"a local Dask cluster of {self.workers} worker process(es), {self.threads} thread(s) and "
                f"{size_text(self.memory_per_worker)} each")


def local_shape(memory: int, cpu_count: int) -> Shape:
    """One worker per core (at most ``MAX_LOCAL_WORKERS``), sharing ``WORKERS_SHARE`` of ``memory``."""
    workers = max(1, min(cpu_count, MAX_LOCAL_WORKERS))
    return Shape(workers, max(1, cpu_count // workers), int(memory * WORKERS_SHARE / workers))


@contextlib.contextmanager
def connected(address: str, memory: int, cpu_count: int) -> Iterator[Any]:
    """A ``distributed.Client``: on a new local cluster for ``auto``/``local``, else on the scheduler at
    ``address``; closed (the local cluster with it) on the way out."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ConfigError('`dask` needs Dask: install the distributed extra (pip install -e ".[distributed]").') \
            from None
    if address not in ("auto", "local"):
        try:
            client = Client(address, timeout=f"{CONNECT_SECONDS}s")
        except (OSError, TimeoutError) as exc:
            raise ConfigError(f"`dask` scheduler {address!r} did not answer within {CONNECT_SECONDS}s ({exc}). "
                              "Check the address and that the scheduler runs, or use --dask local.") from None
        with client:
            yield client
        return
    shape = local_shape(memory, cpu_count)
    with LocalCluster(n_workers=shape.workers, threads_per_worker=shape.threads,
                      memory_limit=shape.memory_per_worker, processes=True, dashboard_address=None,
                      silence_logs=logging.ERROR) as cluster, Client(cluster) as client:
        yield client


def check_reachable(address: str, seconds: float = 5.0) -> None:
    """A ``ConfigError`` when nothing listens at a scheduler's ``address`` (``tcp://HOST:PORT``): checked before
    a run starts, so a wrong address costs seconds, not a run.

    >>> check_reachable("tcp://127.0.0.1:1", 1.0)
    Traceback (most recent call last):
    automl.errors.ConfigError: `dask` scheduler 'tcp://127.0.0.1:1' does not answer (...). Check ... --dask local.
    """
    import socket

    host, _, port = address.split("://", 1)[-1].rpartition(":")
    if address.startswith("inproc://") or not port.isdigit():
        return  # an in-process scheduler, or a scheme Dask resolves itself: the client's timeout bounds it
    try:
        socket.create_connection((host.strip("[]") or "127.0.0.1", int(port)), timeout=seconds).close()
    except (OSError, ValueError) as exc:
        raise ConfigError(f"`dask` scheduler {address!r} does not answer ({exc}). Check the address and that the "
                          "scheduler runs, or use --dask local.") from None


def describe(client: Any) -> dict[str, Any]:
    """What the cluster is: its workers, threads and memory limits, for the route's notes and ``run.json``."""
    info = client.scheduler_info(n_workers=-1) if _takes_n_workers(client) else client.scheduler_info()
    workers = list(info.get("workers", {}).values())
    return {"workers": len(workers), "threads": sum(int(w.get("nthreads", 0)) for w in workers),
            "memory_limit": sum(int(w.get("memory_limit", 0) or 0) for w in workers),
            "address": info.get("address", "")}


def _takes_n_workers(client: Any) -> bool:
    import inspect

    return "n_workers" in inspect.signature(client.scheduler_info).parameters
