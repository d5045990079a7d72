"""Tiny synthetic data sets for the tests, one maker per modality, each with an easy signal to learn.

``labelled(modality, task, folder)`` gives any of them as the (data, target)
pair ``AutoML.fit`` takes, for binary, multiclass and regression targets:
images and clips as a table of paths beside the files.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import soundfile
from PIL import Image

GOOD = ["great", "lovely", "excellent", "wonderful", "superb"]
BAD = ["awful", "terrible", "dreadful", "horrible", "poor"]
MID = ["average", "okay", "fine", "so-so", "middling"]
FILLER = "the service at this place was really something and I would say".split()
IMAGE_FORMATS = ("png", "jpg", "bmp", "gif", "webp")
AUDIO_FORMATS = (("wav", "PCM_16"), ("wav", "FLOAT"), ("flac", "PCM_16"), ("ogg", "VORBIS"))
PATTERNS = ("horizontal", "vertical", "checker")
PITCHES = {"low": 300.0, "high": 1200.0}  # make_clips
TONES = (300.0, 700.0, 1500.0)  # labelled: two or three classes, or the regression target


def reviews(n: int = 240, seed: int = 0, classes: int = 2) -> pd.DataFrame:
    """Short reviews whose label shows in one sentiment word among filler words (``classes`` 2 or 3)."""
    rng = np.random.default_rng(seed)
    words_of = {"pos": GOOD, "neg": BAD, "mid": MID}
    labels = list(words_of)[:classes]
    rows = []
    for i in range(n):
        label = labels[i % classes]
        words = list(rng.choice(FILLER, size=8)) + [str(rng.choice(words_of[label]))]
        rng.shuffle(words)
        rows.append({"review": " ".join(words).capitalize() + ".", "label": label})
    return pd.DataFrame(rows)


def stripes(orientation: str, size: int = 16, mode: str = "L", seed: int = 0, level: int = 200) -> Image.Image:
    """Stripes 2 pixels wide (or a checkerboard), ``level`` bright on dark, with a little noise."""
    rng = np.random.default_rng(seed)
    band = np.arange(size) // 2 % 2
    grid = {"horizontal": np.tile(band[:, None], (1, size)), "vertical": np.tile(band[None, :], (size, 1)),
            "checker": band[:, None] ^ band[None, :]}[orientation]
    grid = np.clip(grid * level + 20 + rng.integers(-15, 15, grid.shape), 0, 255).astype("uint8")
    image = Image.fromarray(grid, "L")
    return image if mode == "L" else image.convert(mode)


def make_folder(root: Path, per_class: int = 30, mixed: bool = True) -> Path:
    """``root/horizontal/*.png|jpg|...`` and ``root/vertical/...``, mixed sizes and modes when ``mixed``."""
    for label in PATTERNS[:2]:
        (root / label).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            size = 16 + (i % 3) * 8 if mixed else 16
            mode = ("L", "RGB", "RGBA")[i % 3] if mixed else "L"
            fmt = IMAGE_FORMATS[i % len(IMAGE_FORMATS)] if mixed else "png"
            image = stripes(label, size, mode, seed=i)
            if fmt in ("jpg", "bmp") and mode == "RGBA":
                image = image.convert("RGB")
            image.save(root / label / f"{i}.{fmt}")
    return root


def tone(hz: float, rate: int, seconds: float, seed: int, channels: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(int(rate * seconds)) / rate
    wave = 0.5 * np.sin(2 * np.pi * hz * t) + 0.05 * rng.standard_normal(len(t))
    return np.stack([wave] * channels, axis=1) if channels > 1 else wave


def make_clips(root: Path, per_class: int = 24, mixed: bool = True) -> Path:
    """``root/low/*`` and ``root/high/*``: tones at mixed rates, channel counts and formats when ``mixed``."""
    for label in ("low", "high"):
        (root / label).mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            rate = (8000, 16000, 11025)[i % 3] if mixed else 8000
            fmt, subtype = AUDIO_FORMATS[i % len(AUDIO_FORMATS)] if mixed else ("wav", "PCM_16")
            channels = 2 if mixed and i % 2 else 1
            seconds = 0.4 + 0.1 * (i % 5)
            soundfile.write(root / label / f"{i}.{fmt}", tone(PITCHES[label], rate, seconds, i, channels), rate,
                            subtype=subtype)
    return root


def table(task: str, n: int = 120, seed: int = 0) -> pd.DataFrame:
    """Numbers (one with gaps), a category and a target that both explain."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    colour = rng.choice(["red", "green", "blue"], size=n)
    signal = x + (colour == "red") * 1.5
    frame = pd.DataFrame({"x": x, "noise": rng.normal(size=n), "colour": colour})
    frame.loc[::9, "noise"] = np.nan
    if task == "regression":
        return frame.assign(target=3.0 * signal + rng.normal(scale=0.1, size=n))
    edges = [0.5] if task == "binary" else [-0.3, 0.8]
    return frame.assign(target=np.array(["a", "b", "c"])[np.digitize(signal, edges)])


def labelled(modality: str, task: str, folder: Path, n: int = 60) -> tuple[pd.DataFrame | Path, str]:
    """(data, target column) of ``modality`` for ``task``: a frame, or for images and clips a CSV of paths
    written in ``folder`` beside the files."""
    classes = 2 if task == "binary" else 3
    if modality == "tabular":
        return table(task, n), "target"
    if modality == "text":
        frame = reviews(n, classes=classes)
        if task == "regression":
            frame["label"] = frame["label"].map({"pos": 5.0, "neg": 1.0, "mid": 3.0}) + np.arange(n) % 3 * 0.1
        return frame, "label"
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(n):
        kind = i % (3 if task == "regression" else classes)
        if modality == "image":
            name, level = f"{i}.{IMAGE_FORMATS[i % 3]}", 120 + 60 * kind
            stripes(PATTERNS[0 if task == "regression" else kind], 16, ("L", "RGB")[i % 2], i, level).save(folder / name)
            value = level
        else:
            name, pitch = f"{i}.wav", TONES[kind]
            soundfile.write(folder / name, tone(pitch, 8000, 0.3, i), 8000)
            value = pitch
        rows.append({"file": name, "target": float(value) if task == "regression" else f"k{kind}"})
    pd.DataFrame(rows).to_csv(folder / "labels.csv", index=False)
    return folder / "labels.csv", "target"
