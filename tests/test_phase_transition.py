"""Phase transitions: fast path against the reference solver, arrangements, criterion, fits."""

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from sparsenets.common import arrangements
from sparsenets.phase_transition import data, metrics, models, settings, stages
from sparsenets.phase_transition.train import train_cell

CASES = [  # (model, program, planted, neurons, the proofs the small grid must exercise)
    ("skip", "relaxed", "gaussian", 1, {"certificate", "searched-certificate", "admm-fail"}),
    ("skip", "relaxed", "smallest_singular", 1, {"certificate", "admm-fail", "column-generation"}),
    ("skip", "exact", "gaussian", 1, {"certificate", "early-fail"}),
    ("relu", "relaxed", "gaussian", 1, {"searched-certificate", "admm-fail"}),
    ("normalized", "relaxed", "gaussian", 2, {"searched-certificate", "admm-fail"}),
]


@pytest.mark.parametrize("model,program,kind,neurons,proofs", CASES)
def test_fast_path_agrees_with_reference(model, program, kind, neurons, proofs):
    """Every cell of a small grid (below, at and above the threshold): same verdict."""
    rng = np.random.default_rng(3)
    methods = set()
    for n in (4, 8, 12, 20, 30):
        for d in (3, 6):
            if model == "normalized" and n < d:
                continue
            prob = data.problem(rng, n, d, model, kind, neurons)
            p = models.build(prob, model, program == "exact")
            ref = models.reference(p)
            fast = models.fast(p)
            methods.add(fast["method"])
            assert models.recovered(p, fast["W"], 1e-4) == models.recovered(p, ref["W"], 1e-4), (
                n,
                d,
                fast["method"],
            )
            if fast["method"] == "column-generation":  # an exact solve: same optimum
                assert fast["objective"] == pytest.approx(ref["objective"], rel=1e-6, abs=1e-7)
            if fast["method"] == "admm-fail":  # a feasible point: no cheaper than the optimum
                fit = sum(p.block(j)[0] @ w for j, w in fast["W"].items())
                np.testing.assert_allclose(fit, p.y, atol=1e-9)
                assert fast["objective"] >= ref["objective"] - 1e-7
    assert methods >= proofs


@pytest.mark.parametrize("model", ["relu", "normalized"])
def test_pattern_norm_gradient_matches_finite_differences(model):
    """pattern_grad is the gradient of Σ_i c_i ‖M_iλ‖²/2, small normalised patterns included."""
    rng = np.random.default_rng(7)
    prob = data.problem(rng, 12, 5, model, neurons=2 if model == "normalized" else 1)
    p = models.build(prob, model)
    assert model == "relu" or p.small.any()
    c = rng.uniform(0.5, 2.0, p.P)
    lam = rng.standard_normal(12)

    def f(x):
        return 0.5 * c @ p.pattern_norms(x)[0] ** 2

    h = 1e-6
    numeric = [(f(lam + h * e) - f(lam - h * e)) / (2 * h) for e in np.eye(12)]
    norms, H = p.pattern_norms(lam)
    np.testing.assert_allclose(p.pattern_grad(lam, H, c), numeric, rtol=1e-6, atol=1e-8)
    blocks = [np.linalg.norm(p.block(j)[0].T @ lam) for j in range(p.P)]
    np.testing.assert_allclose(norms, blocks)  # and the norms are those of the blocks


def test_noisy_labels_solved_to_the_optimum():
    rng = np.random.default_rng(5)
    prob = data.problem(rng, 20, 4, "skip", sigma=0.1)
    p = models.build(prob, "skip")
    fast = models.fast(p, early_exit=False)
    assert fast["method"] == "column-generation"
    assert fast["objective"] == pytest.approx(models.reference(p)["objective"], rel=1e-6)


def test_patterns_are_realisable():
    rng = np.random.default_rng(0)
    X = data.design(rng, 15, 4)
    dmat, _ = arrangements.sampled(rng, X)
    assert len({c.tobytes() for c in dmat.T}) == dmat.shape[1]  # no duplicates
    for D in dmat.T:
        if D.all():
            continue
        # some u with x_r·u ≥ 0 on the pattern and ≤ −1 off it (strict, up to scaling)
        A = np.where(D[:, None], -X, X)
        b = np.where(D, 0.0, -1.0)
        res = linprog(np.zeros(4), A_ub=A, b_ub=b, bounds=[(None, None)] * 4, method="highs")
        assert res.status == 0


