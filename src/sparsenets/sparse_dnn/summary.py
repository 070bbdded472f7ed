"""Summaries over the cells of one design: log-log slopes with bootstrap intervals, n*, and the
selection measures at the largest n (what the figures and claims read)."""

import numpy as np
import pandas as pd

from sparsenets.common.seeding import generator


def curve(cells: pd.DataFrame, method: str, measure: str) -> pd.DataFrame:
    """(d, n) x trial table of one measure of one method."""
    rows = cells[(cells.method == method) & (cells.measure == measure)]
    return rows.pivot_table(index=["d", "n"], columns="trial", values="value")


def slope(ns, values_by_trial, fit_min_n: int, boot: int, rng):
    """OLS slope of log(mean over trials) against log n for n >= fit_min_n, and a 95% percentile
    bootstrap interval resampling trials (the same resample at every n: the data are nested).

    values_by_trial: (len(ns), trials). Returns (slope, lo, hi); NaN if fewer than 3 points.
    """
    ns = np.asarray(ns, dtype=float)
    v = np.asarray(values_by_trial, dtype=float)
    keep = ns >= fit_min_n
    if keep.sum() < 3:
        return np.nan, np.nan, np.nan
    x = np.log(ns[keep])
    v = v[keep]

    def fit(cols):
        m = np.nanmean(v[:, cols], axis=1)
        return np.polyfit(x, np.log(m), 1)[0] if np.all(m > 0) else np.nan

    trials = v.shape[1]
    point = fit(np.arange(trials))
    draws = np.array([fit(rng.integers(0, trials, trials)) for _ in range(boot)])
    lo, hi = np.nanpercentile(draws, [2.5, 97.5])
    return float(point), float(lo), float(hi)


def paired_slopes(ns, a, b, fit_min_n: int, boot: int, rng, combine=np.subtract):
    """combine(slope(a), slope(b)) with a paired bootstrap over trials (the same resample for
    both): their difference by default, or e.g. their ratio."""
    ns = np.asarray(ns, dtype=float)
    keep = ns >= fit_min_n
    if keep.sum() < 3:
        return np.nan, np.nan, np.nan
    x = np.log(ns[keep])
    a, b = np.asarray(a, float)[keep], np.asarray(b, float)[keep]

    def fit(v, cols):
        return np.polyfit(x, np.log(np.nanmean(v[:, cols], axis=1)), 1)[0]

    trials = a.shape[1]
    every = np.arange(trials)
    point = combine(fit(a, every), fit(b, every))
    draws = []
    for _ in range(boot):
        cols = rng.integers(0, trials, trials)
        draws.append(combine(fit(a, cols), fit(b, cols)))
    lo, hi = np.nanpercentile(draws, [2.5, 97.5])
    return float(point), float(lo), float(hi)


def nstar(ns, exact_share, level: float) -> float:
    """Smallest n of the grid from which on the top-s set is the support in >= level of trials."""
    ns = list(ns)
    ok = np.asarray(exact_share, dtype=float) >= level
    for i in range(len(ns)):
        if ok[i:].all():
            return float(ns[i])
    return float("nan")


