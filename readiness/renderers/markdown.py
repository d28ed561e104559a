"""Markdown for pull-request comments and pipeline summaries."""

from __future__ import annotations

from typing import Any

from readiness.renderers.common import (
    METRIC,
    SYMBOL,
    attested_tag,
    cluster_line,
    evidence_lines,
    fmt_score,
    headline,
    projection_line,
)


def render(r: dict[str, Any]) -> str:
    out = ["# readiness report", "", f"_{cluster_line(r)}_", "", f"**{headline(r)}**", ""]
    for phase in r["phases"]:
        earned = phase["points_earned"]
        out += [
            f"## {phase['title']} — {fmt_score(earned)} of {phase['points']} pts",
            "",
        ]
        for m in phase["metrics"]:
            out.append(f"- {METRIC[m['status']]} {m['text']}{attested_tag(m)}")
        if phase["metrics"]:
            out.append("")
        out += ["| | check | summary |", "|---|---|---|"]
        for c in phase["checks"]:
            summary = c["summary"].replace("|", "\\|")
            out.append(f"| {SYMBOL[c['status']]} {c['status']} | `{c['id']}` | {summary} |")
        out.append("")
        for c in phase["checks"]:
            if c["status"] in ("fail", "warn", "unknown"):
                out.append(f"<details><summary>{c['id']}</summary>\n")
                out += [f"- {e}" for e in evidence_lines(c)]
                out += ["", f"Remediation: {c['remediation']}", "</details>", ""]
    if r["projection"]:
        out += [f"**Projection:** {projection_line(r)}", ""]
    return "\n".join(out) + "\n"
