"""RBAC before production: nobody who should not be is a cluster admin, and we know who is.

Joins Kubernetes RBAC (bindings to cluster-admin or admin-equivalent ClusterRoles) with the
two ways EKS maps IAM principals into the cluster: access entries (AWS) and the legacy
aws-auth ConfigMap.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from checks.common import Obj, listing, name, namespace, parse_config, plural
from readiness.model import Evidence, Result, check, failed, passed, unknown, warned
from readiness.snapshot import Snapshot, Unavailable

CLUSTER_ADMIN = "cluster-admin"
CLUSTER_ADMIN_POLICY = "AmazonEKSClusterAdminPolicy"
MASTERS = "system:masters"
# Subjects that mean "anyone": granting them admin hands the cluster to every caller.
EVERYONE = {"system:anonymous", "system:unauthenticated", "system:authenticated"}
# The groups every ServiceAccount (``system:serviceaccounts``) or every ServiceAccount of one
# namespace (``system:serviceaccounts:<ns>``) is in: both include `default` accounts, which
# every pod without its own account mounts.
ALL_SERVICE_ACCOUNTS = "system:serviceaccounts"
# System-list namespaces that are not an add-on's home: an admin ServiceAccount there is
# not a controller's install default but a hand-made grant.
NOT_ADDON_HOMES = {"default", "kube-public", "kube-node-lease"}
# The verbs that together allow reading and changing everything (Polaris counts these
# spelled out the same as "*").
ALL_WRITE_VERBS = {"get", "list", "watch", "create", "update", "patch", "delete"}


@dataclass(frozen=True)
class Grant:
    """One subject holding admin through one binding."""

    binding: str
    role: str
    subject: Mapping[str, Any]
    scope: str  # "cluster-wide" or "in namespace <ns>"

    @property
    def who(self) -> str:
        kind = self.subject.get("kind", "?")
        ns = self.subject.get("namespace")
        sa_ns = f"{ns}/" if kind == "ServiceAccount" and ns else ""
        return f"{kind} {sa_ns}{self.subject.get('name', '?')}"

    def evidence(self, note: str = "") -> Evidence:
        return Evidence(self.binding, f"{self.who} → {self.role} {self.scope}{note}")


def _is_admin_rule(rule: Mapping[str, Any]) -> bool:
    groups = set(rule.get("apiGroups") or [])
    resources = set(rule.get("resources") or [])
    verbs = set(rule.get("verbs") or [])
    return "*" in groups and "*" in resources and ("*" in verbs or ALL_WRITE_VERBS <= verbs)


def admin_roles(clusterroles: Iterable[Obj] | None) -> set[str]:
    """ClusterRoles that amount to cluster-admin: the reserved name (the API server
    reconciles it to full access) or a rule granting every verb on every resource of
    every API group. ``None`` (ClusterRoles unreadable) leaves only the name."""
    out = {CLUSTER_ADMIN}
    for role in clusterroles or []:
        if any(_is_admin_rule(r) for r in role.get("rules") or []):
            out.add(name(role))
    return out


def admin_grants(snap: Snapshot, admin: set[str]) -> list[Grant]:
    """Every (binding, subject) pair that binds an admin-equivalent ClusterRole."""
    grants: list[Grant] = []
    for key, kind in (
        ("clusterrolebindings", "ClusterRoleBinding"),
        ("rolebindings", "RoleBinding"),
    ):
        for b in snap.items(key):
            ref = b.get("roleRef") or {}
            if ref.get("kind") != "ClusterRole" or ref.get("name") not in admin:
                continue
            ns = namespace(b)
            scope = f"in namespace {ns}" if kind == "RoleBinding" else "cluster-wide"
            where = f"{kind} {ns}/{name(b)}" if ns else f"{kind} {name(b)}"
            for subject in b.get("subjects") or []:
                if subject.get("kind") == "ServiceAccount" and not subject.get("namespace"):
                    subject = {**subject, "namespace": ns}  # RoleBinding SA defaults to its ns
                grants.append(Grant(where, str(ref.get("name")), subject, scope))
    return grants


def _classify(snap: Snapshot, g: Grant) -> str:
    """The verdict on one admin grant: fail, addon (warn) or ok (see the rationale)."""
    kind, who = g.subject.get("kind"), str(g.subject.get("name", ""))
    if who in EVERYONE:
        return "fail"
    if kind == "Group" and (
        who == ALL_SERVICE_ACCOUNTS or who.startswith(ALL_SERVICE_ACCOUNTS + ":")
    ):
        return "fail"
    if kind != "ServiceAccount":
        return "ok"  # humans and groups: counted as admins, not judged here
    if who == "default":
        return "fail"
    ns = str(g.subject.get("namespace") or "")
    addon_homes = set(snap.params.system_namespaces) - NOT_ADDON_HOMES
    return "addon" if ns in addon_homes or ns == "kube-system" else "fail"


# -- cluster admin count ------------------------------------------------------------------


def _aws_auth(snap: Snapshot) -> Obj | None:
    for cm in snap.items("configmaps"):
        if namespace(cm) == "kube-system" and name(cm) == "aws-auth":
            return cm
    return None


def _aws_auth_principals(cm: Obj | None) -> list[tuple[str, str, list[str]]]:
    """(ARN, username, groups) of every aws-auth mapRoles / mapUsers entry."""
    out: list[tuple[str, str, list[str]]] = []
    data = (cm or {}).get("data") or {}
    for field, arn_key in (("mapRoles", "rolearn"), ("mapUsers", "userarn")):
        entries = parse_config(data.get(field))
        for e in entries if isinstance(entries, list) else []:
            if isinstance(e, Mapping) and e.get(arn_key):
                groups = [str(x) for x in e.get("groups") or []]
                out.append((str(e[arn_key]), str(e.get("username") or ""), groups))
    return out


def _entry_is_admin(entry: Mapping[str, Any], groups: set[str], users: set[str]) -> bool:
    for p in entry.get("accessPolicies") or []:
        scope = (p.get("accessScope") or {}).get("type", "cluster")
        if str(p.get("policyArn", "")).endswith(f"/{CLUSTER_ADMIN_POLICY}") and scope == "cluster":
            return True
    return bool(set(entry.get("kubernetesGroups") or []) & groups) or entry.get("username") in users


def cluster_admins(
    snap: Snapshot, grants: list[Grant]
) -> tuple[set[str], list[Evidence], list[Unavailable]]:
    """IAM principals (and directly bound users) holding cluster-wide admin, the evidence,
    and what could not be read (so the count is a lower bound)."""
    wide = [g for g in grants if g.scope == "cluster-wide"]
    groups = {MASTERS} | {
        str(g.subject.get("name")) for g in wide if g.subject.get("kind") == "Group"
    }
    users = {str(g.subject.get("name")) for g in wide if g.subject.get("kind") == "User"}
    admins: set[str] = set()
    evidence: list[Evidence] = []
    missing: list[Unavailable] = []
    mapped_users: set[str] = set()
    entries: list[Mapping[str, Any]] = []
    try:
        entries = snap.fact("eks:access-entries") or []
    except Unavailable as exc:
        missing.append(exc)
    for e in entries:
        mapped_users.add(str(e.get("username") or ""))
        if _entry_is_admin(e, groups, users):
            admins.add(str(e.get("principalArn")))
            evidence.append(
                Evidence("eks:access-entry", f"{e.get('principalArn')} is cluster admin")
            )
    cm: Obj | None = None
    try:
        cm = _aws_auth(snap)
    except Unavailable as exc:
        missing.append(exc)
    for arn, username, member_of in _aws_auth_principals(cm):
        mapped_users.add(username)
        if set(member_of) & groups or username in users:
            admins.add(arn)
            how = f"in {MASTERS}" if MASTERS in member_of else "mapped to an admin group/user"
            evidence.append(Evidence("ConfigMap kube-system/aws-auth", f"{arn} {how}"))
    for user in sorted(users - mapped_users):
        if not user.startswith(("system:", "eks:")):
            admins.add(f"user:{user}")
            evidence.append(Evidence("RBAC", f"User {user} bound to an admin ClusterRole"))
    return admins, evidence, missing


# -- the check ----------------------------------------------------------------------------


@check(
    id="rbac.least-privilege",
    title="No cluster-admin for anonymous, everyone, default or app service accounts",
    needs=[
        "clusterrolebindings",
        "clusterroles",
        "rolebindings",
        "configmaps",
        "eks:access-entries",
    ],
    passes="no binding grants cluster-admin (or a `*`/`*`/`*` ClusterRole) to "
    "system:anonymous/unauthenticated/authenticated, a `default` ServiceAccount or an app "
    "ServiceAccount; the number of cluster admins is reported",
    remediation="""
