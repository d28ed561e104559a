"""Week 1 monitoring checks against upstream kube-prometheus / Prometheus Operator objects."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from checks import monitoring
from readiness.keys import known_keys
from readiness.model import Check, Result, Status
from readiness.runner import run_check
from readiness.snapshot import not_installed, unavailable
from tests.snap import UPSTREAM, details, ds_status, make_snapshot, one, upstream

KP = "kube-prometheus/manifests"
ARGO_PROM = "argo-cd/resource_customizations/monitoring.coreos.com/Prometheus/testdata"
PO = "prometheus-operator"

PROMS = "prometheuses.monitoring.coreos.com"
AMS = "alertmanagers.monitoring.coreos.com"
AMCS = "alertmanagerconfigs.monitoring.coreos.com"
RULES = "prometheusrules.monitoring.coreos.com"
DASHBOARDS = "grafanadashboards.grafana.integreatly.org"


# -- builders ---------------------------------------------------------------------------


def node(n: int, **extra_labels: str) -> dict[str, Any]:
    lab = {"kubernetes.io/os": "linux", "topology.kubernetes.io/zone": f"eu-west-1{'abc'[n % 3]}"}
    lab.update(extra_labels)
    return {
        "metadata": {"name": f"ip-10-0-{n}-10.eu-west-1.compute.internal", "labels": lab},
        "status": {"conditions": [{"type": "Ready", "status": "True"}]},
    }


NODES = [node(1), node(2), node(3), node(4, **{"eks.amazonaws.com/compute-type": "fargate"})]


def deploy_status(obj: dict[str, Any], ready: int | None = None) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    want = out["spec"].get("replicas", 1)
    ready = want if ready is None else ready
    out["status"] = {
        "observedGeneration": 1,
        "replicas": want,
        "updatedReplicas": want,
        "readyReplicas": ready,
        "availableReplicas": ready,
    }
    return out


def node_exporter(ready: int = 3, desired: int = 3) -> dict[str, Any]:
    return ds_status(one(f"{KP}/nodeExporter-daemonset.yaml"), desired, ready)


def ksm(ready: int | None = None) -> dict[str, Any]:
    return deploy_status(one(f"{KP}/kubeStateMetrics-deployment.yaml"), ready)


def prom(case: str = "healthy") -> dict[str, Any]:
    return one(f"{ARGO_PROM}/{case}.yaml")


def run(chk: Check, **entries: Any) -> Result:
    return run_check(chk, make_snapshot(entries), strict=True)


def prom_entries(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        PROMS: [prom()],
        "statefulsets": [],
        "deployments": [ksm()],
        "daemonsets": [node_exporter()],
        "nodes": NODES,
        "amp:workspaces": {"workspaces": [], "scrapers": []},
    }
    base.update(over)
    return base


WS_ARN = "arn:aws:aps:eu-west-1:123456789012:workspace/ws-0a1b2c3d-4e5f-6789-abcd-ef0123456789"


def amp(scraper_cluster: str = "prod", scraper_state: str = "ACTIVE") -> dict[str, Any]:
    cluster_arn = f"arn:aws:eks:eu-west-1:123456789012:cluster/{scraper_cluster}"
    return {
        "workspaces": [
            {
                "workspaceId": "ws-0a1b2c3d-4e5f-6789-abcd-ef0123456789",
                "alias": "prod-metrics",
                "arn": WS_ARN,
                "status": {"statusCode": "ACTIVE"},
                "createdAt": "2026-11-01T10:00:00Z",
            }
        ],
        "scrapers": [
            {
                "scraperId": "s-1234abcd-56ef-7890-abcd-1234ef567890",
                "alias": "prod-scraper",
                "arn": "arn:aws:aps:eu-west-1:123456789012:scraper/s-1234abcd",
                "roleArn": "arn:aws:iam::123456789012:role/AmazonPrometheusScraper",
                "status": {"statusCode": scraper_state},
                "source": {
                    "eksConfiguration": {
                        "clusterArn": cluster_arn,
                        "subnetIds": ["subnet-0123456789abcdef0"],
                    }
                },
                "destination": {"ampConfiguration": {"workspaceArn": WS_ARN}},
                "createdAt": "2026-11-01T10:05:00Z",
            }
        ],
    }


# -- contract ---------------------------------------------------------------------------

ALL = [monitoring.prometheus, monitoring.grafana, monitoring.alertmanager, monitoring.alert_rules]


@pytest.mark.parametrize("chk", ALL, ids=lambda c: c.id)
def test_needs_are_known_keys_and_metadata_complete(chk: Check) -> None:
    assert set(chk.needs) <= known_keys()
    assert chk.rationale and chk.remediation and chk.passes


@pytest.mark.parametrize("chk", ALL, ids=lambda c: c.id)
def test_all_unavailable_is_unknown(chk: Check) -> None:
    entries = {k: unavailable(f"forbidden: {k}", f"list {k}") for k in chk.needs}
    assert run_check(chk, make_snapshot(entries)).status is Status.UNKNOWN


# -- monitoring.prometheus --------------------------------------------------------------


def test_prometheus_pass_with_exporters_on_every_non_fargate_node() -> None:
    r = run(monitoring.prometheus, **prom_entries())
    assert r.status is Status.PASS, r.summary
    assert "Prometheus prometheus/prometheus-stack-kube-prom-prometheus" in details(r)
    assert "3/3 ready on 3 nodes" in details(r)  # the Fargate node is not expected


def test_prometheus_warn_names_missing_exporters() -> None:
    r = run(
        monitoring.prometheus,
        **prom_entries(daemonsets=[node_exporter(ready=2, desired=2)], deployments=[]),
    )
    assert r.status is Status.WARN
    assert "node-exporter not ready on all 3 nodes" in r.summary
    assert "kube-state-metrics missing" in r.summary


def test_prometheus_warn_when_ksm_not_ready_and_node_exporter_absent() -> None:
    r = run(monitoring.prometheus, **prom_entries(daemonsets=[], deployments=[ksm(ready=0)]))
    assert r.status is Status.WARN
    assert "node-exporter missing" in r.summary and "kube-state-metrics not ready" in r.summary


def test_prometheus_degraded_cr_is_warn() -> None:
    r = run(monitoring.prometheus, **prom_entries(**{PROMS: [prom("progressing")]}))
    assert r.status is Status.WARN
    assert "degraded" in r.summary
    assert "Available=Degraded" in details(r)


def test_prometheus_available_for_an_older_generation_is_degraded() -> None:
    """Available=True stamped with observedGeneration 45 while the spec is at 46: the
    operator has not rolled out the current spec, so the server is not proven healthy."""
    cr = copy.deepcopy(prom())
    cr["status"]["conditions"][0]["observedGeneration"] = 45
    r = run(monitoring.prometheus, **prom_entries(**{PROMS: [cr]}))
    assert r.status is Status.WARN, r.summary
    assert "Prometheus degraded" in r.summary
    assert "status is for generation 45, spec is generation 46" in details(r)


def test_prometheus_unavailable_cr_is_fail() -> None:
    r = run(monitoring.prometheus, **prom_entries(**{PROMS: [prom("degraded")]}))
    assert r.status is Status.FAIL
    assert "no running Prometheus server" in r.summary
    assert "NoPodReady" in details(r)


def test_prometheus_status_doc_block_sharded_available() -> None:
    block = one(
        f"{PO}/Documentation/proposals/implemented/202409-status-subresource.md.block-2.yaml"
    )
    r = run(monitoring.prometheus, **prom_entries(**{PROMS: [block]}))
    assert r.status is Status.PASS
    assert "Available=True, 4/4" in details(r)


def test_prometheus_without_status_judged_by_owned_statefulset() -> None:
    cr = one(f"{KP}/prometheus-prometheus.yaml")  # no status: older operator
    sts = {
        "metadata": {
            "name": "prometheus-k8s",
            "namespace": "monitoring",
            "labels": {
                "app.kubernetes.io/name": "prometheus",
                "operator.prometheus.io/name": "k8s",
            },
            "ownerReferences": [
                {"apiVersion": "monitoring.coreos.com/v1", "kind": "Prometheus", "name": "k8s"}
            ],
        },
        "spec": {"replicas": 2},
        "status": {"replicas": 2, "readyReplicas": 2, "availableReplicas": 2},
    }
    r = run(monitoring.prometheus, **prom_entries(**{PROMS: [cr]}, statefulsets=[sts]))
    assert r.status is Status.PASS
    assert "StatefulSet monitoring/prometheus-k8s 2/2 ready" in details(r)


def test_helm_instance_label_does_not_make_grafana_a_prometheus() -> None:
    graf = deploy_status(one(f"{KP}/grafana-deployment.yaml"))
    graf["metadata"]["labels"]["app.kubernetes.io/instance"] = "prometheus"
    r = run(monitoring.prometheus, **prom_entries(**{PROMS: []}, deployments=[graf, ksm()]))
    assert r.status is Status.FAIL
    assert "no Prometheus server found" in r.summary


def test_prometheus_amp_workspace_with_scraper_counts() -> None:
    r = run(monitoring.prometheus, **prom_entries(**{PROMS: [], "amp:workspaces": amp()}))
    assert r.status is Status.PASS
    assert "amp:scraper prod-scraper" in details(r)


def test_prometheus_amp_workspace_without_collector_for_this_cluster_fails() -> None:
    r = run(monitoring.prometheus, **prom_entries(**{PROMS: [], "amp:workspaces": amp("staging")}))
    assert r.status is Status.FAIL
    assert "ACTIVE workspace prod-metrics but no collector" in details(r)


def test_prometheus_amp_unreadable_but_in_cluster_server_decides() -> None:
    denied = unavailable("AccessDenied: aps:ListWorkspaces", "aps:ListWorkspaces, aps:ListScrapers")
    r = run(monitoring.prometheus, **prom_entries(**{"amp:workspaces": denied}))
    assert r.status is Status.PASS
    assert "Available=True" in details(r)
    assert "amp:workspaces" not in details(r)


def test_prometheus_unknown_when_no_server_and_amp_unreadable() -> None:
    denied = unavailable("AccessDenied: aps:ListWorkspaces", "aps:ListWorkspaces, aps:ListScrapers")
    r = run_check(
        monitoring.prometheus, make_snapshot(prom_entries(**{PROMS: [], "amp:workspaces": denied}))
    )
    assert r.status is Status.UNKNOWN
    assert "aps:ListWorkspaces" in r.summary


def test_prometheus_unknown_when_statefulsets_forbidden() -> None:
    entries = prom_entries(
        statefulsets=unavailable("forbidden: list statefulsets", "list statefulsets")
    )
    r = run_check(monitoring.prometheus, make_snapshot(entries))
    assert r.status is Status.UNKNOWN
    assert "list statefulsets" in r.summary


# -- monitoring.grafana -----------------------------------------------------------------


def slim_dashboards(cms: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What the collector keeps of a dashboard ConfigMap: each value reduced to a small JSON
    string with title/uid/tags (done here so the test does not depend on the collector)."""
    out = []
    for cm in cms:
        cm = copy.deepcopy(cm)
        for key, value in cm["data"].items():
            doc = json.loads(value)
            keep = {"title": doc.get("title"), "uid": doc.get("uid"), "tags": doc.get("tags", [])}
            cm["data"][key] = json.dumps(keep)
        out.append(cm)
    return out


