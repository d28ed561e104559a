"""Wording shared by the human-readable renderers."""

from __future__ import annotations

from typing import Any

SYMBOL = {"pass": "✔", "warn": "!", "fail": "✘", "unknown": "?", "skipped": "–"}
METRIC = {"done": "[x]", "not_done": "[ ]", "unknown": "[?]", "not_applicable": "[-]"}
EVIDENCE_SHOWN = 5


def fmt_score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def headline(r: dict[str, Any]) -> str:
    s = r["score"]
    value = s["value"]
    parts = ["Score n/a (nothing could be decided)" if value is None else f"Score {value:.1f}/10"]
    if s.get("roadmap_start") is not None:
        parts.append(f"roadmap start {s['roadmap_start']:.1f} → target {s['roadmap_target']:.1f}")
    parts.append(f"coverage {s['coverage'] * 100:.0f}%")
    if s["max_reachable"] is not None and s["max_reachable"] != s["value"]:
        parts.append(f"up to {fmt_score(s['max_reachable'])} if every unknown passed")
    return " · ".join(parts)


def cluster_line(r: dict[str, Any]) -> str:
    c = r["cluster"]
    name = c.get("cluster") or c.get("context") or "unknown cluster"
    extra = ", ".join(
        x for x in (c.get("context") if c.get("cluster") else None, c.get("region")) if x
    )
    where = f" ({extra})" if extra else ""
    source = {"live": "live", "snapshot": "saved snapshot", "files": "kubectl dumps"}.get(
        str(c.get("source")), str(c.get("source"))
    )
    return f"{name}{where} · {source} · judged as of {r['collected_at']}"


def evidence_lines(check: dict[str, Any]) -> list[str]:
    ev = check["evidence"]
    lines = [f"{e['ref']}: {e['detail']}" if e["detail"] else e["ref"] for e in ev[:EVIDENCE_SHOWN]]
    if len(ev) > EVIDENCE_SHOWN:
        lines.append(f"+{len(ev) - EVIDENCE_SHOWN} more")
    return lines


def attested_tag(metric: dict[str, Any]) -> str:
    if not metric["attested"]:
        return ""
    return " (attested)" if metric["status"] == "done" else " (includes an attested part)"


def listing(items: list[str], limit: int = 5) -> str:
    shown = ", ".join(items[:limit])
    return shown + (f" +{len(items) - limit} more" if len(items) > limit else "")


def projection_line(r: dict[str, Any]) -> str:
    parts = [f"after {p['title'].split(':')[0]}: {fmt_score(p['score'])}" for p in r["projection"]]
    return ", ".join(parts)
