"""Verdicts of the splines family, from the metrics tables, by the criteria in criteria.csv.

Written before the first paper-scale run (also stated in paper/sections/splines.tex).
"Final nets" are the trained nets that did not diverge; medians are over trials, with a
percentile-bootstrap interval over trials where one median per setting is judged.

Negative control: the same nets trained without weight decay (λ = 0, at the widest width, in the
same batch as the λ grid). Every claim's measurements are computed by one function of a frame of
nets, called once on the nets of the λ grid and once on the control nets, and the control's are
judged by the same criteria (`judged(..., control=...)`).
"""

import numpy as np

from sparsenets.common import criteria, stats
from sparsenets.common.claims import Measurement, family_judge
from sparsenets.common.io import write_json, write_text
from sparsenets.common.latex import NONE, escape, format_number, listing, tabular
from sparsenets.splines.figures import setting_n, tables, wide

SOURCE = "Parhi & Nowak (SIMODS 2022)"
SAVARESE = "Savarese, Evron, Soudry, Srebro (COLT 2019)"
CRITERIA = criteria.load("splines")
judge = family_judge(CRITERIA, SOURCE)
BALANCED = CRITERIA["splines-rebalancing"][0].threshold[0]
GAP_MAX = CRITERIA["splines-optimum"][0].threshold[0]
NOSKIP_BAND = CRITERIA["splines-noskip-cost"][0].threshold
# The gate of the deep nets' verdicts (fixed with the criteria, before the measures were run):
# near stationary (relative gradient at most GATE_GRAD) and fitting (relative training MSE at
# most GATE_FIT, so the first layer carries directions at all).
GATE_GRAD, GATE_FIT = 0.1, 0.5
NONE_METHOD = "none (one value per setting)"
NONE_VALUE = "n/a"


def _final(n):
    """The nets of the λ grid that did not diverge."""
    return n[~n.diverged.astype(bool) & (n.lam > 0)]


def _control(n):
    """The negative-control nets (λ = 0: no weight decay) that did not diverge."""
    return n[~n.diverged.astype(bool) & (n.lam == 0)]


def _oned(t):
    n = wide(t["oned"]["nets"]).assign(N=lambda f: f.setting.map(setting_n))
    return n.assign(kind=n.setting.str.split("-").str[1])


def _medians(groups, label) -> list:
    """One measurement per group: the median over trials and its bootstrap interval."""
    return [
        Measurement(f"{label}={k}", float(np.median(x)), stats.bootstrap(x, seed=int(k)))
        for k, x in groups
    ]


def _ntrials(n) -> int:
    return int(n.trial.nunique())


def _rebalance_parts(shallow):
    gap = max(float(n.rebalanced_gap.max()) for n in shallow)
    change = max(float(n.rebalanced_change.max()) for n in shallow)
    both = np.concatenate([n[["lam", "decay_excess"]].to_numpy() for n in shallow])
    lams = sorted(set(both[:, 0]))
    per_lam = [both[both[:, 0] == lam, 1] for lam in lams]
    excess = [float(np.median(x)) for x in per_lam]
    balance = [
        Measurement(f"λ={lam:g}", e, stats.bootstrap(x, seed=i))
        for i, (lam, e, x) in enumerate(zip(lams, excess, per_lam, strict=True))
    ]
    # The rebalancing identity itself (gap, change) is algebra: a unit test checks it, the text
    # reports it; the claim is that the trained nets are balanced.
    return {"balance": balance}, {"gap": gap, "change": change, "lams": lams, "excess": excess}


def rebalance(t):
    nets = [wide(t[e]["nets"]) for e in ("oned", "highd")]
    shallow = [_final(n) for n in nets]
    parts, r = _rebalance_parts(shallow)
    control, rc = _rebalance_parts([_control(n) for n in nets])
    c = judge(
        "splines-rebalancing",
        parts,
        min(_ntrials(n) for n in shallow),
        "95% percentile bootstrap over nets of the median",
        ["splines/figures/balance.pdf", "splines/metrics/oned_nets.csv"],
        statement="Nets trained with weight decay are balanced, |v_k| = ‖w_k‖, so that ½·(sum of "
        "squared weights) equals the path norm (rebalancing reaches it without changing the "
        "function: algebra, checked by a unit test).",
        control=control,
    )
    return c, {**r, "control": rc}


