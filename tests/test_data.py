"""Loading paths, DataFrames and arrays, and the error for every kind of bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from automl.data import Dataset, load
from automl.errors import DataError, UserInputError

# ---------------------------------------------------------------- good input


@pytest.mark.parametrize(
    "name, text",
    [
        ("table.csv", "a,b,y\n1,2.5,x\n3,4.5,z\n"),
        ("table.tsv", "a\tb\ty\n1\t2.5\tx\n3\t4.5\tz\n"),
        ("table.txt", "a\tb\ty\n1\t2.5\tx\n3\t4.5\tz\n"),  # tab sniffed in a .txt
        ("semicolon.csv", "a;b;y\n1;2.5;x\n3;4.5;z\n"),  # delimiter sniffed
        ("pipes.csv", "a|b|y\n1|2.5|x\n3|4.5|z\n"),
        ("crlf.csv", "a,b,y\r\n1,2.5,x\r\n3,4.5,z\r\n"),
        ("bom.csv", "\ufeffa,b,y\n1,2.5,x\n3,4.5,z\n"),  # Excel's UTF-8 byte order mark
        ("spaces.csv", "a, b, y\n1, 2.5, x\n3, 4.5, z\n"),  # spaces after delimiters
    ],
)
def test_load_delimited(write_csv, name, text):
    path = write_csv(text, name)
    ds = load(path)
    assert isinstance(ds, Dataset)
    assert list(ds.frame.columns) == ["a", "b", "y"]
    assert ds.frame["a"].tolist() == [1, 3]
    assert ds.frame["b"].tolist() == [2.5, 4.5]
    assert ds.frame["y"].tolist() == ["x", "z"]
    assert ds.name == path.stem
    assert ds.source == str(path)
    assert ds.root == path.resolve().parent
    assert ds.n_bytes > 0


def test_semicolon_file_with_decimal_commas_reads_numbers_and_says_so(write_csv):
    text = "weight;price;note;y\n1,5;1.234,50;a,b;x\n2;7,25;c;z\n;0,5;d;x\n"
    ds = load(write_csv(text, "european.csv"))
    assert ds.frame["weight"].tolist()[:2] == [1.5, 2.0] and np.isnan(ds.frame["weight"].iloc[2])
    assert ds.frame["price"].tolist() == [1234.5, 7.25, 0.5]
    assert ds.frame["note"].tolist() == ["a,b", "c", "d"]  # not every value is a number: left as text
    assert ds.notes == ("Column(s) 'weight', 'price' are written with decimal commas (as in 1,5 or 1.234,5) and "
                        "are read as numbers.",)


def test_decimal_commas_with_currency_and_percent_signs_are_numbers_too(write_csv):
    text = "rate;amount;code;y\n12,5 %;1.234,50 €;(1,5;x\n(3,25 %);€ 7,25;2,5;z\n0,5%;-0,5 €;3;x\n"
    ds = load(write_csv(text, "european.csv"))
    assert ds.frame["rate"].tolist() == [12.5, -3.25, 0.5]
    assert ds.frame["amount"].tolist() == [1234.5, 7.25, -0.5]
    assert ds.frame["code"].tolist() == ["(1,5", "2,5", "3"]  # an unpaired parenthesis: left as text
    assert "'rate', 'amount' are written with decimal commas" in ds.notes[0]


def test_a_comma_delimited_file_reads_decimal_commas_only_where_no_thousands_separator_could_be(write_csv):
    ds = load(write_csv('a,b,c\n"1,5","1,500",1\n"2,25","2,000",2\n'))
    assert ds.frame["a"].tolist() == [1.5, 2.25] and ds.commas == ("a",)
    assert ds.frame["b"].tolist() == ["1,500", "2,000"]  # thousands, as inspection reads them (number_text)
    assert ds.notes == ("Column(s) 'a' are written with decimal commas (as in 1,5 or 1.234,5) and are read as "
                        "numbers.",)


def test_load_quoted_delimiter_inside_value(write_csv):
    ds = load(write_csv('name,n\n"Smith, John",1\n"Doe, Jane",2\n'))
    assert ds.frame["name"].tolist() == ["Smith, John", "Doe, Jane"]
    assert ds.frame["n"].tolist() == [1, 2]


def test_load_relative_path_from_working_directory(write_csv):
    write_csv("a,b\n1,2\n", "rel.csv")
    ds = load("rel.csv")  # the autouse fixture made tmp_path the working directory
    assert ds.frame.shape == (1, 2)
    assert ds.name == "rel"


@pytest.mark.parametrize("suffix", [".parquet", ".pq"])
def test_load_parquet(tmp_path, suffix):
    frame = pd.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"], "c": [0.5, np.nan, 1.5]})
    path = tmp_path / f"table{suffix}"
    frame.to_parquet(path)
    ds = load(path)
    assert ds.name == "table"
    assert list(ds.frame.columns) == ["a", "b", "c"]
    assert ds.frame["a"].tolist() == [1, 2, 3]
    assert ds.frame["b"].tolist() == ["x", "y", "z"]
    assert ds.frame["c"].isna().tolist() == [False, True, False]


def test_load_dataframe_copies_and_names_columns_as_text():
    frame = pd.DataFrame({0: [1, 2], "y": [0, 1]}, index=[10, 20])
    ds = load(frame)
    assert ds.name == "dataframe" and ds.source == "dataframe" and ds.root is None
    assert list(ds.frame.columns) == ["0", "y"]
    assert ds.frame.index.tolist() == [0, 1]
    ds.frame.loc[0, "y"] = 99
    assert frame["y"].tolist() == [0, 1]  # the caller's frame is untouched
    assert list(frame.columns) == [0, "y"]


def test_load_arrays_with_y():
    X = np.arange(6).reshape(3, 2)
    ds = load(X, [0, 1, 0])
    assert ds.source == "arrays"
    assert list(ds.frame.columns) == ["x0", "x1", "target"]
    assert ds.frame["x1"].tolist() == [1, 3, 5]
    assert ds.frame["target"].tolist() == [0, 1, 0]


def test_load_arrays_y_series_name_and_target_argument():
    X = np.arange(6).reshape(3, 2)
    assert list(load(X, pd.Series([0, 1, 0], name="label")).frame.columns) == ["x0", "x1", "label"]
    assert list(load(X, [0, 1, 0], target="outcome").frame.columns) == ["x0", "x1", "outcome"]


def test_load_frame_with_y_is_positional_not_index_aligned():
    X = pd.DataFrame({"a": [1, 2, 3]}, index=[5, 6, 7])
    y = pd.Series(["p", "q", "r"], index=[7, 6, 5])
    ds = load(X, y)
    assert ds.frame["a"].tolist() == [1, 2, 3]
    assert ds.frame["target"].tolist() == ["p", "q", "r"]


# ---------------------------------------------------------------- bad input


def _data_error(data, *args, **kwargs) -> str:
    with pytest.raises(DataError) as info:
        load(data, *args, **kwargs)
    error = info.value
    assert isinstance(error, UserInputError)
    assert isinstance(error, ValueError)
    message = str(error)
    assert "\n" not in message  # the CLI prints it on one line
    return message


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("empty.csv", b"", ["`data` is empty", "0 bytes", "empty.csv"]),
        ("blank.csv", "  \n\n\t \n", ["`data` is empty", "only whitespace", "blank.csv"]),
        ("header.csv", "a,b,y\n", ["header but no data rows", "header.csv"]),
        ("header_blank_lines.csv", "a,b,y\n\n\n", ["header but no data rows"]),
        ("header_no_newline.csv", "a,b,y", ["header but no data rows"]),
        ("table.json", '{"a": 1}', ["`data` must be a file ending in", ".csv", ".parquet", "table.json",
                                    "pandas.read_json"]),
        ("book.xlsx", b"PK\x03\x04", ["`data` must be a file ending in", "book.xlsx", "Save it as CSV (in Excel: "
                                        "File > Save As > CSV UTF-8)", "pandas.read_excel"]),
        ("noextension", "a,b\n1,2\n", ["`data` must be a file ending in", "noextension"]),
        (
            "latin1.csv",
            b"a,b\n1,2\n3,caf\xe9\n",
            ["not valid UTF-8", "0xe9", "line 3", "byte offset 13", "latin1.csv", "UTF-8"],
        ),
        ("ff.csv", b"\xff,b\n1,2\n", ["not valid UTF-8", "0xff", "line 1", "byte offset 0"]),
        (
            "toomany.csv",
            "a,b,c\n1,2,3\n4,5,6,7\n8,9,10\n",
            ["not valid CSV", "line 3", "toomany.csv", "4 fields", "header has 3"],
        ),
        ("toomany_later.csv", "a,b\n" + "1,2\n" * 50 + "3,4,5\n", ["not valid CSV", "line 52", "3 fields"]),
        ("toomany.tsv", "a\tb\n1\t2\n3\t4\t5\n", ["not valid CSV", "line 3", "3 fields", "header has 2"]),
        ("toomany_semicolon.csv", "a;b;c\n1;2;3\n4;5;6;7\n", ["not valid CSV", "line 3", "4 fields"]),
        ("leading_blank_lines.csv", "\n\na,b\n1,2\n3,4,5\n", ["not valid CSV", "line 5"]),
        ("dup.csv", "a,b,a\n1,2,3\n4,5,6\n", ["duplicate column names", "'a' (2 times)"]),
        ("dup_spaces.csv", "a, a,b,b,b\n1,2,3,4,5\n", ["duplicate column names", "'a' (2 times)", "'b' (3 times)"]),
        ("dup.tsv", "x\tx\n1\t2\n", ["duplicate column names", "'x' (2 times)"]),
        ("bad.parquet", b"this is not parquet", ["not a readable Parquet file", "bad.parquet"]),
    ],
)
def test_bad_files(write_csv, name, content, expected):
    path = write_csv(content, name)
    message = _data_error(path)
    for part in expected:
        assert part in message, (part, message)


def test_too_many_fields_on_first_data_row(write_csv):
    message = _data_error(write_csv("a,b\n1,2,3\n4,5\n"))
    assert "line 2" in message


def test_rows_shorter_than_the_header_are_read_padded_and_noted_with_their_lines(write_csv):
    rows = ["1,2,3"] * 30
    for line in (3, 7, 8):  # file lines, the header being line 1
        rows[line - 2] = "4,5"
    rows[19] = '"six\nlines",1'  # a quoted value over two lines: the row starts on line 21
    dataset = load(write_csv("a,b,c\n" + "\n".join(rows) + "\n\n"))
    assert dataset.frame.shape == (30, 3)
    assert dataset.frame["c"].isna().sum() == 4
    assert len(dataset.notes) == 1
    note = dataset.notes[0]
    assert note.startswith("4 row(s) have fewer fields than the header (3): lines 3, 7, 8, 21;"), note


def test_many_short_rows_name_the_first_ten_lines(write_csv):
    dataset = load(write_csv("a;b;c\n" + "1;2\n" * 25 + "1;2;3\n"))
    assert dataset.notes[0].startswith("25 row(s) have fewer fields than the header (3): lines 2, 3, 4, 5, 6, 7, 8, "
                                       "9, 10, 11 and 15 more;"), dataset.notes


@pytest.mark.parametrize("text", ["a,b,c\n1,2,3\n4,5,\n\n   \n7,8,9\n", "a,b\n1,\n2,3\n", "a\n1\n\n2\n"])
def test_missing_values_and_blank_lines_are_not_short_rows(write_csv, text):
    assert load(write_csv(text)).notes == ()


def test_a_long_row_is_still_an_error_when_short_rows_come_first(write_csv):
    message = _data_error(write_csv("a,b,c\n1,2\n4,5,6,7\n"))
    assert "line 3" in message and "4 fields" in message


@pytest.mark.parametrize("address, how", [
    ("https://example.org/data.csv", "download it first (for example curl -LO https://example.org/data.csv)"),
    ("s3://bucket/table.parquet", "copy it to this machine first"),
])
def test_an_address_is_refused_with_the_way_to_a_file(address, how):
    with pytest.raises(DataError) as error:
        load(address)
    assert str(error.value).startswith(f"`data` is an address, not a file: {address!r}") and how in str(error.value)


def test_missing_file():
    message = _data_error("no_such_file.csv")
    assert "not found" in message
    assert "no_such_file.csv" in message


def test_folder_without_media_files(tmp_path):
    folder = tmp_path / "images.csv"
    folder.mkdir()
    message = _data_error(folder)
    assert "holds no image, audio or text files" in message
    assert "images.csv" in message


def test_duplicate_columns_in_dataframe():
    frame = pd.DataFrame([[1, 2, 3], [4, 5, 6]], columns=["a", "b", "a"])
    message = _data_error(frame)
    assert "duplicate column names" in message
    assert "'a' (2 times)" in message


def test_duplicate_columns_after_naming_as_text():
    frame = pd.DataFrame([[1, 2], [3, 4]], columns=[1, "1"])
    assert "'1' (2 times)" in _data_error(frame)


def test_y_length_mismatch():
    message = _data_error(np.zeros((3, 2)), [0, 1])
    assert "`y` has 2 values but X has 3 rows" in message


def test_y_with_a_file(write_csv):
    assert "`y` can only be given with in-memory X" in _data_error(write_csv("a,b\n1,2\n"), [1])


def test_y_name_clashes_with_a_column():
    message = _data_error(pd.DataFrame({"target": [1, 2]}), [0, 1])
    assert "already has a column named 'target'" in message


@pytest.mark.parametrize(
    "data, expected",
    [
        (np.zeros((3, 2, 2)), ["`X` must be a 2-D table", "(3, 2, 2)"]),  # 1-D is one column: test_api
        (pd.DataFrame(), ["`data` is empty", "0 rows x 0 columns"]),
        (pd.DataFrame({"a": []}), ["`data` is empty", "0 rows x 1 columns"]),
        (42, ["`data` must be a path", "int"]),
    ],
)
def test_bad_in_memory_data(data, expected):
    message = _data_error(data)
    for part in expected:
        assert part in message


def test_a_utf16_file_with_its_byte_order_mark_is_read_and_says_so(write_csv):
    ds = load(write_csv("Stadt\tPreis\ty\nKöln\t1,5\ta\nMünchen\t2\tb\n".encode("utf-16"), "unicode.txt"))
    assert ds.frame["Stadt"].tolist() == ["Köln", "München"] and ds.frame["Preis"].tolist() == [1.5, 2.0]
    assert ds.notes[0].startswith("The file is UTF-16 (it starts with that byte-order mark")


def test_a_utf16_file_is_not_cut_into_pieces(write_csv):
    from automl.data import large

    path = write_csv("a\tb\n1\t2\n".encode("utf-16"), "unicode.txt")
    with pytest.raises(DataError, match=r"is UTF-16 and cannot be read in pieces: .*Re-save it as UTF-8"):
        large.pieces_of(path)


def test_excel_s_sep_line_names_the_delimiter_and_is_no_row(write_csv):
    from automl.data import large

    path = write_csv("sep=;\na;b,c;y\n1;x,y;a\n2;z;b\n", "hinted.csv")
    for frame in (load(path).frame, large.pieces_of(path).read_piece(0)):
        assert list(frame.columns) == ["a", "b,c", "y"] and frame["b,c"].tolist() == ["x,y", "z"]
    with pytest.raises(DataError, match="line 4 of .* has 4 fields, but the header has 3"):
        load(write_csv("sep=;\na;b;y\n1;2;a\n1;2;3;4\n", "long.csv"))  # the file's own line numbers


def test_lines_that_end_with_the_delimiter_add_no_empty_column(write_csv):
    ds = load(write_csv("a;b;y;\n1;2;x;\n3;4;z;\n", "trailing.csv"))
    assert list(ds.frame.columns) == ["a", "b", "y"]
    assert ds.notes == ("1 column(s) with no name and no values (the lines end with the delimiter) are left out.",)
    in_pieces = load(write_csv("a;b;y;\n" + "1;2;x;\n3;4;z;\n" * 20, "trailing_big.csv"), dask="local")
    assert list(in_pieces.frame.columns) == ["a", "b", "y"] and "no name and no values" in in_pieces.notes[0]
    named = load(write_csv(",a,y\n0,1,x\n1,2,z\n", "indexed.csv"))  # a nameless column with values stays
    assert list(named.frame.columns) == ["Unnamed: 0", "a", "y"] and named.notes == ()


@pytest.mark.parametrize("text", [
    "Sales report 2024\n\nregion;units;y\nnorth;3;a\nsouth;4;b\n",  # a title line, a blank line, the header
    "Sales report 2024;;\nregion;units;y\nnorth;3;a\nsouth;4;b\n",  # a spreadsheet's title cell in A1
])
def test_a_title_above_the_header_is_named_with_the_fix(write_csv, text):
    with pytest.raises(DataError, match=r"first line, 'Sales report 2024', names one column, but the line after it "
                                        r"has 3 values: it looks like a title above the table. Delete the lines"):
        load(write_csv(text, "titled.csv"))


@pytest.mark.parametrize("text, columns", [
    (",name\n0,alpha\n1,beta\n", ["Unnamed: 0", "name"]),  # a saved pandas Series: its index has no name
    ("text,\nhello,1\nbye,0\n", ["text", "Unnamed: 1"]),  # a last column with no name above numbers
])
def test_tables_with_one_named_column_are_no_title(write_csv, text, columns):
    assert list(load(write_csv(text)).frame.columns) == columns
