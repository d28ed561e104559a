"""Live AWS collector: reads the AWS facts the checks need with boto3. Read-only.

Only ``Describe*``, ``List*`` and ``Get*`` calls are made (never ``GetSecretValue``). Each
fact becomes one :class:`~readiness.snapshot.Entry`: ``ok`` with a JSON-safe value in the
shape documented in ``readiness/keys.py``, or ``unavailable`` with the reason and the IAM
action that was missing, so one failing fact never hides the others and the report can
say exactly what to grant.

boto3 reads the standard environment by itself (``AWS_PROFILE``, ``AWS_REGION`` /
``AWS_DEFAULT_REGION``, ``AWS_ENDPOINT_URL``), which is how the tests point it at moto.
``AWS_MAX_ATTEMPTS`` / ``AWS_RETRY_MODE`` override the retry defaults below.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from readiness.collect import ConfigError, NullProgress, Progress
from readiness.keys import AWS_FACTS
from readiness.snapshot import NOT_INSTALLED, OK, Entry, ok, unavailable

if TYPE_CHECKING:
    import boto3

CLUSTER_UNKNOWN = (
    "EKS cluster name unknown: pass --cluster NAME (could not parse it from the kubeconfig context)"
)
NO_CREDENTIALS = "no AWS credentials: set AWS_PROFILE or run aws sso login"
SSO_EXPIRED = "AWS SSO session missing or expired: run aws sso login"
VELERO_BSL = "backupstoragelocations.velero.io"
VELERO_AWS_PROVIDERS = frozenset({"aws", "velero.io/aws"})

DEFAULT_MAX_ATTEMPTS = 8
DEFAULT_RETRY_MODE = "adaptive"
CONNECT_TIMEOUT_S = 5
READ_TIMEOUT_S = 30

# IAM action prefix of a boto3 service, where the two differ.
_IAM_PREFIX = {"amp": "aps"}
_ACCESS_DENIED = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedAccess",
    "Forbidden",
}
_BAD_CREDENTIALS = {
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
    "InvalidSignatureException",
    "AuthFailure",
}
_THROTTLED = {
    "Throttling",
    "ThrottlingException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "SlowDown",
}
_UNSUPPORTED_CODES = {"NotImplemented", "InvalidAction", "UnknownOperationException"}
# A bare HTTP status as the error code means the body was not an AWS error document: an
# emulator (moto) that has no handler for the operation, not a real AWS answer.
_UNSUPPORTED_HTTP = {404, 405, 500, 501}
_NO_PROGRESS = NullProgress()


class FactError(Exception):
    """A fact cannot be collected; ``reason`` and ``permission`` go into the Entry."""

    def __init__(self, reason: str, permission: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permission = permission


# -- session and clients ---------------------------------------------------------------


def make_session(profile: str | None, region: str | None) -> boto3.Session:
    """A boto3 session for ``--profile`` / ``--region`` (None: the standard environment)."""
    import boto3
    from botocore.exceptions import ProfileNotFound

    try:
        return boto3.Session(profile_name=profile or None, region_name=region or None)
    except ProfileNotFound as exc:
        name = profile or os.environ.get("AWS_PROFILE") or str(exc)
        raise ConfigError(
            f"AWS profile {name!r} not found in ~/.aws/config: check --profile / AWS_PROFILE"
        ) from None


def client_config() -> Any:
    """Adaptive retries (client-side rate limiting under throttling) and bounded timeouts."""
    from botocore.config import Config

    attempts = _env_int("AWS_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS)
    mode = os.environ.get("AWS_RETRY_MODE") or DEFAULT_RETRY_MODE
    return Config(
        retries={"mode": mode, "max_attempts": attempts},
        connect_timeout=CONNECT_TIMEOUT_S,
        read_timeout=READ_TIMEOUT_S,
        user_agent_extra="readiness",
    )


def _env_int(name: str, default: int) -> int:
    try:
        return max(1, int(os.environ.get(name, "")))
    except ValueError:
        return default


@dataclass
class _Context:
    """What every fact fetcher reads: clients (built up front), cluster, region, kube data."""

    clients: dict[tuple[str, str | None], Any]
    cluster: str | None
    region: str | None
    kube: Mapping[str, Entry] | None
    regions: tuple[str, ...]
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _log_groups: Future[list[dict[str, Any]]] | None = None

    def client(self, service: str, region: str | None = None) -> Any:
        found = self.clients[(service, region)]
        if isinstance(found, BaseException):
            raise found
        return found

    def cluster_name(self) -> str:
        if not self.cluster:
            raise FactError(CLUSTER_UNKNOWN, None)
        return self.cluster

    def log_groups(self) -> list[dict[str, Any]]:
        """The cluster's log groups, fetched once for both ``logs:`` facts."""
        with self._lock:
            if self._log_groups is None:
                fut: Future[list[dict[str, Any]]] = Future()
                self._log_groups = fut
                owner = True
            else:
                owner = False
        if owner:
            try:
                fut.set_result(_describe_log_groups(self))
            except Exception as exc:  # handed to every caller, mapped there
                fut.set_exception(exc)
        assert self._log_groups is not None
        return self._log_groups.result()


