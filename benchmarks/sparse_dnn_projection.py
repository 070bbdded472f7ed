"""Time the l1 projection of one training step against its previous implementation.

    python benchmarks/sparse_dnn_projection.py [--d 10000] [--models 50] [--repeats 10]

Every step of the sparse_dnn training projects each network's whole parameter vector (P = 16 d +
561 entries at width 16, depth 3) onto its l1 ball, warm-started from the last step's threshold.
The previous implementation ran Newton's (Michelot's) iteration as whole-array torch operations,
a few full passes over the M x P matrix per iteration; the workflow's `models.project_l1_` runs
the same iteration per row in numba on a shrinking candidate set, in place. Both are checked
against the sort-based projection; prints milliseconds per step and the speed-up.
"""

import argparse
import time

import torch

from sparsenets.sparse_dnn import models


def previous_threshold(v, radius, theta0, max_iter: int = 30):
    """The implementation before issue 17 (whole-array Newton iteration in torch)."""
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
    theta = torch.where(free, torch.zeros_like(theta), theta)
    return torch.sign(v) * (v.abs() - theta[:, None]).clamp(min=0.0), theta


def current(v, radius, theta):
    models.project_l1_(v, radius, theta)
    return v


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--d", type=int, default=10000)
    parser.add_argument("--models", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args()
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(0)
    size = 16 * args.d + 561
    radius = torch.tensor([16.0, 32.0, 64.0, 128.0, float("inf")]).repeat(args.models // 5)
    start = torch.randn(len(radius), size, generator=gen) * 0.01
    start, theta, _ = models.project_l1_warm(start, radius, torch.zeros(len(radius)))
    # a step's update: the projected point moved by a small gradient step
    steps = [start + 1e-3 * torch.randn(start.shape, generator=gen) for _ in range(args.repeats)]
    ref = models.project_l1(steps[0].double(), radius.double())
    for name, run in (
        ("previous (torch)", lambda v: previous_threshold(v, radius, theta)[0]),
        ("numba, in place", lambda v: current(v, radius, theta)),
    ):
        out = run(steps[0].clone())
        error = float((out.double() - ref).abs().max())
        copies = [v.clone() for v in steps]
        tic = time.perf_counter()
        for v in copies:
            run(v)
        ms = 1000 * (time.perf_counter() - tic) / args.repeats
        print(f"{name:>18}: {ms:8.1f} ms per step, max deviation from the sort {error:.1e}")
        if name.startswith("previous"):
            before = ms
    print(f"d = {args.d}, {len(radius)} networks of {size} parameters: speed-up {before / ms:.1f}")


if __name__ == "__main__":
    main()
