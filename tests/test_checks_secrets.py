"""secrets.provider-class against the upstream Secrets Store CSI driver and AWS provider."""

from __future__ import annotations

import copy
import json
from typing import Any

from checks import secrets
from readiness.keys import known_keys
from readiness.model import Result, Status
from readiness.runner import run_check
from readiness.snapshot import not_installed, unavailable
from tests.snap import UPSTREAM, make_snapshot, one

CSI = "secrets-store-csi-driver/deploy"
AWS = "secrets-store-csi-driver-provider-aws"
SPCS = "secretproviderclasses.secrets-store.csi.x-k8s.io"
STATUSES = "secretproviderclasspodstatuses.secrets-store.csi.x-k8s.io"
SM = "secretsmanager:secrets"
VOLUME = "secrets-store-inline"


def node(n: int, **extra: str) -> dict[str, Any]:
    return {
        "metadata": {
            "name": f"ip-10-0-{n}-10.eu-west-1.compute.internal",
            "labels": {"kubernetes.io/os": "linux", **extra},
        }
    }


NODES = [node(1), node(2), node(3), node(4, **{"eks.amazonaws.com/compute-type": "fargate"})]


def ds(obj: dict[str, Any], desired: int = 3, ready: int = 3) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    out["status"] = {
        "currentNumberScheduled": desired,
        "desiredNumberScheduled": desired,
        "numberAvailable": ready,
        "numberMisscheduled": 0,
        "numberReady": ready,
        "updatedNumberScheduled": desired,
    }
    return out


def driver_ds(**kw: int) -> dict[str, Any]:
    return ds(one(f"{CSI}/secrets-store-csi-driver.yaml", "DaemonSet"), **kw)


def provider_ds(**kw: int) -> dict[str, Any]:
    return ds(one(f"{AWS}/deployment/aws-provider-installer.yaml", "DaemonSet"), **kw)


def spc(namespace: str = "app") -> dict[str, Any]:
    obj = one(f"{AWS}/examples/ExampleSecretProviderClass-IRSA.yaml")
    obj["metadata"]["namespace"] = namespace
    return obj


def pod_status(spc_name: str, namespace: str = "app", mounted: bool = True) -> dict[str, Any]:
    """A SecretProviderClassPodStatus as the driver writes it (shape from the upstream CRD)."""
    pod = "nginx-irsa-deployment-6d4cf56db6-x7k2p"
    node_name = "ip-10-0-1-10.eu-west-1.compute.internal"
    target = f"/var/lib/kubelet/pods/0f1e/volumes/kubernetes.io~csi/{VOLUME}/mount"
    return {
        "apiVersion": "secrets-store.csi.x-k8s.io/v1",
        "kind": "SecretProviderClassPodStatus",
        "metadata": {
            "name": f"{pod}-{namespace}-{spc_name}",
            "namespace": namespace,
            "labels": {"internal.secrets-store.csi.k8s.io/node-name": node_name},
            "ownerReferences": [{"apiVersion": "v1", "kind": "Pod", "name": pod}],
        },
        "status": {
            "mounted": mounted,
            "objects": [{"id": "MySecret", "version": "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111"}],
            "podName": pod,
            "secretProviderClassName": spc_name,
            "targetPath": target,
        },
    }


def listed_secrets(*extra: str) -> list[dict[str, str]]:
    """ListSecrets metadata as the collector keeps it: Name and ARN only."""
    path = UPSTREAM / "aws-cli/awscli/examples/secretsmanager/list-secrets.rst.output-1.json"
    out = [{"Name": s["Name"], "ARN": s["ARN"]} for s in json.loads(path.read_text())["SecretList"]]
    for n in extra:
        out.append(
            {"Name": n, "ARN": f"arn:aws:secretsmanager:us-west-2:123456789012:secret:{n}-AbCdEf"}
        )
    return out


def entries(**over: Any) -> dict[str, Any]:
    """The roadmap's starting cluster: driver and AWS provider installed, nothing else."""
    base: dict[str, Any] = {
        "csidrivers": [one(f"{CSI}/csidriver.yaml")],
        "daemonsets": [driver_ds(), provider_ds()],
        "nodes": NODES,
        SPCS: [],
        STATUSES: [],
        SM: listed_secrets(),
    }
    base.update(over)
    return base


def working(**over: Any) -> dict[str, Any]:
    example = spc()
    base = entries(**{SPCS: [example], STATUSES: [pod_status(example["metadata"]["name"])]})
    base[SM] = listed_secrets("MySecret")
    base.update(over)
    return base