def test_all_ones_decision_on_constructed_cases():
    d = 3
    assert not arrangements.has_nonnegative_direction(np.vstack([np.eye(d), -np.eye(d)]))
    assert arrangements.has_nonnegative_direction(np.vstack([np.eye(d), [[-1.0, 1.0, 1.0]]]))
    assert arrangements.has_nonnegative_direction(np.ones((2, d)))  # n < d: a kernel vector
    rng = np.random.default_rng(1)
    X = np.abs(rng.standard_normal((10, d)))  # u = e_1 gives Xu > 0
    assert arrangements.has_nonnegative_direction(X)
    dmat, ones = arrangements.sampled(rng, X)
    assert ones and dmat.all(axis=0).sum() == 1


def test_success_criterion_on_constructed_solutions():
    rng = np.random.default_rng(2)
    p = models.build(data.problem(rng, 12, 3, "skip"), "skip")
    w = p.targets[0]
    assert models.recovered(p, {0: w.copy()}, 1e-4)
    assert models.recovered(p, {0: w + 5e-5, 3: np.full(3, 5e-5)}, 1e-4)
    assert not models.recovered(p, {0: w + 2e-4}, 1e-4)
    assert not models.recovered(p, {0: w, 3: np.array([0, 2e-4, 0])}, 1e-4)
    assert not models.recovered(p, {1: w}, 1e-4)


def test_batched_training_equals_one_trial_at_a_time():
    one = train_cell(0, 12, 4, 1, 15, 2e-3, 1e-6, dtype="float64")
    two = train_cell(0, 12, 4, 2, 15, 2e-3, 1e-6, dtype="float64")
    np.testing.assert_allclose(two["test_distance"][0], one["test_distance"][0], rtol=1e-12)


def test_threshold_fit_on_a_known_step():
    rows = [
        {"experiment": "x", "sigma": 0.0, "n": n, "d": d, "trial": t, "success": n / d >= 3}
        for n in range(10, 201, 10)
        for d in (10, 20, 40)
        for t in range(3)
    ]
    fit = metrics.threshold(pd.DataFrame(rows), 0, "x")
    assert 2.5 <= fit["tau"] <= 3.5 and fit["width"] < 0.5


def test_solve_stage_is_byte_identical(tmp_path):
    spec = {
        "model": "skip",
        "program": "relaxed",
        "grid": {"n": [6, 12, 6], "d": [3, 3, 1]},
        "trials": 2,
    }
    params = {
        "seed": 1,
        "experiment": "e",
        "d": 3,
        "spec": spec,
        "tol": 1e-4,
        "min_samples": 50,
        "batch": 20,
    }
    outs = []
    for k in range(2):
        out = {"trials": tmp_path / f"t{k}.csv", "methods": tmp_path / f"m{k}.csv"}
        stages.solve({}, out, params)
        outs.append(out["trials"].read_bytes())
    assert outs[0] == outs[1]


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="grid"):
        settings.grid([10, 5, 1])
    with pytest.raises(ValueError, match="planted"):
        data.planted(np.random.default_rng(0), np.ones((3, 2)), "uniform")
    with pytest.raises(ValueError, match="model"):
        data.labels(np.ones((3, 2)), np.ones((2, 1)), "tanh")


# --- negative controls ------------------------------------------------------------------------


@pytest.mark.parametrize("program", ["relaxed", "exact"])
def test_far_from_feasible_is_a_proof_that_the_reference_confirms(program):
    """Labels with no planted neuron: the proof fires and the reference solution does not
    recover; planted labels: it never fires."""
    rng = np.random.default_rng(11)
    for n, d in ((6, 3), (12, 3), (20, 4)):
        noise = models.build(
            data.problem(rng, n, d, "skip", label="none"), "skip", program == "exact"
        )
        assert noise.far_from_feasible(1e-4)
        assert not models.recovered(noise, models.reference(noise)["W"], 1e-4)
        assert models.fast(noise)["method"] == "infeasible-fail"
        planted = models.build(data.problem(rng, n, d, "skip"), "skip", program == "exact")
        assert not planted.far_from_feasible(1e-4)


