"""slim.py: what survives into a snapshot (memory and secrecy), on real upstream shapes."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from readiness.collect.alertmanager import ConfigUnreadable, reduce_config
from readiness.collect.slim import LAST_APPLIED, slim
from tests.fakeapi import SAMPLES
from tests.snap import UPSTREAM, one, upstream

DASHBOARDS = "kube-prometheus/manifests/grafana-dashboardDefinitions.yaml"


def schedule() -> dict[str, Any]:
    """A Schedule exactly as a real API server listed it (managedFields + last-applied)."""
    return json.loads((SAMPLES / "list-velero-schedules.json").read_text())["items"][0]


def test_managed_fields_and_last_applied_are_dropped_everywhere() -> None:
    raw = schedule()
    before = copy.deepcopy(raw)
    out = slim("schedules.velero.io", raw)
    assert "managedFields" not in out["metadata"]
    assert LAST_APPLIED not in out["metadata"].get("annotations", {})
    assert out["spec"] == raw["spec"] and out["metadata"]["name"] == "daily"
    assert raw == before  # the input is not mutated


def test_recorded_configmap_page_loses_managed_fields() -> None:
    page = json.loads((SAMPLES / "list-configmaps-limit2-page1.json").read_text())
    out = [slim("configmaps", i) for i in page["items"]]
    assert all("managedFields" not in o["metadata"] for o in out)
    assert [o["metadata"]["name"] for o in out] == ["cm1", "cm2"]


def _cm(data: dict[str, str], labels: dict[str, str] | None = None) -> dict[str, Any]:
    md: dict[str, Any] = {"name": "c", "namespace": "n"}
    if labels:
        md["labels"] = labels
    return {"metadata": md, "data": data, "binaryData": {"blob": "AAAA"}}


def test_configmap_keeps_config_formats_and_aws_auth_only() -> None:
    big = "a: " + "x" * (64 * 1024)
    out = slim(
        "configmaps",
        _cm(
            {
                "fluent-bit.conf": "[OUTPUT]\n    Name cloudwatch_logs\n",
                "settings.yaml": "k: v",
                "password": "hunter2",
                "mapRoles": "- rolearn: arn:aws:iam::1:role/x\n",
                "huge.yaml": big,
                "alertmanager.yml": "receivers: [{name: x, slack_configs: [{api_url: 'http://tok'}]}]",
            }
        ),
    )
    data = out["data"]
    assert data["fluent-bit.conf"].startswith("[OUTPUT]")
    assert data["settings.yaml"] == "k: v"
    assert data["mapRoles"].startswith("- rolearn")
    assert data["password"] == ""
    assert data["huge.yaml"] == ""
    assert data["alertmanager.yml"] == ""
    assert "binaryData" not in out


def test_grafana_dashboards_become_title_uid_tags() -> None:
    dash = copy.deepcopy(upstream(DASHBOARDS)[0])
    dash["metadata"]["labels"]["grafana_dashboard"] = "1"
    key = next(iter(dash["data"]))
    original = json.loads(dash["data"][key])
    out = slim("configmaps", dash)
    small = json.loads(out["data"][key])
    assert small == {
        "title": original["title"],
        "uid": original["uid"],
        "tags": original.get("tags", []),
    }
    assert small["title"] == "Alertmanager / Overview"
    assert len(out["data"][key]) < 200 < len(dash["data"][key])


def test_unlabelled_dashboard_configmap_is_not_summarised() -> None:
    dash = upstream(DASHBOARDS)[0]
    key = next(iter(dash["data"]))
    out = slim("configmaps", dash)
    assert out["data"][key] == dash["data"][key]  # a .json value under 64 KiB is kept


def _pod() -> dict[str, Any]:
    p = copy.deepcopy(one("secrets-store-csi-driver-provider-aws/tests/BasicTestMount.yaml"))
    p["metadata"]["managedFields"] = schedule()["metadata"]["managedFields"]
    p["metadata"]["annotations"] = {LAST_APPLIED: "{...}", "keep": "me"}
    p["metadata"]["ownerReferences"] = [{"kind": "ReplicaSet", "name": "rs", "uid": "u"}]
    c = p["spec"]["containers"][0]
    c["env"] = [
        {"name": "PASSWORD", "value": "hunter2"},
        {"name": "KEY", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}},
    ]
    c["securityContext"] = {"readOnlyRootFilesystem": True}
    p["status"] = {
        "phase": "Running",
        "podIP": "10.0.0.1",
        "conditions": [{"type": "Ready", "status": "True"}],
        "containerStatuses": [
            {
                "name": "busybox",
                "ready": True,
                "restartCount": 3,
                "imageID": "sha256:abc",
                "containerID": "containerd://x",
                "state": {
                    "terminated": {"exitCode": 1, "reason": "Error", "message": "panic: token=abc"}
                },
            }
        ],
    }
    return p


def test_pod_keeps_only_what_checks_read_and_no_env_values() -> None:
    raw = _pod()
    out = slim("pods", raw)
    text = json.dumps(out)
    assert "hunter2" not in text and "secretKeyRef" not in text and "token=abc" not in text
    assert "managedFields" not in text and LAST_APPLIED not in text
    c = out["spec"]["containers"][0]
    assert c["env"] == [{"name": "PASSWORD"}, {"name": "KEY"}]
    assert c["image"] == "k8s.gcr.io/e2e-test-images/busybox:1.29"
    assert c["securityContext"] == {"readOnlyRootFilesystem": True}
    assert "command" not in c
    assert out["spec"]["serviceAccountName"] == "basic-test-mount-sa"
    assert out["spec"]["volumes"][0]["csi"]["volumeAttributes"] == {
        "secretProviderClass": "basic-test-mount-spc"
    }
    assert out["metadata"]["annotations"] == {"keep": "me"}
    assert out["metadata"]["ownerReferences"][0]["kind"] == "ReplicaSet"
    st = out["status"]["containerStatuses"][0]
    assert st["restartCount"] == 3 and st["state"]["terminated"]["reason"] == "Error"
    assert "podIP" not in out["status"] and "containerID" not in st
    assert raw["spec"]["containers"][0]["env"][0]["value"] == "hunter2"  # input untouched


def test_secrets_never_keep_data() -> None:
    secret = one("kube-prometheus/manifests/alertmanager-secret.yaml")
    out = slim("secrets", {**secret, "data": {"x": "eA=="}})
    assert "data" not in out and "stringData" not in out


def test_reduce_config_names_integrations_only() -> None:
    text = (UPSTREAM / "alertmanager/config/testdata/conf.good.yml").read_text()
    reduced = reduce_config(text)
    assert reduced["route_receiver"] == "team-X-mails"
    assert {"name": "pushover-receiver", "integrations": ["pushover"]} in reduced["receivers"]
    assert "mysecret" not in json.dumps(reduced)


def test_reduce_config_error_never_quotes_the_config() -> None:
    with pytest.raises(ConfigUnreadable) as err:
        reduce_config("receivers:\n  - name: x\n    slack_configs: [{api_url: 'https://tok'\n")
    assert "tok" not in str(err.value)


def test_workload_env_values_are_blanked_but_switches_and_refs_stay() -> None:
    from readiness.collect.slim import slim

    dep: dict[str, Any] = {
        "metadata": {"name": "api", "namespace": "shop"},
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {
                            "name": "api",
                            "env": [
                                {"name": "DB_PASSWORD", "value": "hunter2-very-secret"},
                                {"name": "FEATURE_X", "value": "true"},
                                {
                                    "name": "TOKEN",
                                    "valueFrom": {"secretKeyRef": {"name": "t", "key": "k"}},
                                },
                            ],
                        }
                    ]
                }
            }
        },
    }
    out = slim("deployments", dep)
    env = out["spec"]["template"]["spec"]["containers"][0]["env"]
    assert env[0] == {"name": "DB_PASSWORD", "value": ""}
    assert env[1] == {"name": "FEATURE_X", "value": "true"}
    assert env[2]["valueFrom"]["secretKeyRef"]["name"] == "t"
    assert "hunter2" not in repr(out)
    assert (
        dep["spec"]["template"]["spec"]["containers"][0]["env"][0]["value"] == "hunter2-very-secret"
    )
    cron = {
        "spec": {
            "jobTemplate": {
                "spec": {
                    "template": {
                        "spec": {
                            "containers": [{"name": "c", "env": [{"name": "K", "value": "s3cr3t"}]}]
                        }
                    }
                }
            }
        }
    }
    slimmed = slim("cronjobs", cron)
    assert (
        slimmed["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["env"][0][
            "value"
        ]
        == ""
    )


# -- GitOps objects: inline values are where credentials hide ---------------------------

HELMRELEASE = "flux2-kustomize-helm-example/apps/base/podinfo/release.yaml"
ARGO_APP = "argo-cd/docs/operator-manual/application.yaml"


def test_helmrelease_inline_values_are_dropped_but_rollback_settings_stay() -> None:
    raw = copy.deepcopy(one(HELMRELEASE))
    raw["spec"]["values"]["redis"]["password"] = "hunter2-redis"
    raw["spec"]["upgrade"]["remediation"] = {"retries": 3, "strategy": "rollback"}
    out = slim("helmreleases.helm.toolkit.fluxcd.io", raw)
    assert "hunter2-redis" not in json.dumps(out)
    assert out["spec"]["values"] == {}
    assert out["spec"]["upgrade"]["remediation"]["strategy"] == "rollback"
    assert out["spec"]["chart"] == raw["spec"]["chart"]
    assert raw["spec"]["values"]["redis"]["password"] == "hunter2-redis"  # input untouched


def test_argo_application_helm_and_plugin_values_are_blanked_everywhere() -> None:
    raw = copy.deepcopy(one(ARGO_APP))
    source = raw["spec"]["source"]
    source["helm"]["parameters"][0]["value"] = "db-password-123"
    source["helm"]["valuesObject"]["ingress"]["token"] = "values-object-secret"
    source["helm"]["values"] += "apiKey: values-text-secret\n"
    source["plugin"]["env"][0]["value"] = "plugin-env-secret"
    # Argo CD copies the source into status; the copy must not leak either.
    raw["status"] = {
        "sync": {"status": "Synced", "comparedTo": {"source": copy.deepcopy(source)}},
        "history": [{"id": 1, "revision": "abc", "source": copy.deepcopy(source)}],
    }
    out = slim("applications.argoproj.io", raw)
    text = json.dumps(out)
    for secret in ("db-password-123", "values-object-secret", "values-text-secret"):
        assert secret not in text
    assert "plugin-env-secret" not in text and "example-string" not in text
    helm = out["spec"]["source"]["helm"]
    assert helm["parameters"][0] == {"name": source["helm"]["parameters"][0]["name"], "value": ""}
    assert helm["releaseName"] == "guestbook" and "values" not in helm
    assert out["spec"]["syncPolicy"] == raw["spec"]["syncPolicy"]
    assert out["status"]["sync"]["status"] == "Synced"
    assert out["spec"]["revisionHistoryLimit"] == raw["spec"]["revisionHistoryLimit"]


def test_flux_kustomization_substitutions_keep_names_only() -> None:
    raw = {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": "apps", "namespace": "flux-system"},
        "spec": {
            "interval": "10m",
            "path": "./apps",
            "postBuild": {
                "substitute": {"cluster_env": "prod", "db_password": "s3cr3t"},
                "substituteFrom": [{"kind": "Secret", "name": "vars"}],
            },
        },
    }
    out = slim("kustomizations.kustomize.toolkit.fluxcd.io", raw)
    assert out["spec"]["postBuild"]["substitute"] == {"cluster_env": "", "db_password": ""}
    assert out["spec"]["postBuild"]["substituteFrom"] == [{"kind": "Secret", "name": "vars"}]
    assert "s3cr3t" not in json.dumps(out)


def test_credential_flags_in_args_are_blanked_but_switches_stay() -> None:
    from readiness.collect.slim import slim

    ds = {
        "metadata": {"name": "agent", "namespace": "kube-system"},
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {
                            "name": "agent",
                            "command": ["/agent", "--api-key=abc123supersecret"],
                            "args": [
                                "--enable-network-policy=true",
                                "--db-password=hunter2",
                                "--auth_token=xyz",
                                "--token-file=/var/run/token",
                                "--verbose",
                            ],
                        }
                    ]
                }
            }
        },
    }
    c = slim("daemonsets", ds)["spec"]["template"]["spec"]["containers"][0]
    assert c["args"] == [
        "--enable-network-policy=true",
        "--db-password=",
        "--auth_token=",
        "--token-file=",
        "--verbose",
    ]
    assert c["command"] == ["/agent", "--api-key="]
