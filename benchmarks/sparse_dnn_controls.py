"""Time one paper-scale sparse_dnn fit cell as the old workflow ran it (5 trials, no control)
against the new one (10 trials, plus the log-d control's null-label network per trial).

    python benchmarks/sparse_dnn_controls.py [--design uniform] [--d 200] [--n 2000]

The settings are the paper config's (config/config.yaml), so the times compare directly with the
benchmark files of a paper-scale run. Prints wall and CPU seconds per variant (the jobs run one
thread; CPU time is the steadier measure on a shared machine) and the ratios to the old cell.
"""

import argparse
import time
from pathlib import Path

import yaml

from sparsenets.sparse_dnn import train

CONFIG = Path(__file__).resolve().parents[1] / "config" / "config.yaml"


def params(cfg, design, d, n, trials, null):
    s = cfg["sparse_dnn"]
    g = s["designs"][design]
    return {
        "seed": cfg["seed"],
        "design": design,
        "d": d,
        "n": n,
        **{k: s[k] for k in ["snr", "n_test", "val_fraction", "radii"]},
        "trials": trials,
        "network": s["network"],
        "lasso": {"use": g["lasso"], **s["lasso"]},
        **{k: g[k] for k in ["x", "rho", "activation"]},
        "null_control": null,
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--design", default="uniform")
    ap.add_argument("--d", type=int, default=200)
    ap.add_argument("--n", type=int, default=2000)
    args = ap.parse_args()
    cfg = yaml.safe_load(CONFIG.read_text())
    times = {}
    for name, trials, null in (
        ("old: 5 trials", 5, False),
        ("5 trials + control", 5, True),
        ("new: 10 trials + control", 10, True),
    ):
        t0, c0 = time.perf_counter(), time.process_time()
        train.run_cell(params(cfg, args.design, args.d, args.n, trials, null))
        times[name] = (time.perf_counter() - t0, time.process_time() - c0)
    old = times["old: 5 trials"]
    for name, (sec, cpu) in times.items():
        print(
            f"{args.design} d={args.d} n={args.n} {name}: {sec:.1f} s wall ({sec / old[0]:.2f} x), "
            f"{cpu:.1f} s CPU ({cpu / old[1]:.2f} x old)"
        )


if __name__ == "__main__":
    main()
