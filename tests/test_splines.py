"""Splines family: path norm and TV² against finite differences, rebalancing, merging, the
minimal-cost interpolants, batching, determinism and bad input."""

import numpy as np
import pytest
import torch

from sparsenets.common import arrangements
from sparsenets.splines import data, metrics, models, optimum, train
from sparsenets.splines.settings import settings


def random_net(rng, K=12, d=1):
    W = rng.standard_normal((K, d))
    b = rng.uniform(-0.8, 0.8, K) * np.linalg.norm(W, axis=1)
    v = rng.standard_normal(K)
    return W, b, v


def fd_tv(W, b, v, a=0.0, c=0.0, lo=-3.0, hi=3.0, n=200_001):
    """∫|f''| by second differences on a dense grid (knots inside [lo, hi])."""
    x = np.linspace(lo, hi, n)
    f = metrics.evaluate(W, b, v, np.atleast_1d(a), c, x[:, None])
    h = x[1] - x[0]
    return np.sum(np.abs(np.diff(f, 2))) / h


def test_tv_and_path_norm_match_finite_differences():
    rng = np.random.default_rng(0)
    W, b, v = random_net(rng)
    fd = fd_tv(W, b, v, a=0.3)
    assert metrics.rtv(W, b, v) == pytest.approx(fd, rel=1e-5)
    # Distinct knots, no cancellation: path norm equals TV².
    assert metrics.path_norm(W, v) == pytest.approx(fd, rel=1e-5)


def test_cancelling_neurons_path_norm_exceeds_tv():
    # σ(x) − σ(−x) = x: path norm 2, TV² 0; σ(x) + σ(−x) = |x|: both 2.
    W = np.array([[1.0], [-1.0]])
    b = np.zeros(2)
    assert metrics.path_norm(W, np.array([1.0, -1.0])) == 2.0
    assert metrics.rtv(W, b, np.array([1.0, -1.0])) == pytest.approx(0.0, abs=1e-12)
    assert fd_tv(W, b, np.array([1.0, -1.0])) == pytest.approx(0.0, abs=1e-4)
    assert metrics.rtv(W, b, np.array([1.0, 1.0])) == pytest.approx(2.0)
    assert fd_tv(W, b, np.array([1.0, 1.0])) == pytest.approx(2.0, rel=1e-5)


def test_merging_duplicates_and_antipodes_in_3d():
    rng = np.random.default_rng(1)
    w = rng.standard_normal(3)
    # The same hyperplane at two scales, its antipode, and an unrelated neuron.
    W = np.stack([w, 2 * w, -0.5 * w, rng.standard_normal(3)])
    b = np.array([0.3, 0.6, -0.15, 0.1])
    v = np.array([1.0, 0.5, 2.0, 1.0])
    u, t, alpha = metrics.merge(W, b, v)
    assert len(alpha) == 2
    n = np.linalg.norm(w)
    big = alpha[np.argmax(np.abs(alpha))]
    assert big == pytest.approx(1.0 * n + 0.5 * 2 * n + 2.0 * 0.5 * n)
    assert metrics.active(W, b, v) == 2
    # Antipodal pair with opposite coefficients: linear, no active hyperplane.
    assert metrics.rtv(np.stack([w, -w]), np.array([0.2, -0.2]), np.array([1.0, -1.0])) < 1e-12


def test_rebalancing_keeps_function_and_reaches_path_norm():
    rng = np.random.default_rng(2)
    W, b, v = random_net(rng, K=30, d=4)
    X = rng.standard_normal((50, 4))
    W2, b2, v2 = metrics.rebalance(W, b, v)
    a = rng.standard_normal(4)
    np.testing.assert_allclose(
        metrics.evaluate(W2, b2, v2, a, 0.2, X), metrics.evaluate(W, b, v, a, 0.2, X), rtol=1e-12
    )
    assert metrics.half_decay(W2, v2) == pytest.approx(metrics.path_norm(W, v), rel=1e-13)
    assert metrics.balance_residual(W2, v2) < 1e-14
    # Any other rescaling costs more (AM-GM).
    c = rng.uniform(0.5, 2.0, 30)
    assert metrics.half_decay(W * c[:, None], v / c) >= metrics.path_norm(W, v)


