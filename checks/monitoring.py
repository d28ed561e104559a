"""Week 1 of the roadmap: monitoring and alerting.

Each check proves the stack *works* (servers ready, exporters on every node, dashboards
provisioned, a real receiver wired, rules covering the roadmap's alerts), not merely that a
Helm release exists. Components are recognised by API group and identity labels.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from checks.common import (
    Obj,
    condition,
    daemonset_nodes,
    daemonset_on_all_nodes,
    ev,
    labels,
    listing,
    meta,
    name,
    namespace,
    plural,
    ref,
    selector_matches,
    spec,
    stale_status,
    status,
    template_labels,
    workload_ready,
)
from readiness.model import Evidence, Result, check, failed, passed, unknown, warned
from readiness.snapshot import Snapshot, Unavailable

PROMETHEUSES = "prometheuses.monitoring.coreos.com"
ALERTMANAGERS = "alertmanagers.monitoring.coreos.com"
ALERTMANAGERCONFIGS = "alertmanagerconfigs.monitoring.coreos.com"
PROMETHEUSRULES = "prometheusrules.monitoring.coreos.com"
GRAFANADASHBOARDS = "grafanadashboards.grafana.integreatly.org"

# Labels that say what a workload *is*. ``instance`` and ``part-of`` are left out on
# purpose: a Helm release named "prometheus" stamps instance=prometheus on Grafana too.
NAME_LABELS = ("app.kubernetes.io/name", "app", "k8s-app", "name")
COMPONENT_LABELS = ("app.kubernetes.io/component", "component")

# Components that share name=prometheus in older community charts but are not the server.
NOT_A_SERVER = {
    "alertmanager",
    "node-exporter",
    "prometheus-node-exporter",
    "kube-state-metrics",
    "pushgateway",
    "prometheus-pushgateway",
    "prometheus-operator",
    "operator",
    "grafana",
}
NODE_EXPORTER = {"node-exporter", "prometheus-node-exporter"}
KUBE_STATE_METRICS = {"kube-state-metrics"}
# In-cluster collectors that can feed an Amazon Managed Prometheus workspace.
AMP_COLLECTORS = {"opentelemetry-collector", "adot-collector", "aws-otel-collector"}

UP, DEGRADED, DOWN = "up", "degraded", "down"


@dataclass(frozen=True)
class Component:
    """A running-or-not instance of something (a Prometheus, an Alertmanager)."""

    obj: Obj
    kind: str
    state: str
    detail: str

    @property
    def evidence(self) -> Evidence:
        return ev(self.kind, self.obj, self.detail)


# -- identity ---------------------------------------------------------------------------


def _label_values(obj: Obj, keys: Iterable[str]) -> set[str]:
    keys = tuple(keys)
    out: set[str] = set()
    for source in (labels(obj), template_labels(obj)):
        out.update(str(source[k]).lower() for k in keys if source.get(k))
    return out


def is_a(obj: Obj, wanted: set[str]) -> bool:
    """The workload's name or component label is one of ``wanted``."""
    return bool(_label_values(obj, NAME_LABELS + COMPONENT_LABELS) & wanted)


def is_prometheus_server(obj: Obj) -> bool:
    """Named prometheus, and not one of the chart's other components (old community charts
    label everything app=prometheus and tell them apart by ``component``)."""
    if "prometheus" not in _label_values(obj, NAME_LABELS):
        return False
    return not _label_values(obj, COMPONENT_LABELS) & NOT_A_SERVER


def owned_by(obj: Obj, kind: str, owner: str | None = None) -> bool:
    for o in meta(obj).get("ownerReferences") or []:
        if o.get("kind") == kind and (owner is None or o.get("name") == owner):
            return True
    return False


def find(snap: Snapshot, keys: Iterable[str], pred: Callable[[Obj], bool]) -> list[tuple[str, Obj]]:
    """(Kind, object) of the workloads under ``keys`` that ``pred`` accepts."""
    kinds = {"deployments": "Deployment", "statefulsets": "StatefulSet", "daemonsets": "DaemonSet"}
    return [(kinds[k], o) for k in keys for o in snap.items(k) if pred(o)]


