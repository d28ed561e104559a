"""Secrets from AWS Secrets Manager mounted through the Secrets Store CSI driver (roadmap
Week 1: "SecretProviderClass working with example secrets").

The proof that secrets integration works is a pod that has an AWS SecretProviderClass
mounted, not the driver being installed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from checks.common import (
    Obj,
    daemonset_nodes,
    daemonset_on_all_nodes,
    ev,
    identity_values,
    listing,
    name,
    namespace,
    parse_config,
    plural,
    pod_template,
    spec,
    status,
)
from readiness.model import Evidence, Result, check, failed, passed, warned
from readiness.snapshot import Snapshot, Unavailable

DRIVER = "secrets-store.csi.k8s.io"
SPCS = "secretproviderclasses.secrets-store.csi.x-k8s.io"
SPC_POD_STATUSES = "secretproviderclasspodstatuses.secrets-store.csi.x-k8s.io"

# Identity label values of the driver and the AWS provider (upstream manifests, Helm
# charts and the EKS add-on).
DRIVER_IDS = {"csi-secrets-store", "secrets-store-csi-driver"}
PROVIDER_IDS = {"csi-secrets-store-provider-aws", "secrets-store-csi-driver-provider-aws"}


def _registers_driver(ds: Obj) -> bool:
    """The DaemonSet registers the driver's socket with the kubelet (capability, for
    installs whose labels we do not know)."""
    for c in pod_template(ds).get("containers") or []:
        for arg in c.get("args") or []:
            if "--kubelet-registration-path=" in str(arg) and "csi-secrets-store" in str(arg):
                return True
    return False


def _daemonset_verdict(
    what: str, found: Sequence[Obj], nodes: int
) -> tuple[bool, str | None, list[Evidence]]:
    """(present, problem or None, evidence) for a node agent that must run on every node."""
    evidence: list[Evidence] = []
    ok_any = False
    for ds in found:
        ok, detail = daemonset_on_all_nodes(ds, nodes)
        ok_any = ok_any or ok
        evidence.append(ev("DaemonSet", ds, detail))
    if not found:
        return False, f"{what} DaemonSet not found", evidence
    if not ok_any:
        return True, f"{what} not ready on all {plural(nodes, 'node')}", evidence
    return True, None, evidence


def spc_objects(spc: Obj) -> list[Mapping[str, Any]]:
    """The ``objects`` parameter of an AWS SecretProviderClass: a YAML list in a string."""
    parsed = parse_config((spec(spc).get("parameters") or {}).get("objects"))
    return [o for o in parsed or [] if isinstance(o, Mapping)] if isinstance(parsed, list) else []


def secret_refs(spc: Obj) -> list[str]:
    """Secrets Manager secrets an SPC names: objectType secretsmanager, or an ARN of one."""
    out = []
    for o in spc_objects(spc):
        obj_name = str(o.get("objectName") or "")
        arn_type = obj_name.split(":")[2] if obj_name.startswith("arn:") else None
        if (o.get("objectType") or arn_type) == "secretsmanager" and obj_name:
            out.append(obj_name)
    return out


def secret_exists(ref: str, secrets: Sequence[Mapping[str, Any]]) -> bool:
    """By name, full ARN, or partial ARN (without the 6-character suffix AWS appends)."""
    for s in secrets:
        arn = str(s.get("ARN") or "")
        if ref in (s.get("Name"), arn) or (ref.startswith("arn:") and arn.startswith(ref + "-")):
            return True
    return False


def _foreign(ref: str, spc: Obj, snap: Snapshot, secrets: Sequence[Mapping[str, Any]]) -> bool:
    """A reference into another region or account cannot be checked against our listing."""
    region = (spec(spc).get("parameters") or {}).get("region")
    if region and snap.cluster.region and region != snap.cluster.region:
        return True
    if ref.startswith("arn:"):
        parts = ref.split(":")
        ours = {tuple(str(s.get("ARN", "")).split(":")[3:5]) for s in secrets}
        return bool(ours) and tuple(parts[3:5]) not in ours
    return False


def missing_secrets(snap: Snapshot, spcs: Sequence[Obj]) -> tuple[list[str], list[Evidence]]:
    """Referenced secrets absent from Secrets Manager (``ns/spc: ref``), with evidence."""
    secrets = list(snap.fact("secretsmanager:secrets") or [])
    missing: list[str] = []
    checked = 0
    for spc in spcs:
        for ref in secret_refs(spc):
            if _foreign(ref, spc, snap, secrets):
                continue
            checked += 1
            if not secret_exists(ref, secrets):
                missing.append(f"{namespace(spc)}/{name(spc)}: {ref}")
    detail = f"{checked} referenced secret(s) checked, {len(missing)} missing"
    if missing:
        detail += f" ({listing(missing, 3)})"
    return missing, [Evidence("secretsmanager:secrets", detail)]


def mounted_spcs(snap: Snapshot, spcs: Sequence[Obj]) -> dict[tuple[str, str], int]:
    """(namespace, SPC name) → number of pods with it mounted."""
    wanted = {(namespace(s), name(s)) for s in spcs}
    out: dict[tuple[str, str], int] = {}
    for ps in snap.items(SPC_POD_STATUSES):
        st = status(ps)
        key = (namespace(ps), str(st.get("secretProviderClassName") or ""))
        if st.get("mounted") is True and key in wanted:
            out[key] = out.get(key, 0) + 1
    return out


@check(
    id="secrets.provider-class",
    title="Secrets Store CSI driver mounts AWS secrets into pods",
    needs=[
        "csidrivers",
        "daemonsets",
        "nodes",
        SPCS,
        SPC_POD_STATUSES,
        "secretsmanager:secrets",
    ],
    passes="the Secrets Store CSI driver and AWS provider are ready on every node, an AWS "
    "SecretProviderClass exists, a pod has it mounted, and the secrets it names exist",
    remediation="""
