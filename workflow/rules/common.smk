# Helpers shared by the rule files. `job` defines a rule from its named inputs, outputs and params;
# `family_rules` defines a family's figures, claims and target rules (called once per family).

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from snakemake.settings.types import DeploymentMethod

from sparsenets.codedeps import stage_files
from sparsenets.paper.provenance import git_state


def _one_pending_reevaluation():
    """Snakemake 9.27's scheduler loop starts a 1 s re-evaluation timer on every pass, and every
    timer's release starts another pass: each event that wakes the loop (a job finishing) adds a
    chain of timers that never ends. In a paper run the head process made about 176 empty passes
    a second and took 45 % of a core from the jobs (630 000 timer threads by 69 % of the run;
    issue 20). The timer is there to wake the loop once the job rate limit (100/s, never reached
    here) frees up; one pending timer does that. Daemon timers also let Snakemake exit at once.
    """
    import threading

    from snakemake.scheduling.job_scheduler import JobScheduler

    lock = threading.Lock()

    def schedule(self, delay):
        with lock:
            if getattr(self, "_reevaluation_pending", False):
                return
            self._reevaluation_pending = True

        def fire():
            with lock:
                self._reevaluation_pending = False
            self._open_jobs.release()

        timer = threading.Timer(delay, fire)
        timer.daemon = True
        timer.start()

    JobScheduler._schedule_reevalutation = schedule


_one_pending_reevaluation()


RESULTS = config["results"]
STYLE = "workflow/style/matplotlibrc"
# Jobs run `python3` with this checkout's src/ first on the module path: the interpreter running
# Snakemake (the project's .venv, with the pinned packages) or, under `--sdm conda`, the
# environment of envs/sparsenets.yaml. No absolute path enters the command line, which Snakemake
# compares to decide what is stale: another path to the same venv, or a moved checkout, reruns
# nothing. Jobs inherit the environment, on a cluster too (it is set again at each parse).
CONDA_ENV = str(Path(workflow.basedir) / "envs" / "sparsenets.yaml")
PYTHON = "python3"


def _prepend(var, folder):
    parts = os.environ.get(var, "").split(os.pathsep)
    if parts[0] != folder:
        os.environ[var] = os.pathsep.join([folder, *filter(None, parts)])


_prepend("PYTHONPATH", str(Path(workflow.basedir) / "src"))
if DeploymentMethod.CONDA not in workflow.deployment_settings.deployment_method:
    _prepend("PATH", str(Path(sys.executable).parent))
# Every numeric library runs the threads the rule declares, no more (no oversubscription).
THREADS_ENV = " ".join(
    f"{var}={{threads}}"
    for var in (
        "OMP_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "MKL_NUM_THREADS",
        "NUMBA_NUM_THREADS",
    )
)

# Commit and dirtiness at start-up: printed in the paper and recorded in the manifest.
GIT = git_state()

# The order of ready jobs on a few cores (list scheduling): data jobs first (seconds each, they
# unlock the heavy stages), then the heavy stages' jobs longest first, so that no long job starts
# last while the other core idles; then the jobs between an edit and a new paper.pdf; the rest
# (PNG figures) last. Snakemake breaks ties by input size, which put the jobs with no file inputs
# last: the sparse_dnn fits and the phase-transition solves, the largest of the run.
DATA_FIRST = 3
PAPER_FIRST = 1


def longest_first(seconds):
    """Priority of a heavy job from a rough estimate of its seconds at the paper scale (a function
    of the wildcards): above PAPER_FIRST, below DATA_FIRST, longer first. Only the order of the
    estimates matters."""

    def priority(wildcards):
        s = seconds(wildcards)
        return 2 + s / (s + 1)

    return priority


# Filled by each family's rule file with what its figures, claims and tables rules read and write.
FAMILY = {}
# Filled by family_rules: each family's claims, numbers, figures and tables, for the paper.
FAMILY_OUTPUTS = {}


