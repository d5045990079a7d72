"""One package per kind of data (``tabular``, ``text``, ``image``, ``audio``), each holding its ``Modality`` object
(in its ``__init__``) and its routes; ``media`` holds what images and audio share, ``base`` the ``Modality``
defaults."""
