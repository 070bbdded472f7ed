"""`make verify`: a run's claims against a reference snapshot, with tolerances from the run's
own seed-to-seed spread. Claims files are built by the real judge (common/claims.py) and pass the
schema; the committed smoke-scale reference, when present, is checked against perturbed copies."""

import copy
import json
from pathlib import Path

import pytest

from sparsenets import verify
from sparsenets.common.claims import judged, validate
from sparsenets.common.criteria import Measurement, read_text

REPO = Path(__file__).resolve().parents[1]
CRITERIA = read_text(
    "claim,part,kind,measure,op,threshold,tight,control\n"
    "toy-bound,error,bound,error ratio,<=,1,no,the final iterate\n"
    'toy-rate,slope,rate,slope,in,"[-0.6,-0.4]",no,shuffled labels\n'
    "toy-rate,gap,,exact gap,<=,0.01,,\n"
)


def claims() -> list:
    def judge(cid, measured, control):
        return judged(
            CRITERIA[cid],
            measured,
            control=control,
            source="toy",
            statement=cid,
            trials=4,
            interval_method="bootstrap",
            evidence=[],
        )

    bound = {
        "error": [
            Measurement("N=2", 0.5, (0.45, 0.55)),
            Measurement("N=3", 0.7, (0.6, 0.8)),  # the headline: closest to the threshold
        ]
    }
    rate = {"slope": [Measurement("", -0.5, (-0.55, -0.45))], "gap": [Measurement("", 1e-3)]}
    return [
        judge("toy-bound", bound, {"error": [Measurement("N=2", 2.0, (1.8, 2.2))]}),
        judge("toy-rate", rate, {"slope": [Measurement("", 0.0, (-0.1, 0.1))]}),
    ]


@pytest.fixture
def run(tmp_path) -> Path:
    """A results folder with one family's claims and a MANIFEST, and its snapshot as reference."""
    results = tmp_path / "results"
    (results / "diagonal").mkdir(parents=True)
    validate(claims())
    (results / "diagonal/claims.json").write_text(json.dumps(claims()))
    manifest = {"commit": "0" * 40, "dirty": False, "config": {"scale": "smoke"}}
    (results / "MANIFEST.json").write_text(json.dumps(manifest))
    out = str(tmp_path / "ref.json")
    assert verify.main(["snapshot", "--results", str(results), "--out", out]) == 0
    return results


def check(run, edit, capsys) -> tuple:
    """Exit code and output of `compare` against the reference after `edit(reference)`."""
    path = run.parent / "ref.json"
    reference = json.loads(path.read_text())
    edit(reference["families"]["diagonal"])
    path.write_text(json.dumps(reference))
    code = verify.main(["compare", "--reference", str(path), "--results", str(run)])
    return code, capsys.readouterr().out


def test_snapshot_records_commit_scale_and_every_part(run):
    snap = json.loads((run.parent / "ref.json").read_text())
    assert (snap["commit"], snap["scale"]) == ("0" * 40, "smoke")
    bound = snap["families"]["diagonal"]["toy-bound"]
    assert bound["verdict"] == "consistent" and bound["control"]["verdict"] == "rejected"
    assert (bound["value"], bound["interval"], bound["trials"]) == (0.7, [0.6, 0.8], 4)
    assert [p["setting"] for p in bound["parts"]] == ["N=2", "N=3"]


def test_one_family_replaced_keeps_the_others_and_records_its_commit(run, tmp_path, capsys):
    ref = run.parent / "ref.json"
    snap = json.loads(ref.read_text())
    snap["families"]["splines"] = {"old": {}}
    ref.write_text(json.dumps(snap))
    newer = tmp_path / "newer"
    (newer / "diagonal").mkdir(parents=True)
    (newer / "diagonal/claims.json").write_text(json.dumps(claims()[:1]))
    manifest = {"commit": "1" * 40, "dirty": False, "config": {"scale": "smoke"}}
    (newer / "MANIFEST.json").write_text(json.dumps(manifest))
    args = ["snapshot", "--results", str(newer), "--out", str(ref), "--family", "diagonal"]
    assert verify.main(args) == 0
    snap = json.loads(ref.read_text())
    assert list(snap["families"]["diagonal"]) == ["toy-bound"]
    assert snap["families"]["splines"] == {"old": {}} and snap["commit"] == "0" * 40
    assert snap["sources"]["diagonal"]["commit"] == "1" * 40
    assert snap["sources"]["splines"]["commit"] == "0" * 40
    with pytest.raises(SystemExit, match="no phase_transition/claims.json"):
        verify.main(args[:-1] + ["phase_transition"])


