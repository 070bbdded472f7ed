"""Measures of trained nets: path norm, rebalancing, knots and TV², R-TV², effective rank.

Fixed measurement constants (chosen before any paper-scale run, stated in the paper):
MERGE_TOL   neurons whose normalised hyperplanes (w/‖w‖, b/‖w‖), after flipping antipodes to a
            common sign, are within this Euclidean distance are merged (1-D: knots within it).
ACTIVE_TOL  a merged neuron / knot is active if |Σ coefficient| > ACTIVE_TOL · path norm.
RANK_TOL    effective rank = #{singular values > RANK_TOL · largest}.
"""

import numpy as np
import pandas as pd
from scipy.linalg import subspace_angles
from scipy.sparse.csgraph import connected_components

MERGE_TOL = 1e-3
ACTIVE_TOL = 1e-3
RANK_TOL = 1e-2


# ---------------------------------------------------------------------------------------------
# Shallow nets: f(x) = Σ v_k σ(w_k·x + b_k) (+ a·x) + c; W (K, d), b (K,), v (K,)


def path_norm(W, v) -> float:
    return float(np.sum(np.abs(v) * np.linalg.norm(W, axis=-1)))


def half_decay(W, v) -> float:
    return float(0.5 * np.sum(v**2 + np.sum(W**2, axis=-1)))


def rebalance(W, b, v):
    """(cw, cb, v/c) with c = sqrt(|v|/‖w‖): the function is unchanged, ½·WD becomes path norm."""
    norm = np.linalg.norm(W, axis=-1)
    ok = (norm > 0) & (v != 0)
    c = np.where(ok, np.sqrt(np.abs(v) / np.where(ok, norm, 1.0)), 1.0)
    return W * c[:, None], b * c, v / c


def balance_residual(W, v) -> float:
    """Σ|v_k² − ‖w_k‖²| / Σ(v_k² + ‖w_k‖²): 0 iff every neuron is balanced."""
    n2 = np.sum(W**2, axis=-1)
    total = np.sum(v**2 + n2)
    return float(np.sum(np.abs(v**2 - n2)) / total) if total > 0 else 0.0


def evaluate(W, b, v, a, c, X):
    return np.maximum(X @ W.T + b, 0.0) @ v + X @ a + c


def merge(W, b, v, tol=MERGE_TOL):
    """Merged neurons: (unit normal u, offset t, coefficient α) with α summed over duplicates and
    antipodes. σ(−z) = σ(z) − z, so a neuron on the flipped hyperplane adds its α to the same
    σ term and an affine remainder (absorbed by the skip)."""
    norm = np.linalg.norm(W, axis=-1)
    keep = norm > 0
    u, t, alpha = W[keep] / norm[keep, None], b[keep] / norm[keep], v[keep] * norm[keep]
    if not len(alpha):
        return np.zeros((0, W.shape[-1])), np.zeros(0), np.zeros(0)
    # Canonical orientation: the largest-|.| coordinate of u positive.
    lead = np.abs(u).argmax(axis=1)
    sign = np.sign(u[np.arange(len(u)), lead])
    h = np.concatenate([u, t[:, None]], axis=1) * sign[:, None]
    dist = np.linalg.norm(h[:, None, :] - h[None, :, :], axis=-1)
    n, label = connected_components(dist <= tol, directed=False)
    weight = np.abs(alpha) + 1e-300
    alpha_m = np.bincount(label, weights=alpha, minlength=n)
    hm = (
        np.stack(
            [np.bincount(label, weights=weight * h[:, j], minlength=n) for j in range(h.shape[1])],
            axis=1,
        )
        / np.bincount(label, weights=weight, minlength=n)[:, None]
    )
    return hm[:, :-1], hm[:, -1], alpha_m


def rtv(W, b, v, tol=MERGE_TOL):
    """R-TV² (1-D: ∫|f''|) of the network's function: Σ|α| over merged hyperplanes."""
    return float(np.sum(np.abs(merge(W, b, v, tol)[2])))


def active(W, b, v, tol=MERGE_TOL, active_tol=ACTIVE_TOL) -> int:
    alpha = merge(W, b, v, tol)[2]
    return int(np.sum(np.abs(alpha) > active_tol * path_norm(W, v)))


def knots(W, b, v, tol=MERGE_TOL, active_tol=ACTIVE_TOL):
    """1-D: positions and slope jumps of the active knots, sorted."""
    u, t, alpha = merge(W, b, v, tol)
    x = -t / u[:, 0]
    on = np.abs(alpha) > active_tol * path_norm(W, v)
    order = np.argsort(x[on])
    return x[on][order], alpha[on][order]


def end_slopes(W, v):
    """1-D net without skip: f'(−∞) and f'(+∞)."""
    w = W[:, 0]
    return float(np.sum(v * w * (w < 0))), float(np.sum(v * w * (w > 0)))


