"""A depth_separation train job (every trial, width and step size as one tensor batch, as the
train stage runs it) against the same networks trained one trial at a time (the naive loop), at
the paper's settings with fewer steps and test points. CPU time, best of the repeats.

    python benchmarks/depth_separation_batched.py [--d 20] [--steps 200] [--repeats 2]
"""

import argparse
import time
from pathlib import Path

import torch
import yaml

from sparsenets.depth_separation import data, train

CONFIG = Path(__file__).resolve().parents[1] / "config" / "config.yaml"


def settings(steps):
    """The paper's depth_separation settings with `steps` training steps and 10^4 test points."""
    spec = yaml.safe_load(CONFIG.read_text())["depth_separation"]
    spec["depth2"]["steps"] = steps
    spec["shallow"]["steps"] = steps
    spec["shallow"]["select_at"] = steps // 2
    spec["test"] = {"n": 10_000, "block": 2000}
    return spec


def timed(fn, *args, **kwargs):
    start = time.process_time()
    fn(*args, **kwargs)
    return time.process_time() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--d", type=int, default=20)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(1)
    spec, law_name = settings(args.steps), "shellconst"
    law, seeds = spec["laws"][law_name], spec["data"]["seeds"]
    full = data.generate(0, law_name, args.d, law=law, radius=spec["radius"], **spec["data"])
    common = {k: spec[k] for k in ("records", "grid", "test", "depth2", "shallow")}
    common.update(seed=0, law_name=law_name, law=law, d=args.d)

    def one_at_a_time(learner):
        for s in range(seeds):
            one = {k: (v[s : s + 1] if k[:2] in ("X_", "y_") else v) for k, v in full.items()}
            train.run(one, learner=learner, **common)

    print(f"d = {args.d}, {args.steps} steps, {seeds} trials; CPU s, best of {args.repeats}")
    print(f"{'learner':<10}{'batched':>9}{'one at a time':>15}{'ratio':>8}")
    for learner in train.LEARNERS:
        runs = range(args.repeats)
        batched = min(timed(train.run, full, learner=learner, **common) for _ in runs)
        single = min(timed(one_at_a_time, learner) for _ in runs)
        print(f"{learner:<10}{batched:>9.2f}{single:>15.2f}{single / batched:>7.2f}x")


if __name__ == "__main__":
    main()
