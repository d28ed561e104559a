"""The report: results + rubric → one data structure that every renderer reads.

``Report.to_dict()`` is the JSON contract (``schema_version``, documented by
``readiness/schema/report.schema.json``). Renderers must not compute anything the JSON does
not carry, so the terminal, markdown and CI outputs can never disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from readiness import __version__
from readiness.model import Evidence, Status
from readiness.rubric import Rubric, Score, gain_if_passed, projection, score
from readiness.runner import Outcome
from readiness.snapshot import NOT_INSTALLED, UNAVAILABLE, Snapshot
from readiness.waivers import Waiver, WaiverOutcome

SCHEMA_VERSION = "1.0"


@dataclass(frozen=True)
class CheckReport:
    id: str
    title: str
    status: Status
    summary: str
    evidence: tuple[Evidence, ...]
    measured: Mapping[str, Any]
    remediation: str
    attested: bool
    weight: float | None
    earned: float | None  # points earned in the raw score; None when not applicable
    available: float | None  # points this check can earn
    waiver: Waiver | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "status": self.status.value,
            "summary": self.summary,
            "evidence": [{"ref": e.ref, "detail": e.detail} for e in self.evidence],
            "measured": dict(self.measured),
            "remediation": self.remediation,
            "attested": self.attested,
            "weight": self.weight,
            "points_earned": _r(self.earned),
            "points_available": _r(self.available),
            "waiver": self.waiver.to_dict() if self.waiver else None,
        }


@dataclass(frozen=True)
class MetricReport:
    text: str
    status: str  # done | not_done | unknown | not_applicable
    checks: tuple[str, ...]
    attested: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "status": self.status,
            "checks": list(self.checks),
            "attested": self.attested,
        }


@dataclass(frozen=True)
class PhaseReport:
    id: str
    title: str
    points: float
    earned: float | None
    applicable: bool
    checks: tuple[CheckReport, ...]
    metrics: tuple[MetricReport, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "points": self.points,
            "points_earned": _r(self.earned),
            "applicable": self.applicable,
            "metrics": [m.to_dict() for m in self.metrics],
            "checks": [c.to_dict() for c in self.checks],
        }


@dataclass(frozen=True)
class NextStep:
    check: str
    title: str
    phase: str
    status: Status
    gain: float
    score_after: float | None
    remediation: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "title": self.title,
            "phase": self.phase,
            "status": self.status.value,
            "gain": self.gain,
            "score_after": self.score_after,
            "remediation": self.remediation,
        }


@dataclass(frozen=True)
class Report:
    snapshot: Snapshot
    rubric: Rubric
    raw: Score
    waived: Score
    phases: tuple[PhaseReport, ...]
    unscored: tuple[CheckReport, ...]
    projection: tuple[tuple[str, str, float | None], ...]
    next_steps: tuple[NextStep, ...]
    waivers: WaiverOutcome
    fail_under: float | None
    collection: Mapping[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def score(self) -> float | None:
        """The score the gate judges: waived score (equal to raw when nothing is waived)."""
        return self.waived.value

    @property
    def gate_passed(self) -> bool | None:
        if self.fail_under is None:
            return None
        return self.score is not None and self.score >= self.fail_under

    def all_checks(self) -> list[CheckReport]:
        return [c for p in self.phases for c in p.checks] + list(self.unscored)

    def counts(self) -> dict[str, int]:
        out = {s.value: 0 for s in Status}
        for c in self.all_checks():
            out[c.status.value] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        snap = self.snapshot
        return {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "readiness", "version": __version__},
            "cluster": snap.cluster.to_dict(),
            "collected_at": snap.to_dict()["collected_at"],
            "rubric": self.rubric.source,
            "score": {
                "value": self.raw.value,
                "waived": self.waived.value,
                "max_reachable": self.raw.max_reachable,
                "coverage": self.raw.coverage,
                "roadmap_start": self.rubric.start,
                "roadmap_target": self.rubric.target,
            },
            "gate": {"fail_under": self.fail_under, "passed": self.gate_passed},
            "counts": self.counts(),
            "phases": [p.to_dict() for p in self.phases],
            "unscored": [c.to_dict() for c in self.unscored],
            "projection": [
                {"after": pid, "title": title, "score": value}
                for pid, title, value in self.projection
            ],
            "next_steps": [s.to_dict() for s in self.next_steps],
            "waivers": {
                "applied": [w.to_dict() for _, w in sorted(self.waivers.applied.items())],
                "expired": [w.to_dict() for w in self.waivers.expired],
                "unused": [w.to_dict() for w in self.waivers.unused],
            },
            "collection": {k: list(v) for k, v in sorted(self.collection.items())},
        }


def _r(v: float | None) -> float | None:
    return None if v is None else round(v, 3)


def _metric_status(statuses: Sequence[Status]) -> str:
    decided = [s for s in statuses if s is not Status.SKIPPED]
    if not decided:
        return "not_applicable" if statuses else "unknown"
    if any(s in (Status.FAIL, Status.WARN) for s in decided):
        return "not_done"
    if any(s is Status.UNKNOWN for s in decided):
        return "unknown"
    return "done"


def _metrics(
    phase_metrics: Iterable[Any], results: Mapping[str, Outcome]
) -> tuple[MetricReport, ...]:
    out = []
    for m in phase_metrics:
        sts = [
            results[c].result.status
            for c in m.checks
            if c in results and not (m.attestation and c == "ops.attestations")
        ]
        if m.attestation:
            # the attestation covers what a person does ("defined", "documented"); any
            # observed check the item also names ("measured") must pass as well
            att = results.get("ops.attestations")
            raw = att.result.measured.get(f"item:{m.attestation}") if att else None
            sts.append(Status(str(raw)) if raw else Status.UNKNOWN)
            out.append(MetricReport(m.text, _metric_status(sts), m.checks, attested=True))
            continue
        out.append(MetricReport(m.text, _metric_status(sts) if sts else "unknown", m.checks))
    return tuple(out)


def _collection(snapshot: Snapshot, keys: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    unavailable, not_installed = [], []
    for key in sorted(set(keys)):
        e = snapshot.entry(key)
        if e.state == UNAVAILABLE:
            unavailable.append({"key": key, "reason": e.reason, "permission": e.permission})
        elif e.state == NOT_INSTALLED:
            not_installed.append({"key": key, "reason": e.reason})
    return {"unavailable": unavailable, "not_installed": not_installed}


def build(
    outcomes: Sequence[Outcome],
    rubric: Rubric,
    snapshot: Snapshot,
    waivers: Iterable[Waiver] = (),
    fail_under: float | None = None,
) -> Report:
    from readiness import waivers as waivers_mod

    by_id = {o.check.id: o for o in outcomes}
    statuses = {cid: o.result.status for cid, o in by_id.items()}
    raw = score(rubric, statuses)
    wo = waivers_mod.apply(waivers, {cid: o.result for cid, o in by_id.items()}, snapshot.now)
    waived_statuses = {
        cid: (Status.SKIPPED if cid in wo.applied else st) for cid, st in statuses.items()
    }
    waived = score(rubric, waived_statuses)

    phases = []
    for ps in raw.phases:
        p = ps.phase
        total_w = sum(
            w
            for cid, w in p.weights.items()
            if cid in statuses and statuses[cid] is not Status.SKIPPED
        )
        checks = []
        for cid, w in p.weights.items():
            o = by_id.get(cid)
            if o is None:
                continue
            applicable = o.result.status is not Status.SKIPPED and total_w > 0
            checks.append(
                _check_report(
                    o,
                    weight=w,
                    earned=ps.earned_points.get(cid) if applicable else None,
                    available=(p.points * w / total_w) if applicable else None,
                    waiver=wo.applied.get(cid),
                )
            )
        earned = sum(ps.earned_points.values()) if ps.applicable else None
        phases.append(
            PhaseReport(
                p.id,
                p.title,
                p.points,
                earned,
                ps.applicable,
                tuple(checks),
                _metrics(p.metrics, by_id),
            )
        )
    rubric_ids = set(rubric.check_ids)
    unscored = tuple(
        _check_report(o, None, None, None, wo.applied.get(o.check.id))
        for o in outcomes
        if o.check.id not in rubric_ids
    )
    weeks = [p for p in rubric.phases if p.id.startswith("week")]
    proj = projection(rubric, statuses, [p.id for p in weeks])
    titles = {p.id: p.title for p in rubric.phases}
    priority = {p.id: (p.priority, i) for i, p in enumerate(rubric.phases)}
    steps = []
    for cid, o in by_id.items():
        ph = rubric.phase_of(cid)
        if ph is None or o.result.status in (Status.PASS, Status.SKIPPED):
            continue
        gain = gain_if_passed(rubric, statuses, cid)
        after = None if raw.value is None else round(raw.value + gain, 2)
        steps.append(
            (
                priority[ph.id],
                -gain,
                cid,
                NextStep(
                    cid, o.check.title, ph.id, o.result.status, gain, after, o.check.remediation
                ),
            )
        )
    steps.sort(key=lambda t: (t[0], t[1], t[2]))
    needed = {k for o in outcomes for k in o.check.needs}
    return Report(
        snapshot=snapshot,
        rubric=rubric,
        raw=raw,
        waived=waived,
        phases=tuple(phases),
        unscored=unscored,
        projection=tuple((pid, titles[pid], v) for pid, v in proj),
        next_steps=tuple(s for *_, s in steps),
        waivers=wo,
        fail_under=fail_under if fail_under is not None else rubric.fail_under,
        collection=_collection(snapshot, needed),
    )


def _check_report(
    o: Outcome,
    weight: float | None,
    earned: float | None,
    available: float | None,
    waiver: Waiver | None,
) -> CheckReport:
    r = o.result
    return CheckReport(
        id=o.check.id,
        title=o.check.title,
        status=r.status,
        summary=r.summary,
        evidence=r.evidence,
        measured=r.measured,
        remediation=o.check.remediation,
        attested=r.attested,
        weight=weight,
        earned=earned,
        available=available,
        waiver=waiver,
    )
