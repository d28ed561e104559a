"""Command line: wiring only. Every decision lives in the modules it calls.

Exit codes: 0 ok, 1 gate failed (--fail-under), 2 bad usage or bad input, 3 cluster or AWS
unreachable. Errors are one line on stderr, never a traceback (``--strict`` re-raises
check crashes for debugging).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer

from readiness import __version__

EXIT_OK, EXIT_GATE, EXIT_INPUT, EXIT_UNREACHABLE = 0, 1, 2, 3

app = typer.Typer(
    name="readiness",
    help=(
        "Score the production readiness of an AWS EKS cluster against its roadmap "
        "(monitoring, logging, GitOps, backup & DR, security foundation).\n\n"
        "Reads the cluster (current kubeconfig context) and AWS, read-only. "
        "Exit codes: 0 ok, 1 gate failed, 2 bad usage or input, 3 cluster unreachable."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Failure(Exception):
    def __init__(self, message: str, code: int = EXIT_INPUT) -> None:
        super().__init__(message)
        self.code = code


def _die(message: str, code: int) -> NoReturn:
    typer.echo(f"readiness: error: {message}", err=True)
    raise typer.Exit(code)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"readiness {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Score the production readiness of an AWS EKS cluster against its roadmap."""


# -- shared option types ---------------------------------------------------------------------

ContextOpt = Annotated[
    str | None, typer.Option("--context", help="kubeconfig context (default: current context).")
]
KubeconfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--kubeconfig", envvar="KUBECONFIG", help="kubeconfig file (default: ~/.kube/config)."
    ),
]
ClusterOpt = Annotated[
    str | None,
    typer.Option(
        "--cluster", help="EKS cluster name for AWS facts (default: parsed from the context)."
    ),
]
RegionOpt = Annotated[
    str | None,
    typer.Option("--region", help="AWS region (default: from the context or AWS config)."),
]
ProfileOpt = Annotated[
    str | None,
    typer.Option("--profile", help="AWS profile (default: AWS_PROFILE / default chain)."),
]
RubricOpt = Annotated[
    Path | None, typer.Option("--rubric", help="Rubric YAML (default: the built-in rubric.yaml).")
]
OnlyOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--only",
        help="Only these check ids or phase ids (repeatable); the score then covers them alone.",
    ),
]
SkipOpt = Annotated[
    list[str] | None,
    typer.Option("--skip", help="Leave out these check ids or phase ids (repeatable)."),
]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress display on stderr.")]
NoAwsOpt = Annotated[
    bool, typer.Option("--no-aws", help="Do not call AWS; AWS-based checks become unknown.")
]
AttestOpt = Annotated[
    Path | None,
    typer.Option(
        "--attestations", help="Attestations file for the manual roadmap items (see examples/)."
    ),
]


# -- helpers ---------------------------------------------------------------------------------


def _catalogue() -> dict[str, Any]:
    from readiness.discovery import DiscoveryError, discover

    try:
        return discover()
    except DiscoveryError as exc:
        raise Failure(str(exc)) from None


def _rubric(path: Path | None, catalogue: dict[str, Any]) -> Any:
    from readiness import rubric

    try:
        return rubric.load(path, known_checks=catalogue)
    except rubric.RubricError as exc:
        raise Failure(str(exc)) from None


def _select(
    catalogue: dict[str, Any], rub: Any, only: Sequence[str], skip: Sequence[str]
) -> list[Any]:
    phases = {p.id: list(p.weights) for p in rub.phases}

    def expand(names: Sequence[str], flag: str) -> set[str]:
        out: set[str] = set()
        for n in names:
            if n in catalogue:
                out.add(n)
            elif n in phases:
                out.update(phases[n])
            else:
                raise Failure(f"{flag} {n}: no such check or phase (see `readiness checks`)")
        return out

    chosen = expand(only, "--only") if only else set(catalogue)
    chosen -= expand(skip, "--skip")
    return [catalogue[c] for c in sorted(chosen)]


