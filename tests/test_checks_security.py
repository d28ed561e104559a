"""Tests for checks/security.py: the foundation security checks.

Fixtures: aws-cli's DescribeCluster / DescribeAddon example outputs, the pod-identity
webhook's IRSA example, kubernetes/website Pod Security and NetworkPolicy examples and
Popeye's workload lists, adjusted per test with ``copy.deepcopy``.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from checks import security
from readiness.model import Status
from readiness.runner import run_check
from readiness.snapshot import Parameters, unavailable
from tests.snap import make_snapshot, one, upstream

CLUSTER_JSON = "aws-cli/awscli/examples/eks/describe-cluster.rst.output-1.json"
ADDON_JSON = "aws-cli/awscli/examples/eks/describe-addon.rst.output-1.json"
IRSA_APP = "amazon-eks-pod-identity-webhook/hack/example-app.yaml"
PSA = "kubernetes-website/content/en/examples/security/podsecurity-{}.yaml"
DENY_ALL = (
    "kubernetes-website/content/en/examples/service/networking/network-policy-default-deny-all.yaml"
)
POPEYE_NP = "popeye/internal/lint/testdata/net/np/1.yaml"
POPEYE_DP = "popeye/internal/lint/testdata/apps/dp/1.yaml"
POPEYE_DS = "popeye/internal/lint/testdata/apps/ds/1.yaml"
POPEYE_STS = "popeye/internal/lint/testdata/apps/sts/1.yaml"

# The issuer in describe-cluster.rst.output-1.json, registered the way IAM names providers.
PROVIDER_ARN = (
    "arn:aws:iam::111122223333:oidc-provider/"
    "oidc.eks.us-east-2.amazonaws.com/id/JSA79429HJDASKJDJ8223829MNDNASW"
)


def cluster(**changes: Any) -> dict[str, Any]:
    c = copy.deepcopy(one(CLUSTER_JSON)["cluster"])
    c.update(changes)
    return c


def vpc(**changes: Any) -> dict[str, Any]:
    c = cluster()
    c["resourcesVpcConfig"].update(changes)
    return c


def ns(name: str, **labels: str) -> dict[str, Any]:
    """A Namespace as the API server lists it (list items carry no kind)."""
    return {"metadata": {"name": name, "labels": labels}, "status": {"phase": "Active"}}


def in_ns(obj: dict[str, Any], namespace: str, name: str | None = None) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    out["metadata"]["namespace"] = namespace
    if name:
        out["metadata"]["name"] = name
    return out


def run(check: Any, entries: dict[str, Any], **kw: Any) -> Any:
    return run_check(check, make_snapshot(entries, **kw), strict=True)


def forbidden(what: str) -> Any:
    return unavailable(f"forbidden: {what}", what)


# -- security.secrets-encryption ---------------------------------------------------------


def test_secrets_encryption_pass_with_customer_key() -> None:
    key = "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    c = cluster(encryptionConfig=[{"resources": ["secrets"], "provider": {"keyArn": key}}])
    r = run(security.secrets_encryption, {"eks:cluster": c})
    assert r.status is Status.PASS
    assert key in r.evidence[0].detail
    assert r.evidence[0].ref == "eks:cluster my-eks-cluster"


def test_secrets_encryption_warns_on_default_aws_owned_key() -> None:
    for version in ("1.28", "1.30"):
        r = run(security.secrets_encryption, {"eks:cluster": cluster(version=version)})
        assert r.status is Status.WARN, version
        assert "AWS-owned" in r.summary


def test_secrets_encryption_fails_before_default_encryption() -> None:
    # The upstream example is a 1.26 cluster without encryptionConfig.
    r = run(security.secrets_encryption, {"eks:cluster": cluster()})
    assert r.status is Status.FAIL
    assert "1.26" in r.summary
    assert run(security.secrets_encryption, {"eks:cluster": cluster(version="1.27")}).status is (
        Status.FAIL
    )


def test_secrets_encryption_config_without_key_is_not_a_pass() -> None:
    c = cluster(version="1.25", encryptionConfig=[{"resources": ["secrets"], "provider": {}}])
    r = run(security.secrets_encryption, {"eks:cluster": c})
    assert r.status is Status.FAIL
    assert "not envelope-encrypted (Kubernetes 1.25" in r.summary


def test_secrets_encryption_unknown_when_describe_denied() -> None:
    r = run(security.secrets_encryption, {"eks:cluster": forbidden("eks:DescribeCluster")})
    assert r.status is Status.UNKNOWN
    assert "eks:DescribeCluster" in r.summary


# -- security.endpoint-access ------------------------------------------------------------


def test_endpoint_pass_private_and_restricted_public() -> None:
    r = run(security.endpoint_access, {"eks:cluster": cluster()})
    assert r.status is Status.PASS
    assert "1 CIDR" in r.summary
    assert "22.19.18.2/32" in r.evidence[0].detail


def test_endpoint_pass_private_only() -> None:
    r = run(security.endpoint_access, {"eks:cluster": vpc(endpointPublicAccess=False)})
    assert r.status is Status.PASS
    assert r.summary == "API endpoint is private only"


def test_endpoint_fails_when_public_to_everyone() -> None:
    r = run(security.endpoint_access, {"eks:cluster": vpc(publicAccessCidrs=["0.0.0.0/0"])})
    assert r.status is Status.FAIL
    assert "0.0.0.0/0" in r.summary


def test_endpoint_fails_when_public_without_cidrs() -> None:
    c = vpc()
    del c["resourcesVpcConfig"]["publicAccessCidrs"]
    r = run(security.endpoint_access, {"eks:cluster": c})
    assert r.status is Status.FAIL
    assert "0.0.0.0/0" in r.summary


def test_endpoint_warns_restricted_public_without_private() -> None:
    r = run(security.endpoint_access, {"eks:cluster": vpc(endpointPrivateAccess=False)})
    assert r.status is Status.WARN
    assert "private access is off" in r.summary


def test_endpoint_unknown_without_vpc_config_or_permission() -> None:
    c = cluster()
    del c["resourcesVpcConfig"]
    assert run(security.endpoint_access, {"eks:cluster": c}).status is Status.UNKNOWN
    r = run(security.endpoint_access, {"eks:cluster": forbidden("eks:DescribeCluster")})
    assert r.status is Status.UNKNOWN
    assert "forbidden" in r.summary


# -- security.workload-identity ----------------------------------------------------------


def irsa_entries(**over: Any) -> dict[str, Any]:
    entries: dict[str, Any] = {
        "eks:cluster": cluster(),
        "iam:oidc-providers": [PROVIDER_ARN],
        "serviceaccounts": upstream(IRSA_APP, "ServiceAccount"),
        "eks:addons": [],
        "eks:pod-identity-associations": [],
    }
    entries.update(over)
    return entries


def pod_identity_agent(status: str = "ACTIVE") -> dict[str, Any]:
    addon = copy.deepcopy(one(ADDON_JSON)["addon"])
    addon.update(addonName="eks-pod-identity-agent", status=status, addonVersion="v1.3.0")
    del addon["configurationValues"]
    return addon


ASSOCIATION = {
    "clusterName": "my-eks-cluster",
    "namespace": "shop",
    "serviceAccount": "orders",
    "associationArn": "arn:aws:eks:us-east-2:111122223333:podidentityassociation/my-eks/a-1",
    "associationId": "a-1",
}


def test_workload_identity_pass_with_irsa() -> None:
    r = run(security.workload_identity, irsa_entries())
    assert r.status is Status.PASS
    assert "default/nginx" in r.summary
    assert r.measured["irsa_service_accounts"] == 1
    assert any(e.ref == "iam:oidc-providers" for e in r.evidence)


def test_workload_identity_pass_with_pod_identity_while_iam_unreadable() -> None:
    entries = irsa_entries(
        **{
            "iam:oidc-providers": forbidden("iam:ListOpenIDConnectProviders"),
            "eks:addons": [pod_identity_agent()],
            "eks:pod-identity-associations": [ASSOCIATION],
        }
    )
    r = run(security.workload_identity, entries)
    assert r.status is Status.PASS
    assert "Pod Identity: 1 association" in r.summary
    assert any(e.detail == "shop/orders" for e in r.evidence)


def test_workload_identity_warns_when_provider_registered_but_unused() -> None:
    sa = copy.deepcopy(upstream(IRSA_APP, "ServiceAccount")[0])
    del sa["metadata"]["annotations"]
    r = run(security.workload_identity, irsa_entries(serviceaccounts=[sa]))
    assert r.status is Status.WARN
    assert "no ServiceAccount annotated" in r.summary


def test_workload_identity_warns_when_pod_identity_agent_unused() -> None:
    entries = irsa_entries(**{"iam:oidc-providers": [], "eks:addons": [pod_identity_agent()]})
    r = run(security.workload_identity, entries)
    assert r.status is Status.WARN
    assert "agent ACTIVE, no association" in r.summary


def test_workload_identity_fails_when_annotations_have_no_provider() -> None:
    r = run(security.workload_identity, irsa_entries(**{"iam:oidc-providers": []}))
    assert r.status is Status.FAIL
    assert "1 ServiceAccount carry a role-arn (broken)" in r.summary


def test_workload_identity_fails_when_agent_degraded() -> None:
    entries = irsa_entries(
        **{
            "iam:oidc-providers": [],
            "serviceaccounts": [],
            "eks:addons": [pod_identity_agent("DEGRADED")],
            "eks:pod-identity-associations": [ASSOCIATION],
        }
    )
    r = run(security.workload_identity, entries)
    assert r.status is Status.FAIL
    assert "agent add-on DEGRADED" in r.summary


def test_workload_identity_unknown_when_it_cannot_rule_out_either() -> None:
    entries = irsa_entries(**{"iam:oidc-providers": forbidden("iam:ListOpenIDConnectProviders")})
    r = run(security.workload_identity, entries)
    assert r.status is Status.UNKNOWN
    assert "iam:ListOpenIDConnectProviders" in r.summary


# -- security.pod-security ---------------------------------------------------------------


def psa_namespaces(*levels: str) -> list[dict[str, Any]]:
    return [one(PSA.format(level), "Namespace") for level in levels]


def test_pod_security_pass_all_enforcing() -> None:
    nss = psa_namespaces("baseline", "restricted") + [ns("kube-system")]
    r = run(security.pod_security, {"namespaces": nss})
    assert r.status is Status.PASS
    assert r.summary.startswith("2 of 2 app namespaces enforce")
    assert r.measured["enforced_share"] == 1.0
    assert "restricted 1, baseline 1" in r.evidence[-1].detail


def test_pod_security_warns_on_privileged_namespace() -> None:
    nss = psa_namespaces("baseline", "restricted", "privileged")
    r = run(security.pod_security, {"namespaces": nss})
    assert r.status is Status.WARN
    assert "not enforcing: my-privileged-namespace" in r.summary
    assert r.measured["enforced_share"] == 0.667
    assert r.evidence[0].detail == "enforce=privileged"


def test_pod_security_lists_first_five_missing() -> None:
    nss = psa_namespaces("restricted") + [ns(f"team-{i}") for i in range(8)]
    r = run(security.pod_security, {"namespaces": nss})
    assert r.status is Status.WARN
    assert "team-4 (+3 more)" in r.summary
    assert len([e for e in r.evidence if e.ref.startswith("Namespace")]) == 5


def test_pod_security_fails_when_nothing_enforces() -> None:
    nss = psa_namespaces("privileged") + [ns("shop")]
    r = run(security.pod_security, {"namespaces": nss})
    assert r.status is Status.FAIL
    assert "my-privileged-namespace, shop" in r.summary


def test_pod_security_skipped_without_app_namespaces() -> None:
    r = run(security.pod_security, {"namespaces": [ns("kube-system"), ns("default")]})
    assert r.status is Status.SKIPPED
    assert "no application namespaces" in r.summary


def test_pod_security_unknown_when_namespaces_forbidden() -> None:
    r = run(security.pod_security, {"namespaces": forbidden("list namespaces")})
    assert r.status is Status.UNKNOWN
    assert "list namespaces" in r.summary


# -- security.network-policies -----------------------------------------------------------


AWS_NODE_LABELS = {"app.kubernetes.io/name": "aws-node", "k8s-app": "aws-node"}


def aws_node(enabled: bool, ready: int = 3) -> dict[str, Any]:
    """aws-node as the VPC CNI add-on installs it (two containers, agent flag in args; the
    agent container is aws-eks-nodeagent, running the aws-network-policy-agent image)."""
    return {
        "metadata": {
            "name": "aws-node",
            "namespace": "kube-system",
            "labels": copy.deepcopy(AWS_NODE_LABELS),
        },
        "spec": {
            "selector": {"matchLabels": {"k8s-app": "aws-node"}},
            "template": {
                "metadata": {
                    "labels": {"app.kubernetes.io/name": "aws-node", "k8s-app": "aws-node"}
                },
                "spec": {
                    "containers": [
                        {"name": "aws-node", "image": "amazon-k8s-cni:v1.18.3"},
                        {
                            "name": "aws-eks-nodeagent",
                            "image": "amazon/aws-network-policy-agent:v1.1.2",
                            "args": [
                                "--enable-ipv6=false",
                                f"--enable-network-policy={str(enabled).lower()}",
                                "--enable-cloudwatch-logs=false",
                                "--metrics-bind-addr=:8162",
                            ],
                        },
                    ],
                    "hostNetwork": True,
                },
            },
        },
        "status": {"desiredNumberScheduled": 3, "numberReady": ready},
    }


def calico_node() -> dict[str, Any]:
    ds = aws_node(False)
    ds["metadata"].update(name="calico-node", labels={"k8s-app": "calico-node"})
    ds["spec"]["template"]["metadata"]["labels"] = {"k8s-app": "calico-node"}
    ds["spec"]["template"]["spec"]["containers"] = [{"name": "calico-node", "image": "calico/node"}]
    return ds


def vpc_cni_addon(values: str) -> dict[str, Any]:
    addon = copy.deepcopy(one(ADDON_JSON)["addon"])
    addon["configurationValues"] = values
    return addon


APP_NS = [ns("shop"), ns("pay"), ns("kube-system")]


def policies(*namespaces: str) -> list[dict[str, Any]]:
    return [in_ns(one(DENY_ALL), n) for n in namespaces]


def np_entries(**over: Any) -> dict[str, Any]:
    entries: dict[str, Any] = {
        "namespaces": APP_NS,
        "networkpolicies": policies("shop", "pay"),
        "daemonsets": [aws_node(True)],
        "eks:addons": [vpc_cni_addon(one(ADDON_JSON)["addon"]["configurationValues"])],
    }
    entries.update(over)
    return entries


def test_network_policies_pass_with_vpc_cni_agent() -> None:
    r = run(security.network_policies, np_entries())
    assert r.status is Status.PASS
    assert "2 of 2 app namespaces have a NetworkPolicy" in r.summary
    assert r.evidence[0].ref == "DaemonSet kube-system/aws-node"
    assert "3/3 ready" in r.evidence[0].detail


def test_network_policies_vpc_cni_agent_decides_without_the_addon_list() -> None:
    """The real aws-node shape (agent container aws-eks-nodeagent) proves enforcement on
    its own, e.g. for a Helm-installed VPC CNI or when ListAddons is denied."""
    entries = np_entries(**{"eks:addons": forbidden("eks:ListAddons")})
    r = run(security.network_policies, entries)
    assert r.status is Status.PASS, r.summary
    assert r.evidence[0].detail == "VPC CNI network policy agent, 3/3 ready"
    off = run(security.network_policies, {**entries, "daemonsets": [aws_node(False)]})
    assert off.status is Status.UNKNOWN
    assert "could not be observed" in off.summary


def test_network_policies_pass_with_addon_configuration_json_or_yaml() -> None:
    for values in (json.dumps({"enableNetworkPolicy": "true"}), 'enableNetworkPolicy: "true"\n'):
        entries = np_entries(
            daemonsets=[aws_node(False)], **{"eks:addons": [vpc_cni_addon(values)]}
        )
        r = run(security.network_policies, entries)
        assert r.status is Status.PASS, values
        assert any(e.ref == "eks:addon vpc-cni" for e in r.evidence)


def test_network_policies_pass_with_calico_while_addons_unreadable() -> None:
    popeye = [in_ns(p, "pay") for p in upstream(POPEYE_NP)]
    entries = np_entries(
        networkpolicies=policies("shop") + popeye,
        daemonsets=[calico_node()],
        **{"eks:addons": forbidden("eks:ListAddons")},
    )
    r = run(security.network_policies, entries)
    assert r.status is Status.PASS
    assert "Calico" in r.evidence[0].detail


def test_network_policies_warn_when_nothing_enforces() -> None:
    r = run(security.network_policies, np_entries(daemonsets=[aws_node(False)]))
    assert r.status is Status.WARN
    assert "nothing enforces them" in r.summary


def test_network_policies_engine_not_ready_does_not_enforce() -> None:
    r = run(security.network_policies, np_entries(daemonsets=[aws_node(True, ready=0)]))
    assert r.status is Status.WARN
    assert "0/3 ready" in r.evidence[0].detail


def test_network_policies_warn_when_some_namespaces_uncovered() -> None:
    r = run(security.network_policies, np_entries(networkpolicies=policies("shop")))
    assert r.status is Status.WARN
    assert r.summary.endswith("without: pay")
    assert r.measured["covered_share"] == 0.5


def test_network_policies_fail_without_policies_even_if_engine_unknown() -> None:
    # Policies only in a system namespace do not cover the apps.
    entries = np_entries(
        networkpolicies=upstream(POPEYE_NP),
        **{"eks:addons": forbidden("eks:ListAddons")},
    )
    r = run(security.network_policies, entries)
    assert r.status is Status.FAIL
    assert "pay, shop" in r.summary


def test_network_policies_unknown_when_engine_cannot_be_observed() -> None:
    entries = np_entries(daemonsets=[], **{"eks:addons": forbidden("eks:ListAddons")})
    r = run(security.network_policies, entries)
    assert r.status is Status.UNKNOWN
    assert "could not be observed" in r.summary
    assert any(e.ref == "eks:addons" for e in r.evidence)


def test_network_policies_unknown_when_policies_forbidden() -> None:
    r = run(
        security.network_policies, np_entries(networkpolicies=forbidden("list networkpolicies"))
    )
    assert r.status is Status.UNKNOWN
    assert "networkpolicies" in r.summary


# -- security.workload-hardening ---------------------------------------------------------


def workloads(**over: Any) -> dict[str, Any]:
    entries: dict[str, Any] = {
        "namespaces": [ns("shop"), ns("default")],
        "deployments": [],
        "statefulsets": [],
        "daemonsets": [],
        "cronjobs": [],
    }
    entries.update(over)
    return entries


def sts(readonly: bool) -> dict[str, Any]:
    """Popeye's sts1: non-root at pod and container level, as shipped."""
    obj = in_ns(upstream(POPEYE_STS)[0], "shop")
    if readonly:
        for c in obj["spec"]["template"]["spec"]["containers"]:
            c["securityContext"]["readOnlyRootFilesystem"] = True
    return obj