# -- running state ----------------------------------------------------------------------


def workload_state(kind: str, obj: Obj) -> Component:
    ok, detail = workload_ready(kind, obj)
    have = int(status(obj).get("numberReady" if kind == "DaemonSet" else "readyReplicas") or 0)
    state = UP if ok else (DEGRADED if have > 0 else DOWN)
    return Component(obj, kind, state, detail)


def operator_state(snap: Snapshot, obj: Obj, kind: str) -> Component:
    """State of a Prometheus/Alertmanager CR: its Available condition (True, Degraded or
    False, per the operator's status subresource); operators too old to write status are
    judged by the StatefulSets the CR owns."""
    cond = condition(obj, "Available")
    if cond is not None:
        value = str(cond.get("status"))
        st = status(obj)
        detail = f"Available={value}, {st.get('availableReplicas', 0)}/{st.get('replicas', 0)}"
        if cond.get("reason"):
            detail += f" ({cond['reason']})"
        state = {"True": UP, "Degraded": DEGRADED}.get(value, DOWN)
        stale = stale_status(obj, cond)
        if stale and state == UP:
            # The operator has not reconciled the latest spec (it may be down): what runs
            # is the previous revision, so it is not proven healthy.
            state, detail = DEGRADED, f"{detail}; {stale}"
        return Component(obj, kind, state, detail)
    owned = [
        s
        for s in snap.items("statefulsets")
        if namespace(s) == namespace(obj) and owned_by(s, kind, name(obj))
    ]
    if not owned:
        return Component(obj, kind, DOWN, "no status and no StatefulSet")
    parts = [workload_state("StatefulSet", s) for s in owned]
    states = {p.state for p in parts}
    state = UP if states == {UP} else (DEGRADED if states & {UP, DEGRADED} else DOWN)
    return Component(
        obj, kind, state, "; ".join(f"{ref('StatefulSet', p.obj)} {p.detail}" for p in parts)
    )


def best(components: list[Component]) -> str | None:
    states = {c.state for c in components}
    for s in (UP, DEGRADED, DOWN):
        if s in states:
            return s
    return None


# -- selection (operator semantics) -----------------------------------------------------


def _ns_labels(snap: Snapshot) -> dict[str, Mapping[str, str]]:
    return snap.memo(
        "monitoring:ns-labels", lambda: {name(n): labels(n) for n in snap.items("namespaces")}
    )


def selects(
    snap: Snapshot, owner: Obj, obj: Obj, selector: str, ns_selector: str, nil_ns: str = "own"
) -> bool:
    """Whether an operator CR (Prometheus, Alertmanager) picks up ``obj``.

    A nil object selector selects nothing; a nil namespace selector means the owner's own
    namespace; an empty one means all namespaces (the operator's documented semantics).
    Namespace labels are read only when a non-empty namespace selector needs them.
    """
    sel = spec(owner).get(selector)
    if sel is None or not selector_matches(sel, labels(obj)):
        return False
    ns_sel = spec(owner).get(ns_selector)
    if ns_sel is None:
        return namespace(obj) == namespace(owner)
    if not ns_sel:
        return True
    return selector_matches(ns_sel, _ns_labels(snap).get(namespace(obj), {}))


# -- monitoring.prometheus --------------------------------------------------------------


def prometheus_servers(snap: Snapshot) -> list[Component]:
    out = [operator_state(snap, p, "Prometheus") for p in snap.items(PROMETHEUSES)]
    for kind, obj in find(snap, ("statefulsets", "deployments"), is_prometheus_server):
        if not owned_by(obj, "Prometheus"):
            out.append(workload_state(kind, obj))
    return out


