"""future.* checks: service mesh, policy as code, cost tooling, multi-region."""

from __future__ import annotations

import copy
from typing import Any

from checks import future
from readiness.model import Status
from readiness.runner import run_check
from readiness.snapshot import Parameters, not_installed, unavailable
from tests.snap import details, make_snapshot, upstream

ISTIO = "istio/operator/cmd/mesh/testdata/manifest-generate/output/pilot_default.golden.yaml"
LINKERD = "linkerd2/cli/cmd/testdata/install_default.golden"
GATEKEEPER = "gatekeeper/deploy/gatekeeper.yaml"
AUDIT_DOC = "gatekeeper/website/docs/audit.md.block-1.yaml"
LIBRARY = "gatekeeper-library/library/general"
OPENCOST = "opencost/kubernetes/opencost.yaml"
FORBIDDEN = unavailable("forbidden: list x", "list x")


def run(chk: Any, entries: dict[str, Any], **kw: Any) -> Any:
    return run_check(chk, make_snapshot(entries, **kw))


def with_status(objs: list[dict[str, Any]], ready: bool = True) -> list[dict[str, Any]]:
    """Upstream manifests carry no status; give each Deployment the one the API would."""
    out = []
    for obj in copy.deepcopy(objs):
        want = obj["spec"].get("replicas") or 1
        obj["status"] = {"replicas": want, "readyReplicas": want if ready else 0}
        out.append(obj)
    return out