def test_hardening_fails_on_host_namespaces_and_hostpath() -> None:
    ds1 = in_ns(upstream(POPEYE_DS)[0], "shop")
    r = run(security.workload_hardening, workloads(daemonsets=[ds1], statefulsets=[sts(True)]))
    assert r.status is Status.FAIL
    assert "1 of 2 workloads" in r.summary
    assert "DaemonSet shop/ds1" in r.summary
    detail = r.evidence[0].detail
    assert "hostNetwork" in detail and "hostPID" in detail and "hostPath /proc" in detail
    assert r.measured["privileged_or_host"] == 1


def test_hardening_fails_on_privileged_cronjob() -> None:
    cj = {
        "metadata": {"name": "report", "namespace": "shop"},
        "spec": {
            "schedule": "0 3 * * *",
            "jobTemplate": {
                "spec": {
                    "template": {
                        "spec": {
                            "restartPolicy": "OnFailure",
                            "securityContext": {"runAsNonRoot": True, "runAsUser": 1000},
                            "containers": [
                                {
                                    "name": "report",
                                    "image": "busybox",
                                    "securityContext": {
                                        "privileged": True,
                                        "readOnlyRootFilesystem": True,
                                    },
                                }
                            ],
                        }
                    }
                }
            },
        },
    }
    r = run(security.workload_hardening, workloads(cronjobs=[cj]))
    assert r.status is Status.FAIL
    assert r.evidence[0].ref == "CronJob shop/report"
    assert "privileged container report" in r.evidence[0].detail