DASHBOARD_CMS = slim_dashboards(upstream(f"{KP}/grafana-dashboardDefinitions.yaml", "ConfigMap"))


def grafana_entries(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "deployments": [deploy_status(one(f"{KP}/grafana-deployment.yaml"))],
        "statefulsets": [],
        "configmaps": DASHBOARD_CMS,
        DASHBOARDS: [],
        "grafana:workspaces": [],
    }
    base.update(over)
    return base


def by_title(*titles: str) -> list[dict[str, Any]]:
    return [
        cm
        for cm in DASHBOARD_CMS
        if any(json.loads(v)["title"] in titles for v in cm["data"].values())
    ]


def test_grafana_pass_with_kube_prometheus_mounted_dashboards() -> None:
    assert len(DASHBOARD_CMS) == 33
    r = run(monitoring.grafana, **grafana_entries())
    assert r.status is Status.PASS, r.summary
    assert "33 dashboards" in r.summary
    assert "Kubernetes / Compute Resources / Cluster" in details(r)


def test_grafana_pass_with_sidecar_label_and_no_mounts() -> None:
    graf = deploy_status(one(f"{KP}/grafana-deployment.yaml"))
    graf["spec"]["template"]["spec"]["volumes"] = []
    cms = copy.deepcopy(
        by_title("Kubernetes / Compute Resources / Cluster", "Node Exporter / Nodes")
    )
    for cm in cms:
        cm["metadata"]["labels"]["grafana_dashboard"] = "1"
    r = run(monitoring.grafana, **grafana_entries(deployments=[graf], configmaps=cms))
    assert r.status is Status.PASS
    assert "2 dashboards" in r.summary


