"""Verdicts of the sparse_dnn family, from the metrics tables, by the criteria in criteria.csv.

Written before the first paper-scale run (also stated in paper/sections/sparse_dnn.tex).
Slopes are OLS fits of log(mean over trials) against log n over the grid points n >= fit_min_n,
with 95% percentile-bootstrap intervals [lo, hi] over trials; both rates are read on squared L2
errors (the source bounds the excess risk, which for the square loss is ||f_hat - f*||^2, and
derives the derivative rate from it by an interpolation inequality, also squared). The rates on
the `main` design, l1-constrained network with the validated radius; d runs over its grid. The
dimension claim on the `dimension` design (d over three decades at fixed n); selection on every
design. A measurement passes only when its whole interval clears the threshold
(common/criteria.py).
"""

import numpy as np

from sparsenets.common import criteria, stats
from sparsenets.common.claims import Measurement, family_judge
from sparsenets.common.io import write_json, write_text
from sparsenets.common.latex import NONE, camel, escape, format_number, listing, tabular
from sparsenets.sparse_dnn.figures import tables
from sparsenets.sparse_dnn.summary import curve

SOURCE = "Wu & Li (arXiv 2406.18137)"
CRITERIA = criteria.load("sparse_dnn")
judge = family_judge(CRITERIA, SOURCE)
TPR_MIN = CRITERIA["sparse_dnn-selection"][0].threshold[0]
BOOT = "95% percentile bootstrap over trials (resampled trials refit the slope)"
NULL = "null_labels"  # the selection control: the l1 net on labels independent of x


def value(t, design, d, method, measure):
    s = t[design]["summary"]
    row = s[(s.d == d) & (s.method == method) & (s.measure == measure)]
    return float(row.value.iloc[0]) if len(row) else float("nan")


def ds_of(t, design):
    return sorted(int(d) for d in t[design]["summary"].d.dropna().unique())


def fig(name):
    return f"sparse_dnn/figures/{name}.pdf"


def has(t, design, method):
    return bool((t[design]["summary"].method == method).any())


def slope(t, design, d, method, measure):
    """A fitted slope with its bootstrap interval, as a measurement at d."""
    b, lo, hi = (value(t, design, d, method, f"{measure}{s}") for s in ("", "_lo", "_hi"))
    return Measurement(f"d={d}", b, (lo, hi) if np.isfinite([lo, hi]).all() else None)


def _rates(t, main, method, parts):
    return {
        part: [slope(t, main, d, method, measure) for d in ds_of(t, main)]
        for part, measure in parts.items()
    }


def _rate_claim(claim_id, parts, t, main, params, statement):
    """A claim on fitted slopes; its control: the lasso's slopes, when the design has the lasso."""
    return judge(
        claim_id,
        _rates(t, main, "l1", parts),
        params["trials"],
        BOOT,
        [fig("rates"), f"sparse_dnn/metrics/{main}_summary.csv"],
        statement=statement,
        control=_rates(t, main, "lasso", parts) if has(t, main, "lasso") else None,
    )


def model_rate(t, main, params):
    return _rate_claim(
        "sparse_dnn-model-rate",
        {"falls": "slope_mse", "rate": "slope_mse"},
        t,
        main,
        params,
        "With the l1 norm of all parameters constrained, the network converges to f* "
        "at rate O(n^-1/2).",
    )


def derivative_rate(t, main, params):
    return _rate_claim(
        "sparse_dnn-derivative-rate",
        {"rate": "slope_grad_err", "slower": "slope_diff"},
        t,
        main,
        params,
        "The partial derivatives converge at O(n^-1/4), slower than the model.",
    )


def rate_ratio(t, main, params):
    """The rates' mechanism, two-sided: slope(derivative error) / slope(model error) near 1/2.
    Control: the partition fit, which converges in value and not in derivative (ratio near 0)."""
    parts = {"half": "slope_ratio"}
    return judge(
        "sparse_dnn-rate-ratio",
        _rates(t, main, "l1", parts),
        params["trials"],
        BOOT,
        [fig("rates"), f"sparse_dnn/metrics/{main}_summary.csv"],
        statement="The derivative rate follows from the model rate through an interpolation "
        "inequality: the derivative error falls at about half the model error's rate in log n.",
        control=_rates(t, main, "partition", parts) if has(t, main, "partition") else None,
    )


ERRORS = {"mse": "model", "grad_err": "derivative"}


