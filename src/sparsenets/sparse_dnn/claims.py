"""Verdicts of the sparse_dnn family, from the metrics tables, by the criteria in criteria.csv.

Written before the first paper-scale run (also stated in paper/sections/sparse_dnn.tex).
Slopes are OLS fits of log(mean over trials) against log n over the grid points n >= fit_min_n,
with 95% percentile-bootstrap intervals [lo, hi] over trials; both rates are read on squared L2
errors (the source bounds the excess risk, which for the square loss is ||f_hat - f*||^2, and
derives the derivative rate from it by an interpolation inequality, also squared). All on the
`main` design, l1-constrained network with the validated radius; d runs over its grid.
A slope passes only when its whole interval clears the threshold (common/criteria.py).
"""

import math

import numpy as np

from sparsenets.common import criteria, stats
from sparsenets.common.claims import Measurement, family_judge
from sparsenets.common.io import write_json, write_text
from sparsenets.common.latex import NONE, camel, escape, format_number, listing, tabular
from sparsenets.common.seeding import generator
from sparsenets.sparse_dnn.figures import tables
from sparsenets.sparse_dnn.summary import curve, nstar

SOURCE = "Wu & Li (arXiv 2406.18137)"
CRITERIA = criteria.load("sparse_dnn")
judge = family_judge(CRITERIA, SOURCE)
TPR_MIN = CRITERIA["sparse_dnn-selection"][0].threshold[0]
AUC_MIN = CRITERIA["sparse_dnn-selection"][1].threshold[0]
BOOT = "95% percentile bootstrap over trials (resampled trials refit the slope)"
NULL = "null_labels"  # the log-d control: the l1 net on labels independent of x
BOOT_LOGD = "95% percentile bootstrap over trials (resampled trials recompute n* and the errors)"


def value(t, design, d, method, measure):
    s = t[design]["summary"]
    row = s[(s.d == d) & (s.method == method) & (s.measure == measure)]
    return float(row.value.iloc[0]) if len(row) else float("nan")


def ds_of(t, design):
    return sorted(int(d) for d in t[design]["summary"].d.unique())


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


def _log_d_values(grids, cols, ds, level):
    """(finite share, n* ratio / bound, mse ratio / (bound / 2)) over the trials `cols`; grids[d]:
    (the n grid, its n x trial exact-support indicators, the trials' errors at the largest n). An
    n* ratio with an unreached n* is infinite."""
    ns = [nstar(g[0], g[1][:, cols].mean(axis=1), level) for g in (grids[d] for d in ds)]
    bound = 2 * math.log(ds[-1]) / math.log(ds[0])
    ratio = ns[-1] / ns[0] if np.isfinite(ns).all() else math.inf
    mse_ratio = grids[ds[-1]][2][cols].mean() / grids[ds[0]][2][cols].mean()
    return float(np.mean(np.isfinite(ns))), ratio / bound, float(mse_ratio) / (bound / 2)


def _log_d(t, main, method, params):
    """The log-d measurements of one method on the main design, with 95% percentile-bootstrap
    intervals resampling trials (the same resample at every (d, n): the data are nested in n)."""
    ds = ds_of(t, main)
    cells = t[main]["cells"]
    exact, err = curve(cells, method, "exact"), curve(cells, method, "mse")
    grids = {}
    for d in ds:
        ns = exact.loc[d].index.to_numpy()
        grids[d] = (ns, exact.loc[d].to_numpy(), err.loc[(d, ns.max())].to_numpy())
    trials = exact.shape[1]
    level = params["exact_level"]
    rng = generator(params.get("seed", 0), "sparse_dnn", "log-d", method, "bootstrap")
    draws = np.array(
        [
            _log_d_values(grids, rng.integers(0, trials, trials), ds, level)
            for _ in range(params["bootstrap"])
        ]
    )
    lo, hi = np.quantile(draws, [0.025, 0.975], axis=0, method="inverted_cdf")
    points = _log_d_values(grids, np.arange(trials), ds, level)
    where = f"d={ds[0]},{ds[-1]}"
    measured = {
        part: [Measurement(where, x if np.isfinite(x) else float("nan"), (lo[i], hi[i]))]
        for i, (part, x) in enumerate(zip(("finite", "nstar", "mse"), points, strict=True))
    }
    ns = [value(t, main, d, method, "nstar") for d in ds]
    mse = [value(t, main, d, method, "mse_at_max") for d in ds]
    bound = 2 * math.log(ds[-1]) / math.log(ds[0])
    ratio = ns[-1] / ns[0] if np.isfinite(ns).all() else float("nan")
    return measured, {"ns": ns, "ratio": ratio, "bound": bound, "mse_ratio": mse[-1] / mse[0]}


def log_d(t, main, params):
    """Control: the l1 net on null labels (independent of x; trained in the same fit jobs), its
    errors against the null's regression function, judged by the same criterion."""
    measured, info = _log_d(t, main, "l1", params)
    c = judge(
        "sparse_dnn-log-d",
        measured,
        params["trials"],
        BOOT_LOGD,
        [fig("selection"), f"sparse_dnn/metrics/{main}_summary.csv"],
        statement="The sample complexity grows only with log(d).",
        control=_log_d(t, main, NULL, params)[0] if has(t, main, NULL) else None,
    )
    if has(t, main, NULL):
        null = _log_d(t, main, NULL, params)[1]
        info.update(null_ns=null["ns"], null_mse_ratio=null["mse_ratio"])
    return c, info


