"""Every rule's code inputs are exactly the modules its stage imports.

The workflow reads imports with `ast` (sparsenets.codedeps); this test checks the result for every
rule of the workflow against an independent measurement: run the stage in a fresh interpreter
until it fails on its empty inputs (stages import first), then list the `sparsenets` modules
Python actually loaded.
"""

import html
import json
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from sparsenets import FAMILIES
from sparsenets.codedeps import stage_files

REPO = Path(__file__).resolve().parents[1]
SNAKEMAKE = str(Path(sys.executable).parent / "snakemake")
GROUPS = (*FAMILIES, "paper")
# Rules that only collect other rules' outputs run no code.
TARGETS = {"all", "figures", *FAMILIES}
# Jobs that draw random numbers (data, fits, solves, training, bootstraps and CV splits).
DRAWS = [
    "diagonal_data",
    "diagonal_metrics",
    "sparse_dnn_fit",
    "sparse_dnn_metrics",
    "depth_separation_data",
    "depth_separation_train",
    "phase_transition_solve",
    "phase_transition_train",
    "phase_transition_metrics",
    "splines_data",
    "splines_train",
]

# Run in a fresh interpreter: the heavy libraries are imported once, then each stage runs in a
# forked child (a clean slate of `sparsenets` modules) until it fails on its empty inputs; the
# child reports the `sparsenets` files Python loaded.
LOADED = """
import importlib, json, os, sys
import cvxpy, matplotlib.pyplot, numba, numpy, pandas, scipy.optimize, sklearn.linear_model, torch
assert not [m for m in sys.modules if m.split(".")[0] == "sparsenets"]
out = {}
for rule, group, stage in json.loads(sys.argv[1]):
    read, write = os.pipe()
    if os.fork() == 0:
        os.close(read)
        import sparsenets.cli  # what `python -m sparsenets` runs before it looks up the stage
        try:
            importlib.import_module(f"sparsenets.{group}.stages").STAGES[stage]({}, {}, {})
        except Exception:  # KeyError on the empty inputs, after the stage's imports
            pass
        files = [m.__file__ for name, m in list(sys.modules.items())
                 if name.split(".")[0] == "sparsenets" and getattr(m, "__file__", None)]
        os.write(write, json.dumps(files).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as fh:
        out[rule] = json.loads(fh.read())
    os.wait()
print(json.dumps(out))
"""


@cache
def workflow_code() -> dict:
    """{rule: set of source files among its inputs}, from Snakemake's file graph (smoke scale)."""
    dot = subprocess.run(
        [SNAKEMAKE, "--configfile", "config/smoke.yaml", "--filegraph"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    code = {}
    for node in re.split(r"\n\d+ \[ shape=", dot)[1:]:
        rule = re.search(r'<font point-size="18">(\w+)</font>', node).group(1)
        files = {
            html.unescape(f) for f in re.findall(r'<font face="monospace">([^<]+)</font>', node)
        }
        code[rule] = {f for f in files if f.startswith("src/sparsenets/") and f.endswith(".py")}
    return code


def split(rule: str) -> tuple:
    """(family, stage) of a rule; `<family>_figure_png` runs the figure stage too."""
    group = next(g for g in sorted(GROUPS, key=len, reverse=True) if rule.startswith(g + "_"))
    return group, rule[len(group) + 1 :].removesuffix("_png")


def loaded(rules: list) -> dict:
    """{rule: source files its stage loads}, measured as described above."""
    stages = [(r, *split(r)) for r in rules]
    out = subprocess.run(
        [sys.executable, "-c", LOADED, json.dumps(stages)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return {
        # `python -m sparsenets` also runs __main__, which imports the CLI.
        rule: {str(Path(f).resolve().relative_to(REPO)) for f in files}
        | {"src/sparsenets/__main__.py"}
        for rule, files in json.loads(out).items()
    }


def test_every_rule_depends_on_exactly_the_code_its_stage_imports():
    code = workflow_code()
    rules = sorted(r for r in code if r not in TARGETS)
    assert len(rules) >= 25, rules
    measured = loaded(rules)
    for rule in rules:
        assert code[rule] == set(stage_files(*split(rule))), rule
        assert code[rule] == measured[rule], (
            f"{rule}: listed only {sorted(code[rule] - measured[rule])}, "
            f"imported only {sorted(measured[rule] - code[rule])}"
        )


@pytest.mark.parametrize("rule", DRAWS)
def test_seeding_is_an_input_of_every_job_that_draws(rule):
    assert "src/sparsenets/common/seeding.py" in workflow_code()[rule]


def test_claims_depend_on_the_figure_helpers_they_import():
    assert "src/sparsenets/diagonal/figures.py" in workflow_code()["diagonal_claims"]
    assert "src/sparsenets/diagonal/data.py" in workflow_code()["diagonal_figure"]
    assert "src/sparsenets/depth_separation/train.py" in workflow_code()["depth_separation_metrics"]


def test_an_unknown_stage_is_named(tmp_path):
    with pytest.raises(ValueError, match="no stage function 'nope'"):
        stage_files("diagonal", "nope")
