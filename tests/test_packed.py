"""Tables packed in gzip, bz2, xz or zip: read as the table inside, refused in one line when they cannot be."""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import zipfile

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from automl.cli import main
from automl.data import large, load
from automl.errors import DataError, TooLargeError


TEXT = "size,colour,label\n1.5,red,yes\n2.5,blue,no\n3.5,red,yes\n"


def zipped(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def parquet_bytes() -> bytes:
    buffer = io.BytesIO()
    pd.read_csv(io.StringIO(TEXT)).to_parquet(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("name, pack", [
    ("sales.csv.gz", lambda: gzip.compress(TEXT.encode())),
    ("sales.csv.bz2", lambda: bz2.compress(TEXT.encode())),
    ("sales.csv.xz", lambda: lzma.compress(TEXT.encode())),
    ("sales.tsv.gz", lambda: gzip.compress(TEXT.replace(",", "\t").encode())),
    ("sales.csv.zip", lambda: zipped({"sales.csv": TEXT.encode()})),
    # the member names the format; what a Mac's archiver adds beside it is left out
    ("sales.zip", lambda: zipped({"export/sales.csv": TEXT.encode(), "__MACOSX/export/._sales.csv": b"\0\1",
                                  ".DS_Store": b"\0"})),
    ("sales.zip", lambda: zipped({"sales.parquet": parquet_bytes()})),
    ("sales.parquet.gz", lambda: gzip.compress(parquet_bytes())),
])
def test_a_packed_table_reads_as_the_table_inside(write_csv, name, pack):
    ds = load(write_csv(pack(), name))
    pd.testing.assert_frame_equal(ds.frame, pd.read_csv(io.StringIO(TEXT)), check_dtype=False)
    assert ds.name == "sales"


@pytest.mark.parametrize("name, content, expected", [
    ("bad.csv.gz", b"not gzip at all", ["not a readable gzip file", "bad.csv.gz", "gunzip -k bad.csv.gz"]),
    ("cut.csv.gz", gzip.compress(TEXT.encode() * 50)[:40], ["not a readable gzip file", "end-of-stream"]),
    ("bad.csv.xz", b"not xz", ["not a readable xz file", "unxz -k bad.csv.xz"]),
    ("bad.csv.bz2", b"not bz2", ["not a readable bz2 file", "bunzip2 -k bad.csv.bz2"]),
    ("two.zip", zipped({"a.csv": b"a\n1\n", "b.csv": b"b\n2\n"}), ["zip archive holding 2 files ('a.csv', 'b.csv')",
                                                                 "must hold one table"]),
    ("empty.zip", zipped({}), ["zip archive holding no file", "must hold one table"]),
    ("bad.zip", b"PK not really", ["not a readable zip archive", "bad.zip"]),
    ("table.gz", gzip.compress(TEXT.encode()), ["must be a file ending in", ".csv.gz", "table.gz"]),
    ("table.json.gz", gzip.compress(b'{"a": 1}'), ["must be a file ending in", "table.json.gz"]),
])
def test_a_packed_file_that_cannot_be_read_is_one_line_naming_the_fix(write_csv, name, content, expected):
    with pytest.raises(DataError) as error:
        load(write_csv(content, name))
    message = str(error.value)
    assert "\n" not in message
    for part in expected:
        assert part in message, (part, message)


def test_a_packed_table_unpacks_no_further_than_memory_allows(write_csv):
    """200 MB of zeros packs into about 200 KB: reading stops at the limit, not at the end of the stream."""
    bomb = write_csv(gzip.compress(b"a,y\n" + b"0" * (200 << 20), compresslevel=1), "bomb.csv.gz")
    with pytest.raises(TooLargeError) as error:
        load(bomb, memory=10 << 20)  # 1 MB of text can be read in 10 MB
    message = str(error.value)
    assert "unpacks to more than 1.0 MB" in message and "Unpack it first (gunzip -k bomb.csv.gz)" in message
    assert load(write_csv(gzip.compress(TEXT.encode()), "ok.csv.gz"), memory=10 << 20).frame.shape == (3, 3)


def test_a_packed_table_is_never_read_in_pieces(write_csv):
    path = write_csv(gzip.compress(TEXT.encode()), "sales.csv.gz")
    for read in (lambda: load(path, dask="local"), lambda: large.pieces_of(path)):
        with pytest.raises(DataError, match=r"packed \(gzip\): .* cannot be read in pieces. Unpack it first "
                                            r"\(gunzip -k sales.csv.gz\)"):
            read()


def test_fit_predict_and_the_report_take_a_gzipped_csv(tmp_path, quick_fit):
    """The way a user hands one over: fit on it, predict it, and the report summarises its columns."""
    rng = np.random.default_rng(0)
    n = 200
    size = rng.normal(size=n).round(3)
    colour = rng.choice(["red", "green", "blue"], size=n)
    frame = pd.DataFrame({"size": size, "colour": colour, "label": np.where((colour == "red") | (size > 1), "y", "n")})
    data = tmp_path / "shapes.csv.gz"
    frame.to_csv(data, index=False, compression="gzip")
    run, _ = quick_fit(data)
    assert run.name.startswith("shapes-")
    report = json.loads((run / "report.json").read_text())
    assert set(report["columns"]["columns"]) == {"size", "colour"}, report["columns"]
    out = tmp_path / "predictions.csv"
    predicted = CliRunner().invoke(main, ["predict", str(run), str(data), "-o", str(out)])
    assert predicted.exit_code == 0, (predicted.output, predicted.exception)
    predictions = pd.read_csv(out)
    assert len(predictions) == n
    assert (predictions["predicted_label"] == frame["label"]).mean() > 0.8
