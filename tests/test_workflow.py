"""The smoke-scale workflow end to end, from an empty results folder to the PDF.

One module-scoped run in a copy of the repository serves several tests: outputs and contract,
a rerun that does nothing, a second run (killed with SIGKILL at a random moment, then resumed)
with byte-identical outputs and MANIFEST hashes, the arXiv tarball compiling alone, the style file
and a family's config rerunning only what depends on them, `snakemake --lint`, and the same
workflow through a real SLURM cluster.
"""

import filecmp
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import threading
import time
from pathlib import Path

import pytest
import yaml

import slurm_cluster
from pdf_text import problems
from sparsenets import FAMILIES
from sparsenets.common.claims import validate

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SMOKE = ["--configfile", "config/smoke.yaml"]  # merged onto config/config.yaml
RESULTS = "results-smoke"
COPY_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", ".snakemake", "results", "results-smoke", "__pycache__", ".*_cache"
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("latexmk") is None, reason="latexmk not installed"),
]


def snakemake(root, *args, check=True, config=SMOKE) -> subprocess.CompletedProcess:
    run = subprocess.run(
        [str(BIN / "snakemake"), "--profile", "workflow/profiles/default", *config, *args],
        cwd=root,
        capture_output=True,
        text=True,
    )
    if check and run.returncode:
        raise AssertionError(f"snakemake {' '.join(args)} failed:\n{run.stdout}\n{run.stderr}")
    return run


def fresh_copy(tmp_path_factory, name) -> Path:
    root = tmp_path_factory.mktemp(name) / "repo"
    shutil.copytree(REPO, root, ignore=COPY_IGNORE)
    return root


@pytest.fixture(scope="module")
def first(tmp_path_factory) -> Path:
    root = fresh_copy(tmp_path_factory, "first")
    snakemake(root)
    return root


@pytest.fixture(scope="module")
def second(tmp_path_factory, first) -> Path:
    """A second run from clean, killed with SIGKILL at a random moment and resumed: it must end
    with the same outputs as the uninterrupted first run."""
    root = fresh_copy(tmp_path_factory, "second")
    delay = random.uniform(2.0, 12.0)
    proc = subprocess.Popen(
        [str(BIN / "snakemake"), "--profile", "workflow/profiles/default", *SMOKE],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    time.sleep(delay)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    print(f"second run killed after {delay:.1f} s")
    snakemake(root, "--unlock")
    snakemake(root)
    return root


def job_counts(dry_run_output: str) -> dict:
    """{rule: count} from the 'Job stats' table of a dry run."""
    counts = {}
    for line in dry_run_output.split("Job stats:", 1)[-1].splitlines():
        m = re.match(r"^(\w+)\s+(\d+)$", line.strip())
        if m and m.group(1) != "total":
            counts[m.group(1)] = int(m.group(2))
    return counts


def test_outputs_follow_the_contract(first):
    out = first / RESULTS
    assert (out / "paper/paper.pdf").read_bytes().startswith(b"%PDF")
    claims = json.loads((out / "diagonal/claims.json").read_text())
    validate(claims)
    assert len(claims) >= 6
    for figure in (out / "diagonal/figures").glob("*.pdf"):
        assert figure.with_suffix(".png").exists()
    macros = (out / "paper/macros.tex").read_text()
    assert r"\newcommand{\DiagFloor}" in macros
    assert (out / "paper/tables/checklist.tex").read_text().count("diagonal") >= len(claims)
    assert list((out / "benchmarks/diagonal_train").glob("*.tsv"))


def test_figures_print_at_natural_size(first):
    """Every figure fits the text width and has no text below 7 pt (pdf_text.problems)."""
    figures = sorted((first / RESULTS).glob("*/figures/*.pdf"))
    assert {p.parts[-3] for p in figures} == set(FAMILIES)
    found = {str(p.relative_to(first)): problems(p.read_bytes()) for p in figures}
    assert not {k: v for k, v in found.items() if v}, found


def test_rerun_does_nothing(first):
    run = snakemake(first, "--dry-run")
    assert "Nothing to be done" in run.stdout + run.stderr


def test_moved_checkout_and_venv_rerun_nothing(first, tmp_path):
    """An evaluator may unpack the repository and its results anywhere and reach the venv by
    another path: no absolute path may enter what Snakemake compares to decide what is stale."""
    moved = tmp_path / "elsewhere"
    shutil.copytree(first, moved, symlinks=True)
    (tmp_path / "venv").symlink_to(BIN.parent, target_is_directory=True)
    python = tmp_path / "venv" / BIN.name / Path(sys.executable).name
    run = subprocess.run(
        [str(python), "-m", "snakemake", "--profile", "workflow/profiles/default", *SMOKE, "-n"],
        cwd=moved,
        capture_output=True,
        text=True,
    )
    assert "Nothing to be done" in run.stdout + run.stderr, run.stdout[-3000:]


def test_two_runs_give_identical_bytes(first, second):
    a, b = first / RESULTS, second / RESULTS
    generated = [
        p.relative_to(a)
        for p in sorted(a.rglob("*"))
        if p.is_file()
        and p.suffix in {".npz", ".csv", ".json", ".pdf", ".png", ".tex"}
        and "benchmarks" not in p.parts
        and "build" not in p.parts
        and p.name not in {"compute.tex", "paper.pdf", "arxiv.tar.gz", "MANIFEST.json"}
    ]
    assert len(generated) > 50
    differ = [str(p) for p in generated if not filecmp.cmp(a / p, b / p, shallow=False)]
    assert not differ, f"outputs differ between two runs: {differ}"
    # The compute appendix reports measured wall times, the one input that changes between runs:
    # given the same timings, the PDF is byte-identical.
    shutil.rmtree(b / "benchmarks")
    # Fresh mtimes: Snakemake counts benchmark files as outputs, and older ones would rerun jobs.
    shutil.copytree(a / "benchmarks", b / "benchmarks", copy_function=shutil.copyfile)
    snakemake(second, "--forcerun", "paper_compute")
    assert filecmp.cmp(
        a / "paper/tables/compute.tex", b / "paper/tables/compute.tex", shallow=False
    )
    assert (a / "paper/paper.pdf").read_bytes() == (b / "paper/paper.pdf").read_bytes()


def dry_run_after_edit(root, path, *targets) -> dict:
    """{rule: jobs} a dry run schedules after a real edit of `path` (a line appended: Snakemake
    compares checksums, so a bare touch would not count); the file is restored afterwards."""
    path = root / path
    original, stat = path.read_text(), path.stat()
    path.write_text(
        original + ("\n# edited\n" if path.suffix == ".py" else "\nlines.linewidth: 1.3\n")
    )
    try:
        return job_counts(snakemake(root, "--dry-run", *targets).stdout)
    finally:  # leave the run as it was for the other tests
        path.write_text(original)
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))