Delete or narrow the offending bindings (`kubectl delete clusterrolebinding <name>`) and give
workloads a Role with only the verbs and resources they use. Manage humans through EKS access
entries: `aws eks associate-access-policy --cluster-name <cluster> --principal-arn <arn>
--policy-arn arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy --access-scope
type=namespace,namespaces=<ns>`, keep AmazonEKSClusterAdminPolicy for a small break-glass
group, and move aws-auth `system:masters` mappings to access entries.
""",
)
def least_privilege(snap: Snapshot) -> Result:
    """cluster-admin bound to everyone, to a `default` ServiceAccount (which every pod
    without its own account mounts) or to an application's ServiceAccount turns any
    compromised pod or leaked token into full control of the cluster. Add-on controllers
    installed in their own system namespaces (Velero's default install binds its SA to
    cluster-admin, Argo CD's application controller has a `*` ClusterRole) hold the same
    power by design: that is a warn naming them, not a fail, because it is the add-on's
    documented default and needs a deliberate narrowing before production, unlike a
    hand-made grant. The count of cluster admins (EKS access entries with
    AmazonEKSClusterAdminPolicy, aws-auth `system:masters`, users bound directly) is
    reported because every admin is a credential that can end the cluster."""
    try:
        roles: list[dict[str, Any]] | None = snap.items("clusterroles")
    except Unavailable:
        roles = None
    grants = admin_grants(snap, admin_roles(roles))
    verdicts = [(g, _classify(snap, g)) for g in grants]
    bad = [g for g, v in verdicts if v == "fail"]
    addons = [g for g, v in verdicts if v == "addon"]
    if roles is None and not bad:
        # Without ClusterRoles a wildcard role could hide behind any binding name.
        snap.items("clusterroles")
    admins, admin_evidence, missing = cluster_admins(snap, grants)
    measured: dict[str, Any] = {"cluster_admins": None if missing else len(admins)}
    admins_text = (
        f"at least {plural(len(admins), 'cluster admin')} ("
        + ", ".join(f"{m.key} unreadable" for m in missing)
        + ": admins partly unknown)"
        if missing
        else plural(len(admins), "cluster admin")
    )
    if missing:
        measured["cluster_admins_at_least"] = len(admins)
    tail = (
        admin_evidence[:5]
        + _more(admin_evidence, "cluster admins")
        + [Evidence(m.key, m.reason) for m in missing]
    )
    if bad:
        return failed(
            f"{plural(len(bad), 'risky admin grant')}: {listing(g.who for g in bad)}; "
            + admins_text,
            [g.evidence() for g in bad[:5]] + _more(bad) + tail,
            **measured,
        )
    if addons:
        return warned(
            f"add-on controllers hold cluster admin: {listing(g.who for g in addons)} "
            f"(their install default; narrow before production); {admins_text}",
            [g.evidence(" (add-on)") for g in addons[:5]] + _more(addons) + tail,
            **measured,
        )
    if not snap.items("clusterrolebindings"):
        # Every real cluster has bootstrap bindings (cluster-admin -> system:masters, the
        # system:* controllers); none at all means the input left RBAC out, not that it is clean.
        return unknown(
            "no ClusterRoleBindings visible, though every cluster has system ones: the input "
            "is missing RBAC objects, so least privilege cannot be judged",
            [Evidence("clusterrolebindings", "0 listed")],
            **measured,
        )
    return passed(
        f"no admin grant to anonymous, everyone, default or app service accounts; {admins_text}",
        tail or [Evidence("RBAC", f"{plural(len(grants), 'admin grant')}, all to admins")],
        **measured,
    )


def _more(found: list[Any], what: str = "grants") -> list[Evidence]:
    return [Evidence("RBAC", f"+{len(found) - 5} more {what}")] if len(found) > 5 else []
