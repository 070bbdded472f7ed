"""Verdicts of the depth_separation family, from the metrics tables, by the criteria in
criteria.csv (fixed before the first paper-scale run of this design; also stated in
paper/sections/depth_separation.tex). Errors are relative test errors (test MSE / p(1 − p)) on
10^5 fresh points per trial; a learner's error at (law, d) is the median over trials; the
depth-2 learner is taken at its largest k; "best one-hidden-layer" is the lowest median over
activations and widths, chosen again in every bootstrap draw. Intervals: percentile bootstrap
resampling trials (each trial is one data stream shared by every learner, so draws are paired).

Negative controls, judged by the same criteria: the depth-2 learner at step 0 (output unit
untrained) for the learning claim; the uniform law for the gap claim; the lower-bound law for
the no-gap claim on the uniform law.
"""

import numpy as np
import pandas as pd

from sparsenets.common import criteria, stats
from sparsenets.common.claims import Measurement, family_judge
from sparsenets.common.io import write_json, write_text
from sparsenets.common.latex import escape, format_number, integer, listing, tabular
from sparsenets.depth_separation import data
from sparsenets.depth_separation.figures import _tables

SOURCE = "Safran & Lee (COLT 2022)"
CRITERIA = criteria.load("depth_separation")
judge = family_judge(CRITERIA, SOURCE)
LEARNS = CRITERIA["depth_separation-depth2-learns"][0].threshold[0]
FLOOR = CRITERIA["depth_separation-shallow-gap"][0].threshold[0]
NO_GAP = CRITERIA["depth_separation-uniform-no-gap"][0].threshold[0]
HARD_KIND, CONTROL_KIND = "bessel", "uniform"
DEPTH2, ABLATION = "depth2", "linear"


def laws_of_kind(laws: dict, kind: str) -> list:
    return [name for name, law in laws.items() if law["kind"] == kind]


def _interval(fn, S):
    """Point estimate (all trials) and bootstrap interval of fn(index rows (R, S)) → (R,)."""
    point = float(fn(np.arange(S)[None])[0])
    return point, stats.bootstrap(np.arange(S), lambda draws, axis: fn(draws.astype(np.int64)))


def _per_seed(final, law, d, variant, width=None, column="test_rel") -> np.ndarray:
    f = final[(final.law == law) & (final.d == d) & (final.variant == variant)]
    f = f[f.width == (f.width.max() if width is None else width)]
    return f.sort_values("seed")[column].to_numpy()


def _shallow(final, law, d) -> np.ndarray:
    """(networks, trials): relative test errors of every one-hidden-layer net at (law, d)."""
    f = final[(final.law == law) & (final.d == d) & ~final.variant.isin([DEPTH2, ABLATION])]
    return f.pivot_table(index=["variant", "width"], columns="seed", values="test_rel").to_numpy()


def _best(sh, idx):
    """Per draw: the median of the one-hidden-layer net with the lowest median."""
    with np.errstate(all="ignore"):
        med = np.nanmedian(sh[:, idx], axis=-1)  # (nets, R)
    return np.nanmin(np.where(np.isnan(med), np.inf, med), axis=0)


def gap_measures(final, law) -> dict:
    """{part: [Measurement]}: floor and gap per d, growth (largest minus smallest d)."""
    dims = sorted(final[final.law == law].d.unique())
    S = final.seed.nunique()
    out = {"floor": [], "gap": [], "depth2": [], "shallow": []}
    gaps = {}
    for d in dims:
        two, sh = _per_seed(final, law, d, DEPTH2), _shallow(final, law, d)
        gaps[d] = lambda idx, two=two, sh=sh: _best(sh, idx) - np.median(two[idx], axis=-1)
        for part, fn in (
            ("floor", lambda idx, sh=sh: _best(sh, idx)),
            ("gap", gaps[d]),
            ("depth2", lambda idx, two=two: np.median(two[idx], axis=-1)),
        ):
            out[part].append(Measurement(f"{law} d={d}", *_interval(fn, S)))
    lo, hi = dims[0], dims[-1]
    growth = _interval(lambda idx: gaps[hi](idx) - gaps[lo](idx), S)
    out["growth"] = [Measurement(f"{law} d={lo}→{hi}", *growth)]
    del out["shallow"]
    return out


def _median_measure(values, setting):
    return Measurement(setting, float(np.median(values)), stats.bootstrap(values))


