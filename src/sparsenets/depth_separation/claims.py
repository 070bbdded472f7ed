"""Verdicts of the depth_separation family, from the metrics tables, by the criteria in
criteria.csv (written after a two-seed pilot at small scale and before the first paper-scale
run; also stated in paper/sections/depth_separation.tex). Errors are test errors at the last
iteration T; a learner's error at (law, d) is the median over seeds; each network uses its
selected step size (lowest final training error) and, unless said otherwise, its widest
configuration. "Best one-hidden-layer error" is the minimum over the one-hidden-layer variants
(sigmoid/ReLU, GD/Adam) and widths. If no sub-criterion of the plateau claim holds, the text
reports "not reproduced at these sizes" with the numbers.

Negative controls, judged by the same criteria: the depth-2 learner at step 0 (its output unit
untrained) for the learning claim; the uniform radial law, where no separation is predicted, for
the plateau claim (judged on the heavy-tailed law). The parameter budgets are a design check,
not a claim: there is no effect a control could remove.
"""

import warnings

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
GAP_FACTOR = CRITERIA["depth_separation-shallow-plateau"][0].threshold[0]
PLATEAU = CRITERIA["depth_separation-shallow-plateau"][1].threshold[0]
PLATEAU_MIN_D = 10
HARD_KIND = "lomax"  # the heavy-tailed law the lower bound needs; the others are controls
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


def separation_laws(laws: dict) -> tuple:
    """(laws the separation is claimed on, control laws): the heavy-tailed law of the lower bound
    against the uniform law, for which no separation is predicted."""
    hard = [name for name, law in laws.items() if law["kind"] == HARD_KIND]
    return hard, [name for name in laws if name not in hard]


def _law_arrays(final, law) -> dict:
    """{d: (depth-2 test_sq (S,), one-hidden-layer test_sq (C, S), the same at T/2 (C, S))}: the
    selected runs at one law, the depth-2 learner at its widest, C = (variant, width) pairs,
    columns = seeds in one order for every learner (a seed is one data set, shared by them)."""
    f = final[final.selected & (final.law == law)]
    seeds = sorted(f.seed.unique())
    out = {}
    for d, g in f.groupby("d"):
        two = g[g.variant == DEPTH2]
        two = two[two.width == two.width.max()].set_index("seed").test_sq.reindex(seeds)
        sh = g[g.variant != DEPTH2].set_index(["variant", "width", "seed"])
        sq, half = (
            sh[col].unstack("seed").reindex(columns=seeds) for col in ("test_sq", "test_sq_half")
        )
        out[int(d)] = (two.to_numpy(), sq.to_numpy(), half.to_numpy())
    return out


def _plateau_stats(arrays: dict, idx) -> dict:
    """The plateau claim's three measures for each row of seed indices idx (R, S): medians over
    the drawn seeds, the best one-hidden-layer net (lowest median) chosen per draw and d."""
    idx = np.asarray(idx, dtype=np.int64)
    rows = np.arange(len(idx))
    ratios, stalls, gaps = [], [], []
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # an all-diverged column: NaN median
        for d in sorted(arrays):
            e2, sq, half = arrays[d]
            m2 = np.nanmedian(e2[idx], axis=-1)
            msq, mhalf = (np.nanmedian(a[:, idx], axis=-1) for a in (sq, half))
            best = np.argmin(np.where(np.isnan(msq), np.inf, msq), axis=0)
            b, bh = msq[best, rows], mhalf[best, rows]
            gaps.append(b - m2)
            if d >= PLATEAU_MIN_D:
                ratios.append(b / m2)
                stalls.append((bh - b) / bh)
    nan = np.full(len(idx), np.nan)
    return {
        "ratio": np.min(ratios, axis=0) if ratios else nan,
        "stall": np.max(stalls, axis=0) if stalls else nan,
        "growth": gaps[-1] - gaps[0],
    }


def plateau_measures(final, law) -> dict:
    """{part: [Measurement]} at one law: estimates from all seeds, 95% percentile bootstrap
    intervals resampling seeds (each draw recomputes every median and the best net)."""
    arrays = _law_arrays(final, law)
    S = len(next(iter(arrays.values()))[0])
    point = _plateau_stats(arrays, np.arange(S)[None])
    out = {}
    for part in point:
        ci = stats.bootstrap(
            np.arange(S), lambda draws, axis, p=part: _plateau_stats(arrays, draws)[p]
        )
        out[part] = [Measurement(str(law), float(point[part][0]), ci)]
    return out


