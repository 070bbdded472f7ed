"""Data of the source: Gaussian X/√n, planted models, label noise, hyperplane arrangements.

Wang, Hua, Candès & Pilanci (arXiv 2209.15265), settings of their public code: X = randn(n, d)/√n,
z = σ·randn(n)/√n; arrangements D_i = diag(1[X u_i ≥ 0]) from max(n, 50) Gaussian u_i, duplicates
removed, plus the all-ones pattern when some u ≠ 0 has Xu ≥ 0 (decided by a linear program).
"""

import numpy as np

from sparsenets.common.arrangements import sampled

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
    dmat, ones = sampled(rng, X, include, min_samples)
    return {"X": X, "w": w, "y": y, "dmat": dmat, "all_ones": ones}
