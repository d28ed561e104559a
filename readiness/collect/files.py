"""Offline input: ``kubectl get … -o yaml|json`` dumps and snapshots saved by
``readiness snapshot``, in any mix.

Offline, a kind absent from the input counts as listed and empty (the user chose what to
dump), AWS facts come only from a saved snapshot, and "now" is the snapshot's collection
time, else the newest timestamp found in the dumps, unless ``--now`` says otherwise — so
scoring the same files twice always gives the same report.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import zlib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from readiness.collect.alertmanager import (
    ConfigUnreadable,
    configmap_items,
    error_item,
    reduced_item,
    secret_config_text,
)
from readiness.collect.slim import slim
from readiness.keys import AWS_FACTS, GATEKEEPER_CONSTRAINTS, KUBE_FACTS, KUBE_KINDS
from readiness.snapshot import (
    UNAVAILABLE,
    ClusterInfo,
    Entry,
    Snapshot,
    not_installed,
    ok,
    parse_time,
    unavailable,
)

ALERTMANAGERS = "alertmanagers.monitoring.coreos.com"
# Groups every cluster serves. A custom-resource kind absent from a dump gives no sign that
# its CRD exists, so it reads as not installed (still an empty list to ``items()``).
BUILTIN_GROUPS = frozenset(
    {
        "",
        "apps",
        "batch",
        "networking.k8s.io",
        "rbac.authorization.k8s.io",
        "storage.k8s.io",
        "admissionregistration.k8s.io",
    }
)
AM_FACT = "kube:alertmanager-receivers"

# Timestamps that record something that already happened. Expiry-like fields (notAfter,
# renewalTime, expiration) are in the future by design and must not move "now".
PAST_TIME_FIELDS = frozenset(
    {
        "creationTimestamp",
        "lastTransitionTime",
        "lastUpdateTime",
        "lastHeartbeatTime",
        "lastProbeTime",
        "startTimestamp",
        "completionTimestamp",
        "lastBackup",
        "lastSyncTime",
        "lastScheduleTime",
        "lastSuccessfulTime",
        "startedAt",
        "finishedAt",
        "deployedAt",
        "reconciledAt",
        "lastHandledReconcileAt",
        "time",
    }
)


class InputError(Exception):
    """An input file that cannot be read or understood (exit 2)."""


def _plural(kind: str) -> str:
    k = kind.lower()
    if k.endswith("y"):
        return k[:-1] + "ies"
    if k.endswith("s"):
        return k + "es"
    return k + "s"


def key_for(obj: Mapping[str, Any]) -> str | None:
    """Snapshot key of a kubectl object from its apiVersion and kind, or None if unscored."""
    api = str(obj.get("apiVersion", ""))
    group = api.rsplit("/", 1)[0] if "/" in api else ""
    if group == GATEKEEPER_CONSTRAINTS:
        return GATEKEEPER_CONSTRAINTS
    resource = _plural(str(obj.get("kind", "")))
    key = f"{resource}.{group}" if group else resource
    if key in KUBE_KINDS and KUBE_KINDS[key].group == group:
        return key
    if resource in KUBE_KINDS and KUBE_KINDS[resource].group == group:
        return resource
    return None


def _read(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if path.suffix == ".gz":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error):
            # EOFError: truncated (an interrupted copy); click would turn it into "Aborted!"
            raise InputError(f"{path}: not a complete gzip file (truncated or corrupt)") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(
            f"{path}: not UTF-8 text (expected kubectl YAML/JSON or a snapshot)"
        ) from None


def _documents(path: Path, text: str) -> list[Any]:
    stripped = text.lstrip()
    if stripped.startswith("{") or stripped.startswith("["):
        try:
            return [json.loads(text)]
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}: line {exc.lineno}: not valid JSON: {exc.msg}") from None
    try:
        return [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise InputError(f"{path}:{where} not valid YAML: {getattr(exc, 'problem', exc)}") from None
    except ValueError as exc:  # a scalar resolves but cannot build, e.g. 2026-13-45
        raise InputError(f"{path}: not valid YAML: {exc}") from None


def _check_shape(path: Path, obj: Mapping[str, Any]) -> None:
    """Reject objects whose metadata/spec/status/data are not mappings, as kubectl never
    writes them: everything downstream (slimming, checks) reads them as mappings."""
    md = obj.get("metadata")
    name = md.get("name") if isinstance(md, Mapping) else None
    what = f"{obj.get('kind')} {name}" if name else str(obj.get("kind"))
    if not isinstance(md, Mapping):
        raise InputError(f"{path}: {what}: metadata must be a mapping")
    for section in ("spec", "status", "data"):
        value = obj.get(section)
        if value is not None and not isinstance(value, Mapping):
            raise InputError(f"{path}: {what}: {section} must be a mapping")


def _objects(doc: Any) -> Iterator[dict[str, Any]]:
    if isinstance(doc, list):
        for d in doc:
            yield from _objects(d)
    elif isinstance(doc, dict):
        if str(doc.get("kind", "")).endswith("List") and isinstance(doc.get("items"), list):
            for item in doc["items"]:
                yield from _objects(item)
        elif "kind" in doc and "apiVersion" in doc:
            yield doc


def _newest_time(obj: Any, newest: dt.datetime | None) -> dt.datetime | None:
    stack = [obj]
    while stack:
        cur = stack.pop()
        if isinstance(cur, dict):
            for k, v in cur.items():
                if isinstance(v, str) and k in PAST_TIME_FIELDS:
                    t = parse_time(v)
                    if t and (newest is None or t > newest):
                        newest = t
                elif isinstance(v, dict | list):
                    stack.append(v)
        elif isinstance(cur, list):
            stack.extend(cur)
    return newest


def _alertmanager_fact(
    alertmanagers: Iterable[Mapping[str, Any]],
    secrets: Mapping[tuple[str, str], Mapping[str, Any]],
    configmaps: Iterable[Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """Reduce the Alertmanager configs found in the input, as the live collector does: each
    Alertmanager's config Secret by name, and ConfigMap-based configs (before slimming)."""
    out: list[dict[str, Any]] = []
    for am in alertmanagers:
        md = am.get("metadata") or {}
        ns, name = md.get("namespace", ""), md.get("name", "")
        secret_name = (am.get("spec") or {}).get("configSecret") or f"alertmanager-{name}"
        ref, source = f"{ns}/{name}", f"Secret {ns}/{secret_name}"
        secret = secrets.get((ns, secret_name))
        if secret is None:
            out.append(error_item(ref, source, "config secret not in the input files"))
            continue
        try:
            out.append(reduced_item(ref, source, secret_config_text(secret)))
        except ConfigUnreadable as exc:
            out.append(error_item(ref, source, str(exc)))
    for cm in configmaps:
        out += configmap_items(cm)
    return out


