"""Figures of the sparse_dnn family; each reads the metrics tables only."""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import NullFormatter

from sparsenets.common.io import read_csv
from sparsenets.common.plotting import figsize, over_trials, save, use_style
from sparsenets.sparse_dnn.summary import log_fit, power_fit

METHODS = {
    "l1": ("$\\ell_1$-constrained net", "-"),
    "free": ("unconstrained net", "--"),
    "lasso": ("lasso", ":"),
}
LABELS = {
    "mse": r"$\|\hat f-f^\star\|_{L_2}^2$",
    "grad_err": r"$\mathbb{E}\|\nabla\hat f-\nabla f^\star\|_2^2$",
    "tpr": "TPR at $s$",
    "sel_tpr": "TPR of the selected set",
    "auc": "AUC",
}


def tables(paths) -> dict:
    """{design: {"cells": DataFrame, "summary": DataFrame}} from <design>_<table>.csv files."""
    out = {}
    for path in paths:
        design, table = Path(path).stem.rsplit("_", 1)
        out.setdefault(design, {})[table] = read_csv(path)
    return out


def _rows(cells, method, measure, d=None):
    rows = cells[(cells.method == method) & (cells.measure == measure)]
    return rows if d is None else rows[rows.d == d]


def _mean_line(ax, rows, color, linestyle="-", label=None, spread=None):
    """Mean over trials against n; `spread` "band" or "bars": their range."""
    over_trials(
        ax,
        rows,
        "n",
        "value",
        "mean",
        100 if spread else None,
        bars=spread == "bars",
        color=color,
        linestyle=linestyle,
        label=label,
        marker="o",
        ms=2.5,
    )


def _summary(t, design, d, method, measure):
    s = t[design]["summary"]
    row = s[(s.d == d) & (s.method == method) & (s.measure == measure)]
    return float(row.value.iloc[0]) if len(row) else np.nan


def _loglog(ax):
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel("$n$")


def rates(t, design, fit_min_n):
    cells = t[design]["cells"]
    ds = sorted(cells.d.unique())
    fig, axes = plt.subplots(1, 2, figsize=figsize(1.0, 2.7))
    for ax, measure, refs in zip(axes, ("mse", "grad_err"), ((-0.5,), (-0.25, -0.5)), strict=True):
        means = _rows(cells, "l1", measure).groupby(["d", "n"]).value.mean()
        for i, d in enumerate(ds):
            color = f"C{i}"
            _mean_line(ax, _rows(cells, "l1", measure, d), color, "", spread="bars")
            b = _summary(t, design, d, "l1", f"slope_{measure}")
            mean = means.loc[d]
            keep = mean.index >= fit_min_n
            if np.isfinite(b) and keep.sum() >= 2:
                ns = mean.index[keep].to_numpy(dtype=float)
                x0 = np.exp(np.mean(np.log(ns)))
                y0 = np.exp(np.mean(np.log(mean[keep])))
                ax.plot(
                    ns, y0 * (ns / x0) ** b, color=color, lw=1.2, label=f"$d={d}$: slope {b:.2f}"
                )
        top = means.max()
        ns = np.array([fit_min_n, means.index.get_level_values("n").max()], dtype=float)
        for r, style in zip(refs, ("-.", ":"), strict=False):
            ax.plot(
                ns,
                1.3 * top * (ns / ns[0]) ** r,
                color="0.3",
                ls=style,
                lw=0.9,
                label=f"slope ${r:g}$",
            )
        _loglog(ax)
        ax.set_ylabel(LABELS[measure])
        ax.legend(loc="lower left", ncol=1)
    return fig


