"""Sparse linear regression data y = X w* + σ·ε, one slice per trial along the first axis."""

import numpy as np
from sklearn.datasets import load_digits

from sparsenets.common.seeding import generator

DIGIT_SIDE = 8  # scikit-learn's bundled digits: 8×8 images, grey levels 0…16


def digit_images(count: int) -> np.ndarray:
    """The first image of each digit 0, 1, …, count−1, scaled to [0, 1], flat: (count, 64)."""
    digits = load_digits()
    if count > 10:
        raise ValueError(f"the digits data has 10 classes; asked for {count} images")
    first = [int(np.flatnonzero(digits.target == c)[0]) for c in range(count)]
    return digits.data[first] / 16.0


def sample_design(rng, shape, kind: str) -> np.ndarray:
    if kind == "rademacher":
        return rng.choice(np.array([-1.0, 1.0]), size=shape)
    if kind == "bernoulli25":  # ±1 with P(+1) = 0.25
        return np.where(rng.random(shape) < 0.25, 1.0, -1.0)
    raise ValueError(f"unknown design {kind!r}")


def target(rng, trials: int, p: int, k: int, kind: str) -> np.ndarray:
    wstar = np.zeros((trials, p))
    if kind == "digits":
        if p != DIGIT_SIDE**2:
            raise ValueError(f"wstar: digits needs p = {DIGIT_SIDE**2} (8×8 images), got p = {p}")
        return digit_images(trials)
    if not 1 <= k <= p:
        raise ValueError(f"support size k = {k} must lie in 1…p = {p}")
    if kind == "ones":
        wstar[:, :k] = 1.0
    elif kind == "ramp":  # 1, 2, …, k: learned one after another
        wstar[:, :k] = np.arange(1, k + 1)
    elif kind == "uniform":  # a dense "image": every pixel uniform on [0, 1]
        wstar[:, :k] = rng.random((trials, k))
    elif kind == "gaussian":
        wstar[:, :k] = rng.standard_normal((trials, k))
    else:
        raise ValueError(f"unknown wstar {kind!r}")
    return wstar


def generate(seed: int, experiment: str, *, n, p, k, wstar, design, sigma, trials) -> dict:
    """All trials of one experiment; the stream depends only on (seed, experiment)."""
    n, p, k, trials = int(n), int(p), int(k), int(trials)  # JSON counts 2.0 as an integer
    rng = generator(seed, "diagonal", experiment)
    w = target(rng, trials, p, k, wstar)
    X = sample_design(rng, (trials, n, p), design)
    y = np.einsum("bnp,bp->bn", X, w) + sigma * rng.standard_normal((trials, n))
    return {"X": X, "y": y, "wstar": w, "support": w != 0, "sigma": np.float64(sigma)}
