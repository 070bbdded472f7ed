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
    """From the first pre-activation to the output (models, n)."""
    sigma = ACTIVATIONS[act]
    h = sigma(z1)
    layers = len(params) // 2
    for i in range(1, layers):
        w, b = params[2 * i], params[2 * i + 1]
        z = torch.bmm(h, w) + b[:, None, :]
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


def l1_threshold(v, radius, theta0, max_iter: int = 30):
    """The threshold theta of the same projection by Newton's method on
    phi(theta) = sum_i max(|v_i| - theta, 0) - r, started from a guess (the previous step's theta).

    phi is convex, decreasing and piecewise linear: after at most one step to the left of the root,
    the iterates increase monotonically and stop, exactly, once the active set {|v_i| > theta}
    repeats (Michelot's algorithm). Warm-started, that takes a few passes instead of a sort.
    Returns theta (0 for rows inside their ball or unconstrained) and a per-row `done` flag; rows
    not done after max_iter fall back to the sort in `project_l1`.
    """
    radius = torch.as_tensor(radius, dtype=v.dtype).expand(v.shape[0])
    a = v.abs()
    free = (a.sum(1) <= radius) | ~torch.isfinite(radius)
    r = torch.where(free, torch.zeros_like(radius), radius)
    theta = torch.where(free, torch.zeros_like(theta0), theta0.clamp(min=0.0))
    done = free.clone()
    previous = None
    for _ in range(max_iter):
        active = a > theta[:, None]
        count = active.sum(1)
        total = (a * active).sum(1)
        if previous is not None:
            done |= (count == previous) & (count > 0)
        if bool(done.all()):
            break
        previous = count
        new = (total - r) / count.clamp(min=1).to(v.dtype)
        theta = torch.where(done, theta, new.clamp(min=0.0))
    return torch.where(free, torch.zeros_like(theta), theta), done


def project_l1_warm(v, radius, theta0):
    """project_l1 with a warm-started threshold; returns (projection, theta)."""
    theta, done = l1_threshold(v, radius, theta0)
    out = torch.sign(v) * (v.abs() - theta[:, None]).clamp(min=0.0)
    if not bool(done.all()):
        rows = (~done).nonzero()[:, 0]
        out[rows] = project_l1(v[rows], torch.as_tensor(radius).expand(v.shape[0])[rows])
        theta = theta.clone()
        theta[rows] = v[rows].abs().amax(1) - out[rows].abs().amax(1)
    return out, theta


@numba.njit(cache=True)
def _cd_path(gram, corr, alphas, tol, max_sweeps):
    """Coordinate descent for min_w 1/2 w'Gw - c'w + alpha ||w||_1 along a decreasing alpha grid
    (warm starts), on the centred Gram matrix G = X'X/m and c = X'y/m: the lasso objective
    1/(2m) ||y - b - Xw||^2 + alpha ||w||_1 after profiling out the intercept b."""
    d = gram.shape[0]
    w = np.zeros(d)
    gw = np.zeros(d)  # G @ w, kept up to date
    out = np.zeros((alphas.size, d))
    for a in range(alphas.size):
        alpha = alphas[a]
        for _ in range(max_sweeps):
            step = 0.0
            for j in range(d):
                if gram[j, j] <= 0.0:
                    continue
                rho = corr[j] - gw[j] + gram[j, j] * w[j]
                new = np.sign(rho) * max(abs(rho) - alpha, 0.0) / gram[j, j]
                delta = new - w[j]
                if delta != 0.0:
                    for i in range(d):
                        gw[i] += gram[i, j] * delta
                    w[j] = new
                    step = max(step, abs(delta))
            if step <= tol:
                break
        out[a] = w
    return out


def _stats(x, y):
    return x.T @ x, x.T @ y, x.sum(0), y.sum(), y @ y, len(y)


def _centred(stats):
    g, xy, sx, sy, _, m = stats
    mx, my = sx / m, sy / m
    return (g - m * np.outer(mx, mx)) / m, (xy - m * mx * my) / m, mx, my


def lasso(x, y, folds: int, alphas: int, tol: float = 1e-6, max_sweeps: int = 2000):
    """The linear baseline: the lasso with alpha chosen by `folds`-fold CV on the training sample
    only (contiguous folds; the rows are i.i.d.), then refit on all of it. Same objective and
    alpha grid as scikit-learn's LassoCV (alpha_max = max|X_c'y_c|/n down to 1e-3 alpha_max, log
    spaced); solved by coordinate descent on Gram matrices assembled from per-fold blocks, so the
    n x d data are read once. Returns (coef, intercept, alpha); the gradient is coef everywhere.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    edges = np.linspace(0, len(y), folds + 1).astype(int)
    blocks = [_stats(x[a:b], y[a:b]) for a, b in zip(edges[:-1], edges[1:], strict=True)]
    total = tuple(sum(b[i] for b in blocks) for i in range(6))
    g, c, mx, my = _centred(total)
    alpha_max = np.abs(c).max()
    grid = np.geomspace(alpha_max, alpha_max * 1e-3, alphas)
    cv = np.zeros(alphas)
    for held in blocks:
        train = tuple(t - h for t, h in zip(total, held, strict=True))
        gk, ck, mxk, myk = _centred(train)
        path = _cd_path(gk, ck, grid, tol, max_sweeps)
        g_v, xy_v, sx_v, sy_v, yy_v, m_v = held
        for a, w in enumerate(path):
            b = myk - mxk @ w
            # sum over the held-out rows of (y - b - x'w)^2, from the block's sums
            sse = (
                yy_v + m_v * b * b + w @ g_v @ w - 2 * b * sy_v - 2 * w @ xy_v + 2 * b * (w @ sx_v)
            )
            cv[a] += sse
    best = int(np.argmin(cv))
    w = _cd_path(g, c, grid[: best + 1], tol, max_sweeps)[-1]
    return w, float(my - mx @ w), float(grid[best])


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
