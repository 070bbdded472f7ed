"""One experiment's config → one setting per depth (a Snakemake job each).

In the config, `eta`, `steps` and the init (`w0` = alpha^N, or `alpha`) are either one value for
all depths or a list with one entry per depth; an init entry may be a list (a grid, batched in
one job).

An experiment may add `control: {alpha, eta, steps}`: a run at depth N = 1 (CONTROL_DEPTH) on the
same data, the negative control of the depth and initialisation claims. At N = 1 the network
w = u − v moves by the same step whatever alpha is (w_t does not depend on the init scale), so
neither depth nor initialisation can act there.
"""

CONTROL_DEPTH = 1


def _per_depth(exp: dict, key: str, name: str) -> list:
    depths = exp["depths"]
    value = exp[key]
    if not isinstance(value, list):
        return [value] * len(depths)
    if len(value) != len(depths):
        raise ValueError(
            f"config diagonal.experiments.{name}.{key}: {len(value)} entries for "
            f"{len(depths)} depths {depths}; give one value, or one per depth"
        )
    return value


MODELS = {"signed": False, "positive": True}  # model key → the `positive` flag of the GD loop


def settings(name: str, exp: dict) -> dict:
    """{depth: {"alphas": [...], "eta": float, "steps": int, "positive": bool}} for one
    experiment; `model: positive` is the non-negative network w = u^N of the source's image
    experiment (default `signed`: w = u^N − v^N)."""
    positive = MODELS[exp.get("model", "signed")]
    init_key = "w0" if "w0" in exp else "alpha"
    inits = _per_depth(exp, init_key, name)
    etas = _per_depth(exp, "eta", name)
    steps = _per_depth(exp, "steps", name)
    out = {}
    for depth, init, eta, n_steps in zip(exp["depths"], inits, etas, steps, strict=True):
        grid = init if isinstance(init, list) else [init]
        alphas = [float(g) ** (1.0 / depth) if init_key == "w0" else float(g) for g in grid]
        out[int(depth)] = {
            "alphas": alphas,
            "eta": float(eta),
            "steps": int(n_steps),
            "positive": positive,
        }
    if "control" in exp:
        c = exp["control"]
        grid = c["alpha"] if isinstance(c["alpha"], list) else [c["alpha"]]
        out[CONTROL_DEPTH] = {
            "alphas": [float(a) for a in grid],
            "eta": float(c["eta"]),
            "steps": int(c["steps"]),
            "positive": positive,
        }
    return out
