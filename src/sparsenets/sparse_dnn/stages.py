"""The sparse_dnn family's stages, as called by the rules in workflow/rules/sparse_dnn.smk."""

import pandas as pd

from sparsenets.common.io import as_list, read_csv, write_csv
from sparsenets.common.stage import SECTION, stage


@stage(
    outputs="cell",
    params="seed design d n trials snr n_test val_fraction radii network lasso x rho activation"
    " null_control fdr",
)
def fit(inputs, outputs, params):
    from sparsenets.sparse_dnn.cell import run_cell

    frame, info = run_cell(params)
    extra = pd.DataFrame(
        [
            {
                "design": params["design"],
                "d": int(params["d"]),
                "n": int(params["n"]),
                "trial": -1,
                "method": "info",
                "radius": float("nan"),
                "measure": k,
                "value": float(v),
            }
            for k, v in info.items()
        ]
    )
    write_csv(outputs["cell"], pd.concat([frame, extra], ignore_index=True))


@stage(
    inputs="cells", outputs="cells summary", params="seed design fit_min_n bootstrap exact_level"
)
def metrics(inputs, outputs, params):
    from sparsenets.common.seeding import generator
    from sparsenets.sparse_dnn.summary import summary

    cells = pd.concat([read_csv(p) for p in as_list(inputs["cells"])], ignore_index=True)
    cells = cells.sort_values(["d", "n", "trial", "method", "radius", "measure"], kind="stable")
    rng = generator(params["seed"], "sparse_dnn", params["design"], "bootstrap")
    write_csv(outputs["cells"], cells.reset_index(drop=True))
    write_csv(outputs["summary"], summary(params["design"], cells, params, rng))


@stage(
    inputs="tables style",
    outputs="pdf? png?",
    params="figures main dimension fdr designs fit_min_n",
)
def figure(inputs, outputs, params):
    from sparsenets.common.plotting import each_figure
    from sparsenets.sparse_dnn.figures import draw

    for name, pdf, png in each_figure(params, outputs):
        draw({**params, "figure": name}, as_list(inputs["tables"]), pdf, png, inputs["style"])


@stage(
    inputs="tables",
    outputs="claims numbers settings slopes selection radii dimension",
    params=SECTION,
)
def claims(inputs, outputs, params):
    from sparsenets.sparse_dnn.claims import report

    report(as_list(inputs["tables"]), outputs, params)


STAGES = {"fit": fit, "metrics": metrics, "figure": figure, "claims": claims}
