"""Verdicts of the diagonal family, from the metrics tables, by the fixed criteria below.

Criteria (also stated in paper/sections/diagonal.tex; 1-6 were written before the first
paper-scale run, 7 after it, to record the failed image recovery as a claim):
1 recovers      es_error: best median ‖w_t − w*‖² ≤ σ²k log(p)/n, for every depth.
2 window/depth  window length (iterations) non-decreasing in N, in each of es_error (error window),
                window_depth (error window) and es_paths (path window); 3 sub-criteria.
3 window/init   window_init: window length strictly decreasing in α (reproduced); only the
                largest α shorter than the smallest (partial).
4 depth/init    max_init: the largest α that recovers (criterion 1) is non-decreasing in N and
                larger at the deepest than at the shallowest; init_effects: best ‖w_t − w*‖²
                non-increasing in N; 2 sub-criteria.
5 incremental   incremental: for every depth, coordinates reach half their target in decreasing
                order of the target.
6 kernel        kernel: for every depth, median best GD error / median CV-ridge error in
                [0.8, 1.25] (early-stopped GD is within a factor 1.22 of ridge, Ali et al.
                2019), and the GD path stays within 0.1·‖w*‖ of the ridge path (median over
                trials); 2 sub-criteria.
7 image         image: the deepest network recovers every digit image with relative error
                ‖w_T − w*‖/‖w*‖ ≤ 0.1 at the end of the run.
Sub-criteria: all met → reproduced, some → partial, none → not reproduced.
"""

import numpy as np
import pandas as pd

from sparsenets.common.claims import claim, verdict_from
from sparsenets.common.io import write_json, write_text
from sparsenets.common.latex import NONE, escape, format_number, integer, listing, tabular
from sparsenets.diagonal.figures import _tables

SOURCE = "Li, Nguyen, Hegde, Wong (NeurIPS 2021)"
KERNEL_RATIO = (0.8, 1.25)
KERNEL_PATH_DIST = 0.1
IMAGE_REL_ERR = 0.1


def _summary(t, measure):
    """Series indexed by (depth, alpha) of one summary measure."""
    s = t["summary"]
    return s[s.measure == measure].set_index(["depth", "alpha"]).value.sort_index()


def _per_trial(t, measure):
    m = t["measures"]
    return m[m.measure == measure]


def nondecreasing(values) -> bool:
    return bool(np.all(np.diff(np.asarray(values, dtype=float)) >= 0))


def recovers(t) -> dict:
    best = _summary(t["es_error"], "median_best_err2").droplevel("alpha")
    floor = float(_summary(t["es_error"], "noise_floor").iloc[0])
    passed = int((best <= floor).sum())
    return claim(
        id="diagonal-early-stopping-recovers",
        source=SOURCE,
        statement="Early-stopped GD from small init recovers the sparse w* up to the noise floor.",
        measure="best median squared error over t, per N = " + ", ".join(map(str, best.index)),
        value=best.round(5).tolist(),
        expected=f"<= sigma^2 k log(p)/n = {floor:.4f} for every N",
        verdict=verdict_from(passed, len(best)),
        evidence=["diagonal/figures/es_error.pdf", "diagonal/metrics/es_error_summary.csv"],
    ), {"floor": floor, "best": best}


def window_lengths(t, experiment):
    return _summary(t[experiment], "window_length").droplevel("alpha")


def path_lengths(t):
    m = _per_trial(t["es_paths"], "path_window_length")
    return m.groupby("depth").value.median()


def window_depth(t) -> dict:
    series = {
        "es_error": window_lengths(t, "es_error"),
        "window_depth": window_lengths(t, "window_depth"),
        "es_paths": path_lengths(t),
    }
    passed = sum(nondecreasing(s.to_numpy()) for s in series.values())
    return claim(
        id="diagonal-window-grows-with-depth",
        source=SOURCE,
        statement="The early-stopping window widens as the depth N grows.",
        measure="window length in iterations against N, in es_error / window_depth / es_paths",
        value=[s.tolist() for s in series.values()],
        expected="non-decreasing in N in each of the three experiments",
        verdict=verdict_from(passed, len(series)),
        evidence=[
            "diagonal/figures/windows.pdf",
            "diagonal/figures/es_error.pdf",
            "diagonal/figures/es_paths.pdf",
        ],
    ), series


