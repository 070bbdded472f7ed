"""Designs x ~ P_x, the sparse nonlinear target f* with its exact gradient, and samples.

f*(x) = sin(pi x1) + 2 x1 x2 + x3 exp(x4) + tanh(2 x5)  (s = 5 relevant inputs: the first five).
Its gradient: (pi cos(pi x1) + 2 x2, 2 x1, exp(x4), x3 exp(x4), 2 / cosh(2 x5)^2, 0, ..., 0).
Under the uniform design x2 and x4 have zero covariance with y (they enter only through products
with the mean-zero x1 and x3): a linear method cannot see them, whatever n.

Null labels (the negative control of the log-d claim): y = f*(x') + sigma eps' with x' an
independent draw of the same law, so y has the law of the real labels but is independent of x; the
regression function E[y | x] is the constant E f*(x) (zero under the uniform law: every term is
odd or has a mean-zero factor) and its gradient is zero: there is no support to find.

Training samples are nested: the first n rows of a seed's stream are the same for every n, so the
error-against-n curves of one seed differ by the added data only.
"""

import numpy as np

from sparsenets.common.seeding import generator

S = 5  # relevant inputs
DESIGNS = ("uniform", "gaussian")


def fstar(x):
    """f*(x) for rows x (numpy, any float dtype; only the first five columns are read)."""
    return (
        np.sin(np.pi * x[:, 0])
        + 2.0 * x[:, 0] * x[:, 1]
        + x[:, 2] * np.exp(x[:, 3])
        + np.tanh(2.0 * x[:, 4])
    )


def grad_fstar(x):
    """The exact gradient of f* at the rows x: shape (n, d), zero outside the support."""
    g = np.zeros_like(x)
    e4 = np.exp(x[:, 3])
    g[:, 0] = np.pi * np.cos(np.pi * x[:, 0]) + 2.0 * x[:, 1]
    g[:, 1] = 2.0 * x[:, 0]
    g[:, 2] = e4
    g[:, 3] = x[:, 2] * e4
    g[:, 4] = 2.0 / np.cosh(2.0 * x[:, 4]) ** 2
    return g


def sample_x(rng, design: str, n: int, d: int, rho: float = 0.0):
    """n inputs in d dimensions: uniform on [-1, 1]^d, or Gaussian with Cov_ij = rho^|i-j|."""
    if d < S:
        raise ValueError(f"sparse_dnn: d = {d} is smaller than the support size s = {S}")
    if design == "uniform":
        return rng.uniform(-1.0, 1.0, size=(n, d))
    if design == "gaussian":
        if not 0.0 <= rho < 1.0:
            raise ValueError(f"sparse_dnn: rho = {rho} must be in [0, 1)")
        z = rng.standard_normal(size=(n, d))
        # AR(1) along the coordinates: stationary, unit variance, correlation rho^|i-j|.
        x = np.empty_like(z)
        x[:, 0] = z[:, 0]
        c = np.sqrt(1.0 - rho**2)
        for j in range(1, d):
            x[:, j] = rho * x[:, j - 1] + c * z[:, j]
        return x
    raise ValueError(f"sparse_dnn: unknown design {design!r}; known: {', '.join(DESIGNS)}")


def signal_variance(seed: int, design: str, rho: float, draws: int = 1 << 18) -> float:
    """Var f*(x) by Monte Carlo (fixed generator): sets the noise level from the SNR."""
    x = sample_x(generator(seed, "sparse_dnn", design, "variance"), design, draws, S, rho)
    return float(np.var(fstar(x)))


def signal_mean(seed: int, design: str, rho: float, draws: int = 1 << 18) -> float:
    """E f*(x) by Monte Carlo (signal_variance's draw): the null labels' regression function."""
    x = sample_x(generator(seed, "sparse_dnn", design, "variance"), design, draws, S, rho)
    return float(np.mean(fstar(x)))


def noise_sd(seed: int, design: str, rho: float, snr: float) -> float:
    return float(np.sqrt(signal_variance(seed, design, rho) / snr))


def training_set(seed: int, design: str, d: int, n: int, trial: int, rho: float, sigma: float):
    """(x, y) of one trial: nested in n (a prefix of the trial's stream)."""
    x = sample_x(generator(seed, "sparse_dnn", design, d, trial, "x"), design, n, d, rho)
    eps = generator(seed, "sparse_dnn", design, d, trial, "noise").standard_normal(n)
    return x, fstar(x) + sigma * eps


def test_set(seed: int, design: str, d: int, trial: int, rho: float, n_test: int):
    """A fresh test sample of x (shared by every n of a trial, so the curves in n are paired)."""
    return sample_x(generator(seed, "sparse_dnn", design, d, trial, "test"), design, n_test, d, rho)


def null_labels(seed: int, design: str, d: int, n: int, trial: int, rho: float, sigma: float):
    """Labels independent of the trial's x: f*(x') + sigma eps' for an independent x' (nested in n).

    f* reads the first S columns only, so x' is drawn in S dimensions: the law of f*(x') is the
    same as for a d-dimensional draw."""
    x = sample_x(generator(seed, "sparse_dnn", design, d, trial, "null-x"), design, n, S, rho)
    eps = generator(seed, "sparse_dnn", design, d, trial, "null-noise").standard_normal(n)
    return fstar(x) + sigma * eps


def resample_inputs(rng, design: str, x, rho: float = 0.0):
    """x' with each column j drawn afresh from the law of x_j given the row's other inputs (the
    model-X null of the held-out randomization test): uniform, independent U[-1, 1]; Gaussian
    AR(1), the normal law given the neighbours (tridiagonal precision), mean
    rho (x_{j-1} + x_{j+1}) / (1 + rho^2) and variance (1 - rho^2) / (1 + rho^2) inside, mean
    rho x_2 (or rho x_{d-1}) and variance 1 - rho^2 at the two ends."""
    n, d = x.shape
    if design == "uniform":
        return rng.uniform(-1.0, 1.0, size=(n, d))
    if design == "gaussian":
        mean = np.empty_like(x)
        sd = np.full(d, np.sqrt((1.0 - rho**2) / (1.0 + rho**2)))
        mean[:, 1:-1] = rho * (x[:, :-2] + x[:, 2:]) / (1.0 + rho**2)
        mean[:, 0], mean[:, -1] = rho * x[:, 1], rho * x[:, -2]
        sd[[0, -1]] = np.sqrt(1.0 - rho**2)
        return mean + sd * rng.standard_normal(size=(n, d))
    raise ValueError(f"sparse_dnn: unknown design {design!r}; known: {', '.join(DESIGNS)}")
