"""Classical features of clips for gradient boosting: MFCC statistics, loudness and zero crossings, in numpy/scipy.

Example:
    >>> import numpy as np
    >>> features(np.zeros((2, 4000), dtype="float32"), 8000).shape
    (2, 55)
"""

from __future__ import annotations

from typing import Any

WINDOW_SECONDS, HOP_SECONDS, MEL_BANDS, MFCC_COUNT = 0.025, 0.010, 40, 13
DESCRIPTION = ("the mean and spread of 13 MFCCs and their deltas (25 ms windows, 40 mel bands), plus loudness and "
               "zero-crossing statistics")


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


def feature_names(spec: Any = None) -> list[str]:
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
