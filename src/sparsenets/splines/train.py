"""Train one setting: every trial, λ, width and skip variant of it in one batched run.

Adam (step lr for half the Adam steps, then decaying exponentially to lr_final), then plain
gradient descent (the polish), on J = (1/n)Σ(f(x_i) − y_i)² + (λ/2)·Σ weights². The
stationarity residual ‖∇J‖ and the loss are recorded per member on a log-spaced grid of steps.

At a stationary point the loss gradient cancels the decay gradient λ·w, so residuals are reported
relative to λ‖w‖ (w: the decayed weights): `rel_grad` = ‖∇J‖/(λ‖w‖). ReLU nets are not
differentiable where a knot sits on a data point, which is where minimal-TV splines put them, so
the knot coordinates' gradient need not vanish at a minimiser. `rel_smooth` leaves them out: the
gradient in the output weights v, the skip (a, c) and each neuron's scale (the derivative of J
along (w_k, b_k) → s·(w_k, b_k), which does not move the knot), relative to λ‖w‖.
"""

import itertools

import numpy as np
import torch

from sparsenets.common.progress import progress
from sparsenets.common.seeding import generator
from sparsenets.splines import models


def record_steps(total: int, per_decade: int = 10) -> np.ndarray:
    grid = np.unique(np.round(np.logspace(0, np.log10(max(total, 1)), per_decade * 8)).astype(int))
    return np.unique(np.concatenate([[0], grid[grid <= total], [total]]))


def objective(params, forward, decay, y, lam):
    """(J, mse) per member."""
    mse = ((forward(params) - y) ** 2).mean(-1)
    return mse + 0.5 * lam * decay(params), mse


def grad_norm(grads) -> torch.Tensor:
    return torch.sqrt(sum((g**2).reshape(g.shape[0], -1).sum(1) for g in grads))


def residuals(params, grads, decay, lam) -> dict:
    """Relative stationarity residuals per member (see the module docstring)."""
    params = {k: p.detach() for k, p in params.items()}
    g = dict(zip(params, grads, strict=True))
    # λ = 0 (the control nets): no decay gradient to compare with, so no relative residual.
    scale = torch.where(lam > 0, lam * torch.sqrt(decay(params)).clamp_min(1e-300), torch.nan)
    out = {"rel_grad": (grad_norm(grads) / scale).numpy()}
    if "v" in params:  # shallow: v, a, c and the per-neuron scale directions
        radial = (g["W"] * params["W"]).sum(-1) + g["b"] * params["b"]
        smooth = grad_norm([g["v"], g["a"], g["c"][:, None], radial])
        out["rel_smooth"] = (smooth / scale).numpy()
    return out


def autograd_grads(forward, decay, y, lam):
    """The (mse, gradients) function of `fit` by autograd through `forward` and `decay`: the
    reference the closed-form gradients of models.py are tested and benchmarked against."""

    def loss_grads(params):
        tensors = list(params.values())
        with torch.enable_grad():
            for p in tensors:
                p.requires_grad_(True)
            J, mse = objective(params, forward, decay, y, lam)
            grads = torch.autograd.grad(J.sum(), tensors)
            for p in tensors:
                p.requires_grad_(False)
        return mse.detach(), list(grads)

    return loss_grads


def fit(params, loss_grads, decay, lam, *, adam_steps, lr, lr_final, gd_steps, gd_lr):
    """Optimise in place; `loss_grads(params)` gives (mse, gradients of J in the order of
    params) per member. Returns (params, history dict of arrays, diverged mask, final
    residuals)."""
    tensors = list(params.values())
    total = adam_steps + gd_steps
    at = set(record_steps(total).tolist())
    hist = {"step": [], "loss": [], "mse": [], "grad_norm": []}
    opt = torch.optim.Adam(tensors, lr=lr)
    # Constant step for the first half of the Adam phase, then exponential decay to lr_final.
    hold = adam_steps // 2
    ratio = (lr_final / lr) ** (1.0 / max(adam_steps - hold, 1))
    for step in progress(range(total + 1), "train: step"):
        mse, grads = loss_grads(params)
        if step in at:
            hist["step"].append(step)
            hist["loss"].append((mse + 0.5 * lam * decay(params)).numpy().copy())
            hist["mse"].append(mse.numpy().copy())
            hist["grad_norm"].append(grad_norm(grads).numpy().copy())
        if step == total:
            final = residuals(params, grads, decay, lam)
            break
        if step < adam_steps:
            for p, g in zip(tensors, grads, strict=True):
                p.grad = g
            opt.step()
            if step >= hold:
                for group in opt.param_groups:
                    group["lr"] *= ratio
        else:
            for p, g in zip(tensors, grads, strict=True):
                p -= gd_lr * g
    history = {k: np.asarray(v) for k, v in hist.items()}
    diverged = ~np.isfinite(history["loss"][-1])
    return params, history, diverged, final


