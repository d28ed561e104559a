"""The scoring formula and rubric validation: worked examples a reader can check by hand."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from readiness import rubric
from readiness.model import Status
from readiness.rubric import RubricError, parse, projection, score

P, W, F, U, S = Status.PASS, Status.WARN, Status.FAIL, Status.UNKNOWN, Status.SKIPPED

SMALL = {
    "version": 1,
    "credit": {"pass": 1.0, "warn": 0.5, "fail": 0.0},
    "phases": [
        {"id": "a", "title": "A", "points": 6, "checks": {"a.one": 2, "a.two": 1}},
        {"id": "week1", "title": "Week 1: x", "points": 4, "checks": {"b.one": 1, "b.two": 1}},
    ],
}


def small(**changes: object) -> rubric.Rubric:
    data = copy.deepcopy(SMALL)
    data.update(changes)
    return parse(data, "test.yaml")


def test_worked_example_from_readme() -> None:
    # phase a: (1·2 + 0.5·1)/3 = 0.8333 of 6 = 5.0 ; phase b: (0 + 1)/2 = 0.5 of 4 = 2.0
    s = score(small(), {"a.one": P, "a.two": W, "b.one": F, "b.two": P})
    assert s.value == 7.0
    assert s.coverage == 1.0
    assert s.max_reachable == 7.0


def test_unknown_earns_nothing_but_stays_in_denominator() -> None:
    s = score(small(), {"a.one": P, "a.two": P, "b.one": U, "b.two": P})
    assert s.value == 8.0  # 6 + 4·(1/2)
    assert s.max_reachable == 10.0
    assert s.coverage == pytest.approx(0.8)  # 4 points × half decided are unknown


def test_skipped_leaves_the_denominator() -> None:
    s = score(small(), {"a.one": P, "a.two": P, "b.one": S, "b.two": P})
    assert s.value == 10.0
    assert s.coverage == 1.0


def test_phase_all_skipped_rescales_to_ten() -> None:
    s = score(small(), {"a.one": P, "a.two": F, "b.one": S, "b.two": S})
    # only phase a applies: 10 × (2/3)
    assert s.value == pytest.approx(6.67, abs=0.01)


def test_nothing_decided_is_not_applicable_never_ten() -> None:
    assert score(small(), {"a.one": U, "a.two": U, "b.one": U, "b.two": U}).value is None
    assert score(small(), {"a.one": S, "a.two": S, "b.one": S, "b.two": S}).value is None
    assert score(small(), {}).value is None


def test_projection_scores_each_week_in_turn() -> None:
    r = small()
    proj = projection(r, {"a.one": P, "a.two": P, "b.one": F, "b.two": F}, ["week1"])
    assert proj == [("week1", 10.0)]


def test_builtin_rubric_points_sum_to_ten_and_parameters_load() -> None:
    r = rubric.load()
    assert sum(p.points for p in r.phases) == pytest.approx(10.0)
    assert r.params.rpo_hours == 24
    assert "kube-system" in r.params.system_namespaces
    assert (r.start, r.target) == (6.5, 8.5)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["phases"][0].update(points=5), "points must sum to 10, they sum to 9"),
        (lambda d: d["phases"][0]["checks"].update({"a.one": -1}), "phases[0].checks.a.one"),
        (lambda d: d["credit"].pop("warn"), "credit: 'warn' is a required property"),
        (lambda d: d.update(version=2), "version: 1 was expected"),
        (lambda d: d["phases"][1]["checks"].update({"a.one": 1}), "already weighted in phase 'a'"),
        (lambda d: d.update(parameters={"rpo_hours": "a day"}), "parameters.rpo_hours"),
        (lambda d: d.update(parameters={"rpo": 24}), "parameters: Additional properties"),
    ],
)
def test_invalid_rubrics_name_the_path(mutate, message: str) -> None:  # type: ignore[no-untyped-def]
    data = copy.deepcopy(SMALL)
    mutate(data)
    with pytest.raises(RubricError) as err:
        parse(data, "my-rubric.yaml")
    assert str(err.value).startswith("my-rubric.yaml: ")
    assert message in str(err.value)


def test_unknown_check_id_is_an_error_when_catalogue_known() -> None:
    with pytest.raises(RubricError, match=r"phases\[1\]\.checks\.b\.two: no such check"):
        parse(copy.deepcopy(SMALL), "r.yaml", known_checks={"a.one", "a.two", "b.one"})


def test_broken_yaml_file_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "rubric.yaml"
    bad.write_text("version: 1\nphases: [\n  - id: x\n")
    with pytest.raises(RubricError, match=r"rubric.yaml: line \d+ not valid YAML"):
        rubric.load(bad)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(RubricError, match="cannot read rubric"):
        rubric.load(tmp_path / "nope.yaml")


def test_repo_rubric_is_the_packaged_default() -> None:
    repo = Path(__file__).parent.parent / "rubric.yaml"
    assert yaml.safe_load(repo.read_text()) == yaml.safe_load(rubric.default_rubric_text())
