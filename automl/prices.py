"""What compute costs and how much power it draws: defaults, a config file, ``--price``.

Money is the rented machine's price for the wall time (every core, plus the
GPU when one was used); energy is the measured CPU seconds times an assumed
power per busy core, plus GPU seconds times an assumed GPU power. Every
number is an assumption the user can override, and every report states them.

Precedence, per key: ``--price`` (or ``AutoML(price=...)``), then
``./automl.toml``, then ``$XDG_CONFIG_HOME/automl/config.toml`` (default
``~/.config/automl/config.toml``), then the defaults below. A config file::

    [price]
    cpu = 0.05     # USD per CPU core-hour
    gpu = 2.5      # USD per GPU-hour
    [power]
    cpu_watts_per_core = 10
    gpu_watts = 300

Example:
    >>> parse_price("cpu=0.05,gpu=2.5")
    {'cpu': 0.05, 'gpu': 2.5}
    >>> round(Prices().usd(3600, cpu_count=2, gpu=False), 3)
    0.096
    >>> Prices().wh(cpu_seconds=360, gpu_seconds=0)
    1.0
"""

from __future__ import annotations

import math
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Mapping

from .errors import ConfigError, invalid

PRICE_CPU_CORE_HOUR = 0.048  # USD, on-demand general-purpose cloud machines in 2026
PRICE_GPU_HOUR = 2.50  # USD, one data-centre GPU on demand in 2026
CPU_WATTS_PER_CORE = 10.0  # a busy server core: a 250-350 W CPU package shared by 32-64 cores
GPU_WATTS = 300.0  # a data-centre GPU under training load (an A100 is rated 300-400 W, an H100 PCIe 350 W)
DEFAULT_PRICE_SOURCE = ("assumed on-demand cloud list prices in 2026: about $0.048 per vCPU-hour for "
                        "general-purpose machines and $2.50 per hour for one data-centre GPU")
DEFAULT_POWER_SOURCE = (f"assumed draw: {CPU_WATTS_PER_CORE:g} W per busy CPU core, {GPU_WATTS:g} W per GPU "
                        "while in use")
PRICE_KEYS = {"cpu": "USD per CPU core-hour", "gpu": "USD per GPU-hour"}
POWER_KEYS = {"cpu_watts_per_core": "watts per busy CPU core", "gpu_watts": "watts per GPU"}
CONFIG_NAME = "automl.toml"
PRICE_EXAMPLE = "cpu=0.05,gpu=2.5"


@dataclass(frozen=True)
class Prices:
    """Prices per hour and power per device, with where each number came from."""

    cpu: float = PRICE_CPU_CORE_HOUR
    gpu: float = PRICE_GPU_HOUR
    cpu_watts_per_core: float = CPU_WATTS_PER_CORE
    gpu_watts: float = GPU_WATTS
    price_source: str = DEFAULT_PRICE_SOURCE
    power_source: str = DEFAULT_POWER_SOURCE

    def hourly(self, cpu_count: int, gpu: bool) -> float:
        """USD per hour for the machine: every core, plus the GPU when one is used."""
        return cpu_count * self.cpu + (self.gpu if gpu else 0.0)

    def usd(self, seconds: float, cpu_count: int, gpu: bool) -> float:
        return seconds / 3600.0 * self.hourly(cpu_count, gpu)

    def wh(self, cpu_seconds: float, gpu_seconds: float) -> float:
        """Watt-hours for measured CPU seconds (summed over cores) and GPU seconds."""
        return (cpu_seconds * self.cpu_watts_per_core + gpu_seconds * self.gpu_watts) / 3600.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> "Prices":
        """Prices recorded in a run (missing keys take the defaults, unknown keys are ignored)."""
        known = {k: v for k, v in (data or {}).items() if k in cls.__dataclass_fields__}
        return cls(**known)


