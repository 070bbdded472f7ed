"""One job of the phase diagrams: every n and trial (and σ) of one experiment at one d.

Outcome of a trial: `unique` (the planted solution is the unique optimum), `tie` (it is optimal
and another optimum of equal cost exists, exhibited by construction) or `failure` (a strictly
cheaper feasible point exists, or no feasible point is near the planted solution). The tie the
grid meets is the relaxed skip program's: the all-ones pattern's block D X = X duplicates the
skip block, so (W0, W_ones) = (w*/2, w*/2) costs ‖w*‖ as (w*, 0) does. Merging duplicate blocks
leaves the optimal cost unchanged (‖a‖ + ‖b‖ ≥ ‖a + b‖), so that program is solved without the
duplicate and the trial is a tie exactly when the reduced program recovers uniquely.
"""

import numpy as np
import pandas as pd

from sparsenets.common.progress import progress
from sparsenets.common.seeding import generator
from sparsenets.phase_transition import data, models

OUTCOMES = ("unique", "tie", "failure")


def trial_data(seed, spec, n, d, trial, sigma, min_samples):
    """The data of one trial. Keyed by the data model, not the experiment: relaxed and exact
    programs see the same data (a control's labels join the key). σ is not in the key: every σ of
    a trial shares X, w*, the arrangements and the noise direction g (z = σg/√n), so the error's
    dependence on σ is read without resampling noise between σ."""
    label = spec.get("labels", "planted")
    key = (spec["model"], spec.get("planted", "gaussian"), spec.get("neurons", 1))
    key += () if label == "planted" else (label,)
    rng = generator(seed, "phase_transition", *key, n, d, trial)
    return data.problem(
        rng,
        n,
        d,
        spec["model"],
        spec.get("planted", "gaussian"),
        spec.get("neurons", 1),
        sigma,
        min_samples,
        label,
    )


def duplicate_of_skip(p: models.Program) -> int | None:
    """The pattern whose block equals the skip block (the all-ones pattern of the relaxed skip
    program), or None."""
    if not p.skip or p.exact:
        return None
    full = np.flatnonzero(p.dmat.all(axis=0))
    return int(full[0]) if full.size else None


def exhibit_tie(p: models.Program, full: models.Program, ones: int) -> dict:
    """The other optimum of the full program: W0 = W_ones = w*/2 (block 1 + ones). Checked:
    feasible and of the planted cost, and not within any tolerance of the planted solution."""
    w = p.targets[0]
    W = {0: w / 2, 1 + ones: w / 2}
    fit = sum(full.block(j)[0] @ v for j, v in W.items())
    cost = sum(np.linalg.norm(v) for v in W.values())
    if not (np.allclose(fit, full.y, atol=1e-10) and np.isclose(cost, np.linalg.norm(w))):
        raise AssertionError("the constructed tie is not an optimum of equal cost")
    return W


def equal_cost_optimum(p: models.Program, sol: dict) -> bool:
    """Is `sol` an optimum (an exact solve) of the planted cost, the planted solution feasible?
    Then the planted solution is optimal and `sol`, not near it, is another optimum: a tie."""
    if sol["method"] not in ("column-generation", "reference") or not p.targets:
        return False
    fit = sum(p.block(j)[0] @ t for j, t in p.targets.items())
    cost = p.planted_objective()
    return bool(np.allclose(fit, p.y, atol=1e-10) and sol["objective"] >= cost - 1e-7 * cost)


def solve_trial(prob, model, exact, tol, batch, early, solver="fast"):
    """(outcome, solution dict of the program actually solved, the program)."""
    full = models.build(prob, model, exact)
    ones = duplicate_of_skip(full)
    p = full
    if ones is not None:  # the same optimum without the duplicate block
        keep = np.delete(np.arange(full.P), ones)
        p = models.build({**prob, "dmat": full.dmat[:, keep]}, model, exact)
    if solver == "reference":
        sol = {**models.reference(p), "method": "reference", "rounds": 0}
    else:
        sol = models.fast(p, batch=batch, tol=tol, early_exit=early)
    if not models.recovered(p, sol["W"], tol):
        return ("tie" if equal_cost_optimum(p, sol) else "failure"), sol, p
    if ones is None:
        return "unique", sol, p
    exhibit_tie(p, full, ones)
    return "tie", sol, p


def solve_cell(seed, experiment, spec, n, d, trial, sigma, tol, min_samples, batch, solver="fast"):
    model, exact = spec["model"], spec["program"] == "exact"
    prob = trial_data(seed, spec, n, d, trial, sigma, min_samples)
    row = {
        "n": n,
        "d": d,
        "sigma": sigma,
        "trial": trial,
        "all_ones": bool(prob["all_ones"]),
        "patterns": int(prob["dmat"].shape[1]),
    }
    if model == "normalized" and n < d:  # as the source: not solved, counted as a failure
        return {
            **row,
            "outcome": "failure",
            "success": False,
            "method": "n<d",
            "rounds": 0,
            "error": np.nan,
        }
    early = sigma == 0 and spec.get("exit_early", True)
    outcome, sol, p = solve_trial(prob, model, exact, tol, batch, early, solver)
    W = sol["W"]
    if not W:  # a proof of failure without a solution: no error to report
        error = float("nan")
    elif model == "skip":  # ‖ŵ − w*‖ of the skip (linear) neuron, duplicate merged into it
        error = float(np.linalg.norm(W[0] - p.targets[0]))
    else:  # largest entrywise deviation from the planted solution
        error = max(float(np.max(np.abs(W.get(j, 0) - t))) for j, t in p.targets.items())
    return {
        **row,
        "outcome": outcome,
        "success": outcome == "unique",
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
