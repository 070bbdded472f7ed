"""Verdicts of the depth_separation family, from the metrics tables, by the fixed criteria below.

Written after a two-seed pilot at small scale and before the first paper-scale run; also stated
in paper/sections/depth_separation.tex. Errors are test errors at the last iteration T; a
learner's error at (law, d) is the median over seeds; each network uses its selected step size
(lowest final training error) and, unless said otherwise, its widest configuration.
"Best one-hidden-layer error" is the minimum over the one-hidden-layer variants (sigmoid/ReLU,
GD/Adam) and widths.

1 depth2-learns   For every law and every d: the depth-2 learner's squared error ≤ 0.1 and 0-1
                  error ≤ 0.1 (one sub-criterion per (law, d)).
2 shallow-gap     Per law, two sub-criteria: (a) plateau: for every d ≥ 10, the best
                  one-hidden-layer squared error at T is at least twice the depth-2 learner's AND
                  that network improved by less than 10% (relative) from T/2 to T;
                  (b) growth: the gap (best one-hidden-layer − depth-2 squared error) is larger at
                  the largest d than at the smallest d.
                  If no sub-criterion holds, the verdict is "not reproduced" and the text reports
                  "not reproduced at these sizes" with the numbers.
3 budgets         For every d: the narrower one-hidden-layer width trains at least as many
                  parameters as the widest depth-2 learner, and the wider one has at least as
                  many parameters as the depth-2 network including its fixed layer.
Sub-criteria: all met → reproduced, some → partial, none → not reproduced.
"""

import numpy as np
import pandas as pd

from sparsenets.common.claims import claim, verdict_from
from sparsenets.common.io import write_json, write_text
from sparsenets.common.latex import escape, format_number, integer, listing, tabular
from sparsenets.depth_separation.figures import _label, _tables

SOURCE = "Safran & Lee (COLT 2022)"
LOW_ERROR = 0.1  # criterion 1, both squared and 0-1 error
GAP_FACTOR = 2.0  # criterion 2a
PLATEAU = 0.1  # criterion 2a: relative improvement from T/2 to T
PLATEAU_MIN_D = 10
DEPTH2 = "depth2_gd"
SHORT = {"sigmoid_gd": "sigmoid/GD", "relu_gd": "ReLU/GD", "relu_adam": "ReLU/Adam"}


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


def depth2_learns(med):
    e = depth2_errors(med)
    ok = (e.test_sq <= LOW_ERROR) & (e.test_01 <= LOW_ERROR)
    return claim(
        id="depth_separation-depth2-learns",
        source=SOURCE,
        statement="GD on the output unit of a depth-2 sigmoid network with a fixed random first "
        "layer learns the ball indicator at every tested d.",
        measure="median test squared / 0-1 error at T per (law, d)",
        value=[e.test_sq.round(4).tolist(), e.test_01.round(4).tolist()],
        expected=f"both <= {LOW_ERROR} for every law and d",
        verdict=verdict_from(int(ok.sum()), len(ok)),
        evidence=[
            "depth_separation/figures/error_vs_d.pdf",
            "depth_separation/metrics/final.csv",
        ],
    ), {"errors": e, "ok": ok}


def shallow_gap(med):
    e2, sh = depth2_errors(med), best_shallow(med)
    gap = (sh.test_sq - e2.test_sq).rename("gap")
    improvement = (sh.test_sq_half - sh.test_sq) / sh.test_sq_half
    passed, total, plateau, growth = 0, 0, {}, {}
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
        passed += plateau[law] + growth[law]
        total += 2
    return claim(
        id="depth_separation-shallow-plateau",
        source=SOURCE,
        statement="One-hidden-layer networks trained by GD (or Adam) plateau at an error that does "
        "not vanish with training, and their gap to the depth-2 learner grows with d.",
        measure="per (law, d): best one-hidden-layer test squared error at T; its relative "
        "improvement from T/2 to T; gap to the depth-2 learner",
        value=[sh.test_sq.round(4).tolist(), improvement.round(4).tolist(), gap.round(4).tolist()],
        expected=f"per law: for d >= {PLATEAU_MIN_D} error >= {GAP_FACTOR:g}x depth-2 and "
        f"improvement < {PLATEAU:g}; gap larger at the largest d than at the smallest",
        verdict=verdict_from(passed, total),
        evidence=[
            "depth_separation/figures/error_vs_d.pdf",
            "depth_separation/figures/error_vs_steps.pdf",
        ],
    ), {"shallow": sh, "gap": gap, "improvement": improvement, "plateau": plateau, "growth": growth}


def budgets(final):
    f = final[final.selected].drop_duplicates(["law", "d", "variant", "width"])
    rows, passed = [], 0
    dims = sorted(f.d.unique())
    for d in dims:
        g = f[f.d == d]
        two = g[g.variant == DEPTH2]
        two = two[two.width == two.width.max()].iloc[0]
        sh = g[g.variant != DEPTH2]
        narrow, wide = sh.params_trained.min(), sh.params_total.max()
        ok = narrow >= two.params_trained and wide >= two.params_total
        passed += bool(ok)
        rows.append((d, int(two.params_trained), int(two.params_total), int(narrow), int(wide)))
    return claim(
        id="depth_separation-budgets",
        source=SOURCE,
        statement="The one-hidden-layer networks get the same or a larger parameter budget.",
        measure="per d: depth-2 trained / total parameters; one-hidden-layer smallest and "
        "largest parameter counts",
        value=[list(r) for r in rows],
        expected="smallest one-hidden-layer >= depth-2 trained, largest >= depth-2 total",
        verdict=verdict_from(passed, len(dims)),
        evidence=["depth_separation/tables/results.tex"],
    ), rows


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
    c1, info1 = depth2_learns(med)
    c2, info2 = shallow_gap(med)
    c3, rows = budgets(t["final"])
    claims = [c1, c2, c3]
    write_json(outputs["claims"], claims)
    write_json(outputs["numbers"], numbers(params, med, info1, info2, rows, claims))
    write_text(outputs["settings"], settings_table(params))
    write_text(outputs["results"], results_table(med))
