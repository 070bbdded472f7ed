"""Figures of the splines family; each reads the tidy metrics tables only."""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import NullFormatter

from sparsenets.common.io import read_csv
from sparsenets.common.plotting import figsize, over_trials, save, use_style


def tables(paths, controls: bool = False) -> dict:
    """{"oned": {"nets": DataFrame, …}, …} from files named <experiment>_<table>.csv; the
    negative-control nets (λ = 0) only when `controls` (the figures show the λ grid)."""
    out = {}
    for path in paths:
        experiment, table = Path(path).stem.split("_", 1)
        frame = read_csv(path)
        if not controls and "lam" in frame:
            frame = frame[frame.lam != 0].reset_index(drop=True)
        out.setdefault(experiment, {})[table] = frame
    return out


def wide(nets):
    """One row per net, one column per measure."""
    ids = [c for c in nets.columns if c not in ("measure", "value")]
    return nets.pivot_table(index=ids, columns="measure", values="value").reset_index()


def setting_n(setting: str) -> int:
    return int(setting.rsplit("N", 1)[1])


def functions(t):
    curves, units = t["oned"]["curves"], t["oned"]["units"]
    settings = sorted(curves.setting.unique(), key=lambda s: (s.split("-")[1], setting_n(s)))
    lam = curves.lam.min()
    width = curves.width.max()
    fig, axes = plt.subplots(2, (len(settings) + 1) // 2, figsize=figsize(1.0, 4.2), squeeze=False)
    for ax, setting in zip(axes.flat, settings, strict=False):
        c = curves[(curves.setting == setting) & (curves.trial == 0)]
        pts = c[c.skip == -1].sort_values("x")
        ax.plot(pts.x, pts.f, color="0.6", lw=1.2, ls=":", label="connect the dots")
        for skip, color, label in [(1, "C0", "skip"), (0, "C1", "no skip")]:
            f = c[(c.skip == skip) & np.isclose(c.lam, lam) & (c.width == width)]
            ax.plot(f.x, f.f, color=color, lw=0.9, label=label)
            u = units[
                (units.setting == setting)
                & (units.trial == 0)
                & (units.skip == skip)
                & np.isclose(units.lam, lam)
                & (units.width == width)
            ]
            knots = u.knot[(u.knot > -1.15) & (u.knot < 1.15)]
            ax.plot(knots, np.full(len(knots), ax.get_ylim()[0]), "|", color=color, ms=6)
        ax.plot(pts.x, pts.f, "k.", ms=4)
        kind = setting.split("-")[1]
        ax.set_title(f"{kind}, $N={setting_n(setting)}$")
        ax.set_xlabel("$x$")
    for ax in axes.flat[len(settings) :]:
        ax.axis("off")
    axes[0, 0].set_ylabel("$f(x)$")
    axes[0, 0].legend(loc="best")
    fig.suptitle(f"$\\lambda={lam:g}$, width {width}; ticks: neuron knots", fontsize="small")
    return fig


def tv_ratio(t):
    n = wide(t["oned"]["nets"])
    n = n[(n.skip == 1) & n.setting.str.contains("random")].assign(
        N=lambda f: f.setting.map(setting_n), ratio=lambda f: f.rtv / f.tv_min
    )
    fig, axes = plt.subplots(1, 2, figsize=figsize(1.0, 2.6))
    widths = sorted(n.width.unique())
    for i, (N, g) in enumerate(n.groupby("N")):
        for width, ls in zip(widths, ["--", "-", ":", "-."], strict=False):
            m = g[g.width == width].groupby("lam")[["ratio", "n_knots"]].median()
            lab = f"$N={N}$" if width == widths[-1] else None
            axes[0].plot(m.index, m.ratio, ls, marker="o", ms=3, color=f"C{i}", label=lab)
            axes[1].plot(m.index, m.n_knots / (N - 2), ls, marker="o", ms=3, color=f"C{i}")
    axes[0].axhline(1, color="k", lw=0.7)
    axes[1].axhline(1, color="k", lw=0.7)
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel(r"weight decay $\lambda$")
    axes[0].set_ylabel(r"$\|f''\|_{TV}$ / min over interpolants")
    axes[1].set_ylabel("active knots / $(N-2)$")
    axes[0].legend(title=f"widths {', '.join(map(str, widths))}: dashed, solid")
    return fig


def optimum_gaps(t, experiment="oned"):
    """J/J* − 1 of every shallow net with weight decay, at each recorded step and after training."""
    o = t[experiment]["optimum"].assign(gap=lambda f: f.j_net / f.j_star - 1)
    keys = ["setting", "trial", "lam", "width", "skip"]
    h = t[experiment]["history"].merge(o[[*keys, "j_star"]], on=keys)
    return o, h.assign(gap=lambda f: f.loss / f.j_star - 1, t=lambda f: np.maximum(f.step, 1))


def _setting_size(setting: str) -> int:
    """N of a 1-D setting, d of a d > 1 one."""
    return int(setting.rsplit("-", 1)[1].lstrip("Nd"))


def optimum(t):
    panels = [("oned", "random", "$N={}$"), ("oned", "trend", "$N={}$"), ("highd", "", "$d={}$")]
    fig, axes = plt.subplots(1, 3, figsize=figsize(1.0, 2.8), sharey=True)
    for ax, (experiment, kind, label) in zip(axes, panels, strict=True):
        o, h = optimum_gaps(t, experiment)
        h, o = h[h.setting.str.contains(kind)], o[o.setting.str.contains(kind)]
        for i, (size, g) in enumerate(h.groupby(h.setting.map(_setting_size))):
            over_trials(ax, g, "t", "gap", "median", 80, color=f"C{i}", label=label.format(size))
        for i, (_, g) in enumerate(o.groupby(o.setting.map(_setting_size))):
            ax.plot(ax.get_xlim()[1], g.gap.median(), "<", color=f"C{i}", ms=4, clip_on=False)
        ax.axhline(1e-3, color="k", lw=0.7, ls="--")
        title = f"1-D, {kind} labels" if kind else f"$d>1$, $N={int(o.n.iloc[0])}$, random labels"
        ax.set(xscale="log", yscale="log", title=title, xlabel="step")
        ax.legend(loc="lower left")
    axes[0].set_ylabel(r"$J/J^\star-1$")
    return fig


def balance(t):
    units = t["oned"]["units"]
    shallow = [wide(t[e]["nets"]) for e in ("oned", "highd")]
    fig, axes = plt.subplots(1, 2, figsize=figsize(1.0, 2.6))
    lams = sorted(units.lam.unique())
    bins = np.linspace(-2, 2, 61)
    for i, lam in enumerate(lams):
        u = units[np.isclose(units.lam, lam)]
        r = np.log10(np.abs(u.v) / u.w_norm)
        weight = np.abs(u.v) * u.w_norm
        axes[0].hist(
            r,
            bins=bins,
            weights=weight / weight.sum(),
            histtype="step",
            color=f"C{i}",
            label=f"$\\lambda={lam:g}$",
        )
    axes[0].set_xlabel(r"$\log_{10}|v_k|/\|w_k\|$ (1-D nets)")
    axes[0].set_ylabel(r"fraction of $\sum_k|v_k|\|w_k\|$")
    axes[0].legend()
    for i, lam in enumerate(lams):
        for n, marker in zip(shallow, ["o", "s"], strict=True):
            g = n[np.isclose(n.lam, lam)]
            axes[1].loglog(g.path_norm, g.half_decay, marker, ms=2.5, mfc="none", color=f"C{i}")
    lo = min(n.path_norm.min() for n in shallow)
    hi = max(n.half_decay.max() for n in shallow)
    axes[1].plot([lo, hi], [lo, hi], "k-", lw=0.7, label="$=$ (balanced)")
    axes[1].xaxis.set_minor_formatter(NullFormatter())
    axes[1].set_xlabel(r"path norm $\sum_k|v_k|\|w_k\|$")
    axes[1].set_ylabel(r"$\frac{1}{2}\sum_k(v_k^2+\|w_k\|^2)$")
    axes[1].legend(title="o: 1-D, s: $d>1$")
    return fig


def noskip(t):
    o = t["oned"]["optimum"]
    width, lam = o.width.max(), o.lam.min()
    o = o[(o.width == width) & np.isclose(o.lam, lam)]
    fig, axes = plt.subplots(1, 2, figsize=figsize(1.0, 2.6))
    for i, kind in enumerate(["random", "trend"]):
        g = o[o.setting.str.contains(kind)]
        s = g[g.skip == 1].set_index(["setting", "trial"])
        ns = g[g.skip == 0].set_index(["setting", "trial"])
        axes[0].loglog(s.r_star, s.path_norm, "o", ms=3, color=f"C{i}", label=f"{kind}, skip")
        axes[0].loglog(
            ns.r_star, ns.path_norm, "s", ms=3, mfc="none", color=f"C{i}", label=f"{kind}, no skip"
        )
        pred, meas = ns.r_star / s.r_star, ns.path_norm / s.path_norm
        axes[1].plot(pred, meas, "o", ms=3, color=f"C{i}", label=kind)
    for ax in axes:
        lo, hi = ax.get_xlim()
        ax.plot([lo, hi], [lo, hi], "k-", lw=0.7)
        ax.legend()
    axes[0].set_xlabel(r"cost $R(f^\star)$ of the exact optimum")
    axes[0].set_ylabel("learned path norm")
    axes[1].set_xlabel(r"$R(f^\star)$ no skip / skip")
    axes[1].set_ylabel("path norm no skip / skip")
    fig.suptitle(f"$\\lambda={lam:g}$, width {width}", fontsize="small")
    return fig


def highd(t):
    n = wide(t["highd"]["nets"]).assign(dim=lambda f: f.setting.str.removeprefix("highd-d"))
    fig, axes = plt.subplots(1, 2, figsize=figsize(1.0, 2.6))
    for i, (dim, g) in enumerate(n.groupby("dim")):
        m = g.groupby("lam")[["path_norm", "rtv", "active", "max_active"]].median()
        axes[0].plot(m.index, m.rtv / m.path_norm, "o-", ms=3, color=f"C{i}", label=f"$d={dim}$")
        axes[1].plot(m.index, m.active, "o-", ms=3, color=f"C{i}", label=f"$d={dim}$")
        axes[1].axhline(m.max_active.iloc[0], color=f"C{i}", ls=":", lw=0.8)
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel(r"weight decay $\lambda$")
    axes[0].set_ylabel(r"$\mathcal{R}$-TV$^2$ / path norm")
    axes[1].set_ylabel("active neurons\n(dotted: $N-(d+1)$)")
    axes[0].legend()
    return fig


def spectra(t):
    u = t["deep"]["units"]
    depth = u.layer.max() + 1
    sub = u[(u.trial == 0) & (u.setting == f"deep-L{depth}")]
    lams = sorted(sub.lam.unique())
    fig, axes = plt.subplots(2, depth, figsize=figsize(1.0, 3.6), squeeze=False, sharey=True)
    for r, skip in enumerate([1, 0]):
        for layer in range(depth):
            ax = axes[r, layer]
            for i, lam in enumerate(lams):
                g = sub[(sub.skip == skip) & (sub.layer == layer) & np.isclose(sub.lam, lam)]
                ax.semilogy(
                    g["index"] + 1,
                    g.sv / g.sv.max(),
                    ".-",
                    ms=3,
                    color=f"C{i}",
                    label=f"$\\lambda={lam:g}$",
                )
            ax.set_ylim(1e-6, 2)
            ax.set_title(f"$W_{layer + 1}$, {'skip' if skip else 'no skip'}", fontsize="small")
            if r == 1:
                ax.set_xlabel("index $i$")
        axes[r, 0].set_ylabel(r"$\sigma_i/\sigma_1$")
    axes[0, -1].legend()
    return fig


def rank(t):
    n = wide(t["deep"]["nets"])
    fig, axes = plt.subplots(1, 2, figsize=figsize(1.0, 2.6))
    for i, (depth, g) in enumerate(n.groupby("depth")):
        for skip, ls in [(1, "-"), (0, "--")]:
            m = g[g.skip == skip].groupby("lam")[["rank_mean", "rank_0"]].median()
            lab = f"$L={depth}$" if skip else None
            axes[0].plot(m.index, m.rank_mean, ls, marker="o", ms=3, color=f"C{i}", label=lab)
            axes[1].plot(m.index, m.rank_0, ls, marker="o", ms=3, color=f"C{i}")
    for ax in axes:
        ax.set_xscale("log")
        ax.set_xlabel(r"weight decay $\lambda$")
    axes[0].set_ylabel("effective rank\n(mean over hidden layers)")
    axes[1].set_ylabel("effective rank of $W_1$")
    axes[0].legend(title="solid: skip, dashed: none")
    return fig


FIGURES = {
    "functions": functions,
    "tv_ratio": tv_ratio,
    "optimum": optimum,
    "balance": balance,
    "noskip": noskip,
    "highd": highd,
    "spectra": spectra,
    "rank": rank,
}


def draw(name, paths, pdf_path, png_path, style_path) -> None:
    if name not in FIGURES:
        raise ValueError(f"unknown splines figure {name!r}; known: {', '.join(FIGURES)}")
    use_style(style_path)
    save(FIGURES[name](tables(paths)), pdf_path, png_path)
