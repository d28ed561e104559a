"""Future enhancements (Month 2+): service mesh, policy as code, cost tooling, multi-region.

They weigh little in the rubric; each still proves the tool *works* (control plane ready,
namespaces enrolled, constraints enforced) rather than that a chart was once installed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from checks.common import (
    Obj,
    app_namespaces,
    ev,
    find_workloads,
    labels,
    listing,
    meta,
    name,
    plural,
    spec,
    status,
    workload_ready,
    workloads,
)
from readiness.model import (
    Evidence,
    Result,
    Status,
    check,
    failed,
    passed,
    skipped,
    unknown,
    warned,
)
from readiness.snapshot import DataMissing, Snapshot, Unavailable

RANK = {Status.PASS: 3, Status.WARN: 2, Status.FAIL: 1}


@dataclass
class Finding:
    """One tool's verdict; the check reports the best tool found."""

    status: Status
    summary: str
    evidence: list[Evidence] = field(default_factory=list)
    measured: dict[str, Any] = field(default_factory=dict)


def _best(findings: Iterable[Finding]) -> Finding | None:
    ranked = sorted(findings, key=lambda f: RANK.get(f.status, 0), reverse=True)
    return ranked[0] if ranked else None


def _result(f: Finding, others: Iterable[Finding] = ()) -> Result:
    evidence = list(f.evidence) + [e for o in others if o is not f for e in o.evidence]
    return Result.make(f.status, f.summary, evidence, f.measured)


def _ready_all(found: list[tuple[str, Obj]]) -> tuple[bool, list[Evidence]]:
    evidence = []
    ok = bool(found)
    for kind, obj in found:
        ready, detail = workload_ready(kind, obj)
        ok = ok and ready
        evidence.append(ev(kind, obj, detail))
    return ok, evidence


def _labelled(snap: Snapshot, key: str, values: set[str]) -> list[tuple[str, Obj]]:
    """Deployments whose own or pod-template label ``key`` has one of ``values``."""
    out = []
    for kind, obj in workloads(snap, ("deployments",)):
        tmpl = ((spec(obj).get("template") or {}).get("metadata") or {}).get("labels") or {}
        if labels(obj).get(key) in values or tmpl.get(key) in values:
            out.append((kind, obj))
    return out


# ---------------------------------------------------------------------------------------
# future.service-mesh
# ---------------------------------------------------------------------------------------


def istio_enrolled(ns: Obj) -> bool:
    lab = labels(ns)
    return (
        lab.get("istio-injection") == "enabled"
        or bool(lab.get("istio.io/rev"))
        or lab.get("istio.io/dataplane-mode") == "ambient"
    )


def linkerd_enrolled(ns: Obj) -> bool:
    notes = meta(ns).get("annotations") or {}
    return notes.get("linkerd.io/inject") == "enabled"


def _mesh_finding(
    mesh: str, control: list[tuple[str, Obj]], enrolled: list[str], apps: list[str]
) -> Finding:
    ready, evidence = _ready_all(control)
    evidence.append(
        Evidence(f"{mesh} namespaces", f"{len(enrolled)} of {len(apps)} app namespaces enrolled")
    )
    if enrolled:
        evidence.append(Evidence(f"{mesh} enrolled", listing(enrolled)))
    measured = {"mesh": mesh, "enrolled_namespaces": len(enrolled), "app_namespaces": len(apps)}
    if not ready:
        return Finding(Status.FAIL, f"{mesh} control plane not ready", evidence, measured)
    if not enrolled:
        return Finding(
            Status.WARN, f"{mesh} is running but no app namespace is enrolled", evidence, measured
        )
    return Finding(
        Status.PASS,
        f"{mesh} running; {len(enrolled)} of {len(apps)} app namespaces enrolled",
        evidence,
        measured,
    )


