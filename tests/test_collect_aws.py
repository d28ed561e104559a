"""The live AWS collector against moto in server mode (real HTTP through boto3's standard
``AWS_ENDPOINT_URL``), plus botocore Stubber where moto has no handler (EKS add-ons)."""

from __future__ import annotations

import copy
import datetime as dt
import json
import socket
import time
from typing import Any

import boto3
import pytest
from botocore.exceptions import UnknownServiceError
from botocore.stub import Stubber

from readiness.collect import ConfigError
from readiness.collect.aws import (
    CLUSTER_UNKNOWN,
    NO_CREDENTIALS,
    client_config,
    collect_aws,
    make_session,
)
from readiness.keys import AWS_FACTS
from readiness.snapshot import OK, UNAVAILABLE, Entry, not_installed, ok, unavailable
from tests.motoserver import (  # noqa: F401
    REGION,
    MotoServer,
    aws_env,
    aws_env_module,
    moto_server,
)
from tests.snap import UPSTREAM, one

CLUSTER = "prod"
ACCOUNT = "123456789012"
KMS_KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
SECRET_VALUE = "hunter2-do-not-leak-9f8e7d"
BSL_DOCS = "velero/site/content/docs/main/api-types/backupstoragelocation.md.block-{}.yaml"
BSL_MINIO = "velero/tilt-resources/examples/velero_v1_backupstoragelocation.yaml"
ADDON_EXAMPLE = "aws-cli/awscli/examples/eks/describe-addon.rst.output-1.json"
LIST_ADDONS_EXAMPLE = "aws-cli/awscli/examples/eks/list-addons.rst.output-1.json"
ENCRYPTION_EXAMPLE = "aws-cli/awscli/examples/s3api/get-bucket-encryption.rst.output-1.json"
LOG_GROUPS_EXAMPLE = "aws-cli/awscli/examples/logs/describe-log-groups.rst.output-1.json"


