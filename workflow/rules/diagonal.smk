# Depth-N diagonal linear networks (Li, Nguyen, Hegde & Wong 2021):
# data (one npz per experiment) → train (one job per experiment × depth) → metrics → figures, claims.

from sparsenets.diagonal.settings import settings

validate(config["diagonal"], "../schemas/diagonal.schema.yaml")
DIAG = config["diagonal"]
DIAG_OUT = f"{RESULTS}/diagonal"
DIAG_SETTINGS = {name: settings(name, exp) for name, exp in DIAG["experiments"].items()}
DIAG_TABLES = ["trajectory", "measures", "summary", "paths"]
DIAG_METRICS = metrics_tables(DIAG_OUT, DIAG["experiments"], DIAG_TABLES)

job(
    "diagonal",
    "data",
    output=dict(data=f"{DIAG_OUT}/data/{{experiment}}.npz"),
    params=lambda w: {
        "seed": config["seed"],
        "experiment": w.experiment,
        "data": DIAG["experiments"][w.experiment]["data"],
    },
    resources=dict(mem_mb=1000, runtime=10),
    group="diagonal",
    priority=DATA_FIRST,
)

job(
    "diagonal",
    "train",
    input=dict(data=f"{DIAG_OUT}/data/{{experiment}}.npz"),
    output=dict(run=f"{DIAG_OUT}/runs/{{experiment}}/N{{depth}}.npz"),
    params=lambda w: {
        "depth": int(w.depth),
        "records_per_decade": DIAG["records_per_decade"],
        **DIAG_SETTINGS[w.experiment][int(w.depth)],
    },
    resources=dict(mem_mb=1000, runtime=20),
    group="diagonal",
    priority=longest_first(lambda w: 20),
)

job(
    "diagonal",
    "metrics",
    input=dict(
        data=f"{DIAG_OUT}/data/{{experiment}}.npz",
        runs=lambda w: expand(
            f"{DIAG_OUT}/runs/{w.experiment}/N{{depth}}.npz",
            depth=DIAG_SETTINGS[w.experiment],
        ),
    ),
    output={t: f"{DIAG_OUT}/metrics/{{experiment}}_{t}.csv" for t in DIAG_TABLES},
    params=lambda w: {"experiment": w.experiment, "seed": config["seed"]},
    resources=dict(mem_mb=2000, runtime=10),
    group="diagonal",
)

FAMILY["diagonal"] = dict(
    figures=[
        "convergence_paths",
        "init_effects",
        "es_paths",
        "es_error",
        "incremental",
        "kernel",
        "image",
        "windows",
    ],
    figure_inputs=dict(tables=DIAG_METRICS),
    claims_inputs=dict(tables=DIAG_METRICS),
    claims_params={"experiments": DIAG["experiments"]},
    tables=["settings", "windows"],
)
