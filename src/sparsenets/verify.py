"""`make verify`: a run's claims against a committed reference snapshot, across machines.

One machine gives byte-identical results; another CPU or BLAS moves numbers in their last digits.
`snapshot` keeps what a reader checks of each claim (verdict, headline value and interval, trials,
the control's value and verdict, every part's value, interval and outcome) with the commit and
scale of the run; `compare` checks a run against it:
- verdicts (claims, controls, each part's outcome), trials and the headline's measure must be equal;
- a number with an interval from trials (a value, or an interval's end) may differ by the larger
  half-width of the reference's and this run's interval: the seed-to-seed spread the run measures;
- every number may also differ by a floor, atol + rtol * |reference| (1e-9 + 1e-6 |x| unless
  given); a number without an interval (a control's value, an exact solver's optimum) gets only it.

    python -m sparsenets.verify snapshot --results results --out reference/paper.json
    python -m sparsenets.verify snapshot --results results --family sparse_dnn  # that one only
    python -m sparsenets.verify compare --reference reference/paper.json --results results

A snapshot whose families come from runs of different commits (`--family`: one family's claims
replaced after a run of that family alone) records each family's commit under `sources`.
"""

import argparse
import sys
from pathlib import Path

from sparsenets.common import io
from sparsenets.paper.provenance import git_state

ATOL, RTOL = 1e-9, 1e-6
CLAIM = ("verdict", "measure", "value", "interval", "trials")
PART = ("part", "setting", "value", "interval", "outcome")


def _claim(c: dict) -> dict:
    control = {"value": c["control"]["value"], "verdict": c["control"]["verdict"]}
    parts = [{k: p[k] for k in PART} for p in c["parts"]]
    return {**{k: c[k] for k in CLAIM}, "control": control, "parts": parts}


def snapshot(results: Path) -> dict:
    """{commit, dirty, scale, families: {family: {claim id: claim}}} of a run's claims files."""
    manifest = results / "MANIFEST.json"
    facts = io.read_json(manifest) if manifest.exists() else git_state()
    families = {
        path.parent.name: {c["id"]: _claim(c) for c in io.read_json(path)}
        for path in sorted(results.glob("*/claims.json"))
    }
    run = {"commit": facts["commit"], "dirty": facts["dirty"]}
    return run | {"scale": facts.get("config", {}).get("scale"), "families": families}


def _replace_family(old: dict, new: dict, family: str, results: Path) -> dict:
    """`old` with `family`'s claims from `new`, and the commit of each family's claims."""
    if family not in new["families"]:
        sys.exit(f"no {family}/claims.json under {results}")
    if old["scale"] and new["scale"] and old["scale"] != new["scale"]:
        sys.exit(f"scales differ: snapshot {old['scale']}, {results} {new['scale']}")
    every = {f: {"commit": old["commit"], "dirty": old["dirty"]} for f in old["families"]}
    sources = old.get("sources", every) | {
        f: {k: new[k] for k in ("commit", "dirty")} for f in [family]
    }
    return old | {
        "families": old["families"] | {family: new["families"][family]},
        "sources": sources,
    }


def half_width(interval) -> float:
    if not interval or None in interval:
        return 0.0
    return abs(interval[1] - interval[0]) / 2


def _number(name, ref, run, spread, atol, rtol) -> tuple:
    if ref is None or run is None:
        return (name, ref, run, None, ref is run)
    tol = spread + atol + rtol * abs(ref)
    return (name, ref, run, tol, abs(run - ref) <= tol)


def _measurement(name, ref: dict, run: dict, atol, rtol) -> list:
    """Rows for a value with its interval: the value and both ends within the larger half-width."""
    spread = max(half_width(ref["interval"]), half_width(run["interval"]))
    rows = [_number(f"{name} value", ref["value"], run["value"], spread, atol, rtol)]
    if ref["interval"] or run["interval"]:
        none = (None, None)
        ends = zip(("lo", "hi"), ref["interval"] or none, run["interval"] or none, strict=True)
        rows += [_number(f"{name} interval {e}", a, b, spread, atol, rtol) for e, a, b in ends]
    return rows


def _same(name, ref, run) -> tuple:
    return (name, ref, run, None, ref == run)


def _parts(parts: list) -> dict:
    out = {}
    for p in parts:
        key = f"{p['part']}[{p['setting']}]" if p["setting"] else p["part"]
        out[key if key not in out else f"{key}#{len(out)}"] = p
    return out


def compare_claim(cid: str, ref: dict, run: dict, atol=ATOL, rtol=RTOL) -> list:
    """(quantity, reference, this run, tolerance, ok) rows for one claim."""
    rows = [_same(f"{cid} {k}", ref[k], run[k]) for k in ("verdict", "trials", "measure")]
    a, b = ref["control"], run["control"]
    rows.append(_same(f"{cid} control verdict", a["verdict"], b["verdict"]))
    if ref["measure"] == run["measure"]:
        rows += _measurement(f"{cid}", ref, run, atol, rtol)
    rows.append(_number(f"{cid} control value", a["value"], b["value"], 0.0, atol, rtol))
    ref_parts, run_parts = _parts(ref["parts"]), _parts(run["parts"])
    for key in [*ref_parts, *(k for k in run_parts if k not in ref_parts)]:
        a, b = ref_parts.get(key), run_parts.get(key)
        if a is None or b is None:
            rows.append(_same(f"{cid} part {key}", a and "present", b and "present"))
            continue
        rows.append(_same(f"{cid} part {key} outcome", a["outcome"], b["outcome"]))
        rows += _measurement(f"{cid} part {key}", a, b, atol, rtol)
    return rows


