"""The plugin contract: what a check is, what it returns, and nothing that does I/O.

A check is a pure function ``(Snapshot) -> Result`` wrapped by :func:`check`. Everything a
check may read is in the snapshot (collected once, before any check runs), so checks are
trivially testable and can never issue a request of their own.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from readiness.snapshot import Snapshot


class Status(enum.StrEnum):
    """Five states, because "could not look" must never read as "looked and it was fine"."""

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    UNKNOWN = "unknown"
    SKIPPED = "skipped"


@dataclass(frozen=True, order=True)
class Evidence:
    """One thing a check saw: a resource reference and what it showed.

    ``ref`` is human-readable and stable (``Deployment monitoring/grafana``,
    ``eks:cluster prod``) so reports diff cleanly between runs.
    """

    ref: str
    detail: str = ""


@dataclass(frozen=True)
class Result:
    """The verdict of one check.

    ``measured`` carries numbers a user wants to track over time (RPO hours, retention days,
    share of workloads managed by GitOps); they appear in evidence text and in the JSON.
    ``attested`` marks results that come from a human's statement rather than observation.
    """

    status: Status
    summary: str
    evidence: tuple[Evidence, ...] = ()
    measured: Mapping[str, float | int | str | None] = field(default_factory=dict)
    attested: bool = False

    @classmethod
    def make(
        cls,
        status: Status,
        summary: str,
        evidence: Iterable[Evidence] = (),
        measured: Mapping[str, float | int | str | None] | None = None,
        attested: bool = False,
    ) -> Result:
        return cls(status, summary, tuple(evidence), dict(measured or {}), attested)


def passed(summary: str, evidence: Iterable[Evidence] = (), **measured: Any) -> Result:
    return Result.make(Status.PASS, summary, evidence, measured)


def warned(summary: str, evidence: Iterable[Evidence] = (), **measured: Any) -> Result:
    return Result.make(Status.WARN, summary, evidence, measured)


def failed(summary: str, evidence: Iterable[Evidence] = (), **measured: Any) -> Result:
    return Result.make(Status.FAIL, summary, evidence, measured)


def unknown(summary: str, evidence: Iterable[Evidence] = (), **measured: Any) -> Result:
    return Result.make(Status.UNKNOWN, summary, evidence, measured)


def skipped(summary: str, evidence: Iterable[Evidence] = (), **measured: Any) -> Result:
    return Result.make(Status.SKIPPED, summary, evidence, measured)


CheckFn = Callable[["Snapshot"], Result]


@dataclass(frozen=True)
class Check:
    """A check's metadata plus its function. Instances are what discovery collects.

    ``needs`` are snapshot keys; the collector fetches exactly their union, once.
    ``rationale`` is the function's docstring: why this matters for production.
    """

    id: str
    title: str
    needs: tuple[str, ...]
    passes: str
    remediation: str
    rationale: str
    fn: CheckFn
    module: str = ""

    def __call__(self, snapshot: Snapshot) -> Result:
        return self.fn(snapshot)


def check(
    *,
    id: str,
    title: str,
    needs: Iterable[str],
    passes: str,
    remediation: str,
) -> Callable[[CheckFn], Check]:
    """Declare a check. The decorated name becomes the :class:`Check` object."""

    def wrap(fn: CheckFn) -> Check:
        doc = " ".join((fn.__doc__ or "").split())
        return Check(
            id=id,
            title=title,
            needs=tuple(needs),
            passes=" ".join(passes.split()),
            remediation=" ".join(remediation.split()),
            rationale=doc,
            fn=fn,
            module=fn.__module__,
        )

    return wrap
