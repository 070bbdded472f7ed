"""The exact optimum that a 1-D ReLU net trained with weight decay should reach.

With J(f) = (1/N) Σ (f(x_i) − y_i)² + λ · R(f), a two-layer ReLU net whose weights decay by
½λ Σ (v_k² + w_k²) has, after rebalancing, the penalty λ · Σ |v_k w_k| ≥ λ · R(f), with R the
representational cost (Savarese et al. 2019): R(f) = ∫|f''| with an unregularised skip connection
(free affine part), R(f) = max(∫|f''|, |f'(−∞) + f'(+∞)|) without. For given fitted values the
cheapest f is linear between the (sorted) points, so J* is a convex program in the N fitted values:
∫|f''| is the total variation of the interpolant's slopes. The squared loss makes the optimal
fitted values unique; their linear interpolant is a minimiser with at most N − 2 knots.

The workflow solves `fitted_values` (CVXPY + Clarabel, over f). Each program has a second
formulation that the tests hold it to, to 1e-8 relative: `knot_lasso` (scikit-learn's Lasso over
ReLU knots at the interior points, the affine part projected out) with the skip connection,
`end_slopes` (CVXPY over f and the two end slopes) without.
"""

import numpy as np
import pandas as pd

from sparsenets.common.arrangements import cells, cone_norm
from sparsenets.splines.metrics import evaluate, min_noskip, min_tv, path_norm

# Clarabel's relative gap and feasibility tolerances, and its absolute gap: J* is about 1e-4 on
# smooth data, where an absolute gap of 1e-10 left J* 5e-7 too high (a net then "beat" it).
SOLVER_TOL = 1e-12
GAP_ABS = 1e-15


def _sorted(x, y):
    order = np.argsort(x)
    x, y = np.asarray(x, float)[order], np.asarray(y, float)[order]
    if np.any(np.diff(x) <= 0):
        raise ValueError("the 1-D optimum needs distinct inputs x")
    return x, y, order


def cost(x, f, skip: bool) -> float:
    """R of the cheapest function through (x_i, f_i): ∫|f''| of the linear interpolant (skip),
    or max(D, (D + |s_1 + s_{N−1}|)/2) over its free end slopes (no skip)."""
    x, f, _ = _sorted(x, f)
    return min_tv(x, f) if skip else min_noskip(x, f)


def objective(x, y, f, lam, skip: bool) -> float:
    return float(np.mean((np.asarray(f) - np.asarray(y)) ** 2) + lam * cost(x, f, skip))


def fitted_values(x, y, lam, skip: bool = True) -> tuple[float, np.ndarray]:
    """(J*, f*) by CVXPY + Clarabel over the fitted values f (in the order of x as given)."""
    import cvxpy as cp

    x, y, order = _sorted(x, y)
    N = len(x)
    f = cp.Variable(N)
    s = cp.multiply(1 / np.diff(x), cp.diff(f))
    D = cp.norm1(cp.diff(s))
    R = D if skip else cp.maximum(D, 0.5 * (D + cp.abs(s[0] + s[N - 2])))
    problem = cp.Problem(cp.Minimize(cp.sum_squares(f - y) / N + lam * R))
    _solve(problem)
    out = np.empty(N)
    out[order] = f.value
    return float(problem.value), out


def end_slopes(x, y, lam) -> tuple[float, np.ndarray]:
    """(J*, f*) without skip, the second formulation: the function is linear between the points
    with free end slopes a (left) and b (right); R = max(∫|f''|, |a + b|) with ∫|f''| = Σ|slope
    jumps| including the jumps from a and to b."""
    import cvxpy as cp

    x, y, order = _sorted(x, y)
    N = len(x)
    f, a, b = cp.Variable(N), cp.Variable(), cp.Variable()
    slopes = cp.hstack([a, cp.multiply(1 / np.diff(x), cp.diff(f)), b])
    tv = cp.norm1(cp.diff(slopes))
    problem = cp.Problem(
        cp.Minimize(cp.sum_squares(f - y) / N + lam * cp.maximum(tv, cp.abs(a + b)))
    )
    _solve(problem)
    out = np.empty(N)
    out[order] = f.value
    return float(problem.value), out


def _solve(problem, tol=SOLVER_TOL, gap_abs=GAP_ABS, accept=("optimal",)) -> None:
    problem.solve(
        solver="CLARABEL",
        tol_gap_abs=gap_abs,
        tol_gap_rel=tol,
        tol_feas=tol,
        max_iter=500,
    )
    if problem.status not in accept:
        raise RuntimeError(f"Clarabel ended with status {problem.status!r}")