def learns_measures(final, curves, law, *, control=False) -> dict:
    """error, width and steps per d; control=True reads the same network at step 0."""
    col = "init_rel" if control else "test_rel"
    out = {"error": [], "width": [], "steps": []}
    for d in sorted(final[final.law == law].d.unique()):
        f = final[(final.law == law) & (final.d == d) & (final.variant == DEPTH2)]
        big, small = (
            _per_seed(f, law, d, DEPTH2, column=col),
            _per_seed(f, law, d, DEPTH2, f.width.min(), column=col),
        )
        c = curves[(curves.law == law) & (curves.d == d) & (curves.variant == DEPTH2)]
        c = c[c.width == c.width.max()]
        steps = np.sort(c.step.unique())
        T = 0 if control else steps[-1]
        early = 0 if control else steps[np.argmin(np.abs(steps - steps[-1] / 10))]
        by = c.pivot_table(index="seed", columns="step", values="mon_rel")
        out["error"].append(_median_measure(big, f"{law} d={d}"))
        out["width"].append(_median_measure(big - small, f"{law} d={d}"))
        out["steps"].append(_median_measure((by[T] - by[early]).to_numpy(), f"{law} d={d}"))
    return out


def _gather(per_law: dict, names: list) -> dict:
    parts = {p for law in names for p in per_law[law]}
    return {p: [m for law in names for m in per_law[law].get(p, [])] for p in parts}


EVIDENCE = [
    "depth_separation/figures/error_vs_d.pdf",
    "depth_separation/figures/error_vs_steps.pdf",
    "depth_separation/metrics/final.csv",
]


def all_claims(t, laws) -> tuple:
    final, curves = t["final"], t["curves"]
    hard, easy = laws_of_kind(laws, HARD_KIND), laws_of_kind(laws, CONTROL_KIND)
    trials = int(final.seed.nunique())
    method = stats.bootstrap_method(trials, "median (trials resampled, paired over learners)")
    learns = {law: learns_measures(final, curves, law) for law in hard}
    learns_ctl = {law: learns_measures(final, curves, law, control=True) for law in hard}
    gaps = {law: gap_measures(final, law) for law in laws}
    statements = {
        "depth_separation-depth2-learns": "On the radial law of the lower bound, GD on the output "
        "unit of a depth-2 sigmoid network with a fixed random first layer learns the ball "
        "indicator at every tested d, its error falling as k and the number of steps grow.",
        "depth_separation-shallow-gap": "On the law of the lower bound, the best one-hidden-layer "
        "network (sigmoid or ReLU, online SGD, step size chosen on validation data) stays above "
        "a d-independent error while the depth-2 learner goes below it, and the gap grows with d.",
        "depth_separation-uniform-no-gap": "On the uniform radial law (bounded density) no "
        "separation: the best one-hidden-layer network is within a small margin of the depth-2 "
        "learner at every d.",
    }
    # claim: (measurements, control's measurements), the control judged by the same criterion
    judged = {
        "depth_separation-depth2-learns": (_gather(learns, hard), _gather(learns_ctl, hard)),
        "depth_separation-shallow-gap": (_gather(gaps, hard), _gather(gaps, easy)),
        "depth_separation-uniform-no-gap": (_gather(gaps, easy), _gather(gaps, hard)),
    }
    out = [
        judge(claim, measured, trials, method, EVIDENCE, statement=statements[claim], control=ctl)
        for claim, (measured, ctl) in judged.items()
    ]
    return out, {"learns": learns, "gaps": gaps, "hard": hard, "easy": easy}


def law_text(law: dict) -> str:
    if law["kind"] == "uniform":
        h = format_number(law["spread"])
        return rf"uniform, $\rho\sim U[r(1-{h}),\,r(1+{h})]$"
    if law["kind"] == "bessel":
        m = law.get("max_ratio")
        cut = rf"$\rho\le {format_number(m)}r$" if m is not None else "untruncated"
        return (
            rf"lower bound, density $\propto J_{{d/2}}(\kappa\rho/r)^2/\rho$, "
            rf"$\alpha={format_number(law['alpha'])}$, {cut}"
        )
    m = format_number(law["max_ratio"])
    e = law.get("shell_exponent", 0)
    w = format_number(law["scale"]) + (rf"\,d^{{-{format_number(e)}}}" if e else "")
    return rf"heavy-tailed shell, $\rho=r(1+wE)^{{\pm1}}$, $w={w}$, $\rho/r\in[1/{m},{m}]$"


def settings_table(params) -> str:
    d2, sh = params["depth2"], params["shallow"]
    # The set's braces in math mode and its numbers in text: format_number writes small ones
    # as $…\times 10^{…}$ already.
    lrs = "; ".join(
        rf"{escape(n)}: $\eta\in\{{$" + ", ".join(format_number(x) for x in v["lr"]) + r"$\}$"
        for n, v in sh["variants"].items()
    )
    rows = [[escape(name), law_text(law)] for name, law in params["laws"].items()]
    rows += [
        [
            "radius $r$, dimensions $d$",
            f"{format_number(params['radius'])}; " + ", ".join(map(str, params["dims"])),
        ],
        [
            "trials; samples per trial",
            f"{params['data']['seeds']}; train "
            f"{integer(params['data']['n_train'])}, validation {integer(params['data']['n_val'])}, "
            f"monitoring {integer(params['data']['n_monitor'])}, "
            f"test {integer(params['test']['n'])}",
        ],
        [
            "depth 2: $k$; $\\alpha$, $\\beta$",
            ", ".join(map(str, d2["features_per_coord"]))
            + f"; {format_number(d2['weight_scale'])}, {format_number(d2['bias_scale'])}",
        ],
        [
            "depth 2: GD steps; step sizes",
            f"{integer(d2['steps'])}; sigmoid output "
            + ", ".join(format_number(x) for x in d2["lr"])
            + "; linear readout "
            + ", ".join(format_number(x) for x in d2["linear_lr"]),
        ],
        ["1 hidden: widths", ", ".join(f"{c}d" for c in sh["width_per_coord"])],
        [
            "1 hidden: SGD steps, batch, selection",
            f"{integer(sh['steps'])}, {sh['batch']} fresh "
            f"points per step, step size chosen on validation at step {integer(sh['select_at'])}",
        ],
        ["1 hidden: step sizes", lrs],
    ]
    return tabular(r"@{}lp{0.62\linewidth}@{}", ["setting", "value"], rows)