def test_grafana_unlabelled_unmounted_configmaps_are_not_dashboards() -> None:
    graf = deploy_status(one(f"{KP}/grafana-deployment.yaml"))
    graf["spec"]["template"]["spec"]["volumes"] = []
    r = run(monitoring.grafana, **grafana_entries(deployments=[graf]))
    assert r.status is Status.WARN
    assert "no dashboards" in r.summary


def test_grafana_warn_partial_dashboards() -> None:
    r = run(monitoring.grafana, **grafana_entries(configmaps=by_title("Alertmanager / Overview")))
    assert r.status is Status.WARN
    assert "missing: cluster view, node/pod resource view" in r.summary


def test_grafana_title_from_key_when_value_was_dropped() -> None:
    cms = copy.deepcopy(
        by_title("Kubernetes / Compute Resources / Cluster", "Node Exporter / Nodes")
    )
    for cm in cms:
        cm["data"] = {k: "" for k in cm["data"]}  # too big: the collector kept no value
    r = run(monitoring.grafana, **grafana_entries(configmaps=cms))
    assert r.status is Status.PASS
    assert "k8s-resources-cluster" in details(r)


def test_grafana_dashboard_crs_count() -> None:
    crs = [
        {
            "apiVersion": "grafana.integreatly.org/v1beta1",
            "kind": "GrafanaDashboard",
            "metadata": {"name": name, "namespace": "grafana"},
            "spec": {
                "instanceSelector": {"matchLabels": {"dashboards": "grafana"}},
                "json": json.dumps({"title": title, "uid": name, "panels": []}),
            },
        }
        for name, title in (
            ("global", "Kubernetes / Views / Global"),
            ("nodes", "Kubernetes / Views / Nodes"),
        )
    ]
    r = run(monitoring.grafana, **grafana_entries(configmaps=[], **{DASHBOARDS: crs}))
    assert r.status is Status.PASS
    assert "GrafanaDashboard grafana/global: Kubernetes / Views / Global" in details(r)