def _parse_now(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    from readiness.snapshot import parse_time

    t = parse_time(value)
    if t is None:
        raise Failure(f"--now {value!r}: expected an RFC 3339 time such as 2026-11-27T12:00:00Z")
    return t


@dataclass(frozen=True)
class Live:
    """Where and how to collect live: the connection options shared by score and snapshot."""

    context: str | None
    kubeconfig: Path | None
    cluster: str | None
    region: str | None
    profile: str | None
    no_aws: bool
    quiet: bool


def _refuse_rejected_credentials(entries: dict[str, Any], target: Any) -> None:
    """Every Kubernetes read answered 401: the token is expired or revoked. Nothing about the
    cluster was observed, so a report (score n/a, exit 0) would only hide it: stop with exit
    2, as for any other bad credential input."""
    if entries and all("unauthorized: " in e.reason for e in entries.values()):
        raise Failure(
            f"the API server {target.server} rejected the credentials of context "
            f"{target.context!r} (401 Unauthorized): the token is expired or revoked; refresh it "
            "(e.g. `aws sso login`, `aws eks update-kubeconfig --name <cluster>`) and run again"
        )


def _collect_live(keys: set[str], live: Live, regions: Sequence[str]) -> Any:
    from readiness.collect import ClusterUnreachable, ConfigError
    from readiness.collect.context import cluster_from_context
    from readiness.collect.kube import collect_kube, load_target
    from readiness.keys import AWS_FACTS
    from readiness.progress import progress_for
    from readiness.snapshot import ClusterInfo, Snapshot, unavailable

    started = dt.datetime.now(dt.UTC).replace(microsecond=0)
    try:
        target, api = load_target(live.context, str(live.kubeconfig) if live.kubeconfig else None)
    except ConfigError as exc:
        raise Failure(str(exc)) from None
    parsed_name, parsed_region = cluster_from_context(
        target.cluster_entry or target.context, target.exec_args, target.server
    )
    name = live.cluster or parsed_name
    aws_region = live.region or parsed_region
    aws_keys = {k for k in keys if k in AWS_FACTS}
    with progress_for(live.quiet) as progress:
        try:
            entries = collect_kube(keys, api, progress=progress)
        except ClusterUnreachable as exc:
            raise Failure(str(exc), EXIT_UNREACHABLE) from None
        _refuse_rejected_credentials(entries, target)
        if aws_keys:
            if live.no_aws:
                entries.update({k: unavailable("AWS not queried (--no-aws)") for k in aws_keys})
            else:
                from readiness.collect.aws import collect_aws, make_session

                try:
                    session = make_session(live.profile, aws_region)
                except ConfigError as exc:
                    raise Failure(str(exc)) from None
                entries.update(
                    collect_aws(
                        aws_keys,
                        session,
                        cluster=name,
                        region=aws_region or session.region_name,
                        kube=entries,
                        regions=regions,
                        progress=progress,
                    )
                )
                aws_region = aws_region or session.region_name
    info = ClusterInfo(
        context=target.context, cluster=name, region=aws_region, server=target.server, source="live"
    )
    return Snapshot(entries=entries, collected_at=started, cluster=info)


def _attestations(path: Path | None) -> Any:
    from readiness import attestations

    try:
        return attestations.entry(path)
    except attestations.AttestationError as exc:
        raise Failure(str(exc)) from None


def _snapshot_for(
    checks: Sequence[Any],
    rub: Any,
    live: Live,
    *,
    sources: Sequence[Path] | None,
    now: str | None,
    attestations: Path | None,
    assume_complete: bool = False,
) -> Any:
    from readiness.collect.files import InputError, load
    from readiness.runner import needs_of

    when = _parse_now(now)
    if sources:
        try:
            snap = load(sources, now=when, assume_complete=assume_complete)
        except InputError as exc:
            raise Failure(str(exc)) from None
    else:
        snap = _collect_live(needs_of(checks), live, rub.params.regions)
        if when is not None:
            snap = type(snap)(entries=snap.entries, collected_at=when, cluster=snap.cluster)
    if attestations is not None or "local:attestations" not in snap.entries:
        # a saved snapshot keeps the attestations it was taken with unless a file is given
        snap.entries["local:attestations"] = _attestations(attestations)
    return snap.with_params(rub.params)


def _writable_target(output: Path | None) -> None:
    """Fail before collecting, not after minutes of it, when ``-o`` cannot be written."""
    if output is None:
        return
    parent = output.parent
    if output.is_dir():
        raise Failure(f"{output}: is a directory; give a file name for -o")
    if not parent.is_dir():
        raise Failure(f"{output}: directory {parent} does not exist")


def _run(fn: Any) -> None:
    try:
        fn()
    except Failure as exc:
        _die(str(exc), exc.code)


# -- commands --------------------------------------------------------------------------------


@app.command()
def score(
    sources: Annotated[
        list[Path] | None,
        typer.Option(
            "--from",
            help="Score offline: kubectl get -o yaml/json dumps and/or a snapshot saved by "
            "`readiness snapshot` (repeatable). No cluster access.",
        ),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="terminal, json, markdown or junit.")
    ] = "terminal",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write the report to FILE.")
    ] = None,
    fail_under: Annotated[
        float | None,
        typer.Option(
            "--fail-under",
            min=0,
            max=10,
            help="Exit 1 when the score (after waivers) is below this, e.g. 8.5. Overrides the "
            "rubric's gate.fail_under.",
        ),
    ] = None,
    now: Annotated[
        str | None,
        typer.Option(
            "--now",
            help="Judge ages (backups, logs, certificates, attestations, waivers) as of this RFC "
            "3339 time. Default: the collection time (live or snapshot), or the newest "
            "timestamp in kubectl dumps.",
        ),
    ] = None,
    waivers: Annotated[
        Path | None,
        typer.Option("--waivers", help="Waivers file: accepted gaps with owner, ticket, expiry."),
    ] = None,
    assume_complete: Annotated[
        bool,
        typer.Option(
            "--assume-complete",
            help="With --from kubectl dumps: treat kinds absent from the dumps as empty / not "
            "installed. By default they count as not observed, and their checks are unknown.",
        ),
    ] = False,
    attestations: AttestOpt = None,
    rubric_path: RubricOpt = None,
    only: OnlyOpt = None,
    skip: SkipOpt = None,
    context: ContextOpt = None,
    kubeconfig: KubeconfigOpt = None,
    cluster: ClusterOpt = None,
    region: RegionOpt = None,
    profile: ProfileOpt = None,
    no_aws: NoAwsOpt = False,
    quiet: QuietOpt = False,
    strict: Annotated[
        bool, typer.Option("--strict", help="Let a crashing check raise (debugging).")
    ] = False,
) -> None:
    """Score the cluster (or offline files) against the roadmap rubric.

    Exit codes: 0 report produced (gate passed), 1 gate failed, 2 bad usage or input,
    3 cluster unreachable.
    """
    from readiness.renderers import FORMATS

    if fmt not in FORMATS:
        _die(f"--format {fmt}: choose one of {', '.join(FORMATS)}", EXIT_INPUT)

    code = {"value": EXIT_OK}

    def go() -> None:
        from readiness import report as report_mod
        from readiness import waivers as waivers_mod
        from readiness.renderers import get
        from readiness.runner import run_checks

        _writable_target(output)
        catalogue = _catalogue()
        rub = _rubric(rubric_path, catalogue)
        checks = _select(catalogue, rub, only or [], skip or [])
        waiver_list = []
        if waivers is not None:
            try:
                waiver_list = waivers_mod.load(waivers, catalogue)
            except waivers_mod.WaiverError as exc:
                raise Failure(str(exc)) from None
        live = Live(context, kubeconfig, cluster, region, profile, no_aws, quiet)
        snap = _snapshot_for(
            checks,
            rub,
            live,
            sources=sources,
            now=now,
            attestations=attestations,
            assume_complete=assume_complete,
        )
        outcomes = run_checks(checks, snap, strict=strict)
        rep = report_mod.build(outcomes, rub, snap, waiver_list, fail_under)
        data = rep.to_dict()
        if fmt == "terminal":
            from readiness.renderers.terminal import render as render_terminal

            to_tty = output is None and sys.stdout.isatty()
            text = render_terminal(data, color=to_tty)
        else:
            text = get(fmt)(data)
        if output is not None:
            try:
                output.write_text(text)
            except OSError as exc:
                raise Failure(f"{output}: cannot write report: {exc.strerror or exc}") from None
        else:
            sys.stdout.write(text)
        if rep.gate_passed is not None and (fmt != "terminal" or output is not None):
            # CI logs show stderr: say the verdict even when the report went to a file
            value = "n/a" if rep.score is None else f"{rep.score:.2f}"
            verdict = "passed" if rep.gate_passed else "FAILED"
            scope = " (selected checks only: --only/--skip)" if only or skip else ""
            typer.echo(
                f"readiness: gate {verdict}: score {value} vs fail-under "
                f"{rep.fail_under:.1f}{scope}",
                err=True,
            )
        if rep.gate_passed is False:
            code["value"] = EXIT_GATE

    _run(go)
    raise typer.Exit(code["value"])