def test_min_tv_is_connect_the_dots_and_noskip_formula():
    x = np.array([-1.0, 0.0, 1.0])
    assert metrics.min_tv(x, np.array([0.0, 1.0, 0.0])) == pytest.approx(2.0)
    # Collinear data y = s x: free with skip, cost |s| without.
    xs = np.linspace(-1, 1, 6)
    assert metrics.min_tv(xs, 2.5 * xs) == pytest.approx(0.0, abs=1e-12)
    assert metrics.min_noskip(xs, 2.5 * xs) == pytest.approx(2.5)
    # The no-skip minimum against a brute-force search over the two outer slopes.
    rng = np.random.default_rng(3)
    x = np.sort(rng.uniform(-1, 1, 7))
    y = 3 * x + 0.2 * rng.standard_normal(7)
    s = np.diff(y) / np.diff(x)
    D = np.sum(np.abs(np.diff(s)))
    grid = np.linspace(-15, 15, 1201)
    A, B = np.meshgrid(grid, grid)
    cost = np.maximum(D + np.abs(s[0] - A) + np.abs(B - s[-1]), np.abs(A + B))
    assert metrics.min_noskip(x, y) == pytest.approx(cost.min(), abs=0.03)
    assert metrics.min_noskip(x, y) <= cost.min() + 1e-12


def test_noskip_cost_of_a_net_matches_end_slopes():
    W = np.array([[1.0], [-2.0]])
    b = np.array([0.5, 0.2])
    v = np.array([1.5, 0.25])
    left, right = metrics.end_slopes(W, v)
    x = np.array([-50.0, -49.0, 49.0, 50.0])
    f = metrics.evaluate(W, b, v, np.zeros(1), 0.0, x[:, None])
    assert left == pytest.approx(f[1] - f[0]) and right == pytest.approx(f[3] - f[2])


def test_knots_at_the_right_places():
    W = np.array([[2.0], [-1.0], [4.0]])
    b = np.array([-1.0, 0.3, -2.0])  # knots 0.5, 0.3, 0.5 (duplicate)
    v = np.array([1.0, 1.0, 0.5])
    pos, jump = metrics.knots(W, b, v)
    np.testing.assert_allclose(pos, [0.3, 0.5])
    np.testing.assert_allclose(jump, [1.0, 4.0])


