"""Week 3 GitOps checks over upstream shapes: Argo CD Applications from the argo-cd repo
(a live dump with status/history/resources, gitops-engine health fixtures), Flux objects from
the flux2 CLI testdata (Go templates: namespaces substituted here), the argo-cd health
fixtures for Flux Kustomization/HelmRelease, and flux2-kustomize-helm-example."""

from __future__ import annotations

import copy
from typing import Any

import yaml

from checks import gitops
from readiness.model import Status
from readiness.runner import run_check
from readiness.snapshot import not_installed, unavailable
from tests.snap import UPSTREAM, make_snapshot, one

ARGO_LIVE = "argo-cd/controller/testdata/diff-cache.yaml"
ARGO_CHILD = "argo-cd/controller/testdata/live-child-application.yaml"
ARGO_DEGRADED = "argo-cd/gitops-engine/pkg/health/testdata/application-degraded.yaml"
RC = "argo-cd/resource_customizations/"
HR_HEALTHY = RC + "helm.toolkit.fluxcd.io/HelmRelease/testdata/healthy.yaml"
HR_DEGRADED = RC + "helm.toolkit.fluxcd.io/HelmRelease/testdata/degraded.yaml"
KS_HEALTHY = RC + "kustomize.toolkit.fluxcd.io/Kustomization/testdata/healthy.yaml"
KS_DEGRADED = RC + "kustomize.toolkit.fluxcd.io/Kustomization/testdata/degraded.yaml"
FLUX_TRACE = "flux2/cmd/flux/testdata/trace/deployment.yaml"
FLUX_TREE = "flux2/cmd/flux/testdata/tree/kustomizations.yaml"
EXAMPLE_RELEASE = "flux2-kustomize-helm-example/apps/base/podinfo/release.yaml"

ARGO, KS, HR, GIT = gitops.ARGO_APPS, gitops.FLUX_KS, gitops.FLUX_HR, gitops.FLUX_GIT
ABSENT = not_installed("group is not served (CRD not installed)")


def flux_template(relpath: str, kind: str) -> list[dict[str, Any]]:
    """flux2 testdata are Go templates; the CLI tests fill in these namespaces."""
    text = (UPSTREAM / relpath).read_text()
    text = text.replace("{{ .fluxns }}", "flux-system").replace("{{ .ns }}", "podinfo")
    return [d for d in yaml.safe_load_all(text) if isinstance(d, dict) and d.get("kind") == kind]


def namespaces(*names: str) -> list[dict[str, Any]]:
    return [{"metadata": {"name": n}, "spec": {}, "status": {"phase": "Active"}} for n in names]


