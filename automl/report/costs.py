"""Money and energy per approach, from the measured seconds of a run and a price table. Pure.

Training is billed as the machine rented for the search's wall time (every
core, plus the GPU when one was used); 1,000 predictions as the machine for
the measured prediction time of 1,000 test rows (batch prediction, the model
already loaded). Energy is the measured CPU seconds at an assumed power per
busy core plus GPU seconds at an assumed GPU power.

Example:
    >>> from automl.prices import Prices
    >>> f = {"approach": "classical", "fit_seconds": 3600.0, "cpu_seconds": 3600.0, "gpu_seconds": 0.0,
    ...      "predict_ms_per_row": 0.01, "predict_cpu_ms_per_row": 0.01}
    >>> c = approach_costs(f, {"cpu_count": 2, "gpu": False}, Prices())
    >>> round(c["train_usd"], 3), c["train_wh"]
    (0.096, 10.0)
    >>> ratio(3.0, 1.5), ratio(1.0, 0.0)
    (2.0, None)
"""

from __future__ import annotations

from typing import Any

from ..prices import Prices

FORMULA = ("training cost = search wall hours x (CPU cores x price per core-hour + price per GPU-hour when a GPU "
           "was used); cost per 1,000 predictions = the same hourly price for the measured time to predict 1,000 "
           "test rows in one batch")
ENERGY_FORMULA = ("energy (Wh) = (CPU seconds x watts per busy core + GPU seconds x watts per GPU) / 3600, with "
                  "CPU seconds measured as this process's CPU time over all its threads, plus that of its local worker "
                  "processes (`workers`)")


def costs(finalists: list[dict[str, Any]], hardware: dict[str, Any], prices: Prices) -> dict[str, Any]:
    """The price table, the formulas, and each finalist's training and prediction cost."""
    return {
        "prices": prices.to_dict(),
        "formula": FORMULA,
        "energy_formula": ENERGY_FORMULA,
        "approaches": {f["approach"]: approach_costs(f, hardware, prices) for f in finalists},
    }


def approach_costs(finalist: dict[str, Any], hardware: dict[str, Any], prices: Prices) -> dict[str, Any]:
    """Seconds, USD and Wh for training, and per 1,000 predictions; None where the run did not record it."""
    cores = int(hardware.get("cpu_count") or 1)
    has_gpu = bool(hardware.get("gpu", hardware.get("gpu_name")))
    wall = finalist.get("fit_seconds")
    cpu = finalist.get("cpu_seconds")
    gpu = finalist.get("gpu_seconds")
    if gpu is None and not has_gpu:
        gpu = 0.0
    used_gpu = has_gpu and (gpu is None or gpu > 0)
    per_1000 = finalist.get("predict_ms_per_row")  # ms per row x 1,000 rows = that many seconds
    predict_cpu = finalist.get("predict_cpu_ms_per_row")
    return {
        "wall_seconds": wall,
        "cpu_seconds": cpu,
        "gpu_seconds": gpu,
        "train_usd": None if wall is None else prices.usd(wall, cores, used_gpu),
        "train_wh": None if cpu is None or gpu is None else prices.wh(cpu, gpu),
        "predict_seconds_per_1000": per_1000,
        "predict_usd_per_1000": None if per_1000 is None else prices.usd(per_1000, cores, used_gpu),
        "predict_wh_per_1000": (None if predict_cpu is None or per_1000 is None
                                else prices.wh(predict_cpu, per_1000 if used_gpu else 0.0)),
    }


def ratio(a: float | None, b: float | None) -> float | None:
    """``a / b``, or None when either is missing or not above zero: a cost that rounds to nothing (a model
    predicting a row in under the timer's resolution) has no ratio to state, in either direction.

    >>> ratio(0.0, 2.0), ratio(2.0, 0.0)
    (None, None)
    """
    if a is None or b is None or a <= 0 or b <= 0:
        return None
    return a / b
