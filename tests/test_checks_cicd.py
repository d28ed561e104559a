"""cicd.image-scanning: app images (from workload pod templates) against ECR repository and
registry scanning settings. ECR items are hand-written in the DescribeRepositories /
GetRegistryScanningConfiguration response shapes; the Deployment is flux2's testdata one."""

from __future__ import annotations

import copy
from typing import Any

import yaml

from checks import cicd
from readiness.model import Status
from readiness.runner import run_check
from readiness.snapshot import unavailable
from tests.snap import UPSTREAM, make_snapshot

ACCOUNT = "111122223333"
REGISTRY = f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com"
API = f"{REGISTRY}/shop/api"
WORKER = f"{REGISTRY}/shop/worker"


def flux_deployment() -> dict[str, Any]:
    """flux2 cmd/flux/testdata/trace/deployment.yaml's Deployment (a Go template)."""
    text = (UPSTREAM / "flux2/cmd/flux/testdata/trace/deployment.yaml").read_text()
    text = text.replace("{{ .fluxns }}", "flux-system").replace("{{ .ns }}", "shop")
    return next(d for d in yaml.safe_load_all(text) if d and d.get("kind") == "Deployment")


def deployment(image: str, ns: str = "shop") -> dict[str, Any]:
    d = copy.deepcopy(flux_deployment())
    d["metadata"]["namespace"] = ns
    d["spec"]["template"]["spec"]["containers"][0]["image"] = image
    d["status"] = {"replicas": 1, "readyReplicas": 1}
    return d


def cronjob(image: str) -> dict[str, Any]:
    return {
        "metadata": {"name": "report", "namespace": "shop"},
        "spec": {
            "schedule": "0 3 * * *",
            "jobTemplate": {
                "spec": {
                    "template": {
                        "spec": {
                            "restartPolicy": "OnFailure",
                            "containers": [{"name": "report", "image": image}],
                        }
                    }
                }
            },
        },
    }


def repository(name: str, scan_on_push: bool) -> dict[str, Any]:
    return {
        "repositoryArn": f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/{name}",
        "registryId": ACCOUNT,
        "repositoryName": name,
        "repositoryUri": f"{REGISTRY}/{name}",
        "createdAt": "2026-01-10T09:00:00+00:00",
        "imageTagMutability": "IMMUTABLE",
        "imageScanningConfiguration": {"scanOnPush": scan_on_push},
        "encryptionConfiguration": {"encryptionType": "AES256"},
    }


def registry(scan_type: str = "BASIC", *rules: tuple[str, str]) -> dict[str, Any]:
    return {
        "registryId": ACCOUNT,
        "scanningConfiguration": {
            "scanType": scan_type,
            "rules": [
                {
                    "scanFrequency": freq,
                    "repositoryFilters": [{"filter": flt, "filterType": "WILDCARD"}],
                }
                for freq, flt in rules
            ],
        },
    }


def snap(**over: Any) -> Any:
    entries: dict[str, Any] = {
        "namespaces": [
            {"metadata": {"name": n}, "spec": {}, "status": {"phase": "Active"}}
            for n in ("shop", "kube-system")
        ],
        "deployments": [
            deployment(f"{API}:1.4.2"),
            deployment(f"{REGISTRY}/amazon-k8s-cni:v1.18.3", ns="kube-system"),
        ],
        "statefulsets": [],
        "daemonsets": [],
        "cronjobs": [cronjob(f"{WORKER}@sha256:{'a' * 64}")],
        "ecr:repositories": [repository("shop/api", True), repository("shop/worker", True)],
        "ecr:registry-scanning": registry("BASIC"),
    }
    entries.update(over)
    return make_snapshot(entries)


def test_app_images_come_from_templates_of_app_namespaces_only() -> None:
    assert cicd.app_images(snap()) == [API, WORKER]


def test_pass_with_scan_on_push_repositories() -> None:
    r = run_check(cicd.image_scanning, snap())
    assert r.status is Status.PASS
    assert r.summary == "2 of 2 app images scanned by ECR"
    assert r.measured["scanned_share"] == 1.0
    assert any(e.ref == f"image {API}" and e.detail == "repository scanOnPush" for e in r.evidence)


