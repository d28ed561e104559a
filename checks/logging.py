"""Week 2 — centralized logging: Container Insights, a log forwarder whose logs are proven to
arrive in CloudWatch, EKS control-plane (audit) logging, retention, and security-violation
logging (Pod Security audit/warn labels, network-policy event logs).

Every verdict joins what runs in the cluster with what AWS shows: a Fluent Bit DaemonSet is
only half the story until its newest event in CloudWatch Logs is recent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from checks.common import (
    Obj,
    app_namespaces,
    containers,
    ev,
    find_workloads,
    labels,
    listing,
    name,
    namespace,
    parse_config,
    plural,
    pod_template,
    status,
    workload_ready,
)
from readiness.model import Evidence, Result, check, failed, passed, unknown, warned
from readiness.snapshot import Snapshot, Unavailable, parse_time

MAX_EVIDENCE = 10
CI_ADDON = "amazon-cloudwatch-observability"
CW_AGENT_IDS = ("cloudwatch-agent",)
FORWARDER_IDS = (
    "fluent-bit",
    "fluent-bit-windows",
    "aws-for-fluent-bit",
    "fluentd",
    "fluentd-cloudwatch",
)
CW_OUTPUT_PLUGINS = ("cloudwatch_logs", "cloudwatch")
FARGATE_LABEL = "eks.amazonaws.com/compute-type"
OS_LABEL = "kubernetes.io/os"
PSA_LOGGING_LABELS = ("pod-security.kubernetes.io/audit", "pod-security.kubernetes.io/warn")
CONTROL_PLANE_WANTED = ("audit", "api", "authenticator")
POLICY_LOG_FLAG = "--enable-policy-event-logs"


# -- shared helpers --------------------------------------------------------------------------


def _cluster_prefixes(snap: Snapshot) -> tuple[str, ...]:
    """Log group prefixes of this cluster; any cluster's when the name is unknown (offline)."""
    c = snap.cluster.cluster
    if c:
        return (f"/aws/eks/{c}/", f"/aws/containerinsights/{c}/")
    return ("/aws/eks/", "/aws/containerinsights/")


def _cluster_log_groups(snap: Snapshot) -> list[Mapping[str, Any]]:
    groups = snap.fact("logs:log-groups") or []
    prefixes = _cluster_prefixes(snap)
    return [g for g in groups if str(g.get("logGroupName", "")).startswith(prefixes)]


def _ci_group(group_name: str, leaf: str) -> bool:
    """``/aws/containerinsights/<cluster>/<leaf>`` for this cluster (or any, offline)."""
    parts = group_name.split("/")
    return len(parts) == 5 and parts[1:3] == ["aws", "containerinsights"] and parts[4] == leaf


def _group_ev(group_name: str, detail: str) -> Evidence:
    return Evidence(f"log group {group_name}", detail)


def _eligible_nodes(ds: Obj, nodes: Sequence[Obj]) -> list[Obj]:
    """Nodes a DaemonSet should cover: all but Fargate nodes (DaemonSets never run there) and
    nodes of another OS than the one the DaemonSet selects. Tainted or differently labelled EC2
    nodes stay in: a forwarder that skips them leaves their pods' logs uncollected."""
    want_os = (pod_template(ds).get("nodeSelector") or {}).get(OS_LABEL)
    out = []
    for node in nodes:
        node_labels = labels(node)
        if node_labels.get(FARGATE_LABEL) == "fargate":
            continue
        if want_os and node_labels.get(OS_LABEL, "linux") != want_os:
            continue
        out.append(node)
    return out


def _ds_coverage(ds: Obj, nodes: Sequence[Obj] | None) -> tuple[str, str]:
    """("ready" | "partial" | "idle", detail) of a DaemonSet against the nodes it should cover.

    ``idle`` is a DaemonSet with no node to run on (e.g. a Windows variant on a Linux-only
    cluster): not a gap. Without node data we trust the controller's own desired count.
    """
    ok, detail = workload_ready("DaemonSet", ds)
    desired = int(status(ds).get("desiredNumberScheduled") or 0)
    if nodes is None:
        if desired == 0:
            return "idle", "no pod scheduled (nodes not readable)"
        return ("ready" if ok else "partial"), f"{detail} (nodes not readable)"
    eligible = len(_eligible_nodes(ds, nodes))
    if eligible == 0 and desired == 0:
        return "idle", "no eligible node"
    if desired < eligible:
        return "partial", f"{detail}, scheduled on {desired} of {eligible} nodes"
    return ("ready" if ok else "partial"), f"{detail} on {plural(eligible, 'node')}"


