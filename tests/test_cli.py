"""The CLI: every exit code, bad input as one line without a traceback, help text.

Most cases go through typer's CliRunner; a few run the real console script in a subprocess so
the packaging (``python -m readiness``, entry point) is covered too.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from readiness.cli import app

runner = CliRunner()
SCHEMA = json.loads(resources.files("readiness").joinpath("schema/report.schema.json").read_text())
REPO = Path(__file__).parent.parent

DUMP = {
    "apiVersion": "v1",
    "kind": "List",
    "items": [
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": "shop", "creationTimestamp": "2026-11-20T10:00:00Z"},
        },
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "name": "web",
                "namespace": "shop",
                "creationTimestamp": "2026-11-21T10:00:00Z",
            },
            "spec": {
                "replicas": 2,
                "template": {"spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}},
            },
            "status": {"readyReplicas": 2},
        },
    ],
}


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def one_line_error(stderr: str, needle: str) -> None:
    lines = [line for line in stderr.strip().splitlines() if line]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("readiness: error: ")
    assert needle in lines[0]
    assert "Traceback" not in stderr


@pytest.fixture
def dump(tmp_path: Path) -> Path:
    p = tmp_path / "dump.yaml"
    p.write_text(yaml.safe_dump(DUMP))
    return p


@pytest.mark.parametrize("cmd", ["score", "checks", "explain", "snapshot", "permissions"])
def test_help_for_every_command(cmd: str) -> None:
    code, out, _ = run(cmd, "--help")
    assert code == 0
    assert "Usage" in out


def test_score_help_names_the_main_options() -> None:
    _, out, _ = run("score", "--help")
    for opt in (
        "--from",
        "--format",
        "--fail-under",
        "--context",
        "--cluster",
        "--rubric",
        "--now",
        "--waivers",
    ):
        assert opt in out


def test_offline_score_terminal(dump: Path) -> None:
    code, out, _ = run("score", "--from", str(dump))
    assert code == 0
    assert "Score " in out and "Week 1: Monitoring" in out
    assert "2026-11-21T10:00:00Z" in out  # "now" = the newest timestamp in the dump


def test_offline_score_json_validates_and_is_deterministic(dump: Path, tmp_path: Path) -> None:
    code, out, _ = run("score", "--from", str(dump), "--format", "json")
    assert code == 0
    data = json.loads(out)
    jsonschema.validate(data, SCHEMA)
    out_file = tmp_path / "r.json"
    assert run("score", "--from", str(dump), "-f", "json", "-o", str(out_file))[0] == 0
    assert out_file.read_text() == out
    # AWS facts are absent offline: those checks are unknown, never pass
    by_id = {c["id"]: c for p in data["phases"] for c in p["checks"]}
    assert by_id["logging.control-plane"]["status"] == "unknown"
    assert data["score"]["coverage"] < 1


def test_markdown(dump: Path) -> None:
    code, out, _ = run("score", "--from", str(dump), "--format", "markdown")
    assert code == 0 and out.startswith("# readiness report")


def test_gate_exit_codes(dump: Path) -> None:
    code, _, err = run("score", "--from", str(dump), "--fail-under", "9.9", "-f", "json")
    assert code == 1 and "readiness: gate FAILED: score " in err and "vs fail-under 9.9" in err
    code, _, err = run("score", "--from", str(dump), "--fail-under", "0", "-f", "json")
    assert code == 0 and "gate passed" in err
    code, _, err = run(
        "score", "--from", str(dump), "--fail-under", "0", "-f", "json", "--only", "week1"
    )
    assert "(selected checks only: --only/--skip)" in err


def test_now_overrides_time(dump: Path) -> None:
    code, out, _ = run("score", "--from", str(dump), "-f", "json", "--now", "2027-01-01T00:00:00Z")
    assert code == 0 and json.loads(out)["collected_at"] == "2027-01-01T00:00:00Z"


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("kind: List\nitems: [\n", "not valid YAML"),
        ('{"kind": "List", "items": [}', "not valid JSON"),
        ("just: a mapping\n", "no Kubernetes objects found"),
        (b"\xff\xfe\x00binary", "not UTF-8"),
        ('{"readiness_snapshot": 1, "entries": {}}', "broken snapshot"),
        # shapes kubectl never writes used to crash the loader with a traceback
        ("apiVersion: v1\nkind: Pod\nmetadata: 5\n", "Pod: metadata must be a mapping"),
        (
            "apiVersion: v1\nkind: List\nitems: [{apiVersion: v1, kind: Pod, "
            "metadata: {name: a}, spec: 7}]\n",
            "Pod a: spec must be a mapping",
        ),
        (
            "apiVersion: monitoring.coreos.com/v1\nkind: Alertmanager\n"
            "metadata: {name: main, namespace: monitoring}\nspec: [1]\n",
            "Alertmanager main: spec must be a mapping",
        ),
        (
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: a, creationTimestamp: 2026-13-45}\n",
            "not valid YAML: month must be in 1..12",
        ),
        (
            '{"readiness_snapshot": 1, "collected_at": "2026-11-27T12:00:00Z", '
            '"entries": {"pods": {"state": "ok", "value": 5}}}',
            "entries.pods: value of a Kubernetes kind must be a list of objects",
        ),
    ],
)
def test_bad_input_files(tmp_path: Path, content: str | bytes, needle: str) -> None:
    f = tmp_path / "input.yaml"
    f.write_bytes(content if isinstance(content, bytes) else content.encode())
    code, _, err = run("score", "--from", str(f))
    assert code == 2
    one_line_error(err, needle)


def test_truncated_or_corrupt_gzip_is_exit_2(tmp_path: Path, dump: Path) -> None:
    """gzip raises EOFError on a truncated stream, which click turned into "Aborted!" exit 1."""
    import gzip

    whole = gzip.compress(dump.read_bytes())
    for name, data in (("cut.json.gz", whole[: len(whole) // 2]), ("bad.json.gz", b"\x1f\x8b")):
        f = tmp_path / name
        f.write_bytes(data)
        code, _, err = run("score", "--from", str(f))
        assert code == 2, err
        one_line_error(err, f"{name}: not a complete gzip file")


@pytest.mark.parametrize("option", ["--rubric", "--waivers", "--attestations"])
@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"\xff\xfe\x00binary", "not UTF-8 text"),
        (b"expires: 2026-13-45\n", "not valid YAML: month must be in 1..12"),
    ],
)
def test_undecodable_yaml_inputs_are_exit_2(
    tmp_path: Path, dump: Path, option: str, content: bytes, needle: str
) -> None:
    f = tmp_path / "input.yaml"
    f.write_bytes(content)
    code, _, err = run("score", "--from", str(dump), option, str(f))
    assert code == 2
    one_line_error(err, needle)


def test_an_unforeseen_crash_is_one_line_without_its_text(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The last resort of the console script: no traceback, and not the exception text,
    which could quote input such as a token."""
    import readiness.cli as cli

    def boom() -> None:
        raise RuntimeError("token=sk-live-123")

    monkeypatch.setattr(cli, "app", boom)
    monkeypatch.delenv("READINESS_TRACEBACK", raising=False)
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    one_line_error(err, "unexpected RuntimeError at test_cli.py:")
    assert "sk-live-123" not in err


