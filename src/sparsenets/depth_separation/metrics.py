"""Tidy tables from the runs: curves (one row per run × recorded step), final (one row per run),
decision (the d = 2 decision functions on a grid).

A run is (law, d, learner variant, width, step size, seed). The step size of each (law, d,
variant, width, seed) is chosen by the lowest final TRAINING squared error (column `selected`);
test errors never enter the choice.
"""

import numpy as np
import pandas as pd

from sparsenets.depth_separation.train import grid_axis

KEYS = ["law", "d", "variant", "width", "params_trained", "params_total", "lr", "seed"]


def _frame(run: dict, law: str, d: int) -> pd.DataFrame:
    V, W, L, S, R = run["test_sq"].shape
    v, w, ell, s, r = np.meshgrid(
        np.arange(V), np.arange(W), np.arange(L), np.arange(S), np.arange(R), indexing="ij"
    )
    v, w, ell, s, r = (a.ravel() for a in (v, w, ell, s, r))
    return pd.DataFrame(
        {
            "law": law,
            "d": d,
            "variant": run["variants"][v],
            "width": run["widths"][v, w],
            "params_trained": run["params_trained"][v, w],
            "params_total": run["params_total"][v, w],
            "lr": run["lrs"][v, ell],
            "seed": s,
            "step": run["steps"][r],
            "test_sq": run["test_sq"].ravel(),
            "test_01": run["test_01"].ravel(),
            "train_sq": run["train_sq"].ravel(),
            "diverged": run["diverged"][v, w, ell, s],
        }
    )


def _select(curves: pd.DataFrame) -> pd.Series:
    """True on the rows of the step size with the lowest final training error (diverged: worst)."""
    last = curves[curves.step == curves.step.max()].copy()
    last["score"] = last.train_sq.fillna(np.inf)
    group = [k for k in KEYS if k not in ("lr", "params_trained", "params_total")]
    best = last.loc[last.groupby(group).score.idxmin(), group + ["lr"]]
    best["selected"] = True
    out = curves[group + ["lr"]].merge(best, on=group + ["lr"], how="left")
    return out.selected.fillna(False).astype(bool).to_numpy()


def final_table(curves: pd.DataFrame, target: float) -> pd.DataFrame:
    steps = np.sort(curves.step.unique())
    last, half = steps[-1], steps[np.argmin(np.abs(steps - steps[-1] / 2))]
    group = KEYS + ["selected", "diverged"]
    end = curves[curves.step == last].set_index(group)[["test_sq", "test_01", "train_sq"]]
    mid = curves[curves.step == half].set_index(group)[["test_sq", "test_01"]]
    out = end.join(mid.add_suffix("_half")).reset_index()
    out["half_step"] = half
    hit = curves[curves.test_01 <= target].groupby(KEYS).step.min().rename("steps_to_target")
    out = out.merge(hit.reset_index(), on=KEYS, how="left")
    return out


def decision_table(run: dict, law: str, selected: pd.DataFrame, radius: float) -> pd.DataFrame:
    """Seed 0, widest network of each variant, its selected step size: output on the grid."""
    size = int(run["grid"])
    g = grid_axis(radius, size)
    x1, x2 = np.meshgrid(g, g)
    frames = []
    W = run["widths"].shape[1]
    for v, name in enumerate(run["variants"]):
        lr = selected[(selected.variant == name) & (selected.width == run["widths"][v, W - 1])]
        lr = lr[lr.seed == 0].lr.iloc[0]
        ell = int(np.flatnonzero(np.isclose(run["lrs"][v], lr))[0])
        frames.append(
            pd.DataFrame(
                {
                    "law": law,
                    "variant": name,
                    "width": run["widths"][v, W - 1],
                    "x1": x1.ravel(),
                    "x2": x2.ravel(),
                    "output": run["grid_out"][v, W - 1, ell, 0],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def tables(runs: list, target: float, radius: float) -> dict:
    """runs: [(law, d, run dict)] for every setting and learner."""
    curves = pd.concat([_frame(r, law, d) for law, d, r in runs], ignore_index=True)
    curves = curves.sort_values(KEYS + ["step"], kind="stable").reset_index(drop=True)
    curves["selected"] = _select(curves)
    final = final_table(curves, target)
    chosen = final[final.selected]
    decision = [
        decision_table(r, law, chosen[(chosen.law == law) & (chosen.d == d)], radius)
        for law, d, r in runs
        if d == 2
    ]
    decision = pd.concat(decision, ignore_index=True) if decision else pd.DataFrame()
    return {"curves": curves, "final": final, "decision": decision}
