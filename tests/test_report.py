"""Report building: waivers, attestations, week checklists, next steps, JSON contract."""

from __future__ import annotations

import copy
import datetime as dt
import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from checks.attestations import ITEMS, attestations
from readiness import attestations as att_loader
from readiness import report, waivers
from readiness.model import Check, Evidence, Result, Status, check
from readiness.renderers import get
from readiness.renderers.terminal import render as terminal
from readiness.rubric import parse
from readiness.runner import Outcome, run_check
from readiness.snapshot import ok
from tests.snap import NOW, make_snapshot

SCHEMA = json.loads(resources.files("readiness").joinpath("schema/report.schema.json").read_text())

RUBRIC = {
    "version": 1,
    "roadmap": {"start": 6.5, "target": 8.5},
    "credit": {"pass": 1.0, "warn": 0.5, "fail": 0.0},
    "phases": [
        {
            "id": "week1",
            "title": "Week 1: Monitoring",
            "priority": 1,
            "points": 4,
            "checks": {"t.alpha": 1, "t.beta": 1},
            "metrics": [
                {"text": "Alpha works", "checks": ["t.alpha"]},
                {"text": "Beta works", "checks": ["t.beta"]},
            ],
        },
        {
            "id": "before-production",
            "title": "Before production",
            "priority": 6,
            "points": 6,
            "checks": {"t.gamma": 1, "ops.attestations": 1},
            "metrics": [
                {
                    "text": "DR documented",
                    "checks": ["ops.attestations"],
                    "attestation": "dr-procedures",
                }
            ],
        },
    ],
}


def fake(cid: str, status: Status, n_evidence: int = 1) -> Check:
    def fn(snap: Any) -> Result:
        """A stand-in check whose verdict the test fixes in advance."""
        ev = [Evidence(f"Deployment team-a/app-{i}", "seen") for i in range(n_evidence)]
        return Result.make(status, f"{cid} is {status.value}", ev)

    return check(
        id=cid, title=f"Title of {cid}", needs=["deployments"], passes="p", remediation=f"fix {cid}"
    )(fn)


def build(
    statuses: dict[str, Status], att: list[dict[str, str]] | None = None, **kw: Any
) -> report.Report:
    snap = make_snapshot({"deployments": [], "local:attestations": att or []})
    rub = parse(copy.deepcopy(RUBRIC), "test-rubric.yaml")
    snap = snap.with_params(rub.params)
    checks = [fake(c, s, 7 if c == "t.gamma" else 1) for c, s in statuses.items()]
    outcomes = [Outcome(c, c(snap)) for c in checks]
    outcomes.append(Outcome(attestations, run_check(attestations, snap)))
    return report.build(outcomes, rub, snap, **kw)


def test_json_validates_and_is_deterministic() -> None:
    r1 = build({"t.alpha": Status.PASS, "t.beta": Status.FAIL, "t.gamma": Status.UNKNOWN})
    r2 = build({"t.alpha": Status.PASS, "t.beta": Status.FAIL, "t.gamma": Status.UNKNOWN})
    d = r1.to_dict()
    jsonschema.validate(d, SCHEMA)
    assert get("json")(d) == get("json")(r2.to_dict())
    assert d["schema_version"].startswith("1.")
    assert d["score"]["value"] == 2.0  # week1: 4 × 1/2; before-production: 6 × 0/2
    assert d["score"]["max_reachable"] == 5.0
    assert d["counts"] == {"pass": 1, "warn": 0, "fail": 2, "unknown": 1, "skipped": 0}


def test_week_checklist_and_next_steps_ordered_by_priority_then_gain() -> None:
    d = build({"t.alpha": Status.PASS, "t.beta": Status.FAIL, "t.gamma": Status.FAIL}).to_dict()
    week = d["phases"][0]
    assert [(m["text"], m["status"]) for m in week["metrics"]] == [
        ("Alpha works", "done"),
        ("Beta works", "not_done"),
    ]
    steps = [(s["check"], s["gain"]) for s in d["next_steps"]]
    # week1 has priority 1 → first even though before-production steps gain more points
    assert steps[0] == ("t.beta", 2.0)
    assert {c for c, _ in steps[1:]} == {"t.gamma", "ops.attestations"}
    assert d["projection"] == [{"after": "week1", "title": "Week 1: Monitoring", "score": 4.0}]


