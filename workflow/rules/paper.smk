# The paper: every family's claims, numbers, figures and tables -> macros, appendix tables -> PDF.
# Included after the family rule files, so FAMILY_OUTPUTS is complete here. Helpers: common.smk.

import glob

PAPER = f"{RESULTS}/paper"


# The paper's rules are cheap (and need TeX): on a cluster they run on the submitting host.
localrules:
    paper_macros,
    paper_checklist,
    paper_compute,
    paper_pdf,
    paper_arxiv,
    paper_manifest,


PAPER_SOURCES = dict(
    tex="paper/paper.tex",
    bib="paper/refs.bib",
    sections=sorted(glob.glob("paper/sections/*.tex")),
)


rule paper_macros:
    input:
        claims=family_files("claims"),
        numbers=family_files("numbers"),
        code=src("paper", "stages") + src("common", "latex", "claims"),
    output:
        macros=f"{PAPER}/macros.tex",
    log:
        log_path("paper_macros"),
    benchmark:
        bench_path("paper_macros")
    conda:
        "../../envs/conda.yaml"
    params:
        cli=SPARSENETS,
        inputs=lambda wildcards, input: cli_inputs(
            claims=input.claims, numbers=input.numbers
        ),
        json=as_json(
            {
                "build": {
                    "git": GIT,
                    "scale": config["scale"],
                    "repository_url": config.get("repository_url", ""),
                }
            }
        ),
    shell:
        "{params.cli} paper macros {params.inputs} --out macros={output.macros:q}"
        " --params {params.json:q} > {log:q} 2>&1"


rule paper_checklist:
    input:
        claims=family_files("claims"),
        code=src("paper", "stages") + src("common", "latex", "claims"),
    output:
        checklist=f"{PAPER}/tables/checklist.tex",
    log:
        log_path("paper_checklist"),
    benchmark:
        bench_path("paper_checklist")
    conda:
        "../../envs/conda.yaml"
    params:
        cli=SPARSENETS,
        inputs=lambda wildcards, input: cli_inputs(claims=input.claims),
    shell:
        "{params.cli} paper checklist {params.inputs} --out checklist={output.checklist:q}"
        " > {log:q} 2>&1"


# The benchmark files are read at run time; depending on every family's claims and figures makes
# this job run after all experiment jobs, so the table covers all of them.
rule paper_compute:
    input:
        claims=family_files("claims"),
        figures=family_files("figures"),
        code=src("paper", "stages") + src("common", "latex"),
    output:
        compute=f"{PAPER}/tables/compute.tex",
    log:
        log_path("paper_compute"),
    benchmark:
        bench_path("paper_compute")
    conda:
        "../../envs/conda.yaml"
    params:
        cli=SPARSENETS,
        json=as_json(
            {"benchmarks": f"{RESULTS}/benchmarks", "exclude_prefix": "paper_"}
        ),
    shell:
        "{params.cli} paper compute --out compute={output.compute:q} --params {params.json:q}"
        " > {log:q} 2>&1"


rule paper_pdf:
    input:
        **PAPER_SOURCES,
        macros=rules.paper_macros.output.macros,
        checklist=rules.paper_checklist.output.checklist,
        compute=rules.paper_compute.output.compute,
        figures=family_files("figures"),
        tables=family_files("tables"),
        code=src("paper", "stages") + src("common", "latex", "io"),
    output:
        pdf=f"{PAPER}/paper.pdf",
    log:
        log_path("paper_pdf"),
    benchmark:
        bench_path("paper_pdf")
    conda:
        "../../envs/conda.yaml"
    params:
        cli=SPARSENETS,
        inputs=lambda wildcards, input: cli_inputs(
            tex=input.tex, bib=input.bib, sections=input.sections
        ),
        json=as_json(
            {
                "source_date_epoch": source_date_epoch(),
                "families": list(FAMILY_OUTPUTS),
            }
        ),
    shell:
        "{params.cli} paper pdf {params.inputs} --out pdf={output.pdf:q} --params {params.json:q}"
        " > {log:q} 2>&1"


rule paper_arxiv:
    input:
        pdf=rules.paper_pdf.output.pdf,
        code=src("paper", "stages", "provenance"),
    output:
        tarball=f"{PAPER}/arxiv.tar.gz",
    log:
        log_path("paper_arxiv"),
    benchmark:
        bench_path("paper_arxiv")
    conda:
        "../../envs/conda.yaml"
    params:
        cli=SPARSENETS,
        json=as_json(
            {
                "source_date_epoch": source_date_epoch(),
                "families": list(FAMILY_OUTPUTS),
            }
        ),
    shell:
        "{params.cli} paper arxiv --in pdf={input.pdf:q} --out tarball={output.tarball:q}"
        " --params {params.json:q} > {log:q} 2>&1"


# After everything else: hashes of every result file, with the commit, packages and config.
rule paper_manifest:
    input:
        pdf=rules.paper_pdf.output.pdf,
        tarball=rules.paper_arxiv.output.tarball,
        code=src("paper", "stages", "provenance"),
    output:
        manifest=f"{RESULTS}/MANIFEST.json",
    log:
        log_path("paper_manifest"),
    benchmark:
        bench_path("paper_manifest")
    conda:
        "../../envs/conda.yaml"
    params:
        cli=SPARSENETS,
        json=as_json({"results": RESULTS, "config": config, "git": GIT}),
    shell:
        "{params.cli} paper manifest --out manifest={output.manifest:q}"
        " --params {params.json:q} > {log:q} 2>&1"
