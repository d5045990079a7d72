"""Decimal commas (``automl.data.decimals``): found in a ``;`` or tab file, kept with the run, and read the same way
in a file to predict that has no comma, in every piece of a file read in pieces, and in a streamed prediction."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from automl.cli import main
from automl.data import decimals, large, load

from test_interrupt import only_run


def test_a_value_is_read_with_a_decimal_comma_only_where_it_is_written_so() -> None:
    column = pd.Series(["1.392", "1.5", "2,5 %", "(1.000,25 €)", "7", "1e3", "n/a", None], dtype="string")
    got = decimals.read(pd.DataFrame({"w": column, "n": [1.5] * 8}), ["w", "n", "absent"])
    assert got["w"].tolist()[:6] == [1392.0, 1.5, 2.5, -1000.25, 7.0, 1000.0]
    assert got["w"].iloc[6:].isna().all() and got["n"].tolist() == [1.5] * 8  # numbers stay as they are


def test_a_column_is_found_only_when_every_value_is_a_number_and_one_has_a_comma() -> None:
    frame = pd.DataFrame({"w": ["1,5", "2"], "dots": ["1.392", "2.000"], "mixed": ["1,5", "one"],
                          "paren": ["(1,5", "2"], "n": [1.5, 2.0]})
    assert decimals.find(frame) == ["w"]


def test_columns_known_from_the_training_file_are_read_with_commas_where_this_file_has_none(write_csv) -> None:
    path = write_csv("price;weight;y\n1.392;1,5;a\n2.100;2;b\n800;3,25;a\n", "new.csv")
    plain = load(path)
    assert plain.frame["price"].tolist() == [1.392, 2.1, 800.0] and plain.commas == ("weight",)
    known = load(path, commas=("price", "weight", "elsewhere"))
    assert known.frame["price"].tolist() == [1392.0, 2100.0, 800.0]
    assert known.frame["weight"].tolist() == [1.5, 2.0, 3.25] and known.commas == ("weight", "price")
    assert any("'price' are read with decimal commas, as in the file the model was trained on" in n
               for n in known.notes)


def test_a_comma_delimited_file_keeps_its_decimal_points_and_reads_known_columns_only_where_quoted(write_csv) -> None:
    ds = load(write_csv("price,y\n1.392,a\n2.5,b\n"), commas=("price",))
    assert ds.frame["price"].tolist() == [1.392, 2.5] and ds.commas == () and ds.notes == ()
    quoted = write_csv('price,y\n"1,500",a\n"2,000",b\n', "quoted.csv")  # alone, these read as thousands
    assert load(quoted).frame["price"].tolist() == ["1,500", "2,000"]
    assert load(quoted, commas=("price",)).frame["price"].tolist() == [1.5, 2.0]


def _european(path: Path, rows: int = 3000, seed: int = 0) -> tuple[Path, pd.DataFrame]:
    """A ``;`` file whose ``price`` (0 to 3,000, one decimal) decides ``y``, written with decimal commas."""
    rng = np.random.default_rng(seed)
    price = np.round(rng.uniform(0, 3000, rows), 1)
    frame = pd.DataFrame({"price": price, "noise": rng.normal(size=rows).round(3),
                          "y": np.where(price > 1500, "dear", "cheap")})
    written = frame.assign(price=[f"{v:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".") for v in price])
    written.to_csv(path, sep=";", index=False)
    return path, frame


def test_every_piece_of_a_file_read_in_pieces_reads_its_decimal_commas(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(large, "CSV_PIECE_BYTES", 8_000)
    path, frame = _european(tmp_path / "big.csv")
    table = large.pieces_of(path)
    assert table.delimiter == ";" and table.commas == ("price",) and len(table.pieces) > 4
    whole = pd.concat([table.read_piece(i) for i in range(len(table.pieces))], ignore_index=True)
    np.testing.assert_allclose(whole["price"].to_numpy(), frame["price"].to_numpy())
    held = load(path, dask="local")  # the held rows too, and the dataset says which columns
    assert held.commas == ("price",) and held.large.describe()["decimal_commas"] == ["price"]
    assert held.notes == ("Column(s) 'price' are written with decimal commas (as in 1,5 or 1.234,5) and are read as "
                          "numbers.",)
    np.testing.assert_allclose(held.frame["price"].to_numpy(), frame["price"].to_numpy()[held.positions])


def test_a_file_in_pieces_whose_first_piece_has_no_comma_reads_the_known_columns(tmp_path: Path) -> None:
    path = tmp_path / "round.csv"
    path.write_text("price;y\n1.392;a\n2.100;b\n", encoding="utf-8")
    assert large.pieces_of(path).read_piece(0)["price"].tolist() == [1.392, 2.1]
    assert large.pieces_of(path, ("price",)).read_piece(0)["price"].tolist() == [1392.0, 2100.0]


@pytest.fixture(scope="module")
def european_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from automl import AutoML

    folder = tmp_path_factory.mktemp("european")
    path, _ = _european(folder / "prices.csv", rows=600)
    AutoML(budget="15s", compare=False, out=folder / "runs", max_trials=2).fit(str(path), target="y")
    return only_run(folder / "runs")


def test_a_run_predicts_a_file_whose_column_has_no_comma_as_it_read_its_own(european_run: Path,
                                                                            tmp_path: Path) -> None:
    record = json.loads((european_run / "run.json").read_text())
    assert record["data"]["decimal_commas"] == ["price"]
    new = tmp_path / "new.csv"
    new.write_text("price;noise\n1.392;0\n2.100;0\n800;0\n2.950;0\n", encoding="utf-8")  # thousands, no comma
    out = tmp_path / "predictions.csv"
    said = {}
    for stream in ([], ["--stream"]):
        result = CliRunner().invoke(main, ["predict", str(european_run), str(new), "-o", str(out), *stream])
        assert result.exit_code == 0, result.output
        assert pd.read_csv(out)["predicted_y"].tolist() == ["cheap", "dear", "cheap", "dear"], stream
        said[bool(stream)] = result.output
    assert "'price' are read with decimal commas, as in the file the model was trained on" in said[False]


def test_french_thousands_spaced_with_no_break_spaces_are_read_too(write_csv) -> None:
    text = "prix;part;code;y\n1\u00a0234,56 €;12,5 %;12 34,5;a\n12 345,5 €;1\u202f000,25 %;2;b\n7 €;0,5 %;3;a\n"
    ds = load(write_csv(text, "francais.csv"))
    assert ds.frame["prix"].tolist() == [1234.56, 12345.5, 7.0] and ds.frame["part"].tolist() == [12.5, 1000.25, 0.5]
    assert ds.frame["code"].tolist() == ["12 34,5", "2", "3"]  # not grouped by three: text


def test_a_few_excel_errors_or_dashes_among_decimal_commas_are_missing_values_with_a_note(write_csv) -> None:
    rows = "".join(f"{i},5;{i};a\n" for i in range(18))
    ds = load(write_csv("w;n;y\n" + rows + "#DIV/0!;1;b\n-;2;b\n", "errors.csv"))
    assert ds.frame["w"].tolist()[:2] == [0.5, 1.5] and ds.frame["w"].iloc[18:].isna().all()
    assert ds.commas == ("w",)
    assert ("column 'w' mixes numbers and text: 2 non-number(s) such as '#DIV/0!', '-' are treated as missing."
            in ds.notes)
    words = load(write_csv("w;y\n" + "".join(f"{i},5;a\n" for i in range(8)) + "one;b\ntwo;b\n", "words.csv"))
    assert words.frame["w"].iloc[-1] == "two" and words.commas == ()  # 8 numbers in 10: text