def _best(n):
    return n[(n.width == n.width.max()) & np.isclose(n.lam, n.lam.min())]


def _setting_key(s):
    """oned-random-N10 → ("random", 10), highd-d5 → ("d", 5): settings in the order of N or d."""
    last = s.rsplit("-", 1)[1]
    return s.split("-")[1].rstrip("0123456789"), int(last.lstrip("Nd"))


def _optimum_parts(o, prefix="oned-", count="knots_star"):
    """Per setting: the median over trials of each trial's median (over λ, width and skip) of
    J_net/J* − 1 and of rms(f_net − f*)/√J*; bootstrap intervals over trials. The medians also of
    the constructed minimiser's `count` (knots or neurons)."""
    o = o[~o.diverged.astype(bool)].assign(
        gap=lambda f: f.j_net / f.j_star - 1, fit=lambda f: f.fit_rms / np.sqrt(f.j_star)
    )
    per_trial = o.groupby(["setting", "trial"])[["gap", "fit"]].median().reset_index()
    order = sorted(per_trial.setting.unique(), key=_setting_key)
    parts = {
        part: [
            Measurement(
                setting.removeprefix(prefix),
                float(np.median(x := per_trial[per_trial.setting == setting][part].to_numpy())),
                stats.bootstrap(x, seed=i),
            )
            for i, setting in enumerate(order)
        ]
        for part in ("gap", "fit")
    }
    # The judged statistic (median over trials of each trial's median), and the count's median.
    med = per_trial.groupby("setting")[["gap", "fit"]].median().loc[order]
    med = med.join(o.groupby("setting")[count].median())
    return parts, med.assign(
        reached=o.groupby("setting").gap.apply(lambda g: (g <= GAP_MAX).mean())
    )


def optimum(t):
    o = t["oned"]["optimum"]
    parts, med = _optimum_parts(o[o.lam > 0])
    control, control_med = _optimum_parts(o[o.lam == 0])
    c = judge(
        "splines-optimum",
        parts,
        int(o[o.lam > 0].trial.nunique()),
        stats.bootstrap_method(int(o[o.lam > 0].trial.nunique())),
        ["splines/figures/optimum.pdf", "splines/metrics/oned_optimum.csv"],
        statement="A 1-D ReLU net trained with weight decay λ minimises (1/N)Σ(f(x_i) − y_i)² + "
        "λ·R(f), R = ∫|f''| with a skip connection (Savarese et al.: max(∫|f''|, |f'(−∞) + "
        "f'(+∞)|) without); some minimiser is a linear spline with at most N − 2 knots.",
        control=control,
    )
    return c, {"med": med, "control": control_med}


def highd_optimum(t):
    o = t["highd"]["optimum"]
    parts, med = _optimum_parts(o[o.lam > 0], "highd-", "neurons_star")
    control, control_med = _optimum_parts(o[o.lam == 0], "highd-", "neurons_star")
    trained = o[o.lam > 0]
    c = judge(
        "splines-highd-optimum",
        parts,
        int(trained.trial.nunique()),
        stats.bootstrap_method(int(trained.trial.nunique())),
        ["splines/figures/optimum.pdf", "splines/metrics/highd_optimum.csv"],
        statement="A two-layer ReLU net with a skip connection trained with weight decay λ on "
        "N points in d > 1 dimensions minimises (1/N)Σ(f(x_i) − y_i)² + λ·R(f), R its "
        "representational cost (the R-TV² seminorm); some minimiser has at most N − (d + 1) "
        "neurons.",
        control=control,
    )
    certified = ((o.j_star - o.j_lower) / o.j_star).max()
    caps = trained.groupby("setting").n.first() - trained.groupby("setting").dim.first() - 1
    return c, {"med": med, "control": control_med, "certified": certified, "caps": caps}