def test_identical_run_passes_and_prints_the_table(run, capsys):
    code, out = check(run, lambda ref: None, capsys)
    assert code == 0, out
    assert "quantity" in out and "tolerance" in out
    assert "toy-bound value" in out and "0 differ, 0 missing" in out


@pytest.mark.parametrize(
    "edit, quantity",
    [
        # the headline's interval half-width is 0.1: 0.15 is beyond it
        (lambda r: r["toy-bound"].update(value=0.85), "toy-bound value"),
        # a part without interval has only the floor 1e-9 + 1e-6 |x|
        (lambda r: r["toy-rate"]["parts"][1].update(value=1.001e-3), "toy-rate part gap value"),
        (lambda r: r["toy-bound"].update(verdict="reproduced"), "toy-bound verdict"),
        (lambda r: r["toy-rate"]["control"].update(verdict="passes"), "toy-rate control verdict"),
        (lambda r: r["toy-bound"]["parts"][0].update(outcome="fail"), "part error[N=2] outcome"),
        (lambda r: r["toy-rate"]["control"].update(value=0.01), "toy-rate control value"),
    ],
)
def test_a_change_beyond_tolerance_fails_naming_the_quantity(run, capsys, edit, quantity):
    code, out = check(run, edit, capsys)
    assert code != 0
    assert any(line.startswith("differs: ") and quantity in line for line in out.splitlines())


@pytest.mark.parametrize(
    "edit",
    [
        lambda r: r["toy-bound"].update(value=0.78),  # within the half-width 0.1
        lambda r: r["toy-bound"]["parts"][0].update(interval=[0.49, 0.59]),  # ends move 0.04
        lambda r: r["toy-rate"]["parts"][1].update(value=1e-3 * (1 + 1e-7)),  # within the floor
    ],
)
def test_a_change_within_tolerance_passes(run, capsys, edit):
    code, out = check(run, edit, capsys)
    assert code == 0, out


def test_missing_claims_and_files_are_named(run, capsys):
    def edit(ref):
        ref["toy-gone"] = copy.deepcopy(ref["toy-bound"])

    code, out = check(run, edit, capsys)
    assert code != 0 and f"missing claim: toy-gone (not in {run / 'diagonal/claims.json'})" in out
    (run / "diagonal/claims.json").unlink()
    code, out = check(run, lambda ref: None, capsys)
    assert code != 0 and f"missing: {run / 'diagonal/claims.json'} (3 claims)" in out


def test_missing_reference_says_how_to_make_one(run, tmp_path):
    with pytest.raises(SystemExit) as err:
        verify.main(["compare", "--reference", str(tmp_path / "no.json"), "--results", str(run)])
    assert "no reference snapshot yet" in str(err.value) and "snapshot --results" in str(err.value)


@pytest.mark.skipif(not (REPO / "reference/smoke.json").exists(), reason="no smoke reference")
def test_smoke_reference_against_perturbed_copies():
    """The committed smoke-scale snapshot of a real run: itself passes; every claim's headline
    moved past its tolerance fails, naming that claim."""
    reference = json.loads((REPO / "reference/smoke.json").read_text())
    rows, problems = verify.compare(reference, reference, Path("results-smoke"))
    assert all(r[4] for r in rows) and not problems
    moved = copy.deepcopy(reference)
    for claims_ in moved["families"].values():
        for claim in claims_.values():
            if (x := claim["value"]) is not None:
                claim["value"] = x + 2 * verify.half_width(claim["interval"]) + 1e-3 * (1 + abs(x))
    rows, _ = verify.compare(reference, moved, Path("results-smoke"))
    bad = {r[0] for r in rows if not r[4]}
    for claims_ in moved["families"].values():
        for cid, claim in claims_.items():
            assert claim["value"] is None or f"{cid} value" in bad
