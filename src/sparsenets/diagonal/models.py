"""Depth-N diagonal linear network w = u^N - v^N trained by full-batch gradient descent.

Loss (1/n)·‖Xw − y‖² (no ½), as in Li, Nguyen, Hegde & Wong (2021). With g = (2/n)·Xᵀ(Xw − y):
∂L/∂u = N·u^(N−1)·g and ∂L/∂v = −N·v^(N−1)·g.

The loop is compiled with numba: the 3.2e6-step path of the paper is bound by Python overhead
otherwise.
All trials (and initialisations) of a job run in one call, as the leading batch dimension.
"""

import numba
import numpy as np


def end_to_end(u: np.ndarray, v: np.ndarray, depth: int) -> np.ndarray:
    return u**depth - v**depth


def loss(X: np.ndarray, y: np.ndarray, u: np.ndarray, v: np.ndarray, depth: int) -> float:
    r = X @ end_to_end(u, v, depth) - y
    return float(r @ r) / len(y)


def loss_grad(X, y, u, v, depth):
    """(∂L/∂u, ∂L/∂v) in closed form; tested against finite differences."""
    g = 2.0 / len(y) * (X.T @ (X @ end_to_end(u, v, depth) - y))
    return depth * u ** (depth - 1) * g, -depth * v ** (depth - 1) * g


@numba.njit(cache=True)
def _descend(X, y, depth, alpha, eta, record_at, out):
    """GD on one trial from u = v = alpha; writes w at the steps in record_at into out[r, :].

    Returns the index of the first record that saw a non-finite w (len(record_at) if none):
    a diverged run stops there and leaves NaN in the remaining records.
    """
    n, p = X.shape
    u = np.full(p, alpha)
    v = np.full(p, alpha)
    w = np.empty(p)
    c = 2.0 * depth * eta / n
    r_next = 0
    t = 0
    n_records = record_at.shape[0]
    while r_next < n_records:
        for j in range(p):
            w[j] = u[j] ** depth - v[j] ** depth
        while r_next < n_records and record_at[r_next] == t:
            out[r_next, :] = w
            r_next += 1
        if not np.all(np.isfinite(w)):
            return r_next - 1
        if r_next == n_records:
            break
        g = X.T @ (X @ w - y)
        for j in range(p):
            s = c * g[j]
            u[j] -= s * u[j] ** (depth - 1)
            v[j] += s * v[j] ** (depth - 1)
        t += 1
    return n_records


def gradient_descent(X, y, depth, alphas, eta, record_at):
    """Run GD for every trial in X (B, n, p) and every init scale in alphas (A,).

    Returns (W, diverged): W has shape (len(record_at), A, B, p) with w_t at each recorded step t,
    NaN after a divergence; diverged (A, B) flags runs that produced a non-finite iterate.
    """
    X = np.ascontiguousarray(X, dtype=np.float64)
    y = np.ascontiguousarray(y, dtype=np.float64)
    record_at = np.asarray(record_at, dtype=np.int64)
    if record_at.ndim != 1 or np.any(np.diff(record_at) < 0) or record_at[0] < 0:
        raise ValueError("record_at must be a non-decreasing array of non-negative steps")
    B, _, p = X.shape
    W = np.full((len(record_at), len(alphas), B, p), np.nan)
    diverged = np.zeros((len(alphas), B), dtype=bool)
    for a, alpha in enumerate(alphas):
        for b in range(B):
            out = np.full((len(record_at), p), np.nan)
            last = _descend(X[b], y[b], int(depth), float(alpha), float(eta), record_at, out)
            diverged[a, b] = last < len(record_at)
            if diverged[a, b]:
                out[max(last, 0) :] = np.nan
            W[:, a, b] = out
    return W, diverged


def record_steps(steps: int, per_decade: int) -> np.ndarray:
    """0, 1, …, then a log-spaced grid with per_decade points a decade, ending at steps."""
    if steps < 1:
        raise ValueError(f"steps must be positive, got {steps}")
    grid = np.unique(
        np.round(np.logspace(0, np.log10(steps), int(per_decade * np.log10(steps)) + 2))
    )
    return np.unique(np.concatenate([[0], grid.astype(np.int64), [steps]]))
