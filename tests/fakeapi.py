"""A fake kube-apiserver over real HTTP, for testing clients the way they meet a cluster.

It imitates the responses recorded from a real API server in
``tests/fixtures/k8s-api-samples/`` (see its README): discovery documents, list shape with
``metadata.continue`` / ``remainingItemCount``, the opaque continue token and the 400 for a
garbage one, Status bodies for 401/403/404/410/429/500, the plain-text ``404 page not
found`` for paths nothing serves, and list items without ``kind`` for built-in kinds.

Objects are added as upstream YAML dicts (``apiVersion`` + ``kind``); CRD kinds are served
once a CustomResourceDefinition is added, a ``crds=[...]`` name is given, ``serve_group`` is
called, or an object of an unknown group arrives. Failures and slowness are injected per
path or resource. Lists are pre-serialised lazily per resource, so 20,000 Pods page fast.

Usage::

    with FakeApiServer(upstream(".../alertmanager.yaml"), crds=["schedules.velero.io"]) as srv:
        kubeconfig = srv.kubeconfig(tmp_path)
"""

from __future__ import annotations

import base64
import bisect
import copy
import json
import os
import re
import stat
import sys
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml

from readiness.keys import GATEKEEPER_CONSTRAINTS, KUBE_KINDS

SAMPLES = Path(__file__).parent / "fixtures" / "k8s-api-samples"
TOKEN = "fake-token-for-tests"
CREATED = "2026-11-27T09:32:09Z"
NOT_FOUND_TEXT = b"404 page not found\n"

Obj = dict[str, Any]


@dataclass
class _ResDef:
    plural: str
    kind: str
    namespaced: bool
    builtin: bool = False

    def discovery(self) -> Obj:
        out: Obj = {
            "name": self.plural,
            "singularName": self.kind.lower(),
            "namespaced": self.namespaced,
            "kind": self.kind,
            "verbs": ["delete", "deletecollection", "get", "list", "patch", "create", "update"]
            + ["watch"],
        }
        if not self.builtin:
            out["storageVersionHash"] = "ZmFrZWhhc2g="
        return out


# Built-in groups other than core/apps (whose documents are the recorded samples).
_BUILTIN: dict[str, dict[str, list[tuple[str, str, bool]]]] = {
    "batch": {"v1": [("cronjobs", "CronJob", True), ("jobs", "Job", True)]},
    "networking.k8s.io": {
        "v1": [
            ("ingressclasses", "IngressClass", False),
            ("ingresses", "Ingress", True),
            ("networkpolicies", "NetworkPolicy", True),
        ]
    },
    "rbac.authorization.k8s.io": {
        "v1": [
            ("clusterrolebindings", "ClusterRoleBinding", False),
            ("clusterroles", "ClusterRole", False),
            ("rolebindings", "RoleBinding", True),
            ("roles", "Role", True),
        ]
    },
    "storage.k8s.io": {
        "v1": [
            ("csidrivers", "CSIDriver", False),
            ("csinodes", "CSINode", False),
            ("storageclasses", "StorageClass", False),
            ("volumeattachments", "VolumeAttachment", False),
        ]
    },
    "admissionregistration.k8s.io": {
        "v1": [
            ("mutatingwebhookconfigurations", "MutatingWebhookConfiguration", False),
            ("validatingadmissionpolicies", "ValidatingAdmissionPolicy", False),
            ("validatingadmissionpolicybindings", "ValidatingAdmissionPolicyBinding", False),
            ("validatingwebhookconfigurations", "ValidatingWebhookConfiguration", False),
        ]
    },
    "apiextensions.k8s.io": {
        "v1": [("customresourcedefinitions", "CustomResourceDefinition", False)]
    },
}

