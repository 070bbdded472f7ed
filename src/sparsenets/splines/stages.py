"""The splines family's stages, as called by the rules in workflow/rules/splines.smk."""

import pandas as pd

from sparsenets.common.io import as_list, read_npz, write_csv, write_npz
from sparsenets.common.stage import stage


@stage(outputs="data", params="seed spec")
def data(inputs, outputs, params):
    from sparsenets.splines.data import generate

    spec = params["spec"]
    write_npz(outputs["data"], **generate(params["seed"], spec["experiment"], spec["data"]))


@stage(inputs="data", outputs="run", params="seed setting spec")
def train(inputs, outputs, params):
    from sparsenets.splines.train import run

    out = run(read_npz(inputs["data"]), params["spec"], params["seed"], params["setting"])
    write_npz(outputs["run"], **out)


def _per_setting(inputs, params):
    """(setting, data, run) of each setting a metrics-type job reads, one at a time."""
    for setting, d, r in zip(
        params["settings"], as_list(inputs["data"]), as_list(inputs["runs"]), strict=True
    ):
        yield setting, read_npz(d), read_npz(r)


@stage(inputs="data runs", outputs="nets units history", params="experiment settings")
def metrics(inputs, outputs, params):
    from sparsenets.splines.metrics import deep_tables, shallow_tables

    tables = {}
    for setting, d, r in _per_setting(inputs, params):
        if params["experiment"] == "deep":
            out = deep_tables(setting, d, r)
        else:
            out = shallow_tables(params["experiment"], setting, d, r)
        for name, frame in out.items():
            tables.setdefault(name, []).append(frame)
    for name, frames in tables.items():
        write_csv(outputs[name], pd.concat(frames, ignore_index=True))


@stage(inputs="data runs", outputs="curves", params="settings")
def curves(inputs, outputs, params):
    from sparsenets.splines.metrics import curves as draw_curves

    frames = [draw_curves(d, r, s) for s, d, r in _per_setting(inputs, params)]
    write_csv(outputs["curves"], pd.concat(frames, ignore_index=True))


@stage(inputs="data runs", outputs="optimum", params="experiment settings")
def optimum(inputs, outputs, params):
    from sparsenets.splines.optimum import highd_table, table

    make = table if params["experiment"] == "oned" else highd_table
    frames = [make(s, d, r) for s, d, r in _per_setting(inputs, params)]
    write_csv(outputs["optimum"], pd.concat(frames, ignore_index=True))


@stage(inputs="tables style", outputs="pdf? png?", params="figures")
def figure(inputs, outputs, params):
    from sparsenets.common.plotting import each_figure
    from sparsenets.splines.figures import draw

    for name, pdf, png in each_figure(params, outputs):
        draw(name, as_list(inputs["tables"]), pdf, png, inputs["style"])


@stage(inputs="tables", outputs="claims numbers settings oned residuals", params="config")
def claims(inputs, outputs, params):
    from sparsenets.splines.claims import report

    report(as_list(inputs["tables"]), outputs, params)


STAGES = {
    "data": data,
    "train": train,
    "metrics": metrics,
    "curves": curves,
    "optimum": optimum,
    "figure": figure,
    "claims": claims,
}
