"""Week 4 backup checks, on Velero's own example objects (docs api-types, design PoC
Deployment, nginx-app example) and a real ScheduleList from a kube-apiserver."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from checks import backup
from readiness.keys import AWS_FACTS, KUBE_FACTS, KUBE_KINDS
from readiness.model import Check, Result, Status
from readiness.runner import run_check
from readiness.snapshot import Parameters, not_installed, unavailable
from tests.snap import FIXTURES, NOW, iter_docs, make_snapshot, one, upstream

DOCS = "velero/site/content/docs/main/api-types"
DEPLOYMENT = "velero/design/CLI/PoC/base/deployment.yaml"
NGINX = "velero/examples/nginx-app/with-pv.yaml"
TILT_BSL = "velero/tilt-resources/examples/velero_v1_backupstoragelocation.yaml"
DESCRIBE_CLUSTER = "aws-cli/awscli/examples/eks/describe-cluster.rst.output-1.json"
SAMPLES = FIXTURES / "k8s-api-samples"


def ago(**delta: float) -> str:
    """An RFC 3339 time this long before the snapshot's collection time."""
    return (NOW - dt.timedelta(**delta)).strftime("%Y-%m-%dT%H:%M:%SZ")


def namespace_obj(name: str) -> dict[str, Any]:
    return {
        "metadata": {"name": name},
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"},
    }


def velero_deployment(ready: int = 1) -> dict[str, Any]:
    dep = copy.deepcopy(one(DEPLOYMENT, "Deployment"))
    dep["status"] = {"replicas": 1, "readyReplicas": ready, "availableReplicas": ready}
    return dep


def bsl(
    phase: str = "Available",
    path: str = f"{DOCS}/backupstoragelocation.md.block-1.yaml",
    name: str | None = None,
) -> dict[str, Any]:
    obj = copy.deepcopy(one(path, "BackupStorageLocation"))
    if name:
        obj["metadata"]["name"] = name
    obj["status"] = {"phase": phase, "lastValidationTime": ago(minutes=1)}
    if phase == "Unavailable":
        obj["status"]["message"] = "BackupStorageLocation is unavailable: AccessDenied"
    return obj


def bucket(
    versioning: str | None = "Enabled",
    exists: bool = True,
    error: str | None = None,
    name: str = "myBucket",
) -> dict[str, Any]:
    rules = [
        {
            "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"},
            "BucketKeyEnabled": False,
        }
    ]
    return {
        name: {
            "exists": exists,
            "versioning": versioning,
            "encryption": rules if exists else None,
            "error": error,
        }
    }


def result_of(chk: Check, entries: dict[str, Any], **kw: Any) -> Result:
    return run_check(chk, make_snapshot(entries, **kw), strict=True)


# ---------------------------------------------------------------------------------------
# metadata
# ---------------------------------------------------------------------------------------

ALL = [backup.velero, backup.schedules, backup.recent, backup.restore_tested, backup.etcd]


@pytest.mark.parametrize("chk", ALL, ids=lambda c: c.id)
def test_metadata_and_needs_are_known_keys(chk: Check) -> None:
    known = set(KUBE_KINDS) | set(KUBE_FACTS) | set(AWS_FACTS)
    assert chk.id.startswith("backup.")
    assert set(chk.needs) <= known
    assert chk.rationale and chk.remediation and chk.passes


@pytest.mark.parametrize("chk", ALL, ids=lambda c: c.id)
def test_everything_unavailable_is_unknown(chk: Check) -> None:
    entries = {k: unavailable(f"forbidden: {k}", f"list {k}") for k in chk.needs}
    res = run_check(chk, make_snapshot(entries))
    assert res.status is Status.UNKNOWN
    assert "forbidden" in res.summary or "not observable" in res.summary


# ---------------------------------------------------------------------------------------
# backup.velero
# ---------------------------------------------------------------------------------------


def velero_entries(**over: Any) -> dict[str, Any]:
    entries: dict[str, Any] = {
        "deployments": [velero_deployment()],
        "backupstoragelocations.velero.io": [bsl()],
        "s3:velero-buckets": bucket(),
    }
    entries.update(over)
    return entries


