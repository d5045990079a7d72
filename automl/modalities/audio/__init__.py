"""Audio data: decoding and input lengths, MFCC features, the spectrogram CNN search.

Audio (a folder of class sub-folders, or a table with a column of audio paths): spectrogram CNNs lead,
gradient boosting on MFCC statistics compares.

Example:
    >>> AUDIO.name, AUDIO.column_kind
    ('audio', 'audio_path')
"""

from __future__ import annotations

from typing import Any

from ..media import MediaModality
from . import decode, features


class AudioModality(MediaModality):
    name = "audio"
    column_kind = "audio_path"
    priority = 20
    unit = "clips"
    suffixes = (".wav", ".flac", ".ogg")
    spec_class = decode.AudioSpec
    stats_class = decode.AudioStats
    probe = staticmethod(decode.probe)
    choose_spec = staticmethod(decode.choose_spec)
    decode_file = staticmethod(decode.decode)
    featurize = staticmethod(lambda arrays, spec: features.features(arrays, spec.sample_rate))
    feature_names = staticmethod(features.feature_names)
    features_text = features.DESCRIPTION

    def summary(self, stats: Any) -> str:
        rates = ", ".join(f"{rate} Hz {count:,}" for rate, count in sorted(stats.sample_rates.items()))
        channels = ", ".join(f"{n} channel(s) {count:,}" for n, count in sorted(stats.channels.items()))
        return (f"{stats.count:,} clips, {stats.min_seconds:.2f}-{stats.max_seconds:.2f}s long (median "
                f"{stats.median_seconds:.2f}s, 95th percentile {stats.p95_seconds:.2f}s); sample rates: {rates}; "
                f"{channels}.")


AUDIO = AudioModality()
