"""Block-stacked MLPs: M = trials x K networks trained as one batched model with torch.bmm.

The networks of one trial (one per l1 radius, plus the unconstrained one) share that trial's
inputs, so the first layer is one matmul x @ [W1_1, ..., W1_K] per trial. Parameters are a list
of tensors with a leading model axis M; Adam acts elementwise, so stacking does not couple them.
"""

import math

import numba
import numpy as np
import torch

ACTIVATIONS = {"tanh": torch.tanh, "relu": torch.relu, "softplus": torch.nn.functional.softplus}


def init(models: int, d: int, width: int, depth: int, gen: torch.Generator, dtype=torch.float32):
    """PyTorch's default Linear init, U(+-1/sqrt(fan_in)), for `depth` hidden layers + output."""
    sizes = [d] + [width] * depth + [1]
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        bound = 1.0 / math.sqrt(fan_in)
        for shape in ((models, fan_in, fan_out), (models, fan_out)):
            u = torch.rand(shape, generator=gen, dtype=dtype)
            params.append((2.0 * u - 1.0) * bound)
    return params


def first_layer(params, x, per_trial: int):
    """z1 of every model: x is (trials, n, d); returns (trials * per_trial, n, width)."""
    w1, b1 = params[0], params[1]
    trials, n, d = x.shape
    width = w1.shape[2]
    # (trials, d, K * width): the K networks of a trial side by side, one matmul per trial.
    w = w1.reshape(trials, per_trial, d, width).permute(0, 2, 1, 3).reshape(trials, d, -1)
    z = torch.bmm(x, w).reshape(trials, n, per_trial, width).permute(0, 2, 1, 3)
    return z.reshape(trials * per_trial, n, width) + b1[:, None, :]


def head(params, z1, act: str):
    """From the first pre-activation (models, n, width) to the output (models, n); a parameter
    model axis of size 1 broadcasts over any number of leading rows."""
    sigma = ACTIVATIONS[act]
    h = sigma(z1)
    layers = len(params) // 2
    for i in range(1, layers):
        w, b = params[2 * i], params[2 * i + 1]
        z = torch.matmul(h, w) + b[:, None, :]
        h = sigma(z) if i < layers - 1 else z
    return h[..., 0]


def forward(params, x, per_trial: int, act: str):
    return head(params, first_layer(params, x, per_trial), act)


def input_gradient(params, x, per_trial: int, act: str):
    """(f(x), grad_x f(x)) of every model at the inputs x (trials, n, d), by autograd.

    Autograd runs to z1 (one leaf per model, so the models' gradients do not mix); the last link
    z1 = x W1 + b1 is linear, so grad_x f = (df/dz1) W1^T exactly.
    """
    with torch.enable_grad():
        z1 = first_layer(params, x, per_trial).detach().requires_grad_(True)
        out = head(params, z1, act)
        (dz,) = torch.autograd.grad(out.sum(), z1)
    return out.detach(), torch.bmm(dz, params[0].transpose(1, 2))


def flat(params):
    """(M, P): every parameter of each model in one row (weights and biases)."""
    return torch.cat([p.reshape(p.shape[0], -1) for p in params], dim=1)


def unflat(rows, like):
    out, at = [], 0
    for p in like:
        size = p[0].numel()
        out.append(rows[:, at : at + size].reshape(p.shape))
        at += size
    return out


def project_l1(v, radius):
    """Euclidean projection of each row of v onto {||w||_1 <= radius_row} (Duchi et al. 2008).

    Sort-based and vectorised over rows: with mu the sorted |v| (descending), rho the last k with
    mu_k > (mu_1 + ... + mu_k - r) / k, and theta = (mu_1 + ... + mu_rho - r) / rho, the projection
    is sign(v) max(|v| - theta, 0). Rows already inside their ball, and rows with an infinite
    radius (unconstrained networks), are returned unchanged. numpy's vectorised sort is several
    times faster than torch's on the CPU, so the sort runs there.
    """
    radius = torch.as_tensor(radius, dtype=v.dtype, device=v.device).expand(v.shape[0])
    a = v.abs()
    todo = torch.isfinite(radius) & (a.sum(1) > radius)
    if not bool(todo.any()):
        return v.clone()
    rows = todo.nonzero()[:, 0]
    a_t, r = a[rows], radius[rows]
    mu = torch.from_numpy(-np.sort(-a_t.numpy(), axis=1))
    cums = mu.cumsum(1)
    k = torch.arange(1, v.shape[1] + 1, dtype=v.dtype)
    cond = mu * k > cums - r[:, None]  # a prefix of Trues (mu_1 > mu_1 - r as r > 0)
    rho = (cond.to(v.dtype) * k).argmax(1)
    theta = (cums.gather(1, rho[:, None])[:, 0] - r) / (rho + 1).to(v.dtype)
    out = v.clone()
    out[rows] = torch.sign(v[rows]) * (a_t - theta[:, None]).clamp(min=0.0)
    return out


