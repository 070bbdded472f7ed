"""The convex min-norm programs of the source, as groups of blocks, and two ways to solve them.

A program is min Σ_j ‖W_j‖₂ subject to Σ_j A_j W_j = y (and C_j W_j ≥ 0 for cone-constrained
blocks). Blocks of each model (D_i = diag(pattern i)):
  skip, relaxed:  A_0 = X (the linear skip neuron W0), A_i = D_i X;
  skip, exact:    A_0 = X, A_i± = ±D_i X with C_i = (2D_i − I)X (W_i = W_i⁺ − W_i⁻ split);
  relu:           A_i = D_i X (relaxed program, the planted pattern is in the set);
  normalized:     A_i = an orthonormal basis U_i of range(D_i X) (the normalised network).
`reference` hands the whole program to CVXPY + Clarabel; `fast` is our path of exact proofs: a
dual certificate of the planted solution (minimum-norm, then searched), a feasible point cheaper
than anything near the planted solution (found by ADMM), and otherwise exact column generation
(restricted programs solved by Clarabel, priced with the dual norms ‖A_jᵀλ‖ of left-out blocks).
"""

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import scipy.sparse as sp
from scipy.optimize import minimize

from sparsenets.common.arrangements import cone_norm

CERT_MARGIN = 1e-6  # a certificate must hold with this margin (dual norms ≤ 1 − margin)
PRICE_TOL = 1e-7  # a left-out block enters when its dual norm exceeds 1 + PRICE_TOL
SEARCH_SLACK = 1e-4  # the certificate search aims at dual norms ≤ 1 − SEARCH_SLACK
SEARCH_ITERS = 30  # L-BFGS iterations of the certificate search
ADMM_RHO = 10.0  # ADMM penalty; block norms are O(1), so shrinkage steps are 0.1
ADMM_ITERS = 300


