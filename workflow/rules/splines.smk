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
SPL_METRICS = metrics_tables(SPL_OUT, SPL_EXPERIMENTS, SPL_TABLES) + [
    f"{SPL_OUT}/metrics/oned_curves.csv",
    f"{SPL_OUT}/metrics/oned_optimum.csv",
    f"{SPL_OUT}/metrics/highd_optimum.csv",
]


wildcard_constraints:
    setting="|".join(SPL_SETTINGS) or "none",
    spl_experiment="|".join(SPL_EXPERIMENTS),
    spl_shallow="oned|highd",


job(
    "splines",
    "data",
    output=dict(data=f"{SPL_OUT}/data/{{setting}}.npz"),
    params=lambda w: {"seed": config["seed"], "spec": SPL_SETTINGS[w.setting]},
    resources=dict(mem_mb=1000, runtime=10),
    group="splines",
    priority=DATA_FIRST,
)

job(
    "splines",
    "train",
    input=dict(data=f"{SPL_OUT}/data/{{setting}}.npz"),
    output=dict(run=f"{SPL_OUT}/runs/{{setting}}.npz"),
    params=lambda w: {
        "seed": config["seed"],
        "setting": w.setting,
        "spec": SPL_SETTINGS[w.setting],
    },
    resources=dict(mem_mb=2000, runtime=60),
    group="splines",
    priority=longest_first(lambda w: 60),
)

job(
    "splines",
    "metrics",
    input=dict(
        data=lambda w: expand(
            f"{SPL_OUT}/data/{{s}}.npz", s=SPL_GROUPS[w.spl_experiment]
        ),
        runs=lambda w: expand(
            f"{SPL_OUT}/runs/{{s}}.npz", s=SPL_GROUPS[w.spl_experiment]
        ),
    ),
    output={t: f"{SPL_OUT}/metrics/{{spl_experiment}}_{t}.csv" for t in SPL_TABLES},
    params=lambda w: {
        "experiment": w.spl_experiment,
        "settings": SPL_GROUPS[w.spl_experiment],
    },
    resources=dict(mem_mb=2000, runtime=10),
)

job(
    "splines",
    "curves",
    input=dict(
        data=expand(f"{SPL_OUT}/data/{{s}}.npz", s=SPL_GROUPS["oned"]),
        runs=expand(f"{SPL_OUT}/runs/{{s}}.npz", s=SPL_GROUPS["oned"]),
    ),
    output=dict(curves=f"{SPL_OUT}/metrics/oned_curves.csv"),
    params={"settings": SPL_GROUPS["oned"]},
    resources=dict(mem_mb=2000, runtime=10),
)

# The exact optimum J* of every shallow net's objective (a convex program per trial and λ).
job(
    "splines",
    "optimum",
    input=dict(
        data=lambda w: expand(f"{SPL_OUT}/data/{{s}}.npz", s=SPL_GROUPS[w.spl_shallow]),
        runs=lambda w: expand(f"{SPL_OUT}/runs/{{s}}.npz", s=SPL_GROUPS[w.spl_shallow]),
    ),
    output=dict(optimum=f"{SPL_OUT}/metrics/{{spl_shallow}}_optimum.csv"),
    params=lambda w: {
        "experiment": w.spl_shallow,
        "settings": SPL_GROUPS[w.spl_shallow],
    },
    resources=dict(mem_mb=2000, runtime=30),
)

FAMILY["splines"] = dict(
    figures=[
        "functions",
        "tv_ratio",
        "optimum",
        "balance",
        "noskip",
        "highd",
        "spectra",
        "rank",
    ],
    figure_inputs=dict(tables=SPL_METRICS),
    claims_inputs=dict(tables=SPL_METRICS),
    claims_params={"config": SPL},
    tables=["settings", "oned", "residuals"],
)
