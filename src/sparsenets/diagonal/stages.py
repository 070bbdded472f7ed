"""The diagonal family's stages, as called by the rules in workflow/rules/diagonal.smk."""

from sparsenets.common.io import as_list, read_npz, write_csv, write_npz
from sparsenets.common.stage import stage


@stage(outputs="data", params="seed experiment data")
def data(inputs, outputs, params):
    from sparsenets.diagonal.data import generate

    write_npz(outputs["data"], **generate(params["seed"], params["experiment"], **params["data"]))


@stage(inputs="data", outputs="run", params="depth alphas eta steps records_per_decade positive")
def train(inputs, outputs, params):
    from sparsenets.diagonal.train import train as run

    run(inputs["data"], outputs["run"], **params)


@stage(inputs="data runs", outputs="trajectory measures summary paths", params="experiment seed")
def metrics(inputs, outputs, params):
    from sparsenets.diagonal.metrics import tables

    runs = as_list(inputs["runs"])
    out = tables(
        params["experiment"], read_npz(inputs["data"]), [read_npz(r) for r in runs], params["seed"]
    )
    for name, frame in out.items():
        write_csv(outputs[name], frame)


@stage(inputs="tables style", outputs="pdf? png?", params="figures")
def figure(inputs, outputs, params):
    from sparsenets.common.plotting import each_figure
    from sparsenets.diagonal.figures import draw

    for name, pdf, png in each_figure(params, outputs):
        draw(name, inputs, pdf, png, inputs["style"])


@stage(inputs="tables", outputs="claims numbers settings windows", params="experiments")
def claims(inputs, outputs, params):
    from sparsenets.diagonal.claims import report

    report(inputs, outputs, params)


STAGES = {"data": data, "train": train, "metrics": metrics, "figure": figure, "claims": claims}
