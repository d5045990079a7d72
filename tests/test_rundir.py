"""The run directory on disk: unique under races, model folders swapped without a moment of absence."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

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
