"""Week 2 logging checks over upstream shapes: the Container Insights quick start (cwagent +
Fluent Bit DaemonSets and ConfigMaps), aws-for-fluent-bit's CloudWatch use case, aws-cli
outputs of describe-cluster / describe-addon / describe-log-groups and the Kubernetes
website's Pod Security namespaces."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest
import yaml

from checks import logging as lg
from readiness.model import Status
from readiness.runner import run_check
from readiness.snapshot import Parameters, unavailable
from tests.snap import NOW, UPSTREAM, ds_status, make_snapshot, one, upstream

CI = (
    "amazon-cloudwatch-container-insights/k8s-deployment-manifest-templates/deployment-mode/"
    "daemonset/container-insights-monitoring/"
)
QUICKSTART = CI + "quickstart/cwagent-fluent-bit-quickstart-enhanced.yaml"
CWAGENT = CI + "cwagent/cwagent-daemonset.yaml"
AWS_FLUENT_BIT = "aws-for-fluent-bit/use_cases/k8s-metadata-customize-cw/fluent-bit.yaml"
DESCRIBE_CLUSTER = "aws-cli/awscli/examples/eks/describe-cluster.rst.output-1.json"
DESCRIBE_ADDON = "aws-cli/awscli/examples/eks/describe-addon.rst.output-1.json"
LOG_GROUPS = "aws-cli/awscli/examples/logs/describe-log-groups.rst.output-1.json"
PSA = "kubernetes-website/content/en/examples/security/podsecurity-{}.yaml"

# The quick start is a template: the documented sed step replaces these before kubectl apply.
QUICKSTART_VALUES = {
    "{{cluster_name}}": "prod",
    "{{region_name}}": "eu-west-1",
    "{{http_server_toggle}}": '"On"',
    "{{http_server_port}}": '"2020"',
    "{{read_from_head}}": '"Off"',
    "{{read_from_tail}}": '"On"',
}


def quickstart(kind: str) -> list[dict[str, Any]]:
    text = (UPSTREAM / QUICKSTART).read_text()
    for placeholder, value in QUICKSTART_VALUES.items():
        text = text.replace(placeholder, value)
    docs = [d for d in yaml.safe_load_all(text) if isinstance(d, dict)]
    return [d for d in docs if d.get("kind") == kind]


def node(name: str, fargate: bool = False) -> dict[str, Any]:
    labels = {"kubernetes.io/os": "linux", "kubernetes.io/hostname": name}
    if fargate:
        labels["eks.amazonaws.com/compute-type"] = "fargate"
    return {"metadata": {"name": name, "labels": labels}, "spec": {}, "status": {}}


NODES = [node(f"ip-10-0-{i}-10.eu-west-1.compute.internal") for i in range(3)]


def cwagent(desired: int = 3, ready: int = 3) -> dict[str, Any]:
    return ds_status(one(CWAGENT, "DaemonSet"), desired, ready)


def fluent_bit(desired: int = 3, ready: int = 3) -> dict[str, Any]:
    return ds_status(quickstart("DaemonSet")[1], desired, ready)


def log_group(name: str, retention: int | None = 30) -> dict[str, Any]:
    g = copy.deepcopy(one(LOG_GROUPS)["logGroups"][0])
    g["logGroupName"] = name
    g["arn"] = f"arn:aws:logs:eu-west-1:111122223333:log-group:{name}:*"
    if retention is None:
        g.pop("retentionInDays")
    else:
        g["retentionInDays"] = retention
    return g


def addon(name: str, status: str = "ACTIVE", config: str | None = None) -> dict[str, Any]:
    a = copy.deepcopy(one(DESCRIBE_ADDON)["addon"])
    a["addonName"] = name
    a["status"] = status
    if config is not None:
        a["configurationValues"] = config
    return a


def ago(minutes: float) -> str:
    return (NOW - dt.timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")


def test_quickstart_template_is_substituted() -> None:
    assert quickstart("ConfigMap")[1]["data"]["cluster.name"] == "prod"
    assert [d["metadata"]["name"] for d in quickstart("DaemonSet")] == [
        "cloudwatch-agent",
        "fluent-bit",
    ]


# -- logging.container-insights ----------------------------------------------------------------


def ci_snap(**over: Any) -> Any:
    entries: dict[str, Any] = {
        "eks:addons": [addon("amazon-cloudwatch-observability"), addon("vpc-cni")],
        "daemonsets": [],
        "nodes": NODES,
        "logs:log-groups": [
            log_group("/aws/containerinsights/prod/performance", 1),
            log_group("/aws/containerinsights/other/performance", 1),
        ],
    }
    entries.update(over)
    return make_snapshot(entries)


def test_container_insights_pass_with_active_addon() -> None:
    r = run_check(lg.container_insights, ci_snap())
    assert r.status is Status.PASS
    assert "amazon-cloudwatch-observability ACTIVE" in r.summary
    refs = [e.ref for e in r.evidence]
    assert "log group /aws/containerinsights/prod/performance" in refs
    assert "log group /aws/containerinsights/other/performance" not in refs


def test_container_insights_decides_from_daemonset_when_addons_unreadable() -> None:
    snap = ci_snap(
        **{
            "eks:addons": unavailable("AccessDenied: eks:ListAddons", "eks:ListAddons"),
            "daemonsets": [cwagent()],
        }
    )
    r = run_check(lg.container_insights, snap)
    assert r.status is Status.PASS
    assert "CloudWatch agent ready on every node" in r.summary
    assert any("3/3 ready on 3 nodes" in e.detail for e in r.evidence)


def test_container_insights_ignores_fargate_nodes() -> None:
    snap = ci_snap(
        **{
            "eks:addons": [],
            "daemonsets": [cwagent()],
            "nodes": NODES + [node("fargate-ip-1", True)],
        }
    )
    r = run_check(lg.container_insights, snap)
    assert r.status is Status.PASS
    assert r.evidence[0].detail == "3/3 ready on 3 nodes"


def test_container_insights_warns_when_agent_misses_a_node() -> None:
    snap = ci_snap(**{"eks:addons": [], "daemonsets": [cwagent()], "nodes": NODES + [node("ip-4")]})
    r = run_check(lg.container_insights, snap)
    assert r.status is Status.WARN
    assert "not ready on every node" in r.summary
    assert any("scheduled on 3 of 4 nodes" in e.detail for e in r.evidence)


def test_container_insights_warns_without_log_groups() -> None:
    r = run_check(lg.container_insights, ci_snap(**{"logs:log-groups": []}))
    assert r.status is Status.WARN
    assert "no /aws/containerinsights/<cluster>/performance" in r.summary


def test_container_insights_warns_on_degraded_addon() -> None:
    snap = ci_snap(**{"eks:addons": [addon("amazon-cloudwatch-observability", "DEGRADED")]})
    r = run_check(lg.container_insights, snap)
    assert r.status is Status.WARN
    assert "is DEGRADED" in r.summary


def test_container_insights_fails_when_absent() -> None:
    r = run_check(lg.container_insights, ci_snap(**{"eks:addons": [addon("vpc-cni")]}))
    assert r.status is Status.FAIL
    assert "not installed" in r.summary


def test_container_insights_unknown_when_log_groups_unreadable() -> None:
    snap = ci_snap(**{"logs:log-groups": unavailable("AccessDenied", "logs:DescribeLogGroups")})
    r = run_check(lg.container_insights, snap)
    assert r.status is Status.UNKNOWN
    assert "logs:DescribeLogGroups" in r.summary


# -- logging.forwarder -------------------------------------------------------------------------


def fw_snap(**over: Any) -> Any:
    entries: dict[str, Any] = {
        "daemonsets": [cwagent(), fluent_bit()],
        "configmaps": quickstart("ConfigMap"),
        "nodes": NODES,
        "logs:newest-events": {
            "/aws/containerinsights/prod/application": {
                "logStreamName": "ip-10-0-1-10.eu-west-1.compute.internal-application.var.log",
                "lastEventTime": ago(4),
            },
            "/aws/eks/prod/cluster": {
                "logStreamName": "kube-apiserver-audit-1",
                "lastEventTime": ago(1),
            },
        },
    }
    entries.update(over)
    return make_snapshot(entries)


def test_forwarder_pass_when_logs_arrive() -> None:
    r = run_check(lg.forwarder, fw_snap())
    assert r.status is Status.PASS
    assert r.measured["newest_event_age_minutes"] == 4.0
    fb = next(e for e in r.evidence if e.ref == "DaemonSet amazon-cloudwatch/fluent-bit")
    assert "cloudwatch_logs" in fb.detail
    assert "/aws/containerinsights/${CLUSTER_NAME}/application" in fb.detail


def test_forwarder_pass_with_aws_for_fluent_bit_cloudwatch_plugin() -> None:
    ds = ds_status(one(AWS_FLUENT_BIT, "DaemonSet"), 3, 3)
    snap = fw_snap(daemonsets=[ds], configmaps=upstream(AWS_FLUENT_BIT, "ConfigMap"))
    r = run_check(lg.forwarder, snap)
    assert r.status is Status.PASS
    assert any("CloudWatch output (cloudwatch" in e.detail for e in r.evidence)


def test_forwarder_warns_on_stale_logs_with_measured_age() -> None:
    events = {
        "/aws/containerinsights/prod/application": {"logStreamName": "x", "lastEventTime": ago(180)}
    }
    r = run_check(lg.forwarder, fw_snap(**{"logs:newest-events": events}))
    assert r.status is Status.WARN
    assert "180.0 min old (limit 60 min)" in r.summary
    assert r.measured["newest_event_age_minutes"] == 180.0


def test_forwarder_freshness_follows_rubric_parameter() -> None:
    events = {
        "/aws/containerinsights/prod/application": {"logStreamName": "x", "lastEventTime": ago(180)}
    }
    snap = fw_snap(**{"logs:newest-events": events}).with_params(
        Parameters(log_freshness_minutes=240)
    )
    r = run_check(lg.forwarder, snap)
    assert r.status is Status.PASS
    assert r.measured["newest_event_age_minutes"] == 180.0
    assert "newest event 180.0 min ago" in r.summary


def test_forwarder_warns_without_application_group() -> None:
    events = {"/aws/eks/prod/cluster": {"logStreamName": "a", "lastEventTime": ago(1)}}
    r = run_check(lg.forwarder, fw_snap(**{"logs:newest-events": events}))
    assert r.status is Status.WARN
    assert "no container log events found in CloudWatch" in r.summary
    assert r.measured["newest_event_age_minutes"] is None


def test_forwarder_warns_without_cloudwatch_output() -> None:
    cms = copy.deepcopy(quickstart("ConfigMap"))
    config = next(c for c in cms if c["metadata"]["name"] == "fluent-bit-config")
    for key, text in config["data"].items():
        config["data"][key] = text.replace(
            "Name                cloudwatch_logs", "Name                es"
        )
    r = run_check(lg.forwarder, fw_snap(configmaps=cms))
    assert r.status is Status.WARN
    assert "no CloudWatch output configured" in r.summary


def test_forwarder_warns_when_not_on_every_node() -> None:
    r = run_check(lg.forwarder, fw_snap(daemonsets=[fluent_bit(3, 2)]))
    assert r.status is Status.WARN
    assert "not ready on every node" in r.summary
    assert any("2/3 ready" in e.detail for e in r.evidence)


def test_forwarder_fails_without_forwarder() -> None:
    r = run_check(lg.forwarder, fw_snap(daemonsets=[cwagent()]))
    assert r.status is Status.FAIL
    assert "no log forwarder" in r.summary


def test_forwarder_unknown_when_events_unreadable() -> None:
    snap = fw_snap(
        **{
            "logs:newest-events": unavailable(
                "AccessDenied: DescribeLogStreams", "logs:DescribeLogStreams"
            )
        }
    )
    r = run_check(lg.forwarder, snap)
    assert r.status is Status.UNKNOWN
    assert "proven, not assumed" in r.summary
    assert any(e.detail == "logs:DescribeLogStreams" for e in r.evidence)


def test_cloudwatch_outputs_parses_yaml_and_fluentd_configs() -> None:
    yaml_cfg = "pipeline:\n  outputs:\n    - name: cloudwatch_logs\n      match: '*'\n"
    fluentd = "<match **>\n  @type cloudwatch_logs\n  log_group_name app\n</match>\n"
    assert lg.cloudwatch_outputs({"fluent-bit.yaml": yaml_cfg}) == [("cloudwatch_logs", "")]
    assert lg.cloudwatch_outputs({"fluent.conf": fluentd}) == [("cloudwatch_logs", "")]
    assert lg.cloudwatch_outputs({"fluent-bit.conf": "[OUTPUT]\n    Name es\n"}) == []


# -- logging.control-plane ---------------------------------------------------------------------


def cluster_with(setups: list[dict[str, Any]]) -> dict[str, Any]:
    c = copy.deepcopy(one(DESCRIBE_CLUSTER)["cluster"])
    c["logging"]["clusterLogging"] = setups
    return c


def test_control_plane_pass_on_describe_cluster_output() -> None:
    snap = make_snapshot({"eks:cluster": one(DESCRIBE_CLUSTER)["cluster"]})
    r = run_check(lg.control_plane, snap)
    assert r.status is Status.PASS
    assert r.evidence[0].ref == "eks:cluster my-eks-cluster"
    assert "api, audit, authenticator, controllerManager, scheduler" in r.evidence[0].detail


def test_control_plane_warns_on_audit_only() -> None:
    c = cluster_with(
        [
            {"types": ["audit"], "enabled": True},
            {"types": ["api", "authenticator", "controllerManager", "scheduler"], "enabled": False},
        ]
    )
    r = run_check(lg.control_plane, make_snapshot({"eks:cluster": c}))
    assert r.status is Status.WARN
    assert "missing api, authenticator" in r.summary


def test_control_plane_fails_without_audit() -> None:
    c = cluster_with([{"types": ["api", "audit", "authenticator"], "enabled": False}])
    r = run_check(lg.control_plane, make_snapshot({"eks:cluster": c}))
    assert r.status is Status.FAIL
    assert "audit logging is off (enabled: none)" in r.summary


def test_control_plane_unknown_when_cluster_unreadable() -> None:
    snap = make_snapshot({"eks:cluster": unavailable("AccessDenied", "eks:DescribeCluster")})
    r = run_check(lg.control_plane, snap)
    assert r.status is Status.UNKNOWN
    assert "eks:DescribeCluster" in r.summary


# -- logging.retention -------------------------------------------------------------------------


def test_retention_pass_reports_minimum() -> None:
    groups = [
        log_group("/aws/eks/prod/cluster", 90),
        log_group("/aws/containerinsights/prod/application", 30),
        one(LOG_GROUPS)["logGroups"][0],  # "my-logs", 5 days: not a cluster group
    ]
    r = run_check(lg.retention, make_snapshot({"logs:log-groups": groups}))
    assert r.status is Status.PASS
    assert r.measured["min_retention_days"] == 30
    assert "all 2 cluster log groups" in r.summary


def test_retention_warns_on_never_expire() -> None:
    groups = [
        log_group("/aws/eks/prod/cluster", 90),
        log_group("/aws/containerinsights/prod/host", None),
    ]
    r = run_check(lg.retention, make_snapshot({"logs:log-groups": groups}))
    assert r.status is Status.WARN
    assert "no retention policy (never expire)" in r.summary
    assert r.measured["min_retention_days"] == 90


def test_retention_warns_when_some_groups_are_short() -> None:
    groups = [
        log_group("/aws/eks/prod/cluster", 7),
        log_group("/aws/containerinsights/prod/host", 90),
    ]
    r = run_check(lg.retention, make_snapshot({"logs:log-groups": groups}))
    assert r.status is Status.WARN
    assert "1 of 2 log groups keep logs < 30 days: /aws/eks/prod/cluster" in r.summary
    assert r.measured["min_retention_days"] == 7


def test_retention_fails_when_all_short_or_none() -> None:
    short = [log_group("/aws/eks/prod/cluster", 5)]
    r = run_check(lg.retention, make_snapshot({"logs:log-groups": short}))
    assert r.status is Status.FAIL
    assert "keep logs < 30 days" in r.summary
    r = run_check(lg.retention, make_snapshot({"logs:log-groups": one(LOG_GROUPS)["logGroups"]}))
    assert r.status is Status.FAIL
    assert "no cluster log groups" in r.summary


def test_retention_unknown_when_unreadable() -> None:
    snap = make_snapshot({"logs:log-groups": unavailable("AccessDenied", "logs:DescribeLogGroups")})
    assert run_check(lg.retention, snap).status is Status.UNKNOWN


# -- logging.policy-violations -----------------------------------------------------------------


EKS_ECR = "602401143452.dkr.ecr.eu-west-1.amazonaws.com"


def aws_node(policy_logs: bool) -> dict[str, Any]:
    """The VPC CNI DaemonSet's shape (kube-system/aws-node: aws-node + aws-eks-nodeagent)."""
    flag = "true" if policy_logs else "false"
    return {
        "metadata": {
            "name": "aws-node",
            "namespace": "kube-system",
            "labels": {"k8s-app": "aws-node"},
        },
        "spec": {
            "selector": {"matchLabels": {"k8s-app": "aws-node"}},
            "template": {
                "metadata": {
                    "labels": {"app.kubernetes.io/name": "aws-node", "k8s-app": "aws-node"}
                },
                "spec": {
                    "containers": [
                        {
                            "name": "aws-node",
                            "image": f"{EKS_ECR}/amazon-k8s-cni:v1.18.3-eksbuild.1",
                        },
                        {
                            "name": "aws-eks-nodeagent",
                            "image": f"{EKS_ECR}/amazon/aws-network-policy-agent:v1.1.2-eksbuild.1",
                            "args": [
                                "--enable-ipv6=false",
                                "--enable-network-policy=true",
                                "--enable-cloudwatch-logs=false",
                                f"--enable-policy-event-logs={flag}",
                                "--metrics-bind-addr=:8162",
                                "--health-probe-bind-addr=:8163",
                            ],
                        },
                    ]
                },
            },
        },
        "status": {"desiredNumberScheduled": 3, "numberReady": 3},
    }


