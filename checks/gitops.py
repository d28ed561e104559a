"""Week 3 — GitOps: an Argo CD or Flux controller that runs, applications it keeps Synced and
Healthy (and how much of the team's workloads it actually manages), and a way back when a
release goes wrong.

Argo CD and Flux are detected by their API groups and their controllers' identity labels,
never by object names; either one satisfies the roadmap.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from checks.common import (
    Obj,
    app_namespaces,
    condition,
    condition_true,
    ev,
    find_workloads,
    labels,
    listing,
    meta,
    name,
    namespace,
    spec,
    stale_status,
    status,
    workload_ready,
    workloads,
)
from readiness.model import Evidence, Result, check, failed, passed, warned
from readiness.snapshot import Snapshot, Unavailable

ARGO_APPS = "applications.argoproj.io"
FLUX_KS = "kustomizations.kustomize.toolkit.fluxcd.io"
FLUX_HR = "helmreleases.helm.toolkit.fluxcd.io"
FLUX_GIT = "gitrepositories.source.toolkit.fluxcd.io"
MAX_EVIDENCE = 10
MANAGED_SHARE_MIN = 0.5

# Argo CD controllers by app.kubernetes.io/name (install.yaml and the argo-cd Helm chart).
ARGO_CONTROLLERS = {
    "application-controller": "argocd-application-controller",
    "repo-server": "argocd-repo-server",
    "server": "argocd-server",
}
# Flux controllers by `app` / app.kubernetes.io/component; a controller is required when the
# API group it reconciles is served (source-controller always).
FLUX_CONTROLLERS = {
    "source-controller": FLUX_GIT,
    "kustomize-controller": FLUX_KS,
    "helm-controller": FLUX_HR,
}
FLUX_NAME_LABELS = ("kustomize.toolkit.fluxcd.io/name", "helm.toolkit.fluxcd.io/name")
ARGO_TRACKING = "argocd.argoproj.io/tracking-id"


def _served(snap: Snapshot, key: str) -> bool:
    """Whether the API is served; a group we could not read counts as not proven served."""
    try:
        return snap.served(key)
    except Unavailable:
        return False


# -- gitops.controller -----------------------------------------------------------------------


def _controllers(
    snap: Snapshot, wanted: Mapping[str, str | None], installed_hint: bool
) -> tuple[str, list[Evidence]]:
    """State of one tool's controllers: "ready" (all), "partial" (some ready), "down"
    (installed, CRDs or workloads present, but no controller ready) or "none".

    ``wanted`` maps an identity value to the API key that makes it required (None = always).
    """
    evidence: list[Evidence] = []
    found_any = any_ready = False
    all_ready = True
    for ident, key in wanted.items():
        found = find_workloads(snap, [ident], kinds=("deployments", "statefulsets"))
        found_any = found_any or bool(found)
        required = key is None or _served(snap, key)
        if not found:
            if required:
                all_ready = False
                evidence.append(Evidence(ident, "not found"))
            continue
        for kind, obj in found:
            ok, detail = workload_ready(kind, obj)
            all_ready = all_ready and ok
            any_ready = any_ready or ok
            evidence.append(ev(kind, obj, detail))
    if not found_any and not installed_hint:
        return "none", []
    if not any_ready:
        return "down", evidence
    return ("ready" if all_ready else "partial"), evidence


@check(
    id="gitops.controller",
    title="A GitOps controller (Argo CD or Flux) runs",
    needs=[ARGO_APPS, FLUX_KS, FLUX_HR, FLUX_GIT, "deployments", "statefulsets"],
    passes=(
        "Argo CD (application-controller, repo-server, server) or Flux (source, kustomize, "
        "helm controllers) is installed and all its controllers are ready"
    ),
    remediation="""
Argo CD: helm repo add argo https://argoproj.github.io/argo-helm &&
  helm upgrade --install argocd argo/argo-cd -n argocd --create-namespace
