"""The CLI's live path end to end: the official client against the fake API server and boto3
against moto, exactly as a user runs `readiness score` and `readiness snapshot`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from typer.testing import CliRunner

from readiness.cli import app
from readiness.discovery import discover
from tests.fakeapi import FakeApiServer
from tests.motoserver import REGION, MotoServer, aws_env, moto_server  # noqa: F401

runner = CliRunner()
CATALOGUE = discover()

OBJECTS: list[dict[str, Any]] = [
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}},
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "velero"}},
    {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": "n1", "labels": {"topology.kubernetes.io/zone": "eu-west-1a"}},
        "status": {"conditions": [{"type": "Ready", "status": "True"}]},
    },
    {
        "apiVersion": "velero.io/v1",
        "kind": "Schedule",
        "metadata": {"name": "daily", "namespace": "velero"},
        "spec": {
            "schedule": "0 1 * * *",
            "template": {"includedNamespaces": ["*"], "ttl": "720h0m0s"},
        },
    },
]


def invoke(*args: str) -> tuple[int, str, str]:
    """Run the CLI in-process. Reports go through ``-o`` when given: the moto server runs in
    this process too and prints its own notices on stdout."""
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    out = result.stdout
    if "-o" in args and args[-1] != "-o":
        target = Path(args[args.index("-o") + 1])
        out = target.read_text() if target.suffix == ".json" and target.exists() else out
    return result.exit_code, out, result.stderr


def score_json(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    target = tmp_path / f"report-{len(list(tmp_path.iterdir()))}.json"
    return invoke("score", *args, "-f", "json", "-q", "-o", str(target))


@pytest.fixture
def fake() -> Any:
    with FakeApiServer(OBJECTS, crds=["schedules.velero.io"]) as server:
        yield server


@pytest.fixture
def eks(aws_env: MotoServer) -> MotoServer:  # noqa: F811
    iam = boto3.client("iam", region_name=REGION)
    role = iam.create_role(RoleName="eks", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    boto3.client("eks", region_name=REGION).create_cluster(
        name="prod",
        roleArn=role,
        resourcesVpcConfig={
            "subnetIds": [],
            "endpointPrivateAccess": True,
            "endpointPublicAccess": False,
        },
    )
    return aws_env


def _checks_by_id(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["id"]: c for p in report["phases"] for c in p["checks"]}


def test_live_score_lists_each_kind_once_and_reads_aws(
    fake: Any, eks: MotoServer, tmp_path: Path
) -> None:
    cfg = fake.kubeconfig(tmp_path)
    code, out, err = score_json(tmp_path, "--kubeconfig", str(cfg))
    assert code == 0, err
    report = json.loads(out)
    assert report["cluster"]["cluster"] == "prod"  # parsed from the context's EKS ARN
    assert report["cluster"]["region"] == "eu-west-1"
    lists = [p for _, p in fake.requests if "?" in p and ("limit=" in p)]
    per_kind: dict[str, int] = {}
    for p in lists:
        base = p.split("?", 1)[0]
        per_kind[base] = per_kind.get(base, 0) + 1
    assert per_kind and all(n == 1 for n in per_kind.values()), per_kind
    assert "/apis/velero.io/v1/schedules" in per_kind
    assert not any("/namespaces/" in p and "limit=" in p for p in lists), "never list per namespace"
    checks = _checks_by_id(report)
    assert checks["security.endpoint-access"]["status"] == "pass"  # from moto's DescribeCluster


def test_forbidden_kind_only_affects_the_checks_that_need_it(
    fake: Any, eks: MotoServer, tmp_path: Path
) -> None:
    fake.fail("schedules", 403)
    code, out, _ = score_json(tmp_path, "--kubeconfig", str(fake.kubeconfig(tmp_path)))
    assert code == 0
    report = json.loads(out)
    needing = {cid for cid, c in CATALOGUE.items() if "schedules.velero.io" in c.needs}
    assert needing == {"backup.schedules"}
    checks = _checks_by_id(report)
    assert checks["backup.schedules"]["status"] == "unknown"
    assert "forbidden: list schedules.velero.io" in checks["backup.schedules"]["summary"]
    missing = {m["key"]: m for m in report["collection"]["unavailable"]}
    assert missing["schedules.velero.io"]["permission"] == "list schedules.velero.io"
    for cid, c in checks.items():
        if cid not in needing:
            assert "schedules.velero.io" not in c["summary"], cid


def test_saved_snapshot_rescores_to_the_same_report(
    fake: Any, eks: MotoServer, tmp_path: Path
) -> None:
    fake.fail("schedules", 403)
    cfg = str(fake.kubeconfig(tmp_path))
    code, live, _ = score_json(tmp_path, "--kubeconfig", cfg)
    assert code == 0
    snap = tmp_path / "snap.json.gz"
    code, _, err = invoke("snapshot", "--kubeconfig", cfg, "-o", str(snap), "-q")
    assert code == 0, err
    assert "saved" in err
    assert snap.stat().st_mode & 0o777 == 0o600  # owner-only
    code, offline, _ = score_json(tmp_path, "--from", str(snap))
    assert code == 0
    a, b = json.loads(live), json.loads(offline)
    assert a["cluster"].pop("source") == "live" and b["cluster"].pop("source") == "snapshot"
    assert a.pop("collected_at") <= b.pop("collected_at")  # snapshot taken after the live run
    assert a == b


def test_rejected_credentials_are_bad_input_exit_2(fake: Any, tmp_path: Path) -> None:
    """A 401 on every read means nothing was observed: a report (n/a, exit 0) would hide it."""
    cfg = fake.kubeconfig(tmp_path)
    fake.token = "rotated"  # the kubeconfig's token is now rejected with 401
    target = tmp_path / "r.json"
    code, _, err = invoke("score", "--kubeconfig", str(cfg), "--no-aws", "-q", "-o", str(target))
    assert code == 2
    assert "rejected the credentials of context 'test' (401 Unauthorized)" in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not target.exists()


def test_a_403_on_some_kinds_still_reports(fake: Any, tmp_path: Path) -> None:
    fake.fail("namespaces", 403)
    code, out, err = score_json(
        tmp_path, "--kubeconfig", str(fake.kubeconfig(tmp_path)), "--no-aws"
    )
    assert code == 0, err
    assert json.loads(out)["collection"]["unavailable"]


def test_failing_exec_plugin_is_bad_input_exit_2(fake: Any, tmp_path: Path) -> None:
    """The kubernetes client only logs a failing exec plugin (and goes on without a token,
    turning every root-logger warning on); the CLI must name the plugin and stop."""
    cfg = fake.kubeconfig(tmp_path, exec_args=["eks", "get-token", "--cluster-name", "prod"])
    (tmp_path / "fake-get-token").write_text("#!/bin/sh\necho 'token expired' >&2\nexit 1\n")
    code, _, err = invoke("score", "--kubeconfig", str(cfg), "--no-aws", "-q")
    assert code == 2
    assert "credential plugin of context 'test' failed (exec: process returned 1" in err
    assert "get-token --cluster-name prod" in err
    assert "WARNING" not in err and "Traceback" not in err
    assert fake.requests == []  # nothing was sent without credentials
