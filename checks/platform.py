"""Foundation platform checks: supported EKS version, nodes across zones, core add-ons
healthy, certificates not expiring.

These are the floor every other roadmap item stands on: monitoring and backups are moot on
a cluster whose DNS is down, whose nodes sit in one Availability Zone, or whose Kubernetes
version AWS no longer patches.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from checks.common import (
    Obj,
    condition,
    condition_true,
    ev,
    find_workloads,
    labels,
    listing,
    name,
    namespace,
    plural,
    status,
    workload_ready,
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
from readiness.snapshot import DataMissing, Snapshot, Unavailable, parse_time

# ---------------------------------------------------------------------------------------
# platform.eks-version
# ---------------------------------------------------------------------------------------

# End of EKS *standard* support per minor version, from the Amazon EKS Kubernetes release
# calendar (docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html). Extended
# support (paid, per cluster hour) lasts 12 months more; then EKS upgrades the cluster
# itself. 1.36 is left out until AWS publishes its date: a version newer than the table
# passes and says so.
TABLE_AS_OF = "2026-11-27"
STANDARD_SUPPORT_END: dict[str, dt.date] = {
    "1.23": dt.date(2023, 10, 11),
    "1.24": dt.date(2024, 1, 31),
    "1.25": dt.date(2024, 5, 1),
    "1.26": dt.date(2024, 6, 11),
    "1.27": dt.date(2024, 7, 24),
    "1.28": dt.date(2024, 11, 26),
    "1.29": dt.date(2025, 3, 23),
    "1.30": dt.date(2025, 7, 23),
    "1.31": dt.date(2025, 11, 26),
    "1.32": dt.date(2026, 3, 23),
    "1.33": dt.date(2026, 7, 29),
    "1.34": dt.date(2026, 12, 2),
    "1.35": dt.date(2027, 3, 27),
}
EXTENDED_SUPPORT_MONTHS = 12
VERSION_WARN_DAYS = 90


def _minor_key(version: str) -> tuple[int, int] | None:
    """``"1.29"`` → (1, 29); None when it is not major.minor."""
    parts = version.split(".")
    if len(parts) < 2:
        return None
    try:
        return int(parts[0]), int(parts[1])
    except ValueError:
        return None


def _version_from_cluster(value: Any) -> str | None:
    if not isinstance(value, Mapping):
        return None
    version = value.get("version")
    return str(version) if version else None


def _version_from_kube(value: Any) -> str | None:
    """major.minor of the /version document; EKS reports minor as ``"29+"``."""
    if not isinstance(value, Mapping):
        return None
    major = str(value.get("major") or "").rstrip("+")
    minor = str(value.get("minor") or "").rstrip("+")
    if major.isdigit() and minor.isdigit():
        return f"{major}.{minor}"
    git = str(value.get("gitVersion") or "").lstrip("v")
    key = _minor_key(git)
    return f"{key[0]}.{key[1]}" if key else None


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month)


def _observed_version(snap: Snapshot) -> tuple[str | None, str, list[Evidence]]:
    """The cluster's minor version, where it came from, and why a source was missing."""
    notes: list[Evidence] = []
    for key, read in (("eks:cluster", _version_from_cluster), ("kube:version", _version_from_kube)):
        try:
            version = read(snap.fact(key))
        except DataMissing as exc:
            notes.append(Evidence(key, f"not read: {exc.reason}"))
            continue
        if version:
            return version, key, notes
        notes.append(Evidence(key, "no version in the document"))
    return None, "", notes


