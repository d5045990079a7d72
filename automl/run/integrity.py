"""Checks on a run directory before anything in it is used; each failure is one ``DamagedRunError`` naming the file.

A run directory comes from ``automl fit``, but it may since have been copied
half-way, edited by hand or handed over by someone else. So, before a model is
used: ``run.json`` must be a JSON object with the keys every format of it has,
each of the type it should be (``read_record``); every model path must be
relative and stay inside the run, symbolic links resolved (``model_folder``);
a model folder must hold the files its route saves (``check_files``); and
whatever a route raises while reading them becomes one line that names the
file (``loading``). The routes read their files with ``read_json`` and
``reading`` and check what they read with ``field``, raising
``ModelFileError``. Nothing in these files is executed: models are read from
JSON, XGBoost UBJSON, skops (trusted types only) and Keras archives
(``safe_mode``), never from pickles.

Example:
    >>> record = read_record("runs/wine-20260101-000000")                       # doctest: +SKIP
    >>> folder = model_folder("runs/wine-20260101-000000", "models/classical", "models.classical")  # doctest: +SKIP
    >>> field({"task": "binary"}, "task", is_task, "binary, multiclass or regression", "model.json")
    'binary'
"""

from __future__ import annotations

import contextlib
import json
import math
import os
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, Callable, Iterator

from ..decision import saved_weights
from ..errors import ConfigError, DamagedRunError, ModelFileError
from ..intervals import saved as saved_interval
from .record import RunRecord

TASKS = ("binary", "multiclass", "regression")
MISSING = object()  # ``field``'s default: the key is required
SHOWN = 160  # characters of an exception's message kept in the one-line error


def is_task(value: Any) -> bool:
    return value in TASKS


def is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


def is_whole(value: Any, low: int = 0, high: int | None = None) -> bool:
    """An int (not a bool) in [low, high].

    >>> is_whole(3), is_whole(True), is_whole(2.0), is_whole(-1)
    (True, False, False, False)
    """
    return (isinstance(value, int) and not isinstance(value, bool) and value >= low
            and (high is None or value <= high))


def is_number(value: Any) -> bool:
    """A finite int or float (not a bool).

    >>> is_number(0.5), is_number(float("nan")), is_number("1")
    (True, False, False)
    """
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def is_texts(value: Any) -> bool:
    """A list of strings."""
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def is_numbers(value: Any, length: int | None = None) -> bool:
    """A list of finite numbers (of ``length`` when given)."""
    return (isinstance(value, list) and all(is_number(v) for v in value)
            and (length is None or len(value) == length))


def is_text_map(value: Any) -> bool:
    """An object of strings to strings (``kinds``, ``models``)."""
    return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())


def is_params(value: Any) -> bool:
    """An object of names to JSON scalars, as a model's searched parameters are saved.

    >>> is_params({"max_depth": 6, "family": "xgboost", "rounds": None}), is_params({"a": [1]})
    (True, False)
    """
    scalar = (str, int, float, bool, type(None))
    return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, scalar) for k, v in value.items())


def field(data: Any, key: str, check: Callable[[Any], bool], expected: str, path: Any, default: Any = MISSING) -> Any:
    """``data[key]`` when ``check`` accepts it; ``default`` when the key is absent and a default is given;
    otherwise ``ModelFileError`` naming ``path``, the key, what was expected and what came.

    >>> field({"n_classes": "2"}, "n_classes", is_whole, "a whole number", "model.json")
    Traceback (most recent call last):
    automl.errors.ModelFileError: model.json has n_classes='2', not a whole number
    """
    if not isinstance(data, dict):
        raise ModelFileError(path, f"holds {_kind(data)} where an object with {key!r} belongs")
    if key not in data:
        if default is not MISSING:
            return default
        raise ModelFileError(path, f"lacks {key!r}")
    value = data[key]
    if not check(value):
        raise ModelFileError(path, f"has {key}={_short(value)}, not {expected}")
    return value