def _amp_active(items: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [i for i in items if ((i.get("status") or {}).get("statusCode")) == "ACTIVE"]


def amp_evidence(snap: Snapshot) -> tuple[bool, list[Evidence]]:
    """Whether an ACTIVE Amazon Managed Prometheus workspace is fed by an ACTIVE managed
    scraper of this cluster, or by a ready in-cluster collector (ADOT/OpenTelemetry)."""
    fact = snap.fact("amp:workspaces") or {}
    workspaces = {w.get("arn"): w for w in _amp_active(list(fact.get("workspaces") or []))}
    if not workspaces:
        return False, [Evidence("amp:workspaces", "no ACTIVE workspace")]
    cluster = snap.cluster.cluster
    out: list[Evidence] = []
    for s in _amp_active(list(fact.get("scrapers") or [])):
        src = ((s.get("source") or {}).get("eksConfiguration") or {}).get("clusterArn", "")
        dest = ((s.get("destination") or {}).get("ampConfiguration") or {}).get("workspaceArn")
        if dest in workspaces and (cluster is None or str(src).endswith(f":cluster/{cluster}")):
            ws = workspaces[dest]
            label = ws.get("alias") or ws.get("workspaceId")
            out.append(
                Evidence(
                    f"amp:scraper {s.get('alias') or s.get('scraperId')}",
                    f"ACTIVE, writes to workspace {label}",
                )
            )
    for kind, obj in find(
        snap, ("deployments", "statefulsets", "daemonsets"), lambda o: is_a(o, AMP_COLLECTORS)
    ):
        c = workload_state(kind, obj)
        if c.state == UP:
            out.append(c.evidence)
    if out:
        return True, out
    names = listing(str(w.get("alias") or w.get("workspaceId")) for w in workspaces.values())
    return False, [Evidence("amp:workspaces", f"ACTIVE workspace {names} but no collector")]


def exporter_gaps(snap: Snapshot) -> tuple[list[str], list[Evidence]]:
    """What is missing for metrics from every node and every object: node-exporter on
    every node DaemonSets run on, and a ready kube-state-metrics."""
    gaps: list[str] = []
    evidence: list[Evidence] = []
    nodes = len(daemonset_nodes(snap))
    exporters = find(snap, ("daemonsets",), lambda o: is_a(o, NODE_EXPORTER))
    covering = False
    for kind, ds in exporters:
        ok, detail = daemonset_on_all_nodes(ds, nodes)
        covering = covering or ok
        evidence.append(ev(kind, ds, detail))
    if not exporters:
        gaps.append("node-exporter missing")
    elif not covering:
        gaps.append(f"node-exporter not ready on all {plural(nodes, 'node')}")
    ksm = [
        workload_state(k, o)
        for k, o in find(
            snap, ("deployments", "statefulsets"), lambda o: is_a(o, KUBE_STATE_METRICS)
        )
    ]
    evidence += [c.evidence for c in ksm]
    if not ksm:
        gaps.append("kube-state-metrics missing")
    elif UP not in {c.state for c in ksm}:
        gaps.append("kube-state-metrics not ready")
    return gaps, evidence


@check(
    id="monitoring.prometheus",
    title="Prometheus collects metrics from every node",
    needs=[PROMETHEUSES, "statefulsets", "deployments", "daemonsets", "nodes", "amp:workspaces"],
    passes="a Prometheus server runs (Prometheus CR Available, its StatefulSet/Deployment "
    "ready, or an ACTIVE Amazon Managed Prometheus workspace with a collector), node-exporter "
    "is ready on every node and kube-state-metrics is ready",
    remediation="""
Deploy kube-prometheus-stack (roadmap Week 1): add 9-monitoring.tf to
infrastructure-modules/kubernetes-addons with a helm_release of
prometheus-community/kube-prometheus-stack (or:
helm upgrade --install kube-prometheus-stack prometheus-community/kube-prometheus-stack
-n monitoring --create-namespace). Keep nodeExporter.enabled and kubeStateMetrics.enabled
true; check with kubectl -n monitoring get prometheus,ds,deploy.
""",
)
def prometheus(snap: Snapshot) -> Result:
    """Without a metrics server there is zero visibility into cluster health: failures go
    unnoticed and nothing can alert. A server alone is not enough: node-exporter on every
    node and kube-state-metrics supply the node and object metrics the roadmap's alerts and
    dashboards are built on. Amazon Managed Prometheus counts when something feeds it; if
    the AMP lookup is denied, an in-cluster server still decides the check."""
    servers = prometheus_servers(snap)
    evidence = [c.evidence for c in servers]
    state = best(servers)
    if state != UP:
        try:
            amp_ok, amp_ev = amp_evidence(snap)
        except Unavailable:
            if state is None or state == DOWN:
                raise
            amp_ok, amp_ev = False, []
        evidence += amp_ev
        if amp_ok:
            state = UP
    if state is None or state == DOWN:
        what = "no running Prometheus server" if servers else "no Prometheus server found"
        return failed(f"{what} (no Prometheus CR, server workload or fed AMP workspace)", evidence)
    gaps, exp_ev = exporter_gaps(snap)
    evidence += exp_ev
    if state == DEGRADED:
        gaps.insert(0, "Prometheus degraded (not all replicas available)")
    if gaps:
        return warned("Prometheus runs, but " + "; ".join(gaps), evidence)
    return passed(
        "Prometheus runs; node-exporter on every node; kube-state-metrics ready", evidence
    )


# -- monitoring.grafana -----------------------------------------------------------------

CLUSTER_VIEW = re.compile(r"\bcluster\b|\bglobal\b", re.I)
NODE_POD_VIEW = re.compile(r"\bnodes?\b|\bpods?\b", re.I)


def _title(key: str, value: Any) -> str:
    """A dashboard's title from its JSON (full or slimmed to title/uid/tags); the data key
    when the value was dropped for size."""
    try:
        doc = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        doc = None
    if isinstance(doc, Mapping) and doc.get("title"):
        return str(doc["title"])
    return re.sub(r"\.json$", "", key)


def grafana_workloads(snap: Snapshot) -> list[Component]:
    found = find(
        snap,
        ("deployments", "statefulsets"),
        lambda o: "grafana" in _label_values(o, NAME_LABELS + COMPONENT_LABELS),
    )
    return [workload_state(k, o) for k, o in found]


def mounted_configmaps(workloads: list[Component]) -> set[tuple[str, str]]:
    """(namespace, name) of ConfigMaps mounted into Grafana pods: kube-prometheus provisions
    its dashboards that way instead of the sidecar label."""
    out: set[tuple[str, str]] = set()
    for c in workloads:
        vols = ((spec(c.obj).get("template") or {}).get("spec") or {}).get("volumes") or []
        for v in vols:
            cm = (v.get("configMap") or {}).get("name")
            if cm:
                out.add((namespace(c.obj), str(cm)))
    return out


def dashboards(snap: Snapshot, grafanas: list[Component]) -> list[tuple[Evidence, list[str]]]:
    """Provisioned dashboards as (source evidence, titles)."""
    mounted = mounted_configmaps(grafanas)
    out: list[tuple[Evidence, list[str]]] = []
    for cm in snap.items("configmaps"):
        if "grafana_dashboard" in labels(cm) or (namespace(cm), name(cm)) in mounted:
            data = cm.get("data") or {}
            titles = [_title(k, v) for k, v in data.items() if k.endswith(".json")]
            if titles:
                out.append((ev("ConfigMap", cm, listing(titles, 3)), titles))
    for d in snap.items(GRAFANADASHBOARDS):
        s = spec(d)
        title = _title(name(d), s.get("json")) if s.get("json") else name(d)
        out.append((ev("GrafanaDashboard", d, title), [title]))
    return out


def managed_grafana(snap: Snapshot) -> list[Evidence]:
    return [
        Evidence(f"grafana:workspace {w.get('name') or w.get('id')}", "ACTIVE")
        for w in snap.fact("grafana:workspaces") or []
        if w.get("status") == "ACTIVE"
    ]


@check(
    id="monitoring.grafana",
    title="Grafana runs with cluster and node/pod dashboards",
    needs=["deployments", "statefulsets", "configmaps", GRAFANADASHBOARDS, "grafana:workspaces"],
    passes="Grafana runs (in-cluster or an ACTIVE Amazon Managed Grafana workspace) and "
    "dashboards are provisioned, including a cluster view and a node/pod resource view",
    remediation="""
kube-prometheus-stack ships Grafana with the kubernetes-mixin dashboards (grafana.enabled=true,
grafana.defaultDashboardsEnabled=true). Add your own as ConfigMaps labelled grafana_dashboard=1
or as GrafanaDashboard CRs (grafana-operator). Needed: "Kubernetes / Compute Resources /
Cluster" and "Kubernetes / Compute Resources / Node (Pods)" or "Node Exporter / Nodes".
""",
)
def grafana(snap: Snapshot) -> Result:
    """Metrics nobody can look at do not help during an incident: the roadmap asks for a
    cluster overview and node/pod resource dashboards. Dashboards are proven from what the
    cluster provisions (sidecar-labelled or mounted ConfigMaps, GrafanaDashboard CRs);
    dashboards created by hand inside Amazon Managed Grafana cannot be seen, so a managed
    workspace without provisioned dashboards is only partial."""
    grafanas = grafana_workloads(snap)
    evidence = [c.evidence for c in grafanas]
    running = best(grafanas) in (UP, DEGRADED)
    if not running:
        amg = managed_grafana(snap)
        evidence += amg
        running = bool(amg)
    if not running:
        return failed("no running Grafana (in-cluster or Amazon Managed Grafana)", evidence)
    found = dashboards(snap, grafanas)
    titles = [t for _, ts in found for t in ts]
    views = (("cluster view", CLUSTER_VIEW), ("node/pod resource view", NODE_POD_VIEW))
    missing = [label for label, rx in views if not any(rx.search(t) for t in titles)]
    if titles:
        evidence.append(
            Evidence(
                "dashboards",
                f"{len(titles)} from {plural(len(found), 'source')}: {listing(titles, 4)}",
            )
        )
    # name the sources that provide the required views, not every dashboard
    evidence += [e for e, ts in found if any(rx.search(t) for t in ts for _, rx in views)]
    count = plural(len(titles), "dashboard")
    if not titles:
        return warned("Grafana runs but no dashboards are provisioned", evidence, dashboards=0)
    if missing:
        return warned(
            f"Grafana runs with {count}, missing: {', '.join(missing)}",
            evidence,
            dashboards=len(titles),
        )
    return passed(
        f"Grafana runs with {count} including cluster and node/pod views",
        evidence,
        dashboards=len(titles),
    )


# -- monitoring.alertmanager ------------------------------------------------------------


def alertmanagers(snap: Snapshot) -> list[Component]:
    out = [operator_state(snap, a, "Alertmanager") for a in snap.items(ALERTMANAGERS)]
    for kind, obj in find(snap, ("statefulsets",), lambda o: is_a(o, {"alertmanager"})):
        if not owned_by(obj, "Alertmanager"):
            out.append(workload_state(kind, obj))
    return out


def amc_receivers(amc: Obj) -> list[tuple[str, list[str]]]:
    """Receivers an AlertmanagerConfig routes to, with their integration types
    (``slackConfigs`` → slack). Only receivers named somewhere in the route tree count."""
    routed: set[str] = set()
    stack = [spec(amc).get("route") or {}]
    while stack:
        r = stack.pop()
        if r.get("receiver"):
            routed.add(str(r["receiver"]))
        stack.extend(r.get("routes") or [])
    out = []
    for rec in spec(amc).get("receivers") or []:
        if rec.get("name") in routed:
            types = sorted(
                k[: -len("Configs")].lower() for k, v in rec.items() if k.endswith("Configs") and v
            )
            out.append((str(rec["name"]), types))
    return out


def amc_selected(snap: Snapshot, amc: Obj, running: list[Component]) -> bool:
    for am in running:
        if am.kind != "Alertmanager":
            continue
        global_ref = (spec(am.obj).get("alertmanagerConfiguration") or {}).get("name")
        if global_ref == name(amc) and namespace(amc) == namespace(am.obj):
            return True
        if selects(
            snap, am.obj, amc, "alertmanagerConfigSelector", "alertmanagerConfigNamespaceSelector"
        ):
            return True
    return False


def amc_source(
    snap: Snapshot, running: list[Component]
) -> tuple[list[tuple[str, list[str]]], list[Evidence]]:
    """Receivers routed by the AlertmanagerConfig CRs a running Alertmanager selects."""
    receivers: list[tuple[str, list[str]]] = []
    evidence: list[Evidence] = []
    for amc in snap.items(ALERTMANAGERCONFIGS):
        if amc_selected(snap, amc, running):
            recs = amc_receivers(amc)
            receivers += recs
            evidence.append(ev("AlertmanagerConfig", amc, _fmt(recs) or "no routed receiver"))
    return receivers, evidence


def config_receivers(
    snap: Snapshot, running: list[Component]
) -> tuple[list[tuple[str, list[str]]], list[Evidence]]:
    """Receivers from the running Alertmanagers' own config (the collector's reduced
    ``kube:alertmanager-receivers``), with one evidence line per Alertmanager."""
    wanted = {f"{namespace(c.obj)}/{name(c.obj)}" for c in running if c.kind == "Alertmanager"}
    receivers: list[tuple[str, list[str]]] = []
    evidence: list[Evidence] = []
    for entry in snap.fact("kube:alertmanager-receivers") or []:
        if entry.get("alertmanager") not in wanted:
            continue
        routed = entry.get("routed")  # absent in snapshots from before it was collected
        recs = [
            (str(r.get("name")), sorted(r.get("integrations") or []))
            for r in entry.get("receivers") or []
            if routed is None or str(r.get("name")) in routed
        ]
        receivers += recs
        detail = f"error: {entry['error']}" if entry.get("error") else _fmt(recs) or "no receiver"
        where = f"Alertmanager {entry['alertmanager']}"
        evidence.append(Evidence(where, f"{entry.get('source') or 'config'}: {detail}"))
    return receivers, evidence


def _fmt(receivers: list[tuple[str, list[str]]]) -> str:
    return listing(f"{n} ({', '.join(t) if t else 'no integration'})" for n, t in receivers)


@check(
    id="monitoring.alertmanager",
    title="Alertmanager routes alerts to a real receiver",
    needs=[
        ALERTMANAGERS,
        "statefulsets",
        "kube:alertmanager-receivers",
        ALERTMANAGERCONFIGS,
        "namespaces",
    ],
    passes="Alertmanager runs and at least one receiver it routes to has an integration "
    "(Slack, PagerDuty, Opsgenie, SNS, webhook, email, MS Teams, VictorOps …)",
    remediation="""
Give Alertmanager a real receiver (roadmap Week 1: Slack/PagerDuty). With kube-prometheus-stack
set alertmanager.config.receivers (e.g. slack_configs with api_url from a Secret) and route
critical alerts to it, or create an AlertmanagerConfig with spec.receivers[].slackConfigs /
pagerdutyConfigs selected by the Alertmanager's alertmanagerConfigSelector. Then send a test
alert: amtool alert add test severity=critical --alertmanager.url=http://localhost:9093.
""",
)
def alertmanager(snap: Snapshot) -> Result:
    """Alerts that reach no one are no alerts: kube-prometheus ships Alertmanager with the
    empty Default/Watchdog/Critical/null receivers, so "Alertmanager is installed" proves
    nothing. Receivers come from each Alertmanager's own config (reduced by the collector to
    names and integration types, never URLs or keys) and from AlertmanagerConfig CRs the
    Alertmanager actually selects. A real receiver found in either source decides the check,
    even if the other could not be read."""
    ams = alertmanagers(snap)
    evidence = [c.evidence for c in ams]
    running = [c for c in ams if c.state in (UP, DEGRADED)]
    if not running:
        what = "Alertmanager is not running" if ams else "no Alertmanager found"
        return failed(what, evidence)
    receivers: list[tuple[str, list[str]]] = []
    missing: list[Unavailable] = []
    for source in (amc_source, config_receivers):
        try:
            recs, evs = source(snap, running)
        except Unavailable as exc:
            missing.append(exc)
            continue
        receivers += recs
        evidence += evs
        if any(types for _, types in recs):
            break
    real = [r for r in receivers if r[1]]
    if real:
        summary = f"Alertmanager routes to {plural(len(real), 'real receiver')}: {_fmt(real)}"
        if any(c.state == DEGRADED for c in running):
            return warned(summary + ", but Alertmanager is degraded", evidence)
        return passed(summary, evidence)
    if missing:
        raise missing[0]
    if not any(c.kind == "Alertmanager" for c in running):
        return unknown(
            "Alertmanager runs but is not managed by the Prometheus Operator: its receivers "
            "cannot be observed",
            evidence,
        )
    return warned(
        f"Alertmanager runs but no receiver has an integration: {_fmt(receivers) or 'none'}",
        evidence,
    )


# -- monitoring.alert-rules -------------------------------------------------------------

# Each roadmap alert category, recognised by alert name or by what the expression measures
# (kube-prometheus / kubernetes-mixin / node-exporter-mixin / cert-manager mixin names).
ALERT_CATEGORIES: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "node down": (
        re.compile(
            r"^(KubeNodeNotReady|KubeNodeUnreachable|KubeletDown|NodeDown|NodeNotReady"
            r"|HostDown|InstanceDown|NodeExporterDown)$",
            re.I,
        ),
        re.compile(
            r"kube_node_status_condition\{[^}]*condition=\"Ready\""
            r"|kube_node_spec_taint\{[^}]*unreachable"
            r"|up\{[^}]*job=~?\"[^\"]*node-exporter[^}]*\}\s*==\s*0"
        ),
    ),
    "pod crash loops": (
        re.compile(r"^(Kube)?Pod\w*Crash|^(Kube)?(Pod|Container)\w*Restart", re.I),
        re.compile(r"reason=~?\"[^\"]*CrashLoopBackOff|kube_pod_container_status_restarts_total"),
    ),
    "resource exhaustion": (
        re.compile(
            r"^(NodeFilesystem(SpaceFillingUp|AlmostOutOfSpace)|KubePersistentVolumeFillingUp"
            r"|KubeMemoryOvercommit|KubeQuota(Exceeded|FullyUsed|AlmostFull)"
            r"|KubeNodePressure|\w*OOMKill\w*|\w*OutOf(Memory|Disk)\w*)$",
            re.I,
        ),
        re.compile(
            r"node_filesystem_avail_bytes|kubelet_volume_stats_available_bytes"
            r"|kube_resourcequota|MemoryPressure|DiskPressure|OOMKilled"
        ),
    ),
    "high CPU/memory": (
        re.compile(
            r"^(CPUThrottlingHigh|NodeCPUHighUsage|NodeMemoryHighUtilization"
            r"|KubeCPUOvercommit|KubeMemoryOvercommit|\w*High(CPU|Memory)\w*"
            r"|\w*(CPU|Memory)(Usage|Utili[sz]ation)High\w*)$",
            re.I,
        ),
        re.compile(
            r"container_cpu_cfs_throttled|container_cpu_usage_seconds_total"
            r"|container_memory_working_set_bytes|node_memory_MemAvailable_bytes"
            r"|node_cpu_seconds_total"
        ),
    ),
    "certificate expiry": (
        re.compile(r"cert\w*expir|expir\w*cert|x509|SSLCert", re.I),
        re.compile(
            r"certificate_expiration|certmanager_certificate_expiration_timestamp_seconds"
            r"|certificate_manager_(client|server)_ttl_seconds|ssl_earliest_cert_expiry"
            r"|x509_cert_not_after|ssl_cert_not_after"
        ),
    ),
}