def summary(design: str, cells: pd.DataFrame, params: dict, rng) -> pd.DataFrame:
    """Slopes with intervals, n*, and selection at the largest n, per (d, method)."""
    rows = []

    def add(d, method, measure, value):
        rows.append(
            {"design": design, "d": d, "method": method, "measure": measure, "value": value}
        )

    # partition last: the bootstrap streams of the methods before it are those of earlier runs.
    named = ("l1", "free", "lasso", "null_labels", "partition")
    methods = [m for m in named if (cells.method == m).any()]
    for method in methods:
        mse = curve(cells, method, "mse")
        grad = curve(cells, method, "grad_err")
        exact = curve(cells, method, "exact")
        for d in sorted(mse.index.get_level_values("d").unique()):
            ns = mse.loc[d].index.to_numpy()
            for name, table in (("mse", mse), ("grad_err", grad)):
                s, lo, hi = slope(
                    ns, table.loc[d].to_numpy(), params["fit_min_n"], params["bootstrap"], rng
                )
                add(d, method, f"slope_{name}", s)
                add(d, method, f"slope_{name}_lo", lo)
                add(d, method, f"slope_{name}_hi", hi)
            s, lo, hi = paired_slopes(
                ns,
                grad.loc[d].to_numpy(),
                mse.loc[d].to_numpy(),
                params["fit_min_n"],
                params["bootstrap"],
                rng,
            )
            add(d, method, "slope_diff", s)
            add(d, method, "slope_diff_lo", lo)
            add(d, method, "slope_diff_hi", hi)
            add(d, method, "nstar", nstar(ns, exact.loc[d].mean(axis=1), params["exact_level"]))
            top = ns.max()
            for measure in ("tpr", "auc", "mse", "grad_err", "sel_tpr", "sel_fdp", "sel_size"):
                table = curve(cells, method, measure)
                if (d, top) in table.index:
                    add(d, method, f"{measure}_at_max", float(table.loc[(d, top)].mean()))
    return pd.concat(
        [pd.DataFrame(rows), mechanism(design, cells, params), dimension(design, cells, params)],
        ignore_index=True,
    )


def mechanism(design: str, cells: pd.DataFrame, params: dict) -> pd.DataFrame:
    """The rate's mechanism, per d: slope(derivative error) / slope(model error) with a paired
    bootstrap (the interpolation inequality predicts about 1/2), for the validated l1 net, the
    unconstrained net, the lasso and the partition control; and both slopes of the l1 net at each
    fixed radius of the grid (method "l1_r<radius>"), where the radius is not re-chosen with n.
    Its own random stream: the summaries above keep theirs."""
    rng = generator(params["seed"], "sparse_dnn", design, "mechanism")
    fit_min_n, boot = params["fit_min_n"], params["bootstrap"]
    rows = []

    def add(d, method, measure, triple):
        for suffix, value in zip(("", "_lo", "_hi"), triple, strict=True):
            rows.append(
                {
                    "design": design,
                    "d": d,
                    "method": method,
                    "measure": measure + suffix,
                    "value": value,
                }
            )

    methods = [m for m in ("l1", "free", "lasso", "partition") if (cells.method == m).any()]
    for method in methods:
        mse, grad = curve(cells, method, "mse"), curve(cells, method, "grad_err")
        for d in sorted(mse.index.get_level_values("d").unique()):
            ns = mse.loc[d].index.to_numpy()
            pair = (grad.loc[d].to_numpy(), mse.loc[d].to_numpy())
            add(d, method, "slope_ratio", paired_slopes(ns, *pair, fit_min_n, boot, rng, np.divide))
    grid = cells[cells.method == "l1grid"]
    for radius in sorted(grid.radius.unique()):
        at = grid[grid.radius == radius]
        for name in ("mse", "grad_err"):
            table = curve(at, "l1grid", name)
            for d in sorted(table.index.get_level_values("d").unique()):
                ns = table.loc[d].index.to_numpy()
                triple = slope(ns, table.loc[d].to_numpy(), fit_min_n, boot, rng)
                add(d, f"l1_r{radius:g}", f"slope_{name}", triple)
    return pd.DataFrame(rows)


def power_fit(logd, loge):
    """Least-squares line log e = log a + c log d over the last axis: (c, residual sum of
    squares)."""
    x = logd - logd.mean()
    centred = loge - loge.mean(-1, keepdims=True)
    c = (centred * x).sum(-1) / (x * x).sum()
    return c, ((centred - c[..., None] * x) ** 2).sum(-1)


