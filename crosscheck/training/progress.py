"""A training run's progress line on stderr."""

from __future__ import annotations

import sys
import time


class ProgressBar:
    """A one-line bar on stderr, redrawn in place on a terminal; on a log, one line per 10%."""

    def __init__(self, label: str, total: int, stream=None, width: int = 30) -> None:
        self.label, self.total, self.width = label, total, width
        self.stream = stream if stream is not None else sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self.started = time.monotonic()
        self._last_decile = -1

    def update(self, done: int, loss: float | None = None) -> None:
        fraction = done / self.total if self.total else 1.0
        filled = int(round(self.width * fraction))
        text = (f"[{self.label}] [{'#' * filled}{'.' * (self.width - filled)}] {100 * fraction:5.1f}%  "
                f"epoch {done}/{self.total}" + (f"  loss {loss:.6g}" if loss is not None else "")
                + f"  {time.monotonic() - self.started:6.1f} s")
        if self.tty:
            self.stream.write("\r" + text)
        elif int(10 * fraction) != self._last_decile:
            self._last_decile = int(10 * fraction)
            self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
