# Ball indicators and depth separation (Safran & Lee 2022):
# data (one npz per law × d) → train (one job per law × d × learner) → metrics → figures, claims.

validate(config["depth_separation"], "../schemas/depth_separation.schema.yaml")
DSEP = config["depth_separation"]
DSEP_OUT = f"{RESULTS}/depth_separation"
DSEP_LEARNERS = ["depth2", "shallow"]
DSEP_TABLES = ["curves", "final", "decision"]
DSEP_FIGURES = ["error_vs_d", "error_vs_steps", "error_vs_width", "decision_2d"]
DSEP_TEX_TABLES = ["settings", "results"]
DSEP_RUNS = expand(
    f"{DSEP_OUT}/runs/{{law}}_d{{d}}_{{learner}}.npz",
    law=DSEP["laws"],
    d=DSEP["dims"],
    learner=DSEP_LEARNERS,
)


# Cheap rules run on the submitting host when the workflow runs on a cluster.
localrules:
    depth_separation_figure,
    depth_separation_claims,
    depth_separation,


FAMILY_OUTPUTS["depth_separation"] = dict(
    claims=f"{DSEP_OUT}/claims.json",
    numbers=f"{DSEP_OUT}/numbers.json",
    figures=expand(f"{DSEP_OUT}/figures/{{figure}}.pdf", figure=DSEP_FIGURES),
    tables=expand(f"{DSEP_OUT}/tables/{{table}}.tex", table=DSEP_TEX_TABLES),
)


wildcard_constraints:
    law="[A-Za-z0-9]+",
    d="[0-9]+",


rule depth_separation_data:
    input:
        code=src("depth_separation", "data"),
    output:
        data=f"{DSEP_OUT}/data/{{law}}_d{{d}}.npz",
    log:
        log_path("depth_separation_data", "{law}_d{d}"),
    benchmark:
        bench_path("depth_separation_data", "{law}_d{d}")
    group:
        "depth_separation"
    conda:
        "../../envs/conda.yaml"
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        cli=SPARSENETS,
        spec=lambda w: as_json(
            {
                "seed": config["seed"],
                "law_name": w.law,
                "d": int(w.d),
                "law": DSEP["laws"][w.law],
                "data": {"radius": DSEP["radius"], **DSEP["data"]},
            }
        ),
    shell:
        "{params.cli} depth_separation data --out data={output.data}"
        " --params {params.spec:q} > {log} 2>&1"


rule depth_separation_train:
    input:
        data=f"{DSEP_OUT}/data/{{law}}_d{{d}}.npz",
        code=src("depth_separation", "models", "train"),
    output:
        run=f"{DSEP_OUT}/runs/{{law}}_d{{d}}_{{learner}}.npz",
    log:
        log_path("depth_separation_train", "{law}_d{d}_{learner}"),
    benchmark:
        bench_path("depth_separation_train", "{law}_d{d}_{learner}")
    group:
        "depth_separation"
    conda:
        "../../envs/conda.yaml"
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        cli=SPARSENETS,
        spec=lambda w: as_json(
            {
                "learner": w.learner,
                "seed": config["seed"],
                "law": w.law,
                "d": int(w.d),
                **{
                    k: DSEP[k]
                    for k in ("steps", "records", "grid", "depth2", "shallow")
                },
            }
        ),
    shell:
        "{params.cli} depth_separation train --in data={input.data} --out run={output.run}"
        " --params {params.spec:q} > {log} 2>&1"


rule depth_separation_metrics:
    input:
        runs=DSEP_RUNS,
        code=src("depth_separation", "metrics"),
    output:
        **{t: f"{DSEP_OUT}/metrics/{t}.csv" for t in DSEP_TABLES},
    log:
        log_path("depth_separation_metrics"),
    benchmark:
        bench_path("depth_separation_metrics")
    conda:
        "../../envs/conda.yaml"
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        cli=SPARSENETS,
        spec=as_json({"target": DSEP["target"], "radius": DSEP["radius"]}),
    shell:
        "{params.cli} depth_separation metrics --in runs={input.runs}"
        " --out curves={output.curves} --out final={output.final}"
        " --out decision={output.decision} --params {params.spec:q} > {log} 2>&1"


rule depth_separation_figure:
    input:
        tables=expand(f"{DSEP_OUT}/metrics/{{t}}.csv", t=DSEP_TABLES),
        style=STYLE,
        code=src("depth_separation", "figures"),
    output:
        pdf=f"{DSEP_OUT}/figures/{{figure}}.pdf",
        png=report(
            f"{DSEP_OUT}/figures/{{figure}}.png",
            caption="../report/depth_separation.rst",
            category="depth_separation",
            labels={"figure": "{figure}"},
        ),
    log:
        log_path("depth_separation_figure", "{figure}"),
    benchmark:
        bench_path("depth_separation_figure", "{figure}")
    conda:
        "../../envs/conda.yaml"
    params:
        cli=SPARSENETS,
        spec=lambda w: as_json({"figure": w.figure}),
    shell:
        "{params.cli} depth_separation figure --in tables={input.tables} --in style={input.style}"
        " --out pdf={output.pdf} --out png={output.png} --params {params.spec:q} > {log} 2>&1"


rule depth_separation_claims:
    input:
        tables=expand(f"{DSEP_OUT}/metrics/{{t}}.csv", t=DSEP_TABLES),
        code=src("depth_separation", "claims", "figures"),
    output:
        claims=FAMILY_OUTPUTS["depth_separation"]["claims"],
        numbers=FAMILY_OUTPUTS["depth_separation"]["numbers"],
        settings=f"{DSEP_OUT}/tables/settings.tex",
        results=f"{DSEP_OUT}/tables/results.tex",
    log:
        log_path("depth_separation_claims"),
    benchmark:
        bench_path("depth_separation_claims")
    conda:
        "../../envs/conda.yaml"
    params:
        cli=SPARSENETS,
        spec=as_json(DSEP),
    shell:
        "{params.cli} depth_separation claims --in tables={input.tables}"
        " --out claims={output.claims} --out numbers={output.numbers}"
        " --out settings={output.settings} --out results={output.results}"
        " --params {params.spec:q} > {log} 2>&1"


# `snakemake depth_separation`: this family's claims, numbers, figures and tables, without the paper.
rule depth_separation:
    input:
        **FAMILY_OUTPUTS["depth_separation"],
