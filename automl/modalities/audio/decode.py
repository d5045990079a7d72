"""Audio clips as numpy arrays: probe headers, choose one rate and length, decode with soundfile, MFCC features.

Every clip becomes mono float32 at one sample rate and one length, so the
arrays feed any Keras backend and gradient boosting alike. Decoding reads only
the frames the chosen length needs, so an hour-long recording costs no more
than a short one.

Example:
    >>> import numpy as np
    >>> spec = AudioSpec(sample_rate=8000, seconds=0.5)
    >>> spec.samples
    4000
    >>> features(np.zeros((2, spec.samples), dtype="float32"), spec.sample_rate).shape
    (2, 55)
"""

from __future__ import annotations

import math
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from typing import Any, Sequence

from ...budget import format_seconds

MIN_RATE, MAX_RATE = 8000, 16000  # Hz: below 8 kHz speech loses its consonants; above 16 kHz inputs grow for little
MIN_SECONDS = 0.1
SILENCE = 1e-4  # a clip whose every sample is below this (in absolute value) is treated as silent
BAD_SHARE_LIMIT = 0.10  # more undecodable clips than this stops the run
CACHE_SHARE = 0.25  # decoded clips are kept in memory when they take less than this share of RAM
WINDOW_SECONDS, HOP_SECONDS, MEL_BANDS, MFCC_COUNT = 0.025, 0.010, 40, 13


@dataclass(frozen=True)
class AudioSpec:
    """How every clip is turned into an array: mono, ``sample_rate`` Hz, ``seconds`` long (padded or cropped)."""

    sample_rate: int
    seconds: float

    @property
    def samples(self) -> int:
        return int(round(self.sample_rate * self.seconds))

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

    with ThreadPoolExecutor(workers) as pool:
        found = list(pool.map(_header, paths))
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


def decode_many(paths: Sequence[str], spec: AudioSpec, workers: int = 4) -> tuple[Any, list[tuple[int, str]]]:
    """Decode ``paths`` into one ``(n, spec.samples)`` float32 array; bad files are zero-filled and listed."""
    import numpy as np

    out = np.zeros((len(paths), spec.samples), dtype="float32")
    bad: list[tuple[int, str]] = []

    def one(i: int) -> None:
        try:
            out[i] = decode(paths[i], spec)
        except Exception as exc:  # noqa: BLE001 - every decoding failure means "skip this file"
            bad.append((i, f"{type(exc).__name__}: {str(exc)[:160]}"))

    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, range(len(paths))))
    return out, sorted(bad)


def cache_fits(n_clips: int, spec: AudioSpec, memory_bytes: int) -> bool:
    """Whether all decoded clips (float32) fit comfortably in memory (else they are decoded again when needed)."""
    return n_clips * spec.samples * 4 <= CACHE_SHARE * memory_bytes