def _judge_version(version: str, today: dt.date) -> tuple[Status, str, dt.date | None]:
    key = _minor_key(version)
    if key is None:
        return Status.UNKNOWN, f"version {version!r} is not major.minor", None
    end = STANDARD_SUPPORT_END.get(f"{key[0]}.{key[1]}")
    known = sorted(_minor_key(v) or (0, 0) for v in STANDARD_SUPPORT_END)
    if end is None and key > known[-1]:
        return Status.PASS, f"{version} is newer than the support table (as of {TABLE_AS_OF})", None
    if end is None:
        return Status.FAIL, f"{version} is older than every version in the support table", None
    extended_end = _add_months(end, EXTENDED_SUPPORT_MONTHS)
    left = (end - today).days
    if today > extended_end:
        return Status.FAIL, f"{version} is past the end of extended support ({extended_end})", end
    if today > end:
        return (
            Status.FAIL,
            f"{version} left standard support on {end}: extended support is billed per "
            f"cluster hour and ends {extended_end}",
            end,
        )
    if left <= VERSION_WARN_DAYS:
        return Status.WARN, f"{version} leaves standard support in {left} days ({end})", end
    return Status.PASS, f"{version} is in standard support until {end} ({left} days)", end


@check(
    id="platform.eks-version",
    title="Kubernetes version in EKS standard support",
    needs=["eks:cluster", "kube:version"],
    passes="the cluster's Kubernetes minor version is in EKS standard support and not within "
    "90 days of its end",
    remediation="""
Upgrade one minor version at a time: `aws eks update-cluster-version --name <cluster>
--kubernetes-version <next>` (Terraform: bump `cluster_version` in the EKS module), then the
managed node groups and the add-ons. Check deprecated APIs first (`kubectl convert`, pluto).
""",
)
def eks_version(snap: Snapshot) -> Result:
    """A version past EKS standard support gets no new patches unless you pay for extended
    support, and when that ends AWS upgrades the control plane on its own schedule, not
    yours. Planning the upgrade before the date is the production-ready posture."""
    version, source, notes = _observed_version(snap)
    if version is None:
        return unknown("could not read the cluster's Kubernetes version", notes)
    verdict, summary, end = _judge_version(version, snap.now.date())
    evidence = [
        Evidence(f"{source} {snap.cluster.cluster or ''}".strip(), f"version {version}"),
        Evidence("support table", f"as of {TABLE_AS_OF}; standard support ends {end or 'n/a'}"),
    ]
    days_left = (end - snap.now.date()).days if end else None
    return Result.make(
        verdict,
        summary,
        evidence + notes,
        {"version": version, "standard_support_days_left": days_left},
    )


# ---------------------------------------------------------------------------------------
# platform.nodes
# ---------------------------------------------------------------------------------------

ZONE_LABELS = ("topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone")
FARGATE_LABEL = "eks.amazonaws.com/compute-type"


def node_zone(node: Obj) -> str | None:
    for key in ZONE_LABELS:
        zone = labels(node).get(key)
        if zone:
            return str(zone)
    return None


def _node_detail(node: Obj) -> str:
    ready = condition(node, "Ready")
    state = "Ready" if condition_true(node, "Ready") else "NotReady"
    if ready and not condition_true(node, "Ready") and ready.get("reason"):
        state += f" ({ready.get('reason')})"
    kind = " fargate" if labels(node).get(FARGATE_LABEL) == "fargate" else ""
    return f"{state}, zone {node_zone(node) or '?'}{kind}"


@check(
    id="platform.nodes",
    title="Nodes Ready across Availability Zones",
    needs=["nodes"],
    passes="every node is Ready and the Ready nodes span at least 2 Availability Zones",
    remediation="""
Spread node groups over at least two AZs: give the managed node group (or Karpenter
NodePool) subnets in 2+ AZs (Terraform: `subnet_ids = module.vpc.private_subnets`). For
NotReady nodes: `kubectl describe node <name>`; replace unhealthy instances.
""",
)
def nodes(snap: Snapshot) -> Result:
    """Nodes in one Availability Zone mean one AZ outage takes every workload down, and
    NotReady nodes are capacity the scheduler counts on but cannot use. Fargate nodes count
    by their zone labels like any other."""
    items = snap.items("nodes")
    if not items:
        return failed("no nodes: nothing can run workloads", [Evidence("nodes", "0 listed")])
    ready = [n for n in items if condition_true(n, "Ready")]
    not_ready = [n for n in items if not condition_true(n, "Ready")]
    zones = sorted({z for z in (node_zone(n) for n in ready) if z})
    evidence = [Evidence("nodes", f"{len(ready)}/{len(items)} Ready; zones: {listing(zones)}")]
    evidence += [ev("Node", n, _node_detail(n)) for n in not_ready[:10]]
    measured = {"nodes": len(items), "ready": len(ready), "zones": len(zones)}
    share = f"{len(not_ready)} of {len(items)} nodes NotReady"
    if len(not_ready) * 2 > len(items):
        return failed(f"{share}: most of the cluster cannot run pods", evidence, **measured)
    if len(zones) == 1:
        return failed(
            f"all Ready nodes are in one Availability Zone ({zones[0]})", evidence, **measured
        )
    if not zones:
        return unknown(
            "no Ready node carries a topology.kubernetes.io/zone label; AZ spread unknown",
            evidence,
            **measured,
        )
    if not_ready:
        return warned(f"{share}; Ready nodes span {len(zones)} zones", evidence, **measured)
    return passed(f"{len(items)} nodes Ready across {len(zones)} zones", evidence, **measured)


