"""Test helpers: build snapshots from plain objects, and read upstream fixture files.

Fixture objects must keep the real shapes of the upstream projects; the files under
``tests/fixtures/upstream/`` are byte-for-byte copies of upstream manifests (see SOURCES).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from readiness.snapshot import ClusterInfo, Entry, Parameters, Snapshot, ok

FIXTURES = Path(__file__).parent / "fixtures"
UPSTREAM = FIXTURES / "upstream"
NOW = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)


def make_snapshot(
    entries: Mapping[str, Any] | None = None,
    *,
    now: dt.datetime = NOW,
    params: Parameters | None = None,
    cluster: str | None = "prod",
    region: str | None = "eu-west-1",
) -> Snapshot:
    """Values that are already :class:`Entry` are kept; anything else becomes ``ok(value)``.

    Keys not given are absent, which the snapshot reports as unavailable — so a test must
    name every key its check reads.
    """
    built: dict[str, Entry] = {}
    for key, value in (entries or {}).items():
        built[key] = value if isinstance(value, Entry) else ok(value)
    snap = Snapshot(
        entries=built,
        collected_at=now,
        cluster=ClusterInfo(context="test", cluster=cluster, region=region, source="test"),
    )
    return snap.with_params(params) if params else snap


def iter_docs(path: Path) -> Iterator[dict[str, Any]]:
    """Objects in a YAML/JSON file: multi-document, ``kind: List`` / ``*List`` expanded."""
    with path.open() as fh:
        for doc in yaml.safe_load_all(fh):
            if not isinstance(doc, dict):
                continue
            if str(doc.get("kind", "")).endswith("List") and "items" in doc:
                yield from doc["items"] or []
            else:
                yield doc


def upstream(relpath: str, kind: str | None = None) -> list[dict[str, Any]]:
    """Objects from ``tests/fixtures/upstream/<relpath>``, optionally only one ``kind``."""
    objs = list(iter_docs(UPSTREAM / relpath))
    return [o for o in objs if kind is None or o.get("kind") == kind]


def one(relpath: str, kind: str | None = None) -> dict[str, Any]:
    objs = upstream(relpath, kind)
    assert objs, f"no {kind or 'object'} in {relpath}"
    return objs[0]


def details(result: Any) -> str:
    """Every evidence line of a result in one string, for assertions on what it says."""
    return " | ".join(f"{e.ref}: {e.detail}" for e in result.evidence)


def ds_status(ds: dict[str, Any], desired: int, ready: int) -> dict[str, Any]:
    """A copy of a DaemonSet with the status block its controller writes."""
    out = copy.deepcopy(ds)
    out["status"] = {
        "currentNumberScheduled": desired,
        "desiredNumberScheduled": desired,
        "numberAvailable": ready,
        "numberMisscheduled": 0,
        "numberReady": ready,
        "observedGeneration": 1,
        "updatedNumberScheduled": desired,
    }
    return out
