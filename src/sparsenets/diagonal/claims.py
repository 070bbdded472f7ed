"""Verdicts of the diagonal family, from the metrics tables, by the criteria in criteria.csv.

The criteria (also stated in paper/sections/diagonal.tex) were written before the first
paper-scale run, except the image claim's, written after it to record the failed recovery.
Per-trial measures carry a percentile-bootstrap interval of the median over trials; window
lengths and orders are one number per setting (no interval).
"""

import numpy as np
import pandas as pd

from sparsenets.common import criteria, stats
from sparsenets.common.claims import Measurement, family_judge
from sparsenets.common.io import write_json, write_text
from sparsenets.common.latex import NONE, escape, format_number, integer, listing, tabular
from sparsenets.diagonal.figures import _tables

SOURCE = "Li, Nguyen, Hegde, Wong (NeurIPS 2021)"
CRITERIA = criteria.load("diagonal")
judge = family_judge(CRITERIA, SOURCE)
KERNEL_RATIO = CRITERIA["diagonal-kernel-regime"][0].threshold
NONE_METHOD = "none (one value per setting)"


def _summary(t, measure):
    """Series indexed by (depth, alpha) of one summary measure."""
    s = t["summary"]
    return s[s.measure == measure].set_index(["depth", "alpha"]).value.sort_index()


def _per_trial(t, measure):
    m = t["measures"]
    return m[m.measure == measure]


def _trials(t) -> int:
    return int(t["measures"].trial.nunique())


def nondecreasing(values) -> bool:
    return bool(np.all(np.diff(np.asarray(values, dtype=float)) >= 0))


def _steps(values, reduce=min) -> float:
    """Smallest (or largest) step between consecutive values; NaN when there is no step."""
    d = np.diff(np.asarray(values, dtype=float))
    return float(reduce(d)) if d.size else float("nan")


def _min_median(log2err, axis):
    """min over t of the median over trials (rows) of log2 errors: metrics' median_best_err2."""
    return np.nanmin(np.median(log2err, axis=axis), axis=-1)


def _best_to_floor(t, floor, last_only=False):
    """Per depth: min over t of the median error over trials, / floor, with a bootstrap over
    trials of that statistic; `last_only` reads the final iterate instead (no early stopping)."""
    traj = t["trajectory"].pivot_table(index=["depth", "trial"], columns="step", values="err2")
    out = []
    for depth, g in traj.groupby(level="depth"):
        x = np.log2(g.dropna(axis=1, how="all").to_numpy() / floor)  # this depth's steps
        x = x[:, -1:] if last_only else x
        ci = stats.bootstrap(x, _min_median, seed=int(depth))
        interval = None if ci is None else (2.0 ** ci[0], 2.0 ** ci[1])
        out.append(Measurement(f"N={depth}", float(2.0 ** _min_median(x, 0)), interval))
    return out


def recovers(t):
    e = t["es_error"]
    best = _summary(e, "median_best_err2").droplevel("alpha")
    floor = float(_summary(e, "noise_floor").iloc[0])
    c = judge(
        "diagonal-early-stopping-recovers",
        {"error": _best_to_floor(e, floor)},
        _trials(e),
        stats.bootstrap_method(_trials(e), "best-over-t median"),
        ["diagonal/figures/es_error.pdf", "diagonal/metrics/es_error_summary.csv"],
        statement="Early-stopped GD from small init recovers the sparse w* up to the noise floor.",
        control={"error": _best_to_floor(e, floor, last_only=True)},
    )
    return c, {"floor": floor, "best": best}


def window_lengths(t, experiment):
    return _summary(t[experiment], "window_length").droplevel("alpha")


def path_lengths(t):
    m = _per_trial(t["es_paths"], "path_window_length")
    return m.groupby("depth").value.median()


def window_depth(t):
    series = {
        "es_error": window_lengths(t, "es_error"),
        "window_depth": window_lengths(t, "window_depth"),
        "es_paths": path_lengths(t),
    }
    depths = {k: "N=" + ",".join(map(str, s.index)) for k, s in series.items()}
    c = judge(
        "diagonal-window-grows-with-depth",
        {k: [Measurement(depths[k], _steps(s.to_numpy()))] for k, s in series.items()},
        min(_trials(t[k]) for k in series),
        NONE_METHOD,
        [
            "diagonal/figures/windows.pdf",
            "diagonal/figures/es_error.pdf",
            "diagonal/figures/es_paths.pdf",
        ],
        statement="The early-stopping window widens as the depth N grows.",
    )
    return c, series


def window_init(t):
    lengths = window_lengths_by_alpha(t)
    values = lengths.to_numpy()
    where = "α=" + ",".join(f"{a:g}" for a in lengths.index)
    c = judge(
        "diagonal-small-init-wider-window",
        {
            "strict": [Measurement(where, _steps(values, max))],
            "ends": [Measurement(where, float(values[-1] - values[0]))],
        },
        _trials(t["window_init"]),
        NONE_METHOD,
        ["diagonal/figures/windows.pdf", "diagonal/metrics/window_init_summary.csv"],
        statement="A smaller initialisation enlarges the early-stopping window.",
    )
    return c, lengths


