"""Collectors: the only code that talks to a cluster or to AWS. All read-only.

Each collector returns ``{key: Entry}`` for the keys it was asked for. Failures that affect
one key become an ``unavailable`` entry (so the run goes on and the report says what was
not seen); failures that make the whole run meaningless raise one of the errors below,
which the CLI maps to exit codes.
"""

from __future__ import annotations

from typing import Protocol


class CollectError(Exception):
    """Base for collection failures the CLI reports in one line."""


class ConfigError(CollectError):
    """Bad kubeconfig / context / AWS profile: the user must fix their input (exit 2)."""


class ClusterUnreachable(CollectError):
    """The API server did not answer at all (exit 3). The message says what to check."""


class Progress(Protocol):
    """Receives collection events so the CLI can draw a progress display on stderr."""

    def begin(self, key: str) -> None: ...

    def page(self, key: str, items: int) -> None: ...

    def end(self, key: str, state: str) -> None: ...


class NullProgress:
    def begin(self, key: str) -> None:
        pass

    def page(self, key: str, items: int) -> None:
        pass

    def end(self, key: str, state: str) -> None:
        pass