def run(**e: Any) -> Result:
    return run_check(secrets.provider_class, make_snapshot(e), strict=True)


def text(r: Result) -> str:
    return r.summary + " | " + " | ".join(f"{e.ref}: {e.detail}" for e in r.evidence)


def test_metadata_and_needs() -> None:
    chk = secrets.provider_class
    assert set(chk.needs) <= known_keys()
    assert chk.rationale and "create_example_secret_provider_class" in chk.remediation


def test_starting_cluster_warns_with_roadmap_step() -> None:
    r = run(**entries())
    assert r.status is Status.WARN
    assert "driver ready, no SecretProviderClass" in r.summary
    assert "create_example_secret_provider_class = true" in r.summary
    assert "DaemonSet kube-system/csi-secrets-store: 3/3 ready on 3 nodes" in text(r)


def test_pass_when_a_pod_has_the_aws_class_mounted_and_secret_exists() -> None:
    r = run(**working())
    assert r.status is Status.PASS, r.summary
    assert "1 AWS SecretProviderClass mounted by 1 pod" in r.summary
    assert "1 referenced secret(s) checked, 0 missing" in text(r)


def test_class_without_mounted_pod_warns() -> None:
    r = run(**working(**{STATUSES: []}))
    assert r.status is Status.WARN
    assert "no pod has one mounted" in r.summary


def test_unmounted_status_does_not_count() -> None:
    r = run(
        **working(**{STATUSES: [pod_status("nginx-irsa-deployment-aws-secrets", mounted=False)]})
    )
    assert r.status is Status.WARN
    assert "mounted by 0 pods" in text(r)


def test_referenced_secret_missing_warns() -> None:
    r = run(**working(**{SM: listed_secrets()}))
    assert r.status is Status.WARN
    assert "1 referenced secret not in Secrets Manager" in r.summary
    assert "app/nginx-irsa-deployment-aws-secrets: MySecret" in text(r)


def test_secrets_listing_denied_still_decides_from_the_mount() -> None:
    denied = unavailable("AccessDeniedException", "secretsmanager:ListSecrets")
    r = run(**working(**{SM: denied}))
    assert r.status is Status.PASS
    assert "not verified: AccessDeniedException" in text(r)


def test_driver_partially_ready_warns() -> None:
    r = run(**working(daemonsets=[driver_ds(desired=2, ready=2), provider_ds()]))
    assert r.status is Status.WARN
    assert "driver not ready on all 3 nodes" in r.summary


def test_provider_missing_warns() -> None:
    r = run(**working(daemonsets=[driver_ds()]))
    assert r.status is Status.WARN
    assert "AWS provider DaemonSet not found" in r.summary


def test_no_csidriver_fails() -> None:
    r = run(**entries(csidrivers=[]))
    assert r.status is Status.FAIL
    assert "no CSIDriver secrets-store.csi.k8s.io" in r.summary


def test_csidriver_without_driver_daemonset_fails() -> None:
    r = run(**entries(daemonsets=[provider_ds()]))
    assert r.status is Status.FAIL
    assert "driver DaemonSet is missing" in r.summary


def test_crds_not_served_reads_as_no_class() -> None:
    r = run(**entries(**{SPCS: not_installed("not served"), STATUSES: not_installed("not served")}))
    assert r.status is Status.WARN
    assert "no SecretProviderClass" in r.summary


def test_unknown_when_daemonsets_forbidden() -> None:
    e = entries(daemonsets=unavailable("forbidden: list daemonsets", "list daemonsets"))
    r = run_check(secrets.provider_class, make_snapshot(e))
    assert r.status is Status.UNKNOWN
    assert "list daemonsets" in r.summary


def test_secret_refs_from_upstream_test_class() -> None:
    basic = one(f"{AWS}/tests/BasicTestMountSPC.yaml")
    refs = secrets.secret_refs(basic)
    assert "SecretsManagerTest1" in refs
    assert "arn:aws:secretsmanager:${REGION}:${ACCOUNT_NUMBER}:secret:SecretsManagerTest2" in refs
    assert "ParameterStoreTest1" not in refs  # ssmparameter, not a Secrets Manager secret
    assert len(refs) == 5


def test_partial_arn_matches_listed_secret() -> None:
    listed = listed_secrets()
    partial = "arn:aws:secretsmanager:us-west-2:123456789012:secret:MyTestSecret"
    assert secrets.secret_exists(partial, listed)
    assert secrets.secret_exists("AnotherSecret", listed)
    assert not secrets.secret_exists(
        "arn:aws:secretsmanager:us-west-2:123456789012:secret:Other", listed
    )