def test_grafana_not_ready_and_no_managed_workspace_fails() -> None:
    graf = deploy_status(one(f"{KP}/grafana-deployment.yaml"), ready=0)
    r = run(monitoring.grafana, **grafana_entries(deployments=[graf]))
    assert r.status is Status.FAIL
    assert "0/1 ready" in details(r)


def test_grafana_absent_fails() -> None:
    r = run(monitoring.grafana, **grafana_entries(deployments=[]))
    assert r.status is Status.FAIL
    assert "no running Grafana" in r.summary


def test_managed_grafana_without_provisioned_dashboards_warns() -> None:
    amg = [{"id": "g-abc123", "name": "prod-grafana", "status": "ACTIVE", "grafanaVersion": "10.4"}]
    r = run(
        monitoring.grafana,
        **grafana_entries(deployments=[], configmaps=[], **{"grafana:workspaces": amg}),
    )
    assert r.status is Status.WARN
    assert "grafana:workspace prod-grafana" in details(r)


def test_grafana_unknown_when_managed_grafana_unreadable_and_none_in_cluster() -> None:
    denied = unavailable("AccessDenied", "grafana:ListWorkspaces")
    entries = grafana_entries(deployments=[], **{"grafana:workspaces": denied})
    r = run_check(monitoring.grafana, make_snapshot(entries))
    assert r.status is Status.UNKNOWN
    assert "grafana:ListWorkspaces" in r.summary


# -- monitoring.alertmanager ------------------------------------------------------------