def psa_namespaces(*levels: str) -> list[dict[str, Any]]:
    return [one(PSA.format(level), "Namespace") for level in levels] + [
        {"metadata": {"name": "kube-system"}, "spec": {}, "status": {"phase": "Active"}}
    ]


def pv_snap(**over: Any) -> Any:
    entries: dict[str, Any] = {
        "namespaces": psa_namespaces("baseline", "restricted"),
        "daemonsets": [aws_node(True)],
        "deployments": [],
        "eks:addons": [addon("vpc-cni")],
    }
    entries.update(over)
    return make_snapshot(entries)


def test_policy_violations_pass() -> None:
    r = run_check(lg.policy_violations, pv_snap())
    assert r.status is Status.PASS
    assert "audit/warn on 2 of 2 app namespaces" in r.summary
    assert any("aws-eks-nodeagent --enable-policy-event-logs=true" in e.detail for e in r.evidence)


def test_policy_violations_warns_on_unlabelled_namespace() -> None:
    snap = pv_snap(namespaces=psa_namespaces("baseline", "privileged", "restricted"))
    r = run_check(lg.policy_violations, snap)
    assert r.status is Status.WARN
    assert "2 of 3 app namespaces" in r.summary
    assert any(e.ref == "Namespace my-privileged-namespace" for e in r.evidence)