@numba.njit(cache=True, error_model="numpy")
def _project_rows(v, radius, theta0, theta, norm):
    """In place: each row of v onto its l1 ball {||w||_1 <= radius}; theta[m] the threshold,
    norm[m] the row's l1 norm afterwards. Michelot's algorithm (Condat 2016, section 2): from a
    candidate set that contains the active set, theta = (sum of candidates - r) / their count
    is a lower bound on the threshold; dropping the candidates at or below it keeps the active
    set inside; when none drops, theta is exact. Warm start: the entries above theta0 (the last
    step's threshold) when phi(theta0) = sum_i max(|v_i| - theta0, 0) - r >= 0, else all
    entries. One pass over the row to collect, a few over the small candidate set, one to
    shrink. Rows inside their ball, with an infinite radius or a non-finite entry, are left."""
    rows, size = v.shape
    buf = np.empty(size)
    for m in range(rows):
        r = radius[m]
        t0 = max(theta0[m], 0.0)
        total, s, k = 0.0, 0.0, 0
        for i in range(size):
            a = abs(v[m, i])
            total += a
            if a > t0:
                buf[k] = a
                s += a
                k += 1
        theta[m] = 0.0
        norm[m] = total
        if not (np.isfinite(r) and np.isfinite(total)) or total <= r:
            continue
        if s - k * t0 < r:  # theta0 lies beyond the root: start from every non-zero entry
            s, k = 0.0, 0
            for i in range(size):
                a = abs(v[m, i])
                if a > 0.0:
                    buf[k] = a
                    s += a
                    k += 1
        t = (s - r) / k
        while True:
            kept, s = 0, 0.0
            for i in range(k):
                if buf[i] > t:
                    buf[kept] = buf[i]
                    s += buf[i]
                    kept += 1
            if kept == k:
                break
            k = kept
            t = (s - r) / k
        theta[m] = t
        total = 0.0
        for i in range(size):
            a = abs(v[m, i]) - t
            if a > 0.0:
                v[m, i] = np.copysign(a, v[m, i])
                total += abs(v[m, i])
            else:
                v[m, i] = 0.0
        norm[m] = total


def project_l1_warm(v, radius, theta0):
    """project_l1 by Michelot's algorithm warm-started from the thresholds theta0: returns the
    projection (a new tensor), the thresholds and each row's l1 norm after it (float64)."""
    out = v.detach().clone()
    theta, norm = project_l1_(out, radius, theta0)
    return out, theta, norm


def project_l1_(v, radius, theta0):
    """project_l1_warm in place on a contiguous CPU tensor v; returns (theta, norm)."""
    rows = v.shape[0]
    r = np.broadcast_to(np.asarray(torch.as_tensor(radius), dtype=np.float64), rows)
    t0 = np.broadcast_to(np.asarray(torch.as_tensor(theta0), dtype=np.float64), rows)
    theta, norm = np.empty(rows), np.empty(rows)
    _project_rows(
        v.detach().numpy(), np.ascontiguousarray(r), np.ascontiguousarray(t0), theta, norm
    )
    return torch.from_numpy(theta), torch.from_numpy(norm)


@numba.njit(cache=True)
def _sweep(xc, norms, r, w, alpha, only_active):
    """One coordinate-descent pass of the lasso on centred columns xc (Fortran order, m rows),
    keeping the residual r = y_c - xc w; only_active: the coordinates with w_j != 0 only.
    Returns the largest coordinate change."""
    m, d = xc.shape
    step = 0.0
    for j in range(d):
        if norms[j] <= 0.0 or (only_active and w[j] == 0.0):
            continue
        col = xc[:, j]
        rho = col @ r / m + norms[j] * w[j]
        new = np.sign(rho) * max(abs(rho) - alpha, 0.0) / norms[j]
        delta = new - w[j]
        if delta != 0.0:
            r -= delta * col
            w[j] = new
            step = max(step, abs(delta))
    return step


