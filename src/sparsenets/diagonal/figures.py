"""Figures of the diagonal family; each reads the tidy metrics tables only."""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import NullFormatter

from sparsenets.common.io import as_list, read_csv
from sparsenets.common.plotting import TEXT_WIDTH, figsize, over_trials, save, use_style
from sparsenets.diagonal.data import MNIST_SIDE
from sparsenets.diagonal.settings import CONTROL_DEPTH

SUPPORT_COLOR, OFF_COLOR, NOISE_COLOR = "C0", "0.6", "C1"


def _tables(paths) -> dict:
    """{"es_error": {"summary": DataFrame, …}, …} from files named <experiment>_<table>.csv.

    Rows of the depth-1 control run (settings.CONTROL_DEPTH) go to {"controls": {experiment:
    {table: DataFrame}}}, so figures and claims read the depth grid without them."""
    out = {"controls": {}}
    for path in as_list(paths):
        experiment, table = Path(path).stem.rsplit("_", 1)
        frame = read_csv(path)
        control = frame.depth == CONTROL_DEPTH
        out.setdefault(experiment, {})[table] = frame[~control].reset_index(drop=True)
        if control.any():
            out["controls"].setdefault(experiment, {})[table] = frame[control].reset_index(
                drop=True
            )
    return out


def _value(frame, depth, measure, alpha=None):
    rows = frame[(frame.depth == depth) & (frame.measure == measure)]
    if alpha is not None:
        rows = rows[np.isclose(rows.alpha, alpha)]
    return float(rows.value.iloc[0])


def _panels(n, height=2.4):
    fig, axes = plt.subplots(1, n, figsize=figsize(1.0, height), squeeze=False)
    return fig, axes[0]


def _median_band(ax, trials, y, color, label):
    """Median over trials at each step (step 0 drawn at 1 on the log axis), 25–75 % band."""
    t = trials.assign(t=np.maximum(trials.step, 1))
    over_trials(ax, t, "t", y, "median", 50, color=color, label=label)


def coordinate_paths(t, mark_window=False):
    paths, traj, meas = t["paths"], t["trajectory"], t["measures"]
    depths = sorted(paths.depth.unique())
    fig, axes = _panels(len(depths))
    for ax, depth in zip(axes, depths, strict=True):
        p = paths[(paths.depth == depth) & (paths.trial == 0)]
        for (_, on), c in p.groupby(["coord", "on_support"]):
            ax.plot(
                c.step.clip(lower=1),
                c.value,
                color=SUPPORT_COLOR if on else OFF_COLOR,
                lw=1.0 if on else 0.7,
                label=None,
            )
        tr = traj[(traj.depth == depth) & (traj.trial == 0)]
        ax.plot(tr.step.clip(lower=1), tr.off_max, color=NOISE_COLOR, ls="--", lw=1.0)
        if mark_window:
            start = _value(meas[meas.trial == 0], depth, "path_window_start")
            end = _value(meas[meas.trial == 0], depth, "path_window_end")
            if np.isfinite(start) and end > start:
                ax.axvspan(start, end, color="C2", alpha=0.15, lw=0)
        ax.set_xscale("log")
        ax.set_title(f"$N={depth}$")
        ax.set_xlabel("iteration $t$")
    axes[0].set_ylabel("coordinate $w_{t,i}$")
    handles = [
        plt.Line2D([], [], color=SUPPORT_COLOR, label=r"$i\in S$"),
        plt.Line2D([], [], color=OFF_COLOR, lw=0.7, label=r"$i\notin S$ (largest)"),
        plt.Line2D([], [], color=NOISE_COLOR, ls="--", label=r"$\|e_t\|_\infty$"),
    ]
    if mark_window:
        handles.append(plt.Rectangle((0, 0), 1, 1, color="C2", alpha=0.15, label="window"))
    axes[-1].legend(handles=handles, loc="center left")
    return fig


def error_bands(t):
    traj, summ = t["trajectory"], t["summary"]
    fig, ax = plt.subplots(figsize=figsize(0.6, 3.0))
    for i, depth in enumerate(sorted(traj.depth.unique())):
        d = traj[traj.depth == depth].assign(log2=lambda f: np.log2(f.err2))
        color = f"C{i}"
        _median_band(ax, d, "log2", color, f"$N={depth}$")
        start, end = (_value(summ, depth, f"window_{e}") for e in ("start", "end"))
        ax.hlines(
            np.log2(_value(summ, depth, "median_best_err2")) - 0.35 - 0.35 * i,
            start,
            end,
            color=color,
            lw=3,
        )
    floor = float(summ[summ.measure == "noise_floor"].value.iloc[0])
    ax.axhline(np.log2(floor), color="k", ls=":", lw=0.8, label=r"$\sigma^2 k\log p/n$")
    ax.set_xscale("log")
    ax.set_xlabel("iteration $t$")
    ax.set_ylabel(r"$\log_2\|w_t-w^\star\|_2^2$")
    fig.legend(title="median, 25–75%; bars: window", loc="outside upper center", ncols=3)
    return fig


def incremental(t):
    paths = t["paths"]
    depths = sorted(paths.depth.unique())
    fig, axes = _panels(len(depths))
    for ax, depth in zip(axes, depths, strict=True):
        p = paths[(paths.depth == depth) & (paths.trial == 0) & paths.on_support]
        for i, (target, c) in enumerate(p.groupby("target")):
            ax.plot(c.step.clip(lower=1), c.value, color=f"C{i}", label=f"$w^\\star_i={target:g}$")
            ax.axhline(target, color=f"C{i}", ls=":", lw=0.7)
        ax.set_xscale("log")
        ax.set_title(f"$N={depth}$")
        ax.set_xlabel("iteration $t$")
    axes[0].set_ylabel("coordinate $w_{t,i}$, $i\\in S$")
    axes[0].legend(loc="upper left")
    return fig


