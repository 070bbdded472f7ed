"""The phase_transition family's stages, as called by workflow/rules/phase_transition.smk."""

import pandas as pd

from sparsenets.common.io import as_list, read_csv, write_csv
from sparsenets.common.stage import SECTION, stage


@stage(outputs="trials methods", params="seed experiment d spec tol min_samples batch")
def solve(inputs, outputs, params):
    from sparsenets.phase_transition.settings import grid
    from sparsenets.phase_transition.solve import run

    e = params["spec"]
    frame = run(
        params["seed"],
        params["experiment"],
        e,
        grid(e["grid"]["n"]),
        params["d"],
        e["trials"],
        e.get("sigmas", [0.0]),
        params["tol"],
        params["min_samples"],
        params["batch"],
    )
    write_csv(outputs["trials"], frame.drop(columns=["method", "rounds"]))
    write_csv(
        outputs["methods"], frame[["experiment", "n", "d", "sigma", "trial", "method", "rounds"]]
    )


@stage(outputs="train", params="seed d train")
def train(inputs, outputs, params):
    from sparsenets.phase_transition.settings import grid
    from sparsenets.phase_transition.train import train_cell

    t = params["train"]
    rows = []
    for n in grid(t["n"]):
        out = train_cell(
            params["seed"],
            n,
            params["d"],
            t["trials"],
            t["epochs"],
            t["lr"],
            t["weight_decay"],
            t["reset_optimizer"],
            dtype=t["dtype"],
        )
        print(
            f"train d={params['d']} n={n}: median distance "
            f"{pd.Series(out['test_distance']).median():.4f}",
            flush=True,
        )
        rows += [
            {"n": n, "d": params["d"], "trial": i, **{k: v[i] for k, v in out.items()}}
            for i in range(t["trials"])
        ]
    write_csv(outputs["train"], pd.DataFrame(rows))


@stage(inputs="trials train", outputs="trials cells thresholds train_cells", params="seed")
def metrics(inputs, outputs, params):
    from sparsenets.phase_transition import metrics as m

    trials = pd.concat([read_csv(p) for p in as_list(inputs["trials"])], ignore_index=True)
    trials = trials.sort_values(["experiment", "sigma", "d", "n", "trial"], kind="stable")
    write_csv(outputs["trials"], trials)
    write_csv(outputs["cells"], m.cells(trials))
    write_csv(outputs["thresholds"], m.thresholds(trials, params["seed"]))
    train = pd.concat([read_csv(p) for p in as_list(inputs["train"])], ignore_index=True)
    write_csv(outputs["train_cells"], m.train_cells(train.sort_values(["d", "n", "trial"])))


@stage(inputs="cells thresholds train_cells style", outputs="pdf png", params="figure")
def figure(inputs, outputs, params):
    from sparsenets.phase_transition.figures import draw

    draw(params["figure"], inputs, outputs["pdf"], outputs["png"], inputs["style"])


@stage(
    inputs="trials cells thresholds train_cells",
    outputs="claims numbers settings thresholds",
    params=SECTION,
)
def claims(inputs, outputs, params):
    from sparsenets.phase_transition.claims import report

    report(inputs, outputs, params)


STAGES = {"solve": solve, "train": train, "metrics": metrics, "figure": figure, "claims": claims}
