"""The diagonal family's stages, as called by the rules in workflow/rules/diagonal.smk."""

from sparsenets.common.io import as_list, read_npz, write_csv, write_npz


def data(inputs, outputs, params):
    from sparsenets.diagonal.data import generate

    write_npz(outputs["data"], **generate(params["seed"], params["experiment"], **params["data"]))


def train(inputs, outputs, params):
    from sparsenets.diagonal.train import train as run

    run(inputs["data"], outputs["run"], **params)


def metrics(inputs, outputs, params):
    from sparsenets.diagonal.metrics import tables

    runs = as_list(inputs["runs"])
    out = tables(
        params["experiment"], read_npz(inputs["data"]), [read_npz(r) for r in runs], params["seed"]
    )
    for name, frame in out.items():
        write_csv(outputs[name], frame)


def figure(inputs, outputs, params):
    from sparsenets.common.plotting import each_figure
    from sparsenets.diagonal.figures import draw

    for name, pdf, png in each_figure(params, outputs):
        draw(name, inputs, pdf, png, inputs["style"])


def claims(inputs, outputs, params):
    from sparsenets.diagonal.claims import report

    report(inputs, outputs, params)


STAGES = {"data": data, "train": train, "metrics": metrics, "figure": figure, "claims": claims}
