"""One experiment's config → one setting per depth (a Snakemake job each).

In the config, `eta`, `steps` and the init (`w0` = alpha^N, or `alpha`) are either one value for
all depths or a list with one entry per depth; an init entry may be a list (a grid, batched in
one job).
"""


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


def settings(name: str, exp: dict) -> dict:
    """{depth: {"alphas": [...], "eta": float, "steps": int}} for one experiment."""
    init_key = "w0" if "w0" in exp else "alpha"
    inits = _per_depth(exp, init_key, name)
    etas = _per_depth(exp, "eta", name)
    steps = _per_depth(exp, "steps", name)
    out = {}
    for depth, init, eta, n_steps in zip(exp["depths"], inits, etas, steps, strict=True):
        grid = init if isinstance(init, list) else [init]
        alphas = [float(g) ** (1.0 / depth) if init_key == "w0" else float(g) for g in grid]
        out[int(depth)] = {"alphas": alphas, "eta": float(eta), "steps": int(n_steps)}
    return out
