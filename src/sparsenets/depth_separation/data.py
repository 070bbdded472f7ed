"""Radially symmetric inputs x = ρ·θ, θ uniform on the sphere, labels y = 1{‖x‖ ≤ r}.

Radial laws (t = ρ/r):
- uniform: ρ ~ U[r(1 − h), r(1 + h)]; a bounded density, no separation predicted.
- lomax (a heavy-tailed shell of relative width w): ρ = r·(1 + wE)^{±1} with a fair sign and
  E ≥ 0 Lomax(1), P(E > t) = 1/(1 + t), truncated to r/M ≤ ρ ≤ rM; w = scale·d^(−shell_exponent),
  so exponents 0, 1/2, 1 give w ∝ 1, d^{-1/2}, d^{-1}. Half the mass lies within a factor 1 + w
  of r and P(ρ > t) ≈ wr/(2t) for r ≪ t < rM.
- bessel (the law of the lower bound, our reading of Eldan & Shamir 2016, used by Safran &
  Shamir 2017 and Safran & Lee 2022): the radial part of the density φ(x)², φ the Fourier
  transform of the indicator of the unit-volume ball, whose radius is R_d; ρ has density
  ∝ J_{d/2}(2πR_d ρ)²/ρ. The ball of the target sits at ρ = α√d and is rescaled to r, so t has
  density ∝ J_{d/2}(κt)²/t with κ = 2πR_d·α√d: almost no mass below t ≈ d/(2κ), shells of
  relative width π/κ ∝ 1/d (the zeros of the Bessel function), and a 1/t² tail, truncated at M.
"""

import functools
import math

import numpy as np
from scipy.special import gammaln, jv

from sparsenets.common.seeding import generator

LAWS = ("uniform", "lomax", "bessel")
REQUIRED = {
    "uniform": ("spread",),
    "lomax": ("scale", "max_ratio"),
    "bessel": ("alpha", "max_ratio"),
}


def _check(law: dict, radius: float) -> None:
    kind = law.get("kind")
    if kind not in LAWS:
        raise ValueError(f"radial law kind {kind!r} is not one of {LAWS}")
    missing = [k for k in REQUIRED[kind] if k not in law]
    if missing:
        raise ValueError(f"{kind} law: missing {', '.join(missing)} (got {law})")
    if radius <= 0:
        raise ValueError(f"radius must be positive, got {radius}")
    if kind == "uniform" and not 0 < law["spread"] < 1:
        raise ValueError(f"uniform law: spread must lie in (0, 1), got {law['spread']}")
    if kind != "uniform" and law["max_ratio"] <= 1:
        raise ValueError(f"{kind} law: max_ratio must exceed 1, got {law['max_ratio']}")
    if kind == "lomax" and (law["scale"] <= 0 or law.get("shell_exponent", 0) < 0):
        raise ValueError(f"lomax law: need scale > 0 and shell_exponent ≥ 0, got {law}")
    if kind == "bessel" and law["alpha"] <= 0:
        raise ValueError(f"bessel law: alpha must be positive, got {law['alpha']}")


def shell_width(law: dict, d: int) -> float:
    """The lomax law's relative shell width w = scale·d^(−shell_exponent)."""
    return law["scale"] * d ** (-law.get("shell_exponent", 0.0))


def bessel_kappa(d: int, alpha: float) -> float:
    """κ = 2πR_d·α√d, R_d the radius of the unit-volume ball in R^d."""
    log_radius = gammaln(d / 2 + 1) / d - 0.5 * math.log(math.pi)
    return 2 * math.pi * math.exp(log_radius) * alpha * math.sqrt(d)


def bessel_density(t, d: int, alpha: float) -> np.ndarray:
    """The unnormalised density J_{d/2}(κt)²/t of t = ρ/r."""
    t = np.asarray(t, dtype=np.float64)
    return jv(d / 2, bessel_kappa(d, alpha) * t) ** 2 / t