def test_gram_norm_is_the_norm_of_all_blocks():
    rng = np.random.default_rng(4)
    for exact in (False, True):
        p = models.build(data.problem(rng, 10, 3, "skip"), "skip", exact)
        A = np.hstack([p.block(j)[0] for j in range(p.n_blocks())])
        assert p.gram_norm() == pytest.approx(np.linalg.norm(A, 2), rel=1e-10)


def test_control_labels_and_streams():
    """Controls change the labels only; planted experiments keep their random streams."""
    spec = {"model": "skip", "program": "relaxed"}
    from sparsenets.phase_transition.solve import solve_cell

    a = solve_cell(0, "e", spec, 12, 3, 0, 0.0, 1e-4, 50, 20)
    b = solve_cell(0, "e", {**spec, "labels": "planted"}, 12, 3, 0, 0.0, 1e-4, 50, 20)
    assert a == b
    c = solve_cell(0, "e", {**spec, "labels": "none"}, 12, 3, 0, 0.0, 1e-4, 50, 20)
    assert not c["success"] and c["method"] == "infeasible-fail" and np.isnan(c["error"])
    relu = {**spec, "labels": "relu", "exit_early": False}
    m = solve_cell(0, "e", relu, 12, 3, 0, 0.0, 1e-4, 50, 20)
    assert m["method"] == "column-generation" and m["error"] > 0.1  # skip neuron misses w*


def test_training_control_has_no_neuron_to_learn():
    planted = train_cell(0, 40, 4, 2, 200, 2e-2, 1e-6, dtype="float64")
    control = train_cell(0, 40, 4, 2, 200, 2e-2, 1e-6, dtype="float64", labels="none")
    assert np.median(control["test_distance"]) > 3 * np.median(planted["test_distance"])


def test_same_criterion_rejects_constructed_controls():
    """The noise and training statistics on control-like data fail the claim's criteria."""
    from sparsenets.phase_transition import claims

    tau_d = {10: (2.0, 1.9, 2.1)}

    def sweep(error):
        return pd.DataFrame(
            [
                {"experiment": "x", "n": n, "d": 10, "sigma": s, "trial": t, "error": error(s, t)}
                for n in (10, 40, 80)
                for s in (0.0, 0.05, 0.1, 0.2)
                for t in range(10)
            ]
        )

    crit = {c.part: c for c in claims.CRITERIA["phase-transition-noise"]}
    # an error that does not scale with σ (the mis-specified control) fails the linear part
    parts = claims._noise_parts(sweep(lambda s, t: 1.0 + 0.01 * t), "x", tau_d)
    assert crit["linear"].outcome(parts["linear"][0]) == "fail"
    # an error proportional to σ passes both parts; the cell n = 10 (< 2τd) is not judged
    good = sweep(lambda s, t: s * (1.0 + 0.01 * t))
    good.loc[good.n == 10, "error"] = 5.0 - good.sigma  # decreasing: would fail if it counted
    parts = claims._noise_parts(good, "x", tau_d)
    assert crit["linear"].outcome(parts["linear"][0]) == "pass"
    assert crit["monotone"].outcome(parts["monotone"][0]) == "pass"

    def runs(distance, convex):
        return pd.DataFrame(
            [
                {
                    "n": n,
                    "d": 10,
                    "trial": t,
                    "test_distance": distance(n) + 0.01 * t,
                    "target_norm": 1.0,
                    "convex_distance": convex(n),
                }
                for n in (10, 20, 80, 100)
                for t in range(10)
            ]
        )

    tcrit = {c.part: c for c in claims.CRITERIA["phase-transition-training"]}
    # no neuron to learn: as far above as below
    tparts, _ = claims._train_parts(runs(lambda n: 1.0, lambda n: 1.0), tau_d, "control")
    assert tcrit["separation"].outcome(tparts["separation"][0]) == "fail"
    # training that beats the convex program below the threshold fails "follows"
    tparts, _ = claims._train_parts(
        runs(lambda n: 0.3 if n <= 20 else 0.05, lambda n: 1.0 if n <= 20 else 0.0), tau_d, "x"
    )
    assert tcrit["separation"].outcome(tparts["separation"][0]) == "pass"
    assert tcrit["follows"].outcome(tparts["follows"][0]) == "fail"
    # training that follows the convex program passes both
    tparts, _ = claims._train_parts(
        runs(lambda n: 0.9 if n <= 20 else 0.05, lambda n: 1.0 if n <= 20 else 0.0), tau_d, "x"
    )
    assert tcrit["follows"].outcome(tparts["follows"][0]) == "pass"


