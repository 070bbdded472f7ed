"""Verdicts of the splines family, from the metrics tables, by the fixed criteria below.

Criteria (also stated in paper/sections/splines.tex; written before the first paper-scale run).
"Final nets" are the trained nets that did not diverge; medians are over trials.
1 rebalance   (a) every final shallow net (1-D and d > 1): rebalancing changes ½·WD into the path
              norm to relative 1e-9 and the function on the data by at most 1e-9 (relative);
              (b) for every λ: median of ½·WD / path norm − 1 over the final shallow nets
              ≤ 1e-2 (balance at the trained point). 1 + #λ sub-criteria.
2 skip        random 1-D data, skip, widest width, smallest λ, per N: (a) median ∫|f''| /
              min over interpolants in [0.95, 1.05]; (b) median active-knot count ≤ N − 2.
3 no skip     trend 1-D data, widest width, smallest λ, per N: (a) median of the learned no-skip
              cost max(∫|f''|, |f'(−∞)+f'(+∞)|) / its minimum over interpolants in [0.9, 1.1];
              (b) median over trials of (no-skip path norm / skip path norm) divided by the
              predicted ratio max(D, (D+|S|)/2) / D in [0.9, 1.1].
4 d > 1       per d: (a) every final net has path norm ≥ R-TV² (relative slack 1e-9);
              (b) at the smallest λ, median active neurons ≤ N − (d + 1).
5 deep        per depth: (a) in both variants, median effective rank (mean over hidden layers)
              non-increasing along the λ grid and lower at the largest λ than at the smallest;
              (b) effective rank of W_1, median over trials and averaged over λ, lower with the
              skip connection than without.
Sub-criteria: all met → reproduced, some → partial, none → not reproduced.
"""

import numpy as np

from sparsenets.common.claims import claim, verdict_from
from sparsenets.common.io import write_json, write_text
from sparsenets.common.latex import NONE, escape, format_number, listing, tabular
from sparsenets.splines.figures import setting_n, tables, wide

SOURCE = "Parhi & Nowak (SIMODS 2022)"
SAVARESE = "Savarese, Evron, Soudry, Srebro (COLT 2019)"
EXACT = 1e-9
BALANCED = 1e-2
TV_BAND = (0.95, 1.05)
NOSKIP_BAND = (0.9, 1.1)


def _final(n):
    return n[~n.diverged.astype(bool)]


def _oned(t):
    n = wide(t["oned"]["nets"]).assign(N=lambda f: f.setting.map(setting_n))
    return n.assign(kind=n.setting.str.split("-").str[1])


def rebalance(t):
    shallow = [_final(wide(t[e]["nets"])) for e in ("oned", "highd")]
    gap = max(float(n.rebalanced_gap.max()) for n in shallow)
    change = max(float(n.rebalanced_change.max()) for n in shallow)
    both = np.concatenate([n[["lam", "decay_excess"]].to_numpy() for n in shallow])
    lams = sorted(set(both[:, 0]))
    excess = [float(np.median(both[both[:, 0] == lam, 1])) for lam in lams]
    passed = int(gap <= EXACT and change <= EXACT) + sum(e <= BALANCED for e in excess)
    c = claim(
        id="splines-rebalancing",
        source=SOURCE,
        statement="Rebalancing turns ½·(sum of squared weights) into the path norm without "
        "changing the function; trained nets are balanced, |v_k| = ‖w_k‖.",
        measure="max relative gap ½WD(rebalanced) vs path norm; max function change; median "
        "½WD/path norm − 1 per λ = " + ", ".join(f"{x:g}" for x in lams),
        value=[gap, change, *excess],
        expected=f"gap and change <= {EXACT:g}; median excess <= {BALANCED:g} at every λ",
        verdict=verdict_from(passed, 1 + len(lams)),
        evidence=["splines/figures/balance.pdf", "splines/metrics/oned_nets.csv"],
    )
    return c, {"gap": gap, "change": change, "lams": lams, "excess": excess}


def _best(n):
    return n[(n.width == n.width.max()) & np.isclose(n.lam, n.lam.min())]


