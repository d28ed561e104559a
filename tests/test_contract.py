"""Contract tests over every discovered check, built-in or plugin.

They hold each check to the promises the score depends on: metadata a user can act on,
needs the collectors can fetch, no crash on an empty cluster, and never a verdict other than
unknown (or not-applicable) when nothing could be observed.
"""

from __future__ import annotations

import re

import pytest

from readiness import rubric
from readiness.discovery import DiscoveryError, _checks_in, discover, validate
from readiness.keys import known_keys
from readiness.model import Result, Status, check, passed
from readiness.runner import run_check
from readiness.snapshot import Snapshot, unavailable
from tests.snap import make_snapshot

CATALOGUE = discover()
IDS = sorted(CATALOGUE)


def test_catalogue_covers_the_rubric_exactly() -> None:
    r = rubric.load(known_checks=CATALOGUE)
    assert sorted(r.check_ids) == IDS


@pytest.mark.parametrize("cid", IDS)
def test_metadata_is_usable(cid: str) -> None:
    c = CATALOGUE[cid]
    assert re.fullmatch(r"[a-z]+\.[a-z0-9-]+", c.id)
    assert len(c.title) > 10
    assert len(c.rationale) > 40, "the docstring is the rationale: say why it matters"
    assert len(c.passes) > 20
    assert len(c.remediation) > 20
    assert c.needs and set(c.needs) <= known_keys()


EMPTY_FACTS: dict[str, object] = {
    "eks:cluster": {"name": "prod", "status": "ACTIVE"},
    "eks:regional-clusters": {},
    "logs:newest-events": {},
    "s3:velero-buckets": {},
    "amp:workspaces": {"workspaces": [], "scrapers": []},
    "ecr:registry-scanning": {"registryId": "111122223333", "scanningConfiguration": {}},
    "kube:version": {"major": "1", "minor": "33", "gitVersion": "v1.33.5-eks-113cf36"},
}


def _empty_cluster() -> Snapshot:
    """Every key answered and empty: a cluster with nothing deployed on it."""
    return make_snapshot({k: EMPTY_FACTS.get(k, []) for k in known_keys()})


@pytest.mark.parametrize("cid", IDS)
def test_empty_cluster_does_not_crash(cid: str) -> None:
    result = run_check(CATALOGUE[cid], _empty_cluster(), strict=True)
    assert isinstance(result, Result)
    assert result.summary


@pytest.mark.parametrize("cid", IDS)
def test_nothing_observable_is_never_a_verdict(cid: str) -> None:
    snap = make_snapshot({k: unavailable(f"forbidden: {k}", f"list {k}") for k in known_keys()})
    result = run_check(CATALOGUE[cid], snap, strict=True)
    assert result.status in (Status.UNKNOWN, Status.SKIPPED), (
        f"{cid} decided {result.status} with nothing observable: {result.summary}"
    )


def test_duplicate_ids_are_rejected() -> None:
    def fn(snap: Snapshot) -> Result:
        """Rationale long enough to pass the metadata test, for the duplicate test."""
        return passed("ok")

    a = check(id="x.same", title="t", needs=["nodes"], passes="p", remediation="r")(fn)
    b = check(id="x.same", title="t", needs=["nodes"], passes="p", remediation="r")(fn)
    with pytest.raises(DiscoveryError, match="duplicate check id 'x.same'"):
        validate([a, b])


def test_unknown_needs_are_rejected() -> None:
    c = check(id="x.bad", title="t", needs=["widgets"], passes="p", remediation="r")(
        lambda s: passed("ok")
    )
    with pytest.raises(DiscoveryError, match="unknown snapshot key.*widgets"):
        validate([c])


def test_plugin_objects_may_be_modules_or_checks() -> None:
    import checks.backup as mod

    found = _checks_in(mod)
    assert found and all(c.module == "checks.backup" for c in found)
    assert _checks_in(found[0]) == [found[0]]
    with pytest.raises(DiscoveryError):
        _checks_in(42)
