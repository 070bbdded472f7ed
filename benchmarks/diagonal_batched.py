"""Time the batched GD loop (inits and shared-design trials as matrix columns) against the
previous loop, one compiled vector run per (init, trial); report the ratio.

    python benchmarks/diagonal_batched.py [--steps 2000]

Settings: one run of the early-stopping paths (n = 100, p = 200, N = 4: must not get slower),
the w0 sweep (10 trials × 19 inits, N = 6) and the MNIST images (3 images, one design,
n = 392, p = 784, N = 3, non-negative model).
"""

import argparse
import time

import numba
import numpy as np

from sparsenets.diagonal.models import gradient_descent


@numba.njit(cache=True)
def _previous(X, y, depth, alpha, v_scale, eta, steps):
    """The previous implementation's loop (one trial, one init, a vector per step)."""
    n, p = X.shape
    u = np.full(p, alpha)
    v = np.full(p, v_scale * alpha)
    w = u**depth - v**depth
    c = 2.0 * depth * eta / n
    for _ in range(steps):
        g = X.T @ (X @ w - y)
        for j in range(p):
            s = c * g[j]
            u[j] -= s * u[j] ** (depth - 1)
            v[j] += s * v[j] ** (depth - 1)
        w = u**depth - v**depth
    return w


def previous(X, y, depth, alphas, eta, steps, positive=False):
    out = np.empty((len(alphas), X.shape[0], X.shape[2]))
    for a, alpha in enumerate(alphas):
        for b in range(X.shape[0]):
            out[a, b] = _previous(X[b], y[b], depth, alpha, 0.0 if positive else 1.0, eta, steps)
    return out


def timed(fn):
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=2000)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    sweep = list(10.0 ** np.arange(-5, -0.49, 0.25))
    cases = [
        ("one run, N=4", 1, 100, 200, 4, [0.005], False, False),
        ("w0 sweep, N=6", 10, 100, 200, 6, [a ** (1 / 6) for a in sweep], False, False),
        ("3 images, N=3, u^N", 3, 392, 784, 3, [1e-3 ** (1 / 3)], True, True),
    ]
    print(f"{'setting':<22}{'runs':>6}{'previous s':>12}{'batched s':>11}{'speed-up':>10}")
    for label, B, n, p, depth, alphas, shared, positive in cases:
        X = rng.choice([-1.0, 1.0], size=(B, n, p))
        if shared:
            X[:] = X[0]
        y = X[:, :, :5].sum(-1) + 0.5 * rng.standard_normal((B, n))
        eta = 1e-3
        previous(X[:1], y[:1], depth, alphas[:1], eta, 1, positive)  # compile both once
        gradient_descent(X[:1], y[:1], depth, alphas[:1], eta, [0, 1], positive)
        t_old, w_old = timed(lambda: previous(X, y, depth, alphas, eta, args.steps, positive))  # noqa: B023
        t_new, (W, _) = timed(
            lambda: gradient_descent(X, y, depth, alphas, eta, [args.steps], positive)  # noqa: B023
        )
        np.testing.assert_allclose(W[0], w_old, rtol=1e-9, atol=1e-12)
        runs = B * len(alphas)
        print(f"{label:<22}{runs:>6}{t_old:>12.3f}{t_new:>11.3f}{t_old / t_new:>9.1f}x")


if __name__ == "__main__":
    main()
