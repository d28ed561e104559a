"""Least privilege for the selected checks: the ClusterRole and IAM policy that let
readiness read exactly what those checks need, and nothing that writes.

No peer tool prints this; it lets a team grant the scanner the minimum and know that a
missing permission shows up as an unknown naming it, never as a silent pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from readiness.keys import AWS_FACTS, GATEKEEPER_CONSTRAINTS, KUBE_FACTS, KUBE_KINDS

# readiness lists each kind once and gets single objects by name; it never watches
READ_VERBS = ("get", "list")


def _expand(needs: Iterable[str]) -> set[str]:
    """Needs plus what derived facts are computed from (the collector lists those too)."""
    out = set(needs)
    for key in list(out):
        if key in KUBE_FACTS:
            out.update(KUBE_FACTS[key].depends_on)
    return out


def cluster_role(needs: Iterable[str], name: str = "readiness-reader") -> dict[str, Any]:
    keys = _expand(needs)
    by_group: dict[str, set[str]] = {}
    for k in keys:
        if k in KUBE_KINDS:
            by_group.setdefault(KUBE_KINDS[k].group, set()).add(KUBE_KINDS[k].resource)
    if GATEKEEPER_CONSTRAINTS in keys:
        by_group.setdefault(GATEKEEPER_CONSTRAINTS, set()).add("*")
    rules: list[dict[str, Any]] = [
        {"apiGroups": [g], "resources": sorted(r), "verbs": list(READ_VERBS)}
        for g, r in sorted(by_group.items())
    ]
    if "kube:alertmanager-receivers" in keys:
        # Only each Alertmanager's config Secret is read, by name (never listed); narrow it
        # further with resourceNames in a Role in the monitoring namespace.
        rules.append({"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]})
    rules.append(
        {"nonResourceURLs": ["/version", "/api", "/api/*", "/apis", "/apis/*"], "verbs": ["get"]}
    )
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {"name": name},
        "rules": rules,
    }


def iam_policy(needs: Iterable[str]) -> dict[str, Any]:
    actions = sorted({a for k in needs if k in AWS_FACTS for a in AWS_FACTS[k].actions})
    return {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "ReadinessReadOnly", "Effect": "Allow", "Action": actions, "Resource": "*"}
        ],
    }
