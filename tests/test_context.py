"""Cluster name and region from a kubeconfig context: exact forms only, never a guess."""

from __future__ import annotations

import pytest

from readiness.collect.context import cluster_from_context

ARN = "arn:aws:eks:eu-west-1:111122223333:cluster/prod"
SERVER = "https://JSA79429HJDASKJDJ8223829MNDNASW.gr7.us-east-2.eks.amazonaws.com"

# `aws eks update-kubeconfig` writes: args: [--region, R, eks, get-token, --cluster-name, N,
# --output, json]; eksctl with aws-iam-authenticator writes: args: [token, -i, N].
AWS_CLI = ["--region", "eu-central-1", "eks", "get-token", "--cluster-name", "payments"]


@pytest.mark.parametrize(
    ("entry", "args", "server", "expected"),
    [
        # the cluster entry / context name is the ARN
        (ARN, None, None, ("prod", "eu-west-1")),
        (ARN, AWS_CLI, SERVER, ("prod", "eu-west-1")),  # the ARN is the cluster's identity
        ("arn:aws-cn:eks:cn-north-1:111122223333:cluster/cn_1", None, None, ("cn_1", "cn-north-1")),
        # aws eks get-token
        ("prod-eks-cluster", AWS_CLI, None, ("payments", "eu-central-1")),
        (
            None,
            ["eks", "get-token", "--cluster-name=payments", "--region=ap-south-1"],
            None,
            ("payments", "ap-south-1"),
        ),
        (None, ["eks", "get-token", "--cluster-id", "payments"], None, ("payments", None)),
        (None, ["eks", "get-token", "--cluster-name", ARN], None, ("prod", "eu-west-1")),
        (
            None,
            ["aws", "--profile", "x", *AWS_CLI, "--output", "json"],
            None,
            ("payments", "eu-central-1"),
        ),
        # aws-iam-authenticator
        (None, ["token", "-i", "staging"], None, ("staging", None)),
        (
            None,
            ["token", "--cluster-id", "staging", "-r", "arn:aws:iam::1:role/x"],
            SERVER,
            ("staging", "us-east-2"),
        ),
        # the server URL names the region (it wins over the token's --region)
        (None, AWS_CLI, SERVER, ("payments", "us-east-2")),
        (None, None, SERVER, (None, "us-east-2")),
        (
            None,
            None,
            "https://abc.yl4.cn-northwest-1.eks.amazonaws.com.cn:443/",
            (None, "cn-northwest-1"),
        ),
    ],
)
def test_parses_exact_forms(
    entry: str | None, args: list[str] | None, server: str | None, expected: tuple
) -> None:
    assert cluster_from_context(entry, args, server) == expected


@pytest.mark.parametrize(
    ("entry", "args", "server"),
    [
        ("prod-eks-cluster", None, None),  # a free-form name is never guessed into a cluster
        ("prod-eks-cluster", ["oidc-login", "get-token", "--oidc-issuer-url=https://x"], None),
        ("eks_prod@eu-west-1", None, "https://10.0.0.1:6443"),
        ("arn:aws:eks:eu-west-1:111122223333:nodegroup/prod/ng/1", None, None),
        (None, ["-i", "prod"], None),  # -i only means cluster id for aws-iam-authenticator
        (None, ["eks", "get-token", "--cluster-name"], None),  # flag without value
        (None, ["eks", "get-token", "--cluster-name", "bad name!"], None),
        (None, [], "https://kubernetes.docker.internal:6443"),
        (None, None, "https://eks.amazonaws.com.evil.example/"),
    ],
)
def test_no_guess(entry: str | None, args: list[str] | None, server: str | None) -> None:
    assert cluster_from_context(entry, args, server) == (None, None)


def test_region_kept_when_name_unknown() -> None:
    """The region is still useful (account-wide facts) when the name is not known."""
    name, region = cluster_from_context("prod-eks-cluster", None, SERVER)
    assert name is None
    assert region == "us-east-2"
