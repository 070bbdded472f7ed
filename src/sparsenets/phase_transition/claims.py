"""Verdicts of the phase_transition family, by the criteria in criteria.csv (written before the
first paper-scale run; also stated in paper/sections/phase_transition.tex). τ is the fitted
threshold n/d of an experiment at each d (metrics.threshold), "above" means cells with
n/d ≥ 2τ(d), "below" n/d ≤ τ(d)/2. Success rates carry a bootstrap over the trials of those
cells; τ and the band width the bootstrap intervals of metrics.threshold; the noise and
training statistics a bootstrap over trial indices. Every claim's negative control (experiments
control_<name>, the training control) is measured by the same function and judged by the same
criteria.
"""

import numpy as np
import pandas as pd

from sparsenets.common import criteria, stats
from sparsenets.common.claims import Measurement, family_judge
from sparsenets.common.io import read_csv, write_json, write_text
from sparsenets.common.latex import NONE, escape, format_number, listing, tabular
from sparsenets.phase_transition.metrics import CONSTANCY_LEVEL, POOLED
from sparsenets.phase_transition.models import ADMM_ITERS, SEARCH_ITERS
from sparsenets.phase_transition.settings import CONTROL, grid, is_control

SOURCE = "Wang, Hua, Candès, Pilanci (IEEE TIT 2025)"
CRITERIA = criteria.load("phase_transition")
judge = family_judge(CRITERIA, SOURCE)
PRIMARY = "skip_relaxed"
NO_NEURON = CONTROL + "no_neuron"  # labels with no planted neuron (pure noise)
MISSPECIFIED = CONTROL + "misspecified"  # labels of a ReLU neuron fitted by the skip model
CI_REL = CRITERIA["phase-transition-exists"][3].threshold[0]
WIDTH_MAX = CRITERIA["phase-transition-sharp"][0].threshold[0]
TRAIN_RATIO = CRITERIA["phase-transition-training"][0].threshold[0]
FOLLOWS_MIN = CRITERIA["phase-transition-training"][1].threshold[0]
LINEAR_MAX = CRITERIA["phase-transition-noise"][1].threshold[0]
FIG = "phase_transition/figures"
NONE_METHOD = "none (one value per experiment)"
BOOT = (
    "95% percentile bootstrap of mean success over the trials of the cells (success rates, the "
    "exact part) or of the logistic fit over trials (τ: the inside part takes its interval's ends)"
)
TRIALS_BOOT = (
    "95% percentile bootstrap over trial indices (a trial index resampled in every cell at once, "
    f"{stats.RESAMPLES} draws)"
)


def taus(fits, experiment) -> dict:
    """{d: (τ_d, lo, hi)} of an experiment's per-d fits."""
    f = fits[(fits.experiment == experiment) & (fits.d != POOLED)]
    return {int(r.d): (float(r.tau), float(r.tau_lo), float(r.tau_hi)) for r in f.itertuples()}


def pooled(fits, experiment) -> dict:
    """The pooled fit's row (τ, interval, width, p_const) and whether it stands: the constancy
    test across d does not reject."""
    r = fits[(fits.experiment == experiment) & (fits.d == POOLED)].iloc[0]
    stands = bool(np.isfinite(r.p_const) and r.p_const >= CONSTANCY_LEVEL)
    return {**r.to_dict(), "stands": stands}


def _regions(c, tau_d):
    """Cells below (n/d ≤ τ(d)/2) and above (n/d ≥ 2τ(d)), τ(d) from the dict {d: τ_d}."""
    tau = c.d.map(lambda d: tau_d.get(int(d), (np.nan,))[0]).to_numpy(dtype=float)
    r = (c.n / c.d).to_numpy(dtype=float)
    return c[r <= tau / 2], c[r >= 2 * tau]


def _mean(frame, col):
    return float(frame[col].mean()) if len(frame) else float("nan")


