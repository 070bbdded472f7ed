# Sparse deep networks, Wu & Li (arXiv 2406.18137): one fit job per (design, d, n) cell, all trials
# and l1 radii batched inside it → metrics per design → figures, claims, tables.

validate(config["sparse_dnn"], "../schemas/sparse_dnn.schema.yaml")
SDNN = config["sparse_dnn"]
SDNN_OUT = f"{RESULTS}/sparse_dnn"
SDNN_FIGURES = ["rates", "importance", "selection", "constraint", "variants"]
SDNN_TEX_TABLES = ["settings", "slopes", "selection"]
SDNN_METRICS = expand(
    f"{SDNN_OUT}/metrics/{{design}}_{{table}}.csv",
    design=SDNN["designs"],
    table=["cells", "summary"],
)


# Cheap rules run on the submitting host when the workflow runs on a cluster.
localrules:
    sparse_dnn_figure,
    sparse_dnn_claims,
    sparse_dnn,


FAMILY_OUTPUTS["sparse_dnn"] = dict(
    claims=f"{SDNN_OUT}/claims.json",
    numbers=f"{SDNN_OUT}/numbers.json",
    figures=expand(f"{SDNN_OUT}/figures/{{figure}}.pdf", figure=SDNN_FIGURES),
    tables=expand(f"{SDNN_OUT}/tables/{{table}}.tex", table=SDNN_TEX_TABLES),
)


rule sparse_dnn_fit:
    input:
        code=src("sparse_dnn", "data", "models", "train", "metrics"),
    output:
        cell=f"{SDNN_OUT}/cells/{{design}}/d{{d}}_n{{n}}.csv",
    log:
        log_path("sparse_dnn_fit", "{design}-d{d}-n{n}"),
    benchmark:
        bench_path("sparse_dnn_fit", "{design}-d{d}-n{n}")
    group:
        "sparse_dnn"
    conda:
        "../../envs/conda.yaml"
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        cli=SPARSENETS,
        spec=lambda w: as_json(
            {
                "seed": config["seed"],
                "design": w.design,
                "d": int(w.d),
                "n": int(w.n),
                **{
                    k: SDNN[k]
                    for k in ["trials", "snr", "n_test", "val_fraction", "radii"]
                },
                "network": SDNN["network"],
                "lasso": {"use": SDNN["designs"][w.design]["lasso"], **SDNN["lasso"]},
                **{
                    k: SDNN["designs"][w.design][k] for k in ["x", "rho", "activation"]
                },
            }
        ),
    shell:
        "{params.cli} sparse_dnn fit --out cell={output.cell} --params {params.spec:q}"
        " > {log} 2>&1"


rule sparse_dnn_metrics:
    input:
        cells=lambda w: expand(
            f"{SDNN_OUT}/cells/{w.design}/d{{d}}_n{{n}}.csv",
            d=SDNN["designs"][w.design]["d"],
            n=SDNN["designs"][w.design]["n"],
        ),
        code=src("sparse_dnn", "summary"),
    output:
        cells=f"{SDNN_OUT}/metrics/{{design}}_cells.csv",
        summary=f"{SDNN_OUT}/metrics/{{design}}_summary.csv",
    log:
        log_path("sparse_dnn_metrics", "{design}"),
    benchmark:
        bench_path("sparse_dnn_metrics", "{design}")
    conda:
        "../../envs/conda.yaml"
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        cli=SPARSENETS,
        spec=lambda w: as_json(
            {
                "seed": config["seed"],
                "design": w.design,
                **{k: SDNN[k] for k in ["fit_min_n", "bootstrap", "exact_level"]},
            }
        ),
    shell:
        "{params.cli} sparse_dnn metrics --in cells={input.cells}"
        " --out cells={output.cells} --out summary={output.summary}"
        " --params {params.spec:q} > {log} 2>&1"


rule sparse_dnn_figure:
    input:
        tables=SDNN_METRICS,
        style=STYLE,
        code=src("sparse_dnn", "figures"),
    output:
        pdf=f"{SDNN_OUT}/figures/{{figure}}.pdf",
        png=report(
            f"{SDNN_OUT}/figures/{{figure}}.png",
            caption="../report/sparse_dnn.rst",
            category="sparse_dnn",
            labels={"figure": "{figure}"},
        ),
    log:
        log_path("sparse_dnn_figure", "{figure}"),
    benchmark:
        bench_path("sparse_dnn_figure", "{figure}")
    conda:
        "../../envs/conda.yaml"
    params:
        cli=SPARSENETS,
        spec=lambda w: as_json(
            {
                "figure": w.figure,
                "main": SDNN["main"],
                "designs": list(SDNN["designs"]),
                "fit_min_n": SDNN["fit_min_n"],
            }
        ),
    shell:
        "{params.cli} sparse_dnn figure --in tables={input.tables} --in style={input.style}"
        " --out pdf={output.pdf} --out png={output.png} --params {params.spec:q} > {log} 2>&1"


rule sparse_dnn_claims:
    input:
        tables=SDNN_METRICS,
        code=src("sparse_dnn", "claims", "figures"),
    output:
        claims=FAMILY_OUTPUTS["sparse_dnn"]["claims"],
        numbers=FAMILY_OUTPUTS["sparse_dnn"]["numbers"],
        settings=f"{SDNN_OUT}/tables/settings.tex",
        slopes=f"{SDNN_OUT}/tables/slopes.tex",
        selection=f"{SDNN_OUT}/tables/selection.tex",
    log:
        log_path("sparse_dnn_claims"),
    benchmark:
        bench_path("sparse_dnn_claims")
    conda:
        "../../envs/conda.yaml"
    params:
        cli=SPARSENETS,
        spec=as_json(SDNN),
    shell:
        "{params.cli} sparse_dnn claims --in tables={input.tables}"
        " --out claims={output.claims} --out numbers={output.numbers}"
        " --out settings={output.settings} --out slopes={output.slopes}"
        " --out selection={output.selection} --params {params.spec:q} > {log} 2>&1"


# `snakemake sparse_dnn`: this family's claims, numbers, figures and tables, without the paper.
rule sparse_dnn:
    input:
        **FAMILY_OUTPUTS["sparse_dnn"],