def _dim(t, sweep, n, method, measure):
    """A dimension-fit statistic at n with its bootstrap interval, as (value, (lo, hi))."""
    s = t[sweep]["summary"]
    row = s[(s.n == n) & (s.method == method)]

    def get(name):
        v = row[row.measure == name].value
        return float(v.iloc[0]) if len(v) else float("nan")

    interval = (get(f"{measure}_lo"), get(f"{measure}_hi"))
    return get(measure), interval if np.isfinite(interval).all() else None


def ns_of(t, design):
    s = t[design]["summary"]
    return sorted(int(n) for n in s[s.measure.str.startswith("dim_")].n.unique())


def _dimension_parts(t, sweep, method, other_sign=1):
    """{log_fit, power_gap} measurements of `method` at every n and error; other_sign = -1
    reads the gap the other way round (c(l1) - c(unconstrained): the control's)."""
    out = {"log_fit": [], "power_gap": []}
    for n in ns_of(t, sweep):
        for name, label in ERRORS.items():
            where = f"n={n} {label}"
            out["log_fit"].append(Measurement(where, *_dim(t, sweep, n, method, f"dim_fit_{name}")))
            gap, interval = _dim(t, sweep, n, "l1", f"dim_gap_{name}")
            if interval and other_sign < 0:
                interval = (-interval[1], -interval[0])
            out["power_gap"].append(Measurement(where, other_sign * gap, interval))
    return out


def dimension(t, sweep, params):
    """At fixed n, the l1 net's errors against d over three decades: a + b log d fits at least as
    well as a d^c, and c lies below the unconstrained net's. Control: the unconstrained net in the
    l1 net's place (its fits, and its exponent against the l1 net's)."""
    return judge(
        "sparse_dnn-dimension",
        _dimension_parts(t, sweep, "l1"),
        params["trials"],
        BOOT,
        [fig("dimension"), f"sparse_dnn/metrics/{sweep}_summary.csv"],
        statement="The sample complexity grows only with log(d): at a fixed n, the error of the "
        "l1-constrained network grows like log d, not like a power of d.",
        control=_dimension_parts(t, sweep, "free", -1) if has(t, sweep, "free") else None,
    )


def _selection(t, designs, method, q):
    """Mean TPR and FDP / q of the held-out BH selection over trials at the largest n of each
    (design, d), with t intervals over the trials."""
    out = {"tpr": [], "fdr": []}
    for design in designs:
        if not has(t, design, method):
            continue
        cells = t[design]["cells"]
        for d in ds_of(t, design):
            for part, measure, scale in (("tpr", "sel_tpr", 1.0), ("fdr", "sel_fdp", 1 / q)):
                table = curve(cells, method, measure).loc[d]
                trials = table.loc[table.index.max()].to_numpy() * scale
                interval = stats.t_interval(trials)
                out[part].append(Measurement(f"{design} d={d}", float(np.mean(trials)), interval))
    return out


def selection(t, designs, params):
    q = params["fdr"]
    return judge(
        "sparse_dnn-selection",
        _selection(t, designs, "l1", q),
        params["trials"],
        stats.t_method(params["trials"]),
        [fig("selection"), fig("importance"), "sparse_dnn/tables/selection.tex"],
        statement="Partial derivatives select the relevant variables of a nonlinear sparse f*: "
        "a network trained under the l1 constraint finds them without knowing how many there are.",
        control=_selection(t, designs, NULL, q) if any(has(t, g, NULL) for g in designs) else None,
    )


# ---------------------------------------------------------------------------------------------
# Tables and numbers


def _ci(t, design, d, method, measure):
    b, lo, hi = (value(t, design, d, method, f"{measure}{s}") for s in ("", "_lo", "_hi"))
    if not np.isfinite(b):
        return "--"
    return f"${b:.2f}$ $[{lo:.2f}, {hi:.2f}]$"


