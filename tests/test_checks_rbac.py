"""Tests for checks/rbac.py: rbac.least-privilege.

Fixtures: Kubernetes' bootstrap ClusterRoleBindings, Polaris' cluster-admin cases, Popeye's
RBAC lists and Velero's PoC install (ClusterRoleBinding velero → cluster-admin), adjusted
per test with ``copy.deepcopy``. Access entries and aws-auth are hand-written in their
documented shapes.
"""

from __future__ import annotations

import copy
from typing import Any

from checks import rbac
from readiness.model import Status
from readiness.runner import run_check
from readiness.snapshot import Parameters, unavailable
from tests.snap import make_snapshot, one, upstream

BOOTSTRAP = (
    "kubernetes/plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata/cluster-role-bindings.yaml"
)
POLARIS = "polaris/test/checks/clusterrolebindingClusterAdmin/{}.yaml"
POPEYE_CRB = "popeye/internal/lint/testdata/auth/crb/2.yaml"
POPEYE_RB = "popeye/internal/lint/testdata/auth/rob/2.yaml"
POPEYE_CR = "popeye/internal/lint/testdata/auth/cr/1.yaml"
VELERO = "velero/design/CLI/PoC/base/deployment.yaml"

ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
VIEW_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"
ADMIN_ROLE = "arn:aws:iam::111122223333:role/platform-admin"
BREAK_GLASS = "arn:aws:iam::111122223333:role/break-glass"
NODE_ROLE = "arn:aws:iam::111122223333:role/eks-node"

ACCESS_ENTRIES = [
    {
        "principalArn": ADMIN_ROLE,
        "type": "STANDARD",
        "username": ADMIN_ROLE,
        "kubernetesGroups": [],
        "accessPolicies": [{"policyArn": ADMIN_POLICY, "accessScope": {"type": "cluster"}}],
    },
    {
        "principalArn": "arn:aws:iam::111122223333:role/developer",
        "type": "STANDARD",
        "username": "developer",
        "kubernetesGroups": [],
        "accessPolicies": [
            {"policyArn": VIEW_POLICY, "accessScope": {"type": "namespace", "namespaces": ["shop"]}}
        ],
    },
]

MAP_ROLES = f"""- rolearn: {NODE_ROLE}
  username: system:node:{{{{EC2PrivateDNSName}}}}
  groups:
    - system:bootstrappers
    - system:nodes
- rolearn: {BREAK_GLASS}
  username: break-glass
  groups:
    - system:masters
"""


def aws_auth(map_roles: str = MAP_ROLES) -> dict[str, Any]:
    return {
        "metadata": {"name": "aws-auth", "namespace": "kube-system"},
        "data": {"mapRoles": map_roles},
    }


def bootstrap() -> list[dict[str, Any]]:
    return upstream(BOOTSTRAP)


def entries(**over: Any) -> dict[str, Any]:
    """A clean cluster: bootstrap bindings, Popeye's harmless roles, one admin of each kind."""
    out: dict[str, Any] = {
        "clusterrolebindings": bootstrap(),
        "clusterroles": upstream(POPEYE_CR),
        "rolebindings": [],
        "configmaps": [aws_auth()],
        "eks:access-entries": ACCESS_ENTRIES,
    }
    out.update(over)
    return out


def run(e: dict[str, Any], **kw: Any) -> Any:
    return run_check(rbac.least_privilege, make_snapshot(e, **kw), strict=True)


def polaris(case: str, kind: str) -> list[dict[str, Any]]:
    return upstream(POLARIS.format(case), kind)