def knot_lasso(x, y, lam, tol=1e-14) -> tuple[float, np.ndarray, np.ndarray]:
    """(J, f, β) with skip, the second formulation: f = c + a·x + Σ_j β_j (x − x_j)_+ over the
    interior points x_j, ∫|f''| = ‖β‖₁. The unpenalised affine part is projected out (Frisch–Waugh)
    and (1/N)‖r‖² + λ‖β‖₁ is scikit-learn's (1/2N)‖r‖² + α‖β‖₁ at α = λ/2."""
    from sklearn.linear_model import Lasso

    x, y, order = _sorted(x, y)
    A = np.maximum(x[:, None] - x[None, 1:-1], 0.0)
    affine = np.column_stack([np.ones_like(x), x])
    project = np.eye(len(x)) - affine @ np.linalg.pinv(affine)
    model = Lasso(alpha=lam / 2, fit_intercept=False, tol=tol, max_iter=10**7)
    model.fit(project @ A, project @ y)
    beta = model.coef_
    rest = y - A @ beta
    f = A @ beta + affine @ np.linalg.lstsq(affine, rest, rcond=None)[0]
    out = np.empty(len(x))
    out[order] = f
    return float(np.mean((f - y) ** 2) + lam * np.abs(beta).sum()), out, beta


def knots(x, f, rel_tol=1e-6) -> int:
    """Knots of the linear interpolant of (x, f): interior points where the slope jumps by more
    than rel_tol times the largest jump (the constructed sparse minimiser's knot count)."""
    x, f, _ = _sorted(x, f)
    jumps = np.abs(np.diff(np.diff(f) / np.diff(x)))
    return int(np.sum(jumps > rel_tol * max(jumps.max(initial=0.0), 1e-300)))


# ---------------------------------------------------------------------------------------------
# d > 1: the convex reformulation, solved by column generation with exact pricing.
#
# With an unregularised skip connection and biases, a neuron's cost is |v|·‖w‖ and
# J* = min over f of (1/N)‖f − y‖² + λ·R(f), R the least Σ|v_k|‖w_k‖ over nets whose data values
# are f up to an affine function. By duality (ρ = (2/N)(y − f) is orthogonal to the affine part at
# the optimum), J* = max over ρ ⊥ [1, X] of ρᵀy − (N/4)‖ρ‖² with |ρᵀrelu(Xw + b)| ≤ λ‖w‖ for every
# neuron. For fixed w, ρᵀrelu(Xw + b) is piecewise linear in b and zero for b → ±∞, so its extremes
# sit where the hyperplane passes through a data point x_j: anchored neurons relu((x − x_j)ᵀw)
# suffice, in the primal too (on the data, a neuron between two anchors is a convex combination
# of the two). Per anchor j the patterns are the cells of the central arrangement of
# Z_j = (x_i − x_j)_{i≠j} in R^d, and each cell and sign is a cone-constrained block
# (Pilanci & Ergen 2020): data values s·D Z_j u, cost ‖u‖, cone (2D − I) Z_j u ≥ 0.
# `highd_optimum` solves restricted programs over a few blocks (CVXPY + Clarabel) and prices every
# block of every anchor exactly (`cone_norm`), adding the worst violators, until none violates:
# the restricted optimum is then J*, up to the solver's tolerance, and the dual point of the last
# round, scaled into feasibility, bounds J* from below.

HIGHD_TOL = 1e-9  # Clarabel's tolerances on these larger programs (1e-12 is not reached)
PRICE_TOL = 1e-6  # a block enters when its dual norm exceeds λ(1 + PRICE_TOL)
BATCH = 100  # blocks added per round
CHEAP_SWEEPS = 5  # sweeps of the cheap pass, which only looks for violators
SWEEPS = 40  # coordinate-descent sweeps bounding the blocks' dual norms before exact NNLS


def anchored_cells(X) -> list:
    """Per anchor j: (Z_j (N, d) with row j zero, patterns (N, P_j) with row j False)."""
    N = len(X)
    out = []
    for j in range(N):
        Z = X - X[j]
        rest = np.delete(np.arange(N), j)
        pats = cells(Z[rest])
        D = np.zeros((N, pats.shape[1]), bool)
        D[rest] = pats
        out.append((Z, D))
    return out