@check(
    id="future.service-mesh",
    title="Service mesh with app namespaces enrolled",
    needs=["deployments", "namespaces"],
    passes="Istio (istiod ready) or Linkerd (destination and identity ready) runs and at least "
    "one app namespace is enrolled (istio-injection=enabled / istio.io/rev label, or "
    "linkerd.io/inject=enabled annotation)",
    remediation="""
Istio: `helm install istio-base istio/base -n istio-system --create-namespace && helm install
istiod istio/istiod -n istio-system`, then `kubectl label namespace <ns>
istio-injection=enabled` and restart its workloads. Linkerd: `linkerd install --crds |
kubectl apply -f - && linkerd install | kubectl apply -f -`, then `kubectl annotate namespace
<ns> linkerd.io/inject=enabled`.
""",
)
def service_mesh(snap: Snapshot) -> Result:
    """A mesh gives mutual TLS between services, retries and traffic shifting for safe
    rollouts, and per-request golden metrics, but only for workloads that are enrolled: a
    mesh control plane with no app namespace in it protects nothing."""
    apps = set(app_namespaces(snap))
    namespaces = snap.items("namespaces")
    findings = []
    istiod = find_workloads(snap, ["istiod"], ("deployments",))
    if istiod:
        enrolled = sorted(name(n) for n in namespaces if istio_enrolled(n) and name(n) in apps)
        findings.append(_mesh_finding("Istio", istiod, enrolled, sorted(apps)))
    linkerd = _labelled(snap, "linkerd.io/control-plane-component", {"destination", "identity"})
    if linkerd:
        enrolled = sorted(name(n) for n in namespaces if linkerd_enrolled(n) and name(n) in apps)
        findings.append(_mesh_finding("Linkerd", linkerd, enrolled, sorted(apps)))
    best = _best(findings)
    if best is None:
        return failed(
            "no service mesh: neither istiod nor the Linkerd control plane runs",
            [Evidence("deployments", "no istiod, linkerd-destination or linkerd-identity")],
        )
    return _result(best, findings)


# ---------------------------------------------------------------------------------------
# future.policy
# ---------------------------------------------------------------------------------------

GK_AUDIT = ("control-plane", {"audit-controller"}), ("gatekeeper.sh/operation", {"audit"})
GK_WEBHOOK = (
    ("control-plane", {"controller-manager"}),
    ("gatekeeper.sh/operation", {"webhook"}),
)


def _gk_deployments(
    snap: Snapshot, selectors: tuple[tuple[str, set[str]], ...]
) -> list[tuple[str, Obj]]:
    seen: dict[str, tuple[str, Obj]] = {}
    for key, values in selectors:
        for kind, obj in _labelled(snap, key, values):
            seen[f"{kind}/{name(obj)}"] = (kind, obj)
    return list(seen.values())


def constraint_enforcing(obj: Obj) -> bool:
    """Gatekeeper: enforcementAction absent means deny; ``scoped`` enforces where one of its
    scopedEnforcementActions is deny."""
    action = str(spec(obj).get("enforcementAction") or "deny").lower()
    if action == "scoped":
        scoped = spec(obj).get("scopedEnforcementActions") or []
        return any(str(s.get("action", "")).lower() == "deny" for s in scoped)
    return action == "deny"


def constraint_violations(obj: Obj) -> int | None:
    """status.totalViolations written by the audit; older audits wrote only the list."""
    st = status(obj)
    if "totalViolations" in st:
        return int(st.get("totalViolations") or 0)
    if st.get("auditTimestamp"):
        return len(st.get("violations") or [])
    return None


def _engine_finding(
    engine: str,
    policies: int,
    enforcing: int,
    controller: bool,
    audit: bool,
    evidence: list[Evidence],
    measured: dict[str, Any],
) -> Finding:
    measured = {"engine": engine, "policies": policies, "enforcing": enforcing, **measured}
    if not policies:
        return Finding(Status.FAIL, f"{engine} installed but has no policies", evidence, measured)
    if not controller and not audit:
        return Finding(Status.FAIL, f"{engine} is not running", evidence, measured)
    if enforcing and controller and audit:
        return Finding(
            Status.PASS,
            f"{engine}: {enforcing} of {policies} policies enforced, audit running",
            evidence,
            measured,
        )
    why = []
    if not enforcing:
        why.append("no policy in enforce mode (only audit/dryrun/warn)")
    if not controller:
        why.append("admission webhook not ready")
    if not audit:
        why.append("audit not running")
    return Finding(Status.WARN, f"{engine}: {'; '.join(why)}", evidence, measured)


def _gatekeeper(snap: Snapshot) -> Finding | None:
    served = snap.served("constrainttemplates.templates.gatekeeper.sh")
    audit_deps = _gk_deployments(snap, GK_AUDIT)
    webhook_deps = _gk_deployments(snap, GK_WEBHOOK)
    if not served and not audit_deps and not webhook_deps:
        return None
    templates = snap.items("constrainttemplates.templates.gatekeeper.sh")
    constraints = snap.items("constraints.gatekeeper.sh") if served else []
    enforcing = [c for c in constraints if constraint_enforcing(c)]
    counts = [v for v in (constraint_violations(c) for c in constraints) if v is not None]
    audit_ok, audit_ev = _ready_all(audit_deps)
    hook_ok, hook_ev = _ready_all(webhook_deps)
    evidence = audit_ev + hook_ev
    evidence.append(
        Evidence(
            "Gatekeeper constraints",
            f"{len(enforcing)} of {len(constraints)} deny; {len(templates)} templates; "
            f"{len(counts)} audited, {sum(counts)} violations",
        )
    )
    evidence += [
        ev(str(c.get("kind") or "Constraint"), c, f"violations {constraint_violations(c)}")
        for c in constraints[:10]
    ]
    measured = {"violations": sum(counts) if counts else None}
    return _engine_finding(
        "Gatekeeper", len(constraints), len(enforcing), hook_ok, audit_ok, evidence, measured
    )


