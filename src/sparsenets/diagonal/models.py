"""Depth-N diagonal linear network w = u^N − v^N (or w = u^N, non-negative) trained by full-batch
gradient descent.

Loss (1/n)·‖Xw − y‖² (no ½), as in Li, Nguyen, Hegde & Wong (2021). With g = (2/n)·Xᵀ(Xw − y):
∂L/∂u = N·u^(N−1)·g and ∂L/∂v = −N·v^(N−1)·g.

The loop is compiled with numba: the 3.2e6-step path of the paper is bound by Python overhead
otherwise.
All trials and initialisations of a job run in one call: those that share a design are the
columns of one matrix product per step.
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


# Below this many rows a matrix product per row beats one matrix-matrix product (OpenBLAS, one
# thread: 3 rows of n = 392, p = 784 take 1.1 ms as one product, 0.47 ms as three;
# 19 rows of n = 100, p = 200 take 93 µs against 253 µs; benchmarks/diagonal_batched.py).
GEMM_MIN_ROWS = 8


@numba.njit(cache=True)
def _descend(X, Y, depth, alphas, v_scale, eta, record_at, out):
    """GD on the rows of Y (C, n), one shared design X: row c starts at u = alphas[c] and
    v = v_scale·alphas[c] (v_scale = 0: the non-negative model w = u^N, v stays 0). Writes w at
    the steps in record_at into out[r, c, :].

    The gradients of all rows are one matrix product (WXᵀ − Y)X when there are many rows (a batch
    of inits costs little more than one), one matrix-vector product per row otherwise.
    Returns, per row, the index of the first record at or after the step where w stopped being
    finite (len(record_at) if never); a diverged row is frozen at w = 0 and its later records
    stay NaN.
    """
    n, p = X.shape
    C = Y.shape[0]
    u = np.empty((C, p))
    v = np.empty((C, p))
    for c in range(C):
        u[c, :] = alphas[c]
        v[c, :] = v_scale * alphas[c]
    Yc = Y.copy()
    Xt = np.ascontiguousarray(X.T)
    W = np.empty((C, p))
    G = np.empty((C, p))
    first_bad = np.full(C, record_at.shape[0])
    alive = np.ones(C, dtype=np.bool_)
    k = 2.0 * depth * eta / n
    r_next = 0
    t = 0
    n_records = record_at.shape[0]
    while r_next < n_records:
        for c in range(C):
            finite = True
            for j in range(p):
                W[c, j] = u[c, j] ** depth - v[c, j] ** depth
                finite = finite and np.isfinite(W[c, j])
            if alive[c] and not finite:
                alive[c] = False
                first_bad[c] = r_next
                u[c, :] = 0.0
                v[c, :] = 0.0
                Yc[c, :] = 0.0
                W[c, :] = 0.0
        while r_next < n_records and record_at[r_next] == t:
            for c in range(C):
                if alive[c]:
                    out[r_next, c, :] = W[c, :]
            r_next += 1
        if r_next == n_records:
            break
        if C >= GEMM_MIN_ROWS:
            G = (W @ Xt - Yc) @ X
        else:
            for c in range(C):
                G[c] = Xt @ (X @ W[c] - Yc[c])
        for c in range(C):
            for j in range(p):
                s = k * G[c, j]
                u[c, j] -= s * u[c, j] ** (depth - 1)
                v[c, j] += s * v[c, j] ** (depth - 1)
        t += 1
    return first_bad


def _shared_design(X) -> bool:
    return bool(X.shape[0] > 1 and np.all(X == X[:1]))


def gradient_descent(X, y, depth, alphas, eta, record_at, positive=False):
    """Run GD for every trial in X (B, n, p) and every init scale in alphas (A,).

    `positive`: the non-negative model w = u^N (v = 0) of the source's image experiment.
    The inits of one trial share its design and run as columns of one batch; when every trial
    has the same design (the image experiment), all trials and inits run as one batch.
    Returns (W, diverged): W has shape (len(record_at), A, B, p) with w_t at each recorded step t,
    NaN after a divergence; diverged (A, B) flags runs that produced a non-finite iterate.
    """
    X = np.ascontiguousarray(X, dtype=np.float64)
    y = np.ascontiguousarray(y, dtype=np.float64)
    record_at = np.asarray(record_at, dtype=np.int64)
    if record_at.ndim != 1 or np.any(np.diff(record_at) < 0) or record_at[0] < 0:
        raise ValueError("record_at must be a non-decreasing array of non-negative steps")
    B, _, p = X.shape
    A = len(alphas)
    alphas = np.asarray(alphas, dtype=np.float64)
    v_scale = 0.0 if positive else 1.0
    W = np.full((len(record_at), A, B, p), np.nan)
    diverged = np.zeros((A, B), dtype=bool)
    # one batch per design: columns ordered (trial, alpha)
    groups = [list(range(B))] if _shared_design(X) else [[b] for b in range(B)]
    for trials in groups:
        Y = np.repeat(y[trials], A, axis=0)  # (len(trials)·A, n)
        cols = np.tile(alphas, len(trials))
        out = np.full((len(record_at), len(cols), p), np.nan)
        bad = _descend(X[trials[0]], Y, int(depth), cols, v_scale, float(eta), record_at, out)
        for i, b in enumerate(trials):
            W[:, :, b] = out[:, i * A : (i + 1) * A]
            diverged[:, b] = bad[i * A : (i + 1) * A] < len(record_at)
    return W, diverged


def record_steps(steps: int, per_decade: int) -> np.ndarray:
    """0, 1, …, then a log-spaced grid with per_decade points a decade, ending at steps."""
    if steps < 1:
        raise ValueError(f"steps must be positive, got {steps}")
    grid = np.unique(
        np.round(np.logspace(0, np.log10(steps), int(per_decade * np.log10(steps)) + 2))
    )
    return np.unique(np.concatenate([[0], grid.astype(np.int64), [steps]]))
