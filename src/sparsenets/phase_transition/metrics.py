"""Tidy tables: success rate per cell, the fitted threshold n/d, noise errors, training distances.

Threshold: a logistic model P(success) = 1/(1 + exp(−(log(n/d) − log τ)/s)) fitted by maximum
likelihood to the trials of an experiment (σ = 0) at each d (τ(d)) and to all d at once (pooled);
τ is the threshold n/d (50% point), and the 0.1–0.9 band runs from τ·9^(−s) to τ·9^(s).
Uncertainty: percentile 95% intervals over a bootstrap of the trials (resampled within each cell),
from a generator of the config seed. Constancy of τ across d: the likelihood-ratio test of one
(τ, s) for all d against a (τ_d, s_d) per d, χ² with 2(k − 1) degrees of freedom for k values of
d; the pooled τ stands for the experiment only when that test does not reject at level 0.05.
"""

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.stats import chi2

from sparsenets.common.seeding import generator

BOOTSTRAP = 100
CONSTANCY_LEVEL = 0.05  # the likelihood-ratio test's level (our design: the usual 5%)
POOLED = 0  # the d column of a pooled fit


def cells(trials: pd.DataFrame) -> pd.DataFrame:
    g = trials.groupby(["experiment", "sigma", "n", "d"])
    out = g.agg(
        success=("success", "mean"),
        trials=("success", "size"),
        all_ones=("all_ones", "mean"),
        ties=("outcome", lambda v: float((v == "tie").mean())),
        error_median=("error", "median"),
    )
    return out.reset_index()


def _fit(logr, success, start=None):
    """(log τ, s) by maximum likelihood; s bounded away from 0 for separable data."""

    def nll(theta):
        return _nll(logr, success, theta[0], np.exp(theta[1]))

    start = [float(np.median(logr)), np.log(0.3)] if start is None else start
    res = minimize(
        nll, start, method="Nelder-Mead", options={"xatol": 1e-8, "fatol": 1e-10, "maxiter": 4000}
    )
    return res.x[0], max(float(np.exp(res.x[1])), 1e-3)


def _nll(logr, success, lt, sc):
    z = (logr - lt) / sc
    return float(np.sum(np.logaddexp(0, -z) * success + np.logaddexp(0, z) * (1 - success)))


def threshold(trials: pd.DataFrame, seed: int, experiment: str, d: int = POOLED) -> dict:
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
    key = (experiment,) if d == POOLED else (experiment, d)
    rng = generator(seed, "phase_transition", "bootstrap", *key)
    groups = list(t.reset_index(drop=True).groupby(["n", "d"]).indices.values())
    taus, widths = [], []
    for _ in range(BOOTSTRAP):
        idx = np.concatenate([rng.choice(g, size=len(g)) for g in groups])
        if s[idx].min() == s[idx].max():
            continue
        blt, bsc = _fit(logr[idx], s[idx], [lt, np.log(sc)])
        taus.append(np.exp(blt))
        widths.append(_rel_width(bsc))

    def pct(v, q):
        return float(np.percentile(v, q)) if v else float("nan")

    return {
        "tau": float(np.exp(lt)),
        "tau_lo": pct(taus, 2.5),
        "tau_hi": pct(taus, 97.5),
        "width": _rel_width(sc),
        "width_lo": pct(widths, 2.5),
        "width_hi": pct(widths, 97.5),
        "r10": float(np.exp(lt - sc * np.log(9))),
        "r90": float(np.exp(lt + sc * np.log(9))),
    }


def _rel_width(s):
    """(r_0.9 − r_0.1)/τ of the logistic fit."""
    return float(np.exp(s * np.log(9)) - np.exp(-s * np.log(9)))


def constancy(t: pd.DataFrame) -> float:
    """p-value of the likelihood-ratio test of one (τ, s) for every d against one per d
    (NaN with fewer than two d, or where some d has no transition to fit)."""
    logr = np.log(t.n.to_numpy() / t.d.to_numpy())
    s = t.success.to_numpy().astype(float)
    groups = list(t.reset_index(drop=True).groupby("d").indices.values())
    if len(groups) < 2 or s.min() == s.max():
        return float("nan")
    pooled = _nll(logr, s, *_fit(logr, s))
    separate = 0.0
    for g in groups:
        if s[g].min() == s[g].max():  # fitted perfectly by a step at this d: likelihood 1
            continue
        separate += _nll(logr[g], s[g], *_fit(logr[g], s[g]))
    stat = max(2 * (pooled - separate), 0.0)
    return float(chi2.sf(stat, 2 * (len(groups) - 1)))


def thresholds(trials: pd.DataFrame, seed: int) -> pd.DataFrame:
    """One row per experiment and d, and a pooled row (d = 0) with the constancy test's p-value
    (NaN on the per-d rows)."""
    rows = []
    for experiment, t in trials.groupby("experiment", sort=False):
        if experiment == "noise" or not (t.sigma == 0).all():  # phase diagrams, not σ sweeps
            continue
        p = constancy(t)
        rows.append(
            {"experiment": experiment, "d": POOLED, **threshold(t, seed, experiment), "p_const": p}
        )
        for d, g in t.groupby("d"):
            fit = threshold(g, seed, experiment, int(d))
            rows.append({"experiment": experiment, "d": int(d), **fit, "p_const": float("nan")})
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
