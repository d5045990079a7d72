"""Audio clips as numpy arrays: probe headers, choose one rate and length, decode one file with soundfile.

Every clip becomes mono float32 at one sample rate and one length, so the
arrays feed any Keras backend and gradient boosting alike. Decoding reads only
the frames the chosen length needs, so an hour-long recording costs no more
than a short one.

Example:
    >>> spec = AudioSpec(sample_rate=8000, seconds=0.5)
    >>> spec.samples
    4000
    >>> spec.shape
    (4000,)
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Sequence

from ...budget import format_seconds
from ..media.decoding import read_headers

MIN_RATE, MAX_RATE = 8000, 16000  # Hz: below 8 kHz speech loses its consonants; above 16 kHz inputs grow for little
MIN_SECONDS = 0.1
SILENCE = 1e-4  # a clip whose every sample is below this (in absolute value) is treated as silent


@dataclass(frozen=True)
class AudioSpec:
    """How every clip is turned into an array: mono, ``sample_rate`` Hz, ``seconds`` long (padded or cropped)."""

    sample_rate: int
    seconds: float
    dtype = "float32"

    @property
    def samples(self) -> int:
        return int(round(self.sample_rate * self.seconds))

    @property
    def shape(self) -> tuple[int]:
        return (self.samples,)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class AudioStats:
    """What the audio headers say: counts, durations, sample rates and channels, and files soundfile cannot open.

    ``sample_rates`` and ``channels`` are keyed by strings so the dictionary survives a JSON round trip.
    """

    count: int
    readable: int
    min_seconds: float
    median_seconds: float
    p95_seconds: float
    max_seconds: float
    sample_rates: dict[str, int]
    channels: dict[str, int]
    unreadable: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def probe(paths: Sequence[str], workers: int = 4) -> AudioStats:
    """Read only the headers (frames, rate, channels) of every file; unreadable or empty files are listed."""
    import numpy as np

    found = read_headers(paths, _header, workers)
    heads = [h for h in found if h is not None]
    durations = np.array([h[0] for h in heads] or [0.0])
    return AudioStats(
        count=len(paths), readable=len(heads), min_seconds=float(durations.min()),
        median_seconds=float(np.median(durations)), p95_seconds=float(np.percentile(durations, 95)),
        max_seconds=float(durations.max()), sample_rates=dict(Counter(str(h[1]) for h in heads)),
        channels=dict(Counter(str(h[2]) for h in heads)),
        unreadable=[str(p) for p, h in zip(paths, found) if h is None],
    )


def _header(path: str) -> tuple[float, int, int] | None:
    import soundfile

    try:
        info = soundfile.info(str(path))
    except Exception:  # libsndfile raises for a missing file, an unknown format or a broken header
        return None
    if info.frames <= 0 or info.samplerate <= 0:
        return None
    return info.frames / info.samplerate, int(info.samplerate), int(info.channels)


def choose_spec(stats: AudioStats, budget_seconds: float, gpu: bool) -> tuple[AudioSpec, str]:
    """The sample rate and clip length, from the headers capped by budget and hardware, with the reason."""
    from ...errors import DataError

    rates = {int(rate): n for rate, n in stats.sample_rates.items()}
    if not rates:
        raise DataError("No audio file can be read, so no sample rate can be chosen; check the paths point to "
                        "WAV, FLAC or OGG files.")
    common = max(rates, key=lambda r: (rates[r], r))
    if common > MAX_RATE:
        rate, why_rate = MAX_RATE, f"the most common rate, {common} Hz, capped at {MAX_RATE} Hz to keep inputs small"
    elif common < MIN_RATE and max(rates) >= MIN_RATE:
        rate, why_rate = MIN_RATE, f"the most common rate, {common} Hz, raised to the {MIN_RATE} Hz floor"
    elif common < MIN_RATE:
        rate, why_rate = common, f"the most common rate; every file is below {MIN_RATE} Hz"
    else:
        rate, why_rate = common, "the most common rate"

    wanted = max(MIN_SECONDS, math.ceil(round(stats.p95_seconds * 10, 6)) / 10)
    cap = 10.0 if not gpu and budget_seconds < 600 else 30.0
    seconds = min(wanted, cap)
    if seconds < wanted:
        where = ", the longest input used" if cap > 10 else f" for a {format_seconds(budget_seconds)} budget on the CPU"
        cropped = "at least half" if seconds < stats.median_seconds else "roughly 5% or more"
        why_len = (f"the 95th percentile duration, {stats.p95_seconds:.1f} s, capped at {cap:.0f} s{where}; "
                   f"{cropped} of the clips are cropped")
    elif stats.max_seconds <= seconds:
        why_len = "the 95th percentile duration; no clip is longer"
    else:  # with linear interpolation, at most n-1-floor(0.95(n-1)) values lie above the 95th percentile
        longer = max(1, stats.readable - 1 - math.floor(0.95 * (stats.readable - 1)))
        why_len = f"the 95th percentile duration; at most {longer:,} longer clip(s) are cropped"
    mono = "mixed down to mono, " if any(int(c) > 1 for c in stats.channels) else ""
    rated = f"kept at {rate} Hz (every file's rate)" if [*rates] == [rate] else f"resampled to {rate} Hz ({why_rate})"
    return AudioSpec(rate, seconds), f"Clips are {mono}{rated} and padded or cropped to {seconds:.1f} s ({why_len})."


def decode(path: str, spec: AudioSpec) -> Any:
    """One clip as a ``(spec.samples,)`` float32 array: channels averaged, resampled, then zero-padded at the end
    or cropped to its first ``spec.seconds``.

    Only the frames the spec needs are read. Raises for a file soundfile cannot read, a file without samples,
    non-finite samples, or a clip whose kept part is silent.
    """
    import numpy as np
    import soundfile
    from scipy.signal import resample_poly

    from ...errors import DataError

    with soundfile.SoundFile(str(path)) as sound:
        rate = int(sound.samplerate)
        needed = math.ceil(spec.samples * rate / spec.sample_rate) + rate // 100  # margin for the resampling filter
        data = sound.read(frames=needed, dtype="float32", always_2d=True)
    if data.shape[0] == 0:
        raise DataError(f"{str(path)!r} holds no audio samples; remove it or replace it with a non-empty recording.")
    mono = data.mean(axis=1)
    if not np.isfinite(mono).all():
        raise DataError(f"{str(path)!r} holds NaN or infinite samples; re-export it as PCM audio.")
    if np.abs(mono).max() < SILENCE:
        raise DataError(f"{str(path)!r} is silent (every sample is below {SILENCE:g}); remove it or re-record it.")
    if rate != spec.sample_rate:
        g = math.gcd(rate, spec.sample_rate)
        mono = resample_poly(mono, spec.sample_rate // g, rate // g)
    out = np.zeros(spec.samples, dtype="float32")
    kept = min(spec.samples, mono.shape[0])
    out[:kept] = mono[:kept]
    return out