def test_pass_with_enhanced_registry_rule() -> None:
    repos = [repository("shop/api", False), repository("shop/worker", False)]
    s = snap(
        **{
            "ecr:repositories": repos,
            "ecr:registry-scanning": registry("ENHANCED", ("CONTINUOUS_SCAN", "*")),
        }
    )
    r = run_check(cicd.image_scanning, s)
    assert r.status is Status.PASS
    assert any("registry ENHANCED scanning, CONTINUOUS_SCAN" in e.detail for e in r.evidence)


def test_enhanced_mode_ignores_repository_scan_on_push() -> None:
    s = snap(**{"ecr:registry-scanning": registry("ENHANCED", ("SCAN_ON_PUSH", "shop/api*"))})
    r = run_check(cicd.image_scanning, s)
    assert r.status is Status.WARN
    assert r.measured["scanned_share"] == 0.5
    assert any(e.ref == f"image {WORKER}" and "no rule matching" in e.detail for e in r.evidence)


def test_warn_when_some_images_are_not_from_ecr() -> None:
    s = snap(cronjobs=[cronjob("docker.io/library/busybox:1.36")])
    r = run_check(cicd.image_scanning, s)
    assert r.status is Status.WARN
    assert "1 of 2 app images scanned" in r.summary
    assert any(
        e.ref == "non-ECR images" and "docker.io/library/busybox" in e.detail for e in r.evidence
    )


def test_fail_when_no_image_is_from_ecr() -> None:
    s = snap(deployments=[deployment("busybox")], cronjobs=[])
    r = run_check(cicd.image_scanning, s)
    assert r.status is Status.FAIL
    assert r.summary == "no app image comes from ECR"
    assert r.measured["scanned_share"] == 0.0


def test_fail_when_ecr_repositories_are_not_scanned() -> None:
    repos = [repository("shop/api", False)]  # shop/worker not listed at all
    r = run_check(cicd.image_scanning, snap(**{"ecr:repositories": repos}))
    assert r.status is Status.FAIL
    details = {e.ref: e.detail for e in r.evidence}
    assert details[f"image {API}"] == "scanOnPush off and no registry scanning rule matches"
    assert details[f"image {WORKER}"] == "repository not in this account/region's ECR listing"


def test_decides_from_registry_rules_when_repositories_unreadable() -> None:
    s = snap(
        **{
            "ecr:repositories": unavailable("AccessDenied", "ecr:DescribeRepositories"),
            "ecr:registry-scanning": registry("BASIC", ("SCAN_ON_PUSH", "shop/*")),
        }
    )
    r = run_check(cicd.image_scanning, s)
    assert r.status is Status.PASS
    assert r.summary == "2 of 2 app images scanned by ECR"
    assert {e.detail for e in r.evidence[1:]} == {"registry BASIC scanning, SCAN_ON_PUSH"}


def test_unknown_when_a_missing_fact_could_change_the_verdict() -> None:
    s = snap(
        **{
            "ecr:registry-scanning": unavailable(
                "AccessDenied", "ecr:GetRegistryScanningConfiguration"
            )
        }
    )
    r = run_check(cicd.image_scanning, s)
    assert r.status is Status.UNKNOWN
    assert "2 more could not be judged" in r.summary


def test_unknown_when_ecr_unreadable() -> None:
    s = snap(
        **{
            "ecr:repositories": unavailable(
                "AccessDenied: DescribeRepositories", "ecr:DescribeRepositories"
            ),
            "ecr:registry-scanning": unavailable(
                "AccessDenied", "ecr:GetRegistryScanningConfiguration"
            ),
        }
    )
    r = run_check(cicd.image_scanning, s)
    assert r.status is Status.UNKNOWN
    assert "ecr:DescribeRepositories" in r.summary


def test_unknown_when_workloads_unreadable() -> None:
    r = run_check(
        cicd.image_scanning, snap(cronjobs=unavailable("forbidden: list cronjobs", "list cronjobs"))
    )
    assert r.status is Status.UNKNOWN
    assert "list cronjobs" in r.summary


def test_skipped_when_no_app_workload_runs_yet() -> None:
    """Nothing deployed in the app namespaces: nothing to scan, as for workload hardening —
    neither a pass nor a failure."""
    r = run_check(cicd.image_scanning, snap(deployments=[], cronjobs=[]))
    assert r.status is Status.SKIPPED
    assert r.summary == "no app workloads: no running images to check"