def _daemonsets(snap: Snapshot, wanted: Iterable[str]) -> list[Obj]:
    return [o for _, o in find_workloads(snap, wanted, kinds=("daemonsets",))]


def _addons_or_none(snap: Snapshot) -> list[Mapping[str, Any]] | None:
    addons = snap.fact_or_none("eks:addons")
    return None if addons is None else list(addons)


def _addon(addons: list[Mapping[str, Any]] | None, addon_name: str) -> Mapping[str, Any] | None:
    for a in addons or []:
        if a.get("addonName") == addon_name:
            return a
    return None


def _referenced_configmaps(snap: Snapshot, workload: Obj) -> list[Obj]:
    """ConfigMaps a workload mounts (plain and projected volumes), from its own namespace."""
    wanted: set[str] = set()
    for vol in pod_template(workload).get("volumes") or []:
        cm = vol.get("configMap") or {}
        if cm.get("name"):
            wanted.add(str(cm["name"]))
        for src in (vol.get("projected") or {}).get("sources") or []:
            pcm = src.get("configMap") or {}
            if pcm.get("name"):
                wanted.add(str(pcm["name"]))
    ns = namespace(workload)
    return [cm for cm in snap.items("configmaps") if namespace(cm) == ns and name(cm) in wanted]


# -- logging.container-insights --------------------------------------------------------------


def _ci_agent(snap: Snapshot) -> tuple[str, list[Evidence]]:
    """State of the CloudWatch agent DaemonSets: "ready", "partial" or "none"."""
    nodes = snap.items_or_none("nodes")
    states: list[str] = []
    evidence: list[Evidence] = []
    for ds in _daemonsets(snap, CW_AGENT_IDS):
        state, detail = _ds_coverage(ds, nodes)
        evidence.append(ev("DaemonSet", ds, detail))
        if state != "idle":
            states.append(state)
    if not states:
        return "none", evidence
    return ("ready" if all(s == "ready" for s in states) else "partial"), evidence


@check(
    id="logging.container-insights",
    title="CloudWatch Container Insights is on",
    needs=["eks:addons", "daemonsets", "nodes", "logs:log-groups"],
    passes=(
        "the amazon-cloudwatch-observability EKS add-on is ACTIVE or the CloudWatch agent "
        "DaemonSet is ready on every node, and the cluster's Container Insights log groups "
        "(/aws/containerinsights/<cluster>/performance or /application) exist"
    ),
    remediation="""
aws eks create-addon --cluster-name <cluster> --addon-name amazon-cloudwatch-observability
  (grant its service account CloudWatchAgentServerPolicy via Pod Identity or IRSA).
Terraform: resource "aws_eks_addon" "cw" { cluster_name = ..., addon_name =
"amazon-cloudwatch-observability" }. The agent creates /aws/containerinsights/<cluster>/performance.
""",
)
def container_insights(snap: Snapshot) -> Result:
    """Container Insights gives node, pod and container metrics and logs in CloudWatch without
    running a monitoring stack: the roadmap's first logging step. An installed agent that
    writes nothing is not "on", so the cluster's Container Insights log groups must exist too.
    The add-on status comes from AWS; when that cannot be read the agent DaemonSet (which the
    add-on deploys) still answers."""
    addons = _addons_or_none(snap)
    addon = _addon(addons, CI_ADDON)
    agent_state, evidence = _ci_agent(snap)
    if addons is None:
        evidence.append(Evidence("eks:addons", "could not read EKS add-ons; judged from the agent"))
    elif addon is not None:
        evidence.append(Evidence(f"eks:addon {CI_ADDON}", f"status {addon.get('status')}"))
    addon_active = addon is not None and addon.get("status") == "ACTIVE"
    if agent_state == "none" and addon is None:
        return failed(
            "Container Insights is not installed: no amazon-cloudwatch-observability add-on "
            "and no CloudWatch agent DaemonSet",
            evidence,
        )
    groups = [
        str(g.get("logGroupName"))
        for g in _cluster_log_groups(snap)
        if _ci_group(str(g.get("logGroupName", "")), "performance")
        or _ci_group(str(g.get("logGroupName", "")), "application")
    ]
    evidence += [_group_ev(g, "exists") for g in sorted(groups)]
    agent_on = addon_active or agent_state == "ready"
    source = f"add-on {CI_ADDON} ACTIVE" if addon_active else "CloudWatch agent ready on every node"
    if agent_on and groups:
        return passed(
            f"Container Insights on: {source}; {plural(len(groups), 'log group')}", evidence
        )
    missing = []
    if not agent_on:
        state = addon.get("status") if addon is not None else None
        missing.append(
            f"add-on {CI_ADDON} is {state}" if state else "CloudWatch agent not ready on every node"
        )
    if not groups:
        missing.append("no /aws/containerinsights/<cluster>/performance or /application log group")
    return warned("Container Insights partially on: " + "; ".join(missing), evidence)


