"""Hyperplane arrangements: the activation patterns of ReLU neurons on a data set.

A neuron relu(Xu) acts on the data as D X u with D = diag(1[Xu ≥ 0]), the same D for every u of
one cell of the arrangement {x_iᵀu = 0}. Convex reformulations of two-layer ReLU training
(Pilanci & Ergen 2020; Wang, Hua, Candès & Pilanci 2022) have one block per pattern, with the cone
(2D − I)Xu ≥ 0 keeping u in its cell; a block's dual norm is `cone_norm`. The phase_transition
family samples patterns as its source does (`sampled`); the splines family needs all of them
(`cells`) to certify an optimum.
"""

import itertools

import numpy as np
from scipy.optimize import linprog, nnls


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


def sampled(rng, X: np.ndarray, include=None, min_samples: int = 50):
    """Patterns of max(n, min_samples) Gaussian directions as a boolean (n, P) matrix, and whether
    the all-ones pattern was added (when realisable).

    `include` (d, k): directions whose patterns come first (the planted neurons), so they are in
    the set; column order is otherwise that of np.unique (sorted), which makes it reproducible.
    """
    n, d = X.shape
    u = rng.standard_normal((d, max(n, min_samples)))
    first = np.zeros((n, 0), bool) if include is None else X @ include >= 0
    seen = np.unique(X @ u >= 0, axis=1)
    keep = [c for c in seen.T if not any(np.array_equal(c, f) for f in first.T)]
    dmat = np.column_stack([*first.T, *keep]) if keep or first.size else np.zeros((n, 0), bool)
    ones = has_nonnegative_direction(X)
    if ones and not dmat.all(axis=0).any():
        dmat = np.column_stack([dmat, np.ones(n, bool)])
    return dmat, ones


def cells(Z: np.ndarray, tol: float = 1e-9) -> np.ndarray:
    """Every cell of the central arrangement {z_iᵀu = 0} of the rows of Z (m, d), m ≥ d, as the
    boolean (m, P) matrix of its patterns 1[Zu > 0]; the rows must be in general position (any d
    of them independent), else ValueError.

    Each cell is a pointed cone whose extreme rays lie on d − 1 of the hyperplanes. Around such a
    ray r all 2^(d−1) sign choices on those d − 1 rows are cells, and every other row keeps the
    sign of z_iᵀr; so the rays ±r of all (d − 1)-subsets with all sign choices give every cell,
    2 Σ_{k<d} C(m − 1, k) of them (Cover 1965). Columns in np.unique's (sorted) order.
    """
    m, d = Z.shape
    if m < d:
        raise ValueError(f"cells: {m} hyperplanes in R^{d}; general position needs at least d")
    combos = list(itertools.combinations(range(m), d - 1))  # d = 1: one empty subset
    subsets = np.array(combos, int).reshape(len(combos), d - 1)
    S = len(subsets)
    # The ray of each subset: the null vector of its d − 1 rows (the last right singular vector).
    rays = np.linalg.svd(Z[subsets], full_matrices=True)[2][:, -1, :] if d > 1 else np.ones((1, 1))
    side = Z @ rays.T  # (m, S)
    off = np.ones((m, S), bool)
    off[subsets, np.arange(S)[:, None]] = False
    if np.any(np.abs(side[off]) <= tol * np.linalg.norm(Z, axis=1)[:, None].repeat(S, 1)[off]):
        raise ValueError("cells: the rows are not in general position (d of them dependent)")
    choices = np.array(list(itertools.product([False, True], repeat=d - 1)), bool)  # (K, d−1)
    found = []
    for ray_sign in (1, -1):
        pats = np.repeat((ray_sign * side > 0)[:, :, None], len(choices), axis=2)  # (m, S, K)
        for k in range(d - 1):
            pats[subsets[:, k], np.arange(S), :] = choices[None, :, k]
        found.append(pats.reshape(m, -1))
    # Unique columns, compared as m-bit integers (np.unique over boolean columns is far slower).
    bits = np.concatenate(found, axis=1)
    keys = np.unique(np.packbits(bits, axis=0).T.copy().view(f"V{(m + 7) // 8}").ravel())
    return np.unpackbits(keys.view(np.uint8).reshape(len(keys), -1).T, axis=0, count=m).astype(bool)


def cone_norm(g: np.ndarray, C: np.ndarray) -> float:
    """max gᵀu over unit u with Cu ≥ 0 (the dual norm of a cone-constrained block), which is
    ‖projection of g onto the cone‖ = min over μ ≥ 0 of ‖g + Cᵀμ‖ (Moreau): an NNLS problem."""
    return float(nnls(C.T, -g)[1])