Flux: flux bootstrap github --owner=<org> --repository=<repo> --path=clusters/<env>
Terraform: helm_release "argocd" (chart argo-cd) or the flux provider's flux_bootstrap_git.
""",
)
def controller(snap: Snapshot) -> Result:
    """ "ArgoCD/Flux deployed and operational" is the first Week 3 success metric: without a
    running GitOps operator nothing reconciles the cluster to Git, so deployments stay manual,
    unaudited and without history. A controller that is installed but not ready silently stops
    syncing, which is why every controller must be ready, not merely present."""
    argo_state, argo_ev = _controllers(
        snap, {v: None for v in ARGO_CONTROLLERS.values()}, _served(snap, ARGO_APPS)
    )
    flux_wanted: dict[str, str | None] = {
        ident: (None if ident == "source-controller" else key)
        for ident, key in FLUX_CONTROLLERS.items()
    }
    flux_hint = any(_served(snap, k) for k in (FLUX_KS, FLUX_HR, FLUX_GIT))
    flux_state, flux_ev = _controllers(snap, flux_wanted, flux_hint)
    evidence = [Evidence(f"Argo CD {e.ref}", e.detail) for e in argo_ev]
    evidence += [Evidence(f"Flux {e.ref}", e.detail) for e in flux_ev]
    states = (("Argo CD", argo_state), ("Flux", flux_state))
    ready = [t for t, s in states if s == "ready"]
    partial = [t for t, s in states if s == "partial"]
    down = [t for t, s in states if s == "down"]
    if ready:
        return passed(f"{' and '.join(ready)} installed, all controllers ready", evidence)
    if partial:
        return warned(f"{' and '.join(partial)} installed but not all controllers ready", evidence)
    if down:
        # CRDs left behind or controllers scaled to zero: nothing reconciles from Git.
        return failed(f"{' and '.join(down)} installed but no controller is ready", evidence)
    return failed("no GitOps controller: neither Argo CD nor Flux is installed", evidence)


# -- gitops.applications ---------------------------------------------------------------------


def _argo_app_state(app: Obj) -> tuple[bool, str]:
    st = status(app)
    sync = str((st.get("sync") or {}).get("status") or "Unknown")
    health = str((st.get("health") or {}).get("status") or "Unknown")
    return sync == "Synced" and health == "Healthy", f"{sync}/{health}"


def _flux_state(obj: Obj) -> tuple[bool, str]:
    """Ready=True counts only for the current spec: a Ready condition whose observedGeneration
    is behind metadata.generation describes the previous revision (kstatus "InProgress"), e.g.
    a chart bump the helm-controller has not applied, or may never manage to."""
    if spec(obj).get("suspend"):
        return False, "suspended"
    c = condition(obj, "Ready")
    if c is None:
        return False, "no Ready condition"
    stale = stale_status(obj, c)
    if stale:
        return False, f"Ready={c.get('status')} for an older spec ({stale})"
    if condition_true(obj, "Ready"):
        return True, "Ready"
    return False, f"Ready={c.get('status')} ({c.get('reason', '')})"


def gitops_objects(snap: Snapshot) -> list[tuple[str, Obj]]:
    """(kind, object) of every Argo CD Application, Flux Kustomization and HelmRelease."""
    out: list[tuple[str, Obj]] = [("Application", a) for a in snap.items(ARGO_APPS)]
    out += [("Kustomization", k) for k in snap.items(FLUX_KS)]
    out += [("HelmRelease", h) for h in snap.items(FLUX_HR)]
    return out


def _managed_refs(apps: Sequence[Obj], kustomizations: Sequence[Obj]) -> set[tuple[str, str, str]]:
    """(Kind, namespace, name) of workloads listed in Argo status.resources or Flux inventory."""
    refs: set[tuple[str, str, str]] = set()
    for app in apps:
        for r in status(app).get("resources") or []:
            refs.add((str(r.get("kind")), str(r.get("namespace") or ""), str(r.get("name"))))
    for ks in kustomizations:
        for entry in (status(ks).get("inventory") or {}).get("entries") or []:
            # id is "<namespace>_<name>_<group>_<Kind>"; names cannot hold "_".
            parts = str(entry.get("id", "")).split("_")
            if len(parts) == 4:
                refs.add((parts[3], parts[0], parts[1]))
    return refs


def _is_managed(kind: str, obj: Obj, argo_names: set[str], refs: set[tuple[str, str, str]]) -> bool:
    """Whether a workload carries a GitOps tool's tracking label/annotation or is in its
    inventory. ``app.kubernetes.io/instance`` counts only when it names an Argo Application
    (Helm sets it to the release name too)."""
    lab, ann = labels(obj), meta(obj).get("annotations") or {}
    if ARGO_TRACKING in ann or any(k in lab for k in FLUX_NAME_LABELS):
        return True
    if lab.get("app.kubernetes.io/instance") in argo_names:
        return True
    return (kind, namespace(obj), name(obj)) in refs


def managed_share(snap: Snapshot) -> tuple[float | None, int, int]:
    """(share, managed, total) of app workloads (Deployments, StatefulSets, DaemonSets in app
    namespaces) managed by GitOps. share is None when there is no app workload."""
    apps = snap.items(ARGO_APPS)
    refs = _managed_refs(apps, snap.items(FLUX_KS))
    argo_names = {name(a) for a in apps}
    wanted_ns = set(app_namespaces(snap))
    app_workloads = [(k, o) for k, o in workloads(snap) if namespace(o) in wanted_ns]
    managed = sum(1 for k, o in app_workloads if _is_managed(k, o, argo_names, refs))
    total = len(app_workloads)
    return (round(managed / total, 2) if total else None), managed, total


@check(
    id="gitops.applications",
    title="GitOps applications are Synced and Healthy",
    needs=[ARGO_APPS, FLUX_KS, FLUX_HR, "namespaces", "deployments", "statefulsets", "daemonsets"],
    passes=(
        "at least one Argo CD Application (Synced + Healthy) or Flux Kustomization/HelmRelease "
        "(Ready=True, not suspended) exists, all are healthy, and ≥ 50% of app workloads are "
        "managed by GitOps (measured gitops_managed_share)"
    ),
    remediation="""
