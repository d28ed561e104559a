"""Renderers: one function each, ``render(report) -> str``, reading only ``Report.to_dict()``
so every output format says exactly what the JSON says."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Renderer = Callable[[dict[str, Any]], str]


def get(fmt: str) -> Renderer:
    import importlib

    if fmt not in FORMATS:
        raise KeyError(fmt)
    render: Renderer = importlib.import_module(f"readiness.renderers.{fmt}").render
    return render


FORMATS = ("terminal", "json", "markdown", "junit")