def _selection(t, designs, method):
    """Mean TPR and AUC over trials at the largest n, with t intervals over the trials."""
    out = {"tpr": [], "auc": []}
    for design in designs:
        if not has(t, design, method):
            continue
        for d in ds_of(t, design):
            for part in out:
                table = curve(t[design]["cells"], method, part).loc[d]
                trials = table.loc[table.index.max()].to_numpy()
                estimate = value(t, design, d, method, f"{part}_at_max")
                interval = stats.t_interval(trials)
                out[part].append(Measurement(f"{design} d={d}", estimate, interval))
    return out


def selection(t, designs, params):
    return judge(
        "sparse_dnn-selection",
        _selection(t, designs, "l1"),
        params["trials"],
        stats.t_method(params["trials"]),
        [fig("selection"), fig("importance"), fig("variants")],
        statement="Partial derivatives select the relevant variables of a nonlinear sparse f*.",
        control=_selection(t, designs, "free"),
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


def selection_table(t, designs) -> str:
    rows = []
    for design in designs:
        methods = [m for m in ("l1", "free", "lasso") if (t[design]["summary"].method == m).any()]
        for d in ds_of(t, design):
            for method in methods:
                ns = value(t, design, d, method, "nstar")
                rows.append(
                    [
                        escape(design),
                        str(d),
                        {"l1": r"$\ell_1$ net", "free": "unconstrained", "lasso": "lasso"}[method],
                        format_number(value(t, design, d, method, "tpr_at_max")),
                        format_number(value(t, design, d, method, "auc_at_max")),
                        str(int(ns)) if np.isfinite(ns) else "none",
                    ]
                )
    return tabular(
        "lrlrrr",
        ["design", "$d$", "method", "TPR at $s$", "AUC", "$n^\\star$"],
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


def numbers(t, params, claims, logd) -> dict:
    fmt = format_number
    main = params["main"]
    net = params["network"]
    ds = ds_of(t, main)
    n = {
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
        "SdnnDs": listing(ds, math=True),
        "SdnnDmin": str(ds[0]),
        "SdnnDmax": str(ds[-1]),
        "SdnnDRatio": fmt(ds[-1] / ds[0]),
        "SdnnLogRatio": fmt(math.log(ds[-1]) / math.log(ds[0])),
        "SdnnNmax": fmt(max(params["designs"][main]["n"])),
        "SdnnNmin": fmt(min(params["designs"][main]["n"])),
        "SdnnTprMin": fmt(TPR_MIN),
        "SdnnAucMin": fmt(AUC_MIN),
    }
    info = t[main]["cells"]
    info = info[info.method == "info"]
    n["SdnnSigma"] = fmt(float(info[info.measure == "sigma"].value.iloc[0]))
    n["SdnnMaxExcess"] = fmt(float(t_all_excess(t)))
    for tag, method in (("", "l1"), ("Free", "free"), ("Lasso", "lasso")):
        if not (t[main]["summary"].method == method).any():
            continue
        n[f"SdnnSlopeMse{tag}"] = listing(_ci(t, main, d, method, "slope_mse") for d in ds)
        n[f"SdnnSlopeGrad{tag}"] = listing(_ci(t, main, d, method, "slope_grad_err") for d in ds)
        n[f"SdnnMseMax{tag}"] = listing(fmt(value(t, main, d, method, "mse_at_max")) for d in ds)
        n[f"SdnnTprMax{tag}"] = listing(fmt(value(t, main, d, method, "tpr_at_max")) for d in ds)
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
    n["SdnnNstarRatio"] = fmt(logd["ratio"]) if np.isfinite(logd["ratio"]) else "undefined"
    n["SdnnNstarBound"] = fmt(logd["bound"])
    n["SdnnMseRatio"] = fmt(logd["mse_ratio"])
    n["SdnnMseBound"] = fmt(logd["bound"] / 2)
    for design in params["designs"]:
        if design == main:
            continue
        tag = camel(design)
        gds = ds_of(t, design)
        n[f"Sdnn{tag}Ds"] = listing(gds, math=True)
        n[f"Sdnn{tag}SlopeMse"] = listing(_ci(t, design, d, "l1", "slope_mse") for d in gds)
        n[f"Sdnn{tag}SlopeGrad"] = listing(_ci(t, design, d, "l1", "slope_grad_err") for d in gds)
        n[f"Sdnn{tag}TprMax"] = listing(fmt(value(t, design, d, "l1", "tpr_at_max")) for d in gds)
        n[f"Sdnn{tag}AucMax"] = listing(fmt(value(t, design, d, "l1", "auc_at_max")) for d in gds)
        if (t[design]["summary"].method == "lasso").any():
            n[f"Sdnn{tag}LassoTprMax"] = listing(
                fmt(value(t, design, d, "lasso", "tpr_at_max")) for d in gds
            )
        else:
            n[f"Sdnn{tag}LassoTprMax"] = NONE
    stars = logd.get("null_ns")
    n["SdnnNstarNull"] = (
        listing(str(int(s)) if np.isfinite(s) else "none" for s in stars) if stars else "not run"
    )
    n["SdnnMseRatioNull"] = fmt(logd["null_mse_ratio"]) if stars else "not run"
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
    main = params["main"]
    if main not in t:
        raise ValueError(f"sparse_dnn: the main design {main!r} has no metrics tables")
    designs = list(params["designs"])
    c3, logd = log_d(t, main, params)
    claims = [
        model_rate(t, main, params),
        derivative_rate(t, main, params),
        rate_ratio(t, main, params),
        c3,
        selection(t, designs, params),
    ]
    write_json(outputs["claims"], claims)
    write_json(outputs["numbers"], numbers(t, params, claims, logd))
    write_text(outputs["settings"], settings_table(params))
    write_text(outputs["slopes"], slopes_table(t, designs))
    write_text(outputs["radii"], radius_table(t, main))
    write_text(outputs["selection"], selection_table(t, designs))
