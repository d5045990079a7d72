"""Keras Tuner workers: every wait of the chief and of a worker is bounded, a dead worker loses only its trial,
and a chief with two worker processes completes a real search whose trials and report name both workers.

The chief's loop is tested against Keras Tuner's real oracle and gRPC servicer
with stand-in worker processes (``sleep``), so the waits are pinned in a few
seconds; the end-to-end tests run ``automl fit --workers 2`` on tiny images.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from synthetic import make_folder

from automl.budget import Deadline
from automl.cli import main
from automl.errors import ConfigError
from automl.run import workers
from automl.search import cluster


def _oracle(tmp_path: Path, seconds: float):
    import keras_tuner

    from automl.search.tuner import BudgetedOracle, objective

    oracle = BudgetedOracle(Deadline(seconds), objective=objective("accuracy"), max_epochs=2, factor=3, seed=0)
    hps = keras_tuner.HyperParameters()
    hps.Choice("units", [8, 16])
    oracle.update_space(hps)
    oracle._set_project_dir(str(tmp_path), "search")
    return oracle


def _serve(tmp_path: Path, seconds: float, grace: float, then, oracle=None) -> tuple[dict, list, float, list]:
    """Serve an oracle to one stand-in worker process (``sleep``) that takes a trial, then ``then(process)``."""
    oracle = oracle or _oracle(tmp_path, seconds)
    ctx = SimpleNamespace(deadline=oracle.deadline)
    processes, ended = [], []

    def start(address: str, _ctx) -> list[cluster.Launched]:
        process = subprocess.Popen(["sleep", "60"])
        processes.append(process)
        client = cluster.bounded_client(oracle, cluster.Worker(address, "worker-1", grace=1.0), Deadline(10))
        assert client.create_trial("worker-1").status == "RUNNING"
        then(process)
        return [cluster.Launched("worker-1", process)]

    started = time.monotonic()
    summary = cluster.serve(SimpleNamespace(oracle=oracle), ctx, cluster.Chief(1, start, grace=grace),
                            ended.append)
    return summary, ended, time.monotonic() - started, processes


def test_a_worker_that_dies_mid_trial_loses_only_that_trial_and_the_chief_does_not_wait(tmp_path):
    summary, ended, took, _ = _serve(tmp_path, seconds=60, grace=5, then=lambda p: p.send_signal(signal.SIGKILL))
    assert took < 10  # not the 60 s deadline: the chief saw the process go
    assert [t.status for t in ended] == ["FAILED"]
    assert "worker-1" in ended[0].message and "signal 9" in ended[0].message
    assert summary["workers"]["worker-1"] | {"log": ""} == {"trials": 1, "ok": 0, "failed": 1, "lost": 1,
                                                          "exit_code": -9, "log": ""}


def test_a_silent_worker_holds_the_chief_no_longer_than_the_deadline_plus_its_grace(tmp_path):
    summary, ended, took, processes = _serve(tmp_path, seconds=2, grace=1, then=lambda p: None)
    assert 2.5 < took < 2 + 1 + cluster.STOP_SECONDS + 3
    assert [t.status for t in ended] == ["FAILED"] and "had not ended by the deadline" in ended[0].message
    assert processes[0].poll() is not None  # stopped by the chief, not left running
    assert summary["workers"]["worker-1"]["failed"] == 1


def test_a_resumed_search_does_not_record_its_earlier_trials_again(tmp_path):
    oracle = _oracle(tmp_path, 60)
    earlier = oracle.create_trial("worker-1")  # a trial an earlier session ended
    earlier.status = "FAILED"
    oracle.end_trial(earlier)
    summary, ended, _, _ = _serve(tmp_path, 60, 5, lambda p: p.send_signal(signal.SIGKILL), oracle=oracle)
    assert [t.trial_id for t in ended] == ["0001"] and summary["workers"]["worker-1"]["trials"] == 1


def test_a_worker_gives_up_on_a_missing_chief_at_its_deadline_not_after_an_hour(tmp_path):
    import grpc

    oracle = _oracle(tmp_path, 60)
    client = cluster.bounded_client(oracle, cluster.Worker("127.0.0.1:9", "w", grace=1.0), Deadline(1.0))
    started = time.monotonic()
    with pytest.raises(grpc.RpcError):
        client.get_space()
    assert time.monotonic() - started < 5


def test_addresses_and_worker_counts_are_checked_with_one_line_errors(tmp_path):
    from automl import AutoML

    for bad in ("8470", "host:", "host:http", "host:70000"):
        with pytest.raises(ConfigError, match="--chief must be HOST:PORT"):
            cluster.split_address(bad, "--chief")
    with pytest.raises(ConfigError, match="workers"):
        AutoML(workers=-1).fit(tmp_path / "none.csv")
    with pytest.raises(ConfigError, match="listen must be HOST:PORT"):
        AutoML(listen="nowhere").fit(tmp_path / "none.csv")
    result = CliRunner().invoke(main, ["worker", str(tmp_path), "--chief", "nowhere"])
    assert result.exit_code == 2 and result.output.count("\n") == 1 and "--chief must be HOST:PORT" in result.output


def test_a_worker_names_what_it_cannot_join(tmp_path):
    with pytest.raises(ConfigError, match="not a run directory"):
        workers.join(tmp_path, "127.0.0.1:1", "w", wait=0.1)
    (tmp_path / "run.json").write_text("{}")
    started = time.monotonic()
    with pytest.raises(ConfigError, match="no running a network search to join|no running network search"):
        workers.join(tmp_path, "127.0.0.1:1", "w", wait=0.3)
    assert time.monotonic() - started < 3


def test_each_local_worker_gets_its_share_of_the_machine():
    assert workers.thread_env(2, 2)["OMP_NUM_THREADS"] == "1"
    assert workers.thread_env(3, 16)["TF_NUM_INTRAOP_THREADS"] == "5"
    assert [workers.device_env(i, 4, 4) for i in range(4)] == [{"CUDA_VISIBLE_DEVICES": str(i)} for i in range(4)]
    shared = workers.device_env(3, 4, 2)
    assert shared["CUDA_VISIBLE_DEVICES"] == "1" and shared["XLA_PYTHON_CLIENT_PREALLOCATE"] == "false"
    assert shared["XLA_PYTHON_CLIENT_MEM_FRACTION"] == "0.45"


# --------------------------------------------------------------------------- end to end, two worker processes

BUDGET = 75


def _fit(tmp_path: Path, on_start=None, workers=("--workers", "2", "--max-trials", "4")
         ) -> tuple[int, Path, float, str]:
    """``automl fit stripes --workers 2`` as its own process; ``on_start(out)`` runs while it does."""
    data = make_folder(tmp_path / "stripes", per_class=40)
    out = tmp_path / "runs"
    started = time.monotonic()
    process = subprocess.Popen(
        [sys.executable, "-m", "automl", "fit", str(data), "--budget", f"{BUDGET}s", *workers,
         "--max-epochs", "4", "--out", str(out), "--quiet"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=os.environ | {"PYTHONUNBUFFERED": "1"})
    if on_start is not None:
        on_start(out)
    output, _ = process.communicate(timeout=BUDGET + 60)
    run_dir = next(out.iterdir())
    return process.returncode, run_dir, time.monotonic() - started, output


def _deep_trials(run_dir: Path) -> list[dict]:
    lines = (run_dir / "trials.jsonl").read_text().splitlines()
    return [t for t in map(json.loads, lines) if t["approach"] == "deep" and not t["extra"].get("continued")]


@pytest.mark.slow
def test_a_chief_and_two_workers_complete_a_search_within_the_budget(tmp_path):
    code, run_dir, took, output = _fit(tmp_path)
    assert code == 0, output
    assert took < BUDGET * 1.05 + 5  # the command's own start-up and the workers' included
    trials = _deep_trials(run_dir)
    assert len(trials) >= 3 and {t["extra"]["worker"] for t in trials} == {"worker-1", "worker-2"}
    assert all(t["status"] == "ok" and t["extra"]["epochs"] for t in trials)
    record = json.loads((run_dir / "run.json").read_text())
    assert record["status"] == "complete" and record["models"]["deep"] == "models/deep"
    report = (run_dir / "report.md").read_text()
    assert "The search ran on 2 worker processes" in report and "worker-2 ran" in report
    left = {p.name for p in (run_dir / "search" / "deep" / "cluster").iterdir()}
    assert left == {"workers.json"}  # the copies of the data the workers read are gone
    assert (run_dir / "logs" / "deep-worker-2.log").read_text().strip().endswith("the chief records them in the run.")
    assert "until the chief said the search is over" in (run_dir / "logs" / "deep-worker-1.log").read_text()


@pytest.mark.slow
def test_killing_a_worker_mid_search_still_finishes_the_run_with_both_workers_trials(tmp_path):
    killed = {}

    def kill_worker_2_mid_trial(out: Path) -> None:
        end = time.monotonic() + BUDGET
        while time.monotonic() < end and not killed:
            for oracle_file in out.glob("*/search/deep/search/oracle.json"):
                listed = oracle_file.parent.parent / "cluster" / "workers.json"
                try:
                    ongoing = json.loads(oracle_file.read_text())["ongoing_trials"]
                    pids = {w["name"]: w["pid"] for w in json.loads(listed.read_text())["workers"]}
                except (OSError, ValueError, KeyError):
                    continue
                if "worker-2" in ongoing:
                    os.kill(pids["worker-2"], signal.SIGKILL)
                    killed["trial"] = ongoing["worker-2"]
            time.sleep(0.2)

    code, run_dir, took, output = _fit(tmp_path, kill_worker_2_mid_trial)
    assert killed, "worker-2 never held a trial"
    assert code == 0, output
    assert json.loads((run_dir / "run.json").read_text())["status"] == "complete"
    trials = _deep_trials(run_dir)
    lost = [t for t in trials if t["status"] == "failed"]
    assert [t["extra"]["worker"] for t in lost] == ["worker-2"] and "signal 9" in lost[0]["error"]
    assert any(t["status"] == "ok" and t["extra"]["worker"] == "worker-1" for t in trials)
    report = (run_dir / "report.md").read_text()
    assert "worker-2 ran" in report and "lost when its process stopped" in report


@pytest.mark.slow
def test_a_worker_joining_from_another_machine_runs_trials_beside_the_local_one(tmp_path):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    joined = {}

    def join_as_another_machine(out: Path) -> None:
        end = time.monotonic() + 60
        while time.monotonic() < end and not list(out.glob("*/run.json")):
            time.sleep(0.2)
        run_dir = next(out.glob("*/run.json")).parent
        joined["process"] = subprocess.Popen(
            [sys.executable, "-m", "automl", "worker", str(run_dir), "--chief", f"127.0.0.1:{port}", "--name",
             "elsewhere"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    code, run_dir, took, output = _fit(tmp_path, join_as_another_machine,
                                       ("--workers", "1", "--listen", f"127.0.0.1:{port}", "--max-trials", "6"))
    said = joined["process"].communicate(timeout=60)[0]
    assert code == 0, output
    assert joined["process"].returncode == 0 and "elsewhere: ran" in said, said
    trials = _deep_trials(run_dir)
    assert {t["extra"]["worker"] for t in trials} == {"worker-1", "elsewhere"}
    assert len(trials) >= 4 and all(t["status"] == "ok" for t in trials)
    assert took < BUDGET * 1.05 + 5