def bind_to(binding: dict[str, Any], subject: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(binding)
    out["subjects"] = [subject]
    return out


def test_pass_counts_admins_from_access_entries_and_aws_auth() -> None:
    r = run(entries())
    assert r.status is Status.PASS
    assert r.measured["cluster_admins"] == 2
    assert "2 cluster admins" in r.summary
    details = {e.detail for e in r.evidence}
    assert f"{ADMIN_ROLE} is cluster admin" in details
    assert f"{BREAK_GLASS} in system:masters" in details


def test_pass_when_broad_roles_are_not_admin_equivalent() -> None:
    # Polaris' "success" roles: a subset of verbs, resources or API groups is not admin.
    crbs, roles = bootstrap(), upstream(POPEYE_CR)
    for i, case in enumerate(["explicit_verbs", "explicit_resources", "explicit_apigroups"]):
        role = copy.deepcopy(polaris(f"success.{case}", "ClusterRole")[0])
        role["metadata"]["name"] = f"broad-{i}"
        crb = bind_to(polaris(f"success.{case}", "ClusterRoleBinding")[0], everyone())
        crb["roleRef"]["name"] = f"broad-{i}"
        crb["metadata"]["name"] = f"broad-{i}"
        roles.append(role)
        crbs.append(crb)
    r = run(entries(clusterrolebindings=crbs, clusterroles=roles))
    assert r.status is Status.PASS


def everyone() -> dict[str, Any]:
    return {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "Group",
        "name": "system:authenticated",
    }


def test_fail_wildcard_role_to_authenticated() -> None:
    role = polaris("failure.wildcards", "ClusterRole")
    crb = bind_to(polaris("failure.wildcards", "ClusterRoleBinding")[0], everyone())
    r = run(entries(clusterrolebindings=bootstrap() + [crb], clusterroles=role))
    assert r.status is Status.FAIL
    assert "Group system:authenticated" in r.summary
    assert r.evidence[0].ref == "ClusterRoleBinding test"
    assert "→ test cluster-wide" in r.evidence[0].detail


def test_fail_spelled_out_verbs_count_as_wildcard() -> None:
    role = polaris("failure.all_verbs", "ClusterRole")
    sa = {"kind": "ServiceAccount", "name": "api", "namespace": "shop"}
    crb = bind_to(polaris("failure.all_verbs", "ClusterRoleBinding")[0], sa)
    r = run(entries(clusterrolebindings=[crb], clusterroles=role))
    assert r.status is Status.FAIL
    assert "ServiceAccount shop/api" in r.summary


def test_fail_default_service_account_bound_to_cluster_admin() -> None:
    crbs = copy.deepcopy(upstream(POPEYE_CRB))
    crbs[0]["roleRef"]["name"] = "cluster-admin"  # crb1: ServiceAccount default/default
    r = run(entries(clusterrolebindings=bootstrap() + crbs))
    assert r.status is Status.FAIL
    assert "1 risky admin grant: ServiceAccount default/default" in r.summary


def test_fail_rolebinding_grants_cluster_admin_to_default_sa_in_namespace() -> None:
    rbs = copy.deepcopy(upstream(POPEYE_RB))
    rbs[0]["roleRef"] = {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "ClusterRole",
        "name": "cluster-admin",
    }
    r = run(entries(rolebindings=rbs))
    assert r.status is Status.FAIL
    # The subject has no namespace: a RoleBinding's ServiceAccount defaults to its own.
    assert r.evidence[0].ref == "RoleBinding default/rb1"
    assert "ServiceAccount default/default → cluster-admin in namespace default" in (
        r.evidence[0].detail
    )


def test_fail_cluster_admin_to_every_service_account_group() -> None:
    """system:serviceaccounts (all of them) and system:serviceaccounts:<ns> include every
    `default` account: the same hole as binding the default ServiceAccount, spelled as a
    Group. Even in an add-on's namespace it is not the add-on's install default."""
    crb = bind_to(
        polaris("failure.wildcards", "ClusterRoleBinding")[0],
        {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "x"},
    )
    crb["roleRef"]["name"] = "cluster-admin"
    for group in ("system:serviceaccounts", "system:serviceaccounts:velero"):
        crb["subjects"][0]["name"] = group
        r = run(entries(clusterrolebindings=bootstrap() + [copy.deepcopy(crb)]))
        assert r.status is Status.FAIL, group
        assert r.summary.startswith(f"1 risky admin grant: Group {group};")


def test_warn_velero_install_binds_its_sa_to_cluster_admin() -> None:
    velero = upstream(VELERO, "ClusterRoleBinding")
    r = run(entries(clusterrolebindings=bootstrap() + velero))
    assert r.status is Status.WARN
    assert "ServiceAccount velero/velero" in r.summary
    assert r.evidence[0].ref == "ClusterRoleBinding velero"
    assert r.measured["cluster_admins"] == 2


def test_velero_outside_the_addon_namespaces_is_a_fail() -> None:
    velero = upstream(VELERO, "ClusterRoleBinding")
    params = Parameters(system_namespaces=("kube-system", "default"))
    r = run(entries(clusterrolebindings=velero), params=params)
    assert r.status is Status.FAIL


def test_users_bound_to_cluster_admin_are_counted_as_admins() -> None:
    # Polaris: a User bound to the cluster-admin name is an admin whatever the role's rules.
    case = "failure.default_clusteradmin_clusterrole"
    r = run(
        entries(
            clusterrolebindings=bootstrap() + polaris(case, "ClusterRoleBinding"),
            clusterroles=polaris(case, "ClusterRole"),
        )
    )
    assert r.status is Status.PASS  # humans are counted, not judged
    assert r.measured["cluster_admins"] == 3
    assert any(e.detail == "User testuser bound to an admin ClusterRole" for e in r.evidence)


def test_aws_auth_group_bound_to_cluster_admin_counts() -> None:
    crb = bind_to(
        one(BOOTSTRAP),
        {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "platform-admins"},
    )
    crb["metadata"]["name"] = "platform-admins"
    role = "- rolearn: arn:aws:iam::111122223333:role/ops\n  username: ops\n"
    role += "  groups: [platform-admins]\n"  # flow style, as people write it too
    r = run(entries(clusterrolebindings=bootstrap() + [crb], configmaps=[aws_auth(role)]))
    assert r.status is Status.PASS
    assert r.measured["cluster_admins"] == 2  # access-entry admin + ops via the group


def test_access_entries_unavailable_still_decides_but_admins_partly_unknown() -> None:
    denied = unavailable("AccessDeniedException", "eks:ListAccessEntries")
    r = run(entries(**{"eks:access-entries": denied}))
    assert r.status is Status.PASS
    assert "at least 1 cluster admin" in r.summary and "partly unknown" in r.summary
    assert r.measured["cluster_admins"] is None
    assert r.measured["cluster_admins_at_least"] == 1


def test_unknown_when_bindings_forbidden() -> None:
    denied = unavailable("forbidden: list clusterrolebindings", "list clusterrolebindings")
    r = run(entries(clusterrolebindings=denied))
    assert r.status is Status.UNKNOWN
    assert "list clusterrolebindings" in r.summary


def test_unknown_without_clusterroles_unless_a_failure_is_certain() -> None:
    denied = unavailable("forbidden: list clusterroles", "list clusterroles")
    r = run(entries(clusterroles=denied))
    assert r.status is Status.UNKNOWN
    assert "clusterroles" in r.summary
    crbs = copy.deepcopy(upstream(POPEYE_CRB))
    crbs[0]["roleRef"]["name"] = "cluster-admin"
    r = run(entries(clusterroles=denied, clusterrolebindings=crbs))
    assert r.status is Status.FAIL


def test_no_bindings_at_all_is_unknown_not_a_clean_bill() -> None:
    """An input without any ClusterRoleBinding (an offline dump that left RBAC out) must not
    pass: every real cluster has bootstrap bindings."""
    from readiness.model import Status
    from readiness.runner import run_check
    from tests.snap import make_snapshot

    snap = make_snapshot(
        {
            "clusterrolebindings": [],
            "clusterroles": [],
            "rolebindings": [],
            "configmaps": [],
            "eks:access-entries": [],
        }
    )
    result = run_check(rbac.least_privilege, snap, strict=True)
    assert result.status is Status.UNKNOWN
    assert "no ClusterRoleBindings visible" in result.summary
