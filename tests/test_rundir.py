"""The run directory on disk: unique under races, model folders swapped without a moment of absence."""

from __future__ import annotations

import errno
import multiprocessing
import os
from pathlib import Path

import pytest

from automl.errors import DiskFullError
from automl.run import rundir
from automl.run.rundir import RunDir, exchange


def _create(args: tuple[str, int]) -> str:
    out, _ = args
    return str(RunDir.create(Path(out), "iris", "20260101-000000").path)


def test_runs_started_in_the_same_second_by_many_processes_never_collide(tmp_path):
    with multiprocessing.get_context("fork").Pool(8) as pool:
        made = pool.map(_create, [(str(tmp_path), i) for i in range(64)])
    assert len(set(made)) == 64
    assert all((Path(p) / "models").is_dir() for p in made)


def test_a_model_folder_is_exchanged_in_one_step_and_the_old_one_removed(tmp_path):
    run = RunDir.create(tmp_path, "x", "1")
    run.replace_dir("models/classical", lambda p: (p / "model.json").write_text("1"))
    run.replace_dir("models/classical", lambda p: (p / "model.json").write_text("2"))
    assert (run.path / "models" / "classical" / "model.json").read_text() == "2"
    assert sorted(p.name for p in (run.path / "models").iterdir()) == ["classical"]


def test_exchange_swaps_two_folders_or_says_it_cannot(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "f").write_text("a")
    if exchange(tmp_path / "a", tmp_path / "b"):
        assert (tmp_path / "b" / "f").read_text() == "a" and not (tmp_path / "a" / "f").exists()
    else:  # a system without an atomic exchange: nothing moved
        assert (tmp_path / "a" / "f").read_text() == "a"


def test_a_swap_cut_between_its_two_renames_is_put_back(tmp_path):
    """Where there is no atomic exchange, a crash can leave the old folder moved aside: settle restores it."""
    run = RunDir.create(tmp_path, "x", "1")
    run.replace_dir("models/deep", lambda p: (p / "model.keras").write_text("old"))
    os.replace(run.path / "models" / "deep", run.path / "models" / ".deep-old")  # the crash's state
    assert run.settle("models/deep")
    assert (run.path / "models" / "deep" / "model.keras").read_text() == "old"
    assert not run.settle("models/deep")


def test_a_torn_last_line_of_trials_is_skipped_when_read_back(tmp_path):
    run = RunDir.create(tmp_path, "x", "1")
    run.append_jsonl("trials.jsonl", {"a": 1})
    with open(run.path / "trials.jsonl", "a") as fh:
        fh.write('{"a": 2, "b"')  # a power cut mid-line
    assert run.read_jsonl("trials.jsonl") == [{"a": 1}]


def _no_space(*_args, **_kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_file_that_finds_no_room_is_a_disk_full_error_and_the_old_one_stays_whole(tmp_path, monkeypatch):
    run = RunDir.create(tmp_path, "x", "1")
    run.write_json("run.json", {"status": "running"})
    monkeypatch.setattr(rundir.os, "fsync", _no_space)
    with pytest.raises(DiskFullError, match=r"no room left on the disk holding .*run\.json \(.* free\)"):
        run.write_json("run.json", {"status": "complete"})
    with pytest.raises(DiskFullError):
        run.append_jsonl("trials.jsonl", {"trial": 1})
    monkeypatch.undo()
    assert run.read_json("run.json") == {"status": "running"}
    assert sorted(p.name for p in run.path.iterdir() if p.name.startswith(".run.json")) == []  # no temporary left


def test_a_library_writer_that_fails_on_a_nearly_full_disk_is_a_disk_full_error(tmp_path, monkeypatch):
    """XGBoost says only "FileStream.Write incomplete": the room left on the disk tells."""
    run = RunDir.create(tmp_path, "x", "1")

    def torn(folder: Path) -> None:
        (folder / "model.ubj").write_bytes(b"half")
        raise RuntimeError("FileStream.Write incomplete")

    with pytest.raises(RuntimeError, match="incomplete"):  # room enough: the library's error, as it is
        run.replace_dir("models/classical", torn)
    monkeypatch.setattr(rundir, "_free", lambda _path: 4096)
    with pytest.raises(DiskFullError, match=r"models/classical \(4\.0 KB free\)") as raised:
        run.replace_dir("models/classical", torn)
    assert isinstance(raised.value.__cause__, RuntimeError)
    assert [p.name for p in (run.path / "models").iterdir()] == []  # the half-written folder is gone
