"""Load and validate ``rubric.yaml``, and turn check results into the roadmap's score.

Validation is strict and names the file, the path inside it and what is wrong, because a
typo in a weight silently changes every score that a CI gate depends on.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any

from readiness.model import Status
from readiness.snapshot import Parameters
from readiness.yamlfile import parse_yaml, read_yaml

CREDIT_STATUSES = ("pass", "warn", "fail")


class RubricError(Exception):
    """A rubric that cannot be used. The message names file, path and problem."""


_PARAM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "rpo_hours": {"type": "number", "exclusiveMinimum": 0},
        "restore_window_days": {"type": "number", "exclusiveMinimum": 0},
        "log_retention_min_days": {"type": "integer", "minimum": 1},
        "log_freshness_minutes": {"type": "number", "exclusiveMinimum": 0},
        "cert_expiry_days": {"type": "number", "minimum": 0},
        "attestation_validity_days": {"type": "number", "exclusiveMinimum": 0},
        "readonly_rootfs_min_share": {"type": "number", "minimum": 0, "maximum": 1},
        "requests_limits_min_share": {"type": "number", "minimum": 0, "maximum": 1},
        "regions": {
            "type": "array",
            "items": {"type": "string", "pattern": "^[a-z]{2}(-[a-z]+)+-\\d$"},
        },
        "system_namespaces": {"type": "array", "items": {"type": "string", "minLength": 1}},
    },
}

SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["version", "credit", "phases"],
    "properties": {
        "version": {"const": 1},
        "roadmap": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "start": {"type": "number", "minimum": 0, "maximum": 10},
                "target": {"type": "number", "minimum": 0, "maximum": 10},
            },
        },
        "credit": {
            "type": "object",
            "additionalProperties": False,
            "required": list(CREDIT_STATUSES),
            "properties": {
                s: {"type": "number", "minimum": 0, "maximum": 1} for s in CREDIT_STATUSES
            },
        },
        "parameters": _PARAM_SCHEMA,
        "gate": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"fail_under": {"type": ["number", "null"], "minimum": 0, "maximum": 10}},
        },
        "phases": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "title", "points", "checks"],
                "properties": {
                    "id": {"type": "string", "pattern": "^[a-z0-9-]+$"},
                    "title": {"type": "string", "minLength": 1},
                    "priority": {"type": "integer", "minimum": 0},
                    "points": {"type": "number", "minimum": 0},
                    "checks": {
                        "type": "object",
                        "minProperties": 1,
                        "additionalProperties": {"type": "number", "exclusiveMinimum": 0},
                    },
                    "metrics": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["text", "checks"],
                            "properties": {
                                "text": {"type": "string", "minLength": 1},
                                "checks": {
                                    "type": "array",
                                    "minItems": 1,
                                    "items": {"type": "string"},
                                },
                                "attestation": {"type": "string"},
                            },
                        },
                    },
                },
            },
        },
    },
}


@dataclass(frozen=True)
class Metric:
    text: str
    checks: tuple[str, ...]
    attestation: str | None = None


@dataclass(frozen=True)
class Phase:
    id: str
    title: str
    points: float
    weights: dict[str, float]
    priority: int = 99
    metrics: tuple[Metric, ...] = ()


@dataclass(frozen=True)
class Rubric:
    phases: tuple[Phase, ...]
    credit: dict[str, float]
    params: Parameters = field(default_factory=Parameters)
    start: float | None = None
    target: float | None = None
    fail_under: float | None = None
    source: str = "rubric.yaml"

    def phase_of(self, check_id: str) -> Phase | None:
        for p in self.phases:
            if check_id in p.weights:
                return p
        return None

    @property
    def check_ids(self) -> list[str]:
        return [c for p in self.phases for c in p.weights]


def _path(parts: Iterable[Any]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "(top level)"


def default_rubric_text() -> str:
    return resources.files("readiness").joinpath("data/rubric.yaml").read_text()


def load(path: str | Path | None = None, known_checks: Iterable[str] | None = None) -> Rubric:
    """Read, validate and build a rubric; ``None`` means the packaged default."""
    if path is None:
        source = "rubric.yaml (built-in)"
        data = parse_yaml(default_rubric_text(), source, RubricError)
    else:
        source = str(path)
        data = read_yaml(path, "rubric", RubricError)
    return parse(data, source, known_checks)


def parse(data: Any, source: str, known_checks: Iterable[str] | None = None) -> Rubric:
    import jsonschema  # imported here: only needed when a rubric is actually loaded

    validator = jsonschema.Draft202012Validator(SCHEMA)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        e = errors[0]
        more = f" (and {len(errors) - 1} more problem(s))" if len(errors) > 1 else ""
        raise RubricError(f"{source}: {_path(e.absolute_path)}: {e.message}{more}")

    phases: list[Phase] = []
    seen: dict[str, str] = {}
    ids: set[str] = set()
    for i, raw in enumerate(data["phases"]):
        if raw["id"] in ids:
            raise RubricError(f"{source}: phases[{i}].id: duplicate phase id {raw['id']!r}")
        ids.add(raw["id"])
        for cid in raw["checks"]:
            if cid in seen:
                raise RubricError(
                    f"{source}: phases[{i}].checks.{cid}: already weighted in phase {seen[cid]!r}"
                )
            seen[cid] = raw["id"]
        metrics = tuple(
            Metric(m["text"], tuple(m["checks"]), m.get("attestation"))
            for m in raw.get("metrics", [])
        )
        phases.append(
            Phase(
                id=raw["id"],
                title=raw["title"],
                points=float(raw["points"]),
                weights={k: float(v) for k, v in raw["checks"].items()},
                priority=int(raw.get("priority", 99)),
                metrics=metrics,
            )
        )
    total = sum(p.points for p in phases)
    if not math.isclose(total, 10.0, abs_tol=1e-6):
        raise RubricError(f"{source}: phases: points must sum to 10, they sum to {total:g}")
    if known_checks is not None:
        known = set(known_checks)
        for i, p in enumerate(phases):
            for cid in p.weights:
                if cid not in known:
                    raise RubricError(f"{source}: phases[{i}].checks.{cid}: no such check")
            for j, m in enumerate(p.metrics):
                for cid in m.checks:
                    if cid not in known:
                        raise RubricError(
                            f"{source}: phases[{i}].metrics[{j}].checks: no such check {cid!r}"
                        )
    roadmap = data.get("roadmap") or {}
    gate = data.get("gate") or {}
    return Rubric(
        phases=tuple(phases),
        credit={k: float(v) for k, v in data["credit"].items()},
        params=_params(data.get("parameters") or {}),
        start=roadmap.get("start"),
        target=roadmap.get("target"),
        fail_under=gate.get("fail_under"),
        source=source,
    )


def _params(raw: Mapping[str, Any]) -> Parameters:
    known = {f.name for f in fields(Parameters)}
    values: dict[str, Any] = {}
    for k, v in raw.items():
        if k in known:
            values[k] = tuple(v) if isinstance(v, list) else v
    return Parameters(**values)


# -- scoring ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PhaseScore:
    phase: Phase
    fraction: float | None  # None: nothing applicable in this phase
    max_fraction: float | None
    decided_fraction: float | None  # share of applicable weight that is not unknown
    earned_points: dict[str, float]  # per check id

    @property
    def applicable(self) -> bool:
        return self.fraction is not None


@dataclass(frozen=True)
class Score:
    value: float | None  # None: nothing decided -> "n/a"
    max_reachable: float | None
    coverage: float  # 0..1 share of (applicable) weight actually decided
    phases: tuple[PhaseScore, ...]


def _credit(rubric: Rubric, status: Status) -> float | None:
    """Credit for a status; ``None`` means "leaves the denominator"."""
    if status is Status.SKIPPED:
        return None
    if status is Status.UNKNOWN:
        return 0.0
    return rubric.credit[status.value]


def score(rubric: Rubric, statuses: Mapping[str, Status]) -> Score:
    """Score a mapping of check id → status. Checks missing from ``statuses`` are not
    selected in this run (``--only``/``--skip``) and leave the denominator, like skipped."""
    phase_scores: list[PhaseScore] = []
    for phase in rubric.phases:
        total_w = got = best = decided = 0.0
        earned: dict[str, float] = {}
        for cid, w in phase.weights.items():
            st = statuses.get(cid)
            c = None if st is None else _credit(rubric, st)
            if c is None:
                continue
            total_w += w
            got += c * w
            best += (1.0 if st is Status.UNKNOWN else c) * w
            decided += 0.0 if st is Status.UNKNOWN else w
            earned[cid] = c * w
        if total_w == 0:
            phase_scores.append(PhaseScore(phase, None, None, None, {}))
            continue
        phase_scores.append(
            PhaseScore(
                phase,
                got / total_w,
                best / total_w,
                decided / total_w,
                {cid: phase.points * e / total_w for cid, e in earned.items()},
            )
        )
    applicable = [p for p in phase_scores if p.applicable]
    points = sum(p.phase.points for p in applicable)
    if not applicable or points == 0:
        return Score(None, None, 0.0, tuple(phase_scores))
    scale = 10.0 / points
    coverage = sum(p.phase.points * (p.decided_fraction or 0.0) for p in applicable) / points
    if coverage == 0:
        return Score(None, 10.0, 0.0, tuple(phase_scores))
    value = scale * sum(p.phase.points * (p.fraction or 0.0) for p in applicable)
    best = scale * sum(p.phase.points * (p.max_fraction or 0.0) for p in applicable)
    return Score(round(value, 2), round(best, 2), round(coverage, 4), tuple(phase_scores))


def projection(
    rubric: Rubric, statuses: Mapping[str, Status], order: Sequence[str]
) -> list[tuple[str, float | None]]:
    """Score after finishing each phase in ``order`` in turn (all its checks passing)."""
    current = dict(statuses)
    out: list[tuple[str, float | None]] = []
    by_id = {p.id: p for p in rubric.phases}
    for pid in order:
        for cid in by_id[pid].weights:
            if cid in current and current[cid] is not Status.SKIPPED:
                current[cid] = Status.PASS
        out.append((pid, score(rubric, current).value))
    return out


def gain_if_passed(rubric: Rubric, statuses: Mapping[str, Status], check_id: str) -> float:
    base = score(rubric, statuses).value or 0.0
    after = dict(statuses)
    after[check_id] = Status.PASS
    return round((score(rubric, after).value or 0.0) - base, 2)
