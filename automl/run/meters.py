"""Meters read while a search runs, in background threads: the process's peak memory, and GPU utilisation.

GPU utilisation is sampled from ``nvidia-smi``, which ships with the NVIDIA
driver, so this needs no extra package; without it (no NVIDIA GPU) the meter
stays empty and nothing is recorded.

Example:
    >>> with GpuMeter(interval=0.1) as meter:   # doctest: +SKIP
    ...     model.fit(...)
    >>> meter.summary()                          # doctest: +SKIP
    {'gpu_util_mean': 87.5, 'gpu_util_max': 99.0, 'gpu_samples': 42}
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
from typing import Any

QUERY = ["nvidia-smi", "--query-gpu=utilization.gpu", "--format=csv,noheader,nounits"]


def read_utilisation() -> float | None:
    """Current utilisation of the first GPU in percent, or None when it cannot be read."""
    if shutil.which(QUERY[0]) is None:
        return None
    try:
        out = subprocess.run(QUERY, capture_output=True, text=True, timeout=5).stdout
        return float(out.strip().splitlines()[0])
    except (OSError, subprocess.SubprocessError, ValueError, IndexError):
        return None


class GpuMeter:
    """Context manager: utilisation samples every ``interval`` seconds; ``summary()`` after exit."""

    def __init__(self, interval: float = 0.5):
        self.interval = interval
        self.samples: list[float] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _run(self) -> None:
        while True:
            value = read_utilisation()
            if value is None:
                return
            self.samples.append(value)
            if self._stop.wait(self.interval):
                return

    def __enter__(self) -> "GpuMeter":
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def summary(self) -> dict[str, Any]:
        """Mean and peak utilisation in percent, and the number of samples; empty without samples."""
        if not self.samples:
            return {}
        return {"gpu_util_mean": round(sum(self.samples) / len(self.samples), 1),
                "gpu_util_max": max(self.samples), "gpu_samples": len(self.samples)}


class PeakMemory:
    """Context manager sampling this process's resident memory; ``peak_mb`` after exit."""

    def __init__(self, interval: float = 0.05):
        self.interval = interval
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _sample(self, process: Any) -> None:
        while not self._stop.is_set():
            self.peak_mb = max(self.peak_mb, process.memory_info().rss / 2**20)
            time.sleep(self.interval)

    def __enter__(self) -> "PeakMemory":
        import psutil

        process = psutil.Process()
        self.peak_mb = process.memory_info().rss / 2**20
        self._thread = threading.Thread(target=self._sample, args=(process,), daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
