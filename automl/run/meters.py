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


class Sampler:
    """Context manager calling ``sample()`` every ``interval`` seconds on a background thread until exit;
    ``sample`` returning False ends it early."""

    def __init__(self, interval: float):
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def sample(self) -> bool:
        raise NotImplementedError

    def _run(self) -> None:
        while self.sample() is not False and not self._stop.wait(self.interval):
            pass

    def __enter__(self) -> "Sampler":
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)


class GpuMeter(Sampler):
    """Utilisation samples every ``interval`` seconds; ``summary()`` after exit."""

    def __init__(self, interval: float = 0.5):
        super().__init__(interval)
        self.samples: list[float] = []

    def sample(self) -> bool:
        value = read_utilisation()
        if value is not None:
            self.samples.append(value)
        return value is not None

    def summary(self) -> dict[str, Any]:
        """Mean and peak utilisation in percent, and the number of samples; empty without samples."""
        if not self.samples:
            return {}
        return {"gpu_util_mean": round(sum(self.samples) / len(self.samples), 1),
                "gpu_util_max": max(self.samples), "gpu_samples": len(self.samples)}


class PeakMemory(Sampler):
    """This process's resident memory, sampled; ``peak_mb`` after exit."""

    def __init__(self, interval: float = 0.05):
        import psutil

        super().__init__(interval)
        self.process = psutil.Process()
        self.peak_mb = 0.0

    def sample(self) -> bool:
        self.peak_mb = max(self.peak_mb, self.process.memory_info().rss / 2**20)
        return True
