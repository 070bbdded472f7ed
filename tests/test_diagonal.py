"""Diagonal linear networks: gradients, one GD step, batching, windows, ridge, data, settings."""

import numpy as np
import pandas as pd
import pytest

from sparsenets.diagonal import claims, data, metrics, models, windows
from sparsenets.diagonal.settings import CONTROL_DEPTH, settings


@pytest.fixture
def problem():
    rng = np.random.default_rng(0)
    X = rng.choice([-1.0, 1.0], size=(12, 20))
    y = rng.standard_normal(12)
    return X, y, rng


@pytest.mark.parametrize("depth", [2, 3, 5])
def test_gradient_matches_finite_differences(problem, depth):
    X, y, rng = problem
    u, v = rng.uniform(0.2, 1.0, 20), rng.uniform(0.2, 1.0, 20)
    gu, gv = models.loss_grad(X, y, u, v, depth)
    h = 1e-6
    for j in range(0, 20, 3):
        e = np.zeros(20)
        e[j] = h
        fd_u = (models.loss(X, y, u + e, v, depth) - models.loss(X, y, u - e, v, depth)) / (2 * h)
        fd_v = (models.loss(X, y, u, v + e, depth) - models.loss(X, y, u, v - e, depth)) / (2 * h)
        assert gu[j] == pytest.approx(fd_u, rel=1e-6, abs=1e-9)
        assert gv[j] == pytest.approx(fd_v, rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("depth", [2, 3])
def test_one_step_by_hand(problem, depth):
    X, y, _ = problem
    alpha, eta = 0.3, 0.01
    u = v = np.full(20, alpha)
    # At u = v the network is zero: the residual is −y and g = (2/n)·Xᵀ(−y).
    g = 2.0 / 12 * (X.T @ -y)
    u1 = u - eta * depth * alpha ** (depth - 1) * g
    v1 = v + eta * depth * alpha ** (depth - 1) * g
    W, diverged = models.gradient_descent(X[None], y[None], depth, [alpha], eta, [0, 1])
    np.testing.assert_allclose(W[0, 0, 0], 0.0)
    # u^N − v^N cancels: compare at the scale of u^N, not of the difference.
    np.testing.assert_allclose(W[1, 0, 0], u1**depth - v1**depth, rtol=0, atol=1e-12 * alpha**depth)
    assert not diverged.any()


def test_compiled_loop_matches_plain_numpy(problem):
    X, y, _ = problem
    u = v = np.full(20, 0.1)
    for _ in range(200):
        gu, gv = models.loss_grad(X, y, u, v, 3)
        u, v = u - 0.01 * gu, v - 0.01 * gv
    W, _ = models.gradient_descent(X[None], y[None], 3, [0.1], 0.01, [200])
    np.testing.assert_allclose(W[0, 0, 0], models.end_to_end(u, v, 3), rtol=1e-10, atol=1e-14)


def test_batched_trials_and_inits_equal_separate_runs(problem):
    X, y, rng = problem
    Xb = np.stack([X, rng.choice([-1.0, 1.0], size=X.shape)])
    yb = np.stack([y, rng.standard_normal(12)])
    at = [0, 5, 50]
    W, _ = models.gradient_descent(Xb, yb, 3, [0.05, 0.2], 0.01, at)
    for a, alpha in enumerate([0.05, 0.2]):
        for b in range(2):
            single, _ = models.gradient_descent(Xb[b : b + 1], yb[b : b + 1], 3, [alpha], 0.01, at)
            np.testing.assert_array_equal(W[:, a, b], single[:, 0, 0])


def test_divergence_is_recorded_not_raised(problem):
    X, y, _ = problem
    W, diverged = models.gradient_descent(X[None], y[None], 2, [1.0], 10.0, [0, 10, 1000])
    assert diverged[0, 0]
    assert np.isnan(W[-1, 0, 0]).all()


def test_record_steps():
    at = models.record_steps(3_200_000, 50)
    assert at[0] == 0 and at[1] == 1 and at[-1] == 3_200_000
    assert np.all(np.diff(at) > 0)
    with pytest.raises(ValueError, match="steps must be positive"):
        models.record_steps(0, 10)


def test_error_window_on_constructed_curve():
    steps = np.arange(10)
    curve = np.array([5, 4, 1.2, 1.0, 1.4, 1.6, 3, 1.1, 4, 5.0])
    w = metrics.error_window(steps, curve, tol=0.5)
    # 1.1 at step 7 is below the threshold but not contiguous with the minimum.
    assert (w["start"], w["end"], w["length"], w["censored"]) == (2, 4, 2, False)
    w = metrics.error_window(steps, np.linspace(5, 0, 10))
    assert w["censored"] and w["end"] == 9


def test_path_window_on_constructed_paths():
    steps = np.array([0, 10, 100, 1000, 10000])
    support_err = np.array([1.0, 0.5, 0.05, 0.02, 0.01])
    off_max = np.array([0.0, 0.0, 0.001, 0.2, 0.5])
    w = metrics.path_window(steps, support_err, off_max, off_threshold=0.1)
    assert (w["start"], w["end"], w["length"], w["censored"]) == (100, 1000, 900, False)
    w = metrics.path_window(steps, support_err, off_max * 0, off_threshold=0.1)
    assert w["censored"] and w["end"] == 10000
    w = metrics.path_window(steps, support_err + 1, off_max, off_threshold=0.1)
    assert np.isnan(w["start"]) and w["length"] == 0


def test_ridge_path_solves_normal_equations(problem):
    X, y, _ = problem
    lams = [1e-3, 0.1, 10.0]
    W = metrics.ridge_path(X, y, lams)
    for w, lam in zip(W, lams, strict=True):
        direct = np.linalg.solve(X.T @ X / 12 + lam * np.eye(20), X.T @ y / 12)
        np.testing.assert_allclose(w, direct, rtol=1e-8, atol=1e-10)


def test_ridge_cv_prefers_small_lambda_without_noise():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((200, 5))
    y = X @ np.arange(1.0, 6.0)
    lam = metrics.ridge_cv(X, y, np.logspace(-6, 2, 9), 5, rng)
    assert lam == 1e-6


def test_data_is_seeded_and_well_formed():
    kw = dict(n=30, p=50, k=4, wstar="ramp", design="rademacher", sigma=0.5, trials=3)
    a = data.generate(1, "x", **kw)
    b = data.generate(1, "x", **kw)
    c = data.generate(2, "x", **kw)
    np.testing.assert_array_equal(a["X"], b["X"])
    assert not np.array_equal(a["X"], c["X"])
    assert a["X"].shape == (3, 30, 50) and set(np.unique(a["X"])) == {-1.0, 1.0}
    np.testing.assert_array_equal(a["wstar"][0, :5], [1, 2, 3, 4, 0])
    residual = a["y"] - np.einsum("bnp,bp->bn", a["X"], a["wstar"])
    assert 0.3 < residual.std() < 0.7


def test_bernoulli_design_and_digits():
    d = data.generate(
        3, "img", n=32, p=64, k=0, wstar="digits", design="bernoulli25", sigma=0.0, trials=3
    )
    assert abs((d["X"] == 1).mean() - 0.25) < 0.03
    assert d["wstar"].shape == (3, 64) and d["wstar"].max() == 1.0 and d["wstar"].min() == 0.0
    with pytest.raises(ValueError, match="digits needs p = 64"):
        data.generate(
            3, "img", n=32, p=100, k=0, wstar="digits", design="rademacher", sigma=0.0, trials=1
        )
    with pytest.raises(ValueError, match="support size k = 0"):
        data.generate(
            3, "x", n=10, p=20, k=0, wstar="ones", design="rademacher", sigma=0.0, trials=1
        )


def test_settings_expand_and_reject_mismatched_lists():
    exp = {"depths": [2, 4], "w0": [1e-4, [1e-4, 1e-2]], "eta": 0.1, "steps": [10, 20]}
    s = settings("demo", exp)
    assert s[2] == {"alphas": [pytest.approx(1e-2)], "eta": 0.1, "steps": 10}
    assert s[4]["alphas"] == [pytest.approx(0.1), pytest.approx(1e-2**0.25)]
    with pytest.raises(ValueError, match=r"diagonal\.experiments\.demo\.steps: 3 entries"):
        settings("demo", {**exp, "steps": [1, 2, 3]})


def test_settings_add_the_depth_one_control_run():
    exp = {"depths": [2, 3], "alpha": 0.1, "eta": 0.01, "steps": [10, 20]}
    s = settings("demo", {**exp, "control": {"alpha": [0.1, 0.2], "eta": 0.01, "steps": 20}})
    assert s[CONTROL_DEPTH] == {"alphas": [0.1, 0.2], "eta": 0.01, "steps": 20}
    assert CONTROL_DEPTH not in settings("demo", exp)


def test_at_depth_one_the_path_does_not_depend_on_alpha(problem):
    """Why one N = 1 run stands for every alpha of a grid (the controls of the init claims)."""
    X, y, _ = problem
    at = models.record_steps(2000, 10)
    W, _ = models.gradient_descent(X[None], y[None], CONTROL_DEPTH, [1e-5, 0.1, 0.8], 0.01, at)
    np.testing.assert_allclose(W[:, 1], W[:, 0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(W[:, 2], W[:, 0], rtol=0, atol=1e-12)


def _trajectory(depth_curves: dict) -> pd.DataFrame:
    """A trajectory table with two identical trials per depth: {depth: (steps, err2)}."""
    return pd.concat(
        pd.DataFrame({"depth": d, "alpha": 0.1, "trial": b, "step": s, "err2": e})
        for d, (s, e) in depth_curves.items()
        for b in range(2)
    )


def test_control_windows_are_read_at_each_depths_budget():
    steps = np.array([0, 10, 20, 40, 80, 160])
    dip = 2.0 ** np.array([0.0, -3.0, -3.2, -3.1, -1.0, 0.0])
    t = {
        "w": {"trajectory": _trajectory({2: (steps[:4], dip[:4]), 3: (steps, dip)})},
        "controls": {"w": {"trajectory": _trajectory({1: (steps, dip)})}},
    }
    lengths = claims.control_window_lengths(t, "w")
    # budget 40: the window runs 10…40 (censored); budget 160: 10…40 again
    assert lengths.to_dict() == {2: 30, 3: 30}


def test_vectorised_window_lengths_match_error_window():
    rng = np.random.default_rng(3)
    steps = np.unique(np.round(np.logspace(0, 4, 60))).astype(int)
    curves = np.cumsum(rng.normal(0, 0.4, size=(50, len(steps))), axis=1)
    curves[3, 10] = np.nan
    expected = [metrics.error_window(steps, c)["length"] for c in curves]
    np.testing.assert_array_equal(windows.lengths(steps, curves), expected)


def test_window_bootstrap_of_identical_settings_is_zero():
    rng = np.random.default_rng(4)
    steps = np.arange(40)
    x = np.cumsum(rng.normal(0, 0.5, size=(6, 40)), axis=1)
    assert windows.interval([(steps, x)] * 3, windows.largest_step) == (0.0, 0.0)
    assert windows.interval([(steps, x[:1])] * 3, windows.largest_step) is None