def slopes_table(t, designs) -> str:
    rows = []
    for design in designs:
        for d in ds_of(t, design):
            for method in ("l1", "free", "lasso"):
                name = {"l1": r"$\ell_1$ net", "free": "unconstrained", "lasso": "lasso"}[method]
                if not (t[design]["summary"].method == method).any():
                    continue
                rows.append(
                    [
                        escape(design),
                        str(d),
                        name,
                        _ci(t, design, d, method, "slope_mse"),
                        _ci(t, design, d, method, "slope_grad_err"),
                        format_number(value(t, design, d, method, "mse_at_max")),
                        format_number(value(t, design, d, method, "grad_err_at_max")),
                    ]
                )
    return tabular(
        "lrlllrr",
        [
            "design",
            "$d$",
            "method",
            r"slope $\|\hat f-f^\star\|^2$",
            r"slope $\|\nabla\hat f-\nabla f^\star\|^2$",
            "err.\\ at max $n$",
            "deriv.\\ err.\\ at max $n$",
        ],
        rows,
    )


def radius_table(t, main) -> str:
    """Slopes of the l1 net at each fixed radius of the grid (not re-chosen with n), main design."""
    summary = t[main]["summary"]
    fixed = sorted(
        {m for m in summary.method.unique() if m.startswith("l1_r")},
        key=lambda m: float(m.removeprefix("l1_r")),
    )
    rows = [
        [
            str(d),
            format_number(float(m.removeprefix("l1_r"))),
            _ci(t, main, d, m, "slope_mse"),
            _ci(t, main, d, m, "slope_grad_err"),
        ]
        for d in ds_of(t, main)
        for m in fixed
    ]
    return tabular(
        "rrll",
        [
            "$d$",
            "radius",
            r"slope $\|\hat f-f^\star\|^2$",
            r"slope $\|\nabla\hat f-\nabla f^\star\|^2$",
        ],
        rows,
    )


NAMES = {"l1": r"$\ell_1$ net", "free": "unconstrained", "lasso": "lasso", NULL: "null labels"}


def selection_table(t, designs) -> str:
    """At the largest n of each (design, d): the held-out BH selection (mean size, TPR, FDR over
    trials) and, as descriptions, the AUC of the importance ranking and n* (oracle top-s)."""
    rows = []
    for design in designs:
        s = t[design]["summary"]
        methods = [m for m in NAMES if (s.method == m).any()]
        top = int(t[design]["cells"].n.max())
        for d in ds_of(t, design):
            for method in methods:
                ns = value(t, design, d, method, "nstar")
                rows.append(
                    [
                        escape(design),
                        str(d),
                        str(top),
                        NAMES[method],
                        format_number(value(t, design, d, method, "sel_size_at_max")),
                        format_number(value(t, design, d, method, "sel_tpr_at_max")),
                        format_number(value(t, design, d, method, "sel_fdp_at_max")),
                        format_number(value(t, design, d, method, "auc_at_max")),
                        str(int(ns)) if np.isfinite(ns) else "none",
                    ]
                )
    return tabular(
        "lrrlrrrrr",
        ["design", "$d$", "$n$", "method", r"$|\hat S|$", "TPR", "FDR", "AUC", r"$n^\star$"],
        rows,
    )


def _math(x) -> str:
    s = format_number(x)
    return s if s.startswith("$") else f"${s}$"


def _dim_ci(t, sweep, n, method, measure):
    v, interval = _dim(t, sweep, n, method, measure)
    if not np.isfinite(v):
        return "--"
    if interval is None:
        return _math(v)
    return f"{_math(v)} [{_math(interval[0])}, {_math(interval[1])}]"


def dimension_table(t, sweep) -> str:
    """Per n and error: exponent c of a d^c, slope b of a + b log d and RSS(log)/RSS(power)."""
    rows = []
    s = t[sweep]["summary"]
    methods = [m for m in ("l1", "free", "lasso") if (s.method == m).any()]
    for n in ns_of(t, sweep):
        for name, label in ERRORS.items():
            for method in methods:
                rows.append(
                    [
                        str(n),
                        label,
                        NAMES[method],
                        _dim_ci(t, sweep, n, method, f"dim_c_{name}"),
                        _dim_ci(t, sweep, n, method, f"dim_b_{name}"),
                        _dim_ci(t, sweep, n, method, f"dim_fit_{name}"),
                    ]
                )
    return tabular(
        "rlllll",
        ["$n$", "error", "method", r"$c$ in $a\,d^c$", r"$b$ in $a+b\log d$", "RSS log / power"],
        rows,
    )