def _noskip_parts(o):
    """Trend data, widest width, smallest λ: the no-skip net's path norm (the cost it pays) over
    the cost R(f*) of the exact no-skip optimum, and the no-skip/skip path-norm ratio over the
    exact optima's cost ratio, per N."""
    o = o[~o.diverged.astype(bool) & o.setting.str.contains("trend")]
    b = o[(o.width == o.width.max()) & np.isclose(o.lam_eval, o.lam_eval.min())]
    b = b.assign(N=b.setting.map(setting_n))
    s = b[b.skip == 1].set_index(["N", "trial"])
    ns = b[b.skip == 0].set_index(["N", "trial"])
    cost = ns.path_norm / ns.r_star
    predicted = ns.r_star / s.r_star
    rel_trials = (ns.path_norm / s.path_norm / predicted).dropna()
    parts = {
        "cost": _medians(((k, g.to_numpy()) for k, g in cost.groupby("N")), "N"),
        "ratio": _medians(((k, g.to_numpy()) for k, g in rel_trials.groupby("N")), "N"),
    }
    r = {
        "ratio": cost.groupby("N").median(),
        "rel": rel_trials.groupby("N").median(),
        "pred": predicted.groupby("N").median(),
    }
    return b, parts, r


def no_skip(t):
    o = t["oned"]["optimum"]
    b, parts, r = _noskip_parts(o[o.lam > 0])
    _, control, rc = _noskip_parts(o[o.lam == 0])
    c = judge(
        "splines-noskip-cost",
        parts,
        int(b.trial.nunique()),
        stats.bootstrap_method(int(b.trial.nunique())),
        ["splines/figures/noskip.pdf", "splines/metrics/oned_optimum.csv"],
        statement="Without the skip connection the learned cost is max(∫|f''|, |f'(−∞)+f'(+∞)|) "
        "at the minimiser of the regularised objective; on trend data it exceeds the skip net's.",
        source=SAVARESE,
        control=control,
    )
    return c, {**r, "control": rc}


def _highd_parts(n):
    n = n.assign(dim=lambda f: f.setting.str.removeprefix("highd-d").astype(int))
    slack = (n.path_norm / n.rtv).groupby(n.dim).min()
    small = n[np.isclose(n.lam, n.lam.min())]
    act = small.groupby("dim").active.median()
    cap = small.groupby("dim").max_active.first()
    ratio = small.groupby("dim").apply(
        lambda g: float(np.median(g.rtv / g.path_norm)), include_groups=False
    )
    share = small.active / small.max_active
    parts = {
        "bound": [Measurement(f"d={d}", float(v)) for d, v in slack.items()],
        "active": _medians(((k, g.to_numpy()) for k, g in share.groupby(small.dim)), "d"),
    }
    return parts, {"active": act, "cap": cap, "ratio": ratio}


def highd(t):
    n = _final(wide(t["highd"]["nets"]))
    parts, r = _highd_parts(n)
    control, rc = _highd_parts(_control(wide(t["highd"]["nets"])))
    c = judge(
        "splines-highd-rtv",
        parts,
        _ntrials(n),
        stats.bootstrap_method(_ntrials(n)),
        ["splines/figures/highd.pdf", "splines/metrics/highd_nets.csv"],
        statement="In d > 1 the path norm upper-bounds the R-TV² of the learned function (after "
        "merging duplicate and antipodal neurons) and few neurons are active.",
        control=control,
    )
    return c, {**r, "control": rc}


def _falls(r) -> bool:
    """Non-increasing along λ (columns, sorted) and lower at the largest λ than at the smallest."""
    return bool(np.all(np.diff(r) <= 0) and r[-1] < r[0])


def _ranks(n):
    """Described, not judged: per depth, whether the median effective rank falls along λ in both
    variants, and the rank of W_1 (mean over λ of the medians) with and without the skip."""
    med = n.groupby(["depth", "skip", "lam"])[["rank_mean", "rank_0", "test_mse"]].median()
    depths = sorted(n.depth.unique())
    falls = {
        d: all(_falls(med.loc[(d, skip)].rank_mean.sort_index().to_numpy()) for skip in (1, 0))
        for d in depths
    }
    absorbs = {d: tuple(float(med.loc[(d, skip)].rank_0.mean()) for skip in (1, 0)) for d in depths}
    return {"med": med, "falls": falls, "absorbs": absorbs}


