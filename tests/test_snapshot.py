"""Snapshot reading rules the checks rely on: not served reads as empty, could-not-look
raises (or is None where a check can decide from another source), nothing is invented."""

from __future__ import annotations

import pytest

from readiness.snapshot import NotInstalled, Snapshot, Unavailable, not_installed, unavailable
from tests.snap import NOW, make_snapshot


def test_reading_rules() -> None:
    snap = make_snapshot(
        {
            "deployments": [{"metadata": {"name": "a"}}],
            "schedules.velero.io": not_installed("velero.io is not served"),
            "nodes": unavailable("forbidden: list nodes", "list nodes"),
            "eks:cluster": {"name": "prod"},
        }
    )
    assert snap.items("schedules.velero.io") == [] and not snap.served("schedules.velero.io")
    with pytest.raises(Unavailable) as exc:
        snap.items("nodes")
    assert exc.value.permission == "list nodes"
    assert snap.items_or_none("nodes") is None
    assert snap.items_or_none("deployments") == [{"metadata": {"name": "a"}}]
    with pytest.raises(NotInstalled):
        snap.fact("schedules.velero.io")
    assert snap.fact_or_none("eks:cluster") == {"name": "prod"}
    assert snap.fact_or_none("eks:addons") is None  # never collected: not observed
    with pytest.raises(Unavailable, match="not collected"):
        snap.items("pods")


def test_round_trip_keeps_failures_and_time() -> None:
    snap = make_snapshot({"nodes": unavailable("forbidden: list nodes", "list nodes")})
    again = Snapshot.from_dict(snap.to_dict())
    assert again.now == NOW
    assert again.entry("nodes") == snap.entry("nodes")
    with pytest.raises(ValueError, match="not a readiness snapshot"):
        Snapshot.from_dict({"entries": {}})
