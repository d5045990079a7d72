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
    """The vectoriser ``vectorizer_to_dict`` wrote; ``ValueError`` naming the part and setting that is not what it
    writes (settings outside ``TFIDF_KEYS``, a vocabulary that is not numbered 0..n-1, idf of another length).

    >>> vectorizer_from_dict({"parts": [{"name": "single", "params": {"analyzer": "code"}}]})
    Traceback (most recent call last):
    ValueError: the vectoriser's part 'single' has settings ['analyzer'], not ['analyzer', 'lowercase', ...]
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    parts = data.get("parts") if isinstance(data, dict) else None
    if not (isinstance(parts, list) and parts and all(isinstance(p, dict) for p in parts)):
        raise ValueError("the vectoriser has no list of parts")
    built = []
    for part in parts:
        name = part.get("name")
        if not isinstance(name, str) or (name == "single") != (len(parts) == 1):
            raise ValueError(f"the vectoriser's part {name!r} is not named as saved")
        v = TfidfVectorizer(**checked_settings(part.get("params"), name), vocabulary=checked_vocabulary(part, name))
        v.idf_ = np.asarray(part["idf"], dtype="float64")
        built.append((name, v))
    return built[0][1] if built[0][0] == "single" else FeatureUnion(built)


def checked_settings(params: Any, name: str) -> dict[str, Any]:
    """A part's TF-IDF settings when they are exactly ``TFIDF_KEYS`` with values this module uses (word or
    character n-grams, flags, document-frequency floor, feature cap); ``ValueError`` otherwise.

    >>> checked_settings({"analyzer": "char", "ngram_range": [1, 5], "sublinear_tf": True, "lowercase": True,
    ...                   "min_df": 2, "max_features": 300000}, "chars")["ngram_range"]
    (1, 5)
    """
    if not isinstance(params, dict) or sorted(params) != sorted(TFIDF_KEYS):
        shown = sorted(params) if isinstance(params, dict) else params
        raise ValueError(f"the vectoriser's part {name!r} has settings {shown}, not {sorted(TFIDF_KEYS)}")
    low_high = params["ngram_range"]
    valid = {
        "analyzer": params["analyzer"] in ("word", "char", "char_wb"),
        "ngram_range": isinstance(low_high, (list, tuple)) and len(low_high) == 2 and all(
            isinstance(n, int) and not isinstance(n, bool) for n in low_high) and 1 <= low_high[0] <= low_high[1] <= 10,
        "sublinear_tf": isinstance(params["sublinear_tf"], bool),
        "lowercase": isinstance(params["lowercase"], bool),
        "min_df": _count_or_share(params["min_df"]),
        "max_features": params["max_features"] is None or _count_or_share(params["max_features"], share=False),
    }
    wrong = [k for k, ok in valid.items() if not ok]
    if wrong:
        raise ValueError(f"the vectoriser's part {name!r} has {wrong[0]}={params[wrong[0]]!r}, not a value it uses")
    return dict(params) | {"ngram_range": tuple(low_high)}


def checked_vocabulary(part: dict[str, Any], name: str) -> dict[str, int]:
    """A part's vocabulary when its terms are numbered 0..n-1 and its idf has n positive numbers; ``ValueError``
    otherwise."""
    vocabulary, idf = part.get("vocabulary"), part.get("idf")
    if not (isinstance(vocabulary, dict) and all(isinstance(t, str) for t in vocabulary)
            and sorted(i if isinstance(i, int) else -1 for i in vocabulary.values()) == list(range(len(vocabulary)))):
        raise ValueError(f"the vectoriser's part {name!r} has no vocabulary of terms numbered 0..n-1")
    if not (isinstance(idf, list) and len(idf) == len(vocabulary) and all(
            isinstance(x, (int, float)) and not isinstance(x, bool) and 0 < x < float("inf") for x in idf)):
        raise ValueError(f"the vectoriser's part {name!r} has no idf of {len(vocabulary)} positive numbers")
    return vocabulary


def vectorizer_width(vec: Any) -> int:
    """Columns of the vectoriser's output: its parts' vocabularies together."""
    parts = vec.transformer_list if hasattr(vec, "transformer_list") else [("single", vec)]
    return sum(len(v.vocabulary_) for _, v in parts)


def _count_or_share(value: Any, share: bool = True) -> bool:
    """A count (an int >= 1, or 0 for min_df) or, with ``share``, a fraction in [0, 1]."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value >= (0 if share else 1)
    return share and isinstance(value, float) and 0.0 <= value <= 1.0
