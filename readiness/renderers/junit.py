"""JUnit XML so CI systems show each check as a test: fail → failure, warn → failure marked
warn, unknown → error (could not look), skipped → skipped. Built with the standard library's
ElementTree, which escapes every value."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from readiness.renderers.common import evidence_lines, fmt_score


def render(r: dict[str, Any]) -> str:
    counts = r["counts"]
    suites = ET.Element(
        "testsuites",
        name="readiness",
        tests=str(sum(counts.values())),
        failures=str(counts["fail"] + counts["warn"]),
        errors=str(counts["unknown"]),
        skipped=str(counts["skipped"]),
    )
    phases = list(r["phases"])
    if r["unscored"]:
        phases.append({"id": "unscored", "title": "Unscored checks", "checks": r["unscored"]})
    for phase in phases:
        checks = phase["checks"]
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=phase["title"],
            tests=str(len(checks)),
            failures=str(sum(c["status"] in ("fail", "warn") for c in checks)),
            errors=str(sum(c["status"] == "unknown" for c in checks)),
            skipped=str(sum(c["status"] == "skipped" for c in checks)),
        )
        for c in checks:
            case = ET.SubElement(suite, "testcase", classname=phase["id"], name=c["id"])
            detail = "\n".join(
                [c["summary"], *evidence_lines(c), f"Remediation: {c['remediation']}"]
            )
            if c["status"] in ("fail", "warn"):
                ET.SubElement(case, "failure", message=c["summary"], type=c["status"]).text = detail
            elif c["status"] == "unknown":
                ET.SubElement(case, "error", message=c["summary"], type="unknown").text = detail
            elif c["status"] == "skipped":
                ET.SubElement(case, "skipped", message=c["summary"])
    props = ET.SubElement(suites, "properties")
    ET.SubElement(props, "property", name="score", value=fmt_score(r["score"]["value"]))
    ET.SubElement(props, "property", name="coverage", value=str(r["score"]["coverage"]))
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"