def _gated(n, control=False):
    """The nets the deep verdicts read: fitting, and (with weight decay) near stationary."""
    ok = n.rel_mse <= GATE_FIT
    return n[ok if control else ok & (n.rel_grad <= GATE_GRAD)]


def _align_parts(g):
    """Per depth and skip variant: the median largest principal angle of W_1 against the needed
    directions; per depth: the skip nets' median share along p_3 (bootstrap over nets). Also the
    gated nets' count and medians per (depth, skip), for the text."""
    parts, counts = {"aligns": [], "linear": []}, {}
    for (depth, skip), x in g.groupby(["depth", "skip"]):
        counts[(depth, skip)] = len(x)
        if len(x) < 2:
            continue
        label = f"L={depth} {'skip' if skip else 'no skip'}"
        seed = int(depth) * 2 + int(skip)
        a, share = x.angle.to_numpy(), x.linear_share.to_numpy()
        parts["aligns"].append(
            Measurement(label, float(np.median(a)), stats.bootstrap(a, seed=seed))
        )
        if skip:
            parts["linear"].append(
                Measurement(
                    f"L={depth}", float(np.median(share)), stats.bootstrap(share, seed=seed)
                )
            )
    med = g.groupby(["depth", "skip"])[["angle", "linear_share"]].median()
    return parts, counts, med


