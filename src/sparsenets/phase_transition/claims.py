"""Verdicts of the phase_transition family, by the criteria in criteria.csv (written before the
first paper-scale run; also stated in paper/sections/phase_transition.tex). τ is the fitted
threshold n/d of an experiment (metrics.threshold), "above" means cells with n/d ≥ 2τ, "below"
n/d ≤ τ/2. Success rates carry a bootstrap over the trials of those cells; τ and the band width
the bootstrap intervals of metrics.threshold; the noise and training statistics a bootstrap over
trial indices. Every claim's negative control (experiments control_<name>, the training control)
is measured by the same function and judged by the same criteria.
"""

import numpy as np
import pandas as pd

from sparsenets.common import criteria, stats
from sparsenets.common.claims import Measurement, family_judge
from sparsenets.common.io import read_csv, write_json, write_text
from sparsenets.common.latex import NONE, escape, format_number, listing, tabular
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
TRAIN_MAX = CRITERIA["phase-transition-training"][1].threshold[0]
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


def _regions(c, tau):
    r = c.n / c.d
    return c[r <= tau / 2], c[r >= 2 * tau]


def _mean(frame, col):
    return float(frame[col].mean()) if len(frame) else float("nan")


def _trials(trials, experiment):
    n = trials[trials.experiment == experiment].trial.nunique()
    return int(n) if n else None


def _success(trials, experiment, tau, side, estimate):
    """Mean success below (side 0) or above (1) τ, with a bootstrap over the trials of those
    cells (each cell has the same number of trials, so their mean is the mean over cells)."""
    rows = trials[(trials.experiment == experiment) & (trials.sigma == 0)]
    x = _regions(rows, tau)[side].success.to_numpy(dtype=float) if np.isfinite(tau) else []
    return Measurement(experiment, estimate, stats.bootstrap(x, np.mean, seed=side))


def _inside(c, tau) -> bool:
    """τ is finite and strictly inside the range of n/d of the cells c."""
    ratio = c.n / c.d
    return bool(np.isfinite(tau) and ratio.min() < tau < ratio.max())


def _transition_parts(cells, fits, trials, experiment):
    """The four measurements of the transition claim for one experiment (claim or control)."""
    f = fits.set_index("experiment").loc[experiment]
    c = cells[(cells.experiment == experiment) & (cells.sigma == 0)]
    tau = float(f.tau)
    inside = _inside(c, tau)
    # τ's bootstrap interval carries over to the indicator: its value at the interval's ends
    ends = [float(_inside(c, float(f.tau_lo))), float(_inside(c, float(f.tau_hi)))]
    below, above = _regions(c, tau) if inside else (c.iloc[:0], c.iloc[:0])
    low, high = _mean(below, "success"), _mean(above, "success")
    spread = max(1 - f.tau_lo / tau, f.tau_hi / tau - 1) if inside else float("nan")
    parts = {
        "inside": [Measurement(experiment, float(inside), (min(ends), max(ends)))],
        "below": [_success(trials, experiment, tau, 0, low)],
        "above": [_success(trials, experiment, tau, 1, high)],
        "ci": [Measurement(experiment, float(spread))],
    }
    return parts, {"tau": tau, "low": low, "high": high}


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
        [f"{FIG}/phase.pdf", "phase_transition/metrics/thresholds.csv"],
        statement="Recovery of the planted linear neuron succeeds w.h.p. above a threshold n/d "
        "and fails below it (ReLU + skip, relaxed min-norm program, Gaussian w*).",
        control=control,
    )
    return claim, info


def _width(fits, experiment):
    f = fits.set_index("experiment").loc[experiment]
    ci = (float(f.width_lo), float(f.width_hi))
    width = float(f.width)
    return {"width": [Measurement(experiment, width, ci if np.isfinite(ci).all() else None)]}


def sharpness(fits, trials):
    parts = _width(fits, PRIMARY)
    claim = judge(
        "phase-transition-sharp",
        parts,
        _trials(trials, PRIMARY),
        "95% bootstrap over trials of the logistic fit (metrics.threshold)",
        [f"{FIG}/phase.pdf", "phase_transition/metrics/thresholds.csv"],
        statement="The transition is sharp: the 0.1-0.9 band is narrow relative to the threshold.",
        control=_control(fits, NO_NEURON, lambda e: _width(fits, e)),
    )
    return claim, parts["width"][0].estimate


def _noise_grid(trials, experiment):
    """Errors as (trial, n, σ) over the cells of a σ sweep, and the σ values."""
    t = trials[trials.experiment == experiment]
    cube = t.pivot_table(index="trial", columns=["n", "sigma"], values="error", aggfunc="first")
    ns, sigmas = (np.sort(t[k].unique()) for k in ("n", "sigma"))
    cube = cube.reindex(columns=pd.MultiIndex.from_product([ns, sigmas]))
    return cube.to_numpy(dtype=float).reshape(len(cube), len(ns), len(sigmas)), sigmas


