# Ball indicators and depth separation (Safran & Lee 2022):
# data (one npz per law × d) → train (one job per law × d × learner) → metrics → figures, claims.

validate(config["depth_separation"], "../schemas/depth_separation.schema.yaml")
DSEP = config["depth_separation"]
DSEP_OUT = f"{RESULTS}/depth_separation"
DSEP_TABLES = expand(f"{DSEP_OUT}/metrics/{{t}}.csv", t=["curves", "final", "decision"])


wildcard_constraints:
    law="[A-Za-z0-9]+",
    d="[0-9]+",


job(
    "depth_separation",
    "data",
    output=dict(data=f"{DSEP_OUT}/data/{{law}}_d{{d}}.npz"),
    params=lambda w: {
        "seed": config["seed"],
        "law_name": w.law,
        "d": int(w.d),
        "law": DSEP["laws"][w.law],
        "data": {"radius": DSEP["radius"], **DSEP["data"]},
    },
    resources=dict(mem_mb=1000, runtime=10),
    group="depth_separation",
    priority=DATA_FIRST,
)

job(
    "depth_separation",
    "train",
    input=dict(data=f"{DSEP_OUT}/data/{{law}}_d{{d}}.npz"),
    output=dict(run=f"{DSEP_OUT}/runs/{{law}}_d{{d}}_{{learner}}.npz"),
    params=lambda w: {
        "learner": w.learner,
        "seed": config["seed"],
        "law_name": w.law,
        "law": DSEP["laws"][w.law],
        "d": int(w.d),
        **{k: DSEP[k] for k in ("records", "grid", "test", "depth2", "shallow")},
    },
    resources=dict(mem_mb=2000, runtime=30),
    group="depth_separation",
    priority=longest_first(lambda w: 3 * int(w.d)),  # d = 100: about 300 s
)

job(
    "depth_separation",
    "metrics",
    input=dict(
        runs=expand(
            f"{DSEP_OUT}/runs/{{law}}_d{{d}}_{{learner}}.npz",
            law=DSEP["laws"],
            d=DSEP["dims"],
            learner=["depth2", "shallow"],
        )
    ),
    output=dict(zip(["curves", "final", "decision"], DSEP_TABLES)),
    params={"radius": DSEP["radius"]},
    resources=dict(mem_mb=2000, runtime=10),
)

FAMILY["depth_separation"] = dict(
    figures=["error_vs_d", "error_vs_steps", "decision_2d"],
    figure_inputs=dict(tables=DSEP_TABLES),
    claims_inputs=dict(tables=DSEP_TABLES),
    claims_params=DSEP,
    tables=["settings", "results"],
)