@numba.njit(cache=True)
def _cd_path(xc, yc, alphas, tol, max_sweeps):
    """Coordinate descent for min_w 1/(2m) ||y_c - X_c w||^2 + alpha ||w||_1 along a decreasing
    alpha grid (warm starts), X_c and y_c centred (the intercept profiled out). Active-set
    strategy (as glmnet): passes over the non-zero coordinates until they settle, then one pass
    over all; done when that pass moves no coordinate by more than tol. Each pass costs
    O(m * coordinates visited), so d >> m is cheap while the solution is sparse."""
    m, d = xc.shape
    norms = np.empty(d)
    for j in range(d):
        norms[j] = xc[:, j] @ xc[:, j] / m
    w = np.zeros(d)
    r = yc.copy()
    out = np.zeros((alphas.size, d))
    for a in range(alphas.size):
        for _ in range(max_sweeps):
            if _sweep(xc, norms, r, w, alphas[a], False) <= tol:
                break
            for _ in range(max_sweeps):
                if _sweep(xc, norms, r, w, alphas[a], True) <= tol:
                    break
        out[a] = w
    return out


def _path(x, y, grid, tol, max_sweeps):
    """The lasso path on rows (x, y): coefficients (alphas, d) and intercepts (alphas,)."""
    mx, my = x.mean(0), y.mean()
    path = _cd_path(np.asfortranarray(x - mx), y - my, grid, tol, max_sweeps)
    return path, my - path @ mx


def lasso(x, y, folds: int, alphas: int, tol: float = 1e-4, max_sweeps: int = 2000):
    """The linear baseline: the lasso with alpha chosen by `folds`-fold CV on the training sample
    only (contiguous folds; the rows are i.i.d.), then refit on all of it. Same objective and
    alpha grid as scikit-learn's LassoCV (alpha_max = max|X_c'y_c|/n down to 1e-3 alpha_max, log
    spaced), solved by coordinate descent on the data (not a d x d Gram matrix, which d = 10^4
    inputs would make 800 MB). A pass that moves no coefficient by more than tol (1e-4, the
    default tolerance of scikit-learn's solver) ends a point of the path: at d = 10^4 and 3200
    rows, 1e-6 takes twenty times as long where the path turns dense (about 2000 non-zeros).
    Returns (coef, intercept, alpha); the gradient is coef everywhere.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    m = len(y)
    alpha_max = np.abs((x - x.mean(0)).T @ (y - y.mean())).max() / m
    grid = np.geomspace(alpha_max, alpha_max * 1e-3, alphas)
    edges = np.linspace(0, m, folds + 1).astype(int)
    cv = np.zeros(alphas)
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        keep = np.r_[0:a, b:m]
        path, icpt = _path(x[keep], y[keep], grid, tol, max_sweeps)
        cv += (((x[a:b] @ path.T + icpt) - y[a:b, None]) ** 2).sum(0)
    best = int(np.argmin(cv))
    path, icpt = _path(x, y, grid[: best + 1], tol, max_sweeps)
    return path[-1], float(icpt[-1]), float(grid[best])


def partition(x, y, xq, s: int):
    """A piecewise-constant fit on the first s inputs (the support: an oracle), evaluated at xq:
    k = round(n^(1/(s+2))) quantile bins of the training inputs per support input, each cell's mean
    label (the overall mean in an empty cell). Its input gradient is zero almost everywhere: it
    converges in value but never in derivative (the control of the rate-ratio claim)."""
    n = len(y)
    k = max(1, round(n ** (1 / (s + 2))))
    edges = np.quantile(x[:, :s], np.linspace(0, 1, k + 1)[1:-1], axis=0)  # (k − 1, s)

    def cell(z):
        bins = [np.searchsorted(edges[:, j], z[:, j]) for j in range(s)]
        return np.ravel_multi_index(bins, (k,) * s)

    c = cell(x)
    counts = np.bincount(c, minlength=k**s)
    sums = np.bincount(c, weights=y, minlength=k**s)
    means = np.where(counts > 0, sums / np.maximum(counts, 1), y.mean())
    return means[cell(xq)]