def kernel(t):
    traj, meas = t["trajectory"], t["measures"]
    depths = sorted(traj.depth.unique())
    fig, axes = _panels(len(depths))
    for ax, depth in zip(axes, depths, strict=True):
        _median_band(ax, traj[traj.depth == depth], "err2", "C0", "GD, median")
        m = meas[meas.depth == depth]
        for measure, color, label in [
            ("ridge_err2", "C1", "ridge (one-SE CV $\\lambda$)"),
            ("ls_err2", "C2", "least squares"),
        ]:
            ax.axhline(m[m.measure == measure].value.median(), color=color, ls="--", label=label)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(f"$N={depth}$")
        ax.set_xlabel("iteration $t$")
    axes[0].set_ylabel(r"$\|w_t-w^\star\|_2^2$")
    axes[-1].legend(loc="upper right")
    return fig


def image(t):
    paths = t["paths"]
    depths = sorted(paths.depth.unique())
    trials = sorted(paths.trial.unique())
    side = 0.5 * TEXT_WIDTH / (len(depths) + 1)
    fig, axes = plt.subplots(
        len(trials), len(depths) + 1, figsize=figsize(0.5, side * len(trials) + 0.2), squeeze=False
    )
    last = paths[paths.step == paths.step.max()]
    for r, trial in enumerate(trials):
        first = last[(last.trial == trial) & (last.depth == depths[0])].sort_values("coord")
        panels = [("original", first.target.to_numpy())]
        for depth in depths:
            d = last[(last.trial == trial) & (last.depth == depth)].sort_values("coord")
            panels.append((f"$N={depth}$", d.value.to_numpy()))
        for ax, (title, pixels) in zip(axes[r], panels, strict=True):
            ax.imshow(pixels.reshape(MNIST_SIDE, MNIST_SIDE), cmap="gray_r", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            ax.spines[:].set_visible(False)
            if r == 0:
                ax.set_title(title)
    return fig


def _window_panel(ax, summary, x):
    """Window length against x; open markers where the run never reached the noise floor."""
    s = summary.pivot_table(index=["depth", "alpha"], columns="measure", values="value")
    s = s.reset_index().sort_values(x)
    ok = s.median_best_err2 <= s.noise_floor
    ax.plot(s[x], s.window_length, "-", color="C0")
    ax.plot(s[x][ok], s.window_length[ok], "o", color="C0", label="recovers")
    ax.plot(
        s[x][~ok], s.window_length[~ok], "o", mfc="white", color="C0", label="best error > floor"
    )
    ax.set_yscale("log")
    ax.set_ylabel("window length (iterations)")
    return s


def windows(t):
    fig, axes = _panels(3)
    s = _window_panel(axes[0], t["window_depth"]["summary"], "depth")
    axes[0].set_xticks(s.depth)
    axes[0].set_xlabel("depth $N$")
    axes[0].set_title(f"$\\alpha={s.alpha.iloc[0]:g}$")
    axes[0].legend(loc="upper center")
    s = _window_panel(axes[1], t["window_init"]["summary"], "alpha")
    axes[1].set_xscale("log")
    axes[1].set_xticks(s.alpha, [f"{a:g}" for a in s.alpha], rotation=45)
    axes[1].minorticks_off()
    axes[1].set_xlabel(r"init scale $\alpha$")
    axes[1].set_title(f"$N={s.depth.iloc[0]}$")
    s = t["max_init"]["summary"]
    best = s[s.measure == "median_best_err2"]
    floor = float(s[s.measure == "noise_floor"].value.iloc[0])
    for i, (depth, d) in enumerate(best.groupby("depth")):
        d = d.sort_values("w0")  # one w0 grid for every depth
        axes[2].plot(d.w0, d.value, "o-", ms=3, color=f"C{i}", label=f"$N={depth}$")
    axes[2].axhline(floor, color="k", ls=":", lw=0.8, label="floor")
    axes[2].set_xscale("log")
    axes[2].set_yscale("log")
    axes[2].xaxis.set_minor_formatter(NullFormatter())
    axes[2].set_xlabel(r"init scale $w_0=\alpha^N$")
    axes[2].set_ylabel(r"best median $\|w_t-w^\star\|_2^2$")
    axes[2].legend(loc="upper left")
    return fig


FIGURES = {
    "convergence_paths": lambda t: coordinate_paths(t["convergence"]),
    "init_effects": lambda t: coordinate_paths(t["init_effects"]),
    "es_paths": lambda t: coordinate_paths(t["es_paths"], mark_window=True),
    "es_error": lambda t: error_bands(t["es_error"]),
    "incremental": lambda t: incremental(t["incremental"]),
    "kernel": lambda t: kernel(t["kernel"]),
    "image": lambda t: image(t["image"]),
    "windows": windows,
}


def draw(name, inputs, pdf_path, png_path, style_path) -> None:
    if name not in FIGURES:
        raise ValueError(f"unknown diagonal figure {name!r}; known: {', '.join(FIGURES)}")
    use_style(style_path)
    save(FIGURES[name](_tables(inputs["tables"])), pdf_path, png_path)
