"""Find checks: every module of the built-in ``checks`` package plus entry points in the
``readiness.checks`` group (a module or a single Check object each).

Discovery refuses ambiguity up front — duplicate ids, or ``needs`` naming keys no collector
can fetch — because either would silently corrupt a score later.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable
from importlib.metadata import entry_points
from types import ModuleType
from typing import Any

from readiness.keys import known_keys
from readiness.model import Check

ENTRY_POINT_GROUP = "readiness.checks"


class DiscoveryError(Exception):
    """A check catalogue that cannot be trusted (bad plugin, duplicate id, unknown key)."""


def _checks_in(obj: Any) -> list[Check]:
    if isinstance(obj, Check):
        return [obj]
    if isinstance(obj, ModuleType):
        return [v for v in vars(obj).values() if isinstance(v, Check)]
    raise DiscoveryError(f"{obj!r} is neither a module nor a Check")


def builtin_modules() -> list[ModuleType]:
    import checks

    mods = []
    for info in sorted(pkgutil.iter_modules(checks.__path__), key=lambda i: i.name):
        if info.name.startswith("_") or info.name == "common":
            continue
        mods.append(importlib.import_module(f"checks.{info.name}"))
    return mods


def plugin_objects() -> list[Any]:
    out = []
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        try:
            out.append(ep.load())
        except Exception as exc:  # a broken plugin must name itself, not crash the run
            raise DiscoveryError(
                f"plugin entry point {ep.name!r} ({ep.value}) failed to load: {exc}"
            ) from None
    return out


def validate(found: Iterable[Check]) -> dict[str, Check]:
    known = known_keys()
    catalogue: dict[str, Check] = {}
    for c in found:
        if c.id in catalogue and catalogue[c.id] is not c:
            raise DiscoveryError(
                f"duplicate check id {c.id!r} in {catalogue[c.id].module} and {c.module}"
            )
        bad = [k for k in c.needs if k not in known]
        if bad:
            raise DiscoveryError(
                f"check {c.id!r} ({c.module}) needs unknown snapshot key(s): {', '.join(bad)}"
            )
        catalogue[c.id] = c
    return dict(sorted(catalogue.items()))


def discover(include_plugins: bool = True) -> dict[str, Check]:
    found: list[Check] = []
    for mod in builtin_modules():
        found += _checks_in(mod)
    if include_plugins:
        for obj in plugin_objects():
            found += _checks_in(obj)
    return validate(found)
