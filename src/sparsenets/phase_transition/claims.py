"""Verdicts of the phase_transition family, by the criteria in criteria.csv (written before the
first paper-scale run; also stated in paper/sections/phase_transition.tex). τ is the fitted
threshold n/d of an experiment (metrics.threshold), "above" means cells with n/d ≥ 2τ, "below"
n/d ≤ τ/2. Success rates are means over cells and trials (no interval); τ and the band width
carry the bootstrap intervals of metrics.threshold.
"""

import numpy as np
import pandas as pd

from sparsenets.common import criteria, stats
from sparsenets.common.claims import Measurement, family_judge
from sparsenets.common.io import read_csv, write_json, write_text
from sparsenets.common.latex import NONE, escape, format_number, listing, tabular
from sparsenets.phase_transition.models import ADMM_ITERS, SEARCH_ITERS

SOURCE = "Wang, Hua, Candès, Pilanci (IEEE TIT 2025)"
CRITERIA = criteria.load("phase_transition")
judge = family_judge(CRITERIA, SOURCE)
PRIMARY = "skip_relaxed"
CI_REL = CRITERIA["phase-transition-exists"][3].threshold[0]
WIDTH_MAX = CRITERIA["phase-transition-sharp"][0].threshold[0]
TRAIN_RATIO = CRITERIA["phase-transition-training"][0].threshold[0]
TRAIN_MAX = CRITERIA["phase-transition-training"][1].threshold[0]
FIG = "phase_transition/figures"
NONE_METHOD = "none (one value per experiment)"
BOOT = "95% percentile bootstrap of mean success over the trials of the cells"


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


def transition(cells, fits, trials):
    f = fits.set_index("experiment").loc[PRIMARY]
    c = cells[(cells.experiment == PRIMARY) & (cells.sigma == 0)]
    ratio = c.n / c.d
    tau = float(f.tau)
    inside = bool(np.isfinite(tau) and ratio.min() < tau < ratio.max())
    below, above = _regions(c, tau) if inside else (c.iloc[:0], c.iloc[:0])
    low, high = _mean(below, "success"), _mean(above, "success")
    spread = max(1 - f.tau_lo / tau, f.tau_hi / tau - 1) if inside else float("nan")
    claim = judge(
        "phase-transition-exists",
        {
            "inside": [Measurement(PRIMARY, float(inside))],
            "below": [_success(trials, PRIMARY, tau, 0, low)],
            "above": [_success(trials, PRIMARY, tau, 1, high)],
            "ci": [Measurement(PRIMARY, float(spread))],
        },
        _trials(trials, PRIMARY),
        BOOT,
        [f"{FIG}/phase.pdf", "phase_transition/metrics/thresholds.csv"],
        statement="Recovery of the planted linear neuron succeeds w.h.p. above a threshold n/d "
        "and fails below it (ReLU + skip, relaxed min-norm program, Gaussian w*).",
    )
    return claim, {"tau": tau, "low": low, "high": high}


def sharpness(fits, trials):
    f = fits.set_index("experiment").loc[PRIMARY]
    width = float(f.width)
    ci = (float(f.width_lo), float(f.width_hi))
    claim = judge(
        "phase-transition-sharp",
        {"width": [Measurement(PRIMARY, width, ci if np.isfinite(ci).all() else None)]},
        _trials(trials, PRIMARY),
        "95% bootstrap over trials of the logistic fit (metrics.threshold)",
        [f"{FIG}/phase.pdf", "phase_transition/metrics/thresholds.csv"],
        statement="The transition is sharp: the 0.1-0.9 band is narrow relative to the threshold.",
    )
    return claim, width


def noise(cells, trials):
    c = cells[cells.experiment == "noise"].sort_values(["n", "sigma"])
    steps = [np.diff(g.error_median.to_numpy()) for _, g in c.groupby("n")]
    smallest = min((float(s.min()) for s in steps if s.size), default=float("nan"))
    pos = c[c.sigma > 0]
    ratio = (pos.error_median / pos.sigma).to_numpy()
    largest = float(ratio.max()) if ratio.size else float("nan")
    claim = judge(
        "phase-transition-noise",
        {"monotone": [Measurement("noise", smallest)], "bounded": [Measurement("noise", largest)]},
        _trials(trials, "noise"),
        "none (medians over trials, one per cell)",
        [f"{FIG}/noise.pdf", "phase_transition/metrics/cells.csv"],
        statement="Recovery is stable under label noise: the error of the skip neuron grows "
        "with sigma and stays at most the noise level.",
    )
    return claim, {"mono": bool(smallest >= 0), "max_ratio": largest}