def test_velero_pass_with_versioned_bucket() -> None:
    res = result_of(backup.velero, velero_entries())
    assert res.status is Status.PASS
    assert "1 of 1 BackupStorageLocation Available" in res.summary
    assert "bucket myBucket versioning Enabled" in res.summary
    refs = {e.ref: e.detail for e in res.evidence}
    assert refs["Deployment velero/velero"] == "1/1 ready"
    assert (
        "Available, provider aws, bucket myBucket" in refs["BackupStorageLocation velero/default"]
    )


def test_velero_found_by_label_not_by_name() -> None:
    renamed = velero_deployment()
    renamed["metadata"]["name"] = "backup-server"
    unlabelled = velero_deployment()
    unlabelled["metadata"]["labels"] = {}
    unlabelled["spec"]["template"]["metadata"]["labels"] = {"deploy": "velero"}
    assert result_of(backup.velero, velero_entries(deployments=[renamed])).status is Status.PASS
    res = result_of(backup.velero, velero_entries(deployments=[unlabelled]))
    assert res.status is Status.FAIL
    assert "not deployed" in res.summary


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        (bucket(versioning="Suspended"), "bucket myBucket versioning Suspended"),
        (bucket(versioning=None), "bucket myBucket versioning never enabled"),
        (bucket(error="AccessDenied: s3:GetBucketVersioning"), "could not verify bucket myBucket"),
        ({}, "could not verify bucket myBucket: not in s3:velero-buckets"),
        (unavailable("AccessDenied", "s3:GetBucketVersioning"), "could not verify bucket myBucket"),
    ],
)
def test_velero_warns_when_bucket_not_versioned_or_not_verifiable(
    facts: Any, expected: str
) -> None:
    res = result_of(backup.velero, velero_entries(**{"s3:velero-buckets": facts}))
    assert res.status is Status.WARN
    assert expected in res.summary


def test_velero_warns_when_only_some_locations_available() -> None:
    locations = [bsl(), bsl("Unavailable", name="secondary")]
    res = result_of(
        backup.velero, velero_entries(**{"backupstoragelocations.velero.io": locations})
    )
    assert res.status is Status.WARN
    assert "only 1 of 2 BackupStorageLocations Available" in res.summary
    refs = {e.ref: e.detail for e in res.evidence}
    assert "AccessDenied" in refs["BackupStorageLocation velero/secondary"]


def test_velero_fails_without_server() -> None:
    res = result_of(backup.velero, velero_entries(deployments=[]))
    assert res.status is Status.FAIL
    assert "Velero is not deployed" in res.summary


def test_velero_fails_when_server_not_ready() -> None:
    res = result_of(backup.velero, velero_entries(deployments=[velero_deployment(ready=0)]))
    assert res.status is Status.FAIL
    assert res.evidence[0].detail == "0/1 ready"


@pytest.mark.parametrize("locations", [[], [bsl("Unavailable")], [bsl("")]])
def test_velero_fails_without_available_location(locations: list[dict[str, Any]]) -> None:
    res = result_of(
        backup.velero, velero_entries(**{"backupstoragelocations.velero.io": locations})
    )
    assert res.status is Status.FAIL
    assert "BackupStorageLocation" in res.summary


def test_velero_fails_when_location_not_served() -> None:
    entries = velero_entries(**{"backupstoragelocations.velero.io": not_installed("no velero.io")})
    res = result_of(backup.velero, entries)
    assert res.status is Status.FAIL
    assert "no BackupStorageLocation" in res.summary


def test_velero_fails_when_bucket_does_not_exist() -> None:
    res = result_of(backup.velero, velero_entries(**{"s3:velero-buckets": bucket(exists=False)}))
    assert res.status is Status.FAIL
    assert "bucket myBucket does not exist" in res.summary