def _noise_stats(errors, sigmas, axis=0):
    """(smallest step of the median error between consecutive σ over every n, largest median
    error / σ over n and σ > 0) of errors (…, trial, n, σ), medians over trials at `axis`."""
    med = np.median(errors, axis=axis)
    steps = np.diff(med, axis=-1)
    smallest = steps.min(axis=(-2, -1)) if steps.size else np.full(med.shape[:-2], np.nan)
    pos = sigmas > 0
    ratio = med[..., pos] / sigmas[pos]
    largest = ratio.max(axis=(-2, -1)) if ratio.size else np.full(med.shape[:-2], np.nan)
    return smallest, largest


def _noise_parts(trials, experiment):
    errors, sigmas = _noise_grid(trials, experiment)
    smallest, largest = (float(v) for v in _noise_stats(errors, sigmas))
    intervals = [
        stats.bootstrap(errors, lambda x, axis, k=k: _noise_stats(x, sigmas, axis)[k], seed=k)
        for k in (0, 1)
    ]
    return {
        "monotone": [Measurement(experiment, smallest, intervals[0])],
        "bounded": [Measurement(experiment, largest, intervals[1])],
    }


def noise(cells, trials):
    parts = _noise_parts(trials, "noise")
    present = MISSPECIFIED in set(trials.experiment)
    control = _noise_parts(trials, MISSPECIFIED) if present else None
    claim = judge(
        "phase-transition-noise",
        parts,
        _trials(trials, "noise"),
        TRIALS_BOOT,
        [f"{FIG}/noise.pdf", "phase_transition/metrics/trials.csv"],
        statement="Recovery is stable under label noise: the error of the skip neuron grows "
        "with sigma and stays at most the noise level.",
        control=control,
    )
    smallest, largest = parts["monotone"][0].estimate, parts["bounded"][0].estimate
    ctl = control["bounded"][0].estimate if control else float("nan")
    return claim, {"mono": bool(smallest >= 0), "max_ratio": largest, "control_ratio": ctl}


def _train_stats(dist, below, above, axis=0):
    """(median over cells of per-cell median distance above, the same below) of distances
    (…, trial, cell), medians over trials at `axis`."""
    med = np.median(dist, axis=axis)
    hi = np.median(med[..., above], axis=-1) if above.any() else np.full(med.shape[:-1], np.nan)
    lo = np.median(med[..., below], axis=-1) if below.any() else np.full(med.shape[:-1], np.nan)
    return hi, lo


def _train_parts(train_trials, tau, where):
    cube = train_trials.pivot_table(
        index="trial", columns=["n", "d"], values="test_distance", aggfunc="first"
    )
    r = np.array([n / d for n, d in cube.columns], dtype=float)
    below, above = r <= tau / 2, r >= 2 * tau
    dist = cube.to_numpy(dtype=float)
    hi, lo = (float(v) for v in _train_stats(dist, below, above))

    def ratio(x, axis):
        h, low = _train_stats(x, below, above, axis)
        return h / np.where(low > 0, low, np.nan)

    def high(x, axis):
        return _train_stats(x, below, above, axis)[0]

    parts = {
        "separation": [
            Measurement(where, hi / lo if lo else float("nan"), stats.bootstrap(dist, ratio))
        ],
        "small": [Measurement(where, hi, stats.bootstrap(dist, high, seed=1))],
    }
    return parts, {"above": hi, "below": lo}


def training(train_trials, control_trials, tau, n_trials):
    parts, info = _train_parts(train_trials, tau, "train")
    control = _train_parts(control_trials, tau, "no neuron")[0] if len(control_trials) else None
    claim = judge(
        "phase-transition-training",
        parts,
        n_trials,
        TRIALS_BOOT,
        [f"{FIG}/train.pdf", "phase_transition/metrics/train_cells.csv"],
        statement="Gradient-trained skip networks (AdamW, weight decay) follow the convex "
        "prediction: small test distance above the threshold, large below.",
        control=control,
    )
    return claim, info


def _variant(cells, fits, trials, e):
    """(τ inside, success above 2τ, its measurement) of one experiment."""
    c = cells[(cells.experiment == e) & (cells.sigma == 0)]
    tau = float(fits.set_index("experiment").loc[e].tau)
    inside = _inside(c, tau)
    high = _mean(_regions(c, tau)[1], "success") if inside else float("nan")
    return inside, high, _success(trials, e, tau, 1, high)


def variants(cells, fits, trials):
    f = fits.set_index("experiment")
    names = [e for e in f.index if e != PRIMARY and not is_control(e)]
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
    taus = [float(f.loc[e].tau) for e in names]
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
        statement="The transition holds for the variants: w* the smallest singular vector, the "
        "exact (cone) program, the plain ReLU neuron, normalised networks with 1-3 neurons.",
        control=control,
    )
    info = {"names": names, "ok": ok, "highs": highs, "implied": implied, "shared": len(both)}
    return claim, {**info, "taus": taus}


def cells_of(trials, experiment):
    """The (n, d) cells of an experiment's phase diagram."""
    t = trials[(trials.experiment == experiment) & (trials.sigma == 0)]
    return t[["n", "d"]].drop_duplicates()


