"""Time the batched training of one sparse_dnn cell against training its networks one at a time.

    python benchmarks/sparse_dnn_batching.py [--d 200] [--n 4000] [--steps 100]

One cell of the paper has `trials` seeds x (4 l1 radii + 1 unconstrained) = 25 networks; the
workflow trains them as one block-stacked model (torch.bmm, one l1 projection for all rows).
The baseline trains the same 25 networks separately with the same code (M = 1), so the ratio
is the gain from batching alone. Prints the seconds per run and the speed-up.
"""

import argparse
import time

import torch

from sparsenets.sparse_dnn import train

RADII = [16.0, 32.0, 64.0, 128.0, float("inf")]


def settings(steps):
    return dict(
        width=16,
        depth=3,
        act="tanh",
        lr=0.1,
        momentum=0.9,
        epochs=0,
        batch=256,
        min_steps=steps,
        anneal=30.0,
        warm=0.5,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--d", type=int, default=200)
    parser.add_argument("--n", type=int, default=4000)
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--steps", type=int, default=100)
    args = parser.parse_args()
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(args.trials, args.n, args.d, generator=gen) * 2 - 1
    y = torch.sin(3 * x[..., 0]) + x[..., 1] * x[..., 2]
    kw = settings(args.steps)
    start = time.perf_counter()
    train.fit(x, y, RADII, gen=torch.Generator().manual_seed(1), **kw)
    batched = time.perf_counter() - start
    start = time.perf_counter()
    for t in range(args.trials):
        for r in RADII:
            train.fit(x[t : t + 1], y[t : t + 1], [r], gen=torch.Generator().manual_seed(1), **kw)
    single = time.perf_counter() - start
    nets = args.trials * len(RADII)
    print(f"d = {args.d}, n = {args.n}, {nets} networks, {args.steps} steps each")
    print(f"{'batched s':>12}{'one-at-a-time s':>18}{'speed-up':>10}")
    print(f"{batched:12.2f}{single:18.2f}{single / batched:10.1f}")


if __name__ == "__main__":
    main()
