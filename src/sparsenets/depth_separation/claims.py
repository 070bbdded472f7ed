"""Verdicts of the depth_separation family, from the metrics tables, by the criteria in
criteria.csv (written after a two-seed pilot at small scale and before the first paper-scale
run; also stated in paper/sections/depth_separation.tex). Errors are test errors at the last
iteration T; a learner's error at (law, d) is the median over seeds; each network uses its
selected step size (lowest final training error) and, unless said otherwise, its widest
configuration. "Best one-hidden-layer error" is the minimum over the one-hidden-layer variants
(sigmoid/ReLU, GD/Adam) and widths. If no sub-criterion of the plateau claim holds, the text
reports "not reproduced at these sizes" with the numbers.
"""

import numpy as np
import pandas as pd

from sparsenets.common import criteria, stats
from sparsenets.common.claims import Measurement, family_judge
from sparsenets.common.io import write_json, write_text
from sparsenets.common.latex import escape, format_number, integer, listing, tabular
from sparsenets.depth_separation.figures import _label, _tables

SOURCE = "Safran & Lee (COLT 2022)"
CRITERIA = criteria.load("depth_separation")
judge = family_judge(CRITERIA, SOURCE)
LOW_ERROR = CRITERIA["depth_separation-depth2-learns"][0].threshold[0]
GAP_FACTOR = 2.0  # plateau part: stated in its measure text
PLATEAU = 0.1  # plateau part: relative improvement from T/2 to T
PLATEAU_MIN_D = 10
DEPTH2 = "depth2_gd"
SHORT = {"sigmoid_gd": "sigmoid/GD", "relu_gd": "ReLU/GD", "relu_adam": "ReLU/Adam"}
NONE_METHOD = "none (one value per setting)"


def medians(final: pd.DataFrame) -> pd.DataFrame:
    """Median over seeds per (law, d, variant, width), selected step size."""
    f = final[final.selected]
    cols = ["test_sq", "test_01", "test_sq_half", "test_01_half", "steps_to_target"]
    keys = ["law", "d", "variant", "width", "params_trained", "params_total"]
    return f.groupby(keys)[cols].median().reset_index()


def depth2_errors(med):
    m = med[med.variant == DEPTH2]
    m = m[m.width == m.groupby(["law", "d"]).width.transform("max")]
    return m.set_index(["law", "d"])


def best_shallow(med):
    m = med[med.variant != DEPTH2]
    return m.loc[m.groupby(["law", "d"]).test_sq.idxmin()].set_index(["law", "d"])


def _seeds(final, law, d):
    """Per-seed squared and 0-1 errors of the widest depth-2 learner at (law, d)."""
    f = final[final.selected & (final.variant == DEPTH2) & (final.law == law) & (final.d == d)]
    return f[f.width == f.width.max()]


def _worse_interval(seeds):
    """Interval of the larger of two medians: the larger of the two bootstrap intervals' ends."""
    cis = [stats.bootstrap(seeds[col].to_numpy()) for col in ("test_sq", "test_01")]
    return None if None in cis else (max(c[0] for c in cis), max(c[1] for c in cis))


def _worst(frame, keys) -> list:
    """Per (law, d): the larger of the median squared and 0-1 errors of the widest depth-2
    learner, with the interval of _worse_interval over its seeds."""
    out = []
    for law, d in keys:
        seeds = _seeds(frame, law, d)
        v = max(float(seeds.test_sq.median()), float(seeds.test_01.median()))
        out.append(Measurement(f"{law} d={d}", v, _worse_interval(seeds)))
    return out


def depth2_learns(med, final=None, curves=None):
    """Judged on the medians; with the per-seed tables, with intervals over seeds, and the
    control (the same learner at step 0, its output unit untrained) from the curves."""
    e = depth2_errors(med)
    worse = np.maximum(e.test_sq, e.test_01)
    if final is None:
        measured = [Measurement(f"{law} d={d}", float(v)) for (law, d), v in worse.items()]
    else:
        measured = _worst(final, worse.index)
    control = None
    if curves is not None:
        control = {"error": _worst(curves[curves.step == 0], worse.index)}
    trials = int(final.seed.nunique()) if final is not None else None
    c = judge(
        "depth_separation-depth2-learns",
        {"error": measured},
        trials,
        stats.bootstrap_method(trials) if trials else NONE_METHOD,
        ["depth_separation/figures/error_vs_d.pdf", "depth_separation/metrics/final.csv"],
        statement="GD on the output unit of a depth-2 sigmoid network with a fixed random first "
        "layer learns the ball indicator at every tested d.",
        control=control,
    )
    ok = (e.test_sq <= LOW_ERROR) & (e.test_01 <= LOW_ERROR)
    return c, {"errors": e, "ok": ok}