# ---------------------------------------------------------------------------------------
# platform.core-addons
# ---------------------------------------------------------------------------------------

ADDON_BAD = {"DEGRADED", "CREATE_FAILED", "UPDATE_FAILED", "DELETE_FAILED", "DELETING"}
ADDON_BUSY = {"CREATING", "UPDATING"}


@dataclass(frozen=True)
class Component:
    """A core add-on: its EKS add-on name and how to find its workload when self-managed."""

    addon: str
    label: str
    kinds: tuple[str, ...]
    identities: tuple[str, ...]
    kube_system_only: bool = True
    # Identity values of workloads that take over this component's job (e.g. Cilium
    # replaces both the VPC CNI and kube-proxy).
    replaced_by: tuple[str, ...] = ()


COMPONENTS = (
    Component(
        "vpc-cni",
        "VPC CNI (aws-node)",
        ("daemonsets",),
        ("aws-node", "aws-vpc-cni"),
        replaced_by=("cilium", "cilium-agent", "calico-node"),
    ),
    Component("coredns", "CoreDNS", ("deployments",), ("kube-dns", "coredns")),
    Component(
        "kube-proxy",
        "kube-proxy",
        ("daemonsets",),
        ("kube-proxy",),
        replaced_by=("cilium", "cilium-agent"),
    ),
    Component(
        "aws-ebs-csi-driver",
        "EBS CSI driver",
        ("deployments",),
        ("ebs-csi-controller", "aws-ebs-csi-driver"),
        kube_system_only=False,
    ),
)


@dataclass
class Verdict:
    status: Status
    evidence: list[Evidence] = field(default_factory=list)


def _addon_verdict(addon: Mapping[str, Any]) -> Verdict:
    state = str(addon.get("status") or "")
    issues = (addon.get("health") or {}).get("issues") or []
    ref = f"EKS add-on {addon.get('addonName')}"
    detail = f"{state or 'no status'}, {addon.get('addonVersion', '?')}"
    if issues:
        codes = listing(str(i.get("code", "issue")) for i in issues)
        detail += f", {plural(len(issues), 'health issue')}: {codes}"
    if state in ADDON_BAD:
        return Verdict(Status.FAIL, [Evidence(ref, detail)])
    if state != "ACTIVE" or issues:
        return Verdict(Status.WARN, [Evidence(ref, detail)])
    return Verdict(Status.PASS, [Evidence(ref, detail)])


def _workload_verdict(found: list[tuple[str, Obj]]) -> Verdict:
    evidence = []
    all_ready = True
    for kind, obj in found:
        ok, detail = workload_ready(kind, obj)
        all_ready = all_ready and ok
        evidence.append(ev(kind, obj, detail))
    return Verdict(Status.PASS if all_ready else Status.FAIL, evidence)


def _find(snap: Snapshot, comp: Component, identities: tuple[str, ...]) -> list[tuple[str, Obj]]:
    found = find_workloads(snap, identities, comp.kinds)
    if comp.kube_system_only:
        found = [(k, o) for k, o in found if namespace(o) == "kube-system"]
    return found


