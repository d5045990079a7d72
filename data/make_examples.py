"""Write the example CSVs in this folder from the data sets bundled inside scikit-learn.

Run ``python data/make_examples.py`` to recreate them; see data/README.md for sources.
"""

from __future__ import annotations

from pathlib import Path

from sklearn import datasets

HERE = Path(__file__).resolve().parent
FLOATS = "%.10g"  # no trailing .0 (127 rather than 127.0); values unchanged


def main() -> None:
    wine = datasets.load_wine(as_frame=True)
    frame = wine.data.copy()
    frame["cultivar"] = [wine.target_names[i] for i in wine.target]
    frame.to_csv(HERE / "wine.csv", index=False, float_format=FLOATS)

    cancer = datasets.load_breast_cancer(as_frame=True)
    frame = cancer.data.copy()
    frame["target"] = [cancer.target_names[i] for i in cancer.target]
    frame.to_csv(HERE / "breast_cancer.csv", index=False, float_format=FLOATS)

    diabetes = datasets.load_diabetes(as_frame=True, scaled=False)
    frame = diabetes.data.copy()
    frame["progression"] = diabetes.target
    frame.to_csv(HERE / "diabetes.csv", index=False, float_format=FLOATS)


if __name__ == "__main__":
    main()