def min_tv(x, y) -> float:
    """min ∫|f''| over interpolants of (x, y) with a free affine part: the connect-the-dots
    interpolant's Σ|slope jumps|."""
    s = np.diff(y) / np.diff(x)
    return float(np.sum(np.abs(np.diff(s))))


def min_noskip(x, y) -> float:
    """min over interpolants of max(∫|f''|, |f'(−∞) + f'(+∞)|) (Savarese et al. 2019): linear
    between the points, free end slopes a, b; moving them by r in total costs r in ∫|f''| and saves
    up to r in |a + b|, so the minimum is max(D, (D + |s_1 + s_{N−1}|)/2)."""
    s = np.diff(y) / np.diff(x)
    D = float(np.sum(np.abs(np.diff(s))))
    return max(D, 0.5 * (D + abs(s[0] + s[-1])))


# ---------------------------------------------------------------------------------------------
# Deep nets


def layer_balance(Ws) -> float:
    """Σ_l |‖W_l‖² − ‖W_{l+1}‖²| / Σ_l ‖W_l‖²: 0 iff all layers have equal norms, as at every
    stationary point (scaling (W_l, b_l) by s and W_{l+1} by 1/s leaves a ReLU net unchanged)."""
    sq = np.array([np.sum(W**2) for W in Ws])
    return float(np.sum(np.abs(np.diff(sq))) / np.sum(sq)) if sq.sum() > 0 else 0.0


def effective_rank(M, tol=RANK_TOL) -> int:
    s = np.linalg.svd(M, compute_uv=False)
    return int(np.sum(s > tol * s[0])) if s[0] > 0 else 0


# ---------------------------------------------------------------------------------------------
# Tables


def _member_frame(run) -> pd.DataFrame:
    return pd.DataFrame(
        {k.removeprefix("member_"): run[k] for k in run if k.startswith("member_")}
    ).assign(diverged=run["diverged"].astype(bool))


def _history(run, setting) -> pd.DataFrame:
    rows = []
    for i, step in enumerate(run["history_step"]):
        rows.append(
            _member_frame(run).assign(
                setting=setting,
                step=int(step),
                loss=run["history_loss"][i],
                mse=run["history_mse"][i],
                grad_norm=run["history_grad_norm"][i],
            )
        )
    return pd.concat(rows, ignore_index=True)


def _tidy(members: pd.DataFrame, measures: dict) -> pd.DataFrame:
    """Long format: one row per (member, measure)."""
    wide = members.assign(**measures)
    ids = list(members.columns)
    return wide.melt(id_vars=ids, var_name="measure", value_name="value")


def shallow_tables(experiment, setting, data, run):
    members = _member_frame(run).assign(setting=setting)
    X, y = data["X"], data["y"]
    dim = X.shape[-1]
    measures, units = {}, []
    for i, m in members.iterrows():
        K = int(m.width)
        W, b, v = run["param_W"][i, :K], run["param_b"][i, :K], run["param_v"][i, :K]
        a, c = run["param_a"][i] * m.skip, run["param_c"][i]
        xt, yt = X[m.trial], y[m.trial]
        f = evaluate(W, b, v, a, c, xt)
        pn = path_norm(W, v)
        W2, b2, v2 = rebalance(W, b, v)
        f2 = evaluate(W2, b2, v2, a, c, xt)
        row = {
            "mse": float(np.mean((f - yt) ** 2)),
            "rel_mse": float(np.mean((f - yt) ** 2) / np.mean((yt - yt.mean()) ** 2)),
            "grad_norm": float(run["history_grad_norm"][-1][i]),
            "rel_grad": float(run["final_rel_grad"][i]),
            "rel_smooth": float(run["final_rel_smooth"][i]),
            "path_norm": pn,
            "half_decay": half_decay(W, v),
            "decay_excess": half_decay(W, v) / pn - 1 if pn > 0 else 0.0,
            "balance_residual": balance_residual(W, v),
            "rebalanced_gap": abs(half_decay(W2, v2) - pn) / max(pn, 1e-300),
            "rebalanced_change": float(np.max(np.abs(f2 - f)) / max(np.max(np.abs(f)), 1e-300)),
            "rtv": rtv(W, b, v),
            "active": active(W, b, v),
        }
        if dim == 1:
            x1 = xt[:, 0]
            left, right = end_slopes(W, v)
            row.update(
                {
                    "tv_min": min_tv(x1, yt),
                    "tv_min_own": min_tv(x1, f),
                    "noskip_min": min_noskip(x1, yt),
                    "noskip_min_own": min_noskip(x1, f),
                    "noskip_cost": max(row["rtv"], abs(left + right)),
                    "n_knots": len(knots(W, b, v)[0]),
                }
            )
        else:
            row["max_active"] = len(yt) - (dim + 1)
        for k, val in row.items():
            measures.setdefault(k, []).append(val)
        norm = np.linalg.norm(W, axis=-1)
        big = np.abs(v) * norm > ACTIVE_TOL * pn
        units.append(
            pd.DataFrame(
                {
                    "setting": setting,
                    "trial": m.trial,
                    "lam": m.lam,
                    "width": m.width,
                    "skip": m.skip,
                    "neuron": np.flatnonzero(big),
                    "v": v[big],
                    "w_norm": norm[big],
                    "knot": (-b[big] / W[big, 0]) if dim == 1 else np.nan,
                }
            )
        )
    return {
        "nets": _tidy(members, measures),
        "units": pd.concat(units, ignore_index=True),
        "history": _history(run, setting),
    }