def test_terminal_shows_first_five_evidence_then_more_and_remediation() -> None:
    text = terminal(
        build({"t.alpha": Status.PASS, "t.beta": Status.PASS, "t.gamma": Status.WARN}).to_dict()
    )
    assert "Deployment team-a/app-4" in text and "Deployment team-a/app-5" not in text
    assert "+2 more" in text
    assert "→ fix t.gamma" in text
    assert "Score " in text and "target 8.5" in text


def test_attestations_missing_fail_and_are_marked_attested() -> None:
    d = build({"t.alpha": Status.PASS, "t.beta": Status.PASS, "t.gamma": Status.PASS}).to_dict()
    att = d["phases"][1]["checks"][1]
    assert att["id"] == "ops.attestations"
    assert att["status"] == "fail" and att["attested"] is True
    assert att["summary"].startswith("(attested)")
    assert d["phases"][1]["metrics"][0] == {
        "text": "DR documented",
        "status": "not_done",
        "checks": ["ops.attestations"],
        "attested": True,
    }
    assert "(attested)" in terminal(d)


def _attest(age_days: int) -> list[dict[str, str]]:
    date = (NOW - dt.timedelta(days=age_days)).date().isoformat()
    return [{"item": i, "owner": "me", "date": date, "link": "https://wiki/x"} for i in ITEMS]


def test_attestations_all_fresh_pass_and_stale_warn() -> None:
    fresh = build({"t.alpha": Status.PASS}, att=_attest(10)).to_dict()
    assert fresh["phases"][1]["checks"][-1]["status"] == "pass"
    assert fresh["phases"][1]["metrics"][0]["status"] == "done"
    stale = build({"t.alpha": Status.PASS}, att=_attest(400)).to_dict()
    c = stale["phases"][1]["checks"][-1]
    assert c["status"] == "warn" and "older than 365 days" in c["summary"]


def test_waivers_applied_expired_unused_and_side_by_side_scores() -> None:
    ws = [
        waivers.Waiver("t.beta", "accepted", "me", "T-1", dt.date(2027, 1, 1)),
        waivers.Waiver("t.gamma", "old", "me", "T-2", dt.date(2026, 1, 1)),
        waivers.Waiver("t.alpha", "nothing to waive", "me", "T-3", dt.date(2027, 1, 1)),
    ]
    r = build({"t.alpha": Status.PASS, "t.beta": Status.FAIL, "t.gamma": Status.FAIL}, waivers=ws)
    d = r.to_dict()
    assert [w["ticket"] for w in d["waivers"]["applied"]] == ["T-1"]
    assert [w["ticket"] for w in d["waivers"]["expired"]] == ["T-2"]
    assert [w["ticket"] for w in d["waivers"]["unused"]] == ["T-3"]
    assert d["score"]["value"] == 2.0
    assert d["score"]["waived"] == 4.0 + 0.0  # week1: alpha alone → 4; b-p unchanged → 0
    beta = d["phases"][0]["checks"][1]
    assert beta["waiver"]["ticket"] == "T-1" and beta["status"] == "fail"  # status is never hidden
    text = terminal(d)
    assert "EXPIRED WAIVER: t.gamma" in text and "Unused waiver: t.alpha" in text
    assert "Waived score 4.0/10" in text


def test_scoped_waiver_only_matches_when_every_finding_is_in_scope() -> None:
    res = Result.make(
        Status.FAIL,
        "x",
        [Evidence("Deployment legacy/app", "root"), Evidence("Deployment shop/web", "root")],
    )
    scoped = waivers.Waiver("c", "r", "o", "t", dt.date(2030, 1, 1), namespace="legacy")
    assert not scoped.matches(res)
    only_legacy = Result.make(Status.FAIL, "x", [Evidence("Deployment legacy/app", "root")])
    assert scoped.matches(only_legacy)


