# Helpers shared by the rule files (paths, the CLI call, each family's outputs for the paper).

import json
import shlex
import subprocess
import sys

from sparsenets.paper.provenance import git_state

RESULTS = config["results"]
STYLE = "workflow/style/matplotlibrc"
# The interpreter running Snakemake (the project's .venv), so jobs see the pinned packages.
SPARSENETS = f"{sys.executable} -m sparsenets"

# Commit and dirtiness at start-up: printed in the paper and recorded in the manifest.
GIT = git_state()

# Filled by each family's rule file with the claims, numbers, figures and tables the paper reads.
FAMILY_OUTPUTS = {}


def src(group, *modules):
    """Source files of a stage: a code change reruns exactly the jobs that ran that code."""
    return [f"src/sparsenets/{group}/{m}.py" for m in modules]


def as_json(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


def metrics_tables(family_dir, experiments, tables):
    """The metrics CSVs <experiment>_<table>.csv of the given experiments."""
    return [f"{family_dir}/metrics/{e}_{t}.csv" for e in experiments for t in tables]


def log_path(rule_name, pattern="all"):
    return f"{RESULTS}/logs/{rule_name}/{pattern}.log"


def bench_path(rule_name, pattern="all"):
    return f"{RESULTS}/benchmarks/{rule_name}/{pattern}.tsv"


def source_date_epoch():
    """Commit time of HEAD (0 outside a git checkout): the date printed in the PDF."""
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%ct"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return int(out) if out else 0
    except (OSError, subprocess.CalledProcessError, ValueError):
        return 0


def family_files(kind):
    """Every family's `kind` output: claims and numbers are one path each, figures and tables lists."""
    files = []
    for outputs in FAMILY_OUTPUTS.values():
        value = outputs[kind]
        files += [value] if isinstance(value, str) else list(value)
    return files


def cli_inputs(**named):
    """`--in key=path` once per path (the CLI turns a repeated key into a list), shell-quoted."""
    return " ".join(
        f"--in {key}={shlex.quote(path)}"
        for key, paths in named.items()
        for path in ([paths] if isinstance(paths, str) else paths)
    )