def shallow_gap(med, trials=None):
    e2, sh = depth2_errors(med), best_shallow(med)
    gap = (sh.test_sq - e2.test_sq).rename("gap")
    improvement = (sh.test_sq_half - sh.test_sq) / sh.test_sq_half
    plateau, growth, parts = {}, {}, {"plateau": [], "growth": []}
    for law in dict.fromkeys(gap.index.get_level_values("law")):
        dims = sorted(gap[law].index)
        big = [d for d in dims if d >= PLATEAU_MIN_D]
        plateau[law] = bool(
            big
            and all(
                sh.test_sq[(law, d)] >= GAP_FACTOR * e2.test_sq[(law, d)]
                and improvement[(law, d)] < PLATEAU
                for d in big
            )
        )
        growth[law] = bool(gap[(law, dims[-1])] > gap[(law, dims[0])])
        parts["plateau"].append(Measurement(str(law), float(plateau[law])))
        rise = float(gap[(law, dims[-1])] - gap[(law, dims[0])])
        parts["growth"].append(Measurement(str(law), rise))
    c = judge(
        "depth_separation-shallow-plateau",
        parts,
        trials,
        NONE_METHOD,
        [
            "depth_separation/figures/error_vs_d.pdf",
            "depth_separation/figures/error_vs_steps.pdf",
        ],
        statement="One-hidden-layer networks trained by GD (or Adam) plateau at an error that does "
        "not vanish with training, and their gap to the depth-2 learner grows with d.",
    )
    info = {"shallow": sh, "gap": gap, "improvement": improvement, "plateau": plateau}
    return c, {**info, "growth": growth}


def budgets(final):
    f = final[final.selected].drop_duplicates(["law", "d", "variant", "width"])
    rows, measured = [], []
    for d in sorted(f.d.unique()):
        g = f[f.d == d]
        two = g[g.variant == DEPTH2]
        two = two[two.width == two.width.max()].iloc[0]
        sh = g[g.variant != DEPTH2]
        narrow, wide = sh.params_trained.min(), sh.params_total.max()
        share = min(narrow / two.params_trained, wide / two.params_total)
        measured.append(Measurement(f"d={d}", float(share)))
        rows.append((d, int(two.params_trained), int(two.params_total), int(narrow), int(wide)))
    c = judge(
        "depth_separation-budgets",
        {"budget": measured},
        None,
        "none (parameter counts are exact)",
        ["depth_separation/tables/results.tex"],
        statement="The one-hidden-layer networks get the same or a larger parameter budget.",
    )
    return c, rows


def settings_table(params) -> str:
    laws = []
    for name, law in params["laws"].items():
        if law["kind"] == "uniform":
            h = format_number(law["spread"])
            laws.append(rf"{escape(name)}: $\rho\sim U[r(1-{h}),\,r(1+{h})]$")
        else:
            laws.append(
                rf"{escape(name)}: $\rho=r(1+{format_number(law['scale'])}E)^{{\pm1}}$, "
                rf"$\rho/r\in[1/{format_number(law['max_ratio'])},{format_number(law['max_ratio'])}]$"
            )
    d2, sh = params["depth2"], params["shallow"]
    lrs = "; ".join(
        rf"{escape(_label(n))}: $\eta\in\{{{', '.join(format_number(x) for x in v['lr'])}\}}$"
        for n, v in sh["variants"].items()
    )
    rows = [
        ["radius $r$", format_number(params["radius"])],
        ["radial laws", "; ".join(laws)],
        ["dimensions $d$", ", ".join(map(str, params["dims"]))],
        [
            "samples (train / test), seeds",
            f"{integer(params['data']['n_train'])} / {integer(params['data']['n_test'])}, "
            f"{params['data']['seeds']}",
        ],
        ["iterations $T$, recorded steps", f"{integer(params['steps'])}, {params['records']}"],
        ["depth 2: units per coordinate $k$", ", ".join(map(str, d2["features_per_coord"]))],
        [
            "depth 2: $\\alpha$, $\\beta$, GD step",
            f"{format_number(d2['weight_scale'])}, {format_number(d2['bias_scale'])}, "
            + ", ".join(format_number(x) for x in d2["lr"]),
        ],
        ["1 hidden: width factors", ", ".join(format_number(x) for x in sh["width_factors"])],
        ["1 hidden: step sizes", lrs],
        ["0-1 target for time to target", format_number(params["target"])],
    ]
    return tabular(r"@{}lp{0.62\linewidth}@{}", ["setting", "value"], rows)