def test_hardening_warns_on_root_workload() -> None:
    dp1 = in_ns(upstream(POPEYE_DP)[0], "shop")  # no securityContext at all
    r = run(security.workload_hardening, workloads(deployments=[dp1], statefulsets=[sts(True)]))
    assert r.status is Status.WARN
    assert "1 may run as root (Deployment shop/dp1)" in r.summary
    assert "ic1" in r.evidence[0].detail and "c1" in r.evidence[0].detail


def test_hardening_explicit_uid_zero_is_root_despite_run_as_non_root() -> None:
    obj = sts(True)
    obj["spec"]["template"]["spec"]["containers"][0]["securityContext"]["runAsUser"] = 0
    r = run(security.workload_hardening, workloads(statefulsets=[obj]))
    assert r.status is Status.WARN
    assert r.measured["root_workloads"] == 1


def test_hardening_warns_on_low_readonly_share() -> None:
    r = run(security.workload_hardening, workloads(statefulsets=[sts(False), sts(True)]))
    assert r.status is Status.WARN
    assert "read-only root filesystem 1/2 containers (50% < 80%)" in r.summary
    assert r.measured["readonly_rootfs_share"] == 0.5


def test_hardening_readonly_minimum_is_a_rubric_parameter() -> None:
    params = Parameters(readonly_rootfs_min_share=0.5)
    r = run(
        security.workload_hardening,
        workloads(statefulsets=[sts(False), sts(True)]),
        params=params,
    )
    assert r.status is Status.PASS
    assert r.measured["readonly_rootfs_share"] == 0.5


