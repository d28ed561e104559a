"""Small pure helpers shared by the check modules: reading object fields, conditions,
workload readiness, label-based component detection and app namespaces.

They exist so every check reads Kubernetes objects the same way (a Deployment is "ready"
by one definition everywhere), not to hide logic: each is a few lines.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from readiness.model import Evidence
from readiness.snapshot import Snapshot, parse_time

Obj = Mapping[str, Any]

# Labels that name what a workload *is* (detection by capability, never by object name).
IDENTITY_LABELS = (
    "app.kubernetes.io/name",
    "app.kubernetes.io/part-of",
    "app.kubernetes.io/component",
    "app.kubernetes.io/instance",
    "app",
    "k8s-app",
    "name",
    "component",
)

WORKLOAD_KINDS = {
    "deployments": "Deployment",
    "daemonsets": "DaemonSet",
    "statefulsets": "StatefulSet",
}


def meta(obj: Obj) -> Mapping[str, Any]:
    return obj.get("metadata") or {}


def name(obj: Obj) -> str:
    return str(meta(obj).get("name", ""))


def namespace(obj: Obj) -> str:
    return str(meta(obj).get("namespace", "") or "")


def labels(obj: Obj) -> Mapping[str, str]:
    return meta(obj).get("labels") or {}


def annotations_of(obj: Obj) -> Mapping[str, str]:
    return meta(obj).get("annotations") or {}


def ref(kind: str, obj: Obj) -> str:
    ns = namespace(obj)
    return f"{kind} {ns}/{name(obj)}" if ns else f"{kind} {name(obj)}"


def ev(kind: str, obj: Obj, detail: str = "") -> Evidence:
    return Evidence(ref(kind, obj), detail)


def spec(obj: Obj) -> Mapping[str, Any]:
    return obj.get("spec") or {}


def status(obj: Obj) -> Mapping[str, Any]:
    return obj.get("status") or {}


def pod_template(obj: Obj) -> Mapping[str, Any]:
    """The pod spec of a workload (Deployment, DaemonSet, StatefulSet, CronJob) or a Pod."""
    s = spec(obj)
    if "template" in s:
        return (s.get("template") or {}).get("spec") or {}
    if "jobTemplate" in s:
        job = (s.get("jobTemplate") or {}).get("spec") or {}
        return (job.get("template") or {}).get("spec") or {}
    return s


def template_labels(obj: Obj) -> Mapping[str, str]:
    s = spec(obj)
    return ((s.get("template") or {}).get("metadata") or {}).get("labels") or {}


def containers(pod_spec: Mapping[str, Any], init: bool = True) -> list[Mapping[str, Any]]:
    out = list(pod_spec.get("containers") or [])
    if init:
        out += list(pod_spec.get("initContainers") or [])
    return out


def condition(obj: Obj, ctype: str) -> Mapping[str, Any] | None:
    for c in status(obj).get("conditions") or []:
        if c.get("type") == ctype:
            found: Mapping[str, Any] = c
            return found
    return None


def condition_true(obj: Obj, ctype: str) -> bool:
    c = condition(obj, ctype)
    return c is not None and str(c.get("status")) == "True"


def identity_values(obj: Obj) -> set[str]:
    """Lower-cased values of the identity labels on the object and its pod template."""
    values: set[str] = set()
    for source in (labels(obj), template_labels(obj)):
        for key in IDENTITY_LABELS:
            v = source.get(key)
            if v:
                values.add(str(v).lower())
    return values


def images(pod_spec: Mapping[str, Any]) -> list[str]:
    return [str(c.get("image", "")) for c in containers(pod_spec) if c.get("image")]


def image_repo(image: str) -> str:
    """``registry/repo:tag@digest`` → ``registry/repo`` (tag and digest dropped)."""
    base = image.split("@", 1)[0]
    last = base.rsplit("/", 1)
    if ":" in last[-1]:
        base = base.rsplit(":", 1)[0]
    return base


def stale_status(obj: Obj, cond: Mapping[str, Any] | None = None) -> str:
    """Why an object's status does not describe its current spec, or "" when it does.

    Controllers record the ``metadata.generation`` they last acted on in
    ``status.observedGeneration`` (and Flux, cert-manager and the Prometheus Operator on
    each condition). A lower number means the latest spec change (a new image, replicas,
    chart version) has not been reconciled yet: the status is about an older object.
    """
    gen = meta(obj).get("generation")
    if gen is None:
        return ""
    for source in (status(obj), cond or {}):
        seen = source.get("observedGeneration")
        if seen is not None and int(seen) < int(gen):
            return f"status is for generation {seen}, spec is generation {gen}"
    return ""


def workload_ready(kind: str, obj: Obj) -> tuple[bool, str]:
    """Whether a Deployment/StatefulSet/DaemonSet has all wanted replicas ready, and how many.

    A workload scaled to zero is not "ready": nothing is running. A status written for an
    older generation of the spec is not proof either (the controller has not acted on the
    latest change yet), so it is not "ready" and the detail says so.
    """
    st = status(obj)
    if kind == "DaemonSet":
        want = int(st.get("desiredNumberScheduled") or 0)
        have = int(st.get("numberReady") or 0)
        ok, detail = (want > 0 and have >= want), f"{have}/{want} ready"
    else:
        replicas = spec(obj).get("replicas")
        wanted = 1 if replicas is None else int(replicas)
        ready = int(st.get("readyReplicas") or 0)
        ok, detail = (wanted > 0 and ready >= wanted), f"{ready}/{wanted} ready"
    stale = stale_status(obj)
    if stale:
        return False, f"{detail} ({stale})"
    return ok, detail


def workloads(
    snap: Snapshot, kinds: Iterable[str] = tuple(WORKLOAD_KINDS)
) -> list[tuple[str, Obj]]:
    """(Kind, object) pairs across the given workload keys. Raises Unavailable as usual."""
    out: list[tuple[str, Obj]] = []
    for key in kinds:
        for obj in snap.items(key):
            out.append((WORKLOAD_KINDS[key], obj))
    return out


def find_workloads(
    snap: Snapshot, wanted: Iterable[str], kinds: Iterable[str] = tuple(WORKLOAD_KINDS)
) -> list[tuple[str, Obj]]:
    """Workloads whose identity labels carry one of ``wanted`` (lower-case) values."""
    want = {w.lower() for w in wanted}
    return [(k, o) for k, o in workloads(snap, kinds) if identity_values(o) & want]


def system_namespaces(snap: Snapshot) -> set[str]:
    return set(snap.params.system_namespaces)


def app_namespaces(snap: Snapshot) -> list[str]:
    """Namespaces that hold the team's applications: all but the rubric's system list and
    those being deleted. Sorted for stable output."""

    def compute() -> list[str]:
        system = system_namespaces(snap)
        out = []
        for ns in snap.items("namespaces"):
            n = name(ns)
            if n in system or n.startswith("kube-"):
                continue
            if status(ns).get("phase") == "Terminating":
                continue
            out.append(n)
        return sorted(out)

    result: list[str] = snap.memo("app_namespaces", compute)
    return result


def by_namespace(snap: Snapshot, key: str) -> dict[str, list[Obj]]:
    def compute() -> dict[str, list[Obj]]:
        out: dict[str, list[Obj]] = {}
        for obj in snap.items(key):
            out.setdefault(namespace(obj), []).append(obj)
        return out

    result: dict[str, list[Obj]] = snap.memo(f"by_namespace:{key}", compute)
    return result


def selector_matches(selector: Mapping[str, Any] | None, target: Mapping[str, str]) -> bool:
    """Kubernetes LabelSelector semantics (matchLabels + matchExpressions).

    An empty selector matches everything, as in NetworkPolicy podSelector {}.
    """
    if not selector:
        return True
    for k, v in (selector.get("matchLabels") or {}).items():
        if target.get(k) != v:
            return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        present = key in target
        if op == "In" and (not present or target[key] not in values):
            return False
        if op == "NotIn" and present and target[key] in values:
            return False
        if op == "Exists" and not present:
            return False
        if op == "DoesNotExist" and present:
            return False
    return True


def age(snap: Snapshot, timestamp: str | None) -> dt.timedelta | None:
    t = parse_time(timestamp)
    return None if t is None else snap.now - t


def hours(delta: dt.timedelta) -> float:
    return round(delta.total_seconds() / 3600, 1)


def days(delta: dt.timedelta) -> float:
    return round(delta.total_seconds() / 86400, 1)


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def listing(names: Iterable[str], limit: int = 5) -> str:
    items = list(names)
    shown = ", ".join(items[:limit])
    return shown + (f" (+{len(items) - limit} more)" if len(items) > limit else "")


def parse_config(text: Any) -> Any:
    """A JSON/YAML document held as a string (EKS add-on ``configurationValues``, the
    aws-auth ConfigMap's ``mapRoles``), parsed; ``None`` when absent or malformed.

    Parsing is pure (no I/O), and hand-parsing YAML is what a library is for, so checks
    use this one helper instead of importing a parser each."""
    if isinstance(text, Mapping | list):
        return text
    if not isinstance(text, str) or not text.strip():
        return None
    import yaml  # local: only checks that read embedded config pay for the import

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def daemonset_nodes(snap: Snapshot) -> list[Obj]:
    """Nodes a Linux DaemonSet is expected on: all but Fargate nodes (no DaemonSets run
    there) and Windows nodes (node agents such as node-exporter or the CSI driver are Linux
    images). Used to prove "ready on every node"."""
    out: list[Obj] = []
    for node in snap.items("nodes"):
        lab = labels(node)
        if lab.get("eks.amazonaws.com/compute-type") == "fargate":
            continue
        if lab.get("kubernetes.io/os", "linux") != "linux":
            continue
        out.append(node)
    return out


def daemonset_on_all_nodes(obj: Obj, node_count: int) -> tuple[bool, str]:
    """Whether a DaemonSet is scheduled on at least ``node_count`` nodes and all its pods
    are ready, with a detail such as "3/3 ready on 3 nodes"."""
    st = status(obj)
    want = int(st.get("desiredNumberScheduled") or 0)
    have = int(st.get("numberReady") or 0)
    ok = want > 0 and want >= node_count and have >= want
    detail = f"{have}/{want} ready on {plural(node_count, 'node')}"
    stale = stale_status(obj)
    return (False, f"{detail} ({stale})") if stale else (ok, detail)
