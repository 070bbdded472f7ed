"""One (design, d, n) cell: every trial's data, the batched networks (l1 radii, unconstrained,
the null-label control), the lasso and the partition control, and on each the measures of
metrics.measures and the held-out selection of selection.py. Returns tidy rows.

The networks train on the first n - n_val rows of a trial and the l1 radius is chosen on the
last n_val; the lasso fits the same training rows (its penalty by cross-validation inside them);
the selection test of every model reads the validation rows; all errors the test sample.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from sparsenets.common.progress import progress
from sparsenets.common.seeding import generator
from sparsenets.sparse_dnn import data, models, selection
from sparsenets.sparse_dnn.metrics import measures
from sparsenets.sparse_dnn.train import fit


@dataclass(frozen=True)
class Cell:
    design: str
    law: str
    rho: float
    act: str
    d: int
    n: int
    n_val: int
    trials: int
    seed: int
    snr: float
    n_test: int
    radii: tuple
    null: bool
    lasso: dict
    network: dict
    fdr: float

    @classmethod
    def of(cls, p: dict) -> "Cell":
        n = int(p["n"])
        n_val = max(2, round(p["val_fraction"] * n))
        if n_val >= n - 1:
            raise ValueError(f"sparse_dnn: n = {n} leaves no training rows after validation")
        return cls(
            design=p["design"],
            law=p["x"],
            rho=float(p["rho"]),
            act=p["activation"],
            d=int(p["d"]),
            n=n,
            n_val=n_val,
            trials=int(p["trials"]),
            seed=int(p["seed"]),
            snr=float(p["snr"]),
            n_test=int(p["n_test"]),
            radii=tuple(float(r) for r in p["radii"]),
            null=bool(p.get("null_control", False)),
            lasso=dict(p["lasso"]),
            network=dict(p["network"]),
            fdr=float(p["fdr"]),
        )

    def stream(self, *keys):
        return generator(self.seed, "sparse_dnn", self.design, self.d, self.n, *keys)


def _inputs(c: Cell, sigma: float):
    """x (trials, n, d) in single precision (d = 10^4, n = 4000 and ten trials take 1.6 GB; the
    networks train in float32) and y (trials, n), computed from the double-precision draw."""
    x = np.empty((c.trials, c.n, c.d), dtype=np.float32)
    y = np.empty((c.trials, c.n))
    for t in range(c.trials):
        x[t], y[t] = data.training_set(c.seed, c.law, c.d, c.n, t, c.rho, sigma)
    return x, y


def _networks(c: Cell, x, y, labels):
    """Train every network of the cell as one batched model; returns the parameters (float64),
    validation and training errors (trials, per_trial), the step count and the l1 excess."""
    net, m = c.network, c.n - c.n_val
    per_trial = labels.shape[1]
    seed = int(c.stream("init").integers(2**62))
    x32, y32 = torch.from_numpy(x), torch.tensor(labels, dtype=torch.float32)
    params, train_loss, steps, excess = fit(
        x32[:, :m],
        y32[..., :m],
        _radii(c),
        width=net["width"],
        depth=net["depth"],
        act=c.act,
        lr=net["lr"],
        momentum=net["momentum"],
        epochs=0,
        batch=net["batch"],
        min_steps=net["steps"],
        anneal=net["anneal"],
        warm=net["warm"],
        gen=torch.Generator().manual_seed(seed),
        extra_gen=torch.Generator().manual_seed(seed + 1) if c.null else None,
    )
    with torch.no_grad():
        val = models.forward(params, x32[:, m:], per_trial, c.act)
        val_mse = ((val - y32[..., m:].reshape(-1, c.n_val)) ** 2).mean(1)
    shape = (c.trials, per_trial)
    errors = (val_mse.double().numpy().reshape(shape), train_loss.double().numpy().reshape(shape))
    return [q.double() for q in params], *errors, steps, excess


def _radii(c: Cell):
    """A trial's networks: the l1 radii, the unconstrained net, the null-label net (smallest r)."""
    return list(c.radii) + [float("inf")] + ([min(c.radii)] if c.null else [])


def run_cell(p: dict):
    """All rows of one cell, and its info (steps, l1 excess, noise level, validation rows)."""
    torch.set_num_threads(1)
    c = Cell.of(p)
    sigma = data.noise_sd(c.seed, c.law, c.rho, c.snr)
    x, y = _inputs(c, sigma)
    radii = _radii(c)
    labels = np.repeat(y[:, None, :], len(radii), axis=1)  # (trials, per_trial, n)
    if c.null:
        for t in range(c.trials):
            labels[t, -1] = data.null_labels(c.seed, c.law, c.d, c.n, t, c.rho, sigma)
    params, val_mse, train_loss, steps, excess = _networks(c, x, y, labels)
    rows = []
    k = len(radii)
    for t in progress(range(c.trials), f"measure n={c.n} d={c.d}: trial"):
        trial = _Trial(c, t, x[t], labels[t], [q[t * k : (t + 1) * k] for q in params])
        rows += trial.rows(val_mse[t], train_loss[t])
    info = {"steps": steps, "l1_excess": excess, "sigma": sigma, "n_val": c.n_val}
    return pd.DataFrame(rows), info