def alerting_rules(rule_obj: Obj) -> tuple[int, list[Mapping[str, Any]]]:
    """(group count, alerting rules) of a PrometheusRule; recording rules are not alerts."""
    groups = spec(rule_obj).get("groups") or []
    rules = [r for g in groups for r in g.get("rules") or [] if r.get("alert")]
    return len(groups), rules


def categorise(rules: Iterable[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Category → names of the alerts that cover it."""
    out: dict[str, list[str]] = {c: [] for c in ALERT_CATEGORIES}
    for r in rules:
        alert, expr = str(r.get("alert")), str(r.get("expr", ""))
        for cat, (by_name, by_expr) in ALERT_CATEGORIES.items():
            if (by_name.search(alert) or by_expr.search(expr)) and alert not in out[cat]:
                out[cat].append(alert)
    return out


def evaluated_rules(snap: Snapshot) -> tuple[list[Obj], list[Obj]]:
    """(evaluated, ignored) PrometheusRules. With Prometheus CRs present, a rule counts only
    when some Prometheus's ruleSelector/ruleNamespaceSelector picks it (a Helm chart's
    ``release`` label mismatch silently drops rules); without any, all count."""
    rules: list[Obj] = [*snap.items(PROMETHEUSRULES)]
    servers = snap.items(PROMETHEUSES)
    if not servers:
        return rules, []
    picked: list[Obj] = []
    ignored: list[Obj] = []
    for r in rules:
        chosen = any(selects(snap, p, r, "ruleSelector", "ruleNamespaceSelector") for p in servers)
        (picked if chosen else ignored).append(r)
    return picked, ignored


@check(
    id="monitoring.alert-rules",
    title="Alert rules cover the roadmap's critical and warning alerts",
    needs=[PROMETHEUSRULES, PROMETHEUSES, "namespaces"],
    passes="PrometheusRules evaluated by Prometheus alert on node down, pod crash loops, "
    "resource exhaustion (disk/memory/quota), high CPU/memory and certificate expiry",
    remediation="""
kube-prometheus-stack's default rules cover all five (defaultRules.create=true:
KubeNodeNotReady, KubePodCrashLooping, NodeFilesystemSpaceFillingUp / KubeQuotaExceeded,
CPUThrottlingHigh / NodeMemoryHighUtilization, KubeClientCertificateExpiration). Add missing
ones as a PrometheusRule carrying the labels the Prometheus ruleSelector expects
(kube-prometheus-stack: release=<helm release>); kubectl get prometheus -A -o
jsonpath='{..ruleSelector}' shows them.
""",
)
def alert_rules(snap: Snapshot) -> Result:
    """The roadmap names the alerts that must exist: critical (node down, pod crash loops,
    resource exhaustion) and warning (high CPU/memory, certificate expiry). Each category is
    recognised from alert names and from what the expression measures, so renamed or
    home-grown rules count too. Rules that no Prometheus selects are never evaluated and
    are reported, not counted."""
    if not snap.served(PROMETHEUSRULES):
        return failed("PrometheusRule CRD not installed: no alert rules can exist")
    picked, ignored = evaluated_rules(snap)
    groups, rules = 0, []
    for r in picked:
        g, alerts = alerting_rules(r)
        groups += g
        rules += alerts
    covered = categorise(rules)
    evidence = [
        Evidence(f"alerts: {cat}", listing(names, 3) or "none") for cat, names in covered.items()
    ]
    evidence += [
        ev("PrometheusRule", r, "not selected by any Prometheus ruleSelector") for r in ignored
    ]
    counts = (
        f"{plural(len(rules), 'alerting rule')} in {plural(groups, 'group')} of "
        f"{plural(len(picked), 'PrometheusRule')}"
    )
    missing = [cat for cat, names in covered.items() if not names]
    if ignored:
        counts += f" ({len(ignored)} more not selected by Prometheus)"
    if len(missing) == len(covered):
        return failed(f"no roadmap alert covered: {counts}", evidence, alerting_rules=len(rules))
    if missing:
        return warned(
            f"missing alerts for {', '.join(missing)}; {counts}",
            evidence,
            alerting_rules=len(rules),
        )
    return passed(
        f"all 5 roadmap alert categories covered: {counts}", evidence, alerting_rules=len(rules)
    )
