"""Money and memory: the declared price of compute, and a peak-memory meter.

Prices are assumptions, written into every report: on-demand cloud list
prices in 2026 were about $0.048 per vCPU-hour for general-purpose machines
and $2.50 per hour for one data-centre GPU.

Example:
    >>> round(cost_usd(3600, cpu_count=2, gpu=False), 3)
    0.096
"""

from __future__ import annotations

import threading
import time
from typing import Any

PRICE_CPU_CORE_HOUR = 0.048
PRICE_GPU_HOUR = 2.50
PRICE_SOURCE = "assumed on-demand cloud prices: $0.048 per CPU core-hour, $2.50 per GPU-hour"


def cost_usd(seconds: float, cpu_count: int, gpu: bool, prices: Any = None) -> float:
    """USD for ``seconds`` of the machine; ``prices`` (an ``automl.prices.Prices``) overrides the defaults."""
    if prices is not None:
        return prices.usd(seconds, cpu_count, gpu)
    per_hour = cpu_count * PRICE_CPU_CORE_HOUR + (PRICE_GPU_HOUR if gpu else 0.0)
    return seconds / 3600.0 * per_hour


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
