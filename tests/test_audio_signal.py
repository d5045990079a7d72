"""Audio signals: every container and sample format we accept, mono mix-down, resampling, padding and cropping,
bad files, the chosen spec, and MFCC features.

Every clip is a synthetic tone or noise burst of a fraction of a second, written with soundfile into the test's
temporary folder.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from automl.errors import DataError
from automl.modalities.audio import AUDIO
from automl.modalities.audio.decode import AudioSpec, AudioStats, choose_spec, decode, probe
from automl.modalities.audio.features import feature_names, features
from automl.modalities.media import decoding
from automl.modalities.media.decoding import FileCache, cache_fits

load_clips = AUDIO.load


def decode_many(paths, spec):
    return decoding.decode_many(paths, spec, decode)


def decode_column(paths, spec, memory_bytes):
    return decoding.decode_column(paths, spec, memory_bytes, decode, AUDIO.unit)

REPO = Path(__file__).resolve().parents[1]


def tone(freq: float = 440.0, seconds: float = 0.5, rate: int = 8000, amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(int(round(seconds * rate))) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype("float32")


def write(name: str, data: np.ndarray, rate: int = 8000, **kwargs) -> str:
    sf.write(name, data, rate, **kwargs)
    return str(Path(name).resolve())


def peak_hz(signal: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(signal * np.hanning(len(signal))))
    return float(np.fft.rfftfreq(len(signal), 1 / rate)[spectrum.argmax()])


@pytest.mark.parametrize(
    "name, fmt, subtype",
    [
        ("pcm16.wav", "WAV", "PCM_16"),
        ("pcm24.wav", "WAV", "PCM_24"),
        ("float32.wav", "WAV", "FLOAT"),
        ("unsigned8.wav", "WAV", "PCM_U8"),
        ("lossless.flac", "FLAC", "PCM_16"),
        ("vorbis.ogg", "OGG", "VORBIS"),
    ],
)
def test_every_format_decodes_to_the_spec_length_and_keeps_the_tone(name, fmt, subtype):
    path = write(name, tone(), format=fmt, subtype=subtype)
    clip = decode(path, AudioSpec(8000, 0.5))
    assert clip.dtype == np.float32 and clip.shape == (4000,)
    assert abs(peak_hz(clip, 8000) - 440) <= 4
    assert 0.45 < np.abs(clip).max() < 0.56  # amplitude survives 8-bit quantisation and Vorbis coding
    if fmt != "OGG":  # lossless up to quantisation: sample for sample
        assert np.abs(clip - tone()).max() < 0.01


def test_stereo_is_averaged_to_mono():
    left = tone(amplitude=0.8)
    path = write("stereo.wav", np.stack([left, np.zeros_like(left)], axis=1), subtype="PCM_16")
    clip = decode(path, AudioSpec(8000, 0.5))
    assert clip.shape == (4000,)
    np.testing.assert_allclose(clip, left / 2, atol=1e-3)


def test_resampling_44100_to_8000_keeps_the_dominant_frequency():
    path = write("cd.wav", tone(440, seconds=1.0, rate=44100), rate=44100, subtype="PCM_16")
    clip = decode(path, AudioSpec(8000, 1.0))
    assert clip.shape == (8000,)
    assert abs(peak_hz(clip, 8000) - 440) <= 2
    assert 0.45 < np.abs(clip[100:-100]).max() < 0.55


def test_short_clips_are_zero_padded_at_the_end_and_long_ones_keep_their_start():
    short = write("short.wav", tone(seconds=0.3), subtype="FLOAT")
    padded = decode(short, AudioSpec(8000, 1.0))
    assert padded.shape == (8000,)
    np.testing.assert_allclose(padded[:2400], tone(seconds=0.3), atol=1e-6)
    assert not padded[2400:].any()

    long = np.concatenate([tone(seconds=0.5), tone(1000, seconds=1.5)])
    cropped = decode(write("long.wav", long, subtype="FLOAT"), AudioSpec(8000, 0.5))
    assert cropped.shape == (4000,)
    np.testing.assert_allclose(cropped, long[:4000], atol=1e-6)


def test_silent_empty_and_fake_files_raise_and_are_listed_bad():
    silent = write("silent.wav", np.zeros(4000, dtype="float32"), subtype="PCM_16")
    empty = write("empty.wav", np.zeros(0, dtype="float32"), subtype="PCM_16")
    fake = Path("fake.wav")
    fake.write_text("this is not audio\n")
    good = write("good.wav", tone(), subtype="PCM_16")
    spec = AudioSpec(8000, 0.5)

    with pytest.raises(DataError, match="silent"):
        decode(silent, spec)
    with pytest.raises(DataError, match="no audio samples"):
        decode(empty, spec)
    with pytest.raises(Exception, match="fake.wav"):
        decode(str(fake), spec)

    array, bad = decode_many([good, silent, empty, str(fake)], spec)
    assert array.shape == (4, 4000) and array.dtype == np.float32
    assert [i for i, _ in bad] == [1, 2, 3]
    assert "silent" in bad[0][1] and "no audio samples" in bad[1][1]
    assert np.abs(array[0]).max() > 0.4 and not array[1:].any()


def test_decode_column_skips_a_few_bad_files_and_stops_past_ten_percent():
    spec = AudioSpec(8000, 0.25)
    good = [write(f"g{i}.wav", tone(200 + 50 * i, seconds=0.25), subtype="PCM_16") for i in range(19)]
    silent = write("s.wav", np.zeros(2000, dtype="float32"), subtype="PCM_16")

    column = decode_column(good + [silent], spec, memory_bytes=10**9)  # 1 of 20 bad: 5 %, allowed
    assert column.good.tolist() == [True] * 19 + [False]
    assert column.bad[0]["path"] == silent and "silent" in column.bad[0]["error"]
    assert isinstance(column.cache, FileCache)
    from_cache = load_clips(good[:3], spec, column.cache)
    np.testing.assert_array_equal(from_cache, decode_many(good[:3], spec)[0])
    assert column.cache.lookup(good[:3], AudioSpec(8000, 0.5)) is None  # another spec misses the cache

    streamed = decode_column(good + [silent], spec, memory_bytes=1000)  # too big to keep: checked, not cached
    assert streamed.cache is None and streamed.good.tolist() == column.good.tolist()

    with pytest.raises(DataError, match=r"3 of 12 clips \(25%\).*s\.wav"):
        decode_column(good[:9] + [silent, silent, silent], spec, memory_bytes=10**9)
    with pytest.raises(DataError, match=r"1 of the clips cannot be decoded: .*s\.wav"):
        load_clips([good[0], silent], spec)


def test_cache_fits_counts_float32_bytes():
    spec = AudioSpec(16000, 1.0)  # 64,000 bytes a clip
    assert cache_fits(100, spec, memory_bytes=4 * 6_400_000)
    assert not cache_fits(101, spec, memory_bytes=4 * 6_400_000)


def test_probe_reports_durations_rates_channels_and_unreadable_files():
    paths = [
        write("a.wav", tone(seconds=1.0), subtype="PCM_16"),
        write("b.flac", tone(seconds=2.0, rate=16000), rate=16000),
        write("c.wav", np.stack([tone(seconds=0.5)] * 2, axis=1), subtype="PCM_16"),
        write("d.wav", np.zeros(0, dtype="float32"), subtype="PCM_16"),
    ]
    Path("e.wav").write_bytes(b"RIFF nonsense")
    stats = probe(paths + ["e.wav", "missing.wav"])
    assert (stats.count, stats.readable) == (6, 3)
    assert (stats.min_seconds, stats.median_seconds, stats.max_seconds) == (0.5, 1.0, 2.0)
    assert 1.0 < stats.p95_seconds <= 2.0
    assert stats.sample_rates == {"8000": 2, "16000": 1}
    assert stats.channels == {"1": 2, "2": 1}
    assert stats.unreadable == [paths[3], "e.wav", "missing.wav"]
    again = json.loads(json.dumps(stats.to_dict()))  # the plan stores the stats as JSON and rebuilds them
    assert AudioStats(**{k: v for k, v in again.items() if k != "unreadable"}) == AudioStats(
        **{**stats.to_dict(), "unreadable": []})


def stats_of(durations: list[float], rates: list[int], channels: int = 1) -> AudioStats:
    d = np.array(durations)
    return AudioStats(
        count=len(d), readable=len(d), min_seconds=float(d.min()), median_seconds=float(np.median(d)),
        p95_seconds=float(np.percentile(d, 95)), max_seconds=float(d.max()),
        sample_rates={str(r): rates.count(r) for r in set(rates)}, channels={str(channels): len(d)},
    )


def test_choose_spec_takes_the_common_rate_and_the_95th_percentile_duration():
    durations = [0.5 + 0.02 * i for i in range(20)] + [3.0]  # p95 = 0.88 s, one long clip
    spec, why = choose_spec(stats_of(durations, [8000] * 18 + [22050] * 3), 300, gpu=False)
    assert spec == AudioSpec(8000, 0.9) and spec.samples == 7200
    assert why.startswith("Clips are resampled to 8000 Hz (the most common rate) and padded or cropped to 0.9 s")
    assert "at most 1 longer clip(s) are cropped" in why

    spec, why = choose_spec(stats_of([1.0] * 10, [44100] * 10, channels=2), 300, gpu=False)
    assert spec == AudioSpec(16000, 1.0)
    assert "mixed down to mono" in why and "44100 Hz, capped at 16000 Hz" in why and "no clip is longer" in why

    low = stats_of([1.0] * 10, [4000] * 7 + [11025] * 3)
    assert choose_spec(low, 300, gpu=False)[0].sample_rate == 8000
    assert choose_spec(stats_of([1.0] * 4, [4000] * 4), 300, gpu=False)[0].sample_rate == 4000


def test_choose_spec_caps_long_clips_by_budget_and_hardware():
    long = stats_of([40.0] * 10, [16000] * 10)
    spec, why = choose_spec(long, 300, gpu=False)
    assert spec.seconds == 10.0 and "capped at 10 s for a 5m budget on the CPU" in why
    assert why.startswith("Clips are kept at 16000 Hz (every file's rate) and padded or cropped to 10.0 s")
    assert "at least half of the clips are cropped" in why
    assert choose_spec(long, 3600, gpu=False)[0].seconds == 30.0
    assert choose_spec(long, 300, gpu=True)[0].seconds == 30.0
    with pytest.raises(DataError, match="No audio file can be read"):
        choose_spec(AudioStats(0, 0, 0.0, 0.0, 0.0, 0.0, {}, {}), 300, gpu=False)


def test_features_are_fixed_width_finite_and_separate_a_tone_from_noise():
    rng = np.random.default_rng(0)
    noise = (0.3 * rng.standard_normal(8000)).astype("float32")
    clips = np.stack([tone(300, seconds=1.0), noise, np.zeros(8000, dtype="float32")])
    x = features(clips, 8000)
    assert x.shape == (3, len(feature_names(AudioSpec(8000, 1.0)))) and x.dtype == np.float32
    assert np.isfinite(x).all()
    assert features(clips[:, :800], 8000).shape[1] == x.shape[1]  # a shorter spec keeps the same columns
    assert features(np.zeros((2, 100), dtype="float32"), 16000).shape == (2, x.shape[1])  # shorter than a window
    assert features(np.zeros((0, 8000), dtype="float32"), 8000).shape == (0, x.shape[1])
    zcr = feature_names(None).index("zcr_mean")
    assert x[0, zcr] == pytest.approx(600 / 8000, rel=0.05)  # a 300 Hz tone crosses zero 600 times a second
    assert x[1, zcr] > 0.4  # white noise crosses about every other sample
    assert np.abs(x[0] - x[1]).max() > 5


def test_importing_the_module_loads_no_numeric_library():
    code = ("import sys, automl.modalities.audio.decode; "
            "print(sorted(m for m in ('numpy', 'scipy', 'soundfile') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr
