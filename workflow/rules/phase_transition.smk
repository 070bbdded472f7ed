# Phase transitions of planted-neuron recovery (Wang, Hua, Candès & Pilanci, IEEE TIT 2025):
# solve (one job per experiment × d, trials batched) and train (one job per d) → metrics →
# figures, claims.

from sparsenets.phase_transition.settings import experiments as ptr_experiments
from sparsenets.phase_transition.settings import grid as ptr_grid
from sparsenets.phase_transition.settings import jobs as ptr_jobs

validate(config["phase_transition"], "../schemas/phase_transition.schema.yaml")
PTR = config["phase_transition"]
PTR_OUT = f"{RESULTS}/phase_transition"
PTR_EXPERIMENTS = ptr_experiments(PTR)
PTR_SOLVES = [f"{PTR_OUT}/runs/{e}/d{d}.csv" for e, d in ptr_jobs(PTR)]
PTR_TRAINS = expand(f"{PTR_OUT}/train/d{{d}}.csv", d=ptr_grid(PTR["train"]["d"]))
PTR_FIGURES = ["phase", "noise", "train"]
PTR_METRICS = ["trials", "cells", "thresholds", "train_cells"]


# Cheap rules run on the submitting host when the workflow runs on a cluster.
localrules:
    phase_transition_figure,
    phase_transition_claims,
    phase_transition,


FAMILY_OUTPUTS["phase_transition"] = dict(
    claims=f"{PTR_OUT}/claims.json",
    numbers=f"{PTR_OUT}/numbers.json",
    figures=expand(f"{PTR_OUT}/figures/{{figure}}.pdf", figure=PTR_FIGURES),
    tables=expand(f"{PTR_OUT}/tables/{{table}}.tex", table=["settings", "thresholds"]),
)


rule phase_transition_solve:
    input:
        code=src("phase_transition", "data", "models", "solve", "settings"),
    output:
        trials=f"{PTR_OUT}/runs/{{experiment}}/d{{d}}.csv",
        methods=f"{PTR_OUT}/runs/{{experiment}}/d{{d}}_methods.csv",
    log:
        log_path("phase_transition_solve", "{experiment}-d{d}"),
    benchmark:
        bench_path("phase_transition_solve", "{experiment}-d{d}")
    wildcard_constraints:
        d=r"\d+",
    group:
        "phase_transition"
    conda:
        "../../envs/conda.yaml"
    resources:
        mem_mb=2000,
        runtime=60,
    params:
        cli=SPARSENETS,
        spec=lambda w: as_json(
            {
                "seed": config["seed"],
                "experiment": w.experiment,
                "d": int(w.d),
                "spec": PTR_EXPERIMENTS[w.experiment],
                "tol": PTR["tol"],
                "min_samples": PTR["min_samples"],
                "batch": PTR["batch"],
            }
        ),
    shell:
        "{params.cli} phase_transition solve --out trials={output.trials}"
        " --out methods={output.methods} --params {params.spec:q} > {log} 2>&1"


rule phase_transition_train:
    input:
        code=src("phase_transition", "data", "train"),
    output:
        train=f"{PTR_OUT}/train/d{{d}}.csv",
    log:
        log_path("phase_transition_train", "d{d}"),
    benchmark:
        bench_path("phase_transition_train", "d{d}")
    wildcard_constraints:
        d=r"\d+",
    conda:
        "../../envs/conda.yaml"
    resources:
        mem_mb=2000,
        runtime=60,
    params:
        cli=SPARSENETS,
        spec=lambda w: as_json(
            {"seed": config["seed"], "d": int(w.d), "train": PTR["train"]}
        ),
    shell:
        "{params.cli} phase_transition train --out train={output.train}"
        " --params {params.spec:q} > {log} 2>&1"


rule phase_transition_metrics:
    input:
        trials=PTR_SOLVES,
        train=PTR_TRAINS,
        code=src("phase_transition", "metrics"),
    output:
        **{t: f"{PTR_OUT}/metrics/{t}.csv" for t in PTR_METRICS},
    log:
        log_path("phase_transition_metrics"),
    benchmark:
        bench_path("phase_transition_metrics")
    conda:
        "../../envs/conda.yaml"
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        cli=SPARSENETS,
        spec=as_json({"seed": config["seed"]}),
    shell:
        "{params.cli} phase_transition metrics --in trials={input.trials}"
        " --in train={input.train} --out trials={output.trials} --out cells={output.cells}"
        " --out thresholds={output.thresholds} --out train_cells={output.train_cells}"
        " --params {params.spec:q} > {log} 2>&1"


rule phase_transition_figure:
    input:
        cells=f"{PTR_OUT}/metrics/cells.csv",
        thresholds=f"{PTR_OUT}/metrics/thresholds.csv",
        train_cells=f"{PTR_OUT}/metrics/train_cells.csv",
        style=STYLE,
        code=src("phase_transition", "figures"),
    output:
        pdf=f"{PTR_OUT}/figures/{{figure}}.pdf",
        png=report(
            f"{PTR_OUT}/figures/{{figure}}.png",
            caption="../report/phase_transition.rst",
            category="phase_transition",
            labels={"figure": "{figure}"},
        ),
    log:
        log_path("phase_transition_figure", "{figure}"),
    benchmark:
        bench_path("phase_transition_figure", "{figure}")
    conda:
        "../../envs/conda.yaml"
    params:
        cli=SPARSENETS,
        spec=lambda w: as_json({"figure": w.figure}),
    shell:
        "{params.cli} phase_transition figure --in cells={input.cells}"
        " --in thresholds={input.thresholds} --in train_cells={input.train_cells}"
        " --in style={input.style} --out pdf={output.pdf} --out png={output.png}"
        " --params {params.spec:q} > {log} 2>&1"


rule phase_transition_claims:
    input:
        **{t: f"{PTR_OUT}/metrics/{t}.csv" for t in PTR_METRICS},
        code=src("phase_transition", "claims", "models"),
    output:
        claims=FAMILY_OUTPUTS["phase_transition"]["claims"],
        numbers=FAMILY_OUTPUTS["phase_transition"]["numbers"],
        settings=f"{PTR_OUT}/tables/settings.tex",
        thresholds=f"{PTR_OUT}/tables/thresholds.tex",
    log:
        log_path("phase_transition_claims"),
    benchmark:
        bench_path("phase_transition_claims")
    conda:
        "../../envs/conda.yaml"
    params:
        cli=SPARSENETS,
        spec=as_json(PTR),
    shell:
        "{params.cli} phase_transition claims --in trials={input.trials}"
        " --in cells={input.cells} --in thresholds={input.thresholds}"
        " --in train_cells={input.train_cells} --out claims={output.claims}"
        " --out numbers={output.numbers} --out settings={output.settings}"
        " --out thresholds={output.thresholds} --params {params.spec:q} > {log} 2>&1"


# `snakemake phase_transition`: this family's claims, numbers, figures and tables.
rule phase_transition:
    input:
        **FAMILY_OUTPUTS["phase_transition"],
