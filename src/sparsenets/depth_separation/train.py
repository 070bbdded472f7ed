"""Train one (law, d, learner) setting: every seed (and width) of it as batched tensors.

Plain gradient descent is full-batch GD (torch SGD without momentum on the whole training set);
Adam uses torch's defaults apart from the step size. Loss: mean squared error against y ∈ {0, 1}.
"""

import numpy as np
import torch

from sparsenets.common.io import read_npz, write_npz
from sparsenets.common.progress import progress
from sparsenets.common.seeding import generator
from sparsenets.depth_separation import models

LEARNERS = ("depth2", "shallow")


def record_steps(steps: int, records: int) -> np.ndarray:
    """0 and `records` log-spaced steps up to `steps` (the curves' x axis)."""
    at = np.unique(np.round(np.logspace(0, np.log10(max(steps, 1)), records)).astype(np.int64))
    return np.concatenate([[0], at[at <= steps]])


def _errors(out, y):
    sq = ((out - y) ** 2).mean(dim=1)
    zero_one = ((out > 0.5).float() != y).float().mean(dim=1)
    return sq, zero_one


class _Optimizer:
    """Full-batch GD or Adam with one step size per batch row (rows are independent runs)."""

    def __init__(self, params, kind, lr, betas=(0.9, 0.999), eps=1e-8):
        if kind not in ("gd", "adam"):
            raise ValueError(f"unknown optimizer {kind!r}; known: gd, adam")
        self.params, self.kind, self.lr = params, kind, lr
        self.betas, self.eps, self.t = betas, eps, 0
        self.m = [torch.zeros_like(p) for p in params]
        self.v = [torch.zeros_like(p) for p in params]

    def _rows(self, p):
        return self.lr.reshape(-1, *[1] * (p.dim() - 1))

    @torch.no_grad()
    def step(self):
        self.t += 1
        b1, b2 = self.betas
        for p, m, v in zip(self.params, self.m, self.v, strict=True):
            g = p.grad
            if self.kind == "gd":
                p -= self._rows(p) * g
                continue
            m.mul_(b1).add_(g, alpha=1 - b1)
            v.mul_(b2).addcmul_(g, g, value=1 - b2)
            step = (m / (1 - b1**self.t)) / ((v / (1 - b2**self.t)).sqrt() + self.eps)
            p -= self._rows(p) * step
            p.grad = None
        for p in self.params:
            p.grad = None


def _descend(params, predict, X, y, Xt, yt, *, optimizer, lr, at):
    """Run GD/Adam; return test sq, test 0-1, train sq at the steps `at` (B, R) and divergence."""
    opt = _Optimizer(params, optimizer, lr)
    B, R = y.shape[0], len(at)
    curves = {k: torch.full((B, R), float("nan")) for k in ("test_sq", "test_01", "train_sq")}
    diverged = torch.zeros(B, dtype=torch.bool)
    r = 0
    for t in progress(range(int(at[-1]) + 1), f"{optimizer}: step"):
        out = predict(X)
        per_run = ((out - y) ** 2).mean(dim=1)
        diverged |= ~torch.isfinite(per_run)
        if t == at[r]:
            with torch.no_grad():
                test_sq, test_01 = _errors(predict(Xt), yt)
                ok = ~diverged
                curves["test_sq"][ok, r] = test_sq[ok]
                curves["test_01"][ok, r] = test_01[ok]
                curves["train_sq"][ok, r] = per_run.detach()[ok]
            r += 1
            if r == R:
                break
        # Runs have separate parameters: the gradient of the sum is each run's own gradient.
        # A diverged run is masked out so its NaNs never reach the others or the optimiser.
        torch.where(diverged, 0.0, per_run).sum().backward()
        opt.step()
    return curves, diverged


def grid_axis(radius, size):
    return np.linspace(-1.6 * radius, 1.6 * radius, size)


def _grid(radius, size):
    g = grid_axis(radius, size)
    x1, x2 = np.meshgrid(g, g)
    return torch.tensor(np.stack([x1.ravel(), x2.ravel()], axis=1), dtype=torch.float32)


def train(data_path, out_path, **params) -> None:
    torch.set_num_threads(1)
    data = read_npz(data_path)
    write_npz(out_path, **run(data, **params))