# -- logging.forwarder -----------------------------------------------------------------------

_SECTION = re.compile(r"^\s*\[([A-Za-z_]+)\]\s*$")
_KEYVAL = re.compile(r"^\s*([A-Za-z0-9_.\-]+)\s+(.+?)\s*$")
_YAML_OUTPUT = re.compile(r"^\s*-?\s*name:\s*['\"]?([A-Za-z_]+)['\"]?\s*$", re.MULTILINE)
_FLUENTD_TYPE = re.compile(r"@type\s+([A-Za-z_]+)")


def _classic_outputs(text: str) -> list[tuple[str, str]]:
    """(plugin, log group) of every [OUTPUT] section of a classic Fluent Bit config."""
    outputs: list[tuple[str, str]] = []
    current: dict[str, str] | None = None
    for line in text.splitlines() + ["[END]"]:
        m = _SECTION.match(line)
        if m:
            if current is not None and current.get("name"):
                outputs.append((current["name"], current.get("log_group_name", "")))
            current = {} if m.group(1).upper() == "OUTPUT" else None
            continue
        kv = _KEYVAL.match(line)
        if current is not None and kv:
            current[kv.group(1).lower()] = kv.group(2)
    return outputs


def cloudwatch_outputs(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """CloudWatch outputs in a ConfigMap's data: classic ``[OUTPUT]`` sections (``*.conf``),
    YAML pipelines (``outputs: - name: cloudwatch_logs``) and fluentd ``@type cloudwatch_logs``.
    Returns (plugin, log group or "") pairs."""
    found: list[tuple[str, str]] = []
    for key, value in (data or {}).items():
        text = str(value or "")
        if key.endswith(".conf"):
            found += [(p.lower(), g) for p, g in _classic_outputs(text)]
            found += [(t.lower(), "") for t in _FLUENTD_TYPE.findall(text)]
        elif key.endswith((".yaml", ".yml")) and "outputs:" in text:
            found += [(p.lower(), "") for p in _YAML_OUTPUT.findall(text)]
    return [(p, g) for p, g in found if p in CW_OUTPUT_PLUGINS]


def _forwarder_state(snap: Snapshot) -> tuple[list[Obj], bool, bool, list[Evidence]]:
    """(forwarders, ready on every node, has CloudWatch output, evidence)."""
    nodes = snap.items_or_none("nodes")
    forwarders = _daemonsets(snap, FORWARDER_IDS)
    evidence: list[Evidence] = []
    states: list[str] = []
    with_cw = False
    for ds in forwarders:
        state, detail = _ds_coverage(ds, nodes)
        outputs = [
            o
            for cm in _referenced_configmaps(snap, ds)
            for o in cloudwatch_outputs(cm.get("data") or {})
        ]
        if outputs:
            with_cw = True
            groups = sorted({g for _, g in outputs if g})
            detail += f"; CloudWatch output ({outputs[0][0]}"
            detail += f" → {listing(groups, 3)})" if groups else ")"
        else:
            detail += "; no CloudWatch output in its ConfigMaps"
        evidence.append(ev("DaemonSet", ds, detail))
        if state != "idle":
            states.append(state)
    ready = bool(states) and all(s == "ready" for s in states)
    return forwarders, ready, with_cw, evidence


def _application_event(snap: Snapshot) -> tuple[str | None, Mapping[str, Any] | None]:
    """(group name, newest-event record) of the cluster's Container Insights application group."""
    newest = snap.fact("logs:newest-events") or {}
    prefixes = _cluster_prefixes(snap)
    for group_name in sorted(newest):
        if group_name.startswith(prefixes) and _ci_group(group_name, "application"):
            return group_name, newest[group_name] or {}
    return None, None


@check(
    id="logging.forwarder",
    title="Log forwarder ships container logs to CloudWatch, and they arrive",
    needs=["daemonsets", "configmaps", "nodes", "logs:newest-events"],
    passes=(
        "a Fluent Bit (or fluentd) DaemonSet is ready on every node with a CloudWatch output, "
        "and the newest event in /aws/containerinsights/<cluster>/application is younger than "
        "the rubric's log_freshness_minutes"
    ),
    remediation="""
Install Fluent Bit with a CloudWatch Logs output: the amazon-cloudwatch-observability EKS add-on
ships one, or the aws-for-fluent-bit Helm chart (https://aws.github.io/eks-charts) with
cloudWatchLogs enabled and log group /aws/containerinsights/<cluster>/application. Check the
pods' IAM permissions (logs:PutLogEvents) and `kubectl logs -n amazon-cloudwatch ds/fluent-bit`.
""",
)
def forwarder(snap: Snapshot) -> Result:
    """ "All container logs flowing to CloudWatch" is a roadmap success metric: a forwarder on
    every node (a node without one loses its pods' logs), configured to write to CloudWatch,
    and proof that events actually arrive — a DaemonSet whose IAM role cannot PutLogEvents
    looks healthy in the cluster. Logs flowing is proven from CloudWatch, not assumed."""
    forwarders, ready, with_cw, evidence = _forwarder_state(snap)
    if not forwarders:
        return failed(
            "no log forwarder DaemonSet (Fluent Bit, aws-for-fluent-bit, fluentd)", evidence
        )
    try:
        group_name, record = _application_event(snap)
    except Unavailable as exc:
        return unknown(
            "logs flowing is proven, not assumed: could not read the newest CloudWatch log "
            f"event ({exc.reason})",
            evidence + [Evidence("logs:newest-events", exc.permission or exc.reason)],
        )
    limit = snap.params.log_freshness_minutes
    age_min = _event_age_minutes(snap, record)
    if group_name is None:
        evidence.append(
            Evidence(
                "logs:newest-events", "no /aws/containerinsights/<cluster>/application log group"
            )
        )
    else:
        seen = "no event yet" if age_min is None else f"newest event {age_min} min ago"
        evidence.append(_group_ev(group_name, seen))
    problems = []
    if not with_cw:
        problems.append("no CloudWatch output configured")
    if not ready:
        problems.append("forwarder not ready on every node")
    if age_min is None:
        problems.append("no container log events found in CloudWatch")
    elif age_min > limit:
        problems.append(f"newest event is {age_min} min old (limit {limit:g} min)")
    if problems:
        return warned(
            "logs not proven flowing: " + "; ".join(problems),
            evidence,
            newest_event_age_minutes=age_min,
        )
    return passed(
        f"logs arriving: newest event {age_min} min ago from a forwarder ready on every node",
        evidence,
        newest_event_age_minutes=age_min,
    )


def _event_age_minutes(snap: Snapshot, record: Mapping[str, Any] | None) -> float | None:
    when = parse_time((record or {}).get("lastEventTime"))
    if when is None:
        return None
    return round(max((snap.now - when).total_seconds(), 0.0) / 60, 1)


# -- logging.control-plane -------------------------------------------------------------------


@check(
    id="logging.control-plane",
    title="EKS control-plane audit logging is enabled",
    needs=["eks:cluster"],
    passes="EKS control-plane logging has audit, api and authenticator enabled",
    remediation="""
aws eks update-cluster-config --name <cluster> --logging
  '{"clusterLogging":[{"types":["api","audit","authenticator"],"enabled":true}]}'
Terraform (terraform-aws-modules/eks): cluster_enabled_log_types = ["api", "audit", "authenticator"]
(aws_eks_cluster: enabled_cluster_log_types). Logs land in /aws/eks/<cluster>/cluster.
""",
)
def control_plane(snap: Snapshot) -> Result:
    """ "EKS audit logs enabled and searchable" is a roadmap success metric: the audit log is
    the only record of who changed what through the API server (incident response, compliance),
    api shows the requests, authenticator shows which IAM principal became which Kubernetes
    user. Audit alone is the essential part; the other two complete the picture."""
    cluster = snap.fact("eks:cluster") or {}
    enabled: set[str] = set()
    for setup in (cluster.get("logging") or {}).get("clusterLogging") or []:
        if setup.get("enabled"):
            enabled.update(str(t) for t in setup.get("types") or [])
    ref = f"eks:cluster {cluster.get('name') or snap.cluster.cluster or ''}".strip()
    shown = ", ".join(sorted(enabled)) or "none"
    evidence = [Evidence(ref, f"enabled log types: {shown}")]
    missing = [t for t in CONTROL_PLANE_WANTED if t not in enabled]
    measured = {"enabled_log_types": shown}
    if not missing:
        return passed(
            "control-plane logging has audit, api and authenticator", evidence, **measured
        )
    if "audit" in enabled:
        return warned(f"audit logging on; missing {', '.join(missing)}", evidence, **measured)
    return failed(f"EKS audit logging is off (enabled: {shown})", evidence, **measured)


# -- logging.retention -----------------------------------------------------------------------


@check(
    id="logging.retention",
    title="Cluster log groups have a retention policy",
    needs=["logs:log-groups"],
    passes="every cluster log group has retentionInDays ≥ the rubric's log_retention_min_days",
    remediation="""
aws logs put-retention-policy --log-group-name <group> --retention-in-days 90
Terraform: aws_cloudwatch_log_group { retention_in_days = 90 } for each group (manage the
Container Insights groups in Terraform too); terraform-aws-modules/eks:
cloudwatch_log_group_retention_in_days = 90 for /aws/eks/<cluster>/cluster.
""",
)
def retention(snap: Snapshot) -> Result:
    """ "Log retention policies configured" is a roadmap success metric: audit and application
    logs must be kept at least as long as compliance and investigations need. A group with no
    retention ("never expire", CloudWatch's default) keeps logs long enough but has no policy:
    cost grows forever and data-minimisation rules are not met, so it warns. A group below the
    minimum loses evidence too early: some such groups warn, all of them fail."""
    groups = _cluster_log_groups(snap)
    minimum = snap.params.log_retention_min_days
    if not groups:
        return failed(
            "no cluster log groups (/aws/eks/<cluster>/…, /aws/containerinsights/<cluster>/…)",
            [Evidence("logs:log-groups", "none for this cluster")],
            min_retention_days=None,
        )
    short, forever, good = [], [], []
    evidence = []
    for g in sorted(groups, key=lambda g: str(g.get("logGroupName"))):
        days_kept = g.get("retentionInDays")
        gname = str(g.get("logGroupName"))
        if days_kept is None:
            forever.append(gname)
            detail = "never expires (no retention policy)"
        elif int(days_kept) < minimum:
            short.append(gname)
            detail = f"{days_kept} days < {minimum}"
        else:
            good.append(gname)
            detail = f"{days_kept} days"
        evidence.append(_group_ev(gname, detail))
    explicit = [int(g["retentionInDays"]) for g in groups if g.get("retentionInDays") is not None]
    measured = {"min_retention_days": min(explicit) if explicit else None}
    total = len(groups)
    if len(short) == total:
        return failed(
            f"all {total} cluster log groups keep logs < {minimum} days", evidence, **measured
        )
    if short:
        return warned(
            f"{len(short)} of {total} log groups keep logs < {minimum} days: {listing(short, 3)}",
            evidence,
            **measured,
        )
    if forever:
        return warned(
            f"{len(forever)} of {total} log groups have no retention policy (never expire)",
            evidence,
            **measured,
        )
    return passed(
        f"all {total} cluster log groups keep logs ≥ {minimum} days", evidence, **measured
    )


# -- logging.policy-violations ---------------------------------------------------------------


def _config_value(config: Any, path: tuple[str, ...]) -> str | None:
    """A value at ``path`` in an add-on's configurationValues (JSON or any YAML, parsed by
    the shared helper), lower-cased when it is a boolean; None when absent."""
    doc = parse_config(config)
    for key in path:
        if not isinstance(doc, Mapping):
            return None
        doc = doc.get(key)
    if doc is None:
        return None
    return str(doc).lower() if isinstance(doc, bool) else str(doc)


def _args_flag(container: Mapping[str, Any], flag: str) -> bool:
    args = [str(a) for a in (container.get("args") or []) + (container.get("command") or [])]
    return f"{flag}=true" in args


def _env_true(container: Mapping[str, Any], var: str) -> bool:
    return any(
        e.get("name") == var and str(e.get("value", "")).lower() == "true"
        for e in container.get("env") or []
    )


def _netpol_logging(snap: Snapshot) -> tuple[bool, list[Evidence]]:
    """Network-policy event logging from the VPC CNI node agent, its add-on configuration,
    Calico flow logs or Cilium Hubble."""
    evidence: list[Evidence] = []
    for ds in _daemonsets(snap, ("aws-node",)):
        # The node agent container (aws-eks-nodeagent) is found by the flag it takes.
        for c in containers(pod_template(ds), init=False):
            if any(str(a).startswith(POLICY_LOG_FLAG) for a in c.get("args") or []):
                on = _args_flag(c, POLICY_LOG_FLAG)
                detail = f"{c.get('name')} {POLICY_LOG_FLAG}={str(on).lower()}"
                evidence.append(ev("DaemonSet", ds, detail))
                if on:
                    return True, evidence
    addons = _addons_or_none(snap)
    cni = _addon(addons, "vpc-cni")
    if cni is not None:
        value = _config_value(
            cni.get("configurationValues"), ("nodeAgent", "enablePolicyEventLogs")
        )
        evidence.append(
            Evidence("eks:addon vpc-cni", f"nodeAgent.enablePolicyEventLogs={value or 'unset'}")
        )
        if str(value).lower() == "true":
            return True, evidence
    elif addons is None:
        evidence.append(
            Evidence("eks:addons", "could not read EKS add-ons; judged from the cluster")
        )
    for ds in _daemonsets(snap, ("calico-node",)):
        on = any(_env_true(c, "FELIX_FLOWLOGSFILEENABLED") for c in containers(pod_template(ds)))
        evidence.append(ev("DaemonSet", ds, f"Calico flow logs {'on' if on else 'off'}"))
        if on:
            return True, evidence
    for _, relay in find_workloads(snap, ("hubble-relay",), kinds=("deployments",)):
        ok, detail = workload_ready("Deployment", relay)
        evidence.append(ev("Deployment", relay, f"Cilium Hubble relay {detail}"))
        if ok:
            return True, evidence
    return False, evidence


@check(
    id="logging.policy-violations",
    title="Security policy violations are logged",
    needs=["namespaces", "daemonsets", "deployments", "eks:addons"],
    passes=(
        "every app namespace has a Pod Security audit or warn label, and network-policy event "
        "logging is on (VPC CNI node agent, Calico flow logs or Cilium Hubble)"
    ),
    remediation="""
kubectl label namespace <ns> pod-security.kubernetes.io/audit=restricted \
  pod-security.kubernetes.io/warn=restricted
aws eks update-addon --cluster-name <cluster> --addon-name vpc-cni --configuration-values
  '{"enableNetworkPolicy":"true","nodeAgent":{"enablePolicyEventLogs":"true","enableCloudWatchLogs":"true"}}'
""",
)
def policy_violations(snap: Snapshot) -> Result:
    """ "Security policy violations being logged" is a roadmap success metric. Pod Security
    audit/warn labels make the API server record (audit log) and report (client warning) pods
    that break the namespace's standard without blocking them; network-policy event logs record
    denied connections. Without them a violation leaves no trace to investigate."""
    apps = app_namespaces(snap)
    by_name = {name(ns): ns for ns in snap.items("namespaces")}
    unlabelled = [
        n for n in apps if not any(k in labels(by_name.get(n, {})) for k in PSA_LOGGING_LABELS)
    ]
    labelled = len(apps) - len(unlabelled)
    evidence = [
        Evidence(
            "namespaces",
            f"{labelled} of {len(apps)} app namespaces have a pod-security audit/warn label",
        )
    ]
    evidence += [
        Evidence(f"Namespace {n}", "no pod-security audit/warn label")
        for n in unlabelled[:MAX_EVIDENCE]
    ]
    netpol, net_evidence = _netpol_logging(snap)
    evidence += net_evidence
    psa_full = bool(apps) and not unlabelled
    psa_some = labelled > 0
    psa_text = f"Pod Security audit/warn on {labelled} of {len(apps)} app namespaces"
    net_text = "network-policy event logging " + ("on" if netpol else "off")
    summary = f"{psa_text}; {net_text}"
    if psa_full and netpol:
        return passed(summary, evidence)
    if psa_some or netpol:
        return warned(summary, evidence)
    return failed(summary, evidence)
