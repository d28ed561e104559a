"""The live Kubernetes collector, with the official client over real HTTP against the fake
API server (tests/fakeapi.py), which answers like the recorded kube-apiserver samples."""

from __future__ import annotations

import copy
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from readiness.collect import ClusterUnreachable, ConfigError, kube
from readiness.collect.kube import collect_kube, load_target
from readiness.keys import KUBE_KINDS
from readiness.model import Status, check, passed
from readiness.runner import run_check
from readiness.snapshot import NOT_INSTALLED, OK, UNAVAILABLE, Snapshot
from tests.fakeapi import SAMPLES, TOKEN, FakeApiServer
from tests.snap import NOW, UPSTREAM, one, upstream

AM_SECRET = "kube-prometheus/manifests/alertmanager-secret.yaml"
AM_CR = "kube-prometheus/manifests/alertmanager-alertmanager.yaml"
CONF_GOOD = UPSTREAM / "alertmanager/config/testdata/conf.good.yml"
RECEIVERS = "kube:alertmanager-receivers"
SECRET_VALUES = ("mysecret", "http://mysecret.example.com/", "#my-channel", "Sample_route")


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep retry sleeps short; Retry-After from the server is still honoured."""
    monkeypatch.setattr(kube, "BACKOFF_FACTOR", 0.01)


@pytest.fixture
def srv() -> Iterator[FakeApiServer]:
    with FakeApiServer() as server:
        yield server


def api_for(server: FakeApiServer, tmp_path: Path) -> Any:
    _target, api = load_target(kubeconfig=str(server.kubeconfig(tmp_path)))
    return api


def cm(name: str, ns: str = "demo", **data: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": ns},
        "data": dict(data),
    }


def ns_obj(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


def velero_schedules() -> list[dict[str, Any]]:
    """The recorded `GET /apis/velero.io/v1/schedules` list (items carry kind/apiVersion)."""
    return json.loads((SAMPLES / "list-velero-schedules.json").read_text())["items"]


def pod(name: str, ns: str = "demo") -> dict[str, Any]:
    p = copy.deepcopy(one("secrets-store-csi-driver-provider-aws/tests/BasicTestMount.yaml"))
    p["metadata"].update(name=name, namespace=ns)
    p["spec"]["containers"][0]["env"] = [
        {"name": "DB_PASSWORD", "value": "hunter2-very-secret"},
        {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "tok", "key": "t"}}},
    ]
    p["metadata"]["managedFields"] = velero_schedules()[0]["metadata"]["managedFields"]
    return p


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[str, str, Any]] = []

    def begin(self, key: str) -> None:
        self.events.append(("begin", key, None))

    def page(self, key: str, items: int) -> None:
        self.events.append(("page", key, items))

    def end(self, key: str, state: str) -> None:
        self.events.append(("end", key, state))


# -- discovery, pagination, one list per kind --------------------------------------------


def test_absent_crd_is_not_installed_and_never_listed(srv: FakeApiServer, tmp_path: Path) -> None:
    out = collect_kube(["backups.velero.io", "pods"], api_for(srv, tmp_path))
    assert out["backups.velero.io"].state == NOT_INSTALLED
    assert out["backups.velero.io"].reason == "velero.io is not served (CRD not installed)"
    assert out["pods"].state == OK
    assert not any("velero.io" in path for _, path in srv.requests)


def test_kind_missing_from_a_served_crd_group(tmp_path: Path) -> None:
    with FakeApiServer(crds=["schedules.velero.io"]) as srv:
        out = collect_kube(["backups.velero.io", "schedules.velero.io"], api_for(srv, tmp_path))
        assert out["backups.velero.io"].state == NOT_INSTALLED
        assert "backups.velero.io is not served by velero.io" in out["backups.velero.io"].reason
        assert out["schedules.velero.io"].state == OK
        assert srv.list_requests("backups.velero.io") == []


def test_pagination_follows_continue_until_done(tmp_path: Path) -> None:
    with FakeApiServer([cm(f"cm{i}", k="v") for i in range(5)]) as srv:
        out = collect_kube(["configmaps"], api_for(srv, tmp_path), page_limit=2)
        names = [o["metadata"]["name"] for o in out["configmaps"].value]
        assert names == ["cm0", "cm1", "cm2", "cm3", "cm4"]
        pages = srv.list_requests("configmaps")
        assert len(pages) == 3
        assert all("limit=2" in p for p in pages)
        assert ["continue=" in p for p in pages] == [False, True, True]


def test_each_kind_is_listed_once_cluster_wide(tmp_path: Path) -> None:
    objs = [ns_obj("demo"), ns_obj("velero"), pod("a"), pod("b", "other"), cm("x", k="v")]
    objs += upstream("kube-prometheus/manifests/kubeStateMetrics-deployment.yaml")
    objs += velero_schedules()
    with FakeApiServer(objs, crds=["schedules.velero.io"]) as srv:
        keys = ["pods", "deployments", "configmaps", "namespaces", "schedules.velero.io"]
        out = collect_kube(keys, api_for(srv, tmp_path), page_limit=500)
        for key in keys:
            assert out[key].state == OK, key
            reqs = srv.list_requests(key)
            assert len(reqs) == 1, (key, reqs)
            assert "/namespaces/" not in reqs[0]
        assert srv.list_requests("schedules.velero.io") == [
            "/apis/velero.io/v1/schedules?limit=500"
        ]
        assert [o["metadata"]["name"] for o in out["pods"].value] == ["a", "b"]
        sched = out["schedules.velero.io"].value[0]
        assert sched["spec"]["schedule"] == "0 1 * * *"
        assert "managedFields" not in sched["metadata"]
        assert "annotations" not in json.dumps(sched) or "last-applied" not in json.dumps(sched)
        assert out["deployments"].value[0]["metadata"]["name"] == "kube-state-metrics"


def test_live_slimming_drops_env_values_and_managed_fields(tmp_path: Path) -> None:
    with FakeApiServer([pod("a")]) as srv:
        out = collect_kube(["pods"], api_for(srv, tmp_path))
        dumped = json.dumps(out["pods"].value)
        assert "hunter2-very-secret" not in dumped and "managedFields" not in dumped
        env = out["pods"].value[0]["spec"]["containers"][0]["env"]
        assert env == [{"name": "DB_PASSWORD"}, {"name": "TOKEN"}]


def test_progress_and_non_kube_keys(srv: FakeApiServer, tmp_path: Path) -> None:
    srv.add(cm("a", k="v"), cm("b", k="v"), cm("c", k="v"))
    rec = Recorder()
    out = collect_kube(
        ["configmaps", "eks:cluster", "kube:version"],
        api_for(srv, tmp_path),
        progress=rec,
        page_limit=2,
    )
    assert set(out) == {"configmaps", "kube:version"}
    assert out["kube:version"].value["gitVersion"] == "v1.36.2"
    assert ("begin", "configmaps", None) in rec.events
    assert ("end", "configmaps", "ok") in rec.events
    assert sum(n for e, k, n in rec.events if e == "page" and k == "configmaps") == 3


# -- failures ----------------------------------------------------------------------------


def test_403_on_one_kind_only_marks_that_key(tmp_path: Path) -> None:
    with FakeApiServer([pod("a")] + velero_schedules(), crds=["schedules.velero.io"]) as srv:
        srv.fail("schedules.velero.io", 403)
        out = collect_kube(["pods", "schedules.velero.io"], api_for(srv, tmp_path))
        entry = out["schedules.velero.io"]
        assert entry.state == UNAVAILABLE
        assert entry.reason.startswith("forbidden: list schedules.velero.io (")
        assert 'User "reader" cannot list resource "schedules"' in entry.reason
        assert entry.permission == "list schedules.velero.io"
        assert out["pods"].state == OK and len(out["pods"].value) == 1
        assert len(srv.list_requests("schedules.velero.io")) == 1  # 403 is not retried


def test_unavailable_kind_reaches_checks_as_unknown(tmp_path: Path) -> None:
    @check(id="test.velero", title="t", needs=["schedules.velero.io"], passes="p", remediation="r")
    def velero(snap: Snapshot) -> Any:
        """Needs schedules."""
        return passed(f"{len(snap.items('schedules.velero.io'))} schedules")

    with FakeApiServer(crds=["schedules.velero.io"]) as srv:
        srv.fail("schedules.velero.io", 403)
        out = collect_kube(["schedules.velero.io"], api_for(srv, tmp_path))
    result = run_check(velero, Snapshot(entries=out, collected_at=NOW))
    assert result.status == Status.UNKNOWN
    assert "forbidden: list schedules.velero.io" in result.summary


def test_401_on_a_kind(srv: FakeApiServer, tmp_path: Path) -> None:
    srv.fail("pods", 401)
    out = collect_kube(["pods", "configmaps"], api_for(srv, tmp_path))
    assert out["pods"].state == UNAVAILABLE
    assert (
        out["pods"].reason == "unauthorized: list pods (credentials rejected; refresh your token)"
    )
    assert out["configmaps"].state == OK


def test_rejected_token_marks_every_key(srv: FakeApiServer, tmp_path: Path) -> None:
    api = api_for(srv, tmp_path)
    srv.token = "rotated"
    out = collect_kube(["pods", "schedules.velero.io", "kube:version"], api)
    for key in ("pods", "schedules.velero.io", "kube:version"):
        assert out[key].state == UNAVAILABLE, key
        assert out[key].reason.startswith("unauthorized: "), out[key].reason
    assert len(srv.requests) == 2  # /api/v1 then /version; nothing else was tried


def test_429_with_retry_after_then_success(srv: FakeApiServer, tmp_path: Path) -> None:
    srv.add(pod("a"))
    srv.fail("pods", 429, times=1, retry_after=1)
    started = time.monotonic()
    out = collect_kube(["pods"], api_for(srv, tmp_path))
    assert out["pods"].state == OK and len(out["pods"].value) == 1
    assert len(srv.list_requests("pods")) == 2
    assert time.monotonic() - started >= 0.9  # waited as the server asked


def test_500_twice_then_success(srv: FakeApiServer, tmp_path: Path) -> None:
    srv.fail("deployments", 500, times=2)
    out = collect_kube(["deployments"], api_for(srv, tmp_path))
    assert out["deployments"].state == OK
    assert len(srv.list_requests("deployments")) == 3


def test_persistent_500_is_unavailable_after_bounded_retries(
    srv: FakeApiServer, tmp_path: Path
) -> None:
    srv.fail("deployments", 500)
    out = collect_kube(["deployments", "pods"], api_for(srv, tmp_path))
    entry = out["deployments"]
    assert entry.state == UNAVAILABLE
    assert entry.reason == "500 InternalError listing deployments after retries"
    assert entry.permission == "list deployments"
    assert len(srv.list_requests("deployments")) == 5  # 1 + 4 retries
    assert out["pods"].state == OK


def test_slow_kind_times_out_without_stalling_others(srv: FakeApiServer, tmp_path: Path) -> None:
    srv.delay("pods", 2.0)
    started = time.monotonic()
    out = collect_kube(["pods", "configmaps"], api_for(srv, tmp_path), timeout=0.3)
    assert time.monotonic() - started < 3.0
    assert out["pods"].state == UNAVAILABLE
    assert "timed out" in out["pods"].reason and "listing pods" in out["pods"].reason
    assert out["configmaps"].state == OK


def test_expired_continue_restarts_the_listing_once(srv: FakeApiServer, tmp_path: Path) -> None:
    srv.add(*[cm(f"cm{i}", k="v") for i in range(3)])
    srv.fail("configmaps", 410, times=1)
    out = collect_kube(["configmaps"], api_for(srv, tmp_path), page_limit=2)
    assert out["configmaps"].state == OK and len(out["configmaps"].value) == 3
    srv.fail("configmaps", 410)
    out = collect_kube(["configmaps"], api_for(srv, tmp_path), page_limit=2)
    assert out["configmaps"].state == UNAVAILABLE
    assert out["configmaps"].reason.startswith("410 Expired listing configmaps")


def test_404_on_a_discovered_kind_is_not_installed(tmp_path: Path) -> None:
    with FakeApiServer(crds=["schedules.velero.io"]) as srv:
        srv.fail("schedules.velero.io", 404)
        out = collect_kube(["schedules.velero.io"], api_for(srv, tmp_path))
        assert out["schedules.velero.io"].state == NOT_INSTALLED
        assert "404" in out["schedules.velero.io"].reason


def test_failed_group_discovery_is_unavailable_not_absent(tmp_path: Path) -> None:
    with FakeApiServer(crds=["schedules.velero.io"]) as srv:
        srv.fail("/apis", 503)
        out = collect_kube(["schedules.velero.io", "pods"], api_for(srv, tmp_path))
        assert out["schedules.velero.io"].state == UNAVAILABLE
        assert "GET /apis" in out["schedules.velero.io"].reason
        assert out["pods"].state == OK


def test_unreachable_server_raises(tmp_path: Path) -> None:
    srv = FakeApiServer().start()
    kubeconfig = srv.kubeconfig(tmp_path)
    url = srv.url
    srv.stop()  # the port is now closed
    _target, api = load_target(kubeconfig=str(kubeconfig))
    with pytest.raises(ClusterUnreachable) as err:
        collect_kube(["pods"], api)
    msg = str(err.value)
    assert msg.startswith(f"cannot reach the Kubernetes API at {url}: ")
    assert "connection refused" in msg and "check the context" in msg


def test_a_server_that_accepts_and_never_answers_is_unreachable_within_bounds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A black-holed API server (a load balancer with no healthy target) must not cost the
    full read timeout on each of the three attempts: the discovery probe has its own short
    timeout. Tested on a local socket that accepts and never answers."""
    import socket

    monkeypatch.setattr(kube, "PROBE_TIMEOUT", 0.3)
    with socket.socket() as hole:
        hole.bind(("127.0.0.1", 0))
        hole.listen(16)
        port = hole.getsockname()[1]
        with FakeApiServer() as srv:
            cfg, url = srv.kubeconfig(tmp_path), srv.url
        cfg.write_text(cfg.read_text().replace(url, f"http://127.0.0.1:{port}"))
        _target, api = load_target(kubeconfig=str(cfg))
        started = time.monotonic()
        with pytest.raises(ClusterUnreachable, match="timed out waiting for the response"):
            collect_kube(["pods"], api, timeout=30.0)
        assert time.monotonic() - started < 10  # 3 x 0.3 s, not 3 x 30 s