def run(data, *, learner, seed, law, d, steps, records, grid, depth2, shallow) -> dict:
    """Curves have axes (variant, width, step size, seed, record); metrics picks the step size."""
    if learner not in LEARNERS:
        raise ValueError(f"unknown learner {learner!r}; known: {', '.join(LEARNERS)}")
    if int(data["d"]) != d:
        raise ValueError(f"data has d = {int(data['d'])}, the setting says d = {d}")
    rng = generator(seed, "depth_separation", law, d, learner)
    gen = torch.Generator().manual_seed(int(rng.integers(2**62)))
    X, y = torch.from_numpy(data["X_train"]), torch.from_numpy(data["y_train"])
    Xt, yt = torch.from_numpy(data["X_test"]), torch.from_numpy(data["y_test"])
    S, radius = X.shape[0], float(data["radius"])
    at = record_steps(steps, records)
    budget = models.depth2_params(d, max(depth2["features_per_coord"]))[0]
    if learner == "depth2":
        variants = {"depth2_gd": {"optimizer": "gd", "lr": depth2["lr"]}}
        sizes = depth2["features_per_coord"]
    else:
        variants = shallow["variants"]
        sizes = [models.shallow_width(d, budget, f) for f in shallow["width_factors"]]
    L = len(next(iter(variants.values()))["lr"])
    if any(len(v["lr"]) != L for v in variants.values()):
        raise ValueError("every variant needs the same number of step sizes")

    V, W, R = len(variants), len(sizes), len(at)
    shape = (V, W, L, S)
    out = {k: np.full((*shape, R), np.nan) for k in ("test_sq", "test_01", "train_sq")}
    diverged = np.zeros(shape, dtype=bool)
    lrs = np.zeros((V, L))
    widths = np.zeros((V, W), dtype=np.int64)
    trained, total = np.zeros((V, W), dtype=np.int64), np.zeros((V, W), dtype=np.int64)
    G = _grid(radius, grid) if d == 2 else None
    grid_out = np.zeros((*shape, grid * grid) if d == 2 else (0,), dtype=np.float64)
    fixed_unchanged = True

    def rows(*tensors, times):
        return [z.repeat(times, *[1] * (z.dim() - 1)) for z in tensors]

    for i, spec in enumerate(variants.values()):
        lrs[i] = spec["lr"]
        if learner == "depth2":
            lr = torch.tensor(spec["lr"], dtype=torch.float32).repeat_interleave(S)
            for j, k in enumerate(sizes):
                a, b = models.fixed_layer(
                    gen,
                    S,
                    d,
                    k,
                    weight_scale=depth2["weight_scale"],
                    bias_scale=depth2["bias_scale"],
                    radius=radius,
                )
                a0, b0 = a.clone(), b.clone()
                layer = models.FixedLayer(a, b, X)
                phi, phit = rows(layer(X), layer(Xt), times=L)
                yb, ytb = rows(y, yt, times=L)
                v = torch.zeros(L * S, d * k, requires_grad=True)
                c = torch.zeros(L * S, requires_grad=True)

                def predict(Z, phi=phi, phit=phit, v=v, c=c):
                    return models.depth2(phi if Z == "train" else phit, v, c)

                curves, div = _descend(
                    [v, c], predict, "train", yb, "test", ytb, optimizer="gd", lr=lr, at=at
                )
                for key, value in curves.items():
                    out[key][i, j] = value.numpy().reshape(L, S, R)
                diverged[i, j] = div.numpy().reshape(L, S)
                widths[i, j] = d * k
                trained[i, j], total[i, j] = models.depth2_params(d, k)
                # The first layer is never handed to the optimiser; check it bit for bit anyway.
                fixed_unchanged &= bool(torch.equal(a, a0) and torch.equal(b, b0))
                if G is not None:
                    with torch.no_grad():
                        (phig,) = rows(layer(G[None].expand(S, -1, -1)), times=L)
                        grid_out[i, j] = (
                            models.depth2(phig, v, c).double().numpy().reshape(L, S, -1)
                        )
        else:
            p, mask = models.shallow_init(gen, L * S, d, sizes)
            for t in p.values():
                t.requires_grad_(True)
            lr = torch.tensor(spec["lr"], dtype=torch.float32).repeat_interleave(S).repeat(W)
            Xb, yb, Xtb, ytb = rows(X, y, Xt, yt, times=W * L)

            def predict(Z, p=p, act=spec["activation"], mask=mask):
                return models.shallow(Z, p, act, mask)

            curves, div = _descend(
                list(p.values()),
                predict,
                Xb,
                yb,
                Xtb,
                ytb,
                optimizer=spec["optimizer"],
                lr=lr,
                at=at,
            )
            for key, value in curves.items():
                out[key][i] = value.numpy().reshape(W, L, S, R)
            diverged[i] = div.numpy().reshape(W, L, S)
            widths[i] = sizes
            for j, m in enumerate(sizes):
                trained[i, j], total[i, j] = models.shallow_params(d, m)
            if G is not None:
                with torch.no_grad():
                    Gb = G[None].expand(W * L * S, -1, -1).contiguous()
                    grid_out[i] = predict(Gb).double().numpy().reshape(W, L, S, -1)
    return {
        "steps": at,
        **out,
        "diverged": diverged,
        "variants": np.array(list(variants)),
        "lrs": lrs,
        "widths": widths,
        "params_trained": trained,
        "params_total": total,
        "fixed_unchanged": np.bool_(fixed_unchanged),
        "grid": np.int64(grid if d == 2 else 0),
        "grid_out": grid_out,
    }
