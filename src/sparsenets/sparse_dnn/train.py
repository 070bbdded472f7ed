"""Projected heavy-ball SGD on the stacked networks: after every step, each network's whole
parameter vector (all weights and biases) is projected onto its l1 ball; an infinite radius is the
unconstrained network, trained identically."""

import math

import torch

from sparsenets.common.progress import progress
from sparsenets.sparse_dnn import models


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
    # One (M, P) storage row per network; the parameters are leaf views into it, so the l1
    # projection of every network's whole parameter vector runs in place, without copies.
    storage = models.flat(params).contiguous()
    theta, norm = models.project_l1_(
        storage, radius * radius_at(0, warm_steps, anneal), torch.zeros(len(radius))
    )
    with torch.no_grad():
        params = [p.requires_grad_(True) for p in models.unflat(storage, params)]
    # Heavy ball by hand (torch.optim would import torch._dynamo: seconds per job).
    velocity = [torch.zeros_like(p) for p in params]
    scaled = [torch.empty_like(p) for p in params]  # lr_t * v, without a fresh tensor per step
    batch = min(batch, n)
    if y.dim() == 3:
        target = y.reshape(trials * per_trial, n)  # (M, n): each network its own labels
    else:
        target = y.repeat_interleave(per_trial, dim=0)  # (M, n)
    finite = torch.isfinite(radius)
    # The minibatch is gathered into one buffer, trial by trial: a fresh 100 MB tensor per step
    # (d = 10^4, ten trials) costs seven times the copy in page faults, and index_select over
    # the training rows x[:, :m] (not contiguous) would copy all of them first, at every step.
    xb = x[:, :batch].clone()
    excess = _excess(norm, radius * radius_at(0, warm_steps, anneal), finite)
    for step in progress(range(steps), f"fit n={n} d={d}: step"):
        lr_t = lr * 0.5 * (1.0 + math.cos(math.pi * step / steps))
        rows = None if batch == n else torch.randperm(n, generator=gen)[:batch]
        if rows is None:
            xb = x
        else:
            for t in range(trials):
                torch.index_select(x[t], 0, rows, out=xb[t])
        yb = target if rows is None else target[:, rows]
        out = models.forward(params, xb, per_trial, act)
        # Sum over models of each model's mean squared error: the gradients stay separate.
        loss = ((out - yb) ** 2).mean(1).sum()
        grads = torch.autograd.grad(loss, params)
        with torch.no_grad():
            for p, v, g, u in zip(params, velocity, grads, scaled, strict=True):
                v.mul_(momentum).add_(g)
                p.sub_(torch.mul(v, lr_t, out=u))
            r_t = radius * radius_at(step, warm_steps, anneal)
            theta, norm = models.project_l1_(storage, r_t, theta)
            excess = max(excess, _excess(norm, r_t, finite))
    with torch.no_grad():
        final = [p.detach() for p in params]
        train_loss = ((models.forward(final, x, per_trial, act) - target) ** 2).mean(1)
    return final, train_loss, steps, excess


def _excess(norm, radius, finite) -> float:
    """The largest ||theta||_1 - r over the finite-radius rows with a finite norm (0 if none)."""
    over = (norm - radius.double())[finite & torch.isfinite(norm)]
    return float(over.max()) if over.numel() else 0.0
