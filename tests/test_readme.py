"""The README's promises: its example check works as written and its quick start names real
files and the real test command."""

from __future__ import annotations

import re
from pathlib import Path

from readiness.discovery import validate
from readiness.model import Check, Status
from tests.snap import make_snapshot

README = (Path(__file__).parent.parent / "README.md").read_text()
CI = (Path(__file__).parent.parent / ".ci" / "run").read_text()


def _example_check() -> Check:
    block = re.search(r"## Writing a check.*?```python\n(.*?)```", README, re.S)
    assert block, "README lost its example check"
    scope: dict[str, object] = {}
    exec(compile(block.group(1), "README.md", "exec"), scope)  # noqa: S102 - our own README
    found = [v for v in scope.values() if isinstance(v, Check)]
    assert len(found) == 1
    return found[0]


def test_readme_example_check_is_valid_and_decides() -> None:
    c = _example_check()
    validate([c])  # known needs, no duplicate
    ns = [
        {"metadata": {"name": "shop", "labels": {"team": "web"}}},
        {"metadata": {"name": "billing"}},
        {"metadata": {"name": "kube-system"}},
    ]
    r = c(make_snapshot({"namespaces": ns}))
    assert r.status is Status.WARN and "1 of 2" in r.summary
    r = c(make_snapshot({"namespaces": ns[:1]}))
    assert r.status is Status.PASS


def test_quick_start_names_real_files_and_the_ci_test_command() -> None:
    for path in re.findall(r"--from (examples/\S+)", README):
        assert (Path(__file__).parent.parent / path).is_file(), path
    assert "python -m pytest" in README and "python -m pytest" in CI


def test_every_upstream_fixture_is_attributed() -> None:
    root = Path(__file__).parent / "fixtures" / "upstream"
    listed = set(re.findall(r"^- `([^`]+)`", (root / "SOURCES.md").read_text(), re.M))
    present = {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} - {"SOURCES.md"}
    assert present - listed == set(), "add these to tests/fixtures/upstream/SOURCES.md"
