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


def stages(group: str) -> dict:
    """{stage: function} of one family. A job imports only its own family's stages.py: the code
    a job runs is what the workflow lists as its inputs (sparsenets.codedeps)."""
    return importlib.import_module(f"sparsenets.{group}.stages").STAGES


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


def _parser(groups) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sparsenets",
        description="Run one stage of the workflow, as its Snakemake rule does.",
        epilog="`python -m sparsenets <family> <stage> --help` lists the stage's keys.",
    )
    families = parser.add_subparsers(dest="group", required=True, metavar="family")
    for group in groups:
        functions = stages(group)
        sub = families.add_parser(group, help=f"stages: {', '.join(functions)}")
        named = sub.add_subparsers(dest="stage", required=True, metavar="stage")
        for name, fn in functions.items():
            _add_stage(named, name, fn)
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
    problem = stages(args.group)[args.stage].keys.problem(inputs, outputs, params)
    if problem:
        raise SystemExit(f"{where} {problem}")
    return inputs, outputs, params


def parse(argv) -> tuple:
    """(args, (inputs, outputs, params)) of a call; a bad call stops here, named in one line."""
    # A call names its family first: parse with that family's stages only (all for --help).
    groups = argv[:1] if argv[:1] and argv[0] in GROUPS else GROUPS
    args = _parser(groups).parse_args(argv)
    return args, _call(args)


def main(argv=None) -> int:
    args, call = parse(sys.argv[1:] if argv is None else list(argv))
    try:
        stages(args.group)[args.stage](*call)
    except InputError as err:
        print(f"error in {args.group} {args.stage}: {err}", file=sys.stderr)
        return 1
    return 0
