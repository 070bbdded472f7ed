"""The convex min-norm programs of the source, as groups of blocks, and two ways to solve them.

A program is min Σ_j ‖W_j‖₂ subject to Σ_j A_j W_j = y (and C_j W_j ≥ 0 for cone-constrained
blocks). Blocks of each model (D_i = diag(pattern i)):
  skip, relaxed:  A_0 = X (the linear skip neuron W0), A_i = D_i X;
  skip, exact:    A_0 = X, A_i± = ±D_i X with C_i = (2D_i − I)X (W_i = W_i⁺ − W_i⁻ split);
  relu:           A_i = D_i X (relaxed program, the planted pattern is in the set);
  normalized:     A_i = an orthonormal basis U_i of range(D_i X) (the normalised network).
`reference` hands the whole program to CVXPY + Clarabel; `fast` is our path: a dual certificate
of the planted solution, then exact column generation (restricted programs solved by Clarabel
directly, priced with the dual norms ‖A_jᵀλ‖ of every left-out block).
"""

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.optimize import nnls

CERT_MARGIN = 1e-6  # a certificate must hold with this margin (dual norms ≤ 1 − margin)
PRICE_TOL = 1e-7  # a left-out block enters when its dual norm exceeds 1 + PRICE_TOL


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

    def dual_norms(self, lam: np.ndarray, above: float = np.inf, known=()) -> np.ndarray:
        """The dual norm of every block j: ‖A_jᵀλ‖, and for a cone-constrained block
        min_{μ ≥ 0} ‖A_jᵀλ + C_jᵀμ‖ (its constraint in the dual program). That minimum is an NNLS
        problem, solved only for blocks whose μ = 0 value exceeds `above` (it can only be lower)
        and that are not in `known` (blocks whose value the caller does not use)."""
        X = self.X
        if self.model == "normalized":
            B = X.T @ (self.dmat * lam[:, None])  # (d, P): X_iᵀλ_i
            small = self.dmat.sum(axis=0) <= X.shape[1]
            out = np.einsum("pi,pij,pj->p", B.T, self.gram_inv(), B.T)
            out = np.sqrt(np.maximum(out, 0.0))
            out[small] = np.sqrt((self.dmat[:, small] * lam[:, None] ** 2).sum(axis=0))
            return out
        norms = np.linalg.norm(X.T @ (self.dmat * lam[:, None]), axis=0)
        parts = [np.array([np.linalg.norm(X.T @ lam)])] if self.skip else []
        parts += [norms, norms] if self.exact else [norms]
        out = np.concatenate(parts)
        if self.exact:
            refine = out > above
            refine[list(known)] = False
            for j in np.flatnonzero(refine):
                A, C = self.block(int(j))
                if C is not None:
                    out[j] = nnls(C.T, -(A.T @ lam))[1]
        return out

    def gram_inv(self) -> np.ndarray:
        if self._gram_inv is None:
            n, d = self.X.shape
            outer = (self.X[:, :, None] * self.X[:, None, :]).reshape(n, d * d)
            G = (self.dmat.T.astype(float) @ outer).reshape(self.P, d, d)
            small = self.dmat.sum(axis=0) <= d
            G[small] = np.eye(d)  # not used (those blocks are priced directly)
            self._gram_inv = np.linalg.inv(G)
        return self._gram_inv

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


def certificate(p: Program):
    """Min-norm λ with A_jᵀλ = target_j/‖target_j‖ on the planted blocks, and whether it proves
    the planted solution the unique optimum: injective planted blocks, all other dual norms
    ≤ 1 − CERT_MARGIN. Returns (λ, certified)."""
    if not p.targets:
        return None, False
    A = np.hstack([p.block(j)[0] for j in p.targets])
    g = np.concatenate([t / np.linalg.norm(t) for t in p.targets.values()])
    lam = np.linalg.lstsq(A.T, g, rcond=None)[0]
    solvable = np.allclose(A.T @ lam, g, atol=1e-9)
    feasible = np.allclose(A @ np.concatenate(list(p.targets.values())), p.y, atol=1e-12)
    injective = np.linalg.matrix_rank(A) == A.shape[1]
    norms = p.dual_norms(lam, above=1 - CERT_MARGIN, known=list(p.targets))
    others = np.delete(norms, list(p.targets))
    ok = (
        feasible
        and solvable
        and injective
        and (others.size == 0 or others.max() <= 1 - CERT_MARGIN)
    )
    return lam, bool(ok)


def fast(
    p: Program, batch: int = 20, max_rounds: int = 100, tol: float = 1e-4, early_exit: bool = True
) -> dict:
    """Exact solution by the planted certificate, else by column generation.

    Column generation: solve on an active set of blocks, price every left-out block with the
    dual λ of that solve, add the `batch` worst violators, repeat until none violates (then the
    restricted optimum is optimal for the whole program). With a planted target, stop early once
    the restricted optimum is below what any solution within `tol` of the planted one must cost.
    """
    lam, ok = certificate(p)
    if ok:
        return {"W": dict(p.targets), "method": "certificate", "rounds": 0}
    if lam is None:
        lam = np.linalg.lstsq(np.eye(len(p.y)), p.y, rcond=None)[0]
    norms = p.dual_norms(lam)
    active = list(p.targets) or ([0] if p.skip else [])
    order = [int(j) for j in np.argsort(-norms, kind="stable") if j not in active]
    active += order[:batch]
    floor = p.planted_objective() - 1.1 * tol * sum(np.sqrt(t.size) for t in p.targets.values())
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