def window_lengths_by_alpha(t):
    return _summary(t["window_init"], "window_length").droplevel("depth")


def largest_alpha(t) -> pd.Series:
    """Per depth, the largest alpha whose best median error is at most the floor (NaN: none)."""
    best = _summary(t["max_init"], "median_best_err2")
    floor = float(_summary(t["max_init"], "noise_floor").iloc[0])
    ok = best[best <= floor].reset_index()
    depths = sorted(best.index.get_level_values("depth").unique())
    return ok.groupby("depth").alpha.max().reindex(depths)


def depth_init(t):
    amax = largest_alpha(t)
    a = amax.to_numpy()
    grows = bool(np.all(np.isfinite(a)) and nondecreasing(a) and a[-1] > a[0])
    best = _per_trial(t["init_effects"], "best_err2").groupby("depth").value.median()
    c = judge(
        "diagonal-depth-tolerates-init",
        {
            "largest_alpha": [Measurement("N=" + ",".join(map(str, amax.index)), float(grows))],
            "best_error": [
                Measurement("N=" + ",".join(map(str, best.index)), _steps(best.to_numpy(), max))
            ],
        },
        min(_trials(t["max_init"]), _trials(t["init_effects"])),
        NONE_METHOD,
        ["diagonal/figures/windows.pdf", "diagonal/figures/init_effects.pdf"],
        statement="Deeper networks still recover w* from a larger initialisation.",
    )
    return c, {"amax": amax, "init_best": best}


def half_times(measures) -> dict:
    """Per depth, the iterations at which coordinates reach half their target (trial 0)."""
    half = measures[measures.measure.str.startswith("t_half_") & (measures.trial == 0)].copy()
    half["coord"] = half.measure.str.removeprefix("t_half_").astype(int)
    return {d: g.sort_values("coord").value.to_numpy() for d, g in half.groupby("depth")}


def _order(times: dict) -> list:
    """Largest step between consecutive coordinates' times (NaN if one is never reached)."""
    return [
        Measurement(f"N={d}", _steps(x, max) if np.all(np.isfinite(x)) else float("nan"))
        for d, x in times.items()
    ]


def incremental(t):
    times = half_times(t["incremental"]["measures"])
    c = judge(
        "diagonal-incremental-learning",
        {"order": _order(times)},
        1,
        NONE_METHOD,
        ["diagonal/figures/incremental.pdf", "diagonal/metrics/incremental_measures.csv"],
        statement="Coordinates are learned one at a time, largest first (incremental learning).",
        control={"order": _order(half_times(t["es_error"]["measures"]))},
    )
    return c, [x.tolist() for x in times.values()]


def kernel(t):
    m = t["kernel"]["measures"]
    med = m.groupby(["depth", "measure"]).value.median().unstack()
    ratio = med.best_err2 / med.ridge_err2
    wide = m.pivot_table(index=["depth", "trial"], columns="measure", values="value")
    parts = {"ratio": [], "path": []}
    for depth, g in wide.groupby(level="depth"):
        pair = g[["best_err2", "ridge_err2"]].to_numpy()
        ci = stats.bootstrap(pair, _median_ratio, seed=depth)
        parts["ratio"].append(Measurement(f"N={depth}", float(ratio[depth]), ci))
        dist = g.ridge_path_dist.to_numpy()
        ci = stats.bootstrap(dist, seed=depth)
        parts["path"].append(Measurement(f"N={depth}", float(np.median(dist)), ci))
    c = judge(
        "diagonal-kernel-regime",
        parts,
        _trials(t["kernel"]),
        stats.bootstrap_method(_trials(t["kernel"]), "median (ratio of medians)"),
        ["diagonal/figures/kernel.pdf", "diagonal/metrics/kernel_measures.csv"],
        statement="From a large initialisation GD behaves like the kernel regime: a ridge-like, "
        "non-sparse estimator.",
    )
    return c, {"ratio": ratio, "dist": med.ridge_path_dist, "med": med}


def _median_ratio(draws, axis):
    """Ratio of medians of column 0 and column 1 of resampled (trial, column) pairs."""
    return np.median(draws[..., 0], axis=axis) / np.median(draws[..., 1], axis=axis)


def image(t):
    rel = _per_trial(t["image"], "rel_err_final").pivot(
        index="trial", columns="depth", values="value"
    )
    deepest = rel[rel.columns.max()]
    c = judge(
        "diagonal-image-recovery",
        {"error": [Measurement(f"image {i}", float(v)) for i, v in deepest.items()]},
        len(deepest),
        NONE_METHOD,
        ["diagonal/figures/image.pdf", "diagonal/metrics/image_measures.csv"],
        statement="A deep diagonal network recovers a real image from n = p/2 random measurements.",
    )
    return c, rel


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
