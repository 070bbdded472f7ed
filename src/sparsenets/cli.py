"""What the rules call: `python -m sparsenets <family> <stage> --in KEY=PATH … --out KEY=PATH …
--params JSON`, which also runs a stage by hand, without Snakemake.

Each stage is a function stage(inputs, outputs, params) in its family's `stages.py` (STAGES),
its keys declared next to it (sparsenets.common.stage); this file parses the arguments, lists the
families, stages and keys in --help, and reports a bad call in one line.
"""

import argparse
import importlib
import json
import os
import sys

from sparsenets import FAMILIES
from sparsenets.common.io import InputError

# One BLAS thread per job: Snakemake runs one job per core.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

GROUPS = (*FAMILIES, "paper")
# {group: {stage: function}}; importing every stages.py costs little (their imports are lazy).
STAGES = {g: importlib.import_module(f"sparsenets.{g}.stages").STAGES for g in GROUPS}


def _pairs(groups, flag):
    """[["runs=a", "b"], ["data=c"]] → {"runs": ["a", "b"], "data": "c"}: a key given several
    paths (or several times) maps to a list."""
    out = {}
    for first, *rest in groups or []:
        key, sep, value = first.partition("=")
        if not sep or not key:
            raise SystemExit(f"error: {flag} expects KEY=PATH [PATH ...], got {first!r}")
        out.setdefault(key, []).extend([value, *rest])
    return {k: v[0] if len(v) == 1 else v for k, v in out.items()}


def _listing(keys) -> str:
    if keys is None:
        return "the family's config section (checked by its schema in workflow/schemas/)"
    shown = [f"{k[:-1]} (optional)" if k.endswith("?") else k for k in keys]
    return ", ".join(shown) or "none"


def _add_stage(stages, name: str, fn) -> None:
    """The stage's own parser: its docstring's first line, and its keys in the epilog."""
    doc = (fn.__doc__ or "").strip().splitlines()
    keys = fn.keys
    epilog = "\n".join(
        [
            "keys:",
            f"  --in      {_listing(keys.inputs)}",
            f"  --out     {_listing(keys.outputs)}",
            f"  --params  {_listing(keys.params)}",
        ]
    )
    parser = stages.add_parser(
        name,
        help=doc[0] if doc else None,
        description=doc[0] if doc else None,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    for flag, dest in (("--in", "inputs"), ("--out", "outputs")):
        parser.add_argument(
            flag,
            dest=dest,
            action="append",
            nargs="+",
            metavar=("KEY=PATH", "PATH"),
            help="one per key; several paths make a list",
        )
    parser.add_argument("--params", default="{}", metavar="JSON", help="a JSON object")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sparsenets",
        description="Run one stage of the workflow, as its Snakemake rule does.",
        epilog="`python -m sparsenets <family> <stage> --help` lists the stage's keys.",
    )
    groups = parser.add_subparsers(dest="group", required=True, metavar="family")
    for group, functions in STAGES.items():
        sub = groups.add_parser(group, help=f"stages: {', '.join(functions)}")
        stages = sub.add_subparsers(dest="stage", required=True, metavar="stage")
        for name, fn in functions.items():
            _add_stage(stages, name, fn)
    return parser


def _call(args) -> tuple[dict, dict, dict]:
    """The stage's inputs, outputs and params; a bad one stops here, named in one line."""
    where = f"error: {args.group} {args.stage}:"
    try:
        params = json.loads(args.params)
    except json.JSONDecodeError as err:
        raise SystemExit(f"{where} --params is not valid JSON: {err}") from None
    if not isinstance(params, dict):
        raise SystemExit(f"{where} --params must be a JSON object")
    inputs, outputs = _pairs(args.inputs, "--in"), _pairs(args.outputs, "--out")
    problem = STAGES[args.group][args.stage].keys.problem(inputs, outputs, params)
    if problem:
        raise SystemExit(f"{where} {problem}")
    return inputs, outputs, params


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        STAGES[args.group][args.stage](*_call(args))
    except InputError as err:
        print(f"error in {args.group} {args.stage}: {err}", file=sys.stderr)
        return 1
    return 0