def results_table(med) -> str:
    rows = []
    for (law, d), g in med.groupby(["law", "d"]):
        for _, r in g.iterrows():
            hit = r.steps_to_target
            rows.append(
                [
                    escape(law),
                    str(d),
                    escape(_label(r.variant)),
                    str(int(r.width)),
                    integer(r.params_trained),
                    format_number(r.test_sq),
                    format_number(r.test_01),
                    "--" if not np.isfinite(hit) else integer(hit),
                ]
            )
    return tabular(
        "@{}llp{0.28\\linewidth}rrrrr@{}",
        ["law", "$d$", "learner", "width", "$P$", "sq.", "0-1", "$t_{\\text{target}}$"],
        rows,
    )


def numbers(params, med, c1, c2, budget_rows, claims) -> dict:
    fmt = format_number
    e2, info = c1["errors"], c2
    n = {}
    laws = list(params["laws"])
    n["DsepLaws"] = listing(escape(x) for x in laws)
    n["DsepDims"] = listing(params["dims"], math=True)
    n["DsepMaxD"] = str(max(params["dims"]))
    n["DsepSeeds"] = str(params["data"]["seeds"])
    n["DsepSteps"] = integer(params["steps"])
    n["DsepLowError"] = fmt(LOW_ERROR)
    n["DsepGapFactor"] = fmt(GAP_FACTOR)
    n["DsepPlateau"] = fmt(PLATEAU)
    n["DsepPlateauMinD"] = str(PLATEAU_MIN_D)
    n["DsepTarget"] = fmt(params["target"])
    for law in laws:
        tag = "".join(ch for ch in law.title() if ch.isalpha())
        e = e2.loc[law]
        n[f"Dsep{tag}DepthTwoSq"] = listing(fmt(v) for v in e.test_sq)
        n[f"Dsep{tag}DepthTwoZeroOne"] = listing(fmt(v) for v in e.test_01)
        sh = info["shallow"].loc[law]
        n[f"Dsep{tag}ShallowSq"] = listing(fmt(v) for v in sh.test_sq)
        n[f"Dsep{tag}ShallowZeroOne"] = listing(fmt(v) for v in sh.test_01)
        n[f"Dsep{tag}ShallowBest"] = "; ".join(escape(SHORT.get(v, v)) for v in sh.variant)
        n[f"Dsep{tag}Improvement"] = listing(fmt(v) for v in info["improvement"].loc[law])
        n[f"Dsep{tag}Gap"] = listing(fmt(v) for v in info["gap"].loc[law])
        n[f"Dsep{tag}Plateau"] = "holds" if info["plateau"][law] else "fails"
        n[f"Dsep{tag}Growth"] = "holds" if info["growth"][law] else "fails"
        failing = [d for d, ok in c1["ok"].loc[law].items() if not ok]
        n[f"Dsep{tag}DepthTwoFailing"] = listing(failing, math=True) if failing else r"\text{none}"
    n["DsepBudgetDepthTwo"] = listing(integer(r[1]) for r in budget_rows)
    n["DsepBudgetNarrow"] = listing(integer(r[3]) for r in budget_rows)
    n["DsepBudgetWide"] = listing(integer(r[4]) for r in budget_rows)
    n["DsepBudgetTotal"] = listing(integer(r[2]) for r in budget_rows)
    for c, name in zip(claims, ("Learns", "Plateau", "Budgets"), strict=True):
        n[f"DsepVerdict{name}"] = c["verdict"]
    return n


def report(inputs, outputs, params) -> None:
    t = _tables(inputs["tables"])
    med = medians(t["final"])
    c1, info1 = depth2_learns(med, t["final"], t.get("curves"))
    c2, info2 = shallow_gap(med, c1["trials"])
    c3, rows = budgets(t["final"])
    claims = [c1, c2, c3]
    write_json(outputs["claims"], claims)
    write_json(outputs["numbers"], numbers(params, med, info1, info2, rows, claims))
    write_text(outputs["settings"], settings_table(params))
    write_text(outputs["results"], results_table(med))
