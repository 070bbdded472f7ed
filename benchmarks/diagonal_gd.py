"""Time the compiled GD loop of the diagonal family against a plain numpy loop; report the ratio.

    python benchmarks/diagonal_gd.py [--steps 20000]

Setting: the early-stopping experiments (n = 100, p = 200, N = 4), whose 3.2e6-step path is the
hot loop of the family; and the large design (n = 500, p = 3000, N = 5) of the convergence paths.
"""

import argparse
import time

import numpy as np

from sparsenets.diagonal.models import gradient_descent, loss_grad


def numpy_loop(X, y, depth, alpha, eta, steps):
    u = np.full(X.shape[1], alpha)
    v = u.copy()
    for _ in range(steps):
        gu, gv = loss_grad(X, y, u, v, depth)
        u -= eta * gu
        v -= eta * gv
    return u**depth - v**depth


def best_of(fn, repeats=3):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return min(times), out


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=20000)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"{'setting':<28}{'steps':>8}{'numpy s':>10}{'numba s':>10}{'speed-up':>10}")
    for n, p, depth, steps in [(100, 200, 4, args.steps), (500, 3000, 5, args.steps // 10)]:
        X = rng.choice([-1.0, 1.0], size=(n, p))
        y = X[:, :5].sum(1) + 0.5 * rng.standard_normal(n)
        gradient_descent(X[None], y[None], depth, [0.1], 1e-3, [0, 1])  # compile once
        t_np, w_np = best_of(lambda: numpy_loop(X, y, depth, 0.1, 1e-3, steps))  # noqa: B023
        t_nb, (W, _) = best_of(
            lambda: gradient_descent(X[None], y[None], depth, [0.1], 1e-3, [steps])  # noqa: B023
        )
        np.testing.assert_allclose(W[0, 0, 0], w_np, rtol=1e-8, atol=1e-12)
        label = f"n={n}, p={p}, N={depth}"
        print(f"{label:<28}{steps:>8}{t_np:>10.3f}{t_nb:>10.3f}{t_np / t_nb:>9.1f}x")


if __name__ == "__main__":
    main()
