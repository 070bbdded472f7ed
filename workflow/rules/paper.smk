# The paper: every family's claims, numbers, figures and tables -> macros, appendix tables -> PDF.
# Included after the family rule files, so FAMILY_OUTPUTS is complete here. Its rules are cheap
# (and need TeX): on a cluster they run on the submitting host.

import glob

PAPER = f"{RESULTS}/paper"
PAPER_BUILD = {
    "source_date_epoch": source_date_epoch(),
    "families": list(FAMILY_OUTPUTS),
}
# Read by common/claims.py when it validates the claims files.
CLAIMS_SCHEMA = "workflow/schemas/claims.schema.yaml"

job(
    "paper",
    "macros",
    input=dict(claims=family_files("claims"), numbers=family_files("numbers")),
    after=dict(schema=CLAIMS_SCHEMA),
    output=dict(macros=f"{PAPER}/macros.tex"),
    params={
        "build": {
            "git": GIT,
            "scale": config["scale"],
            "repository_url": config.get("repository_url", ""),
        }
    },
    localrule=True,
    priority=PAPER_FIRST,
)

job(
    "paper",
    "checklist",
    input=dict(claims=family_files("claims"), changes="paper/criteria_changes.csv"),
    # The families' criteria tables are printed too (read from the package, as the claims do).
    after=dict(
        schema=CLAIMS_SCHEMA,
        criteria=[f"src/sparsenets/{f}/criteria.csv" for f in FAMILY_OUTPUTS],
    ),
    output=dict(checklist=f"{PAPER}/tables/checklist.tex"),
    localrule=True,
    priority=PAPER_FIRST,
)

# The benchmark files are read at run time; waiting for every family's claims makes this job run
# after all experiment jobs, so the table covers all of them.
job(
    "paper",
    "compute",
    after=dict(claims=family_files("claims")),
    output=dict(compute=f"{PAPER}/tables/compute.tex"),
    # Not the paper's own rules, nor the figure jobs, which run alongside this one (after a
    # restyle only they and the paper rerun, and this job stays off that path): the table must
    # not depend on how far they got.
    params={
        "benchmarks": f"{RESULTS}/benchmarks",
        "exclude": r"paper_|\w+_figure(_png)?$",
    },
    localrule=True,
    priority=PAPER_FIRST,
)

job(
    "paper",
    "pdf",
    input=dict(
        tex="paper/paper.tex",
        bib="paper/refs.bib",
        sections=sorted(glob.glob("paper/sections/*.tex")),
    ),
    after=dict(
        macros=f"{PAPER}/macros.tex",
        checklist=f"{PAPER}/tables/checklist.tex",
        compute=f"{PAPER}/tables/compute.tex",
        figures=family_files("figures"),
        tables=family_files("tables"),
    ),
    output=dict(pdf=f"{PAPER}/paper.pdf"),
    params=PAPER_BUILD,
    localrule=True,
    priority=PAPER_FIRST,
)

job(
    "paper",
    "arxiv",
    input=dict(pdf=f"{PAPER}/paper.pdf"),
    output=dict(tarball=f"{PAPER}/arxiv.tar.gz"),
    params=PAPER_BUILD,
    localrule=True,
    priority=PAPER_FIRST,
)

# After everything else: hashes of every result file, with the commit, packages and config.
job(
    "paper",
    "manifest",
    after=dict(
        pdf=f"{PAPER}/paper.pdf",
        tarball=f"{PAPER}/arxiv.tar.gz",
        pngs=family_files("pngs"),
    ),
    output=dict(manifest=f"{RESULTS}/MANIFEST.json"),
    params={"results": RESULTS, "config": config, "git": GIT},
    localrule=True,
    priority=PAPER_FIRST,
)
