"""Live Kubernetes collector: discovery, then ONE paginated, cluster-wide list per kind.

Why this shape (see DESIGN.md "Performance bar"): per-namespace lists cost thousands of
requests on a big cluster, and deserialising into the client's model classes costs 2× the
time and memory of raw JSON. So every served kind is listed once with ``limit`` +
``continue``, all kinds concurrently, each page read as raw JSON with the official client's
transport (auth, TLS, exec plugins, proxies) and slimmed on arrival (``slim.py``).

Failures stay per key: a 403 on one kind makes that key ``unavailable`` naming the missing
permission, an unserved API group makes it ``not_installed``, and the run goes on. Only
"cannot connect at all" raises (:class:`ClusterUnreachable`).
"""

from __future__ import annotations

import gc
import json
import logging
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import urllib3
import yaml
from kubernetes import config as kube_config
from kubernetes.client import ApiClient, Configuration
from kubernetes.client import rest as kube_rest
from kubernetes.client.exceptions import ApiException
from kubernetes.config.config_exception import ConfigException
from urllib3.util.retry import Retry

from readiness.collect import ClusterUnreachable, ConfigError, NullProgress, Progress
from readiness.collect import alertmanager as am
from readiness.collect.slim import slim
from readiness.keys import GATEKEEPER_CONSTRAINTS, KUBE_FACTS, KUBE_KINDS, KubeKind
from readiness.snapshot import (
    OK,
    UNAVAILABLE,
    Entry,
    not_installed,
    ok,
    unavailable,
)

ALERTMANAGER_RECEIVERS = "kube:alertmanager-receivers"
ALERTMANAGERS = "alertmanagers.monitoring.coreos.com"
VERSION = "kube:version"
RETRY_STATUSES = (429, 500, 502, 503, 504)
# A TCP connect either happens within seconds or the address is black-holed; and the first
# discovery GET is a few KiB, so a server that has not answered it in 10 s is not going to.
# Both bound how long an unreachable cluster takes to report (retries included, ~30-40 s)
# instead of the full read timeout per attempt (90-120 s).
CONNECT_TIMEOUT = 10.0
PROBE_TIMEOUT = 10.0
BACKOFF_FACTOR = 0.2  # seconds; doubles per retry (0, 0.4, 0.8, 1.6). Tests lower it.
RawHook = Callable[[dict[str, Any]], list[dict[str, Any]]]


# -- connection --------------------------------------------------------------------------


@dataclass
class KubeTarget:
    """The resolved connection, so the CLI can show it and the AWS side can read the cluster
    name (from ``exec_args`` ``--cluster-name`` or an EKS ARN in ``cluster_entry``)."""

    context: str | None
    server: str | None
    exec_args: list[str] = field(default_factory=list)
    cluster_entry: str | None = None


def retry_policy() -> Retry:
    """Bounded exponential backoff for GETs on throttling, 5xx and network blips.

    Retry-After (429/503) is honoured but capped so a hostile value cannot hang a run.
    ``raise_on_status=False`` hands the last response back so we can report its status.
    """
    return Retry(
        total=4,
        connect=3,
        read=2,
        status=4,
        other=0,
        backoff_factor=BACKOFF_FACTOR,
        backoff_max=5.0,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"GET"}),
        raise_on_status=False,
        respect_retry_after_header=True,
        retry_after_max=30,
    )


def configure(cfg: Configuration, workers: int = 8) -> Configuration:
    """Set our retry policy and a connection pool large enough for concurrent lists."""
    cfg.retries = retry_policy()
    cfg.connection_pool_maxsize = max(cfg.connection_pool_maxsize or 0, workers * 2, 16)
    return cfg


def _kubeconfig_paths(kubeconfig: str | None) -> tuple[str, list[Path]]:
    spec = kubeconfig or os.environ.get("KUBECONFIG") or "~/.kube/config"
    paths = [Path(p).expanduser() for p in spec.split(os.pathsep) if p]
    return spec, [p for p in paths if p.is_file()]