def test_missing_file_and_directory(tmp_path: Path) -> None:
    code, _, err = run("score", "--from", str(tmp_path / "nope.yaml"))
    assert code == 2
    one_line_error(err, "no such file")
    code, _, err = run("score", "--from", str(tmp_path))
    assert code == 2
    one_line_error(err, "is a directory")


def test_bad_rubric(tmp_path: Path, dump: Path) -> None:
    data = yaml.safe_load((REPO / "rubric.yaml").read_text())
    data["phases"][0]["points"] = 2.0
    bad = tmp_path / "rubric.yaml"
    bad.write_text(yaml.safe_dump(data))
    code, _, err = run("score", "--from", str(dump), "--rubric", str(bad))
    assert code == 2
    one_line_error(err, "phases: points must sum to 10")
    data["phases"][0]["points"] = 1.0
    data["phases"][0]["checks"]["monitoring.prometheus-typo"] = 1
    bad.write_text(yaml.safe_dump(data))
    code, _, err = run("score", "--from", str(dump), "--rubric", str(bad))
    assert code == 2
    one_line_error(err, "phases[0].checks.monitoring.prometheus-typo: no such check")


def test_unknown_check_ids(dump: Path) -> None:
    code, _, err = run("explain", "backup.nope")
    assert code == 2
    one_line_error(err, "no such check 'backup.nope'")
    code, _, err = run("score", "--from", str(dump), "--only", "week9")
    assert code == 2
    one_line_error(err, "--only week9: no such check or phase")


def test_bad_now_and_format(dump: Path) -> None:
    code, _, err = run("score", "--from", str(dump), "--now", "yesterday")
    assert code == 2
    one_line_error(err, "--now 'yesterday'")
    code, _, err = run("score", "--from", str(dump), "--format", "xml")
    assert code == 2
    one_line_error(err, "--format xml")


