"""Selection without the oracle: a held-out randomization test of every input, then
Benjamini-Hochberg (the holdout randomization test of Tansey et al., 2022).

For a model f fitted on the training rows, each validation row i and each input j,
    delta_ij = (y_i - f(x_i with x_ij replaced by x'_ij))^2 - (y_i - f(x_i))^2,
where x'_ij is drawn from the law of x_j given the row's other inputs (data.resample_inputs). When
x_j is independent of y given the other inputs (j irrelevant), (y, x_-j, x'_j) has the law of
(y, x_-j, x_j), so E delta_ij = 0 whatever f is; an input the model has learned to use raises the
loss. A one-sided t test of mean_i delta_ij > 0 gives a p-value per input, and BH at level q over
the d p-values chooses the set: the rule never sees s or the support. A model that does not read
x_j (an l1 net whose first-layer row j is zero) has delta_ij = 0 exactly, and p = 1.
"""

import numpy as np
import torch
from scipy import stats

from sparsenets.sparse_dnn import models


def pvalues(delta) -> np.ndarray:
    """One-sided t-test p-values of mean(delta[:, j]) > 0, per column j (1 where delta is 0)."""
    delta = np.asarray(delta, dtype=float)
    m = delta.shape[0]
    mean, sd = delta.mean(0), delta.std(0, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = stats.t.sf(mean / (sd / np.sqrt(m)), m - 1)
    return np.where(sd > 0, p, np.where(mean > 0, 0.0, 1.0))


def benjamini_hochberg(p, q: float) -> np.ndarray:
    """The BH step-up set at level q: the k smallest p-values, k the largest with p_(k) <= qk/d."""
    p = np.asarray(p, dtype=float)
    order = np.argsort(p, kind="stable")
    passes = p[order] <= q * np.arange(1, p.size + 1) / p.size
    k = int(passes.nonzero()[0].max()) + 1 if passes.any() else 0
    chosen = np.zeros(p.size, dtype=bool)
    chosen[order[:k]] = True
    return chosen


def discoveries(chosen, support: int) -> dict:
    """Size of the selected set, its true-positive rate (share of the first `support` inputs
    selected) and false-discovery proportion (share of the set outside them; 0 if empty)."""
    chosen = np.asarray(chosen, dtype=bool)
    size, true = int(chosen.sum()), int(chosen[:support].sum())
    return {"sel_size": size, "sel_tpr": true / support, "sel_fdp": (size - true) / max(size, 1)}


def net_deltas(params, x, y, x_new, act: str, chunk: int = 1 << 20) -> np.ndarray:
    """delta (rows, d) of one network (params: its tensors with a model axis of size 1).

    Replacing x_j changes the first pre-activation by (x'_j - x_j) W1[j], a rank-one shift, so
    the inputs are tried in chunks as one batch through the rest of the network; only the rows
    of W1 that are not zero are tried. Chunks of about `chunk` elements (8 MB temporaries: 1.6x
    faster than 32 MB ones; benchmarks/sparse_dnn_measures.py); the batched matmul gives every
    input the same bits whatever the chunk holds, but a chunk of one input takes another kernel,
    so a lone last input joins the chunk before it."""
    x, x_new = torch.as_tensor(x, dtype=torch.float64), torch.as_tensor(x_new, dtype=torch.float64)
    y = torch.as_tensor(y, dtype=torch.float64)
    w1 = params[0][0]
    z1 = x @ w1 + params[1][0]  # (rows, width)
    base = (y - models.head(params, z1[None], act)[0]) ** 2
    delta = torch.zeros(x.shape, dtype=torch.float64)
    used = (w1 != 0).any(1).nonzero()[:, 0]
    step = max(1, chunk // z1.numel())
    bounds = [*range(0, len(used), step), len(used)]
    if len(bounds) > 2 and bounds[-1] - bounds[-2] == 1:
        del bounds[-2]
    for at, end in zip(bounds[:-1], bounds[1:], strict=True):
        j = used[at:end]
        shift = (x_new[:, j] - x[:, j]).T[:, :, None] * w1[j][:, None, :]  # (J, rows, width)
        out = models.head(params, z1 + shift, act)
        delta[:, j] = ((y - out) ** 2 - base).T
    return delta.numpy()


def linear_deltas(coef, intercept, x, y, x_new) -> np.ndarray:
    """delta (rows, d) of a linear model, in closed form."""
    r = y - (x @ coef + intercept)
    shift = (x_new - x) * coef
    return (r[:, None] - shift) ** 2 - r[:, None] ** 2


def select(delta, q: float, support: int) -> dict:
    """The discoveries of the BH set of the HRT p-values of delta."""
    return discoveries(benjamini_hochberg(pvalues(delta), q), support)