def am(available: str | None = "True") -> dict[str, Any]:
    obj = one(f"{KP}/alertmanager-alertmanager.yaml")
    if available is not None:
        obj["status"] = {
            "availableReplicas": 3 if available == "True" else 0,
            "replicas": 3,
            "updatedReplicas": 3,
            "unavailableReplicas": 0 if available == "True" else 3,
            "paused": False,
            "conditions": [
                {
                    "type": "Available",
                    "status": available,
                    "lastTransitionTime": "2026-11-20T10:00:00Z",
                },
                {
                    "type": "Reconciled",
                    "status": "True",
                    "lastTransitionTime": "2026-11-20T10:00:00Z",
                },
            ],
        }
    return obj


# The collector's reduction of kube-prometheus's alertmanager-secret.yaml.
DEFAULT_RECEIVERS: dict[str, Any] = {
    "alertmanager": "monitoring/main",
    "source": "Secret monitoring/alertmanager-main",
    "route_receiver": "Default",
    "receivers": [
        {"name": "Default", "integrations": []},
        {"name": "Watchdog", "integrations": []},
        {"name": "Critical", "integrations": []},
        {"name": "null", "integrations": []},
    ],
    "error": None,
}


def amc(namespace: str = "monitoring") -> dict[str, Any]:
    obj = one(f"{PO}/example/user-guides/alerting/alertmanager-config-example.yaml")
    obj["metadata"]["namespace"] = namespace
    return obj


def am_entries(**over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        AMS: [am()],
        "statefulsets": [],
        "kube:alertmanager-receivers": [DEFAULT_RECEIVERS],
        AMCS: [],
        "namespaces": [],
    }
    base.update(over)
    return base


def test_alertmanager_default_receivers_only_warns() -> None:
    r = run(monitoring.alertmanager, **am_entries())
    assert r.status is Status.WARN
    assert "Default (no integration)" in r.summary


def test_alertmanager_real_receiver_in_config_passes() -> None:
    fact = copy.deepcopy(DEFAULT_RECEIVERS)
    fact["receivers"][2]["integrations"] = ["pagerduty", "slack"]
    r = run(monitoring.alertmanager, **am_entries(**{"kube:alertmanager-receivers": [fact]}))
    assert r.status is Status.PASS
    assert "Critical (pagerduty, slack)" in r.summary


def test_alertmanager_selected_alertmanagerconfig_passes_without_leaking_url() -> None:
    r = run(monitoring.alertmanager, **am_entries(**{AMCS: [amc()]}))
    assert r.status is Status.PASS
    assert "webhook (webhook)" in r.summary
    assert "example.com" not in details(r) + r.summary


def test_alertmanagerconfig_not_selected_without_selector() -> None:
    manager = am()
    del manager["spec"]["alertmanagerConfigSelector"]
    r = run(monitoring.alertmanager, **am_entries(**{AMS: [manager], AMCS: [amc()]}))
    assert r.status is Status.WARN
    assert "AlertmanagerConfig" not in details(r)


def test_alertmanagerconfig_other_namespace_needs_namespace_selector() -> None:
    r = run(monitoring.alertmanager, **am_entries(**{AMCS: [amc("team-a")]}))
    assert r.status is Status.WARN  # nil namespace selector: own namespace only
    manager = am()
    manager["spec"]["alertmanagerConfigNamespaceSelector"] = {"matchLabels": {"alerting": "on"}}
    ns = [{"metadata": {"name": "team-a", "labels": {"alerting": "on"}}}]
    r = run(
        monitoring.alertmanager,
        **am_entries(**{AMS: [manager], AMCS: [amc("team-a")]}, namespaces=ns),
    )
    assert r.status is Status.PASS
    assert "AlertmanagerConfig team-a/config-example" in details(r)


def test_alertmanager_real_receiver_decides_even_if_config_secret_unreadable() -> None:
    denied = unavailable("forbidden: get secrets", "get secrets")
    r = run(
        monitoring.alertmanager,
        **am_entries(**{AMCS: [amc()], "kube:alertmanager-receivers": denied}),
    )
    assert r.status is Status.PASS
    assert "real receiver" in r.summary
    assert any(e.ref.startswith("AlertmanagerConfig ") for e in r.evidence)