def test_malformed_attestations_and_waivers(tmp_path: Path, dump: Path) -> None:
    att = tmp_path / "att.yaml"
    att.write_text("attestations:\n  - item: on-call\n")
    code, _, err = run("score", "--from", str(dump), "--attestations", str(att))
    assert code == 2
    one_line_error(err, "missing owner, date, link")
    w = tmp_path / "w.yaml"
    w.write_text(
        "waivers:\n  - {check: no.such, reason: r, owner: o, ticket: t, expires: 2027-01-01}\n"
    )
    code, _, err = run("score", "--from", str(dump), "--waivers", str(w))
    assert code == 2
    one_line_error(err, "no such check 'no.such'")


def test_attestations_and_waivers_end_to_end(tmp_path: Path, dump: Path) -> None:
    w = tmp_path / "w.yaml"
    waivers = [
        ("ops.quotas-limits", "PLAT-1", "2027-03-31"),  # failing: applies
        ("future.policy", "PLAT-2", "2026-01-31"),  # expired before collection time
        ("platform.certificates", "PLAT-3", "2027-03-31"),  # skipped: matches nothing
    ]
    w.write_text(
        yaml.safe_dump(
            {
                "waivers": [
                    {"check": c, "reason": "accepted", "owner": "lead", "ticket": t, "expires": e}
                    for c, t, e in waivers
                ]
            }
        )
    )
    code, out, _ = run(
        "score", "--from", str(dump), "-f", "json", "--assume-complete",
        "--attestations", str(REPO / "examples/attestations.yaml"), "--waivers", str(w),
    )  # fmt: skip
    assert code == 0
    d = json.loads(out)
    jsonschema.validate(d, SCHEMA)
    assert [x["ticket"] for x in d["waivers"]["applied"]] == ["PLAT-1"]
    assert [x["ticket"] for x in d["waivers"]["expired"]] == ["PLAT-2"]
    assert [x["ticket"] for x in d["waivers"]["unused"]] == ["PLAT-3"]
    assert d["score"]["waived"] > d["score"]["value"]
    att = next(c for p in d["phases"] for c in p["checks"] if c["id"] == "ops.attestations")
    assert att["attested"] is True and att["status"] == "pass"
    code, out, _ = run(
        "score",
        "--from",
        str(dump),
        "--assume-complete",
        "--attestations",
        str(REPO / "examples/attestations.yaml"),
        "--waivers",
        str(w),
    )
    assert "EXPIRED WAIVER: future.policy" in out and "Unused waiver: platform.certificates" in out
    assert "Waived score" in out and "(attested)" in out


def test_checks_and_explain_and_permissions() -> None:
    code, out, _ = run("checks", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    ids = {r["id"] for r in rows}
    assert {"monitoring.prometheus", "backup.recent", "ops.attestations"} <= ids
    assert all(r["phase"] for r in rows)
    # every check traces to a roadmap item or success metric
    assert all(r["roadmap"] for r in rows), [r["id"] for r in rows if not r["roadmap"]]
    code, out, _ = run("explain", "backup.recent")
    assert code == 0
    assert "Passes when:" in out and "list backups.velero.io" in out
    code, out, _ = run("permissions")
    assert code == 0
    docs = out.split("---")
    role = yaml.safe_load(docs[0])
    assert role["kind"] == "ClusterRole"
    verbs = {v for rule in role["rules"] for v in rule["verbs"]}
    assert verbs <= {"get", "list"}
    assert "&id" not in out  # plain YAML, no anchors: kubectl apply takes it as is
    policy = json.loads(docs[1][docs[1].index("{") :])
    actions = policy["Statement"][0]["Action"]
    assert actions and all(a.split(":")[1].startswith(("Describe", "List", "Get")) for a in actions)
    code, out, _ = run("permissions", "--part", "kubernetes")
    assert code == 0 and yaml.safe_load(out)["kind"] == "ClusterRole"
    code, out, _ = run("permissions", "--part", "aws")
    assert code == 0 and json.loads(out)["Statement"][0]["Action"] == actions


def test_bad_kubeconfig_is_exit_2(tmp_path: Path) -> None:
    cfg = tmp_path / "config"
    cfg.write_text("this: [is not a kubeconfig\n")
    code, _, err = run("score", "--kubeconfig", str(cfg), "--no-aws", "-q")
    assert code == 2
    assert "Traceback" not in err and err.startswith("readiness: error: ")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_cluster_is_exit_3(tmp_path: Path) -> None:
    port = _closed_port()
    cfg = tmp_path / "config"
    cfg.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": "c", "cluster": {"server": f"http://127.0.0.1:{port}"}}],
                "users": [{"name": "u", "user": {"token": "t"}}],
                "contexts": [{"name": "ctx", "context": {"cluster": "c", "user": "u"}}],
                "current-context": "ctx",
            }
        )
    )
    code, _, err = run("score", "--kubeconfig", str(cfg), "--no-aws", "-q")
    assert code == 3
    one_line_error(err, f"127.0.0.1:{port}")


