"""Tidy tables: success rate per cell, the fitted threshold n/d, noise errors, training distances.

Threshold: a logistic model P(success) = 1/(1 + exp(−(log(n/d) − log τ)/s)) fitted by maximum
likelihood to every trial of an experiment (σ = 0); τ is the threshold n/d (50% point), and the
0.1–0.9 band runs from τ·9^(−s) to τ·9^(s). Uncertainty: percentile 95% intervals over a
bootstrap of the trials (resampled within each cell), from a generator of the config seed.
"""

import numpy as np
import pandas as pd
from scipy.optimize import minimize

from sparsenets.common.seeding import generator

BOOTSTRAP = 100


def cells(trials: pd.DataFrame) -> pd.DataFrame:
    g = trials.groupby(["experiment", "sigma", "n", "d"])
    out = g.agg(
        success=("success", "mean"),
        trials=("success", "size"),
        all_ones=("all_ones", "mean"),
        error_median=("error", "median"),
    )
    return out.reset_index()


def _fit(logr, success, start=None):
    """(log τ, s) by maximum likelihood; s bounded away from 0 for separable data."""

    def nll(theta):
        z = (logr - theta[0]) / np.exp(theta[1])
        return float(np.sum(np.logaddexp(0, -z) * success + np.logaddexp(0, z) * (1 - success)))

    start = [float(np.median(logr)), np.log(0.3)] if start is None else start
    res = minimize(
        nll, start, method="Nelder-Mead", options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 4000}
    )
    return res.x[0], max(float(np.exp(res.x[1])), 1e-3)


def threshold(trials: pd.DataFrame, seed: int, experiment: str) -> dict:
    t = trials[trials.sigma == 0]
    logr = np.log(t.n.to_numpy() / t.d.to_numpy())
    s = t.success.to_numpy().astype(float)
    if s.min() == s.max():  # no transition inside the grid
        nan = float("nan")
        return {
            "tau": nan,
            "tau_lo": nan,
            "tau_hi": nan,
            "width": nan,
            "width_lo": nan,
            "width_hi": nan,
            "r10": nan,
            "r90": nan,
        }
    lt, sc = _fit(logr, s)
    rng = generator(seed, "phase_transition", "bootstrap", experiment)
    groups = list(t.reset_index(drop=True).groupby(["n", "d"]).indices.values())
    taus, widths = [], []
    for _ in range(BOOTSTRAP):
        idx = np.concatenate([rng.choice(g, size=len(g)) for g in groups])
        if s[idx].min() == s[idx].max():
            continue
        blt, bsc = _fit(logr[idx], s[idx], [lt, np.log(sc)])
        taus.append(np.exp(blt))
        widths.append(_rel_width(bsc))
    return {
        "tau": float(np.exp(lt)),
        "tau_lo": float(np.percentile(taus, 2.5)),
        "tau_hi": float(np.percentile(taus, 97.5)),
        "width": _rel_width(sc),
        "width_lo": float(np.percentile(widths, 2.5)),
        "width_hi": float(np.percentile(widths, 97.5)),
        "r10": float(np.exp(lt - sc * np.log(9))),
        "r90": float(np.exp(lt + sc * np.log(9))),
    }


def _rel_width(s):
    """(r_0.9 − r_0.1)/τ of the logistic fit."""
    return float(np.exp(s * np.log(9)) - np.exp(-s * np.log(9)))


def thresholds(trials: pd.DataFrame, seed: int) -> pd.DataFrame:
    rows = []
    for experiment, t in trials.groupby("experiment", sort=False):
        if experiment != "noise" and (t.sigma == 0).all():  # phase diagrams, not σ sweeps
            rows.append({"experiment": experiment, **threshold(t, seed, experiment)})
    return pd.DataFrame(rows)


def train_cells(train: pd.DataFrame) -> pd.DataFrame:
    g = train.groupby(["n", "d"])
    return g.agg(
        distance_median=("test_distance", "median"),
        distance_q25=("test_distance", lambda v: v.quantile(0.25)),
        distance_q75=("test_distance", lambda v: v.quantile(0.75)),
        diverged=("diverged", "sum"),
        trials=("test_distance", "size"),
    ).reset_index()