def parse_price(text: str) -> dict[str, float]:
    """``"cpu=0.05,gpu=2.5"`` -> ``{"cpu": 0.05, "gpu": 2.5}``; either key may be left out.

    >>> parse_price("gpu=3")
    {'gpu': 3.0}
    """
    expected = "KEY=VALUE pairs joined by commas, keys cpu (USD per core-hour) and gpu (USD per GPU-hour)"
    fix = f"For example: --price {PRICE_EXAMPLE}"
    out: dict[str, float] = {}
    for part in str(text).split(","):
        key, sep, value = part.partition("=")
        key = key.strip().lower()
        if not sep or key not in PRICE_KEYS or key in out:
            raise ConfigError(invalid("price", expected, text, fix))
        out[key] = _amount(value, "price", text, fix)
    return out


def read_config(path: Path) -> dict[str, float]:
    """The ``[price]`` and ``[power]`` numbers of one TOML file, flattened to ``Prices`` field names."""
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        raise ConfigError(f"Reading {path} needs Python 3.11 or later (tomllib). Remove the file or upgrade.")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"The config file {path} cannot be read: {exc}. Fix or remove it.") from None
    out: dict[str, float] = {}
    for table, keys in (("price", PRICE_KEYS), ("power", POWER_KEYS)):
        section = data.get(table, {})
        if not isinstance(section, dict):
            raise ConfigError(f"In {path}, [{table}] must be a table such as [{table}] with numbers under it.")
        for key, value in section.items():
            if key not in keys:
                allowed = ", ".join(keys)
                raise ConfigError(f"In {path}, [{table}] has an unknown key {key!r}; allowed: {allowed}.")
            out[key] = _amount(value, f"{table}.{key}", value, f"Fix it in {path}")
    return out


def config_paths(cwd: Path | None = None, env: Mapping[str, str] | None = None) -> list[Path]:
    """Config files in precedence order: the working folder's, then the user's."""
    env = os.environ if env is None else env
    home = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME", "~")).expanduser() / ".config")
    return [Path(cwd or Path.cwd()) / CONFIG_NAME, Path(home) / "automl" / "config.toml"]


def resolve(price: Any = None, cwd: Path | None = None, env: Mapping[str, str] | None = None,
            base: Prices | None = None) -> Prices:
    """The prices to use: ``price`` (text, dict or ``Prices``) over the config files over the defaults.

    With ``base`` (the prices a run recorded), ``price`` overrides it key by key and no file is read.
    """
    if isinstance(price, Prices):
        return price
    given = parse_price(price) if isinstance(price, str) else dict(price or {})
    for key in given:
        if key not in PRICE_KEYS:
            raise ConfigError(invalid("price", "a mapping with keys cpu and gpu", price))
        given[key] = _amount(given[key], "price", price, f"For example: price={PRICE_EXAMPLE!r}")
    found: dict[str, float] = {}
    origin: dict[str, str] = {}
    if base is None:
        for path in reversed(config_paths(cwd, env)):  # the user's file first, so the working folder's wins
            if path.is_file():
                values = read_config(path)
                found |= values
                origin |= {k: str(path) for k in values}
    found |= given
    origin |= {k: "given with --price" for k in given}
    below, word = (Prices(), "default") if base is None else (base, "recorded with the run")
    return Prices(**(_values(below) | found),
                  price_source=_source(PRICE_KEYS, found, origin, below, below.price_source, word),
                  power_source=_source(POWER_KEYS, found, origin, below, below.power_source, word))


def _values(prices: Prices) -> dict[str, float]:
    return {k: getattr(prices, k) for k in (*PRICE_KEYS, *POWER_KEYS)}


def _source(keys: Mapping[str, str], found: Mapping[str, float], origin: Mapping[str, str], below: Prices,
            below_text: str, word: str) -> str:
    if not any(k in found for k in keys):
        return below_text
    parts = []
    for key, meaning in keys.items():
        where = origin.get(key, word)
        parts.append(f"{found.get(key, getattr(below, key)):g} {meaning} ({where})")
    rest = "" if all(k in found for k in keys) or word != "default" else f"; defaults are {below_text}"
    return "; ".join(parts) + rest


def _amount(value: Any, argument: str, received: Any, fix: str) -> float:
    try:
        number = float(str(value).strip()) if not isinstance(value, bool) else math.nan
    except ValueError:
        number = math.nan
    if not (math.isfinite(number) and number >= 0):
        raise ConfigError(invalid(argument, "a number of 0 or more", received, fix))
    return number
