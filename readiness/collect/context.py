"""Which EKS cluster a kubeconfig context points at, without asking AWS.

The AWS facts are about one cluster, so the collector needs its name and region. Both are
written in kubeconfigs made by ``aws eks update-kubeconfig`` (the cluster entry is the
cluster ARN and the exec plugin runs ``aws eks get-token --cluster-name NAME``) and by eksctl
(``aws-iam-authenticator token -i NAME``), and the API server URL names the region.

Only these exact forms are read. A free-form name such as ``prod-eks-cluster`` is never
turned into a cluster name: a wrong guess would make every AWS fact describe the wrong
cluster (or fail with a misleading "not found"), so the user is asked for ``--cluster``.
Pure: no I/O, no boto3.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlparse

# arn:PARTITION:eks:REGION:ACCOUNT:cluster/NAME (partitions aws, aws-cn, aws-us-gov, ...).
_ARN = re.compile(
    r"^arn:aws[a-z-]*:eks:(?P<region>[a-z0-9-]+):\d{12}:cluster/(?P<name>[A-Za-z0-9][A-Za-z0-9_-]*)$"
)
# EKS API server host: <id>.<cell>.<region>.eks.amazonaws.com (.cn in China).
_SERVER_HOST = re.compile(
    r"^[^.]+\.[a-z0-9]+\.(?P<region>[a-z]{2}(?:-[a-z]+)+-\d+)\.eks\.amazonaws\.com(?:\.cn)?$"
)
# Cluster names as EKS accepts them: 1-100 characters, alphanumerics, '-' and '_'.
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")
_REGION = re.compile(r"^[a-z]{2}(?:-[a-z]+)+-\d+$")


def cluster_from_context(
    cluster_entry: str | None,
    exec_args: Sequence[str] | None,
    server: str | None = None,
) -> tuple[str | None, str | None]:
    """(cluster name, region) from an EKS ARN, the exec-plugin args, or the server URL.

    ``cluster_entry`` is the kubeconfig cluster entry name or the context name (either may
    be the ARN). The ARN wins because it is the cluster's identity; then the exec args that
    mint the token. The region comes from the ARN, else the API server host, else the
    exec plugin's ``--region``. Anything else gives ``None`` rather than a guess.
    """
    arn_name, arn_region = parse_eks_arn(cluster_entry)
    exec_name, exec_region = parse_exec_args(exec_args or ())
    name = arn_name or exec_name
    region = arn_region or region_from_server(server) or exec_region
    return name, region


def parse_eks_arn(value: str | None) -> tuple[str | None, str | None]:
    """(name, region) of ``arn:aws:eks:REGION:ACCOUNT:cluster/NAME``; (None, None) otherwise."""
    if not value:
        return None, None
    m = _ARN.match(value.strip())
    if not m:
        return None, None
    return m.group("name"), m.group("region")


def region_from_server(server: str | None) -> str | None:
    """The region in an EKS API server URL (``https://X.gr7.eu-west-1.eks.amazonaws.com``)."""
    if not server:
        return None
    host = urlparse(server if "//" in server else f"https://{server}").hostname or ""
    m = _SERVER_HOST.match(host.lower())
    return m.group("region") if m else None


def parse_exec_args(args: Sequence[str]) -> tuple[str | None, str | None]:
    """(name, region) from ``aws eks get-token`` or ``aws-iam-authenticator token`` args.

    ``args`` are the exec plugin's arguments (the command itself may be included). The
    short ``-i`` flag is read only for aws-iam-authenticator (after its ``token`` verb),
    where it means ``--cluster-id``.
    """
    words = [str(a) for a in args]
    name: str | None = None
    arn_region: str | None = None
    flag_region: str | None = None
    authenticator = "token" in words and "get-token" not in words
    for i in range(len(words)):
        flag, value = _flag_value(words, i)
        if flag in ("--cluster-name", "--cluster-id") or (authenticator and flag == "-i"):
            name = _cluster_value(value) or name
            arn_region = parse_eks_arn(value)[1] or arn_region
        elif flag == "--region" and value and _REGION.match(value):
            flag_region = value
    return name, arn_region or flag_region


def _flag_value(words: Sequence[str], i: int) -> tuple[str | None, str | None]:
    """(flag, value) for ``--flag value`` and ``--flag=value`` at position i."""
    word = words[i]
    if not word.startswith("-"):
        return None, None
    if "=" in word:
        flag, _, value = word.partition("=")
        return flag, value
    nxt = words[i + 1] if i + 1 < len(words) else None
    if nxt is None or nxt.startswith("-"):
        return word, None
    return word, nxt


def _cluster_value(value: str | None) -> str | None:
    """A cluster name given to a flag: a plain EKS name, or the name inside an ARN."""
    if not value:
        return None
    arn_name = parse_eks_arn(value)[0]
    if arn_name:
        return arn_name
    return value if _NAME.match(value) else None