def _trials(trials, experiment):
    n = trials[trials.experiment == experiment].trial.nunique()
    return int(n) if n else None


def _success(trials, experiment, tau_d, side, estimate):
    """Mean success below (side 0) or above (1) τ(d), with a bootstrap over the trials of those
    cells (each cell has the same number of trials, so their mean is the mean over cells)."""
    rows = trials[(trials.experiment == experiment) & (trials.sigma == 0)]
    x = _regions(rows, tau_d)[side].success.to_numpy(dtype=float)
    return Measurement(experiment, estimate, stats.bootstrap(x, np.mean, seed=side))


def _inside(c, tau) -> bool:
    """τ is finite and strictly inside the range of n/d of the cells c."""
    ratio = c.n / c.d
    return bool(np.isfinite(tau) and ratio.min() < tau < ratio.max())


def _inside_every_d(c, tau_d, k=0) -> bool:
    """τ(d) (k = 0; its interval's ends: k = 1, 2) inside the grid at every d of the cells c."""
    ds = sorted(int(d) for d in c.d.unique())
    return bool(ds) and all(_inside(c[c.d == d], tau_d.get(d, (np.nan,) * 3)[k]) for d in ds)


def _transition_parts(cells, fits, trials, experiment):
    """The four measurements of the transition claim for one experiment (claim or control), at
    every d with that d's threshold τ(d)."""
    c = cells[(cells.experiment == experiment) & (cells.sigma == 0)]
    tau_d = taus(fits, experiment)
    inside = _inside_every_d(c, tau_d)
    # τ(d)'s bootstrap interval carries over to the indicator: its value at the intervals' ends
    ends = [float(_inside_every_d(c, tau_d, k)) for k in (1, 2)]
    below, above = _regions(c, tau_d) if inside else (c.iloc[:0], c.iloc[:0])
    low, high = _mean(below, "success"), _mean(above, "success")
    spread = (
        max(max(1 - lo / t, hi / t - 1) for t, lo, hi in tau_d.values()) if inside else float("nan")
    )
    parts = {
        "inside": [Measurement(experiment, float(inside), (min(ends), max(ends)))],
        "below": [_success(trials, experiment, tau_d if inside else {}, 0, low)],
        "above": [_success(trials, experiment, tau_d if inside else {}, 1, high)],
        "ci": [Measurement(experiment, float(spread))],
    }
    return parts, {"tau_d": tau_d, "low": low, "high": high}


def _control(fits, experiment, measure):
    """A control's measurements, or None (recorded as not run) when its runs are absent."""
    return measure(experiment) if experiment in set(fits.experiment) else None


def transition(cells, fits, trials):
    parts, info = _transition_parts(cells, fits, trials, PRIMARY)
    control = _control(fits, NO_NEURON, lambda e: _transition_parts(cells, fits, trials, e)[0])
    claim = judge(
        "phase-transition-exists",
        parts,
        _trials(trials, PRIMARY),
        BOOT,
        [f"{FIG}/phase.pdf", f"{FIG}/thresholds.pdf", "phase_transition/metrics/thresholds.csv"],
        statement="Unique recovery of the planted linear neuron succeeds w.h.p. above a "
        "threshold n/d and fails below it, at every d (ReLU + skip, relaxed min-norm program, "
        "w* the smallest right singular vector of X).",
        control=control,
    )
    return claim, info


def _width(fits, experiment):
    """The largest relative width (r_0.9 − r_0.1)/τ(d) over d, with the envelope of the per-d
    intervals' ends."""
    f = fits[(fits.experiment == experiment) & (fits.d != POOLED)]
    if not len(f) or not np.isfinite(f.width).all():
        return {"width": [Measurement(experiment, float("nan"))]}
    ci = (float(f.width_lo.max()), float(f.width_hi.max()))
    width = float(f.width.max())
    return {"width": [Measurement(experiment, width, ci if np.isfinite(ci).all() else None)]}