def ns(
    name: str, labels: dict[str, str] | None = None, notes: dict[str, str] | None = None
) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "name": name,
        "labels": {"kubernetes.io/metadata.name": name, **(labels or {})},
    }
    if notes:
        meta["annotations"] = notes
    return {"metadata": meta, "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}


# -- future.service-mesh -------------------------------------------------------------------


def test_mesh_istio_pass_with_enrolled_namespace() -> None:
    namespaces = [ns("istio-system"), ns("shop", {"istio-injection": "enabled"}), ns("payments")]
    r = run(
        future.service_mesh,
        {"deployments": with_status(upstream(ISTIO, "Deployment")), "namespaces": namespaces},
    )
    assert r.status == Status.PASS
    assert "Istio running; 1 of 2 app namespaces enrolled" == r.summary
    assert "Deployment istio-system/istiod: 1/1 ready" in details(r)


def test_mesh_istio_revision_label_enrolls() -> None:
    namespaces = [ns("shop", {"istio.io/rev": "1-24"})]
    r = run(
        future.service_mesh,
        {"deployments": with_status(upstream(ISTIO, "Deployment")), "namespaces": namespaces},
    )
    assert r.status == Status.PASS
    assert r.measured["enrolled_namespaces"] == 1


def test_mesh_linkerd_warn_when_no_app_namespace_enrolled() -> None:
    deployments = with_status(upstream(LINKERD, "Deployment"))
    namespaces = [n for n in upstream(LINKERD, "Namespace")] + [ns("shop")]
    r = run(future.service_mesh, {"deployments": deployments, "namespaces": namespaces})
    assert r.status == Status.WARN
    assert "Linkerd is running but no app namespace is enrolled" == r.summary
    namespaces.append(ns("payments", notes={"linkerd.io/inject": "enabled"}))
    r = run(future.service_mesh, {"deployments": deployments, "namespaces": namespaces})
    assert r.status == Status.PASS
    assert "Linkerd enrolled: payments" in details(r)


def test_mesh_fail_when_control_plane_down_or_absent() -> None:
    namespaces = [ns("shop", {"istio-injection": "enabled"})]
    down = with_status(upstream(ISTIO, "Deployment"), ready=False)
    r = run(future.service_mesh, {"deployments": down, "namespaces": namespaces})
    assert r.status == Status.FAIL
    assert "Istio control plane not ready" in r.summary
    r = run(
        future.service_mesh,
        {"deployments": with_status(upstream(OPENCOST, "Deployment")), "namespaces": namespaces},
    )
    assert r.status == Status.FAIL
    assert "no service mesh" in r.summary


def test_mesh_unknown_when_deployments_forbidden() -> None:
    r = run(future.service_mesh, {"deployments": FORBIDDEN, "namespaces": [ns("shop")]})
    assert r.status == Status.UNKNOWN
    assert "list x" in r.summary


# -- future.policy -------------------------------------------------------------------------


def constraint(path: str, **spec: Any) -> dict[str, Any]:
    c = copy.deepcopy(upstream(path)[0])
    c["spec"].update(spec)
    return c


def audited(c: dict[str, Any], violations: int) -> dict[str, Any]:
    c["status"] = {
        "auditTimestamp": "2026-11-27T11:59:00Z",
        "totalViolations": violations,
        "byPod": [],
    }
    return c


def template() -> dict[str, Any]:
    return {
        "metadata": {"name": "k8srequiredlabels"},
        "spec": {"crd": {"spec": {"names": {"kind": "K8sRequiredLabels"}}}},
    }


def gk_entries(constraints: list[dict[str, Any]], ready: bool = True) -> dict[str, Any]:
    return {
        "constrainttemplates.templates.gatekeeper.sh": [template()],
        "constraints.gatekeeper.sh": constraints,
        "clusterpolicies.kyverno.io": not_installed("kyverno.io not served"),
        "policyreports.wgpolicyk8s.io": not_installed("wgpolicyk8s.io not served"),
        "deployments": with_status(upstream(GATEKEEPER, "Deployment"), ready),
    }


def test_policy_gatekeeper_pass_with_deny_constraint_and_audit() -> None:
    owner = audited(
        constraint(f"{LIBRARY}/requiredlabels/samples/all-must-have-owner/constraint.yaml"), 3
    )
    limits = audited(
        constraint(
            f"{LIBRARY}/containerlimits/samples/container-must-have-limits/constraint.yaml",
            enforcementAction="dryrun",
        ),
        2,
    )
    r = run(future.policy, gk_entries([owner, limits]))
    assert r.status == Status.PASS, r.summary
    assert r.summary == "Gatekeeper: 1 of 2 policies enforced, audit running"
    assert r.measured["violations"] == 5
    assert "Deployment gatekeeper-system/gatekeeper-audit: 1/1 ready" in details(r)


def test_policy_gatekeeper_counts_violations_from_audit_doc() -> None:
    r = run(future.policy, gk_entries(upstream(AUDIT_DOC)))
    assert r.status == Status.PASS
    assert r.measured["violations"] == 4
    assert "K8sRequiredLabels ns-must-have-gk: violations 4" in details(r)


def test_policy_warn_when_only_dryrun_or_audit_down() -> None:
    dry = constraint(
        f"{LIBRARY}/containerlimits/samples/container-must-have-limits/constraint.yaml",
        enforcementAction="dryrun",
    )
    r = run(future.policy, gk_entries([dry]))
    assert r.status == Status.WARN
    assert "no policy in enforce mode" in r.summary
    e = gk_entries(
        [constraint(f"{LIBRARY}/requiredlabels/samples/all-must-have-owner/constraint.yaml")]
    )
    audit = next(d for d in e["deployments"] if d["metadata"]["name"] == "gatekeeper-audit")
    audit["status"]["readyReplicas"] = 0
    r = run(future.policy, e)
    assert r.status == Status.WARN
    assert "audit not running" in r.summary


def kyverno_policy(action: str) -> dict[str, Any]:
    return {
        "apiVersion": "kyverno.io/v1",
        "kind": "ClusterPolicy",
        "metadata": {"name": "require-labels"},
        "spec": {
            "validationFailureAction": action,
            "background": True,
            "rules": [
                {
                    "name": "check-for-labels",
                    "match": {"any": [{"resources": {"kinds": ["Pod"]}}]},
                    "validate": {
                        "message": "label `app.kubernetes.io/name` is required",
                        "pattern": {"metadata": {"labels": {"app.kubernetes.io/name": "?*"}}},
                    },
                }
            ],
        },
        "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "Succeeded"}]},
    }


def kyverno_admission(ready: bool = True) -> dict[str, Any]:
    labels = {
        "app.kubernetes.io/component": "admission-controller",
        "app.kubernetes.io/instance": "kyverno",
        "app.kubernetes.io/part-of": "kyverno",
    }
    return {
        "metadata": {
            "name": "kyverno-admission-controller",
            "namespace": "kyverno",
            "labels": labels,
        },
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [
                        {"name": "kyverno", "image": "reg.kyverno.io/kyverno/kyverno:v1.13.0"}
                    ]
                },
            },
        },
        "status": {"replicas": 3, "readyReplicas": 3 if ready else 0},
    }


def ky_entries(policies: list[dict[str, Any]], ready: bool = True) -> dict[str, Any]:
    report = {
        "metadata": {"name": "a1b2", "namespace": "shop"},
        "summary": {"pass": 4, "fail": 2, "warn": 0, "error": 0, "skip": 0},
        "results": [],
    }
    return {
        "constrainttemplates.templates.gatekeeper.sh": not_installed("not served"),
        "constraints.gatekeeper.sh": not_installed("not served"),
        "clusterpolicies.kyverno.io": policies,
        "policyreports.wgpolicyk8s.io": [report],
        "deployments": [kyverno_admission(ready)],
    }


def test_policy_kyverno_enforce_pass_and_audit_warn() -> None:
    r = run(future.policy, ky_entries([kyverno_policy("Enforce")]))
    assert r.status == Status.PASS
    assert r.measured["violations"] == 2
    assert "ClusterPolicy require-labels: Enforce" in details(r)
    r = run(future.policy, ky_entries([kyverno_policy("Audit")]))
    assert r.status == Status.WARN
    assert "ClusterPolicy require-labels: Audit" in details(r)


