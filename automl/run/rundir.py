"""The run directory on disk: created once, written atomically, never left half-written.

Every file is written to a temporary name, flushed to disk and renamed into
place, and a model folder is swapped in whole (one atomic exchange where the
system has it), so a crash, a stop or a power cut leaves the previous complete
version or the new one, never a torn file or a missing folder. A running run
holds a lock on its directory, so a second process cannot resume it at the
same time. A write that fails for want of room on the disk raises
``DiskFullError`` (naming where, and what is left) rather than the library's
own words ("FileStream.Write incomplete").

Example:
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> run = RunDir.create(root, "iris", "20260101-000000")
    >>> run.write_json("run.json", {"status": "running"})
    >>> run.read_json("run.json")["status"]
    'running'
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ..errors import ConfigError, DiskFullError

FULL_BYTES = 1 << 20  # a write that failed with less than this left on its disk failed for want of room


@dataclass(frozen=True)
class RunDir:
    path: Path

    @classmethod
    def create(cls, out: Path, name: str, stamp: str) -> "RunDir":
        """A new, empty run directory ``out/name-stamp`` (``-2``, ``-3``, ... when taken, even by a run started
        in the same second by another process: ``mkdir`` either makes the folder or fails, never both)."""
        out.mkdir(parents=True, exist_ok=True)
        base = out / f"{name}-{stamp}"
        path, n = base, 1
        while True:
            try:
                path.mkdir()
                break
            except FileExistsError:
                n += 1
                path = Path(f"{base}-{n}")
        (path / "models").mkdir()
        return cls(path)

    @contextlib.contextmanager
    def locked(self):
        """Hold an exclusive lock on the directory while a run writes it; ``RunBusy`` when another process
        holds it (a run going on, or being resumed, elsewhere). Released when the process ends, however."""
        try:
            import fcntl
        except ImportError:  # not on POSIX: no lock, as before
            yield self
            return
        fd = os.open(self.path, os.O_RDONLY)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise RunBusy(self.path) from None
            yield self
        finally:
            os.close(fd)  # closing releases the lock

    def write_text(self, relative: str, text: str) -> None:
        atomic_write_text(self.path / relative, text)

    def write_bytes(self, relative: str, data: bytes) -> None:
        atomic_write_bytes(self.path / relative, data)

    def write_json(self, relative: str, data: Any) -> None:
        self.write_text(relative, json.dumps(data, indent=2, default=_json_default) + "\n")

    def read_json(self, relative: str) -> Any:
        return json.loads((self.path / relative).read_text(encoding="utf-8"))

    def append_jsonl(self, relative: str, record: dict[str, Any]) -> None:
        """One JSON line, on disk when this returns (a torn last line, from a power cut mid-write, is skipped
        by ``read_jsonl``)."""
        try:
            with open(self.path / relative, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(record, default=_json_default) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            full = out_of_room(exc, self.path / relative)
            if full is None:
                raise
            raise full from exc

    def read_jsonl(self, relative: str) -> list[dict[str, Any]]:
        """Every whole JSON line of ``relative`` (none when it is missing); a torn or foreign line is skipped."""
        path = self.path / relative
        if not path.is_file():
            return []
        out = []
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                item = json.loads(line)
            except ValueError:
                continue
            if isinstance(item, dict):
                out.append(item)
        return out

    def replace_dir(self, relative: str, fill: Callable[[Path], None]) -> None:
        """Build a folder with ``fill(tmp)``, flush it to disk and swap it in place of ``relative``.

        Where the system can exchange two names atomically (Linux ``renameat2``), ``relative`` never stops
        existing; elsewhere the old folder is moved aside first, and ``settle`` puts it back if a crash came
        between the two renames.
        """
        final = self.path / relative
        final.parent.mkdir(parents=True, exist_ok=True)
        self.settle(relative)
        tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}-", dir=final.parent))
        os.chmod(tmp, 0o777 & ~_umask())
        try:
            fill(tmp)
            _sync_tree(tmp)
        except BaseException as exc:
            full = out_of_room(exc, final)  # measured before the half-written folder frees its room
            shutil.rmtree(tmp, ignore_errors=True)
            if full is None:
                raise
            raise full from exc
        if final.exists() and exchange(tmp, final):
            shutil.rmtree(tmp, ignore_errors=True)  # it now holds the old folder
        else:
            old = _aside(final)
            if final.exists():
                shutil.rmtree(old, ignore_errors=True)
                os.replace(final, old)
            os.replace(tmp, final)
            shutil.rmtree(old, ignore_errors=True)
        _sync_dir(final.parent)

    def settle(self, relative: str) -> bool:
        """Put back a model folder that a crash left moved aside mid-swap (systems without an atomic exchange);
        True when one was. Called before every swap and when a run is read or resumed."""
        final = self.path / relative
        old = _aside(final)
        if final.exists() or not old.is_dir():
            return False
        os.replace(old, final)
        return True


class RunBusy(ConfigError):
    """Another process holds the run directory's lock."""

    def __init__(self, path: Path):
        super().__init__(f"{path} is in use by another automl process (a run or a resume going on); wait for it "
                         "to end, or stop it first.")
        self.path = path