def settings_table(params) -> str:
    rows = []
    for name, g in params["designs"].items():
        law = (
            r"$U[-1,1]^d$" if g["x"] == "uniform" else rf"$\mathcal N(0,\Sigma)$, $\rho={g['rho']}$"
        )
        rows.append(
            [
                escape(name),
                law,
                escape(g["activation"]),
                ", ".join(map(str, g["d"])),
                ", ".join(map(str, g["n"])),
                "yes" if g["lasso"] else "no",
            ]
        )
    return tabular("lllllc", ["design", "$x$", "activation", "$d$", "$n$", "lasso"], rows)


def _settings_numbers(params) -> dict:
    fmt, net = format_number, params["network"]
    return {
        "SdnnTrials": str(params["trials"]),
        "SdnnSnr": fmt(params["snr"]),
        "SdnnNtest": fmt(params["n_test"]),
        "SdnnValPercent": fmt(round(100 * params["val_fraction"])),
        "SdnnWidth": str(net["width"]),
        "SdnnDepth": str(net["depth"]),
        "SdnnSteps": fmt(net["steps"]),
        "SdnnBatch": str(net["batch"]),
        "SdnnLr": fmt(net["lr"]),
        "SdnnMomentum": fmt(net["momentum"]),
        "SdnnAnneal": fmt(net["anneal"]),
        "SdnnWarmPercent": fmt(round(100 * net["warm"])),
        "SdnnRadii": ", ".join(fmt(r) for r in params["radii"]),
        "SdnnRadiusMin": fmt(min(params["radii"])),
        "SdnnFitMinN": fmt(params["fit_min_n"]),
        "SdnnBoot": fmt(params["bootstrap"]),
        "SdnnExactPercent": fmt(round(100 * params["exact_level"])),
        "SdnnLassoFolds": str(params["lasso"]["folds"]),
        "SdnnLassoAlphas": str(params["lasso"]["alphas"]),
        "SdnnTprMin": fmt(TPR_MIN),
        "SdnnFdr": fmt(params["fdr"]),
    }


def _rate_numbers(t, main) -> dict:
    fmt, ds = format_number, ds_of(t, main)
    n = {
        "SdnnDs": listing(ds, math=True),
        "SdnnDmin": str(ds[0]),
        "SdnnDmax": str(ds[-1]),
        "SdnnNmax": fmt(int(t[main]["cells"].n.max())),
        "SdnnNmin": fmt(int(t[main]["cells"].n.min())),
    }
    for tag, method in (("", "l1"), ("Free", "free"), ("Lasso", "lasso")):
        if not has(t, main, method):
            continue
        n[f"SdnnSlopeMse{tag}"] = listing(_ci(t, main, d, method, "slope_mse") for d in ds)
        n[f"SdnnSlopeGrad{tag}"] = listing(_ci(t, main, d, method, "slope_grad_err") for d in ds)
        n[f"SdnnMseMax{tag}"] = listing(fmt(value(t, main, d, method, "mse_at_max")) for d in ds)
        n[f"SdnnAucMax{tag}"] = listing(fmt(value(t, main, d, method, "auc_at_max")) for d in ds)
        stars = [value(t, main, d, method, "nstar") for d in ds]
        n[f"SdnnNstar{tag}"] = listing(str(int(s)) if np.isfinite(s) else "none" for s in stars)
    n["SdnnSlopeDiff"] = listing(_ci(t, main, d, "l1", "slope_diff") for d in ds)
    for tag, method in (("", "l1"), ("Free", "free"), ("Lasso", "lasso"), ("Part", "partition")):
        if has(t, main, method):
            n[f"SdnnRatio{tag}"] = listing(_ci(t, main, d, method, "slope_ratio") for d in ds)
    if has(t, main, "partition"):
        n["SdnnSlopeMsePart"] = listing(_ci(t, main, d, "partition", "slope_mse") for d in ds)
    n["SdnnRatioBand"] = "[{:g}, {:g}]".format(*CRITERIA["sparse_dnn-rate-ratio"][0].threshold)
    return n


