"""Sparse deep networks: derivatives, the l1 projection, the lasso solver, samplers, criteria."""

import itertools

import numpy as np
import pandas as pd
import pytest
import torch
from scipy.optimize import minimize

from sparsenets.sparse_dnn import cell, data, metrics, models, selection, summary, train


def _params(d=7, width=5, depth=3, trials=2, per_trial=3, seed=0):
    gen = torch.Generator().manual_seed(seed)
    return models.init(trials * per_trial, d, width, depth, gen, dtype=torch.float64)


@pytest.mark.parametrize("act", ["tanh", "softplus", "relu"])
def test_autograd_input_gradient_matches_finite_differences(act):
    params = _params()
    x = torch.rand(2, 4, 7, dtype=torch.float64, generator=torch.Generator().manual_seed(1)) - 0.5
    f, g = models.input_gradient(params, x, 3, act)
    h = 1e-6
    for j in range(7):
        e = torch.zeros(7, dtype=torch.float64)
        e[j] = h
        fd = (models.forward(params, x + e, 3, act) - models.forward(params, x - e, 3, act)) / (
            2 * h
        )
        np.testing.assert_allclose(g[..., j].numpy(), fd.numpy(), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(f.numpy(), models.forward(params, x, 3, act).numpy())


def test_batched_models_equal_separate_networks():
    params = _params(trials=2, per_trial=3)
    x = torch.randn(2, 6, 7, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    out = models.forward(params, x, 3, "tanh")
    for m in range(6):
        h = x[m // 3]
        for i in range(0, len(params) - 2, 2):
            h = torch.tanh(h @ params[i][m] + params[i + 1][m])
        ref = (h @ params[-2][m] + params[-1][m])[:, 0]
        np.testing.assert_allclose(out[m].numpy(), ref.numpy(), rtol=1e-12)


def test_fstar_gradient_matches_finite_differences():
    for design in data.DESIGNS:
        x = data.sample_x(np.random.default_rng(3), design, 20, 8, 0.5)
        g = data.grad_fstar(x)
        h = 1e-6
        for j in range(8):
            e = np.zeros(8)
            e[j] = h
            fd = (data.fstar(x + e) - data.fstar(x - e)) / (2 * h)
            np.testing.assert_allclose(g[:, j], fd, rtol=1e-6, atol=1e-8)


def _brute_projection(v, r):
    """Independent solver: min ||w - v||^2 s.t. sum(u + z) <= r with w = u - z, u, z >= 0."""
    d = v.size
    res = minimize(
        lambda uz: np.sum((uz[:d] - uz[d:] - v) ** 2),
        np.zeros(2 * d),
        jac=lambda uz: np.concatenate([2 * (uz[:d] - uz[d:] - v), -2 * (uz[:d] - uz[d:] - v)]),
        bounds=[(0, None)] * (2 * d),
        constraints=[
            {"type": "ineq", "fun": lambda uz: r - uz.sum(), "jac": lambda uz: -np.ones(2 * d)}
        ],
        method="SLSQP",
        options={"ftol": 1e-14, "maxiter": 500},
    )
    return res.x[:d] - res.x[d:]


def test_l1_projection_matches_brute_force():
    rng = np.random.default_rng(4)
    for trial in range(20):
        v = rng.standard_normal(6) * 2
        r = float(rng.uniform(0.1, 1.2) * np.abs(v).sum())
        w = models.project_l1(torch.tensor(v[None]), torch.tensor([r]))[0].numpy()
        np.testing.assert_allclose(w, _brute_projection(v, r), atol=1e-6, err_msg=str(trial))
        for theta0 in (0.0, rng.uniform(0, 3), 1e9):  # below, anywhere, far beyond the root
            warm, theta, norm = models.project_l1_warm(
                torch.tensor(v[None]), torch.tensor([r]), torch.tensor([theta0])
            )
            np.testing.assert_allclose(warm[0].numpy(), w, atol=1e-12)
            inside = np.abs(v).sum() <= r
            assert norm[0] == pytest.approx(min(r, np.abs(v).sum()), rel=1e-6)  # r in float32
            assert (theta[0] == 0) == inside
    # an infinite radius and a point already inside are left alone
    v = torch.tensor([[3.0, -4.0], [0.1, 0.2]], dtype=torch.float64)
    out = models.project_l1(v, torch.tensor([float("inf"), 1.0], dtype=torch.float64))
    np.testing.assert_array_equal(out.numpy(), v.numpy())
    warm, theta, _ = models.project_l1_warm(v, torch.tensor([float("inf"), 1.0]), torch.ones(2))
    np.testing.assert_array_equal(warm.numpy(), v.numpy())
    assert theta.tolist() == [0.0, 0.0]


def test_warm_projection_of_many_rows_matches_the_sort():
    """Rows of a network's size, in single precision, thresholds from the previous step."""
    gen = torch.Generator().manual_seed(8)
    v = torch.randn(6, 5000, generator=gen) * torch.rand(6, 1, generator=gen)
    radius = torch.tensor([1.0, 5.0, 40.0, float("inf"), 1e6, 0.5])
    ref = models.project_l1(v.double(), radius.double())
    _, theta, _ = models.project_l1_warm(v, radius, torch.zeros(6))
    for theta0 in (torch.zeros(6), theta * 0.9, theta * 1.1):
        out, _, norm = models.project_l1_warm(v, radius, theta0)
        np.testing.assert_allclose(out.double().numpy(), ref.numpy(), atol=1e-6)
        finite = torch.isfinite(radius) & (v.abs().sum(1) > radius)
        np.testing.assert_allclose(norm[finite].numpy(), radius[finite].double().numpy(), rtol=1e-6)


def test_constraint_holds_after_every_step(monkeypatch):
    seen = []
    real = models.project_l1_

    def spy(v, radius, theta0):
        out = real(v, radius, theta0)
        finite = torch.isfinite(radius)
        seen.append(float((v.detach().double().abs().sum(1) - radius)[finite].max()))
        return out

    monkeypatch.setattr(models, "project_l1_", spy)
    x = torch.rand(2, 40, 8, generator=torch.Generator().manual_seed(5)) * 2 - 1
    y = torch.sin(3 * x[..., 0])
    _, loss, steps, excess = train.fit(
        x,
        y,
        [2.0, 5.0, float("inf")],
        width=6,
        depth=3,
        act="tanh",
        lr=0.1,
        momentum=0.9,
        epochs=0,
        batch=16,
        min_steps=30,
        anneal=10.0,
        warm=0.5,
        gen=torch.Generator().manual_seed(0),
    )
    assert steps == 30 and len(seen) == 31  # the initial projection and one per step
    assert max(seen) < 1e-5 and excess < 1e-5
    assert torch.isfinite(loss).all()


@pytest.mark.parametrize(
    "rows, d, folds, alphas, atol",
    [(120, 15, 4, 12, 1e-8), (60, 400, 3, 10, 1e-7)],  # also more inputs than rows (d >> n)
)
def test_lasso_matches_scikit_learn(rows, d, folds, alphas, atol):
    from sklearn.linear_model import Lasso, LassoCV

    rng = np.random.default_rng(6)
    x = rng.uniform(-1, 1, (rows, d))
    y = 2 * x[:, 0] - x[:, 3] + 0.3 * rng.standard_normal(rows)
    coef, icpt, alpha = models.lasso(x, y, folds, alphas, tol=1e-12)
    ref = Lasso(alpha=alpha, tol=1e-12, max_iter=100000).fit(x, y)
    np.testing.assert_allclose(coef, ref.coef_, atol=atol)
    assert icpt == pytest.approx(ref.intercept_, abs=atol)
    cv = LassoCV(cv=folds, alphas=alphas, tol=1e-12, max_iter=100000).fit(x, y)  # contiguous
    assert alpha == pytest.approx(cv.alpha_, rel=1e-9)


def test_samplers_follow_their_laws():
    rng = np.random.default_rng(7)
    u = data.sample_x(rng, "uniform", 40000, 6)
    assert u.min() >= -1 and u.max() <= 1
    np.testing.assert_allclose(u.var(0), 1 / 3, atol=0.01)
    g = data.sample_x(rng, "gaussian", 40000, 6, rho=0.5)
    c = np.corrcoef(g.T)
    for i, j in itertools.product(range(6), repeat=2):
        assert c[i, j] == pytest.approx(0.5 ** abs(i - j), abs=0.02)
    np.testing.assert_allclose(g.var(0), 1.0, atol=0.03)
    # nested: the first rows do not depend on n
    a, ya = data.training_set(1, "gaussian", 10, 50, 0, 0.5, 0.3)
    b, yb = data.training_set(1, "gaussian", 10, 80, 0, 0.5, 0.3)
    np.testing.assert_array_equal(a, b[:50])
    np.testing.assert_array_equal(ya, yb[:50])
    # the uniform design: Var f* = 1/2 + 4/9 + sinh(2)/6 + E tanh(2 x)^2
    tanh2 = np.mean(np.tanh(2 * np.linspace(-1, 1, 200001)) ** 2)
    exact = 0.5 + 4 / 9 + np.sinh(2) / 6 + tanh2
    assert data.signal_variance(0, "uniform", 0.0) == pytest.approx(exact, rel=0.01)


def test_selection_measures_on_constructed_cases():
    imp = np.array([5, 4, 3, 2, 1, 0.5, 0.1, 0.0])
    assert metrics.tpr(imp) == 1 and metrics.auc(imp) == 1
    imp = np.array([5, 4, 3, 2, 0.0, 0.5, 0.1, 0.0])  # x5 below two irrelevant, tied with one
    assert metrics.tpr(imp) == pytest.approx(0.8)
    assert metrics.auc(imp) == pytest.approx((4 * 3 + 0.5) / 15)
    out = metrics.measures(np.array([np.nan]), np.zeros((1, 8)), np.zeros(1), np.zeros((1, 8)))
    assert out == {"diverged": 1.0}


def test_slope_and_nstar():
    ns = np.array([250, 500, 1000, 2000, 4000])
    vals = 3.0 * ns[:, None] ** -0.5 * np.array([[1.0, 1.1, 0.9]])
    s, lo, hi = summary.slope(ns, vals, 300, 50, np.random.default_rng(0))
    assert s == pytest.approx(-0.5) and lo <= -0.5 + 1e-9 <= hi + 2e-9
    assert summary.nstar(ns, [0, 1, 0, 1, 1], 0.8) == 2000
    assert np.isnan(summary.nstar(ns, [0, 0, 0, 0, 0.5], 0.8))


def test_bad_input_is_rejected_with_a_clear_message():
    with pytest.raises(ValueError, match="unknown design 'cube'"):
        data.sample_x(np.random.default_rng(0), "cube", 5, 6)
    with pytest.raises(ValueError, match="smaller than the support"):
        data.sample_x(np.random.default_rng(0), "uniform", 5, 3)


def _cell_params(**extra):
    return dict(
        design="uniform",
        x="uniform",
        rho=0.0,
        activation="tanh",
        d=8,
        n=60,
        trials=2,
        seed=3,
        snr=4.0,
        n_test=50,
        val_fraction=0.2,
        radii=[4.0],
        network=dict(
            width=4, depth=3, lr=0.1, momentum=0.9, batch=32, steps=15, anneal=5.0, warm=0.5
        ),
        lasso=dict(use=True, folds=3, alphas=5),
        fdr=0.1,
        **extra,
    )


def test_null_labels_are_independent_of_x_with_the_label_law():
    x, y = data.training_set(3, "uniform", 8, 4000, 0, 0.0, 0.5)
    y0 = data.null_labels(3, "uniform", 8, 4000, 0, 0.0, 0.5)
    assert abs(np.corrcoef(data.fstar(x), y0)[0, 1]) < 0.05  # independent of x
    assert abs(np.corrcoef(data.fstar(x), y)[0, 1]) > 0.8
    assert abs(y0.std() / y.std() - 1) < 0.05 and abs(y0.mean() - y.mean()) < 0.1  # same law
    assert np.array_equal(data.null_labels(3, "uniform", 8, 100, 0, 0.0, 0.5), y0[:100])  # nested
    assert abs(data.signal_mean(3, "uniform", 0.0)) < 0.01  # E f* = 0 under the uniform law


def test_null_control_adds_its_network_without_changing_the_others():
    a, _ = cell.run_cell(_cell_params())
    b, _ = cell.run_cell(_cell_params(null_control=True))
    null = b[b.method == "null_labels"]
    assert sorted(null.trial.unique()) == [0, 1] and (null.radius == 4.0).all()
    rest = b[b.method != "null_labels"].reset_index(drop=True)
    # The same draws, so the same networks up to rounding: a matmul over a wider block of
    # networks may round differently (BLAS blocking depends on the width and the CPU), and
    # single-precision training carries that along; a changed draw would move values by O(1).
    pd.testing.assert_frame_equal(rest, a, check_exact=False, rtol=1e-5, atol=1e-9)


def test_cell_is_deterministic_and_diverging_runs_are_recorded():
    p = _cell_params()
    a, _ = cell.run_cell(p)
    b, _ = cell.run_cell(p)
    assert a.to_csv(float_format="%.17g") == b.to_csv(float_format="%.17g")
    p["network"]["lr"] = 1e6  # explodes
    c, _ = cell.run_cell(p)
    div = c[(c.method == "free") & (c.measure == "diverged")].value
    assert (div == 1).all()


def test_slope_ratio_of_exact_power_laws_is_their_exponents_ratio():
    """paired_slopes with np.divide: errors n^-1/4 and n^-1/2 (every trial) give exactly 1/2."""
    ns = np.array([1000, 2000, 4000, 8000, 16000])
    a = np.repeat((ns**-0.25)[:, None], 6, axis=1)
    b = np.repeat((ns**-0.5)[:, None], 6, axis=1)
    point, lo, hi = summary.paired_slopes(ns, a, b, 1000, 50, np.random.default_rng(0), np.divide)
    assert point == pytest.approx(0.5) and lo == pytest.approx(0.5) and hi == pytest.approx(0.5)


def test_partition_control_converges_in_value_and_is_flat():
    """The oracle partition fit: its error falls with n on a smooth function of the support, and
    it is constant inside a cell (zero input gradient: no derivative to converge)."""
    rng = np.random.default_rng(3)
    xq = rng.uniform(-1, 1, (4000, 8))
    errors = []
    for n in (500, 20000):
        x = rng.uniform(-1, 1, (n, 8))
        pred = models.partition(x, data.fstar(x), xq, data.S)
        errors.append(np.mean((pred - data.fstar(xq)) ** 2))
    assert errors[1] < 0.7 * errors[0]
    x = rng.uniform(-1, 1, (2000, 8))
    shifted = xq + np.concatenate([np.zeros((1, 5)), np.ones((1, 3))], axis=1) * 0.5  # off support
    same = models.partition(x, data.fstar(x), xq, data.S)
    assert np.array_equal(same, models.partition(x, data.fstar(x), np.clip(shifted, -1, 1), data.S))


def test_held_out_test_is_uniform_for_an_irrelevant_input_and_finds_a_relevant_one():
    """Under the model-X null the p-values of an input the model reads but y does not depend on
    are uniform (a random network reading inputs 0 and 1); inputs it does not read get p = 1; a
    model that has learned y's dependence on an input finds it (a linear fit of y = x_0)."""
    rng = np.random.default_rng(11)
    params = _params(d=4, width=6, trials=1, per_trial=1, seed=12)
    params[0][0, 2:] = 0.0  # inputs 2 and 3 unused
    p_null, p_found = [], []
    for _ in range(200):
        x = rng.uniform(-1, 1, (80, 4))
        y = np.sin(2 * x[:, 0]) + 0.1 * rng.standard_normal(80)
        x_new = data.resample_inputs(rng, "uniform", x)
        p = selection.pvalues(selection.net_deltas(params, x, y, x_new, "tanh"))
        assert p[2] == p[3] == 1.0
        p_null.append(p[1])
        coef = np.array([0.9, 0.05, 0.0, 0.0])
        p_found.append(selection.pvalues(selection.linear_deltas(coef, 0.0, x, y, x_new))[0])
    from scipy import stats

    assert stats.kstest(p_null, "uniform").pvalue > 0.01
    assert np.mean(np.array(p_found) < 0.01) > 0.95


def test_deltas_equal_a_brute_force_replacement_of_each_column():
    rng = np.random.default_rng(13)
    params = _params(d=5, width=4, trials=1, per_trial=1, seed=14)
    x, x_new = rng.uniform(-1, 1, (30, 5)), rng.uniform(-1, 1, (30, 5))
    y = rng.standard_normal(30)

    def loss(z):
        with torch.no_grad():
            return (y - models.forward(params, torch.tensor(z)[None], 1, "relu")[0].numpy()) ** 2

    brute = np.empty((30, 5))
    for j in range(5):
        z = x.copy()
        z[:, j] = x_new[:, j]
        brute[:, j] = loss(z) - loss(x)
    delta = selection.net_deltas(params, x, y, x_new, "relu", chunk=50)  # several chunks
    np.testing.assert_allclose(delta, brute, atol=1e-12)
    coef, icpt = rng.standard_normal(5), 0.3
    lin = selection.linear_deltas(coef, icpt, x, y, x_new)
    for j in range(5):
        z = x.copy()
        z[:, j] = x_new[:, j]
        ref = (y - z @ coef - icpt) ** 2 - (y - x @ coef - icpt) ** 2
        np.testing.assert_allclose(lin[:, j], ref, atol=1e-12)


def test_benjamini_hochberg_matches_scipy_and_a_hand_example():
    from scipy import stats

    p = np.array([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216])
    assert selection.benjamini_hochberg(p, 0.05).nonzero()[0].tolist() == [0, 1]
    rng = np.random.default_rng(15)
    for _ in range(50):
        p = np.concatenate([rng.uniform(0, 0.01, 5), rng.uniform(0, 1, 40)])
        rng.shuffle(p)
        ref = stats.false_discovery_control(p, method="bh") <= 0.1
        np.testing.assert_array_equal(selection.benjamini_hochberg(p, 0.1), ref)
    d = selection.discoveries(np.array([1, 1, 0, 0, 0, 1, 0], bool), support=3)
    assert d == {"sel_size": 3, "sel_tpr": 2 / 3, "sel_fdp": 1 / 3}
    assert selection.discoveries(np.zeros(7, bool), 3)["sel_fdp"] == 0.0


def test_conditional_resampling_keeps_the_joint_law():
    """Column j redrawn given the others: (x_0..x_{d-1}) with x_j replaced has the design's law."""
    rng = np.random.default_rng(16)
    x = data.sample_x(rng, "gaussian", 400_000, 6, 0.5)
    new = data.resample_inputs(rng, "gaussian", x, 0.5)
    for j in (0, 2, 5):
        z = x.copy()
        z[:, j] = new[:, j]
        np.testing.assert_allclose(np.cov(z.T), np.cov(x.T), atol=0.01)
    u = data.resample_inputs(rng, "uniform", rng.uniform(-1, 1, (100_000, 3)))
    assert abs(u.mean()) < 0.01 and abs(u.var() - 1 / 3) < 0.01 and np.abs(u).max() <= 1


def test_dimension_fits_tell_a_log_law_from_a_power_law():
    logd = np.log(np.array([10, 30, 100, 300, 1000, 3000, 10000.0]))
    log_law = np.log(0.05 + 0.02 * logd)
    power_law = np.log(0.01 * np.exp(0.4 * logd))
    a, b, rss = summary.log_fit(logd, np.stack([log_law, power_law]))
    assert a[0] == pytest.approx(0.05, rel=1e-6) and b[0] == pytest.approx(0.02, rel=1e-6)
    assert rss[0] < 1e-12 < rss[1]
    c, rss_power = summary.power_fit(logd, np.stack([log_law, power_law]))
    assert c[1] == pytest.approx(0.4) and rss_power[1] < 1e-20 < rss_power[0]
    # a decreasing line, and a noisy law: the fit is the least-squares optimum (no better nearby)
    e = np.log(0.3 - 0.02 * logd) + 0.05 * np.random.default_rng(17).standard_normal(7)
    a, b, rss = summary.log_fit(logd, e[None])
    for da, db in itertools.product((-1e-4, 0, 1e-4), repeat=2):
        near = ((e - np.log(a[0] + da + (b[0] + db) * logd)) ** 2).sum()
        assert near >= rss[0] - 1e-12


def test_dimension_claim_control_reads_the_gap_the_other_way_round():
    from sparsenets.sparse_dnn import claims

    rows = []
    for method, fit in (("l1", 0.5), ("free", 2.0)):
        for name in ("mse", "grad_err"):
            for suffix, x in (("", fit), ("_lo", fit * 0.8), ("_hi", fit * 1.2)):
                rows.append(("s", np.nan, 100, method, f"dim_fit_{name}{suffix}", x))
    for name in ("mse", "grad_err"):
        for suffix, x in (("", 0.3), ("_lo", 0.1), ("_hi", 0.5)):
            rows.append(("s", np.nan, 100, "l1", f"dim_gap_{name}{suffix}", x))
    frame = pd.DataFrame(rows, columns=["design", "d", "n", "method", "measure", "value"])
    t = {"s": {"summary": frame}}
    claim = claims.dimension(t, "s", {"trials": 10})
    assert claim["verdict"] == "reproduced" and claim["control"]["verdict"] == "rejected"
    gap = claims._dimension_parts(t, "s", "free", -1)["power_gap"][0]
    assert (gap.estimate, gap.interval) == (-0.3, (-0.5, -0.1))
