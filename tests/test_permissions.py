"""readiness permissions: exactly the reads the selected checks need, and no write."""

from __future__ import annotations

from readiness.discovery import discover
from readiness.permissions import cluster_role, iam_policy
from readiness.runner import needs_of

NEEDS = needs_of(discover().values())


def test_cluster_role_is_read_only_and_covers_every_needed_kind() -> None:
    role = cluster_role(NEEDS)
    verbs = {v for r in role["rules"] for v in r["verbs"]}
    assert verbs == {"get", "list"}  # lists once, gets by name; never watches or writes
    granted = {
        (g, res) for r in role["rules"] for g in r.get("apiGroups", []) for res in r["resources"]
    }
    assert ("velero.io", "schedules") in granted
    assert ("apps", "deployments") in granted
    assert ("", "pods") not in granted  # no check reads Pods: they are not requested
    secrets = [r for r in role["rules"] if "secrets" in r.get("resources", [])]
    assert secrets == [
        {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}
    ]  # never list


def test_derived_facts_bring_what_they_are_computed_from() -> None:
    role = cluster_role({"kube:alertmanager-receivers"})
    granted = {res for r in role["rules"] for res in r.get("resources", [])}
    assert {"alertmanagers", "configmaps", "secrets"} <= granted


def test_iam_policy_is_describe_list_get_only() -> None:
    actions = iam_policy(NEEDS)["Statement"][0]["Action"]
    assert "eks:DescribeCluster" in actions and "logs:DescribeLogStreams" in actions
    assert all(a.split(":")[1].startswith(("Describe", "List", "Get")) for a in actions)
    assert "secretsmanager:GetSecretValue" not in actions
    assert iam_policy({"nodes"})["Statement"][0]["Action"] == []
