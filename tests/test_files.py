"""Offline input: kubectl dumps (List, multi-document YAML, single objects) and snapshots."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
import yaml

from readiness.collect.files import InputError, load
from readiness.snapshot import NOT_INSTALLED, OK, UNAVAILABLE, parse_time
from tests.snap import UPSTREAM, upstream

AM_CR = "kube-prometheus/manifests/alertmanager-alertmanager.yaml"
AM_SECRET = "kube-prometheus/manifests/alertmanager-secret.yaml"
CONF_GOOD = UPSTREAM / "alertmanager/config/testdata/conf.good.yml"


def _write(path: Path, docs: list[dict[str, object]]) -> Path:
    path.write_text(yaml.safe_dump_all(docs))
    return path


def test_alertmanager_configs_are_reduced_and_no_secret_value_is_kept(tmp_path: Path) -> None:
    main = upstream(AM_CR)[0]
    other = json.loads(json.dumps(main))
    other["metadata"]["name"] = "team"
    secret_team = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "alertmanager-team", "namespace": "monitoring"},
        "data": {"alertmanager.yaml": base64.b64encode(CONF_GOOD.read_bytes()).decode()},
    }
    helm_cm = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "alertmanager", "namespace": "observability"},
        "data": {"alertmanager.yml": CONF_GOOD.read_text()},
    }
    dump = _write(tmp_path / "dump.yaml", [main, other, *upstream(AM_SECRET), secret_team, helm_cm])
    snap = load([dump])
    fact = {i["source"]: i for i in snap.fact("kube:alertmanager-receivers")}
    kp = fact["Secret monitoring/alertmanager-main"]
    assert {r["name"]: r["integrations"] for r in kp["receivers"]} == {
        "Default": [],
        "Watchdog": [],
        "Critical": [],
        "null": [],
    }
    team = fact["Secret monitoring/alertmanager-team"]
    kinds = {k for r in team["receivers"] for k in r["integrations"]}
    assert {"slack", "pagerduty", "opsgenie"} <= kinds
    assert fact["ConfigMap observability/alertmanager"]["receivers"] == team["receivers"]
    saved = json.dumps(snap.to_dict())
    assert "mysecret" not in saved and "slack_api_url" not in saved
    assert "secrets" not in snap.entries  # Secrets are never kept
    cms = snap.items("configmaps")
    assert cms[0]["data"]["alertmanager.yml"] == ""  # slimmed: the config value is dropped


def test_missing_config_secret_is_an_item_error_not_a_crash(tmp_path: Path) -> None:
    snap = load([_write(tmp_path / "am.yaml", upstream(AM_CR))], assume_complete=True)
    (item,) = snap.fact("kube:alertmanager-receivers")
    assert item["error"] == "config secret not in the input files"


def test_time_is_the_newest_past_timestamp_and_kinds_default_sensibly(tmp_path: Path) -> None:
    cert = {
        "apiVersion": "cert-manager.io/v1",
        "kind": "Certificate",
        "metadata": {"name": "c", "namespace": "shop", "creationTimestamp": "2026-10-01T00:00:00Z"},
        "status": {
            "notAfter": "2027-06-01T00:00:00Z",  # in the future by design: must not move "now"
            "conditions": [
                {"type": "Ready", "status": "True", "lastTransitionTime": "2026-11-02T08:00:00Z"}
            ],
        },
    }
    dump = _write(tmp_path / "c.yaml", [cert])
    snap = load([dump])
    assert snap.now == parse_time("2026-11-02T08:00:00Z")
    assert snap.entry("certificates.cert-manager.io").state == OK
    # a dump shows what was dumped, not what the cluster lacks: absent kinds are not observed
    missing = snap.entry("deployments")
    assert missing.state == UNAVAILABLE and "kubectl get deployments -A -o yaml" in missing.reason
    assert snap.entry("schedules.velero.io").state == UNAVAILABLE
    assert snap.entry("kube:alertmanager-receivers").state == UNAVAILABLE
    assert snap.entry("eks:cluster").state == UNAVAILABLE  # AWS facts need a snapshot
    # unless the user vouches the dumps are complete
    complete = load([dump], assume_complete=True)
    assert complete.entry("deployments").state == OK and complete.items("deployments") == []
    assert complete.entry("schedules.velero.io").state == NOT_INSTALLED  # no sign of the CRD
    assert not complete.served("schedules.velero.io")
    assert complete.fact("kube:alertmanager-receivers") == []


def test_json_list_and_snapshot_merge(tmp_path: Path) -> None:
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}}
    as_json = tmp_path / "ns.json"
    as_json.write_text(json.dumps({"apiVersion": "v1", "kind": "List", "items": [ns]}))
    base = {
        "readiness_snapshot": 1,
        "collected_at": "2026-11-27T12:00:00Z",
        "cluster": {"cluster": "prod", "region": "eu-west-1"},
        "entries": {"eks:cluster": {"state": "ok", "value": {"name": "prod"}}},
    }
    snapfile = tmp_path / "aws.json"
    snapfile.write_text(json.dumps(base))
    snap = load([snapfile, as_json])
    assert snap.cluster.cluster == "prod" and snap.now == parse_time("2026-11-27T12:00:00Z")
    assert snap.fact("eks:cluster") == {"name": "prod"}
    assert [n["metadata"]["name"] for n in snap.items("namespaces")] == ["shop"]
    with pytest.raises(InputError, match="only one saved snapshot"):
        load([snapfile, snapfile])
