"""Figures of the sparse_dnn family; each reads the metrics tables only."""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import NullFormatter

from sparsenets.common.io import read_csv
from sparsenets.common.plotting import figsize, over_trials, save, use_style

METHODS = {
    "l1": ("$\\ell_1$-constrained net", "-"),
    "free": ("unconstrained net", "--"),
    "lasso": ("lasso", ":"),
}
LABELS = {
    "mse": r"$\|\hat f-f^\star\|_{L_2}^2$",
    "grad_err": r"$\mathbb{E}\|\nabla\hat f-\nabla f^\star\|_2^2$",
    "tpr": "TPR at $s$",
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


def selection(t, design):
    cells = t[design]["cells"]
    ds = sorted(cells.d.unique())
    methods = [m for m in METHODS if (cells.method == m).any()]
    fig, axes = plt.subplots(1, 3, figsize=figsize(1.0, 2.5))
    for k, measure in enumerate(("tpr", "auc")):
        for method in methods:
            for i, d in enumerate(ds):
                _mean_line(axes[k], _rows(cells, method, measure, d), f"C{i}", METHODS[method][1])
        axes[k].set_xscale("log")
        axes[k].set_xlabel("$n$")
        axes[k].set_ylabel(LABELS[measure])
    for i, d in enumerate(ds):
        axes[0].plot([], [], color=f"C{i}", label=f"$d={d}$")
    axes[0].legend(loc="lower right")
    ax = axes[2]
    for method in methods:
        ys = [_summary(t, design, d, method, "nstar") for d in ds]
        ax.plot(
            np.log(ds),
            ys,
            METHODS[method][1],
            marker="o",
            ms=3,
            color="k",
            label=METHODS[method][0],
        )
    base = _summary(t, design, ds[0], "l1", "nstar")
    if np.isfinite(base):
        ax.plot(
            np.log(ds),
            base * np.log(ds) / np.log(ds[0]),
            color="C1",
            lw=0.9,
            label=r"$\propto\log d$",
        )
    ax.set_yscale("log")
    ax.set_xlabel(r"$\log d$")
    ax.set_ylabel("$n^\\star$ (exact support)")
    ax.legend(loc="upper left")
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
        for ax, measure in zip(row, ("mse", "grad_err", "tpr"), strict=True):
            for k, method in enumerate(methods):
                for i, d in enumerate(ds):
                    label = METHODS[method][0] if i == 0 else None
                    rows = _rows(cells, method, measure, d)
                    _mean_line(ax, rows, f"C{k}", D_STYLES[i % 4], label)
            ax.set_xscale("log")
            if measure != "tpr":
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
        fig = selection(t, main)
    elif name == "constraint":
        fig = constraint(t, main)
    elif name == "variants":
        fig = variants(t, [d for d in params["designs"] if d != main])
    else:
        raise ValueError(f"sparse_dnn: unknown figure {name!r}")
    save(fig, pdf, png)
