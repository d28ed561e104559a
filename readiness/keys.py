"""Every snapshot key a check may name in ``needs``, with what it takes to fetch it.

Kept free of I/O imports so discovery can validate ``needs`` and ``readiness permissions``
can print least-privilege RBAC/IAM without touching a cluster.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KubeKind:
    """A Kubernetes resource listed once per run. ``key`` is kubectl's resource name."""

    key: str
    group: str
    versions: tuple[str, ...]
    namespaced: bool = True

    @property
    def resource(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def permission(self) -> str:
        return f"list {self.key}"


@dataclass(frozen=True)
class KubeFact:
    """A value the Kubernetes collector derives (e.g. reduced Alertmanager config)."""

    key: str
    depends_on: tuple[str, ...]
    permission: str
    description: str


@dataclass(frozen=True)
class AwsFact:
    """A fact read with boto3. ``actions`` are the IAM actions it needs (all read-only)."""

    key: str
    actions: tuple[str, ...]
    description: str
    depends_on: tuple[str, ...] = ()

    @property
    def permission(self) -> str:
        return ", ".join(self.actions)


def _k(key: str, group: str, *versions: str, namespaced: bool = True) -> KubeKind:
    return KubeKind(key, group, versions, namespaced)


KUBE_KINDS: dict[str, KubeKind] = {
    k.key: k
    for k in [
        # core
        _k("namespaces", "", "v1", namespaced=False),
        _k("nodes", "", "v1", namespaced=False),
        _k("pods", "", "v1"),
        _k("services", "", "v1"),
        _k("serviceaccounts", "", "v1"),
        _k("configmaps", "", "v1"),
        _k("persistentvolumeclaims", "", "v1"),
        _k("resourcequotas", "", "v1"),
        _k("limitranges", "", "v1"),
        # workloads
        _k("deployments", "apps", "v1"),
        _k("daemonsets", "apps", "v1"),
        _k("statefulsets", "apps", "v1"),
        _k("cronjobs", "batch", "v1"),
        # networking, rbac, storage, admission
        _k("networkpolicies", "networking.k8s.io", "v1"),
        _k("clusterroles", "rbac.authorization.k8s.io", "v1", namespaced=False),
        _k("clusterrolebindings", "rbac.authorization.k8s.io", "v1", namespaced=False),
        _k("roles", "rbac.authorization.k8s.io", "v1"),
        _k("rolebindings", "rbac.authorization.k8s.io", "v1"),
        _k("csidrivers", "storage.k8s.io", "v1", namespaced=False),
        _k(
            "validatingwebhookconfigurations",
            "admissionregistration.k8s.io",
            "v1",
            namespaced=False,
        ),
        # Prometheus Operator
        _k("prometheuses.monitoring.coreos.com", "monitoring.coreos.com", "v1"),
        _k("alertmanagers.monitoring.coreos.com", "monitoring.coreos.com", "v1"),
        _k("prometheusrules.monitoring.coreos.com", "monitoring.coreos.com", "v1"),
        _k("servicemonitors.monitoring.coreos.com", "monitoring.coreos.com", "v1"),
        _k("podmonitors.monitoring.coreos.com", "monitoring.coreos.com", "v1"),
        _k(
            "alertmanagerconfigs.monitoring.coreos.com",
            "monitoring.coreos.com",
            "v1alpha1",
            "v1beta1",
        ),
        # Grafana Operator
        _k(
            "grafanadashboards.grafana.integreatly.org",
            "grafana.integreatly.org",
            "v1beta1",
        ),
        # Secrets Store CSI
        _k(
            "secretproviderclasses.secrets-store.csi.x-k8s.io",
            "secrets-store.csi.x-k8s.io",
            "v1",
            "v1alpha1",
        ),
        _k(
            "secretproviderclasspodstatuses.secrets-store.csi.x-k8s.io",
            "secrets-store.csi.x-k8s.io",
            "v1",
            "v1alpha1",
        ),
        # Velero
        _k("backups.velero.io", "velero.io", "v1"),
        _k("restores.velero.io", "velero.io", "v1"),
        _k("schedules.velero.io", "velero.io", "v1"),
        _k("backupstoragelocations.velero.io", "velero.io", "v1"),
        _k("volumesnapshotlocations.velero.io", "velero.io", "v1"),
        # Argo CD
        _k("applications.argoproj.io", "argoproj.io", "v1alpha1"),
        _k("applicationsets.argoproj.io", "argoproj.io", "v1alpha1"),
        # Flux
        _k(
            "kustomizations.kustomize.toolkit.fluxcd.io",
            "kustomize.toolkit.fluxcd.io",
            "v1",
            "v1beta2",
        ),
        _k(
            "helmreleases.helm.toolkit.fluxcd.io",
            "helm.toolkit.fluxcd.io",
            "v2",
            "v2beta2",
            "v2beta1",
        ),
        _k(
            "gitrepositories.source.toolkit.fluxcd.io",
            "source.toolkit.fluxcd.io",
            "v1",
            "v1beta2",
        ),
        # cert-manager
        _k("certificates.cert-manager.io", "cert-manager.io", "v1"),
        # policy engines
        _k(
            "constrainttemplates.templates.gatekeeper.sh",
            "templates.gatekeeper.sh",
            "v1",
            "v1beta1",
        ),
        _k("clusterpolicies.kyverno.io", "kyverno.io", "v1"),
        _k("policyreports.wgpolicyk8s.io", "wgpolicyk8s.io", "v1alpha2"),
        # service mesh
        _k("peerauthentications.security.istio.io", "security.istio.io", "v1", "v1beta1"),
    ]
}

# Gatekeeper creates one kind per ConstraintTemplate in this group; the collector lists every
# kind discovery reports there and merges them under this key (items keep their ``kind``).
GATEKEEPER_CONSTRAINTS = "constraints.gatekeeper.sh"

KUBE_FACTS: dict[str, KubeFact] = {
    f.key: f
    for f in [
        KubeFact(
            "kube:version",
            (),
            "get /version",
            "API server version document (GET /version)",
        ),
        KubeFact(
            "kube:alertmanager-receivers",
            ("alertmanagers.monitoring.coreos.com", "configmaps"),
            "get secrets (only each Alertmanager's config Secret, by name)",
            "Alertmanager routing reduced to receiver names and integration types; "
            "no value of the Secret is kept",
        ),
        KubeFact(
            GATEKEEPER_CONSTRAINTS,
            (),
            "list constraints.gatekeeper.sh (all kinds in the group)",
            "every Gatekeeper constraint, of every constraint kind",
        ),
    ]
}

AWS_FACTS: dict[str, AwsFact] = {
    f.key: f
    for f in [
        AwsFact("eks:cluster", ("eks:DescribeCluster",), "DescribeCluster of the cluster"),
        AwsFact(
            "eks:addons",
            ("eks:ListAddons", "eks:DescribeAddon"),
            "every EKS add-on of the cluster with its status",
        ),
        AwsFact(
            "eks:access-entries",
            (
                "eks:ListAccessEntries",
                "eks:DescribeAccessEntry",
                "eks:ListAssociatedAccessPolicies",
            ),
            "EKS access entries and their associated access policies",
        ),
        AwsFact(
            "eks:pod-identity-associations",
            ("eks:ListPodIdentityAssociations",),
            "EKS Pod Identity associations of the cluster",
        ),
        AwsFact(
            "logs:log-groups",
            ("logs:DescribeLogGroups",),
            "CloudWatch log groups of the cluster (/aws/eks/<cluster>/…, "
            "/aws/containerinsights/<cluster>/…) with their retention",
        ),
        AwsFact(
            "logs:newest-events",
            ("logs:DescribeLogStreams",),
            "time of the newest event in the cluster's application and audit log groups",
            depends_on=("logs:log-groups",),
        ),
        AwsFact(
            "ecr:repositories",
            ("ecr:DescribeRepositories",),
            "ECR repositories with their scan-on-push setting",
        ),
        AwsFact(
            "ecr:registry-scanning",
            ("ecr:GetRegistryScanningConfiguration",),
            "the registry's scanning configuration (basic / enhanced, rules)",
        ),
        AwsFact(
            "s3:velero-buckets",
            ("s3:GetBucketVersioning", "s3:GetBucketEncryption"),
            "versioning and encryption of the S3 buckets named by Velero BackupStorageLocations",
            depends_on=("backupstoragelocations.velero.io",),
        ),
        AwsFact(
            "secretsmanager:secrets",
            ("secretsmanager:ListSecrets",),
            "names and ARNs of Secrets Manager secrets (metadata only, never values)",
        ),
        AwsFact(
            "amp:workspaces",
            ("aps:ListWorkspaces", "aps:ListScrapers"),
            "Amazon Managed Service for Prometheus workspaces and collectors",
        ),
        AwsFact(
            "grafana:workspaces",
            ("grafana:ListWorkspaces",),
            "Amazon Managed Grafana workspaces",
        ),
        AwsFact(
            "eks:regional-clusters",
            ("eks:ListClusters", "eks:DescribeCluster"),
            "EKS clusters (name, status, version) in each region the rubric names for multi-region",
        ),
        AwsFact(
            "iam:oidc-providers",
            ("iam:ListOpenIDConnectProviders",),
            "IAM OIDC identity providers (IRSA needs the cluster's issuer registered)",
        ),
    ]
}


# Inputs a person supplies rather than the tool observes (see ``--attestations``).
LOCAL_INPUTS: dict[str, str] = {
    "local:attestations": "the attestations file: manual roadmap items with owner, date and link",
}


def known_keys() -> set[str]:
    return set(KUBE_KINDS) | set(KUBE_FACTS) | set(AWS_FACTS) | set(LOCAL_INPUTS)


def is_aws_key(key: str) -> bool:
    return key in AWS_FACTS


def permission_for(key: str) -> str:
    if key in KUBE_KINDS:
        return KUBE_KINDS[key].permission
    if key in KUBE_FACTS:
        return KUBE_FACTS[key].permission
    if key in AWS_FACTS:
        return AWS_FACTS[key].permission
    if key in LOCAL_INPUTS:
        return "read the attestations file"
    raise KeyError(key)