def test_alertmanager_unknown_when_config_unreadable_and_no_real_receiver() -> None:
    denied = unavailable(
        "forbidden: get secrets", "get secrets (only each Alertmanager's config Secret)"
    )
    r = run_check(
        monitoring.alertmanager,
        make_snapshot(am_entries(**{"kube:alertmanager-receivers": denied})),
    )
    assert r.status is Status.UNKNOWN
    assert "get secrets" in r.summary


def test_alertmanager_not_available_fails() -> None:
    r = run(monitoring.alertmanager, **am_entries(**{AMS: [am("False")]}))
    assert r.status is Status.FAIL
    assert "not running" in r.summary


def test_alertmanager_absent_fails() -> None:
    r = run(monitoring.alertmanager, **am_entries(**{AMS: []}))
    assert r.status is Status.FAIL
    assert "no Alertmanager found" in r.summary


def test_alertmanager_without_status_uses_owned_statefulset() -> None:
    sts = {
        "metadata": {
            "name": "alertmanager-main",
            "namespace": "monitoring",
            "labels": {"app.kubernetes.io/name": "alertmanager", "alertmanager": "main"},
            "ownerReferences": [
                {"apiVersion": "monitoring.coreos.com/v1", "kind": "Alertmanager", "name": "main"}
            ],
        },
        "spec": {"replicas": 3},
        "status": {"replicas": 3, "readyReplicas": 3},
    }
    r = run(monitoring.alertmanager, **am_entries(**{AMS: [am(None)]}, statefulsets=[sts]))
    assert r.status is Status.WARN  # running, default receivers only
    assert "3/3 ready" in details(r)


def test_alertmanager_not_managed_by_operator_is_unknown() -> None:
    sts = {
        "metadata": {
            "name": "prometheus-alertmanager",
            "namespace": "prometheus",
            "labels": {"app.kubernetes.io/name": "alertmanager"},
        },
        "spec": {"replicas": 1},
        "status": {"replicas": 1, "readyReplicas": 1},
    }
    r = run(
        monitoring.alertmanager,
        **am_entries(**{AMS: []}, statefulsets=[sts], **{"kube:alertmanager-receivers": []}),
    )
    assert r.status is Status.UNKNOWN
    assert "not managed by the Prometheus Operator" in r.summary


# -- monitoring.alert-rules -------------------------------------------------------------


def kp_rules(*names: str) -> list[dict[str, Any]]:
    return [one(f"{KP}/{n}-prometheusRule.yaml") for n in names]


def rule_entries(rules: list[dict[str, Any]], **over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        RULES: rules,
        PROMS: [one(f"{KP}/prometheus-prometheus.yaml")],
        "namespaces": [],
    }
    base.update(over)
    return base


def test_alert_rules_kube_prometheus_covers_all_categories() -> None:
    rules = kp_rules("kubernetesControlPlane", "nodeExporter", "kubePrometheus", "prometheus")
    r = run(monitoring.alert_rules, **rule_entries(rules))
    assert r.status is Status.PASS, r.summary
    assert "of 4 PrometheusRules" in r.summary
    d = details(r)
    assert "KubeNodeNotReady" in d and "KubePodCrashLooping" in d
    assert "KubeClientCertificateExpiration" in d


def test_alert_rules_partial_lists_missing() -> None:
    r = run(monitoring.alert_rules, **rule_entries(kp_rules("nodeExporter")))
    assert r.status is Status.WARN
    assert "missing alerts for node down, pod crash loops, certificate expiry" in r.summary


def test_alert_rules_example_rule_covers_nothing() -> None:
    example = one(f"{PO}/example/user-guides/alerting/prometheus-example-rules.yaml")
    example["metadata"]["namespace"] = "monitoring"
    r = run(monitoring.alert_rules, **rule_entries([example]))
    assert r.status is Status.FAIL
    assert "1 alerting rule in 1 group" in r.summary


def test_alert_rules_not_selected_by_prometheus_do_not_count() -> None:
    server = one(f"{KP}/prometheus-prometheus.yaml")
    server["spec"]["ruleSelector"] = {"matchLabels": {"release": "kube-prometheus-stack"}}
    rules = kp_rules("kubernetesControlPlane", "nodeExporter")
    r = run(monitoring.alert_rules, **rule_entries(rules, **{PROMS: [server]}))
    assert r.status is Status.FAIL
    assert "2 more not selected" in r.summary
    assert "not selected by any Prometheus ruleSelector" in details(r)