def training(train_cells, tau, n_trials):
    below, above = _regions(train_cells, tau)
    lo = float(below.distance_median.median()) if len(below) else float("nan")
    hi = float(above.distance_median.median()) if len(above) else float("nan")
    claim = judge(
        "phase-transition-training",
        {
            "separation": [Measurement("train", hi / lo if lo else float("nan"))],
            "small": [Measurement("train", hi)],
        },
        n_trials,
        "none (medians over cells of per-cell medians)",
        [f"{FIG}/train.pdf", "phase_transition/metrics/train_cells.csv"],
        statement="Gradient-trained skip networks (AdamW, weight decay) follow the convex "
        "prediction: small test distance above the threshold, large below.",
    )
    return claim, {"above": hi, "below": lo}


def variants(cells, fits, trials):
    f = fits.set_index("experiment")
    names = [e for e in f.index if e != PRIMARY]
    ok, highs, above = [], [], []
    for e in names:
        c = cells[(cells.experiment == e) & (cells.sigma == 0)]
        tau = float(f.loc[e].tau)
        inside = bool(np.isfinite(tau) and (c.n / c.d).min() < tau < (c.n / c.d).max())
        high = _mean(_regions(c, tau)[1], "success") if inside else float("nan")
        highs.append(high)
        above.append(_success(trials, e, tau, 1, high))
        ok.append(inside and high >= 0.9)
    rel = trials[(trials.experiment == PRIMARY) & (trials.sigma == 0)]
    ex = trials[(trials.experiment == "skip_exact") & (trials.sigma == 0)]
    both = rel.merge(ex, on=["n", "d", "trial"], suffixes=("_r", "_e"))
    agree = (~both.success_r | both.success_e).to_numpy(dtype=bool)
    implied = bool(len(both) and agree.all())
    taus = [float(f.loc[e].tau) for e in names]
    claim = judge(
        "phase-transition-variants",
        {
            "above": above,
            "exact": [
                Measurement("skip_exact", float(agree.mean()) if len(both) else float("nan"))
            ],
        },
        _trials(trials, PRIMARY),
        BOOT,
        [f"{FIG}/phase.pdf", "phase_transition/metrics/thresholds.csv"],
        statement="The transition holds for the variants: w* the smallest singular vector, the "
        "exact (cone) program, the plain ReLU neuron, normalised networks with 1-3 neurons.",
    )
    info = {"names": names, "ok": ok, "highs": highs, "implied": implied, "shared": len(both)}
    return claim, {**info, "taus": taus}


def fmt(x):
    return format_number(float(x)) if np.isfinite(x) else "n/a"


def thresholds_table(fits) -> str:
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
    for name, e in params["experiments"].items():
        g = e["grid"]
        rows.append(
            [
                escape(name.replace("_", " ")),
                escape(e["model"]),
                escape(e["program"]),
                escape(e.get("planted", "gaussian").replace("_", " ")),
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
    for e in f.index:
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
    n["PtrNone"] = NONE
    return n


def report(inputs, outputs, params) -> None:
    trials = read_csv(inputs["trials"])
    cells = read_csv(inputs["cells"])
    fits = read_csv(inputs["thresholds"])
    train_cells = read_csv(inputs["train_cells"])
    c1, tr = transition(cells, fits, trials)
    c2, sh = sharpness(fits, trials)
    c3, no = noise(cells, trials)
    c4, trn = training(train_cells, tr["tau"], params["train"]["trials"])
    c5, va = variants(cells, fits, trials)
    claims = [c1, c2, c3, c4, c5]
    write_json(outputs["claims"], claims)
    write_json(outputs["numbers"], numbers(fits, claims, tr, sh, no, trn, va, params, trials))
    write_text(outputs["settings"], settings_table(params))
    write_text(outputs["thresholds"], thresholds_table(fits))


__all__ = ["report", "pd"]