def _missing_verdict(snap: Snapshot, comp: Component) -> Verdict:
    """The component is neither an EKS add-on nor a workload we can see."""
    if comp.replaced_by:
        alt = find_workloads(snap, comp.replaced_by, ("daemonsets",))
        if alt:
            v = _workload_verdict(alt)
            v.evidence.insert(
                0, Evidence(comp.label, f"not installed; replaced by {name(alt[0][1])}")
            )
            return v
    if comp.addon != "aws-ebs-csi-driver":
        return Verdict(Status.FAIL, [Evidence(comp.label, "not found (EKS add-on or workload)")])
    try:
        claims = snap.items("persistentvolumeclaims")
    except Unavailable as exc:
        return Verdict(
            Status.WARN, [Evidence(comp.label, f"not installed; PVCs not read: {exc.reason}")]
        )
    if not claims:
        return Verdict(
            Status.PASS, [Evidence(comp.label, "not installed; no PersistentVolumeClaims")]
        )
    detail = f"not installed, but {plural(len(claims), 'PersistentVolumeClaim')} exist"
    return Verdict(Status.WARN, [Evidence(comp.label, detail)])


def _component_verdict(
    snap: Snapshot, comp: Component, addons: dict[str, Mapping[str, Any]] | None, gaps: list[str]
) -> Verdict:
    try:
        found: list[tuple[str, Obj]] | None = _find(snap, comp, comp.identities)
    except Unavailable as exc:
        found = None
        gaps.append(f"{exc.key}: {exc.reason}")
    if addons is not None and comp.addon in addons:
        verdict = _addon_verdict(addons[comp.addon])
        if found:
            seen = _workload_verdict(found)
            verdict.evidence += seen.evidence
            if seen.status == Status.FAIL:
                verdict.status = Status.FAIL
        return verdict
    if found:
        return _workload_verdict(found)
    if found is None:
        return Verdict(Status.UNKNOWN, [Evidence(comp.label, "could not look (see gaps)")])
    # An EKS add-on runs as the same kube-system workload, so "no workload" is decisive
    # even when the add-on list could not be read.
    try:
        return _missing_verdict(snap, comp)
    except Unavailable as exc:
        gaps.append(f"{exc.key}: {exc.reason}")
        return Verdict(Status.UNKNOWN, [Evidence(comp.label, "could not look (see gaps)")])


def _read_addons(snap: Snapshot, gaps: list[str]) -> dict[str, Mapping[str, Any]] | None:
    try:
        value = snap.fact("eks:addons")
    except DataMissing as exc:
        gaps.append(f"eks:addons: {exc.reason}")
        return None
    return {str(a.get("addonName")): a for a in value or [] if isinstance(a, Mapping)}


@check(
    id="platform.core-addons",
    title="Core add-ons healthy (VPC CNI, CoreDNS, kube-proxy, EBS CSI)",
    needs=["eks:addons", "daemonsets", "deployments", "persistentvolumeclaims"],
    passes="vpc-cni, coredns and kube-proxy are ACTIVE EKS add-ons without health issues (or "
    "their kube-system workloads are ready), and the EBS CSI driver is too when volumes exist",
    remediation="""
Manage them as EKS add-ons so AWS keeps them compatible: `aws eks create-addon
--cluster-name <cluster> --addon-name aws-ebs-csi-driver --service-account-role-arn <role>`
(Terraform: `cluster_addons = { coredns = {}, kube-proxy = {}, vpc-cni = {},
aws-ebs-csi-driver = {} }`). For a DEGRADED add-on: `aws eks describe-addon` shows the
health issues.
""",
)
def core_addons(snap: Snapshot) -> Result:
    """Pod networking, cluster DNS and service routing are on every request's path; when
    one is degraded, every application looks broken at once. Without the EBS CSI driver no
    EBS-backed volume can be created or attached (in-tree EBS support is gone)."""
    gaps: list[str] = []
    addons = _read_addons(snap, gaps)
    verdicts = {c.label: _component_verdict(snap, c, addons, gaps) for c in COMPONENTS}
    evidence = [e for v in verdicts.values() for e in v.evidence]
    evidence += [Evidence("gap", g) for g in gaps]
    by_status = {s: [k for k, v in verdicts.items() if v.status == s] for s in Status}
    healthy = len(by_status[Status.PASS])
    measured = {"healthy": healthy, "components": len(COMPONENTS)}
    if by_status[Status.FAIL]:
        return failed(
            f"unhealthy or missing: {listing(by_status[Status.FAIL])}", evidence, **measured
        )
    if by_status[Status.UNKNOWN]:
        return unknown(
            f"could not observe {listing(by_status[Status.UNKNOWN])}", evidence, **measured
        )
    if by_status[Status.WARN]:
        return warned(f"needs attention: {listing(by_status[Status.WARN])}", evidence, **measured)
    return passed(f"{healthy}/{len(COMPONENTS)} core add-ons healthy", evidence, **measured)


