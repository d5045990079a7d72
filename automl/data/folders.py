"""A folder of media files -> a table of relative paths (and labels, from class sub-folders).

Two layouts are read, the ones people already have:

* ``photos/cat/1.jpg, photos/dog/2.jpg``: one sub-folder per class (what
  ``keras.utils.image_dataset_from_directory`` reads); the label is the
  sub-folder's name;
* ``new/1.jpg, new/2.jpg``: files with no class folders, for ``predict``.

Images and audio are told apart by extension. Other files are ignored and
counted; a folder holding both images and audio uses the kind with more files
and says so.

Example:
    >>> listing = read_folder(Path("photos"))           # doctest: +SKIP
    >>> listing.frame.columns.tolist(), listing.kind      # doctest: +SKIP
    (['path', 'label'], 'image')
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import DataError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp")
AUDIO_SUFFIXES = (".wav", ".flac", ".ogg")
PATH_COLUMN = "path"
LABEL_COLUMN = "label"


@dataclass
class FolderListing:
    """The files found, as a table, and what was left out on the way."""

    frame: Any  # pandas.DataFrame: path (relative, with /) [, label]
    kind: str  # image | audio
    notes: list[str] = field(default_factory=list)


def media_kind(path: str | Path) -> str | None:
    suffix = Path(path).suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return "image"
    if suffix in AUDIO_SUFFIXES:
        return "audio"
    return None


def read_folder(root: Path, labelled: bool | None = None) -> FolderListing:
    """List the media files under ``root``; class sub-folders give the ``label`` column.

    ``labelled=None`` decides from the layout: sub-folders holding media files
    mean labels. Hidden files and folders (``.DS_Store``, ``.ipynb_checkpoints``)
    are skipped.
    """
    import pandas as pd

    if not root.is_dir():
        raise DataError(f"`data` folder not found: {str(root)!r}. Check the path.")
    files = sorted(p for p in root.rglob("*") if p.is_file() and not _hidden(p.relative_to(root)))
    kinds = Counter(k for k in map(media_kind, files) if k)
    if not kinds:
        raise DataError(
            f"`data` folder {str(root)!r} holds no image or audio files ({len(files)} other file(s)). "
            f"Give a folder of {', '.join(IMAGE_SUFFIXES + AUDIO_SUFFIXES)} files, one sub-folder per class."
        )
    kind = "image" if kinds["image"] >= kinds["audio"] else "audio"
    notes = []
    if kinds["image"] and kinds["audio"]:
        other = "audio" if kind == "image" else "image"
        notes.append(f"the folder holds {kinds['image']:,} image and {kinds['audio']:,} audio files; the {kind} files "
                     f"(the larger group) are used and the {other} files ignored. Put them in separate folders to "
                     f"train on the {other} files.")
    media = [p for p in files if media_kind(p) == kind]
    ignored = len(files) - len(media) - (kinds["audio"] if kind == "image" else kinds["image"])
    if ignored:
        shown = ", ".join(repr(str(p.relative_to(root))) for p in files if media_kind(p) is None)
        notes.append(f"{ignored:,} file(s) that are not {kind} files were ignored (for example {shown[:200]}).")
    nested = [p for p in media if len(p.relative_to(root).parts) >= 2]
    if labelled is None:
        labelled = bool(nested)
    rows: dict[str, list[str]] = {PATH_COLUMN: [p.relative_to(root).as_posix() for p in media]}
    if labelled:
        loose = [p for p in media if len(p.relative_to(root).parts) == 1]
        if loose:
            notes.append(f"{len(loose):,} {kind} file(s) directly in the folder, outside any class sub-folder, were "
                         f"ignored (for example {loose[0].name!r}).")
            media = [p for p in media if len(p.relative_to(root).parts) >= 2]
            rows[PATH_COLUMN] = [p.relative_to(root).as_posix() for p in media]
        rows[LABEL_COLUMN] = [p.relative_to(root).parts[0] for p in media]
        empty = sorted(d.name for d in root.iterdir() if d.is_dir() and not _hidden(Path(d.name))
                       and d.name not in set(rows[LABEL_COLUMN]))
        if empty:
            notes.append(f"class folder(s) with no {kind} files were ignored: {', '.join(map(repr, empty[:10]))}.")
    return FolderListing(pd.DataFrame(rows), kind, notes)


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") or part.startswith("__") for part in relative.parts)