def importance(t, design, ns_shown=3):
    cells = t[design]["cells"]
    d = int(cells.d.max())
    grid = sorted(cells[cells.d == d].n.unique())
    picks = sorted({grid[0], grid[len(grid) // 2], grid[-1]})[:ns_shown]
    names = [f"imp_{j}" for j in range(1, 6)] + ["imp_irr_max", "imp_irr_median"]
    ticks = [f"$x_{j}$" for j in range(1, 6)] + ["irr.\nmax", "irr.\nmed."]
    fig, axes = plt.subplots(1, len(picks), figsize=figsize(1.0, 2.5), sharey=True, squeeze=False)
    for ax, n in zip(axes[0], picks, strict=True):
        for offset, (method, marker) in zip(
            (-0.15, 0.15), (("l1", "o"), ("free", "s")), strict=True
        ):
            rows = cells[(cells.d == d) & (cells.n == n) & (cells.method == method)]
            for i, name in enumerate(names):
                v = rows[rows.measure == name].value.to_numpy()
                color = "C0" if i < 5 else "0.5"
                ax.plot(
                    np.full(v.size, i + offset),
                    v,
                    marker,
                    ms=3,
                    color=color,
                    mfc=color if method == "l1" else "none",
                    lw=0,
                )
        ax.set_yscale("log")
        ax.set_xticks(range(len(names)), ticks, fontsize=7)
        ax.set_title(f"$d={d}$, $n={n}$")
    axes[0][0].set_ylabel(r"$I_j=\mathbb{E}(\partial_j\hat f)^2$")
    axes[0][0].plot([], [], "o", color="k", ms=3, label="$\\ell_1$ net")
    axes[0][0].plot([], [], "s", color="k", mfc="none", ms=3, label="unconstrained")
    axes[0][0].legend(loc="lower left")
    return fig


def selection(t, design, sweep, q):
    """The held-out selection (BH at level q): TPR and FDR against n per d on the main design;
    against d at each n of the d grid."""
    cells = t[design]["cells"]
    ds = sorted(cells.d.unique())
    methods = [m for m in METHODS if (cells.method == m).any()]
    fig, axes = plt.subplots(1, 3, figsize=figsize(1.0, 2.5))
    for k, measure in enumerate(("sel_tpr", "sel_fdp")):
        for method in methods:
            for i, d in enumerate(ds):
                _mean_line(axes[k], _rows(cells, method, measure, d), f"C{i}", METHODS[method][1])
        axes[k].set_xscale("log")
        axes[k].set_xlabel("$n$")
    axes[0].set_ylabel("TPR of the selected set")
    axes[1].set_ylabel("false-discovery proportion")
    axes[1].axhline(q, color="0.5", lw=0.8, ls=":")
    for i, d in enumerate(ds):
        axes[0].plot([], [], color=f"C{i}", label=f"$d={d}$")
    axes[0].legend(loc="lower right")
    ax = axes[2]
    if sweep in t:
        grid = t[sweep]["cells"]
        for method in [m for m in METHODS if (grid.method == m).any()]:
            for i, n in enumerate(sorted(grid.n.unique())):
                rows = grid[(grid.method == method) & (grid.n == n)]
                for measure, marker in (("sel_tpr", "o"), ("sel_fdp", "x")):
                    means = rows[rows.measure == measure].groupby("d").value.mean()
                    ax.plot(
                        means.index,
                        means.to_numpy(),
                        METHODS[method][1],
                        marker=marker,
                        ms=3,
                        color=f"C{i}",
                        lw=0.9,
                    )
        keys = [
            plt.Line2D([], [], color="k", ls=METHODS[m][1], label=METHODS[m][0]) for m in methods
        ]
        keys += [
            plt.Line2D([], [], color=f"C{i}", label=f"right: $n={n}$")
            for i, n in enumerate(sorted(grid.n.unique()))
        ]
        keys += [
            plt.Line2D([], [], marker=m, color="k", ls="", ms=3, label=name)
            for m, name in (("o", "TPR"), ("x", "FDP"))
        ]
        ax.set_xscale("log")
        ax.set_xlabel("$d$")
        fig.legend(handles=keys, loc="outside upper center", ncols=4)
    return fig


def dimension(t, sweep):
    """Error against d at each fixed n of the d grid (mean over trials, bars: range), with the
    l1 net's two fits, a + b log d and a d^c (least squares on the log of the mean)."""
    cells = t[sweep]["cells"]
    ns = sorted(cells.n.unique())
    methods = [m for m in METHODS if (cells.method == m).any()]
    fig, axes = plt.subplots(len(ns), 2, figsize=figsize(1.0, 2.2 * len(ns)), squeeze=False)
    for row, n in zip(axes, ns, strict=True):
        at = cells[cells.n == n]
        for ax, measure in zip(row, ("mse", "grad_err"), strict=True):
            for k, method in enumerate(methods):
                rows = _rows(at, method, measure)
                over_trials(
                    ax,
                    rows,
                    "d",
                    "value",
                    "mean",
                    100,
                    bars=True,
                    color=f"C{k}",
                    linestyle=METHODS[method][1],
                    label=METHODS[method][0],
                    marker="o",
                    ms=2.5,
                )
            means = _rows(at, "l1", measure).groupby("d").value.mean()
            logd, loge = np.log(means.index.to_numpy(dtype=float)), np.log(means.to_numpy())
            a, b, _ = log_fit(logd, loge[None])
            c, _ = power_fit(logd, loge[None])
            fine = np.geomspace(means.index.min(), means.index.max(), 100)
            ax.plot(fine, a[0] + b[0] * np.log(fine), color="k", lw=0.9, label=r"$a+b\log d$")
            scale = np.exp(loge.mean() - c[0] * logd.mean())
            ax.plot(fine, scale * fine ** c[0], color="k", lw=0.9, ls="--", label=r"$a\,d^{c}$")
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.yaxis.set_minor_formatter(NullFormatter())
            ax.set_xlabel("$d$")
            ax.set_ylabel(LABELS[measure])
            ax.set_title(f"$n={n}$", loc="left")
    fig.legend(*axes[0][0].get_legend_handles_labels(), loc="outside upper center", ncols=5)
    return fig


def constraint(t, design):
    cells = t[design]["cells"]
    ds = sorted(cells.d.unique())
    methods = [m for m in METHODS if (cells.method == m).any()]
    fig, axes = plt.subplots(1, len(ds), figsize=figsize(1.0, 2.7), sharey=True, squeeze=False)
    for ax, d in zip(axes[0], ds, strict=True):
        for i, method in enumerate(methods):
            rows = _rows(cells, method, "mse", d)
            style, label = METHODS[method][1], METHODS[method][0]
            _mean_line(ax, rows, f"C{i}", style, label, spread="band")
        _loglog(ax)
        ax.set_title(f"$d={d}$")
    axes[0][0].set_ylabel(LABELS["mse"])
    fig.legend(*axes[0][0].get_legend_handles_labels(), loc="outside upper center", ncols=3)
    return fig


D_STYLES = ("-", "--", ":", "-.")


def variants(t, designs):
    fig, axes = plt.subplots(
        len(designs), 3, figsize=figsize(1.0, 2.2 * len(designs)), squeeze=False
    )
    for row, design in zip(axes, designs, strict=True):
        cells = t[design]["cells"]
        ds = sorted(cells.d.unique())
        methods = [m for m in METHODS if (cells.method == m).any()]
        for ax, measure in zip(row, ("mse", "grad_err", "sel_tpr"), strict=True):
            for k, method in enumerate(methods):
                for i, d in enumerate(ds):
                    label = METHODS[method][0] if i == 0 else None
                    rows = _rows(cells, method, measure, d)
                    _mean_line(ax, rows, f"C{k}", D_STYLES[i % 4], label)
            ax.set_xscale("log")
            if measure != "sel_tpr":
                ax.set_yscale("log")
                ax.yaxis.set_minor_formatter(NullFormatter())
            ax.set_ylabel(LABELS[measure])
            ax.set_xlabel("$n$")
        title = f"{design}, $d={', '.join(map(str, ds))}$"
        row[0].set_title(title, loc="left")
        handles = row[2].get_legend_handles_labels()[0]
        if len(ds) > 1:
            handles += [
                plt.Line2D([], [], ls=D_STYLES[i % 4], color="k", label=f"$d={d}$")
                for i, d in enumerate(ds)
            ]
        row[2].legend(handles=handles, loc="lower right")
    return fig


def draw(params, paths, pdf, png, style) -> None:
    use_style(style)
    t = tables(paths)
    name, main = params["figure"], params["main"]
    if name == "rates":
        fig = rates(t, main, params["fit_min_n"])
    elif name == "importance":
        fig = importance(t, main)
    elif name == "selection":
        fig = selection(t, main, params["dimension"], params["fdr"])
    elif name == "dimension":
        fig = dimension(t, params["dimension"])
    elif name == "constraint":
        fig = constraint(t, main)
    elif name == "variants":
        fig = variants(t, [d for d in params["designs"] if d not in (main, params["dimension"])])
    else:
        raise ValueError(f"sparse_dnn: unknown figure {name!r}")
    save(fig, pdf, png)