def workload(
    name: str,
    ns: str,
    ready: int = 1,
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
    template_labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": ns, "labels": labels or {}}
    if annotations:
        meta["annotations"] = annotations
    return {
        "metadata": meta,
        "spec": {
            "replicas": 1,
            "template": {
                "metadata": {"labels": template_labels or labels or {}},
                "spec": {"containers": [{"name": name, "image": "nginx:latest"}]},
            },
        },
        "status": {"replicas": 1, "readyReplicas": ready, "availableReplicas": ready},
    }


def argo_workload(component: str, ready: int = 1) -> dict[str, Any]:
    """Labels as in argo-cd manifests/install.yaml (v3.5.1)."""
    name = f"argocd-{component}"
    labels = {
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/part-of": "argocd",
    }
    return workload(name, "argocd", ready, labels, template_labels={"app.kubernetes.io/name": name})


def flux_controller(name: str, ready: int = 1) -> dict[str, Any]:
    """Labels as in flux's gotk-components.yaml."""
    labels = {
        "app.kubernetes.io/component": name,
        "app.kubernetes.io/instance": "flux-system",
        "app.kubernetes.io/part-of": "flux",
    }
    return workload(name, "flux-system", ready, labels, template_labels={"app": name})


def argo_live() -> dict[str, Any]:
    return copy.deepcopy(one(ARGO_LIVE, "Application"))


def argo_degraded(name: str = "guestbook") -> dict[str, Any]:
    app = copy.deepcopy(one(ARGO_DEGRADED, "Application"))
    app["metadata"] = {"name": name, "namespace": "argocd"}
    app["status"]["sync"] = {"status": "OutOfSync"}
    return app


# -- gitops.controller -------------------------------------------------------------------------


def controller_snap(**over: Any) -> Any:
    entries: dict[str, Any] = {
        ARGO: ABSENT,
        KS: ABSENT,
        HR: ABSENT,
        GIT: ABSENT,
        "deployments": [],
        "statefulsets": [],
    }
    entries.update(over)
    return make_snapshot(entries)


def argo_install(repo_ready: int = 1) -> dict[str, Any]:
    return {
        ARGO: [],
        "deployments": [
            argo_workload("server"),
            argo_workload("repo-server", repo_ready),
            argo_workload("redis"),
        ],
        "statefulsets": [argo_workload("application-controller")],
    }


def test_controller_pass_with_argo_cd() -> None:
    r = run_check(gitops.controller, controller_snap(**argo_install()))
    assert r.status is Status.PASS
    assert r.summary.startswith("Argo CD installed")
    refs = {e.ref for e in r.evidence}
    assert "Argo CD StatefulSet argocd/argocd-application-controller" in refs


def test_controller_pass_with_flux() -> None:
    ctrls = [
        flux_controller(n) for n in ("source-controller", "kustomize-controller", "helm-controller")
    ]
    snap = controller_snap(**{KS: [], HR: [], GIT: [], "deployments": ctrls})
    r = run_check(gitops.controller, snap)
    assert r.status is Status.PASS
    assert "Flux installed" in r.summary


def test_controller_flux_without_helm_api_needs_no_helm_controller() -> None:
    ctrls = [flux_controller(n) for n in ("source-controller", "kustomize-controller")]
    snap = controller_snap(**{KS: [], GIT: [], "deployments": ctrls})
    r = run_check(gitops.controller, snap)
    assert r.status is Status.PASS
    assert not any("helm-controller" in e.ref for e in r.evidence)


def test_controller_warns_when_a_controller_is_not_ready() -> None:
    r = run_check(gitops.controller, controller_snap(**argo_install(repo_ready=0)))
    assert r.status is Status.WARN
    assert "not all controllers ready" in r.summary
    assert any(
        e.ref == "Argo CD Deployment argocd/argocd-repo-server" and e.detail == "0/1 ready"
        for e in r.evidence
    )


def test_controller_fails_on_crds_without_controllers() -> None:
    """CRDs left behind by an uninstall (or controllers scaled to zero) reconcile nothing:
    that is not half a GitOps controller."""
    r = run_check(gitops.controller, controller_snap(**{KS: [], GIT: []}))
    assert r.status is Status.FAIL
    assert r.summary == "Flux installed but no controller is ready"
    assert any(e.ref == "Flux source-controller" and e.detail == "not found" for e in r.evidence)


def test_controller_fails_when_every_controller_is_scaled_to_zero() -> None:
    install = argo_install()
    for obj in install["deployments"] + install["statefulsets"]:
        obj["spec"]["replicas"] = 0
        obj["status"] = {"replicas": 0}
    r = run_check(gitops.controller, controller_snap(**install))
    assert r.status is Status.FAIL
    assert "Argo CD installed but no controller is ready" in r.summary
    assert any(e.detail == "0/0 ready" for e in r.evidence)


def test_controller_fails_when_neither() -> None:
    snap = controller_snap(deployments=[workload("web", "shop", labels={"app": "web"})])
    r = run_check(gitops.controller, snap)
    assert r.status is Status.FAIL
    assert "neither Argo CD nor Flux" in r.summary


def test_controller_unknown_when_deployments_unreadable() -> None:
    snap = controller_snap(
        deployments=unavailable("forbidden: list deployments", "list deployments")
    )
    r = run_check(gitops.controller, snap)
    assert r.status is Status.UNKNOWN
    assert "list deployments" in r.summary


# -- gitops.applications -----------------------------------------------------------------------


def apps_snap(**over: Any) -> Any:
    entries: dict[str, Any] = {
        ARGO: [argo_live()],
        KS: ABSENT,
        HR: ABSENT,
        "namespaces": namespaces("argocd", "test-lla", "kube-system"),
        "deployments": [workload("test-lla", "test-lla")],
        "statefulsets": [argo_workload("application-controller")],
        "daemonsets": [],
    }
    entries.update(over)
    return make_snapshot(entries)


def test_applications_pass_with_synced_healthy_app() -> None:
    r = run_check(gitops.applications, apps_snap())
    assert r.status is Status.PASS
    assert r.measured["gitops_managed_share"] == 1.0
    assert "1 of 1 app workloads managed" in r.summary
    assert any(e.ref == "Application argo-cd/velero-test" for e in r.evidence)


def test_applications_warns_on_degraded_app() -> None:
    r = run_check(gitops.applications, apps_snap(**{ARGO: [argo_live(), argo_degraded()]}))
    assert r.status is Status.WARN
    assert "1 of 2 apps not Synced/Healthy/Ready" in r.summary
    assert any(
        e.ref == "Application argocd/guestbook" and e.detail == "OutOfSync/Degraded"
        for e in r.evidence
    )


def test_applications_warns_when_most_workloads_are_manual() -> None:
    deps = [workload("test-lla", "test-lla"), workload("a", "test-lla"), workload("b", "test-lla")]
    r = run_check(gitops.applications, apps_snap(deployments=deps))
    assert r.status is Status.WARN
    assert "only 1 of 3 app workloads managed by GitOps" in r.summary
    assert r.measured["gitops_managed_share"] == 0.33


def test_applications_counts_tracking_labels_and_annotations() -> None:
    deps = [
        workload(
            "api",
            "shop",
            annotations={"argocd.argoproj.io/tracking-id": "shop:apps/Deployment:shop/api"},
        ),
        workload("web", "shop", labels={"app.kubernetes.io/instance": "velero-test"}),
        workload("cart", "shop", labels={"app.kubernetes.io/instance": "cart-release"}),
    ]
    snap = apps_snap(namespaces=namespaces("shop"), deployments=deps)
    share, managed, total = gitops.managed_share(snap)
    assert (share, managed, total) == (0.67, 2, 3)


def test_applications_flux_objects_and_inventory() -> None:
    hrs = flux_template(FLUX_TRACE, "HelmRelease")
    kss = flux_template(FLUX_TRACE, "Kustomization") + flux_template(FLUX_TREE, "Kustomization")[:1]
    deps = flux_template(FLUX_TRACE, "Deployment")
    for d in deps:
        d["status"] = {"replicas": 1, "readyReplicas": 1}
    snap = apps_snap(
        **{ARGO: ABSENT, KS: kss, HR: hrs},
        namespaces=namespaces("flux-system", "podinfo"),
        deployments=deps,
        statefulsets=[],
    )
    r = run_check(gitops.applications, snap)
    assert r.status is Status.PASS, r.summary
    assert "3 GitOps apps healthy" in r.summary
    assert r.measured["gitops_managed_share"] == 1.0


def test_applications_suspended_flux_object_is_not_ready() -> None:
    ks = copy.deepcopy(one(KS_HEALTHY, "Kustomization"))
    ks["spec"]["suspend"] = True
    r = run_check(gitops.applications, apps_snap(**{KS: [ks], HR: [one(HR_DEGRADED)]}))
    assert r.status is Status.WARN
    details = {e.ref: e.detail for e in r.evidence}
    assert details["Kustomization default/podinfo"] == "suspended"
    assert details["HelmRelease default/podinfo"] == "Ready=False (RollbackSucceeded)"


def test_applications_flux_ready_for_an_older_generation_is_not_ready() -> None:
    """Ready=True written for generation 2 while the spec is at 3: the new revision has not
    been reconciled (kstatus InProgress), so it is not proof the app is healthy."""
    ks = copy.deepcopy(one(KS_HEALTHY, "Kustomization"))
    ks["metadata"]["generation"] = 3
    r = run_check(gitops.applications, apps_snap(**{KS: [ks]}))
    assert r.status is Status.WARN, r.summary
    assert "1 of 2 apps not Synced/Healthy/Ready" in r.summary
    details = {e.ref: e.detail for e in r.evidence}
    assert details["Kustomization default/podinfo"] == (
        "Ready=True for an older spec (status is for generation 2, spec is generation 3)"
    )
    ks["metadata"]["generation"] = 2
    assert run_check(gitops.applications, apps_snap(**{KS: [ks]})).status is Status.PASS


def test_applications_fail_without_apps() -> None:
    r = run_check(gitops.applications, apps_snap(**{ARGO: []}))
    assert r.status is Status.FAIL
    assert "no GitOps applications" in r.summary
    assert r.measured["gitops_managed_share"] == 0.0


def test_applications_unknown_when_unreadable() -> None:
    snap = apps_snap(
        **{
            ARGO: unavailable(
                "forbidden: list applications.argoproj.io", "list applications.argoproj.io"
            )
        }
    )
    r = run_check(gitops.applications, snap)
    assert r.status is Status.UNKNOWN
    assert "list applications.argoproj.io" in r.summary


# -- gitops.rollback ---------------------------------------------------------------------------


def rollback_snap(argo: Any = (), ks: Any = (), hr: Any = ()) -> Any:
    return make_snapshot({ARGO: list(argo), KS: list(ks), HR: list(hr)})


def test_rollback_pass() -> None:
    snap = rollback_snap([argo_live()], [one(KS_HEALTHY)], [one(HR_HEALTHY)])
    r = run_check(gitops.rollback, snap)
    assert r.status is Status.PASS
    details = {e.ref: e.detail for e in r.evidence}
    assert details["Application argo-cd/velero-test"] == "10 revisions in history"
    assert (
        details["HelmRelease default/podinfo"] == "upgrade.remediation retries 3, strategy rollback"
    )
    assert "Git revert" in details["Kustomization default/podinfo"]


def test_rollback_warns_on_retry_on_failure_release() -> None:
    snap = rollback_snap([argo_live()], hr=[one(EXAMPLE_RELEASE, "HelmRelease")])
    r = run_check(gitops.rollback, snap)
    assert r.status is Status.WARN
    assert "1 of 2 GitOps apps cannot roll back: HelmRelease podinfo/podinfo" in r.summary
    assert any("RetryOnFailure" in e.detail for e in r.evidence)


def test_rollback_fails_when_nothing_can_roll_back() -> None:
    child = one(ARGO_CHILD, "Application")  # revisionHistoryLimit 1, never synced: no history
    no_history = argo_live()
    no_history["spec"]["revisionHistoryLimit"] = 0
    hr = flux_template(FLUX_TRACE, "HelmRelease")[0]  # no upgrade.remediation
    with_rollback_only = copy.deepcopy(hr)
    with_rollback_only["metadata"]["name"] = "podinfo-2"
    with_rollback_only["spec"]["rollback"] = {"cleanupOnFail": True}
    r = run_check(gitops.rollback, rollback_snap([child, no_history], hr=[hr, with_rollback_only]))
    assert r.status is Status.FAIL
    details = {e.ref: e.detail for e in r.evidence}
    assert details["Application argocd/argo-workflows"] == "no deployment history yet"
    assert details["Application argo-cd/velero-test"] == "revisionHistoryLimit 0: no history kept"
    assert details["HelmRelease podinfo/podinfo"].startswith("no upgrade.remediation")
    assert details["HelmRelease podinfo/podinfo-2"].startswith("spec.rollback set")


def test_rollback_fails_without_apps() -> None:
    r = run_check(gitops.rollback, rollback_snap())
    assert r.status is Status.FAIL
    assert "no GitOps applications" in r.summary


def test_rollback_unknown_when_unreadable() -> None:
    snap = make_snapshot(
        {ARGO: [], KS: unavailable("forbidden: list kustomizations", "list kustomizations"), HR: []}
    )
    r = run_check(gitops.rollback, snap)
    assert r.status is Status.UNKNOWN
    assert "kustomizations" in r.summary
