"""What machine we run on, found without importing any ML library.

Example:
    >>> hw = Hardware(cpu_count=2, memory_bytes=8 << 30, gpu_name=None)
    >>> hw.describe()
    '2 CPU cores, 8.0 GiB memory, no GPU'
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from dataclasses import asdict, dataclass, replace

from . import backend
from .errors import ConfigError, invalid

DEVICES = ("auto", "cpu", "gpu")


@dataclass(frozen=True)
class Hardware:
    cpu_count: int
    memory_bytes: int
    gpu_name: str | None
    processor: str = ""
    backend: str = ""  # the Keras backend the networks train with (``automl.backend``)
    backend_gpu: bool = True  # whether that backend can use the GPU
    backend_reason: str = ""

    @property
    def gpu(self) -> bool:
        return self.gpu_name is not None

    @property
    def network_gpu(self) -> bool:
        """Whether the networks train on the GPU: there is one, and the Keras backend can use it."""
        return self.gpu and self.backend_gpu

    def describe(self) -> str:
        gpu = self.gpu_name or "no GPU"
        return f"{self.cpu_count} CPU cores, {self.memory_bytes / 2**30:.1f} GiB memory, {gpu}"

    def to_dict(self) -> dict:
        return asdict(self) | {"gpu": self.gpu}


def detect(device: str = "auto", cpu: tuple[tuple[str, ...], str] | None = None) -> Hardware:
    """The hardware to use; ``device='cpu'`` hides a GPU, ``'gpu'`` insists on one. The Keras backend is chosen
    for it and, on a CPU, by the data's preference ``cpu`` (``backend.choose``)."""
    if device not in DEVICES:
        raise ConfigError(invalid("device", "one of auto, cpu, gpu", device))
    import psutil

    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    gpu = None if device == "cpu" else _gpu_name()
    if device == "gpu" and gpu is None:
        raise ConfigError(invalid("device", "auto or cpu on this machine (no NVIDIA GPU was found)", device))
    chosen = backend.choose(os.environ.get("KERAS_BACKEND"), backend.installed(gpu is not None), gpu is not None,
                            cpu)
    if device == "gpu" and not chosen.gpu:
        raise ConfigError(f"device='gpu': {chosen.reason} Or use device='auto' or 'cpu'.")
    return Hardware(cpus, int(psutil.virtual_memory().total), gpu, platform.processor() or platform.machine(),
                    chosen.name, chosen.gpu, chosen.reason)


def applied(hardware: Hardware) -> Hardware:
    """``hardware`` with its Keras backend made the one this process loads (``backend.apply``): the backend
    already imported wins, and the record says so."""
    chosen = backend.apply(backend.Backend(hardware.backend, hardware.backend_gpu, hardware.backend_reason),
                           hardware.gpu)
    return replace(hardware, backend=chosen.name, backend_gpu=chosen.gpu, backend_reason=chosen.reason)


def _gpu_name() -> str | None:
    if not os.path.isdir("/proc/driver/nvidia/gpus") and shutil.which("nvidia-smi") is None:
        return None
    try:
        out = subprocess.run(
            ["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"], capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return None
    names = [line.strip() for line in out.stdout.splitlines() if line.strip()]
    return names[0] if out.returncode == 0 and names else None
