"""Text tables with other columns: fit each with its other columns dropped (text alone) and kept; print a table.

Sets: ``reviews_xor`` (made here: 800 reviews of filler words beside a price,
a star rating and a category; the label is whether the price is above 250
exclusive-or the rating is 3 or more), ``houses_described`` (4,000 rows of
california_housing with a filler sentence added as ``description``), and
``sentiment_sentences`` as it ships (its ``source`` column says which site a
sentence came from and nothing about its label: the kept column must not
hurt). The last two need the shared data folder and are skipped without it.

    python recipes/text_columns.py --budget 60s
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from _bench import DEFAULT_FOLDER, finalist, fmt, run_fit

FILLER = "good bad fine great poor nice slow fast cheap pricey sturdy flimsy".split()
PLACES = "quiet street near park with garden view sunny spacious modern older cozy bright family home".split()


def reviews_xor(folder: Path) -> tuple[Path, str, list[str]]:
    rng = np.random.default_rng(0)
    n = 800
    price, rating = rng.uniform(5, 500, n).round(2), rng.integers(1, 6, n)
    frame = pd.DataFrame({"price": price, "rating": rating,
                          "category": rng.choice(["toys", "books", "garden", "tools"], n),
                          "review": [" ".join(rng.choice(FILLER, 8)) for _ in range(n)],
                          "outcome": np.where((price > 250) ^ (rating >= 3), "return", "keep")})
    path = folder / "reviews_xor.csv"
    frame.to_csv(path, index=False)
    return path, "outcome", ["price", "rating", "category"]


def houses_described(folder: Path, data: Path) -> tuple[Path, str, list[str]] | None:
    source = data / "california_housing" / "california_housing.csv"
    if not source.exists():
        return None
    frame = pd.read_csv(source).sample(4000, random_state=0).reset_index(drop=True)
    rng = np.random.default_rng(0)
    others = [c for c in frame.columns if c != "median_house_value"]
    frame.insert(0, "description", [" ".join(rng.choice(PLACES, 7)) for _ in range(len(frame))])
    path = folder / "houses_described.csv"
    frame.to_csv(path, index=False)
    return path, "median_house_value", others


def sentiment(data: Path) -> tuple[Path, str, list[str]] | None:
    source = data / "sentiment_sentences" / "sentiment_sentences.csv"
    return (source, "label", ["source"]) if source.exists() else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    parser.add_argument("--budget", default="60s")
    args = parser.parse_args()
    print("| dataset | rows | metric | text alone: classical | deep | used | with columns: classical | deep | used "
          "| classical model | wall s / budget |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---|---:|", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        sets = [reviews_xor(tmp), houses_described(tmp, args.folder), sentiment(args.folder)]
        for found in filter(None, sets):
            table, target, others = found
            cells, rows, metric, model, walls = [], 0, "", "", []
            for drop in (others, []):
                options = [f"--drop={c}" for c in drop]
                r = run_fit(table, target, args.budget, tmp / ("alone" if drop else "kept"), options)
                walls.append(f"{r['wall']:.0f}")
                if r["error"]:
                    cells += ["error: " + r["error"], "-", "-"]
                    continue
                rec = r["record"]
                metric, rows = rec["plan"]["metric"], rec["data"]["rows"]
                best = finalist(rec, rec["best"])
                c, d = finalist(rec, "classical"), finalist(rec, "deep")
                cells += [fmt(f and f["test_scores"][metric], ".4f" if metric != "rmse" else ",.0f")
                          for f in (c, d, best)]
                model = c["model"] if c else "-"
            print(f"| {table.stem} | {rows:,} | {metric} | {' | '.join(cells)} | {model} | "
                  f"{' + '.join(walls)} / 2 x {args.budget} |", flush=True)


if __name__ == "__main__":
    sys.exit(main())