# Kinds of the CRDs the checks read, so ``crds=["schedules.velero.io"]`` serves real names.
KNOWN_CRD_KINDS: dict[str, str] = {
    "prometheuses.monitoring.coreos.com": "Prometheus",
    "alertmanagers.monitoring.coreos.com": "Alertmanager",
    "prometheusrules.monitoring.coreos.com": "PrometheusRule",
    "servicemonitors.monitoring.coreos.com": "ServiceMonitor",
    "podmonitors.monitoring.coreos.com": "PodMonitor",
    "alertmanagerconfigs.monitoring.coreos.com": "AlertmanagerConfig",
    "grafanadashboards.grafana.integreatly.org": "GrafanaDashboard",
    "secretproviderclasses.secrets-store.csi.x-k8s.io": "SecretProviderClass",
    "secretproviderclasspodstatuses.secrets-store.csi.x-k8s.io": "SecretProviderClassPodStatus",
    "backups.velero.io": "Backup",
    "restores.velero.io": "Restore",
    "schedules.velero.io": "Schedule",
    "backupstoragelocations.velero.io": "BackupStorageLocation",
    "volumesnapshotlocations.velero.io": "VolumeSnapshotLocation",
    "applications.argoproj.io": "Application",
    "applicationsets.argoproj.io": "ApplicationSet",
    "appprojects.argoproj.io": "AppProject",
    "kustomizations.kustomize.toolkit.fluxcd.io": "Kustomization",
    "helmreleases.helm.toolkit.fluxcd.io": "HelmRelease",
    "gitrepositories.source.toolkit.fluxcd.io": "GitRepository",
    "helmrepositories.source.toolkit.fluxcd.io": "HelmRepository",
    "certificates.cert-manager.io": "Certificate",
    "clusterissuers.cert-manager.io": "ClusterIssuer",
    "constrainttemplates.templates.gatekeeper.sh": "ConstraintTemplate",
    "clusterpolicies.kyverno.io": "ClusterPolicy",
    "policyreports.wgpolicyk8s.io": "PolicyReport",
    "peerauthentications.security.istio.io": "PeerAuthentication",
}
_CLUSTER_SCOPED_CRDS = {"clusterissuers.cert-manager.io"}


def plural_of(kind: str, group: str = "") -> str:
    """Resource name for a kind as CRD authors usually choose it."""
    for key, known in KNOWN_CRD_KINDS.items():
        if known == kind and key.split(".", 1)[1] == group:
            return key.split(".", 1)[0]
    low = kind.lower()
    if group == GATEKEEPER_CONSTRAINTS:  # Gatekeeper: plural = lowercase kind
        return low
    if low.endswith("y") and low[-2:-1] not in "aeiou":
        return low[:-1] + "ies"
    if low.endswith(("s", "x", "ch", "sh")):
        return low + "es"
    return low + "s"


def _version_priority(v: str) -> tuple[int, int, int]:
    """Kubernetes version ordering: GA > beta > alpha, then by number (v1 > v1beta2)."""
    m = re.fullmatch(r"v(\d+)(?:(alpha|beta)(\d+))?", v)
    if not m:
        return (-1, 0, 0)
    stage = {"alpha": 0, "beta": 1, None: 2}[m.group(2)]
    return (stage, int(m.group(1)), int(m.group(3) or 0))


def _status(code: int, reason: str, message: str, details: Obj | None = None) -> bytes:
    body: Obj = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
    }
    if details:
        body["details"] = details
    body["code"] = code
    return json.dumps(body, indent=2).encode()


_EXPIRED = (
    "The provided continue parameter is too old to display a consistent list result. You can "
    "start a new list without the continue parameter, or use the continue token in this "
    "response to retrieve the remainder of the results. Continuing with the provided token "
    "results in an inconsistent list - objects that were created, modified, or deleted between "
    "the time the first chunk was returned and now may show up in the list."
)


# -- label selectors ---------------------------------------------------------------------

_REQ = re.compile(
    r"^\s*(?P<not>!)?\s*(?P<key>[A-Za-z0-9_./-]+)\s*"
    r"(?:(?P<op>==|=|!=)\s*(?P<val>[A-Za-z0-9_.-]*)|\s+(?P<set>in|notin)\s*\((?P<vals>[^)]*)\))?\s*$"
)


