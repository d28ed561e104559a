"""Benchmark the live Kubernetes collector against a synthetic cluster.

Serves a synthetic cluster from the fake API server (tests/fakeapi.py) in its own process,
then measures, each in a fresh child process (so peak RSS is the client's alone):

  (a) ``collect_kube`` of the keys a full ``readiness score`` needs, and
  (b) the floor: paginated GET + ``json.loads`` of the same lists with the stdlib, pages
      dropped as soon as they are parsed.

Prints wall time, peak RSS (``ru_maxrss`` of the child) and request count. Usage::

    .venv/bin/python bench/bench_collect.py                # 1,000 ns, 20,000 pods
    .venv/bin/python bench/bench_collect.py --pods 2000 --namespaces 100
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import resource
import sys
import tempfile
import time
import uuid
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FALLBACK_KEYS = ["pods", "deployments", "configmaps", "namespaces"]


# -- synthetic cluster -------------------------------------------------------------------


def _managed_fields(containers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """managedFields as kube-controller-manager and kubelet write them for a Pod."""

    def fcontainer(c: dict[str, Any]) -> dict[str, Any]:
        return {
            ".": {},
            "f:env": {
                f'k:{{"name":"{e["name"]}"}}': {".": {}, "f:name": {}, "f:value": {}}
                for e in c["env"]
            },
            "f:image": {},
            "f:imagePullPolicy": {},
            "f:livenessProbe": {
                ".": {},
                "f:failureThreshold": {},
                "f:httpGet": {".": {}, "f:path": {}, "f:port": {}, "f:scheme": {}},
                "f:periodSeconds": {},
            },
            "f:name": {},
            "f:ports": {
                'k:{"containerPort":8080,"protocol":"TCP"}': {
                    ".": {},
                    "f:containerPort": {},
                    "f:name": {},
                    "f:protocol": {},
                }
            },
            "f:resources": {
                ".": {},
                "f:limits": {".": {}, "f:cpu": {}, "f:memory": {}},
                "f:requests": {".": {}, "f:cpu": {}, "f:memory": {}},
            },
            "f:securityContext": {
                ".": {},
                "f:allowPrivilegeEscalation": {},
                "f:readOnlyRootFilesystem": {},
                "f:runAsNonRoot": {},
            },
            "f:terminationMessagePath": {},
            "f:terminationMessagePolicy": {},
            "f:volumeMounts": {
                f'k:{{"mountPath":"{m["mountPath"]}"}}': {
                    ".": {},
                    "f:mountPath": {},
                    "f:name": {},
                    "f:readOnly": {},
                }
                for m in c["volumeMounts"]
            },
        }

    spec_fields = {
        "f:metadata": {
            "f:generateName": {},
            "f:labels": {".": {}, "f:app.kubernetes.io/name": {}, "f:pod-template-hash": {}},
            "f:ownerReferences": {".": {}, 'k:{"uid":"0"}': {}},
        },
        "f:spec": {
            "f:containers": {f'k:{{"name":"{c["name"]}"}}': fcontainer(c) for c in containers},
            "f:dnsPolicy": {},
            "f:enableServiceLinks": {},
            "f:restartPolicy": {},
            "f:schedulerName": {},
            "f:securityContext": {".": {}, "f:fsGroup": {}},
            "f:serviceAccountName": {},
            "f:terminationGracePeriodSeconds": {},
            "f:volumes": {
                ".": {},
                'k:{"name":"config"}': {
                    ".": {},
                    "f:configMap": {".": {}, "f:defaultMode": {}, "f:name": {}},
                    "f:name": {},
                },
            },
        },
    }
    status_fields: dict[str, Any] = {
        "f:status": {
            "f:conditions": {
                f'k:{{"type":"{t}"}}': {
                    ".": {},
                    "f:lastProbeTime": {},
                    "f:lastTransitionTime": {},
                    "f:status": {},
                    "f:type": {},
                }
                for t in (
                    "ContainersReady",
                    "Initialized",
                    "PodReadyToStartContainers",
                    "PodScheduled",
                    "Ready",
                )
            },
            "f:containerStatuses": {},
            "f:hostIP": {},
            "f:hostIPs": {},
            "f:phase": {},
            "f:podIP": {},
            "f:podIPs": {".": {}, 'k:{"ip":"10.0.0.1"}': {".": {}, "f:ip": {}}},
            "f:startTime": {},
        }
    }
    return [
        {
            "apiVersion": "v1",
            "fieldsType": "FieldsV1",
            "fieldsV1": spec_fields,
            "manager": "kube-controller-manager",
            "operation": "Update",
            "time": "2026-11-20T10:00:00Z",
        },
        {
            "apiVersion": "v1",
            "fieldsType": "FieldsV1",
            "fieldsV1": status_fields,
            "manager": "kubelet",
            "operation": "Update",
            "subresource": "status",
            "time": "2026-11-20T10:00:05Z",
        },
    ]


def _container(name: str, image: str, n_env: int) -> dict[str, Any]:
    return {
        "name": name,
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "env": [
            {"name": f"SETTING_{i:02d}", "value": f"value-{i:02d}-" + "x" * 24}
            for i in range(n_env)
        ],
        "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"}],
        "livenessProbe": {
            "httpGet": {"path": "/healthz", "port": 8080, "scheme": "HTTP"},
            "periodSeconds": 10,
            "failureThreshold": 3,
        },
        "resources": {
            "limits": {"cpu": "500m", "memory": "256Mi"},
            "requests": {"cpu": "100m", "memory": "128Mi"},
        },
        "securityContext": {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
        },
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "volumeMounts": [
            {"mountPath": "/etc/app", "name": "config", "readOnly": True},
            {
                "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                "name": "kube-api-access",
                "readOnly": True,
            },
        ],
    }


def synthetic_cluster(namespaces: int, pods: int, deployments: int) -> list[dict[str, Any]]:
    """Objects shaped like a real cluster's. Sub-structures are shared between objects to keep
    the server's memory small; serialised, every Pod is ~10 KB with ~45% managedFields."""
    containers = [
        _container("app", "111122223333.dkr.ecr.eu-west-1.amazonaws.com/app:1.4.2", 12),
        _container("sidecar", "public.ecr.aws/aws-observability/agent:1.3", 2),
    ]
    managed = _managed_fields(containers)
    pod_spec = {
        "containers": containers,
        "dnsPolicy": "ClusterFirst",
        "enableServiceLinks": True,
        "nodeName": "ip-10-0-1-23",
        "preemptionPolicy": "PreemptLowerPriority",
        "priority": 0,
        "restartPolicy": "Always",
        "schedulerName": "default-scheduler",
        "securityContext": {"fsGroup": 2000},
        "serviceAccount": "app",
        "serviceAccountName": "app",
        "terminationGracePeriodSeconds": 30,
        "tolerations": [
            {
                "effect": "NoExecute",
                "key": f"node.kubernetes.io/{k}",
                "operator": "Exists",
                "tolerationSeconds": 300,
            }
            for k in ("not-ready", "unreachable")
        ],
        "volumes": [
            {"configMap": {"defaultMode": 420, "name": "app-config"}, "name": "config"},
            {
                "name": "kube-api-access",
                "projected": {
                    "defaultMode": 420,
                    "sources": [
                        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                        {
                            "configMap": {
                                "items": [{"key": "ca.crt", "path": "ca.crt"}],
                                "name": "kube-root-ca.crt",
                            }
                        },
                    ],
                },
            },
        ],
    }
    pod_status = {
        "phase": "Running",
        "hostIP": "10.0.1.23",
        "podIP": "10.0.1.77",
        "qosClass": "Burstable",
        "startTime": "2026-11-20T10:00:00Z",
        "conditions": [
            {
                "type": t,
                "status": "True",
                "lastProbeTime": None,
                "lastTransitionTime": "2026-11-20T10:00:04Z",
            }
            for t in (
                "PodReadyToStartContainers",
                "Initialized",
                "Ready",
                "ContainersReady",
                "PodScheduled",
            )
        ],
        "containerStatuses": [
            {
                "name": c["name"],
                "image": c["image"],
                "imageID": c["image"].split(":")[0] + "@sha256:" + "ab" * 32,
                "containerID": "containerd://" + "cd" * 32,
                "ready": True,
                "restartCount": 0,
                "started": True,
                "state": {"running": {"startedAt": "2026-11-20T10:00:03Z"}},
            }
            for c in containers
        ],
    }
    objs: list[dict[str, Any]] = []
    for n in range(namespaces):
        ns = f"team-{n:04d}"
        objs.append(
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {"name": ns, "labels": {"kubernetes.io/metadata.name": ns}},
            }
        )
        objs.append(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "kube-root-ca.crt", "namespace": ns},
                "data": {"ca.crt": "-----BEGIN CERTIFICATE-----\n" + "A" * 1100},
            }
        )
        objs.append(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "app-config", "namespace": ns},
                "data": {"app.yaml": "log_level: info\nport: 8080\n"},
            }
        )
    for d in range(deployments):
        ns = f"team-{d % namespaces:04d}"
        objs.append(
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {
                    "name": f"app-{d:05d}",
                    "namespace": ns,
                    "labels": {"app.kubernetes.io/name": f"app-{d:05d}"},
                    "managedFields": managed[:1],
                },
                "spec": {
                    "replicas": 2,
                    "selector": {"matchLabels": {"app.kubernetes.io/name": f"app-{d:05d}"}},
                    "template": {
                        "metadata": {"labels": {"app.kubernetes.io/name": f"app-{d:05d}"}},
                        "spec": pod_spec,
                    },
                },
                "status": {"replicas": 2, "readyReplicas": 2, "availableReplicas": 2},
            }
        )
    for p in range(pods):
        d = p % max(1, deployments)
        ns = f"team-{d % namespaces:04d}"
        name = f"app-{d:05d}-7d9c8b6f5-{p:06d}"
        objs.append(
            {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {
                    "name": name,
                    "namespace": ns,
                    "generateName": f"app-{d:05d}-7d9c8b6f5-",
                    "uid": str(uuid.uuid5(uuid.NAMESPACE_URL, name)),
                    "labels": {
                        "app.kubernetes.io/name": f"app-{d:05d}",
                        "pod-template-hash": "7d9c8b6f5",
                    },
                    "annotations": {"kubectl.kubernetes.io/restartedAt": "2026-11-20T10:00:00Z"},
                    "ownerReferences": [
                        {
                            "apiVersion": "apps/v1",
                            "kind": "ReplicaSet",
                            "name": f"app-{d:05d}-7d9c8b6f5",
                            "uid": "0",
                            "controller": True,
                            "blockOwnerDeletion": True,
                        }
                    ],
                    "managedFields": managed,
                },
                "spec": pod_spec,
                "status": pod_status,
            }
        )
    return objs


