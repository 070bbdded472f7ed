"""From saved iterates to tidy tables: error curves, early-stopping windows, per-trial measures.

Definitions (the paper states them):
- noise floor: σ²·k·log(p)/n, the rate of the paper's bound; "recovers w*" means the best median
  squared error over the run is at most this floor.
- error window: the recorded steps where the median (over trials) of log2‖w_t − w*‖² is at most
  its minimum + 0.5, taken as the contiguous run that contains the minimum.
- path window: from the first t with max_{i∈S} |w_i − w*_i| < 0.1 to the first t with
  max_{i∉S} |w_i| > w0^(1/4) (the off-support coordinates have started fitting noise).
"""

import numpy as np
import pandas as pd

from sparsenets.common.seeding import generator
from sparsenets.diagonal.settings import CONTROL_DEPTH

ERROR_TOL = 0.5  # log2 units above the minimum
SUPPORT_TOL = 0.1
HALF = 0.5  # a coordinate is "learned" once it reaches half of its target


def noise_floor(sigma: float, k: int, p: int, n: int) -> float:
    return sigma**2 * k * np.log(p) / n


def error_window(steps, log2_err, tol=ERROR_TOL) -> dict:
    """Window of the curve around its minimum; `censored` when it reaches the last step."""
    steps = np.asarray(steps)
    curve = np.asarray(log2_err, dtype=float)
    if not np.isfinite(curve).any():
        return {
            "start": np.nan,
            "end": np.nan,
            "length": np.nan,
            "log10_width": np.nan,
            "censored": False,
        }
    best = int(np.nanargmin(curve))
    below = np.nan_to_num(curve, nan=np.inf) <= curve[best] + tol
    lo = best
    while lo > 0 and below[lo - 1]:
        lo -= 1
    hi = best
    while hi < len(curve) - 1 and below[hi + 1]:
        hi += 1
    start, end = int(steps[lo]), int(steps[hi])
    return {
        "start": start,
        "end": end,
        "length": end - start,
        "log10_width": float(np.log10(max(end, 1) / max(start, 1))),
        "censored": bool(hi == len(curve) - 1),
    }


def path_window(steps, support_err, off_max, off_threshold, support_tol=SUPPORT_TOL) -> dict:
    """First support fit to first noise fit; NaN start if the support is never fitted."""
    steps = np.asarray(steps)
    fitted = np.flatnonzero(np.asarray(support_err) < support_tol)
    noisy = np.flatnonzero(np.asarray(off_max) > off_threshold)
    end = int(steps[noisy[0]]) if len(noisy) else int(steps[-1])
    if not len(fitted):
        return {"start": np.nan, "end": end, "length": 0, "censored": not len(noisy)}
    start = int(steps[fitted[0]])
    return {"start": start, "end": end, "length": max(end - start, 0), "censored": not len(noisy)}


def first_reach(steps, values, level) -> float:
    hit = np.flatnonzero(np.asarray(values) >= level)
    return float(steps[hit[0]]) if len(hit) else np.nan


def curves(W, wstar, support):
    """Per (record, alpha, trial): squared error, max support error, max |off-support| entry."""
    diff = W - wstar[None, None]
    err2 = np.einsum("rabp,rabp->rab", diff, diff)
    supp_err = np.where(support[None, None], np.abs(diff), -np.inf).max(-1)
    off_max = np.where(support[None, None], -np.inf, np.abs(W)).max(-1, initial=0.0)
    return err2, supp_err, off_max


def tracked_coordinates(w_path, support, limit=5):
    """All coordinates if few; else the first `limit` of the support and the `limit` off-support
    coordinates that grow largest along the path."""
    p = len(support)
    if p <= 64:
        return np.arange(p)
    on = np.flatnonzero(support)[:limit]
    off = np.flatnonzero(~support)
    peak = np.nanmax(np.abs(w_path[:, off]), axis=0)
    return np.concatenate([on, off[np.argsort(-peak, kind="stable")[:limit]]])


def ridge_path(X, y, lambdas, intercept=False):
    """Ridge minimisers of (1/n)‖Xw + b − y‖² + λ‖w‖² for every λ, via one SVD: (L, p).

    `intercept`: an unpenalised b (glmnet's fit_intercept, X and y centred), else b = 0.
    """
    n = len(y)
    if intercept:
        X, y = X - X.mean(0), y - y.mean()
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    shrink = s / (s**2 + n * np.asarray(lambdas)[:, None])
    return (shrink * (U.T @ y)) @ Vt