@pytest.mark.parametrize(
    ("path", "host"),
    [
        (f"{DOCS}/backupstoragelocation.md.block-2.yaml", "minio.example.com"),
        (TILT_BSL, "minio.velero.svc"),
    ],
)
def test_velero_s3_compatible_store_is_not_checked(path: str, host: str) -> None:
    entries = velero_entries(
        **{"backupstoragelocations.velero.io": [bsl(path=path)], "s3:velero-buckets": {}}
    )
    res = result_of(backup.velero, entries)
    assert res.status is Status.PASS
    assert f"not checked: S3-compatible store at {host}" in res.summary


def test_velero_other_provider_bucket_not_checked() -> None:
    gcp = bsl()
    gcp["spec"]["provider"] = "velero.io/gcp"
    entries = velero_entries(**{"backupstoragelocations.velero.io": [gcp], "s3:velero-buckets": {}})
    res = result_of(backup.velero, entries)
    assert res.status is Status.PASS
    assert "provider velero.io/gcp is not AWS S3" in res.summary


def test_velero_unknown_when_deployments_forbidden() -> None:
    entries = velero_entries(
        deployments=unavailable("forbidden: list deployments", "list deployments")
    )
    res = run_check(backup.velero, make_snapshot(entries))
    assert res.status is Status.UNKNOWN
    assert "deployments" in res.summary and "forbidden" in res.summary


def test_velero_unknown_when_locations_forbidden() -> None:
    entries = velero_entries(
        **{
            "backupstoragelocations.velero.io": unavailable(
                "forbidden: list backupstoragelocations.velero.io",
                "list backupstoragelocations.velero.io",
            )
        }
    )
    res = run_check(backup.velero, make_snapshot(entries))
    assert res.status is Status.UNKNOWN
    assert "backupstoragelocations.velero.io" in res.summary


# ---------------------------------------------------------------------------------------
# backup.schedules
# ---------------------------------------------------------------------------------------


def sample_schedule() -> dict[str, Any]:
    """The real ScheduleList item: ``daily``, ``0 1 * * *``, includedNamespaces ['*'].

    It was listed from an API server with Velero's CRDs but no Velero running, so it has no
    status; the status Velero's schedule controller writes once it validates it is added."""
    items = list(iter_docs(SAMPLES / "list-velero-schedules.json"))
    assert len(items) == 1
    obj = copy.deepcopy(items[0])
    obj["status"] = {"phase": "Enabled"}
    return obj


def doc_schedule(**template: Any) -> dict[str, Any]:
    """The docs' Schedule (every field) without its label selectors, status Enabled."""
    obj = copy.deepcopy(one(f"{DOCS}/schedule.md.block-1.yaml", "Schedule"))
    tmpl = obj["spec"]["template"]
    del tmpl["labelSelector"], tmpl["orLabelSelectors"]
    tmpl.update(template)
    obj["status"] = {"phase": "Enabled", "lastBackup": ago(hours=5)}
    return obj


def nginx_objects(kind: str) -> list[dict[str, Any]]:
    return [copy.deepcopy(o) for o in upstream(NGINX, kind)]


def schedule_entries(
    schedules: list[dict[str, Any]], apps: tuple[str, ...] = (), /, **over: Any
) -> dict[str, Any]:
    namespaces = nginx_objects("Namespace") + [
        namespace_obj(n) for n in ("kube-system", "velero", *apps)
    ]
    entries: dict[str, Any] = {
        "schedules.velero.io": schedules,
        "namespaces": namespaces,
        "persistentvolumeclaims": nginx_objects("PersistentVolumeClaim"),
        "volumesnapshotlocations.velero.io": [
            one(f"{DOCS}/volumesnapshotlocation.md.block-1.yaml", "VolumeSnapshotLocation")
        ],
    }
    entries.update(over)
    return entries


def test_schedules_pass_real_schedule_with_snapshot_location() -> None:
    res = result_of(backup.schedules, schedule_entries([sample_schedule()], ("shop",)))
    assert res.status is Status.PASS
    assert "2 of 2 app namespaces covered, including volumes" in res.summary
    assert res.measured == {"covered_namespaces": 2, "app_namespaces": 2}
    detail = res.evidence[0].detail
    assert res.evidence[0].ref == "Schedule velero/daily"
    assert "0 1 * * * (every 24h)" in detail and "VolumeSnapshotLocation" in detail


