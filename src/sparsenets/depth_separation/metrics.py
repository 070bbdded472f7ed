"""Tidy tables from the runs: curves (one row per network × trial × recorded step, monitoring
sample), final (one row per network × trial: the 10^5-point test errors), decision (the d = 2
decision functions on a grid). A network is (law, d, variant, width) at the step size selected
on validation data (train.py); test errors never enter any choice.

Relative errors divide a squared error by p(1 − p), p the sample's fraction inside the ball:
the error of the best constant predictor, so 1 means "learned nothing" under every law.
"""

import numpy as np
import pandas as pd

from sparsenets.depth_separation.train import grid_axis

KEYS = ["law", "d", "variant", "width", "seed"]


def _index(run, law, d, *extra):
    V, W, S = run["test_sq"].shape
    v, w, s, *rest = np.meshgrid(
        np.arange(V), np.arange(W), np.arange(S), *[np.arange(n) for n in extra], indexing="ij"
    )
    v, w, s = v.ravel(), w.ravel(), s.ravel()
    frame = pd.DataFrame(
        {"law": law, "d": d, "variant": run["variants"][v], "width": run["widths"][v, w]}
    )
    frame["k"] = frame.width // d
    frame["params_trained"] = run["params_trained"][v, w]
    frame["seed"] = s
    return frame, (v, w, s, *[r.ravel() for r in rest])


def final_frame(run: dict, law: str, d: int) -> pd.DataFrame:
    f, (v, w, s) = _index(run, law, d)
    p = run["p_inside"][s]
    f["p_inside"] = p
    f["lr"] = run["lr"][v, w, s]
    f["val_sq"] = run["val_sq"][v, w, s]
    for key in ("test_sq", "test_01", "test_sq_init"):
        f[key] = run[key][v, w, s]
    f["diverged"] = run["diverged"][v, w, s]  # its test squared error is then infinite
    f["test_rel"] = f.test_sq / (p * (1 - p))
    f["init_rel"] = f.test_sq_init / (p * (1 - p))
    return f


def curve_frame(run: dict, law: str, d: int, p_monitor: np.ndarray) -> pd.DataFrame:
    f, (v, w, s, r) = _index(run, law, d, len(run["steps"]))
    f["step"] = run["steps"][r]
    f["mon_sq"] = run["mon_sq"][v, w, s, r]
    f["mon_01"] = run["mon_01"][v, w, s, r]
    p = p_monitor[s]
    f["mon_rel"] = f.mon_sq / (p * (1 - p))
    return f


def decision_frame(run: dict, law: str, radius: float) -> pd.DataFrame:
    """Trial 0, widest network of each variant: its output on the grid."""
    g = grid_axis(radius, int(run["grid"]))
    x1, x2 = np.meshgrid(g, g)
    W = run["widths"].shape[1]
    frames = [
        pd.DataFrame(
            {
                "law": law,
                "variant": name,
                "width": run["widths"][v, W - 1],
                "x1": x1.ravel(),
                "x2": x2.ravel(),
                "output": run["grid_out"][v, W - 1],
            }
        )
        for v, name in enumerate(run["variants"])
    ]
    return pd.concat(frames, ignore_index=True)


def tables(runs: list, radius: float) -> dict:
    """runs: [(law, d, run dict)] for every setting and learner."""
    final, curves, decision = [], [], []
    for law, d, run in runs:
        final.append(final_frame(run, law, d))
        curves.append(curve_frame(run, law, d, run["p_monitor"]))
        if d == 2 and int(run["grid"]):
            decision.append(decision_frame(run, law, radius))
    final = pd.concat(final, ignore_index=True).sort_values(KEYS, kind="stable")
    curves = pd.concat(curves, ignore_index=True).sort_values(KEYS + ["step"], kind="stable")
    decision = pd.concat(decision, ignore_index=True) if decision else pd.DataFrame()
    return {
        "curves": curves.reset_index(drop=True),
        "final": final.reset_index(drop=True),
        "decision": decision,
    }