def _restricted(X, y, lam, blocks):
    """The program over `blocks` [(Z, pattern, sign)] and the free affine part: the blocks'
    weights U (k, d)."""
    import cvxpy as cp
    import scipy.sparse as sp

    N, d = X.shape
    affine = np.column_stack([np.ones(N), X])
    beta = cp.Variable(d + 1)
    fit, cost, cons, U = affine @ beta, 0, [], None
    if blocks:
        U = cp.Variable((len(blocks), d))
        u = cp.vec(U, order="C")
        fit = fit + np.hstack([s * D[:, None] * Z for Z, D, s in blocks]) @ u
        cost = cp.sum(cp.norm(U, 2, axis=1))
        cone = sp.block_diag([(2 * D - 1)[:, None] * Z for Z, D, _ in blocks], format="csr")
        cons = [cone @ u >= 0]
    problem = cp.Problem(cp.Minimize(cp.sum_squares(fit - y) / N + lam * cost), cons)
    # An inaccurate solve is accepted: the bounds `highd_optimum` reports do not rely on it.
    _solve(problem, HIGHD_TOL, HIGHD_TOL * 1e-2, accept=("optimal", "optimal_inaccurate"))
    return np.zeros((0, d)) if U is None else U.value


def _block_norms(Z, skip, sides, g, level, sweeps=None):
    """Bounds (lower, upper) on the dual norms min over μ ≥ 0 of ‖g_b + Σ_i μ_i σ_bi z_i‖ of blocks
    b with vectors g (B, d) and cells σ = `sides` (N, B) ∈ {−1, 1} (row `skip`: no constraint),
    tight enough to tell each from `level`: projected coordinate descent on μ, for all undecided
    blocks at once (any μ ≥ 0 bounds from above; r = g + Cᵀμ inside the cell gives gᵀr/‖r‖ from
    below); then `cone_norm` (exact) for every block above `level` after SWEEPS sweeps, or, with
    `sweeps`, only that many sweeps and no exact step (cheap bounds, to find violators)."""
    rows = [i for i in range(len(Z)) if i != skip]
    z2 = (Z * Z).sum(axis=1)
    lower, upper = np.zeros(len(g)), np.linalg.norm(g, axis=1)
    idx = np.flatnonzero(upper > level)
    mu, r, sd = np.zeros((len(Z), len(idx))), g[idx].copy(), sides[:, idx]
    for sweep in range(1, (sweeps or SWEEPS) + 1):
        for i in rows:
            new = np.maximum(mu[i] - sd[i] * (r @ Z[i]) / z2[i], 0.0)
            r += ((new - mu[i]) * sd[i])[:, None] * Z[i]
            mu[i] = new
        if sweep % 5 and sweep < (sweeps or SWEEPS):
            continue
        norm = np.linalg.norm(r, axis=1)
        inside = ((sd[rows] * (Z[rows] @ r.T)) >= 0).all(axis=0)
        upper[idx] = np.minimum(upper[idx], norm)
        found = np.where(inside, (g[idx] * r).sum(axis=1) / np.maximum(norm, 1e-300), 0.0)
        lower[idx] = np.maximum(lower[idx], found)
        keep = (upper[idx] > level) & (lower[idx] <= level)
        idx, mu, r, sd = idx[keep], mu[:, keep], r[keep], sd[:, keep]
        if not len(idx):
            break
    if sweeps is None:  # exact values for every block not certified below the level
        for b in np.flatnonzero(upper > level):
            lower[b] = upper[b] = cone_norm(g[b], sides[:, b, None] * Z)
    return lower, upper


def _blocks(anchors, rho):
    """Per anchor: (g (2P, d), cells σ (N, 2P)) of its blocks, the cells for sign +1 then −1."""
    for Z, D in anchors:
        G = (Z.T @ (D * rho[:, None])).T  # (P, d): block (cell, sign) has g = sign·G[cell]
        yield np.vstack([G, -G]), np.tile(2.0 * D - 1, 2)


