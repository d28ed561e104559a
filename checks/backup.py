"""Week 4 — backup and disaster recovery: Velero is running with usable storage, schedules
cover every app namespace and its volumes, the newest backup is younger than the RPO, a
restore was actually tested (measured RTO), and etcd is somebody's responsibility.

A backup tool that is installed but has never completed a backup, or whose backups were
never restored, gives false comfort: these checks measure RPO and RTO from the Backup and
Restore objects Velero writes, against the snapshot's collection time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import durationpy  # Go time.Duration strings ("6h", "1h30m"); shipped with the kubernetes client
from croniter import croniter

from checks.common import (
    Obj,
    app_namespaces,
    by_namespace,
    ev,
    find_workloads,
    hours,
    labels,
    listing,
    meta,
    name,
    plural,
    spec,
    status,
    workload_ready,
)
from readiness.model import (
    Evidence,
    Result,
    check,
    failed,
    passed,
    skipped,
    unknown,
    warned,
)
from readiness.snapshot import DataMissing, Snapshot, parse_time

AWS_PROVIDERS = {"aws", "velero.io/aws"}
BACKUP_FAILURES = ("Failed", "PartiallyFailed", "FailedValidation")
MAX_LISTED = 5


def _when(value: Any) -> dt.datetime | None:
    """A timestamp as the API serves it (RFC 3339 string) or as YAML loads it (datetime)."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return parse_time(value)


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _phase(obj: Obj) -> str:
    return str(status(obj).get("phase") or "")


def _strings(value: Any) -> list[str]:
    """A list field of strings; the docs' ``{}`` placeholders and nulls read as empty."""
    return [str(v) for v in value] if isinstance(value, list) else []


# ---------------------------------------------------------------------------------------
# backup.velero
# ---------------------------------------------------------------------------------------


def _bucket_host_is_aws(bsl: Obj) -> tuple[bool, str]:
    """Whether an ``aws``-provider BSL really points at AWS S3 (not MinIO via ``s3Url``)."""
    url = str((spec(bsl).get("config") or {}).get("s3Url") or "")
    if not url:
        return True, ""
    host = urlparse(url).hostname or url
    aws = host == "amazonaws.com" or host.endswith((".amazonaws.com", ".amazonaws.com.cn"))
    return aws, host


@dataclass(frozen=True)
class _Bucket:
    """What we know of one Available BSL's bucket. ``state``: ok, warn, missing, skip."""

    state: str
    detail: str


def _bucket_verdict(bsl: Obj, facts: Mapping[str, Any] | None, why_not: str) -> _Bucket:
    provider = str(spec(bsl).get("provider") or "")
    bucket = str((spec(bsl).get("objectStorage") or {}).get("bucket") or "")
    if provider not in AWS_PROVIDERS:
        return _Bucket("skip", f"bucket {bucket} not checked: provider {provider} is not AWS S3")
    on_aws, host = _bucket_host_is_aws(bsl)
    if not on_aws:
        return _Bucket("skip", f"bucket {bucket} not checked: S3-compatible store at {host}")
    if facts is None:
        return _Bucket("warn", f"could not verify bucket {bucket}: {why_not}")
    info = facts.get(bucket)
    if not isinstance(info, Mapping):
        return _Bucket("warn", f"could not verify bucket {bucket}: not in s3:velero-buckets")
    if info.get("exists") is False:
        return _Bucket("missing", f"bucket {bucket} does not exist")
    if info.get("error"):
        return _Bucket("warn", f"could not verify bucket {bucket}: {info['error']}")
    versioning = info.get("versioning")
    if versioning != "Enabled":
        state = versioning or "never enabled"
        return _Bucket("warn", f"bucket {bucket} versioning {state}: deleted backups are lost")
    rules = info.get("encryption")
    enc = f"default encryption ({plural(len(rules), 'rule')})" if rules else "no default encryption"
    return _Bucket("ok", f"bucket {bucket} versioning Enabled, {enc}")


