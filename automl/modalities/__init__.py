"""One package per kind of data (``tabular``, ``text``, ``image``, ``audio``), each holding its ``Modality``
object (``modality.py``) and its routes; ``media`` holds what images and audio share."""
