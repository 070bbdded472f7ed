"""One job of the phase diagrams: every n and trial (and σ) of one experiment at one d."""

import numpy as np
import pandas as pd

from sparsenets.common.progress import progress
from sparsenets.common.seeding import generator
from sparsenets.phase_transition import data, models


def solve_cell(seed, experiment, spec, n, d, trial, sigma, tol, min_samples, batch, solver="fast"):
    # keyed by the data model, not the experiment: relaxed and exact programs see the same data
    # (a control's labels join the key, so existing experiments keep their streams)
    label = spec.get("labels", "planted")
    key = (spec["model"], spec.get("planted", "gaussian"), spec.get("neurons", 1))
    key += () if label == "planted" else (label,)
    rng = generator(seed, "phase_transition", *key, n, d, trial, sigma)
    model, exact = spec["model"], spec["program"] == "exact"
    prob = data.problem(
        rng,
        n,
        d,
        model,
        spec.get("planted", "gaussian"),
        spec.get("neurons", 1),
        sigma,
        min_samples,
        label,
    )
    row = {
        "n": n,
        "d": d,
        "sigma": sigma,
        "trial": trial,
        "all_ones": bool(prob["all_ones"]),
        "patterns": int(prob["dmat"].shape[1]),
    }
    if model == "normalized" and n < d:  # as the source: not solved, counted as a failure
        return {**row, "success": False, "method": "n<d", "rounds": 0, "error": np.nan}
    p = models.build(prob, model, exact)
    if solver == "reference":
        sol = {**models.reference(p), "method": "reference", "rounds": 0}
    else:
        early = sigma == 0 and spec.get("exit_early", True)
        sol = models.fast(p, batch=batch, tol=tol, early_exit=early)
    W = sol["W"]
    if not W:  # a proof of failure without a solution: no error to report
        error = float("nan")
    elif model == "skip":  # ‖ŵ − w*‖ of the skip (linear) neuron
        error = float(np.linalg.norm(W[0] - p.targets[0]))
    else:  # largest entrywise deviation from the planted solution
        error = max(float(np.max(np.abs(W.get(j, 0) - t))) for j, t in p.targets.items())
    return {
        **row,
        "success": models.recovered(p, W, tol),
        "method": sol["method"],
        "rounds": int(sol["rounds"]),
        "error": error,
    }


def run(seed, experiment, spec, ns, d, trials, sigmas, tol, min_samples, batch):
    rows = []
    for n in progress(ns, f"{experiment} d={d}: n", every=0.0):
        for sigma in sigmas:
            for t in range(trials):
                rows.append(
                    solve_cell(seed, experiment, spec, n, d, t, sigma, tol, min_samples, batch)
                )
    frame = pd.DataFrame(rows)
    frame.insert(0, "experiment", experiment)
    return frame
