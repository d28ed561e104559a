"""Scenario fixture clusters: the roadmap's starting cluster and what it becomes.

Each scenario is a stack of layers, one directory each under ``tests/scenarios/``:

- ``start``       the starting cluster (strong foundation, Secrets Store CSI driver, nothing
                  of Weeks 1–4);
- ``weeks-done``  ``start`` + Weeks 1–4 done (monitoring, logging, GitOps, backup);
- ``exemplary``   ``weeks-done`` + every attestation and the future items.

A layer holds ``kubectl get -o yaml``-shaped multi-document files (``*.yaml``), its AWS
facts (``facts.yaml``: snapshot key → value, the AWS collector's shapes, plus
``kube:version``) and optionally ``attestations.yaml``. Layers compose: an object of a later
layer replaces the object with the same apiVersion group, kind, namespace and name (so a
later week can relabel a namespace), other objects add up; facts merge (mappings key by
key, list items with the same natural id such as ``addonName`` item by item, see
:func:`merge`), so a layer states only what changed. Data is shared, never copied.

The inputs are scored exactly as a user would score them offline: a saved snapshot holding
the facts plus a kubectl dump of the objects, through ``readiness.collect.files.load``.

Regenerate the bundled example with ``python -m tests.scenarios start -o
examples/starting-cluster.json`` (see examples/README.md).
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from readiness.collect.files import load
from readiness.snapshot import ClusterInfo, Entry, Snapshot, ok

HERE = Path(__file__).parent
TIME = dt.datetime(2026, 11, 27, 12, 0, tzinfo=dt.UTC)
CLUSTER = "prod"
REGION = "eu-west-1"
ACCOUNT = "111122223333"

LAYERS: dict[str, tuple[str, ...]] = {
    "start": ("start",),
    "weeks-done": ("start", "weeks-done"),
    "exemplary": ("start", "weeks-done", "exemplary"),
}
NAMES = tuple(LAYERS)
FACTS_FILE = "facts.yaml"
ATTESTATIONS_FILE = "attestations.yaml"
NOT_OBJECTS = {FACTS_FILE, ATTESTATIONS_FILE}


def _identity(obj: dict[str, Any]) -> tuple[str, str, str, str]:
    api = str(obj.get("apiVersion", ""))
    group = api.rsplit("/", 1)[0] if "/" in api else ""
    md = obj.get("metadata") or {}
    return group, str(obj.get("kind")), str(md.get("namespace") or ""), str(md.get("name"))


def _layer_docs(layer: str) -> Iterator[dict[str, Any]]:
    for path in sorted((HERE / layer).glob("*.yaml")):
        if path.name in NOT_OBJECTS:
            continue
        with path.open() as fh:
            for doc in yaml.safe_load_all(fh):
                if isinstance(doc, dict):
                    assert "apiVersion" in doc and "kind" in doc, f"{path}: {doc.get('metadata')}"
                    yield doc


def objects(name: str) -> list[dict[str, Any]]:
    """The scenario's Kubernetes objects (apiVersion + kind on each), layers composed."""
    by_id: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    for layer in LAYERS[name]:
        for doc in _layer_docs(layer):
            by_id[_identity(doc)] = doc
    return list(by_id.values())


# Natural ids of list items in AWS facts: a later layer's item with the same id merges into
# the earlier one (so a layer states only what changed), other items are appended.
ITEM_IDS = ("addonName", "repositoryName", "logGroupName", "principalArn", "Name", "id")


def _item_id(item: Any) -> tuple[str, Any] | None:
    if isinstance(item, dict):
        for key in ITEM_IDS:
            if key in item:
                return key, item[key]
    return None


def merge(old: Any, new: Any) -> Any:
    """``new`` over ``old``: mappings key by key, lists of identified items item by item."""
    if isinstance(old, dict) and isinstance(new, dict):
        out = dict(old)
        for k, v in new.items():
            out[k] = merge(old[k], v) if k in old else v
        return out
    if isinstance(old, list) and isinstance(new, list) and all(_item_id(i) for i in new):
        merged = list(old)
        for item in new:
            at = next((i for i, o in enumerate(merged) if _item_id(o) == _item_id(item)), None)
            if at is None:
                merged.append(item)
            else:
                merged[at] = merge(merged[at], item)
        return merged
    return new


def facts(name: str) -> dict[str, Any]:
    """The scenario's AWS facts (and ``kube:version``), layers merged (see :func:`merge`)."""
    out: dict[str, Any] = {}
    for layer in LAYERS[name]:
        path = HERE / layer / FACTS_FILE
        if path.exists():
            out = merge(out, yaml.safe_load(path.read_text()) or {})
    return out


def attestations(name: str) -> Path | None:
    """The attestations file of the scenario's newest layer that has one."""
    for layer in reversed(LAYERS[name]):
        path = HERE / layer / ATTESTATIONS_FILE
        if path.exists():
            return path
    return None


def facts_snapshot(name: str, fact_entries: dict[str, Entry] | None = None) -> dict[str, Any]:
    """A saved-snapshot document holding only the facts (the kinds come from the dump)."""
    entries = fact_entries or {k: ok(v) for k, v in facts(name).items()}
    snap = Snapshot(
        entries=entries,
        collected_at=TIME,
        cluster=ClusterInfo(cluster=CLUSTER, region=REGION, source="scenario"),
    )
    return snap.to_dict()


def write_inputs(
    name: str, directory: Path, fact_entries: dict[str, Entry] | None = None
) -> list[Path]:
    """Write the offline inputs a user would pass to ``readiness score --from``: a snapshot
    file with the facts and a multi-document kubectl dump of the objects."""
    directory.mkdir(parents=True, exist_ok=True)
    snap_path = directory / f"{name}-facts.json"
    snap_path.write_text(json.dumps(facts_snapshot(name, fact_entries), indent=1) + "\n")
    dump_path = directory / f"{name}-objects.yaml"
    dump_path.write_text(yaml.safe_dump_all(objects(name), sort_keys=False))
    return [snap_path, dump_path]


def snapshot(name: str, fact_entries: dict[str, Entry] | None = None) -> Snapshot:
    """The scenario loaded through the offline path (``readiness.collect.files.load``)."""
    with tempfile.TemporaryDirectory() as tmp:
        return load(write_inputs(name, Path(tmp), fact_entries), assume_complete=True)


def example_document(name: str = "start") -> dict[str, Any]:
    """The bundled example: the scenario's full snapshot, as ``readiness snapshot`` saves it."""
    doc = snapshot(name).to_dict()
    doc["cluster"] = ClusterInfo(cluster=CLUSTER, region=REGION, source="scenario").to_dict()
    return doc


def example_text(name: str = "start") -> str:
    """Serialised exactly as ``readiness snapshot -o FILE`` writes (sorted keys, indent 1)."""
    return json.dumps(example_document(name), indent=1, sort_keys=True) + "\n"