def _bucket_facts(snap: Snapshot) -> tuple[Mapping[str, Any] | None, str]:
    """``s3:velero-buckets`` or None with the reason: a missing fact lowers the verdict to
    warn ("could not verify bucket") rather than hiding a working Velero as unknown."""
    try:
        value = snap.fact("s3:velero-buckets")
    except DataMissing as exc:
        return None, exc.reason
    return (value if isinstance(value, Mapping) else {}), ""


def _velero_server(snap: Snapshot) -> tuple[bool, list[Evidence]]:
    found = find_workloads(snap, ["velero"], kinds=("deployments",))
    evidence, ready_any = [], False
    for kind, obj in found:
        ready, detail = workload_ready(kind, obj)
        ready_any = ready_any or ready
        evidence.append(ev(kind, obj, detail))
    return ready_any, evidence


def _bsl_detail(bsl: Obj) -> str:
    phase = _phase(bsl) or "phase not set (not validated by Velero yet)"
    bucket = (spec(bsl).get("objectStorage") or {}).get("bucket")
    provider = spec(bsl).get("provider")
    message = status(bsl).get("message")
    detail = f"{phase}, provider {provider}, bucket {bucket}"
    return f"{detail}: {message}" if message and _phase(bsl) != "Available" else detail


@check(
    id="backup.velero",
    title="Velero runs with an available, versioned backup location",
    needs=["deployments", "backupstoragelocations.velero.io", "s3:velero-buckets"],
    passes="The Velero server Deployment is ready, a BackupStorageLocation is Available and "
    "its S3 bucket exists with versioning Enabled.",
    remediation="""
Deploy Velero with an S3 backend (kubernetes-addons module, e.g. 10-velero.tf):
helm repo add vmware-tanzu https://vmware-tanzu.github.io/helm-charts &&
helm upgrade --install velero vmware-tanzu/velero -n velero --create-namespace
--set configuration.backupStorageLocation[0].provider=aws
--set configuration.backupStorageLocation[0].bucket=<bucket>
--set configuration.backupStorageLocation[0].config.region=<region>
--set initContainers[0].name=velero-plugin-for-aws
--set initContainers[0].image=velero/velero-plugin-for-aws:<version>
(IRSA/Pod Identity for credentials). Turn on bucket versioning:
aws s3api put-bucket-versioning --bucket <bucket> --versioning-configuration Status=Enabled
(Terraform: aws_s3_bucket_versioning { versioning_configuration { status = "Enabled" } }).
Check the location with: velero backup-location get
""",
)
def velero(snap: Snapshot) -> Result:
    """Velero is the roadmap's backup tool: without a running server nothing is backed up,
    and without an Available BackupStorageLocation every backup fails. Versioning on the S3
    bucket keeps backups recoverable after an accidental or malicious delete."""
    ready, evidence = _velero_server(snap)
    if not evidence:
        return failed("Velero is not deployed: no Deployment labelled as Velero")
    if not ready:
        return failed("Velero server is not ready", evidence)
    bsls = snap.items("backupstoragelocations.velero.io")
    if not bsls:
        return failed("Velero runs but has no BackupStorageLocation", evidence)
    available = [b for b in bsls if _phase(b) == "Available"]
    if not available:
        evidence += [ev("BackupStorageLocation", b, _bsl_detail(b)) for b in bsls]
        return failed(f"no BackupStorageLocation is Available (0 of {len(bsls)})", evidence)
    facts, why_not = _bucket_facts(snap)
    verdicts = {id(b): _bucket_verdict(b, facts, why_not) for b in available}
    for bsl in bsls:
        bucket = verdicts.get(id(bsl))
        detail = _bsl_detail(bsl) + (f"; {bucket.detail}" if bucket else "")
        evidence.append(ev("BackupStorageLocation", bsl, detail))
    return _velero_verdict(len(bsls), len(available), list(verdicts.values()), evidence)