def read_json(path: Path) -> Any:
    """The JSON in ``path``; ``ModelFileError`` when it is missing, unreadable or not JSON."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ModelFileError(path, "is missing") from None
    except UnicodeDecodeError:
        raise ModelFileError(path, "is not valid JSON (not UTF-8 text)") from None
    except OSError as exc:
        raise ModelFileError(path, f"cannot be read ({exc.strerror or type(exc).__name__})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ModelFileError(path, f"is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    except RecursionError:
        raise ModelFileError(path, "is not valid JSON (nested too deeply)") from None


def read_object(path: Path) -> dict[str, Any]:
    """The JSON object in ``path``; ``ModelFileError`` for anything else (a list, a number, ...)."""
    data = read_json(path)
    if not isinstance(data, dict):
        raise ModelFileError(path, f"holds {_kind(data)}, not a JSON object")
    return data


@contextlib.contextmanager
def reading(path: Path) -> Iterator[None]:
    """Whatever goes wrong inside (a library's parser, a check on what it read) becomes a ``ModelFileError``
    naming ``path``."""
    try:
        yield
    except (ModelFileError, DamagedRunError, ImportError, MemoryError):
        raise
    except FileNotFoundError as exc:
        raise ModelFileError(path, "is missing") from exc
    except Exception as exc:  # a damaged file can make a library raise anything
        raise ModelFileError(path, f"is not what automl saved ({summary(exc)})") from exc


def summary(exc: BaseException) -> str:
    """An exception on one short line: its type and the first line of its message.

    >>> summary(ValueError("bad value\\n  at line 3"))
    'ValueError: bad value'
    """
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    text = " ".join(lines[0].split()).rstrip(".") if lines else ""
    text = text if len(text) <= SHOWN else text[: SHOWN - 3] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def run_json(run_dir: str | Path) -> Path:
    """``run_dir/run.json``; ``ConfigError`` when ``run_dir`` is no run directory at all, ``DamagedRunError``
    when it looks like one (it has ``models/`` or ``trials.jsonl``) but lacks run.json, or when run.json is not a
    plain file inside it."""
    run_dir = Path(run_dir)
    path = run_dir / "run.json"
    if path.is_file() and not _inside(run_dir, path):
        raise DamagedRunError(run_dir, f"run.json is a link to {path.resolve()}, outside the run directory")
    if path.is_file():
        return path
    if path.exists() or path.is_symlink():
        raise DamagedRunError(run_dir, "run.json is not a file")
    if (run_dir / "models").is_dir() or (run_dir / "trials.jsonl").is_file():
        raise DamagedRunError(run_dir, "run.json is missing")
    raise ConfigError(f"`run` is not a run directory (no run.json): {str(run_dir)!r}. Give a folder made by "
                      "`automl fit`.")


def model_checks() -> tuple[tuple[str, Callable[[Any], bool], str], ...]:
    """(key, check, expected) for the keys of run.json every format has and every model reader needs."""
    return (
        ("task", is_task, "binary, multiclass or regression"),
        ("target", lambda v: isinstance(v, str), "a column name"),
        ("modality", is_text, "a modality name"),
        ("features", is_texts, "a list of column names"),
        ("kinds", is_text_map, "an object of column names to kinds"),
        ("models", is_text_map, "an object of approaches to model folders"),
        ("best", lambda v: v is None or isinstance(v, str), "an approach name or null"),
        ("classes", lambda v: v is None or isinstance(v, list), "a list of classes or null"),
    )


def report_checks() -> tuple[tuple[str, Callable[[Any], bool], str], ...]:
    """``model_checks`` plus the keys the report reads (every format has them too)."""
    from ..metrics import LABELS

    return model_checks() + (
        ("plan", lambda v: isinstance(v, dict) and v.get("metric") in LABELS, "an object with a known metric"),
        ("finalists", lambda v: isinstance(v, list) and all(isinstance(f, dict) and isinstance(
            f.get("test_scores"), dict) for f in v), "a list of objects with test_scores"),
        ("data", lambda v: isinstance(v, dict) and isinstance(v.get("name"), str), "an object with a name"),
        ("hardware", lambda v: isinstance(v, dict), "an object"),
        ("profile", lambda v: isinstance(v, dict), "an object"),
        ("versions", lambda v: isinstance(v, dict), "an object"),
        ("seed", is_whole, "a whole number"),
        ("budget_seconds", is_number, "a number of seconds"),
    )


def read_record(run_dir: str | Path, checks: Any = None) -> RunRecord:
    """The run's record, after ``check_record``; ``DamagedRunError`` naming what is wrong with run.json."""
    run_dir = Path(run_dir)
    path = run_json(run_dir)
    try:
        data = read_object(path)
        check_record(data, path, model_checks() if checks is None else checks)
    except ModelFileError as exc:
        raise DamagedRunError(run_dir, f"run.json {exc.problem}") from None
    for key, relative in model_paths(data):
        model_folder(run_dir, relative, key, must_exist=False)
    try:
        return RunRecord.from_dict(data)
    except Exception as exc:  # an older format upgraded from odd values
        raise DamagedRunError(run_dir, f"run.json is not what `automl fit` writes ({summary(exc)})") from exc


def check_record(data: dict[str, Any], path: Any, checks: Any) -> None:
    """Raise ``ModelFileError`` unless every key of ``checks`` is in ``data`` with a value of its type, and
    ``deployed`` (when there) is an object whose ``models`` map approaches to folders, and ``decisions`` (when
    there) gives each approach a weight per class, and ``intervals`` (when there) each a half width.

    >>> check_record({"task": "binary"}, "run.json", model_checks())
    Traceback (most recent call last):
    automl.errors.ModelFileError: run.json lacks 'target'
    """
    for key, check, expected in checks:
        field(data, key, check, expected, path)
    if data.get("task") in ("binary", "multiclass") and not data.get("classes"):
        raise ModelFileError(path, f"has no classes for its {data['task']} task")
    field(data, "format", lambda v: is_whole(v, 1), "a format number", path, 1)
    deployed = field(data, "deployed", lambda v: v is None or isinstance(v, dict), "an object or null", path, None)
    if deployed:
        field({"deployed.models": deployed.get("models", {})}, "deployed.models", is_text_map,
              "an object of approaches to model folders", path)
    n = len(data.get("classes") or [])
    field(data, "decisions", lambda v: isinstance(v, dict) and all(saved_weights(v, k, n) for k in v),
          f"an object of approaches to decision rules of {n} positive weights", path, {})
    field(data, "intervals", lambda v: isinstance(v, dict) and all(saved_interval(v, k) is not None for k in v),
          "an object of approaches to prediction intervals, each with half widths of 0 or more", path, {})


def model_paths(data: dict[str, Any]) -> list[tuple[str, str]]:
    """(where in run.json, relative path) of every model folder the record names.

    >>> model_paths({"models": {"deep": "models/deep"}, "deployed": {"models": {"deep": "models/deployed/deep"}}})
    [('models.deep', 'models/deep'), ('deployed.models.deep', 'models/deployed/deep')]
    """
    found = [(f"models.{k}", v) for k, v in (data.get("models") or {}).items()]
    deployed = data.get("deployed") or {}
    return found + [(f"deployed.models.{k}", v) for k, v in (deployed.get("models") or {}).items()]


def model_folder(run_dir: str | Path, relative: Any, key: str, must_exist: bool = True) -> Path:
    """``run_dir / relative`` when ``relative`` is a relative path that stays inside the run directory
    (symbolic links resolved) and, with ``must_exist``, names a folder; ``DamagedRunError`` otherwise.

    >>> model_folder("/no/such/run", "/etc", "models.classical", must_exist=False)
    Traceback (most recent call last):
    automl.errors.DamagedRunError: /no/such/run is damaged: run.json's models.classical is an absolute path ...
    """
    run_dir = Path(run_dir)
    problem = path_problem(relative)
    if problem:
        raise DamagedRunError(run_dir, f"run.json's {key} {problem}")
    folder = run_dir / relative
    if not _inside(run_dir, folder):
        raise DamagedRunError(run_dir, f"{relative} (run.json's {key}) leads outside the run directory, to "
                                       f"{folder.resolve()}")
    if must_exist and not folder.is_dir():
        state = "is not a folder" if folder.exists() else "is missing"
        raise DamagedRunError(run_dir, f"{relative} {state}")
    if must_exist:
        check_tree(run_dir, folder)
    return folder


def path_problem(relative: Any) -> str:
    """What is wrong with ``relative`` as a model path, or "" when nothing is.

    >>> path_problem("models/deep"), path_problem("models/../../x")
    ('', "leaves the run directory ('models/../../x')")
    >>> path_problem("/etc")
    "is an absolute path ('/etc'); model paths are relative to the run directory"
    """
    if not isinstance(relative, str) or not relative.strip() or "\x00" in relative:
        return f"is {_short(relative)}, not a folder path"
    posix, windows = PurePosixPath(relative.replace("\\", "/")), PureWindowsPath(relative)
    if posix.is_absolute() or windows.is_absolute() or windows.drive:
        return f"is an absolute path ({relative!r}); model paths are relative to the run directory"
    if ".." in posix.parts:
        return f"leaves the run directory ({relative!r})"
    return ""


def check_tree(run_dir: Path, folder: Path) -> None:
    """Every entry under ``folder`` resolves inside ``run_dir`` (a symbolic link may not lead out) and is a plain
    file or folder (reading a pipe or a device would wait forever)."""
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            entry = Path(root) / name
            if not _inside(run_dir, entry):
                raise DamagedRunError(run_dir, f"{shown(run_dir, entry)} is a link to {entry.resolve()}, outside "
                                               "the run directory")
            if not (entry.is_file() or entry.is_dir()):
                raise DamagedRunError(run_dir, f"{shown(run_dir, entry)} is not a plain file")


def check_files(run_dir: Path, folder: Path, saves: tuple[tuple[str, ...], ...]) -> None:
    """Each group of ``saves`` (a route's files: one of each group) has a member in ``folder``.

    >>> check_files(Path("/no/run"), Path("/no/run/models/deep"), (("model.json",),))
    Traceback (most recent call last):
    automl.errors.DamagedRunError: /no/run is damaged: models/deep/model.json is missing. Run ...
    """
    for group in saves:
        if not any((folder / name).exists() for name in group):
            others = f" (or {', '.join(group[1:])})" if len(group) > 1 else ""
            raise DamagedRunError(run_dir, f"{shown(run_dir, folder / group[0])}{others} is missing")


@contextlib.contextmanager
def loading(run_dir: Path, folder: Path) -> Iterator[None]:
    """Whatever reading ``folder``'s model raises becomes one ``DamagedRunError``: a ``ModelFileError`` names its
    file; anything else names the folder."""
    try:
        yield
    except (DamagedRunError, ImportError, MemoryError):
        raise
    except ModelFileError as exc:
        raise DamagedRunError(run_dir, f"{shown(run_dir, exc.path)} {exc.problem}") from exc
    except Exception as exc:  # a damaged file can make a library raise anything
        raise DamagedRunError(run_dir, f"{shown(run_dir, folder)} cannot be loaded ({summary(exc)})") from exc


def shown(run_dir: Path, path: Any) -> str:
    """``path`` relative to the run directory (as run.json writes it), else as given.

    >>> shown(Path("runs/x"), Path("runs/x/models/deep/model.keras"))
    'models/deep/model.keras'
    """
    try:
        return Path(path).relative_to(run_dir).as_posix()
    except ValueError:
        return str(path)


def _inside(run_dir: Path, path: Path) -> bool:
    root = run_dir.resolve()
    return root in path.resolve().parents


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", type(None): "null"}
    return names.get(type(value), "a number" if isinstance(value, (int, float)) else type(value).__name__)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
