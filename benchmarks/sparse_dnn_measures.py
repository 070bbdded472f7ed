"""Time the held-out randomization test of one network (selection.net_deltas) against its
previous implementation.

    python benchmarks/sparse_dnn_measures.py [--d 1000] [--rows 3200] [--repeats 3]

The test tries every input the network reads on every validation row (n = 16000: 3200 rows; an
unconstrained net reads all d = 1000 inputs), in chunks of inputs batched through the network in
float64: at the paper scale it was 40 % of an n-grid fit job's time. The previous implementation
(before issue 20) took chunks of 2^22 elements (32 MB temporaries per layer); the workflow's take
2^20. Both give the same bits (checked); prints CPU seconds (the steadier measure on a shared
machine), interleaved over the repeats, and the ratio.
"""

import argparse
import time

import numpy as np
import torch

from sparsenets.sparse_dnn import models, selection


def previous_net_deltas(params, x, y, x_new, act, chunk=1 << 22):
    """selection.net_deltas before issue 20."""
    x, x_new = torch.as_tensor(x, dtype=torch.float64), torch.as_tensor(x_new, dtype=torch.float64)
    y = torch.as_tensor(y, dtype=torch.float64)
    w1 = params[0][0]
    z1 = x @ w1 + params[1][0]
    base = (y - models.head(params, z1[None], act)[0]) ** 2
    delta = torch.zeros(x.shape, dtype=torch.float64)
    used = (w1 != 0).any(1).nonzero()[:, 0]
    step = max(1, chunk // z1.numel())
    for at in range(0, len(used), step):
        j = used[at : at + step]
        shift = (x_new[:, j] - x[:, j]).T[:, :, None] * w1[j][:, None, :]
        out = models.head(params, z1 + shift, act)
        delta[:, j] = ((y - out) ** 2 - base).T
    return delta.numpy()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--d", type=int, default=1000)
    parser.add_argument("--rows", type=int, default=3200)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(0)
    params = [p.double() for p in models.init(1, args.d, 16, 3, gen)]  # width 16, depth 3
    rng = np.random.default_rng(0)
    x, x_new = rng.uniform(-1, 1, (2, args.rows, args.d))
    y = rng.standard_normal(args.rows)
    runs = {"previous": previous_net_deltas, "workflow": selection.net_deltas}
    seconds = {name: [] for name in runs}
    out = {}
    for _ in range(args.repeats):
        for name, run in runs.items():
            tic = time.process_time()
            out[name] = run(params, x, y, x_new, "tanh")
            seconds[name].append(time.process_time() - tic)
    for name, s in seconds.items():
        print(f"{name:>9}: {min(s):6.2f} s CPU (best of {args.repeats}; all {np.round(s, 2)})")
    same = np.array_equal(out["previous"], out["workflow"])
    ratio = min(seconds["previous"]) / min(seconds["workflow"])
    print(f"d = {args.d}, {args.rows} rows: identical {same}, speed-up {ratio:.2f}")
    if not same:
        raise SystemExit("the implementations disagree")


if __name__ == "__main__":
    main()