# ---------------------------------------------------------------------------------------
# platform.certificates
# ---------------------------------------------------------------------------------------


def _cert_state(snap: Snapshot, cert: Obj) -> tuple[Status, str]:
    """fail when expired or not Ready; warn when expiring within the rubric window."""
    not_after = parse_time(status(cert).get("notAfter"))
    ready = condition(cert, "Ready")
    if not_after is not None and not_after <= snap.now:
        return Status.FAIL, f"expired {not_after.date()}"
    if not condition_true(cert, "Ready"):
        why = (ready or {}).get("reason") or ("no status yet" if ready is None else "not Ready")
        return Status.FAIL, f"not Ready ({why})"
    if not_after is None:
        return Status.PASS, "Ready; notAfter not reported"
    left = (not_after - snap.now).total_seconds() / 86400
    detail = f"Ready; expires {not_after.date()} ({left:.0f} days)"
    if left <= snap.params.cert_expiry_days:
        return Status.WARN, detail
    return Status.PASS, detail


@check(
    id="platform.certificates",
    title="Certificates valid and not expiring",
    needs=["certificates.cert-manager.io"],
    passes="every cert-manager Certificate is Ready and expires later than the rubric window "
    "(cert_expiry_days)",
    remediation="""
Find why renewal stalls: `kubectl describe certificate -n <ns> <name>` and `cmctl status
certificate <name>`; check the Issuer/ClusterIssuer is Ready and the ACME solver reachable.
Force a renewal with `cmctl renew <name>`.
""",
)
def certificates(snap: Snapshot) -> Result:
    """An expired certificate is a full outage for everything behind it, and cert-manager
    renews ahead of time, so a certificate close to expiry means renewal is already
    failing. Without cert-manager there is nothing we can observe here, so the check is
    skipped rather than passed."""
    if not snap.served("certificates.cert-manager.io"):
        return skipped(
            "cert-manager is not installed (Certificate API not served): no certificates "
            "we can observe"
        )
    certs = snap.items("certificates.cert-manager.io")
    if not certs:
        return skipped("cert-manager is installed but manages no Certificates")
    states = [(c, *_cert_state(snap, c)) for c in certs]
    bad = [(c, d) for c, s, d in states if s == Status.FAIL]
    soon = [(c, d) for c, s, d in states if s == Status.WARN]
    evidence = [ev("Certificate", c, d) for c, d in bad + soon]
    measured = {"certificates": len(certs), "failing": len(bad), "expiring": len(soon)}
    if bad:
        return failed(
            f"{len(bad)} of {len(certs)} certificates expired or not Ready", evidence, **measured
        )
    if soon:
        window = f"{snap.params.cert_expiry_days:g} days"
        return warned(
            f"{len(soon)} of {len(certs)} certificates expire within {window}",
            evidence,
            **measured,
        )
    evidence = [ev("Certificate", c, d) for c, _, d in states[:10]]
    return passed(
        f"{len(certs)}/{len(certs)} certificates Ready and not expiring", evidence, **measured
    )
