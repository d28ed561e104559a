"""Snapshot: everything the checks may read, collected once, plus when it was collected.

Each key holds one :class:`Entry` in one of three states. ``ok`` carries the value (a list
of objects shaped like ``kubectl get -o json`` items, or a boto3-shaped dict);
``unavailable`` records why we could not look (403, timeout, AccessDenied …) and the
permission that was missing; ``not_installed`` records that the API group is not served,
which a check may read as "not deployed". Recording failures is what lets a saved
snapshot reproduce the live report exactly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

OK = "ok"
UNAVAILABLE = "unavailable"
NOT_INSTALLED = "not_installed"


class DataMissing(Exception):
    """Base for "the snapshot cannot answer this key"."""

    def __init__(self, key: str, reason: str, permission: str | None = None) -> None:
        super().__init__(reason)
        self.key = key
        self.reason = reason
        self.permission = permission


class Unavailable(DataMissing):
    """We could not observe the key (forbidden, failing, throttled, not collected)."""


class NotInstalled(DataMissing):
    """The API group/kind is not served by this cluster."""


@dataclass(frozen=True)
class Entry:
    state: str
    value: Any = None
    reason: str = ""
    permission: str | None = None

    def to_dict(self) -> dict[str, Any]:
        if self.state == OK:
            return {"state": OK, "value": self.value}
        out: dict[str, Any] = {"state": self.state, "reason": self.reason}
        if self.permission:
            out["permission"] = self.permission
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Entry:
        state = data.get("state")
        if state not in (OK, UNAVAILABLE, NOT_INSTALLED):
            raise ValueError(f"entry state must be ok, unavailable or not_installed, not {state!r}")
        return cls(
            state=str(state),
            value=data.get("value"),
            reason=str(data.get("reason", "")),
            permission=data.get("permission"),
        )


def ok(value: Any) -> Entry:
    return Entry(OK, value)


def unavailable(reason: str, permission: str | None = None) -> Entry:
    return Entry(UNAVAILABLE, None, reason, permission)


def not_installed(reason: str) -> Entry:
    return Entry(NOT_INSTALLED, None, reason)


DEFAULT_SYSTEM_NAMESPACES: tuple[str, ...] = (
    "kube-system",
    "kube-public",
    "kube-node-lease",
    "default",
    "amazon-cloudwatch",
    "aws-observability",
    "amazon-guardduty",
    "monitoring",
    "prometheus",
    "grafana",
    "logging",
    "argocd",
    "flux-system",
    "velero",
    "cert-manager",
    "gatekeeper-system",
    "kyverno",
    "istio-system",
    "linkerd",
    "opencost",
    "kubecost",
    "karpenter",
    "external-secrets",
)


@dataclass(frozen=True)
class Parameters:
    """Rubric parameters the checks read. Defaults mirror ``rubric.yaml``."""

    system_namespaces: tuple[str, ...] = DEFAULT_SYSTEM_NAMESPACES
    rpo_hours: float = 24.0
    restore_window_days: float = 90.0
    log_retention_min_days: int = 30
    log_freshness_minutes: float = 60.0
    cert_expiry_days: float = 30.0
    attestation_validity_days: float = 365.0
    regions: tuple[str, ...] = ()
    readonly_rootfs_min_share: float = 0.8
    requests_limits_min_share: float = 0.9


@dataclass(frozen=True)
class ClusterInfo:
    """Where the snapshot came from. All optional: offline dumps may not say."""

    context: str | None = None
    cluster: str | None = None
    region: str | None = None
    server: str | None = None
    source: str = "live"

    def to_dict(self) -> dict[str, Any]:
        return {
            "context": self.context,
            "cluster": self.cluster,
            "region": self.region,
            "server": self.server,
            "source": self.source,
        }


def parse_time(value: str | None) -> dt.datetime | None:
    """RFC 3339 timestamps as Kubernetes and AWS write them, always timezone-aware."""
    if not value or not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _checked(key: str, entry: Entry) -> Entry:
    """A loaded entry whose value has the shape checks rely on. Kubernetes kinds are lists
    of objects; anything else in a hand-edited or damaged file would crash every check
    that reads the key, far from the cause."""
    from readiness.keys import GATEKEEPER_CONSTRAINTS, KUBE_KINDS

    if entry.state != OK or (key not in KUBE_KINDS and key != GATEKEEPER_CONSTRAINTS):
        return entry
    value = entry.value
    if not isinstance(value, list) or not all(isinstance(o, Mapping) for o in value):
        raise ValueError("value of a Kubernetes kind must be a list of objects")
    return entry


@dataclass
class Snapshot:
    """Read-only view over collected entries, with the collection time as "now"."""

    entries: dict[str, Entry]
    collected_at: dt.datetime
    cluster: ClusterInfo = field(default_factory=ClusterInfo)
    params: Parameters = field(default_factory=Parameters)
    _memo: dict[Any, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def now(self) -> dt.datetime:
        return self.collected_at

    def with_params(self, params: Parameters) -> Snapshot:
        return replace(self, params=params, _memo={})

    def entry(self, key: str) -> Entry:
        found = self.entries.get(key)
        if found is None:
            return unavailable(f"{key} was not collected in this run")
        return found

    def _value(self, key: str) -> Any:
        e = self.entry(key)
        if e.state == OK:
            return e.value
        if e.state == NOT_INSTALLED:
            raise NotInstalled(key, e.reason or f"{key} is not served by this cluster")
        raise Unavailable(key, e.reason or f"{key} could not be read", e.permission)

    def items(self, key: str) -> list[dict[str, Any]]:
        """Objects of a kind. A kind whose API is not served has no objects: ``[]``.

        Raises :class:`Unavailable` when we could not look; the runner turns that into
        an unknown result naming the missing permission.
        """
        try:
            value = self._value(key)
        except NotInstalled:
            return []
        return list(value or [])

    def served(self, key: str) -> bool:
        """Whether the cluster serves this kind (its CRD is installed)."""
        e = self.entry(key)
        if e.state == UNAVAILABLE:
            raise Unavailable(key, e.reason or f"{key} could not be read", e.permission)
        return e.state == OK

    def fact(self, key: str) -> Any:
        """An AWS or derived fact. Raises :class:`Unavailable` or :class:`NotInstalled`."""
        return self._value(key)

    def items_or_none(self, key: str) -> list[dict[str, Any]] | None:
        """Objects of a kind, or None when we could not look — for checks that can still
        decide from another source."""
        try:
            return self.items(key)
        except Unavailable:
            return None

    def fact_or_none(self, key: str) -> Any:
        """A fact, or None when it could not be read (or its API is not served)."""
        try:
            return self.fact(key)
        except DataMissing:
            return None

    def available(self, key: str) -> bool:
        return self.entry(key).state != UNAVAILABLE

    def memo(self, name: str, compute: Any) -> Any:
        """Memoize derived views (indexes by namespace, app namespaces) across checks."""
        if name not in self._memo:
            self._memo[name] = compute()
        return self._memo[name]

    # -- persistence -------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "readiness_snapshot": 1,
            "collected_at": self.collected_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
            "cluster": self.cluster.to_dict(),
            "entries": {k: self.entries[k].to_dict() for k in sorted(self.entries)},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Snapshot:
        if data.get("readiness_snapshot") != 1:
            raise ValueError("not a readiness snapshot (missing readiness_snapshot: 1)")
        collected = parse_time(data.get("collected_at"))
        if collected is None:
            raise ValueError("collected_at is missing or not an RFC 3339 time")
        raw_entries = data.get("entries")
        if not isinstance(raw_entries, Mapping):
            raise ValueError("entries must be a mapping of snapshot key to entry")
        entries: dict[str, Entry] = {}
        for key, raw in raw_entries.items():
            if not isinstance(raw, Mapping):
                raise ValueError(f"entries.{key} must be a mapping")
            try:
                entries[str(key)] = _checked(str(key), Entry.from_dict(raw))
            except ValueError as exc:
                raise ValueError(f"entries.{key}: {exc}") from None
        c = data.get("cluster") or {}
        info = ClusterInfo(
            context=c.get("context"),
            cluster=c.get("cluster"),
            region=c.get("region"),
            server=c.get("server"),
            source="snapshot",
        )
        return cls(entries=entries, collected_at=collected, cluster=info)