def sharpness(fits, trials):
    parts = _width(fits, PRIMARY)
    claim = judge(
        "phase-transition-sharp",
        parts,
        _trials(trials, PRIMARY),
        "95% bootstrap over trials of the logistic fit at each d (metrics.threshold); the "
        "interval is the largest lower and upper end over d",
        [f"{FIG}/thresholds.pdf", "phase_transition/metrics/thresholds.csv"],
        statement="The transition is sharp: at every d the 0.1-0.9 band is narrow relative to "
        "the threshold.",
        control=_control(fits, NO_NEURON, lambda e: _width(fits, e)),
    )
    return claim, parts["width"][0].estimate


def _noise_grid(trials, experiment, tau_d):
    """Errors as (trial, cell, σ) over the cells of a σ sweep with n/d ≥ 2τ(d), and the σ."""
    t = trials[trials.experiment == experiment]
    tau = t.d.map(lambda d: tau_d.get(int(d), (np.nan,))[0]).to_numpy(dtype=float)
    t = t[(t.n / t.d).to_numpy(dtype=float) >= 2 * tau]
    cube = t.pivot_table(index="trial", columns=["n", "d", "sigma"], values="error")
    sigmas = np.sort(t.sigma.unique())
    cells = t[["n", "d"]].drop_duplicates().sort_values(["d", "n"]).to_numpy()
    cols = pd.MultiIndex.from_tuples([(n, d, s) for n, d in cells for s in sigmas])
    cube = cube.reindex(columns=cols).to_numpy(dtype=float)
    return cube.reshape(len(cube), len(cells), len(sigmas)), sigmas


def _noise_stats(errors, sigmas, axis=0):
    """(smallest step of the median error between consecutive σ over every cell, largest ratio
    over cells of the largest to the smallest median error/σ over σ > 0) of errors
    (…, trial, cell, σ), medians over trials at `axis`."""
    med = np.median(errors, axis=axis)
    nan = np.full(med.shape[:-2], np.nan)
    steps = np.diff(med, axis=-1)
    smallest = steps.min(axis=(-2, -1)) if steps.size else nan
    pos = sigmas > 0
    ratio = np.median(errors[..., pos] / sigmas[pos], axis=axis)
    spread = (ratio.max(axis=-1) / ratio.min(axis=-1)).max(axis=-1) if pos.sum() > 1 else nan
    return smallest, spread


def _noise_parts(trials, experiment, tau_d):
    errors, sigmas = _noise_grid(trials, experiment, tau_d)
    if not errors.size:
        nan = Measurement(experiment, float("nan"))
        return {"monotone": [nan], "linear": [nan]}
    smallest, spread = (float(v) for v in _noise_stats(errors, sigmas))
    intervals = [
        stats.bootstrap(errors, lambda x, axis, k=k: _noise_stats(x, sigmas, axis)[k], seed=k)
        for k in (0, 1)
    ]
    return {
        "monotone": [Measurement(experiment, smallest, intervals[0])],
        "linear": [Measurement(experiment, spread, intervals[1])],
    }


def noise(cells, fits, trials):
    tau_d = taus(fits, PRIMARY)
    parts = _noise_parts(trials, "noise", tau_d)
    present = MISSPECIFIED in set(trials.experiment)
    control = _noise_parts(trials, MISSPECIFIED, tau_d) if present else None
    claim = judge(
        "phase-transition-noise",
        parts,
        _trials(trials, "noise"),
        TRIALS_BOOT,
        [f"{FIG}/noise.pdf", "phase_transition/metrics/trials.csv"],
        statement="Recovery is stable under label noise above the threshold (n/d ≥ 2τ(d)): the "
        "error of the skip neuron grows with sigma and in proportion to it.",
        control=control,
    )
    mono, spread = parts["monotone"][0], parts["linear"][0]
    ctl = control["linear"][0].estimate if control else float("nan")
    t = trials[trials.experiment == "noise"]
    pos = t[t.sigma > 0]
    return claim, {
        "mono": bool(mono.estimate >= 0),
        "spread": spread.estimate,
        "spread_ci": spread.interval,
        "control_spread": ctl,
        "ratio_median": float(np.median(pos.error / pos.sigma)) if len(pos) else float("nan"),
        "ds": sorted(int(d) for d in t.d.unique()),
    }


