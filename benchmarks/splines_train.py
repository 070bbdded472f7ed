"""One training step of the splines nets at the paper's sizes: the closed-form gradients of
models.py (what the train stage runs) against autograd through the forward pass (the previous
implementation), both followed by the same Adam step. Interleaved repeats, best of each, so a
shared machine's load hits both alike; CPU time, not wall time, for the same reason. Prints the
time per step and the ratio per setting. `--float32` adds the closed form in single precision,
a candidate measured for issue 20 and not used (the claims' residuals need float64)."""

import argparse
import time

import torch
import yaml

from sparsenets.splines import data, models, train
from sparsenets.splines.settings import settings

SETTINGS = ["oned-random-N5", "oned-random-N50", "highd-d5", "deep-L3", "deep-L6"]


def step_functions(spec, seed=0, float32=False):
    """(params, {name: gradient function}): the previous and the current gradient (and the
    float32 candidate) on the widest group of the setting."""
    d = data.generate(seed, spec["experiment"], spec["data"])
    m = train.members(spec, d["y"].shape[0])
    keep = m["width"] == m["width"].max()
    X = torch.from_numpy(d["X"][m["trial"][keep]])
    y = torch.from_numpy(d["y"][m["trial"][keep]])
    lam = torch.from_numpy(m["lam"][keep])
    skip = torch.from_numpy(m["skip"][keep]).to(torch.float64)
    gen = torch.Generator().manual_seed(seed)
    batch = len(y)
    if spec["experiment"] == "deep":
        params = models.init_deep(
            gen, batch, spec["net"]["depth"], X.shape[-1], spec["net"]["width"]
        )
        new = lambda p: models.deep_grads(p, X, skip, y, lam)  # noqa: E731
        old = train.autograd_grads(lambda p: models.deep(p, X, skip), models.deep_decay, y, lam)
    else:
        net = spec["net"]
        init = (net["init_scale"], net["knot_range"])
        width = int(m["width"].max())
        params, mask = models.init_shallow(gen, batch, width, X.shape[-1], m["width"][keep], *init)
        work = {}
        new = lambda p: models.shallow_grads(p, X, mask, skip, y, lam, work)  # noqa: E731
        old = train.autograd_grads(
            lambda p: models.shallow(p, X, mask, skip),
            lambda p: models.shallow_decay(p, mask),
            y,
            lam,
        )
    fns = {"autograd (previous)": old, "closed form": new}
    if float32:
        f32 = {k: v.float() for k, v in (("X", X), ("y", y), ("lam", lam), ("skip", skip))}
        if spec["experiment"] == "deep":
            fns["float32"] = lambda p: models.deep_grads(  # noqa: E731
                p, f32["X"], f32["skip"], f32["y"], f32["lam"]
            )
        else:
            work32, mask32 = {}, mask.float()
            fns["float32"] = lambda p: models.shallow_grads(  # noqa: E731
                p, f32["X"], mask32, f32["skip"], f32["y"], f32["lam"], work32
            )
    return params, fns


def time_steps(params, loss_grads, steps, dtype=torch.float64):
    params = {k: v.to(dtype, copy=True) for k, v in params.items()}
    tensors = list(params.values())
    opt = torch.optim.Adam(tensors, lr=1e-3)
    start = time.process_time()
    for _ in range(steps):
        _, grads = loss_grads(params)
        for p, g in zip(tensors, grads, strict=True):
            p.grad = g
        opt.step()
    return (time.process_time() - start) / steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--settings", nargs="*", default=SETTINGS)
    parser.add_argument("--float32", action="store_true", help="also time the step in float32")
    args = parser.parse_args()
    torch.set_num_threads(1)
    with open("config/config.yaml") as f:
        specs = settings(yaml.safe_load(f)["splines"])
    for name in args.settings:
        params, fns = step_functions(specs[name], float32=args.float32)
        best = {k: float("inf") for k in fns}
        for _ in range(args.repeats):
            for k, fn in fns.items():
                dtype = torch.float32 if k == "float32" else torch.float64
                best[k] = min(best[k], time_steps(params, fn, args.steps, dtype))
        old, new = best["autograd (previous)"], best["closed form"]
        if args.float32:
            print(
                f"{name}: float32 closed form {1e3 * best['float32']:.3f} ms/step, "
                f"{new / best['float32']:.2f}x the float64 closed form"
            )
        print(
            f"{name}: autograd {1e3 * old:.3f} ms/step, closed form {1e3 * new:.3f} ms/step, "
            f"speed-up {old / new:.2f}x"
        )


if __name__ == "__main__":
    main()
