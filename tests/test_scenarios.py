"""Scenario clusters end to end (issue 3 §7).

- The per-week checklists: the starting cluster has nothing of Weeks 1–4 done, the
  weeks-done cluster everything.
- Live equals offline: the same scenario served by the fake API server (official client)
  and by moto (boto3) gives the same check statuses as the offline path. moto serves no EKS
  add-ons, access entries, Pod Identity associations, AMP scrapers or Managed Grafana, and
  accepts log events only near its real clock; for those facts the offline expectation is
  computed with the live entries, and the checks whose status moves are exactly checks that
  read them.
- One list request per kind, and a 403 on schedules.velero.io turns only the checks that
  read it into unknown.
- The bundled example equals what the scenario loader builds.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from typer.testing import CliRunner

from readiness.cli import app
from readiness.discovery import discover
from readiness.keys import KUBE_KINDS
from readiness.runner import run_checks
from readiness.snapshot import UNAVAILABLE, Entry, Snapshot, ok
from tests import scenarios
from tests.fakeapi import FakeApiServer
from tests.motoserver import MotoServer, configure_env, moto_server  # noqa: F401

EXAMPLE = Path(__file__).parent.parent / "examples" / "starting-cluster.json"
WEEKS = ("week1", "week2", "week3", "week4")
NOW = "2026-11-27T12:00:00Z"
# AWS facts moto cannot serve (it answers with a bare 404/500: the collector records them
# unavailable), and the one it serves only relative to its real clock.
MOTO_UNSERVED = {
    "eks:addons",
    "eks:access-entries",
    "eks:pod-identity-associations",
    "amp:workspaces",
    "grafana:workspaces",
}
CLOCK_BOUND = {"logs:newest-events"}
runner = CliRunner()
CATALOGUE = discover()


def cli(*args: str) -> dict[str, Any]:
    """``readiness score --format json`` (written to a file: the in-process moto server
    prints to stdout)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        args = ("--assume-complete", *args)  # scenario dumps hold every object of their cluster
        res = runner.invoke(app, ["score", "--format", "json", "--quiet", "-o", str(out), *args])
        assert res.exit_code == 0, res.output
        data: dict[str, Any] = json.loads(out.read_text())
    return data


def statuses(report: dict[str, Any]) -> dict[str, str]:
    return {c["id"]: c["status"] for p in report["phases"] for c in p["checks"]}


def summaries(report: dict[str, Any]) -> dict[str, str]:
    return {c["id"]: c["summary"] for p in report["phases"] for c in p["checks"]}


def offline_statuses(snap: Snapshot, attestations: Path | None) -> dict[str, str]:
    from readiness import attestations as att

    snap.entries["local:attestations"] = att.entry(attestations)
    return {o.check.id: o.result.status.value for o in run_checks(CATALOGUE.values(), snap)}


# -- per-week checklists (offline) ---------------------------------------------------------


def week_metrics(report: dict[str, Any]) -> dict[str, list[str]]:
    return {
        p["id"]: [m["status"] for m in p["metrics"]] for p in report["phases"] if p["id"] in WEEKS
    }


def test_starting_cluster_has_nothing_of_weeks_one_to_four_done(tmp_path: Path) -> None:
    report = cli(*[f"--from={f}" for f in scenarios.write_inputs("start", tmp_path)])
    metrics = week_metrics(report)
    assert set(metrics) == set(WEEKS)
    flat = [s for week in metrics.values() for s in week]
    assert "done" not in flat and flat.count("not_done") >= 15, metrics
    # DR documentation is unknown (no attestations file given); RTO/RPO is not done: it
    # also needs backups and a restore that can be measured
    assert set(flat) <= {"not_done", "not_applicable", "unknown"}, metrics
    assert flat.count("unknown") == 1, metrics


def test_weeks_done_cluster_has_every_week_metric_done(tmp_path: Path) -> None:
    files = scenarios.write_inputs("weeks-done", tmp_path)
    att = scenarios.attestations("weeks-done")
    report = cli(*[f"--from={f}" for f in files], f"--attestations={att}")
    metrics = week_metrics(report)
    flat = [s for week in metrics.values() for s in week]
    assert set(flat) <= {"done", "not_applicable"} and flat.count("done") >= 16, metrics
    week4 = next(p for p in report["phases"] if p["id"] == "week4")
    attested = {m["text"] for m in week4["metrics"] if m["attested"]}
    assert attested == {
        "Disaster recovery procedures documented",
        "RTO/RPO targets defined and measured",
    }


def test_bundled_example_shows_weeks_one_to_four_not_done() -> None:
    res = runner.invoke(app, ["score", "--from", str(EXAMPLE), "--quiet"])
    assert res.exit_code == 0, res.output
    for title in ("Week 1:", "Week 2:", "Week 3:", "Week 4:"):
        assert title in res.output
    section = res.output[res.output.index("Week 1:") : res.output.index("Foundation")]
    assert section.count("[ ]") >= 15 and "[x]" not in section, section
    assert section.count("[?]") == 1, section  # DR documented: attested item, no file given
    assert "Score 6.5/10" in res.output


