"""Per-cell time of the fast path (certificate + column generation) against the reference
(the whole program in CVXPY + Clarabel), with the verdicts of both.

    .venv/bin/python benchmarks/phase_transition_solvers.py [--trials 3]
"""

import argparse
import time

import numpy as np

from sparsenets.phase_transition import data, models

CELLS = [  # (model, program, n, d): below, near and above the threshold
    ("skip", "relaxed", 30, 20),
    ("skip", "relaxed", 60, 20),
    ("skip", "relaxed", 120, 40),
    ("skip", "relaxed", 200, 50),
    ("skip", "exact", 60, 20),
    ("relu", "relaxed", 80, 20),
    ("normalized", "relaxed", 80, 20),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=3)
    args = parser.parse_args()
    print(f"{'cell':<28}{'reference s':>12}{'fast s':>9}{'speed-up':>10}  verdicts (ref/fast)")
    for model, program, n, d in CELLS:
        rng = np.random.default_rng(n * 1000 + d)
        t_ref = t_fast = 0.0
        verdicts = []
        for _ in range(args.trials):
            p = models.build(data.problem(rng, n, d, model), model, program == "exact")
            t0 = time.perf_counter()
            ref = models.reference(p)
            t1 = time.perf_counter()
            fast = models.fast(p)
            t2 = time.perf_counter()
            t_ref, t_fast = t_ref + t1 - t0, t_fast + t2 - t1
            ok_ref = models.recovered(p, ref["W"], 1e-4)
            verdicts.append(f"{int(ok_ref)}/{int(models.recovered(p, fast['W'], 1e-4))}")
        name = f"{model} {program} n={n} d={d}"
        print(
            f"{name:<28}{t_ref:>12.3f}{t_fast:>9.3f}{t_ref / t_fast:>10.1f}  {' '.join(verdicts)}"
        )


if __name__ == "__main__":
    main()