def test_constancy_test_rejects_a_drifting_threshold():
    """One τ for all d: the likelihood-ratio test rejects at about its level; τ moving with d
    (1.6 at d = 10 to 2.4 at d = 80, as wide as the drift the issue reports): it rejects."""
    rng = np.random.default_rng(0)

    def trials(tau_of_d):
        rows = []
        for d in (10, 20, 40, 80):
            for n in range(10, 4 * d + 1, 10):
                p = 1 / (1 + np.exp(-(np.log(n / d) - np.log(tau_of_d(d))) / 0.1))
                rows += [{"n": n, "d": d, "success": rng.random() < p} for _ in range(5)]
        return pd.DataFrame(rows)

    level = metrics.CONSTANCY_LEVEL
    flat = [metrics.constancy(trials(lambda d: 2.0)) < level for _ in range(10)]
    drift = [metrics.constancy(trials(lambda d: 1.6 + d / 100)) < level for _ in range(10)]
    assert np.mean(flat) <= 0.2 and np.mean(drift) >= 0.8


def test_tie_outcome_is_an_optimum_of_equal_cost():
    """Relaxed skip program with the all-ones pattern: the reduced program (duplicate block
    dropped) has the full program's optimal cost (reference solver on the full program), and a
    tie is reported exactly when the planted solution attains it."""
    from sparsenets.phase_transition.solve import duplicate_of_skip, solve_trial

    rng = np.random.default_rng(8)
    seen = set()
    cases = (
        [(20, 10, "gaussian")] * 6 + [(36, 20, "gaussian")] * 2 + [(20, 10, "smallest_singular")]
    )
    for n, d, kind in cases:
        prob = data.problem(rng, n, d, "skip", kind)
        full = models.build(prob, "skip")
        if duplicate_of_skip(full) is None:
            continue
        outcome, sol, p = solve_trial(prob, "skip", False, 1e-4, 20, early=False)
        ref = models.reference(full)
        seen.add(outcome)
        reduced = models.reference(p)["objective"]
        assert reduced == pytest.approx(ref["objective"], rel=1e-6, abs=1e-8)
        optimal = ref["objective"] >= p.planted_objective() * (1 - 1e-6)
        assert (outcome == "tie") == optimal, (n, d, outcome)
    assert seen == {"tie", "failure"}


def test_exact_program_has_no_all_ones_tie():
    """The exact program keeps the planted solution unique where the relaxed one ties."""
    from sparsenets.phase_transition.solve import duplicate_of_skip

    rng = np.random.default_rng(8)
    prob = data.problem(rng, 10, 4, "skip", "smallest_singular")
    assert duplicate_of_skip(models.build(prob, "skip", exact=True)) is None


def test_fresh_adamw_every_epoch_is_a_sign_step():
    """The source's optimiser (a new AdamW each epoch): θ ← θ(1 − lr·wd) − lr·g/(|g| + eps)."""
    import torch

    from sparsenets.phase_transition.train import forward

    gen = torch.Generator().manual_seed(0)
    params = [
        torch.randn(s, generator=gen, dtype=torch.float64)
        for s in ((1, 5, 3), (1, 5), (1, 3), (1, 1))
    ]
    X = torch.randn(1, 8, 3, generator=gen, dtype=torch.float64)
    y = torch.randn(1, 8, 1, generator=gen, dtype=torch.float64)
    lr, wd = 2e-3, 1e-6
    manual = [p.clone() for p in params]
    trained = [p.clone().requires_grad_() for p in params]
    for _ in range(3):
        opt = torch.optim.AdamW(trained, lr=lr, weight_decay=wd)
        opt.zero_grad()
        ((forward(trained, X) - y) ** 2).sum().backward()
        opt.step()
        m = [p.clone().requires_grad_() for p in manual]
        ((forward(m, X) - y) ** 2).sum().backward()
        manual = [p.detach() * (1 - lr * wd) - lr * p.grad / (p.grad.abs() + 1e-8) for p in m]
    for a, b in zip(trained, manual, strict=True):
        torch.testing.assert_close(a.detach(), b, rtol=1e-10, atol=1e-12)