def test_hardening_pass_and_system_namespaces_ignored() -> None:
    ds_in_default = upstream(POPEYE_DS)[0]  # hostPath, but in a system namespace
    r = run(
        security.workload_hardening,
        workloads(statefulsets=[sts(True)], daemonsets=[ds_in_default]),
    )
    assert r.status is Status.PASS
    assert r.summary.startswith("1 workload unprivileged and non-root")
    assert r.measured["workloads"] == 1


def test_hardening_skipped_without_app_workloads() -> None:
    r = run(security.workload_hardening, workloads(deployments=upstream(POPEYE_DP)))
    assert r.status is Status.SKIPPED
    assert r.summary == "no workloads in application namespaces"


def test_hardening_unknown_when_a_kind_is_forbidden() -> None:
    r = run(
        security.workload_hardening,
        workloads(statefulsets=[sts(True)], cronjobs=forbidden("list cronjobs")),
    )
    assert r.status is Status.UNKNOWN
    assert "cronjobs" in r.summary


def test_every_check_is_unknown_when_everything_is_unavailable() -> None:
    keys = {k for c in CHECKS for k in c.needs}
    entries = {k: forbidden(f"read {k}") for k in keys}
    for c in CHECKS:
        r = run(c, entries)
        assert r.status is Status.UNKNOWN, c.id


CHECKS = [
    security.secrets_encryption,
    security.endpoint_access,
    security.workload_identity,
    security.pod_security,
    security.network_policies,
    security.workload_hardening,
]