def skip_spline(t):
    n = _final(_oned(t))
    b = _best(n[(n.kind == "random") & (n.skip == 1)])
    med = b.assign(ratio=b.rtv / b.tv_min).groupby("N")[["ratio", "n_knots", "rel_mse"]].median()
    ok_tv = med.ratio.between(*TV_BAND)
    ok_knots = med.n_knots <= med.index - 2
    c = claim(
        id="splines-skip-min-tv",
        source=SOURCE,
        statement="A wide 1-D ReLU net with skip, trained with small weight decay, is a linear "
        "spline with minimal ∫|f''| over interpolants and at most N − 2 knots.",
        measure="random data, widest net, smallest λ, per N = "
        + ", ".join(map(str, med.index))
        + ": median TV ratio; median active knots",
        value=[med.ratio.round(4).tolist(), med.n_knots.tolist()],
        expected=f"ratio in [{TV_BAND[0]}, {TV_BAND[1]}]; knots <= N - 2",
        verdict=verdict_from(int(ok_tv.sum() + ok_knots.sum()), 2 * len(med)),
        evidence=["splines/figures/tv_ratio.pdf", "splines/figures/functions.pdf"],
    )
    return c, med


def no_skip(t):
    n = _final(_oned(t))
    b = _best(n[n.kind == "trend"])
    s = b[b.skip == 1].set_index(["N", "trial"])
    ns = b[b.skip == 0].set_index(["N", "trial"])
    ratio = (ns.noskip_cost / ns.noskip_min).groupby("N").median()
    predicted = ns.noskip_min / s.tv_min
    measured = ns.path_norm / s.path_norm
    rel = (measured / predicted).dropna().groupby("N").median()
    pred = predicted.groupby("N").median()
    passed = int(ratio.between(*NOSKIP_BAND).sum() + rel.between(*NOSKIP_BAND).sum())
    c = claim(
        id="splines-noskip-cost",
        source=SAVARESE,
        statement="Without the skip connection the learned cost is max(∫|f''|, |f'(−∞)+f'(+∞)|), "
        "minimised over interpolants; on trend data it exceeds the skip net's.",
        measure="trend data, widest net, smallest λ, per N = "
        + ", ".join(map(str, ratio.index))
        + ": median learned/min no-skip cost; median measured/predicted cost ratio",
        value=[ratio.round(4).tolist(), rel.round(4).tolist()],
        expected=f"both in [{NOSKIP_BAND[0]}, {NOSKIP_BAND[1]}] for every N",
        verdict=verdict_from(passed, len(ratio) + len(rel)),
        evidence=["splines/figures/noskip.pdf", "splines/metrics/oned_nets.csv"],
    )
    return c, {"ratio": ratio, "rel": rel, "pred": pred}


def highd(t):
    n = _final(wide(t["highd"]["nets"])).assign(
        dim=lambda f: f.setting.str.removeprefix("highd-d").astype(int)
    )
    bound = n.groupby("dim").apply(
        lambda g: bool((g.path_norm >= g.rtv * (1 - EXACT)).all()), include_groups=False
    )
    small = n[np.isclose(n.lam, n.lam.min())].groupby("dim")
    act = small.active.median()
    cap = small.max_active.first()
    ratio = small.apply(lambda g: float(np.median(g.rtv / g.path_norm)), include_groups=False)
    c = claim(
        id="splines-highd-rtv",
        source=SOURCE,
        statement="In d > 1 the path norm upper-bounds the R-TV² of the learned function (after "
        "merging duplicate and antipodal neurons) and few neurons are active.",
        measure="per d = " + ", ".join(map(str, act.index)) + ": bound holds for all nets; "
        "median active neurons at the smallest λ",
        value=[bound.astype(int).tolist(), act.tolist()],
        expected="bound everywhere; active <= N - (d + 1) = " + ", ".join(map(str, cap)),
        verdict=verdict_from(int(bound.sum() + (act <= cap).sum()), 2 * len(act)),
        evidence=["splines/figures/highd.pdf", "splines/metrics/highd_nets.csv"],
    )
    return c, {"active": act, "cap": cap, "ratio": ratio}