Create an application per workload: `argocd app create <app> --repo <git-url> --path <dir>
--dest-server https://kubernetes.default.svc --dest-namespace <ns> --sync-policy automated`,
or a Flux Kustomization/HelmRelease in the fleet repo. Fix unhealthy ones:
`argocd app sync <app>` / `flux reconcile kustomization <name> --with-source`, `flux resume …`.
""",
)
def applications(snap: Snapshot) -> Result:
    """ "Sample application deployed via GitOps" is a Week 3 success metric. An installed
    controller proves nothing if no application is defined, or if applications are OutOfSync
    or Degraded (the cluster no longer matches Git). The share of app workloads under GitOps
    shows how much is still deployed by hand."""
    objs = gitops_objects(snap)
    share, managed, total = managed_share(snap)
    measured: dict[str, Any] = {"gitops_managed_share": share, "gitops_apps": len(objs)}
    share_ev = Evidence(
        "app workloads",
        f"{managed} of {total} managed by GitOps" if total else "no app workloads to measure",
    )
    if not objs:
        return failed(
            "no GitOps applications (Argo CD Application, Flux Kustomization/HelmRelease)",
            [share_ev],
            **measured,
        )
    bad: list[Evidence] = []
    for kind, obj in objs:
        ok, detail = _argo_app_state(obj) if kind == "Application" else _flux_state(obj)
        if not ok:
            bad.append(ev(kind, obj, detail))
    healthy = len(objs) - len(bad)
    evidence = [share_ev] + bad[:MAX_EVIDENCE]
    if not bad:
        evidence += [ev(k, o, "healthy") for k, o in objs[:MAX_EVIDENCE]]
    problems = []
    if bad:
        problems.append(f"{len(bad)} of {len(objs)} apps not Synced/Healthy/Ready")
    if share is not None and share < MANAGED_SHARE_MIN:
        problems.append(f"only {managed} of {total} app workloads managed by GitOps")
    if problems:
        return warned("; ".join(problems), evidence, **measured)
    share_text = f"{managed} of {total} app workloads managed" if total else "no app workloads"
    return passed(f"{healthy} GitOps apps healthy; {share_text}", evidence, **measured)


# -- gitops.rollback -------------------------------------------------------------------------


def _argo_rollback(app: Obj) -> tuple[bool, str]:
    """Argo CD rolls back to an entry of status.history; revisionHistoryLimit 0 keeps none."""
    limit = spec(app).get("revisionHistoryLimit")
    history = status(app).get("history") or []
    auto = bool((spec(app).get("syncPolicy") or {}).get("automated"))
    note = " (auto-sync: disable it or revert in Git to roll back)" if auto else ""
    if limit is not None and int(limit) == 0:
        return False, "revisionHistoryLimit 0: no history kept"
    if not history:
        return False, "no deployment history yet"
    return True, f"{len(history)} revisions in history{note}"


def _helm_rollback(hr: Obj) -> tuple[bool, str]:
    """Flux rolls a failed upgrade back only under the RemediateOnFailure strategy with upgrade
    remediation that has retries or remediateLastFailure and strategy rollback (the default).
    ``spec.rollback`` only tunes how a rollback runs; on its own it never triggers one."""
    upgrade = spec(hr).get("upgrade") or {}
    strategy = (upgrade.get("strategy") or {}).get("name")
    if strategy == "RetryOnFailure":
        return (
            False,
            "upgrade.strategy RetryOnFailure: failed upgrades are retried, never rolled back",
        )
    remediation = upgrade.get("remediation") or {}
    retries = int(remediation.get("retries") or 0)
    last = remediation.get("remediateLastFailure")
    triggers = retries != 0 or bool(last)
    if remediation.get("strategy", "rollback") != "rollback":
        return False, f"upgrade.remediation.strategy {remediation.get('strategy')}"
    if triggers:
        return True, f"upgrade.remediation retries {retries}, strategy rollback"
    if spec(hr).get("rollback"):
        return False, "spec.rollback set but upgrade.remediation never triggers a rollback"
    return False, "no upgrade.remediation: a failed upgrade is not rolled back"


@check(
    id="gitops.rollback",
    title="Deployments can be rolled back",
    needs=[ARGO_APPS, FLUX_KS, FLUX_HR],
    passes=(
        "every GitOps app can roll back: Argo CD Applications keep revision history, Flux "
        "HelmReleases remediate failed upgrades by rollback, Flux Kustomizations by Git revert"
    ),
    remediation="""
