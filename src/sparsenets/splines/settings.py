"""The config section → one setting per job: oned-<kind>-N<n>, highd-d<dim>, deep-L<depth>.

Inside a job, trials × λ grid × widths × skip variants are the batch dimension of one run; the
negative control (λ = 0 at the widest width, the first `control_trials` trials, the skip variants
its claims read) joins the same batch.
"""

import itertools


def settings(cfg: dict) -> dict:
    out = {}
    o = cfg["oned"]
    for kind, n in itertools.product(o["kinds"], o["n"]):
        out[f"oned-{kind}-N{n}"] = {
            "experiment": "oned",
            "data": {
                "kind": kind,
                "n": n,
                "trials": o["trials"],
                "slope": o["slope"],
                "amplitude": o["amplitude"],
            },
            "net": {
                "widths": o["widths"],
                "skips": [1, 0],
                "init_scale": o["init_scale"],
                "knot_range": o["knot_range"],
            },
            "lambdas": o["lambdas"],
            "control_trials": o["control_trials"],
            # The claims read the control with skip on random data, both variants on trend data.
            "control_skips": [1] if kind == "random" else [1, 0],
            "optimizer": o["optimizer"],
        }
    h = cfg["highd"]
    for dim in h["dims"]:
        out[f"highd-d{dim}"] = {
            "experiment": "highd",
            "data": {"dim": dim, "n": h["n"], "trials": h["trials"]},
            "net": {
                "widths": [h["width"]],
                "skips": [1],
                "init_scale": h["init_scale"],
                "knot_range": h["knot_range"],
            },
            "lambdas": h["lambdas"],
            "control_trials": h["control_trials"],
            "control_skips": [1],
            "optimizer": h["optimizer"],
        }
    d = cfg["deep"]
    for depth in d["depths"]:
        out[f"deep-L{depth}"] = {
            "experiment": "deep",
            "data": {
                "input_dim": d["input_dim"],
                "n": d["n"],
                "n_test": d["n_test"],
                "trials": d["trials"],
            },
            "net": {"depth": depth, "width": d["width"], "skips": [1, 0]},
            "lambdas": d["lambdas"],
            "control_trials": d["control_trials"],
            "control_skips": [1, 0],
            "optimizer": d["optimizer"],
        }
    return out


def experiment_settings(cfg: dict, experiment: str) -> list:
    return [name for name, s in settings(cfg).items() if s["experiment"] == experiment]
