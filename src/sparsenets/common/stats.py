"""Intervals for a claim's measure: a seeded percentile bootstrap and a Student t interval.

Both return (lo, hi), or None when there are fewer than two finite samples (no spread to read),
so a claim states "no interval" instead of a degenerate one.
"""

import numpy as np
from scipy import stats as _scipy

LEVEL = 0.95
RESAMPLES = 2000


def _finite(samples) -> np.ndarray:
    """Trials as rows (a 1-D array, or trials x columns for paired statistics), non-finite out."""
    x = np.asarray(samples, dtype=float)
    keep = np.isfinite(x) if x.ndim == 1 else np.isfinite(x).all(axis=tuple(range(1, x.ndim)))
    return x[keep]


def bootstrap(samples, statistic=np.median, *, seed: int = 0, level: float = LEVEL):
    """Percentile bootstrap of `statistic(draws, axis=1)` resampling trials (rows); the same seed
    gives the same interval."""
    x = _finite(samples)
    if len(x) < 2:
        return None
    rng = np.random.default_rng(seed)
    draws = x[rng.integers(0, len(x), size=(RESAMPLES, len(x)))]
    values = statistic(draws, axis=1)
    tail = 100 * (1 - level) / 2
    lo, hi = np.percentile(values, [tail, 100 - tail])
    return float(lo), float(hi)


def t_interval(samples, *, level: float = LEVEL):
    """Student t interval of the mean."""
    x = _finite(samples)
    if x.size < 2:
        return None
    half = _scipy.t.ppf((1 + level) / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size)
    return float(x.mean() - half), float(x.mean() + half)


def bootstrap_method(n: int, statistic: str = "median", level: float = LEVEL) -> str:
    return (
        f"{level:.0%} percentile bootstrap of the {statistic} over {n} trials ({RESAMPLES} draws)"
    )


def t_method(n: int, level: float = LEVEL) -> str:
    return f"{level:.0%} t interval of the mean over {n} trials"
