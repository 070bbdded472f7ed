"""Grids of the config ([start, stop, step], inclusive) → the jobs of the workflow."""


def grid(spec) -> list:
    start, stop, step = spec
    if step <= 0 or stop < start:
        raise ValueError(f"grid {spec}: need start <= stop and step > 0")
    return list(range(int(start), int(stop) + 1, int(step)))


CONTROL = "control_"  # prefix of the negative controls' experiment names


def resolved(cfg: dict) -> dict:
    """The section with the shared `grid` and `trials` filled into every solver experiment and
    control that does not set its own (the grid is written once in the config)."""
    shared = {"grid": cfg["grid"], "trials": cfg["trials"]}

    def fill(section):
        return {k: {**shared, **e} for k, e in section.items()}

    controls = fill(cfg.get("controls", {}))
    return {**cfg, "experiments": fill(cfg["experiments"]), "controls": controls}


def experiments(cfg: dict) -> dict:
    """{name: spec} of the solver experiments, the noise sweep included as `noise` and the
    negative controls as `control_<name>`."""
    out = dict(cfg["experiments"])
    out["noise"] = cfg["noise"]
    out.update({CONTROL + k: e for k, e in cfg.get("controls", {}).items()})
    return out


def is_control(experiment: str) -> bool:
    return experiment.startswith(CONTROL)


def jobs(cfg: dict) -> list:
    """(experiment, d) pairs: one solver job each."""
    return [(name, d) for name, e in experiments(cfg).items() for d in grid(e["grid"]["d"])]