def as_json(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


def metrics_tables(family_dir, experiments, tables):
    """The metrics CSVs <experiment>_<table>.csv of the given experiments."""
    return [f"{family_dir}/metrics/{e}_{t}.csv" for e in experiments for t in tables]


def _wildcards(paths):
    """Wildcard names in the paths, in order of first appearance."""
    names = []
    for path in paths:
        for name in re.findall(r"(?<!{){(\w+)(?:,[^}]*)?}(?!})", str(path)):
            names += [name] if name not in names else []
    return names


def _flat(value):
    return [value] if isinstance(value, str) else list(value)


def cli_args(flag, named):
    """`--in key=path` once per path (the CLI turns a repeated key into a list), shell-quoted."""
    return " ".join(
        f"{flag} {key}={shlex.quote(path)}"
        for key, paths in named.items()
        for path in _flat(paths)
    )


def job(
    family, stage, *, output, input={}, after={}, params={}, threads=1, **directives
):
    """Rule `<family>_<stage>`: runs `python -m sparsenets <family> <stage>` (`paper` counts as a
    family here).

    Its named `input` and `output` become the command's --in/--out keys and `params` (a dict, or
    a function of the wildcards) its --params JSON; `after` holds inputs the command does not read
    (ordering only). The code inputs are the source files the stage imports, so an edit reruns
    exactly the jobs that ran it. Log and benchmark paths carry the outputs' wildcards.
    `directives`: name (when one stage has two rules), resources, group (for cluster jobs),
    localrule, priority.
    """
    name = directives.get("name", f"{family}_{stage}")
    pattern = "-".join(f"{{{w}}}" for w in _wildcards(_flat_all(output))) or "all"
    given = list(input)

    rule:
        name:
            name
        input:
            **input,
            **after,
            code=stage_files(family, stage),
        output:
            **output,
        log:
            f"{RESULTS}/logs/{name}/{pattern}.log",
        benchmark:
            f"{RESULTS}/benchmarks/{name}/{pattern}.tsv"
        priority: directives.get("priority", 0)
        group:
            directives.get("group")
        localrule: directives.get("localrule", False)
        conda:
            CONDA_ENV
        threads: threads
        resources:
            **directives.get("resources", {}),
        params:
            spec=lambda w: as_json(params(w) if callable(params) else params),
            args=lambda wildcards, input, output: cli_args(
                "--in", {k: input[k] for k in given}
            )
            + " "
            + cli_args("--out", {k: output[k] for k in output.keys()}),
        message:
            f"{name}" + (" {wildcards}" if pattern != "all" else "")
        shell:
            f"{THREADS_ENV} {PYTHON} -m sparsenets {family} {stage} {{params.args}}"
            " --params {params.spec:q} > {log:q} 2>&1"


def _flat_all(named):
    return [p for value in named.values() for p in _flat(value)]


# The report() flag, under a name the parser does not take for the `report` keyword.
mark_for_report = report


def family_rules(family):
    """A family's figures (one job draws them all: one start-up), claims and target rules, from
    FAMILY[family]: figures (names), figure_inputs, figure_params, claims_inputs, claims_params,
    tables (the LaTeX tables the claims stage writes)."""
    spec, out = FAMILY[family], f"{RESULTS}/{family}"
    figures = spec["figures"]
    pdfs = [f"{out}/figures/{f}.pdf" for f in figures]
    caption = f"../report/{family}.rst"
    pngs = [
        mark_for_report(f"{out}/figures/{f}.png", caption, family, labels={"figure": f})
        for f in figures
    ]
    # The PDFs (for the paper) and the PNGs (for the report) are drawn by two jobs, PDFs first:
    # after a restyle the new paper does not wait for 300 dpi rasters.
    drawing = dict(
        input={**spec["figure_inputs"], "style": STYLE},
        params={"figures": figures, **spec.get("figure_params", {})},
        localrule=True,
    )
    job(family, "figure", output=dict(pdf=pdfs), priority=PAPER_FIRST, **drawing)
    job(family, "figure", name=f"{family}_figure_png", output=dict(png=pngs), **drawing)
    tables = {t: f"{out}/tables/{t}.tex" for t in spec["tables"]}
    outputs = dict(claims=f"{out}/claims.json", numbers=f"{out}/numbers.json")
    job(
        family,
        "claims",
        input=spec["claims_inputs"],
        # Read from the package by the claims code (common/criteria.py); data, not an import.
        after=dict(criteria=f"src/sparsenets/{family}/criteria.csv"),
        output={**outputs, **tables},
        params=spec["claims_params"],
        localrule=True,
    )
    FAMILY_OUTPUTS[family] = dict(
        **outputs, figures=pdfs, pngs=pngs, tables=list(tables.values())
    )

    # `snakemake <family>`: the family's claims, numbers, figures and tables, without the paper.
    rule:
        name:
            family
        input:
            **FAMILY_OUTPUTS[family],
        localrule: True


def family_files(kind):
    """Every family's `kind` output: claims and numbers are one path each, figures and tables lists."""
    return [p for outputs in FAMILY_OUTPUTS.values() for p in _flat(outputs[kind])]


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
