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


def _solve(problem) -> None:
    problem.solve(
        solver="CLARABEL",
        tol_gap_abs=GAP_ABS,
        tol_gap_rel=SOLVER_TOL,
        tol_feas=SOLVER_TOL,
        max_iter=500,
    )
    if problem.status != "optimal":
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


def table(setting, data, run) -> pd.DataFrame:
    """One row per 1-D net of a setting: its objective J_net after rebalancing (all its units:
    mse + λ·path norm), the exact J* and the distance of its fitted values from the optimal ones,
    its path norm (the cost it pays) and the cost R(f*) of the optimum, and the knots of the
    constructed sparse minimiser.

    The control nets (λ = 0: no weight decay) are scored with the objective of the smallest λ of
    the grid (`lam_eval`), as if they had been trained for it."""
    lam, skip = run["member_lam"], run["member_skip"].astype(bool)
    lam_eval = np.where(lam > 0, lam, lam[lam > 0].min())
    rows, solved = [], {}
    for i, trial in enumerate(run["member_trial"].astype(int)):
        K = int(run["member_width"][i])
        W, b, v = run["param_W"][i, :K], run["param_b"][i, :K], run["param_v"][i, :K]
        x, y = data["X"][trial][:, 0], data["y"][trial]
        f = evaluate(W, b, v, run["param_a"][i] * skip[i], run["param_c"][i], data["X"][trial])
        key = (trial, float(lam_eval[i]), bool(skip[i]))
        if key not in solved:
            solved[key] = fitted_values(x, y, lam_eval[i], skip=skip[i])
        j_star, f_star = solved[key]
        rows.append(
            {
                "setting": setting,
                "trial": trial,
                "lam": float(lam[i]),
                "width": K,
                "skip": int(skip[i]),
                "lam_eval": float(lam_eval[i]),
                "diverged": bool(run["diverged"][i]),
                "j_net": float(np.mean((f - y) ** 2) + lam_eval[i] * path_norm(W, v)),
                "j_star": j_star,
                "path_norm": path_norm(W, v),
                "r_star": cost(x, f_star, skip=skip[i]),
                "fit_rms": float(np.sqrt(np.mean((f - f_star) ** 2))),
                "knots_star": knots(x, f_star),
                "n": len(x),
            }
        )
    return pd.DataFrame(rows)
