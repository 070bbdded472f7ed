"""Figures: phase diagrams, thresholds τ(d) against d, recovery error against σ, test distance of
trained networks."""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import patheffects
from matplotlib.ticker import ScalarFormatter

from sparsenets.common.io import read_csv
from sparsenets.common.plotting import figsize, save, use_style
from sparsenets.phase_transition.metrics import CONSTANCY_LEVEL
from sparsenets.phase_transition.settings import is_control

TITLES = {
    "skip_relaxed": "skip, relaxed, $w^\\star=v_{\\min}(X)$",
    "skip_gaussian": "skip, relaxed, $w^\\star$ Gaussian",
    "skip_exact": "skip, exact (cone), $w^\\star=v_{\\min}(X)$",
    "relu": "plain ReLU, 1 neuron",
    "normalized_1": "normalised, 1 neuron",
    "normalized_2": "normalised, 2 neurons",
    "normalized_3": "normalised, 3 neurons",
}


def _grid(frame, value):
    table = frame.pivot_table(index="d", columns="n", values=value)
    return table.columns.to_numpy(), table.index.to_numpy(), table.to_numpy()


def _edges(v):
    """Cell edges around grid values (one value: a cell of width 10)."""
    v = np.asarray(v, float)
    if v.size == 1:
        return np.array([v[0] - 5, v[0] + 5])
    mid = (v[1:] + v[:-1]) / 2
    return np.concatenate([[2 * v[0] - mid[0]], mid, [2 * v[-1] - mid[-1]]])


def _mesh(ax, n, d, z, **kw):
    return ax.pcolormesh(_edges(n), _edges(d), z, shading="flat", **kw)


# Contours: white with a dark edge, visible on the whole colour map and in the legend.
CONTOURS = {0.5: "-", 0.9: "--"}
CONTOUR = dict(
    color="white",
    linewidth=1.2,
    path_effects=[patheffects.withStroke(linewidth=2.4, foreground="k")],
)
TAU = dict(color="C1", linestyle=":", linewidth=1.5)


def _legend_handles():
    contours = [
        plt.Line2D([], [], linestyle=ls, label=f"P(recovery) = {level:g}", **CONTOUR)
        for level, ls in CONTOURS.items()
    ]
    return [*contours, plt.Line2D([], [], label=r"fitted threshold $n=\tau(d)\,d$", **TAU)]


def _per_d(fits, experiment):
    """The per-d fits of an experiment, sorted by d (the pooled row, d = 0, left out)."""
    f = fits[(fits.experiment == experiment) & (fits.d > 0)]
    return f.sort_values("d")


def _tau_line(ax, fit, label=None):
    """n = τ(d)·d through the per-d thresholds."""
    if fit is not None and len(fit) and np.isfinite(fit.tau).any():
        ax.plot(fit.tau * fit.d, fit.d, label=label, marker=".", **TAU)


def _phase_panel(ax, cells, tau=None):
    n, d, z = _grid(cells, "success")
    mesh = _mesh(ax, n, d, z, vmin=0, vmax=1, cmap="viridis")
    for level, ls in CONTOURS.items():
        if len(n) > 1 and len(d) > 1 and z.min() < level < z.max():
            c = ax.contour(n, d, z, levels=[level], colors="white", linewidths=1.2, linestyles=ls)
            c.set_path_effects(CONTOUR["path_effects"])
    _tau_line(ax, tau)
    ax.set_xlim(*_edges(n)[[0, -1]])
    ax.set_ylim(*_edges(d)[[0, -1]])
    ax.set_xlabel("$n$")
    ax.set_ylabel("$d$")
    return mesh


