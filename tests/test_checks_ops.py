"""ops.quotas-limits: quotas and LimitRanges per app namespace, sized containers."""

from __future__ import annotations

import copy
from typing import Any

from checks import ops
from readiness.model import Status
from readiness.runner import run_check
from readiness.snapshot import Parameters, unavailable
from tests.snap import details, make_snapshot, one

K8S = "kubernetes-website/content/en/examples/admin/resource"
QUOTA = f"{K8S}/quota-mem-cpu.yaml"
LIMITS = f"{K8S}/limit-mem-cpu-container.yaml"
MEM_DEFAULTS = f"{K8S}/memory-defaults.yaml"
POLARIS = "polaris/test/checks/cpuLimitsMissing"


def ns(name: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "labels": {"kubernetes.io/metadata.name": name}}}


def in_ns(path: str, namespace: str) -> dict[str, Any]:
    obj = copy.deepcopy(one(path))
    obj["metadata"]["namespace"] = namespace
    return obj


def deployment(
    namespace: str, name: str, pod_fixture: str, requests: bool = True
) -> dict[str, Any]:
    """A Deployment whose pod template is the Polaris test Pod's spec (optionally with the
    requests a chart would set added)."""
    pod = copy.deepcopy(one(pod_fixture, "Pod"))
    spec = pod["spec"]
    if requests:
        for c in spec["containers"]:
            c["resources"]["requests"] = {"cpu": "50m", "memory": "64Mi"}
    return {
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": pod["metadata"]["labels"]},
            "template": {"metadata": {"labels": pod["metadata"]["labels"]}, "spec": spec},
        },
    }


def entries(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "namespaces": [ns("kube-system"), ns("shop"), ns("payments")],
        "resourcequotas": [in_ns(QUOTA, "shop"), in_ns(QUOTA, "payments")],
        "limitranges": [in_ns(LIMITS, "shop"), in_ns(LIMITS, "payments")],
        "deployments": [
            deployment("shop", "web", f"{POLARIS}/success.yaml"),
            deployment("payments", "api", f"{POLARIS}/failure.yaml"),
        ],
        "statefulsets": [],
        "daemonsets": [],
    }
    base.update(over)
    return base


def run(e: dict[str, Any], **kw: Any) -> Any:
    return run_check(ops.quotas_limits, make_snapshot(e, **kw))


def test_pass_all_namespaces_covered_and_containers_sized() -> None:
    r = run(entries())
    assert r.status == Status.PASS, r.summary
    assert "all 2 app namespaces" in r.summary
    assert r.measured["containers_share"] == 1.0
    assert "ResourceQuota: 2 of 2 app namespaces" in details(r)


def test_limitrange_defaults_fill_unset_requests() -> None:
    # Polaris' failure Pod sets only a memory limit; the memory-defaults LimitRange gives a
    # memory request but no cpu, so it stays incomplete until a cpu default exists too.
    bare = [deployment("shop", "web", f"{POLARIS}/failure.yaml", requests=False)]
    e = entries(
        namespaces=[ns("shop")],
        resourcequotas=[in_ns(QUOTA, "shop")],
        limitranges=[in_ns(MEM_DEFAULTS, "shop")],
        deployments=bare,
    )
    r = run(e)
    assert r.status == Status.WARN
    assert "Deployment shop/web:nginx" in details(r)
    e["limitranges"] = [in_ns(LIMITS, "shop")]
    r = run(e)
    assert r.status == Status.PASS
    assert "0 set in the template, 1 by LimitRange defaults" in details(r)
    assert r.measured["containers_explicit_share"] == 0.0


def test_limitrange_min_defaults_the_request() -> None:
    # Kubernetes' LimitRange defaulting: with no default/defaultRequest for a resource, the
    # request defaults to ``min``. memory-defaults gives the memory request and limit; a
    # cpu ``min`` alone then completes the cpu request.
    bare = [deployment("shop", "web", f"{POLARIS}/failure.yaml", requests=False)]
    cpu_min = in_ns(LIMITS, "shop")
    cpu_min["metadata"]["name"] = "cpu-min"
    cpu_min["spec"]["limits"] = [{"type": "Container", "min": {"cpu": "100m"}}]
    e = entries(
        namespaces=[ns("shop")],
        resourcequotas=[in_ns(QUOTA, "shop")],
        limitranges=[in_ns(MEM_DEFAULTS, "shop"), cpu_min],
        deployments=bare,
    )
    r = run(e)
    assert r.status == Status.PASS, r.summary
    assert "0 set in the template, 1 by LimitRange defaults" in details(r)


def test_warn_when_a_namespace_lacks_quota() -> None:
    r = run(entries(resourcequotas=[in_ns(QUOTA, "shop")]))
    assert r.status == Status.WARN
    assert "1 of 2 app namespaces have both" in r.summary
    assert "namespaces lacking quota or limits: payments" in details(r)


def test_warn_when_share_below_parameter() -> None:
    bare = deployment("payments", "api", f"{POLARIS}/failure.yaml", requests=False)
    r = run(
        entries(
            limitranges=[], deployments=[bare, deployment("shop", "web", f"{POLARIS}/success.yaml")]
        )
    )
    assert r.status == Status.WARN
    assert r.measured["containers_share"] == 0.5
    lenient = Parameters(requests_limits_min_share=0.5)
    r = run(
        entries(deployments=[bare, deployment("shop", "web", f"{POLARIS}/success.yaml")]),
        params=lenient,
    )
    assert r.status == Status.PASS


def test_fail_when_nothing_configured() -> None:
    # Only a memory limit (which also becomes the memory request): no cpu request.
    bare = [deployment("shop", "web", f"{POLARIS}/failure.yaml", requests=False)]
    r = run(entries(resourcequotas=[], limitranges=[], deployments=bare))
    assert r.status == Status.FAIL
    assert "no app namespace has a ResourceQuota or LimitRange" in r.summary
    assert "only 0% of containers" in r.summary


def test_limit_without_request_counts_as_request() -> None:
    # Polaris' success Pod sets cpu and memory limits only; Kubernetes defaults the
    # requests to the limits, so the container is fully sized.
    sized = [deployment("shop", "web", f"{POLARIS}/success.yaml", requests=False)]
    r = run(entries(deployments=sized))
    assert r.status == Status.PASS
    assert "1 set in the template" in details(r)


def test_system_namespaces_are_not_judged() -> None:
    r = run(entries(namespaces=[ns("kube-system"), ns("monitoring")]))
    assert r.status == Status.SKIPPED
    assert "no app namespaces" in r.summary


def test_unknown_when_quotas_forbidden() -> None:
    r = run(
        entries(resourcequotas=unavailable("forbidden: list resourcequotas", "list resourcequotas"))
    )
    assert r.status == Status.UNKNOWN
    assert "list resourcequotas" in r.summary


def test_no_containers_is_not_reported_as_a_hundred_percent_sized() -> None:
    r = run(entries(deployments=[]))
    assert r.status == Status.PASS  # quotas and limit ranges are there for what will come
    assert r.summary.endswith("no app containers yet") and "100%" not in r.summary