def fmt(x):
    return format_number(float(x)) if np.isfinite(x) else "n/a"


def thresholds_table(fits) -> str:
    fits = fits[~fits.experiment.map(is_control)]
    rows = [
        [
            escape(r.experiment.replace("_", " ")),
            fmt(r.tau),
            f"[{fmt(r.tau_lo)}, {fmt(r.tau_hi)}]",
            fmt(r.r10),
            fmt(r.r90),
            fmt(r.width),
        ]
        for r in fits.itertuples()
    ]
    return tabular(
        "lrrrrr",
        [
            "experiment",
            r"$\tau$",
            "95\\% CI",
            r"$r_{0.1}$",
            r"$r_{0.9}$",
            r"$(r_{0.9}-r_{0.1})/\tau$",
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
            "gaussian",
            "1",
            f"{t['n'][0]}:{t['n'][2]}:{t['n'][1]}",
            f"{t['d'][0]}:{t['d'][2]}:{t['d'][1]}",
            "0",
            str(t["trials"]),
        ]
    )
    c = t["control_d"]
    rows.append(
        ["train control", "skip", "AdamW", "none (labels)", "1"]
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


def numbers(fits, claims, tr, sh, no, trn, va, params, trials) -> dict:
    f = fits.set_index("experiment")
    n = {}
    r = trials[(trials.experiment == PRIMARY) & (trials.sigma == 0)]
    failed = r[~r.success.astype(bool)]
    n["PtrFailures"] = str(len(failed))
    n["PtrTieFailures"] = str(int(failed.all_ones.astype(bool).sum()))
    # one normalised neuron: success exactly at n = d (X square: the all-ones block spans R^n)
    # and above it
    one = trials[trials.experiment == "normalized_1"]
    n["PtrNormOneAtD"] = fmt(_mean(one[one.n == one.d], "success"))
    n["PtrNormOneAboveD"] = fmt(_mean(one[one.n > one.d], "success"))
    for e in (e for e in f.index if not is_control(e)):
        tag = (
            "".join(p.capitalize() for p in e.split("_"))
            .replace("1", "One")
            .replace("2", "Two")
            .replace("3", "Three")
        )
        n[f"Ptr{tag}Tau"] = fmt(f.loc[e].tau)
        n[f"Ptr{tag}TauLo"] = fmt(f.loc[e].tau_lo)
        n[f"Ptr{tag}TauHi"] = fmt(f.loc[e].tau_hi)
        n[f"Ptr{tag}Width"] = fmt(f.loc[e].width)
    n["PtrBelowSuccess"] = fmt(tr["low"])
    n["PtrAboveSuccess"] = fmt(tr["high"])
    n["PtrNoiseMaxRatio"] = fmt(no["max_ratio"])
    n["PtrNoiseMonotone"] = "yes" if no["mono"] else "no"
    n["PtrTrainAbove"] = fmt(trn["above"])
    n["PtrTrainBelow"] = fmt(trn["below"])
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
    for c in claims:
        name = "".join(w.capitalize() for w in c["id"].split("-")[2:])
        n[f"PtrVerdict{name}"] = c["verdict"]
        n[f"PtrControl{name}"] = c["control"]["verdict"]
        v = c["control"]["value"]
        n[f"PtrControlValue{name}"] = fmt(v) if isinstance(v, int | float) else "n/a"
    n["PtrNoiseTrials"] = str(params["noise"]["trials"])
    n["PtrControlNoiseRatio"] = fmt(no["control_ratio"])
    n["PtrCells"] = str(len(cells_of(trials, PRIMARY)))
    ctl = params["controls"]
    n["PtrControlDims"] = ", ".join(str(d) for d in grid(ctl["no_neuron"]["grid"]["d"]))
    mis = ctl["misspecified"]["grid"]
    n["PtrMisspecN"] = ", ".join(str(x) for x in grid(mis["n"]))
    n["PtrMisspecD"] = ", ".join(str(x) for x in grid(mis["d"]))
    n["PtrMisspecTrials"] = str(ctl["misspecified"]["trials"])
    n["PtrTrainControlD"] = ", ".join(str(x) for x in grid(params["train"]["control_d"]))
    n["PtrNone"] = NONE
    return n


def report(inputs, outputs, params) -> None:
    trials = read_csv(inputs["trials"])
    cells = read_csv(inputs["cells"])
    fits = read_csv(inputs["thresholds"])
    c1, tr = transition(cells, fits, trials)
    c2, sh = sharpness(fits, trials)
    c3, no = noise(cells, trials)
    train, control = (read_csv(inputs[k]) for k in ("train_trials", "train_control_trials"))
    c4, trn = training(train, control, tr["tau"], params["train"]["trials"])
    c5, va = variants(cells, fits, trials)
    claims = [c1, c2, c3, c4, c5]
    write_json(outputs["claims"], claims)
    write_json(outputs["numbers"], numbers(fits, claims, tr, sh, no, trn, va, params, trials))
    write_text(outputs["settings"], settings_table(params))
    write_text(outputs["thresholds"], thresholds_table(fits))


__all__ = ["report", "pd"]