@app.command("checks")
def list_checks(
    rubric_path: RubricOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """List the check catalogue: id, title, phase, weight and the data each check reads."""

    def go() -> None:
        catalogue = _catalogue()
        rub = _rubric(rubric_path, catalogue)
        rows = []
        for cid, c in catalogue.items():
            ph = rub.phase_of(cid)
            items = [m.text for p in rub.phases for m in p.metrics if cid in m.checks]
            rows.append(
                {
                    "id": cid,
                    "title": c.title,
                    "phase": ph.id if ph else None,
                    "weight": ph.weights[cid] if ph else None,
                    "roadmap": items,
                    "needs": list(c.needs),
                }
            )
        order = {p.id: i for i, p in enumerate(rub.phases)}
        rows.sort(key=lambda r: (order.get(r["phase"], 99), r["id"]))
        if fmt == "json":
            typer.echo(json.dumps(rows, indent=2))
            return
        if fmt != "table":
            raise Failure(f"--format {fmt}: choose table or json")
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"{len(rows)} checks", show_lines=False)
        for col in ("id", "phase", "weight", "title", "roadmap item", "needs"):
            table.add_column(col, overflow="fold")
        for r in rows:
            table.add_row(
                r["id"],
                r["phase"] or "-",
                f"{r['weight']:g}" if r["weight"] else "-",
                r["title"],
                "; ".join(r["roadmap"]) or "-",
                ", ".join(r["needs"]),
            )
        import os

        width = None if sys.stdout.isatty() else int(os.environ.get("COLUMNS") or 160)
        Console(width=width).print(table)

    _run(go)


