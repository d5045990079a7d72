"""Presenting progress events on a terminal: one live line on a TTY, plain lines otherwise.

Example:
    >>> import io
    >>> out = io.StringIO()
    >>> show = ProgressPrinter(out, live=False)
    >>> show(Event("approach_start", approach="classical", message="up to 50s"))
    >>> out.getvalue()
    '[classical] up to 50s\\n'
"""

from __future__ import annotations

from typing import TextIO

from .run.results import Event


class ProgressPrinter:
    """A listener for ``AutoML.fit`` that writes to ``stream``."""

    def __init__(self, stream: TextIO, live: bool):
        self.stream = stream
        self.live = live
        self._best: dict[str, float | None] = {}
        self._open_line = False

    def __call__(self, event: Event) -> None:
        tag = f"[{event.approach}] " if event.approach else ""
        if event.kind == "trial":
            improved = event.best is not None and event.best != self._best.get(event.approach or "")
            self._best[event.approach or ""] = event.best
            best = "n/a" if event.best is None else f"{event.best:.4f}"
            text = (f"{tag}trial {event.trials}: {event.message} | best {best} | "
                    f"{event.elapsed:.0f}s / {event.budget:.0f}s")
            if self.live:
                self.stream.write("\r\033[K" + text)
                self._open_line = True
            elif improved or event.trials == 1:
                self.stream.write(text + "\n")
        else:
            if self._open_line:
                self.stream.write("\n")
                self._open_line = False
            self.stream.write(f"{tag}{event.message}\n")
        self.stream.flush()
