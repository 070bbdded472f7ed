"""The depth_separation family's stages, as called by workflow/rules/depth_separation.smk."""

import re
from pathlib import Path

from sparsenets.common.io import as_list, read_npz, write_csv, write_npz
from sparsenets.common.stage import SECTION, stage


@stage(outputs="data", params="seed law_name d law data")
def data(inputs, outputs, params):
    from sparsenets.depth_separation.data import generate

    spec = params["data"]
    write_npz(
        outputs["data"],
        **generate(params["seed"], params["law_name"], params["d"], law=params["law"], **spec),
    )


@stage(
    inputs="data",
    outputs="run",
    params="learner seed law_name law d records grid test depth2 shallow",
)
def train(inputs, outputs, params):
    from sparsenets.depth_separation.train import train as run

    run(inputs["data"], outputs["run"], **params)


RUN_NAME = re.compile(r"^(?P<law>[A-Za-z0-9]+)_d(?P<d>\d+)_(?P<learner>[a-z0-9]+)$")


@stage(inputs="runs", outputs="curves final decision", params="radius")
def metrics(inputs, outputs, params):
    from sparsenets.depth_separation.metrics import tables

    paths = as_list(inputs["runs"])
    runs = []
    for path in paths:
        m = RUN_NAME.match(Path(path).stem)
        if not m:
            raise ValueError(f"{path}: run files must be named <law>_d<d>_<learner>.npz")
        runs.append((m["law"], int(m["d"]), read_npz(path)))
    for name, frame in tables(runs, params["radius"]).items():
        write_csv(outputs[name], frame)


@stage(inputs="tables style", outputs="pdf? png?", params="figures")
def figure(inputs, outputs, params):
    from sparsenets.common.plotting import each_figure
    from sparsenets.depth_separation.figures import draw

    for name, pdf, png in each_figure(params, outputs):
        draw(name, inputs, pdf, png, inputs["style"])


@stage(inputs="tables", outputs="claims numbers settings results", params=SECTION)
def claims(inputs, outputs, params):
    from sparsenets.depth_separation.claims import report

    report(inputs, outputs, params)


STAGES = {"data": data, "train": train, "metrics": metrics, "figure": figure, "claims": claims}
