# Weight decay, path norm and sparse splines (Parhi & Nowak 2022; Savarese et al. 2019):
# data and train (one job per setting) → metrics (one job per experiment) → figures, claims.

from sparsenets.splines.settings import experiment_settings, settings

validate(config["splines"], "../schemas/splines.schema.yaml")
SPL = config["splines"]
SPL_OUT = f"{RESULTS}/splines"
SPL_SETTINGS = settings(SPL)
SPL_EXPERIMENTS = ["oned", "highd", "deep"]
SPL_GROUPS = {e: experiment_settings(SPL, e) for e in SPL_EXPERIMENTS}
SPL_TABLES = ["nets", "units", "history"]
SPL_FIGURES = ["functions", "tv_ratio", "balance", "noskip", "highd", "spectra", "rank"]
SPL_TEX_TABLES = ["settings", "oned", "residuals"]
SPL_METRICS = metrics_tables(SPL_OUT, SPL_EXPERIMENTS, SPL_TABLES) + [
    f"{SPL_OUT}/metrics/oned_curves.csv"
]


# Cheap rules run on the submitting host when the workflow runs on a cluster.
localrules:
    splines_figure,
    splines_claims,
    splines,


FAMILY_OUTPUTS["splines"] = dict(
    claims=f"{SPL_OUT}/claims.json",
    numbers=f"{SPL_OUT}/numbers.json",
    figures=expand(f"{SPL_OUT}/figures/{{figure}}.pdf", figure=SPL_FIGURES),
    tables=expand(f"{SPL_OUT}/tables/{{table}}.tex", table=SPL_TEX_TABLES),
)


wildcard_constraints:
    setting="|".join(SPL_SETTINGS) or "none",
    spl_experiment="|".join(SPL_EXPERIMENTS),


rule splines_data:
    input:
        code=src("splines", "data"),
    output:
        data=f"{SPL_OUT}/data/{{setting}}.npz",
    log:
        log_path("splines_data", "{setting}"),
    benchmark:
        bench_path("splines_data", "{setting}")
    group:
        "splines"
    conda:
        "../../envs/conda.yaml"
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        cli=SPARSENETS,
        spec=lambda w: as_json(
            {"seed": config["seed"], "spec": SPL_SETTINGS[w.setting]}
        ),
    shell:
        "{params.cli} splines data --out data={output.data} --params {params.spec:q} > {log} 2>&1"


rule splines_train:
    input:
        data=f"{SPL_OUT}/data/{{setting}}.npz",
        code=src("splines", "models", "train"),
    output:
        run=f"{SPL_OUT}/runs/{{setting}}.npz",
    log:
        log_path("splines_train", "{setting}"),
    benchmark:
        bench_path("splines_train", "{setting}")
    group:
        "splines"
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
                "setting": w.setting,
                "spec": SPL_SETTINGS[w.setting],
            }
        ),
    shell:
        "{params.cli} splines train --in data={input.data} --out run={output.run}"
        " --params {params.spec:q} > {log} 2>&1"


rule splines_metrics:
    input:
        data=lambda w: expand(
            f"{SPL_OUT}/data/{{s}}.npz", s=SPL_GROUPS[w.spl_experiment]
        ),
        runs=lambda w: expand(
            f"{SPL_OUT}/runs/{{s}}.npz", s=SPL_GROUPS[w.spl_experiment]
        ),
        code=src("splines", "metrics"),
    output:
        **{t: f"{SPL_OUT}/metrics/{{spl_experiment}}_{t}.csv" for t in SPL_TABLES},
    log:
        log_path("splines_metrics", "{spl_experiment}"),
    benchmark:
        bench_path("splines_metrics", "{spl_experiment}")
    conda:
        "../../envs/conda.yaml"
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        cli=SPARSENETS,
        spec=lambda w: as_json(
            {"experiment": w.spl_experiment, "settings": SPL_GROUPS[w.spl_experiment]}
        ),
    shell:
        "{params.cli} splines metrics --in data={input.data} --in runs={input.runs}"
        " --out nets={output.nets} --out units={output.units} --out history={output.history}"
        " --params {params.spec:q} > {log} 2>&1"


rule splines_curves:
    input:
        data=expand(f"{SPL_OUT}/data/{{s}}.npz", s=SPL_GROUPS["oned"]),
        runs=expand(f"{SPL_OUT}/runs/{{s}}.npz", s=SPL_GROUPS["oned"]),
        code=src("splines", "metrics"),
    output:
        curves=f"{SPL_OUT}/metrics/oned_curves.csv",
    log:
        log_path("splines_curves"),
    benchmark:
        bench_path("splines_curves")
    conda:
        "../../envs/conda.yaml"
    resources:
        mem_mb=2000,
        runtime=10,
    params:
        cli=SPARSENETS,
        spec=as_json({"settings": SPL_GROUPS["oned"]}),
    shell:
        "{params.cli} splines curves --in data={input.data} --in runs={input.runs}"
        " --out curves={output.curves} --params {params.spec:q} > {log} 2>&1"


rule splines_figure:
    input:
        tables=SPL_METRICS,
        style=STYLE,
        code=src("splines", "figures"),
    output:
        pdf=f"{SPL_OUT}/figures/{{figure}}.pdf",
        png=report(
            f"{SPL_OUT}/figures/{{figure}}.png",
            caption="../report/splines.rst",
            category="splines",
            labels={"figure": "{figure}"},
        ),
    log:
        log_path("splines_figure", "{figure}"),
    benchmark:
        bench_path("splines_figure", "{figure}")
    conda:
        "../../envs/conda.yaml"
    params:
        cli=SPARSENETS,
        spec=lambda w: as_json({"figure": w.figure}),
    shell:
        "{params.cli} splines figure --in tables={input.tables} --in style={input.style}"
        " --out pdf={output.pdf} --out png={output.png} --params {params.spec:q} > {log} 2>&1"


rule splines_claims:
    input:
        tables=SPL_METRICS,
        code=src("splines", "claims", "figures"),
    output:
        claims=FAMILY_OUTPUTS["splines"]["claims"],
        numbers=FAMILY_OUTPUTS["splines"]["numbers"],
        settings=f"{SPL_OUT}/tables/settings.tex",
        oned=f"{SPL_OUT}/tables/oned.tex",
        residuals=f"{SPL_OUT}/tables/residuals.tex",
    log:
        log_path("splines_claims"),
    benchmark:
        bench_path("splines_claims")
    conda:
        "../../envs/conda.yaml"
    params:
        cli=SPARSENETS,
        spec=as_json({"config": SPL}),
    shell:
        "{params.cli} splines claims --in tables={input.tables}"
        " --out claims={output.claims} --out numbers={output.numbers}"
        " --out settings={output.settings} --out oned={output.oned}"
        " --out residuals={output.residuals} --params {params.spec:q} > {log} 2>&1"


# `snakemake splines`: this family's claims, numbers, figures and tables, without the paper.
rule splines:
    input:
        **FAMILY_OUTPUTS["splines"],