@pytest.mark.parametrize("cmd", ["score", "snapshot"])
def test_output_into_a_missing_directory_fails_before_collecting(tmp_path: Path, cmd: str) -> None:
    """Exit 2 naming the directory, without first spending a whole collection (here an
    unreachable cluster, which would be exit 3)."""
    port = _closed_port()
    cfg = tmp_path / "config"
    cfg.write_text(
        yaml.safe_dump(
            {
                "clusters": [{"name": "c", "cluster": {"server": f"http://127.0.0.1:{port}"}}],
                "users": [{"name": "u", "user": {"token": "t"}}],
                "contexts": [{"name": "ctx", "context": {"cluster": "c", "user": "u"}}],
                "current-context": "ctx",
            }
        )
    )
    target = tmp_path / "missing" / "out.json"
    code, _, err = run(cmd, "--kubeconfig", str(cfg), "--no-aws", "-q", "-o", str(target))
    assert code == 2
    one_line_error(err, f"directory {tmp_path / 'missing'} does not exist")
    code, _, err = run(cmd, "--kubeconfig", str(cfg), "--no-aws", "-q", "-o", str(tmp_path))
    assert code == 2
    one_line_error(err, "is a directory")


def test_console_script_and_module_run_as_subprocess(dump: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "readiness", "score", "--from", str(dump), "-f", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["schema_version"].startswith("1.")
    proc = subprocess.run(
        [sys.executable, "-m", "readiness", "score", "--from", "/nonexistent.yaml"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("readiness: error: ") and "Traceback" not in proc.stderr


def test_junit(dump: Path) -> None:
    import xml.etree.ElementTree as ET

    code, out, _ = run("score", "--from", str(dump), "--format", "junit")
    assert code == 0
    root = ET.fromstring(out.split("?>", 1)[1])
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert len(cases) == int(root.get("tests", "0")) and cases
    assert cases["logging.control-plane"].find("error") is not None  # unknown offline
    # the dump holds no Alertmanager list: not observed, so an error, not a failure
    assert cases["monitoring.alertmanager"].find("error") is not None
    code, out, _ = run("score", "--from", str(dump), "--format", "junit", "--assume-complete")
    root = ET.fromstring(out.split("?>", 1)[1])
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert cases["monitoring.alertmanager"].find("failure") is not None


def test_diff_between_two_reports(dump: Path, tmp_path: Path) -> None:
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    assert run("score", "--from", str(dump), "-f", "json", "-o", str(old))[0] == 0
    assert (
        run(
            "score",
            "--from",
            str(REPO / "examples/starting-cluster.json"),
            "-f",
            "json",
            "-o",
            str(new),
        )[0]
        == 0
    )
    code, out, _ = run("diff", str(old), str(new))
    assert code == 0 and out.startswith("Score ")
    assert "improved  security.endpoint-access: unknown → pass" in out
    code, out, _ = run("diff", str(new), str(old), "--fail-on-regression", "-f", "json")
    assert code == 1
    assert json.loads(out)["delta"] < 0
    code, _, err = run("diff", str(dump), str(new))
    assert code == 2
    one_line_error(err, "not JSON")
    other = tmp_path / "other.json"
    other.write_text('{"kind": "List"}')
    code, _, err = run("diff", str(other), str(new))
    assert code == 2
    one_line_error(err, "not a readiness JSON report")


def test_expired_attestations_through_the_cli(dump: Path) -> None:
    att = str(REPO / "examples/attestations.yaml")
    code, out, _ = run(
        "score",
        "--from",
        str(dump),
        "-f",
        "json",
        "--attestations",
        att,
        "--now",
        "2028-06-01T00:00:00Z",
    )
    assert code == 0
    c = next(
        c for p in json.loads(out)["phases"] for c in p["checks"] if c["id"] == "ops.attestations"
    )
    assert c["status"] == "warn" and c["attested"] is True
    assert "older than 365 days" in c["summary"]
