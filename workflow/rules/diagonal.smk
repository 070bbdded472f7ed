# Depth-N diagonal linear networks (Li, Nguyen, Hegde & Wong 2021):
# data (one npz per experiment) → train (one job per experiment × depth) → metrics → figures, claims.

from sparsenets.diagonal.settings import settings

validate(config["diagonal"], "../schemas/diagonal.schema.yaml")
DIAG = config["diagonal"]
DIAG_OUT = f"{RESULTS}/diagonal"
DIAG_SETTINGS = {name: settings(name, exp) for name, exp in DIAG["experiments"].items()}
DIAG_TABLES = ["trajectory", "measures", "summary", "paths"]
# Figure → the experiments whose metrics it draws.
DIAG_FIGURES = {
    "convergence_paths": ["convergence"],
    "init_effects": ["init_effects"],
    "es_paths": ["es_paths"],
    "es_error": ["es_error"],
    "incremental": ["incremental"],
    "kernel": ["kernel"],
    "image": ["image"],
    "windows": ["window_depth", "window_init", "max_init"],
}
DIAG_TEX_TABLES = ["settings", "windows"]


# Cheap rules run on the submitting host when the workflow runs on a cluster.
localrules:
    diagonal_figure,
    diagonal_claims,
    diagonal,


FAMILY_OUTPUTS["diagonal"] = dict(
    claims=f"{DIAG_OUT}/claims.json",
    numbers=f"{DIAG_OUT}/numbers.json",
    figures=expand(f"{DIAG_OUT}/figures/{{figure}}.pdf", figure=DIAG_FIGURES),
    tables=expand(f"{DIAG_OUT}/tables/{{table}}.tex", table=DIAG_TEX_TABLES),
)


rule diagonal_data:
    input:
        code=src("diagonal", "data"),
    output:
        data=f"{DIAG_OUT}/data/{{experiment}}.npz",
    log:
        log_path("diagonal_data", "{experiment}"),
    benchmark:
        bench_path("diagonal_data", "{experiment}")
    group:
        "diagonal"
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
                "experiment": w.experiment,
                "data": DIAG["experiments"][w.experiment]["data"],
            }
        ),
    shell:
        "{params.cli} diagonal data --out data={output.data} --params {params.spec:q} > {log} 2>&1"


rule diagonal_train:
    input:
        data=f"{DIAG_OUT}/data/{{experiment}}.npz",
        code=src("diagonal", "models", "train"),
    output:
        run=f"{DIAG_OUT}/runs/{{experiment}}/N{{depth}}.npz",
    log:
        log_path("diagonal_train", "{experiment}-N{depth}"),
    benchmark:
        bench_path("diagonal_train", "{experiment}-N{depth}")
    group:
        "diagonal"
    conda:
        "../../envs/conda.yaml"
    resources:
        mem_mb=1000,
        runtime=20,
    params:
        cli=SPARSENETS,
        spec=lambda w: as_json(
            {
                "depth": int(w.depth),
                "records_per_decade": DIAG["records_per_decade"],
                **DIAG_SETTINGS[w.experiment][int(w.depth)],
            }
        ),
    shell:
        "{params.cli} diagonal train --in data={input.data} --out run={output.run}"
        " --params {params.spec:q} > {log} 2>&1"


rule diagonal_metrics:
    input:
        data=f"{DIAG_OUT}/data/{{experiment}}.npz",
        runs=lambda w: expand(
            f"{DIAG_OUT}/runs/{w.experiment}/N{{depth}}.npz",
            depth=DIAG_SETTINGS[w.experiment],
        ),
        code=src("diagonal", "metrics"),
    output:
        **{t: f"{DIAG_OUT}/metrics/{{experiment}}_{t}.csv" for t in DIAG_TABLES},
    log:
        log_path("diagonal_metrics", "{experiment}"),
    benchmark:
        bench_path("diagonal_metrics", "{experiment}")
    group:
        "diagonal"
    conda:
        "../../envs/conda.yaml"
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        cli=SPARSENETS,
        spec=lambda w: as_json({"experiment": w.experiment, "seed": config["seed"]}),
    shell:
        "{params.cli} diagonal metrics --in data={input.data} --in runs={input.runs}"
        " --out trajectory={output.trajectory} --out measures={output.measures}"
        " --out summary={output.summary} --out paths={output.paths}"
        " --params {params.spec:q} > {log} 2>&1"


rule diagonal_figure:
    input:
        tables=lambda w: metrics_tables(DIAG_OUT, DIAG_FIGURES[w.figure], DIAG_TABLES),
        style=STYLE,
        code=src("diagonal", "figures"),
    output:
        pdf=f"{DIAG_OUT}/figures/{{figure}}.pdf",
        png=report(
            f"{DIAG_OUT}/figures/{{figure}}.png",
            caption="../report/diagonal.rst",
            category="diagonal",
            labels={"figure": "{figure}"},
        ),
    log:
        log_path("diagonal_figure", "{figure}"),
    benchmark:
        bench_path("diagonal_figure", "{figure}")
    conda:
        "../../envs/conda.yaml"
    params:
        cli=SPARSENETS,
        spec=lambda w: as_json({"figure": w.figure}),
    shell:
        "{params.cli} diagonal figure --in tables={input.tables} --in style={input.style}"
        " --out pdf={output.pdf} --out png={output.png} --params {params.spec:q} > {log} 2>&1"


rule diagonal_claims:
    input:
        tables=metrics_tables(DIAG_OUT, DIAG["experiments"], DIAG_TABLES),
        code=src("diagonal", "claims"),
    output:
        claims=FAMILY_OUTPUTS["diagonal"]["claims"],
        numbers=FAMILY_OUTPUTS["diagonal"]["numbers"],
        settings=f"{DIAG_OUT}/tables/settings.tex",
        windows=f"{DIAG_OUT}/tables/windows.tex",
    log:
        log_path("diagonal_claims"),
    benchmark:
        bench_path("diagonal_claims")
    conda:
        "../../envs/conda.yaml"
    params:
        cli=SPARSENETS,
        spec=as_json({"experiments": DIAG["experiments"]}),
    shell:
        "{params.cli} diagonal claims --in tables={input.tables}"
        " --out claims={output.claims} --out numbers={output.numbers}"
        " --out settings={output.settings} --out windows={output.windows}"
        " --params {params.spec:q} > {log} 2>&1"


# `snakemake diagonal`: this family's claims, numbers, figures and tables, without the paper.
rule diagonal:
    input:
        **FAMILY_OUTPUTS["diagonal"],
