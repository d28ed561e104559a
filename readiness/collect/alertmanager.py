"""Reduce an Alertmanager configuration to receiver names and integration types.

An Alertmanager config holds webhook URLs, API keys and SMTP passwords. The checks only
need to know *where alerts go* (is there a Slack/PagerDuty/… receiver, and does the root
route use it), so the collector reduces the config here, in memory, and nothing else of
the text is ever stored, logged or returned — error messages included.
"""

from __future__ import annotations

import base64
import binascii
import gzip
from collections.abc import Mapping
from typing import Any

import yaml

CONFIG_KEY = "alertmanager.yaml"
CONFIG_KEY_GZ = "alertmanager.yaml.gz"
CONFIGMAP_KEYS = ("alertmanager.yml", "alertmanager.yaml")


class ConfigUnreadable(ValueError):
    """The config could not be reduced. The message never quotes the config."""


def reduce_config(text: str) -> dict[str, Any]:
    """``{"route_receiver": str|None, "routed": [names], "receivers": [{"name", "integrations"}]}``.

    ``routed`` lists the receivers the route tree actually sends to: a receiver no route
    names never gets an alert, however real its integration.

    An integration is a ``<type>_configs`` key with a non-empty list (``slack_configs`` →
    ``slack``). A receiver with none (``- name: "null"``) drops alerts.
    """
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError:
        # The YAML error text quotes the offending line, which may be a secret.
        raise ConfigUnreadable("alertmanager config is not valid YAML") from None
    if doc is None:
        doc = {}
    if not isinstance(doc, Mapping):
        raise ConfigUnreadable("alertmanager config is not a YAML mapping")
    route = doc.get("route")
    route_receiver = route.get("receiver") if isinstance(route, Mapping) else None
    routed: set[str] = set()
    stack = [route] if isinstance(route, Mapping) else []
    while stack:  # every receiver some route (root or nested) sends alerts to
        node = stack.pop()
        if node.get("receiver") is not None:
            routed.add(str(node["receiver"]))
        stack += [r for r in node.get("routes") or [] if isinstance(r, Mapping)]
    receivers = []
    for r in doc.get("receivers") or []:
        if not isinstance(r, Mapping):
            continue
        integrations = [
            str(k)[: -len("_configs")]
            for k, v in r.items()
            if str(k).endswith("_configs") and isinstance(v, list) and v
        ]
        receivers.append({"name": _str_or_none(r.get("name")), "integrations": integrations})
    return {
        "route_receiver": _str_or_none(route_receiver),
        "routed": sorted(routed),
        "receivers": receivers,
    }


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def secret_config_text(secret: Mapping[str, Any]) -> str:
    """The config text of an Alertmanager config Secret (``data`` is base64, maybe gzipped).

    Raises :class:`ConfigUnreadable` when the Secret has no usable config key.
    """
    data = secret.get("data") or {}
    string_data = secret.get("stringData") or {}  # manifests (not API reads) may use it
    if isinstance(string_data.get(CONFIG_KEY), str):
        return str(string_data[CONFIG_KEY])
    try:
        if CONFIG_KEY in data:
            return base64.b64decode(data[CONFIG_KEY]).decode("utf-8")
        if CONFIG_KEY_GZ in data:
            raw = gzip.decompress(base64.b64decode(data[CONFIG_KEY_GZ]))
            return raw.decode("utf-8")
    except (binascii.Error, OSError, EOFError, UnicodeDecodeError):
        raise ConfigUnreadable(f"config secret has an undecodable {CONFIG_KEY} key") from None
    raise ConfigUnreadable(f"config secret has no {CONFIG_KEY} key")


def reduced_item(alertmanager: str, source: str, text: str | None) -> dict[str, Any]:
    """One ``kube:alertmanager-receivers`` item; ``text=None`` means no config was found."""
    item: dict[str, Any] = {
        "alertmanager": alertmanager,
        "source": source,
        "route_receiver": None,
        "receivers": [],
        "error": None,
    }
    if text is None:
        return item
    try:
        item.update(reduce_config(text))
    except ConfigUnreadable as exc:
        item["error"] = str(exc)
    return item


def error_item(alertmanager: str, source: str, error: str) -> dict[str, Any]:
    item = reduced_item(alertmanager, source, None)
    item["error"] = error
    return item


def configmap_items(cm: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Items for a ConfigMap that carries an Alertmanager config (Helm-chart style).

    Called on the raw object, before slimming blanks the config value.
    """
    data = cm.get("data")
    if not isinstance(data, Mapping):
        return []
    md = cm.get("metadata") or {}
    ref = f"{md.get('namespace', '')}/{md.get('name', '')}"
    for key in CONFIGMAP_KEYS:
        value = data.get(key)
        if isinstance(value, str):
            return [reduced_item(ref, f"ConfigMap {ref}", value)]
    return []