def window_init(t) -> dict:
    lengths = window_lengths_by_alpha(t)
    values = lengths.to_numpy()
    strict = bool(np.all(np.diff(values) < 0))
    verdict = "reproduced" if strict else "partial" if values[-1] < values[0] else "not reproduced"
    return claim(
        id="diagonal-small-init-wider-window",
        source=SOURCE,
        statement="A smaller initialisation enlarges the early-stopping window.",
        measure="window length (iterations) at alpha = "
        + ", ".join(f"{a:g}" for a in lengths.index),
        value=values.tolist(),
        expected="strictly decreasing in alpha",
        verdict=verdict,
        evidence=["diagonal/figures/windows.pdf", "diagonal/metrics/window_init_summary.csv"],
    ), lengths


def window_lengths_by_alpha(t):
    return _summary(t["window_init"], "window_length").droplevel("depth")


def largest_alpha(t) -> pd.Series:
    """Per depth, the largest alpha whose best median error is at most the floor (NaN: none)."""
    best = _summary(t["max_init"], "median_best_err2")
    floor = float(_summary(t["max_init"], "noise_floor").iloc[0])
    ok = best[best <= floor].reset_index()
    depths = sorted(best.index.get_level_values("depth").unique())
    return ok.groupby("depth").alpha.max().reindex(depths)


def depth_init(t) -> dict:
    amax = largest_alpha(t)
    a = amax.to_numpy()
    grows = bool(np.all(np.isfinite(a)) and nondecreasing(a) and a[-1] > a[0])
    best = _per_trial(t["init_effects"], "best_err2").groupby("depth").value.median()
    decreasing = bool(np.all(np.diff(best.to_numpy()) <= 0))
    return claim(
        id="diagonal-depth-tolerates-init",
        source=SOURCE,
        statement="Deeper networks still recover w* from a larger initialisation.",
        measure="largest recovering alpha per N = "
        + ", ".join(map(str, amax.index))
        + "; init_effects best error per N",
        value=[amax.tolist(), best.round(5).tolist()],
        expected="largest alpha non-decreasing in N and larger at the deepest; best error "
        "non-increasing in N at w0 = 2e-3",
        verdict=verdict_from(grows + decreasing, 2),
        evidence=["diagonal/figures/windows.pdf", "diagonal/figures/init_effects.pdf"],
    ), {"amax": amax, "init_best": best}


def incremental(t) -> dict:
    m = t["incremental"]["measures"]
    half = m[m.measure.str.startswith("t_half_") & (m.trial == 0)].copy()
    half["coord"] = half.measure.str.removeprefix("t_half_").astype(int)
    orders, passed = [], 0
    for _, d in half.groupby("depth"):
        times = d.sort_values("coord").value.to_numpy()  # targets 1, 2, …, k in coordinate order
        orders.append(times.tolist())
        passed += bool(np.all(np.isfinite(times)) and np.all(np.diff(times) < 0))
    return claim(
        id="diagonal-incremental-learning",
        source=SOURCE,
        statement="Coordinates are learned one at a time, largest first (incremental learning).",
        measure="iteration at which w_i first reaches w*_i/2, for w*_i = 1, 2, 3, 4, per N",
        value=orders,
        expected="strictly decreasing in w*_i for every N",
        verdict=verdict_from(passed, len(orders)),
        evidence=["diagonal/figures/incremental.pdf", "diagonal/metrics/incremental_measures.csv"],
    ), orders