def features(clips: Any, sample_rate: int) -> Any:
    """MFCC summary statistics per clip: mean and std of 13 MFCCs and their deltas, RMS mean and std, ZCR mean.

    ``clips`` is ``(n, samples)`` float; the result is ``(n, 55)`` float32. Frames are 25 ms Hann windows every
    10 ms; 40 triangular mel bands; orthonormal DCT-II of the log band energies.
    """
    import numpy as np
    from numpy.lib.stride_tricks import sliding_window_view
    from scipy.fft import dct

    clips = np.asarray(clips, dtype="float32")
    width = max(1, int(round(WINDOW_SECONDS * sample_rate)))
    hop = max(1, int(round(HOP_SECONDS * sample_rate)))
    if clips.shape[1] < width:
        clips = np.pad(clips, ((0, 0), (0, width - clips.shape[1])))
    n_fft = 1 << (width - 1).bit_length()
    window = np.hanning(width).astype("float32")
    filters = _mel_filters(sample_rate, n_fft)
    n_frames = 1 + (clips.shape[1] - width) // hop
    step = max(1, int(2e7 // (n_frames * n_fft)))  # clips per chunk, about 80 MB of frames at a time
    rows = []
    for start in range(0, clips.shape[0], step):
        frames = sliding_window_view(clips[start:start + step], width, axis=1)[:, ::hop]
        power = np.abs(np.fft.rfft(frames * window, n=n_fft, axis=2)) ** 2 / width
        mfcc = dct(np.log(power @ filters.T + 1e-10), type=2, norm="ortho", axis=2)[:, :, :MFCC_COUNT]
        delta = np.diff(mfcc, axis=1) if n_frames > 1 else np.zeros_like(mfcc)
        rms = np.sqrt((frames.astype("float64") ** 2).mean(axis=2))
        zcr = (np.signbit(frames[:, :, 1:]) != np.signbit(frames[:, :, :-1])).mean(axis=2)
        rows.append(np.concatenate([mfcc.mean(axis=1), mfcc.std(axis=1), delta.mean(axis=1), delta.std(axis=1),
                                    np.stack([rms.mean(axis=1), rms.std(axis=1), zcr.mean(axis=1)], axis=1)],
                                   axis=1))
    return np.concatenate(rows or [np.zeros((0, len(feature_names(None))))]).astype("float32")


def feature_names(spec: AudioSpec | None) -> list[str]:
    """Column names of ``features``: the same 55 for every spec."""
    stats = [f"{kind}{i}_{stat}" for kind in ("mfcc", "delta") for stat in ("mean", "std") for i in range(MFCC_COUNT)]
    return stats + ["rms_mean", "rms_std", "zcr_mean"]


def _mel_filters(sample_rate: int, n_fft: int) -> Any:
    """``(MEL_BANDS, n_fft // 2 + 1)`` triangular filters evenly spaced on the mel scale from 0 Hz to Nyquist."""
    import numpy as np

    def to_mel(hz: Any) -> Any:
        return 2595.0 * np.log10(1.0 + np.asarray(hz) / 700.0)

    edges = 700.0 * (10.0 ** (np.linspace(0.0, to_mel(sample_rate / 2), MEL_BANDS + 2) / 2595.0) - 1.0)
    bins = np.arange(n_fft // 2 + 1) * sample_rate / n_fft
    lower, centre, upper = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (bins[None, :] - lower) / (centre - lower)
    falling = (upper - bins[None, :]) / (upper - centre)
    return np.maximum(0.0, np.minimum(rising, falling)).astype("float32")


@dataclass
class AudioCache:
    """Decoded clips of one run, by absolute path, so both approaches decode each file once."""

    spec: AudioSpec
    index: dict[str, int]
    array: Any

    def lookup(self, paths: Sequence[str], spec: AudioSpec) -> Any | None:
        if spec != self.spec or any(p not in self.index for p in paths):
            return None
        return self.array[[self.index[p] for p in paths]]


@dataclass
class DecodedColumn:
    """The result of decoding a run's audio column once, before the split."""

    good: Any  # boolean mask over the rows
    bad: list[dict[str, str]]  # {"path", "error"} per skipped file
    cache: AudioCache | None  # None when the clips do not fit in memory (they are decoded again when needed)


def decode_column(paths: Sequence[str], spec: AudioSpec, memory_bytes: int) -> DecodedColumn:
    """Decode every clip once: unreadable, empty or silent files are skipped and listed (an error past 10 %)."""
    import numpy as np

    from ...errors import DataError

    keep = cache_fits(len(paths), spec, memory_bytes)
    array, bad = decode_many(paths, spec) if keep else _verify_only(paths, spec)
    good = np.ones(len(paths), dtype=bool)
    good[[i for i, _ in bad]] = False
    share = len(bad) / max(len(paths), 1)
    if share > BAD_SHARE_LIMIT:
        shown = ", ".join(repr(paths[i]) for i, _ in bad[:3])
        raise DataError(f"{len(bad):,} of {len(paths):,} audio files ({share:.0%}) cannot be decoded, more than the "
                        f"{BAD_SHARE_LIMIT:.0%} allowed; for example {shown}. Fix or remove them.")
    listed = [{"path": paths[i], "error": why} for i, why in bad]
    if not keep:
        return DecodedColumn(good, listed, None)
    index = {p: i for i, p in enumerate(paths) if good[i]}
    return DecodedColumn(good, listed, AudioCache(spec, index, array))


def _verify_only(paths: Sequence[str], spec: AudioSpec) -> tuple[Any, list[tuple[int, str]]]:
    """Decode in chunks, keeping nothing: for collections too large to hold in memory."""
    bad: list[tuple[int, str]] = []
    for start in range(0, len(paths), 512):
        _, found = decode_many(paths[start:start + 512], spec)
        bad += [(start + i, why) for i, why in found]
    return None, bad


def load_clips(paths: Sequence[str], spec: AudioSpec, cache: AudioCache | None = None) -> Any:
    """``(n, spec.samples)`` float32 for ``paths``: from the run's cache, else decoded (bad files named)."""
    from ...errors import DataError

    if cache is not None:
        found = cache.lookup(paths, spec)
        if found is not None:
            return found
    array, bad = decode_many(paths, spec)
    if bad:
        shown = ", ".join(f"{paths[i]!r} ({why})" for i, why in bad[:3])
        raise DataError(f"{len(bad)} audio file(s) cannot be decoded: {shown}. Remove or replace them.")
    return array