@functools.lru_cache(maxsize=64)
def _bessel_table(d: int, alpha: float, max_ratio: float):
    """(t grid, CDF on it): trapezoids fine enough for 200 points per Bessel half-period."""
    n = int(max(20000, 200 * bessel_kappa(d, alpha) * max_ratio / math.pi))
    t = np.linspace(max_ratio / n, max_ratio, n)
    f = bessel_density(t, d, alpha)
    cdf = np.concatenate([[0.0], np.cumsum(0.5 * (f[1:] + f[:-1]) * np.diff(t))])
    return t, cdf / cdf[-1]


def _lomax_mass(e):
    return e / (1.0 + e)  # P(E ≤ e) of the untruncated Lomax(1) law


def sample_radius(rng, n, law: dict, radius: float, d: int) -> np.ndarray:
    _check(law, radius)
    if law["kind"] == "uniform":
        h = law["spread"]
        return rng.uniform(radius * (1 - h), radius * (1 + h), size=n)
    m = law["max_ratio"]
    if law["kind"] == "bessel":
        t, cdf = _bessel_table(d, float(law["alpha"]), float(m))
        return radius * np.interp(rng.random(n), cdf, t)
    s = shell_width(law, d)
    top = _lomax_mass((m - 1.0) / s)  # truncation: 1 + sE ≤ M
    u = rng.random(n) * top  # inverse CDF of the truncated law
    e = u / (1.0 - u)
    outside = rng.random(n) < 0.5
    factor = 1.0 + s * e
    return radius * np.where(outside, factor, 1.0 / factor)


def radius_cdf(t, law: dict, radius: float, d: int) -> np.ndarray:
    """P(ρ ≤ t) of the law: what the sampler is tested against."""
    _check(law, radius)
    t = np.asarray(t, dtype=np.float64)
    if law["kind"] == "uniform":
        h = law["spread"]
        return np.clip((t - radius * (1 - h)) / (2 * h * radius), 0.0, 1.0)
    m = law["max_ratio"]
    if law["kind"] == "bessel":
        grid, cdf = _bessel_table(d, float(law["alpha"]), float(m))
        return np.interp(t / radius, grid, cdf, left=0.0, right=1.0)
    s = shell_width(law, d)
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
    rho = sample_radius(rng, n, law, radius, d)
    x = rho[:, None] * sample_directions(rng, n, d)
    return x, (rho <= radius).astype(np.float64), rho


def stream(seed, law_name, d, purpose, trial) -> np.random.Generator:
    """The generator of one sample of one trial: the same for every learner (paired trials)."""
    return generator(seed, "depth_separation", law_name, d, purpose, trial)


def draw(rng, n, d, law, radius):
    """n points as float32 (X, y): the networks train in float32 (see models.py)."""
    x, y, _ = sample(rng, n, d, law, radius)
    return x.astype(np.float32), y.astype(np.float32)


SPLITS = ("train", "val", "monitor")


def generate(seed, law_name, d, *, law, radius, n_train, n_val, n_monitor, seeds) -> dict:
    """Per trial: a training sample (depth-2 GD), a validation sample (step sizes) and a
    monitoring sample (training curves). The 10^5 test points are streamed by the train jobs."""
    sizes = {"train": n_train, "val": n_val, "monitor": n_monitor}
    if d < 1 or seeds < 1 or min(sizes.values()) < 1:
        raise ValueError(f"need d, seeds and every sample size ≥ 1; got d={d}, {sizes}, {seeds}")
    out = {}
    for split in SPLITS:
        parts = [
            draw(stream(seed, law_name, d, split, s), sizes[split], d, law, radius)
            for s in range(seeds)
        ]
        out[f"X_{split}"] = np.stack([p[0] for p in parts])
        out[f"y_{split}"] = np.stack([p[1] for p in parts])
    out["radius"] = np.float64(radius)
    out["d"] = np.int64(d)
    return out
