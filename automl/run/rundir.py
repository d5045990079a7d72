"""The run directory on disk: created once, written atomically, never left half-written.

Every file is written to a temporary name and renamed into place, and a model
folder is swapped in whole, so a crash or Ctrl-C leaves the previous complete
version or nothing, never a torn file.

Example:
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> run = RunDir.create(root, "iris", "20260101-000000")
    >>> run.write_json("run.json", {"status": "running"})
    >>> run.read_json("run.json")["status"]
    'running'
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable


@dataclass(frozen=True)
class RunDir:
    path: Path

    @classmethod
    def create(cls, out: Path, name: str, stamp: str) -> "RunDir":
        out.mkdir(parents=True, exist_ok=True)
        base = out / f"{name}-{stamp}"
        path, n = base, 1
        while path.exists():
            n += 1
            path = Path(f"{base}-{n}")
        path.mkdir()
        (path / "models").mkdir()
        return cls(path)

    def write_text(self, relative: str, text: str) -> None:
        atomic_write_text(self.path / relative, text)

    def write_json(self, relative: str, data: Any) -> None:
        self.write_text(relative, json.dumps(data, indent=2, default=_json_default) + "\n")

    def read_json(self, relative: str) -> Any:
        return json.loads((self.path / relative).read_text(encoding="utf-8"))

    def append_jsonl(self, relative: str, record: dict[str, Any]) -> None:
        with open(self.path / relative, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(record, default=_json_default) + "\n")
            fh.flush()

    def replace_dir(self, relative: str, fill: Callable[[Path], None]) -> None:
        """Build a folder with ``fill(tmp)`` and swap it in place of ``relative`` in one step."""
        final = self.path / relative
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}-", dir=final.parent))
        os.chmod(tmp, 0o777 & ~_umask())
        try:
            fill(tmp)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        old = final.parent / f".{final.name}-old"
        if final.exists():
            shutil.rmtree(old, ignore_errors=True)
            os.replace(final, old)
        os.replace(tmp, final)
        shutil.rmtree(old, ignore_errors=True)


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a plain open() would honour the umask
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def folder_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")