def test_schedules_fs_backup_covers_volumes_without_reading_locations() -> None:
    entries = schedule_entries(
        [doc_schedule()],
        **{"volumesnapshotlocations.velero.io": unavailable("forbidden", "list vsl")},
    )
    res = result_of(backup.schedules, entries)
    assert res.status is Status.PASS
    assert "volumes: file-system backup" in res.evidence[0].detail


def test_schedules_warn_when_pvc_data_not_backed_up() -> None:
    entries = schedule_entries(
        [sample_schedule()], ("shop",), **{"volumesnapshotlocations.velero.io": []}
    )
    res = result_of(backup.schedules, entries)
    assert res.status is Status.WARN
    assert "PVC data not backed up: nginx-example" in res.summary
    assert res.measured == {"covered_namespaces": 1, "app_namespaces": 2}


def test_schedules_snapshot_volumes_false_leaves_pvc_data_out() -> None:
    sched = doc_schedule(snapshotVolumes=False, defaultVolumesToFsBackup=False)
    res = result_of(backup.schedules, schedule_entries([sched]))
    assert res.status is Status.WARN
    assert "PVC data not backed up: nginx-example" in res.summary


def test_schedules_label_selector_is_partial() -> None:
    sched = copy.deepcopy(one(f"{DOCS}/schedule.md.block-1.yaml", "Schedule"))
    sched["status"]["phase"] = "Enabled"  # the docs leave it "", which Velero never keeps
    res = result_of(backup.schedules, schedule_entries([sched], ("shop",)))
    assert res.status is Status.WARN
    assert "only partly covered (selectors): nginx-example, shop" in res.summary
    assert res.measured["covered_namespaces"] == 0


def test_schedules_list_uncovered_namespaces_first_five() -> None:
    apps = tuple(f"team-{c}" for c in "abcdefg")
    sched = doc_schedule(includedNamespaces=["nginx-example"])
    res = result_of(backup.schedules, schedule_entries([sched], apps))
    assert res.status is Status.WARN
    assert "1 of 8 app namespaces covered" in res.summary
    assert "not covered: team-a, team-b, team-c, team-d, team-e (+2 more)" in res.summary


def test_schedules_glob_exclusion() -> None:
    sched = doc_schedule(excludedNamespaces=["team-*"])
    res = result_of(backup.schedules, schedule_entries([sched], ("team-a", "shop")))
    assert res.status is Status.WARN
    assert "not covered: team-a" in res.summary
    assert res.measured == {"covered_namespaces": 2, "app_namespaces": 3}


@pytest.mark.parametrize(
    ("cron", "gap"),
    [("0 1 * * 1-5", "72h"), ("@weekly", "168h"), ("@every 36h", "36h"), ("0 3 1 * *", "744h")],
)
def test_schedules_warn_when_runs_are_further_apart_than_rpo(cron: str, gap: str) -> None:
    sched = doc_schedule()
    sched["spec"]["schedule"] = cron
    res = result_of(backup.schedules, schedule_entries([sched]))
    assert res.status is Status.WARN
    assert f"schedule a leaves up to {gap} between runs, more than the 24h RPO" in res.summary


@pytest.mark.parametrize("cron", ["@every 6h", "CRON_TZ=Europe/Berlin 30 */4 * * *", "@daily"])
def test_schedules_other_valid_forms_pass(cron: str) -> None:
    sched = doc_schedule()
    sched["spec"]["schedule"] = cron
    res = result_of(backup.schedules, schedule_entries([sched]))
    assert res.status is Status.PASS, res.summary
    assert res.evidence[0].detail.startswith(f"{cron} (every ")


