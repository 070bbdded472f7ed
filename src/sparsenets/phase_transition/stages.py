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


@stage(outputs="train", params="seed d train convex")
def train(inputs, outputs, params):
    from sparsenets.phase_transition.train import train_grid

    write_csv(outputs["train"], train_grid(params))


@stage(outputs="train", params="seed d train convex")
def train_persistent(inputs, outputs, params):
    """The labelled deviation: the same training with one AdamW kept across epochs."""
    from sparsenets.phase_transition.train import train_grid

    write_csv(outputs["train"], train_grid(params, reset=False))


@stage(outputs="train", params="seed d train")
def train_control(inputs, outputs, params):
    """The negative control of the training claim: the same training on labels with no planted
    neuron (pure noise)."""
    from sparsenets.phase_transition.train import train_grid

    write_csv(outputs["train"], train_grid(params, labels="none"))


@stage(
    inputs="trials train train_control train_persistent",
    outputs="trials cells thresholds train_trials train_cells train_control_trials"
    " train_control_cells train_persistent_trials train_persistent_cells",
    params="seed",
)
def metrics(inputs, outputs, params):
    from sparsenets.phase_transition import metrics as m

    trials = pd.concat([read_csv(p) for p in as_list(inputs["trials"])], ignore_index=True)
    trials = trials.sort_values(["experiment", "sigma", "d", "n", "trial"], kind="stable")
    write_csv(outputs["trials"], trials)
    write_csv(outputs["cells"], m.cells(trials))
    write_csv(outputs["thresholds"], m.thresholds(trials, params["seed"]))
    for key in ("train", "train_control", "train_persistent"):
        train = pd.concat([read_csv(p) for p in as_list(inputs[key])], ignore_index=True)
        train = train.sort_values(["d", "n", "trial"], kind="stable")
        write_csv(outputs[f"{key}_trials"], train)
        write_csv(outputs[f"{key}_cells"], m.train_cells(train))


@stage(
    inputs="trials cells thresholds train_trials train_cells style",
    outputs="pdf? png?",
    params="figures",
)
def figure(inputs, outputs, params):
    from sparsenets.common.plotting import each_figure
    from sparsenets.phase_transition.figures import draw

    for name, pdf, png in each_figure(params, outputs):
        draw(name, inputs, pdf, png, inputs["style"])


@stage(
    inputs="trials cells thresholds train_trials train_cells train_control_trials"
    " train_control_cells train_persistent_trials train_persistent_cells",
    outputs="claims numbers settings thresholds",
    params=SECTION,
)
def claims(inputs, outputs, params):
    from sparsenets.phase_transition.claims import report

    report(inputs, outputs, params)


STAGES = {
    "solve": solve,
    "train": train,
    "train_control": train_control,
    "train_persistent": train_persistent,
    "metrics": metrics,
    "figure": figure,
    "claims": claims,
}