def exchange(a: Path, b: Path) -> bool:
    """Swap the names ``a`` and ``b`` in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``); False where the
    system or file system cannot, and nothing was changed."""
    name = ctypes.util.find_library("c")
    libc = ctypes.CDLL(name, use_errno=True) if name else None
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    done = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if done == 0:
        return True
    if ctypes.get_errno() in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EXDEV, errno.EPERM):
        return False
    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(b))


def _aside(final: Path) -> Path:
    return final.parent / f".{final.name}-old"


def _sync_tree(folder: Path) -> None:
    """fsync every file under ``folder`` and the folders themselves."""
    for root, _dirs, files in os.walk(folder):
        for name in files:
            fd = os.open(os.path.join(root, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _sync_dir(Path(root))


def _sync_dir(folder: Path) -> None:
    """fsync a folder, so the names renamed into it survive a power cut (a no-op where folders cannot be)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temporary file and a rename."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a plain open() would honour the umask
        os.replace(tmp, path)
        _sync_dir(path.parent)
    except BaseException as exc:
        full = out_of_room(exc, path)
        if os.path.exists(tmp):
            os.unlink(tmp)
        if full is None:
            raise
        raise full from exc


def out_of_room(exc: BaseException, path: Path) -> DiskFullError | None:
    """The ``DiskFullError`` that a write to ``path`` failing with ``exc`` really is: the error, or one it came
    from, says the disk or the user's quota is full (``ENOSPC``, ``EDQUOT``), or, for a library's own writer that
    says only that its write was incomplete (XGBoost's), the disk has less than ``FULL_BYTES`` left. None for
    any other failure, for a stop (Ctrl-C), and for a ``DiskFullError`` already (raised as it is).

    >>> out_of_room(OSError(errno.ENOSPC, "No space left on device"), Path("/")).path
    '/'
    >>> out_of_room(ValueError("not a number"), Path("/")) is None  # this disk has room
    True
    """
    if isinstance(exc, DiskFullError) or not isinstance(exc, Exception):
        return None
    free = _free(path)
    cause, seen = exc, set()
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, OSError) and cause.errno in (errno.ENOSPC, errno.EDQUOT):
            return DiskFullError(path, free)
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return DiskFullError(path, free) if free is not None and free < FULL_BYTES else None


def raise_if_full(exc: BaseException, where: Path) -> None:
    """Raise a failure that is, or comes from, a full disk (``out_of_room``) as ``DiskFullError``; return for any
    other. An approach's failure or a refit's is recorded and the run goes on, but on a full disk every later
    write would fail too: the run stops there, with what it wrote kept.

    >>> raise_if_full(ValueError("not a number"), Path("/"))  # this disk has room: nothing raised
    """
    if isinstance(exc, DiskFullError):
        raise exc
    full = out_of_room(exc, where)
    if full is not None:
        raise full from exc


def _free(path: Path) -> int | None:
    """Bytes free to this user on the disk holding ``path`` (its nearest existing folder); None when unknown."""
    folder = Path(path)
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


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