class Recorder:
    """Progress sink that records events."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str, str]] = []

    def begin(self, key: str) -> None:
        self.events.append(("begin", key, ""))

    def page(self, key: str, items: int) -> None:
        self.events.append(("page", key, str(items)))

    def end(self, key: str, state: str) -> None:
        self.events.append(("end", key, state))


def _model_members(relpath: str, shape: str) -> set[str]:
    model = json.loads((UPSTREAM / relpath).read_text())
    return set(model["shapes"][shape]["members"])


def _bsls() -> list[dict[str, Any]]:
    """BackupStorageLocations as list items (no kind): one AWS bucket, one MinIO, and one
    AWS bucket that does not exist."""
    aws = copy.deepcopy(one(BSL_DOCS.format(1), "BackupStorageLocation"))
    aws["spec"]["objectStorage"]["bucket"] = "velero-backups"
    gone = copy.deepcopy(aws)
    gone["metadata"]["name"] = "secondary"
    gone["spec"]["objectStorage"]["bucket"] = "velero-gone"
    minio = copy.deepcopy(one(BSL_MINIO, "BackupStorageLocation"))
    items = [aws, gone, minio, copy.deepcopy(one(BSL_DOCS.format(2), "BackupStorageLocation"))]
    for item in items:
        item.pop("kind", None)
        item.pop("apiVersion", None)
    return items


def _create_cluster(eks: Any, name: str = CLUSTER) -> None:
    eks.create_cluster(
        name=name,
        version="1.30",
        roleArn=f"arn:aws:iam::{ACCOUNT}:role/eks-cluster",
        resourcesVpcConfig={
            "subnetIds": ["subnet-0fb75d2d8401716e7", "subnet-02184492f67a3d0f9"],
            "endpointPublicAccess": True,
            "endpointPrivateAccess": True,
        },
        logging={"clusterLogging": [{"types": ["api", "audit", "authenticator"], "enabled": True}]},
        encryptionConfig=[{"resources": ["secrets"], "provider": {"keyArn": KMS_KEY}}],
    )


def _populate(event_ms: int) -> None:
    """A small account: cluster, log groups, ECR, S3, a secret, an OIDC provider, AMP."""
    _create_cluster(boto3.client("eks"))
    _create_cluster(boto3.client("eks", region_name="us-east-1"), "dr")
    logs = boto3.client("logs")
    app = f"/aws/containerinsights/{CLUSTER}/application"
    logs.create_log_group(logGroupName=f"/aws/eks/{CLUSTER}/cluster")
    logs.put_retention_policy(logGroupName=f"/aws/eks/{CLUSTER}/cluster", retentionInDays=90)
    logs.create_log_group(logGroupName=app)
    logs.create_log_stream(logGroupName=app, logStreamName="ip-10-0-1-10.fluent-bit")
    logs.create_log_stream(logGroupName=app, logStreamName="ip-10-0-9-99.fluent-bit")
    logs.put_log_events(  # a node that stopped sending an hour earlier
        logGroupName=app,
        logStreamName="ip-10-0-9-99.fluent-bit",
        logEvents=[{"timestamp": event_ms - 3_600_000, "message": "stale"}],
    )
    logs.put_log_events(
        logGroupName=app,
        logStreamName="ip-10-0-1-10.fluent-bit",
        logEvents=[
            {"timestamp": event_ms - 60_000, "message": "older"},
            {"timestamp": event_ms, "message": "newest"},
        ],
    )
    logs.create_log_group(logGroupName=f"/aws/containerinsights/{CLUSTER}/performance")
    logs.create_log_group(logGroupName="/aws/eks/prod-other/cluster")  # another cluster
    ecr = boto3.client("ecr")
    ecr.create_repository(
        repositoryName="shop/api", imageScanningConfiguration={"scanOnPush": True}
    )
    ecr.create_repository(repositoryName="shop/web")
    s3 = boto3.client("s3")
    s3.create_bucket(
        Bucket="velero-backups", CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    s3.put_bucket_versioning(Bucket="velero-backups", VersioningConfiguration={"Status": "Enabled"})
    rules = one(ENCRYPTION_EXAMPLE)["ServerSideEncryptionConfiguration"]
    s3.put_bucket_encryption(Bucket="velero-backups", ServerSideEncryptionConfiguration=rules)
    boto3.client("secretsmanager").create_secret(Name="shop/db", SecretString=SECRET_VALUE)
    boto3.client("iam").create_open_id_connect_provider(
        Url="https://oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE",
        ThumbprintList=["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"],
    )
    boto3.client("amp").create_workspace(alias="prod-metrics")


@pytest.fixture(scope="module")
def collected(aws_env_module: MotoServer) -> tuple[dict[str, Entry], Recorder, int]:  # noqa: F811
    """Populate moto once and collect every fact once; the tests below read the result."""
    event_ms = int(time.time() * 1000) - 5_000
    _populate(event_ms)
    rec = Recorder()
    entries = collect_aws(
        [*AWS_FACTS, "deployments", "kube:version"],
        make_session(None, None),
        cluster=CLUSTER,
        region=REGION,
        kube={"backupstoragelocations.velero.io": ok(_bsls())},
        regions=[REGION, "us-east-1"],
        progress=rec,
    )
    return entries, rec, event_ms


def test_collects_every_fact_without_crashing_and_json_safe(collected: Any) -> None:
    entries, rec, _ = collected
    assert set(entries) == set(AWS_FACTS)  # kube keys ignored
    json.dumps({k: e.to_dict() for k, e in entries.items()})  # JSON-safe: no datetime
    assert [e for e in rec.events if e[0] == "begin"] == [("begin", k, "") for k in entries]
    ends = {k: s for kind, k, s in rec.events if kind == "end"}
    assert ends == {k: e.state for k, e in entries.items()}


def test_eks_cluster_has_describe_cluster_shape(collected: Any) -> None:
    entries, _, _ = collected
    cluster = entries["eks:cluster"].value
    assert entries["eks:cluster"].state == OK
    assert cluster["name"] == CLUSTER and cluster["status"] == "ACTIVE"
    assert cluster["logging"]["clusterLogging"][0]["types"] == ["api", "audit", "authenticator"]
    assert cluster["encryptionConfig"][0]["provider"]["keyArn"] == KMS_KEY
    assert cluster["identity"]["oidc"]["issuer"].startswith("https://oidc.eks.")
    assert cluster["createdAt"].endswith("Z")  # datetime → ISO-8601 string
    members = _model_members("botocore/botocore/data/eks/2017-11-01/service-2.json", "Cluster")
    assert set(cluster) <= members
    example = one("aws-cli/awscli/examples/eks/describe-cluster.rst.output-1.json")["cluster"]
    assert {"name", "version", "status", "endpoint", "logging", "identity"} <= set(cluster) & set(
        example
    )


def test_regional_clusters_per_region(collected: Any) -> None:
    entries, _, _ = collected
    assert entries["eks:regional-clusters"].value == {
        REGION: [{"name": CLUSTER, "status": "ACTIVE", "version": "1.30"}],
        "us-east-1": [{"name": "dr", "status": "ACTIVE", "version": "1.30"}],
    }


def test_log_groups_are_the_clusters_with_retention(collected: Any) -> None:
    entries, _, _ = collected
    groups = {g["logGroupName"]: g for g in entries["logs:log-groups"].value}
    assert set(groups) == {
        f"/aws/eks/{CLUSTER}/cluster",
        f"/aws/containerinsights/{CLUSTER}/application",
        f"/aws/containerinsights/{CLUSTER}/performance",
    }
    assert groups[f"/aws/eks/{CLUSTER}/cluster"]["retentionInDays"] == 90
    assert "retentionInDays" not in groups[f"/aws/containerinsights/{CLUSTER}/application"]
    members = _model_members(
        "botocore/botocore/data/logs/2014-03-28/service-2.subset-DescribeLogGroups.json",
        "LogGroup",
    )
    example = one(LOG_GROUPS_EXAMPLE)["logGroups"][0]
    for g in groups.values():
        assert set(g) <= members
        assert isinstance(g["creationTime"], int)  # epoch ms, as DescribeLogGroups returns
        assert {"logGroupName", "creationTime", "arn", "storedBytes"} <= set(g) & set(example)


def test_newest_events_per_group(collected: Any) -> None:
    entries, _, event_ms = collected
    newest = entries["logs:newest-events"].value
    expected = dt.datetime.fromtimestamp(event_ms / 1000, dt.UTC)
    app = newest[f"/aws/containerinsights/{CLUSTER}/application"]
    assert app["logStreamName"] == "ip-10-0-1-10.fluent-bit"
    assert dt.datetime.fromisoformat(app["lastEventTime"]) == expected
    assert newest[f"/aws/containerinsights/{CLUSTER}/performance"] == {
        "logStreamName": None,
        "lastEventTime": None,
    }
    assert set(newest) == {g["logGroupName"] for g in entries["logs:log-groups"].value}


def test_ecr_repositories_and_registry_scanning(collected: Any) -> None:
    entries, _, _ = collected
    repos = {r["repositoryName"]: r for r in entries["ecr:repositories"].value}
    assert repos["shop/api"]["imageScanningConfiguration"] == {"scanOnPush": True}
    assert repos["shop/web"]["imageScanningConfiguration"] == {"scanOnPush": False}
    assert repos["shop/api"]["repositoryUri"].endswith("/shop/api")
    scanning = entries["ecr:registry-scanning"].value
    assert scanning["registryId"] == ACCOUNT
    assert scanning["scanningConfiguration"]["scanType"] == "BASIC"


def test_velero_buckets_from_backup_storage_locations(collected: Any) -> None:
    entries, _, _ = collected
    example = one(ENCRYPTION_EXAMPLE)["ServerSideEncryptionConfiguration"]["Rules"][0]
    buckets = entries["s3:velero-buckets"].value
    # MinIO-backed BSLs (s3Url outside AWS) are not AWS buckets and are left out.
    assert set(buckets) == {"velero-backups", "velero-gone"}
    backups = buckets["velero-backups"]
    assert (backups["exists"], backups["versioning"], backups["error"]) == (True, "Enabled", None)
    [rule] = backups["encryption"]
    assert (
        rule["ApplyServerSideEncryptionByDefault"] == example["ApplyServerSideEncryptionByDefault"]
    )
    assert buckets["velero-gone"] == {
        "exists": False,
        "versioning": None,
        "encryption": None,
        "error": None,
    }


def test_secrets_are_metadata_only(collected: Any) -> None:
    entries, _, _ = collected
    secrets = entries["secretsmanager:secrets"].value
    assert [s["Name"] for s in secrets] == ["shop/db"]
    assert set(secrets[0]) == {"Name", "ARN"}
    assert secrets[0]["ARN"].startswith(f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:shop/db")
    members = _model_members(
        "botocore/botocore/data/secretsmanager/2017-10-17/service-2.subset-ListSecrets.json",
        "SecretListEntry",
    )
    assert set(secrets[0]) <= members
    dumped = json.dumps({k: e.to_dict() for k, e in entries.items()})
    assert SECRET_VALUE not in dumped


def test_iam_oidc_providers(collected: Any) -> None:
    entries, _, _ = collected
    assert entries["iam:oidc-providers"].value == [
        f"arn:aws:iam::{ACCOUNT}:oidc-provider/"
        "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
    ]


def test_operations_moto_does_not_serve_are_unavailable(collected: Any) -> None:
    entries, _, _ = collected
    # moto answers these with a bare 404/500 page: recorded, never a crash.
    cases = {
        "eks:addons": "eks:ListAddons",
        "eks:access-entries": "eks:ListAccessEntries",
        "eks:pod-identity-associations": "eks:ListPodIdentityAssociations",
        "amp:workspaces": "aps:ListScrapers",
        "grafana:workspaces": "grafana:ListWorkspaces",
    }
    for key, action in cases.items():
        assert entries[key].state == UNAVAILABLE, key
        assert entries[key].reason == f"{action} not supported by this endpoint"
        assert entries[key].permission == action


# -- failures ------------------------------------------------------------------------------


def test_access_denied_names_the_action(aws_env: MotoServer) -> None:  # noqa: F811
    """moto's IAM enforcement: a user allowed only logs:DescribeLogGroups."""
    _create_cluster(boto3.client("eks"))
    iam = boto3.client("iam")
    aws_env.allow_unauthenticated(3)  # the three calls below, then enforce IAM
    iam.create_user(UserName="reader")
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "logs:DescribeLogGroups", "Resource": "*"}],
    }
    iam.put_user_policy(UserName="reader", PolicyName="logs", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="reader")["AccessKey"]
    session = boto3.Session(
        aws_access_key_id=key["AccessKeyId"],
        aws_secret_access_key=key["SecretAccessKey"],
        region_name=REGION,
    )
    entries = collect_aws(
        ["eks:cluster", "logs:log-groups", "ecr:repositories"],
        session,
        cluster=CLUSTER,
        region=REGION,
    )
    assert entries["eks:cluster"] == unavailable(
        "AccessDenied: eks:DescribeCluster", "eks:DescribeCluster"
    )
    assert entries["ecr:repositories"].reason == "AccessDenied: ecr:DescribeRepositories"
    assert entries["logs:log-groups"] == ok([])  # allowed: one fact's failure stops no other