def test_style_change_reruns_only_figures_and_paper(first):
    """Figure rules are `<family>_figure` (PDF) and `<family>_figure_png`; the paper's rules start
    with `paper_`."""
    counts = dry_run_after_edit(first, "workflow/style/matplotlibrc")
    assert {f"{f}_figure" for f in FAMILIES} <= set(counts) and "paper_pdf" in counts
    drawing = {f"{f}_figure" for f in FAMILIES} | {f"{f}_figure_png" for f in FAMILIES}
    assert all(r in drawing or r.startswith("paper_") or r == "all" for r in counts), counts
    # `make figures`: the figures alone.
    counts = dry_run_after_edit(first, "workflow/style/matplotlibrc", "figures")
    assert set(counts) == drawing | {"figures"}, counts


def test_watch_reruns_after_an_edit_and_says_what_reran(first):
    """`make watch` in dry-run mode: one run at start, one after each change of a watched file."""
    style = first / "workflow/style/matplotlibrc"
    original, stat = style.read_text(), style.stat()
    watch = subprocess.Popen(
        [sys.executable, "-m", "sparsenets.watch", *SMOKE, "--dry-run"],
        cwd=first,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines, deadline = [], threading.Timer(300, watch.kill)  # never hang the suite
    deadline.start()
    try:
        for line in watch.stdout:
            lines.append(line)
            if (
                line.startswith("watch: done")
                and len([x for x in lines if "watch: done" in x]) == 1
            ):
                assert "reran: nothing" in line, line
                style.write_text(original + "\nlines.linewidth: 1.3\n")
            elif line.startswith("watch: done"):
                break
    finally:
        deadline.cancel()
        watch.kill()
        style.write_text(original)
        os.utime(style, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    changed = [x for x in lines if x.startswith("watch: changed")]
    assert changed and "matplotlibrc" in changed[0], lines[-20:]
    assert "diagonal_figure ×1" in lines[-1] and "paper_pdf ×1" in lines[-1], lines[-1]


def test_seeding_change_reruns_every_job_that_draws(first):
    counts = dry_run_after_edit(first, "src/sparsenets/common/seeding.py")
    drawing = {
        "diagonal_data",
        "sparse_dnn_fit",
        "depth_separation_data",
        "depth_separation_train",
        "phase_transition_solve",
        "phase_transition_train",
        "splines_data",
        "splines_train",
    }
    assert drawing <= set(counts), counts


def test_figure_code_change_reruns_that_familys_figures_claims_and_paper(first):
    counts = dry_run_after_edit(first, "src/sparsenets/diagonal/figures.py")
    # diagonal/claims.py imports from figures.py, so the claims rerun too.
    assert {"diagonal_figure", "diagonal_claims", "paper_pdf"} <= set(counts)
    others = {r for r in counts if not r.startswith("paper_") and r != "all"}
    assert others == {"diagonal_figure", "diagonal_figure_png", "diagonal_claims"}, counts


def test_lint_and_format_are_clean():
    lint = subprocess.run(
        [str(BIN / "snakemake"), "--lint", *SMOKE], cwd=REPO, capture_output=True, text=True
    )
    text = lint.stdout + lint.stderr
    assert lint.returncode == 0 and "Lints for" not in text, text[-3000:]
    fmt = subprocess.run(
        [str(BIN / "snakefmt"), "--check", "Snakefile", "workflow/rules"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert fmt.returncode == 0, fmt.stderr


def hashes(root) -> dict:
    """{file: sha256} of a run's MANIFEST, without the files that carry measured wall times."""
    manifest = json.loads((root / RESULTS / "MANIFEST.json").read_text())
    skip = set(manifest["run_dependent"]["files"])
    return {f: v["sha256"] for f, v in manifest["files"].items() if f not in skip}


def test_manifest_hashes_agree_between_runs(first, second):
    a, b = hashes(first), hashes(second)
    assert len(a) > 50 and a == b
    manifest = json.loads((first / RESULTS / "MANIFEST.json").read_text())
    assert manifest["config"]["scale"] == "smoke" and "numpy" in manifest["packages"]


def test_arxiv_tarball_compiles_alone(first, tmp_path):
    with tarfile.open(first / RESULTS / "paper/arxiv.tar.gz") as tar:
        names = tar.getnames()
        tar.extractall(tmp_path, filter="data")
    assert "paper.bbl" in names and not any(n.endswith(".bib") for n in names)
    for _ in range(2):
        run = subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "paper.tex"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
        )
        assert run.returncode == 0, run.stdout[-2000:]
    log = (tmp_path / "paper.log").read_text(errors="replace")
    assert "undefined" not in log.lower(), [x for x in log.splitlines() if "ndefined" in x]


def test_family_config_change_reruns_only_that_family_and_paper(first, tmp_path):
    """A user's override file holds one key; it is merged onto the smoke scale as smoke.yaml is
    merged onto the paper scale."""
    smoke = yaml.safe_load((first / "config/smoke.yaml").read_text())
    override = tmp_path / "override.yaml"
    override.write_text(
        yaml.safe_dump(
            {"diagonal": {"records_per_decade": smoke["diagonal"]["records_per_decade"] + 1}}
        )
    )
    args = [*SMOKE, str(override)]
    counts = job_counts(snakemake(first, "--dry-run", config=args).stdout)
    assert "diagonal_train" in counts
    assert all(r.startswith(("diagonal_", "paper_")) or r == "all" for r in counts), counts


@pytest.fixture(scope="module")
def slurm(tmp_path_factory):
    try:
        with slurm_cluster.cluster(tmp_path_factory.mktemp("slurm")) as env:
            yield env
    except slurm_cluster.Unavailable as why:
        pytest.skip(f"no SLURM cluster can be started here: {why}")


def test_slurm_run_matches_local_run(tmp_path_factory, first, slurm):
    """The smoke workflow's cluster jobs (everything up to each family's metrics tables; the
    figures, claims and paper are local rules, run as in the local run) through `--executor slurm`
    with workflow/profiles/slurm: the jobs go through SLURM and every file they write is identical
    to the local run's."""
    root = fresh_copy(tmp_path_factory, "slurm-run")
    targets = sorted(str(p.relative_to(first)) for p in (first / RESULTS).glob("*/metrics/*"))
    assert {t.split("/")[1] for t in targets} == set(FAMILIES), targets
    run = subprocess.run(
        # targets first: --configfile takes every word after it
        [str(BIN / "snakemake"), *targets, "--profile", "workflow/profiles/slurm", *SMOKE],
        cwd=root,
        env=slurm,
        capture_output=True,
        text=True,
    )
    log = run.stdout + run.stderr
    assert run.returncode == 0, log[-4000:]
    assert "has been submitted with SLURM jobid" in log
    done = subprocess.run(
        ["squeue", "-h", "-t", "all", "-o", "%T"], env=slurm, capture_output=True, text=True
    ).stdout.split()
    assert done and set(done) == {"COMPLETED"}, done
    written = [
        p.relative_to(root)
        for folder in (root / RESULTS).iterdir()
        if folder.name not in ("logs", "benchmarks")
        for p in folder.rglob("*")
        if p.is_file()
    ]
    assert len(written) > 100 and set(map(str, written)) >= set(targets)
    differ = [str(f) for f in written if not filecmp.cmp(root / f, first / f, shallow=False)]
    assert not differ, differ


def test_conda_environment_has_exactly_the_pins():
    """envs/sparsenets.yaml (the rules' `conda:` environment) installs what envs/requirements.txt
    pins, no more and no less: the one list of the environment stays the one list."""
    env = yaml.safe_load((REPO / "envs/sparsenets.yaml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    text = (REPO / "envs/requirements.txt").read_text().splitlines()
    pins = [line.strip() for line in text if line.strip() and not line.startswith("#")]
    assert [p for p in pip if not p.startswith("--")] == pins
    assert f"python={sys.version_info.major}.{sys.version_info.minor}" in env["dependencies"]