def parse_selector(text: str) -> Callable[[Mapping[str, str]], bool]:
    """Equality (=, ==, !=), set (in, notin) and existence (key, !key) requirements."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        depth += ch == "("
        depth -= ch == ")"
        cur += ch
    parts.append(cur)
    preds: list[Callable[[Mapping[str, str]], bool]] = []
    for part in (p for p in parts if p.strip()):
        m = _REQ.match(part)
        if not m or (m.group("not") and (m.group("op") or m.group("set"))):
            raise ValueError(f"unable to parse requirement: {part!r}")
        preds.append(_requirement(m))
    return lambda labels: all(p(labels) for p in preds)


def _requirement(m: re.Match[str]) -> Callable[[Mapping[str, str]], bool]:
    key = m.group("key")
    if m.group("op"):
        val, neg = m.group("val"), m.group("op") == "!="
        return lambda lb: (lb.get(key) != val) if neg else (lb.get(key) == val)
    if m.group("set"):
        vals = {v.strip() for v in m.group("vals").split(",") if v.strip()}
        if m.group("set") == "in":
            return lambda lb: lb.get(key) in vals
        return lambda lb: lb.get(key) not in vals
    if m.group("not"):
        return lambda lb: key not in lb
    return lambda lb: key in lb


# -- the server --------------------------------------------------------------------------


@dataclass
class _Index:
    """Sorted keys and pre-serialised items of one resource (rebuilt after changes)."""

    keys: list[tuple[str, str]]
    objs: list[Obj]
    blobs: list[bytes]


@dataclass
class _Rule:
    match: str
    status: int = 0
    times: int | None = None
    retry_after: int | None = None
    seconds: float = 0.0


@dataclass
class _Req:
    path: str
    query: dict[str, list[str]]
    group: str | None = None
    version: str | None = None
    res: _ResDef | None = None
    namespace: str | None = None
    name: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_list(self) -> bool:
        return self.res is not None and self.name is None


class FakeApiServer:
    """A threaded HTTP server that answers like kube-apiserver (GET only, token auth)."""

    def __init__(
        self,
        objects: Iterable[Mapping[str, Any]] = (),
        *,
        crds: Iterable[str] = (),
        token: str | None = TOKEN,
    ) -> None:
        self.token = token
        self.requests: list[tuple[str, str]] = []
        self._list_log: list[tuple[str, str, str]] = []  # (group, plural, path?query)
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._rv = 1000
        self._served: dict[str, dict[str, dict[str, _ResDef]]] = {}
        self._store: dict[tuple[str, str], dict[tuple[str, str], Obj]] = {}
        self._index: dict[tuple[str, str], _Index] = {}
        self._fail: list[_Rule] = []
        self._delay: list[_Rule] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._load_builtins()
        for name in crds:
            self.add_crd_name(name)
        self.add(*objects)

    # -- setup -----------------------------------------------------------------------

    def _load_builtins(self) -> None:
        self._samples = {
            "/api": (SAMPLES / "api.json").read_bytes(),
            "/api/v1": (SAMPLES / "api-v1.json").read_bytes(),
            "/apis/apps/v1": (SAMPLES / "apis-apps-v1.json").read_bytes(),
            "/version": (SAMPLES / "version.json").read_bytes(),
        }
        for group, path in (("", "/api/v1"), ("apps", "/apis/apps/v1")):
            doc = json.loads(self._samples[path])
            self._served[group] = {
                "v1": {
                    r["name"]: _ResDef(r["name"], r["kind"], r["namespaced"], builtin=True)
                    for r in doc["resources"]
                    if "/" not in r["name"]
                }
            }
        for group, versions in _BUILTIN.items():
            for version, resources in versions.items():
                self.serve_group(group, version, resources, builtin=True)

    def serve_group(
        self,
        group: str,
        version: str,
        resources: Iterable[tuple[str, str, bool]],
        *,
        builtin: bool = False,
    ) -> None:
        """Serve ``group/version`` with ``(resource, kind, namespaced)`` resources."""
        with self._lock:
            gv = self._served.setdefault(group, {}).setdefault(version, {})
            for plural, kind, namespaced in resources:
                gv[plural] = _ResDef(plural, kind, namespaced, builtin=builtin)

    def add_crd_name(self, name: str, version: str | None = None) -> None:
        """Serve a CRD by its name (``schedules.velero.io``) as if it were Established."""
        plural, group = name.split(".", 1)
        known = KUBE_KINDS.get(name)
        version = version or (known.versions[0] if known else "v1")
        kind = KNOWN_CRD_KINDS.get(name) or plural[:-1].capitalize()
        namespaced = known.namespaced if known else name not in _CLUSTER_SCOPED_CRDS
        self.serve_group(group, version, [(plural, kind, namespaced)])

    def _register_crd(self, crd: Mapping[str, Any]) -> None:
        spec = crd.get("spec") or {}
        names = spec.get("names") or {}
        versions = [v["name"] for v in spec.get("versions") or [] if v.get("served", True)]
        for v in versions or [spec.get("version") or "v1"]:
            self.serve_group(
                str(spec["group"]),
                v,
                [(names["plural"], names["kind"], spec.get("scope") == "Namespaced")],
            )

    def _resolve_kind(self, group: str, version: str, kind: str, obj: Mapping[str, Any]) -> _ResDef:
        for versions in (self._served.get(group) or {}).values():
            for r in versions.values():
                if r.kind == kind:
                    return r
        if group == "" or group in _BUILTIN or group == "apps":
            raise ValueError(f"unknown built-in kind {kind} in {group or 'core'}/{version}")
        plural = plural_of(kind, group)
        known = KUBE_KINDS.get(f"{plural}.{group}")
        if known is not None:
            namespaced = known.namespaced
        elif group == GATEKEEPER_CONSTRAINTS:
            namespaced = False
        else:
            namespaced = bool((obj.get("metadata") or {}).get("namespace"))
        self.serve_group(group, version, [(plural, kind, namespaced)])
        return self._served[group][version][plural]

    def add(self, *objects: Mapping[str, Any], deep_copy: bool = True) -> None:
        """Store objects (upstream YAML dicts with apiVersion + kind), as ``kubectl apply``.

        ``deep_copy=False`` copies only the top level and metadata (for big synthetic
        clusters whose objects share sub-structures); the caller must not mutate them.
        """
        with self._lock:
            for raw in objects:
                self._add_one(raw, deep_copy)

    def _add_one(self, raw: Mapping[str, Any], deep_copy: bool = True) -> None:
        api_version, kind = str(raw.get("apiVersion", "")), str(raw.get("kind", ""))
        if not api_version or not kind:
            raise ValueError("objects need apiVersion and kind")
        group, _, version = api_version.rpartition("/")
        if kind == "CustomResourceDefinition" and group == "apiextensions.k8s.io":
            self._register_crd(raw)
        res = self._resolve_kind(group, version, kind, raw)
        obj = copy.deepcopy(dict(raw)) if deep_copy else dict(raw)
        md = obj["metadata"] = dict(obj.get("metadata") or {})
        if res.namespaced:
            md.setdefault("namespace", "default")
        else:
            md.pop("namespace", None)
        self._rv += 1
        ident = f"{group}/{res.plural}/{md.get('namespace', '')}/{md.get('name', '')}"
        md.setdefault("uid", str(uuid.uuid5(uuid.NAMESPACE_URL, ident)))
        md["resourceVersion"] = str(self._rv)
        md.setdefault("creationTimestamp", CREATED)
        if kind == "Secret" and api_version == "v1" and "stringData" in obj:
            data = dict(obj.get("data") or {})
            for k, v in (obj.pop("stringData") or {}).items():
                data[k] = base64.b64encode(str(v).encode()).decode()
            obj["data"] = data
        key = (str(md.get("namespace", "")), str(md["name"]))
        self._store.setdefault((group, res.plural), {})[key] = obj
        self._index.pop((group, res.plural), None)

    def fail(
        self,
        path_or_resource: str,
        status: int,
        times: int | None = None,
        retry_after: int | None = None,
    ) -> None:
        """Answer requests for a path (``/apis``) or resource (``pods``, ``schedules.velero.io``)
        with ``status`` — ``times`` times, or forever when None."""
        with self._lock:
            self._fail.append(_Rule(path_or_resource, status, times, retry_after))

    def delay(self, resource: str, seconds: float) -> None:
        """Wait ``seconds`` before answering requests for a resource or path."""
        with self._lock:
            self._delay.append(_Rule(resource, seconds=seconds))

    def clear_faults(self) -> None:
        with self._lock:
            self._fail.clear()
            self._delay.clear()

    def list_requests(self, resource: str) -> list[str]:
        """``path?query`` of every list (collection GET) of ``resource`` (plural or key)."""
        plural, _, group = resource.partition(".")
        with self._lock:
            return [p for g, r, p in self._list_log if r == plural and (not group or g == group)]

    def warm(self) -> None:
        """Pre-serialise every stored list (benchmarks call this before timing)."""
        with self._lock:
            for key in list(self._store):
                self._get_index(*key)

    # -- lifecycle -------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the server first"
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self) -> FakeApiServer:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeApiServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def kubeconfig(
        self,
        tmp_path: Path,
        context: str = "test",
        cluster_entry: str = "arn:aws:eks:eu-west-1:111122223333:cluster/prod",
        exec_args: list[str] | None = None,
    ) -> Path:
        """Write a kubeconfig pointing at this server (bearer token, or an exec plugin that
        prints the token when ``exec_args`` is given, as ``aws eks get-token`` would)."""
        user: Obj = {"token": self.token or ""}
        if exec_args is not None:
            plugin = tmp_path / "fake-get-token"
            cred = {
                "apiVersion": "client.authentication.k8s.io/v1beta1",
                "kind": "ExecCredential",
                "status": {"token": self.token or ""},
            }
            plugin.write_text(f"#!{sys.executable}\nprint({json.dumps(json.dumps(cred))})\n")
            plugin.chmod(plugin.stat().st_mode | stat.S_IXUSR)
            user = {
                "exec": {
                    "apiVersion": "client.authentication.k8s.io/v1beta1",
                    "command": str(plugin),
                    "args": list(exec_args),
                    "interactiveMode": "Never",
                }
            }
        doc = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": cluster_entry, "cluster": {"server": self.url}}],
            "users": [{"name": f"{context}-user", "user": user}],
            "contexts": [
                {"name": context, "context": {"cluster": cluster_entry, "user": f"{context}-user"}}
            ],
            "current-context": context,
        }
        path = tmp_path / f"kubeconfig-{context}"
        path.write_text(yaml.safe_dump(doc))
        os.chmod(path, 0o600)
        return path

    # -- request handling ------------------------------------------------------------

    def _route(self, path: str, query: dict[str, list[str]]) -> _Req | None:
        """Parse an API path; None when nothing serves it (plain-text 404)."""
        req = _Req(path, query)
        parts = [p for p in path.split("/") if p]
        if parts[:2] == ["api", "v1"]:
            req.group, req.version, rest = "", "v1", parts[2:]
        elif parts[:1] == ["apis"] and len(parts) >= 3:
            req.group, req.version, rest = parts[1], parts[2], parts[3:]
        else:
            return None
        resources = (self._served.get(req.group) or {}).get(req.version)
        if resources is None:
            return None
        if not rest:
            return req
        if rest[0] == "namespaces" and len(rest) >= 3:
            req.namespace, rest = rest[1], rest[2:]
        res = resources.get(rest[0])
        if res is None or len(rest) > 2:
            return None
        if req.namespace is not None and not res.namespaced:
            return None
        req.res = res
        if len(rest) == 2:
            req.name = rest[1]
            if res.namespaced and req.namespace is None:
                return None
        return req

    def _matches(self, rule: _Rule, req: _Req | None, path: str) -> bool:
        if rule.match.startswith("/"):
            return rule.match == path
        if req is None or req.res is None:
            return False
        plural, _, group = rule.match.partition(".")
        return plural == req.res.plural and (not group or group == req.group)

    def _fault(self, req: _Req | None, path: str) -> tuple[_Rule | None, float]:
        with self._lock:
            wait = sum(r.seconds for r in self._delay if self._matches(r, req, path))
            for rule in self._fail:
                if rule.times != 0 and self._matches(rule, req, path):
                    if rule.times is not None:
                        rule.times -= 1
                    return rule, wait
        return None, wait

    def handle(self, method: str, raw_path: str, headers: Mapping[str, str]) -> _Response:
        parts = urlsplit(raw_path)
        path, query = parts.path.rstrip("/") or "/", parse_qs(parts.query)
        with self._lock:
            self.requests.append((method, raw_path))
            req = self._route(path, query)
            if req is not None and req.is_list and req.res is not None:
                self._list_log.append((req.group or "", req.res.plural, raw_path))
        if self.token is not None and headers.get("Authorization") != f"Bearer {self.token}":
            return _Response(401, (SAMPLES / "unauth-401.json").read_bytes())
        rule, wait = self._fault(req, path)
        if wait:
            self._stop.wait(wait)
        if rule is not None:
            return self._injected(rule, req)
        if method != "GET":
            msg = f"the server does not allow this method on the requested resource ({method})"
            return _Response(405, _status(405, "MethodNotAllowed", msg))
        return self._get(path, req)

    def _injected(self, rule: _Rule, req: _Req | None) -> _Response:
        code = rule.status
        plural = req.res.plural if req and req.res else "resource"
        group = req.group if req and req.group is not None else ""
        headers: dict[str, str] = {}
        if code == 404:
            return _Response(404, NOT_FOUND_TEXT, "text/plain; charset=utf-8")
        if code == 401:
            return _Response(401, (SAMPLES / "unauth-401.json").read_bytes())
        if code == 403:
            verb = "list" if req is None or req.is_list else "get"
            scope = (
                f'in the namespace "{req.namespace}"'
                if req and req.namespace
                else "at the cluster scope"
            )
            msg = (
                f'{plural} is forbidden: User "reader" cannot {verb} resource "{plural}" '
                f'in API group "{group}" {scope}'
            )
            details: Obj = {"kind": plural}
            if group:
                details["group"] = group
            if req is not None and req.name:
                details["name"] = req.name
            return _Response(403, _status(403, "Forbidden", msg, details))
        if code == 410:
            return _Response(410, _status(410, "Expired", _EXPIRED))
        if code == 429:
            retry = rule.retry_after if rule.retry_after is not None else 1
            headers["Retry-After"] = str(retry)
            body = _status(
                429,
                "TooManyRequests",
                "Too many requests, please try again later.",
                {"retryAfterSeconds": retry},
            )
            return _Response(429, body, headers=headers)
        if rule.retry_after is not None:
            headers["Retry-After"] = str(rule.retry_after)
        reasons = {400: "BadRequest", 500: "InternalError", 503: "ServiceUnavailable"}
        reason = reasons.get(code, "InternalError")
        msg = "Internal error occurred: injected failure" if code == 500 else "injected failure"
        return _Response(code, _status(code, reason, msg), headers=headers)

    def _get(self, path: str, req: _Req | None) -> _Response:
        if path in ("/api", "/version", "/api/v1", "/apis/apps/v1"):
            return _Response(200, self._samples[path])
        if path == "/apis":
            return _Response(200, self._group_list())
        if path.startswith("/apis/") and path.count("/") == 2:
            return self._group(path.split("/")[2])
        if req is None:
            return _Response(404, NOT_FOUND_TEXT, "text/plain; charset=utf-8")
        if req.res is None:
            return _Response(200, self._resource_list(req.group or "", req.version or ""))
        if req.name is None:
            return self._list(req)
        return self._get_one(req)

    def _versions(self, group: str) -> list[str]:
        return sorted(self._served.get(group) or {}, key=_version_priority, reverse=True)

    def _group_doc(self, group: str) -> Obj:
        versions = [{"groupVersion": f"{group}/{v}", "version": v} for v in self._versions(group)]
        return {"name": group, "versions": versions, "preferredVersion": versions[0]}

    def _group_list(self) -> bytes:
        with self._lock:
            groups = [self._group_doc(g) for g in self._served if g]
        return json.dumps({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}).encode()

    def _group(self, group: str) -> _Response:
        with self._lock:
            if group not in self._served or not group:
                return _Response(404, NOT_FOUND_TEXT, "text/plain; charset=utf-8")
            doc = {"kind": "APIGroup", "apiVersion": "v1", **self._group_doc(group)}
        return _Response(200, json.dumps(doc).encode())

    def _resource_list(self, group: str, version: str) -> bytes:
        with self._lock:
            resources = self._served[group][version]
            doc = {
                "kind": "APIResourceList",
                "apiVersion": "v1",
                "groupVersion": f"{group}/{version}" if group else version,
                "resources": [r.discovery() for _, r in sorted(resources.items())],
            }
        return json.dumps(doc, indent=2).encode()

    def _served_form(self, obj: Obj, res: _ResDef) -> Obj:
        """List items of built-in kinds carry no apiVersion/kind; custom resources do."""
        if res.builtin:
            return {k: v for k, v in obj.items() if k not in ("apiVersion", "kind")}
        return obj

    def _get_index(self, group: str, plural: str) -> _Index:
        idx = self._index.get((group, plural))
        if idx is None:
            res = self._res_def(group, plural)
            store = self._store.get((group, plural), {})
            keys = sorted(store)
            objs = [store[k] for k in keys]
            blobs = [
                json.dumps(self._served_form(o, res), separators=(",", ":")).encode() for o in objs
            ]
            idx = _Index(keys, objs, blobs)
            self._index[(group, plural)] = idx
        return idx

    def _res_def(self, group: str, plural: str) -> _ResDef:
        for versions in self._served.get(group, {}).values():
            if plural in versions:
                return versions[plural]
        raise KeyError(plural)

    def _list(self, req: _Req) -> _Response:
        assert req.res is not None and req.group is not None
        res, q = req.res, req.query
        with self._lock:
            idx = self._get_index(req.group, res.plural)
            rv = self._rv
        lo, hi = 0, len(idx.keys)
        if req.namespace is not None:
            lo = bisect.bisect_left(idx.keys, (req.namespace, ""))
            hi = bisect.bisect_left(idx.keys, (req.namespace + "\x00", ""))
        token = (q.get("continue") or [""])[0]
        if token:
            start = _decode_token(token)
            if start is None:
                return _Response(400, (SAMPLES / "list-bad-continue.json").read_bytes())
            lo = max(lo, bisect.bisect_left(idx.keys, start))
        try:
            pred = self._predicate(q)
        except ValueError as exc:
            return _Response(400, _status(400, "BadRequest", str(exc)))
        limit = _int((q.get("limit") or ["0"])[0])
        chosen: list[int] = []
        i = lo
        while i < hi and (not limit or len(chosen) < limit):
            if pred is None or pred(idx.objs[i]):
                chosen.append(i)
            i += 1
        more = i < hi and (pred is None or any(pred(idx.objs[j]) for j in range(i, hi)))
        meta: Obj = {"resourceVersion": str(rv)}
        if more and chosen:
            last = idx.keys[chosen[-1]]
            meta["continue"] = _encode_token(rv, last)
            if pred is None:
                meta["remainingItemCount"] = hi - i
        group_version = f"{req.group}/{req.version}" if req.group else "v1"
        head = json.dumps(
            {"kind": f"{res.kind}List", "apiVersion": group_version, "metadata": meta}
        ).encode()
        body = b"".join([head[:-1], b',"items":[', b",".join(idx.blobs[j] for j in chosen), b"]}"])
        return _Response(200, body)

    def _predicate(self, q: Mapping[str, list[str]]) -> Callable[[Obj], bool] | None:
        preds: list[Callable[[Obj], bool]] = []
        sel = (q.get("labelSelector") or [""])[0]
        if sel:
            match = parse_selector(sel)
            preds.append(lambda o: match((o.get("metadata") or {}).get("labels") or {}))
        fsel = (q.get("fieldSelector") or [""])[0]
        if fsel:
            for part in fsel.split(","):
                m = re.fullmatch(r"(metadata\.name|metadata\.namespace)\s*(==|=|!=)\s*(.*)", part)
                if not m:
                    raise ValueError(f'field label not supported: "{part.split("=")[0]}"')
                field_name, op, val = m.group(1).split(".")[1], m.group(2), m.group(3)

                def fp(o: Obj, f: str = field_name, v: str = val, neg: bool = op == "!=") -> bool:
                    return ((o.get("metadata") or {}).get(f) == v) != neg

                preds.append(fp)
        if not preds:
            return None
        return lambda o: all(p(o) for p in preds)

    def _get_one(self, req: _Req) -> _Response:
        assert req.res is not None and req.group is not None and req.name is not None
        with self._lock:
            obj = self._store.get((req.group, req.res.plural), {}).get(
                (req.namespace or "", req.name)
            )
        if obj is None:
            msg = f'{req.res.plural} "{req.name}" not found'
            details = {"name": req.name, "kind": req.res.plural}
            if req.group:
                details["group"] = req.group
            return _Response(404, _status(404, "NotFound", msg, details))
        out = dict(obj)
        out.setdefault("apiVersion", f"{req.group}/{req.version}" if req.group else "v1")
        out.setdefault("kind", req.res.kind)
        return _Response(200, json.dumps(out).encode())


def _int(text: str) -> int:
    try:
        return max(0, int(text))
    except ValueError:
        return 0


def _encode_token(rv: int, last: tuple[str, str]) -> str:
    start = f"{last[0]}/{last[1]}\x00" if last[0] else f"{last[1]}\x00"
    raw = json.dumps({"v": "meta.k8s.io/v1", "rv": rv, "start": start}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_token(token: str) -> tuple[str, str] | None:
    """Position after the last item of the previous page, or None for a garbage token."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        doc = json.loads(raw)
        start = str(doc["start"])
    except (ValueError, KeyError, TypeError):
        return None
    if not start.endswith("\x00") or doc.get("v") != "meta.k8s.io/v1":
        return None
    ns, _, name = start[:-1].rpartition("/")
    return (ns, name + "\x00")


@dataclass
class _Response:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 10  # reap idle keep-alive connections
    fake: FakeApiServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib name
        pass

    def _answer(self) -> None:
        resp = self.fake.handle(self.command, self.path, self.headers)  # type: ignore[arg-type]
        if self.command != "GET":  # the body was not read: do not reuse the connection
            self.close_connection = True
        try:
            self.send_response(resp.status)
            self.send_header("Audit-Id", str(uuid.uuid4()))
            self.send_header("Cache-Control", "no-cache, private")
            self.send_header("Content-Type", resp.content_type)
            if resp.status >= 400 and resp.content_type.startswith("text/"):
                self.send_header("X-Content-Type-Options", "nosniff")
            for k, v in resp.headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(resp.body)))
            self.end_headers()
            self.wfile.write(resp.body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = _answer
    do_POST = _answer
    do_PUT = _answer
    do_PATCH = _answer
    do_DELETE = _answer