def _as_snapshot(path: Path, docs: list[Any]) -> Snapshot | None:
    """The saved snapshot these documents hold, or None if they are kubectl output."""
    if len(docs) != 1 or not isinstance(docs[0], dict) or "readiness_snapshot" not in docs[0]:
        return None
    try:
        return Snapshot.from_dict(docs[0])
    except ValueError as exc:
        raise InputError(f"{path}: broken snapshot: {exc}") from None


def _absent(key: str, builtin: bool, assume_complete: bool) -> Entry:
    """What a kind missing from the dumps means. By default nothing: a dump shows what was
    dumped, not what the cluster lacks, so the kind is unavailable (its checks unknown).
    With ``assume_complete`` the user vouches the dumps hold everything: built-in kinds are
    empty and custom kinds not installed."""
    if assume_complete:
        return ok([]) if builtin else not_installed(f"no {key} in the offline input")
    return unavailable(
        f"not in the offline input: add `kubectl get {key} -A -o yaml`, or pass "
        "--assume-complete if the dumps hold everything",
        f"list {key}",
    )


def load(
    paths: Iterable[str | Path], now: dt.datetime | None = None, assume_complete: bool = False
) -> Snapshot:
    """Build a snapshot from any mix of kubectl dumps and saved snapshots."""
    base: Snapshot | None = None
    objects: dict[str, list[dict[str, Any]]] = {}
    secrets: dict[tuple[str, str], dict[str, Any]] = {}
    raw_configmaps: list[dict[str, Any]] = []
    newest: dt.datetime | None = None
    seen_any = False
    for p in map(Path, paths):
        if not p.exists():
            raise InputError(f"{p}: no such file")
        if p.is_dir():
            raise InputError(f"{p}: is a directory; pass the files inside it")
        docs = _documents(p, _read(p))
        snap = _as_snapshot(p, docs)
        if snap is not None:
            if base is not None:
                raise InputError(f"{p}: only one saved snapshot can be scored at a time")
            base = snap
            continue
        found = False
        for obj in (o for d in docs for o in _objects(d)):
            found = True
            _check_shape(p, obj)
            newest = _newest_time(obj, newest)
            if obj.get("kind") == "Secret":
                # kept in memory only until Alertmanager configs are reduced; never stored
                md = obj.get("metadata") or {}
                secrets[(md.get("namespace", ""), md.get("name", ""))] = obj
                continue
            key = key_for(obj)
            if key is None:
                continue
            if key == "configmaps":
                raw_configmaps.append(obj)
            objects.setdefault(key, []).append(slim(key, obj))
        if not found:
            raise InputError(
                f"{p}: no Kubernetes objects found (expected `kubectl get … -o yaml|json` "
                "output or a snapshot saved by `readiness snapshot`)"
            )
        seen_any = True

    entries: dict[str, Entry] = dict(base.entries) if base else {}
    if seen_any:
        for key, kind in KUBE_KINDS.items():
            if key in objects:
                entries[key] = ok(objects[key])
            elif key not in entries:
                entries[key] = _absent(key, kind.group in BUILTIN_GROUPS, assume_complete)
        if GATEKEEPER_CONSTRAINTS in objects:
            entries[GATEKEEPER_CONSTRAINTS] = ok(objects[GATEKEEPER_CONSTRAINTS])
        elif GATEKEEPER_CONSTRAINTS not in entries:
            entries[GATEKEEPER_CONSTRAINTS] = (
                ok([]) if assume_complete else _absent(GATEKEEPER_CONSTRAINTS, False, False)
            )
        sources = [entries[ALERTMANAGERS], entries["configmaps"]]
        if ALERTMANAGERS in objects or "configmaps" in objects or AM_FACT not in entries:
            if all(e.state != UNAVAILABLE for e in sources):
                entries[AM_FACT] = ok(
                    _alertmanager_fact(objects.get(ALERTMANAGERS, []), secrets, raw_configmaps)
                )
            else:
                entries[AM_FACT] = unavailable(
                    "needs both Alertmanagers and ConfigMaps in the offline input",
                    "list alertmanagers.monitoring.coreos.com, configmaps",
                )
        for key in AWS_FACTS:
            entries.setdefault(
                key,
                unavailable(
                    "offline input has no AWS facts (score a snapshot saved by "
                    "`readiness snapshot` to include them)"
                ),
            )
        for key in KUBE_FACTS:
            entries.setdefault(key, unavailable("not in the offline input"))
    if base is not None:
        collected = base.collected_at
        cluster = base.cluster
    else:
        collected = newest or dt.datetime.now(dt.UTC)
        cluster = ClusterInfo(source="files")
    if now is not None:
        collected = now
    return Snapshot(entries=entries, collected_at=collected, cluster=cluster)
