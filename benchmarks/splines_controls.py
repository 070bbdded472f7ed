"""Cost of the splines negative controls (λ = 0 members, `control_trials` per setting) and of
more trials: CPU seconds of one training job per setting at the paper-scale sizes, with the steps
cut to STEPS (the cost per step is constant, so the ratios carry over to the full run). Prints,
per setting, the CPU time of the old batch (old trials, no control), of the new trials without
the control, and with it."""

import copy
import sys
import time

import yaml

from sparsenets.splines import data, train
from sparsenets.splines.settings import settings

STEPS = 300
OLD_TRIALS = {"oned": 3, "highd": 3, "deep": 2}


def cpu(spec) -> float:
    d = data.generate(0, spec["experiment"], spec["data"])
    t0 = time.process_time()
    train.run(d, spec, 0, "bench")
    return time.process_time() - t0


def main(names) -> None:
    cfg = yaml.safe_load(open("config/config.yaml", encoding="utf-8"))["splines"]
    for name, spec in settings(cfg).items():
        if names and name not in names:
            continue
        spec = copy.deepcopy(spec)
        spec["optimizer"].update(adam_steps=STEPS, gd_steps=STEPS // 10)
        new_trials = spec["data"]["trials"]
        trials = OLD_TRIALS[spec["experiment"]]
        old = dict(spec, control_trials=0, data=dict(spec["data"], trials=trials))
        times = [cpu(old), cpu(dict(spec, control_trials=0)), cpu(spec)]
        print(
            f"{name}: old ({old['data']['trials']} trials) {times[0]:.2f} s, "
            f"{new_trials} trials {times[1]:.2f} s, + control {times[2]:.2f} s "
            f"(trials x{times[1] / times[0]:.2f}, control +{times[2] / times[1] - 1:.0%})",
            flush=True,
        )


if __name__ == "__main__":
    main(sys.argv[1:])
