"""platform.* checks: EKS version support, nodes across zones, core add-ons, certificates."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from checks import platform
from readiness.model import Status
from readiness.runner import run_check
from readiness.snapshot import Parameters, not_installed, unavailable
from tests.snap import details, make_snapshot, one

CLUSTER = "aws-cli/awscli/examples/eks/describe-cluster.rst.output-1.json"
ADDON = "aws-cli/awscli/examples/eks/describe-addon.rst.output-1.json"
CERT_DIR = "argo-cd/resource_customizations/cert-manager.io/Certificate/testdata"
CERT_DOC = "cert-manager-website/content/docs/usage/certificate.md.block-1.yaml"
FORBIDDEN = unavailable("forbidden: list x", "list x")


def run(chk: Any, entries: dict[str, Any], **kw: Any) -> Any:
    return run_check(chk, make_snapshot(entries, **kw))


# -- platform.eks-version ------------------------------------------------------------------


def cluster_with(version: str) -> dict[str, Any]:
    c = copy.deepcopy(one(CLUSTER)["cluster"])
    c["version"] = version
    return c


@pytest.mark.parametrize(
    ("version", "status", "text"),
    [
        ("1.35", Status.PASS, "standard support until 2027-03-27"),
        ("1.34", Status.WARN, "leaves standard support in 5 days"),
        ("1.32", Status.FAIL, "extended support is billed per cluster hour and ends 2027-03-23"),
        ("1.31", Status.FAIL, "past the end of extended support (2026-11-26)"),
        ("1.26", Status.FAIL, "past the end of extended support"),
        ("1.40", Status.PASS, "newer than the support table (as of 2026-11-27)"),
        ("1.19", Status.FAIL, "older than every version"),
    ],
)
def test_eks_version_judged_against_snapshot_time(version: str, status: Status, text: str) -> None:
    r = run(platform.eks_version, {"eks:cluster": cluster_with(version), "kube:version": FORBIDDEN})
    assert r.status == status, r.summary
    assert text in r.summary
    assert "as of 2026-11-27" in details(r)


def test_eks_version_upstream_cluster_document_is_out_of_support() -> None:
    # The aws-cli example cluster runs 1.26: long past standard and extended support.
    r = run(platform.eks_version, {"eks:cluster": one(CLUSTER)["cluster"], "kube:version": {}})
    assert r.status == Status.FAIL
    assert r.measured["version"] == "1.26"


def test_eks_version_falls_back_to_kube_version_when_aws_forbidden() -> None:
    version = {"major": "1", "minor": "33+", "gitVersion": "v1.33.5-eks-3025e55"}
    r = run(platform.eks_version, {"eks:cluster": FORBIDDEN, "kube:version": version})
    assert r.status == Status.FAIL  # 1.33 left standard support on 2026-07-29
    assert "kube:version" in details(r)
    assert "eks:cluster: not read" in details(r)


def test_eks_version_uses_time_of_collection_not_wall_clock() -> None:
    early = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    r = run(
        platform.eks_version, {"eks:cluster": cluster_with("1.33"), "kube:version": {}}, now=early
    )
    assert r.status == Status.PASS
    assert r.measured["standard_support_days_left"] == 209


def test_eks_version_unknown_when_neither_source_readable() -> None:
    r = run(platform.eks_version, {"eks:cluster": FORBIDDEN, "kube:version": FORBIDDEN})
    assert r.status == Status.UNKNOWN
    assert "could not read" in r.summary


# -- platform.nodes ------------------------------------------------------------------------


def node(name: str, zone: str | None, ready: bool = True, fargate: bool = False) -> dict[str, Any]:
    labels = {"kubernetes.io/os": "linux", "kubernetes.io/hostname": name}
    if zone:
        labels["topology.kubernetes.io/zone"] = zone
    if fargate:
        labels["eks.amazonaws.com/compute-type"] = "fargate"
    cond = {
        "type": "Ready",
        "status": "True" if ready else "False",
        "reason": "KubeletReady" if ready else "KubeletNotReady",
        "lastTransitionTime": "2026-11-20T10:00:00Z",
    }
    return {"metadata": {"name": name, "labels": labels}, "status": {"conditions": [cond]}}


def test_nodes_pass_across_two_zones() -> None:
    items = [node("a", "eu-west-1a"), node("b", "eu-west-1b"), node("c", "eu-west-1a")]
    r = run(platform.nodes, {"nodes": items})
    assert r.status == Status.PASS
    assert r.summary == "3 nodes Ready across 2 zones"


def test_nodes_fargate_counted_by_zone_label() -> None:
    items = [
        node("fargate-ip-1", "eu-west-1a", fargate=True),
        node("fargate-ip-2", "eu-west-1c", fargate=True),
    ]
    r = run(platform.nodes, {"nodes": items})
    assert r.status == Status.PASS
    assert r.measured["zones"] == 2


def test_nodes_warn_when_a_few_not_ready() -> None:
    items = [node("a", "eu-west-1a"), node("b", "eu-west-1b"), node("c", "eu-west-1c", ready=False)]
    r = run(platform.nodes, {"nodes": items})
    assert r.status == Status.WARN
    assert "1 of 3 nodes NotReady" in r.summary
    assert "Node c: NotReady (KubeletNotReady)" in details(r)


def test_nodes_fail_when_majority_not_ready() -> None:
    items = [
        node("a", "eu-west-1a"),
        node("b", "eu-west-1b", False),
        node("c", "eu-west-1c", False),
    ]
    r = run(platform.nodes, {"nodes": items})
    assert r.status == Status.FAIL
    assert "2 of 3 nodes NotReady" in r.summary


def test_nodes_fail_in_one_zone_counting_only_ready_nodes() -> None:
    items = [node("a", "eu-west-1a"), node("b", "eu-west-1a"), node("c", "eu-west-1b", ready=False)]
    r = run(platform.nodes, {"nodes": items})
    assert r.status == Status.FAIL
    assert "one Availability Zone (eu-west-1a)" in r.summary


def test_nodes_fail_when_none() -> None:
    r = run(platform.nodes, {"nodes": []})
    assert r.status == Status.FAIL
    assert "no nodes" in r.summary


def test_nodes_unknown_without_zone_labels_or_permission() -> None:
    r = run(platform.nodes, {"nodes": [node("a", None), node("b", None)]})
    assert r.status == Status.UNKNOWN
    assert "zone" in r.summary
    r = run(platform.nodes, {"nodes": FORBIDDEN})
    assert r.status == Status.UNKNOWN
    assert "list x" in r.summary


# -- platform.core-addons ------------------------------------------------------------------


def addon(
    name: str, status: str = "ACTIVE", issues: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    a = copy.deepcopy(one(ADDON)["addon"])
    a["addonName"] = name
    a["status"] = status
    a["health"] = {"issues": issues or []}
    return a


ALL_ADDONS = ["vpc-cni", "coredns", "kube-proxy", "aws-ebs-csi-driver"]


def workload(
    kind: str, name: str, labels: dict[str, str], ready: bool = True, ns: str = "kube-system"
) -> dict[str, Any]:
    """A kube-system workload shaped as the API server lists it (labels as EKS sets them)."""
    obj: dict[str, Any] = {
        "metadata": {"name": name, "namespace": ns, "labels": labels},
        "spec": {
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [
                        {
                            "name": name,
                            "image": f"602401143452.dkr.ecr.eu-west-1.amazonaws.com/eks/{name}:v1",
                        }
                    ]
                },
            },
        },
    }
    if kind == "DaemonSet":
        obj["status"] = {"desiredNumberScheduled": 3, "numberReady": 3 if ready else 1}
    else:
        obj["spec"]["replicas"] = 2
        obj["status"] = {"replicas": 2, "readyReplicas": 2 if ready else 0}
    return obj


def kube_system(ready: bool = True, ebs: bool = True) -> dict[str, Any]:
    daemonsets = [
        workload("DaemonSet", "aws-node", {"k8s-app": "aws-node"}),
        workload("DaemonSet", "kube-proxy", {"k8s-app": "kube-proxy"}),
    ]
    deployments = [
        workload(
            "Deployment",
            "coredns",
            {"k8s-app": "kube-dns", "eks.amazonaws.com/component": "coredns"},
            ready,
        )
    ]
    if ebs:
        deployments.append(
            workload(
                "Deployment",
                "ebs-csi-controller",
                {"app": "ebs-csi-controller", "app.kubernetes.io/name": "aws-ebs-csi-driver"},
            )
        )
    return {"daemonsets": daemonsets, "deployments": deployments}


def test_core_addons_pass_as_active_eks_addons() -> None:
    entries = {
        "eks:addons": [addon(n) for n in ALL_ADDONS],
        "persistentvolumeclaims": [],
        **kube_system(),
    }
    r = run(platform.core_addons, entries)
    assert r.status == Status.PASS, r.summary
    assert r.summary == "4/4 core add-ons healthy"
    assert "EKS add-on vpc-cni: ACTIVE, v1.16.4-eksbuild.2" in details(r)


def test_core_addons_pass_self_managed_when_addons_forbidden() -> None:
    entries = {"eks:addons": FORBIDDEN, "persistentvolumeclaims": [], **kube_system()}
    r = run(platform.core_addons, entries)
    assert r.status == Status.PASS
    assert "Deployment kube-system/coredns: 2/2 ready" in details(r)


def test_core_addons_degraded_addon_fails() -> None:
    issue = {
        "code": "InsufficientNumberOfReplicas",
        "message": "The add-on is unhealthy",
        "resourceIds": [],
    }
    addons = [addon(n) for n in ALL_ADDONS[1:]] + [addon("vpc-cni", "DEGRADED", [issue])]
    entries = {"eks:addons": addons, "persistentvolumeclaims": [], **kube_system()}
    r = run(platform.core_addons, entries)
    assert r.status == Status.FAIL
    assert "VPC CNI (aws-node)" in r.summary
    assert "DEGRADED" in details(r) and "InsufficientNumberOfReplicas" in details(r)


def test_core_addons_active_addon_with_unready_workload_fails() -> None:
    entries = {
        "eks:addons": [addon(n) for n in ALL_ADDONS],
        "persistentvolumeclaims": [],
        **kube_system(ready=False),
    }
    r = run(platform.core_addons, entries)
    assert r.status == Status.FAIL
    assert "CoreDNS" in r.summary
    assert "0/2 ready" in details(r)


def test_core_addons_stale_status_is_not_ready() -> None:
    """A status written for an older generation (the new spec not yet acted on) proves
    nothing about the current spec: not ready, and the evidence says why."""
    entries = {"eks:addons": FORBIDDEN, "persistentvolumeclaims": [], **kube_system()}
    coredns = entries["deployments"][0]
    coredns["metadata"]["generation"] = 4
    coredns["status"]["observedGeneration"] = 3
    r = run(platform.core_addons, entries)
    assert r.status == Status.FAIL, r.summary
    assert "CoreDNS" in r.summary
    assert "2/2 ready (status is for generation 3, spec is generation 4)" in details(r)


def test_core_addons_missing_ebs_csi_warns_only_with_volumes() -> None:
    pvc = {
        "metadata": {"name": "data-postgres-0", "namespace": "shop"},
        "spec": {"storageClassName": "gp3"},
    }
    addons = [addon(n) for n in ALL_ADDONS[:3]]
    r = run(
        platform.core_addons,
        {"eks:addons": addons, "persistentvolumeclaims": [pvc], **kube_system(ebs=False)},
    )
    assert r.status == Status.WARN
    assert "1 PersistentVolumeClaim exist" in details(r)
    r = run(
        platform.core_addons,
        {"eks:addons": addons, "persistentvolumeclaims": [], **kube_system(ebs=False)},
    )
    assert r.status == Status.PASS
    assert "no PersistentVolumeClaims" in details(r)


def test_core_addons_missing_coredns_fails_but_cilium_may_replace_cni() -> None:
    ks = kube_system()
    ks["deployments"] = ks["deployments"][1:]  # no CoreDNS
    ks["daemonsets"] = [workload("DaemonSet", "cilium", {"k8s-app": "cilium"})]
    r = run(platform.core_addons, {"eks:addons": [], "persistentvolumeclaims": [], **ks})
    assert r.status == Status.FAIL
    assert r.summary == "unhealthy or missing: CoreDNS"
    assert "replaced by cilium" in details(r)


def test_core_addons_unknown_when_nothing_readable() -> None:
    entries = {
        "eks:addons": FORBIDDEN,
        "daemonsets": FORBIDDEN,
        "deployments": FORBIDDEN,
        "persistentvolumeclaims": [],
    }
    r = run(platform.core_addons, entries)
    assert r.status == Status.UNKNOWN
    assert "could not observe" in r.summary
    assert "forbidden: list x" in details(r)


# -- platform.certificates -----------------------------------------------------------------


def cert(
    not_after: str | None, fixture: str = f"{CERT_DIR}/healthy_renewed.yaml"
) -> dict[str, Any]:
    c = copy.deepcopy(one(fixture, "Certificate"))
    if not_after:
        c.setdefault("status", {})["notAfter"] = not_after
    return c


def doc_cert(not_after: str) -> dict[str, Any]:
    """The cert-manager documentation Certificate, with the status cert-manager writes."""
    c = copy.deepcopy(one(CERT_DOC, "Certificate"))
    c["status"] = {
        "conditions": [
            {
                "type": "Ready",
                "status": "True",
                "reason": "Ready",
                "message": "Certificate is up to date and has not expired",
            }
        ],
        "notAfter": not_after,
        "notBefore": "2026-10-01T00:00:00Z",
        "renewalTime": "2026-12-16T00:00:00Z",
        "revision": 1,
    }
    return c


def test_certificates_pass() -> None:
    r = run(
        platform.certificates,
        {
            "certificates.cert-manager.io": [
                cert("2027-02-01T00:00:00Z"),
                doc_cert("2026-12-31T00:00:00Z"),
            ]
        },
    )
    assert r.status == Status.PASS
    assert r.summary == "2/2 certificates Ready and not expiring"
    assert "Certificate sandbox/example-com: Ready; expires 2026-12-31 (34 days)" in details(r)


def test_certificates_warn_within_window() -> None:
    r = run(
        platform.certificates, {"certificates.cert-manager.io": [doc_cert("2026-12-10T00:00:00Z")]}
    )
    assert r.status == Status.WARN
    assert "expire within 30 days" in r.summary
    tight = Parameters(cert_expiry_days=7)
    r = run(
        platform.certificates,
        {"certificates.cert-manager.io": [doc_cert("2026-12-10T00:00:00Z")]},
        params=tight,
    )
    assert r.status == Status.PASS


def test_certificates_fail_expired_or_not_ready() -> None:
    expired = cert("2026-11-01T00:00:00Z")
    broken = cert(None, f"{CERT_DIR}/degraded_configError.yaml")
    pending = cert(None, f"{CERT_DIR}/progressing_noStatus.yaml")
    r = run(platform.certificates, {"certificates.cert-manager.io": [expired, broken, pending]})
    assert r.status == Status.FAIL
    assert "3 of 3 certificates expired or not Ready" in r.summary
    text = details(r)
    assert "expired 2026-11-01" in text
    assert "not Ready (ConfigError)" in text
    assert "not Ready (no status yet)" in text


def test_certificates_skipped_without_cert_manager() -> None:
    r = run(
        platform.certificates,
        {"certificates.cert-manager.io": not_installed("cert-manager.io not served")},
    )
    assert r.status == Status.SKIPPED
    assert "cert-manager is not installed" in r.summary
    r = run(platform.certificates, {"certificates.cert-manager.io": []})
    assert r.status == Status.SKIPPED
    assert "manages no Certificates" in r.summary


def test_certificates_unknown_when_forbidden() -> None:
    r = run(platform.certificates, {"certificates.cert-manager.io": FORBIDDEN})
    assert r.status == Status.UNKNOWN
    assert "list x" in r.summary
