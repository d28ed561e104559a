"""Manual roadmap items that no API can observe, answered in an attestations file.

These are the roadmap's "Before going to production" and "Team preparation" items. They are
scored, because a production-ready platform needs them, but every output marks them as
*attested*, not observed: a person vouched for them, the tool did not see them.
"""

from __future__ import annotations

import datetime as dt

from checks.common import listing
from readiness.model import Evidence, Result, Status, check
from readiness.snapshot import Snapshot

ITEMS: dict[str, str] = {
    "incident-response": "Incident response procedures documented",
    "on-call": "On-call rotation in place",
    "change-management": "Change management process established",
    "training": "Team trained on monitoring tools, GitOps workflow and recovery",
    "dr-procedures": "Disaster recovery procedures documented",
    "rto-rpo-targets": "RTO/RPO targets defined",
}


@check(
    id="ops.attestations",
    title="Operational procedures attested (incident response, on-call, change, training, DR)",
    needs=["local:attestations"],
    passes="every manual roadmap item is attested in the attestations file with owner, date "
    "and link, and no attestation is older than the rubric's attestation_validity_days",
    remediation="Write an attestations file (see examples/attestations.yaml) with one entry "
    "per item — incident-response, on-call, change-management, training, dr-procedures, "
    "rto-rpo-targets — each with owner, date and a link to the document, and pass it with "
    "`readiness score --attestations FILE`. Re-attest at least yearly.",
)
def attestations(snap: Snapshot) -> Result:
    """Incidents, on-call, change management, training and DR documentation decide whether a
    team can operate what the cluster runs; the roadmap lists them before production."""
    given = {a["item"]: a for a in snap.fact("local:attestations")}
    validity = dt.timedelta(days=snap.params.attestation_validity_days)
    evidence: list[Evidence] = []
    missing: list[str] = []
    stale: list[str] = []
    measured: dict[str, str] = {}
    for item, text in ITEMS.items():
        a = given.get(item)
        if a is None:
            missing.append(item)
            measured[f"item:{item}"] = "fail"
            evidence.append(Evidence(f"attestation {item}", f"not attested: {text}"))
            continue
        when = dt.date.fromisoformat(a["date"])
        age_days = (snap.now.date() - when).days
        # dated after the collection time: a typo or a promise, not yet a statement of fact
        ok = 0 <= age_days and dt.timedelta(days=age_days) <= validity
        measured[f"item:{item}"] = "pass" if ok else "warn"
        if not ok:
            stale.append(item)
        age = f"{age_days} days ago" if age_days >= 0 else f"dated {-age_days} days ahead"
        evidence.append(
            Evidence(
                f"attestation {item}",
                f"attested by {a['owner']} on {a['date']} ({age}"
                f"{'' if ok else ', not valid'}): {a['link']}",
            )
        )
    n = len(ITEMS)
    if missing:
        status = Status.FAIL
        summary = f"{n - len(missing)}/{n} items attested; missing: {listing(missing)}"
    elif stale:
        status = Status.WARN
        summary = (
            f"all {n} items attested, {len(stale)} older than "
            f"{snap.params.attestation_validity_days:g} days or dated in the future: "
            f"{listing(stale)}"
        )
    else:
        status = Status.PASS
        summary = f"all {n} items attested within {snap.params.attestation_validity_days:g} days"
    return Result.make(status, "(attested) " + summary, evidence, measured, attested=True)