def members(spec: dict, trials: int) -> dict:
    """One entry per batch member: the grid trial × λ × width × skip, trial outermost, then the
    negative control: the first `control_trials` trials at the widest width, trained with λ = 0
    (no weight decay), for the skip variants `control_skips`, as members of the same batch."""
    widths = spec["net"].get("widths", [spec["net"].get("width", 0)])
    grid = list(itertools.product(range(trials), spec["lambdas"], widths, spec["net"]["skips"]))
    control = range(min(spec.get("control_trials", 0), trials))
    grid += list(itertools.product(control, [0.0], [max(widths)], spec.get("control_skips", [])))
    cols = list(zip(*grid, strict=True))
    return {
        "trial": np.asarray(cols[0], dtype=np.int64),
        "lam": np.asarray(cols[1], dtype=np.float64),
        "width": np.asarray(cols[2], dtype=np.int64),
        "skip": np.asarray(cols[3], dtype=np.int64),
    }


def _train(data, spec, m, gen):
    """Train the members m (one width: no work on padded neurons); returns run arrays."""
    X = torch.from_numpy(data["X"][m["trial"]])
    y = torch.from_numpy(data["y"][m["trial"]])
    lam = torch.from_numpy(m["lam"])
    skip = torch.from_numpy(m["skip"]).to(torch.float64)
    net, batch, dim = spec["net"], len(m["trial"]), X.shape[-1]
    if spec["experiment"] == "deep":
        params = models.init_deep(gen, batch, net["depth"], dim, net["width"])
        mask = None

        def loss_grads(p):
            return models.deep_grads(p, X, skip, y, lam)

        decay = models.deep_decay
    else:
        width = int(m["width"].max())
        init = (net["init_scale"], net["knot_range"])
        params, mask = models.init_shallow(gen, batch, width, dim, m["width"], *init)

        work = {}

        def loss_grads(p):
            return models.shallow_grads(p, X, mask, skip, y, lam, work)

        def decay(p):
            return models.shallow_decay(p, mask)

    params, history, diverged, final = fit(params, loss_grads, decay, lam, **spec["optimizer"])
    out = {f"param_{k}": v.numpy() for k, v in params.items()}
    if mask is not None:
        out["mask"] = mask.numpy()
    out.update({f"history_{k}": v for k, v in history.items()})
    out.update({f"final_{k}": v for k, v in final.items()})
    out["diverged"] = diverged
    return out


def _pad(a, size, axis=1):
    pad = [(0, 0)] * a.ndim
    pad[axis] = (0, size - a.shape[axis])
    return np.pad(a, pad)


def run(data: dict, spec: dict, seed: int, setting: str) -> dict:
    """Train every member of one setting; returns the arrays of the run npz.

    Members of one width are trained as one batch (in order of width), so no step is spent on
    the masked neurons of narrower members; the results are stored padded to the widest width.
    """
    torch.set_num_threads(1)
    m = members(spec, data["y"].shape[0])
    gen = torch.Generator().manual_seed(
        int(generator(seed, "splines", "train", setting).integers(2**62))
    )
    groups = [np.flatnonzero(m["width"] == w) for w in np.unique(m["width"])]
    parts = [_train(data, spec, {k: v[idx] for k, v in m.items()}, gen) for idx in groups]
    inverse = np.argsort(np.concatenate(groups), kind="stable")
    width = int(m["width"].max())
    out = {}
    for key in parts[0]:
        if key == "history_step":
            out[key] = parts[0][key]
        elif key.startswith("history_"):  # (records, members)
            out[key] = np.concatenate([p[key] for p in parts], axis=1)[:, inverse]
        else:
            padded = key in ("param_W", "param_b", "param_v", "mask")  # (members, neurons, …)
            rows = [_pad(p[key], width) if padded else p[key] for p in parts]
            out[key] = np.concatenate(rows)[inverse]
    if out["diverged"].any():
        print(f"warning: {int(out['diverged'].sum())} of {len(inverse)} nets diverged in {setting}")
    out.update({f"member_{k}": v for k, v in m.items()})
    return out