def kyverno_enforcing(policy: Obj) -> bool:
    """Enforce set for the whole policy, as a namespace override, or per rule (1.13+)."""
    s = spec(policy)
    if str(s.get("validationFailureAction") or "").lower() == "enforce":
        return True
    for override in s.get("validationFailureActionOverrides") or []:
        if str(override.get("action") or "").lower() == "enforce":
            return True
    for rule in s.get("rules") or []:
        if str((rule.get("validate") or {}).get("failureAction") or "").lower() == "enforce":
            return True
    return False


def _kyverno_admission(snap: Snapshot) -> list[tuple[str, Obj]]:
    found = find_workloads(snap, ["kyverno"], ("deployments",))
    component = "app.kubernetes.io/component"
    admission = [(k, o) for k, o in found if labels(o).get(component) == "admission-controller"]
    if admission:
        return admission
    # Kyverno before 1.10 ran as one Deployment with no component label.
    return [(k, o) for k, o in found if component not in labels(o)]


def _policy_report_failures(snap: Snapshot) -> int | None:
    try:
        reports = snap.items("policyreports.wgpolicyk8s.io")
    except Unavailable:
        return None
    if not reports:
        return None
    return sum(int((r.get("summary") or {}).get("fail") or 0) for r in reports)


def _kyverno(snap: Snapshot) -> Finding | None:
    served = snap.served("clusterpolicies.kyverno.io")
    admission = _kyverno_admission(snap)
    if not served and not admission:
        return None
    policies = snap.items("clusterpolicies.kyverno.io")
    enforcing = [p for p in policies if kyverno_enforcing(p)]
    ready, evidence = _ready_all(admission)
    evidence.append(
        Evidence("Kyverno ClusterPolicies", f"{len(enforcing)} of {len(policies)} Enforce")
    )
    evidence += [
        ev("ClusterPolicy", p, "Enforce" if kyverno_enforcing(p) else "Audit")
        for p in policies[:10]
    ]
    measured = {"violations": _policy_report_failures(snap)}
    # The admission controller both enforces and (with background scans) audits.
    return _engine_finding(
        "Kyverno", len(policies), len(enforcing), ready, ready, evidence, measured
    )


@check(
    id="future.policy",
    title="Policy as code enforced (Gatekeeper / Kyverno)",
    needs=[
        "constrainttemplates.templates.gatekeeper.sh",
        "constraints.gatekeeper.sh",
        "clusterpolicies.kyverno.io",
        "policyreports.wgpolicyk8s.io",
        "deployments",
    ],
    passes="Gatekeeper or Kyverno runs with at least one constraint/policy in deny/Enforce "
    "mode and its audit running (violation count reported)",
    remediation="""
Gatekeeper: `helm install gatekeeper gatekeeper/gatekeeper -n gatekeeper-system
--create-namespace`, apply templates from the gatekeeper-library, start constraints with
`enforcementAction: dryrun`, then switch to `deny` once `status.totalViolations` is 0.
Kyverno: `helm install kyverno kyverno/kyverno -n kyverno --create-namespace`, then set
`validationFailureAction: Enforce` on the policies you trust.
""",
)
def policy(snap: Snapshot) -> Result:
    """Policy as code turns conventions (limits set, no privileged pods, images from our
    registry) into admission rules that cannot be forgotten. Policies only in audit or
    dry-run mode report but do not prevent, and an engine whose audit is not running
    cannot tell you what already violates them."""
    findings: list[Finding] = []
    gaps: list[Evidence] = []
    for engine in (_gatekeeper, _kyverno):
        try:
            found = engine(snap)
        except Unavailable as exc:
            gaps.append(Evidence(exc.key, f"not read: {exc.reason}"))
            continue
        if found is not None:
            findings.append(found)
    best = _best(findings)
    if gaps and (best is None or best.status != Status.PASS):
        # The engine we could not look at might be the one that enforces.
        return unknown(
            f"could not observe {listing(e.ref for e in gaps)}",
            gaps + [e for f in findings for e in f.evidence],
        )
    if best is None:
        return failed(
            "no policy engine: neither Gatekeeper nor Kyverno is installed",
            [Evidence("API groups", "templates.gatekeeper.sh and kyverno.io not served")],
        )
    return _result(best, findings)