def test_requests_carry_a_separate_connect_timeout(
    srv: FakeApiServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unroutable address fails on connect within CONNECT_TIMEOUT, not the read timeout."""
    api = api_for(srv, tmp_path)
    seen: list[Any] = []
    real = api.call_api

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(kwargs.get("_request_timeout"))
        return real(*args, **kwargs)

    monkeypatch.setattr(api, "call_api", spy)
    collect_kube(["namespaces"], api, timeout=30.0)
    assert seen and all(t[0] == kube.CONNECT_TIMEOUT and t[0] < 30.0 for t in seen)
    assert seen[0] == (kube.CONNECT_TIMEOUT, kube.PROBE_TIMEOUT)  # discovery probe
    assert seen[-1] == (kube.CONNECT_TIMEOUT, 30.0)  # the list itself


# -- kubeconfig --------------------------------------------------------------------------


def test_load_target_reports_context_server_and_exec_args(
    srv: FakeApiServer, tmp_path: Path
) -> None:
    args = ["eks", "get-token", "--cluster-name", "prod", "--region", "eu-west-1"]
    path = srv.kubeconfig(tmp_path, context="prod-ctx", exec_args=args)
    target, api = load_target(context="prod-ctx", kubeconfig=str(path))
    assert target.context == "prod-ctx"
    assert target.server == srv.url
    assert target.exec_args == args
    assert target.cluster_entry == "arn:aws:eks:eu-west-1:111122223333:cluster/prod"
    out = collect_kube(["kube:version"], api)  # the exec plugin's token is accepted
    assert out["kube:version"].state == OK


def test_unknown_context_is_a_config_error(srv: FakeApiServer, tmp_path: Path) -> None:
    path = srv.kubeconfig(tmp_path)
    with pytest.raises(ConfigError, match=r"context 'nope' not found .*available: test"):
        load_target(context="nope", kubeconfig=str(path))


def test_broken_or_missing_kubeconfig_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "bad"
    bad.write_text("clusters: [\n  - {name: x\n")
    with pytest.raises(ConfigError, match="cannot be read"):
        load_target(kubeconfig=str(bad))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    with pytest.raises(ConfigError, match="no kubeconfig found"):
        load_target(kubeconfig=str(tmp_path / "missing"))
    empty = tmp_path / "empty"
    empty.write_text("")
    with pytest.raises(ConfigError, match="empty"):
        load_target(kubeconfig=str(empty))
    for name, content in (("binary", b"\xff\xfe\x00"), ("date", b"expiry: 2026-13-45\n")):
        broken = tmp_path / name
        broken.write_bytes(content)
        with pytest.raises(ConfigError, match=f"kubeconfig {broken} cannot be read"):
            load_target(kubeconfig=str(broken))


def test_failing_exec_plugin_is_a_config_error_naming_it(
    srv: FakeApiServer, tmp_path: Path
) -> None:
    """The kubernetes client only logs a failing plugin (on the root logger, which that also
    configures) and goes on without credentials."""
    import logging

    args = ["eks", "get-token", "--cluster-name", "prod"]
    path = srv.kubeconfig(tmp_path, exec_args=args)
    (tmp_path / "fake-get-token").write_text(
        "#!/bin/sh\necho 'SSO session expired' >&2\nexit 255\n"
    )
    handlers = list(logging.getLogger().handlers)
    with pytest.raises(ConfigError) as err:
        load_target(kubeconfig=str(path))
    msg = str(err.value)
    assert "credential plugin of context 'test' failed" in msg
    assert "process returned 255. SSO session expired" in msg
    assert "fake-get-token eks get-token --cluster-name prod" in msg
    assert logging.getLogger().handlers == handlers  # root logger left as it was
    assert srv.requests == []


# -- Alertmanager receivers --------------------------------------------------------------


def _all_text(out: dict[str, Any]) -> str:
    return json.dumps({k: e.to_dict() for k, e in out.items()})


def test_alertmanager_from_kube_prometheus_secret(tmp_path: Path) -> None:
    with FakeApiServer(upstream(AM_CR) + upstream(AM_SECRET)) as srv:
        out = collect_kube([RECEIVERS], api_for(srv, tmp_path))
        entry = out[RECEIVERS]
        assert entry.state == OK
        [item] = entry.value
        assert item["alertmanager"] == "monitoring/main"
        assert item["source"] == "Secret monitoring/alertmanager-main"
        assert item["route_receiver"] == "Default"
        assert item["error"] is None
        assert item["receivers"] == [
            {"name": n, "integrations": []} for n in ("Default", "Watchdog", "Critical", "null")
        ]
        gets = [p for _, p in srv.requests if "/secrets" in p]
        assert gets == ["/api/v1/namespaces/monitoring/secrets/alertmanager-main"]
        assert srv.list_requests("secrets") == []
        assert set(out) == {RECEIVERS}  # dependencies were fetched but not returned


def test_alertmanager_real_receivers_and_no_secret_value_leaks(tmp_path: Path) -> None:
    am_cr = copy.deepcopy(one(AM_CR))
    am_cr["spec"]["configSecret"] = "am-config"
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "Opaque",
        "metadata": {"name": "am-config", "namespace": "monitoring"},
        "stringData": {"alertmanager.yaml": CONF_GOOD.read_text()},
    }
    with FakeApiServer([am_cr, secret]) as srv:
        out = collect_kube([RECEIVERS, "configmaps"], api_for(srv, tmp_path))
    [item] = out[RECEIVERS].value
    assert item["source"] == "Secret monitoring/am-config"
    assert item["route_receiver"] == "team-X-mails"
    by_name = {r["name"]: r["integrations"] for r in item["receivers"]}
    assert by_name["team-X-pager"] == ["email", "pagerduty"]
    assert by_name["slack-receiver"] == ["slack"]
    assert by_name["opsGenie-receiver"] == ["opsgenie"]
    assert by_name["victorOps-receiver"] == ["victorops"]
    text = _all_text(out)
    for value in SECRET_VALUES:
        assert value not in text


def test_alertmanager_config_in_a_configmap(tmp_path: Path) -> None:
    conf = cm(
        "prometheus-alertmanager", "monitoring", **{"alertmanager.yml": CONF_GOOD.read_text()}
    )
    with FakeApiServer([conf]) as srv:
        out = collect_kube([RECEIVERS, "configmaps"], api_for(srv, tmp_path))
    [item] = out[RECEIVERS].value
    assert item["source"] == "ConfigMap monitoring/prometheus-alertmanager"
    assert "slack" in {i for r in item["receivers"] for i in r["integrations"]}
    assert out["configmaps"].value[0]["data"]["alertmanager.yml"] == ""
    text = _all_text(out)
    for value in SECRET_VALUES:
        assert value not in text


def test_forbidden_config_secret_makes_the_fact_unavailable(tmp_path: Path) -> None:
    with FakeApiServer(upstream(AM_CR) + upstream(AM_SECRET)) as srv:
        srv.fail("/api/v1/namespaces/monitoring/secrets/alertmanager-main", 403)
        out = collect_kube([RECEIVERS], api_for(srv, tmp_path))
    entry = out[RECEIVERS]
    assert entry.state == UNAVAILABLE
    assert entry.reason.startswith("forbidden: get secrets monitoring/alertmanager-main")
    assert entry.permission == "get secrets monitoring/alertmanager-main"


def test_missing_config_secret_is_an_item_error(tmp_path: Path) -> None:
    with FakeApiServer(upstream(AM_CR)) as srv:
        out = collect_kube([RECEIVERS], api_for(srv, tmp_path))
    [item] = out[RECEIVERS].value
    assert item["error"] == "config secret not found"
    assert item["receivers"] == []


def test_unlistable_alertmanagers_make_the_fact_unavailable(tmp_path: Path) -> None:
    with FakeApiServer(upstream(AM_CR)) as srv:
        srv.fail("alertmanagers", 403)
        out = collect_kube([RECEIVERS], api_for(srv, tmp_path))
    assert out[RECEIVERS].state == UNAVAILABLE
    assert "forbidden: list alertmanagers.monitoring.coreos.com" in out[RECEIVERS].reason


# -- Gatekeeper constraints --------------------------------------------------------------


def test_gatekeeper_constraints_of_every_kind_are_merged(tmp_path: Path) -> None:
    objs = upstream(
        "gatekeeper-library/library/general/requiredlabels/samples/"
        "all-must-have-owner/constraint.yaml"
    )
    objs += upstream(
        "gatekeeper-library/library/general/containerlimits/samples/"
        "container-must-have-limits/constraint.yaml"
    )
    with FakeApiServer(objs) as srv:
        out = collect_kube(["constraints.gatekeeper.sh"], api_for(srv, tmp_path))
        kinds = sorted(o["kind"] for o in out["constraints.gatekeeper.sh"].value)
        assert kinds == ["K8sContainerLimits", "K8sRequiredLabels"]
        assert len(srv.list_requests("k8srequiredlabels")) == 1
        assert len(srv.list_requests("k8scontainerlimits")) == 1


def test_gatekeeper_absent_is_not_installed(srv: FakeApiServer, tmp_path: Path) -> None:
    out = collect_kube(["constraints.gatekeeper.sh"], api_for(srv, tmp_path))
    assert out["constraints.gatekeeper.sh"].state == NOT_INSTALLED


# -- the fake server itself behaves like the recorded API server -------------------------


def _raw_get(server: FakeApiServer, path: str, token: str = TOKEN) -> tuple[int, str, bytes]:
    req = urllib.request.Request(server.url + path, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, resp.headers["Content-Type"], resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers["Content-Type"], exc.read()


def test_fake_matches_recorded_error_shapes(srv: FakeApiServer) -> None:
    status, ctype, body = _raw_get(srv, "/apis/velero.io/v1/schedules")
    assert (status, ctype, body) == (
        404,
        "text/plain; charset=utf-8",
        (SAMPLES / "list-unknown-group-404.json").read_bytes(),
    )
    status, _, body = _raw_get(srv, "/api/v1/configmaps?limit=1&continue=garbage")
    assert status == 400 and json.loads(body)["reason"] == "BadRequest"
    status, _, body = _raw_get(srv, "/api/v1/pods", token="wrong")
    assert status == 401 and json.loads(body)["reason"] == "Unauthorized"


def test_fake_label_selectors_namespaces_and_get(srv: FakeApiServer) -> None:
    srv.add(
        {**cm("a", "x"), "metadata": {"name": "a", "namespace": "x", "labels": {"app": "web"}}},
        {**cm("b", "y"), "metadata": {"name": "b", "namespace": "y", "labels": {"app": "db"}}},
        {**cm("c", "y"), "metadata": {"name": "c", "namespace": "y"}},
    )

    def names(path: str) -> list[str]:
        status, _, body = _raw_get(srv, path)
        assert status == 200, body
        return [i["metadata"]["name"] for i in json.loads(body)["items"]]

    assert names("/api/v1/configmaps?labelSelector=app%3Dweb") == ["a"]
    assert names("/api/v1/configmaps?labelSelector=app%20in%20(web,db)") == ["a", "b"]
    assert names("/api/v1/configmaps?labelSelector=app!%3Dweb") == ["b", "c"]
    assert names("/api/v1/configmaps?labelSelector=!app") == ["c"]
    assert names("/api/v1/namespaces/y/configmaps") == ["b", "c"]
    status, _, body = _raw_get(srv, "/api/v1/configmaps?limit=1")
    meta = json.loads(body)["metadata"]
    assert meta["remainingItemCount"] == 2 and meta["continue"]
    assert "kind" not in json.loads(body)["items"][0]  # built-in list items carry no kind
    status, _, body = _raw_get(srv, "/api/v1/namespaces/x/configmaps/a")
    assert status == 200 and json.loads(body)["kind"] == "ConfigMap"
    status, _, body = _raw_get(srv, "/api/v1/namespaces/x/secrets/nope")
    assert status == 404 and json.loads(body)["reason"] == "NotFound"


def test_every_kube_kind_has_a_resource_the_fake_can_serve() -> None:
    srv = FakeApiServer(crds=[k for k, v in KUBE_KINDS.items() if "." in k])
    for key, kind in KUBE_KINDS.items():
        served = srv._served.get(kind.group, {})
        assert any(kind.resource in res for res in served.values()), key


def test_in_a_pod_without_kubeconfig_the_service_account_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a pod (KUBERNETES_SERVICE_HOST set, no kubeconfig) the in-cluster loader is used;
    when the service account token is not mounted that is a one-line config error."""
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "none"))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "127.0.0.1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", "6443")
    if Path("/var/run/secrets/kubernetes.io/serviceaccount/token").exists():
        pytest.skip("running inside a pod: the real service account would be used")
    with pytest.raises(ConfigError, match="in-cluster configuration failed"):
        load_target()
