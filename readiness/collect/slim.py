"""Shrink listed objects to what checks can read, page by page, before they are kept.

Pure (no I/O): the live collector calls :func:`slim` on every item as each page arrives,
and offline loaders may call it on ``kubectl get -o json`` dumps. Two reasons:

* memory — ``managedFields`` and ``last-applied-configuration`` are ~half of a typical
  object, and Pods dominate a cluster's bytes, so a Pod keeps only the fields a check reads;
* secrecy — a snapshot is written to disk and shared, so nothing that commonly holds
  credentials survives: Pod env values, ConfigMap values other than known config formats,
  Alertmanager configs (webhook tokens), and Secrets altogether.

Inputs are never mutated; a new (shallowly copied) object is returned.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping
from typing import Any

Obj = dict[str, Any]

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
CONFIG_SUFFIXES = (".conf", ".json", ".yaml", ".yml")
AWS_AUTH_KEYS = frozenset({"mapRoles", "mapUsers", "mapAccounts"})
ALERTMANAGER_KEYS = frozenset({"alertmanager.yml", "alertmanager.yaml"})
MAX_CONFIG_VALUE = 64 * 1024
GRAFANA_DASHBOARD_LABEL = "grafana_dashboard"

_POD_META = ("name", "namespace", "labels", "annotations", "ownerReferences", "creationTimestamp")
_POD_SPEC = (
    "nodeName",
    "serviceAccountName",
    "automountServiceAccountToken",
    "hostNetwork",
    "hostPID",
    "hostIPC",
    "securityContext",
    "volumes",
)
_CONTAINER = ("name", "image", "securityContext", "resources")
_CONTAINER_STATUS = ("name", "ready", "restartCount", "imageID")
_CONDITION = ("type", "status", "reason", "lastTransitionTime")


WORKLOAD_KEYS = frozenset({"deployments", "daemonsets", "statefulsets", "cronjobs"})
# Env values that are switches, not credentials: checks read these (e.g. Calico's
# FELIX_FLOWLOGSFILEENABLED=true); every other literal value is blanked.
FLAG_VALUES = frozenset(
    {"true", "false", "1", "0", "yes", "no", "on", "off", "enabled", "disabled"}
)


def slim(key: str, obj: Mapping[str, Any]) -> Obj:
    """Return ``obj`` reduced for snapshot key ``key`` (a kubectl resource name)."""
    if key == "pods":
        return slim_pod(obj)
    out = _slim_metadata(obj)
    if key == "configmaps":
        return _slim_configmap(out)
    if key in WORKLOAD_KEYS:
        return _redact_workload_env(out)
    if key in GITOPS_VALUE_KEYS:
        return _redact_gitops_values(out)
    if key == "secrets":  # never listed; defensive if a caller passes one anyway
        out.pop("data", None)
        out.pop("stringData", None)
    return out


# -- GitOps objects --------------------------------------------------------------------
# Helm values and substitution variables written inline in a GitOps object are where teams
# put database passwords and API keys when they do not use valuesFrom / a Secret. Checks
# read only status, sync policy, history and rollback settings, so values are dropped.

HELMRELEASES = "helmreleases.helm.toolkit.fluxcd.io"
KUSTOMIZATIONS = "kustomizations.kustomize.toolkit.fluxcd.io"
ARGO_KEYS = frozenset({"applications.argoproj.io", "applicationsets.argoproj.io"})
GITOPS_VALUE_KEYS = ARGO_KEYS | {HELMRELEASES, KUSTOMIZATIONS}


def _redact_gitops_values(obj: Obj) -> Obj:
    spec = obj.get("spec")
    if not isinstance(spec, Mapping):
        return obj
    new_spec = dict(spec)
    if "values" in new_spec:  # Flux HelmRelease inline values
        new_spec["values"] = {}
    post = new_spec.get("postBuild")
    if isinstance(post, Mapping) and isinstance(post.get("substitute"), Mapping):
        subst = {k: "" for k in post["substitute"]}  # Flux Kustomization variables
        new_spec["postBuild"] = {**post, "substitute": subst}
    out = {**obj, "spec": new_spec}
    return _redact_argo_sources(out)  # Argo: spec.source(s), status history, templates


def _redact_argo_sources(value: Any) -> Any:
    """Blank Helm values/parameters and plugin env values in every Argo CD source, wherever
    it appears (spec.source, spec.sources, status.sync.comparedTo, status.history, an
    ApplicationSet template)."""
    if isinstance(value, list):
        return [_redact_argo_sources(v) for v in value]
    if not isinstance(value, Mapping):
        return value
    out = {k: _redact_argo_sources(v) for k, v in value.items()}
    helm = out.get("helm")
    if isinstance(helm, Mapping):
        new_helm = {k: v for k, v in helm.items() if k not in ("values", "valuesObject")}
        for field in ("parameters", "fileParameters"):
            if isinstance(helm.get(field), list):
                new_helm[field] = [_blank(p, ("value",)) for p in helm[field]]
        out["helm"] = new_helm
    plugin = out.get("plugin")
    if isinstance(plugin, Mapping):
        new_plugin = dict(plugin)
        if isinstance(plugin.get("env"), list):
            new_plugin["env"] = [_blank(e, ("value",)) for e in plugin["env"]]
        if isinstance(plugin.get("parameters"), list):
            fields = ("string", "array", "map")
            new_plugin["parameters"] = [_blank(p, fields) for p in plugin["parameters"]]
        out["plugin"] = new_plugin
    return out


def _blank(item: Any, fields: tuple[str, ...]) -> Any:
    """``item`` with the named fields emptied ([] and {} for lists and maps, else "")."""
    if not isinstance(item, Mapping):
        return item
    return {k: (_empty(v) if k in fields else v) for k, v in item.items()}


def _empty(value: Any) -> Any:
    if isinstance(value, list):
        return []
    return {} if isinstance(value, Mapping) else ""


def _slim_metadata(obj: Mapping[str, Any]) -> Obj:
    """Drop ``managedFields`` and the last-applied annotation (a full copy of the spec)."""
    out = dict(obj)
    md = obj.get("metadata")
    if isinstance(md, Mapping):
        new_md = dict(md)
        new_md.pop("managedFields", None)
        ann = md.get("annotations")
        if isinstance(ann, Mapping) and LAST_APPLIED in ann:
            new_md["annotations"] = {k: v for k, v in ann.items() if k != LAST_APPLIED}
        out["metadata"] = new_md
    return out


# -- ConfigMaps --------------------------------------------------------------------------


def _slim_configmap(cm: Obj) -> Obj:
    cm.pop("binaryData", None)
    data = cm.get("data")
    if not isinstance(data, Mapping):
        return cm
    labels = (cm.get("metadata") or {}).get("labels") or {}
    dashboards = GRAFANA_DASHBOARD_LABEL in labels
    cm["data"] = {k: _configmap_value(str(k), v, dashboards) for k, v in data.items()}
    return cm


def _configmap_value(key: str, value: Any, dashboards: bool) -> str:
    """Keep config formats checks parse; blank everything else (it may be a credential)."""
    if not isinstance(value, str) or key in ALERTMANAGER_KEYS:
        return ""
    if dashboards:
        summary = dashboard_summary(value)
        if summary is not None:
            return summary
    if key in AWS_AUTH_KEYS:
        return value
    if key.endswith(CONFIG_SUFFIXES) and len(value.encode("utf-8")) <= MAX_CONFIG_VALUE:
        return value
    return ""


def dashboard_summary(text: str) -> str | None:
    """A Grafana dashboard JSON reduced to ``{"title", "uid", "tags"}`` (still a JSON string).

    Dashboards are large (tens of KiB each) and checks only need to know which exist.
    Returns None when ``text`` is not a JSON object.
    """
    try:
        doc = json.loads(text)
    except ValueError:
        return None
    if not isinstance(doc, dict):
        return None
    # Some provisioners wrap the model: {"dashboard": {...}}.
    inner = doc.get("dashboard")
    if isinstance(inner, dict) and "title" not in doc:
        doc = inner
    tags = doc.get("tags")
    small = {
        "title": doc.get("title"),
        "uid": doc.get("uid"),
        "tags": [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else [],
    }
    return json.dumps(small, separators=(",", ":"))


# -- Pods --------------------------------------------------------------------------------


def _pick(src: Any, fields: tuple[str, ...]) -> Obj:
    if not isinstance(src, Mapping):
        return {}
    return {f: src[f] for f in fields if f in src}


def _slim_container(c: Any) -> Obj:
    out: Obj = _interned(_pick(c, _CONTAINER))
    env = c.get("env") if isinstance(c, Mapping) else None
    if isinstance(env, list):
        # Names only: an env value (or valueFrom) may be a credential.
        out["env"] = [_env_name(e.get("name")) for e in env if isinstance(e, Mapping)]
    return out


_ENV_NAMES: dict[Any, Obj] = {}


def _env_name(name: Any) -> Obj:
    """``{"name": ...}``, shared between Pods: 20,000 Pods repeat the same few env names,
    and a dict each was a third of the memory of slimmed Pods. Snapshot objects are
    read-only, so sharing is safe."""
    if not isinstance(name, str) or len(_ENV_NAMES) > 50_000:
        return {"name": name}
    return _ENV_NAMES.setdefault(name, {"name": sys.intern(name)})


def _slim_state(state: Any) -> Obj:
    """Container state without ``message`` (it can carry log lines)."""
    if not isinstance(state, Mapping):
        return {}
    keep = ("reason", "exitCode", "startedAt", "finishedAt")
    return {k: _pick(v, keep) for k, v in state.items()}


def _slim_container_status(s: Any) -> Obj:
    out = _pick(s, _CONTAINER_STATUS)
    if isinstance(s, Mapping) and "state" in s:
        out["state"] = _slim_state(s["state"])
    return out


def _slim_volume(v: Any) -> Any:
    """Projected volumes (the service-account token every Pod gets) keep only their name."""
    if isinstance(v, Mapping) and "projected" in v:
        return {"name": v.get("name"), "projected": {}}
    return v


def _interned(value: Any) -> Any:
    """Share equal strings between Pods (replicas repeat images, labels, timestamps)."""
    if isinstance(value, str):
        return sys.intern(value)
    if isinstance(value, dict):
        return {sys.intern(k) if isinstance(k, str) else k: _interned(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_interned(v) for v in value]
    return value


def slim_pod(pod: Mapping[str, Any]) -> Obj:
    """A Pod reduced to identity, placement, security and health fields (~5% of its bytes)."""
    md = _pick(pod.get("metadata"), _POD_META)
    ann = md.get("annotations")
    if isinstance(ann, Mapping) and LAST_APPLIED in ann:
        md["annotations"] = {k: v for k, v in ann.items() if k != LAST_APPLIED}
    raw_spec = pod.get("spec") or {}
    spec = _interned(_pick(raw_spec, _POD_SPEC))
    if isinstance(spec.get("volumes"), list):
        spec["volumes"] = [_slim_volume(v) for v in spec["volumes"]]
    for field in ("containers", "initContainers"):
        if isinstance(raw_spec.get(field), list):
            spec[field] = [_slim_container(c) for c in raw_spec[field]]
    raw_status = pod.get("status") or {}
    status = _pick(raw_status, ("phase", "startTime", "qosClass"))
    if isinstance(raw_status.get("conditions"), list):
        status["conditions"] = [_pick(c, _CONDITION) for c in raw_status["conditions"]]
    for field in ("containerStatuses", "initContainerStatuses"):
        if isinstance(raw_status.get(field), list):
            status[field] = [_slim_container_status(s) for s in raw_status[field]]
    out: Obj = {"metadata": _interned(md), "spec": spec, "status": _interned(status)}
    for top in ("apiVersion", "kind"):
        if top in pod:
            out[top] = pod[top]
    return out


def _redact_env(env: Any) -> Any:
    if not isinstance(env, list):
        return env
    out = []
    for e in env:
        if isinstance(e, Mapping) and "value" in e:
            value = str(e.get("value") or "")
            e = {**e, "value": value if value.lower() in FLAG_VALUES else ""}
        out.append(e)
    return out


# ``--db-password=…``, ``--token=…``: flags whose value is a credential by its name.
_SECRET_FLAG = re.compile(
    r"^(--?[\w.-]*(?:token|password|passwd|secret|api[-_]?key|credential)[\w.-]*=).+$", re.I
)


def _redact_args(args: Any) -> Any:
    """Blank the value of credential-named ``--flag=value`` arguments; keep every other
    argument (checks read flags such as ``--enable-network-policy=true``)."""
    if not isinstance(args, list):
        return args
    return [_SECRET_FLAG.sub(r"\1", a) if isinstance(a, str) else a for a in args]


def _redact_container(c: Any) -> Any:
    if not isinstance(c, Mapping):
        return c
    out = dict(c)
    if "env" in out:
        out["env"] = _redact_env(out["env"])
    for field in ("args", "command"):
        if field in out:
            out[field] = _redact_args(out[field])
    return out


def _redact_workload_env(obj: Obj) -> Obj:
    """Blank literal env values and credential-named flag values in a workload's pod
    template: teams put credentials there.

    Names, ``valueFrom`` references and switch-like values stay, which is all checks read.
    Only the path down to the containers is copied, so the input is not mutated."""
    spec = obj.get("spec")
    if not isinstance(spec, Mapping):
        return obj
    path = (
        ("jobTemplate", "spec", "template", "spec")
        if "jobTemplate" in spec
        else ("template", "spec")
    )
    node: Any = spec
    for step in path:
        node = node.get(step) if isinstance(node, Mapping) else None
    if not isinstance(node, Mapping):
        return obj
    pod_spec = dict(node)
    for field in ("containers", "initContainers"):
        if isinstance(pod_spec.get(field), list):
            pod_spec[field] = [_redact_container(c) for c in pod_spec[field]]
    rebuilt: Any = pod_spec
    for depth in range(len(path) - 1, -1, -1):
        parent: Any = spec
        for step in path[:depth]:
            parent = parent[step]
        rebuilt = {**parent, path[depth]: rebuilt}
    return {**obj, "spec": rebuilt}
