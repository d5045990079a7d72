"""GPU utilisation sampling: read from nvidia-smi when it exists (a stand-in script here), nothing otherwise."""

from __future__ import annotations

import time

from automl.run.meters import GpuMeter, read_gpu


def _fake_nvidia_smi(folder, body: str):
    script = folder / "nvidia-smi"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)


def test_utilisation_is_sampled_while_the_meter_runs(tmp_path, monkeypatch):
    _fake_nvidia_smi(tmp_path, "echo 73")
    monkeypatch.setenv("PATH", str(tmp_path))
    assert read_gpu() == (73.0, None)  # utilisation 73 %; memory not reported
    with GpuMeter(interval=0.05) as meter:
        time.sleep(0.3)
    summary = meter.summary()
    assert summary["gpu_util_mean"] == 73.0 and summary["gpu_util_max"] == 73.0
    assert summary["gpu_samples"] >= 2
    assert "gpu_memory_peak_mb" not in summary  # a reading without memory records none


def test_memory_in_use_is_sampled_and_its_peak_kept(tmp_path, monkeypatch):
    counter = tmp_path / "n"
    counter.write_text("0")
    # each call reports 50 % and more memory than the last: 1000, 2000, ... MiB
    _fake_nvidia_smi(tmp_path, f'n=$(($(cat {counter}) + 1)); echo $n > {counter}; echo "50, ${{n}}000"')
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    assert read_gpu() == (50.0, 1000.0)
    with GpuMeter(interval=0.05) as meter:
        time.sleep(0.3)
    summary = meter.summary()
    calls = int(counter.read_text())
    assert summary["gpu_util_mean"] == 50.0 and summary["gpu_samples"] == calls - 1
    assert summary["gpu_memory_peak_mb"] == calls * 1000.0  # the last, largest reading


def test_no_nvidia_smi_records_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    assert read_gpu() is None
    with GpuMeter(interval=0.05) as meter:
        time.sleep(0.1)
    assert meter.summary() == {}


def test_unreadable_output_stops_sampling_quietly(tmp_path, monkeypatch):
    _fake_nvidia_smi(tmp_path, "echo '[N/A]'")
    monkeypatch.setenv("PATH", str(tmp_path))
    with GpuMeter(interval=0.05) as meter:
        time.sleep(0.1)
    assert meter.summary() == {}
