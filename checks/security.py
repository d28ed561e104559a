"""Foundation security: what makes "a solid foundation with excellent security" observable.

Six checks join the EKS control-plane settings (DescribeCluster, add-ons, IAM) with what the
cluster enforces on workloads (Pod Security admission, NetworkPolicies and an engine that
enforces them, pod-template hardening).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from checks.common import (
    Obj,
    app_namespaces,
    by_namespace,
    containers,
    ev,
    labels,
    listing,
    meta,
    name,
    namespace,
    parse_config,
    plural,
    pod_template,
    template_labels,
    workload_ready,
)
from readiness.model import (
    Evidence,
    Result,
    check,
    failed,
    passed,
    skipped,
    unknown,
    warned,
)
from readiness.snapshot import Snapshot, Unavailable

# -- shared helpers ----------------------------------------------------------------------


def _cluster_ref(snap: Snapshot, cluster: Mapping[str, Any]) -> str:
    return f"eks:cluster {cluster.get('name') or snap.cluster.cluster or '?'}"


def _version(text: Any) -> tuple[int, int] | None:
    """``"1.29"`` → ``(1, 29)``; ``None`` when EKS did not say or said something else."""
    try:
        major, minor = str(text).split(".")[:2]
        return int(major), int(minor)
    except ValueError:
        return None


def _share(part: int, whole: int) -> float:
    return round(part / whole, 3) if whole else 0.0


def _gather(
    fetches: Iterable[Callable[[], Any]],
) -> tuple[list[Any], Unavailable | None]:
    """Run each fetch; keep the values (``None`` where Unavailable) and the first failure."""
    values: list[Any] = []
    first_error: Unavailable | None = None
    for fetch in fetches:
        try:
            values.append(fetch())
        except Unavailable as exc:
            values.append(None)
            first_error = first_error or exc
    return values, first_error


# -- security.secrets-encryption ---------------------------------------------------------

# EKS 1.28+ envelope-encrypts all Kubernetes API data with an AWS-owned KMS key by default.
DEFAULT_ENCRYPTION_SINCE = (1, 28)


@check(
    id="security.secrets-encryption",
    title="Secrets envelope-encrypted with a customer KMS key",
    needs=["eks:cluster"],
    passes="the cluster's encryptionConfig covers `secrets` with a customer-managed KMS key",
    remediation="""
Enable envelope encryption with your own KMS key (cannot be disabled afterwards):
`aws eks associate-encryption-config --cluster-name <cluster> --encryption-config
'[{"resources":["secrets"],"provider":{"keyArn":"<kms-key-arn>"}}]'`, or in Terraform
(terraform-aws-modules/eks) `cluster_encryption_config = { resources = ["secrets"] }`
with `create_kms_key = true`.
""",
)
def secrets_encryption(snap: Snapshot) -> Result:
    """Kubernetes Secrets hold database passwords and API tokens; etcd backups and snapshots
    carry them too. Envelope encryption with a customer-managed KMS key means reading them
    needs a KMS call you control: you can audit it in CloudTrail, rotate the key and revoke
    access. Since EKS 1.28 AWS encrypts all API data with an AWS-owned key by default, so a
    cluster without a customer key still encrypts at rest but gives you none of that
    control: that is a warn, not a fail. Before 1.28 no envelope encryption exists at all
    without a configured key: fail."""
    cluster = snap.fact("eks:cluster") or {}
    where = _cluster_ref(snap, cluster)
    for cfg in cluster.get("encryptionConfig") or []:
        key_arn = (cfg.get("provider") or {}).get("keyArn")
        if "secrets" in (cfg.get("resources") or []) and key_arn:
            return passed(
                "Secrets are envelope-encrypted with a customer KMS key",
                [Evidence(where, f"encryptionConfig: secrets → {key_arn}")],
                kms_key=str(key_arn),
            )
    version = _version(cluster.get("version"))
    shown = cluster.get("version") or "unknown"
    evidence = [Evidence(where, f"no encryptionConfig for secrets; Kubernetes {shown}")]
    if version is not None and version >= DEFAULT_ENCRYPTION_SINCE:
        return warned(
            "Secrets are encrypted only with the AWS-owned default key (EKS ≥ 1.28): "
            "no customer KMS key to audit, rotate or revoke",
            evidence,
        )
    return failed(
        f"Secrets are not envelope-encrypted (Kubernetes {shown}, no KMS encryptionConfig; "
        "default encryption needs EKS ≥ 1.28)",
        evidence,
    )


# -- security.endpoint-access ------------------------------------------------------------

OPEN_CIDRS = {"0.0.0.0/0", "::/0"}


@check(
    id="security.endpoint-access",
    title="API server endpoint private, or public only to known CIDRs",
    needs=["eks:cluster"],
    passes="private endpoint access is on and public access is off or limited to named CIDRs",
    remediation="""
