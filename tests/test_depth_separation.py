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


DSEP_LAWS = {"lomax": LAWS["lomax"], "uniform": LAWS["uniform"]}
GOOD = ([0.01, 0.02, 0.03], [0.02, 0.1, 0.2], [0.02, 0.105, 0.21])  # separation, plateau
NONE = ([0.01, 0.02, 0.03], [0.02, 0.02, 0.02], [0.2, 0.2, 0.2])  # shallow nets keep learning


def _final(cases: dict, seeds=10) -> pd.DataFrame:
    """Per-seed `final` rows: {law: (depth-2 sq, one-hidden-layer sq at T, at T/2) per d}, each
    seed's errors the given ones times 1 ± 2% (so the intervals over seeds are tight)."""
    rng = np.random.default_rng(0)
    rows = []
    learners = (("depth2_gd", 8, 9, 25), ("relu_gd", 3, 30, 30))  # variant, width, params
    for law, (two, sh, half) in cases.items():
        for d, e2, es, eh in zip((2, 10, 50), two, sh, half, strict=True):
            for seed in range(seeds):
                j = 1 + 0.02 * rng.uniform(-1, 1, size=3)
                errors = ((e2 * j[0], e2), (es * j[1], eh * j[2]))  # (at T, at T/2)
                for (variant, width, trained, total), (end, mid) in zip(
                    learners, errors, strict=True
                ):
                    rows.append(
                        dict(
                            law=law,
                            d=d,
                            seed=seed,
                            selected=True,
                            steps_to_target=10.0,
                            variant=variant,
                            width=width,
                            params_trained=trained,
                            params_total=total,
                            test_sq=end,
                            test_01=end,
                            test_sq_half=mid,
                            test_01_half=mid,
                        )
                    )
    return pd.DataFrame(rows)


def _plateau(cases):
    final = _final(cases)
    return claims.shallow_gap(claims.medians(final), final, DSEP_LAWS)[0]


def test_criteria_on_constructed_cases():
    final = _final({"lomax": GOOD, "uniform": NONE})
    med = claims.medians(final)
    assert claims.depth2_learns(med)[0]["verdict"] == "consistent"  # a bound met with room
    learns = claims.depth2_learns(med, final)[0]
    assert learns["verdict"] == "consistent" and learns["trials"] == 10
    assert learns["interval"] is not None
    # separation on the heavy-tailed law, none on the uniform law (the control): reproduced
    c = _plateau({"lomax": GOOD, "uniform": NONE})
    assert c["verdict"] == "reproduced" and c["control"]["verdict"] == "rejected"
    assert c["trials"] == 10 and c["interval"] is not None
    assert {p["part"] for p in c["parts"]} == {"ratio", "stall", "growth"}
    # one-hidden-layer nets that keep improving and match depth 2: not reproduced
    assert _plateau({"lomax": NONE, "uniform": NONE})["verdict"] == "not reproduced"
    bad = claims.medians(_final({"lomax": ([0.01, 0.2, 0.03], *GOOD[1:]), "uniform": NONE}))
    assert claims.depth2_learns(bad)[0]["verdict"] == "partial"


def test_a_plateau_on_the_control_law_too_means_the_criterion_cannot_fail():
    c = _plateau({"lomax": GOOD, "uniform": GOOD})
    assert c["control"]["verdict"] == "passes" and c["criterion_cannot_fail"]
    assert c["verdict"] == "inconclusive"


def test_plateau_interval_resamples_seeds():
    final = _final({"lomax": GOOD, "uniform": NONE})
    m = claims.plateau_measures(final, "lomax")["ratio"][0]
    assert m.estimate == pytest.approx(min(0.1 / 0.02, 0.2 / 0.03), rel=0.05)
    assert m.interval[0] <= m.estimate <= m.interval[1]
    assert m.interval[1] - m.interval[0] < 0.1 * m.estimate


def test_budgets_hold_by_construction_of_the_widths():
    final = _final({"lomax": GOOD})
    assert claims.budgets(final)[0]  # 30 >= 9 trained and 30 >= 25 in total
    final.loc[final.variant == "relu_gd", ["params_trained", "params_total"]] = 5
    assert not claims.budgets(final)[0]
    for d in (2, 10, 100):
        for k in (4, 16):
            trained, total = models.depth2_params(d, k)
            narrow = models.shallow_params(d, models.shallow_width(d, trained, 1))[0]
            wide = models.shallow_params(d, models.shallow_width(d, trained, 3))[0]
            assert narrow >= trained and wide >= total


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
    assert len(verdicts) == 2
    numbers = json.loads((tmp_path / "numbers.out").read_text())
    assert all(name.startswith("Dsep") and name.isalpha() for name in numbers)
