"""Projected heavy-ball SGD on the stacked networks: after every step, each network's whole
parameter vector (all weights and biases) is projected onto its l1 ball; an infinite radius is the
unconstrained network, trained identically."""

import math

import numpy as np
import pandas as pd
import torch

from sparsenets.common.progress import progress
from sparsenets.common.seeding import generator
from sparsenets.sparse_dnn import data, models
from sparsenets.sparse_dnn.metrics import measures


def radius_at(step: int, warm_steps: int, anneal: float) -> float:
    """Continuation factor: anneal -> 1 geometrically over the first warm_steps, then 1.

    A pure interaction has no first-order gradient at zero weights, so a tight ball from the first
    step can pin such an input at zero; starting wide and tightening avoids that trap.
    """
    if step >= warm_steps:
        return 1.0
    return anneal ** (1.0 - (step + 1) / warm_steps)


def steps_for(n: int, epochs: int, batch: int, min_steps: int) -> int:
    return max(min_steps, epochs * -(-n // min(batch, n)))


def fit(
    x,
    y,
    radii,
    *,
    width,
    depth,
    act,
    lr,
    momentum,
    epochs,
    batch,
    min_steps,
    anneal,
    warm,
    gen,
    extra_gen=None,
):
    """Train len(radii) networks per trial on x (trials, n, d), y (trials, n) or, one label
    vector per network, (trials, len(radii), n).

    Model m = trial * K + k has radius radii[k]. With extra_gen, the last network of each trial
    is initialised from extra_gen and the others exactly as without it (an added control network
    leaves the draws of the others unchanged). Steps = max(min_steps, epochs * ceil(n/batch)),
    each on one random minibatch of rows (shared by the trials); the step size decays to zero on
    a cosine. Returns the stacked parameters, the final training loss per model (NaN or inf:
    diverged), the number of steps and the largest l1 excess max(||theta||_1 - r_t) seen after
    any projection (zero up to rounding: the constraint holds after every step).
    """
    trials, n, d = x.shape
    per_trial = len(radii)
    radius = torch.tensor(radii, dtype=x.dtype).repeat(trials)
    if extra_gen is None:
        params = models.init(trials * per_trial, d, width, depth, gen, dtype=x.dtype)
    else:
        base = models.init(trials * (per_trial - 1), d, width, depth, gen, dtype=x.dtype)
        more = models.init(trials, d, width, depth, extra_gen, dtype=x.dtype)
        params = [
            torch.cat([b.reshape(trials, per_trial - 1, *b.shape[1:]), m[:, None]], 1).flatten(0, 1)
            for b, m in zip(base, more, strict=True)
        ]
    steps = steps_for(n, epochs, batch, min_steps)
    warm_steps = int(warm * steps)
    rows_flat, theta = models.project_l1_warm(
        models.flat(params), radius * radius_at(0, warm_steps, anneal), torch.zeros(len(radius))
    )
    params = [p.requires_grad_(True) for p in models.unflat(rows_flat, params)]
    # Heavy ball by hand (torch.optim would import torch._dynamo: seconds per job).
    velocity = [torch.zeros_like(p) for p in params]
    batch = min(batch, n)
    if y.dim() == 3:
        target = y.reshape(trials * per_trial, n)  # (M, n): each network its own labels
    else:
        target = y.repeat_interleave(per_trial, dim=0)  # (M, n)
    excess = 0.0
    finite = torch.isfinite(radius)
    for step in progress(range(steps), f"fit n={n} d={d}: step"):
        lr_t = lr * 0.5 * (1.0 + math.cos(math.pi * step / steps))
        rows = None if batch == n else torch.randperm(n, generator=gen)[:batch]
        xb = x if rows is None else x[:, rows]
        yb = target if rows is None else target[:, rows]
        out = models.forward(params, xb, per_trial, act)
        # Sum over models of each model's mean squared error: the gradients stay separate.
        loss = ((out - yb) ** 2).mean(1).sum()
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for p, v, g in zip(params, velocity, grads, strict=True):
                v.mul_(momentum).add_(g)
                p.sub_(lr_t * v)
            r_t = radius * radius_at(step, warm_steps, anneal)
            projected, theta = models.project_l1_warm(models.flat(params), r_t, theta)
            for p, q in zip(params, models.unflat(projected, params), strict=True):
                p.copy_(q)
            over = (projected.abs().sum(1) - r_t)[finite & torch.isfinite(projected).all(1)]
            if over.numel():
                excess = max(excess, float(over.max()))
    with torch.no_grad():
        final = [p.detach() for p in params]
        train_loss = ((models.forward(final, x, per_trial, act) - target) ** 2).mean(1)
    return final, train_loss, steps, excess


def run_cell(p: dict):
    """One (design, d, n) cell: all trials and radii (plus the unconstrained net) as one batched
    model, the lasso per trial, every measure on the test sample. Returns tidy rows.

    With p["null_control"], each trial also trains one l1 network at the smallest radius on null
    labels (data.null_labels: independent of x), the negative control of the log-d claim; its
    measures are taken against the null's regression function (the constant E f*, gradient zero)."""
    torch.set_num_threads(1)
    design, d, n, trials = p["design"], int(p["d"]), int(p["n"]), int(p["trials"])
    law, rho, act = p["x"], float(p["rho"]), p["activation"]
    n_val = max(1, round(p["val_fraction"] * n))
    if n_val >= n:
        raise ValueError(f"sparse_dnn: n = {n} leaves no training rows after validation")
    sigma = data.noise_sd(p["seed"], law, rho, p["snr"])
    # Inputs kept in single precision (the networks train in float32; d = 1000, n = 16000 and
    # five trials would take 640 MB in double); y is computed from the double-precision draw.
    x = np.empty((trials, n, d), dtype=np.float32)
    y = np.empty((trials, n))
    for t in range(trials):
        xt_, y[t] = data.training_set(p["seed"], law, d, n, t, rho, sigma)
        x[t] = xt_
    del xt_
    grid = [float(r) for r in p["radii"]]
    null = bool(p.get("null_control", False))
    radii = grid + [float("inf")] + ([min(grid)] if null else [])
    per_trial = len(radii)
    free = len(grid)  # index of the unconstrained net in a trial's block
    seed_int = int(generator(p["seed"], "sparse_dnn", design, d, n, "init").integers(2**62))
    gen = torch.Generator().manual_seed(seed_int)
    net = p["network"]
    x32 = torch.from_numpy(x)
    y32 = torch.tensor(y, dtype=torch.float32)
    if null:
        labels = np.repeat(y[:, None, :], per_trial, axis=1)
        for t in range(trials):
            labels[t, -1] = data.null_labels(p["seed"], law, d, n, t, rho, sigma)
        y32 = torch.tensor(labels, dtype=torch.float32)  # (trials, per_trial, n)
        null_mean = data.signal_mean(p["seed"], law, rho)
    params, train_loss, steps, excess = fit(
        x32[:, : n - n_val],
        y32[..., : n - n_val],
        radii,
        width=net["width"],
        depth=net["depth"],
        act=act,
        lr=net["lr"],
        momentum=net["momentum"],
        epochs=0,
        batch=net["batch"],
        min_steps=net["steps"],
        anneal=net["anneal"],
        warm=net["warm"],
        gen=gen,
        extra_gen=torch.Generator().manual_seed(seed_int + 1) if null else None,
    )
    with torch.no_grad():
        val = models.forward(params, x32[:, n - n_val :], per_trial, act)
        yv = y32[..., n - n_val :]
        yv = yv.reshape(-1, n_val) if null else yv.repeat_interleave(per_trial, 0)
        val_mse = ((val - yv) ** 2).mean(1)
    val_mse = val_mse.double().numpy().reshape(trials, per_trial)
    train_loss = train_loss.double().numpy().reshape(trials, per_trial)
    rows = []

    def add(t, method, radius, values):
        for measure, value in values.items():
            rows.append(
                {
                    "design": design,
                    "d": d,
                    "n": n,
                    "trial": t,
                    "method": method,
                    "radius": radius,
                    "measure": measure,
                    "value": float(value),
                }
            )

    params64 = [q.double() for q in params]
    for t in range(trials):
        xt = data.test_set(p["seed"], law, d, t, rho, p["n_test"])
        f_true, g_true = data.fstar(xt), data.grad_fstar(xt)
        idx = torch.arange(t * per_trial, (t + 1) * per_trial)
        pred, grad = models.input_gradient(
            [q[idx] for q in params64], torch.tensor(xt)[None], per_trial, act
        )
        pred, grad = pred.numpy(), grad.numpy()
        results = [measures(pred[k], grad[k], f_true, g_true) for k in range(per_trial)]
        ok = [k for k in range(free) if results[k]["diverged"] == 0 and np.isfinite(val_mse[t, k])]
        for k in range(free):
            add(t, "l1grid", radii[k], {"val_mse": val_mse[t, k], **results[k]})
        if ok:
            best = min(ok, key=lambda k: val_mse[t, k])  # the radius with the least val. error
            extra = {"val_mse": val_mse[t, best], "train_mse": train_loss[t, best]}
            add(t, "l1", radii[best], {**results[best], **extra})
        else:
            add(t, "l1", float("nan"), {"diverged": 1.0})
        extra = {"val_mse": val_mse[t, free], "train_mse": train_loss[t, free]}
        add(t, "free", float("nan"), {**results[free], **extra})
        if null:
            k = per_trial - 1
            res = measures(pred[k], grad[k], np.full_like(f_true, null_mean), np.zeros_like(g_true))
            extra = {"val_mse": val_mse[t, k], "train_mse": train_loss[t, k]}
            add(t, "null_labels", radii[k], {**res, **extra})
        if p["lasso"]["use"]:
            coef, icpt, alpha = models.lasso(
                x[t].astype(np.float64),
                y[t],
                p["lasso"]["folds"],
                p["lasso"]["alphas"],
                seed_int % 2**31,
            )
            lin = measures(xt @ coef + icpt, np.broadcast_to(coef, xt.shape), f_true, g_true)
            add(t, "lasso", alpha, lin)
        step = models.partition(x[t].astype(np.float64), y[t], xt, data.S)
        add(t, "partition", float("nan"), measures(step, np.zeros_like(g_true), f_true, g_true))
    frame = pd.DataFrame(rows)
    info = {"steps": steps, "l1_excess": excess, "sigma": sigma, "n_val": n_val}
    return frame, info
