"""``--encoding NAME``: a table file that is not UTF-8 (Excel on Windows writes Windows-1252) is read in the encoding
a person names, never a guessed one, and the run reads the files it predicts the same way."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from automl.cli import main
from automl.data import load
from automl.data.encoding import checked, decode
from automl.data.large import pieces_of, read_held
from automl.errors import ConfigError, DataError

CITIES = ["Zürich", "Köln", "Malmö", "São Paulo"]


def excel_table(n: int = 160, seed: int = 0) -> pd.DataFrame:
    """A table with accented column names, categories and classes, as a Windows spreadsheet would hold it."""
    rng = np.random.default_rng(seed)
    city = rng.choice(CITIES, n)
    size = rng.normal(size=n)
    label = np.where((np.isin(city, CITIES[:2])) ^ (size > 1.2), "Größer", "Klein")
    return pd.DataFrame({"Größe": size, "Stadt": city, "Klasse": label})


def write(frame: pd.DataFrame, path, encoding: str = "cp1252"):
    frame.to_csv(path, index=False, encoding=encoding)
    return path


def test_a_windows_file_is_refused_with_the_fix_and_read_when_its_encoding_is_named(tmp_path):
    path = write(excel_table(), tmp_path / "sales.csv")
    with pytest.raises(DataError, match=r"not valid UTF-8: byte 0xf6 at line 1 .*pass --encoding NAME .*cp1252"):
        load(path)
    data = load(path, encoding="cp1252")
    assert list(data.frame.columns) == ["Größe", "Stadt", "Klasse"]
    assert set(data.frame["Stadt"]) == set(CITIES) and data.encoding == "cp1252"
    assert "read as cp1252" in " ".join(data.notes)


def test_a_utf8_file_reads_as_utf8_whatever_is_named(tmp_path):
    path = write(excel_table(), tmp_path / "sales.csv", "utf-8")
    data = load(path, encoding="cp1252")
    assert set(data.frame["Stadt"]) == set(CITIES)  # cp1252 would read Zürich as ZÃ¼rich
    assert data.encoding is None and not data.notes


def test_an_encoding_that_does_not_fit_names_the_byte_and_an_unknown_one_is_refused(tmp_path):
    with pytest.raises(DataError, match=r"neither UTF-8 nor cp1252: byte 0x81 at line 2"):
        decode(b"a,b\n\x81,1\n", "cp1252", "x.csv")  # a byte cp1252 leaves undefined
    with pytest.raises(ConfigError, match=r"`encoding` must be a text encoding .* Received: encoding='klingon'"):
        checked("klingon")
    with pytest.raises(ConfigError, match=r"Received: encoding='utf-16'"):
        checked("utf-16")  # a UTF-16 file is known by its byte-order mark; its pieces cannot be cut at line breaks
    assert checked("Windows-1252") == "cp1252" and checked("ISO-8859-1") == "latin-1" and checked("") is None


def test_a_file_read_in_pieces_decodes_each_piece_and_says_so(tmp_path):
    path = write(excel_table(400), tmp_path / "big.csv")
    with pytest.raises(DataError, match="pass --encoding"):
        pieces_of(path)  # its header is not UTF-8
    table = pieces_of(path, encoding="cp1252")
    assert table.columns == ("Größe", "Stadt", "Klasse")
    assert set(table.read_piece(0)["Stadt"]) == set(CITIES)
    frame, rows, table = read_held(dataclasses.replace(table, held_share=0.5))
    assert table.decoded == "cp1252" and set(frame["Stadt"]) <= set(CITIES) and len(frame) == len(rows)


def test_fit_predict_evaluate_and_resume_read_the_runs_encoding(tmp_path, quick_fit):
    data = write(excel_table(), tmp_path / "sales.csv")
    refused = CliRunner().invoke(main, ["fit", str(data), "--budget", "15s", "--no-compare", "--out",
                                        str(tmp_path / "runs")])
    assert refused.exit_code == 2 and "--encoding NAME" in refused.output and "Traceback" not in refused.output
    assert not (tmp_path / "runs").exists() or not any((tmp_path / "runs").iterdir())  # nothing half-written
    run, record = quick_fit(data, "--encoding", "windows-1252")
    assert record["data"]["encoding"] == "cp1252" and record["target"] == "Klasse"
    assert "Größe" in record["features"] and "read as cp1252" in (run / "report.md").read_text(encoding="utf-8")
    new = write(excel_table(40, seed=1), tmp_path / "new.csv")
    for extra in ([], ["--stream"]):  # whole, and piece by piece
        out = tmp_path / f"predictions{len(extra)}.csv"
        predicted = CliRunner().invoke(main, ["predict", str(run), str(new), "-o", str(out), *extra])
        assert predicted.exit_code == 0, predicted.output
        assert set(pd.read_csv(out)["predicted_Klasse"]) <= {"Größer", "Klein"}
    scored = CliRunner().invoke(main, ["evaluate", str(run), str(new), "--json"])
    assert scored.exit_code == 0, scored.output
    assert json.loads(scored.stdout)["scores"]["accuracy"] > 0.5
    utf8 = write(excel_table(40, seed=1), tmp_path / "utf8.csv", "utf-8")
    assert CliRunner().invoke(main, ["predict", str(run), str(utf8)]).exit_code == 0  # UTF-8 reads as such
    wrong = CliRunner().invoke(main, ["predict", str(run), str(new), "--encoding", "nonsense"])
    assert wrong.exit_code == 2 and "Received: encoding='nonsense'" in wrong.output
    again = CliRunner().invoke(main, ["fit", "--resume", str(run), "--budget", "15s", "-q"])
    assert again.exit_code == 0, again.output  # the resume reads the file in the run's encoding


def test_the_python_api_takes_the_encoding(tmp_path):
    from automl import AutoML

    data = write(excel_table(), tmp_path / "sales.csv")
    with pytest.raises(ConfigError, match="encoding='nope'"):
        AutoML(budget="15s", compare=False, out=None, encoding="nope").fit(data)
    model = AutoML(budget="15s", compare=False, out=None, encoding="cp1252").fit(data)
    assert model.get_params()["encoding"] == "cp1252"
    assert set(model.predict(data)) <= {"Größer", "Klein"}  # a file to predict reads in the run's encoding
