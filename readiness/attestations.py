"""Load the attestations file into the ``local:attestations`` snapshot entry.

Validation happens here, at the edge, so the check can trust its input and a malformed file
is a one-line error with exit code 2 rather than a confusing score.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from checks.attestations import ITEMS
from readiness.snapshot import Entry, ok, unavailable
from readiness.yamlfile import read_yaml

FIELDS = ("item", "owner", "date", "link")


class AttestationError(Exception):
    """An attestations file that cannot be used; the message names file and entry."""


def parse(data: Any, source: str) -> list[dict[str, str]]:
    if not isinstance(data, Mapping) or not isinstance(data.get("attestations"), list):
        raise AttestationError(f"{source}: expected a mapping with an 'attestations:' list")
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    for i, raw in enumerate(data["attestations"]):
        where = f"{source}: attestations[{i}]"
        if not isinstance(raw, Mapping):
            raise AttestationError(f"{where}: each attestation must be a mapping")
        extra = sorted(set(raw) - set(FIELDS))
        if extra:
            raise AttestationError(f"{where}: unknown field(s) {', '.join(map(str, extra))}")
        missing = [f for f in FIELDS if not raw.get(f)]
        if missing:
            raise AttestationError(f"{where}: missing {', '.join(missing)}")
        item = str(raw["item"])
        if item not in ITEMS:
            raise AttestationError(
                f"{where}.item: unknown item {item!r}; expected one of {', '.join(ITEMS)}"
            )
        if item in seen:
            raise AttestationError(f"{where}.item: {item!r} attested twice")
        seen.add(item)
        date = raw["date"]
        if isinstance(date, dt.datetime):
            date = date.date()
        if not isinstance(date, dt.date):
            try:
                date = dt.date.fromisoformat(str(date))
            except ValueError:
                raise AttestationError(f"{where}.date: expected YYYY-MM-DD, not {date!r}") from None
        out.append(
            {
                "item": item,
                "owner": str(raw["owner"]),
                "date": date.isoformat(),
                "link": str(raw["link"]),
            }
        )
    return out


def load(path: str | Path) -> list[dict[str, str]]:
    data = read_yaml(path, "attestations file", AttestationError)
    return parse(data, str(path))


def entry(path: str | Path | None) -> Entry:
    """The ``local:attestations`` entry for a run. Not asked is not the same as attested
    nothing: without a file the manual items are unavailable (unknown, no credit), never a
    verdict; a file that lacks an item fails that item."""
    if path is None:
        return unavailable(
            "no attestations file given: pass --attestations FILE (see examples/attestations.yaml)",
            "an attestations file (--attestations)",
        )
    return ok(load(path))
