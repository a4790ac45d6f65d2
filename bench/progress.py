"""A plain progress bar and notes on stderr (stdout carries the results)."""

import sys
import threading
import time


def note(text: str) -> None:
    print(f"bench: {text}", file=sys.stderr, flush=True)


class Progress:
    """`with Progress("label", total) as p: … p.advance()`; redraws at most 5 times a second
    on a terminal, and every quarter otherwise (logs stay short)."""

    WIDTH = 30

    def __init__(self, label: str, total: int) -> None:
        self.label = label
        self.total = max(total, 1)
        self.done = 0
        self.started = time.monotonic()
        self._lock = threading.Lock()
        self._drawn = 0.0
        self._tty = sys.stderr.isatty()
        self._quarter = -1

    def __enter__(self) -> "Progress":
        self._draw(force=True)
        return self

    def __exit__(self, *exc: object) -> None:
        self._draw(force=True)
        if self._tty:
            sys.stderr.write("\n")
        sys.stderr.flush()

    def advance(self, n: int = 1) -> None:
        with self._lock:
            self.done += n
            self._draw()

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        elapsed = now - self.started
        share = min(self.done / self.total, 1.0)
        if self._tty:
            if not force and now - self._drawn < 0.2:
                return
            self._drawn = now
            bar = "#" * int(share * self.WIDTH)
            sys.stderr.write(
                f"\r  {self.label:<34} [{bar:<{self.WIDTH}}] {self.done}/{self.total}"
                f" {elapsed:6.1f} s"
            )
            sys.stderr.flush()
            return
        quarter = int(share * 4)
        if force or quarter > self._quarter:
            self._quarter = quarter
            print(f"  {self.label}: {self.done}/{self.total} ({elapsed:.1f} s)", file=sys.stderr)
