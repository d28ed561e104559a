"""Renderers: one function each, ``render(report) -> str``, reading only ``Report.to_dict()``
so every output format says exactly what the JSON says."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Renderer = Callable[[dict[str, Any]], str]


def get(fmt: str) -> Renderer:
    if fmt == "json":
        from readiness.renderers.json import render
    elif fmt == "markdown":
        from readiness.renderers.markdown import render
    elif fmt == "terminal":
        from readiness.renderers.terminal import render
    else:
        raise KeyError(fmt)
    return render


FORMATS = ("terminal", "json", "markdown")
