"""Data sets, one npz per setting, every trial of it; all draws from the job's own generator.

oned   x_i on a jittered grid of [-1, 1] (uniform in the middle half of the i-th of n cells);
       `random`: y_i ~ N(0, 1) i.i.d.; `trend` (adversarial for the no-skip net):
       y = slope·x + amplitude·sin(πx + φ), φ ~ U[0, 2π): a strong linear part that the skip
       connection represents for free and a two-layer net without it must pay for.
highd  x_i ~ N(0, I_d), y_i ~ N(0, 1) i.i.d. (random labels: many neurons would be needed).
deep   x_i ~ N(0, I_D) in D dimensions, z = Px for a random orthonormal P (3 × D), and
       y = |z_1| + |z_2| + z_3: a 2-D nonlinear target plus a linear part, embedded in R^D.
"""

import numpy as np

from sparsenets.common.seeding import generator


def oned(seed, kind, n, trials, slope, amplitude):
    if n < 3:
        raise ValueError(f"splines oned: n = {n}; at least 3 points are needed for a knot")
    rng = generator(seed, "splines", "oned", kind, n)
    # Jittered grid: cell i of [-1, 1], position uniform in its middle half (gaps ≥ 1/n).
    x = -1.0 + (2 * np.arange(n) + 1 + rng.uniform(-0.5, 0.5, size=(trials, n))) / n
    if kind == "random":
        y = rng.standard_normal((trials, n))
    elif kind == "trend":
        phase = rng.uniform(0.0, 2 * np.pi, size=(trials, 1))
        y = slope * x + amplitude * np.sin(np.pi * x + phase)
    else:
        raise ValueError(f"splines oned: unknown data kind {kind!r}; known: random, trend")
    return {"X": x[..., None], "y": y}


def highd(seed, dim, n, trials):
    rng = generator(seed, "splines", "highd", dim, n)
    return {
        "X": rng.standard_normal((trials, n, dim)),
        "y": rng.standard_normal((trials, n)),
    }


def deep(seed, dim, n, n_test, trials):
    if dim < 3:
        raise ValueError(f"splines deep: input_dim = {dim}; the target needs at least 3")
    rng = generator(seed, "splines", "deep", dim, n)
    P = np.linalg.qr(rng.standard_normal((trials, dim, 3)))[0].transpose(0, 2, 1)  # (T, 3, D)
    X = rng.standard_normal((trials, n + n_test, dim))
    z = np.einsum("tnd,tkd->tnk", X, P)
    y = np.abs(z[..., 0]) + np.abs(z[..., 1]) + z[..., 2]
    return {
        "X": X[:, :n],
        "y": y[:, :n],
        "X_test": X[:, n:],
        "y_test": y[:, n:],
        "P": P,
    }


def generate(seed, experiment, spec):
    if experiment == "oned":
        return oned(seed, spec["kind"], spec["n"], spec["trials"], spec["slope"], spec["amplitude"])
    if experiment == "highd":
        return highd(seed, spec["dim"], spec["n"], spec["trials"])
    if experiment == "deep":
        return deep(seed, spec["input_dim"], spec["n"], spec["n_test"], spec["trials"])
    raise ValueError(f"splines: unknown experiment {experiment!r}")
