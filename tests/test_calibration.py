"""Calibration (issue 4 §6): the full check catalogue and the built-in rubric put the
roadmap's clusters where the roadmap says they are.

Every scenario is scored the way a user scores it: ``readiness score --from`` a saved
snapshot of AWS facts plus a kubectl dump (``tests/scenarios``), through the CLI, JSON out.
If a target is missed, the failure message lists every check's status so the numbers can
be reported (the rubric weights belong to the lead engineer; check logic is not tuned here).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from readiness.cli import app
from readiness.keys import AWS_FACTS, GATEKEEPER_CONSTRAINTS, KUBE_FACTS, KUBE_KINDS
from readiness.snapshot import ClusterInfo, Entry, Snapshot, not_installed, ok, unavailable
from tests import scenarios

EXAMPLE = Path(__file__).parent.parent / "examples" / "starting-cluster.json"
runner = CliRunner()


def score_files(files: list[Path], attestations: Path | None = None) -> dict[str, Any]:
    # the scenario dumps hold every object of their cluster
    args = ["score", "--format", "json", "--quiet", "--assume-complete"]
    for f in files:
        args += ["--from", str(f)]
    if attestations is not None:
        args += ["--attestations", str(attestations)]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    data: dict[str, Any] = json.loads(res.stdout)
    return data


def score_scenario(name: str, tmp_path: Path) -> dict[str, Any]:
    files = scenarios.write_inputs(name, tmp_path)
    return score_files(files, scenarios.attestations(name))


def statuses(report: dict[str, Any]) -> dict[str, str]:
    return {c["id"]: c["status"] for p in report["phases"] for c in p["checks"]}


def table(report: dict[str, Any]) -> str:
    """Where each check falls, for a failure message worth reporting."""
    lines = [f"score {report['score']}"]
    for p in report["phases"]:
        lines.append(f"{p['id']}: {p['points_earned']} of {p['points']}")
        lines += [f"  {c['status']:8} {c['id']}: {c['summary']}" for c in p["checks"]]
    return "\n".join(lines)


def save(snap: Snapshot, path: Path) -> Path:
    path.write_text(json.dumps(snap.to_dict(), indent=1))
    return path


# -- the three roadmap scenarios -----------------------------------------------------------


def test_starting_cluster_scores_six_and_a_half(tmp_path: Path) -> None:
    report = score_scenario("start", tmp_path)
    assert report["score"]["value"] == pytest.approx(6.5, abs=0.3), table(report)
    got = statuses(report)
    # everything observed; only the manual items are unknown (no attestations file given)
    assert [c for c, s in got.items() if s == "unknown"] == ["ops.attestations"], table(report)
    assert report["score"]["coverage"] == pytest.approx(0.972, abs=0.01), table(report)
    # the foundation is all there, Weeks 1–4 are not
    assert all(got[c] == "pass" for c in got if c.startswith(("security.", "platform."))), table(
        report
    )
    assert got["secrets.provider-class"] == "warn"  # driver installed, no SecretProviderClass
    assert got["monitoring.prometheus"] == "fail" and got["backup.velero"] == "fail"


def test_bundled_example_scores_like_the_scenario() -> None:
    report = score_files([EXAMPLE])
    assert report["score"]["value"] == pytest.approx(6.5, abs=0.3), table(report)


def test_weeks_done_reaches_the_target(tmp_path: Path) -> None:
    report = score_scenario("weeks-done", tmp_path)
    assert report["score"]["value"] >= 8.5, table(report)
    got = statuses(report)
    weeks = [c for p in report["phases"] if p["id"].startswith("week") for c in p["checks"]]
    not_done = {c["id"]: c["status"] for c in weeks if c["status"] not in ("pass", "skipped")}
    assert not not_done, table(report)
    assert got["future.policy"] == "fail"  # the future items are still to come


def test_exemplary_cluster_scores_ten(tmp_path: Path) -> None:
    report = score_scenario("exemplary", tmp_path)
    assert report["score"]["value"] == 10.0, table(report)
    assert set(statuses(report).values()) == {"pass", "skipped"}, table(report)
    assert statuses(report)["future.multi-region"] == "skipped"  # the rubric names no regions


# -- the ends of the scale -----------------------------------------------------------------

# A freshly created cluster with nothing on it, as DescribeCluster reports one made with the
# console defaults: public endpoint open to the internet, no KMS key, no control-plane logs.
EMPTY_CLUSTER = {
    "name": scenarios.CLUSTER,
    "arn": f"arn:aws:eks:{scenarios.REGION}:{scenarios.ACCOUNT}:cluster/{scenarios.CLUSTER}",
    "version": "1.35",
    "status": "ACTIVE",
    "endpoint": "https://0123456789ABCDEF0123456789ABCDEF.gr7.eu-west-1.eks.amazonaws.com",
    "resourcesVpcConfig": {
        "subnetIds": ["subnet-0a11aa11aa11aa111", "subnet-0b22bb22bb22bb222"],
        "endpointPublicAccess": True,
        "endpointPrivateAccess": False,
        "publicAccessCidrs": ["0.0.0.0/0"],
    },
    "logging": {"clusterLogging": [{"types": ["api", "audit", "authenticator"], "enabled": False}]},
    "identity": {
        "oidc": {"issuer": "https://oidc.eks.eu-west-1.amazonaws.com/id/0123456789ABCDEF"}
    },
    "platformVersion": "eks.4",
    "accessConfig": {"authenticationMode": "API"},
}
EMPTY_FACTS: dict[str, Any] = {
    "eks:cluster": EMPTY_CLUSTER,
    "eks:addons": [],
    "eks:access-entries": [],
    "eks:pod-identity-associations": [],
    "eks:regional-clusters": {},
    "logs:log-groups": [],
    "logs:newest-events": {},
    "ecr:repositories": [],
    "ecr:registry-scanning": {
        "registryId": scenarios.ACCOUNT,
        "scanningConfiguration": {"scanType": "BASIC", "rules": []},
    },
    "s3:velero-buckets": {},
    "secretsmanager:secrets": [],
    "amp:workspaces": {"workspaces": [], "scrapers": []},
    "grafana:workspaces": [],
    "iam:oidc-providers": [],
}


def _empty_entries() -> dict[str, Entry]:
    entries: dict[str, Entry] = {}
    for key, kind in KUBE_KINDS.items():
        entries[key] = (
            ok([])
            if kind.group in ("", "apps", "batch") or "k8s.io" in kind.group
            else (not_installed(f"{kind.group} is not served by this cluster"))
        )
    entries[GATEKEEPER_CONSTRAINTS] = not_installed("constraints.gatekeeper.sh is not served")
    entries["kube:alertmanager-receivers"] = ok([])
    entries["kube:version"] = ok({"major": "1", "minor": "35", "gitVersion": "v1.35.0-eks-4096722"})
    entries.update({k: ok(v) for k, v in EMPTY_FACTS.items()})
    return entries


# An empty cluster scores near zero: only what is true of any freshly created EKS cluster
# earns anything — a Kubernetes version in standard support, and Secrets encrypted with the
# AWS-owned default key (a warn). With no app namespaces, the checks about them are not
# applicable; RBAC without any binding is unknown (the input cannot be complete).
def test_empty_cluster_scores_near_zero(tmp_path: Path) -> None:
    entries = _empty_entries()
    assert set(entries) == set(KUBE_KINDS) | set(KUBE_FACTS) | set(AWS_FACTS)
    snap = Snapshot(entries, scenarios.TIME, ClusterInfo(cluster="prod", region="eu-west-1"))
    report = score_files([save(snap, tmp_path / "empty.json")])
    assert report["score"]["value"] <= 1.5, table(report)
    earned = {c["id"] for p in report["phases"] for c in p["checks"] if c["points_earned"]}
    assert earned == {"platform.eks-version", "security.secrets-encryption"}, table(report)
    got = statuses(report)
    assert got["security.endpoint-access"] == "fail"
    assert got["rbac.least-privilege"] == "unknown"


def _all_forbidden() -> Snapshot:
    entries = {
        key: unavailable(f"forbidden: {perm}", perm)
        for key, perm in (
            [(k, v.permission) for k, v in KUBE_KINDS.items()]
            + [(k, v.permission) for k, v in KUBE_FACTS.items()]
            + [(k, v.permission) for k, v in AWS_FACTS.items()]
        )
    }
    return Snapshot(entries, scenarios.TIME, ClusterInfo(cluster="prod", region="eu-west-1"))


def test_everything_forbidden_earns_nothing_without_attestations(tmp_path: Path) -> None:
    report = score_files([save(_all_forbidden(), tmp_path / "forbidden.json")])
    got = statuses(report)
    observed = {c: s for c, s in got.items() if c != "ops.attestations"}
    assert set(observed.values()) <= {"unknown", "skipped"}, table(report)
    assert got["backup.schedules"] == "unknown"
    assert report["score"]["value"] in (None, 0.0), table(report)
    # the only decided weight is the attestations check (no file: nothing attested)
    assert report["score"]["coverage"] < 0.1, table(report)


# Missed target, reported: without --attestations the CLI scores an empty attestation list,
# so ops.attestations *fails* (decided) and the score is 0.0 with coverage 0.028 instead of
# "n/a" with coverage 0. Whether "no file" should mean "not attested" (fail) or "not asked"
# (unknown) is the lead's call (readiness/cli.py _snapshot_for).
def test_everything_forbidden_without_attestations_is_not_a_score(tmp_path: Path) -> None:
    report = score_files([save(_all_forbidden(), tmp_path / "forbidden.json")])
    assert report["score"]["value"] is None, table(report)
    assert report["score"]["coverage"] == 0.0, table(report)


def test_everything_forbidden_scores_only_the_attestations(tmp_path: Path) -> None:
    everything = scenarios.attestations("exemplary")
    report = score_files([save(_all_forbidden(), tmp_path / "forbidden.json")], everything)
    got = statuses(report)
    assert got["ops.attestations"] == "pass"
    observed = {c: s for c, s in got.items() if c != "ops.attestations"}
    assert set(observed.values()) <= {"unknown", "skipped"}, table(report)
    earned = {
        c["id"]: c["points_earned"]
        for p in report["phases"]
        for c in p["checks"]
        if c["points_earned"]
    }
    assert list(earned) == ["ops.attestations"], table(report)
    assert report["score"]["value"] == pytest.approx(earned["ops.attestations"], abs=0.01)
    assert 0 < report["score"]["coverage"] < 0.1, table(report)
