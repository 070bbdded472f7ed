"""Depth separation: sampler laws, fixed layer, batching, optimiser, criteria, stages end to end."""

import json

import numpy as np
import pandas as pd
import pytest
import torch
from scipy import stats

from sparsenets.depth_separation import claims, data, models, stages, train

LAWS = {
    "uniform": {"kind": "uniform", "spread": 0.5},
    "lomax": {"kind": "lomax", "scale": 0.25, "max_ratio": 10.0},
}
SMALL = dict(
    steps=20,
    records=4,
    grid=5,
    depth2={"features_per_coord": [2, 3], "weight_scale": 1.0, "bias_scale": 1.5, "lr": [10.0]},
    shallow={
        "width_factors": [1, 2],
        "variants": {
            "sigmoid_gd": {"activation": "sigmoid", "optimizer": "gd", "lr": [0.1, 0.3]},
            "relu_adam": {"activation": "relu", "optimizer": "adam", "lr": [0.01, 0.03]},
        },
    },
)


@pytest.mark.parametrize("name", list(LAWS))
def test_radius_matches_its_law_and_a_wrong_law_fails(name):
    law = LAWS[name]
    rho = data.sample_radius(np.random.default_rng(0), 20000, law, 2.0)
    assert stats.kstest(rho, lambda t: data.radius_cdf(t, law, 2.0)).pvalue > 0.01
    wrong = dict(law, **({"spread": 0.45} if name == "uniform" else {"scale": 0.2}))
    assert stats.kstest(rho, lambda t: data.radius_cdf(t, wrong, 2.0)).pvalue < 1e-3
    assert abs(np.mean(rho <= 2.0) - 0.5) < 0.02  # half the mass inside the ball


def test_lomax_law_is_heavy_tailed_and_truncated():
    law = LAWS["lomax"]
    rho = data.sample_radius(np.random.default_rng(1), 200000, law, 1.0)
    assert rho.max() <= 10.0 and rho.min() >= 0.1
    # P(ρ > t) ≈ ½·s/(t − 1) for 1 ≪ t < M: a 1/t tail, not a light one
    tail = np.mean(rho > 5.0)
    assert tail == pytest.approx(1 - data.radius_cdf(5.0, law, 1.0), rel=0.1)
    assert tail > 0.01


