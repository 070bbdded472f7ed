"""The claims contract: one judge for claims and controls, intervals, schema, criteria tables."""

import csv
import io
import subprocess
from pathlib import Path

import pytest

from sparsenets import FAMILIES
from sparsenets.common import criteria, stats
from sparsenets.common.claims import Measurement, judged, validate
from sparsenets.common.criteria import Criterion

REPO = Path(__file__).resolve().parents[1]
CHANGES = REPO / "paper" / "criteria_changes.csv"


def crit(kind="bound", op="<=", threshold=(1.0,), tight=False, part="error"):
    return Criterion("c-1", part, kind, "error / floor", op, threshold, tight, "no effect")


def claim(criteria_rows, measured, control=None):
    return judged(
        criteria_rows,
        measured,
        source="s",
        statement="st",
        trials=10,
        interval_method="t",
        evidence=[],
        control=control,
    )


def m(estimate, interval=None, setting="N=2"):
    return Measurement(setting, estimate, interval)


def test_a_criterion_that_passes_its_control_cannot_fail():
    c = claim(
        [crit(kind="comparison")],
        {"error": [m(0.2, (0.1, 0.3))]},
        control={"error": [m(0.5, (0.4, 0.6))]},
    )
    assert c["criterion_cannot_fail"] is True
    assert c["control"] == {"description": "no effect", "value": 0.5, "verdict": "passes"}
    assert c["verdict"] == "inconclusive"  # capped, although every measurement passes


def test_a_control_the_criterion_rejects_leaves_the_verdict():
    c = claim([crit(kind="comparison")], {"error": [m(0.2)]}, control={"error": [m(3.0)]})
    assert (c["criterion_cannot_fail"], c["control"]["verdict"]) == (False, "rejected")
    assert c["verdict"] == "reproduced"


def test_a_control_not_run_is_recorded_as_such():
    c = claim([crit()], {"error": [m(0.2)]})
    assert c["control"] == {"description": "no effect", "value": None, "verdict": "not run"}


def test_an_interval_straddling_the_threshold_is_inconclusive():
    c = claim([crit(kind="rate")], {"error": [m(0.9, (0.7, 1.2)), m(0.5, (0.4, 0.6), "N=3")]})
    assert c["verdict"] == "inconclusive"
    assert (c["value"], c["interval"], c["measure"]) == (0.9, [0.7, 1.2], "error / floor (N=2)")


def test_a_bound_met_with_room_is_consistent_unless_an_instance_is_tight():
    assert claim([crit()], {"error": [m(0.2, (0.1, 0.3))]})["verdict"] == "consistent"
    assert claim([crit(tight=True)], {"error": [m(0.2)]})["verdict"] == "reproduced"


@pytest.mark.parametrize(
    "estimates, verdict",
    [((0.2, 3.0), "partial"), ((3.0, 4.0), "not reproduced"), ((float("nan"), 0.1), "partial")],
)
def test_passes_and_failures_fold_into_partial_or_not_reproduced(estimates, verdict):
    measured = {"error": [m(x, setting=f"N={i}") for i, x in enumerate(estimates)]}
    assert claim([crit(kind="comparison")], measured)["verdict"] == verdict


def test_interval_ops():
    band = crit(op="in", threshold=(0.9, 1.1))
    assert [band.outcome(m(1.0, iv)) for iv in [(0.95, 1.05), (0.5, 0.8), (0.85, 1.0)]] == [
        "pass",
        "fail",
        "inconclusive",
    ]
    assert crit(op=">", threshold=(0.0,)).outcome(m(0.1, (-0.1, 0.2))) == "inconclusive"


def test_bootstrap_is_seeded_and_t_interval_covers_the_mean():
    x = [1.0, 2.0, 3.0, 4.0, 10.0]
    assert stats.bootstrap(x, seed=3) == stats.bootstrap(x, seed=3)
    lo, hi = stats.t_interval(x)
    assert lo < 4.0 < hi
    assert stats.bootstrap([1.0]) is None


def test_schema_accepts_a_judged_claim_and_names_what_is_wrong():
    good = claim([crit()], {"error": [m(0.2, (0.1, 0.3))]})
    validate([good])
    with pytest.raises(ValueError, match="0/verdict"):
        validate([{**good, "verdict": "sort of"}])
    with pytest.raises(ValueError, match="kind"):
        validate([{k: v for k, v in good.items() if k != "kind"}])


@pytest.mark.parametrize("family", FAMILIES)
def test_every_family_has_a_criteria_table_with_a_kind_and_control_per_claim(family):
    table = criteria.load(family)
    assert table
    for rows in table.values():
        assert rows[0].kind in criteria.KINDS and rows[0].control


# --- criteria changes ------------------------------------------------------------------------


def _git(*args):
    return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)


def _rows(text: str) -> dict:
    """{claim.part: the criterion as it reads} of a criteria table's text."""
    table = criteria.read_text(text)
    return {f"{c.claim}.{c.part}": f"{c.kind}: {c.text}" for rows in table.values() for c in rows}


def _previous(path: Path):
    """The table before the working tree's: HEAD's when the tree changed it, else the version
    before the last commit that changed it; None when there is none (or no git)."""
    rel = path.relative_to(REPO).as_posix()
    if _git("rev-parse", "--git-dir").returncode:
        return None
    head = _git("show", f"HEAD:{rel}")
    if head.returncode == 0 and head.stdout != path.read_text(encoding="utf-8"):
        return head.stdout
    commits = _git("log", "--format=%H", "-n", "2", "--", rel).stdout.split()
    if len(commits) < 2:
        return None
    old = _git("show", f"{commits[1]}:{rel}")
    return old.stdout if old.returncode == 0 else None


@pytest.mark.parametrize("family", FAMILIES)
def test_a_changed_criterion_has_an_entry_in_the_changes_table(family):
    path = REPO / "src" / "sparsenets" / family / "criteria.csv"
    before = _previous(path)
    if before is None:
        pytest.skip("no earlier version of the criteria table in git")
    with open(CHANGES, newline="", encoding="utf-8") as fh:
        entries = {(r["claim"], r["new"]) for r in csv.DictReader(fh)}
    now, old = _rows(path.read_text(encoding="utf-8")), _rows(before)
    changed = [k for k in old if now.get(k) != old[k]]
    missing = [k for k in changed if (k, now.get(k, "removed")) not in entries]
    assert not missing, (
        f"criteria changed without an entry in {CHANGES.name} (claim = claim.part, new = the "
        f"criterion as it now reads, or 'removed'): "
        + "; ".join(f"{k}: {now.get(k, 'removed')}" for k in missing)
    )


def test_changes_table_has_its_columns():
    header = next(csv.reader(io.StringIO(CHANGES.read_text(encoding="utf-8"))))
    assert header == ["claim", "old", "new", "reason", "date"]