def test_no_credentials_makes_every_fact_unavailable(
    aws_env: MotoServer,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    rec = Recorder()
    entries = collect_aws(
        AWS_FACTS, make_session(None, None), cluster=CLUSTER, region=REGION, progress=rec
    )
    assert set(entries) == set(AWS_FACTS)
    for key, entry in entries.items():
        assert entry == unavailable(NO_CREDENTIALS, AWS_FACTS[key].permission), key
    assert ("end", "eks:cluster", UNAVAILABLE) in rec.events


def test_cluster_name_unknown(aws_env: MotoServer) -> None:  # noqa: F811
    entries = collect_aws(
        ["eks:cluster", "eks:addons", "logs:log-groups", "logs:newest-events", "ecr:repositories"],
        make_session(None, None),
        cluster=None,
        region=REGION,
    )
    for key in ("eks:cluster", "eks:addons", "logs:log-groups", "logs:newest-events"):
        assert entries[key] == unavailable(CLUSTER_UNKNOWN, None), key
    assert entries["ecr:repositories"] == ok([])  # needs no cluster name


def test_cluster_not_found_names_cluster_and_region(aws_env: MotoServer) -> None:  # noqa: F811
    entries = collect_aws(["eks:cluster"], make_session(None, None), cluster="nope", region=REGION)
    e = entries["eks:cluster"]
    assert e.state == UNAVAILABLE
    assert "'nope' not found in eu-west-1" in e.reason and e.permission == "eks:DescribeCluster"


def test_unreachable_endpoint(aws_env: MotoServer, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    entries = collect_aws(
        ["eks:cluster", "secretsmanager:secrets"],
        make_session(None, None),
        cluster=CLUSTER,
        region=REGION,
    )
    for key, entry in entries.items():
        assert entry.state == UNAVAILABLE
        assert entry.reason.startswith(f"cannot reach AWS endpoint http://127.0.0.1:{port}"), key


def test_velero_buckets_need_the_backup_storage_locations(aws_env: MotoServer) -> None:  # noqa: F811
    session = make_session(None, None)

    def bucket_entry(kube: dict[str, Entry] | None) -> Entry:
        got = collect_aws(["s3:velero-buckets"], session, cluster=CLUSTER, region=REGION, kube=kube)
        return got["s3:velero-buckets"]

    missing = bucket_entry(None)
    assert missing.state == UNAVAILABLE and "were not collected" in missing.reason
    denied = bucket_entry(
        {
            "backupstoragelocations.velero.io": unavailable(
                "forbidden: list backupstoragelocations.velero.io",
                "list backupstoragelocations.velero.io",
            )
        }
    )
    assert denied.state == UNAVAILABLE and "forbidden" in denied.reason
    assert denied.permission == "list backupstoragelocations.velero.io"
    no_velero = bucket_entry({"backupstoragelocations.velero.io": not_installed("not served")})
    assert no_velero == ok({})


# -- EKS add-ons with botocore Stubber (moto has no add-on API) ---------------------------


class StubSession:
    """A session whose clients are prepared by the test (Stubber-wrapped real clients)."""

    region_name = REGION

    def __init__(self, clients: dict[str, Any]) -> None:
        self._clients = clients

    def get_credentials(self) -> object:
        return object()

    def client(self, service: str, **_: Any) -> Any:
        found = self._clients.get(service)
        if found is None:
            raise UnknownServiceError(service_name=service, known_service_names="eks")
        return found


def _real_client(service: str) -> Any:
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )
    return session.client(service, config=client_config())


def test_eks_addons_listed_and_described() -> None:
    eks = _real_client("eks")
    example = one(ADDON_EXAMPLE)["addon"]
    names = one(LIST_ADDONS_EXAMPLE)["addons"]  # kube-proxy, vpc-cni
    cluster = example["clusterName"]
    vpc_cni = copy.deepcopy(example)
    for field in ("createdAt", "modifiedAt"):
        vpc_cni[field] = dt.datetime.fromisoformat(vpc_cni[field])
    kube_proxy = copy.deepcopy(vpc_cni)
    kube_proxy.update(addonName="kube-proxy", status="DEGRADED", addonVersion="v1.29.0-eksbuild.1")
    kube_proxy["health"] = {"issues": [{"code": "InsufficientNumberOfReplicas", "message": "x"}]}
    with Stubber(eks) as stub:
        stub.add_response("list_addons", {"addons": names}, {"clusterName": cluster})
        for addon in (kube_proxy, vpc_cni):
            stub.add_response(
                "describe_addon",
                {"addon": addon},
                {"clusterName": cluster, "addonName": addon["addonName"]},
            )
        entries = collect_aws(
            ["eks:addons", "grafana:workspaces"],
            StubSession({"eks": eks}),
            cluster=cluster,
            region=REGION,
        )
        stub.assert_no_pending_responses()
    addons = entries["eks:addons"].value
    assert [(a["addonName"], a["status"]) for a in addons] == [
        ("kube-proxy", "DEGRADED"),
        ("vpc-cni", "ACTIVE"),
    ]
    assert addons[1]["createdAt"] == "2024-03-14T17:18:45.417000Z"
    assert addons[1]["configurationValues"] == example["configurationValues"]
    assert addons[0]["health"]["issues"][0]["code"] == "InsufficientNumberOfReplicas"
    # A service this botocore / endpoint does not know is recorded, not raised.
    assert entries["grafana:workspaces"].state == UNAVAILABLE
    assert "not supported" in entries["grafana:workspaces"].reason


def test_eks_addons_access_denied_via_stubber() -> None:
    eks = _real_client("eks")
    with Stubber(eks) as stub:
        stub.add_client_error(
            "list_addons",
            service_error_code="AccessDeniedException",
            service_message="User is not authorized to perform: eks:ListAddons",
            http_status_code=403,
        )
        entries = collect_aws(
            ["eks:addons"], StubSession({"eks": eks}), cluster=CLUSTER, region=REGION
        )
    assert entries["eks:addons"] == unavailable("AccessDenied: eks:ListAddons", "eks:ListAddons")


# -- session and config ---------------------------------------------------------------------


def test_unknown_profile_is_a_config_error(aws_env: MotoServer) -> None:  # noqa: F811
    with pytest.raises(ConfigError, match="'no-such-profile' not found"):
        make_session("no-such-profile", None)


def test_client_config_uses_adaptive_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_MAX_ATTEMPTS", raising=False)
    monkeypatch.delenv("AWS_RETRY_MODE", raising=False)
    config = client_config()
    assert config.retries == {"mode": "adaptive", "max_attempts": 8}
    assert config.connect_timeout <= 10 and config.read_timeout <= 60


def test_access_entries_reduced_to_the_documented_shape() -> None:
    eks = _real_client("eks")
    admin = f"arn:aws:iam::{ACCOUNT}:role/platform-admin"
    view_policy = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"
    username = f"arn:aws:sts::{ACCOUNT}:assumed-role/platform-admin/{{{{SessionName}}}}"
    created = dt.datetime(2024, 3, 14, 17, 18, tzinfo=dt.UTC)
    with Stubber(eks) as stub:
        stub.add_response(
            "list_access_entries", {"accessEntries": [admin]}, {"clusterName": CLUSTER}
        )
        stub.add_response(
            "describe_access_entry",
            {
                "accessEntry": {
                    "clusterName": CLUSTER,
                    "principalArn": admin,
                    "kubernetesGroups": ["system:masters"],
                    "accessEntryArn": f"arn:aws:eks:{REGION}:{ACCOUNT}:access-entry/{CLUSTER}/x",
                    "createdAt": created,
                    "modifiedAt": created,
                    "tags": {},
                    "username": username,
                    "type": "STANDARD",
                }
            },
            {"clusterName": CLUSTER, "principalArn": admin},
        )
        stub.add_response(
            "list_associated_access_policies",
            {
                "clusterName": CLUSTER,
                "principalArn": admin,
                "associatedAccessPolicies": [
                    {
                        "policyArn": view_policy,
                        "accessScope": {"type": "namespace", "namespaces": ["shop"]},
                        "associatedAt": created,
                        "modifiedAt": created,
                    }
                ],
            },
            {"clusterName": CLUSTER, "principalArn": admin},
        )
        entries = collect_aws(
            ["eks:access-entries"], StubSession({"eks": eks}), cluster=CLUSTER, region=REGION
        )
        stub.assert_no_pending_responses()
    [entry] = entries["eks:access-entries"].value
    assert entry == {
        "principalArn": admin,
        "type": "STANDARD",
        "username": username,
        "kubernetesGroups": ["system:masters"],
        "accessPolicies": [
            {"policyArn": view_policy, "accessScope": {"type": "namespace", "namespaces": ["shop"]}}
        ],
    }


def test_amp_workspaces_and_scrapers() -> None:
    amp = _real_client("amp")
    created = dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    workspace = {
        "workspaceId": "ws-0123abcd-4567-89ef-0123-456789abcdef",
        "alias": "prod-metrics",
        "arn": f"arn:aws:aps:{REGION}:{ACCOUNT}:workspace/ws-0123abcd-4567-89ef-0123-456789abcdef",
        "status": {"statusCode": "ACTIVE"},
        "createdAt": created,
    }
    scraper = {
        "scraperId": "s-0123abcd-4567-89ef-0123-456789abcdef",
        "arn": f"arn:aws:aps:{REGION}:{ACCOUNT}:scraper/s-0123abcd-4567-89ef-0123-456789abcdef",
        "roleArn": f"arn:aws:iam::{ACCOUNT}:role/aps-scraper",
        "status": {"statusCode": "ACTIVE"},
        "createdAt": created,
        "lastModifiedAt": created,
        "source": {
            "eksConfiguration": {
                "clusterArn": f"arn:aws:eks:{REGION}:{ACCOUNT}:cluster/{CLUSTER}",
                "subnetIds": ["subnet-0fb75d2d8401716e7"],
            }
        },
        "destination": {"ampConfiguration": {"workspaceArn": workspace["arn"]}},
    }
    with Stubber(amp) as stub:
        stub.add_response("list_workspaces", {"workspaces": [workspace]}, {})
        stub.add_response("list_scrapers", {"scrapers": [scraper]}, {})
        entries = collect_aws(
            ["amp:workspaces"], StubSession({"amp": amp}), cluster=None, region=REGION
        )
    value = entries["amp:workspaces"].value
    assert [w["alias"] for w in value["workspaces"]] == ["prod-metrics"]
    assert value["workspaces"][0]["createdAt"] == "2025-01-02T03:04:05Z"
    source = value["scrapers"][0]["source"]["eksConfiguration"]["clusterArn"]
    assert source.endswith(f":cluster/{CLUSTER}")