`aws eks update-cluster-config --name <cluster> --resources-vpc-config
endpointPrivateAccess=true,endpointPublicAccess=false` (or keep public access with
`publicAccessCidrs=<office/VPN CIDRs>`); Terraform: `cluster_endpoint_private_access = true`,
`cluster_endpoint_public_access_cidrs = ["203.0.113.0/24"]`.
""",
)
def endpoint_access(snap: Snapshot) -> Result:
    """The API server is the cluster's front door: open to 0.0.0.0/0 it is one leaked
    token or API-server CVE away from the internet. Private access keeps node and pod
    traffic to the API inside the VPC; if public access is kept, it should admit only known
    CIDRs. Public-but-restricted without private access still works but sends node traffic
    out through the NAT to a public endpoint, so it is a warn."""
    cluster = snap.fact("eks:cluster") or {}
    where = _cluster_ref(snap, cluster)
    vpc = cluster.get("resourcesVpcConfig")
    if not isinstance(vpc, Mapping):
        raise Unavailable("eks:cluster", "DescribeCluster returned no resourcesVpcConfig")
    public = bool(vpc.get("endpointPublicAccess"))
    private = bool(vpc.get("endpointPrivateAccess"))
    # EKS reports ["0.0.0.0/0"] when public access is unrestricted; treat absence the same.
    cidrs = list(vpc.get("publicAccessCidrs") or ["0.0.0.0/0"])
    detail = f"public={public}, private={private}" + (
        f", publicAccessCidrs={', '.join(cidrs)}" if public else ""
    )
    evidence = [Evidence(where, detail)]
    open_to_all = public and bool(OPEN_CIDRS & set(cidrs))
    if not public and not private:
        raise Unavailable("eks:cluster", "DescribeCluster reports neither public nor private")
    if open_to_all:
        return failed("API endpoint is public to the whole internet (0.0.0.0/0)", evidence)
    if public and not private:
        return warned(
            f"API endpoint public only to {plural(len(cidrs), 'CIDR')}, but private access "
            "is off: node traffic to the API leaves the VPC",
            evidence,
        )
    if public:
        return passed(
            f"private endpoint on; public access limited to {plural(len(cidrs), 'CIDR')}",
            evidence,
        )
    return passed("API endpoint is private only", evidence)


# -- security.workload-identity ----------------------------------------------------------

ROLE_ARN_ANNOTATION = "eks.amazonaws.com/role-arn"
POD_IDENTITY_ADDON = "eks-pod-identity-agent"


def _issuer_registered(issuer: str, providers: Iterable[str]) -> str | None:
    """The IAM OIDC provider ARN for the cluster's issuer, if registered.

    ARNs look like ``arn:aws:iam::<acct>:oidc-provider/oidc.eks.<region>.amazonaws.com/id/X``;
    the issuer is the same host/path behind ``https://``.
    """
    host_path = issuer.split("://", 1)[-1].rstrip("/").lower()
    for arn in providers:
        if str(arn).lower().endswith(f":oidc-provider/{host_path}"):
            return str(arn)
    return None


def _role_arn(sa: Obj) -> str:
    # common.annotations() is shadowed for mypy by ``from __future__ import annotations``
    return str((meta(sa).get("annotations") or {}).get(ROLE_ARN_ANNOTATION) or "").strip()


def _irsa_accounts(accounts: Iterable[Obj]) -> list[Obj]:
    return [sa for sa in accounts if _role_arn(sa)]


@check(
    id="security.workload-identity",
    title="Pods get AWS credentials from IRSA or EKS Pod Identity",
    needs=[
        "eks:cluster",
        "iam:oidc-providers",
        "serviceaccounts",
        "eks:addons",
        "eks:pod-identity-associations",
    ],
    passes="IRSA (issuer registered in IAM) or Pod Identity (agent ACTIVE) is set up and used "
    "by at least one ServiceAccount / association",
    remediation="""