def test_schedules_rpo_parameter_is_used() -> None:
    params = Parameters(rpo_hours=6)
    res = result_of(backup.schedules, schedule_entries([sample_schedule()]), params=params)
    assert res.status is Status.WARN
    assert "leaves up to 24h between runs, more than the 6h RPO" in res.summary


def test_schedules_fail_without_schedules() -> None:
    res = result_of(backup.schedules, schedule_entries([]))
    assert res.status is Status.FAIL
    assert "no active Velero backup schedule" in res.summary


def test_schedules_fail_when_not_served() -> None:
    res = result_of(
        backup.schedules,
        schedule_entries([], **{"schedules.velero.io": not_installed("no velero")}),
    )
    assert res.status is Status.FAIL
    assert res.summary == "no active Velero backup schedule"


def test_schedules_paused_invalid_and_unparsable_do_not_count() -> None:
    paused = doc_schedule()
    paused["spec"]["paused"] = True
    invalid = doc_schedule()
    invalid["metadata"]["name"] = "b"
    invalid["status"] = {
        "phase": "FailedValidation",
        "validationErrors": ["invalid schedule: expected 5 fields"],
    }
    garbled = doc_schedule()
    garbled["metadata"]["name"] = "c"
    garbled["spec"]["schedule"] = "0 0 1 * * *"
    res = result_of(backup.schedules, schedule_entries([paused, invalid, garbled]))
    assert res.status is Status.FAIL
    assert "(3 paused or invalid)" in res.summary
    details = [e.detail for e in res.evidence]
    assert "not counted: paused" in details
    assert "not counted: FailedValidation: invalid schedule: expected 5 fields" in details
    assert any("not a 5-field cron" in d for d in details)


def test_schedules_not_yet_validated_by_velero_do_not_count() -> None:
    """A Schedule Velero never accepted (phase New, or no status at all: the controller is
    not running or never saw it) is intent, not coverage."""
    new = doc_schedule()
    new["status"] = {"phase": "New"}
    bare = doc_schedule()
    bare["metadata"]["name"] = "b"
    del bare["status"]
    res = result_of(backup.schedules, schedule_entries([new, bare]))
    assert res.status is Status.FAIL
    assert "(2 paused or invalid)" in res.summary
    details = [e.detail for e in res.evidence]
    assert "not counted: not validated by Velero (phase New)" in details
    assert "not counted: not validated by Velero (phase unset)" in details


def test_schedules_fail_when_no_app_namespace_covered() -> None:
    sched = doc_schedule(includedNamespaces=["velero"])
    res = result_of(backup.schedules, schedule_entries([sched], ("shop",)))
    assert res.status is Status.FAIL
    assert "cover none of the 2 app namespaces" in res.summary


def test_schedules_unknown_when_schedules_forbidden() -> None:
    entries = schedule_entries(
        [],
        **{
            "schedules.velero.io": unavailable(
                "forbidden: list schedules.velero.io", "list schedules.velero.io"
            )
        },
    )
    res = run_check(backup.schedules, make_snapshot(entries))
    assert res.status is Status.UNKNOWN
    assert "schedules.velero.io" in res.summary


def test_schedules_unknown_when_namespaces_forbidden() -> None:
    entries = schedule_entries(
        [sample_schedule()], namespaces=unavailable("forbidden: list namespaces", "list namespaces")
    )
    res = run_check(backup.schedules, make_snapshot(entries))
    assert res.status is Status.UNKNOWN
    assert "namespaces" in res.summary


# ---------------------------------------------------------------------------------------
# backup.recent
# ---------------------------------------------------------------------------------------


def backup_obj(
    name: str, phase: str, finished: str | None, started: str | None = None, **status: Any
) -> dict[str, Any]:
    obj = copy.deepcopy(one(f"{DOCS}/backup.md.block-1.yaml", "Backup"))
    obj["metadata"]["name"] = name
    obj["metadata"]["creationTimestamp"] = started or finished
    obj["status"].update(
        phase=phase, startTimestamp=started or finished, completionTimestamp=finished, **status
    )
    return obj


