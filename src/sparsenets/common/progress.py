"""Progress of a job's long loop: a tqdm bar on a terminal, timestamped lines in a job's log.

A rule sends the job's output to `results/logs/<rule>/<wildcards>.log`; `tail -f` on that file
follows a running job. Progress never touches the results, so it cannot change a byte of them.
"""

import sys
import time
from datetime import UTC, datetime

from tqdm import tqdm

EVERY = 10.0  # seconds between two log lines (the first and the last item are always logged)


def log(message: str) -> None:
    """One timestamped line on stderr (the job's log when run by the workflow)."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")
    print(f"{stamp} {message}", file=sys.stderr, flush=True)


def progress(items, what: str, total: int | None = None, every: float = EVERY):
    """Yield from `items`, reporting `what`, the item count and the elapsed time as it goes."""
    items = list(items) if total is None and not hasattr(items, "__len__") else items
    total = len(items) if total is None else total
    if sys.stderr.isatty():
        yield from tqdm(items, desc=what, total=total, file=sys.stderr)
        return
    start = last = time.perf_counter()
    log(f"{what}: 0/{total} started")
    for i, item in enumerate(items, 1):
        yield item
        now = time.perf_counter()
        if i == total or now - last >= every:
            named = not isinstance(items, range) and isinstance(item, int | float | str | tuple)
            at = f" ({item})" if named else ""
            log(f"{what}: {i}/{total}{at}, {now - start:.1f} s elapsed")
            last = now