def _train_stats(rel, ratio, below, above, axis=0):
    """(median over above cells of the per-cell median relative test distance, the same below,
    median over below cells of the per-cell median ratio of the trained to the convex network's
    test distance) of (…, trial, cell) arrays, medians over trials at `axis`."""

    def over(x, cells):
        med = np.median(x, axis=axis)
        return (
            np.median(med[..., cells], axis=-1) if cells.any() else np.full(med.shape[:-1], np.nan)
        )

    return over(rel, above), over(rel, below), over(ratio, below)


def _train_parts(train_trials, tau_d, where):
    t = train_trials.copy()
    t["relative"] = t.test_distance / t.target_norm
    conv = t.convex_distance if "convex_distance" in t else np.nan
    t["ratio"] = t.test_distance / conv
    cube = t.pivot_table(
        index="trial", columns=["n", "d"], values=["relative", "ratio"], dropna=False
    )
    cols = cube["relative"].columns
    tau = np.array([tau_d.get(int(d), (np.nan,))[0] for _, d in cols], dtype=float)
    r = np.array([n / d for n, d in cols], dtype=float)
    below, above = r <= tau / 2, r >= 2 * tau
    rel = cube["relative"].to_numpy(dtype=float)
    ratio = cube["ratio"].reindex(columns=cols).to_numpy(dtype=float)
    hi, lo, follows = (float(v) for v in _train_stats(rel, ratio, below, above))
    data = np.stack([rel, ratio], axis=-2)  # (trial, 2, cell): one resampled trial index

    def sep(x, axis):
        h, low, _ = _train_stats(x[..., 0, :], x[..., 1, :], below, above, axis)
        return h / np.where(low > 0, low, np.nan)

    def fol(x, axis):
        return _train_stats(x[..., 0, :], x[..., 1, :], below, above, axis)[2]

    finite = np.isfinite(ratio[:, below]).all() if below.any() else False
    parts = {
        "separation": [
            Measurement(where, hi / lo if lo else float("nan"), stats.bootstrap(data, sep))
        ],
        "follows": [
            Measurement(
                where,
                follows if finite else float("nan"),
                stats.bootstrap(data, fol, seed=1) if finite else None,
            )
        ],
    }
    return parts, {"above": hi, "below": lo, "follows": follows}


def training(train_trials, control_trials, tau_d, n_trials):
    parts, info = _train_parts(train_trials, tau_d, "train")
    control = _train_parts(control_trials, tau_d, "no neuron")[0] if len(control_trials) else None
    claim = judge(
        "phase-transition-training",
        parts,
        n_trials,
        TRIALS_BOOT,
        [f"{FIG}/train.pdf", "phase_transition/metrics/train_cells.csv"],
        statement="Gradient-trained skip networks (the source's AdamW, rebuilt every epoch) "
        "follow the convex program: they recover the planted model above the threshold and, "
        "like the convex program, do not below it.",
        control=control,
    )
    return claim, info


def _variant(cells, fits, trials, e):
    """(τ(d) inside at every d, success above 2τ(d), its measurement) of one experiment."""
    c = cells[(cells.experiment == e) & (cells.sigma == 0)]
    tau_d = taus(fits, e)
    inside = _inside_every_d(c, tau_d)
    high = _mean(_regions(c, tau_d)[1], "success") if inside else float("nan")
    return inside, high, _success(trials, e, tau_d if inside else {}, 1, high)


