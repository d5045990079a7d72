"""Text data: tokens, TF-IDF and n-gram bags, the classical route and the text networks."""

from .modality import TEXT  # noqa: F401
