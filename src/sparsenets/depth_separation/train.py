"""Train one (law, d, learner) setting: every trial, width and step size as batched tensors.

depth2: the source's learner (fixed sigmoid layer, sigmoid output unit trained by full-batch GD
on the training sample, every step size of the grid in one batch, the one with the lowest
validation error kept per trial), and the ablation "same features, linear readout" (least
squares). shallow: one-hidden-layer sigmoid and ReLU nets trained by online SGD, a fresh
minibatch from the law at every step; every step size runs for `select_at` steps, then each
(width, trial) keeps the one with the lowest validation error and only it runs on to `steps`.
Both learners are tested on the same fresh test points per trial (a stream keyed by the trial),
generated and scored in blocks. Loss: mean squared error against y ∈ {0, 1}.
"""

import numpy as np
import torch

from sparsenets.common.io import read_npz, write_npz
from sparsenets.common.progress import progress
from sparsenets.common.seeding import generator
from sparsenets.depth_separation import data as laws
from sparsenets.depth_separation import models

LEARNERS = ("depth2", "shallow")


def record_steps(steps: int, records: int, extra=()) -> np.ndarray:
    """0, `records` log-spaced steps up to `steps`, and `extra` (the curves' x axis)."""
    at = np.round(np.logspace(0, np.log10(max(steps, 1)), records)).astype(np.int64)
    return np.unique(np.concatenate([[0, steps], at, np.asarray(extra, dtype=np.int64)]))


def _errors(out, y):
    """Sums over points of the squared and 0-1 errors: out, y (..., n) → two (...) tensors."""
    return ((out - y) ** 2).sum(dim=-1), ((out > 0.5).float() != y).float().sum(dim=-1)


def test_blocks(seed, law_name, d, law, radius, trials, n, block):
    """The test points of every trial, (X (S, b, d), y (S, b)) per block: a stream that depends
    on (seed, law, d, trial) only, so every learner sees the same points."""
    gens = [laws.stream(seed, law_name, d, "test", s) for s in range(trials)]
    for start in range(0, n, block):
        b = min(block, n - start)
        parts = [laws.draw(g, b, d, law, radius) for g in gens]
        yield (
            torch.from_numpy(np.stack([p[0] for p in parts])),
            torch.from_numpy(np.stack([p[1] for p in parts])),
        )