def variants(cells, fits, trials):
    names = [e for e in dict.fromkeys(fits.experiment) if e != PRIMARY and not is_control(e)]
    ok, highs, above = [], [], []
    for e in names:
        inside, high, m = _variant(cells, fits, trials, e)
        highs.append(high)
        above.append(m)
        ok.append(inside and high >= 0.9)
    rel = trials[(trials.experiment == PRIMARY) & (trials.sigma == 0)]
    ex = trials[(trials.experiment == "skip_exact") & (trials.sigma == 0)]
    both = rel.merge(ex, on=["n", "d", "trial"], suffixes=("_r", "_e"))
    agree = (~both.success_r | both.success_e).to_numpy(dtype=bool)
    implied = bool(len(both) and agree.all())
    # the control: the "above" part on labels with no planted neuron; the "exact" part is a
    # logical check (exact ⊇ relaxed recovery on the same data) with no control of its own
    control = _control(fits, NO_NEURON, lambda e: {"above": [_variant(cells, fits, trials, e)[2]]})
    claim = judge(
        "phase-transition-variants",
        {
            "above": above,
            "exact": [
                Measurement(
                    "skip_exact",
                    float(agree.mean()) if len(both) else float("nan"),
                    stats.bootstrap(agree.astype(float), np.mean, seed=3),
                )
            ],
        },
        _trials(trials, PRIMARY),
        BOOT,
        [f"{FIG}/phase.pdf", "phase_transition/metrics/thresholds.csv"],
        statement="The transition holds for the variants: Gaussian w*, the exact (cone) "
        "program, the plain ReLU neuron, normalised networks with 1-3 neurons.",
        control=control,
    )
    info = {"names": names, "ok": ok, "highs": highs, "implied": implied, "shared": len(both)}
    return claim, info


def cells_of(trials, experiment):
    """The (n, d) cells of an experiment's phase diagram."""
    t = trials[(trials.experiment == experiment) & (trials.sigma == 0)]
    return t[["n", "d"]].drop_duplicates()


def fmt(x):
    return format_number(float(x)) if np.isfinite(x) else "n/a"


def thresholds_table(fits) -> str:
    """One row per experiment: the pooled τ where the constancy test across d passes (else
    "per d"), the test's p-value, and the range of τ(d) with its intervals' envelope."""
    rows = []
    for e in dict.fromkeys(fits.experiment):
        if is_control(e):
            continue
        pool, per_d = pooled(fits, e), taus(fits, e)
        finite = [v for v in per_d.values() if np.isfinite(v[0])]
        lo = min((v[0] for v in finite), default=np.nan)
        hi = max((v[0] for v in finite), default=np.nan)
        env = (
            min((v[1] for v in finite), default=np.nan),
            max((v[2] for v in finite), default=np.nan),
        )
        rows.append(
            [
                escape(e.replace("_", " ")),
                f"{fmt(pool['tau'])} [{fmt(pool['tau_lo'])}, {fmt(pool['tau_hi'])}]"
                if pool["stands"]
                else "per $d$",
                fmt(pool["p_const"]),
                f"{fmt(lo)}--{fmt(hi)}",
                f"[{fmt(env[0])}, {fmt(env[1])}]",
            ]
        )
    return tabular(
        "lrrrr",
        [
            "experiment",
            r"pooled $\tau$ [95\% CI]",
            r"$p$ (constancy)",
            r"$\tau(d)$ range",
            r"intervals' range",
        ],
        rows,
    )


