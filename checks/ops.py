"""Operational guardrails the roadmap asks for before production: resource quotas and limits.

(``ops.attestations`` lives in ``checks/attestations.py``.)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from checks.common import (
    Obj,
    app_namespaces,
    by_namespace,
    containers,
    listing,
    name,
    namespace,
    pod_template,
    spec,
    workloads,
)
from readiness.model import Evidence, Result, check, failed, passed, skipped, warned
from readiness.snapshot import Snapshot

NEEDED = (("requests", "cpu"), ("requests", "memory"), ("limits", "memory"))


def _limitrange_defaults(ranges: list[Obj]) -> dict[str, set[str]]:
    """What a namespace's LimitRanges fill into a container that leaves a value unset.

    The LimitRanger admission plugin applies ``default`` as the limit and ``defaultRequest``
    as the request. The API server's LimitRange defaulting fills ``default`` from ``max``,
    and ``defaultRequest`` from ``default`` and then from ``min``, so each implies the ones
    below it.
    """
    out: dict[str, set[str]] = {"requests": set(), "limits": set()}
    for lr in ranges:
        for item in spec(lr).get("limits") or []:
            if item.get("type") != "Container":
                continue
            limits = set(item.get("default") or {}) | set(item.get("max") or {})
            out["limits"] |= limits
            out["requests"] |= (
                limits | set(item.get("defaultRequest") or {}) | set(item.get("min") or {})
            )
    return out


def _explicit(container: Mapping[str, Any]) -> dict[str, set[str]]:
    """Resources the template sets; a limit without a request makes the request equal to it."""
    res = container.get("resources") or {}
    limits = set(res.get("limits") or {})
    return {"limits": limits, "requests": set(res.get("requests") or {}) | limits}


def _sets_all(have: Mapping[str, set[str]]) -> bool:
    return all(resource in have[field] for field, resource in NEEDED)


def _container_shares(snap: Snapshot, namespaces: list[str]) -> tuple[int, int, int, list[str]]:
    """(containers, explicitly complete, complete after LimitRange defaults, examples)."""
    wanted = set(namespaces)
    ranges = by_namespace(snap, "limitranges")
    total = explicit = effective = 0
    examples: list[str] = []
    for kind, obj in workloads(snap):
        ns = namespace(obj)
        if ns not in wanted:
            continue
        defaults = _limitrange_defaults(ranges.get(ns, []))
        for c in containers(pod_template(obj), init=False):
            total += 1
            have = _explicit(c)
            if _sets_all(have):
                explicit += 1
                effective += 1
                continue
            filled = {f: have[f] | defaults[f] for f in have}
            if _sets_all(filled):
                effective += 1
            else:
                examples.append(f"{kind} {ns}/{name(obj)}:{c.get('name')}")
    return total, explicit, effective, examples


@check(
    id="ops.quotas-limits",
    title="Resource quotas and limits",
    needs=[
        "namespaces",
        "resourcequotas",
        "limitranges",
        "deployments",
        "statefulsets",
        "daemonsets",
    ],
    passes="every app namespace has a ResourceQuota and a LimitRange, and at least "
    "requests_limits_min_share of app containers get cpu+memory requests and a memory limit",
    remediation="""
Per app namespace: `kubectl create quota <ns>-quota -n <ns>
--hard=requests.cpu=4,requests.memory=8Gi,limits.memory=16Gi` and a LimitRange with
`default`/`defaultRequest` for type Container (Terraform: `kubernetes_resource_quota` and
`kubernetes_limit_range`); set `resources.requests` and `resources.limits.memory` in every
chart's values.
""",
)
def quotas_limits(snap: Snapshot) -> Result:
    """Without requests the scheduler packs pods blindly and evicts the wrong ones under
    pressure; without a memory limit one leaking container takes its node's neighbours
    down; without a quota one team's runaway rollout starves the rest. Pod templates are
    read (not Pods) so a scaled-to-zero workload is judged too, with LimitRange defaults
    applied as the admission plugin would."""
    namespaces = app_namespaces(snap)
    if not namespaces:
        return skipped("no app namespaces: nothing to constrain")
    quotas = by_namespace(snap, "resourcequotas")
    ranges = by_namespace(snap, "limitranges")
    with_quota = [n for n in namespaces if quotas.get(n)]
    with_range = [n for n in namespaces if ranges.get(n)]
    missing = [n for n in namespaces if not (quotas.get(n) and ranges.get(n))]
    total, explicit, effective, examples = _container_shares(snap, namespaces)
    share = effective / total if total else 1.0  # no containers: nothing unsized
    minimum = snap.params.requests_limits_min_share
    evidence = [
        Evidence("ResourceQuota", f"{len(with_quota)} of {len(namespaces)} app namespaces"),
        Evidence("LimitRange", f"{len(with_range)} of {len(namespaces)} app namespaces"),
        Evidence(
            "containers",
            f"{effective}/{total} get cpu+memory requests and a memory limit "
            f"({explicit} set in the template, {effective - explicit} by LimitRange defaults)",
        ),
    ]
    if missing:
        evidence.append(Evidence("namespaces lacking quota or limits", listing(missing)))
    if examples:
        evidence.append(Evidence("containers without requests/limits", listing(examples)))
    measured = {
        "namespaces_with_quota": len(with_quota),
        "namespaces_with_limitrange": len(with_range),
        "app_namespaces": len(namespaces),
        "containers": total,
        "containers_share": round(share, 3),
        "containers_explicit_share": round(explicit / total, 3) if total else None,
    }
    sized = f"{share:.0%} of containers sized" if total else "no app containers yet"
    if not missing and share >= minimum:
        return passed(
            f"all {len(namespaces)} app namespaces have a quota and a LimitRange; {sized}",
            evidence,
            **measured,
        )
    if not with_quota and not with_range and share < minimum:
        return failed(
            f"no app namespace has a ResourceQuota or LimitRange and only {share:.0%} of "
            f"containers set requests/limits",
            evidence,
            **measured,
        )
    return warned(
        f"{len(namespaces) - len(missing)} of {len(namespaces)} app namespaces have both a "
        f"quota and a LimitRange; {share:.0%} of containers sized (target {minimum:.0%})",
        evidence,
        **measured,
    )