def _velero_verdict(
    total: int, available: int, verdicts: list[_Bucket], evidence: list[Evidence]
) -> Result:
    locations = f"{available} of {plural(total, 'BackupStorageLocation')} Available"
    if all(v.state == "missing" for v in verdicts):
        return failed(f"Velero ready, {locations}, but {verdicts[0].detail}", evidence)
    problems = [v.detail for v in verdicts if v.state in ("warn", "missing")]
    if available < total:
        problems.insert(0, f"only {locations}")
    if problems:
        return warned(f"Velero ready; {'; '.join(problems)}", evidence)
    notes = [v.detail for v in verdicts if v.state == "skip"]
    checked = [v.detail for v in verdicts if v.state == "ok"]
    summary = f"Velero ready, {locations}; " + "; ".join(checked + notes)
    return passed(summary, evidence)


# ---------------------------------------------------------------------------------------
# schedule intervals (Velero uses robfig/cron ParseStandard: 5 fields, @descriptors,
# "@every <Go duration>", optional CRON_TZ=/TZ= prefix)
# ---------------------------------------------------------------------------------------

DESCRIPTORS = {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
MAX_PROBES = 5000


def _split_zone(expr: str) -> tuple[str, dt.tzinfo]:
    text = expr.strip()
    if text.startswith(("CRON_TZ=", "TZ=")):
        zone, _, text = text.partition(" ")
        try:
            return text.strip(), ZoneInfo(zone.split("=", 1)[1])
        except (ZoneInfoNotFoundError, ValueError):
            return text.strip(), dt.UTC
    return text, dt.UTC


def _cron(expr: str, start: dt.datetime) -> croniter:
    """A croniter for a Velero cron; raises ValueError for what Velero would reject."""
    text, zone = _split_zone(expr)
    if text not in DESCRIPTORS and len(text.split()) != 5:
        raise ValueError(f"not a 5-field cron expression: {expr!r}")
    return croniter(text, start.astimezone(zone))


def _every(expr: str) -> dt.timedelta | None:
    text = expr.strip()
    if not text.startswith("@every"):
        return None
    try:
        value = durationpy.from_str(text[len("@every") :].strip())
    except ValueError:
        raise ValueError(f"bad @every duration: {expr!r}") from None
    if value <= dt.timedelta(0):
        raise ValueError(f"@every needs a positive duration: {expr!r}")
    return max(value, dt.timedelta(seconds=1))


def _next(expr: str, after: dt.datetime) -> dt.datetime:
    moment: dt.datetime = _cron(expr, after).get_next(dt.datetime)
    return moment


def _last_until(expr: str, until: dt.datetime) -> dt.datetime:
    """The last run at or before ``until``."""
    moment: dt.datetime = _cron(expr, until + dt.timedelta(seconds=1)).get_prev(dt.datetime)
    return moment


def interval(expr: str, start: dt.datetime) -> dt.timedelta:
    """The time between the next two runs: what the schedule "usually" leaves between
    backups. Raises ValueError for what Velero would reject."""
    every = _every(expr)
    if every is not None:
        return every
    first = _next(expr, start)
    return _next(expr, first) - first


def gap_over(expr: str, start: dt.datetime, limit: dt.timedelta) -> dt.timedelta | None:
    """The first wait between two runs longer than ``limit`` within a year, or None.

    The first two runs do not tell: "Mon-Fri" leaves a weekend, "1st of the month" a month.
    So step from run to run: from a run, jump to the last run within ``limit``; when there
    is none, that wait is the gap. Each step advances about ``limit``, so a year takes a few
    hundred steps at a daily RPO whatever the schedule's frequency."""
    every = _every(expr)
    if every is not None:
        return every if every > limit else None
    run = _next(expr, start)
    horizon = run + dt.timedelta(days=400)
    for _ in range(MAX_PROBES):
        if run >= horizon:
            break
        reach = _last_until(expr, run + limit)
        if reach <= run:
            return _next(expr, run) - run
        run = reach
    return None


def _fmt_hours(delta: dt.timedelta) -> str:
    value = hours(delta)
    return f"{value:g}h" if value >= 1 else f"{round(delta.total_seconds() / 60):g}m"


# ---------------------------------------------------------------------------------------
# backup.schedules
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Schedule:
    """An active (unpaused, valid) Schedule and what its backup template covers."""

    obj: Obj
    included: list[str]
    excluded: list[str]
    partial: str  # why it backs up only part of a namespace ("" = everything)
    every: dt.timedelta
    gap: dt.timedelta | None  # a wait between runs longer than the RPO, if any

    def covers(self, ns: str) -> bool:
        inc = self.included or ["*"]
        return any(fnmatchcase(ns, p) for p in inc) and not any(
            fnmatchcase(ns, p) for p in self.excluded
        )


def _template(obj: Obj) -> Mapping[str, Any]:
    return spec(obj).get("template") or {}


def _partial_reason(template: Mapping[str, Any]) -> str:
    if template.get("labelSelector") or template.get("orLabelSelectors"):
        return "label selector: only matching objects"
    for field in ("includedResources", "includedNamespaceScopedResources"):
        wanted = _strings(template.get(field))
        if wanted and "*" not in wanted:
            return f"only resources {', '.join(wanted)}"
    return ""


def _inactive_reason(obj: Obj) -> str:
    if spec(obj).get("paused") is True:
        return "paused"
    if _phase(obj) == "FailedValidation":
        errors = _strings(status(obj).get("validationErrors"))
        return "FailedValidation" + (f": {'; '.join(errors)}" if errors else "")
    if _phase(obj) in ("", "New"):
        # Velero's schedule controller validates every Schedule and sets Enabled; one still
        # New (or with no status) has not been accepted, so nothing proves it ever runs.
        return f"not validated by Velero (phase {_phase(obj) or 'unset'})"
    return ""


def _classify(
    snap: Snapshot, limit: dt.timedelta
) -> tuple[list[_Schedule], list[Evidence], list[str]]:
    """Active schedules, evidence for the inactive ones, and interval problems."""
    active: list[_Schedule] = []
    inactive: list[Evidence] = []
    slow: list[str] = []
    for obj in snap.items("schedules.velero.io"):
        reason = _inactive_reason(obj)
        expr = str(spec(obj).get("schedule") or "")
        every, gap = dt.timedelta(0), None
        if not reason:
            try:
                every, gap = interval(expr, snap.now), gap_over(expr, snap.now, limit)
            except ValueError as exc:  # Velero marks these FailedValidation: never runs
                reason = f"invalid schedule: {exc}"
        if reason:
            inactive.append(ev("Schedule", obj, f"not counted: {reason}"))
            continue
        template = _template(obj)
        active.append(
            _Schedule(
                obj,
                _strings(template.get("includedNamespaces")),
                _strings(template.get("excludedNamespaces")),
                _partial_reason(template),
                every,
                gap,
            )
        )
        if gap is not None:
            slow.append(
                f"schedule {name(obj)} leaves up to {_fmt_hours(gap)} between runs, "
                f"more than the {_fmt_hours(limit)} RPO"
            )
    return active, inactive, slow


def _volume_method(template: Mapping[str, Any], vsl_exists: Callable[[], bool]) -> str:
    """How a backup made from this template keeps PVC data; "" when it does not."""
    if template.get("defaultVolumesToFsBackup") is True:
        return "file-system backup"
    if template.get("snapshotVolumes") is False:
        return ""
    if template.get("snapshotMoveData") is True:
        return "snapshot data movement"
    if template.get("snapshotVolumes") is True:
        return "volume snapshots"
    return "volume snapshots (VolumeSnapshotLocation)" if vsl_exists() else ""


def _schedule_detail(s: _Schedule, volumes: str) -> str:
    scope = ", ".join(s.included) if s.included and "*" not in s.included else "all namespaces"
    if s.excluded:
        scope += f" except {', '.join(s.excluded)}"
    timing = f"every {_fmt_hours(s.every)}"
    if s.gap is not None:
        timing += f", gaps up to {_fmt_hours(s.gap)}"
    parts = [f"{spec(s.obj).get('schedule')} ({timing})", scope]
    if s.partial:
        parts.append(s.partial)
    parts.append(f"volumes: {volumes or 'not backed up'}")
    return "; ".join(parts)


@dataclass
class _Coverage:
    covered: list[str]
    partial: list[str]
    no_volumes: list[str]
    uncovered: list[str]


def _coverage(
    app: list[str], active: list[_Schedule], pvcs: Mapping[str, list[Obj]], methods: list[str]
) -> _Coverage:
    out = _Coverage([], [], [], [])
    for ns in app:
        full = [i for i, s in enumerate(active) if s.covers(ns) and not s.partial]
        if not full:
            some = any(s.covers(ns) for s in active)
            (out.partial if some else out.uncovered).append(ns)
        elif pvcs.get(ns) and not any(methods[i] for i in full):
            out.no_volumes.append(ns)
        else:
            out.covered.append(ns)
    return out


def _coverage_problems(cov: _Coverage) -> list[str]:
    problems = []
    if cov.uncovered:
        problems.append(f"not covered: {listing(cov.uncovered, MAX_LISTED)}")
    if cov.partial:
        problems.append(f"only partly covered (selectors): {listing(cov.partial, MAX_LISTED)}")
    if cov.no_volumes:
        problems.append(f"PVC data not backed up: {listing(cov.no_volumes, MAX_LISTED)}")
    return problems


@check(
    id="backup.schedules",
    title="Backup schedules cover every app namespace and its volumes",
    needs=[
        "schedules.velero.io",
        "namespaces",
        "persistentvolumeclaims",
        "volumesnapshotlocations.velero.io",
    ],
    passes="Unpaused, valid Velero Schedules cover every app namespace (and the PVC data in "
    "them) and none leaves more than the RPO between runs.",
    remediation="""
Create a schedule that covers all app namespaces and their volumes, run at least once per RPO:
velero schedule create daily --schedule="0 1 * * *" --include-namespaces '*'
--default-volumes-to-fs-backup --ttl 720h0m0s
(Helm values: schedules.daily.schedule / schedules.daily.template.includedNamespaces,
defaultVolumesToFsBackup: true; or create a VolumeSnapshotLocation for EBS snapshots).
Unpause with: velero schedule unpause <name>
""",
)
def schedules(snap: Snapshot) -> Result:
    """Manual backups are forgotten: only a schedule makes the RPO hold every day. A schedule
    that skips a namespace, selects only some labels, or leaves PVC data out restores an
    application without its data."""
    limit = dt.timedelta(hours=snap.params.rpo_hours)
    active, evidence, slow = _classify(snap, limit)
    if not active:
        why = f" ({len(evidence)} paused or invalid)" if evidence else ""
        return failed(f"no active Velero backup schedule{why}", evidence)
    app = app_namespaces(snap)
    pvcs = by_namespace(snap, "persistentvolumeclaims")
    vsl = _lazy(lambda: bool(snap.items("volumesnapshotlocations.velero.io")))
    methods = [_volume_method(_template(s.obj), vsl) for s in active]
    evidence = [
        ev("Schedule", s.obj, _schedule_detail(s, m)) for s, m in zip(active, methods, strict=True)
    ] + evidence
    cov = _coverage(app, active, pvcs, methods)
    measured = {"covered_namespaces": len(cov.covered), "app_namespaces": len(app)}
    count = f"{len(cov.covered)} of {len(app)} app namespaces covered"
    if app and len(cov.uncovered) == len(app):
        return failed(
            f"schedules cover none of the {len(app)} app namespaces", evidence, **measured
        )
    problems = _coverage_problems(cov) + slow
    if problems:
        return warned(f"{count}; {'; '.join(problems)}", evidence, **measured)
    if not app:
        active_n = plural(len(active), "active schedule")
        return passed(f"no app namespaces to cover; {active_n}", evidence, **measured)
    return passed(
        f"{count}, including volumes, by {plural(len(active), 'schedule')}", evidence, **measured
    )


def _lazy(compute: Callable[[], bool]) -> Callable[[], bool]:
    """Read a key only when a decision needs it, so an unreadable optional key does not
    turn a decidable result into unknown."""
    cache: list[bool] = []

    def get() -> bool:
        if not cache:
            cache.append(compute())
        return cache[0]

    return get


# ---------------------------------------------------------------------------------------
# backup.recent
# ---------------------------------------------------------------------------------------


def _attempt_time(obj: Obj) -> dt.datetime | None:
    st = status(obj)
    return (
        _when(st.get("completionTimestamp"))
        or _when(st.get("startTimestamp"))
        or _when(meta(obj).get("creationTimestamp"))
    )


def _completed(objs: Iterable[Obj]) -> list[tuple[dt.datetime, Obj]]:
    """(completion time, object) of Completed objects, newest first."""
    out = []
    for obj in objs:
        done = _when(status(obj).get("completionTimestamp"))
        if _phase(obj) == "Completed" and done is not None:
            out.append((done, obj))
    return sorted(out, key=lambda pair: pair[0], reverse=True)


def _phase_counts(objs: Iterable[Obj]) -> str:
    counts: dict[str, int] = {}
    for obj in objs:
        phase = _phase(obj) or "no phase"
        counts[phase] = counts.get(phase, 0) + 1
    return ", ".join(f"{n} {p}" for p, n in sorted(counts.items()))


def _recent_failures(backups: Iterable[Obj], since: dt.datetime) -> list[Obj]:
    out = []
    for obj in backups:
        when = _attempt_time(obj)
        if _phase(obj) in BACKUP_FAILURES and when is not None and when >= since:
            out.append(obj)
    return sorted(out, key=lambda o: _attempt_time(o) or since, reverse=True)


def _backup_detail(obj: Obj, age: dt.timedelta) -> str:
    st = status(obj)
    when = _attempt_time(obj)
    stamp = _stamp(when) if when else "no timestamp"
    detail = f"{_phase(obj)} {stamp}, {_fmt_hours(age)} ago"
    if st.get("failureReason"):
        detail += f": {st['failureReason']}"
    elif st.get("errors"):
        detail += f", {plural(int(st['errors']), 'error')}"
    return detail


@check(
    id="backup.recent",
    title="Newest completed backup is within the RPO",
    needs=["backups.velero.io"],
    passes="The newest Completed Velero Backup finished less than the RPO target ago "
    "(measured RPO shown), with no failed backups since.",
    remediation="""
Check why backups are missing or failing: velero backup get;
velero backup describe <name> --details; velero backup logs <name>.
Trigger one now: velero backup create --from-schedule daily --wait.
Make the schedule run at least once per RPO (rubric parameter rpo_hours).
""",
)
def recent(snap: Snapshot) -> Result:
    """The roadmap asks for RTO/RPO targets that are defined and measured: the age of the
    newest completed backup is the data you would lose if the cluster died now."""
    target = snap.params.rpo_hours
    backups = snap.items("backups.velero.io")
    done = _completed(backups)
    if not done:
        seen = f" ({_phase_counts(backups)})" if backups else ""
        return failed(
            f"no Completed Velero backup{seen}", rpo_hours_measured=None, rpo_hours_target=target
        )
    finished, newest = done[0]
    age = max(snap.now - finished, dt.timedelta(0))
    measured = {
        "rpo_hours_measured": round(age.total_seconds() / 3600, 2),
        "rpo_hours_target": target,
    }
    evidence = [ev("Backup", newest, _backup_detail(newest, age))]
    if age > dt.timedelta(hours=target):
        return failed(
            f"newest Completed backup {name(newest)} is {_fmt_hours(age)} old, "
            f"older than the {target:g}h RPO",
            evidence,
            **measured,
        )
    failures = _recent_failures(backups, snap.now - dt.timedelta(hours=target))
    evidence += [
        ev("Backup", f, _backup_detail(f, snap.now - (_attempt_time(f) or snap.now)))
        for f in failures
    ]
    if failures:
        latest = (_attempt_time(failures[0]) or finished) > finished
        tail = "; the latest attempt failed" if latest else ""
        return warned(
            f"newest Completed backup {name(newest)} is {_fmt_hours(age)} old "
            f"(RPO {target:g}h), but {plural(len(failures), 'backup')} failed "
            f"in the last {target:g}h{tail}",
            evidence,
            **measured,
        )
    return passed(
        f"newest Completed backup {name(newest)} is {_fmt_hours(age)} old (RPO {target:g}h)",
        evidence,
        **measured,
    )


# ---------------------------------------------------------------------------------------
# backup.restore-tested
# ---------------------------------------------------------------------------------------


def _restore_measures(snap: Snapshot, obj: Obj, done: dt.datetime) -> dict[str, Any]:
    started = _when(status(obj).get("startTimestamp"))
    rto = round((done - started).total_seconds() / 60, 1) if started else None
    age = round(max(snap.now - done, dt.timedelta(0)).total_seconds() / 86400, 1)
    return {"rto_minutes": rto, "last_restore_age_days": age}


def _restore_detail(obj: Obj, measures: Mapping[str, Any]) -> str:
    source = spec(obj).get("backupName") or spec(obj).get("scheduleName") or "?"
    rto = measures["rto_minutes"]
    took = f"took {rto:g} min" if rto is not None else "no start time (RTO unknown)"
    return f"{_phase(obj)} from {source}, {measures['last_restore_age_days']:g} days ago, {took}"


@check(
    id="backup.restore-tested",
    title="A restore was tested recently (RTO measured)",
    needs=["restores.velero.io"],
    passes="A Velero Restore Completed within the rubric's restore window "
    "(restore_window_days); the measured RTO is its duration.",
    remediation="""
Test a restore into a scratch namespace and record the RTO:
velero restore create restore-test-$(date +%Y%m%d) --from-backup <backup>
--namespace-mappings <app-ns>:<app-ns>-restore-test --wait;
velero restore describe <name> --details. Repeat at least every restore_window_days.
""",
)
def restore_tested(snap: Snapshot) -> Result:
    """A backup that was never restored is a hope, not a backup: the roadmap asks for the
    restore to be tested and the RTO documented. The newest completed restore's duration is
    the measured RTO."""
    window = snap.params.restore_window_days
    since = snap.now - dt.timedelta(days=window)
    restores = snap.items("restores.velero.io")
    done = _completed(restores)
    partial = [
        (t, o)
        for o in restores
        if _phase(o) == "PartiallyFailed" and (t := _attempt_time(o)) is not None and t >= since
    ]
    partial.sort(key=lambda pair: pair[0], reverse=True)
    if done and done[0][0] >= since:
        return _restore_result(snap, done[0], passed, f"within the {window:g}-day window")
    if partial:
        return _restore_result(
            snap, partial[0], warned, f"only PartiallyFailed restores in the last {window:g} days"
        )
    if done:
        return _restore_result(
            snap, done[0], warned, f"older than the {window:g}-day window: test a restore again"
        )
    seen = f" ({_phase_counts(restores)})" if restores else ""
    return failed(
        f"no Completed Velero restore: restores were never tested{seen}",
        rto_minutes=None,
        last_restore_age_days=None,
    )


def _restore_result(
    snap: Snapshot, pair: tuple[dt.datetime, Obj], verdict: Callable[..., Result], tail: str
) -> Result:
    done, obj = pair
    measures = _restore_measures(snap, obj, done)
    rto = measures["rto_minutes"]
    rto_text = f", RTO {rto:g} min" if rto is not None else ""
    summary = (
        f"last {_phase(obj)} restore {name(obj)} {measures['last_restore_age_days']:g} "
        f"days ago{rto_text}; {tail}"
    )
    return verdict(summary, [ev("Restore", obj, _restore_detail(obj, measures))], **measures)


# ---------------------------------------------------------------------------------------
# backup.etcd
# ---------------------------------------------------------------------------------------

EKS_SKIP = (
    "EKS manages etcd; its backups are AWS's responsibility — cluster recreation is covered "
    "by backup.* and the DR attestation"
)
SELF_MANAGED = (
    "self-managed control plane: etcd snapshots are not observable through the API; "
    "verify them with your etcd tooling"
)

EKS_UNCONFIRMED = (
    "the API server is an EKS build but no node is run by EKS/EC2 and eks:cluster was not "
    "read: on Amazon EKS etcd is AWS's; on EKS Anywhere / EKS-D verify etcd snapshots with "
    "your etcd tooling"
)


def _eks_cluster(snap: Snapshot) -> Mapping[str, Any] | None:
    try:
        value = snap.fact("eks:cluster")
    except DataMissing:
        return None
    return value if isinstance(value, Mapping) and value else None


def _eks_nodes(nodes: Iterable[Obj]) -> list[Obj]:
    """Nodes that EKS runs: managed node groups, or EC2/Fargate instances (``aws://``)."""
    return [
        n
        for n in nodes
        if "eks.amazonaws.com/nodegroup" in labels(n)
        or str(spec(n).get("providerID") or "").startswith("aws://")
    ]


@check(
    id="backup.etcd",
    title="etcd backups (self-managed control planes only)",
    needs=["eks:cluster", "nodes", "kube:version"],
    passes="Never passes: skipped on EKS, where AWS runs and backs up etcd; unknown on a "
    "self-managed control plane, whose etcd snapshots the API cannot show.",
    remediation="""
On EKS nothing to do: document cluster recreation (Terraform/Terragrunt apply + Velero restore).
Self-managed control plane: schedule `etcdctl snapshot save` (e.g. a systemd timer or CronJob
on the control-plane nodes), copy snapshots off-cluster (S3 with versioning), and test
`etcdctl snapshot restore`.
""",
)
def etcd(snap: Snapshot) -> Result:
    """Roadmap Week 4 asks to automate etcd backups only for a self-managed control plane.
    On EKS that is AWS's job, so this check must not count for or against the score there;
    elsewhere nothing in the API proves etcd snapshots exist, so it can only be unknown."""
    cluster = _eks_cluster(snap)
    if cluster is not None:
        ref = f"eks:cluster {cluster.get('name') or snap.cluster.cluster or ''}".strip()
        return skipped(EKS_SKIP, [Evidence(ref, f"platform {cluster.get('platformVersion')}")])
    version = str((snap.fact("kube:version") or {}).get("gitVersion") or "")
    nodes = snap.items("nodes")
    eks_nodes = _eks_nodes(nodes)
    evidence = [
        Evidence("kube:version", version or "no gitVersion"),
        Evidence("nodes", f"{len(eks_nodes)} of {plural(len(nodes), 'node')} run by EKS/EC2"),
    ]
    if "-eks-" in version and eks_nodes:
        return skipped(EKS_SKIP, evidence)
    if "-eks-" in version:
        return unknown(EKS_UNCONFIRMED, evidence)
    return unknown(SELF_MANAGED, evidence)