def deep(t):
    n = _final(wide(t["deep"]["nets"]))
    med = n.groupby(["depth", "skip", "lam"])[["rank_mean", "rank_0", "test_mse"]].median()
    falls, absorbs, values = {}, {}, []
    for depth in sorted(n.depth.unique()):
        ok = True
        for skip in (1, 0):
            r = med.loc[(depth, skip)].rank_mean.sort_index().to_numpy()
            ok &= bool(np.all(np.diff(r) <= 0) and r[-1] < r[0])
            values.append(r.tolist())
        falls[depth] = ok
        r1 = med.loc[(depth, 1)].rank_0.mean()
        r0 = med.loc[(depth, 0)].rank_0.mean()
        absorbs[depth] = (float(r1), float(r0))
    passed = sum(falls.values()) + sum(a < b for a, b in absorbs.values())
    c = claim(
        id="splines-deep-low-rank",
        source=SOURCE,
        statement="Deep ReLU nets trained with weight decay have low-rank weight matrices: "
        "effective rank falls as λ grows; a skip connection absorbs the linear part.",
        measure="per depth, per variant (skip, none): median effective rank (mean over hidden "
        "layers) along λ; then W_1 rank averaged over λ (skip, none) per depth",
        value=[*values, *[list(v) for v in absorbs.values()]],
        expected="non-increasing and lower at the largest λ; W_1 rank lower with skip",
        verdict=verdict_from(passed, 2 * len(falls)),
        evidence=["splines/figures/rank.pdf", "splines/figures/spectra.pdf"],
    )
    return c, {"med": med, "falls": falls, "absorbs": absorbs}


def settings_table(cfg) -> str:
    o, h, d = cfg["oned"], cfg["highd"], cfg["deep"]

    def grid(xs):
        return ", ".join(format_number(x) for x in xs)

    def opt(c):
        p = c["optimizer"]
        return (
            f"Adam {p['adam_steps']} ({format_number(p['lr'])}$\\to${format_number(p['lr_final'])})"
            f" + GD {p['gd_steps']} ({format_number(p['gd_lr'])})"
        )

    rows = [
        [
            "1-D",
            escape(", ".join(o["kinds"])),
            "$N=$ " + ", ".join(map(str, o["n"])),
            ", ".join(map(str, o["widths"])),
            grid(o["lambdas"]),
            str(o["trials"]),
            opt(o),
        ],
        [
            "$d>1$",
            "random labels",
            f"$N={h['n']}$, $d=$ " + ", ".join(map(str, h["dims"])),
            str(h["width"]),
            grid(h["lambdas"]),
            str(h["trials"]),
            opt(h),
        ],
        [
            "deep",
            f"$D={d['input_dim']}$, $N={d['n']}$",
            "$L=$ " + ", ".join(map(str, d["depths"])),
            str(d["width"]),
            grid(d["lambdas"]),
            str(d["trials"]),
            opt(d),
        ],
    ]
    return tabular(
        "lllllrl",
        ["experiment", "data", "settings", "width", r"$\lambda$", "trials", "optimiser"],
        rows,
    )


def oned_table(t) -> str:
    n = _best(_final(_oned(t)))
    rows = []
    for (kind, N), g in n.groupby(["kind", "N"]):
        s, ns = g[g.skip == 1], g[g.skip == 0]
        rows.append(
            [
                kind,
                str(N),
                format_number(float(s.rel_mse.median())),
                format_number(float((s.rtv / s.tv_min).median())),
                format_number(float(s.n_knots.median())),
                format_number(float((ns.noskip_cost / ns.noskip_min).median())),
                format_number(float(ns.n_knots.median())),
                format_number(float(s.grad_norm.median())),
                format_number(float(s.balance_residual.median())),
            ]
        )
    return tabular(
        "lrrrrrrrr",
        [
            "data",
            "$N$",
            "rel.\\ MSE",
            r"$\frac{\|f''\|}{\min}$",
            "knots",
            r"$\frac{\text{cost}}{\min}$ (no skip)",
            "knots (no skip)",
            r"$\|\nabla J\|$",
            "balance res.",
        ],
        rows,
    )