def deep(t):
    nets = wide(t["deep"]["nets"])
    n = _final(nets)
    gated = _gated(n)
    parts, counts, med = _align_parts(gated)
    control, _, control_med = _align_parts(_gated(_control(nets), control=True))
    c = judge(
        "splines-deep-low-rank",
        parts,
        _ntrials(n),
        "95% percentile bootstrap over the gated nets of the median",
        [
            "splines/figures/rank.pdf",
            "splines/figures/spectra.pdf",
            "splines/metrics/deep_nets.csv",
        ],
        statement="Deep ReLU nets trained with weight decay have first layers of the rank the "
        "target needs, aligned with its directions; a skip connection absorbs the linear part.",
        control=control,
    )
    return c, {
        **_ranks(n),
        "align": med,
        "counts": counts,
        "gated_lams": sorted(gated.lam.unique()),
        "total": n.groupby(["depth", "skip"]).size().to_dict(),
        "control_align": control_med,
    }


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
            f"{o['trials']} ({o['control_trials']} at $\\lambda=0$)",
            opt(o),
        ],
        [
            "$d>1$",
            "random labels",
            f"$N={h['n']}$, $d=$ " + ", ".join(map(str, h["dims"])),
            str(h["width"]),
            grid(h["lambdas"]),
            f"{h['trials']} ({h['control_trials']} at $\\lambda=0$)",
            opt(h),
        ],
        [
            "deep",
            f"$D={d['input_dim']}$, $N={d['n']}$",
            "$L=$ " + ", ".join(map(str, d["depths"])),
            str(d["width"]),
            grid(d["lambdas"]),
            f"{d['trials']} ({d['control_trials']} at $\\lambda=0$)",
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
        "SplOptSettings": listing(escape(s.removeprefix("oned-")) for s in r2["med"].index),
        "SplOptGaps": listing(fmt(x) for x in r2["med"].gap),
        "SplOptFits": listing(fmt(x) for x in r2["med"].fit),
        "SplOptReached": listing(fmt(x) for x in r2["med"].reached),
        "SplOptKnots": listing(fmt(x) for x in r2["med"].knots_star),
        "SplOptKnotCaps": listing(setting_n(s) - 2 for s in r2["med"].index),
        "SplOptMax": fmt(GAP_MAX),
        "SplOptFitMax": fmt(CRITERIA["splines-optimum"][1].threshold[0]),
        "SplNoskipDev": listing(fmt(x - 1) for x in r3["ratio"]),
        "SplNoskipRelDev": listing(fmt(x - 1) for x in r3["rel"]),
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
    n.update(_align_numbers(r5))
    n.update(_control_numbers(r1, r2, r3, r4, cfg))
    for c in claims:
        name = "".join(w.capitalize() for w in c["id"].split("-")[1:])
        n[f"SplVerdict{name}"] = c["verdict"]
        n[f"SplControl{name}"] = c["control"]["verdict"]
    return n


def _highd_optimum_numbers(r) -> dict:
    fmt = format_number
    med, ctl = r["med"], r["control"]
    return {
        "SplHdOptDims": listing((s.removeprefix("highd-d") for s in med.index), math=True),
        "SplHdOptGaps": listing(fmt(x) for x in med.gap),
        "SplHdOptFits": listing(fmt(x) for x in med.fit),
        "SplHdOptReached": listing(fmt(x) for x in med.reached),
        "SplHdOptNeurons": listing(fmt(x) for x in med.neurons_star),
        "SplHdOptCaps": listing(int(r["caps"][s]) for s in med.index),
        "SplHdOptCertified": fmt(r["certified"]),
        "SplCtlHdOptGaps": listing(fmt(x) for x in ctl.gap),
        "SplCtlHdOptFits": listing(fmt(x) for x in ctl.fit),
    }


def _align_numbers(r5) -> dict:
    """The deep nets' alignment, per depth: gated nets and medians (n/a: no net passed)."""
    fmt = format_number
    depths = sorted({d for d, _ in r5["total"]})

    def per_depth(frame, column, skip):
        return listing(
            fmt(frame.loc[(d, skip), column]) if (d, skip) in frame.index else NONE_VALUE
            for d in depths
        )

    n = {
        "SplDeepGateGrad": fmt(GATE_GRAD),
        "SplDeepGateFit": fmt(GATE_FIT),
        "SplDeepAlignDepths": listing(depths, math=True),
        "SplDeepGatedLambdas": listing(fmt(x) for x in r5["gated_lams"])
        if r5["gated_lams"]
        else NONE,
    }
    for skip, tag in [(1, "Skip"), (0, "NoSkip")]:
        n[f"SplDeepGated{tag}"] = listing(
            f"{r5['counts'].get((d, skip), 0)} of {r5['total'][(d, skip)]}" for d in depths
        )
        n[f"SplDeepAngles{tag}"] = per_depth(r5["align"], "angle", skip)
        n[f"SplCtlDeepAngles{tag}"] = per_depth(r5["control_align"], "angle", skip)
    n["SplDeepShare"] = per_depth(r5["align"], "linear_share", 1)
    n["SplDeepShareNoSkip"] = per_depth(r5["align"], "linear_share", 0)
    n["SplCtlDeepShare"] = per_depth(r5["control_align"], "linear_share", 1)
    return n


def _control_numbers(r1, r2, r3, r4, cfg) -> dict:
    """The negative control's numbers quoted in the text (λ = 0 nets)."""
    fmt = format_number
    return {
        "SplControlTrials": str(cfg["oned"]["control_trials"]),
        "SplControlTrialsDeep": str(cfg["deep"]["control_trials"]),
        "SplCtlBalanceExcess": listing(fmt(x) for x in r1["control"]["excess"]),
        "SplCtlOptGaps": listing(fmt(x) for x in r2["control"].gap),
        "SplCtlOptSettings": listing(escape(s.removeprefix("oned-")) for s in r2["control"].index),
        "SplCtlNoskipRatios": listing(fmt(x) for x in r3["control"]["ratio"]),
        "SplCtlNoskipRel": listing(fmt(x) for x in r3["control"]["rel"]),
        "SplCtlHighdActive": listing(fmt(x) for x in r4["control"]["active"]),
    }


def report(paths, outputs, params) -> None:
    t = tables(paths, controls=True)
    cfg = params["config"]
    c1, r1 = rebalance(t)
    c2, r2 = optimum(t)
    c3, r3 = no_skip(t)
    c4, r4 = highd(t)
    c5, r5 = deep(t)
    c6, r6 = highd_optimum(t)
    claims = [c1, c2, c6, c3, c4, c5]
    write_json(outputs["claims"], claims)
    numbers_ = numbers(t, r1, r2, r3, r4, r5, claims, cfg)
    write_json(outputs["numbers"], {**numbers_, **_highd_optimum_numbers(r6)})
    write_text(outputs["settings"], settings_table(cfg))
    write_text(outputs["oned"], oned_table(t))
    write_text(outputs["residuals"], residuals_table(t))