def test_recent_pass_measures_rpo() -> None:
    backups = [
        backup_obj("daily-20261127010000", "Completed", ago(hours=10, minutes=45), ago(hours=11)),
        backup_obj("daily-20261126010000", "Completed", ago(hours=34, minutes=50)),
    ]
    res = result_of(backup.recent, {"backups.velero.io": backups})
    assert res.status is Status.PASS
    assert res.measured == {"rpo_hours_measured": 10.75, "rpo_hours_target": 24.0}
    assert "daily-20261127010000 is 10.8h old (RPO 24h)" in res.summary


def test_recent_fail_when_newest_is_older_than_rpo() -> None:
    backups = [backup_obj("daily-20261126010000", "Completed", ago(hours=30))]
    res = result_of(backup.recent, {"backups.velero.io": backups})
    assert res.status is Status.FAIL
    assert "30h old, older than the 24h RPO" in res.summary
    assert res.measured["rpo_hours_measured"] == 30.0


def test_recent_uses_rpo_parameter() -> None:
    backups = [backup_obj("daily", "Completed", ago(hours=10))]
    res = result_of(backup.recent, {"backups.velero.io": backups}, params=Parameters(rpo_hours=6))
    assert res.status is Status.FAIL
    assert res.measured == {"rpo_hours_measured": 10.0, "rpo_hours_target": 6}


def test_recent_fail_without_completed_backup() -> None:
    backups = [
        backup_obj("daily-1", "Failed", ago(hours=2), failureReason="BSL unavailable"),
        backup_obj("daily-2", "PartiallyFailed", ago(hours=26)),
        backup_obj("manual", "InProgress", None, ago(minutes=3)),
    ]
    res = result_of(backup.recent, {"backups.velero.io": backups})
    assert res.status is Status.FAIL
    assert "no Completed Velero backup (1 Failed, 1 InProgress, 1 PartiallyFailed)" in res.summary
    assert res.measured["rpo_hours_measured"] is None


def test_recent_fail_when_backups_not_served() -> None:
    res = result_of(backup.recent, {"backups.velero.io": not_installed("velero.io not served")})
    assert res.status is Status.FAIL
    assert res.summary == "no Completed Velero backup"


def test_recent_reads_yaml_timestamps_of_the_docs_example() -> None:
    """PyYAML loads the docs' 2019 timestamps as datetimes; they must still be read."""
    obj = copy.deepcopy(one(f"{DOCS}/backup.md.block-1.yaml", "Backup"))
    obj["status"]["phase"] = "Completed"
    res = result_of(backup.recent, {"backups.velero.io": [obj]})
    assert res.status is Status.FAIL
    assert "Completed 2019-04-29T15:58:56Z" in res.evidence[0].detail


def test_recent_warn_when_latest_attempt_failed() -> None:
    backups = [
        backup_obj("daily-20261127010000", "Completed", ago(hours=11)),
        backup_obj("hourly-20261127100000", "PartiallyFailed", ago(hours=2), errors=3),
    ]
    res = result_of(backup.recent, {"backups.velero.io": backups})
    assert res.status is Status.WARN
    assert "1 backup failed in the last 24h; the latest attempt failed" in res.summary
    assert res.evidence[1].detail.endswith("3 errors")


def test_recent_warn_on_failure_within_rpo_window_only() -> None:
    backups = [
        backup_obj("good", "Completed", ago(hours=1)),
        backup_obj("bad", "Failed", ago(hours=5)),
        backup_obj("old-bad", "Failed", ago(hours=40)),
    ]
    res = result_of(backup.recent, {"backups.velero.io": backups})
    assert res.status is Status.WARN
    assert "1 backup failed in the last 24h" in res.summary
    assert "latest attempt" not in res.summary


def test_recent_unknown_when_forbidden() -> None:
    entries = {
        "backups.velero.io": unavailable(
            "forbidden: list backups.velero.io", "list backups.velero.io"
        )
    }
    res = run_check(backup.recent, make_snapshot(entries))
    assert res.status is Status.UNKNOWN
    assert "list backups.velero.io" in res.summary


