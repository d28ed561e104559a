"""The collection progress display: rich on stderr, only for a person at a terminal.

Silent with ``--quiet`` or when stderr is not a terminal (CI logs, pipes), so machine
output is never interleaved with spinner frames.
"""

from __future__ import annotations

import sys
from typing import Any


class RichProgress:
    """Collection progress on stderr: one line with kinds done and objects read, and one
    line per kind still in flight (the slow ones are what a user wants to see)."""

    def __init__(self) -> None:
        import threading

        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self._lock = threading.Lock()
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._overall = self._progress.add_task("collecting", total=None)
        self._tasks: dict[str, Any] = {}
        self._counts: dict[str, int] = {}
        self._begun = self._done = self._objects = 0

    def __enter__(self) -> RichProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def _refresh(self) -> None:
        done = f"{self._done}/{self._begun} done, {self._objects:,} objects read"
        self._progress.update(self._overall, description=f"collecting: {done}")

    def begin(self, key: str) -> None:
        with self._lock:
            self._begun += 1
            self._counts[key] = 0
            self._tasks[key] = self._progress.add_task(f"  {key}", total=None)
            self._refresh()

    def page(self, key: str, items: int) -> None:
        with self._lock:
            self._counts[key] = self._counts.get(key, 0) + items
            self._objects += items
            if key in self._tasks:
                self._progress.update(
                    self._tasks[key], description=f"  {key}: {self._counts[key]:,}"
                )
            self._refresh()

    def end(self, key: str, state: str) -> None:
        with self._lock:
            self._done += 1
            task = self._tasks.pop(key, None)
            if task is not None:
                self._progress.remove_task(task)
            self._refresh()


def progress_for(quiet: bool) -> Any:
    from contextlib import nullcontext

    from readiness.collect import NullProgress

    if quiet or not sys.stderr.isatty():
        return nullcontext(NullProgress())
    return RichProgress()