def _dimension_numbers(t, sweep) -> dict:
    """The d grid's fits, as 'n = ...: model ..., derivative ...' listings per statistic."""
    ds = ds_of(t, sweep)
    n = {
        "SdnnDimDs": listing(ds, math=True),
        "SdnnDimNs": listing(ns_of(t, sweep), math=True),
        "SdnnDimDmin": str(ds[0]),
        "SdnnDimDmax": str(ds[-1]),
    }
    for tag, method in (("", "l1"), ("Free", "free"), ("Lasso", "lasso")):
        if not has(t, sweep, method):
            continue
        for stat in ("c", "fit", "b"):
            for name, label in ERRORS.items():
                key = f"SdnnDim{stat.capitalize()}{label.capitalize()}{tag}"
                n[key] = listing(
                    f"{_dim_ci(t, sweep, m, method, f'dim_{stat}_{name}')} ($n={m}$)"
                    for m in ns_of(t, sweep)
                )
    for name, label in ERRORS.items():
        n[f"SdnnDimGap{label.capitalize()}"] = listing(
            f"{_dim_ci(t, sweep, m, 'l1', f'dim_gap_{name}')} ($n={m}$)" for m in ns_of(t, sweep)
        )
    return n


def _selection_numbers(t, params) -> dict:
    """Held-out selection at the largest n, per d, for every design and method."""
    fmt, n = format_number, {}
    for design in params["designs"]:
        if design not in t:
            continue
        tag = "" if design == params["main"] else camel(design)
        ds = ds_of(t, design)
        n[f"Sdnn{tag}SelDs"] = listing(ds, math=True)
        for mtag, method in (("", "l1"), ("Free", "free"), ("Lasso", "lasso"), ("Null", NULL)):
            for stat, measure in (("Tpr", "sel_tpr"), ("Fdr", "sel_fdp"), ("Size", "sel_size")):
                key = f"Sdnn{tag}Sel{stat}{mtag}"
                if has(t, design, method):
                    got = (value(t, design, d, method, f"{measure}_at_max") for d in ds)
                    n[key] = listing(fmt(v) for v in got)
                else:
                    n[key] = NONE
    return n


def numbers(t, params, claims) -> dict:
    fmt, main = format_number, params["main"]
    n = {**_settings_numbers(params), **_rate_numbers(t, main)}
    info = t[main]["cells"]
    info = info[info.method == "info"]
    n["SdnnSigma"] = fmt(float(info[info.measure == "sigma"].value.iloc[0]))
    n["SdnnMaxExcess"] = fmt(float(t_all_excess(t)))
    for design in params["designs"]:
        if design in (main, params["dimension"]) or design not in t:
            continue
        tag, gds = camel(design), ds_of(t, design)
        n[f"Sdnn{tag}Ds"] = listing(gds, math=True)
        n[f"Sdnn{tag}SlopeMse"] = listing(_ci(t, design, d, "l1", "slope_mse") for d in gds)
        n[f"Sdnn{tag}SlopeGrad"] = listing(_ci(t, design, d, "l1", "slope_grad_err") for d in gds)
        n[f"Sdnn{tag}AucMax"] = listing(fmt(value(t, design, d, "l1", "auc_at_max")) for d in gds)
    if params["dimension"] in t:
        n.update(_dimension_numbers(t, params["dimension"]))
    n.update(_selection_numbers(t, params))
    for c in claims:
        name = "".join(w.capitalize() for w in c["id"].split("-")[1:])
        n[f"SdnnVerdict{name}"] = c["verdict"]
        n[f"SdnnControl{name}"] = c["control"]["verdict"]
        n[f"SdnnCannotFail{name}"] = "yes" if c["criterion_cannot_fail"] else "no"
    return n


def t_all_excess(t):
    """The largest l1 excess over the radius after any projection step, over all cells."""
    vals = []
    for g in t.values():
        c = g["cells"]
        vals += c[(c.method == "info") & (c.measure == "l1_excess")].value.tolist()
    return max(vals) if vals else float("nan")


def report(paths, outputs, params) -> None:
    t = tables(paths)
    main, sweep = params["main"], params["dimension"]
    for name, design in (("main", main), ("dimension", sweep)):
        if design not in t:
            raise ValueError(f"sparse_dnn: the {name} design {design!r} has no metrics tables")
    designs = list(params["designs"])
    claims = [
        model_rate(t, main, params),
        derivative_rate(t, main, params),
        rate_ratio(t, main, params),
        dimension(t, sweep, params),
        selection(t, designs, params),
    ]
    write_json(outputs["claims"], claims)
    write_json(outputs["numbers"], numbers(t, params, claims))
    write_text(outputs["settings"], settings_table(params))
    write_text(outputs["slopes"], slopes_table(t, [g for g in designs if g != sweep]))
    write_text(outputs["radii"], radius_table(t, main))
    write_text(outputs["selection"], selection_table(t, designs))
    write_text(outputs["dimension"], dimension_table(t, sweep))
