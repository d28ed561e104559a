"""Read a user's YAML file (rubric, waivers, attestations) with one-line errors.

Every failure becomes the caller's error type with a message naming the file and, where
YAML knows it, the line — so the CLI can print it and exit 2 instead of a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def read_yaml(path: str | Path, what: str, error: type[Exception]) -> Any:
    """Parse ``path``; ``what`` names the file in messages ("rubric", "waivers file")."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise error(f"{path}: cannot read {what}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise error(f"{path}: not UTF-8 text (expected a YAML {what})") from None
    return parse_yaml(text, str(path), error)


def parse_yaml(text: str, source: str, error: type[Exception]) -> Any:
    try:
        return yaml.safe_load(text)
    except ValueError as exc:  # a scalar YAML resolves but cannot build, e.g. 2026-13-45
        raise error(f"{source}: not valid YAML: {exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise error(f"{source}:{where} not valid YAML: {getattr(exc, 'problem', exc)}") from None
