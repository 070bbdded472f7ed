"""Batched training (all trials × λ × skip variants of a setting in one run per width) against
training the same nets one at a time; prints both wall times and the ratio."""

import time

import numpy as np

from sparsenets.splines import data, train

SPEC = {
    "experiment": "oned",
    "data": {"kind": "random", "n": 20, "trials": 2, "slope": 3.0, "amplitude": 0.1},
    "net": {"widths": [64, 256], "skips": [1, 0], "init_scale": 1e-3, "knot_range": 1.2},
    "lambdas": [1e-3, 3e-4, 1e-4],
    "optimizer": {"adam_steps": 400, "lr": 1e-2, "lr_final": 1e-4, "gd_steps": 100, "gd_lr": 1e-3},
}


def main() -> None:
    d = data.generate(0, "oned", SPEC["data"])
    t0 = time.perf_counter()
    train.run(d, SPEC, 0, "bench")
    batched = time.perf_counter() - t0
    members = train.members(SPEC, SPEC["data"]["trials"])
    t0 = time.perf_counter()
    for i in range(len(members["trial"])):
        one = dict(SPEC, lambdas=[float(members["lam"][i])])
        one["net"] = dict(
            SPEC["net"], widths=[int(members["width"][i])], skips=[int(members["skip"][i])]
        )
        sub = {k: v[members["trial"][i] : members["trial"][i] + 1] for k, v in d.items()}
        train.run(sub, one, 0, "bench")
    single = time.perf_counter() - t0
    n = len(members["trial"])
    print(
        f"{n} nets: batched {batched:.2f} s, one at a time {single:.2f} s, "
        f"speed-up {single / batched:.1f}x"
    )
    assert np.isfinite(single)


if __name__ == "__main__":
    main()
