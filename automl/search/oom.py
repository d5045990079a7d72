"""A network that does not fit the device's memory: recognise it, and the smaller batch to try instead.

Each Keras backend says "out of memory" its own way: TensorFlow raises
``ResourceExhaustedError`` ("OOM when allocating tensor ..."), JAX an
``XlaRuntimeError`` whose message starts ``RESOURCE_EXHAUSTED``, PyTorch
``torch.OutOfMemoryError`` ("CUDA out of memory"). A search trial that hits
one is run again at half its batch (``tuner.RecordingTuner.run_trial``), down
to ``MIN_BATCH``; below that it is a failed trial and the search goes on.

Example:
    >>> class ResourceExhaustedError(Exception): ...
    >>> out_of_memory(ResourceExhaustedError("OOM when allocating tensor with shape[512,64,32,32]"))
    True
    >>> out_of_memory(ValueError("Input 0 of layer 'dense' is incompatible")), halved(256), halved(8)
    (False, 128, None)
"""

from __future__ import annotations

from typing import Any

MIN_BATCH = 8  # below this a batch's statistics (and batch normalisation) are too noisy to be worth training
_NAMES = {"ResourceExhaustedError", "OutOfMemoryError"}
_MESSAGES = ("resource_exhausted", "out of memory", "oom when allocating")


def out_of_memory(exc: BaseException) -> bool:
    """Whether ``exc`` is the backend (or the host) running out of memory, as opposed to a bug or bad input."""
    if isinstance(exc, MemoryError) or type(exc).__name__ in _NAMES:
        return True
    text = str(exc).lower()
    return any(m in text for m in _MESSAGES)


def halved(batch: int) -> int | None:
    """The batch to retry with, or None when half would be under ``MIN_BATCH``."""
    half = batch // 2
    return half if half >= MIN_BATCH else None


def batch_of(x: Any, fit_kwargs: dict[str, Any]) -> int | None:
    """The batch a trial trains with: ``batch_size`` for arrays, a dataset's own ``batch`` for batches it
    makes itself (``MediaBatches``); None when neither can be changed."""
    if "batch_size" in fit_kwargs:
        return int(fit_kwargs["batch_size"])
    batch = getattr(x, "batch", None)
    return int(batch) if isinstance(batch, int) else None


def set_batch(x: Any, fit_kwargs: dict[str, Any], batch: int) -> None:
    """Make the trial train with ``batch``: in ``fit_kwargs`` for arrays, on the dataset for one that batches
    itself (the caller puts its batch back when the trial ends)."""
    if "batch_size" in fit_kwargs:
        fit_kwargs["batch_size"] = batch
    else:
        x.batch = batch


def note(records: list[Any]) -> str | None:
    """A sentence on the trials that ran out of memory (``extra["out_of_memory_at"]``), or None."""
    hit = [r for r in records if r.extra.get("out_of_memory_at")]
    if not hit:
        return None
    retried = [r for r in hit if r.status == "ok"]
    sizes = sorted({b for r in hit for b in r.extra["out_of_memory_at"]}, reverse=True)
    said = ", ".join(str(b) for b in sizes)
    text = (f"{len(hit)} trial(s) ran out of device memory (at batch {said}); "
            f"{len(retried)} finished at a smaller batch")
    failed = len(hit) - len(retried)
    tail = f"; {failed} did not fit even at the smallest batch tried and were recorded as failed" if failed else ""
    return text + tail + "."
