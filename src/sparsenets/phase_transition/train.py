"""Gradient training of the skip-connection ReLU network, batched over trials, next to the convex
program's solution on the same data.

f(X) = relu(X W1ᵀ) a + (X w0) a0 with width m = n + 1, squared loss ‖f(X) − y‖², AdamW with
weight decay (the source, ReLU_skip/ncvx_train_skip.py: lr 2e-3, weight_decay 1e-6, 400
full-batch epochs, PyTorch's default nn.Linear initialisation, and a new AdamW built every epoch,
line 97, which makes every step a sign step; `reset_optimizer: false` keeps the state, our
deviation). Trials are a leading tensor dimension: AdamW acts entrywise and the summed loss
separates over trials, so one optimiser over stacked weights is exactly one optimiser per trial.
The convex comparison: the relaxed skip program on the same (X, y) solved to its optimum, its
network evaluated on the test points as the source does (ReLU_skip/minnrm_skip.py, line 101:
X_test W0 + Σ_i relu(X_test W_i)).
"""

import numpy as np
import pandas as pd
import torch

from sparsenets.common.arrangements import sampled
from sparsenets.common.progress import log, progress
from sparsenets.common.seeding import generator
from sparsenets.phase_transition.data import design, planted
from sparsenets.phase_transition.settings import grid
from sparsenets.phase_transition.solve import solve_trial


def _uniform(gen, shape, fan_in):
    bound = 1.0 / np.sqrt(fan_in)
    return (torch.rand(shape, generator=gen, dtype=torch.float64) * 2 - 1) * bound


def forward(params, X):
    W, a, w0, a0 = params
    return torch.relu(X @ W.transpose(1, 2)) @ a[..., None] + (X @ w0[..., None]) * a0[:, None]


def train_cell(
    seed,
    n,
    d,
    trials,
    epochs,
    lr,
    weight_decay,
    reset_optimizer=False,
    kind="gaussian",
    sigma=0.0,
    dtype="float32",
    labels="planted",
    convex=None,
):
    """Train `trials` networks for one (n, d); returns per-trial test distances and losses.

    `labels="none"` (the negative control): training labels are pure noise g/√n (the scale of
    ‖Xw*‖) with no planted neuron; the test distance is still measured against Xtest·w*.
    `convex` = {"tol", "batch", "min_samples"}: also solve the relaxed skip program on each
    trial's data (planted labels only: for pure noise there is no planted solution to compare)."""
    torch.set_num_threads(1)
    Xs, Xt, ys, yt, gens, arr = [], [], [], [], [], []
    for t in range(trials):
        key = () if labels == "planted" else (labels,)
        rng = generator(seed, "phase_transition", "train", n, d, t, *key)
        X = design(rng, n, d)
        w = planted(rng, X, kind)[:, 0]
        Xtest = design(rng, n, d)
        Xs.append(X)
        clean = X @ w if labels == "planted" else rng.standard_normal(n) / np.sqrt(n)
        ys.append(clean + sigma * rng.standard_normal(n) / np.sqrt(n))
        Xt.append(Xtest)
        yt.append(Xtest @ w)
        gens.append(torch.Generator().manual_seed(int(rng.integers(2**62))))
        arr.append((X, w, rng))
    m = n + 1
    init = [
        torch.stack([_uniform(g, (m, d), d) for g in gens]),
        torch.stack([_uniform(g, (m,), m) for g in gens]),
        torch.stack([_uniform(g, (d,), d) for g in gens]),
        torch.stack([_uniform(g, (1,), 1) for g in gens]),
    ]
    dt = getattr(torch, dtype)
    params = [p.to(dt).requires_grad_() for p in init]
    X, y = torch.tensor(np.stack(Xs), dtype=dt), torch.tensor(np.stack(ys), dtype=dt)[..., None]
    Xtest, ytest = torch.tensor(np.stack(Xt), dtype=dt), torch.tensor(np.stack(yt), dtype=dt)

    def make():
        return torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay)

    opt = make()
    for _ in range(epochs):
        if reset_optimizer:  # the source builds a fresh AdamW every epoch
            opt = make()
        opt.zero_grad()
        loss = ((forward(params, X) - y) ** 2).sum()
        loss.backward()
        opt.step()
    with torch.no_grad():
        train = ((forward(params, X) - y) ** 2).sum(dim=(1, 2)).double().numpy()
        dist = torch.linalg.norm(forward(params, Xtest)[..., 0] - ytest, dim=1).double().numpy()
        pred = forward(params, Xtest)[..., 0].double().numpy()
    diverged = ~(np.isfinite(train) & np.isfinite(dist))
    out = {"test_distance": dist, "train_loss": train, "diverged": diverged}
    out["target_norm"] = np.linalg.norm(np.stack(yt), axis=1)
    if convex is not None and labels == "planted":
        out.update(convex_comparison(arr, ys, Xt, yt, pred, convex))
    return out


def convex_comparison(arr, ys, Xt, yt, pred, convex) -> dict:
    """Per trial: the outcome of the relaxed skip program on the training data (solved to the
    optimum), its network's test distance to the planted model, and the trained network's test
    distance to the convex network."""
    outcome, cvx_dist, to_cvx = [], [], []
    for (X, w, rng), y, Xtest, ytest, p_train in zip(arr, ys, Xt, yt, pred, strict=True):
        dmat, ones = sampled(rng, X, None, convex["min_samples"])
        prob = {"X": X, "w": w[:, None], "y": y, "dmat": dmat, "all_ones": ones}
        res, sol, p = solve_trial(prob, "skip", False, convex["tol"], convex["batch"], False)
        W = sol["W"]
        f = Xtest @ W[0] + sum(
            np.maximum(Xtest @ v, 0.0) for j, v in W.items() if j != 0 and np.any(v)
        )
        outcome.append(res)
        cvx_dist.append(float(np.linalg.norm(f - ytest)))
        to_cvx.append(float(np.linalg.norm(p_train - f)))
    return {
        "convex_outcome": np.array(outcome),
        "convex_distance": np.array(cvx_dist),
        "to_convex": np.array(to_cvx),
    }


def train_grid(params, labels="planted", reset=None) -> pd.DataFrame:
    """Every n of params["train"] at params["d"]: one row per (n, trial). `reset` overrides the
    config's reset_optimizer (the persistent-AdamW deviation)."""
    t, d = params["train"], params["d"]
    rows = []
    for n in progress(grid(t["n"]), f"train d={d}: n", every=0.0):
        out = train_cell(
            params["seed"],
            n,
            d,
            t["trials"],
            t["epochs"],
            t["lr"],
            t["weight_decay"],
            t["reset_optimizer"] if reset is None else reset,
            t["planted"],
            dtype=t["dtype"],
            labels=labels,
            convex=params.get("convex"),
        )
        log(f"train d={d} n={n} ({labels}): median distance {np.median(out['test_distance']):.4f}")
        rows += [
            {"n": n, "d": d, "trial": i, **{k: v[i] for k, v in out.items()}}
            for i in range(t["trials"])
        ]
    return pd.DataFrame(rows)
