"""Radially symmetric inputs x = ρ·θ, θ uniform on the sphere, labels y = 1{‖x‖ ≤ r}.

Radial laws (t = ρ/r):
- uniform: ρ ~ U[r(1 − h), r(1 + h)]; a bounded density, no separation predicted.
- lomax (a heavy-tailed shell of relative width w): ρ = r·(1 + wE)^{±1} with a fair sign and
  E ≥ 0 Lomax(1), P(E > t) = 1/(1 + t), truncated to r/M ≤ ρ ≤ rM; w = scale·d^(−shell_exponent),
  so exponents 0, 1/2, 1 give w ∝ 1, d^{-1/2}, d^{-1}. Half the mass lies within a factor 1 + w
  of r and P(ρ > t) ≈ wr/(2t) for r ≪ t < rM.
- bessel (the law of the lower bound): the input density φ(x)² of Eldan & Shamir (2016), φ the
  Fourier transform of the indicator of the unit-volume ball (radius R_d), whose norm has density
  ∝ J_{d/2}(2πR_d ρ)²/ρ; Safran & Shamir (2017) and Safran & Lee (2022) build their heavy-tailed
  hard law on it. The ball of the target sits at ρ = α√d and is rescaled to r, so t has density
  J_{d/2}(κt)²/t·d (κ = 2πR_d·α√d; ∫_0^∞ J_ν(z)²/z dz = 1/(2ν) normalises it): almost no mass
  below t ≈ d/(2κ), shells of relative width π/κ ∝ 1/d (the zeros of the Bessel function), and
  a 1/t² tail, P(t > s) ≈ d/(πκs), so E[ρ] = ∞. Without max_ratio the law is the untruncated one
  (the source's): a table of its CDF on t ≤ TABLE_END, and beyond it the exact tail, sampled by
  rejection under the envelope T(J² + Y²)(κT)/t² (t·(J_ν² + Y_ν²)(κt) decreases for ν > 1/2).
  With max_ratio = M it is truncated to t ≤ M (a variant, not the source's law).
"""

import functools
import math

import numpy as np
from scipy.special import gammaln, jv, yv

from sparsenets.common.seeding import generator

LAWS = ("uniform", "lomax", "bessel")
REQUIRED = {
    "uniform": ("spread",),
    "lomax": ("scale", "max_ratio"),
    "bessel": ("alpha",),
}
TABLE_END = 10.0  # the untruncated bessel law: tabulated on t ≤ 10, its exact tail sampled beyond


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
    if law.get("max_ratio") is not None and law["max_ratio"] <= 1:
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


def bessel_top(law: dict) -> float:
    """Where the table of the bessel law ends: its truncation M, or TABLE_END if untruncated."""
    m = law.get("max_ratio")
    return TABLE_END if m is None else float(m)


@functools.lru_cache(maxsize=64)
def _bessel_table(d: int, alpha: float, top: float):
    """(t grid, CDF on it normalised to 1 at `top`, the grid's mass d·∫_0^top J²(κs)/s ds):
    trapezoids fine enough for 200 points per Bessel half-period."""
    n = int(max(20000, 200 * bessel_kappa(d, alpha) * top / math.pi))
    t = np.linspace(top / n, top, n)
    f = bessel_density(t, d, alpha)
    cdf = np.concatenate([[0.0], np.cumsum(0.5 * (f[1:] + f[:-1]) * np.diff(t))])
    return t, cdf / cdf[-1], float(cdf[-1] * d)


def bessel_tail_mass(d: int, alpha: float, top: float = TABLE_END) -> float:
    """P(t > top) under the untruncated law: the mass the truncation at `top` removes."""
    return max(0.0, 1.0 - _bessel_table(d, float(alpha), float(top))[2])


def _bessel_tail(rng, n, d: int, alpha: float, top: float) -> np.ndarray:
    """n draws of t from the untruncated law conditioned on t > top: Pareto proposals t = top/V
    (density ∝ 1/t²), accepted with probability t·J²(κt)/C, C = top·(J² + Y²)(κ·top) ≥ t·J²(κt)."""
    kappa, nu = bessel_kappa(d, alpha), d / 2
    bound = top * (jv(nu, kappa * top) ** 2 + yv(nu, kappa * top) ** 2)
    out = np.empty(0)
    while out.size < n:
        t = top / (1.0 - rng.random(2 * (n - out.size) + 8))
        keep = rng.random(t.size) * bound < t * jv(nu, kappa * t) ** 2
        out = np.concatenate([out, t[keep]])
    return out[:n]


def _lomax_mass(e):
    return e / (1.0 + e)  # P(E ≤ e) of the untruncated Lomax(1) law


def sample_radius(rng, n, law: dict, radius: float, d: int) -> np.ndarray:
    _check(law, radius)
    if law["kind"] == "uniform":
        h = law["spread"]
        return rng.uniform(radius * (1 - h), radius * (1 + h), size=n)
    if law["kind"] == "bessel":
        alpha, top = float(law["alpha"]), bessel_top(law)
        t, cdf, _ = _bessel_table(d, alpha, top)
        u = rng.random(n)
        if law.get("max_ratio") is not None:
            return radius * np.interp(u, cdf, t)
        tail = bessel_tail_mass(d, alpha, top)
        out = np.interp(u / (1.0 - tail), cdf, t)
        beyond = u >= 1.0 - tail
        out[beyond] = _bessel_tail(rng, int(beyond.sum()), d, alpha, top)
        return radius * out
    m = law["max_ratio"]
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
    if law["kind"] == "bessel":
        alpha, top = float(law["alpha"]), bessel_top(law)
        grid, cdf, _ = _bessel_table(d, alpha, top)
        body = np.interp(t / radius, grid, cdf, left=0.0, right=1.0)
        if law.get("max_ratio") is not None:
            return body
        # beyond the table: P(t > s) = tail·top/s, up to a relative O(1/(κs)) oscillation
        tail = bessel_tail_mass(d, alpha, top)
        ratio = np.maximum(t / radius, top)
        return np.where(t / radius <= top, (1.0 - tail) * body, 1.0 - tail * top / ratio)
    m = law["max_ratio"]
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