# ---------------------------------------------------------------------------------------
# backup.restore-tested
# ---------------------------------------------------------------------------------------


def restore_obj(name: str, phase: str, finished: str, started: str) -> dict[str, Any]:
    obj = copy.deepcopy(one(f"{DOCS}/restore.md.block-1.yaml", "Restore"))
    obj["metadata"]["name"] = name
    obj["status"].update(phase=phase, startTimestamp=started, completionTimestamp=finished)
    return obj


def test_restore_pass_measures_rto() -> None:
    restores = [
        restore_obj("drill-2", "Completed", ago(days=10), ago(days=10, minutes=12.5)),
        restore_obj("drill-1", "Completed", ago(days=40), ago(days=40, minutes=30)),
    ]
    res = result_of(backup.restore_tested, {"restores.velero.io": restores})
    assert res.status is Status.PASS
    assert res.measured == {"rto_minutes": 12.5, "last_restore_age_days": 10.0}
    assert "restore drill-2 10 days ago, RTO 12.5 min" in res.summary
    assert "from a-very-special-backup" in res.evidence[0].detail


def test_restore_warn_only_partially_failed_in_window() -> None:
    restores = [
        restore_obj("drill", "PartiallyFailed", ago(days=5), ago(days=5, minutes=20)),
        restore_obj("old", "Completed", ago(days=200), ago(days=200, minutes=9)),
    ]
    res = result_of(backup.restore_tested, {"restores.velero.io": restores})
    assert res.status is Status.WARN
    assert "only PartiallyFailed restores in the last 90 days" in res.summary
    assert res.measured["rto_minutes"] == 20.0


def test_restore_warn_completed_older_than_window() -> None:
    restores = [restore_obj("drill", "Completed", ago(days=120), ago(days=120, minutes=9))]
    res = result_of(backup.restore_tested, {"restores.velero.io": restores})
    assert res.status is Status.WARN
    assert "older than the 90-day window" in res.summary
    assert res.measured == {"rto_minutes": 9.0, "last_restore_age_days": 120.0}


def test_restore_window_parameter_is_used() -> None:
    restores = [restore_obj("drill", "Completed", ago(days=120), ago(days=120, minutes=9))]
    res = result_of(
        backup.restore_tested,
        {"restores.velero.io": restores},
        params=Parameters(restore_window_days=180),
    )
    assert res.status is Status.PASS
    assert "within the 180-day window" in res.summary
    assert res.measured["last_restore_age_days"] == 120


def test_restore_fail_when_never_completed() -> None:
    restores = [restore_obj("drill", "Failed", ago(days=2), ago(days=2, minutes=1))]
    res = result_of(backup.restore_tested, {"restores.velero.io": restores})
    assert res.status is Status.FAIL
    assert "restores were never tested (1 Failed)" in res.summary
    assert res.measured == {"rto_minutes": None, "last_restore_age_days": None}


def test_restore_fail_without_restores() -> None:
    res = result_of(backup.restore_tested, {"restores.velero.io": []})
    assert res.status is Status.FAIL
    assert res.summary == "no Completed Velero restore: restores were never tested"
    assert res.measured == {"rto_minutes": None, "last_restore_age_days": None}


def test_restore_unknown_when_forbidden() -> None:
    entries = {
        "restores.velero.io": unavailable(
            "forbidden: list restores.velero.io", "list restores.velero.io"
        )
    }
    res = run_check(backup.restore_tested, make_snapshot(entries))
    assert res.status is Status.UNKNOWN
    assert "restores.velero.io" in res.summary


# ---------------------------------------------------------------------------------------
# backup.etcd
# ---------------------------------------------------------------------------------------


def node(name: str, labels: dict[str, str], provider_id: str) -> dict[str, Any]:
    return {
        "metadata": {"name": name, "labels": {"kubernetes.io/os": "linux", **labels}},
        "spec": {"providerID": provider_id},
        "status": {"conditions": [{"type": "Ready", "status": "True"}]},
    }