def test_bundled_example_is_the_start_scenario() -> None:
    saved = json.loads(EXAMPLE.read_text())
    built = scenarios.example_document("start")
    assert saved["collected_at"] == NOW
    assert saved["entries"] == json.loads(json.dumps(built["entries"])), (
        "examples/starting-cluster.json is stale: regenerate it with "
        "`python -m tests.scenarios start -o examples/starting-cluster.json`"
    )
    assert saved == json.loads(scenarios.example_text("start"))


def test_scenario_layers_compose_without_copies() -> None:
    start, done = scenarios.objects("start"), scenarios.objects("weeks-done")
    names = {(o["kind"], o["metadata"]["name"]) for o in done}
    assert {(o["kind"], o["metadata"]["name"]) for o in start} <= names
    shop = next(o for o in done if o["kind"] == "Namespace" and o["metadata"]["name"] == "shop")
    assert shop["metadata"]["labels"]["pod-security.kubernetes.io/audit"] == "restricted"
    addons = {a["addonName"]: a for a in scenarios.facts("weeks-done")["eks:addons"]}
    assert addons["coredns"]["status"] == "ACTIVE"  # kept from the start layer
    assert "enablePolicyEventLogs" in addons["vpc-cni"]["configurationValues"]  # merged in


# -- the live path -------------------------------------------------------------------------


@dataclass
class Live:
    server: FakeApiServer
    kubeconfig: Path
    facts: dict[str, Any]


def _assume_scenario_account() -> dict[str, str]:
    """Credentials moto maps to the scenario's account (so ARNs and ECR URIs match)."""
    creds = (
        boto3.Session()
        .client("sts")
        .assume_role(
            RoleArn=f"arn:aws:iam::{scenarios.ACCOUNT}:role/readiness-reader",
            RoleSessionName="readiness",
        )["Credentials"]
    )
    return {
        "AWS_ACCESS_KEY_ID": creds["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"],
        "AWS_SESSION_TOKEN": creds["SessionToken"],
    }


def seed_moto(aws: boto3.Session, facts: dict[str, Any]) -> None:
    """Create in moto what the scenario's AWS facts describe, through the public APIs."""
    c = facts["eks:cluster"]
    vpc = c["resourcesVpcConfig"]
    eks = aws.client("eks")
    eks.create_cluster(
        name=c["name"],
        version=c["version"],
        roleArn=c["roleArn"],
        resourcesVpcConfig={
            k: vpc[k]
            for k in (
                "subnetIds",
                "securityGroupIds",
                "endpointPublicAccess",
                "endpointPrivateAccess",
                "publicAccessCidrs",
            )
            if k in vpc
        },
        logging=c["logging"],
        encryptionConfig=c.get("encryptionConfig") or [],
        tags=c.get("tags") or {},
    )
    if facts["iam:oidc-providers"]:  # moto invents the issuer: register that one
        issuer = eks.describe_cluster(name=c["name"])["cluster"]["identity"]["oidc"]["issuer"]
        aws.client("iam").create_open_id_connect_provider(
            Url=issuer, ThumbprintList=["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"]
        )
    _seed_logs(aws, facts)
    ecr = aws.client("ecr")
    for repo in facts["ecr:repositories"]:
        ecr.create_repository(
            repositoryName=repo["repositoryName"],
            imageTagMutability=repo["imageTagMutability"],
            imageScanningConfiguration=repo["imageScanningConfiguration"],
        )
    scanning = facts["ecr:registry-scanning"]["scanningConfiguration"]
    ecr.put_registry_scanning_configuration(scanType=scanning["scanType"], rules=scanning["rules"])
    s3 = aws.client("s3")
    for bucket, info in facts["s3:velero-buckets"].items():
        s3.create_bucket(
            Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": scenarios.REGION}
        )
        if info["versioning"]:
            s3.put_bucket_versioning(
                Bucket=bucket, VersioningConfiguration={"Status": info["versioning"]}
            )
        if info["encryption"]:
            s3.put_bucket_encryption(
                Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": info["encryption"]}
            )
    sm = aws.client("secretsmanager")
    for secret in facts["secretsmanager:secrets"]:
        sm.create_secret(Name=secret["Name"], SecretString="placeholder, never read")


def _seed_logs(aws: boto3.Session, facts: dict[str, Any]) -> None:
    """Log groups with their retention; one event per stream, a minute before moto's real
    clock (moto rejects events more than 14 days old or 2 hours ahead, like CloudWatch)."""
    logs = aws.client("logs")
    for group in facts["logs:log-groups"]:
        logs.create_log_group(logGroupName=group["logGroupName"])
        if group.get("retentionInDays"):
            logs.put_retention_policy(
                logGroupName=group["logGroupName"], retentionInDays=group["retentionInDays"]
            )
    stamp = int(dt.datetime.now(dt.UTC).timestamp() * 1000) - 60_000
    for group, newest in facts["logs:newest-events"].items():
        if newest.get("logStreamName"):
            logs.create_log_stream(logGroupName=group, logStreamName=newest["logStreamName"])
            logs.put_log_events(
                logGroupName=group,
                logStreamName=newest["logStreamName"],
                logEvents=[{"timestamp": stamp, "message": "{}"}],
            )