def settings_table(params) -> str:
    rows = []
    named = {**params["experiments"], **{CONTROL + k: e for k, e in params["controls"].items()}}
    for name, e in named.items():
        g = e["grid"]
        label = e.get("labels", "planted")
        planted = e.get("planted", "gaussian") if label == "planted" else f"{label} (labels)"
        rows.append(
            [
                escape(name.replace("_", " ")),
                escape(e["model"]),
                escape(e["program"]),
                escape(planted.replace("_", " ")),
                str(e.get("neurons", 1)),
                f"{g['n'][0]}:{g['n'][2]}:{g['n'][1]}",
                f"{g['d'][0]}:{g['d'][2]}:{g['d'][1]}",
                ", ".join(format_number(s) for s in e.get("sigmas", [0.0])),
                str(e["trials"]),
            ]
        )
    t = params["train"]
    rows.append(
        [
            "train",
            "skip",
            "AdamW",
            escape(t["planted"].replace("_", " ")),
            "1",
            f"{t['n'][0]}:{t['n'][2]}:{t['n'][1]}",
            f"{t['d'][0]}:{t['d'][2]}:{t['d'][1]}",
            "0",
            str(t["trials"]),
        ]
    )
    for name, key, label in (
        ("train control", "control_d", "none (labels)"),
        ("train, persistent AdamW", "deviation_d", escape(t["planted"].replace("_", " "))),
    ):
        c = t[key]
        rows.append(
            [name, "skip", "AdamW", label, "1"]
            + [rows[-1][5], f"{c[0]}:{c[2]}:{c[1]}", "0", str(t["trials"])]
        )
    return tabular(
        "lllllllll",
        [
            "experiment",
            "model",
            "program",
            "$w^\\star$",
            "neurons",
            "$n$",
            "$d$",
            r"$\sigma$",
            "trials",
        ],
        rows,
    )


def _tag(e):
    return (
        "".join(p.capitalize() for p in e.split("_"))
        .replace("1", "One")
        .replace("2", "Two")
        .replace("3", "Three")
    )