def phase(cells, fits, pdf, png):
    present = set(cells.experiment)
    names = [e for e in TITLES if e in present]
    names += sorted(e for e in present - set(TITLES) if e != "noise" and not is_control(e))
    cols = min(len(names), 3)
    rows = int(np.ceil(len(names) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=figsize(1.0, 1.8 * rows + 0.4), squeeze=False)
    for ax, name in zip(axes.flat, names, strict=False):
        c = cells[(cells.experiment == name) & (cells.sigma == 0)]
        mesh = _phase_panel(ax, c, _per_d(fits, name))
        ax.set_title(TITLES.get(name, name), fontsize="small")
    for ax in list(axes.flat)[len(names) :]:
        ax.axis("off")
    fig.colorbar(mesh, ax=axes, shrink=0.8, label="P(recovery)")
    fig.legend(handles=_legend_handles(), loc="outside lower center", ncols=3)
    save(fig, pdf, png)


def thresholds(fits, pdf, png):
    """τ(d) with its 95% interval against d, one line per program; dashed: the pooled τ where
    the constancy test across d passes."""
    fig, ax = plt.subplots(figsize=figsize(1.0, 2.6))
    names = [e for e in TITLES if e in set(fits.experiment)]
    ds = np.sort(fits.d[fits.d > 0].unique())
    step = float(np.diff(ds).min()) if len(ds) > 1 else 1.0
    for i, name in enumerate(names):
        f = _per_d(fits, name)
        err = np.vstack([f.tau - f.tau_lo, f.tau_hi - f.tau]).clip(min=0)
        shift = (i - (len(names) - 1) / 2) * 0.08 * step  # side by side at each d
        ax.errorbar(
            f.d + shift,
            f.tau,
            yerr=err,
            marker="o",
            ms=3,
            capsize=2,
            color=f"C{i}",
            label=TITLES[name],
        )
        pool = fits[(fits.experiment == name) & (fits.d == 0)]
        if (
            len(pool)
            and np.isfinite(pool.p_const.iloc[0])
            and (pool.p_const.iloc[0] >= CONSTANCY_LEVEL)
        ):
            ax.axhline(pool.tau.iloc[0], color=f"C{i}", linestyle="--", linewidth=0.8)
    ax.set_xlabel("$d$")
    ax.set_ylabel(r"threshold $\tau(d)$ ($n/d$ at P = 0.5)")
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(ScalarFormatter())
    ax.yaxis.set_minor_formatter(ScalarFormatter())
    fig.legend(loc="outside right center", fontsize="small")
    save(fig, pdf, png)


def noise(trials, fits, pdf, png):
    """Median ‖ŵ − w*‖/σ against σ per cell (n, d) with n/d ≥ 2τ(d): flat lines are linear
    scaling."""
    t = trials[(trials.experiment == "noise") & (trials.sigma > 0)]
    tau = dict(zip(_per_d(fits, "skip_relaxed").d, _per_d(fits, "skip_relaxed").tau, strict=True))
    t = t[t.n / t.d >= 2 * t.d.map(lambda d: tau.get(d, np.nan))]
    fig, ax = plt.subplots(figsize=figsize(0.48, 2.5))
    ds = sorted(t.d.unique())
    for (n, d), g in t.assign(ratio=t.error / t.sigma).groupby(["n", "d"]):
        m = g.groupby("sigma").ratio.median()
        label = f"$d={d}$" if n == t[t.d == d].n.min() else None
        ax.plot(m.index, m.values, marker="o", ms=3, color=f"C{ds.index(d)}", label=label)
    ax.set_xlabel(r"$\sigma$")
    ax.set_ylabel(r"median $\|\hat w - w^\star\|_2/\sigma$")
    ax.set_ylim(bottom=0)
    if ds:
        ax.legend(fontsize="small")
    save(fig, pdf, png)


def train(train_trials, fits, pdf, png):
    fig, ax = plt.subplots(figsize=figsize(0.48, 2.5))
    t = train_trials.assign(relative=train_trials.test_distance / train_trials.target_norm)
    cells = t.groupby(["n", "d"]).relative.median().reset_index()
    n, d, z = _grid(cells, "relative")
    mesh = _mesh(ax, n, d, z, cmap="viridis", vmin=0)
    fig.colorbar(
        mesh,
        ax=ax,
        label=r"median $\|f(X_{\rm test})-X_{\rm test}w^\star\|/\|X_{\rm test}w^\star\|$",
    )
    fit = _per_d(fits, "skip_relaxed")
    if len(fit):
        _tau_line(ax, fit, label="convex $n=\\tau(d)\\,d$")
        fig.legend(loc="outside upper left")
    ax.set_xlim(*_edges(n)[[0, -1]])
    ax.set_ylim(*_edges(d)[[0, -1]])
    ax.set_xlabel("$n$")
    ax.set_ylabel("$d$")
    save(fig, pdf, png)


def draw(figure, inputs, pdf, png, style):
    use_style(style)
    cells = read_csv(inputs["cells"])
    fits = read_csv(inputs["thresholds"])
    if figure == "phase":
        phase(cells, fits, pdf, png)
    elif figure == "thresholds":
        thresholds(fits, pdf, png)
    elif figure == "noise":
        noise(read_csv(inputs["trials"]), fits, pdf, png)
    elif figure == "train":
        train(read_csv(inputs["train_trials"]), fits, pdf, png)
    else:
        raise ValueError(f"unknown figure {figure!r}; known: phase, thresholds, noise, train")