def _price(anchors, rho, lam, known):
    """Blocks not in `known` whose dual norm exceeds λ(1 + PRICE_TOL), largest first, as
    [(anchor, cell, sign)], and an upper bound on the largest dual norm of all blocks (None when
    not computed). Blocks of the restricted program can exceed it by the solver's tolerance.

    Cheapest first: the blocks whose g lies in their own cell (the dual norm is ‖g‖); then a few
    coordinate-descent sweeps over all blocks; only when neither finds BATCH violators are all
    blocks bounded to the end (`_block_norms`), which certifies an optimum when none violates."""
    level = lam * (1 + PRICE_TOL)
    over = []
    for j, (g, sides) in enumerate(_blocks(anchors, rho)):
        Z, P = anchors[j][0], len(g) // 2
        norm = np.linalg.norm(g, axis=1)
        inside = ((sides * (Z @ g.T)) >= 0).all(axis=0)
        over += [
            (norm[b], j, b % P, 1 - 2 * (b // P)) for b in np.flatnonzero(inside & (norm > level))
        ]
    for sweeps in (CHEAP_SWEEPS, None):
        over = [o for o in over if o[1:] not in known]
        if len(over) >= BATCH:
            return [o[1:] for o in sorted(over, reverse=True)], None
        over, largest = [], 0.0
        for j, (g, sides) in enumerate(_blocks(anchors, rho)):
            lower, upper = _block_norms(anchors[j][0], j, sides, g, level, sweeps)
            largest = max(largest, upper.max(initial=0.0))
            P = len(g) // 2
            over += [(lower[b], j, b % P, 1 - 2 * (b // P)) for b in np.flatnonzero(lower > level)]
    over = [o for o in over if o[1:] not in known]
    return [o[1:] for o in sorted(over, reverse=True)], largest


def _net(X, y, lam, blocks, U):
    """(J, f) of the net with the neurons s·relu(Z u_k) of `blocks` and the best affine part: a
    real net, so J bounds J* from above whatever the accuracy of the solve that gave U."""
    N, d = X.shape
    h = sum(
        (s * np.maximum(Z @ u, 0.0) for (Z, _, s), u in zip(blocks, U, strict=True)), np.zeros(N)
    )
    affine = np.column_stack([np.ones(N), X])
    f = h + affine @ np.linalg.lstsq(affine, y - h, rcond=None)[0]
    return float(np.mean((f - y) ** 2) + lam * np.linalg.norm(U, axis=1).sum()), f


def highd_optimum(X, y, lam, anchors=None, start=(), max_rounds: int = 200) -> dict:
    """J* bracketed by a net (`j_star`, from above) and a dual point (`j_lower`), the net's fitted
    values, R = its Σ‖u_k‖, the neurons of a sparse minimiser (`_sparse`), and the blocks the
    optimum uses (`support`: a warm `start` for a neighbouring λ; the result does not depend on
    it beyond the solver's tolerance)."""
    N = len(y)
    anchors = anchored_cells(X) if anchors is None else anchors
    active, rounds = list(start), 0
    while True:
        rounds += 1
        blocks = [(anchors[j][0], anchors[j][1][:, c], s) for j, c, s in active]
        U = _restricted(X, y, lam, blocks)
        J, f = _net(X, y, lam, blocks, U)
        rho = 2 / N * (y - f)  # orthogonal to the affine part (a least-squares residual)
        new, largest = _price(anchors, rho, lam, set(active))
        if not new:
            break
        if rounds == max_rounds:
            raise RuntimeError(f"column generation did not converge in {max_rounds} rounds")
        active += new[:BATCH]
    # ρ scaled so that every block's dual norm is at most λ: a dual feasible point.
    feasible = rho * lam / max(largest, lam)
    lower = float(feasible @ y - N / 4 * feasible @ feasible)
    return {
        "j_star": J,
        "j_lower": lower,
        "f_star": f,
        "rounds": rounds,
        "support": [a for a, u in zip(active, U, strict=True) if np.linalg.norm(u) > 0],
        **_sparse(X, U, blocks),
    }


def _sparse(X, U, blocks, tol=1e-7) -> dict:
    """R = Σ‖u_k‖ of the optimum, and a minimiser with at most N − (d + 1) neurons, built from it
    (Carathéodory): while the optimum's unit neurons n_k = s·relu(Z u_k)/‖u_k‖ and the affine
    columns are dependent, move the weights c_k = ‖u_k‖ along a null vector (the function on the
    data is unchanged, the cost Σc_k does not increase) until one reaches zero."""
    N, d = X.shape
    norms = np.linalg.norm(U, axis=1) if len(U) else np.zeros(0)
    used = np.flatnonzero(norms > tol * max(norms.max(initial=0.0), 1e-300))
    units = np.column_stack(
        [blocks[k][2] * np.maximum(blocks[k][0] @ U[k], 0.0) / norms[k] for k in used]
        + [np.ones(N), *X.T]
    )
    c, keep = norms[used].copy(), np.arange(len(used))
    while len(keep):
        M = units[:, [*keep, *range(len(used), len(used) + d + 1)]]
        _, S, Vt = np.linalg.svd(M)
        if M.shape[1] <= int(np.sum(S > S[0] * 1e-10)):
            break  # independent columns: at most N − (d + 1) neurons
        delta = Vt[-1, : len(keep)] * (-1 if Vt[-1, : len(keep)].sum() > 0 else 1)
        if not np.any(delta < 0):
            break
        neg = delta < 0
        c[keep] += np.min(c[keep][neg] / -delta[neg]) * delta
        keep = keep[c[keep] > tol * c[keep].max()]
    return {
        "r_star": float(norms.sum()),
        "r_sparse": float(c[keep].sum()),
        "neurons_star": len(keep),
    }


def _scored_nets(setting, data, run):
    """Per shallow net of a run: its table columns up to J_net (MSE + λ·path norm after
    rebalancing, all units), its data (X, y), its fitted values f and weights (W, v). The control
    nets (λ = 0) are scored with the objective of the smallest λ of the grid (`lam_eval`)."""
    lam, skip = run["member_lam"], run["member_skip"].astype(bool)
    lam_eval = np.where(lam > 0, lam, lam[lam > 0].min())
    for i, trial in enumerate(run["member_trial"].astype(int)):
        K = int(run["member_width"][i])
        W, b, v = run["param_W"][i, :K], run["param_b"][i, :K], run["param_v"][i, :K]
        X, y = data["X"][trial], data["y"][trial]
        f = evaluate(W, b, v, run["param_a"][i] * skip[i], run["param_c"][i], X)
        base = {
            "setting": setting,
            "trial": int(trial),
            "lam": float(lam[i]),
            "width": K,
            "skip": int(skip[i]),
            "lam_eval": float(lam_eval[i]),
            "diverged": bool(run["diverged"][i]),
            "j_net": float(np.mean((f - y) ** 2) + lam_eval[i] * path_norm(W, v)),
        }
        yield base, X, y, f, W, v


def table(setting, data, run) -> pd.DataFrame:
    """One row per 1-D net of a setting: its objective J_net after rebalancing (all its units:
    mse + λ·path norm), the exact J* and the distance of its fitted values from the optimal ones,
    its path norm (the cost it pays) and the cost R(f*) of the optimum, and the knots of the
    constructed sparse minimiser.

    The control nets (λ = 0: no weight decay) are scored with the objective of the smallest λ of
    the grid (`lam_eval`), as if they had been trained for it."""
    rows, solved = [], {}
    for base, x, y, f, W, v in _scored_nets(setting, data, run):
        x, skip, lam = x[:, 0], bool(base["skip"]), base["lam_eval"]
        key = (base["trial"], lam, skip)
        if key not in solved:
            solved[key] = fitted_values(x, y, lam, skip=skip)
        j_star, f_star = solved[key]
        rows.append(
            {
                **base,
                "j_star": j_star,
                "path_norm": path_norm(W, v),
                "r_star": cost(x, f_star, skip=skip),
                "fit_rms": float(np.sqrt(np.mean((f - f_star) ** 2))),
                "knots_star": knots(x, f_star),
                "n": len(x),
            }
        )
    return pd.DataFrame(rows)


def highd_table(setting, data, run) -> pd.DataFrame:
    """`table` for the d > 1 nets: J* bracketed by `j_star` (a net, from above) and `j_lower` (a
    dual point), and the neurons of the constructed sparse minimiser against N − (d + 1)."""
    nets = list(_scored_nets(setting, data, run))
    if not all(base["skip"] for base, *_ in nets):
        raise ValueError(f"{setting}: the d > 1 optimum is for nets with the skip connection")
    solved = {}
    for trial in sorted({base["trial"] for base, *_ in nets}):  # λ from the largest down,
        X, y, support = data["X"][trial], data["y"][trial], ()  # each started from the last
        anchors = anchored_cells(X)
        for lam in sorted({b["lam_eval"] for b, *_ in nets if b["trial"] == trial}, reverse=True):
            solved[trial, lam] = highd_optimum(X, y, lam, anchors, support)
            support = solved[trial, lam]["support"]
    rows = []
    for base, X, y, f, W, v in nets:
        opt = solved[base["trial"], base["lam_eval"]]
        rows.append(
            {
                **base,
                "j_star": opt["j_star"],
                "j_lower": opt["j_lower"],
                "path_norm": path_norm(W, v),
                "r_star": opt["r_star"],
                "fit_rms": float(np.sqrt(np.mean((f - opt["f_star"]) ** 2))),
                "neurons_star": opt["neurons_star"],
                "rounds": opt["rounds"],
                "n": len(y),
                "dim": X.shape[1],
            }
        )
    return pd.DataFrame(rows)