def compare(reference: dict, run: dict, results: Path, atol=ATOL, rtol=RTOL) -> tuple:
    """(rows, problems): every compared quantity, and one line per missing file or claim."""
    rows, problems = [], []
    for family, claims in reference["families"].items():
        mine = run["families"].get(family)
        if mine is None:
            problems.append(f"missing: {results / family / 'claims.json'} ({len(claims)} claims)")
            continue
        for cid in sorted(claims.keys() - mine.keys()):
            problems.append(f"missing claim: {cid} (not in {results / family / 'claims.json'})")
        for cid in sorted(mine.keys() - claims.keys()):
            problems.append(f"new claim: {cid} (in this run, not in the reference)")
        for cid in sorted(claims.keys() & mine.keys()):
            rows += compare_claim(cid, claims[cid], mine[cid], atol, rtol)
    return rows, problems


def _fmt(x) -> str:
    """A number to 6 digits; a long string (a measure) cut to the column's width."""
    text = "-" if x is None else f"{x:.6g}" if isinstance(x, float) else str(x)
    return text if len(text) <= 14 else text[:13] + "…"


def report(rows: list, problems: list, out=None) -> int:
    """Print the table and a summary; 0 when every quantity agrees and nothing is missing."""
    out = out or sys.stdout
    width = max([len(r[0]) for r in rows] + [8])
    head = ("quantity", "reference", "this run", "tolerance")
    print(f"{head[0]:<{width}}  {head[1]:>14}  {head[2]:>14}  {head[3]:>11}  ok", file=out)
    for name, ref, run, tol, ok in rows:
        line = f"{name:<{width}}  {_fmt(ref):>14}  {_fmt(run):>14}  {_fmt(tol):>11}  "
        print(line + ("yes" if ok else "NO"), file=out)
    bad = [r[0] for r in rows if not r[4]]
    for line in problems + [f"differs: {name}" for name in bad]:
        print(line, file=out)
    print(f"{len(rows)} quantities, {len(bad)} differ, {len(problems)} missing or new", file=out)
    return 1 if bad or problems else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sparsenets.verify", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    snap = sub.add_parser("snapshot", help="write a run's claims snapshot")
    snap.add_argument("--results", type=Path, default=Path("results"))
    snap.add_argument("--out", type=Path, default=Path("reference/paper.json"))
    snap.add_argument("--family", help="replace only this family's claims in the --out snapshot")
    comp = sub.add_parser("compare", help="compare a run with a reference snapshot")
    comp.add_argument("--results", type=Path, default=Path("results"))
    comp.add_argument("--reference", type=Path, default=Path("reference/paper.json"))
    comp.add_argument("--atol", type=float, default=ATOL)
    comp.add_argument("--rtol", type=float, default=RTOL)
    args = parser.parse_args(argv)
    if args.command == "snapshot":
        snap = snapshot(args.results)
        if not snap["families"]:
            sys.exit(f"no */claims.json under {args.results}: run the workflow first")
        if args.family:
            snap = _replace_family(io.read_json(args.out), snap, args.family, args.results)
        io.write_json(args.out, snap)
        if snap["dirty"]:
            print("warning: the run had uncommitted changes; snapshot a run of a clean commit")
        print(f"{args.out}: {sum(map(len, snap['families'].values()))} claims, {snap['commit']}")
        return 0
    if not args.reference.exists():
        sys.exit(
            f"no reference snapshot yet ({args.reference}); produce one with `.venv/bin/python"
            f" -m sparsenets.verify snapshot --results {args.results} --out {args.reference}`"
            " after `make paper`"
        )
    if not args.results.is_dir():
        sys.exit(f"no results folder {args.results}: run the workflow first (`make paper`)")
    try:
        reference, run = io.read_json(args.reference), snapshot(args.results)
    except io.InputError as err:
        sys.exit(str(err))
    print(f"reference: {args.reference} (commit {reference['commit']}, scale {reference['scale']})")
    for family, source in reference.get("sources", {}).items():
        if source["commit"] != reference["commit"]:
            print(f"           {family} from commit {source['commit']}")
    print(f"this run:  {args.results} (commit {run['commit']}, scale {run['scale']})")
    if reference["scale"] and run["scale"] and reference["scale"] != run["scale"]:
        sys.exit(f"scales differ: reference {reference['scale']}, {args.results} {run['scale']}")
    return report(*compare(reference, run, args.results, args.atol, args.rtol))


if __name__ == "__main__":
    sys.exit(main())