@pytest.mark.parametrize("d", [2, 7, 50])
def test_directions_uniform_on_sphere(d):
    theta = data.sample_directions(np.random.default_rng(2), 20000, d)
    np.testing.assert_allclose(np.linalg.norm(theta, axis=1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(theta.mean(0), 0.0, atol=5 / np.sqrt(20000))
    np.testing.assert_allclose(theta.T @ theta / 20000, np.eye(d) / d, atol=0.02)
    # θ₁² ~ Beta(1/2, (d − 1)/2) for the uniform law on S^{d−1}
    assert stats.kstest(theta[:, 0] ** 2, stats.beta(0.5, (d - 1) / 2).cdf).pvalue > 1e-3


def test_labels_are_the_ball_indicator():
    out = data.generate(
        3, "uniform", 4, law=LAWS["uniform"], radius=1.5, n_train=50, n_test=40, seeds=2
    )
    norms = np.linalg.norm(out["X_train"].astype(np.float64), axis=2)
    np.testing.assert_allclose(norms, out["rho_train"], rtol=1e-6)
    np.testing.assert_array_equal(out["y_train"], (out["rho_train"] <= 1.5).astype(np.float32))
    assert out["X_test"].shape == (2, 40, 4)


def test_bad_law_is_named():
    with pytest.raises(ValueError, match="gamma"):
        data.sample_radius(np.random.default_rng(0), 3, {"kind": "gamma"}, 1.0)


@pytest.fixture(scope="module")
def tiny():
    return data.generate(
        5, "lomax", 2, law=LAWS["lomax"], radius=1.0, n_train=64, n_test=64, seeds=2
    )


def test_fixed_layer_stays_fixed_bitwise(tiny):
    out = train.run(tiny, learner="depth2", seed=1, law="lomax", d=2, **SMALL)
    assert bool(out["fixed_unchanged"])
    # …and training did move the output unit: the error changed
    assert not np.allclose(out["train_sq"][..., 0], out["train_sq"][..., -1])
    # the same layer is drawn again from the same seed: nothing in it depends on training
    gen = torch.Generator().manual_seed(0)
    a, b = models.fixed_layer(gen, 1, 3, 4, weight_scale=1.0, bias_scale=1.5, radius=1.0)
    a0, b0 = a.clone(), b.clone()
    v = torch.zeros(1, 12, requires_grad=True)
    X = torch.randn(1, 10, 3)
    layer = models.FixedLayer(a, b, X)
    models.depth2(layer(X), v, torch.zeros(1)).sum().backward()
    assert a.grad is None and b.grad is None
    assert torch.equal(a, a0) and torch.equal(b, b0)


def test_runs_are_deterministic(tiny):
    one = train.run(tiny, learner="shallow", seed=1, law="lomax", d=2, **SMALL)
    two = train.run(tiny, learner="shallow", seed=1, law="lomax", d=2, **SMALL)
    for key in one:
        np.testing.assert_array_equal(one[key], two[key])


def test_padded_widths_train_exactly_their_own_units():
    gen = torch.Generator().manual_seed(0)
    p, mask = models.shallow_init(gen, 2, 3, [2, 4])
    for t in p.values():
        t.requires_grad_(True)
    X = torch.randn(4, 8, 3)
    models.shallow(X, p, "sigmoid", mask).pow(2).sum().backward()
    assert torch.all(p["W"].grad[:2, :, 2:] == 0) and torch.all(p["u"].grad[:2, 2:] == 0)
    assert torch.all(p["W"].grad[2:].abs().sum((0, 1)) > 0)
    # a width-2 block gives the same output as an unpadded width-2 network
    small = {"W": p["W"][:2, :, :2], "b": p["b"][:2, :2], "u": p["u"][:2, :2], "c": p["c"][:2]}
    torch.testing.assert_close(
        models.shallow(X, p, "sigmoid", mask)[:2],
        models.shallow(X[:2], small, "sigmoid", torch.ones(2, 2)),
    )


@pytest.mark.parametrize("kind", ["gd", "adam"])
def test_optimizer_matches_torch(kind):
    torch.manual_seed(0)
    w0 = torch.randn(3, 4)
    target = torch.randn(3, 4)
    mine = w0.clone().requires_grad_(True)
    ref = w0.clone().requires_grad_(True)
    opt = train._Optimizer([mine], kind, torch.full((3,), 0.05))
    ref_opt = (torch.optim.Adam if kind == "adam" else torch.optim.SGD)([ref], lr=0.05)
    for _ in range(5):
        (mine - target).pow(2).sum().backward()
        opt.step()
        ref_opt.zero_grad()
        (ref - target).pow(2).sum().backward()
        ref_opt.step()
    torch.testing.assert_close(mine, ref)


def test_record_steps():
    at = train.record_steps(1000, 10)
    assert at[0] == 0 and at[1] == 1 and at[-1] == 1000 and np.all(np.diff(at) > 0)


def _med(depth2_sq, shallow_sq, shallow_half):
    rows = []
    for law in ("a",):
        for d, e2, es, eh in zip((2, 10, 50), depth2_sq, shallow_sq, shallow_half, strict=True):
            rows.append(
                dict(
                    law=law,
                    d=d,
                    variant="depth2_gd",
                    width=8,
                    params_trained=9,
                    params_total=25,
                    test_sq=e2,
                    test_01=e2,
                    test_sq_half=e2,
                    test_01_half=e2,
                    steps_to_target=10.0,
                )
            )
            rows.append(
                dict(
                    law=law,
                    d=d,
                    variant="relu_gd",
                    width=3,
                    params_trained=13,
                    params_total=13,
                    test_sq=es,
                    test_01=es,
                    test_sq_half=eh,
                    test_01_half=eh,
                    steps_to_target=np.nan,
                )
            )
    return pd.DataFrame(rows)


def test_criteria_on_constructed_cases():
    good = _med([0.01, 0.02, 0.03], [0.02, 0.1, 0.2], [0.02, 0.105, 0.21])
    assert claims.depth2_learns(good)[0]["verdict"] == "consistent"  # a bound met with room
    assert claims.shallow_gap(good)[0]["verdict"] == "reproduced"
    # one-hidden-layer nets that keep improving and match depth 2: not reproduced
    learns = _med([0.01, 0.02, 0.03], [0.02, 0.02, 0.02], [0.2, 0.2, 0.2])
    assert claims.shallow_gap(learns)[0]["verdict"] == "not reproduced"
    bad = _med([0.01, 0.2, 0.03], [0.02, 0.3, 0.2], [0.02, 0.3, 0.2])
    assert claims.depth2_learns(bad)[0]["verdict"] == "partial"


def test_stages_end_to_end(tmp_path):
    """data → train → metrics → figures → claims for a tiny config, through the stage functions."""
    params = dict(
        SMALL,
        radius=1.0,
        laws=LAWS,
        dims=[2, 3],
        target=0.3,
        data={"n_train": 32, "n_test": 32, "seeds": 2},
    )
    runs = []
    for law in LAWS:
        for d in params["dims"]:
            path = tmp_path / f"data/{law}_d{d}.npz"
            stages.data(
                {},
                {"data": str(path)},
                {
                    "seed": 1,
                    "law_name": law,
                    "d": d,
                    "law": LAWS[law],
                    "data": {"radius": 1.0, **params["data"]},
                },
            )
            for learner in train.LEARNERS:
                run = tmp_path / f"runs/{law}_d{d}_{learner}.npz"
                stages.train(
                    {"data": str(path)},
                    {"run": str(run)},
                    dict(learner=learner, seed=1, law=law, d=d, **SMALL),
                )
                runs.append(str(run))
    tables = {t: str(tmp_path / f"metrics/{t}.csv") for t in ("curves", "final", "decision")}
    stages.metrics({"runs": runs}, tables, {"target": 0.3, "radius": 1.0})
    first = (tmp_path / "metrics/final.csv").read_bytes()
    stages.metrics({"runs": runs}, tables, {"target": 0.3, "radius": 1.0})
    assert (tmp_path / "metrics/final.csv").read_bytes() == first  # byte-identical rerun
    final = pd.read_csv(tables["final"])
    assert final.groupby(["law", "d", "variant", "width", "seed"]).selected.sum().eq(1).all()
    style = "workflow/style/matplotlibrc"
    figures = ["error_vs_d", "decision_2d"]
    stages.figure(
        {"tables": list(tables.values()), "style": style},
        {k: [str(tmp_path / f"{f}.{k}") for f in figures] for k in ("pdf", "png")},
        {"figures": figures},
    )
    out = {k: str(tmp_path / f"{k}.out") for k in ("claims", "numbers", "settings", "results")}
    stages.claims({"tables": list(tables.values())}, out, params)
    verdicts = [c["verdict"] for c in json.loads((tmp_path / "claims.out").read_text())]
    assert len(verdicts) == 3
    numbers = json.loads((tmp_path / "numbers.out").read_text())
    assert all(name.startswith("Dsep") and name.isalpha() for name in numbers)
