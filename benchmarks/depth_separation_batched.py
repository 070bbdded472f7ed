"""Time batched training (seeds × widths as one tensor batch) of the depth_separation family
against training the same networks one at a time; report the ratio.

    python benchmarks/depth_separation_batched.py [--steps 200] [--d 20]
"""

import argparse
import time

import numpy as np
import torch

from sparsenets.depth_separation import data, train

LAW = {"kind": "lomax", "scale": 0.25, "max_ratio": 10.0}


def spec(steps, lrs):
    return dict(
        steps=steps,
        records=5,
        grid=5,
        depth2={"features_per_coord": [4, 16], "weight_scale": 1.0, "bias_scale": 1.5, "lr": lrs},
        shallow={
            "width_factors": [1, 3],
            "variants": {"relu_gd": {"activation": "relu", "optimizer": "gd", "lr": lrs}},
        },
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--d", type=int, default=20)
    args = parser.parse_args()
    torch.set_num_threads(1)
    seeds = 4
    full = data.generate(
        0, "lomax", args.d, law=LAW, radius=1.0, n_train=2048, n_test=1024, seeds=seeds
    )
    print(f"{'learner':<10}{'batched s':>11}{'one at a time s':>17}{'speed-up':>10}")
    for learner in ("depth2", "shallow"):
        start = time.perf_counter()
        train.run(full, learner=learner, seed=0, law="lomax", d=args.d, **spec(args.steps, [0.03]))
        batched = time.perf_counter() - start
        start = time.perf_counter()
        for s in range(seeds):
            one = {
                k: (v[s : s + 1] if isinstance(v, np.ndarray) and v.ndim == 3 else v)
                for k, v in full.items()
            }
            one["y_train"], one["y_test"] = full["y_train"][s : s + 1], full["y_test"][s : s + 1]
            train.run(
                one, learner=learner, seed=0, law="lomax", d=args.d, **spec(args.steps, [0.03])
            )
        single = time.perf_counter() - start
        print(f"{learner:<10}{batched:>11.2f}{single:>17.2f}{single / batched:>10.2f}")


if __name__ == "__main__":
    main()