def _with_interval(m: Measurement) -> str:
    if m.estimate is None or not np.isfinite(m.estimate):
        return "undefined"
    if m.interval is None:
        return format_number(m.estimate)
    lo, hi = (format_number(x) for x in m.interval)
    return f"{format_number(m.estimate)} [{lo}, {hi}]"


def results_table(final: pd.DataFrame, info) -> str:
    rows = []
    for law, g in info["gaps"].items():
        for i, m in enumerate(g["depth2"]):
            d = int(m.setting.split("=")[1])
            lin = np.median(_per_seed(final, law, d, ABLATION))
            rows.append(
                [
                    escape(law),
                    str(d),
                    _with_interval(m),
                    format_number(lin),
                    _with_interval(g["floor"][i]),
                    _with_interval(g["gap"][i]),
                ]
            )
    return tabular(
        "@{}lrllll@{}", ["law", "$d$", "depth 2", "linear readout", "best 1 hidden", "gap"], rows
    )


def numbers(params, final, claims, info) -> dict:
    fmt = format_number
    n = {
        "DsepLaws": listing(escape(x) for x in params["laws"]),
        "DsepDims": listing(params["dims"], math=True),
        "DsepMaxD": str(max(params["dims"])),
        "DsepSeeds": str(params["data"]["seeds"]),
        "DsepTestN": integer(params["test"]["n"]),
        "DsepShallowSteps": integer(params["shallow"]["steps"]),
        "DsepSelectAt": integer(params["shallow"]["select_at"]),
        "DsepDepthTwoSteps": integer(params["depth2"]["steps"]),
        "DsepLearns": fmt(LEARNS),
        "DsepFloor": fmt(FLOOR),
        "DsepNoGap": fmt(NO_GAP),
        "DsepHardLaws": listing(escape(x) for x in info["hard"]),
        "DsepControlLaws": listing(escape(x) for x in info["easy"]),
    }
    for c, name in zip(claims, ("Learns", "Gap", "NoGap"), strict=True):
        n[f"DsepVerdict{name}"] = c["verdict"]
        n[f"DsepControl{name}"] = c["control"]["verdict"]
        n[f"DsepControlValue{name}"] = (
            fmt(c["control"]["value"]) if c["control"]["value"] is not None else "undefined"
        )
    for law, g in info["gaps"].items():
        tag = "".join(ch for ch in law.title() if ch.isalpha())
        for part, ms in g.items():
            n[f"Dsep{tag}{part.title().replace('2', 'Two')}"] = listing(
                _with_interval(m) for m in ms
            )
        n[f"Dsep{tag}Linear"] = listing(
            fmt(np.median(_per_seed(final, law, d, ABLATION))) for d in params["dims"]
        )
        n[f"Dsep{tag}Inside"] = fmt(final[final.law == law].p_inside.mean())
        shallow = final[(final.law == law) & ~final.variant.isin([DEPTH2, ABLATION])]
        n[f"Dsep{tag}Diverged"] = (
            f"{int(shallow.diverged.sum())} of {len(shallow)}" if "diverged" in shallow else "0"
        )
        spec = params["laws"][law]
        if spec["kind"] == "bessel":  # the mass of its heavy tail beyond 10r, per d
            n[f"Dsep{tag}Tail"] = listing(
                fmt(data.bessel_tail_mass(d, spec["alpha"])) for d in params["dims"]
            )
    for law, parts in info["learns"].items():
        tag = "".join(ch for ch in law.title() if ch.isalpha())
        for part in ("width", "steps"):
            n[f"Dsep{tag}Learns{part.title()}"] = listing(_with_interval(m) for m in parts[part])
    return n


def report(inputs, outputs, params) -> None:
    t = _tables(inputs["tables"])
    claims, info = all_claims(t, params["laws"])
    write_json(outputs["claims"], claims)
    write_json(outputs["numbers"], numbers(params, t["final"], claims, info))
    write_text(outputs["settings"], settings_table(params))
    write_text(outputs["results"], results_table(t["final"], info))