def log_fit(logd, loge, iterations: int = 60):
    """e = a + b log d fitted by least squares on log e (the same loss as power_fit) over the
    last axis: (a, b, residual sum of squares). The line is parametrised by its values at the
    ends of the d range, e^u and e^v, so it is positive on the whole range; Gauss-Newton with a
    small Levenberg damping, a step kept only where it lowers the loss, vectorised over rows."""
    t = (logd - logd[0]) / (logd[-1] - logd[0])
    u, v = loge[..., 0].copy(), loge[..., -1].copy()

    def residual(u, v):
        model = np.exp(u)[..., None] * (1 - t) + np.exp(v)[..., None] * t
        r = loge - np.log(model)
        return r, model, (r * r).sum(-1)

    for _ in range(iterations):
        r, model, loss = residual(u, v)
        ju, jv = np.exp(u)[..., None] * (1 - t) / model, np.exp(v)[..., None] * t / model
        a11, a12, a22 = (ju * ju).sum(-1) * 1.001, (ju * jv).sum(-1), (jv * jv).sum(-1) * 1.001
        g1, g2 = (ju * r).sum(-1), (jv * r).sum(-1)
        det = a11 * a22 - a12 * a12
        du, dv = (a22 * g1 - a12 * g2) / det, (a11 * g2 - a12 * g1) / det
        better = residual(u + du, v + dv)[2] < loss
        u, v = np.where(better, u + du, u), np.where(better, v + dv, v)
    b = (np.exp(v) - np.exp(u)) / (logd[-1] - logd[0])
    return np.exp(u) - b * logd[0], b, residual(u, v)[2]


def dimension(design: str, cells: pd.DataFrame, params: dict) -> pd.DataFrame:
    """Error against d at each fixed n with at least four d values (the d grid): per method and
    error, the exponent c of a d^c, the slope b of a + b log d, the ratio RSS(log) / RSS(power)
    of the two fits, and for the l1 net the gap c(unconstrained) - c(l1); 95% percentile
    bootstrap intervals, trials resampled (the same resample for every d and method). Rows
    carry n, with d empty."""
    rng = generator(params["seed"], "sparse_dnn", design, "dimension")
    rows = []
    methods = [m for m in ("l1", "free", "lasso") if (cells.method == m).any()]
    ns = sorted(cells.n.unique())
    for n in ns:
        at = cells[cells.n == n]
        ds = np.array(sorted(at.d.unique()), dtype=float)
        if len(ds) < 4:
            continue
        logd = np.log(ds)
        trials = int(at.trial.max()) + 1
        draws = rng.integers(0, trials, size=(params["bootstrap"], trials))
        for name in ("mse", "grad_err"):
            c_of = {}
            for method in methods:
                table = curve(at, method, name).loc[ds.astype(int)].to_numpy()  # (d, trials)
                point = np.log(table.mean(1))[None]
                boot = np.log(np.nanmean(table[:, draws], axis=2).T)  # (draws, d)
                fits = {}
                for key, e in (("point", point), ("boot", boot)):
                    c, rss_power = power_fit(logd, e)
                    a, b, rss_log = log_fit(logd, e)
                    fits[key] = {"c": c, "b": b, "a": a, "fit": rss_log / rss_power}
                c_of[method] = (fits["point"]["c"][0], fits["boot"]["c"])
                for stat in ("c", "fit", "b", "a"):
                    lo, hi = np.nanpercentile(fits["boot"][stat], [2.5, 97.5])
                    value = fits["point"][stat][0]
                    for suffix, x in (("", value), ("_lo", lo), ("_hi", hi)):
                        rows.append((design, n, method, f"dim_{stat}_{name}{suffix}", x))
            if "free" in c_of and "l1" in c_of:
                gap = c_of["free"][1] - c_of["l1"][1]
                lo, hi = np.nanpercentile(gap, [2.5, 97.5])
                point = c_of["free"][0] - c_of["l1"][0]
                for suffix, x in (("", point), ("_lo", lo), ("_hi", hi)):
                    rows.append((design, n, "l1", f"dim_gap_{name}{suffix}", x))
    frame = pd.DataFrame(rows, columns=["design", "n", "method", "measure", "value"])
    frame["d"] = np.nan
    return frame[["design", "d", "n", "method", "measure", "value"]]
