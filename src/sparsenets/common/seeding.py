"""One generator per job, derived from (config seed, family, setting, …): no global random state."""

import zlib

import numpy as np


def generator(seed: int, *keys) -> np.random.Generator:
    """A Generator whose stream depends only on the seed and the keys (strings or ints)."""
    words = [int(seed)] + [zlib.crc32(str(k).encode()) for k in keys]
    return np.random.default_rng(np.random.SeedSequence(words))
