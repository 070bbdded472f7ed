"""Paper stages: family outputs -> macros.tex, checklist and compute tables -> paper.pdf.

Each stage is fn(inputs, outputs, params), called by `python -m sparsenets paper <stage>`.
A family's files live in RESULTS/<family>/, so the family name is the folder of its claims.json.
"""

import csv
import os
import shutil
import subprocess
from pathlib import Path

from sparsenets.common import criteria, io, latex
from sparsenets.common.claims import validate
from sparsenets.common.stage import stage
from sparsenets.paper import provenance

LATEXMK = [
    "latexmk",
    "-norc",  # a personal latexmkrc must not change the build
    "-pdf",
    "-halt-on-error",
    "-interaction=nonstopmode",
    "-file-line-error",
]
# latexmk's output folder inside the paper folder. Kept between builds: latexmk reruns only the
# passes a change needs (one pdflatex pass after a text edit, instead of three and bibtex), and
# reruns until the aux files are stable, so the PDF equals a build from clean (tested).
BUILD_DIR = "build"
# The criteria-changes table, a paper source; a rule may pass it as the input `changes`.
CHANGES = Path(__file__).resolve().parents[3] / "paper" / "criteria_changes.csv"


def _paths(inputs: dict, key: str) -> list:
    value = inputs.get(key, [])
    return [Path(p) for p in io.as_list(value)]


def _by_family(inputs: dict, key: str) -> dict:
    """{family: path} for files RESULTS/<family>/<name>; a family listed twice is a wiring error."""
    out = {}
    for path in _paths(inputs, key):
        family = path.parent.name
        if family in out:
            raise SystemExit(f"error: two {key} files for family {family}: {out[family]}, {path}")
        out[family] = path
    return out


def _claims(inputs: dict) -> dict:
    claims = {}
    for family, path in _by_family(inputs, "claims").items():
        data = io.read_json(path)
        if not isinstance(data, list):
            raise SystemExit(f"error: {path}: expected a JSON list of claims")
        try:
            validate(data, str(path))
        except ValueError as err:
            raise SystemExit(f"error: {err}") from err
        claims[family] = data
    return claims


@stage(inputs="claims? numbers?", outputs="macros", params="build?")
def macros(inputs: dict, outputs: dict, params: dict) -> None:
    """Every family's numbers.json plus claim counts, as \\newcommand lines."""
    sources = [(str(p), io.read_json(p)) for p in _by_family(inputs, "numbers").values()]
    sources.append(("claim counts from claims.json", latex.count_macros(_claims(inputs))))
    if "build" in params:
        build = params["build"]
        url = build.get("repository_url", "")
        facts = provenance.build_macros(build["git"], build["scale"], url)
        sources.append(("build facts", facts))
    try:
        text = latex.macro_file(sources)
    except ValueError as err:
        raise SystemExit(f"error: {err}") from err
    io.write_text(outputs["macros"], text)


@stage(inputs="claims? changes?", outputs="checklist")
def checklist(inputs: dict, outputs: dict, params: dict) -> None:
    """Appendix A: the claims, then the families' criteria tables, then the criteria changes."""
    claims = _claims(inputs)
    tables = {
        f: criteria.load(f) for f in claims if (criteria.PACKAGE / f / "criteria.csv").exists()
    }
    changes_path = Path(inputs.get("changes", CHANGES))
    with open(changes_path, newline="", encoding="utf-8") as fh:
        changes = list(csv.DictReader(fh))
    text = "\n".join(
        [latex.checklist_table(claims), latex.criteria_table(tables), latex.changes_table(changes)]
    )
    io.write_text(outputs["checklist"], text)


@stage(outputs="compute", params="benchmarks exclude?")
def compute(inputs: dict, outputs: dict, params: dict) -> None:
    """Reads the benchmark files present now; the rule's inputs order it after all experiments."""
    runs = latex.read_benchmarks(params["benchmarks"], params.get("exclude", "paper_"))
    io.write_text(outputs["compute"], latex.compute_table(runs))