def kernel(t) -> dict:
    m = t["kernel"]["measures"]
    med = m.groupby(["depth", "measure"]).value.median().unstack()
    ratio = med.best_err2 / med.ridge_err2
    close = bool(ratio.between(*KERNEL_RATIO).all())
    tracks = bool((med.ridge_path_dist <= KERNEL_PATH_DIST).all())
    return claim(
        id="diagonal-kernel-regime",
        source=SOURCE,
        statement="From a large initialisation GD behaves like the kernel regime: a ridge-like, "
        "non-sparse estimator.",
        measure="per N: median best GD error / median CV-ridge error; median max_t distance of "
        "w_t to the ridge path / ||w*||",
        value=[ratio.round(4).tolist(), med.ridge_path_dist.round(4).tolist()],
        expected=f"ratio in [{KERNEL_RATIO[0]}, {KERNEL_RATIO[1]}] and distance <= "
        f"{KERNEL_PATH_DIST} for every N",
        verdict=verdict_from(close + tracks, 2),
        evidence=["diagonal/figures/kernel.pdf", "diagonal/metrics/kernel_measures.csv"],
    ), {"ratio": ratio, "dist": med.ridge_path_dist, "med": med}


def image(t) -> dict:
    rel = _per_trial(t["image"], "rel_err_final").pivot(
        index="trial", columns="depth", values="value"
    )
    deepest = rel[rel.columns.max()]
    return claim(
        id="diagonal-image-recovery",
        source=SOURCE,
        statement="A deep diagonal network recovers a real image from n = p/2 random measurements.",
        measure="relative error ||w_T - w*|| / ||w*|| of the deepest network, per image",
        value=deepest.round(4).tolist(),
        expected=f"<= {IMAGE_REL_ERR} for every image",
        verdict=verdict_from(int((deepest <= IMAGE_REL_ERR).sum()), len(deepest)),
        evidence=["diagonal/figures/image.pdf", "diagonal/metrics/image_measures.csv"],
    ), rel


def settings_table(experiments: dict) -> str:
    def cell(v):
        if not isinstance(v, list):
            return format_number(v)
        if any(isinstance(x, list) for x in v):  # grids: their overall range
            flat = [y for x in v for y in (x if isinstance(x, list) else [x])]
            return rf"grid {format_number(min(flat))}\ldots{format_number(max(flat))}"
        return ", ".join(format_number(x) for x in v)

    rows = []
    for name, e in experiments.items():
        d = e["data"]
        init = ("$w_0=$ " + cell(e["w0"])) if "w0" in e else (r"$\alpha=$ " + cell(e["alpha"]))
        target = {
            "ones": f"{d['k']} ones",
            "ramp": f"$1..{d['k']}$",
            "gaussian": "dense Gaussian",
            "digits": "digit image",
        }[d["wstar"]]
        rows.append(
            [
                escape(name.replace("_", " ")),
                str(d["n"]),
                str(d["p"]),
                target,
                ", ".join(map(str, e["depths"])),
                init,
                cell(e["eta"]),
                cell(e["steps"]),
                str(d["trials"]),
            ]
        )
    return tabular(
        "lrrlllllr",
        ["experiment", "$n$", "$p$", "$w^\\star$", "$N$", "init", r"$\eta$", "steps", "trials"],
        rows,
    )


def windows_table(t) -> str:
    rows = []
    for experiment in ("es_error", "window_depth", "window_init"):
        s = t[experiment]["summary"].pivot_table(
            index=["depth", "alpha"], columns="measure", values="value"
        )
        for (depth, alpha), r in s.iterrows():
            censored = r.window_censored > 0
            rows.append(
                [
                    escape(experiment.replace("_", " ")),
                    str(depth),
                    format_number(alpha),
                    format_number(r.median_best_err2),
                    integer(r.window_start),
                    integer(r.window_end) + ("$^{+}$" if censored else ""),
                    integer(r.window_length),
                    f"{r.window_log10_width:.2f}",
                ]
            )
    return tabular(
        "lrrrrrrr",
        [
            "experiment",
            "$N$",
            r"$\alpha$",
            "best err.",
            "start",
            "end",
            "length",
            r"$\log_{10}$ width",
        ],
        rows,
    )


