"""Train one (experiment, depth) setting: every trial and init of the grid in one batched call."""

import time

import numpy as np

from sparsenets.common.io import read_npz, write_npz
from sparsenets.common.progress import log
from sparsenets.diagonal.models import gradient_descent, record_steps


def train(
    data_path, out_path, *, depth, alphas, eta, steps, records_per_decade, positive=False
) -> None:
    data = read_npz(data_path)
    at = record_steps(steps, records_per_decade)
    runs = data["y"].shape[0] * len(alphas)
    log(f"depth {depth}: {runs} runs of {steps} steps (one compiled loop)")
    start = time.perf_counter()
    W, diverged = gradient_descent(data["X"], data["y"], depth, alphas, eta, at, positive)
    log(f"depth {depth}: done, {time.perf_counter() - start:.1f} s elapsed")
    if diverged.any():
        print(
            f"warning: {int(diverged.sum())} of {diverged.size} runs diverged (depth {depth}, "
            f"eta {eta}); recorded as diverged, their iterates after divergence are NaN"
        )
    write_npz(
        out_path,
        steps=at,
        W=W,
        alphas=np.asarray(alphas, dtype=np.float64),
        diverged=diverged,
        depth=np.int64(depth),
        eta=np.float64(eta),
        positive=np.bool_(positive),
    )