def test_alert_rules_crd_not_installed_fails() -> None:
    entries = rule_entries([], **{RULES: not_installed("monitoring.coreos.com is not served")})
    r = run(monitoring.alert_rules, **entries)
    assert r.status is Status.FAIL
    assert "CRD not installed" in r.summary


def test_alert_rules_unknown_when_forbidden() -> None:
    entries = rule_entries(
        [],
        **{
            RULES: unavailable(
                "forbidden: list prometheusrules", "list prometheusrules.monitoring.coreos.com"
            )
        },
    )
    r = run_check(monitoring.alert_rules, make_snapshot(entries))
    assert r.status is Status.UNKNOWN
    assert "prometheusrules" in r.summary


def test_categorise_recognises_expressions_not_only_names() -> None:
    rules = [
        {
            "alert": "MyPodsKeepDying",
            "expr": 'kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"} > 0',
        },
        {
            "alert": "TLSSoon",
            "expr": "certmanager_certificate_expiration_timestamp_seconds - time() < 86400 * 14",
        },
    ]
    out = monitoring.categorise(rules)
    assert out["pod crash loops"] == ["MyPodsKeepDying"]
    assert out["certificate expiry"] == ["TLSSoon"]
    assert out["node down"] == []


# -- through the real collector reductions ------------------------------------------------


def test_grafana_through_collector_slimming_of_unlabelled_dashboards() -> None:
    """kube-prometheus dashboards carry no grafana_dashboard label: the collector keeps
    small .json values whole and blanks big ones; titles or key names still identify them."""
    from readiness.collect.slim import slim

    cms = [slim("configmaps", cm) for cm in upstream(f"{KP}/grafana-dashboardDefinitions.yaml")]
    r = run(monitoring.grafana, **grafana_entries(configmaps=cms))
    assert r.status is Status.PASS, r.summary
    assert "33 dashboards" in r.summary


def reduced(text: str) -> dict[str, Any]:
    from readiness.collect.alertmanager import reduced_item

    return reduced_item("monitoring/main", "Secret monitoring/alertmanager-main", text)


def test_alertmanager_through_collector_kube_prometheus_default_secret_warns() -> None:
    secret = one(f"{KP}/alertmanager-secret.yaml")
    fact = [reduced(secret["stringData"]["alertmanager.yaml"])]
    r = run(monitoring.alertmanager, **am_entries(**{"kube:alertmanager-receivers": fact}))
    assert r.status is Status.WARN
    assert "null (no integration)" in details(r)


def test_alertmanager_through_collector_upstream_config_with_integrations_passes() -> None:
    text = (UPSTREAM / "alertmanager/config/testdata/conf.good.yml").read_text()
    r = run(
        monitoring.alertmanager, **am_entries(**{"kube:alertmanager-receivers": [reduced(text)]})
    )
    assert r.status is Status.PASS
    assert "team-X-mails (email)" in r.summary
    assert "example.org" not in details(r) + r.summary


def test_alertmanager_real_receiver_that_no_route_uses_does_not_count() -> None:
    """A Slack receiver nothing routes to never gets an alert: the root route still ends in
    a receiver without integrations, so Alertmanager is running but notifies nobody."""
    text = """
route:
  receiver: "null"
  routes:
    - matchers: [severity="none"]
      receiver: "null"
receivers:
  - name: "null"
  - name: slack-unused
    slack_configs:
      - channel: "#alerts"
"""
    fact = reduced(text)
    assert fact["routed"] == ["null"]
    r = run(monitoring.alertmanager, **am_entries(**{"kube:alertmanager-receivers": [fact]}))
    assert r.status is Status.WARN
    assert "slack-unused" not in r.summary
    routed = reduced(text.replace('receiver: "null"\n  routes', "receiver: slack-unused\n  routes"))
    assert routed["routed"] == ["null", "slack-unused"]
    r = run(monitoring.alertmanager, **am_entries(**{"kube:alertmanager-receivers": [routed]}))
    assert r.status is Status.PASS