EKS_NODE = node(
    "ip-10-0-1-23.eu-west-1.compute.internal",
    {"eks.amazonaws.com/nodegroup": "general", "topology.kubernetes.io/zone": "eu-west-1a"},
    "aws:///eu-west-1a/i-0123456789abcdef0",
)
OTHER_NODE = node(
    "cp-1",
    {"node-role.kubernetes.io/control-plane": ""},
    "vsphere://4201a1b2-c3d4-e5f6-0718-293a4b5c6d7e",
)


def version(git: str | None = None) -> dict[str, Any]:
    doc = copy.deepcopy(next(iter_docs(SAMPLES / "version.json")))
    if git:
        doc["gitVersion"] = git
    return doc


def test_etcd_skipped_on_eks_from_describe_cluster() -> None:
    cluster = one(DESCRIBE_CLUSTER)["cluster"]
    res = result_of(backup.etcd, {"eks:cluster": cluster, "nodes": [], "kube:version": version()})
    assert res.status is Status.SKIPPED
    assert res.summary.startswith("EKS manages etcd; its backups are AWS's responsibility")
    assert res.evidence[0].ref == "eks:cluster my-eks-cluster"


def test_etcd_skipped_from_nodes_and_version_when_aws_unavailable() -> None:
    entries = {
        "eks:cluster": unavailable("AccessDenied", "eks:DescribeCluster"),
        "nodes": [EKS_NODE],
        "kube:version": version("v1.34.2-eks-3025e55"),
    }
    res = result_of(backup.etcd, entries)
    assert res.status is Status.SKIPPED
    assert "1 of 1 node run by EKS/EC2" in [e.detail for e in res.evidence]


def test_etcd_unknown_on_self_managed_control_plane() -> None:
    entries = {
        "eks:cluster": unavailable("no cluster name", "eks:DescribeCluster"),
        "nodes": [OTHER_NODE],
        "kube:version": version(),
    }
    res = result_of(backup.etcd, entries)
    assert res.status is Status.UNKNOWN
    assert res.summary.startswith("self-managed control plane: etcd snapshots are not observable")
    assert res.evidence[0].detail == "v1.36.2"


def test_etcd_unknown_on_eks_build_without_eks_nodes() -> None:
    entries = {
        "eks:cluster": unavailable("no cluster name", "eks:DescribeCluster"),
        "nodes": [OTHER_NODE],
        "kube:version": version("v1.28.2-eks-1-28-8"),
    }
    res = result_of(backup.etcd, entries)
    assert res.status is Status.UNKNOWN
    assert "EKS Anywhere" in res.summary


def test_etcd_ec2_nodes_alone_are_not_eks() -> None:
    """kops on EC2 has aws:// nodes but a plain API server version."""
    kops = node("i-0abc", {}, "aws:///eu-west-1b/i-0fedcba9876543210")
    entries = {
        "eks:cluster": unavailable("no cluster name", "eks:DescribeCluster"),
        "nodes": [kops],
        "kube:version": version("v1.33.4"),
    }
    assert result_of(backup.etcd, entries).status is Status.UNKNOWN


def test_etcd_unknown_names_permission_when_fallback_unreadable() -> None:
    entries = {
        "eks:cluster": unavailable("AccessDenied", "eks:DescribeCluster"),
        "nodes": [EKS_NODE],
        "kube:version": unavailable("forbidden: get /version", "get /version"),
    }
    res = run_check(backup.etcd, make_snapshot(entries))
    assert res.status is Status.UNKNOWN
    assert "kube:version" in res.summary


def test_etcd_never_passes() -> None:
    cluster = one(DESCRIBE_CLUSTER)["cluster"]
    scenarios = [
        {"eks:cluster": cluster, "nodes": [], "kube:version": version()},
        {"eks:cluster": {}, "nodes": [EKS_NODE], "kube:version": version("v1.34.2-eks-3025e55")},
        {"eks:cluster": {}, "nodes": [], "kube:version": {}},
    ]
    for entries in scenarios:
        assert result_of(backup.etcd, entries).status in (Status.SKIPPED, Status.UNKNOWN)
