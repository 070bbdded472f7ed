"""Figures: phase diagrams, recovery error against σ, test distance of trained networks."""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import patheffects

from sparsenets.common.io import read_csv
from sparsenets.common.plotting import figsize, save, use_style
from sparsenets.phase_transition.settings import is_control

TITLES = {
    "skip_relaxed": "skip, relaxed, $w^\\star$ Gaussian",
    "skip_singular": "skip, relaxed, $w^\\star=v_{\\min}(X)$",
    "skip_exact": "skip, exact (cone)",
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
    return [*contours, plt.Line2D([], [], label=r"fitted threshold $n=\tau d$", **TAU)]


def _tau_line(ax, tau, d, label=None):
    if tau is not None and np.isfinite(tau):
        dd = np.linspace(d.min(), d.max(), 50)
        ax.plot(tau * dd, dd, label=label, **TAU)


def _phase_panel(ax, cells, tau=None):
    n, d, z = _grid(cells, "success")
    mesh = _mesh(ax, n, d, z, vmin=0, vmax=1, cmap="viridis")
    for level, ls in CONTOURS.items():
        if len(n) > 1 and len(d) > 1 and z.min() < level < z.max():
            c = ax.contour(n, d, z, levels=[level], colors="white", linewidths=1.2, linestyles=ls)
            c.set_path_effects(CONTOUR["path_effects"])
    _tau_line(ax, tau, d)
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
    tau = dict(zip(fits.experiment, fits.tau, strict=True))
    for ax, name in zip(axes.flat, names, strict=False):
        c = cells[(cells.experiment == name) & (cells.sigma == 0)]
        mesh = _phase_panel(ax, c, tau.get(name))
        ax.set_title(TITLES.get(name, name), fontsize="small")
    for ax in list(axes.flat)[len(names) :]:
        ax.axis("off")
    fig.colorbar(mesh, ax=axes, shrink=0.8, label="P(recovery)")
    fig.legend(handles=_legend_handles(), loc="outside lower center", ncols=3)
    save(fig, pdf, png)


def noise(cells, pdf, png):
    c = cells[cells.experiment == "noise"]
    fig, ax = plt.subplots(figsize=figsize(0.48, 2.5))
    for i, (n, g) in enumerate(c.groupby("n")):
        g = g.sort_values("sigma")
        ax.plot(g.sigma, g.error_median, marker="o", color=f"C{i % 10}", label=f"$n={n}$")
    s = np.sort(c.sigma.unique())
    ax.plot(s, s, color="0.5", linestyle=":", label=r"$\|\hat w-w^\star\|=\sigma$")
    ax.set_xlabel(r"$\sigma$")
    ax.set_ylabel(r"median $\|\hat w - w^\star\|_2$")
    ax.legend()
    save(fig, pdf, png)


def train(train_cells, cells, fits, pdf, png):
    fig, ax = plt.subplots(figsize=figsize(0.48, 2.5))
    n, d, z = _grid(train_cells, "distance_median")
    mesh = _mesh(ax, n, d, z, cmap="viridis")
    fig.colorbar(mesh, ax=ax, label=r"median $\|f(X_{\rm test})-X_{\rm test}w^\star\|$")
    tau = fits.set_index("experiment").tau.get("skip_relaxed", np.nan)
    if np.isfinite(tau):
        _tau_line(ax, tau, d, label="convex $n=\\tau d$")
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
    elif figure == "noise":
        noise(cells, pdf, png)
    elif figure == "train":
        train(read_csv(inputs["train_cells"]), cells, fits, pdf, png)
    else:
        raise ValueError(f"unknown figure {figure!r}; known: phase, noise, train")
