"""Radially symmetric inputs x = ρ·θ, θ uniform on the sphere, labels y = 1{‖x‖ ≤ r}.

Radial laws (each puts half its mass inside the ball and half outside, much of it close to r):
- uniform:  ρ ~ U[r(1 − h), r(1 + h)].
- lomax:    ρ = r·(1 + sE)^{±1} with a fair sign and E ≥ 0 Lomax(1), P(E > t) = 1/(1 + t),
            truncated to r/M ≤ ρ ≤ rM. Heavy-tailed: P(ρ > t) ≈ sr/t for r ≪ t < rM (infinite
            mean without the truncation), and half the mass lies within a factor 1 + s of r.
"""

import numpy as np

from sparsenets.common.seeding import generator

LAWS = ("uniform", "lomax")


def _check(law: dict, radius: float) -> None:
    if law.get("kind") not in LAWS:
        raise ValueError(f"radial law kind {law.get('kind')!r} is not one of {LAWS}")
    if radius <= 0:
        raise ValueError(f"radius must be positive, got {radius}")
    if law["kind"] == "uniform" and not 0 < law["spread"] < 1:
        raise ValueError(f"uniform law: spread must lie in (0, 1), got {law['spread']}")
    if law["kind"] == "lomax" and (law["scale"] <= 0 or law["max_ratio"] <= 1):
        raise ValueError(f"lomax law: need scale > 0 and max_ratio > 1, got {law}")


def _lomax_mass(e):
    return e / (1.0 + e)  # P(E ≤ e) of the untruncated Lomax(1) law


def sample_radius(rng, n, law: dict, radius: float) -> np.ndarray:
    _check(law, radius)
    if law["kind"] == "uniform":
        h = law["spread"]
        return rng.uniform(radius * (1 - h), radius * (1 + h), size=n)
    s, m = law["scale"], law["max_ratio"]
    top = _lomax_mass((m - 1.0) / s)  # truncation: 1 + sE ≤ M
    u = rng.random(n) * top  # inverse CDF of the truncated law
    e = u / (1.0 - u)
    outside = rng.random(n) < 0.5
    factor = 1.0 + s * e
    return radius * np.where(outside, factor, 1.0 / factor)


def radius_cdf(t, law: dict, radius: float) -> np.ndarray:
    """P(ρ ≤ t) of the law: what the sampler is tested against."""
    _check(law, radius)
    t = np.asarray(t, dtype=np.float64)
    if law["kind"] == "uniform":
        h = law["spread"]
        return np.clip((t - radius * (1 - h)) / (2 * h * radius), 0.0, 1.0)
    s, m = law["scale"], law["max_ratio"]
    top = _lomax_mass((m - 1.0) / s)
    ratio = np.clip(t / radius, 1.0 / m, m)
    above = 0.5 + 0.5 * _lomax_mass((ratio - 1.0) / s) / top
    below = 0.5 - 0.5 * _lomax_mass((1.0 / ratio - 1.0) / s) / top
    return np.where(ratio >= 1.0, above, below)


def sample_directions(rng, n, d) -> np.ndarray:
    """Uniform on S^{d−1}: normalised standard Gaussians."""
    g = rng.standard_normal((n, d))
    return g / np.linalg.norm(g, axis=1, keepdims=True)


def sample(rng, n, d, law, radius):
    rho = sample_radius(rng, n, law, radius)
    x = rho[:, None] * sample_directions(rng, n, d)
    return x, (rho <= radius).astype(np.float64), rho


def generate(seed, law_name, d, *, law, radius, n_train, n_test, seeds) -> dict:
    """All seeds of one (law, d) setting; the stream depends only on (seed, law name, d)."""
    if d < 1 or n_train < 1 or n_test < 1 or seeds < 1:
        raise ValueError(
            f"need d, n_train, n_test, seeds ≥ 1; got {d}, {n_train}, {n_test}, {seeds}"
        )
    rng = generator(seed, "depth_separation", law_name, d)
    out = {}
    for split, n in (("train", n_train), ("test", n_test)):
        parts = [sample(rng, n, d, law, radius) for _ in range(seeds)]
        # float32 inputs: the networks train in float32 (see models.py)
        out[f"X_{split}"] = np.stack([p[0] for p in parts]).astype(np.float32)
        out[f"y_{split}"] = np.stack([p[1] for p in parts]).astype(np.float32)
        out[f"rho_{split}"] = np.stack([p[2] for p in parts])
    out["radius"] = np.float64(radius)
    out["d"] = np.int64(d)
    return out
