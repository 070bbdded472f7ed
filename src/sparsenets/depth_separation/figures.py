"""Figures of the depth_separation family; each reads the tidy metrics tables only."""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import NullFormatter

from sparsenets.common.io import as_list, read_csv
from sparsenets.common.plotting import TEXT_WIDTH, figsize, over_trials, save, use_style

LABELS = {
    "depth2": "depth 2, fixed layer, GD",
    "linear": "fixed layer, linear readout",
    "sigmoid": "1 hidden, sigmoid, SGD",
    "relu": "1 hidden, ReLU, SGD",
}
MEASURES = {"test_rel": "relative test error", "test_01": "test 0-1 error"}
TOP = 10.0  # relative errors above this are off the scale (unbounded nets under a heavy tail)


def _tables(paths) -> dict:
    return {Path(p).stem: read_csv(p) for p in as_list(paths)}


def _label(variant):
    return LABELS.get(variant, variant.replace("_", " "))


def _widest(frame):
    """Rows of each (law, d, variant)'s widest network (at its selected step size)."""
    f = frame
    top = f.groupby(["law", "d", "variant"]).width.transform("max")
    return f[f.width == top]


def _band(ax, rows, x, y, color, label):
    """Median over seeds against x, and their range as a band (a diverged net's inf left out)."""
    rows = rows.replace([np.inf, -np.inf], np.nan)
    over_trials(ax, rows, x, y, "median", 100, color=color, label=label, marker="o", ms=2.5)


def _legend(fig, ax):
    """One legend of the learners above the panels, off the data."""
    fig.legend(*ax.get_legend_handles_labels(), loc="outside upper center", ncols=2)


def error_vs_d(t):
    f = _widest(t["final"])
    laws = list(dict.fromkeys(f.law))
    fig, axes = plt.subplots(2, len(laws), figsize=figsize(1.0, 4.8), squeeze=False)
    for col, law in enumerate(laws):
        for row, (measure, name) in enumerate(MEASURES.items()):
            ax = axes[row, col]
            for i, (variant, g) in enumerate(f[f.law == law].groupby("variant", sort=False)):
                _band(ax, g, "d", measure, f"C{i}", _label(variant))
            ax.set_xscale("log")
            ax.set_yscale("log")
            if measure == "test_rel":
                ax.set_ylim(top=min(ax.get_ylim()[1], TOP))
            ax.yaxis.set_minor_formatter(NullFormatter())
            if row == 1:
                ax.set_xlabel("$d$")
            if col == 0:
                ax.set_ylabel(name)
            if row == 0:
                ax.set_title(law)
    _legend(fig, axes[0, 0])
    return fig


def error_vs_steps(t, dims=3):
    c = _widest(t["curves"])
    laws = list(dict.fromkeys(c.law))
    all_d = sorted(c.d.unique())
    shown = sorted({all_d[0], all_d[len(all_d) // 2], all_d[-1]})[:dims]
    fig, axes = plt.subplots(
        len(laws), len(shown), figsize=figsize(1.0, 1.55 * len(laws) + 0.6), squeeze=False
    )
    for r, law in enumerate(laws):
        for k, d in enumerate(shown):
            ax = axes[r, k]
            sub = c[(c.law == law) & (c.d == d)].dropna(subset=["mon_rel"])
            sub = sub.assign(t=np.maximum(sub.step, 1))
            for i, (variant, g) in enumerate(sub.groupby("variant", sort=False)):
                _band(ax, g, "t", "mon_rel", f"C{i}", _label(variant))
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_ylim(top=min(ax.get_ylim()[1], TOP))
            ax.yaxis.set_minor_formatter(NullFormatter())
            ax.set_title(f"{law}, $d={d}$")
        axes[r, 0].set_ylabel("relative error")
    for ax in axes[-1]:
        ax.set_xlabel("iteration $t$")
    _legend(fig, axes[0, 0])
    return fig


def decision_2d(t):
    dec = t["decision"]
    laws = list(dict.fromkeys(dec.law))
    variants = list(dict.fromkeys(dec.variant))
    side = 0.8 * TEXT_WIDTH / len(variants)  # the colour bar takes the rest
    fig, axes = plt.subplots(
        len(laws), len(variants), figsize=figsize(1.0, (side + 0.2) * len(laws)), squeeze=False
    )
    circle = np.linspace(0, 2 * np.pi, 200)
    for r, law in enumerate(laws):
        for k, variant in enumerate(variants):
            ax = axes[r, k]
            g = dec[(dec.law == law) & (dec.variant == variant)]
            n = int(round(np.sqrt(len(g))))
            x1 = g.x1.to_numpy().reshape(n, n)
            x2 = g.x2.to_numpy().reshape(n, n)
            z = g.output.to_numpy().reshape(n, n)
            image = ax.imshow(
                np.clip(z, 0, 1),
                extent=(x1.min(), x1.max(), x2.min(), x2.max()),
                origin="lower",
                cmap="viridis",
                vmin=0,
                vmax=1,
            )
            ax.contour(x1, x2, z, levels=[0.5], colors="w", linewidths=0.8)
            radius = np.abs(x1).max() / 1.6  # the grid spans ±1.6 r
            ax.plot(radius * np.cos(circle), radius * np.sin(circle), "r--", lw=0.7)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            if r == 0:
                ax.set_title(_label(variant), fontsize="small")
            if k == 0:
                ax.set_ylabel(f"{law}\n$x_2$")
    fig.colorbar(image, ax=axes, shrink=0.8, label="output, clipped to $[0,1]$")
    return fig


FIGURES = {
    "error_vs_d": error_vs_d,
    "error_vs_steps": error_vs_steps,
    "decision_2d": decision_2d,
}


def draw(name, inputs, pdf_path, png_path, style_path) -> None:
    if name not in FIGURES:
        raise ValueError(f"unknown depth_separation figure {name!r}; known: {', '.join(FIGURES)}")
    use_style(style_path)
    save(FIGURES[name](_tables(inputs["tables"])), pdf_path, png_path)