def _read_kubeconfigs(paths: list[Path]) -> dict[str, Any]:
    """Merge kubeconfig files like kubectl: first file wins per name and current-context."""
    merged: dict[str, Any] = {"clusters": {}, "contexts": {}, "users": {}, "current": None}
    for path in paths:
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, yaml.YAMLError) as exc:  # ValueError: not UTF-8, bad date
            line = getattr(getattr(exc, "problem_mark", None), "line", None)
            where = f" (line {line + 1})" if line is not None else ""
            raise ConfigError(
                f"kubeconfig {path} cannot be read{where}; fix the file or point "
                "--kubeconfig/KUBECONFIG at a valid one"
            ) from None
        if not isinstance(doc, Mapping):
            raise ConfigError(
                f"kubeconfig {path} is empty or not a mapping; run "
                "`aws eks update-kubeconfig --name <cluster>` to write one"
            )
        for section in ("clusters", "contexts", "users"):
            for item in doc.get(section) or []:
                if isinstance(item, Mapping) and item.get("name") is not None:
                    merged[section].setdefault(str(item["name"]), item.get(section[:-1]) or {})
        if merged["current"] is None and doc.get("current-context"):
            merged["current"] = str(doc["current-context"])
    return merged


class _Collecting(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _root_log_errors() -> Iterator[list[str]]:
    """Collect what the kubernetes client logs on the root logger while loading a kubeconfig.

    A failing exec plugin (``aws`` not installed, ``aws eks get-token`` failing) is only
    *logged* there and loading goes on without credentials. Logging on an unconfigured root
    logger also configures it, which then prints every urllib3 retry warning. Holding a
    handler on the root logger prevents both, and lets us report the failure ourselves."""
    handler = _Collecting()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler.messages
    finally:
        root.removeHandler(handler)


def _first_line(value: object, limit: int = 300) -> str:
    text = str(value).strip()
    return text.splitlines()[0][:limit] if text else type(value).__name__


def _exec_failed(context: str, exec_cfg: Mapping[str, Any], message: str) -> str:
    command = " ".join(str(w) for w in [exec_cfg.get("command"), *(exec_cfg.get("args") or [])])
    return (
        f"the credential plugin of context {context!r} failed ({_first_line(message)}); "
        f"run `{command}` to see why (is the AWS CLI installed and logged in?)"
    )


def _in_cluster() -> tuple[KubeTarget, ApiClient]:
    cfg = Configuration()
    try:
        kube_config.load_incluster_config(client_configuration=cfg)
    except ConfigException as exc:
        raise ConfigError(f"in-cluster configuration failed: {exc}") from None
    configure(cfg)
    return KubeTarget(None, cfg.host, [], None), ApiClient(cfg)


def load_target(
    context: str | None = None, kubeconfig: str | None = None
) -> tuple[KubeTarget, ApiClient]:
    """Resolve kubeconfig + context (or in-cluster config) into a target and an API client.

    Raises :class:`ConfigError` with a one-line "what to do" message when the kubeconfig is
    missing or broken or the context is unknown.
    """
    spec, paths = _kubeconfig_paths(kubeconfig)
    if not paths:
        if kubeconfig is None and os.environ.get("KUBERNETES_SERVICE_HOST"):
            return _in_cluster()
        raise ConfigError(
            f"no kubeconfig found at {spec}; run `aws eks update-kubeconfig --name <cluster>`, "
            "set KUBECONFIG or pass --kubeconfig"
        )
    merged = _read_kubeconfigs(paths)
    name = context or merged["current"]
    if not name:
        raise ConfigError(f"kubeconfig {spec} has no current-context; pass --context NAME")
    ctx = merged["contexts"].get(name)
    if ctx is None:
        known = ", ".join(sorted(merged["contexts"])) or "none"
        raise ConfigError(
            f"context {name!r} not found in {spec} (available: {known}); "
            "see `kubectl config get-contexts`"
        )
    cluster_entry = ctx.get("cluster")
    cluster = merged["clusters"].get(cluster_entry) or {}
    user = merged["users"].get(ctx.get("user")) or {}
    exec_cfg = user.get("exec") if isinstance(user, Mapping) else None
    exec_args = [str(a) for a in (exec_cfg or {}).get("args") or []]
    cfg = Configuration()
    try:
        with _root_log_errors() as logged:
            kube_config.load_kube_config(
                config_file=os.pathsep.join(str(p) for p in paths),
                context=name,
                client_configuration=cfg,
                persist_config=False,
            )
    except (ConfigException, OSError, ValueError, KeyError, TypeError) as exc:
        raise ConfigError(
            f"cannot load context {name!r} from {spec}: {_first_line(exc)}; check the "
            "cluster/user entries (and that the exec plugin, e.g. `aws eks get-token`, works)"
        ) from None
    if exec_cfg and logged:
        raise ConfigError(_exec_failed(name, exec_cfg, logged[0]))
    configure(cfg)
    target = KubeTarget(
        context=name,
        server=cluster.get("server") or cfg.host,
        exec_args=exec_args,
        cluster_entry=str(cluster_entry) if cluster_entry is not None else None,
    )
    return target, ApiClient(cfg)


# -- HTTP --------------------------------------------------------------------------------


@dataclass
class _Resp:
    status: int
    reason: str
    data: bytes

    def status_body(self) -> dict[str, Any]:
        """The Kubernetes Status object of an error response ({} when plain text)."""
        try:
            doc = json.loads(self.data)
        except ValueError:
            return {}
        return doc if isinstance(doc, dict) and doc.get("kind") == "Status" else {}


class _TransportError(Exception):
    """No HTTP response at all (refused, DNS, TLS, timeout) after retries."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


def _why(exc: BaseException) -> str:
    """A short human reason for a transport failure."""
    inner: BaseException = exc
    if isinstance(exc, urllib3.exceptions.MaxRetryError) and exc.reason is not None:
        inner = exc.reason
    if isinstance(inner, urllib3.exceptions.NameResolutionError):
        return "host name does not resolve"
    text = str(inner)
    m = re.search(r"\[Errno -?\d+\] ([^'\")]+)", text)
    if m:  # NewConnectionError: refused, unreachable network …
        return m.group(1).strip().lower()
    if isinstance(inner, urllib3.exceptions.ConnectTimeoutError):
        return "connection timed out"
    if isinstance(inner, urllib3.exceptions.ReadTimeoutError | TimeoutError):
        return "timed out waiting for the response"
    return text.splitlines()[0][:200] if text else type(inner).__name__


def _get(api: ApiClient, path: str, query: list[tuple[str, str]] | None, timeout: float) -> _Resp:
    """GET ``path`` returning the raw body; never deserialises into model classes."""
    method, url, headers, body, post = api.param_serialize(
        "GET",
        path,
        query_params=query or None,
        header_params={"Accept": "application/json"},
        auth_settings=["BearerToken"],
    )
    try:
        limits = (min(CONNECT_TIMEOUT, timeout), timeout)
        r = api.call_api(method, url, headers, body, post, _request_timeout=limits)
        data = r.read()
    except urllib3.exceptions.HTTPError as exc:
        raise _TransportError(_why(exc)) from None
    except ApiException as exc:  # the client maps TLS errors to status 0
        raise _TransportError(str(exc.reason).splitlines()[0]) from None
    except OSError as exc:
        raise _TransportError(_why(exc)) from None
    return _Resp(int(r.status), str(r.reason or ""), data or b"")


def _failure(resp: _Resp, key: str, permission: str, what: str) -> Entry:
    """Map a non-2xx response to the entry the report shows (always naming the permission)."""
    body = resp.status_body()
    message = body.get("message")
    if resp.status == 401:
        return unavailable(
            f"unauthorized: {permission} (credentials rejected; refresh your token)", permission
        )
    if resp.status == 403:
        detail = f" ({message})" if message else ""
        return unavailable(f"forbidden: {permission}{detail}", permission)
    if resp.status == 404:
        return not_installed(f"{key} is not served (404 on {what}; was its CRD removed?)")
    reason = body.get("reason") or resp.reason or "error"
    retried = " after retries" if resp.status in RETRY_STATUSES else ""
    return unavailable(f"{resp.status} {reason} {what} {key}{retried}", permission)


# -- discovery ---------------------------------------------------------------------------

Resources = dict[str, tuple[str, bool]]  # plural -> (kind, namespaced)


def _resources(doc: Any) -> Resources:
    out: Resources = {}
    for r in (doc or {}).get("resources") or []:
        name = str(r.get("name", ""))
        if name and "/" not in name:  # skip subresources such as pods/status
            out[name] = (str(r.get("kind", "")), bool(r.get("namespaced")))
    return out


def _not_served_reason(group: str, what: str | None = None) -> str:
    crd = "." in group and not group.endswith("k8s.io")
    suffix = " (CRD not installed)" if crd else ""
    if what:
        return f"{what} is not served by {group or 'the core API'}{suffix}"
    return f"{group} is not served{suffix}"


@dataclass
class _Discovery:
    """What the server serves, learnt with as few GETs as possible."""

    core: Resources | None = None
    groups: dict[str, list[str]] = field(default_factory=dict)  # group -> versions, preferred 1st
    group_versions: dict[tuple[str, str], Resources] = field(default_factory=dict)
    # A failure that applies to every key of a group ("" = core, "*" = all groups).
    failures: dict[str, Callable[[str, str], Entry]] = field(default_factory=dict)

    def failure_for(self, group: str) -> Callable[[str, str], Entry] | None:
        return self.failures.get("*") or self.failures.get(group)


def _failure_factory(resp: _Resp | None, why: str, what: str) -> Callable[[str, str], Entry]:
    def make(key: str, permission: str) -> Entry:
        if resp is not None and resp.status in (401, 403):
            return _failure(resp, key, permission, what)
        return unavailable(f"{why} ({what}); {key} not listed", permission)

    return make


# -- the collector -----------------------------------------------------------------------


class _Collector:
    def __init__(
        self,
        api: ApiClient,
        progress: Progress,
        workers: int,
        page_limit: int,
        timeout: float,
    ) -> None:
        self.api = api
        self.progress = progress
        self.workers = max(1, workers)
        self.page_limit = max(1, page_limit)
        self.timeout = timeout
        self.disc = _Discovery()
        self._lock = threading.Lock()

    def get(
        self,
        path: str,
        query: list[tuple[str, str]] | None = None,
        timeout: float | None = None,
    ) -> _Resp:
        return _get(self.api, path, query, timeout or self.timeout)

    # discovery ---------------------------------------------------------------------

    def discover(self, pool: ThreadPoolExecutor, groups: set[str], kinds: list[KubeKind]) -> None:
        host = self.api.configuration.host
        try:
            core = self.get("/api/v1", timeout=min(self.timeout, PROBE_TIMEOUT))
        except _TransportError as exc:
            raise ClusterUnreachable(
                f"cannot reach the Kubernetes API at {host}: {exc.why}; check the context, "
                "VPN/network and that the cluster exists"
            ) from None
        if core.status == 401:
            self.disc.failures["*"] = _failure_factory(core, "", "discovery")
            return
        if core.status == 200:
            self.disc.core = _resources(json.loads(core.data))
        else:
            self.disc.failures[""] = _failure_factory(
                core, f"discovery failed: {core.status} {core.reason}", "GET /api/v1"
            )
        named = {g for g in groups if g}
        if not named:
            return
        self._discover_groups(pool, named, kinds)

    def _discover_groups(
        self, pool: ThreadPoolExecutor, named: set[str], kinds: list[KubeKind]
    ) -> None:
        resp: _Resp | None = None
        try:
            resp = self.get("/apis")
            why = f"{resp.status} {resp.reason}"
        except _TransportError as exc:
            why = exc.why
        if resp is None or resp.status != 200:
            for g in named:
                self.disc.failures[g] = _failure_factory(
                    resp, f"discovery failed: {why}", "GET /apis"
                )
            return
        for grp in json.loads(resp.data).get("groups") or []:
            versions = [str(v.get("version")) for v in grp.get("versions") or []]
            preferred = (grp.get("preferredVersion") or {}).get("version")
            if preferred in versions:
                versions.remove(preferred)
                versions.insert(0, preferred)
            self.disc.groups[str(grp.get("name"))] = versions
        wanted: set[tuple[str, str]] = set()
        for k in kinds:
            served = self.disc.groups.get(k.group, [])
            wanted.update((k.group, v) for v in k.versions if v in served)
        if GATEKEEPER_CONSTRAINTS in named and self.disc.groups.get(GATEKEEPER_CONSTRAINTS):
            wanted.add((GATEKEEPER_CONSTRAINTS, self.disc.groups[GATEKEEPER_CONSTRAINTS][0]))
        for gv, result in zip(wanted, pool.map(self._group_version, wanted), strict=True):
            if isinstance(result, dict):
                self.disc.group_versions[gv] = result
            elif result is not None:
                self.disc.failures.setdefault(gv[0], result)

    def _group_version(self, gv: tuple[str, str]) -> Resources | Callable[[str, str], Entry] | None:
        path = f"/apis/{gv[0]}/{gv[1]}"
        try:
            resp = self.get(path)
        except _TransportError as exc:
            return _failure_factory(None, f"discovery failed: {exc.why}", f"GET {path}")
        if resp.status == 404:  # the group went away between /apis and now
            return None
        if resp.status != 200:
            why = f"discovery failed: {resp.status} {resp.reason}"
            return _failure_factory(resp, why, f"GET {path}")
        return _resources(json.loads(resp.data))

    def resolve(self, kind: KubeKind) -> tuple[str, str] | Entry:
        """The list path of ``kind`` and its kind name, or the entry saying why not."""
        fail = self.disc.failure_for(kind.group)
        if kind.group == "":
            if self.disc.core is None:
                assert fail is not None
                return fail(kind.key, kind.permission)
            if kind.resource in self.disc.core:
                return f"/api/v1/{kind.resource}", self.disc.core[kind.resource][0]
            return not_installed(_not_served_reason("", kind.key))
        if kind.group not in self.disc.groups:
            if fail is not None:
                return fail(kind.key, kind.permission)
            return not_installed(_not_served_reason(kind.group))
        for v in kind.versions:
            res = self.disc.group_versions.get((kind.group, v))
            if res and kind.resource in res:
                return f"/apis/{kind.group}/{v}/{kind.resource}", res[kind.resource][0]
        if fail is not None:
            return fail(kind.key, kind.permission)
        return not_installed(_not_served_reason(kind.group, kind.key))

    # lists -------------------------------------------------------------------------

    def list_all(
        self,
        key: str,
        path: str,
        permission: str,
        label: str | None = None,
        hook: RawHook | None = None,
    ) -> tuple[Entry, list[dict[str, Any]]]:
        """Page through one kind cluster-wide; restart once on 410 Gone (expired token).

        ``hook`` sees each raw item before slimming (to reduce Alertmanager configs held
        in ConfigMaps); its outputs are returned beside the entry.
        """
        name = label or key
        for attempt in (1, 2):
            entry, extra, expired = self._pages(key, path, permission, name, hook)
            if not expired:
                return entry, extra
            if attempt == 2:
                break
        reason = f"410 Expired listing {name}: continue token expired twice"
        return unavailable(reason, permission), []

    def _pages(
        self, key: str, path: str, permission: str, name: str, hook: RawHook | None
    ) -> tuple[Entry, list[dict[str, Any]], bool]:
        items: list[dict[str, Any]] = []
        extra: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            query = [("limit", str(self.page_limit))]
            if token:
                query.append(("continue", token))
            try:
                resp = self.get(path, query)
            except _TransportError as exc:
                return unavailable(f"{exc.why} listing {name}", permission), [], False
            if resp.status == 410:
                return unavailable("expired", permission), [], True
            if resp.status != 200:
                return _failure(resp, name, permission, "listing"), [], False
            try:
                doc = json.loads(resp.data)
            except ValueError:
                return unavailable(f"invalid JSON listing {name}", permission), [], False
            del resp
            page = doc.get("items") or []
            for raw in page:
                if hook is not None:
                    extra.extend(hook(raw))
                items.append(slim(key, raw))
            self.progress.page(key, len(page))
            token = (doc.get("metadata") or {}).get("continue") or None
            del doc, page
            if not token:
                return ok(items), extra, False

    def kind(self, kind: KubeKind, hook: RawHook | None = None) -> tuple[Entry, list[Any]]:
        self.progress.begin(kind.key)
        target = self.resolve(kind)
        extra: list[Any] = []
        if isinstance(target, Entry):
            entry = target
        else:
            entry, extra = self.list_all(kind.key, target[0], kind.permission, hook=hook)
        self.progress.end(kind.key, entry.state)
        return entry, extra

    # facts -------------------------------------------------------------------------

    def version(self) -> Entry:
        perm = KUBE_FACTS[VERSION].permission
        self.progress.begin(VERSION)
        try:
            resp = self.get("/version")
        except _TransportError as exc:
            entry = unavailable(f"{exc.why} on GET /version", perm)
        else:
            if resp.status == 200:
                entry = ok(json.loads(resp.data))
            else:
                entry = _failure(resp, VERSION, perm, "getting")
        self.progress.end(VERSION, entry.state)
        return entry

    def gatekeeper(self) -> Entry:
        key = GATEKEEPER_CONSTRAINTS
        perm = KUBE_FACTS[key].permission
        self.progress.begin(key)
        entry = self._gatekeeper(key, perm)
        self.progress.end(key, entry.state)
        return entry

    def _gatekeeper(self, key: str, perm: str) -> Entry:
        versions = self.disc.groups.get(key)
        fail = self.disc.failure_for(key)
        if not versions:
            if fail is not None:
                return fail(key, perm)
            return not_installed(f"{key} is not served (Gatekeeper not installed)")
        resources = self.disc.group_versions.get((key, versions[0]))
        if resources is None:
            return fail(key, perm) if fail else not_installed(_not_served_reason(key))
        merged: list[dict[str, Any]] = []
        for plural, (kind, _ns) in sorted(resources.items()):
            path = f"/apis/{key}/{versions[0]}/{plural}"
            entry, _ = self.list_all(key, path, perm, label=f"{plural}.{key}")
            if entry.state == UNAVAILABLE:
                return entry
            for item in entry.value or []:
                item.setdefault("kind", kind)  # list items carry no kind; checks need it
                merged.append(item)
        return ok(merged)

    def alertmanager_receivers(
        self, results: Mapping[str, Entry], from_configmaps: list[dict[str, Any]]
    ) -> Entry:
        key = ALERTMANAGER_RECEIVERS
        self.progress.begin(key)
        entry = self._alertmanager_receivers(results, from_configmaps)
        self.progress.end(key, entry.state)
        return entry

    def _alertmanager_receivers(
        self, results: Mapping[str, Entry], from_configmaps: list[dict[str, Any]]
    ) -> Entry:
        ams, cms = results[ALERTMANAGERS], results["configmaps"]
        for dep in (ams, cms):
            if dep.state == UNAVAILABLE:
                return unavailable(
                    f"cannot read Alertmanager configs: {dep.reason}", dep.permission
                )
        items: list[dict[str, Any]] = []
        for obj in ams.value or [] if ams.state == OK else []:
            item = self._from_secret(obj)
            if isinstance(item, Entry):
                return item
            items.append(item)
        return ok(items + from_configmaps)

    def _from_secret(self, obj: Mapping[str, Any]) -> dict[str, Any] | Entry:
        """GET exactly one Secret (the Alertmanager's config) and keep only its reduction."""
        md, spec = obj.get("metadata") or {}, obj.get("spec") or {}
        ns, name = str(md.get("namespace", "")), str(md.get("name", ""))
        ref = f"{ns}/{name}"
        amc = spec.get("alertmanagerConfiguration")
        if isinstance(amc, Mapping) and amc.get("name"):
            src = f"AlertmanagerConfig {ns}/{amc['name']}"
            return am.error_item(ref, src, "config comes from spec.alertmanagerConfiguration")
        secret = str(spec.get("configSecret") or f"alertmanager-{name}")
        source, perm = f"Secret {ns}/{secret}", f"get secrets {ns}/{secret}"
        try:
            resp = self.get(f"/api/v1/namespaces/{ns}/secrets/{secret}")
        except _TransportError as exc:
            return unavailable(f"{exc.why} on {perm}", perm)
        if resp.status == 404:
            return am.error_item(ref, source, "config secret not found")
        if resp.status != 200:
            if resp.status in (401, 403):
                return _failure(resp, source, perm, "getting")
            return unavailable(f"{resp.status} {resp.reason} on {perm}", perm)
        try:
            text: str | None = am.secret_config_text(json.loads(resp.data))
        except (am.ConfigUnreadable, ValueError) as exc:
            msg = str(exc) if isinstance(exc, am.ConfigUnreadable) else "secret is not JSON"
            return am.error_item(ref, source, msg)
        finally:
            del resp
        item = am.reduced_item(ref, source, text)
        del text
        return item


def _expand(keys: Iterable[str]) -> tuple[list[str], set[str]]:
    """Kube keys asked for, and every kube key that must be fetched to answer them."""
    asked = [k for k in dict.fromkeys(keys) if k in KUBE_KINDS or k in KUBE_FACTS]
    fetch = set(asked)
    if ALERTMANAGER_RECEIVERS in fetch:
        fetch.update((ALERTMANAGERS, "configmaps"))
    return asked, fetch


def _ensure_retries(api: ApiClient) -> None:
    """Clients not built by :func:`load_target` get our retry policy too."""
    if api.configuration.retries is None:
        configure(api.configuration)
        api.rest_client = kube_rest.RESTClientObject(api.configuration)


def collect_kube(
    keys: Iterable[str],
    api: ApiClient,
    *,
    progress: Progress | None = None,
    workers: int = 8,
    page_limit: int = 500,
    timeout: float = 30.0,
) -> dict[str, Entry]:
    """Collect every Kubernetes kind / kube fact in ``keys`` (others are ignored).

    Raises :class:`ClusterUnreachable` when the API server cannot be reached at all.
    """
    asked, fetch = _expand(keys)
    if not asked:
        return {}
    _ensure_retries(api)
    # Parsed JSON holds no reference cycles, but every kept object is tracked by the cyclic
    # GC, whose full passes over a growing heap made collection ~2.5x slower than the floor.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _collect(asked, fetch, api, progress or NullProgress(), workers, page_limit, timeout)
    finally:
        if gc_was_enabled:
            gc.enable()


def _collect(
    asked: list[str],
    fetch: set[str],
    api: ApiClient,
    progress: Progress,
    workers: int,
    page_limit: int,
    timeout: float,
) -> dict[str, Entry]:
    col = _Collector(api, progress, workers, page_limit, timeout)
    kinds = [KUBE_KINDS[k] for k in sorted(fetch) if k in KUBE_KINDS]
    groups = {k.group for k in kinds}
    if GATEKEEPER_CONSTRAINTS in fetch:
        groups.add(GATEKEEPER_CONSTRAINTS)
    results: dict[str, Entry] = {}
    cm_alertmanagers: list[dict[str, Any]] = []
    with ThreadPoolExecutor(max_workers=col.workers, thread_name_prefix="kube") as pool:
        col.discover(pool, groups, kinds)
        futures = {}
        for k in kinds:
            hook = (
                am.configmap_items
                if k.key == "configmaps" and ALERTMANAGER_RECEIVERS in fetch
                else None
            )
            futures[k.key] = pool.submit(col.kind, k, hook)
        if VERSION in fetch:
            futures[VERSION] = pool.submit(lambda: (col.version(), []))
        if GATEKEEPER_CONSTRAINTS in fetch:
            futures[GATEKEEPER_CONSTRAINTS] = pool.submit(lambda: (col.gatekeeper(), []))
        for key, fut in futures.items():
            try:
                entry, extra = fut.result()
            except Exception as exc:  # one kind's bug must not cost the others
                perm = KUBE_KINDS[key].permission if key in KUBE_KINDS else None
                entry, extra = unavailable(f"collector error on {key}: {exc!r}", perm), []
            results[key] = entry
            if key == "configmaps":
                cm_alertmanagers = extra
    if ALERTMANAGER_RECEIVERS in fetch:
        results[ALERTMANAGER_RECEIVERS] = col.alertmanager_receivers(results, cm_alertmanagers)
    return {k: results[k] for k in asked}