def test_policy_kyverno_per_rule_failure_action() -> None:
    p = kyverno_policy("Audit")
    del p["spec"]["validationFailureAction"]
    p["spec"]["rules"][0]["validate"]["failureAction"] = "Enforce"
    r = run(future.policy, ky_entries([p]))
    assert r.status == Status.PASS
    assert r.summary == "Kyverno: 1 of 1 policies enforced, audit running"


def test_policy_fail_when_none_or_installed_without_policies() -> None:
    e = ky_entries([])
    e["clusterpolicies.kyverno.io"] = not_installed("kyverno.io not served")
    e["deployments"] = []
    r = run(future.policy, e)
    assert r.status == Status.FAIL
    assert "no policy engine" in r.summary
    r = run(future.policy, gk_entries([]))
    assert r.status == Status.FAIL
    assert "Gatekeeper installed but has no policies" == r.summary


def test_policy_unknown_when_an_engine_cannot_be_read() -> None:
    e = ky_entries([kyverno_policy("Audit")])
    e["constraints.gatekeeper.sh"] = FORBIDDEN
    e["constrainttemplates.templates.gatekeeper.sh"] = [template()]
    r = run(future.policy, e)
    assert r.status == Status.UNKNOWN
    assert "constraints.gatekeeper.sh" in r.summary
    # ... but an engine that enforces decides on its own.
    e["clusterpolicies.kyverno.io"] = [kyverno_policy("Enforce")]
    assert run(future.policy, e).status == Status.PASS


# -- future.cost ---------------------------------------------------------------------------


def test_cost_opencost_running() -> None:
    r = run(future.cost, {"deployments": with_status(upstream(OPENCOST, "Deployment"))})
    assert r.status == Status.PASS
    assert "opencost" in r.summary
    assert "Deployment opencost/opencost: 1/1 ready" in details(r)


def test_cost_fail_not_running_or_absent() -> None:
    r = run(
        future.cost, {"deployments": with_status(upstream(OPENCOST, "Deployment"), ready=False)}
    )
    assert r.status == Status.FAIL
    assert "installed but not running" in r.summary
    r = run(future.cost, {"deployments": with_status(upstream(ISTIO, "Deployment"))})
    assert r.status == Status.FAIL
    assert "no cost tool" in r.summary


def test_cost_unknown_when_forbidden() -> None:
    r = run(future.cost, {"deployments": FORBIDDEN})
    assert r.status == Status.UNKNOWN
    assert "list x" in r.summary


# -- future.multi-region -------------------------------------------------------------------

REGIONS = Parameters(regions=("eu-west-1", "eu-central-1", "us-east-1"))


def regional(**by_region: list[tuple[str, str]]) -> dict[str, Any]:
    return {
        region.replace("_", "-"): [{"name": n, "status": s, "version": "1.34"} for n, s in clusters]
        for region, clusters in by_region.items()
    }


def test_multi_region_skipped_without_regions() -> None:
    r = run(future.multi_region, {"eks:regional-clusters": FORBIDDEN})
    assert r.status == Status.SKIPPED
    assert r.summary == "no regions named in rubric.yaml (parameters.regions)"


def test_multi_region_pass_warn_fail() -> None:
    both = regional(
        eu_central_1=[("prod", "ACTIVE")], us_east_1=[("prod", "ACTIVE"), ("qa", "CREATING")]
    )
    r = run(future.multi_region, {"eks:regional-clusters": both}, params=REGIONS)
    assert r.status == Status.PASS
    assert "region us-east-1: ACTIVE: prod" in details(r)
    one_only = regional(eu_central_1=[("prod", "ACTIVE")], us_east_1=[("qa", "CREATING")])
    r = run(future.multi_region, {"eks:regional-clusters": one_only}, params=REGIONS)
    assert r.status == Status.WARN
    assert "none in us-east-1" in r.summary
    none = regional(eu_central_1=[], us_east_1=[("qa", "FAILED")])
    r = run(future.multi_region, {"eks:regional-clusters": none}, params=REGIONS)
    assert r.status == Status.FAIL
    assert "no ACTIVE EKS cluster in eu-central-1, us-east-1" == r.summary


def test_multi_region_unknown_when_forbidden_or_region_not_listed() -> None:
    r = run(future.multi_region, {"eks:regional-clusters": FORBIDDEN}, params=REGIONS)
    assert r.status == Status.UNKNOWN
    assert "forbidden" in r.summary
    partial = regional(eu_central_1=[("prod", "ACTIVE")])
    r = run(future.multi_region, {"eks:regional-clusters": partial}, params=REGIONS)
    assert r.status == Status.UNKNOWN
    assert "us-east-1" in r.summary
