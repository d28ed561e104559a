"""Week 3 — CI/CD: the images the team runs are scanned for vulnerabilities by the registry.

Images are read from the pod templates of app workloads (Deployments, StatefulSets,
DaemonSets, CronJobs in app namespaces), never from Pods: what is declared to run is what a
rollout will pull again.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from typing import Any

from checks.common import (
    app_namespaces,
    image_repo,
    images,
    listing,
    namespace,
    pod_template,
)
from readiness.model import Evidence, Result, check, failed, passed, skipped, unknown, warned
from readiness.snapshot import Snapshot

WORKLOAD_KEYS = ("deployments", "statefulsets", "daemonsets", "cronjobs")
# <account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]/<repository>
ECR_IMAGE = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr(?:-fips)?\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?/"
    r"(?P<repo>.+)$"
)
SCANNING_FREQUENCIES = ("SCAN_ON_PUSH", "CONTINUOUS_SCAN")


def app_images(snap: Snapshot) -> list[str]:
    """Distinct image repositories (tag/digest dropped) of app workloads' pod templates."""
    wanted = set(app_namespaces(snap))
    repos: set[str] = set()
    for key in WORKLOAD_KEYS:
        for obj in snap.items(key):
            if namespace(obj) in wanted:
                repos.update(image_repo(i) for i in images(pod_template(obj)))
    return sorted(repos)


def _rule_matches(rule: Mapping[str, Any], repo: str) -> bool:
    if rule.get("scanFrequency") not in SCANNING_FREQUENCIES:
        return False
    filters = rule.get("repositoryFilters") or []
    return any(
        f.get("filterType", "WILDCARD") == "WILDCARD"
        and fnmatch.fnmatchcase(repo, str(f.get("filter", "")))
        for f in filters
    )


def _registry_scans(registry: Mapping[str, Any] | None, account: str, repo: str) -> str | None:
    """Why the registry-level configuration scans this repository, or None."""
    if not registry:
        return None
    if registry.get("registryId") and str(registry.get("registryId")) != account:
        return None
    config = registry.get("scanningConfiguration") or {}
    for rule in config.get("rules") or []:
        if _rule_matches(rule, repo):
            return (
                f"registry {config.get('scanType', 'BASIC')} scanning, {rule.get('scanFrequency')}"
            )
    return None


def _repo_scans(repos: list[Mapping[str, Any]] | None, uri: str) -> bool | None:
    """scanOnPush of the repository with this URI; None when the repository is not listed."""
    for r in repos or []:
        if str(r.get("repositoryUri", "")) == uri:
            return bool((r.get("imageScanningConfiguration") or {}).get("scanOnPush"))
    return None


def _status_for(scanned: int, total: int) -> str:
    if scanned == total:
        return "pass"
    return "warn" if scanned else "fail"


def _verdict(
    uri: str,
    repos: list[Mapping[str, Any]] | None,
    registry: Mapping[str, Any] | None,
) -> tuple[bool | None, str]:
    """(scanned, detail) for one ECR image repository; None when a missing fact could decide.

    In ENHANCED mode Amazon Inspector scans only repositories matching a registry rule and
    repository-level scanOnPush no longer applies; in BASIC mode either setting scans.
    """
    m = ECR_IMAGE.match(uri)
    assert m is not None
    reason = _registry_scans(registry, m.group("account"), m.group("repo"))
    if reason:
        return True, reason
    config = (registry or {}).get("scanningConfiguration") or {}
    enhanced = config.get("scanType") == "ENHANCED"
    if enhanced:
        return False, "ENHANCED scanning has no rule matching this repository"
    on_push = _repo_scans(repos, uri)
    if on_push:
        return (
            (None, "repository scanOnPush, registry mode unread")
            if registry is None
            else (
                True,
                "repository scanOnPush",
            )
        )
    if repos is None:
        return None, "could not read ecr:repositories"
    if registry is None:
        return None, "scanOnPush off; could not read ecr:registry-scanning"
    if on_push is None:
        return False, "repository not in this account/region's ECR listing"
    return False, "scanOnPush off and no registry scanning rule matches"


@check(
    id="cicd.image-scanning",
    title="Running app images are scanned by ECR",
    needs=[
        "namespaces",
        *WORKLOAD_KEYS,
        "ecr:repositories",
        "ecr:registry-scanning",
    ],
    passes=(
        "every app workload image comes from an ECR repository with scan-on-push, or matching "
        "a registry scanning rule (basic scan-on-push or Amazon Inspector enhanced scanning)"
    ),
    remediation="""
aws ecr put-registry-scanning-configuration --scan-type ENHANCED --rules
  '[{"scanFrequency":"CONTINUOUS_SCAN","repositoryFilters":[{"filter":"*","filterType":"WILDCARD"}]}]'
or per repository: aws ecr put-image-scanning-configuration --repository-name <repo>
  --image-scanning-configuration scanOnPush=true
Terraform: aws_ecr_registry_scanning_configuration, or image_scanning_configuration
{ scan_on_push = true } on aws_ecr_repository. Push app images to ECR from CI.
""",
)
def image_scanning(snap: Snapshot) -> Result:
    """The roadmap's CI/CD step asks for "integration with container registry scanning": an
    image with a known critical CVE should be caught when it is pushed, not after an incident.
    Only images the registry scans count; images from public registries or unlisted
    repositories are not proven scanned. When AWS could not be read the images it would have
    judged stay undecided rather than failing."""
    all_images = app_images(snap)
    ecr = [i for i in all_images if ECR_IMAGE.match(i)]
    other = [i for i in all_images if not ECR_IMAGE.match(i)]
    evidence = [Evidence("app images", f"{len(ecr)} of {len(all_images)} from ECR")]
    if other:
        evidence.append(Evidence("non-ECR images", listing(other)))
    if not all_images:
        # nothing runs in the app namespaces yet: nothing to scan (as workload hardening)
        return skipped("no app workloads: no running images to check", evidence)
    if not ecr:
        return failed("no app image comes from ECR", evidence, scanned_share=0.0)
    repos = snap.fact_or_none("ecr:repositories")
    registry = snap.fact_or_none("ecr:registry-scanning")
    if repos is None and registry is None:
        snap.fact("ecr:repositories")  # raises Unavailable: the runner names the permission
    scanned: list[str] = []
    undecided: list[str] = []
    for uri in ecr:
        ok, detail = _verdict(uri, repos, registry)
        evidence.append(Evidence(f"image {uri}", detail))
        if ok:
            scanned.append(uri)
        elif ok is None:
            undecided.append(uri)
    total = len(all_images)
    share = round(len(scanned) / total, 2)
    summary = f"{len(scanned)} of {total} app images scanned by ECR"
    verdict = _status_for(len(scanned), total)
    if verdict != _status_for(len(scanned) + len(undecided), total):
        return unknown(
            f"{summary}; {len(undecided)} more could not be judged (ECR scanning facts unreadable)",
            evidence,
            scanned_share=share,
        )
    if verdict == "pass":
        return passed(summary, evidence, scanned_share=share)
    if verdict == "warn":
        return warned(summary, evidence, scanned_share=share)
    return failed(summary, evidence, scanned_share=share)
