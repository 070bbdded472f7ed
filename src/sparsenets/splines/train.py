"""Train one setting: every trial, λ, width and skip variant of it in one batched run.

Adam (step lr for half the Adam steps, then decaying exponentially to lr_final), then plain
gradient descent (the polish), on J = (1/n)Σ(f(x_i) − y_i)² + (λ/2)·Σ weights². The
stationarity residual ‖∇J‖ and the loss are recorded per member on a log-spaced grid of steps.
"""

import itertools

import numpy as np
import torch

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


def fit(params, forward, decay, y, lam, *, adam_steps, lr, lr_final, gd_steps, gd_lr):
    """Optimise in place; returns (params, history dict of arrays, diverged mask)."""
    tensors = list(params.values())
    for p in tensors:
        p.requires_grad_(True)
    total = adam_steps + gd_steps
    at = set(record_steps(total).tolist())
    hist = {"step": [], "loss": [], "mse": [], "grad_norm": []}
    opt = torch.optim.Adam(tensors, lr=lr)
    # Constant step for the first half of the Adam phase, then exponential decay to lr_final.
    hold = adam_steps // 2
    ratio = (lr_final / lr) ** (1.0 / max(adam_steps - hold, 1))
    for step in range(total + 1):
        J, mse = objective(params, forward, decay, y, lam)
        grads = torch.autograd.grad(J.sum(), tensors)
        if step in at:
            hist["step"].append(step)
            hist["loss"].append(J.detach().numpy().copy())
            hist["mse"].append(mse.detach().numpy().copy())
            hist["grad_norm"].append(grad_norm(grads).numpy().copy())
        if step == total:
            break
        if step < adam_steps:
            for p, g in zip(tensors, grads, strict=True):
                p.grad = g
            opt.step()
            if step >= hold:
                for group in opt.param_groups:
                    group["lr"] *= ratio
        else:
            with torch.no_grad():
                for p, g in zip(tensors, grads, strict=True):
                    p -= gd_lr * g
    for p in tensors:
        p.requires_grad_(False)
    history = {k: np.asarray(v) for k, v in hist.items()}
    diverged = ~np.isfinite(history["loss"][-1])
    return params, history, diverged


def members(spec: dict, trials: int) -> dict:
    """One entry per batch member: the grid trial × λ × width × skip, trial outermost."""
    widths = spec["net"].get("widths", [spec["net"].get("width", 0)])
    grid = list(itertools.product(range(trials), spec["lambdas"], widths, spec["net"]["skips"]))
    cols = list(zip(*grid, strict=True))
    return {
        "trial": np.asarray(cols[0], dtype=np.int64),
        "lam": np.asarray(cols[1], dtype=np.float64),
        "width": np.asarray(cols[2], dtype=np.int64),
        "skip": np.asarray(cols[3], dtype=np.int64),
    }


def run(data: dict, spec: dict, seed: int, setting: str) -> dict:
    """Train every member of one setting; returns the arrays of the run npz."""
    torch.set_num_threads(1)
    trials = data["y"].shape[0]
    m = members(spec, trials)
    batch = len(m["trial"])
    gen = torch.Generator().manual_seed(
        int(generator(seed, "splines", "train", setting).integers(2**62))
    )
    X = torch.from_numpy(data["X"][m["trial"]])
    y = torch.from_numpy(data["y"][m["trial"]])
    lam = torch.from_numpy(m["lam"])
    skip = torch.from_numpy(m["skip"]).to(torch.float64)
    net = spec["net"]
    dim = X.shape[-1]
    if spec["experiment"] == "deep":
        params = models.init_deep(gen, batch, net["depth"], dim, net["width"])
        mask = None

        def forward(p):
            return models.deep(p, X, skip)

        decay = models.deep_decay
    else:
        params, mask = models.init_shallow(
            gen,
            batch,
            int(max(net["widths"])),
            dim,
            m["width"],
            net["init_scale"],
            net["knot_range"],
        )

        def forward(p):
            return models.shallow(p, X, mask, skip)

        def decay(p):
            return models.shallow_decay(p, mask)

    params, history, diverged = fit(params, forward, decay, y, lam, **spec["optimizer"])
    if diverged.any():
        print(f"warning: {int(diverged.sum())} of {batch} nets diverged in {setting}")
    out = {f"param_{k}": v.numpy() for k, v in params.items()}
    if mask is not None:
        out["mask"] = mask.numpy()
    out.update({f"member_{k}": v for k, v in m.items()})
    out.update({f"history_{k}": v for k, v in history.items()})
    out["diverged"] = diverged
    return out