class _Trial:
    """The measures of one trial's models on its test sample and validation rows."""

    def __init__(self, c: Cell, t: int, x, labels, params):
        self.c, self.t, self.params = c, t, params
        self.x, self.y, self.labels = x, labels[0], labels
        self.x_val = x[c.n - c.n_val :].astype(np.float64)
        self.x_new = data.resample_inputs(c.stream(t, "hrt"), c.law, self.x_val, c.rho)
        self.xt = data.test_set(c.seed, c.law, c.d, t, c.rho, c.n_test)
        self.xt_torch = torch.from_numpy(self.xt)[None]  # shares the memory: no copy per network
        self.f_true, self.g_true = data.fstar(self.xt), data.grad_fstar(self.xt)
        self.out = []

    def add(self, method, radius, values):
        for measure, value in values.items():
            self.out.append(
                {
                    "design": self.c.design,
                    "d": self.c.d,
                    "n": self.c.n,
                    "trial": self.t,
                    "method": method,
                    "radius": radius,
                    "measure": measure,
                    "value": float(value),
                }
            )

    def net(self, k, f_true=None, g_true=None):
        """Measures of network k against f* (or another regression function)."""
        one = [q[k : k + 1] for q in self.params]
        pred, grad = models.input_gradient(one, self.xt_torch, 1, self.c.act)
        f = self.f_true if f_true is None else f_true
        g = self.g_true if g_true is None else g_true
        return measures(pred[0].numpy(), grad[0].numpy(), f, g)

    def chosen(self, k, measured=None):
        """The held-out selection of network k, on its own labels' validation rows (none for a
        network that diverged)."""
        if measured is not None and measured["diverged"]:
            return {}
        one = [q[k : k + 1] for q in self.params]
        y_val = self.labels[k, self.c.n - self.c.n_val :]
        delta = selection.net_deltas(one, self.x_val, y_val, self.x_new, self.c.act)
        return selection.select(delta, self.c.fdr, data.S)

    def rows(self, val_mse, train_loss):
        c, grid = self.c, len(self.c.radii)
        results = [self.net(k) for k in range(grid + 1)]
        ok = [k for k in range(grid) if results[k]["diverged"] == 0 and np.isfinite(val_mse[k])]
        for k in range(grid):
            self.add("l1grid", c.radii[k], {"val_mse": val_mse[k], **results[k]})
        fitted = {"val_mse": val_mse, "train_mse": train_loss}
        if ok:
            best = min(ok, key=lambda k: val_mse[k])  # the radius with the least val. error
            chosen = self.chosen(best)
            self.add("l1", c.radii[best], {**results[best], **_at(fitted, best), **chosen})
        else:
            self.add("l1", float("nan"), {"diverged": 1.0})
        free = {**results[grid], **_at(fitted, grid)}
        self.add("free", float("nan"), {**free, **self.chosen(grid, free)})
        if c.null:
            k = grid + 1
            mean = data.signal_mean(c.seed, c.law, c.rho)
            res = self.net(k, np.full_like(self.f_true, mean), np.zeros_like(self.g_true))
            self.add("null_labels", min(c.radii), {**res, **_at(fitted, k), **self.chosen(k, res)})
        if c.lasso["use"]:
            self.add_lasso()
        step = models.partition(self.x[:, : data.S].astype(np.float64), self.y, self.xt, data.S)
        zero = np.zeros_like(self.g_true)
        self.add("partition", float("nan"), measures(step, zero, self.f_true, self.g_true))
        return self.out

    def add_lasso(self):
        c, m = self.c, self.c.n - self.c.n_val
        x_train = self.x[:m].astype(np.float64)
        coef, icpt, alpha = models.lasso(x_train, self.y[:m], c.lasso["folds"], c.lasso["alphas"])
        del x_train
        xt = self.xt
        lin = measures(xt @ coef + icpt, np.broadcast_to(coef, xt.shape), self.f_true, self.g_true)
        y_val = self.y[c.n - c.n_val :]
        delta = selection.linear_deltas(coef, icpt, self.x_val, y_val, self.x_new)
        self.add("lasso", alpha, {**lin, **selection.select(delta, c.fdr, data.S)})


def _at(fitted: dict, k: int) -> dict:
    return {name: values[k] for name, values in fitted.items()}