@stage(inputs="tex bib? sections?", outputs="pdf", params="source_date_epoch? families?")
def pdf(inputs: dict, outputs: dict, params: dict) -> None:
    """Copy the sources next to the generated files, run latexmk, keep the PDF."""
    if shutil.which("latexmk") is None:
        raise SystemExit(
            "error: latexmk is not on PATH. Install the TeX packages listed in envs/apt.txt "
            "(`make paper` installs them) and rerun."
        )
    missing = [str(p) for key in inputs for p in _paths(inputs, key) if not p.exists()]
    if missing:
        raise SystemExit(f"error: paper inputs missing: {', '.join(missing)}")
    out_pdf = Path(outputs["pdf"])
    main, sources = _copy_sources(inputs, out_pdf.parent)
    # One section per family in the config, in the paper's order.
    families = params.get("families", [])
    io.write_text(
        out_pdf.parent / "families.tex", "".join(f"\\input{{sections/{f}}}\n" for f in families)
    )
    _fresh_build_if_sources_changed(main.parent / BUILD_DIR, sources + families)
    _run_latexmk(main, out_pdf, int(params.get("source_date_epoch", 0)))


def _fresh_build_if_sources_changed(build: Path, sources: list) -> None:
    """latexmk notices edited files but not a deleted one (a stale copy would still compile), so
    the build folder starts empty whenever the list of sources or families changes."""
    listing = "\n".join(map(str, sources)) + "\n"
    record = build / "sources.txt"
    if not record.exists() or record.read_text(encoding="utf-8") != listing:
        shutil.rmtree(build, ignore_errors=True)
        io.write_text(record, listing)


def _copy_sources(inputs: dict, dest: Path) -> tuple:
    """Copy tex, bib and sections into dest with their layout relative to the main file's folder;
    returns the main file's copy and the sources' relative paths.

    Folders of copied sources (e.g. sections/) are emptied first, so a deleted source file cannot
    linger as a stale copy that still compiles.
    """
    tex = Path(inputs["tex"])
    root = tex.parent
    sources = [tex] + _paths(inputs, "bib") + _paths(inputs, "sections")
    relative = []
    for path in sources:
        try:
            relative.append(path.relative_to(root))
        except ValueError as err:
            raise SystemExit(f"error: paper source {path} is not under {root}") from err
    for folder in {r.parent for r in relative if r.parent != Path(".")}:
        shutil.rmtree(dest / folder, ignore_errors=True)
    for path, rel in zip(sources, relative, strict=True):
        io.write_text(dest / rel, path.read_text(encoding="utf-8"))
    return dest / tex.name, sorted(relative)


def _tex_env(source_date_epoch: int) -> dict:
    env = dict(os.environ)
    env.update(
        SOURCE_DATE_EPOCH=str(source_date_epoch),
        FORCE_SOURCE_DATE="1",  # \today and the PDF dates come from SOURCE_DATE_EPOCH too
        TZ="UTC",
        max_print_line="10000",  # unwrapped log lines, so warnings match in one piece
        error_line="254",
        half_error_line="238",
    )
    return env


def _run_latexmk(main: Path, out_pdf: Path, source_date_epoch: int) -> None:
    cwd = main.parent
    build = cwd / BUILD_DIR
    proc = subprocess.run(
        [*LATEXMK, f"-outdir={BUILD_DIR}", main.name],
        cwd=cwd,
        env=_tex_env(source_date_epoch),
        capture_output=True,
        text=True,
        errors="replace",
    )
    log = build / f"{main.stem}.log"
    log_text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
    problems = latex.log_errors(log_text) if proc.returncode else []
    problems += latex.reference_warnings(log_text)
    if proc.returncode or problems:
        if not problems:  # e.g. bibtex failed: latexmk's own output says why
            problems = (proc.stdout + proc.stderr).strip().splitlines()[-15:]
        detail = "\n  ".join(problems)
        raise SystemExit(f"LaTeX failed building {out_pdf}:\n  {detail}\nFull log: {log}")
    with io.atomic_path(out_pdf) as tmp:
        shutil.copyfile(build / f"{main.stem}.pdf", tmp)


@stage(outputs="manifest", params="results config git")
def manifest(inputs: dict, outputs: dict, params: dict) -> None:
    """sha256 and size of every result file, with the commit, packages and resolved config."""
    results = Path(params["results"])
    record = provenance.manifest(results, params["config"], params["git"])
    io.write_json(outputs["manifest"], record)


@stage(inputs="pdf", outputs="tarball", params="source_date_epoch families")
def arxiv(inputs: dict, outputs: dict, params: dict) -> None:
    """The paper's sources, generated files and .bbl in one tarball that compiles with pdflatex."""
    paper_dir = Path(inputs["pdf"]).parent
    members = provenance.arxiv_members(paper_dir, paper_dir.parent, params["families"])
    provenance.write_tarball(outputs["tarball"], members, int(params["source_date_epoch"]))


STAGES = {
    "macros": macros,
    "checklist": checklist,
    "compute": compute,
    "pdf": pdf,
    "manifest": manifest,
    "arxiv": arxiv,
}