@pytest.mark.parametrize(
    "config",
    [
        # describe-addon's YAML configurationValues with the node agent setting added
        "resources:\n    limits:\n        cpu: '100m'\n"
        "env:\n    AWS_VPC_K8S_CNI_LOGLEVEL: 'DEBUG'\n"
        "nodeAgent:\n    enablePolicyEventLogs: 'true'",
        json.dumps({"enableNetworkPolicy": "true", "nodeAgent": {"enablePolicyEventLogs": "true"}}),
        # flow-style YAML and an unquoted boolean are the same configuration to EKS
        'enableNetworkPolicy: "true"\nnodeAgent: {enablePolicyEventLogs: "true"}\n',
        "nodeAgent:\n  enablePolicyEventLogs: true\n",
    ],
)
def test_policy_violations_reads_vpc_cni_addon_configuration(config: str) -> None:
    snap = pv_snap(
        daemonsets=[aws_node(False)], **{"eks:addons": [addon("vpc-cni", config=config)]}
    )
    r = run_check(lg.policy_violations, snap)
    assert r.status is Status.PASS
    assert any(e.detail == "nodeAgent.enablePolicyEventLogs=true" for e in r.evidence)


def test_policy_violations_upstream_addon_config_has_no_policy_logs() -> None:
    snap = pv_snap(daemonsets=[aws_node(False)], **{"eks:addons": [addon("vpc-cni")]})
    r = run_check(lg.policy_violations, snap)
    assert r.status is Status.WARN
    assert "network-policy event logging off" in r.summary