@pytest.fixture(params=["start", "weeks-done"])
def live(
    request: pytest.FixtureRequest,
    moto_server: MotoServer,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> Iterator[tuple[str, Live]]:
    """The scenario served live: its objects by the fake API server, its AWS facts by moto."""
    name = str(request.param)
    configure_env(monkeypatch, moto_server, tmp_path)
    moto_server.reset()
    for var, value in _assume_scenario_account().items():
        monkeypatch.setenv(var, value)
    facts = scenarios.facts(name)
    seed_moto(boto3.Session(), facts)
    server = FakeApiServer(scenarios.objects(name))
    # /version of the scenario's API server (the fake serves a recorded document)
    server._samples["/version"] = json.dumps(facts["kube:version"]).encode()
    with server:
        yield name, Live(server, server.kubeconfig(tmp_path), facts)
    moto_server.reset()


def live_args(lv: Live, name: str) -> list[str]:
    args = [
        f"--kubeconfig={lv.kubeconfig}",
        f"--cluster={scenarios.CLUSTER}",
        f"--region={scenarios.REGION}",
        f"--now={NOW}",
    ]
    att = scenarios.attestations(name)
    return args + ([f"--attestations={att}"] if att else [])


def live_entries(lv: Live, name: str, tmp_path: Path) -> dict[str, Entry]:
    out = tmp_path / "live-snapshot.json"
    args = ["snapshot", "-o", str(out), "--quiet", *live_args(lv, name)]
    args = [a for a in args if not a.startswith("--now")]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    return Snapshot.from_dict(json.loads(out.read_text())).entries


def reads(check_id: str, keys: set[str]) -> bool:
    return bool(set(CATALOGUE[check_id].needs) & keys)


def test_live_path_gives_the_offline_statuses(live: tuple[str, Live], tmp_path: Path) -> None:
    name, lv = live
    report = cli(*live_args(lv, name))
    got = statuses(report)
    entries = live_entries(lv, name, tmp_path)

    # what moto cannot serve comes back unavailable, named, never a crash
    for key in MOTO_UNSERVED:
        assert entries[key].state == UNAVAILABLE, key
        assert "not supported by this endpoint" in entries[key].reason, entries[key]
    newest = entries["logs:newest-events"].value
    assert {g: v["logStreamName"] for g, v in newest.items()} == {
        g: v["logStreamName"] for g, v in lv.facts["logs:newest-events"].items()
    }

    # offline, with the facts moto cannot reproduce taken from the live run
    limited = MOTO_UNSERVED | CLOCK_BOUND
    fact_entries = {k: ok(v) for k, v in lv.facts.items()}
    fact_entries.update({k: entries[k] for k in limited})
    expected = offline_statuses(
        scenarios.snapshot(name, fact_entries).with_params(snap_params()),
        scenarios.attestations(name),
    )
    assert got == expected

    # and against the pure offline scenario, only checks reading those facts may move
    pure = offline_statuses(
        scenarios.snapshot(name).with_params(snap_params()), scenarios.attestations(name)
    )
    moved = {c for c in pure if pure[c] != got[c]}
    assert all(reads(c, limited) for c in moved), {c: (pure[c], got[c]) for c in moved}


def snap_params() -> Any:
    from readiness import rubric

    return rubric.load(None, known_checks=CATALOGUE).params


def test_one_list_request_per_kind(live: tuple[str, Live]) -> None:
    name, lv = live
    cli(*live_args(lv, name))
    for key in KUBE_KINDS:
        assert len(lv.server.list_requests(key)) <= 1, (key, lv.server.list_requests(key))
    for key in ("namespaces", "deployments", "daemonsets", "nodes", "configmaps"):
        assert len(lv.server.list_requests(key)) == 1, key
    if name == "weeks-done":
        assert len(lv.server.list_requests("schedules.velero.io")) == 1


def test_forbidden_schedules_make_only_their_checks_unknown(live: tuple[str, Live]) -> None:
    name, lv = live
    if name != "weeks-done":
        pytest.skip("Velero is installed only in weeks-done")
    before = cli(*live_args(lv, name))
    lv.server.fail("schedules.velero.io", 403)
    after = cli(*live_args(lv, name))
    needing = {c for c in CATALOGUE if "schedules.velero.io" in CATALOGUE[c].needs}
    assert needing == {"backup.schedules"}
    got, text = statuses(after), summaries(after)
    for c in needing:
        assert got[c] == "unknown"
        assert "forbidden: list schedules.velero.io" in text[c], text[c]
    others = {c: s for c, s in statuses(before).items() if c not in needing}
    assert {c: got[c] for c in others} == others
    assert after["score"]["coverage"] < 1.0