@app.command()
def explain(
    check_id: Annotated[str, typer.Argument(metavar="ID", help="A check id, e.g. backup.recent.")],
    rubric_path: RubricOpt = None,
) -> None:
    """Explain one check: why it matters, when it passes, how to fix it, what it reads."""

    def go() -> None:
        from readiness.keys import permission_for

        catalogue = _catalogue()
        if check_id not in catalogue:
            close = [c for c in catalogue if check_id.split(".")[0] in c]
            hint = f" — did you mean {', '.join(close[:5])}?" if close else ""
            raise Failure(f"no such check {check_id!r}{hint} (see `readiness checks`)")
        c = catalogue[check_id]
        rub = _rubric(rubric_path, catalogue)
        ph = rub.phase_of(check_id)
        lines = [
            f"{c.id} — {c.title}",
            f"phase: {ph.title if ph else 'not in the rubric'}"
            + (f" (weight {ph.weights[check_id]:g})" if ph else ""),
            "",
            f"Why: {c.rationale}",
            "",
            f"Passes when: {c.passes}",
            "",
            f"Remediation: {c.remediation}",
            "",
            "Reads:",
        ]
        lines += [f"  {k}  ({permission_for(k)})" for k in c.needs]
        typer.echo("\n".join(lines))

    _run(go)