@dataclass
class Program:
    y: np.ndarray
    X: np.ndarray
    dmat: np.ndarray  # (n, P) patterns
    model: str
    exact: bool = False
    targets: dict = field(default_factory=dict)  # block → planted weights (others: zero)
    _gram_inv: np.ndarray | None = None
    _bases: dict = field(default_factory=dict)

    @property
    def skip(self) -> bool:
        return self.model == "skip"

    @property
    def P(self) -> int:
        return self.dmat.shape[1]

    def n_blocks(self) -> int:
        return int(self.skip) + self.P * (2 if self.exact else 1)

    def pattern(self, j: int) -> tuple[int, float]:
        """Block j → (pattern index or −1 for the skip neuron, sign)."""
        if self.skip and j == 0:
            return -1, 1.0
        i = j - int(self.skip)
        return (i - self.P, -1.0) if i >= self.P else (i, 1.0)

    def block(self, j: int):
        """(A_j, C_j or None)."""
        i, sign = self.pattern(j)
        if i < 0:
            return self.X, None
        D = self.dmat[:, i].astype(float)
        if self.model == "normalized":
            return self.basis(i), None
        A = sign * D[:, None] * self.X
        C = (2 * D - 1)[:, None] * self.X if self.exact else None
        return A, C

    def basis(self, i: int) -> np.ndarray:
        if i not in self._bases:
            rows = np.flatnonzero(self.dmat[:, i])
            n, d = self.X.shape
            U = np.zeros((n, min(len(rows), d)))
            if len(rows) <= d:  # range(D_i X) is every vector supported on the pattern
                U[rows, np.arange(len(rows))] = 1.0
            else:
                U[rows] = np.linalg.qr(self.X[rows])[0]
            self._bases[i] = U
        return self._bases[i]

    def pattern_norms(self, lam: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """‖M_iλ‖ for every pattern i, where ‖M_iλ‖ is the dual norm of its block without cone
        (‖(D_iX)ᵀλ‖, or ‖U_iᵀλ‖ = √(b_iᵀG_i⁻¹b_i) with b_i = XᵀD_iλ for the normalised model),
        and H (d, P) with M_iᵀM_iλ = D_iXH_i, for `pattern_grad`."""
        X, dm = self.X, self.dmat
        B = X.T @ (dm * lam[:, None])  # (d, P): XᵀD_iλ
        if self.model != "normalized":
            return np.linalg.norm(B, axis=0), B
        H = np.einsum("pij,jp->ip", self.gram_inv(), B)
        s2 = (B * H).sum(axis=0)
        small = self.small  # U_i = the coordinates of the pattern: ‖D_iλ‖
        s2[small] = (dm[:, small] * lam[:, None] ** 2).sum(axis=0)
        return np.sqrt(np.maximum(s2, 0.0)), H

    def pattern_grad(self, lam: np.ndarray, H: np.ndarray, c: np.ndarray) -> np.ndarray:
        """Σ_i c_i M_iᵀM_iλ, the gradient of Σ_i c_i ‖M_iλ‖²/2 (H from `pattern_norms`)."""
        K = self.dmat * (self.X @ (H * c))  # column i: c_i D_iXH_i
        if self.model == "normalized":
            small = self.small
            K[:, small] = self.dmat[:, small] * lam[:, None] * c[small]
        return K.sum(axis=1)

    @cached_property
    def small(self) -> np.ndarray:
        """Patterns with at most d rows: range(D_iX) is every vector supported on them."""
        return self.dmat.sum(axis=0) <= self.X.shape[1]

    def dual_norms(self, lam: np.ndarray, above: float = np.inf, known=()) -> np.ndarray:
        """The dual norm of every block j: ‖A_jᵀλ‖, and for a cone-constrained block
        min_{μ ≥ 0} ‖A_jᵀλ + C_jᵀμ‖ (its constraint in the dual program). That minimum is an NNLS
        problem, solved only for blocks whose μ = 0 value exceeds `above` (it can only be lower)
        and that are not in `known` (blocks whose value the caller does not use)."""
        norms = self.pattern_norms(lam)[0]
        parts = [np.array([np.linalg.norm(self.X.T @ lam)])] if self.skip else []
        parts += [norms, norms] if self.exact else [norms]
        out = np.concatenate(parts)
        if self.exact:
            refine = out > above
            refine[list(known)] = False
            for j in np.flatnonzero(refine):
                A, C = self.block(int(j))
                if C is not None:
                    out[j] = cone_norm(A.T @ lam, C)
        return out

    def gram_inv(self) -> np.ndarray:
        if self._gram_inv is None:
            n, d = self.X.shape
            outer = (self.X[:, :, None] * self.X[:, None, :]).reshape(n, d * d)
            G = (self.dmat.T.astype(float) @ outer).reshape(self.P, d, d)
            G[self.small] = np.eye(d)  # not used (those blocks are priced directly)
            self._gram_inv = np.linalg.inv(G)
        return self._gram_inv

    def gram_norm(self) -> float | None:
        """‖A‖₂ of the whole program (all blocks side by side), from AAᵀ = Σ_j A_jA_jᵀ =
        XXᵀ ⊙ (skip + copies·DDᵀ); None for the normalised model (not needed there)."""
        if self.model == "normalized":
            return None
        D = self.dmat.astype(float)
        M = (self.X @ self.X.T) * (int(self.skip) + (2 if self.exact else 1) * (D @ D.T))
        return float(np.sqrt(max(np.linalg.eigvalsh(M)[-1], 0.0)))

    def far_from_feasible(self, tol: float) -> bool:
        """A proof that no feasible point is within tol (entrywise) of the planted solution: any
        such W has ‖A(W − W*)‖ ≤ ‖A‖₂·tol·√(number of weights), so a residual ‖AW* − y‖ above
        that bound rules it out (labels the planted solution does not fit: the controls)."""
        norm = self.gram_norm()
        if not self.targets or norm is None:
            return False
        fit = sum(self.block(j)[0] @ t for j, t in self.targets.items())
        size = self.n_blocks() * self.X.shape[1]
        return bool(np.linalg.norm(fit - self.y) > norm * tol * np.sqrt(size))

    def planted_objective(self) -> float:
        return float(sum(np.linalg.norm(t) for t in self.targets.values()))


def build(prob: dict, model: str, exact: bool = False) -> Program:
    """The program of one trial, with the planted solution as block targets."""
    X, w, y, dmat = prob["X"], prob["w"], prob["y"], prob["dmat"]
    p = Program(y=y, X=X, dmat=dmat, model=model, exact=exact)
    if model == "skip":
        p.targets = {0: w[:, 0]}
    elif model == "relu":  # the planted pattern is column 0 (arrangements(include=w))
        p.targets = {0: w[:, 0]}
    else:
        for j in range(w.shape[1]):
            v = np.maximum(X @ w[:, j], 0.0)
            p.targets[j] = p.basis(j).T @ (v / np.linalg.norm(v))
    return p


def recovered(p: Program, W: dict, tol: float) -> bool:
    """Success: every planted block within tol of its target, every other block within tol of 0
    (entrywise); W maps block → weights, missing blocks are zero."""
    for j, target in p.targets.items():
        if j not in W or np.max(np.abs(W[j] - target)) > tol:
            return False
    return all(np.max(np.abs(v), initial=0.0) <= tol for j, v in W.items() if j not in p.targets)


# ---------------------------------------------------------------------------------------------
# Reference: the whole program in CVXPY, solved by Clarabel (interior point).


def reference(p: Program, solver: str = "CLARABEL") -> dict:
    import cvxpy as cp

    blocks = [p.block(j) for j in range(p.n_blocks())]
    W = [cp.Variable(A.shape[1]) for A, _ in blocks]
    fit = sum(A @ w for (A, _), w in zip(blocks, W, strict=True))
    cons = [fit == p.y] + [C @ w >= 0 for (_, C), w in zip(blocks, W, strict=True) if C is not None]
    prob = cp.Problem(cp.Minimize(sum(cp.norm(w, 2) for w in W)), cons)
    prob.solve(solver=solver)
    if prob.status not in ("optimal", "optimal_inaccurate"):
        raise RuntimeError(f"reference solver: status {prob.status}")
    return {"W": {j: w.value for j, w in enumerate(W)}, "objective": float(prob.value)}


# ---------------------------------------------------------------------------------------------
# Fast path: certificate, then column generation.


def restricted(p: Program, active: list) -> dict:
    """Solve the program on the blocks `active` only (others fixed at 0) with Clarabel."""
    import clarabel

    blocks = [p.block(j) for j in active]
    sizes = [A.shape[1] for A, _ in blocks]
    k, n = len(active), len(p.y)
    offs = np.concatenate([[k], k + np.cumsum(sizes)]).astype(int)
    nvar = int(offs[-1])
    zero = sp.csc_matrix((n, k))
    eq = sp.hstack([zero] + [sp.csc_matrix(A) for A, _ in blocks])
    # (t_j, W_j) ∈ SOC: rows −t_j, −W_j, one cone per block
    r_idx, c_idx, row = [], [], 0
    for t, (o, r) in enumerate(zip(offs[:-1], sizes, strict=True)):
        r_idx += [row] + list(range(row + 1, row + 1 + r))
        c_idx += [t] + list(range(o, o + r))
        row += r + 1
    soc = sp.csc_matrix((-np.ones(len(r_idx)), (r_idx, c_idx)), shape=(row, nvar))
    rows, b = [eq, soc], [p.y, np.zeros(row)]
    cones = [clarabel.ZeroConeT(n)] + [clarabel.SecondOrderConeT(r + 1) for r in sizes]
    Cs = [(C, o) for (_, C), o in zip(blocks, offs[:-1], strict=True) if C is not None]
    if Cs:  # C_j W_j ≥ 0
        body = sp.block_diag([-C for C, _ in Cs], format="coo")
        cols = np.concatenate([np.arange(o, o + C.shape[1]) for C, o in Cs])  # each −C_j
        m = sp.csc_matrix((body.data, (body.row, cols[body.col])), shape=(n * len(Cs), nvar))
        rows.append(m)
        b.append(np.zeros(n * len(Cs)))
        cones.append(clarabel.NonnegativeConeT(n * len(Cs)))
    A = sp.vstack(rows).tocsc()
    q = np.concatenate([np.ones(k), np.zeros(nvar - k)])
    settings = clarabel.DefaultSettings()
    settings.verbose = False
    sol = clarabel.DefaultSolver(
        sp.csc_matrix((nvar, nvar)), q, A, np.concatenate(b), cones, settings
    ).solve()
    status = str(sol.status)
    if "Solved" not in status:
        raise RuntimeError(f"restricted program: Clarabel status {status}")
    x = np.asarray(sol.x)
    W = {j: x[o : o + r] for j, o, r in zip(active, offs[:-1], sizes, strict=True)}
    # Clarabel's dual of Ax + s = b is −λ in the convention of `dual_norms` (W_j/‖W_j‖ = A_jᵀλ)
    return {"W": W, "lam": -np.asarray(sol.z)[:n], "objective": float(q @ x)}


def certificate(p: Program, search: bool = False):
    """A dual certificate that the planted solution is the unique optimum: λ with
    A_jᵀλ = target_j/‖target_j‖ on the planted blocks (which must be injective) and all other dual
    norms ≤ 1 − CERT_MARGIN. First the minimum-norm such λ; with `search`, then the λ of that
    affine set found by `search_certificate`. Returns (λ, the method that certified or None)."""
    if not p.targets:
        return None, None
    A = np.hstack([p.block(j)[0] for j in p.targets])
    g = np.concatenate([t / np.linalg.norm(t) for t in p.targets.values()])
    lam = np.linalg.lstsq(A.T, g, rcond=None)[0]
    feasible = np.allclose(A @ np.concatenate(list(p.targets.values())), p.y, atol=1e-12)
    if not (feasible and np.linalg.matrix_rank(A) == A.shape[1]):
        return lam, None

    def proves(lam):
        norms = p.dual_norms(lam, above=1 - CERT_MARGIN, known=list(p.targets))
        others = np.delete(norms, list(p.targets))
        solvable = np.allclose(A.T @ lam, g, atol=1e-9)
        return bool(solvable and (others.size == 0 or others.max() <= 1 - CERT_MARGIN))

    if proves(lam):
        return lam, "certificate"
    if not search:
        return lam, None
    lam = search_certificate(p, lam, A)
    return lam, "searched-certificate" if proves(lam) else None


def search_certificate(p: Program, lam0: np.ndarray, A: np.ndarray) -> np.ndarray:
    """Minimise Σ (‖M_iλ‖ − (1 − SEARCH_SLACK))₊² over the non-planted patterns on the affine set
    {A_Pᵀλ = A_Pᵀλ0}, by L-BFGS in coordinates of its null space (the skip block, where there
    is one, is planted: its dual norm is fixed at 1 on this set).

    The minimum-norm λ0 only certifies when it happens to; the planted solution is optimal iff
    some λ of this set has all other dual norms ≤ 1. For the exact program M_i drops the cone (the
    μ = 0 value bounds the dual norm from above), so a λ found here is a certificate there too.
    """
    U, S, _ = np.linalg.svd(A, full_matrices=True)
    N = U[:, int((S > S[0] * 1e-10).sum()) :]  # null space of A_Pᵀ
    planted = [i for i, _ in map(p.pattern, p.targets) if i >= 0]
    level = 1 - SEARCH_SLACK

    def penalty(z):
        lam = lam0 + N @ z
        s, H = p.pattern_norms(lam)
        excess = np.maximum(s - level, 0.0)
        excess[planted] = 0.0
        value = 0.5 * excess @ excess
        grad = p.pattern_grad(lam, H, excess / np.maximum(s, 1e-300))
        return value, N.T @ grad

    opts = {"maxiter": SEARCH_ITERS, "gtol": 0.0, "ftol": 0.0}
    z = minimize(penalty, np.zeros(N.shape[1]), jac=True, method="L-BFGS-B", options=opts).x
    return lam0 + N @ z


def admm_below(p: Program, active: list, floor: float, start: dict) -> dict | None:
    """A feasible point of the program restricted to `active` with cost below `floor`, or None.

    ADMM for min Σ‖W_j‖ s.t. A W = y (Boyd et al. 2011, §6.2 basis pursuit with group
    shrinkage): the x-iterate is the exact projection onto {A W = y}, so it is feasible at every
    iteration and its cost is an upper bound on the optimum. Started from `start` (block → W).
    """
    blocks = [p.block(j)[0] for j in active]
    sizes = [B.shape[1] for B in blocks]
    A = np.hstack(blocks)
    ev, V = np.linalg.eigh(A @ A.T)
    keep = ev > ev[-1] * 1e-12
    Q = A.T @ (V[:, keep] / np.sqrt(ev[keep]))  # orthonormal basis of range(Aᵀ)
    x0 = Q @ ((V[:, keep].T @ p.y) / np.sqrt(ev[keep]))  # min-norm solution of A W = y
    if not np.allclose(A @ x0, p.y, atol=1e-10):
        return None
    seg = np.repeat(np.arange(len(sizes)), sizes)
    offs = np.concatenate([[0], np.cumsum(sizes)])
    z = np.concatenate([start.get(j, np.zeros(r)) for j, r in zip(active, sizes, strict=True)])
    u = np.zeros_like(z)
    for _ in range(ADMM_ITERS):
        v = z - u
        x = v - Q @ (Q.T @ v) + x0
        cost = np.sqrt(np.bincount(seg, x * x)).sum()
        if cost < floor:
            W = {j: x[offs[k] : offs[k + 1]] for k, j in enumerate(active)}
            return {"W": W, "objective": float(cost)}
        v = x + u
        norms = np.sqrt(np.bincount(seg, v * v))
        z = v * np.maximum(1 - 1 / (ADMM_RHO * np.maximum(norms, 1e-300)), 0.0)[seg]
        u += x - z
    return None


def spanning(p: Program, active: list, rest: list, batch: int) -> list:
    """`active` grown by `batch` blocks of `rest` at a time until its blocks' range holds y (the
    first restricted program must be feasible: noisy labels need more blocks than the planted
    ones); the cone constraints of the exact program are not checked (it runs noiseless)."""
    rest = [j for j in rest if j not in active]

    def fits(blocks):
        A = np.hstack([p.block(j)[0] for j in blocks])
        x = np.linalg.lstsq(A, p.y, rcond=None)[0]
        return np.linalg.norm(A @ x - p.y) <= 1e-9 * max(np.linalg.norm(p.y), 1.0)

    while rest and not fits(active):
        active, rest = active + rest[:batch], rest[batch:]
    return active


def fast(
    p: Program, batch: int = 20, max_rounds: int = 100, tol: float = 1e-4, early_exit: bool = True
) -> dict:
    """Exact solution of the program, or a proof that it is not the planted one.

    In order: the certificate (minimum-norm, then searched); a proof that no feasible point is
    near the planted solution (labels it does not fit, `Program.far_from_feasible`); a feasible
    point from ADMM on the planted blocks and the `batch` blocks of largest dual norm, cheaper
    than what any solution within `tol` of the planted one must cost (a proof of failure);
    column generation: solve on an active set of blocks, price every left-out block with the
    dual λ of that solve, add the `batch` worst violators, repeat until none violates (then the
    restricted optimum is optimal for the whole program), stopping early once the restricted
    optimum is below that cost.
    The search, ADMM and early stops are for planted targets with `early_exit` (noiseless labels).
    """
    lam, method = certificate(p, search=early_exit)
    if method:
        return {"W": dict(p.targets), "method": method, "rounds": 0}
    if early_exit and p.far_from_feasible(tol):  # no solution at all near the planted one
        return {"W": {}, "method": "infeasible-fail", "rounds": 0}
    floor = p.planted_objective() - 1.1 * tol * sum(np.sqrt(t.size) for t in p.targets.values())
    active = list(p.targets) or ([0] if p.skip else [])
    if lam is None:
        lam = p.y.copy()
    norms = p.dual_norms(lam)
    order = [int(j) for j in np.argsort(-norms, kind="stable") if j not in active]
    active += order[:batch]
    if early_exit and p.targets and not p.exact:
        sol = admm_below(p, active, floor, start=p.targets)
        if sol is not None:
            return {**sol, "method": "admm-fail", "rounds": 0}
    active = spanning(p, active, order[batch:], batch)
    for rounds in range(1, max_rounds + 1):
        sol = restricted(p, active)
        if early_exit and p.targets and sol["objective"] < floor:
            return {**sol, "method": "early-fail", "rounds": rounds}
        norms = p.dual_norms(sol["lam"], above=1 + PRICE_TOL, known=active)
        norms[active] = 0.0
        worst = [
            int(j) for j in np.argsort(-norms, kind="stable")[:batch] if norms[j] > 1 + PRICE_TOL
        ]
        if not worst:
            return {**sol, "method": "column-generation", "rounds": rounds}
        active += worst
    raise RuntimeError(f"column generation did not converge in {max_rounds} rounds")