def residuals_table(t) -> str:
    """Median residuals per experiment and λ over every final net: is the trained point a
    minimiser? (Relative to λ‖w‖; balance: neurons for shallow nets, layers for deep ones.)"""
    rows = []
    for experiment in ("oned", "highd", "deep"):
        n = _final(wide(t[experiment]["nets"]))
        shallow = experiment != "deep"
        for lam, g in n.groupby("lam"):
            rows.append(
                [
                    experiment,
                    format_number(float(lam)),
                    str(len(g)),
                    format_number(float(g.rel_mse.median())),
                    format_number(float(g.rel_grad.median())),
                    format_number(float(g.rel_smooth.median())) if shallow else "--",
                    format_number(
                        float((g.balance_residual if shallow else g.layer_balance).median())
                    ),
                ]
            )
    return tabular(
        "lrrrrrr",
        [
            "experiment",
            r"$\lambda$",
            "nets",
            "rel.\\ MSE",
            r"$\frac{\|\nabla J\|}{\lambda\|w\|}$",
            r"$\frac{\|\nabla_{\text{smooth}} J\|}{\lambda\|w\|}$",
            "balance res.",
        ],
        rows,
    )


def numbers(t, r1, r2, r3, r4, r5, claims, cfg) -> dict:
    fmt = format_number
    n = {
        "SplRebalGap": fmt(r1["gap"]),
        "SplRebalChange": fmt(r1["change"]),
        "SplBalanceExcess": listing(fmt(x) for x in r1["excess"]),
        "SplBalanceLambdas": listing(fmt(x) for x in r1["lams"]),
        "SplLambdaMin": fmt(min(cfg["oned"]["lambdas"])),
        "SplWidthMax": str(max(cfg["oned"]["widths"])),
        "SplTvRatios": listing(fmt(x) for x in r2.ratio),
        "SplKnots": listing(fmt(x) for x in r2.n_knots),
        "SplRelMse": listing(fmt(x) for x in r2.rel_mse),
        "SplOnedNs": listing(r2.index, math=True),
        "SplKnotCaps": listing(i - 2 for i in r2.index),
        "SplNoskipRatios": listing(fmt(x) for x in r3["ratio"]),
        "SplNoskipRel": listing(fmt(x) for x in r3["rel"]),
        "SplNoskipPred": listing(fmt(x) for x in r3["pred"]),
        "SplNoskipNs": listing(r3["ratio"].index, math=True),
        "SplHighdDims": listing(r4["active"].index, math=True),
        "SplHighdActive": listing(fmt(x) for x in r4["active"]),
        "SplHighdCaps": listing(int(x) for x in r4["cap"]),
        "SplHighdRatios": listing(fmt(x) for x in r4["ratio"]),
        "SplHighdN": str(cfg["highd"]["n"]),
        "SplDeepDepths": listing(r5["falls"], math=True),
        "SplDeepFalling": listing([d for d, ok in r5["falls"].items() if ok], math=True)
        if any(r5["falls"].values())
        else NONE,
        "SplDeepRankSkip": listing(fmt(a) for a, _ in r5["absorbs"].values()),
        "SplDeepRankNoSkip": listing(fmt(b) for _, b in r5["absorbs"].values()),
        "SplDeepLambdas": listing(fmt(x) for x in cfg["deep"]["lambdas"]),
    }
    med = r5["med"].reset_index()
    deepest = med[med.depth == med.depth.max()]
    for skip, tag in [(1, "Skip"), (0, "NoSkip")]:
        g = deepest[deepest.skip == skip].sort_values("lam")
        n[f"SplDeepest{tag}Ranks"] = listing(fmt(x) for x in g.rank_mean)
        n[f"SplDeepest{tag}TestMse"] = listing(fmt(x) for x in g.test_mse)
    n["SplDeepest"] = str(int(med.depth.max()))
    for c in claims:
        name = "".join(w.capitalize() for w in c["id"].split("-")[1:])
        n[f"SplVerdict{name}"] = c["verdict"]
    return n


def report(paths, outputs, params) -> None:
    t = tables(paths)
    cfg = params["config"]
    c1, r1 = rebalance(t)
    c2, r2 = skip_spline(t)
    c3, r3 = no_skip(t)
    c4, r4 = highd(t)
    c5, r5 = deep(t)
    claims = [c1, c2, c3, c4, c5]
    write_json(outputs["claims"], claims)
    write_json(outputs["numbers"], numbers(t, r1, r2, r3, r4, r5, claims, cfg))
    write_text(outputs["settings"], settings_table(cfg))
    write_text(outputs["oned"], oned_table(t))
    write_text(outputs["residuals"], residuals_table(t))