# -- processes ---------------------------------------------------------------------------


def serve(conn: Connection, namespaces: int, pods: int, deployments: int) -> None:
    """Server process: build the cluster, serve it, answer "count"/"reset"/"stop"."""
    from tests.fakeapi import FakeApiServer

    objs = synthetic_cluster(namespaces, pods, deployments)
    srv = FakeApiServer()
    srv.add(*objs, deep_copy=False)
    del objs
    srv.warm()
    sizes = {}
    for key in (("", "pods"), ("apps", "deployments"), ("", "configmaps"), ("", "namespaces")):
        idx = srv._get_index(*key)
        sizes[key[1]] = (len(idx.blobs), sum(len(b) for b in idx.blobs))
    pod_blobs = srv._get_index("", "pods").blobs[:50]
    mf_share = 0.0
    if pod_blobs:
        mf = sum(
            len(json.dumps(json.loads(b)["metadata"]["managedFields"], separators=(",", ":")))
            for b in pod_blobs
        )
        mf_share = mf / sum(len(b) for b in pod_blobs)
    srv.start()
    tmp = Path(tempfile.mkdtemp(prefix="bench-kube-"))
    conn.send(
        {
            "url": srv.url,
            "kubeconfig": str(srv.kubeconfig(tmp)),
            "sizes": sizes,
            "token": srv.token,
            "managed_share": mf_share,
        }
    )
    while True:
        cmd = conn.recv()
        if cmd == "count":
            conn.send(len(srv.requests))
        elif cmd == "lists":
            conn.send([p for m, p in srv.requests if "limit=" in p and "continue=" not in p])
        elif cmd == "reset":
            srv.requests.clear()
            conn.send(True)
        else:
            srv.stop()
            conn.send(True)
            return


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run_collect(
    conn: Connection, kubeconfig: str, keys: list[str], page_limit: int, workers: int
) -> None:
    from readiness.collect.kube import collect_kube, load_target

    _target, api = load_target(kubeconfig=kubeconfig)
    base = _rss_mib()
    started = time.perf_counter()
    out = collect_kube(keys, api, page_limit=page_limit, workers=workers)
    wall = time.perf_counter() - started
    states: dict[str, int] = {}
    for e in out.values():
        states[e.state] = states.get(e.state, 0) + 1
    n_pods = len(out["pods"].value) if "pods" in out and out["pods"].value else 0
    slim_bytes = len(json.dumps(out["pods"].value)) if n_pods else 0
    conn.send(
        {
            "wall": wall,
            "peak": _rss_mib(),
            "base": base,
            "states": states,
            "pods": n_pods,
            "slim_pod_bytes": slim_bytes,
        }
    )