def _central_differences(J, params, h=1e-6, points=5):
    """{name: [(index, (J(p + h) − J(p − h)) / 2h)]} at a few entries of every tensor."""
    out = {}
    with torch.no_grad():
        for name, p in params.items():
            flat, out[name] = p.view(-1), []
            for j in range(0, flat.numel(), max(1, flat.numel() // points)):
                old = flat[j].item()
                flat[j] = old + h
                up = J(params).item()
                flat[j] = old - h
                down = J(params).item()
                flat[j] = old
                out[name].append((j, (up - down) / (2 * h)))
    return out


def test_gradient_of_the_objective_matches_finite_differences():
    gen = torch.Generator().manual_seed(0)
    params, mask = models.init_shallow(gen, 2, 5, 2, [5, 3], 0.5, 1.0)
    X = torch.randn(2, 7, 2, generator=gen, dtype=torch.float64)
    y = torch.randn(2, 7, generator=gen, dtype=torch.float64)
    skip = torch.tensor([1.0, 0.0], dtype=torch.float64)
    lam = torch.tensor([0.1, 0.01], dtype=torch.float64)

    def J(p):
        return train.objective(
            p,
            lambda q: models.shallow(q, X, mask, skip),
            lambda q: models.shallow_decay(q, mask),
            y,
            lam,
        )[0].sum()

    for p in params.values():
        p.requires_grad_(True)
    grads = torch.autograd.grad(J(params), list(params.values()))
    g = dict(zip(params, grads, strict=True))
    for name, entries in _central_differences(J, params).items():
        for j, fd in entries:
            assert g[name].reshape(-1)[j].item() == pytest.approx(fd, abs=1e-6), name
    # Masked neurons get no gradient at all.
    assert torch.all(grads[2][1, 3:] == 0)


def _shallow_case(dim, seed):
    gen = torch.Generator().manual_seed(seed)
    params, mask = models.init_shallow(gen, 4, 6, dim, [6, 4, 6, 2], 0.5, 1.0)
    params["a"] += torch.randn(4, dim, generator=gen, dtype=torch.float64)
    params["c"] += torch.randn(4, generator=gen, dtype=torch.float64)
    X = torch.randn(4, 9, dim, generator=gen, dtype=torch.float64)
    y = torch.randn(4, 9, generator=gen, dtype=torch.float64)
    skip = torch.tensor([1.0, 0.0, 1.0, 0.0], dtype=torch.float64)
    lam = torch.tensor([0.1, 0.01, 0.0, 1.0], dtype=torch.float64)  # λ = 0: the control nets
    return params, mask, X, y, skip, lam


@pytest.mark.parametrize("dim", [1, 3])  # one input takes the outer-product path
def test_closed_form_shallow_gradients_match_autograd_and_finite_differences(dim):
    params, mask, X, y, skip, lam = _shallow_case(dim, seed=dim)
    forward = lambda p: models.shallow(p, X, mask, skip)  # noqa: E731
    decay = lambda p: models.shallow_decay(p, mask)  # noqa: E731
    mse_ref, ref = train.autograd_grads(forward, decay, y, lam)(params)
    work = {}
    for _ in range(2):  # the second call reuses the work arrays of the first
        mse, grads = models.shallow_grads(params, X, mask, skip, y, lam, work)
        torch.testing.assert_close(mse, mse_ref, rtol=1e-13, atol=0)
        for name, g, r in zip(params, grads, ref, strict=True):
            torch.testing.assert_close(g, r, rtol=1e-12, atol=1e-14, msg=name)
    g = dict(zip(params, grads, strict=True))
    J = lambda p: train.objective(p, forward, decay, y, lam)[0].sum()  # noqa: E731
    for name, entries in _central_differences(J, params).items():
        for j, fd in entries:
            assert g[name].reshape(-1)[j].item() == pytest.approx(fd, abs=1e-6), name
    # Masked neurons get no gradient at all, and skip-less members none in a.
    for name in ("W", "b", "v"):
        assert torch.all(g[name][1, 4:] == 0) and torch.all(g[name][3, 2:] == 0), name
    assert torch.all(g["a"][skip == 0] == 0)


def test_closed_form_deep_gradients_match_autograd_and_finite_differences():
    gen = torch.Generator().manual_seed(4)
    params = models.init_deep(gen, 3, 4, 5, 6)
    params = {
        k: p + 0.1 * torch.randn(p.shape, generator=gen, dtype=p.dtype) for k, p in params.items()
    }
    X = torch.randn(3, 11, 5, generator=gen, dtype=torch.float64)
    y = torch.randn(3, 11, generator=gen, dtype=torch.float64)
    skip = torch.tensor([1.0, 0.0, 1.0], dtype=torch.float64)
    lam = torch.tensor([1e-3, 0.0, 1e-1], dtype=torch.float64)
    forward = lambda p: models.deep(p, X, skip)  # noqa: E731
    mse_ref, ref = train.autograd_grads(forward, models.deep_decay, y, lam)(params)
    mse, grads = models.deep_grads(params, X, skip, y, lam)
    torch.testing.assert_close(mse, mse_ref, rtol=1e-13, atol=0)
    for name, g, r in zip(params, grads, ref, strict=True):
        torch.testing.assert_close(g, r, rtol=1e-12, atol=1e-14, msg=name)
    g = dict(zip(params, grads, strict=True))
    J = lambda p: train.objective(p, forward, models.deep_decay, y, lam)[0].sum()  # noqa: E731
    for name, entries in _central_differences(J, params).items():
        for j, fd in entries:
            assert g[name].reshape(-1)[j].item() == pytest.approx(fd, abs=1e-6), name


def test_closed_form_gradients_detect_a_wrong_gradient():
    """Negative control of the two tests above: a gradient off in one term (the decay on v
    dropped) fails the same comparison with autograd."""
    params, mask, X, y, skip, lam = _shallow_case(1, seed=9)
    _, ref = train.autograd_grads(
        lambda p: models.shallow(p, X, mask, skip), lambda p: models.shallow_decay(p, mask), y, lam
    )(params)
    _, grads = models.shallow_grads(params, X, mask, skip, y, lam)
    wrong = grads[2] - lam[:, None] * params["v"] * mask
    with pytest.raises(AssertionError):
        torch.testing.assert_close(wrong, ref[2], rtol=1e-12, atol=1e-14)


def test_scale_residual_is_the_derivative_along_a_neuron_scaling():
    """The smooth residual's neuron-scale component is d/ds J at s = 1 for (w_k, b_k) →
    s·(w_k, b_k), which does not move the knot: checked against finite differences."""
    gen = torch.Generator().manual_seed(1)
    params, mask = models.init_shallow(gen, 1, 4, 1, [4], 0.7, 1.0)
    X = torch.linspace(-1, 1, 6, dtype=torch.float64)[None, :, None]
    y = torch.sin(3 * X[..., 0])
    skip = torch.ones(1, dtype=torch.float64)
    lam = torch.tensor([0.05], dtype=torch.float64)

    def forward(p):
        return models.shallow(p, X, mask, skip)

    def decay(p):
        return models.shallow_decay(p, mask)

    def J(p):
        return train.objective(p, forward, decay, y, lam)[0].sum()

    for p in params.values():
        p.requires_grad_(True)
    grads = torch.autograd.grad(J(params), list(params.values()))
    res = train.residuals(params, grads, decay, lam)
    g = dict(zip(params, grads, strict=True))
    h = 1e-6
    radial = []
    with torch.no_grad():
        for k in range(4):
            Js = []
            for s in (1 + h, 1 - h):
                q = {name: t.clone() for name, t in params.items()}
                q["W"][0, k] *= s
                q["b"][0, k] *= s
                Js.append(J(q).item())
            radial.append((Js[0] - Js[1]) / (2 * h))
        smooth = np.sqrt(
            sum(float((g[n] ** 2).sum()) for n in ("v", "a", "c")) + np.sum(np.square(radial))
        )
        scale = float(lam[0] * torch.sqrt(decay(params))[0])
    assert res["rel_smooth"][0] == pytest.approx(smooth / scale, rel=1e-6)
    full = np.sqrt(sum(float((t**2).sum()) for t in grads))
    assert res["rel_grad"][0] == pytest.approx(full / scale, rel=1e-12)


def _spec(experiment="oned"):
    cfg = {
        "oned": {
            "kinds": ["random"],
            "n": [5],
            "trials": 2,
            "widths": [6, 10],
            "lambdas": [1e-2, 1e-3],
            "control_trials": 1,
            "slope": 3.0,
            "amplitude": 0.1,
            "init_scale": 1e-2,
            "knot_range": 1.2,
            "optimizer": {
                "adam_steps": 30,
                "lr": 1e-2,
                "lr_final": 1e-3,
                "gd_steps": 5,
                "gd_lr": 1e-3,
            },
        },
        "highd": {
            "dims": [2],
            "n": 6,
            "trials": 1,
            "width": 8,
            "lambdas": [1e-3],
            "control_trials": 1,
            "init_scale": 1e-2,
            "knot_range": 1.0,
            "optimizer": {
                "adam_steps": 20,
                "lr": 1e-2,
                "lr_final": 1e-3,
                "gd_steps": 5,
                "gd_lr": 1e-3,
            },
        },
        "deep": {
            "depths": [3],
            "input_dim": 4,
            "width": 5,
            "n": 10,
            "n_test": 5,
            "trials": 1,
            "lambdas": [1e-3, 1e-1],
            "control_trials": 1,
            "optimizer": {
                "adam_steps": 20,
                "lr": 1e-2,
                "lr_final": 1e-3,
                "gd_steps": 5,
                "gd_lr": 1e-3,
            },
        },
    }
    return settings(cfg)


def test_batched_members_equal_separate_runs():
    spec = _spec()["oned-random-N5"]
    d = data.generate(5, "oned", spec["data"])
    full = train.run(d, spec, 5, "s")
    # trials × λ × widths × skips, then the control: trial 0, λ = 0, widest width, skip only.
    assert len(full["member_trial"]) == 2 * 2 * 2 * 2 + 1
    control = full["member_lam"] == 0
    assert control.sum() == 1 and full["member_width"][control] == 10
    assert full["member_skip"][control] == 1 and np.isnan(full["final_rel_grad"][control]).all()
    # Re-run the same member grid: identical (deterministic); members are independent, so the
    # loss of each member equals its own objective at its own parameters.
    again = train.run(d, spec, 5, "s")
    for k in full:
        np.testing.assert_array_equal(full[k], again[k])
    i = 5
    m = {k: full[f"member_{k}"][i] for k in ("trial", "lam", "width", "skip")}
    K = int(m["width"])
    W, b, v = full["param_W"][i, :K], full["param_b"][i, :K], full["param_v"][i, :K]
    f = metrics.evaluate(
        W, b, v, full["param_a"][i] * m["skip"], full["param_c"][i], d["X"][m["trial"]]
    )
    J = np.mean((f - d["y"][m["trial"]]) ** 2) + 0.5 * m["lam"] * np.sum(v**2 + W[:, 0] ** 2)
    assert full["history_loss"][-1][i] == pytest.approx(J, rel=1e-10)
    assert np.all(full["param_v"][:, 6:][full["member_width"] == 6] == 0)


def test_same_inputs_give_identical_metrics(tmp_path):
    from sparsenets.common.io import write_csv

    for experiment, setting in [("highd", "highd-d2"), ("deep", "deep-L3")]:
        spec = _spec()[setting]
        out = []
        for rep in range(2):
            d = data.generate(3, experiment, spec["data"])
            run = train.run(d, spec, 3, setting)
            tabs = (
                metrics.deep_tables(setting, d, run)
                if experiment == "deep"
                else metrics.shallow_tables(experiment, setting, d, run)
            )
            path = tmp_path / f"{setting}-{rep}.csv"
            write_csv(path, tabs["nets"])
            out.append(path.read_bytes())
        assert out[0] == out[1]


def test_samplers():
    d = data.oned(1, "trend", 50, 4, 3.0, 0.1)
    x = d["X"][..., 0]
    assert np.all(np.diff(x, axis=1) >= 1 / 50 - 1e-12) and x.min() > -1 and x.max() < 1
    assert np.max(np.abs(d["y"] - 3 * x)) <= 0.1 + 1e-12
    deep = data.deep(1, 8, 4000, 10, 1)
    P = deep["P"][0]
    np.testing.assert_allclose(P @ P.T, np.eye(3), atol=1e-12)
    assert np.mean(deep["y"]) == pytest.approx(2 * np.sqrt(2 / np.pi), abs=0.1)  # E|z1|+E|z2|


def test_bad_input_is_named():
    with pytest.raises(ValueError, match="unknown data kind 'wiggly'"):
        data.oned(0, "wiggly", 5, 1, 1.0, 0.1)
    with pytest.raises(ValueError, match="n = 2"):
        data.oned(0, "random", 2, 1, 1.0, 0.1)
    with pytest.raises(ValueError, match="input_dim = 2"):
        data.deep(0, 2, 5, 5, 1)


def test_divergence_is_recorded_not_raised():
    spec = _spec()["oned-random-N5"]
    spec["optimizer"] = {"adam_steps": 0, "lr": 1.0, "lr_final": 1.0, "gd_steps": 50, "gd_lr": 1e6}
    out = train.run(data.generate(1, "oned", spec["data"]), spec, 1, "s")
    assert out["diverged"].all()


def test_control_nets_are_split_off():
    import pandas as pd

    from sparsenets.splines import claims

    nets = pd.DataFrame(
        {
            "trial": [0, 1, 0, 1, 2, 3],
            "lam": [1e-3, 1e-2, 0.0, 0.0, 0.0, 0.0],
            "diverged": [0, 0, 0, 1, 0, 0],
        }
    )
    assert list(claims._final(nets).lam) == [1e-3, 1e-2]
    control = claims._control(nets)
    assert list(control.trial) == [0, 2, 3]  # λ = 0, diverged net left out


def _points(N, seed, trend=False):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, N)
    return x, (3 * x if trend else 0) + rng.normal(scale=0.3, size=N)


@pytest.mark.parametrize(
    "N, lam, seed", [(5, 1e-3, 0), (10, 3e-4, 1), (20, 1e-3, 2), (12, 1e-2, 3)]
)
def test_exact_optimum_agrees_between_two_formulations(N, lam, seed):
    """Skip: CVXPY over fitted values against scikit-learn's knot lasso; no skip: the same
    program against the one with explicit end slopes. J* to 1e-8 relative in both."""
    x, y = _points(N, seed)
    j1, f1 = optimum.fitted_values(x, y, lam)
    j2, f2, beta = optimum.knot_lasso(x, y, lam, tol=1e-13)
    assert abs(j1 - j2) <= 1e-8 * j1
    assert np.sqrt(np.mean((f1 - f2) ** 2)) <= 1e-4 * np.sqrt(j1)  # unique optimal values
    j3, f3 = optimum.fitted_values(x, y, lam, skip=False)
    j4, f4 = optimum.end_slopes(x, y, lam)
    assert abs(j3 - j4) <= 1e-8 * j3
    assert j3 >= j1 * (1 - 1e-9)  # the skip connection can only help


def test_constructed_minimiser_attains_the_optimum_with_at_most_n_minus_2_knots():
    x, y = _points(15, 4)
    j, f = optimum.fitted_values(x, y, 3e-4)
    assert optimum.objective(x, y, f, 3e-4, skip=True) == pytest.approx(j, rel=1e-8)
    assert 0 < optimum.knots(x, f) <= len(x) - 2
    # Any other fitted values cost more (the optimum is a minimum, not a stationary point).
    rng = np.random.default_rng(5)
    for _ in range(20):
        g = f + 1e-3 * rng.normal(size=f.shape)
        assert optimum.objective(x, y, g, 3e-4, skip=True) > j


@pytest.mark.parametrize("skip", [True, False])
def test_no_net_beats_the_exact_optimum(skip):
    """J_net = MSE + λ·path norm ≥ J* for arbitrary (unbalanced, untrained) nets: the path norm
    bounds the representational cost from above, with or without the skip connection."""
    x, y = _points(8, 6)
    X = x[:, None]
    lam = 1e-2
    j_star, _ = optimum.fitted_values(x, y, lam, skip=skip)
    rng = np.random.default_rng(7)
    for _ in range(200):
        K = 6
        W, b, v = rng.normal(size=(K, 1)), rng.normal(size=K), rng.normal(size=K)
        a, c = rng.normal(size=1) * skip, rng.normal()
        f = metrics.evaluate(W, b, v, a, c, X)
        assert np.mean((f - y) ** 2) + lam * metrics.path_norm(W, v) >= j_star * (1 - 1e-9)
    if skip:  # and the bound is tight: the knot lasso's spline, built as a net, attains J*
        _, f_star, beta = optimum.knot_lasso(x, y, lam, tol=1e-13)
        knots = np.sort(x)[1:-1]
        W, b = np.ones((len(knots), 1)), -knots
        basis = np.column_stack([np.ones_like(x), x])
        c, a = np.linalg.lstsq(basis, f_star - np.maximum(X @ W.T + b, 0) @ beta, rcond=None)[0]
        f = metrics.evaluate(W, b, beta, np.array([a]), c, X)
        j_net = np.mean((f - y) ** 2) + lam * metrics.path_norm(W, beta)
        assert j_net == pytest.approx(j_star, rel=1e-8)


@pytest.mark.parametrize("m, d", [(5, 1), (9, 2), (9, 3), (10, 4)])
def test_cells_are_every_cell_of_the_arrangement(m, d):
    """As many patterns as Cover's count, each realised by some u (an LP), and every pattern of
    200 000 random directions among them."""
    from math import comb

    from scipy.optimize import linprog

    rng = np.random.default_rng(m + d)
    Z = rng.standard_normal((m, d))
    P = arrangements.cells(Z)
    assert P.shape[1] == 2 * sum(comb(m - 1, k) for k in range(d))
    for D in P.T:  # some u with z_i·u ≥ 1 on the pattern and ≤ −1 off it
        A = np.where(D[:, None], -Z, Z)
        res = linprog(np.zeros(d), A_ub=A, b_ub=-np.ones(m), bounds=[(None, None)] * d)
        assert res.status == 0
    seen = {c.tobytes() for c in np.unique(Z @ rng.standard_normal((d, 200_000)) > 0, axis=1).T}
    assert seen <= {c.tobytes() for c in P.T}


def test_cells_reject_dependent_rows():
    Z = np.array([[1.0, 0.0], [2.0, 0.0], [0.0, 1.0]])  # rows 0 and 1 on one line
    with pytest.raises(ValueError, match="general position"):
        arrangements.cells(Z)


@pytest.mark.parametrize("lam, seed", [(1e-2, 0), (1e-3, 1)])
def test_highd_optimum_in_one_dimension_is_the_1d_optimum(lam, seed):
    """d = 1: the anchored program is the knot lasso; J* to 1e-8 relative of the 1-D program."""
    x, y = _points(12, seed)
    res = optimum.highd_optimum(x[:, None], y, lam)
    j1, f1 = optimum.fitted_values(x, y, lam)
    assert res["j_star"] == pytest.approx(j1, rel=1e-8)
    assert res["j_lower"] <= j1 * (1 + 1e-8)
    assert np.sqrt(np.mean((res["f_star"] - f1) ** 2)) <= 1e-4 * np.sqrt(j1)


def _affine_program(X, y, lam):
    """The second formulation in d > 1: every cell of the affine arrangement of [X, 1] as a
    block (w, b) with the cost ‖w‖ only (the bias is free), all blocks at once, in CVXPY."""
    import cvxpy as cp

    N, d = X.shape
    Xt = np.column_stack([X, np.ones(N)])
    D = arrangements.cells(Xt).astype(float)
    P = D.shape[1]
    U, V = cp.Variable((P, d + 1)), cp.Variable((P, d + 1))
    fit = cp.sum([cp.multiply(D[:, p], Xt @ (U[p] - V[p])) for p in range(P)])
    beta = cp.Variable(d + 1)
    cons = []
    for p in range(P):
        side = (2 * D[:, p] - 1)[:, None] * Xt
        cons += [side @ U[p] >= 0, side @ V[p] >= 0]
    cost = cp.sum(cp.norm(U[:, :d], 2, axis=1)) + cp.sum(cp.norm(V[:, :d], 2, axis=1))
    problem = cp.Problem(cp.Minimize(cp.sum_squares(fit + Xt @ beta - y) / N + lam * cost), cons)
    problem.solve(solver="CLARABEL")
    return problem.value


@pytest.mark.parametrize("d, lam", [(2, 1e-2), (2, 1e-3), (3, 1e-3)])
def test_highd_optimum_agrees_with_the_affine_arrangement_program(d, lam):
    """Column generation over anchored neurons against the whole program over the cells of the
    affine arrangement (neurons with free biases): the same J*, inside the certified bracket."""
    rng = np.random.default_rng(d)
    X, y = rng.standard_normal((8, d)), rng.standard_normal(8)
    res = optimum.highd_optimum(X, y, lam)
    direct = _affine_program(X, y, lam)
    assert res["j_star"] == pytest.approx(direct, rel=1e-6)
    assert (
        res["j_lower"] <= direct * (1 + 1e-6) and (res["j_star"] - res["j_lower"]) <= 1e-5 * direct
    )


def test_highd_sparse_minimiser_and_no_net_below_the_bracket():
    """The constructed minimiser has the optimum's cost with at most N − (d + 1) neurons, and no
    net (random, unbalanced) has an objective below the certified lower bound."""
    rng = np.random.default_rng(11)
    N, d, lam = 12, 3, 1e-3
    X, y = rng.standard_normal((N, d)), rng.standard_normal(N)
    res = optimum.highd_optimum(X, y, lam)
    assert res["r_sparse"] == pytest.approx(res["r_star"], rel=1e-6)
    assert 0 < res["neurons_star"] <= N - (d + 1)
    for _ in range(200):
        W, b, v = rng.normal(size=(8, d)), rng.normal(size=8), rng.normal(size=8)
        f = metrics.evaluate(W, b, v, rng.normal(size=d), rng.normal(), X)
        assert np.mean((f - y) ** 2) + lam * metrics.path_norm(W, v) >= res["j_lower"]


def test_exact_optimum_rejects_repeated_inputs():
    with pytest.raises(ValueError, match="distinct inputs"):
        optimum.fitted_values([0.0, 0.5, 0.5], [1.0, 2.0, 3.0], 1e-3)


def test_alignment_of_a_first_layer_with_the_target_directions():
    """A first layer spanned by the needed directions has angle 0; one along random directions
    does not; the share along p_3 separates a layer that uses the linear direction."""
    rng = np.random.default_rng(8)
    P = np.linalg.qr(rng.normal(size=(16, 3)))[0].T
    mix = rng.normal(size=(32, 3))
    needs_two = mix[:, :2] @ P[:2]
    a = metrics.alignment(needs_two, P, skip=True)
    assert a["angle"] == pytest.approx(0, abs=1e-5) and a["linear_share"] == pytest.approx(
        0, abs=1e-12
    )
    needs_three = mix @ P
    assert metrics.alignment(needs_three, P, skip=False)["angle"] == pytest.approx(0, abs=1e-5)
    assert metrics.alignment(needs_three, P, skip=False)["linear_share"] > 0.2
    assert metrics.alignment(needs_three, P, skip=True)["angle"] > 1  # p_3 is in its top two
    assert metrics.alignment(rng.normal(size=(32, 16)), P, skip=True)["angle"] > 45
