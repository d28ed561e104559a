"""Third-party checks through the ``readiness.checks`` entry-point group, installed the way
pip installs a package (a dist-info folder on sys.path), not by patching discovery."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from readiness.cli import app
from readiness.discovery import DiscoveryError, discover

PLUGIN = '''
from checks.common import app_namespaces
from readiness.model import check, failed, passed


@check(
    id="acme.owners",
    title="Every app namespace names its owner",
    needs=["namespaces"],
    passes="each app namespace has an owner label",
    remediation="kubectl label namespace NAME owner=TEAM",
)
def owners(snap):
    """An alert without an owner is an alert nobody answers."""
    missing = [n for n in app_namespaces(snap)]
    return failed(f"{len(missing)} without owner") if missing else passed("all owned")
'''


def install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str, ep: str) -> None:
    site = tmp_path / "site"
    (site / "acme_checks").mkdir(parents=True)
    (site / "acme_checks" / "__init__.py").write_text(textwrap.dedent(source))
    dist = site / "acme_checks-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-checks\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(f"[readiness.checks]\nacme = {ep}\n")
    monkeypatch.syspath_prepend(str(site))
    monkeypatch.delitem(sys.modules, "acme_checks", raising=False)  # each test its own copy


def test_plugin_checks_are_discovered_and_reported_unscored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    install(tmp_path, monkeypatch, PLUGIN, "acme_checks")
    assert "acme.owners" in discover()
    dump = tmp_path / "d.yaml"
    dump.write_text(
        yaml.safe_dump({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}})
    )
    res = CliRunner().invoke(app, ["score", "--from", str(dump), "-f", "json"])
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    (plugin,) = report["unscored"]
    assert plugin["id"] == "acme.owners" and plugin["status"] == "fail"
    assert plugin["weight"] is None  # not in the rubric: shown, not scored


def test_plugin_with_a_taken_id_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install(tmp_path, monkeypatch, PLUGIN.replace("acme.owners", "backup.recent"), "acme_checks")
    with pytest.raises(DiscoveryError, match="duplicate check id 'backup.recent'"):
        discover()
    res = CliRunner().invoke(app, ["checks"])
    assert res.exit_code == 2 and "duplicate check id" in res.stderr


def test_broken_plugin_names_itself(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    install(tmp_path, monkeypatch, "raise ImportError('no such thing')\n", "acme_checks")
    with pytest.raises(DiscoveryError, match="plugin entry point 'acme'.*failed to load"):
        discover()
