"""Evaluate checks against a snapshot. The runner owns every edge case so checks only
write domain logic: missing data becomes ``unknown`` naming what was missing, a crashing
check becomes ``unknown`` with the error (or propagates under ``--strict``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from readiness.model import Check, Evidence, Result, Status
from readiness.snapshot import DataMissing, NotInstalled, Snapshot


@dataclass(frozen=True)
class Outcome:
    check: Check
    result: Result


def needs_of(checks: Iterable[Check]) -> set[str]:
    out: set[str] = set()
    for c in checks:
        out.update(c.needs)
    return out


def _missing(exc: DataMissing) -> Result:
    if isinstance(exc, NotInstalled):
        summary = f"cannot decide: {exc.key} is not served by this cluster"
    else:
        summary = f"could not observe {exc.key}: {exc.reason}"
        if exc.permission and exc.permission not in exc.reason:
            summary += f" (needs: {exc.permission})"
    detail = f"needs: {exc.permission}" if exc.permission else "not observed"
    return Result.make(Status.UNKNOWN, summary, [Evidence(exc.key, detail)])


def run_check(check: Check, snapshot: Snapshot, strict: bool = False) -> Result:
    try:
        result = check(snapshot)
    except DataMissing as exc:
        return _missing(exc)
    except Exception as exc:
        if strict:
            raise
        return Result.make(
            Status.UNKNOWN,
            f"check crashed: {type(exc).__name__}: {exc}",
            [Evidence(check.module, "re-run with --strict to see the traceback")],
        )
    if not isinstance(result, Result):
        if strict:
            raise TypeError(f"check {check.id} returned {type(result).__name__}, not Result")
        return Result.make(Status.UNKNOWN, f"check returned {type(result).__name__}, not Result")
    return result


def run_checks(checks: Iterable[Check], snapshot: Snapshot, strict: bool = False) -> list[Outcome]:
    return [Outcome(c, run_check(c, snapshot, strict)) for c in checks]
