"""Time the heavy-ball update of one sparse_dnn training step against its previous implementation.

    python benchmarks/sparse_dnn_update.py [--d 10000] [--models 50] [--repeats 20]

Every step updates each stacked parameter tensor (the first layer of 50 networks at d = 10^4:
8 million entries) as v <- momentum v + g, p <- p - lr_t v. The previous implementation (before
issue 20) wrote p.sub_(lr_t * v), a fresh tensor per parameter and step; the workflow's
(train.fit) multiplies into a buffer kept across steps. Same operations, same bits (checked);
prints CPU milliseconds per step and the ratio.
"""

import argparse
import time

import torch

from sparsenets.sparse_dnn import models


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--d", type=int, default=10000)
    parser.add_argument("--models", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(0)
    start = models.init(args.models, args.d, 16, 3, gen)  # width 16, depth 3
    grads = [torch.randn(p.shape, generator=gen) for p in start]
    scaled = [torch.empty_like(p) for p in start]

    def previous(params, velocity, lr_t):
        for p, v, g in zip(params, velocity, grads, strict=True):
            v.mul_(0.9).add_(g)
            p.sub_(lr_t * v)

    def workflow(params, velocity, lr_t):
        for p, v, g, u in zip(params, velocity, grads, scaled, strict=True):
            v.mul_(0.9).add_(g)
            p.sub_(torch.mul(v, lr_t, out=u))

    result, ms = {}, {}
    for name, update in (("previous", previous), ("workflow", workflow)):
        params = [p.clone() for p in start]
        velocity = [torch.zeros_like(p) for p in start]
        tic = time.process_time()
        for step in range(args.repeats):
            update(params, velocity, 0.1 / (1 + step))
        ms[name] = 1000 * (time.process_time() - tic) / args.repeats
        result[name] = params
        print(f"{name:>9}: {ms[name]:7.2f} ms CPU per step")
    same = all(
        torch.equal(a, b) for a, b in zip(result["previous"], result["workflow"], strict=True)
    )
    print(
        f"d = {args.d}, {args.models} networks: identical {same}, speed-up "
        f"{ms['previous'] / ms['workflow']:.2f}"
    )
    if not same:
        raise SystemExit("the implementations disagree")


if __name__ == "__main__":
    main()
