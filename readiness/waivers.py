"""Governed waivers: a team accepts a known gap for a while, with a reason, an owner, a
ticket and an expiry date.

A waived check leaves the *waived* score's denominator (it is neither earned nor lost);
the raw score is always shown beside it so a waiver can never hide a gap. Expiry is judged
against the snapshot's collection time, like every other date, so re-scoring an old
snapshot gives the same report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from readiness.model import Result, Status
from readiness.yamlfile import read_yaml


class WaiverError(Exception):
    """A waivers file that cannot be used; the message names the file and the entry."""


@dataclass(frozen=True)
class Waiver:
    check: str
    reason: str
    owner: str
    ticket: str
    expires: dt.date
    namespace: str | None = None
    resource: str | None = None

    def expired(self, now: dt.datetime) -> bool:
        return self.expires < now.date()

    def scope(self) -> str:
        parts = [p for p in (self.namespace, self.resource) if p]
        return "/".join(parts) if parts else "whole check"

    def matches(self, result: Result) -> bool:
        """Scoped waivers apply only when every evidence item of the result is in scope,
        so a waiver for one namespace cannot silence findings in another."""
        if not (self.namespace or self.resource):
            return True
        if not result.evidence:
            return False
        return all(self._in_scope(e.ref) for e in result.evidence)

    def _in_scope(self, ref: str) -> bool:
        target = ref.split(" ", 1)[-1]
        ns, _, name = target.rpartition("/")
        if self.namespace and ns != self.namespace and target != self.namespace:
            return False
        if self.resource and self.resource not in (name, target, ref):
            return False
        return True

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "namespace": self.namespace,
            "resource": self.resource,
            "reason": self.reason,
            "owner": self.owner,
            "ticket": self.ticket,
            "expires": self.expires.isoformat(),
        }


REQUIRED = ("check", "reason", "owner", "ticket", "expires")
OPTIONAL = ("namespace", "resource")


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise WaiverError(f"{where}: expires must be a date YYYY-MM-DD, not {value!r}") from None


def parse(data: Any, source: str, known_checks: Iterable[str]) -> list[Waiver]:
    known = set(known_checks)
    if not isinstance(data, Mapping) or not isinstance(data.get("waivers"), list):
        raise WaiverError(f"{source}: expected a mapping with a 'waivers:' list")
    out: list[Waiver] = []
    for i, raw in enumerate(data["waivers"]):
        where = f"{source}: waivers[{i}]"
        if not isinstance(raw, Mapping):
            raise WaiverError(f"{where}: each waiver must be a mapping")
        unknown_fields = sorted(set(raw) - set(REQUIRED) - set(OPTIONAL))
        if unknown_fields:
            raise WaiverError(f"{where}: unknown field(s) {', '.join(unknown_fields)}")
        missing = [f for f in REQUIRED if not raw.get(f)]
        if missing:
            raise WaiverError(f"{where}: missing {', '.join(missing)}")
        if raw["check"] not in known:
            raise WaiverError(f"{where}.check: no such check {raw['check']!r}")
        out.append(
            Waiver(
                check=str(raw["check"]),
                reason=str(raw["reason"]),
                owner=str(raw["owner"]),
                ticket=str(raw["ticket"]),
                expires=_date(raw["expires"], where),
                namespace=str(raw["namespace"]) if raw.get("namespace") else None,
                resource=str(raw["resource"]) if raw.get("resource") else None,
            )
        )
    return out


def load(path: str | Path, known_checks: Iterable[str]) -> list[Waiver]:
    data = read_yaml(path, "waivers file", WaiverError)
    return parse(data, str(path), known_checks)


@dataclass(frozen=True)
class WaiverOutcome:
    applied: dict[str, Waiver]  # check id -> the waiver that applies
    expired: list[Waiver]
    unused: list[Waiver]


def apply(
    waivers: Iterable[Waiver], results: Mapping[str, Result], now: dt.datetime
) -> WaiverOutcome:
    applied: dict[str, Waiver] = {}
    expired: list[Waiver] = []
    unused: list[Waiver] = []
    for w in waivers:
        if w.expired(now):
            expired.append(w)
            continue
        r = results.get(w.check)
        if r is None or r.status in (Status.PASS, Status.SKIPPED) or not w.matches(r):
            unused.append(w)
            continue
        applied.setdefault(w.check, w)
    return WaiverOutcome(applied, expired, unused)
