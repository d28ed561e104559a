"""Golden reports for the bundled example: any change to what a user sees — wording,
order, numbers — shows up as a diff here and has to be accepted on purpose.

Regenerate after an intended change:
``READINESS_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from readiness.cli import app

REPO = Path(__file__).parent.parent
GOLDEN = Path(__file__).parent / "golden"
EXAMPLE = REPO / "examples" / "starting-cluster.json"


@pytest.mark.parametrize(
    ("fmt", "name"),
    [
        ("json", "starting-cluster.json"),
        ("terminal", "starting-cluster.txt"),
        ("markdown", "starting-cluster.md"),
    ],
)
def test_example_report_matches_golden(
    fmt: str, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "110")
    res = CliRunner().invoke(app, ["score", "--from", str(EXAMPLE), "--format", fmt, "--quiet"])
    assert res.exit_code == 0, res.output
    golden = GOLDEN / name
    if os.environ.get("READINESS_UPDATE_GOLDEN"):
        golden.write_text(res.stdout)
    assert res.stdout == golden.read_text(), (
        f"{name} changed; if intended, regenerate (see module doc)"
    )
