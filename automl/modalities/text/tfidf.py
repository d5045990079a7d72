"""TF-IDF vectorisers shared by the classical text route and the n-gram network, and their JSON form.

Word (1-2)-grams and character (1-5)-grams with sublinear term frequency.
A fitted vectoriser is saved as plain JSON (parameters, vocabulary, idf),
never as a pickle.

Example:
    >>> vec = vectorizer("words").set_params(min_df=1).fit(["a red car", "a blue car"])
    >>> again = vectorizer_from_dict(vectorizer_to_dict(vec))
    >>> (again.transform(["red car"]) != vec.transform(["red car"])).nnz
    0
"""

from __future__ import annotations

from typing import Any

import numpy as np

TFIDF_KEYS = ("analyzer", "ngram_range", "sublinear_tf", "lowercase", "min_df", "max_features")


def vectorizer(kind: str) -> Any:
    """Word (1-2)-grams, plus character (1-5)-grams unless ``kind`` is ``words``."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    if kind == "words":
        return TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, min_df=2, max_features=20_000)
    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, max_features=200_000)
    chars = TfidfVectorizer(analyzer="char", ngram_range=(1, 5), sublinear_tf=True, min_df=2, max_features=300_000)
    return FeatureUnion([("words", words), ("chars", chars)])


def vectorizer_to_dict(vec: Any) -> dict[str, Any]:
    """A fitted TF-IDF vectoriser (or a union of them) as plain JSON: parameters, vocabulary, idf."""
    parts = vec.transformer_list if hasattr(vec, "transformer_list") else [("single", vec)]
    return {"parts": [
        {"name": name, "params": {k: v.get_params()[k] for k in TFIDF_KEYS},
         "vocabulary": {t: int(i) for t, i in v.vocabulary_.items()}, "idf": v.idf_.tolist()}
        for name, v in parts
    ]}


def vectorizer_from_dict(data: dict[str, Any]) -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    built = []
    for part in data["parts"]:
        params = dict(part["params"]) | {"ngram_range": tuple(part["params"]["ngram_range"])}
        v = TfidfVectorizer(**params, vocabulary=part["vocabulary"])
        v.idf_ = np.asarray(part["idf"])
        built.append((part["name"], v))
    return built[0][1] if built[0][0] == "single" else FeatureUnion(built)