@app.command()
def snapshot(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Where to save (JSON; .gz compresses).")
    ],
    context: ContextOpt = None,
    kubeconfig: KubeconfigOpt = None,
    cluster: ClusterOpt = None,
    region: RegionOpt = None,
    profile: ProfileOpt = None,
    no_aws: NoAwsOpt = False,
    attestations: AttestOpt = None,
    rubric_path: RubricOpt = None,
    only: OnlyOpt = None,
    skip: SkipOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Collect once and save everything the checks read (failures included) for offline scoring.

    The file holds no secret values: Secrets are never listed, and Alertmanager configs are
    reduced to receiver names and types.
    """

    def go() -> None:
        import gzip
        import os

        _writable_target(output)
        catalogue = _catalogue()
        rub = _rubric(rubric_path, catalogue)
        checks = _select(catalogue, rub, only or [], skip or [])
        live = Live(context, kubeconfig, cluster, region, profile, no_aws, quiet)
        snap = _snapshot_for(checks, rub, live, sources=None, now=None, attestations=attestations)
        text = json.dumps(snap.to_dict(), indent=1, sort_keys=True) + "\n"
        data = gzip.compress(text.encode()) if output.suffix == ".gz" else text.encode()
        try:
            # owner-only: a snapshot maps the cluster's infrastructure, even without secrets
            fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        except OSError as exc:
            raise Failure(f"{output}: cannot write snapshot: {exc.strerror or exc}") from None
        states: dict[str, int] = {}
        for e in snap.entries.values():
            states[e.state] = states.get(e.state, 0) + 1
        words = {"ok": "read", "not_installed": "not installed", "unavailable": "not observable"}
        summary = ", ".join(f"{n} {words.get(st, st)}" for st, n in sorted(states.items()))
        hint = (
            f"; `readiness score --from {output}` lists what and why"
            if states.get("unavailable")
            else ""
        )
        typer.echo(f"saved {output}: {summary}{hint}", err=True)

    _run(go)


@app.command()
def permissions(
    rubric_path: RubricOpt = None,
    only: OnlyOpt = None,
    skip: SkipOpt = None,
    part: Annotated[
        str,
        typer.Option(
            "--part",
            help="all (commented YAML + JSON), kubernetes (ClusterRole YAML for kubectl apply) "
            "or aws (IAM policy JSON).",
        ),
    ] = "all",
) -> None:
    """Print the least-privilege ClusterRole and IAM policy the selected checks need."""

    def go() -> None:
        import yaml

        from readiness.keys import KUBE_FACTS
        from readiness.permissions import cluster_role, iam_policy
        from readiness.runner import needs_of

        catalogue = _catalogue()
        rub = _rubric(rubric_path, catalogue)
        needs = needs_of(_select(catalogue, rub, only or [], skip or []))
        if part not in ("all", "kubernetes", "aws"):
            raise Failure(f"--part {part}: choose all, kubernetes or aws")
        if part in ("all", "kubernetes"):
            kube_facts = sorted(k for k in needs if k in KUBE_FACTS)
            typer.echo("# Kubernetes: read-only ClusterRole for the selected checks")
            if kube_facts:
                typer.echo(f"# derived facts: {', '.join(kube_facts)}")
            if "kube:alertmanager-receivers" in needs:
                typer.echo(
                    "# secrets: get only — each Alertmanager's config Secret is read by name, "
                    "never listed;\n# narrow it with a Role in that namespace and resourceNames "
                    "(e.g. alertmanager-main)"
                )
            typer.echo(yaml.safe_dump(cluster_role(needs), sort_keys=False).rstrip())
        if part == "all":
            typer.echo("---")
        if part in ("all", "aws"):
            if part == "all":
                typer.echo(
                    "# AWS: IAM policy (read-only Describe/List/Get); --part aws prints JSON only"
                )
            typer.echo(json.dumps(iam_policy(needs), indent=2))

    _run(go)


@app.command("diff")
def diff_reports(
    old: Annotated[
        Path, typer.Argument(help="The earlier report (readiness score --format json).")
    ],
    new: Annotated[Path, typer.Argument(help="The later report.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    fail_on_regression: Annotated[
        bool, typer.Option("--fail-on-regression", help="Exit 1 when any check got worse.")
    ] = False,
) -> None:
    """Compare two JSON reports: score change and every check that changed status."""
    code = {"value": EXIT_OK}

    def go() -> None:
        from readiness import diff as diff_mod

        docs = []
        for path in (old, new):
            try:
                docs.append(diff_mod.validate(json.loads(path.read_text()), str(path)))
            except OSError as exc:
                raise Failure(f"{path}: cannot read: {exc.strerror or exc}") from None
            except (json.JSONDecodeError, UnicodeDecodeError):
                raise Failure(
                    f"{path}: not JSON (expected readiness score --format json)"
                ) from None
            except diff_mod.DiffError as exc:
                raise Failure(str(exc)) from None
        if fmt not in ("text", "json"):
            raise Failure(f"--format {fmt}: choose text or json")
        d = diff_mod.diff(docs[0], docs[1])
        text = (
            json.dumps(d, indent=2, sort_keys=True) + "\n"
            if fmt == "json"
            else diff_mod.render_text(d)
        )
        sys.stdout.write(text)
        if fail_on_regression and diff_mod.regressed(d):
            code["value"] = EXIT_GATE

    _run(go)
    raise typer.Exit(code["value"])


def main() -> None:
    """Console entry point: map any input error to exit 2 without a traceback.

    An exception nothing else handled is a bug, most likely on input we did not foresee. It
    is reported in one line by type and place only: its text could quote the input (a
    kubeconfig token, a config value). ``READINESS_TRACEBACK=1`` shows the traceback.
    """
    import os

    try:
        app()
    except KeyboardInterrupt:
        typer.echo("readiness: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("READINESS_TRACEBACK"):
            raise
        typer.echo(f"readiness: error: {_crash_line(exc)}", err=True)
        sys.exit(EXIT_INPUT)


def _crash_line(exc: BaseException) -> str:
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)
    where = f" at {Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    return (
        f"unexpected {type(exc).__name__}{where} (a bug; please report it, "
        "with READINESS_TRACEBACK=1 for the details)"
    )