Enable the example SecretProviderClass (roadmap Week 1 / quick win): in
infrastructure/dev/kubernetes-addons/terragrunt.hcl set
create_example_secret_provider_class = true and run terragrunt apply; create the secrets it
names (scripts/setup-secrets.sh) and deploy a pod that mounts it
(kubectl apply -f examples/secure-production-app.yaml). If the driver is missing: helm install
csi-secrets-store secrets-store-csi-driver/secrets-store-csi-driver -n kube-system plus the
aws-secrets-store-csi-driver-provider (EKS add-on or Helm chart).
""",
)
def provider_class(snap: Snapshot) -> Result:
    """Keeping secrets in AWS Secrets Manager instead of Kubernetes Secrets only helps if
    pods really receive them. The driver and AWS provider must run on every node (a pod on a
    node without them fails to start), a SecretProviderClass must say what to fetch, and a
    SecretProviderClassPodStatus with mounted=true proves a pod got it. Referenced secrets
    are looked up by name/ARN (metadata only). If that AWS lookup is denied the check still
    decides: a mount succeeds only when the provider could fetch every object, so a mounted
    SecretProviderClass already proves its secrets existed at mount time; the gap is noted
    in the evidence rather than turned into unknown."""
    drivers = [d for d in snap.items("csidrivers") if name(d) == DRIVER]
    if not drivers:
        return failed(f"Secrets Store CSI driver not installed (no CSIDriver {DRIVER})")
    evidence = [ev("CSIDriver", drivers[0], "registered")]
    nodes = len(daemonset_nodes(snap))
    daemonsets = snap.items("daemonsets")
    drv = [d for d in daemonsets if identity_values(d) & DRIVER_IDS or _registers_driver(d)]
    present, drv_problem, drv_ev = _daemonset_verdict("driver", drv, nodes)
    evidence += drv_ev
    if not present:
        return failed(
            f"CSIDriver {DRIVER} is registered but its driver DaemonSet is missing", evidence
        )
    prv = [d for d in daemonsets if identity_values(d) & PROVIDER_IDS]
    _, prv_problem, prv_ev = _daemonset_verdict("AWS provider", prv, nodes)
    evidence += prv_ev
    problems = [p for p in (drv_problem, prv_problem) if p]

    spcs = [s for s in snap.items(SPCS) if str(spec(s).get("provider", "")).lower() == "aws"]
    if not spcs:
        problems.append(
            "driver ready, no SecretProviderClass: set create_example_secret_provider_class = true"
            if not problems
            else "no AWS SecretProviderClass"
        )
        return warned("; ".join(problems), evidence)
    mounted = mounted_spcs(snap, spcs)
    for s in spcs:
        pods = mounted.get((namespace(s), name(s)), 0)
        detail = f"provider aws, mounted by {plural(pods, 'pod')}"
        evidence.append(ev("SecretProviderClass", s, detail))
    if not mounted:
        spc_count = plural(len(spcs), "AWS SecretProviderClass", "AWS SecretProviderClasses")
        problems.append(f"{spc_count} but no pod has one mounted")
    try:
        missing, sm_ev = missing_secrets(snap, spcs)
        evidence += sm_ev
        if missing:
            problems.append(f"{plural(len(missing), 'referenced secret')} not in Secrets Manager")
    except Unavailable as exc:
        evidence.append(Evidence("secretsmanager:secrets", f"not verified: {exc.reason}"))
    if problems:
        return warned("; ".join(problems), evidence)
    used = plural(len(mounted), "AWS SecretProviderClass", "AWS SecretProviderClasses")
    users = plural(sum(mounted.values()), "pod")
    return passed(
        f"CSI driver and AWS provider ready on every node; {used} mounted by {users}", evidence
    )