IRSA: `eksctl utils associate-iam-oidc-provider --cluster <cluster> --approve`, then annotate
ServiceAccounts with `eks.amazonaws.com/role-arn` (Terraform: `enable_irsa = true`).
Pod Identity: `aws eks create-addon --cluster-name <cluster> --addon-name
eks-pod-identity-agent`, then `aws eks create-pod-identity-association`.
""",
)
def workload_identity(snap: Snapshot) -> Result:
    """Without IRSA or Pod Identity, pods borrow the node's instance role, so every pod on
    a node holds every permission any of them needs, and node credentials leak to any
    compromised container. Per-ServiceAccount roles scope AWS access to the workload that
    needs it. Annotated ServiceAccounts without a registered OIDC provider get tokens IAM
    rejects, so the mechanism has to exist, not just the annotation."""
    (cluster, providers, accounts, addons, assocs), missing = _gather(
        [
            lambda: snap.fact("eks:cluster") or {},
            lambda: snap.fact("iam:oidc-providers") or [],
            lambda: snap.items("serviceaccounts"),
            lambda: snap.fact("eks:addons") or [],
            lambda: snap.fact("eks:pod-identity-associations") or [],
        ]
    )
    irsa = _irsa_view(cluster, providers, accounts)
    pid = _pod_identity_view(addons, assocs)
    evidence = irsa[2] + pid[2]
    if irsa[0] == "used" or pid[0] == "used":
        used = [what for what, view in (("IRSA", irsa), ("Pod Identity", pid)) if view[0] == "used"]
        return passed(
            f"{' and '.join(used)} in use: {irsa[1]}; {pid[1]}",
            evidence,
            irsa_service_accounts=len(_irsa_accounts(accounts or [])),
            pod_identity_associations=len(assocs or []),
        )
    if missing is not None:
        raise missing
    if irsa[0] == "ready" or pid[0] == "ready":
        return warned(
            f"workload identity is set up but unused: {irsa[1]}; {pid[1]}",
            evidence,
            irsa_service_accounts=0,
            pod_identity_associations=0,
        )
    return failed(f"no working IRSA or Pod Identity: {irsa[1]}; {pid[1]}", evidence)


def _irsa_view(cluster: Any, providers: Any, accounts: Any) -> tuple[str, str, list[Evidence]]:
    """("used" | "ready" | "absent" | "unknown", summary, evidence) for IRSA."""
    if cluster is None or providers is None:
        return "unknown", "IRSA not observable", []
    issuer = str(((cluster.get("identity") or {}).get("oidc") or {}).get("issuer") or "")
    arn = _issuer_registered(issuer, providers) if issuer else None
    annotated = _irsa_accounts(accounts) if accounts is not None else []
    evidence = [
        ev(
            "ServiceAccount",
            sa,
            f"{ROLE_ARN_ANNOTATION}: {_role_arn(sa)}",
        )
        for sa in annotated[:5]
    ]
    if arn is None:
        why = "cluster has no OIDC issuer" if not issuer else "OIDC issuer not registered in IAM"
        if annotated:
            why += f" yet {plural(len(annotated), 'ServiceAccount')} carry a role-arn (broken)"
        return "absent", f"IRSA: {why}", evidence
    evidence.insert(0, Evidence("iam:oidc-providers", f"{arn} registered for {issuer}"))
    if accounts is None:
        return "unknown", "IRSA provider registered, ServiceAccounts not observable", evidence
    if annotated:
        shown = listing(f"{namespace(sa)}/{name(sa)}" for sa in annotated)
        return "used", f"IRSA: {plural(len(annotated), 'ServiceAccount')} ({shown})", evidence
    return "ready", "IRSA: provider registered, no ServiceAccount annotated", evidence


def _pod_identity_view(addons: Any, assocs: Any) -> tuple[str, str, list[Evidence]]:
    """("used" | "ready" | "absent" | "unknown", summary, evidence) for EKS Pod Identity."""
    if addons is None:
        return "unknown", "Pod Identity not observable", []
    agent = next((a for a in addons if a.get("addonName") == POD_IDENTITY_ADDON), None)
    if agent is None:
        note = " (associations exist but will not work)" if assocs else ""
        return "absent", f"Pod Identity: agent add-on not installed{note}", []
    state = str(agent.get("status") or "UNKNOWN")
    evidence = [Evidence(f"eks:addon {POD_IDENTITY_ADDON}", f"status {state}")]
    if state != "ACTIVE":
        return "absent", f"Pod Identity: agent add-on {state}", evidence
    if assocs is None:
        return "unknown", "Pod Identity agent ACTIVE, associations not observable", evidence
    for a in assocs[:5]:
        evidence.append(
            Evidence(
                f"eks:pod-identity-association {a.get('associationId', '?')}",
                f"{a.get('namespace')}/{a.get('serviceAccount')}",
            )
        )
    if assocs:
        return "used", f"Pod Identity: {plural(len(assocs), 'association')}", evidence
    return "ready", "Pod Identity: agent ACTIVE, no association", evidence


# -- security.pod-security ---------------------------------------------------------------

PSA_ENFORCE = "pod-security.kubernetes.io/enforce"
ENFORCING_LEVELS = ("baseline", "restricted")


@check(
    id="security.pod-security",
    title="Pod Security admission enforces baseline or restricted",
    needs=["namespaces"],
    passes="every app namespace is labelled pod-security.kubernetes.io/enforce=baseline or "
    "restricted",
    remediation="""
