"""What the rules call: `python -m sparsenets <family> <stage> --in k=path … --out k=path …
--params JSON`.

Each stage is a function stage(inputs: dict, outputs: dict, params: dict) registered in its family's
`stages.py` module under STAGES; this file only parses arguments and reports bad ones.
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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sparsenets", description=__doc__)
    parser.add_argument("group", help=f"one of {', '.join(GROUPS)}")
    parser.add_argument("stage")
    parser.add_argument("--in", dest="inputs", action="append", nargs="+", metavar="KEY=PATH")
    parser.add_argument("--out", dest="outputs", action="append", nargs="+", metavar="KEY=PATH")
    parser.add_argument("--params", default="{}", help="JSON object")
    args = parser.parse_args(argv)
    if args.group not in GROUPS:
        parser.error(f"unknown family or group {args.group!r}; known: {', '.join(GROUPS)}")
    stages = importlib.import_module(f"sparsenets.{args.group}.stages").STAGES
    if args.stage not in stages:
        parser.error(f"unknown stage {args.stage!r} for {args.group}; known: {', '.join(stages)}")
    try:
        params = json.loads(args.params)
    except json.JSONDecodeError as err:
        parser.error(f"--params is not valid JSON: {err}")
    try:
        stages[args.stage](_pairs(args.inputs, "--in"), _pairs(args.outputs, "--out"), params)
    except InputError as err:
        print(f"error in {args.group} {args.stage}: {err}", file=sys.stderr)
        return 1
    return 0
