"""What more seeds cost the depth_separation family: CPU time of one paper-scale train job
(config/config.yaml, one law × d × learner) at two seed counts, and the ratio. CPU time, not wall
time: on a shared machine it is the part that does not depend on the other jobs.

    python benchmarks/depth_separation_seeds.py [--law lomax] [--d 100] [--seeds 3 10]
"""

import argparse
import time
from pathlib import Path

import torch
import yaml

from sparsenets.depth_separation import data, train

CONFIG = Path(__file__).resolve().parents[1] / "config" / "config.yaml"


def cpu_seconds(params, law, d, learner, seeds) -> float:
    spec = dict(params["data"], seeds=seeds)
    sample = data.generate(0, law, d, law=params["laws"][law], radius=params["radius"], **spec)
    keys = ("steps", "records", "grid", "depth2", "shallow")
    start = time.process_time()
    train.run(sample, learner=learner, seed=0, law=law, d=d, **{k: params[k] for k in keys})
    return time.process_time() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--law", default="lomax")
    parser.add_argument("--d", type=int, default=100)
    parser.add_argument("--seeds", type=int, nargs=2, default=[3, 10])
    args = parser.parse_args()
    torch.set_num_threads(1)
    params = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))["depth_separation"]
    for learner in train.LEARNERS:
        few, many = (cpu_seconds(params, args.law, args.d, learner, s) for s in args.seeds)
        print(
            f"{args.law} d={args.d} {learner}: {few:.1f} s CPU at {args.seeds[0]} seeds, "
            f"{many:.1f} s at {args.seeds[1]} seeds, ratio {many / few:.2f}"
        )


if __name__ == "__main__":
    main()