def numbers(t, rec, depth_series, by_alpha, tol, orders, ker, img, claims) -> dict:
    """Macros for the text: lists of values with their depths, so the prose fits every scale."""
    fmt = format_number
    n = {
        "DiagFloor": fmt(rec["floor"]),
        "DiagBestErrs": listing(fmt(v) for v in rec["best"]),
        "DiagEsDepths": listing(rec["best"].index, math=True),
    }
    for experiment, tag in [("es_error", "Err"), ("window_depth", "Depth"), ("es_paths", "Path")]:
        series = depth_series[experiment]
        n[f"DiagWindow{tag}s"] = listing(integer(v) for v in series)
        n[f"DiagWindow{tag}Depths"] = listing(series.index, math=True)
    wd = t["window_depth"]["summary"].pivot_table(index="depth", columns="measure", values="value")
    failing = wd.index[wd.median_best_err2 > wd.noise_floor]
    n["DiagWindowDepthAlpha"] = fmt(float(t["window_depth"]["summary"].alpha.iloc[0]))
    n["DiagWindowDepthFailing"] = listing(failing, math=True) if len(failing) else NONE
    wi = t["window_init"]["summary"].pivot_table(index="alpha", columns="measure", values="value")
    n["DiagWindowInitDepth"] = str(int(t["window_init"]["summary"].depth.iloc[0]))
    n["DiagWindowInits"] = listing(integer(v) for v in by_alpha)
    n["DiagWindowInitAlphas"] = listing((fmt(a) for a in by_alpha.index), math=True)
    bad = wi.index[wi.median_best_err2 > wi.noise_floor]
    n["DiagWindowInitFailing"] = listing((fmt(a) for a in bad), math=True) if len(bad) else NONE
    n["DiagMaxAlphas"] = listing("none" if not np.isfinite(a) else fmt(a) for a in tol["amax"])
    n["DiagMaxAlphaDepths"] = listing(tol["amax"].index, math=True)
    n["DiagInitBests"] = listing(fmt(v) for v in tol["init_best"])
    n["DiagInitDepths"] = listing(tol["init_best"].index, math=True)
    inc_depths = sorted(t["incremental"]["measures"].depth.unique())
    n["DiagIncrementalTimes"] = "; ".join(
        f"{', '.join(integer(x) for x in times)} for $N={d}$"
        for d, times in zip(inc_depths, orders, strict=True)
    )
    n["DiagKernelRatios"] = listing(fmt(v) for v in ker["ratio"])
    n["DiagKernelDists"] = listing(fmt(v) for v in ker["dist"])
    n["DiagKernelDepths"] = listing(ker["ratio"].index, math=True)
    short = ker["ratio"].index[~ker["ratio"].between(*KERNEL_RATIO)]
    n["DiagKernelOutside"] = listing(short, math=True) if len(short) else NONE
    pixels = t["image"]["paths"]
    first = pixels[(pixels.depth == pixels.depth.min()) & (pixels.step == 0)]
    n["DiagImageNonzero"] = listing(int((g.target != 0).sum()) for _, g in first.groupby("trial"))
    n["DiagImageErrs"] = listing(fmt(v) for v in img.median())
    n["DiagImageDepths"] = listing(img.columns, math=True)
    for c in claims:
        name = "".join(w.capitalize() for w in c["id"].split("-")[1:])
        n[f"DiagVerdict{name}"] = c["verdict"]
    return n


def report(inputs, outputs, params) -> None:
    t = _tables(inputs["tables"])
    c1, rec = recovers(t)
    c2, depth_series = window_depth(t)
    c3, by_alpha = window_init(t)
    c4, tol = depth_init(t)
    c5, orders = incremental(t)
    c6, ker = kernel(t)
    c7, img = image(t)
    claims = [c1, c2, c3, c4, c5, c6, c7]
    write_json(outputs["claims"], claims)
    write_json(
        outputs["numbers"], numbers(t, rec, depth_series, by_alpha, tol, orders, ker, img, claims)
    )
    write_text(outputs["settings"], settings_table(params["experiments"]))
    write_text(outputs["windows"], windows_table(t))
