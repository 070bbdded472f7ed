"""Data of the source: Gaussian X/√n, planted models, label noise, hyperplane arrangements.

Wang, Hua, Candès & Pilanci (arXiv 2209.15265), settings of their public code: X = randn(n, d)/√n,
z = σ·randn(n)/√n; arrangements D_i = diag(1[X u_i ≥ 0]) from max(n, 50) Gaussian u_i, duplicates
removed, plus the all-ones pattern when some u ≠ 0 has Xu ≥ 0 (decided by a linear program).
"""

import numpy as np
from scipy.optimize import linprog

MODELS = ("skip", "relu", "normalized")
PLANTED = ("gaussian", "smallest_singular")
# Labels of a trial: those of the planted model (default), none (pure noise g/√n of the scale of
# ‖Xw*‖, with no planted neuron: a negative control), or relu (a ReLU neuron's labels fitted
# by the skip model: a mis-specified planted model, a negative control of the noise claim).
LABELS = ("planted", "none", "relu")


def design(rng, n: int, d: int) -> np.ndarray:
    return rng.standard_normal((n, d)) / np.sqrt(n)


def planted(rng, X: np.ndarray, kind: str, neurons: int = 1) -> np.ndarray:
    """Unit-norm planted weights, shape (d, neurons)."""
    n, d = X.shape
    if kind == "gaussian":
        w = rng.standard_normal((d, neurons))
    elif kind == "smallest_singular":
        if neurons != 1:
            raise ValueError("planted 'smallest_singular' is one vector; set neurons: 1")
        w = np.linalg.svd(X, full_matrices=False)[2][-1][:, None]  # last row of the reduced V^T
    else:
        raise ValueError(f"unknown planted model {kind!r}; known: {', '.join(PLANTED)}")
    return w / np.linalg.norm(w, axis=0)


def labels(X: np.ndarray, w: np.ndarray, model: str) -> np.ndarray:
    """Noiseless labels: Xw (skip), relu(Xw) (relu), Σ_j relu(Xw_j)/‖relu(Xw_j)‖ (normalized)."""
    if model == "skip":
        return X @ w[:, 0]
    if model == "relu":
        return np.maximum(X @ w[:, 0], 0.0)
    if model == "normalized":
        h = np.maximum(X @ w, 0.0)
        return (h / np.linalg.norm(h, axis=0)).sum(axis=1)
    raise ValueError(f"unknown model {model!r}; known: {', '.join(MODELS)}")


def has_nonnegative_direction(X: np.ndarray, tol: float = 1e-9) -> bool:
    """Is there u ≠ 0 with Xu ≥ 0 (so that the all-ones pattern is realisable)?

    A nonzero kernel vector gives Xu = 0 ≥ 0. Otherwise X is injective and such u exists iff
    max 1ᵀXu subject to Xu ≥ 0, −1 ≤ u ≤ 1 is positive: an exact linear program.
    """
    n, d = X.shape
    if np.linalg.matrix_rank(X) < d:
        return True
    res = linprog(-X.sum(axis=0), A_ub=-X, b_ub=np.zeros(n), bounds=[(-1, 1)] * d, method="highs")
    if res.status != 0:
        raise RuntimeError(f"all-ones LP failed: {res.message}")
    return -res.fun > tol


def arrangements(rng, X: np.ndarray, include=None, min_samples: int = 50):
    """Patterns as a boolean (n, P) matrix, and whether the all-ones pattern was added.

    `include` (d, k): directions whose patterns come first (the planted neurons), so they are in
    the set; column order is otherwise that of np.unique (sorted), which makes it reproducible.
    """
    n, d = X.shape
    u = rng.standard_normal((d, max(n, min_samples)))
    first = np.zeros((n, 0), bool) if include is None else X @ include >= 0
    sampled = np.unique(X @ u >= 0, axis=1)
    keep = [c for c in sampled.T if not any(np.array_equal(c, f) for f in first.T)]
    dmat = np.column_stack([*first.T, *keep]) if keep or first.size else np.zeros((n, 0), bool)
    ones = has_nonnegative_direction(X)
    if ones and not dmat.all(axis=0).any():
        dmat = np.column_stack([dmat, np.ones(n, bool)])
    return dmat, ones


def problem(
    rng, n, d, model, kind="gaussian", neurons=1, sigma=0.0, min_samples=50, label="planted"
):
    """One trial: X, w*, y (with noise) and the arrangement patterns. w* is drawn whatever the
    labels, so a control keeps the neuron its recovery is measured against."""
    X = design(rng, n, d)
    w = planted(rng, X, kind, neurons)
    if model == "normalized":  # redraw a degenerate neuron (relu(Xw) = 0), as the source does
        while np.any(np.linalg.norm(np.maximum(X @ w, 0), axis=0) < 1e-10):
            X = design(rng, n, d)
            w = planted(rng, X, kind, neurons)
    if label == "none":
        clean = rng.standard_normal(n) / np.sqrt(n)
    elif label in ("planted", "relu"):
        clean = labels(X, w, model if label == "planted" else "relu")
    else:
        raise ValueError(f"unknown labels {label!r}; known: {', '.join(LABELS)}")
    y = clean + sigma * rng.standard_normal(n) / np.sqrt(n)
    include = w if model in ("relu", "normalized") else None
    dmat, ones = arrangements(rng, X, include, min_samples)
    return {"X": X, "w": w, "y": y, "dmat": dmat, "all_ones": ones}
