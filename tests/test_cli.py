"""The CLI a person uses to run or inspect one stage: help lists families, stages and keys; a bad
key stops the call in one line that names it, before the stage runs."""

import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from sparsenets import FAMILIES
from sparsenets.cli import GROUPS, main, parse, stages

REPO = Path(__file__).resolve().parents[1]


def run(*args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sparsenets", *args], capture_output=True, text=True, cwd=cwd
    )


def test_help_lists_every_family_and_its_stages():
    out = run("--help")
    assert out.returncode == 0
    for group in (*FAMILIES, "paper"):
        assert group in out.stdout
        assert f"stages: {', '.join(stages(group))}" in " ".join(out.stdout.split())


@pytest.mark.parametrize(
    "group, stage, expected",
    [
        ("diagonal", "train", ["--in      data", "--out     run", "records_per_decade"]),
        (
            "phase_transition",
            "figure",
            [
                "trials, cells, thresholds, train_trials, train_cells, style",
                "pdf (optional), png (optional)",
            ],
        ),
        ("paper", "pdf", ["bib (optional)", "source_date_epoch (optional)"]),
        ("sparse_dnn", "claims", ["the family's config section"]),
    ],
)
def test_stage_help_lists_its_keys(capsys, group, stage, expected):
    with pytest.raises(SystemExit) as done:
        main([group, stage, "--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    for piece in expected:
        assert piece in text


def test_every_stage_declares_its_keys():
    for group in GROUPS:
        for name, fn in stages(group).items():
            assert hasattr(fn, "keys"), f"{group} {name}: no @stage(...) declaration"


FIGURE = ["diagonal", "figure", "--in", "tables=t.csv", "--in", "style=rc"]
OUT = ["--out", "pdf=f.pdf", "--out", "png=f.png"]
PARAMS = ["--params", '{"figures": ["kernel"]}']


@pytest.mark.parametrize(
    "args, named",
    [
        (["--params", "{}", *OUT], "missing --params key 'figures'"),
        ([*PARAMS, *OUT, "--in", "tabels=t.csv"], "unknown --in key 'tabels'"),
        (["--params", '{"figures": ["kernel"], "dpi": 3}', *OUT], "unknown --params key 'dpi'"),
        (["--params", "[1]", *OUT], "--params must be a JSON object"),
    ],
)
def test_bad_key_is_one_line_naming_it(tmp_path, args, named):
    out = run(*FIGURE, *args, cwd=tmp_path)
    assert out.returncode != 0
    assert len(out.stderr.strip().splitlines()) == 1  # one line, no traceback
    assert named in out.stderr
    assert not list(tmp_path.iterdir())  # stopped before the stage ran


def test_every_command_of_the_workflow_matches_its_stage_declaration():
    """Each job's command line (a dry run of the smoke scale, every job) names exactly the keys its
    stage declares: the declarations and the rules cannot drift apart."""
    run = subprocess.run(
        [str(Path(sys.executable).parent / "snakemake"), "--configfile", "config/smoke.yaml"]
        + ["--dry-run", "--printshellcmds", "--forceall"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    calls = [
        shlex.split(line.split(" -m sparsenets ", 1)[1].split(" > ")[0])
        for line in (run.stdout + run.stderr).splitlines()
        if " -m sparsenets " in line
    ]
    assert len(calls) > 60
    for argv in calls:
        try:
            parse(argv)
        except SystemExit as err:
            pytest.fail(f"{' '.join(argv[:2])}: {err}")