`kubectl label namespace <ns> pod-security.kubernetes.io/enforce=restricted
pod-security.kubernetes.io/enforce-version=latest` (start with `warn=restricted` to see what
would break), or set the labels on the namespace resource in Terraform/Helm.
""",
)
def pod_security(snap: Snapshot) -> Result:
    """Pod Security admission is the built-in guard that rejects privileged pods, host
    namespaces and hostPath mounts before they run. A namespace without an enforce label
    (or with `privileged`) admits anything, so one compromised deployment pipeline can
    schedule a pod that owns its node."""
    apps = app_namespaces(snap)
    if not apps:
        return skipped("no application namespaces (every namespace is in the system list)")
    level: dict[str, str] = {}
    for ns in snap.items("namespaces"):
        level[name(ns)] = str(labels(ns).get(PSA_ENFORCE) or "")
    enforced = [n for n in apps if level.get(n) in ENFORCING_LEVELS]
    missing = [n for n in apps if level.get(n) not in ENFORCING_LEVELS]
    by_level = {lv: sum(1 for n in enforced if level[n] == lv) for lv in ENFORCING_LEVELS}
    measured = {"enforced_share": _share(len(enforced), len(apps)), "namespaces": len(apps)}
    counts = f"{len(enforced)} of {plural(len(apps), 'app namespace')}"
    evidence = [
        Evidence(f"Namespace {n}", f"enforce={level.get(n) or '(not set)'}") for n in missing[:5]
    ]
    evidence.append(
        Evidence(
            "namespaces",
            f"{counts} enforce (restricted {by_level['restricted']}, "
            f"baseline {by_level['baseline']})",
        )
    )
    if not missing:
        return passed(f"{counts} enforce baseline or restricted", evidence, **measured)
    if enforced:
        return warned(
            f"{counts} enforce Pod Security; not enforcing: {listing(missing)}",
            evidence,
            **measured,
        )
    return failed(
        f"no app namespace enforces Pod Security ({listing(missing)})", evidence, **measured
    )


# -- security.network-policies -----------------------------------------------------------

# DaemonSets that enforce NetworkPolicy, by identity label (key, value) pairs.
CALICO_LABELS = {("k8s-app", "calico-node"), ("app.kubernetes.io/name", "calico-node")}
CILIUM_LABELS = {("k8s-app", "cilium"), ("app.kubernetes.io/name", "cilium-agent")}
AWS_NODE_LABELS = {("k8s-app", "aws-node"), ("app.kubernetes.io/name", "aws-node")}
NP_AGENT_FLAG = "--enable-network-policy"


def _labelled(obj: Obj, pairs: set[tuple[str, str]]) -> bool:
    have = {(k, str(v)) for src in (labels(obj), template_labels(obj)) for k, v in src.items()}
    return bool(have & pairs)


def _vpc_cni_agent_on(ds: Obj) -> bool:
    """Whether aws-node's network policy agent enforces policies. The agent container is
    found by the flag it takes, not its name: the add-on and the Helm chart call it
    ``aws-eks-nodeagent`` (its image is aws-network-policy-agent), and they ship it with
    ``--enable-network-policy=false`` until policy enforcement is turned on."""
    for c in containers(pod_template(ds), init=False):
        args = [str(a) for a in (c.get("args") or []) + (c.get("command") or [])]
        flags = [a for a in args if a.split("=", 1)[0] == NP_AGENT_FLAG]
        if flags:
            return flags[-1] in (NP_AGENT_FLAG, f"{NP_AGENT_FLAG}=true")
    return False


def _daemonset_engines(daemonsets: list[Obj]) -> list[tuple[str, Obj, bool, str]]:
    """(engine, DaemonSet, ready, readiness text) for every enforcing engine found."""
    found = []
    for ds in daemonsets:
        engine = None
        if _labelled(ds, AWS_NODE_LABELS) and _vpc_cni_agent_on(ds):
            engine = "VPC CNI network policy agent"
        elif _labelled(ds, CALICO_LABELS):
            engine = "Calico"
        elif _labelled(ds, CILIUM_LABELS):
            engine = "Cilium"
        if engine:
            ready, text = workload_ready("DaemonSet", ds)
            found.append((engine, ds, ready, text))
    return found


def _addon_enables_policy(addons: list[Obj]) -> Obj | None:
    for addon in addons:
        if addon.get("addonName") != "vpc-cni" or addon.get("status") != "ACTIVE":
            continue
        values = parse_config(addon.get("configurationValues"))
        if isinstance(values, Mapping) and str(values.get("enableNetworkPolicy")).lower() == "true":
            return addon
    return None


def _engine(snap: Snapshot) -> tuple[bool | None, list[Evidence]]:
    """Whether something enforces NetworkPolicy (None: could not tell) and what was seen."""
    (daemonsets, addons), missing = _gather(
        [lambda: snap.items("daemonsets"), lambda: snap.fact("eks:addons") or []]
    )
    evidence: list[Evidence] = []
    ready_engine = False
    for engine, ds, ready, text in _daemonset_engines(daemonsets or []):
        evidence.append(ev("DaemonSet", ds, f"{engine}, {text}"))
        ready_engine = ready_engine or ready
    addon = _addon_enables_policy(addons or [])
    if addon is not None:
        evidence.append(Evidence("eks:addon vpc-cni", "configurationValues enableNetworkPolicy"))
    if ready_engine or addon is not None:
        return True, evidence
    if missing is not None:
        return None, evidence + [Evidence(missing.key, missing.reason)]
    return False, evidence


@check(
    id="security.network-policies",
    title="NetworkPolicies in every app namespace, and an engine enforcing them",
    needs=["namespaces", "networkpolicies", "daemonsets", "eks:addons"],
    passes="every app namespace has a NetworkPolicy and the VPC CNI policy agent, Calico or "
    "Cilium enforces them",
    remediation="""
