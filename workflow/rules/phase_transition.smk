# Phase transitions of planted-neuron recovery (Wang, Hua, Candès & Pilanci, IEEE TIT 2025):
# solve (one job per experiment × d, trials batched; the negative controls are experiments
# control_<name>) and train (one job per d, and its control) → metrics → figures, claims.

from sparsenets.phase_transition.settings import experiments as ptr_experiments
from sparsenets.phase_transition.settings import grid as ptr_grid
from sparsenets.phase_transition.settings import jobs as ptr_jobs
from sparsenets.phase_transition.settings import resolved as ptr_resolved

validate(config["phase_transition"], "../schemas/phase_transition.schema.yaml")
PTR = ptr_resolved(config["phase_transition"])
PTR_OUT = f"{RESULTS}/phase_transition"
PTR_EXPERIMENTS = ptr_experiments(PTR)
PTR_METRICS = {
    t: f"{PTR_OUT}/metrics/{t}.csv"
    for t in [
        "trials",
        "cells",
        "thresholds",
        "train_trials",
        "train_cells",
        "train_control_trials",
        "train_control_cells",
        "train_persistent_trials",
        "train_persistent_cells",
    ]
}


wildcard_constraints:
    d=r"\d+",


job(
    "phase_transition",
    "solve",
    output=dict(
        trials=f"{PTR_OUT}/runs/{{experiment}}/d{{d}}.csv",
        methods=f"{PTR_OUT}/runs/{{experiment}}/d{{d}}_methods.csv",
    ),
    params=lambda w: {
        "seed": config["seed"],
        "experiment": w.experiment,
        "d": int(w.d),
        "spec": PTR_EXPERIMENTS[w.experiment],
        **{k: PTR[k] for k in ("tol", "min_samples", "batch")},
    },
    resources=dict(mem_mb=2000, runtime=60),
    group="phase_transition",
    # the exact skip program at d = 100: about 465 s
    priority=longest_first(lambda w: 465 * (int(w.d) / 100) ** 2),
)

PTR_CONVEX = {k: PTR[k] for k in ("tol", "batch", "min_samples")}
# The three training rules (source, persistent AdamW, control): one estimate for all.
PTR_TRAIN_PRIORITY = longest_first(lambda w: 200)


def ptr_train_params(w):
    return {
        "seed": config["seed"],
        "d": int(w.d),
        "train": PTR["train"],
        "convex": PTR_CONVEX,
    }


job(
    "phase_transition",
    "train",
    output=dict(train=f"{PTR_OUT}/train/d{{d}}.csv"),
    params=ptr_train_params,
    resources=dict(mem_mb=2000, runtime=60),
    priority=PTR_TRAIN_PRIORITY,
)

# The labelled deviation: one AdamW kept across epochs (the source builds a new one every epoch).
job(
    "phase_transition",
    "train_persistent",
    output=dict(train=f"{PTR_OUT}/train/persistent_d{{d}}.csv"),
    params=ptr_train_params,
    resources=dict(mem_mb=2000, runtime=60),
    priority=PTR_TRAIN_PRIORITY,
)

# The negative control of the training claim: the same training on labels with no planted neuron.
job(
    "phase_transition",
    "train_control",
    output=dict(train=f"{PTR_OUT}/train/control_d{{d}}.csv"),
    params=lambda w: {"seed": config["seed"], "d": int(w.d), "train": PTR["train"]},
    resources=dict(mem_mb=2000, runtime=60),
    priority=PTR_TRAIN_PRIORITY,
)

job(
    "phase_transition",
    "metrics",
    input=dict(
        trials=[f"{PTR_OUT}/runs/{e}/d{d}.csv" for e, d in ptr_jobs(PTR)],
        train=expand(f"{PTR_OUT}/train/d{{d}}.csv", d=ptr_grid(PTR["train"]["d"])),
        train_control=expand(
            f"{PTR_OUT}/train/control_d{{d}}.csv", d=ptr_grid(PTR["train"]["control_d"])
        ),
        train_persistent=expand(
            f"{PTR_OUT}/train/persistent_d{{d}}.csv",
            d=ptr_grid(PTR["train"]["deviation_d"]),
        ),
    ),
    output=PTR_METRICS,
    params={"seed": config["seed"]},
    resources=dict(mem_mb=2000, runtime=10),
)

FAMILY["phase_transition"] = dict(
    figures=["phase", "thresholds", "noise", "train"],
    figure_inputs={
        k: PTR_METRICS[k]
        for k in ("trials", "cells", "thresholds", "train_trials", "train_cells")
    },
    claims_inputs=PTR_METRICS,
    claims_params=PTR,
    tables=["settings", "thresholds"],
)