def deep_tables(setting, data, run):
    members = _member_frame(run).assign(setting=setting)
    depth = sum(1 for k in run if k.startswith("param_W"))
    measures, units = {}, []
    for i, m in members.iterrows():
        row = {
            "grad_norm": float(run["history_grad_norm"][-1][i]),
            "rel_grad": float(run["final_rel_grad"][i]),
            "layer_balance": layer_balance([run[f"param_W{j}"][i] for j in range(depth)]),
            "mse": float(run["history_mse"][-1][i]),
            "rel_mse": float(run["history_mse"][-1][i] / np.var(data["y"][m.trial])),
        }
        ranks = []
        for layer in range(depth):
            M = run[f"param_W{layer}"][i]
            s = np.linalg.svd(M, compute_uv=False)
            rank = effective_rank(M)
            row[f"rank_{layer}"] = rank
            ranks.append(rank)
            units.append(
                pd.DataFrame(
                    {
                        "setting": setting,
                        "trial": m.trial,
                        "lam": m.lam,
                        "skip": m.skip,
                        "layer": layer,
                        "index": np.arange(len(s)),
                        "sv": s,
                    }
                )
            )
        row["rank_mean"] = float(np.mean(ranks[:-1]))  # the last layer (to a scalar) has rank 1
        row.update(alignment(run["param_W0"][i], data["P"][m.trial], bool(m.skip)))
        row["test_mse"] = _deep_test_mse(run, data, i, depth, m.skip)
        for k, val in row.items():
            measures.setdefault(k, []).append(val)
    return {
        "nets": _tidy(members.assign(depth=depth), measures),
        "units": pd.concat(units, ignore_index=True),
        "history": _history(run, setting),
    }


def alignment(W1, P, skip: bool) -> dict:
    """The first layer W1 (width × D) against the target's directions P (3 × D; y = |z_1| + |z_2|
    + z_3, z = Px): the largest principal angle (degrees) between W1's top-r right singular
    subspace and the r directions the net needs (r = 2 with the skip connection, which carries
    the linear z_3; r = 3 without), and the share ‖W1 p_3‖/‖W1‖_F of the first layer along p_3."""
    r = 2 if skip else 3
    top = np.linalg.svd(W1, full_matrices=False)[2][:r]
    angle = float(np.degrees(subspace_angles(top.T, P[:r].T).max()))
    share = float(np.linalg.norm(W1 @ P[2]) / max(np.linalg.norm(W1), 1e-300))
    return {"angle": angle, "linear_share": share}


def _deep_test_mse(run, data, i, depth, skip) -> float:
    X = data["X_test"][run["member_trial"][i]]
    h = X
    for layer in range(depth):
        h = h @ run[f"param_W{layer}"][i].T + run[f"param_b{layer}"][i]
        if layer < depth - 1:
            h = np.maximum(h, 0.0)
    f = h[:, 0] + skip * (X @ run["param_a"][i])
    y = data["y_test"][run["member_trial"][i]]
    return float(np.mean((f - y) ** 2) / np.var(y))


def curves(data, run, setting, points=400) -> pd.DataFrame:
    """Learned 1-D functions on a grid (every net of trial 0) and the data, for the figure."""
    X, y = data["X"][..., 0], data["y"]
    grid = np.linspace(-1.15, 1.15, points)
    members = _member_frame(run)
    frames = []
    for i, m in members[members.trial == 0].iterrows():
        K = int(m.width)
        W, b, v = run["param_W"][i, :K], run["param_b"][i, :K], run["param_v"][i, :K]
        f = evaluate(W, b, v, run["param_a"][i] * m.skip, run["param_c"][i], grid[:, None])
        frames.append(
            pd.DataFrame(
                {
                    "setting": setting,
                    "trial": m.trial,
                    "lam": m.lam,
                    "width": m.width,
                    "skip": m.skip,
                    "x": grid,
                    "f": f,
                }
            )
        )
    for t in range(len(y)):
        frames.append(
            pd.DataFrame(
                {
                    "setting": setting,
                    "trial": t,
                    "lam": np.nan,
                    "width": 0,
                    "skip": -1,
                    "x": X[t],
                    "f": y[t],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
