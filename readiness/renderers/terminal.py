"""The terminal report (rich): score against the roadmap, one section per phase, evidence
and remediation for anything not passing, then the plan (projection and next steps)."""

from __future__ import annotations

import io
import os
from typing import Any

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from readiness.renderers.common import (
    METRIC,
    SYMBOL,
    attested_tag,
    cluster_line,
    evidence_lines,
    fmt_score,
    headline,
    listing,
    projection_line,
)

STYLE = {"pass": "green", "warn": "yellow", "fail": "red", "unknown": "magenta", "skipped": "dim"}


def render(report: dict[str, Any], *, color: bool | None = None, width: int | None = None) -> str:
    buf = io.StringIO()
    term_width = width or int(os.environ.get("COLUMNS", "0") or 0) or 110
    con = Console(
        file=buf,
        force_terminal=bool(color),
        no_color=not color,
        width=term_width,
        highlight=False,
        soft_wrap=False,
    )
    _render(con, report)
    return "".join(line.rstrip() + "\n" for line in buf.getvalue().splitlines())


def _status(st: str) -> Text:
    return Text(f"{SYMBOL[st]} {st.upper():7}", style=STYLE[st])


def _render(con: Console, r: dict[str, Any]) -> None:
    con.print(Text("readiness", style="bold") + Text(f" — {cluster_line(r)}"))
    style = "bold"
    value, target = r["score"]["value"], r["score"]["roadmap_target"]
    if value is not None and target is not None:
        style = "bold green" if value >= target else "bold yellow"
    con.print(Text(headline(r), style=style))
    if r["waivers"]["applied"]:
        con.print(
            f"Waived score {fmt_score(r['score']['waived'])}/10 "
            f"({len(r['waivers']['applied'])} waiver(s) applied; raw score above)"
        )
    for w in r["waivers"]["expired"]:
        con.print(
            Text(
                f"EXPIRED WAIVER: {w['check']} ({w['ticket']}, owner {w['owner']}) expired "
                f"{w['expires']} — no longer applied",
                style="bold red",
            )
        )
    if r["gate"]["fail_under"] is not None:
        ok = r["gate"]["passed"]
        con.print(
            Text(
                f"Gate: {'passed' if ok else 'FAILED'} (fail under {r['gate']['fail_under']:.1f})",
                style="green" if ok else "bold red",
            )
        )
    for phase in r["phases"]:
        con.print()
        earned = phase["points_earned"]
        pts = f"{'n/a' if earned is None else f'{earned:.2f}'} of {phase['points']:.2f} pts"
        con.rule(Text(f"{phase['title']} — {pts}", style="bold"), align="left")
        if phase["metrics"]:
            for m in phase["metrics"]:
                con.print(Text(f"  {METRIC[m['status']]} {m['text']}{attested_tag(m)}"))
            con.print()
        for c in phase["checks"]:
            _check(con, c)
    if r["unscored"]:
        con.print()
        con.rule(Text("Unscored checks (not in the rubric)", style="bold"), align="left")
        for c in r["unscored"]:
            _check(con, c)
    con.print()
    if r["projection"]:
        con.print(Text("Projection: ", style="bold") + Text(projection_line(r)))
    if r["next_steps"]:
        con.print(Text("Next steps:", style="bold"))
        con.print(Text("  (each gain is on its own, from today's score)", style="dim"))
        for i, s in enumerate(r["next_steps"][:8], 1):
            after = f" → {fmt_score(s['score_after'])}" if s["score_after"] is not None else ""
            blind = " — unknown: make it observable first" if s["status"] == "unknown" else ""
            line = (
                f"{i}. [{s['phase']}] {s['check']}: {s['title']} (+{s['gain']:.2f}{after}){blind}"
            )
            con.print(Padding(Text(line), (0, 0, 0, 2), expand=False))
        if len(r["next_steps"]) > 8:
            con.print(f"  +{len(r['next_steps']) - 8} more in --format json")
    missing = r["collection"].get("unavailable") or []
    if missing:
        con.print(
            Text(
                "Not observed (the checks that need these count as unknown):", style="bold magenta"
            )
        )
        by_reason: dict[str, list[str]] = {}
        for m in missing:
            by_reason.setdefault(m["reason"], []).append(m["key"])
        for reason, keys in by_reason.items():
            what = keys[0] if len(keys) == 1 else f"{len(keys)} kinds/facts ({listing(keys, 4)})"
            con.print(Padding(Text(f"{what}: {reason}"), (0, 0, 0, 2), expand=False))
    for w in r["waivers"]["unused"]:
        scope = "/".join(x for x in (w["namespace"], w["resource"]) if x) or "whole check"
        con.print(
            Text(
                f"Unused waiver: {w['check']} ({scope}, {w['ticket']}) matched nothing",
                style="yellow",
            )
        )


def _check(con: Console, c: dict[str, Any]) -> None:
    summary = Text(c["summary"])
    if c["waiver"]:
        summary += Text(
            f"  [waived: {c['waiver']['reason']} — {c['waiver']['ticket']}]", style="cyan"
        )
    row = Table.grid(padding=(0, 1))
    row.add_column(width=11, no_wrap=True)
    row.add_column(no_wrap=True)
    row.add_column(ratio=1)
    row.add_row(Text("  ") + _status(c["status"]), Text(c["id"], style="bold"), summary)
    con.print(row)
    if c["status"] == "pass" and not c["waiver"]:
        return
    for e in evidence_lines(c):
        con.print(Padding(Text(f"• {e}", style="dim"), (0, 0, 0, 8), expand=False))
    if c["status"] == "unknown":
        hint = "→ not observed: grant the permission or supply the data named above, then re-run"
        con.print(Padding(Text(hint, style="magenta"), (0, 0, 0, 8), expand=False))
    elif c["status"] in ("fail", "warn") and c["remediation"]:
        con.print(Padding(Text(f"→ {c['remediation']}", style="cyan"), (0, 0, 0, 8), expand=False))
