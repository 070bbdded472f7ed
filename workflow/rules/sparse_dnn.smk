# Sparse deep networks, Wu & Li (arXiv 2406.18137): one fit job per (design, d, n) cell, all trials
# and l1 radii batched inside it → metrics per design → figures, claims, tables.

validate(config["sparse_dnn"], "../schemas/sparse_dnn.schema.yaml")
SDNN = config["sparse_dnn"]
SDNN_OUT = f"{RESULTS}/sparse_dnn"
SDNN_METRICS = expand(
    f"{SDNN_OUT}/metrics/{{design}}_{{table}}.csv",
    design=SDNN["designs"],
    table=["cells", "summary"],
)


def sdnn_fit_params(w):
    design = SDNN["designs"][w.design]
    return {
        "seed": config["seed"],
        "design": w.design,
        "d": int(w.d),
        "n": int(w.n),
        **{
            k: SDNN[k]
            for k in ["trials", "snr", "n_test", "val_fraction", "radii", "fdr"]
        },
        "network": SDNN["network"],
        "lasso": {"use": design["lasso"], **SDNN["lasso"]},
        **{k: design[k] for k in ["x", "rho", "activation", "null_control"]},
    }


job(
    "sparse_dnn",
    "fit",
    output=dict(cell=f"{SDNN_OUT}/cells/{{design}}/d{{d}}_n{{n}}.csv"),
    params=sdnn_fit_params,
    # single-precision inputs of all trials, with room for the float64 copies of one trial
    resources=dict(
        mem_mb=lambda w: 1500 + SDNN["trials"] * int(w.n) * int(w.d) * 10 // 10**6,
        runtime=lambda w: 10 + int(w.n) * int(w.d) // 10**6,
    ),
    group="sparse_dnn",
    # d = 10^4: about 404 s at n = 4000, 222 s at n = 1000
    priority=longest_first(lambda w: 404 * int(w.d) / 1e4 * (int(w.n) / 4000) ** 0.43),
)

job(
    "sparse_dnn",
    "metrics",
    input=dict(
        cells=lambda w: expand(
            f"{SDNN_OUT}/cells/{w.design}/d{{d}}_n{{n}}.csv",
            d=SDNN["designs"][w.design]["d"],
            n=SDNN["designs"][w.design]["n"],
        )
    ),
    output=dict(
        cells=f"{SDNN_OUT}/metrics/{{design}}_cells.csv",
        summary=f"{SDNN_OUT}/metrics/{{design}}_summary.csv",
    ),
    params=lambda w: {
        "seed": config["seed"],
        "design": w.design,
        **{k: SDNN[k] for k in ["fit_min_n", "bootstrap", "exact_level"]},
    },
    resources=dict(mem_mb=2000, runtime=10),
)

FAMILY["sparse_dnn"] = dict(
    figures=["rates", "importance", "selection", "dimension", "constraint", "variants"],
    figure_inputs=dict(tables=SDNN_METRICS),
    figure_params={
        "main": SDNN["main"],
        "dimension": SDNN["dimension"],
        "fdr": SDNN["fdr"],
        "designs": list(SDNN["designs"]),
        "fit_min_n": SDNN["fit_min_n"],
    },
    claims_inputs=dict(tables=SDNN_METRICS),
    claims_params={**SDNN, "seed": config["seed"]},
    tables=["settings", "slopes", "selection", "radii", "dimension"],
)
