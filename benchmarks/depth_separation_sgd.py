"""One online-SGD step of the one-hidden-layer baselines at the paper's sizes: the closed-form
step of models.py (what the train stage runs) against autograd through `models.shallow` (the
previous implementation). Widths 2d and 8d padded to 8d as in training; rows = widths × step
sizes × 10 trials before the selection at step 1000 (4 sigmoid step sizes), widths × trials
after it. Interleaved repeats, best of each, CPU time (a shared machine's load hits both alike).
Also checks that the two steps give the same bits.

    python benchmarks/depth_separation_sgd.py [--steps 20] [--repeats 5]
"""

import argparse
import time

import torch

from sparsenets.depth_separation import models


def case(d, activation, rows, steps, repeats):
    """(best autograd seconds per step, best closed-form seconds per step, same bits)."""
    gen = torch.Generator().manual_seed(0)
    p, mask = models.shallow_init(gen, rows, d, [2 * d, 8 * d])
    R = len(mask)
    lr = torch.full((R,), 1e-3)
    X, y = torch.randn(R, 4, d, generator=gen), (torch.rand(R, 4, generator=gen) < 0.5).float()
    old, new = {k: v.clone() for k, v in p.items()}, p
    gone_old, gone_new = torch.zeros(R, dtype=torch.bool), torch.zeros(R, dtype=torch.bool)
    best_old = best_new = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        for _ in range(steps):
            models.autograd_sgd_step(X, y, old, activation, mask, lr, gone_old)
        best_old = min(best_old, (time.process_time() - start) / steps)
        start = time.process_time()
        for _ in range(steps):
            models.shallow_sgd_step(X, y, new, activation, mask, lr, gone_new)
        best_new = min(best_new, (time.process_time() - start) / steps)
    same = all(torch.isclose(old[k], new[k], rtol=0, atol=0, equal_nan=True).all() for k in p)
    return best_old, best_new, bool(same and torch.equal(gone_old, gone_new))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"{'setting':<30}{'autograd ms':>12}{'closed ms':>11}{'speed-up':>10}  same bits")
    for d in (10, 100):
        for activation, rows in (("sigmoid", 40), ("sigmoid", 10), ("relu", 50)):
            old, new, same = case(d, activation, rows, args.steps, args.repeats)
            label = f"d={d} {activation}, {2 * rows} rows"
            print(f"{label:<30}{old * 1e3:>12.2f}{new * 1e3:>11.2f}{old / new:>9.2f}x  {same}")


if __name__ == "__main__":
    main()