def test_gate_uses_waived_score() -> None:
    r = build(
        {"t.alpha": Status.PASS, "t.beta": Status.FAIL, "t.gamma": Status.PASS}, fail_under=9.0
    )
    assert r.gate_passed is False
    assert r.to_dict()["gate"] == {"fail_under": 9.0, "passed": False}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("attestations: {}", "expected a mapping with an 'attestations:' list"),
        ("attestations:\n  - item: on-call\n    owner: me\n    date: 2026-01-01\n", "missing link"),
        (
            "attestations:\n  - item: golf\n    owner: me\n    date: 2026-01-01\n    link: x\n",
            "unknown item 'golf'",
        ),
        (
            "attestations:\n  - item: on-call\n    owner: me\n    date: soon\n    link: x\n",
            "date: expected YYYY-MM-DD",
        ),
        ("attestations: [", "not valid YAML"),
    ],
)
def test_malformed_attestations(tmp_path: Path, text: str, message: str) -> None:
    f = tmp_path / "att.yaml"
    f.write_text(text)
    with pytest.raises(att_loader.AttestationError, match=message):
        att_loader.load(f)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("waivers:\n  - check: t.alpha\n", "missing reason, owner, ticket, expires"),
        (
            "waivers:\n  - {check: nope, reason: r, owner: o, ticket: t, expires: 2027-01-01}\n",
            "no such check 'nope'",
        ),
        (
            "waivers:\n  - {check: t.alpha, reason: r, owner: o, ticket: t, expires: tomorrow}\n",
            "expires must be a date",
        ),
        (
            "waivers:\n  - {check: t.alpha, reason: r, owner: o, ticket: t,"
            " expires: 2027-01-01, color: red}\n",
            "unknown field",
        ),
    ],
)
def test_malformed_waivers(tmp_path: Path, text: str, message: str) -> None:
    f = tmp_path / "w.yaml"
    f.write_text(text)
    with pytest.raises(waivers.WaiverError, match=message):
        waivers.load(f, {"t.alpha"})


def test_local_attestations_entry_shape_is_what_the_loader_produces(tmp_path: Path) -> None:
    f = tmp_path / "a.yaml"
    f.write_text(
        "attestations:\n  - {item: on-call, owner: me, date: 2026-11-01, link: https://x}\n"
    )
    loaded = att_loader.load(f)
    snap = make_snapshot({"local:attestations": ok(loaded)})
    res = attestations(snap)
    assert res.status is Status.FAIL and "1/6 items attested" in res.summary


def test_attestation_dated_in_the_future_is_not_valid() -> None:
    att = _attest(10)
    att[0]["date"] = (NOW + dt.timedelta(days=30)).date().isoformat()
    d = build({"t.alpha": Status.PASS}, att=att).to_dict()
    c = d["phases"][1]["checks"][-1]
    assert c["status"] == "warn" and "dated in the future" in c["summary"]
    assert any("dated 30 days ahead" in e["detail"] for e in c["evidence"])


def test_an_attestation_never_satisfies_what_must_be_measured() -> None:
    """'RTO/RPO targets defined and measured': the attestation covers 'defined'; the item
    is done only when the observed checks it names pass too."""
    rub = copy.deepcopy(RUBRIC)
    rub["phases"][1]["metrics"].append(
        {"text": "RTO measured", "checks": ["t.gamma"], "attestation": "rto-rpo-targets"}
    )
    snap = make_snapshot({"deployments": [], "local:attestations": _attest(10)})
    r = parse(rub, "r.yaml")
    snap = snap.with_params(r.params)
    for gamma, expected in ((Status.FAIL, "not_done"), (Status.PASS, "done")):
        c = fake("t.gamma", gamma)
        outcomes = [Outcome(c, c(snap)), Outcome(attestations, run_check(attestations, snap))]
        metrics = report.build(outcomes, r, snap).to_dict()["phases"][1]["metrics"]
        assert metrics[-1]["status"] == expected