def test_policy_violations_hubble_relay_counts() -> None:
    relay = {
        "metadata": {
            "name": "hubble-relay",
            "namespace": "kube-system",
            "labels": {"k8s-app": "hubble-relay"},
        },
        "spec": {"replicas": 1, "template": {"metadata": {"labels": {"k8s-app": "hubble-relay"}}}},
        "status": {"readyReplicas": 1, "replicas": 1},
    }
    snap = pv_snap(
        daemonsets=[], deployments=[relay], **{"eks:addons": unavailable("AccessDenied")}
    )
    r = run_check(lg.policy_violations, snap)
    assert r.status is Status.PASS
    assert any("Hubble relay 1/1 ready" in e.detail for e in r.evidence)


def test_policy_violations_fails_with_neither() -> None:
    snap = pv_snap(namespaces=psa_namespaces("privileged"), daemonsets=[aws_node(False)])
    r = run_check(lg.policy_violations, snap)
    assert r.status is Status.FAIL
    assert "0 of 1 app namespaces" in r.summary


def test_policy_violations_unknown_when_namespaces_unreadable() -> None:
    snap = pv_snap(namespaces=unavailable("forbidden: list namespaces", "list namespaces"))
    r = run_check(lg.policy_violations, snap)
    assert r.status is Status.UNKNOWN
    assert "list namespaces" in r.summary
