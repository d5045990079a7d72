"""A folder of ``.txt`` files, one sub-folder per class (IMDB's ``aclImdb``, 20 Newsgroups): read into a text
column and trained like a table with one; ``predict`` on a folder of new files names each file."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from automl.cli import main
from automl.data import load
from automl.data.folders import read_folder
from automl.errors import DataError

WORDS = {"sport": "match goal team coach league score player season win stadium",
         "cooking": "oven recipe flour butter simmer garlic sauce bake onion pepper"}


def sentence(label: str, rng: np.random.Generator) -> str:
    own, other = WORDS[label].split(), WORDS["cooking" if label == "sport" else "sport"].split()
    words = list(rng.choice(own, 8)) + list(rng.choice(other, 2))
    rng.shuffle(words)
    return " ".join(words).capitalize() + "."


def write_folder(root: Path, per_class: int, labelled: bool = True, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    for label in WORDS:
        folder = root / label if labelled else root
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(per_class):
            (folder / f"{label}_{i:03d}.txt").write_text(sentence(label, rng), encoding="utf-8")
    return root


def test_a_labelled_folder_of_text_files_becomes_path_text_and_label(tmp_path):
    root = write_folder(tmp_path / "news", per_class=3)
    (root / "README.md").write_text("not a document")
    (root / "sport" / "latin.txt").write_bytes("Caf\u00e9 league goal win match team".encode("latin-1"))
    listing = read_folder(root)
    frame = listing.frame
    assert listing.kind == "text" and frame.columns.tolist() == ["path", "text", "label"]
    assert len(frame) == 7 and sorted(set(frame["label"])) == ["cooking", "sport"]
    row = frame.loc[frame["path"] == "sport/latin.txt"].iloc[0]
    assert row["text"] == "Caf\u00e9 league goal win match team" and row["label"] == "sport"
    first = frame.loc[frame["path"] == "cooking/cooking_000.txt", "text"].iloc[0]
    assert first == (root / "cooking" / "cooking_000.txt").read_text(encoding="utf-8")
    said = " ".join(listing.notes)
    assert "README.md" in said and "Latin-1" in said and "sport/latin.txt" in said


def test_media_files_still_decide_a_folder_that_also_holds_text_files(tmp_path):
    from PIL import Image

    root = tmp_path / "photos"
    for label in ("a", "b"):
        (root / label).mkdir(parents=True)
        Image.new("RGB", (8, 8)).save(root / label / "x.png")
    (root / "notes.txt").write_text("taken in May")
    listing = read_folder(root)
    assert listing.kind == "image" and "text" not in listing.frame.columns
    assert any("notes.txt" in note for note in listing.notes)


def test_a_folder_of_neither_media_nor_text_names_what_it_takes(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "table.json").write_text("{}")
    with pytest.raises(DataError, match=r"\.txt"):
        load(tmp_path)


@pytest.mark.slow
def test_fit_a_text_folder_and_predict_a_folder_of_new_files_from_the_cli(tmp_path):
    """The user's path: ``automl fit FOLDER``, then ``automl predict RUN NEW_FOLDER`` with each file named."""
    data = write_folder(tmp_path / "news", per_class=40)
    out = tmp_path / "runs"
    fit = CliRunner().invoke(main, ["fit", str(data), "--budget", "40s", "--max-trials", "2", "--max-epochs", "1",
                                    "--out", str(out)])
    assert fit.exit_code == 0, fit.output
    run = next(out.iterdir())
    board = pd.read_csv(run / "leaderboard.csv")
    assert set(board["approach"]) >= {"classical", "deep", "baseline"}
    assert board.loc[board["approach"] == "classical", "test_accuracy"].iloc[0] >= 0.9
    new = write_folder(tmp_path / "new", per_class=5, labelled=False, seed=7)
    result = CliRunner().invoke(main, ["predict", str(run), str(new)])
    assert result.exit_code == 0, result.output
    predicted = pd.read_csv(io.StringIO(result.stdout))
    assert predicted.columns[0] == "path" and len(predicted) == 10
    truth = predicted["path"].str.split("_").str[0]
    assert (predicted["predicted_label"] == truth).mean() >= 0.9