Turn on enforcement: `aws eks update-addon --cluster-name <cluster> --addon-name vpc-cni
--configuration-values '{"enableNetworkPolicy": "true"}'` (or install Calico/Cilium), then
add a default-deny policy per namespace (`podSelector: {}`, `policyTypes: [Ingress, Egress]`)
plus the allows each app needs.
""",
)
def network_policies(snap: Snapshot) -> Result:
    """Without NetworkPolicies every pod can reach every other pod and the node metadata
    endpoints, so one compromised container can probe databases in other namespaces. A
    policy is only a wish unless the CNI enforces it: the VPC CNI ignores NetworkPolicies
    unless its network policy agent is enabled, so policies without an engine are a warn,
    not a pass."""
    apps = app_namespaces(snap)
    if not apps:
        return skipped("no application namespaces (every namespace is in the system list)")
    policies = by_namespace(snap, "networkpolicies")
    covered = [n for n in apps if policies.get(n)]
    uncovered = [n for n in apps if not policies.get(n)]
    counts = f"{len(covered)} of {plural(len(apps), 'app namespace')} have a NetworkPolicy"
    measured = {"covered_share": _share(len(covered), len(apps)), "namespaces": len(apps)}
    evidence = [Evidence(f"Namespace {n}", "no NetworkPolicy") for n in uncovered[:5]]
    if not covered:
        return failed(
            f"no app namespace has a NetworkPolicy ({listing(apps)})", evidence, **measured
        )
    enforced, engine_evidence = _engine(snap)
    evidence = engine_evidence + evidence
    if enforced is None:
        return unknown(
            f"{counts}, but whether anything enforces them could not be observed",
            evidence,
            **measured,
        )
    if not enforced:
        return warned(
            f"{counts}, but nothing enforces them (no VPC CNI policy agent, Calico or Cilium)",
            evidence,
            **measured,
        )
    if uncovered:
        return warned(f"{counts}; without: {listing(uncovered)}", evidence, **measured)
    return passed(f"{counts}, and they are enforced", evidence, **measured)


# -- security.workload-hardening ---------------------------------------------------------

HARDENING_KINDS = {
    "deployments": "Deployment",
    "statefulsets": "StatefulSet",
    "daemonsets": "DaemonSet",
    "cronjobs": "CronJob",
}


def _sc(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    return obj.get("securityContext") or {}


def _runs_as_non_root(pod: Mapping[str, Any], container: Mapping[str, Any]) -> bool:
    """Container settings override the pod's; an explicit UID decides over runAsNonRoot."""
    uid = _sc(container).get("runAsUser", _sc(pod).get("runAsUser"))
    if uid is not None:
        return int(uid) > 0
    return _sc(container).get("runAsNonRoot", _sc(pod).get("runAsNonRoot")) is True


