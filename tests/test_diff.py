"""readiness diff: score delta and per-check status changes between two JSON reports."""

from __future__ import annotations

from typing import Any

import pytest

from readiness.diff import DiffError, diff, regressed, render_text, validate


def report(score: float | None, **statuses: str) -> dict[str, Any]:
    return {
        "schema_version": "1.0",
        "collected_at": "2026-11-27T12:00:00Z",
        "score": {"value": score, "coverage": 1.0},
        "phases": [
            {
                "id": "week1",
                "checks": [
                    {
                        "id": cid.replace("_", "."),
                        "title": cid,
                        "status": st,
                        "summary": f"{cid} {st}",
                    }
                    for cid, st in statuses.items()
                ],
            }
        ],
        "unscored": [],
    }


def test_improvements_regressions_and_delta() -> None:
    old = report(6.5, backup_recent="fail", monitoring_prometheus="pass", logging_retention="pass")
    new = report(
        7.0, backup_recent="pass", monitoring_prometheus="unknown", logging_retention="pass"
    )
    d = diff(old, new)
    assert d["delta"] == 0.5
    by = {c["check"]: c["direction"] for c in d["changes"]}
    assert by == {"backup.recent": "improved", "monitoring.prometheus": "regressed"}
    assert regressed(d)
    text = render_text(d)
    assert (
        "Score 6.5 → 7.0 (+0.50)" in text
        and "regressed monitoring.prometheus: pass → unknown" in text
    )


def test_added_removed_and_not_applicable_scores() -> None:
    d = diff(report(None, a_x="unknown"), report(5.0, b_y="pass"))
    assert d["delta"] is None
    assert {c["check"]: c["direction"] for c in d["changes"]} == {"a.x": "removed", "b.y": "added"}
    assert regressed(d)  # a check that disappeared can no longer vouch for anything
    assert not regressed(diff(report(5.0, a_x="fail"), report(5.0, a_x="fail", b_y="pass")))
    assert regressed(diff(report(6.0, a_x="pass"), report(5.0, a_x="pass")))  # score dropped
    assert "No check changed" in render_text(diff(report(5.0, a_x="pass"), report(5.0, a_x="pass")))


def test_rejects_other_json() -> None:
    with pytest.raises(DiffError, match="not a readiness JSON report"):
        validate({"kind": "List"}, "old.json")