def _build_clients(
    session: Any, services: set[tuple[str, str | None]], default_region: str | None
) -> dict[tuple[str, str | None], Any]:
    """One client per (service, region), built before the threads start (sessions are not
    thread-safe; clients are). Region None means the cluster's region (``default_region``,
    else the session's). A failure is stored and reported by the facts that need it."""
    config = client_config()
    out: dict[tuple[str, str | None], Any] = {}
    for service, region in sorted(services, key=lambda s: (s[0], s[1] or "")):
        kwargs: dict[str, Any] = {"config": config}
        if region or default_region:
            kwargs["region_name"] = region or default_region
        try:
            out[(service, region)] = session.client(service, **kwargs)
        except Exception as exc:
            out[(service, region)] = exc
    return out


# -- helpers ---------------------------------------------------------------------------


def json_safe(value: Any) -> Any:
    """boto3 values as plain JSON: datetimes → ISO-8601 UTC strings, no ResponseMetadata."""
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, dt.datetime):
        return iso(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def iso(value: dt.datetime) -> str:
    aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def epoch_ms_iso(value: Any) -> str | None:
    """CloudWatch Logs epoch milliseconds as an ISO-8601 UTC string."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    return iso(dt.datetime.fromtimestamp(value / 1000, dt.UTC))


def _pages(client: Any, operation: str, result_key: str, **kwargs: Any) -> list[Any]:
    out: list[Any] = []
    for page in client.get_paginator(operation).paginate(**kwargs):
        out.extend(page.get(result_key) or [])
    return out


def _error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None) or {}
    return str((response.get("Error") or {}).get("Code", ""))


# -- facts -----------------------------------------------------------------------------


def _eks_cluster(ctx: _Context) -> Any:
    resp = ctx.client("eks").describe_cluster(name=ctx.cluster_name())
    return json_safe(resp["cluster"])


def _eks_addons(ctx: _Context) -> Any:
    eks, name = ctx.client("eks"), ctx.cluster_name()
    addons = _pages(eks, "list_addons", "addons", clusterName=name)
    return [json_safe(eks.describe_addon(clusterName=name, addonName=a)["addon"]) for a in addons]


def _eks_access_entries(ctx: _Context) -> Any:
    eks, name = ctx.client("eks"), ctx.cluster_name()
    out = []
    for arn in _pages(eks, "list_access_entries", "accessEntries", clusterName=name):
        entry = eks.describe_access_entry(clusterName=name, principalArn=arn)["accessEntry"]
        policies = _pages(
            eks,
            "list_associated_access_policies",
            "associatedAccessPolicies",
            clusterName=name,
            principalArn=arn,
        )
        out.append(
            {
                "principalArn": arn,
                "type": entry.get("type"),
                "username": entry.get("username"),
                "kubernetesGroups": list(entry.get("kubernetesGroups") or []),
                "accessPolicies": [
                    {
                        "policyArn": p.get("policyArn"),
                        "accessScope": json_safe(p.get("accessScope")),
                    }
                    for p in policies
                ],
            }
        )
    return out


def _eks_pod_identity(ctx: _Context) -> Any:
    eks = ctx.client("eks")
    items = _pages(
        eks, "list_pod_identity_associations", "associations", clusterName=ctx.cluster_name()
    )
    return json_safe(items)


def _eks_regional_clusters(ctx: _Context) -> Any:
    out: dict[str, list[dict[str, Any]]] = {}
    for region in ctx.regions:
        eks = ctx.client("eks", region)
        found = []
        for name in _pages(eks, "list_clusters", "clusters"):
            c = eks.describe_cluster(name=name)["cluster"]
            found.append(
                {
                    "name": c.get("name", name),
                    "status": c.get("status"),
                    "version": c.get("version"),
                }
            )
        out[region] = found
    return out


def log_group_prefixes(cluster: str) -> tuple[str, str]:
    """The two log-group trees EKS and Container Insights write for a cluster."""
    return (f"/aws/eks/{cluster}/", f"/aws/containerinsights/{cluster}/")


def _describe_log_groups(ctx: _Context) -> list[dict[str, Any]]:
    # Only the cluster's two trees: an account may hold thousands of unrelated groups, and
    # Container Insights, Fluent Bit (aws-for-fluent-bit defaults) and the control plane
    # all write under these prefixes.
    logs, cluster = ctx.client("logs"), ctx.cluster_name()
    groups: list[dict[str, Any]] = []
    for prefix in log_group_prefixes(cluster):
        groups.extend(_pages(logs, "describe_log_groups", "logGroups", logGroupNamePrefix=prefix))
    return json_safe(groups)


def _logs_log_groups(ctx: _Context) -> Any:
    return ctx.log_groups()


def _logs_newest_events(ctx: _Context) -> Any:
    from botocore.exceptions import ClientError

    logs = ctx.client("logs")
    out: dict[str, dict[str, str | None]] = {}
    for group in ctx.log_groups():
        name = group["logGroupName"]
        try:
            streams = (
                logs.describe_log_streams(
                    logGroupName=name, orderBy="LastEventTime", descending=True, limit=1
                ).get("logStreams")
                or []
            )
        except ClientError as exc:
            if _error_code(exc) == "ResourceNotFoundException":
                continue  # deleted since it was listed
            raise
        newest = streams[0] if streams else {}
        out[name] = {
            "logStreamName": newest.get("logStreamName"),
            "lastEventTime": epoch_ms_iso(newest.get("lastEventTimestamp")),
        }
    return out


def _ecr_repositories(ctx: _Context) -> Any:
    return json_safe(_pages(ctx.client("ecr"), "describe_repositories", "repositories"))


def _ecr_registry_scanning(ctx: _Context) -> Any:
    resp = ctx.client("ecr").get_registry_scanning_configuration()
    return {
        "registryId": resp.get("registryId"),
        "scanningConfiguration": json_safe(resp.get("scanningConfiguration") or {}),
    }


def velero_buckets(kube: Mapping[str, Entry] | None) -> list[str]:
    """S3 buckets of Velero BackupStorageLocations that use the AWS object-store plugin.

    Raises :class:`FactError` when the BSLs could not be read: an empty answer would
    wrongly say "no buckets to check". Velero not installed means no buckets.
    """
    entry = (kube or {}).get(VELERO_BSL)
    perm = f"list {VELERO_BSL}"
    if entry is None:
        raise FactError(
            "Velero BackupStorageLocations were not collected, so their S3 buckets are unknown",
            perm,
        )
    if entry.state == NOT_INSTALLED:
        return []
    if entry.state != OK:
        raise FactError(
            f"cannot read Velero BackupStorageLocations, so their S3 buckets are unknown: "
            f"{entry.reason}",
            entry.permission or perm,
        )
    found = {b for b in (_bsl_bucket(o) for o in entry.value or []) if b}
    return sorted(found)


def _bsl_bucket(bsl: Mapping[str, Any]) -> str | None:
    spec = bsl.get("spec") or {}
    if spec.get("provider") not in VELERO_AWS_PROVIDERS:
        return None
    s3_url = (spec.get("config") or {}).get("s3Url")
    if s3_url and not (urlparse(s3_url).hostname or "").endswith(
        ("amazonaws.com", "amazonaws.com.cn")
    ):
        return None  # MinIO / on-prem S3-compatible store: not an AWS bucket
    bucket = (spec.get("objectStorage") or {}).get("bucket")
    return str(bucket) if bucket else None


def _s3_velero_buckets(ctx: _Context) -> Any:
    buckets = velero_buckets(ctx.kube)
    if not buckets:
        return {}
    s3 = ctx.client("s3")
    return {b: _bucket_facts(s3, b) for b in buckets}


def _bucket_facts(s3: Any, bucket: str) -> dict[str, Any]:
    """Versioning and default encryption of one bucket. NoSuchBucket ⇒ exists False; other
    per-bucket refusals are recorded in ``error`` (S3 answers NoSuchBucket, not 403, for a
    bucket that does not exist, so a refusal means it exists)."""
    from botocore.exceptions import ClientError

    facts: dict[str, Any] = {"exists": True, "versioning": None, "encryption": None, "error": None}
    errors: list[str] = []
    try:
        facts["versioning"] = s3.get_bucket_versioning(Bucket=bucket).get("Status")
    except ClientError as exc:
        if _error_code(exc) in ("NoSuchBucket", "404"):
            return {"exists": False, "versioning": None, "encryption": None, "error": None}
        errors.append(_client_error_reason(exc, "s3", None, None)[0])
    try:
        conf = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
        facts["encryption"] = json_safe(conf.get("Rules") or [])
    except ClientError as exc:
        if _error_code(exc) != "ServerSideEncryptionConfigurationNotFoundError":
            errors.append(_client_error_reason(exc, "s3", None, None)[0])
    facts["error"] = "; ".join(errors) or None
    return facts


def _secrets(ctx: _Context) -> Any:
    items = _pages(ctx.client("secretsmanager"), "list_secrets", "SecretList")
    return [{"Name": s.get("Name"), "ARN": s.get("ARN")} for s in items]


def _amp_workspaces(ctx: _Context) -> Any:
    amp = ctx.client("amp")
    return {
        "workspaces": json_safe(_pages(amp, "list_workspaces", "workspaces")),
        "scrapers": json_safe(_pages(amp, "list_scrapers", "scrapers")),
    }


def _grafana_workspaces(ctx: _Context) -> Any:
    return json_safe(_pages(ctx.client("grafana"), "list_workspaces", "workspaces"))


def _iam_oidc_providers(ctx: _Context) -> Any:
    resp = ctx.client("iam").list_open_id_connect_providers()
    return [p["Arn"] for p in resp.get("OpenIDConnectProviderList") or [] if p.get("Arn")]


_FETCHERS: dict[str, Callable[[_Context], Any]] = {
    "eks:cluster": _eks_cluster,
    "eks:addons": _eks_addons,
    "eks:access-entries": _eks_access_entries,
    "eks:pod-identity-associations": _eks_pod_identity,
    "eks:regional-clusters": _eks_regional_clusters,
    "logs:log-groups": _logs_log_groups,
    "logs:newest-events": _logs_newest_events,
    "ecr:repositories": _ecr_repositories,
    "ecr:registry-scanning": _ecr_registry_scanning,
    "s3:velero-buckets": _s3_velero_buckets,
    "secretsmanager:secrets": _secrets,
    "amp:workspaces": _amp_workspaces,
    "grafana:workspaces": _grafana_workspaces,
    "iam:oidc-providers": _iam_oidc_providers,
}


def service_of(key: str) -> str:
    """boto3 service name of a fact (the key's prefix)."""
    return key.split(":", 1)[0]


# -- errors → entries ------------------------------------------------------------------


def error_entry(exc: BaseException, key: str, cluster: str | None, region: str | None) -> Entry:
    """The ``unavailable`` entry for any failure while collecting ``key``."""
    from botocore import exceptions as bx

    perm = AWS_FACTS[key].permission if key in AWS_FACTS else None
    service = service_of(key)
    if isinstance(exc, FactError):
        return unavailable(exc.reason, exc.permission)
    if isinstance(exc, bx.NoCredentialsError | bx.PartialCredentialsError):
        return unavailable(NO_CREDENTIALS, perm)
    if isinstance(exc, bx.SSOError | bx.TokenRetrievalError):
        return unavailable(SSO_EXPIRED, perm)
    if isinstance(exc, bx.CredentialRetrievalError):
        return unavailable(f"could not load AWS credentials: {exc}", perm)
    if isinstance(exc, bx.NoRegionError):
        return unavailable("no AWS region: pass --region or set AWS_REGION", perm)
    if isinstance(exc, bx.EndpointConnectionError | bx.ConnectTimeoutError):
        url = getattr(exc, "kwargs", {}).get("endpoint_url", "")
        return unavailable(
            f"cannot reach AWS endpoint {url}: check network, proxy and region", perm
        )
    if isinstance(exc, bx.ReadTimeoutError):
        return unavailable(f"AWS endpoint timed out while reading {key}", perm)
    if isinstance(exc, bx.UnknownServiceError):
        return unavailable(f"{service} not supported by this endpoint / botocore version", perm)
    if isinstance(exc, bx.OperationNotPageableError):
        op = getattr(exc, "kwargs", {}).get("operation_name", "")
        return unavailable(f"{_action(service, op)} not supported by this endpoint", perm)
    if isinstance(exc, bx.ClientError):
        reason, action = _client_error_reason(exc, service, cluster, region)
        return unavailable(reason, action or perm)
    return unavailable(f"unexpected error reading {key}: {type(exc).__name__}: {exc}", perm)


def _action(service: str, operation: str) -> str:
    """IAM action of a boto3 operation: ``eks:DescribeCluster``, ``aps:ListScrapers``."""
    return f"{_IAM_PREFIX.get(service, service)}:{operation}"


def _client_error_reason(
    exc: Any, service: str, cluster: str | None, region: str | None
) -> tuple[str, str | None]:
    """(reason, IAM action) for a ClientError."""
    code = _error_code(exc)
    action = _action(service, getattr(exc, "operation_name", "") or "?")
    message = str((exc.response.get("Error") or {}).get("Message", "")).strip()
    status = (exc.response.get("ResponseMetadata") or {}).get("HTTPStatusCode")
    if code in _ACCESS_DENIED or (code.isdigit() and status == 403):
        # A bare 403 (body not an AWS error document, e.g. from a proxy or moto's IAM
        # enforcement on REST services) is a refusal all the same.
        return f"AccessDenied: {action}", action
    if code in _BAD_CREDENTIALS:
        return (
            f"AWS rejected the credentials ({code}) on {action}: refresh them "
            "(aws sso login) or check AWS_PROFILE",
            action,
        )
    if code == "ResourceNotFoundException" and service == "eks":
        return (
            f"EKS cluster {cluster!r} not found in {region or 'the default region'} "
            f"({action}): check --cluster and --region",
            action,
        )
    if code in _UNSUPPORTED_CODES or (code.isdigit() and status in _UNSUPPORTED_HTTP):
        return f"{action} not supported by this endpoint", action
    if code in _THROTTLED:
        return f"throttled by AWS after retries: {action}", action
    first_line = message.splitlines()[0][:200] if message else ""
    return f"{action} failed: {code or status}: {first_line}".rstrip(": "), action


# -- entry point -----------------------------------------------------------------------


def _clients_needed(keys: Sequence[str], regions: Sequence[str]) -> set[tuple[str, str | None]]:
    needed: set[tuple[str, str | None]] = set()
    for key in keys:
        if key == "eks:regional-clusters":
            needed.update(("eks", r) for r in regions)
        else:
            needed.add((service_of(key), None))
    return needed


def _credential_problem(session: Any) -> BaseException | None:
    """Resolve credentials once, so a missing login fails fast instead of per call."""
    from botocore import exceptions as bx

    try:
        creds = session.get_credentials()
    except (
        bx.NoCredentialsError,
        bx.SSOError,
        bx.TokenRetrievalError,
        bx.CredentialRetrievalError,
        bx.PartialCredentialsError,
    ) as exc:
        return exc
    return bx.NoCredentialsError() if creds is None else None


def _fetch(key: str, ctx: _Context) -> Entry:
    try:
        return ok(_FETCHERS[key](ctx))
    except Exception as exc:  # one fact's failure never stops the others
        return error_entry(exc, key, ctx.cluster, ctx.region)


def collect_aws(
    keys: Iterable[str],
    session: Any,
    *,
    cluster: str | None,
    region: str | None,
    kube: Mapping[str, Entry] | None = None,
    regions: Sequence[str] = (),
    progress: Progress = _NO_PROGRESS,
    workers: int = 8,
) -> dict[str, Entry]:
    """Collect the requested AWS facts concurrently. Keys that are not AWS facts are ignored.

    ``region`` is the cluster's region (None: the session's); ``regions`` are the regions
    ``eks:regional-clusters`` lists; ``kube`` supplies the Velero BackupStorageLocations.
    """
    wanted = sorted({k for k in keys if k in AWS_FACTS and k in _FETCHERS})
    if not wanted:
        return {}
    region = region or getattr(session, "region_name", None)
    problem = _credential_problem(session)
    if problem is not None:
        return _all_failed(wanted, problem, cluster, region, progress)
    region_list = tuple(dict.fromkeys(r for r in regions if r))
    clients = _build_clients(session, _clients_needed(wanted, region_list), region)
    ctx = _Context(clients, cluster, region, kube, region_list)
    return _run(wanted, ctx, progress, workers)


def _all_failed(
    keys: Sequence[str],
    exc: BaseException,
    cluster: str | None,
    region: str | None,
    progress: Progress,
) -> dict[str, Entry]:
    out = {}
    for key in keys:
        progress.begin(key)
        out[key] = error_entry(exc, key, cluster, region)
        progress.end(key, out[key].state)
    return out


def _run(keys: Sequence[str], ctx: _Context, progress: Progress, workers: int) -> dict[str, Entry]:
    """Run the fetchers in a thread pool; progress events stay on the calling thread."""
    out: dict[str, Entry] = {}
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="aws") as pool:
        futures = {}
        for key in keys:
            progress.begin(key)
            futures[pool.submit(_fetch, key, ctx)] = key
        for fut in as_completed(futures):
            key = futures[fut]
            out[key] = fut.result()
            progress.end(key, out[key].state)
    return {k: out[k] for k in keys}