def _blocking(pod: Mapping[str, Any]) -> list[str]:
    """Settings that hand the node to the container: privileged, host namespaces, hostPath."""
    out = [
        f"privileged container {c.get('name')}"
        for c in containers(pod)
        if _sc(c).get("privileged") is True
    ]
    out += [field for field in ("hostNetwork", "hostPID", "hostIPC") if pod.get(field) is True]
    out += [
        f"hostPath {(v.get('hostPath') or {}).get('path', '?')}"
        for v in pod.get("volumes") or []
        if v.get("hostPath") is not None
    ]
    return out


@check(
    id="security.workload-hardening",
    title="App workloads run unprivileged, non-root, with read-only root filesystems",
    needs=["deployments", "statefulsets", "daemonsets", "cronjobs", "namespaces"],
    passes="no privileged container, host namespace or hostPath in app workloads; all run as "
    "non-root; the read-only root filesystem share meets the rubric minimum",
    remediation="""
In each pod template set `securityContext: {runAsNonRoot: true, runAsUser: 10001}` and per
container `securityContext: {privileged: false, allowPrivilegeEscalation: false,
readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}` (mount an emptyDir for /tmp);
remove hostNetwork/hostPID/hostIPC and hostPath volumes. Pod Security `restricted` then
keeps it that way.
""",
)
def workload_hardening(snap: Snapshot) -> Result:
    """A privileged container, a host namespace or a hostPath mount turns a container
    escape into node ownership, and from the node into every pod's credentials. Running as
    root and a writable root filesystem make the escape and persistence easier. Pod
    templates of the controllers are read (never Pods) so the verdict names what to fix."""
    apps = set(app_namespaces(snap))
    blocked: list[tuple[str, Obj, list[str]]] = []
    rooted: list[tuple[str, Obj, list[str]]] = []
    total = ro_containers = all_containers = 0
    for key, kind in HARDENING_KINDS.items():
        for obj in snap.items(key):
            if namespace(obj) not in apps:
                continue
            total += 1
            pod = pod_template(obj)
            if problems := _blocking(pod):
                blocked.append((kind, obj, problems))
            cs = containers(pod)
            if root := [str(c.get("name")) for c in cs if not _runs_as_non_root(pod, c)]:
                rooted.append((kind, obj, root))
            all_containers += len(cs)
            ro_containers += sum(1 for c in cs if _sc(c).get("readOnlyRootFilesystem") is True)
    if total == 0:
        return skipped("no workloads in application namespaces")
    ro_share = _share(ro_containers, all_containers)
    measured = {
        "workloads": total,
        "privileged_or_host": len(blocked),
        "root_workloads": len(rooted),
        "readonly_rootfs_share": ro_share,
    }
    minimum = snap.params.readonly_rootfs_min_share
    ro_text = f"read-only root filesystem {ro_containers}/{all_containers} containers"
    if blocked:
        return failed(
            f"{len(blocked)} of {plural(total, 'workload')} privileged or using host "
            f"namespaces/hostPath: {listing(_names(blocked))}",
            _offenders(blocked) + _offenders(rooted, "may run as root: "),
            **measured,
        )
    short = []
    if rooted:
        short.append(f"{len(rooted)} may run as root ({listing(_names(rooted))})")
    if ro_share < minimum:
        short.append(f"{ro_text} ({ro_share:.0%} < {minimum:.0%})")
    if short:
        return warned(
            f"{plural(total, 'workload')} unprivileged, but " + "; ".join(short),
            _offenders(rooted, "may run as root: ") + [Evidence("workloads", ro_text)],
            **measured,
        )
    return passed(
        f"{plural(total, 'workload')} unprivileged and non-root; {ro_text}",
        [Evidence("workloads", f"{total} checked in {plural(len(apps), 'app namespace')}")],
        **measured,
    )


def _names(found: list[tuple[str, Obj, list[str]]]) -> list[str]:
    return [f"{kind} {namespace(obj)}/{name(obj)}" for kind, obj, _ in found]


def _offenders(found: list[tuple[str, Obj, list[str]]], prefix: str = "") -> list[Evidence]:
    out = [ev(kind, obj, prefix + ", ".join(problems)) for kind, obj, problems in found[:5]]
    if len(found) > 5:
        out.append(Evidence("workloads", f"+{len(found) - 5} more ({prefix or 'blocking'})"))
    return out
