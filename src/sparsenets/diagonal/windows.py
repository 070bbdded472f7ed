"""Error-window lengths with a bootstrap over trials, for the window claims.

A window length is read off the median (over trials) error curve (metrics.error_window); its
interval resamples the trials, recomputes every setting's median curve and window from the same
draw (the trials of an experiment share their data across settings, so they are resampled
jointly), and takes the percentile interval of the claim's statistic of the lengths.
"""

import numpy as np

from sparsenets.common.stats import LEVEL, RESAMPLES
from sparsenets.diagonal.metrics import ERROR_TOL

CHUNK = 250  # draws at a time: bounds the (draws, trials, steps) array


def lengths(steps, curves, tol=ERROR_TOL) -> np.ndarray:
    """Window length of each row of `curves` (log2 errors on the grid `steps`), as
    metrics.error_window reads one curve: the contiguous run within `tol` of the minimum."""
    steps = np.asarray(steps)
    c = np.asarray(curves, dtype=float)
    c = np.where(np.isnan(c), np.inf, c)
    best = c.argmin(1)
    below = c <= c[np.arange(len(c)), best][:, None] + tol
    idx = np.arange(c.shape[1])[None]
    lo = np.where(~below & (idx < best[:, None]), idx, -1).max(1) + 1
    hi = np.where(~below & (idx > best[:, None]), idx, c.shape[1]).min(1) - 1
    out = (steps[hi] - steps[lo]).astype(float)
    out[~np.isfinite(c).any(1)] = np.nan
    return out


def point(groups) -> np.ndarray:
    """Window length of each setting's median curve; groups: [(steps, log2 err (trials, steps))]."""
    return np.array([lengths(s, np.median(x, axis=0)[None])[0] for s, x in groups])


def draw_lengths(groups, *, seed: int = 0):
    """Window lengths (draws, settings) over bootstrap draws of the trials; None with fewer
    than two trials. A setting repeated in `groups` (the same array) is computed once."""
    trials = groups[0][1].shape[0]
    if trials < 2:
        return None
    rng = np.random.default_rng(seed)
    draws = rng.integers(0, trials, size=(RESAMPLES, trials))
    done = {}
    for s, x in groups:
        if id(x) not in done:
            done[id(x)] = np.concatenate(
                [
                    lengths(s, np.median(x[draws[i : i + CHUNK]], axis=1))
                    for i in range(0, RESAMPLES, CHUNK)
                ]
            )
    return np.column_stack([done[id(x)] for _, x in groups])


def percentile_interval(values, level: float = LEVEL):
    tail = 100 * (1 - level) / 2
    lo, hi = np.percentile(values, [tail, 100 - tail])
    return float(lo), float(hi)


def interval(groups, statistic, *, seed: int = 0, level: float = LEVEL):
    """Percentile bootstrap interval of statistic(lengths (draws, settings)) -> (draws,); None
    with fewer than two trials."""
    L = draw_lengths(groups, seed=seed)
    return None if L is None else percentile_interval(statistic(L), level)


def smallest_step(L):
    return np.diff(L, axis=1).min(1)


def largest_step(L):
    return np.diff(L, axis=1).max(1)


def last_minus_first(L):
    return L[:, -1] - L[:, 0]


def method(trials: int) -> str:
    return (
        f"{LEVEL:.0%} percentile bootstrap over {trials} trials, resampled jointly across "
        f"settings; median curve and window recomputed per draw ({RESAMPLES} draws)"
    )
