"""A folder of media files -> a table of relative paths (and labels, from class sub-folders).

Two layouts are read, the ones people already have:

* ``photos/cat/1.jpg, photos/dog/2.jpg``: one sub-folder per class (what
  ``keras.utils.image_dataset_from_directory`` reads); the label is the
  sub-folder's name;
* ``new/1.jpg, new/2.jpg``: files with no class folders, for ``predict``.

The files' modality is told by extension (each registered modality of files
names its suffixes). Other files are ignored and counted; a folder holding
files of two modalities uses the kind with more files and says so.

A folder with no media files but plain-text ``.txt`` files (the layout of
IMDB's ``aclImdb/train/pos``, 20 Newsgroups or BBC News) is read into a
``text`` column of the files' contents, beside their paths, and the text
modality takes it from there as it would a table with a text column.

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

PATH_COLUMN = "path"
LABEL_COLUMN = "label"
TEXT_COLUMN = "text"  # the contents of a folder of text files
TEXT_SUFFIXES = (".txt",)


@dataclass
class FolderListing:
    """The files found, as a table, and what was left out on the way."""

    frame: Any  # pandas.DataFrame: path (relative, with /) [, label]
    kind: str  # the modality of the files: image, audio, ...
    notes: list[str] = field(default_factory=list)


def file_kinds() -> dict[str, tuple[str, ...]]:
    """File suffixes by modality, for every registered modality of files (image, audio, ...), first asked first."""
    from .. import registry

    return {m.name: m.suffixes for m in registry.modalities() if m.suffixes}


def media_kind(path: str | Path, kinds: dict[str, tuple[str, ...]] | None = None) -> str | None:
    """The modality whose files end like ``path``, or None."""
    suffix = Path(path).suffix.lower()
    return next((k for k, suffixes in (kinds or file_kinds()).items() if suffix in suffixes), None)


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
    known = file_kinds()
    found = {p: media_kind(p, known) for p in files}
    kinds = Counter(k for k in found.values() if k)
    if not kinds:
        found = {p: "text" if p.suffix.lower() in TEXT_SUFFIXES else None for p in files}
        kinds = Counter(k for k in found.values() if k)
    if not kinds:
        suffixes = [s for v in known.values() for s in v] + list(TEXT_SUFFIXES)
        raise DataError(
            f"`data` folder {str(root)!r} holds no {', '.join(known)} or text files ({len(files)} other file(s)). "
            f"Give a folder of {', '.join(suffixes)} files, one sub-folder per class."
        )
    order = [*known, "text"]
    kind = max(kinds, key=lambda k: (kinds[k], -order.index(k)))  # a tie goes to the one asked first
    notes = []
    others = " and ".join(k for k in kinds if k != kind)
    if others:
        held = " and ".join(f"{kinds[k]:,} {k}" for k in known if k in kinds)
        notes.append(f"the folder holds {held} files; the {kind} files (the larger group) are used and the {others} "
                     f"files ignored. Put them in separate folders to train on the {others} files.")
    media = [p for p in files if found[p] == kind]
    unknown = [p for p in files if found[p] is None]
    if unknown:
        shown = ", ".join(repr(str(p.relative_to(root))) for p in unknown)
        notes.append(f"{len(unknown):,} file(s) that are not {kind} files were ignored (for example {shown[:200]}).")
    nested = [p for p in media if len(p.relative_to(root).parts) >= 2]
    if labelled is None:
        labelled = bool(nested)
    if labelled:
        loose = [p for p in media if len(p.relative_to(root).parts) == 1]
        if loose:
            notes.append(f"{len(loose):,} {kind} file(s) directly in the folder, outside any class sub-folder, were "
                         f"ignored (for example {loose[0].name!r}).")
            media = [p for p in media if len(p.relative_to(root).parts) >= 2]
    rows: dict[str, list[str]] = {PATH_COLUMN: [p.relative_to(root).as_posix() for p in media]}
    if kind == "text":
        rows[TEXT_COLUMN] = read_texts(media, root, notes)
    if labelled:
        rows[LABEL_COLUMN] = [p.relative_to(root).parts[0] for p in media]
        empty = sorted(d.name for d in root.iterdir() if d.is_dir() and not _hidden(Path(d.name))
                       and d.name not in set(rows[LABEL_COLUMN]))
        if empty:
            notes.append(f"class folder(s) with no {kind} files were ignored: {', '.join(map(repr, empty[:10]))}.")
    return FolderListing(pd.DataFrame(rows), kind, notes)


def read_texts(paths: list[Path], root: Path, notes: list[str]) -> list[str]:
    """The contents of text files: UTF-8 (a byte-order mark dropped), else read as Latin-1 with a note naming them,
    so no file is lost to its encoding.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.txt").write_bytes("caf\u00e9".encode("utf-8"))
    >>> _ = (folder / "b.txt").write_bytes("caf\u00e9".encode("latin-1"))
    >>> said = []
    >>> read_texts([folder / "a.txt", folder / "b.txt"], folder, said), len(said)
    (['caf\u00e9', 'caf\u00e9'], 1)
    """
    texts, latin = [], []
    for path in paths:
        raw = path.read_bytes()
        try:
            texts.append(raw.decode("utf-8-sig"))
        except UnicodeDecodeError:
            texts.append(raw.decode("latin-1"))
            latin.append(path)
    if latin:
        notes.append(f"{len(latin):,} text file(s) are not UTF-8 and were read as Latin-1 (for example "
                     f"{latin[0].relative_to(root).as_posix()!r}).")
    return texts


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") or part.startswith("__") for part in relative.parts)