def shallow_gap(med, final, laws):
    """The plateau claim, judged on the heavy-tailed law(s); the same criterion on the uniform
    law, where no separation is predicted, is its negative control (the same jobs)."""
    hard, easy = separation_laws(laws)
    per_law = {law: plateau_measures(final, law) for law in laws}

    def gather(names):
        return {
            p: [m for law in names for m in per_law[law][p]] for p in ("ratio", "stall", "growth")
        }

    trials = int(final.seed.nunique())
    c = judge(
        "depth_separation-shallow-plateau",
        gather(hard),
        trials,
        stats.bootstrap_method(trials, "medians behind each measure (seeds resampled)"),
        [
            "depth_separation/figures/error_vs_d.pdf",
            "depth_separation/figures/error_vs_steps.pdf",
            "depth_separation/metrics/final.csv",
        ],
        statement="Under the heavy-tailed radial law, one-hidden-layer networks trained by GD (or "
        "Adam) plateau at an error that does not vanish with training, and their gap to the "
        "depth-2 learner grows with d.",
        control=gather(easy) if easy else None,
    )
    e2, sh = depth2_errors(med), best_shallow(med)
    gap = (sh.test_sq - e2.test_sq).rename("gap")
    improvement = (sh.test_sq_half - sh.test_sq) / sh.test_sq_half
    plateau = {
        law: bool(m["ratio"][0].estimate >= GAP_FACTOR and m["stall"][0].estimate < PLATEAU)
        for law, m in per_law.items()
    }
    growth = {law: bool(m["growth"][0].estimate > 0) for law, m in per_law.items()}
    info = {"shallow": sh, "gap": gap, "improvement": improvement, "plateau": plateau}
    return c, {**info, "growth": growth, "measures": per_law, "hard": hard, "easy": easy}


def budgets(final):
    """A check of the design, not a claim: per d, the narrowest one-hidden-layer net trains at
    least as many parameters as the widest depth-2 learner and the widest at least as many as
    the depth-2 network with its fixed layer. Parameter counts are exact; the widths are chosen
    to satisfy this (models.shallow_width), so a failure means the configuration broke it."""
    f = final[final.selected].drop_duplicates(["law", "d", "variant", "width"])
    rows, ok = [], True
    for d in sorted(f.d.unique()):
        g = f[f.d == d]
        two = g[g.variant == DEPTH2]
        two = two[two.width == two.width.max()].iloc[0]
        sh = g[g.variant != DEPTH2]
        narrow, wide = sh.params_trained.min(), sh.params_total.max()
        ok &= bool(narrow >= two.params_trained and wide >= two.params_total)
        rows.append((d, int(two.params_trained), int(two.params_total), int(narrow), int(wide)))
    return ok, rows


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


def numbers(params, med, c1, c2, budget, claims) -> dict:
    budget_ok, budget_rows = budget
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
    n["DsepBudgetCheck"] = "holds" if budget_ok else "fails"
    for c, name in zip(claims, ("Learns", "Plateau"), strict=True):
        n[f"DsepVerdict{name}"] = c["verdict"]
        n[f"DsepControl{name}"] = c["control"]["verdict"]
        n[f"DsepTrials{name}"] = str(c["trials"])
    n["DsepControlLearnsValue"] = fmt(claims[0]["control"]["value"])
    for who, laws in (("", info["hard"]), ("Control", info["easy"])):
        for part in ("ratio", "stall", "growth"):
            ms = [m for law in laws for m in info["measures"][law][part]]
            n[f"Dsep{who}Plateau{part.title()}"] = listing(_with_interval(m) for m in ms)
    n["DsepHardLaws"] = listing(escape(x) for x in info["hard"])
    n["DsepControlLaws"] = listing(escape(x) for x in info["easy"])
    return n


def _with_interval(m: Measurement) -> str:
    """An estimate and its 95% interval, as running text."""
    if m.estimate is None or not np.isfinite(m.estimate):
        return "undefined"
    if m.interval is None:
        return format_number(m.estimate)
    lo, hi = (format_number(x) for x in m.interval)
    return f"{format_number(m.estimate)} [{lo}, {hi}]"


def report(inputs, outputs, params) -> None:
    t = _tables(inputs["tables"])
    med = medians(t["final"])
    c1, info1 = depth2_learns(med, t["final"], t.get("curves"))
    c2, info2 = shallow_gap(med, t["final"], params["laws"])
    claims = [c1, c2]
    write_json(outputs["claims"], claims)
    write_json(outputs["numbers"], numbers(params, med, info1, info2, budgets(t["final"]), claims))
    write_text(outputs["settings"], settings_table(params))
    write_text(outputs["results"], results_table(med))