def run_floor(conn: Connection, url: str, token: str, paths: list[str]) -> None:
    """Paginated GET + json.loads with the stdlib on one keep-alive connection; pages dropped."""
    base = _rss_mib()
    parts = urlsplit(url)
    started = time.perf_counter()
    c = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    items = 0
    for first in paths:
        path = first
        while True:
            c.request("GET", path, headers=headers)
            resp = c.getresponse()
            doc = json.loads(resp.read())
            items += len(doc.get("items") or [])
            token_ = (doc.get("metadata") or {}).get("continue")
            del doc
            if not token_:
                break
            path = f"{first}&continue={token_}"
    wall = time.perf_counter() - started
    conn.send({"wall": wall, "peak": _rss_mib(), "base": base, "items": items})


def _child(target: Any, *args: Any) -> Any:
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    proc = ctx.Process(target=target, args=(child, *args))
    proc.start()
    result = parent.recv()
    proc.join()
    return result


def score_keys() -> tuple[list[str], str]:
    """Kube keys a full `readiness score` needs (from the checks), or the fallback four."""
    try:
        from readiness.discovery import discover
        from readiness.keys import KUBE_FACTS, KUBE_KINDS
        from readiness.runner import needs_of

        needs = needs_of(discover().values())
    except Exception as exc:  # checks still being written: fall back, but say so
        return FALLBACK_KEYS, f"fallback ({type(exc).__name__}: {exc})"
    keys = sorted(k for k in needs if k in KUBE_KINDS or k in KUBE_FACTS)
    for k in FALLBACK_KEYS:
        if k not in keys:
            keys.append(k)
    return keys, "needs of discovered checks (+ the four data kinds)"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--namespaces", type=int, default=1000)
    ap.add_argument("--pods", type=int, default=20000)
    ap.add_argument("--deployments", type=int, default=None, help="default: pods / 7")
    ap.add_argument("--page-limit", type=int, default=500)
    ap.add_argument("--workers", type=int, default=8)
    args = ap.parse_args()
    deployments = args.deployments if args.deployments is not None else args.pods // 7

    keys, why = score_keys()
    ctx = mp.get_context("spawn")
    conn, child = ctx.Pipe()
    t0 = time.perf_counter()
    server = ctx.Process(target=serve, args=(child, args.namespaces, args.pods, deployments))
    server.start()
    info = conn.recv()
    setup = time.perf_counter() - t0
    sizes = info["sizes"]
    total_mb = sum(b for _, b in sizes.values()) / 1e6
    print(
        f"synthetic cluster (built and pre-serialised in {setup:.1f}s, server in its own process):"
    )
    for kind, (n, b) in sizes.items():
        avg = b / n / 1000 if n else 0.0
        print(f"  {kind:12s} {n:6d} objects  {b / 1e6:7.1f} MB  avg {avg:5.1f} KB")
    print(
        f"  total {total_mb:.1f} MB of JSON; managedFields = {info['managed_share']:.0%} of a Pod"
    )
    print(f"keys collected: {len(keys)} — {why}")

    a = _child(run_collect, info["kubeconfig"], keys, args.page_limit, args.workers)
    conn.send("count")
    a_requests = conn.recv()
    conn.send("lists")
    first_pages = conn.recv()
    conn.send("reset")
    conn.recv()

    b = _child(run_floor, info["url"], info["token"], first_pages)
    conn.send("count")
    b_requests = conn.recv()
    conn.send("stop")
    conn.recv()
    server.join()

    print()
    print(f"{'client':52s} {'wall':>8s} {'peak RSS':>10s} {'(idle)':>9s} {'requests':>9s}")
    print(
        f"{'(a) collect_kube, ' + str(len(keys)) + ' keys, slimmed, kept':52s} "
        f"{a['wall']:7.2f}s {a['peak']:7.0f} MiB {a['base']:5.0f} MiB {a_requests:9d}"
    )
    print(
        f"{'(b) floor: GET + json.loads, pages dropped':52s} "
        f"{b['wall']:7.2f}s {b['peak']:7.0f} MiB {b['base']:5.0f} MiB {b_requests:9d}"
    )
    ratio = a["wall"] / b["wall"] if b["wall"] else float("nan")
    print(
        f"collect/floor wall ratio: {ratio:.2f}x; entry states: {a['states']}; "
        f"pods kept: {a['pods']} ({a['slim_pod_bytes'] / 1e6:.1f} MB slimmed JSON)"
    )
    print("(idle) = the child's RSS after imports, before the timed work.")


if __name__ == "__main__":
    main()