Argo CD: keep spec.revisionHistoryLimit ≥ 1 (default 10); roll back with
`argocd app history <app>` and `argocd app rollback <app> <id>`
(or git revert when auto-sync is on).
Flux HelmRelease: spec.upgrade.remediation: {retries: 3, strategy: rollback}
(and no upgrade.strategy RetryOnFailure). Flux Kustomization: `git revert` the commit.
""",
)
def rollback(snap: Snapshot) -> Result:
    """ "Rollback procedures tested" is a Week 3 success metric and "no rollback capability" a
    named risk. A rollback needs something to roll back to: Argo CD's revision history, Helm
    remediation that restores the previous release when an upgrade fails, or for plain
    Kustomizations a Git revert that the controller applies."""
    objs = gitops_objects(snap)
    if not objs:
        return failed("no GitOps applications to roll back")
    good: list[Evidence] = []
    bad: list[Evidence] = []
    for kind, obj in objs:
        if kind == "Application":
            ok, detail = _argo_rollback(obj)
        elif kind == "HelmRelease":
            ok, detail = _helm_rollback(obj)
        else:
            ok, detail = True, "rollback by Git revert (Flux re-applies the reverted commit)"
        (good if ok else bad).append(ev(kind, obj, detail))
    evidence = bad[:MAX_EVIDENCE] + good[: max(0, MAX_EVIDENCE - len(bad))]
    total = len(objs)
    measured = {"rollback_ready_share": round(len(good) / total, 2)}
    if not bad:
        return passed(f"all {total} GitOps apps can roll back", evidence, **measured)
    names = listing(e.ref for e in bad)
    if good:
        return warned(
            f"{len(bad)} of {total} GitOps apps cannot roll back: {names}", evidence, **measured
        )
    return failed(f"none of {total} GitOps apps can roll back: {names}", evidence, **measured)