# ---------------------------------------------------------------------------------------
# future.cost
# ---------------------------------------------------------------------------------------


@check(
    id="future.cost",
    title="Cost monitoring (Kubecost / OpenCost)",
    needs=["deployments"],
    passes="a Kubecost cost-analyzer or OpenCost Deployment is ready",
    remediation="""
`helm install opencost opencost/opencost -n opencost --create-namespace` (point it at the
Prometheus from Week 1), or Kubecost: `helm install kubecost
oci://public.ecr.aws/kubecost/cost-analyzer -n kubecost --create-namespace`.
""",
)
def cost(snap: Snapshot) -> Result:
    """Cost allocation per namespace and workload is what turns the Week 1 utilisation
    data into right-sizing decisions; an installed but not running cost tool reports
    nothing, so only a ready one counts."""
    found = find_workloads(snap, ["opencost", "cost-analyzer"], ("deployments",))
    if not found:
        return failed(
            "no cost tool: no OpenCost or Kubecost cost-analyzer Deployment",
            [Evidence("deployments", "none labelled opencost / cost-analyzer")],
        )
    ready = [(k, o) for k, o in found if workload_ready(k, o)[0]]
    evidence = [ev(k, o, workload_ready(k, o)[1]) for k, o in found]
    if ready:
        names = listing(name(o) for _, o in ready)
        return passed(f"cost monitoring running: {names}", evidence, ready=len(ready))
    return failed(
        f"cost tool installed but not running ({plural(len(found), 'Deployment')} not ready)",
        evidence,
        ready=0,
    )


# ---------------------------------------------------------------------------------------
# future.multi-region
# ---------------------------------------------------------------------------------------


def _active(clusters: Any) -> list[str]:
    if not isinstance(clusters, list):
        return []
    return [
        str(c.get("name"))
        for c in clusters
        if isinstance(c, Mapping) and str(c.get("status", "")).upper() == "ACTIVE"
    ]


@check(
    id="future.multi-region",
    title="A second region (when the rubric asks for it)",
    needs=["eks:regional-clusters"],
    passes="every region named in parameters.regions, other than this cluster's own, has an "
    "ACTIVE EKS cluster",
    remediation="""
Stand up the same Terraform/Terragrunt stack in the second region (a new
`infrastructure/<env>-<region>/` live folder), replicate images (ECR replication) and
backups (Velero BSL in that region's bucket), and route with Route 53 failover records.
""",
)
def multi_region(snap: Snapshot) -> Result:
    """A single region is a single failure domain for the whole platform; when the business
    requires regional resilience, a second ACTIVE cluster is what makes the disaster
    recovery plan more than a document. Only scored when the rubric names regions."""
    named = list(snap.params.regions)
    if not named:
        return skipped("no regions named in rubric.yaml (parameters.regions)")
    own = snap.cluster.region
    others = [r for r in named if r != own]
    if not others:
        return skipped(f"rubric.yaml names only this cluster's own region ({own})")
    try:
        by_region = snap.fact("eks:regional-clusters")
    except DataMissing as exc:
        return unknown(f"could not list EKS clusters in {listing(others)}: {exc.reason}")
    by_region = by_region if isinstance(by_region, Mapping) else {}
    covered: list[str] = []
    missing: list[str] = []
    unread: list[str] = []
    evidence: list[Evidence] = []
    for region in others:
        if region not in by_region:
            unread.append(region)
            evidence.append(Evidence(f"region {region}", "not listed"))
            continue
        active = _active(by_region[region])
        (covered if active else missing).append(region)
        evidence.append(
            Evidence(f"region {region}", f"ACTIVE: {listing(active)}" if active else "none ACTIVE")
        )
    if own is None:
        evidence.append(Evidence("cluster region", "unknown; every named region judged"))
    measured = {"regions": len(others), "regions_active": len(covered)}
    if missing and not covered:
        return failed(f"no ACTIVE EKS cluster in {listing(missing)}", evidence, **measured)
    if unread:
        return unknown(f"could not read clusters in {listing(unread)}", evidence, **measured)
    if missing:
        return warned(
            f"ACTIVE clusters in {len(covered)} of {len(others)} other regions; none in "
            f"{listing(missing)}",
            evidence,
            **measured,
        )
    return passed(
        f"ACTIVE EKS cluster in every other named region ({listing(covered)})",
        evidence,
        **measured,
    )
