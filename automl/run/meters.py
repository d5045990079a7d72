"""Meters read while a search runs, in background threads: the process's peak memory, and GPU utilisation.

GPU utilisation is sampled from ``nvidia-smi``, which ships with the NVIDIA
driver, so this needs no extra package; without it (no NVIDIA GPU) the meter
stays empty and nothing is recorded.

Example:
    >>> with GpuMeter(interval=0.1) as meter:   # doctest: +SKIP
    ...     model.fit(...)
    >>> meter.summary()                          # doctest: +SKIP
    {'gpu_util_mean': 87.5, 'gpu_util_max': 99.0, 'gpu_samples': 42, 'gpu_memory_peak_mb': 6120.0}
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import threading
from typing import Any, Iterator

QUERY = ["nvidia-smi", "--query-gpu=utilization.gpu,memory.used", "--format=csv,noheader,nounits"]


def read_gpu() -> tuple[float, float | None] | None:
    """The first GPU's utilisation in percent and its memory in use in MiB (None when not reported), or None when
    neither can be read (no ``nvidia-smi``, or output it does not understand)."""
    if shutil.which(QUERY[0]) is None:
        return None
    try:
        out = subprocess.run(QUERY, capture_output=True, text=True, timeout=5).stdout
        fields = [f.strip() for f in out.strip().splitlines()[0].split(",")]
        memory = float(fields[1]) if len(fields) > 1 and fields[1].replace(".", "", 1).isdigit() else None
        return float(fields[0]), memory
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
    """Utilisation (and memory in use, where reported) every ``interval`` seconds; ``summary()`` after exit."""

    def __init__(self, interval: float = 0.5):
        super().__init__(interval)
        self.samples: list[float] = []
        self.memory_mb: list[float] = []

    def sample(self) -> bool:
        reading = read_gpu()
        if reading is not None:
            self.samples.append(reading[0])
            if reading[1] is not None:
                self.memory_mb.append(reading[1])
        return reading is not None

    def summary(self) -> dict[str, Any]:
        """Mean and peak utilisation in percent, the number of samples and the peak memory in use (MiB, when
        reported); empty without samples."""
        if not self.samples:
            return {}
        found = {"gpu_util_mean": round(sum(self.samples) / len(self.samples), 1),
                 "gpu_util_max": max(self.samples), "gpu_samples": len(self.samples)}
        if self.memory_mb:
            found["gpu_memory_peak_mb"] = max(self.memory_mb)
        return found


@contextlib.contextmanager
def metered(gpu: bool) -> Iterator[dict[str, Any]]:
    """GPU use while the block runs, for training outside Keras Tuner's trials: yields a dict that holds the
    ``GpuMeter`` summary once the block ends; it stays empty when ``gpu`` is false (the work is not on a GPU).

    >>> with metered(False) as use:
    ...     pass
    >>> use
    {}
    """
    found: dict[str, Any] = {}
    if not gpu:
        yield found
        return
    with GpuMeter() as meter:
        yield found
    found.update(meter.summary())


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