def _test_pass(out, seed, law_name, d, law, radius, test, label, score) -> None:
    """Stream the test blocks through `score(X, y)`, which yields (key, index, value): sums over
    the block's points that are added to out[key][index]; counts the points inside the ball."""
    blocks = test_blocks(
        seed, law_name, d, law, radius, len(out["inside"]), test["n"], test["block"]
    )
    with torch.no_grad():
        for _ in progress(range(-(-test["n"] // test["block"])), f"{label}: test block"):
            X, y = next(blocks)
            out["inside"] += y.sum(dim=1).numpy()
            for key, index, value in score(X, y):
                out[key][index] += value


def grid_axis(radius, size):
    return np.linspace(-1.6 * radius, 1.6 * radius, size)


def _grid(radius, size):
    g = grid_axis(radius, size)
    x1, x2 = np.meshgrid(g, g)
    return torch.tensor(np.stack([x1.ravel(), x2.ravel()], axis=1), dtype=torch.float32)


def _torch_generator(seed, law_name, d, learner):
    rng = generator(seed, "depth_separation", law_name, d, learner)
    return torch.Generator().manual_seed(int(rng.integers(2**62)))


def train(data_path, out_path, **params) -> None:
    torch.set_num_threads(1)
    data = read_npz(data_path)
    write_npz(out_path, **run(data, **params))


def run(data, *, learner, seed, law_name, law, d, records, grid, test, depth2, shallow) -> dict:
    """Arrays with axes (variant, width, trial[, record]); see depth2_runs and shallow_runs."""
    if learner not in LEARNERS:
        raise ValueError(f"unknown learner {learner!r}; known: {', '.join(LEARNERS)}")
    if int(data["d"]) != d:
        raise ValueError(f"data has d = {int(data['d'])}, the setting says d = {d}")
    common = dict(seed=seed, law_name=law_name, law=law, d=d, records=records, test=test)
    tensors = {k: torch.from_numpy(np.asarray(v)) for k, v in data.items() if k[:2] in ("X_", "y_")}
    G = _grid(float(data["radius"]), grid) if d == 2 else None
    if learner == "depth2":
        out = depth2_runs(tensors, float(data["radius"]), G, spec=depth2, **common)
    else:
        out = shallow_runs(tensors, float(data["radius"]), G, spec=shallow, **common)
    p_monitor = np.asarray(data["y_monitor"], dtype=np.float64).mean(axis=1)
    return {**out, "grid": np.int64(grid if d == 2 else 0), "p_monitor": p_monitor}


def _gd_output_unit(phi, y, phim, ym, lrs, steps, at, link):
    """Full-batch GD of L output units (one per step size) from zero: (v, c, curves)."""
    S, _, p = phi.shape
    L = len(lrs)
    v, c = torch.zeros(S, p, L), torch.zeros(S, L)
    lr = lrs.reshape(1, 1, L)
    curves = torch.full((2, S, L, len(at)), float("nan"))
    r = 0
    for t in range(steps + 1):
        if t == at[r]:
            sq, zo = _errors(models.depth2(phim, v, c, link).transpose(1, 2), ym[:, None])
            curves[0, :, :, r], curves[1, :, :, r] = sq / ym.shape[1], zo / ym.shape[1]
            r += 1
        if t == steps:
            break
        gv, gc = models.depth2_grad(phi, y, v, c, link)
        v -= lr * gv
        c -= lr[:, 0] * gc
    return v, c, curves


LINKS = {"depth2": ("sigmoid", "lr"), "linear": ("linear", "linear_lr")}


def depth2_runs(t, radius, G, *, seed, law_name, law, d, records, test, spec) -> dict:
    """Variants: depth2 (the source's learner) and linear (same features, linear readout, the
    same GD); widths: d·k for each k; per trial the step size with the lowest validation error."""
    gen = _torch_generator(seed, law_name, d, "depth2")
    S, ks, T = t["X_train"].shape[0], spec["features_per_coord"], spec["steps"]
    at = record_steps(T, records)
    K, R = len(ks), len(at)
    out = _empty(2, K, S, R, 0 if G is None else len(G))
    nets, unchanged, rows = [], True, torch.arange(S)
    for j, k in enumerate(progress(ks, "depth 2: k")):
        a, b = models.fixed_layer(
            gen,
            S,
            d,
            k,
            weight_scale=spec["weight_scale"],
            bias_scale=spec["bias_scale"],
            radius=radius,
        )
        a0, b0 = a.clone(), b.clone()
        layer = models.FixedLayer(a, b, t["X_train"])
        phi, phiv, phim = (layer(t[f"X_{s}"]) for s in ("train", "val", "monitor"))
        heads = []
        for i, (link, key) in enumerate(LINKS.values()):
            lrs = torch.tensor(spec[key], dtype=torch.float32)
            v, c, curves = _gd_output_unit(
                phi, t["y_train"], phim, t["y_monitor"], lrs, T, at, link
            )
            val = models.depth2_loss(phiv, t["y_val"], v, c, link)
            best = torch.argmin(torch.nan_to_num(val, nan=float("inf")), dim=1)
            heads.append((v[rows, :, best][..., None], c[rows, best][:, None], link))
            out["mon_sq"][i, j], out["mon_01"][i, j] = curves[:, rows, best].numpy()
            out["lr"][i, j], out["val_sq"][i, j] = lrs[best].numpy(), val[rows, best].numpy()
        out["widths"][:, j] = d * k
        out["params_trained"][:, j] = models.depth2_params(d, k)[0]
        unchanged &= bool(torch.equal(layer.a, a0) and torch.equal(layer.b, b0))
        nets.append((layer, heads))

    def score(X, y):
        for j, (layer, heads) in enumerate(nets):
            phi = layer(X)
            for i, (v, c, link) in enumerate(heads):
                sq, zo = _errors(models.depth2(phi, v, c, link)[..., 0], y)
                yield "test_sq", (i, j), sq.numpy()
                yield "test_01", (i, j), zo.numpy()
            # the control: the same network at step 0 (output unit zero, output 1/2)
            v, c, link = heads[0]
            init = models.depth2(phi, torch.zeros_like(v), torch.zeros_like(c), link)
            yield "test_sq_init", (0, j), _errors(init[..., 0], y)[0].numpy()

    out["test_sq_init"][0] = 0.0
    _test_pass(out, seed, law_name, d, law, radius, test, "depth 2", score)
    with torch.no_grad():
        if G is not None:
            for j, (layer, heads) in enumerate(nets):
                phi = layer(G[None].expand(S, -1, -1))
                for i, (v, c, link) in enumerate(heads):
                    out["grid_out"][i, j] = models.depth2(phi, v, c, link)[0, :, 0].numpy()
    return _finish(out, test["n"], at, list(LINKS), unchanged)


def _empty(V, W, S, R, grid_size=0):
    nan = lambda *shape: np.full(shape, np.nan)  # noqa: E731
    return {
        "mon_sq": nan(V, W, S, R),
        "mon_01": nan(V, W, S, R),
        "test_sq": np.zeros((V, W, S)),
        "test_01": np.zeros((V, W, S)),
        "test_sq_init": nan(V, W, S),
        "lr": nan(V, W, S),
        "val_sq": nan(V, W, S),
        "widths": np.zeros((V, W), dtype=np.int64),
        "params_trained": np.zeros((V, W), dtype=np.int64),
        "inside": np.zeros(S),
        "diverged": np.zeros((V, W, S), dtype=bool),
        "grid_out": np.zeros((V, W, grid_size)),
    }


def _finish(out, n_test, at, variants, unchanged) -> dict:
    for key in ("test_sq", "test_01", "test_sq_init"):
        out[key] = out[key] / n_test
    out["p_inside"] = out.pop("inside") / n_test
    return {
        **out,
        "steps": at,
        "variants": np.array(variants),
        "fixed_unchanged": np.bool_(unchanged),
    }


def _sgd_batches(seed, law_name, d, law, radius, trials, batch, steps, chunk=500):
    """The fresh minibatches of every trial, (X (S, B, d), y (S, B)) per step, drawn in chunks."""
    gens = [laws.stream(seed, law_name, d, "sgd", s) for s in range(trials)]
    for start in range(0, steps, chunk):
        c = min(chunk, steps - start)
        parts = [laws.draw(g, c * batch, d, law, radius) for g in gens]
        X = torch.from_numpy(np.stack([p[0] for p in parts])).reshape(trials, c, batch, d)
        y = torch.from_numpy(np.stack([p[1] for p in parts])).reshape(trials, c, batch)
        for i in range(c):
            yield X[:, i], y[:, i]


class _Runs:
    """The live rows of one activation: parameters, step sizes, trial of each row, and where
    each row sits in the full (width, step size, trial) grid."""

    def __init__(self, params, mask, lr, trial, index):
        self.p, self.mask, self.lr, self.trial, self.index = params, mask, lr, trial, index
        self.diverged = torch.zeros(len(index), dtype=torch.bool)

    def keep(self, rows):
        """Only the given rows run on."""
        p = {k: v[rows].clone() for k, v in self.p.items()}
        kept = _Runs(p, self.mask[rows], self.lr[rows], self.trial[rows], self.index[rows])
        kept.diverged = self.diverged[rows]
        return kept

    def predict(self, X, activation):
        return models.shallow(X, self.p, activation, self.mask)

    def step(self, X, y, activation):
        models.shallow_sgd_step(X, y, self.p, activation, self.mask, self.lr, self.diverged)


def _select(runs, t, activation, W, L, S):
    """Each (width, trial) keeps its step size with the lowest validation error."""
    with torch.no_grad():
        val = (runs.predict(t["X_val"][runs.trial], activation) - t["y_val"][runs.trial]) ** 2
        val = torch.where(runs.diverged, float("inf"), val.mean(dim=1).nan_to_num(nan=float("inf")))
    best = torch.argmin(val.reshape(W, L, S), dim=1)  # (W, S)
    rows = (torch.arange(W)[:, None] * L + best) * S + torch.arange(S)[None]
    return runs.keep(rows.reshape(-1)), best, val.reshape(W, L, S)


def shallow_runs(t, radius, G, *, seed, law_name, law, d, records, test, spec) -> dict:
    """Variants: one per activation; widths: d·c for each c of width_per_coord."""
    gen = _torch_generator(seed, law_name, d, "shallow")
    S = t["X_train"].shape[0]
    widths = [d * c for c in spec["width_per_coord"]]
    T, B = spec["steps"], spec["batch"]
    T1 = min(spec["select_at"], T)
    at = record_steps(T, records, [T1])
    V, W, R = len(spec["variants"]), len(widths), len(at)
    out = _empty(V, W, S, R, 0 if G is None else len(G))
    finals = []
    for i, (name, v) in enumerate(spec["variants"].items()):
        act, L = v["activation"], len(v["lr"])
        params, mask = models.shallow_init(gen, L * S, d, widths)
        lr = torch.tensor(v["lr"], dtype=torch.float32).repeat_interleave(S).repeat(W)
        runs = _Runs(params, mask, lr, torch.arange(S).repeat(W * L), torch.arange(W * L * S))
        curves = torch.full((2, W * L * S, R), float("nan"))
        batches = _sgd_batches(seed, law_name, d, law, radius, S, B, T)
        r = 0
        for step in progress(range(T + 1), f"{name}: step"):
            if step == at[r]:
                with torch.no_grad():
                    Xm, ym = t["X_monitor"][runs.trial], t["y_monitor"][runs.trial]
                    sq, zo = _errors(runs.predict(Xm, act), ym)
                curves[0, runs.index, r], curves[1, runs.index, r] = (
                    sq / ym.shape[1],
                    zo / ym.shape[1],
                )
                r += 1
            if step == T1:
                runs, best, val = _select(runs, t, act, W, L, S)
                out["lr"][i] = np.asarray(v["lr"])[best.numpy()]
                out["val_sq"][i] = torch.gather(val, 1, best[:, None])[:, 0].numpy()
            if step == T:
                break
            X, y = next(batches)
            runs.step(X[runs.trial], y[runs.trial], act)
        sel = runs.index.reshape(W, S)
        out["mon_sq"][i], out["mon_01"][i] = curves[:, sel].numpy()
        out["widths"][i] = widths
        out["params_trained"][i] = [models.shallow_params(d, m) for m in widths]
        finals.append((runs, act))

    def score(X, y):
        for i, (runs, act) in enumerate(finals):
            sq, zo = _errors(runs.predict(X[runs.trial], act), y[runs.trial])
            yield "test_sq", i, sq.reshape(W, S).numpy()
            yield "test_01", i, zo.reshape(W, S).numpy()

    _test_pass(out, seed, law_name, d, law, radius, test, "shallow", score)
    for i, (runs, _) in enumerate(finals):
        # a run that diverged failed: infinite squared error, no 0-1 error
        gone = runs.diverged.reshape(W, S).numpy()
        out["diverged"][i] = gone
        out["test_sq"][i][gone], out["test_01"][i][gone] = np.inf, np.nan
    with torch.no_grad():
        if G is not None:
            for i, (runs, act) in enumerate(finals):
                o = runs.predict(G[None].expand(len(runs.trial), -1, -1), act).reshape(W, S, -1)
                out["grid_out"][i] = o[:, 0].numpy()
    return _finish(out, test["n"], at, list(spec["variants"]), True)