# Ridge as the source's kernel-regime script fits it (src/run_kernel_regime.py, line 62:
# glmnet.linear.ElasticNet(alpha=0, standardize=False, n_splits=5, n_lambda=1000,
# random_state=42), python-glmnet's defaults otherwise: fit_intercept=True, min_lambda_ratio=1e-4,
# scoring r², cut_point=1). glmnet's ridge objective (1/2n)‖y − b − Xw‖² + (λ/2)‖w‖² is ours
# with the same λ; its path starts at max_j |⟨x_j − x̄_j, y − ȳ⟩| / (n · sd(y) · 10⁻³) (the
# lasso's λ_max at α floored to 10⁻³, on glmnet's internal scale y / sd(y)).
RIDGE_LAMBDAS = 1000
RIDGE_LAMBDA_RATIO = 1e-4
CV_FOLDS = 5  # KFold(n_splits=5, shuffle=True, random_state=42) in the source: one shuffle for
# every replicate; ours is drawn from the config seed, likewise one for every trial
ONE_SE = 1.0  # cut_point: the largest λ within one standard error of the best mean score


def glmnet_ridge_lambdas(X, y, count=RIDGE_LAMBDAS, ratio=RIDGE_LAMBDA_RATIO) -> np.ndarray:
    """glmnet's decreasing λ grid for alpha = 0 (standardize=False, with an intercept)."""
    Xc, yc = X - X.mean(0), y - y.mean()
    top = np.abs(Xc.T @ yc).max() / (len(y) * yc.std() * 1e-3)
    return top * ratio ** (np.arange(count) / (count - 1))


def ridge_one_se(X, y, lambdas, order, folds=CV_FOLDS, cut=ONE_SE) -> dict:
    """λ by K-fold CV of the r² score and the one-standard-error rule (python-glmnet's
    ElasticNet.fit): the largest λ whose mean score is at least the best mean score minus `cut`
    standard errors (over folds, ddof 1) of the best. `order`: a permutation of the samples,
    cut into `folds` consecutive folds (as KFold with shuffle). Also returns λ of the best score."""
    scores = []
    for test in np.array_split(order, folds):
        train = np.setdiff1d(order, test)
        W = ridge_path(X[train], y[train], lambdas, intercept=True)
        b = y[train].mean() - W @ X[train].mean(0)
        pred = X[test] @ W.T + b  # (test, L)
        sse = ((y[test][:, None] - pred) ** 2).sum(0)
        scores.append(1.0 - sse / ((y[test] - y[test].mean()) ** 2).sum())
    scores = np.array(scores)  # (folds, L)
    mean = scores.mean(0)
    se = scores.std(0, ddof=1) / np.sqrt(folds)
    best = int(np.argmax(mean))
    chosen = int(np.flatnonzero(mean >= mean[best] - cut * se[best])[0])  # λ decreasing
    return {"lam": float(lambdas[chosen]), "lam_min": float(lambdas[best])}


PATH_LAMBDAS = np.logspace(
    -8, 6, 561
)  # dense grid for the distance of GD iterates to the ridge path
# Experiments whose runs are compared with ridge: the kernel regime (large init) and, as its
# negative control, the small-init early-stopping runs (the depth-1 control run excluded).
RIDGE_EXPERIMENTS = ("kernel", "es_error")
# Image experiments: every pixel of the final iterate goes to the paths table (the figure), and
# the minimum-ℓ2 interpolant X⁺y on the same measurements is the yardstick of the claim.
IMAGE_EXPERIMENTS = ("image", "image_dense")


def ridge_reference(X, y, seed) -> dict:
    """One-SE CV ridge (as the source), least squares and the ridge path of one trial's data
    (the same for every run); the folds' shuffle depends on the seed only."""
    order = generator(seed, "diagonal", "ridge", "cv").permutation(len(y))
    cv = ridge_one_se(X, y, glmnet_ridge_lambdas(X, y), order)
    w = ridge_path(X, y, [cv["lam"]], intercept=True)[0]
    return {
        **cv,
        "ridge": w,
        "ls": np.linalg.lstsq(X, y, rcond=None)[0],
        "path": ridge_path(X, y, PATH_LAMBDAS),
    }


def kernel_measures(X, y, wstar, W, ref) -> dict:
    """GD (one trial, one init) against CV ridge and least squares on the same data; `ref`:
    ridge_reference(X, y, seed), computed once per trial by the caller."""
    ridge, ls, path = ref["ridge"], ref["ls"], ref["path"]
    finite = W[np.isfinite(W).all(-1)]
    # ‖a − b‖² = ‖a‖² + ‖b‖² − 2a·b: one matrix product instead of a (records, λ, p) array
    sq = (finite**2).sum(-1)[:, None] + (path**2).sum(-1)[None] - 2.0 * finite @ path.T
    dist = np.sqrt(np.maximum(sq, 0.0)).min(1)
    return {
        "ridge_lambda": ref["lam"],
        "ridge_lambda_min": ref["lam_min"],
        "ridge_err2": float(((ridge - wstar) ** 2).sum()),
        "ls_err2": float(((ls - wstar) ** 2).sum()),
        "ridge_path_dist": float(dist.max() / np.linalg.norm(wstar)),
    }


