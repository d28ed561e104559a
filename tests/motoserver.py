"""pytest fixtures: a real HTTP AWS emulator (moto in server mode) and an AWS environment
pointing boto3 at it.

Tests talk to moto over HTTP through boto3's standard ``AWS_ENDPOINT_URL`` handling, the
same path the CLI takes, rather than patching botocore in-process. Import the fixtures into
a test module: ``from tests.motoserver import aws_env, moto_server  # noqa: F401``.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from moto.server import ThreadedMotoServer

REGION = "eu-west-1"


@dataclass(frozen=True)
class MotoServer:
    url: str

    def post(self, path: str, body: bytes = b"") -> dict[str, object]:
        req = urllib.request.Request(
            f"{self.url}{path}",
            data=body,
            method="POST",
            headers={"Content-Type": "text/plain"},  # not a form: moto reads the raw body
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            data: dict[str, object] = json.loads(resp.read() or b"{}")
            return data

    def reset(self) -> None:
        """Forget every resource (each test starts from an empty account)."""
        self.post("/moto-api/reset")

    def allow_unauthenticated(self, count: float) -> None:
        """Let the next ``count`` requests through unchecked, then enforce IAM policies
        (``inf`` switches enforcement off again)."""
        self.post("/moto-api/reset-auth", str(count).encode())


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    """One moto server for the whole run, on a free 127.0.0.1 port."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield MotoServer(f"http://{host}:{port}")
    finally:
        server.stop()


def configure_env(mp: pytest.MonkeyPatch, server: MotoServer, tmp: Path) -> None:
    """Environment for boto3 → moto: fake credentials, a region, no user AWS config or
    instance metadata, few retries (so emulator 500s do not back off for long)."""
    for var in (
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_REGION",
        "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_RETRY_MODE",
    ):
        mp.delenv(var, raising=False)
    mp.setenv("AWS_CONFIG_FILE", str(tmp / "aws-config-absent"))
    mp.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp / "aws-credentials-absent"))
    mp.setenv("AWS_EC2_METADATA_DISABLED", "true")
    mp.setenv("AWS_ENDPOINT_URL", server.url)
    mp.setenv("AWS_ACCESS_KEY_ID", "testing")
    mp.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    mp.setenv("AWS_DEFAULT_REGION", REGION)
    mp.setenv("AWS_MAX_ATTEMPTS", "2")


@pytest.fixture
def aws_env(
    moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[MotoServer]:
    """boto3 pointed at moto for one test, from an empty account."""
    configure_env(monkeypatch, moto_server, tmp_path)
    moto_server.reset()
    yield moto_server
    moto_server.allow_unauthenticated(float("inf"))


@pytest.fixture(scope="module")
def aws_env_module(
    moto_server: MotoServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[MotoServer]:
    """boto3 pointed at moto for a whole module (for fixtures that populate once)."""
    with pytest.MonkeyPatch.context() as mp:
        configure_env(mp, moto_server, tmp_path_factory.mktemp("aws"))
        moto_server.reset()
        yield moto_server