def numbers(fits, claims, tr, no, trn, va, params, trials, persistent) -> dict:
    n = {}
    r = trials[(trials.experiment == PRIMARY) & (trials.sigma == 0)]
    n["PtrTies"] = str(int((r.outcome == "tie").sum()))
    n["PtrTiesAllOnes"] = str(int(((r.outcome == "tie") & r.all_ones.astype(bool)).sum()))
    n["PtrFailures"] = str(int((r.outcome == "failure").sum()))
    n["PtrPrimaryTrials"] = str(len(r))
    ex = trials[(trials.experiment == "skip_exact") & (trials.sigma == 0)]
    n["PtrExactTies"] = str(int((ex.outcome == "tie").sum()))
    # one normalised neuron: success exactly at n = d (X square: the all-ones block spans R^n)
    # and above it
    one = trials[trials.experiment == "normalized_1"]
    n["PtrNormOneAtD"] = fmt(_mean(one[one.n == one.d], "success"))
    n["PtrNormOneAboveD"] = fmt(_mean(one[one.n > one.d], "success"))
    for e in (e for e in dict.fromkeys(fits.experiment) if not is_control(e)):
        pool, per_d = pooled(fits, e), taus(fits, e)
        tag = _tag(e)
        n[f"Ptr{tag}Pooled"] = fmt(pool["tau"]) if pool["stands"] else "none (not constant in $d$)"
        n[f"Ptr{tag}Const"] = fmt(pool["p_const"])
        finite = [v[0] for v in per_d.values() if np.isfinite(v[0])]
        n[f"Ptr{tag}TauMin"] = fmt(min(finite, default=np.nan))
        n[f"Ptr{tag}TauMax"] = fmt(max(finite, default=np.nan))
    n["PtrBelowSuccess"] = fmt(tr["low"])
    n["PtrAboveSuccess"] = fmt(tr["high"])
    n["PtrSharpWidth"] = fmt(claims[1]["value"]) if claims[1]["value"] is not None else "n/a"
    n["PtrNoiseSpread"] = fmt(no["spread"])
    n["PtrNoiseRatio"] = fmt(no["ratio_median"])
    n["PtrNoiseMonotone"] = "yes" if no["mono"] else "no"
    n["PtrNoiseDims"] = ", ".join(str(d) for d in no["ds"])
    n["PtrControlNoiseSpread"] = fmt(no["control_spread"])
    n["PtrTrainAbove"] = fmt(trn["above"])
    n["PtrTrainBelow"] = fmt(trn["below"])
    n["PtrTrainFollows"] = fmt(trn["follows"])
    n["PtrPersistentAbove"] = fmt(persistent["above"])
    n["PtrPersistentBelow"] = fmt(persistent["below"])
    n["PtrSharedTrials"] = str(va["shared"])
    n["PtrExactImplied"] = "yes" if va["implied"] else "no"
    failing = [
        escape(e.replace("_", " ")) for e, ok in zip(va["names"], va["ok"], strict=True) if not ok
    ]
    n["PtrVariantsFailing"] = listing(failing) if failing else "none"
    n["PtrVariantHighs"] = listing(fmt(h) for h in va["highs"])
    n["PtrVariantNames"] = listing(escape(e.replace("_", " ")) for e in va["names"])
    n["PtrTrials"] = str(params["experiments"][PRIMARY]["trials"])
    n["PtrTrainTrials"] = str(params["train"]["trials"])
    n["PtrTrainEpochs"] = str(params["train"]["epochs"])
    n["PtrTol"] = format_number(params["tol"])
    n["PtrBatch"] = str(params["batch"])  # the fast path's settings, as the text describes them
    n["PtrSearchIters"] = str(SEARCH_ITERS)
    n["PtrAdmmIters"] = str(ADMM_ITERS)
    n["PtrConstLevel"] = format_number(CONSTANCY_LEVEL)
    for c in claims:
        name = "".join(w.capitalize() for w in c["id"].split("-")[2:])
        n[f"PtrVerdict{name}"] = c["verdict"]
        n[f"PtrControl{name}"] = c["control"]["verdict"]
        v = c["control"]["value"]
        n[f"PtrControlValue{name}"] = fmt(v) if isinstance(v, int | float) else "n/a"
    n["PtrNoiseTrials"] = str(params["noise"]["trials"])
    n["PtrCells"] = str(len(cells_of(trials, PRIMARY)))
    ctl = params["controls"]
    n["PtrControlDims"] = ", ".join(str(d) for d in grid(ctl["no_neuron"]["grid"]["d"]))
    mis = ctl["misspecified"]["grid"]
    n["PtrMisspecN"] = ", ".join(str(x) for x in grid(mis["n"]))
    n["PtrMisspecD"] = ", ".join(str(x) for x in grid(mis["d"]))
    n["PtrMisspecTrials"] = str(ctl["misspecified"]["trials"])
    n["PtrTrainControlD"] = ", ".join(str(x) for x in grid(params["train"]["control_d"]))
    n["PtrTrainDeviationD"] = ", ".join(str(x) for x in grid(params["train"]["deviation_d"]))
    n["PtrNone"] = NONE
    return n


def report(inputs, outputs, params) -> None:
    trials = read_csv(inputs["trials"])
    cells = read_csv(inputs["cells"])
    fits = read_csv(inputs["thresholds"])
    c1, tr = transition(cells, fits, trials)
    c2, _ = sharpness(fits, trials)
    c3, no = noise(cells, fits, trials)
    train, control, persistent = (
        read_csv(inputs[k])
        for k in ("train_trials", "train_control_trials", "train_persistent_trials")
    )
    tau_d = taus(fits, PRIMARY)
    c4, trn = training(train, control, tau_d, params["train"]["trials"])
    dev = _train_parts(persistent, tau_d, "persistent")[1]
    c5, va = variants(cells, fits, trials)
    claims = [c1, c2, c3, c4, c5]
    write_json(outputs["claims"], claims)
    write_json(outputs["numbers"], numbers(fits, claims, tr, no, trn, va, params, trials, dev))
    write_text(outputs["settings"], settings_table(params))
    write_text(outputs["thresholds"], thresholds_table(fits))


__all__ = ["report", "pd"]
