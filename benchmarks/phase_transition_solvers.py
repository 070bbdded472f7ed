"""Per-cell time of the fast path (certificates, ADMM failure proof, column generation) against
the reference (the whole program in CVXPY + Clarabel), with the verdicts of both and the proofs
the fast path used; then, for the relaxed skip program on trials with the all-ones pattern, the
fast path on the program without the duplicate block (solve.solve_trial, outcome unique/tie/
failure) against the fast path on the full program (the previous implementation).

    .venv/bin/python benchmarks/phase_transition_solvers.py [--trials 3]
"""

import argparse
import time

import numpy as np

from sparsenets.phase_transition import data, models
from sparsenets.phase_transition.solve import solve_trial

CELLS = [  # (model, program, neurons, n, d): below, near and above each threshold
    ("skip", "relaxed", 1, 30, 20),
    ("skip", "relaxed", 1, 40, 20),
    ("skip", "relaxed", 1, 60, 20),
    ("skip", "relaxed", 1, 120, 40),
    ("skip", "relaxed", 1, 200, 50),
    ("skip", "exact", 1, 20, 20),
    ("skip", "exact", 1, 60, 20),
    ("relu", "relaxed", 1, 40, 20),
    ("relu", "relaxed", 1, 60, 20),
    ("relu", "relaxed", 1, 120, 20),
    ("normalized", "relaxed", 2, 40, 20),
    ("normalized", "relaxed", 2, 80, 20),
    ("normalized", "relaxed", 2, 120, 20),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trials", type=int, default=3)
    args = parser.parse_args()
    print(f"{'cell':<32}{'reference s':>12}{'fast s':>9}{'speed-up':>10}  verdicts (ref/fast)")
    for model, program, neurons, n, d in CELLS:
        rng = np.random.default_rng(n * 1000 + d)
        t_ref = t_fast = 0.0
        verdicts, methods = [], set()
        for _ in range(args.trials):
            prob = data.problem(rng, n, d, model, neurons=neurons)
            p = models.build(prob, model, program == "exact")
            t0 = time.perf_counter()
            ref = models.reference(p)
            t1 = time.perf_counter()
            fast = models.fast(p)
            t2 = time.perf_counter()
            t_ref, t_fast = t_ref + t1 - t0, t_fast + t2 - t1
            ok_ref = models.recovered(p, ref["W"], 1e-4)
            verdicts.append(f"{int(ok_ref)}/{int(models.recovered(p, fast['W'], 1e-4))}")
            methods.add(fast["method"])
        name = f"{model}{neurons if model == 'normalized' else ''} {program} n={n} d={d}"
        print(
            f"{name:<32}{t_ref:>12.3f}{t_fast:>9.3f}{t_ref / t_fast:>10.1f}  {' '.join(verdicts)}"
            f"  ({', '.join(sorted(methods))})"
        )

    ties(args.trials)


TIE_CELLS = [(30, 20, "gaussian"), (36, 20, "gaussian"), (60, 40, "smallest_singular")]


def ties(trials):
    """Trials with the all-ones pattern only (drawn until `trials` of them are found)."""
    print(f"\n{'all-ones tie cell':<32}{'full s':>12}{'reduced s':>10}{'speed-up':>10}  outcomes")
    for n, d, kind in TIE_CELLS:
        rng = np.random.default_rng(n * 1000 + d)
        t_full = t_red = 0.0
        outcomes = []
        while len(outcomes) < trials:
            prob = data.problem(rng, n, d, "skip", kind)
            if not prob["all_ones"]:
                continue
            t0 = time.perf_counter()
            models.fast(models.build(prob, "skip"))
            t1 = time.perf_counter()
            outcomes.append(solve_trial(prob, "skip", False, 1e-4, 20, True)[0])
            t_full, t_red = t_full + t1 - t0, t_red + time.perf_counter() - t1
        name = f"skip relaxed n={n} d={d} {kind}"
        print(
            f"{name:<32}{t_full:>12.3f}{t_red:>10.3f}{t_full / t_red:>10.1f}  {' '.join(outcomes)}"
        )


if __name__ == "__main__":
    main()
