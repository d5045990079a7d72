"""Prices and power: ``--price``, the config files, their precedence, and one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from automl.errors import ConfigError
from automl.prices import CONFIG_NAME, Prices, config_paths, parse_price, resolve


def test_parse_price_reads_both_keys_and_either_alone():
    assert parse_price("cpu=0.05,gpu=2.5") == {"cpu": 0.05, "gpu": 2.5}
    assert parse_price(" GPU = 3 ") == {"gpu": 3.0}
    assert parse_price("cpu=0") == {"cpu": 0.0}


@pytest.mark.parametrize("text", ["cpu", "cpu=", "cpu=abc", "cpu=-1", "cpu=inf", "ram=1", "cpu=1,cpu=2", "",
                                  "cpu=1;gpu=2"])
def test_parse_price_rejects_malformed_text_naming_the_argument_and_the_fix(text):
    with pytest.raises(ConfigError) as info:
        parse_price(text)
    message = str(info.value)
    assert message.startswith("`price` must be")
    assert f"Received: price={text!r}" in message
    assert "--price cpu=0.05,gpu=2.5" in message


def test_defaults_state_their_source():
    prices = resolve(None, cwd=Path("/nonexistent"), env={"XDG_CONFIG_HOME": "/nonexistent"})
    assert prices == Prices()
    assert "assumed on-demand cloud list prices" in prices.price_source
    assert "W per busy CPU core" in prices.power_source


def test_money_and_energy_formulas():
    prices = Prices(cpu=0.05, gpu=2.0, cpu_watts_per_core=10.0, gpu_watts=300.0)
    assert prices.hourly(4, gpu=False) == pytest.approx(0.2)
    assert prices.usd(1800, 4, gpu=True) == pytest.approx(0.5 * (0.2 + 2.0))
    assert prices.wh(cpu_seconds=720, gpu_seconds=36) == pytest.approx(2.0 + 3.0)


def write_config(folder: Path, text: str, name: str = CONFIG_NAME) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def test_precedence_price_over_working_folder_over_user_file_over_defaults(tmp_path):
    cwd, home = tmp_path / "project", tmp_path / "xdg"
    write_config(home / "automl", "[price]\ncpu = 0.01\ngpu = 1.0\n[power]\ngpu_watts = 400\n", "config.toml")
    env = {"XDG_CONFIG_HOME": str(home)}
    assert config_paths(cwd, env) == [cwd / CONFIG_NAME, home / "automl" / "config.toml"]

    user = resolve(None, cwd=cwd, env=env)
    assert (user.cpu, user.gpu, user.gpu_watts, user.cpu_watts_per_core) == (0.01, 1.0, 400.0, 10.0)
    assert "config.toml" in user.price_source and "config.toml" in user.power_source

    write_config(cwd, "[price]\ngpu = 3.0\n")
    local = resolve(None, cwd=cwd, env=env)
    assert (local.cpu, local.gpu) == (0.01, 3.0)
    assert str(cwd / CONFIG_NAME) in local.price_source

    given = resolve("cpu=0.2", cwd=cwd, env=env)
    assert (given.cpu, given.gpu) == (0.2, 3.0)
    assert "given with --price" in given.price_source


def test_price_over_the_prices_a_run_recorded_reads_no_file(tmp_path):
    write_config(tmp_path, "[price]\ncpu = 9.0\n")
    recorded = Prices(cpu=0.1, gpu=4.0)
    again = resolve("gpu=5", cwd=tmp_path, env={}, base=recorded)
    assert (again.cpu, again.gpu) == (0.1, 5.0)
    assert "recorded with the run" in again.price_source


@pytest.mark.parametrize("text, needle", [
    ("[price]\ncpu = 'cheap'\n", "`price.cpu` must be a number"),
    ("[price]\nram = 1\n", "unknown key 'ram'"),
    ("price = 3\n", "[price] must be a table"),
    ("[price\n", "cannot be read"),
])
def test_malformed_config_file_is_a_config_error_naming_the_file(tmp_path, text, needle):
    path = write_config(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        resolve(None, cwd=tmp_path, env={})
    assert needle in str(info.value)
    assert str(path) in str(info.value)
