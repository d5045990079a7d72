"""Send the native libraries' chatter (TensorFlow, XLA, CUDA probes) to a log file.

TensorFlow writes to file descriptor 2 from C++ before Python can configure
anything, so the only way to keep the terminal clean without losing the text
is to point that descriptor at a file for the duration of a deep search.

Example:
    >>> import os, pathlib, sys, tempfile
    >>> log = pathlib.Path(tempfile.mkdtemp()) / "deep.log"
    >>> with stderr_to(log):
    ...     _ = os.write(2, b"noise\\n")  # as TensorFlow's C++ code writes
    ...     print("a warning", file=sys.stderr)  # as Python's warnings and tracebacks write
    >>> log.read_text()
    'noise\\na warning\\n'
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Iterator


@contextlib.contextmanager
def stderr_to(path: Path) -> Iterator[None]:
    """Redirect file descriptor 2 and ``sys.stderr`` into ``path`` inside the block: native libraries write to the
    one, Python's warnings and tracebacks to the other, which in a notebook (or under a test runner) is not
    descriptor 2 at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sys.stderr.flush()
    saved, previous = os.dup(2), sys.stderr
    try:
        with open(path, "a", encoding="utf-8", buffering=1) as log:
            os.dup2(log.fileno(), 2)
            sys.stderr = log
            try:
                yield
            finally:
                sys.stderr = previous
                log.flush()
                os.dup2(saved, 2)
    finally:
        os.close(saved)


@contextlib.contextmanager
def native_quiet() -> Iterator[None]:
    """Keep TensorFlow's start-up chatter (absl, CUDA probes) off the terminal while a saved model loads, as
    ``automl fit`` does while it searches. Nothing is written into the run: the text is held in a temporary
    file and shown only if loading fails, beside the error.

    >>> import os
    >>> with native_quiet():
    ...     _ = os.write(2, b"I0000 cudart_stub.cc:31] Could not find cuda drivers\\n")
    """
    import tempfile

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with tempfile.TemporaryDirectory(prefix="automl-load-") as folder:
        log = Path(folder) / "load.log"
        try:
            with stderr_to(log):
                yield
        except BaseException:
            sys.stderr.write(log.read_text(encoding="utf-8", errors="replace"))
            raise