def min_l2_rel_error(X, y, wstar) -> float:
    """‖X⁺y − w*‖ / ‖w*‖: the minimum-ℓ2 interpolant of the same measurements."""
    w = np.linalg.pinv(X) @ y
    return float(np.linalg.norm(w - wstar) / np.linalg.norm(wstar))


def tables(name: str, data: dict, runs: list, seed: int) -> dict:
    """The trajectory, measures (per trial), summary (per setting) and paths tables."""
    X, y, wstar, support = data["X"], data["y"], data["wstar"], data["support"]
    B, n, p = X.shape
    k = int(support[0].sum())
    floor = noise_floor(float(data["sigma"]), k, p, n)
    traj, meas, summ, paths = [], [], [], []
    refs = {}  # per trial: the ridge reference, shared by every depth
    for run in runs:
        depth, steps, W = int(run["depth"]), run["steps"], run["W"]
        err2, supp_err, off_max = curves(W, wstar, support)
        with np.errstate(divide="ignore", invalid="ignore"):
            log2 = np.log2(err2)
        for a, alpha in enumerate(run["alphas"]):
            key = {"depth": depth, "alpha": alpha, "w0": alpha**depth}
            for b in range(B):
                traj.append(
                    pd.DataFrame(
                        {
                            **key,
                            "trial": b,
                            "step": steps,
                            "err2": err2[:, a, b],
                            "support_err": supp_err[:, a, b],
                            "off_max": off_max[:, a, b],
                        }
                    )
                )
                m = {
                    "best_err2": np.nanmin(err2[:, a, b]),
                    "best_step": steps[int(np.nanargmin(err2[:, a, b]))],
                    "final_err2": err2[-1, a, b],
                    "rel_err_final": np.sqrt(err2[-1, a, b] / (wstar[b] @ wstar[b])),
                    "diverged": float(run["diverged"][a, b]),
                }
                pw = path_window(steps, supp_err[:, a, b], off_max[:, a, b], (alpha**depth) ** 0.25)
                m.update({f"path_window_{f}": float(v) for f, v in pw.items()})
                for i in np.flatnonzero(support[b])[:10]:
                    m[f"t_half_{i}"] = first_reach(steps, W[:, a, b, i], HALF * wstar[b, i])
                if name in RIDGE_EXPERIMENTS and depth != CONTROL_DEPTH:
                    if b not in refs:
                        refs[b] = ridge_reference(X[b], y[b], seed)
                    m.update(kernel_measures(X[b], y[b], wstar[b], W[:, a, b], refs[b]))
                if name in IMAGE_EXPERIMENTS:
                    if b not in refs:
                        refs[b] = min_l2_rel_error(X[b], y[b], wstar[b])
                    m["min_l2_rel_err"] = refs[b]
                meas += [
                    {**key, "trial": b, "measure": k_, "value": float(v)} for k_, v in m.items()
                ]
                if name in IMAGE_EXPERIMENTS:  # every pixel, final iterate only
                    paths.append(
                        pd.DataFrame(
                            {
                                **key,
                                "trial": b,
                                "coord": np.arange(p),
                                "on_support": support[b],
                                "target": wstar[b],
                                "step": steps[-1],
                                "value": W[-1, a, b],
                            }
                        )
                    )
                elif b < 3:
                    for i in tracked_coordinates(W[:, a, b], support[b]):
                        paths.append(
                            pd.DataFrame(
                                {
                                    **key,
                                    "trial": b,
                                    "coord": int(i),
                                    "on_support": bool(support[b, i]),
                                    "target": wstar[b, i],
                                    "step": steps,
                                    "value": W[:, a, b, i],
                                }
                            )
                        )
            median = np.median(log2[:, a, :], axis=1)
            ew = error_window(steps, median)
            s = {
                "median_best_err2": float(2.0 ** np.nanmin(median)),
                "median_best_step": float(steps[int(np.nanargmin(median))]),
                "noise_floor": floor,
                "diverged_runs": float(run["diverged"][a].sum()),
                **{f"window_{f}": float(v) for f, v in ew.items()},
            }
            summ += [{**key, "measure": k_, "value": v} for k_, v in s.items()]
    return {
        "trajectory": pd.concat(traj, ignore_index=True),
        "measures": pd.DataFrame(meas),
        "summary": pd.DataFrame(summ),
        "paths": pd.concat(paths, ignore_index=True),
    }
