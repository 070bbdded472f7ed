"""`make watch`: rerun the workflow after every change to the config, code, paper or plot style.

Each change is followed by one Snakemake run of the given target (the paper by default); the
run's own output scrolls by, then one line says which rules reran and how long it took. Snakemake
decides what is stale (code, inputs, parameters), so an edit reruns exactly what depends on it.
"""

import re
import subprocess
import sys
import time

from watchfiles import DefaultFilter, watch

WATCHED = ("config", "src", "paper", "workflow/style")


def reran(output: str) -> dict:
    """{rule: jobs} from the 'Job stats' table Snakemake prints before running anything."""
    counts = {}
    table = output.split("Job stats:", 1)[-1] if "Job stats:" in output else ""
    for line in table.splitlines()[3:]:
        m = re.match(r"^(\w+)\s+(\d+)$", line.strip())
        if not m:
            break
        if m.group(1) != "total":
            counts[m.group(1)] = int(m.group(2))
    return counts


def run_once(command: list) -> str:
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    output = []
    for line in proc.stdout:
        sys.stdout.write(line)
        output.append(line)
    status = "done" if proc.wait() == 0 else f"FAILED (exit {proc.returncode})"
    counts = reran("".join(output))
    jobs = ", ".join(f"{rule} ×{n}" for rule, n in counts.items()) or "nothing"
    return f"{status} in {time.perf_counter() - start:.1f} s; reran: {jobs}"


def main(argv=None) -> int:
    """python -m sparsenets.watch [snakemake arguments …]"""
    args = sys.argv[1:] if argv is None else argv
    command = [sys.executable, "-m", "snakemake", "--profile", "workflow/profiles/default", *args]
    print(f"watch: {' '.join(WATCHED)}; after each change: {' '.join(command[2:])}", flush=True)
    # Editors' swap files are not changes of the sources.
    patterns = (*DefaultFilter.ignore_entity_patterns, r"\.sw.$")
    ignore = DefaultFilter(ignore_entity_patterns=patterns)
    # The watcher is running before the first run (it yields an empty set after a second without
    # changes), so an edit made while a run is going is seen and triggers the next run.
    started = False
    for changes in watch(*WATCHED, watch_filter=ignore, yield_on_timeout=True, rust_timeout=1000):
        if changes:
            names = sorted({path for _, path in changes})
            print(f"watch: changed {', '.join(names)}", flush=True)
        elif started:
            continue
        started = True
        print(f"watch: {run_once(command)}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
