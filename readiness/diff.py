"""Compare two JSON reports: what a scheduled run wants to know is what changed since last
time — the score, and which checks got better or worse."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Higher is better; unknown sits below fail on purpose: losing sight of something is a
# regression worth flagging even when the last verdict was a failure.
RANK = {"unknown": -1, "fail": 0, "warn": 1, "pass": 2, "skipped": 2}


class DiffError(Exception):
    """An input that is not a readiness JSON report."""


@dataclass(frozen=True)
class Change:
    check: str
    title: str
    before: str | None  # None: the check was not in the old report
    after: str | None
    summary: str

    @property
    def direction(self) -> str:
        if self.before is None:
            return "added"
        if self.after is None:
            return "removed"
        return "improved" if RANK[self.after] > RANK[self.before] else "regressed"


def _checks(report: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    out: dict[str, Mapping[str, Any]] = {}
    for phase in report.get("phases", []):
        for c in phase.get("checks", []):
            out[c["id"]] = c
    for c in report.get("unscored", []):
        out[c["id"]] = c
    return out


def validate(report: Any, name: str) -> Mapping[str, Any]:
    if not isinstance(report, Mapping) or not str(report.get("schema_version", "")).startswith(
        "1."
    ):
        raise DiffError(f"{name}: not a readiness JSON report (readiness score --format json)")
    return report


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    before, after = _checks(old), _checks(new)
    changes: list[Change] = []
    for cid in sorted(set(before) | set(after)):
        b, a = before.get(cid), after.get(cid)
        bs, as_ = (b or {}).get("status"), (a or {}).get("status")
        if bs == as_:
            continue
        src = a or b or {}
        changes.append(Change(cid, str(src.get("title", "")), bs, as_, str(src.get("summary", ""))))
    old_score, new_score = old["score"]["value"], new["score"]["value"]
    delta = None if old_score is None or new_score is None else round(new_score - old_score, 2)
    return {
        "from": {"collected_at": old.get("collected_at"), "score": old_score},
        "to": {"collected_at": new.get("collected_at"), "score": new_score},
        "delta": delta,
        "coverage": {"from": old["score"]["coverage"], "to": new["score"]["coverage"]},
        "changes": [
            {
                "check": c.check,
                "title": c.title,
                "from": c.before,
                "to": c.after,
                "direction": c.direction,
                "summary": c.summary,
            }
            for c in changes
        ],
    }


def render_text(d: Mapping[str, Any]) -> str:
    def fmt(v: float | None) -> str:
        return "n/a" if v is None else f"{v:.1f}"

    delta = d["delta"]
    sign = "" if delta is None else (f" ({delta:+.2f})")
    lines = [
        f"Score {fmt(d['from']['score'])} → {fmt(d['to']['score'])}{sign}"
        f"  ({d['from']['collected_at']} → {d['to']['collected_at']})",
        f"Coverage {d['coverage']['from'] * 100:.0f}% → {d['coverage']['to'] * 100:.0f}%",
    ]
    if not d["changes"]:
        lines.append("No check changed status.")
    for c in d["changes"]:
        moved = f"{c['from'] or '-'} → {c['to'] or '-'}"
        lines.append(f"  {c['direction']:9} {c['check']}: {moved}  {c['summary']}")
    return "\n".join(lines) + "\n"


def regressed(d: Mapping[str, Any]) -> bool:
    """Worse by any measure: a check got worse or disappeared, or the score dropped."""
    worse = any(c["direction"] in ("regressed", "removed") for c in d["changes"])
    return worse or (d["delta"] is not None and d["delta"] < 0)
