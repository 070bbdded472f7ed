"""Snakemake's own CPU time while it runs the smoke workflow, by scheduler.

Runs the smoke scale from an empty results folder in a throw-away copy of the repository, once
per setting, and samples the Snakemake process's own CPU time (its jobs excluded) until it exits.
Usage: .venv/bin/python benchmarks/snakemake_overhead.py [greedy ilp ...]
"""

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
IGNORE = shutil.ignore_patterns(
    ".git", ".venv", ".snakemake", "results*", "__pycache__", ".*_cache"
)


def run(scheduler: str) -> tuple:
    """(elapsed s, Snakemake's own CPU s, its peak thread count) of one smoke run."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        shutil.copytree(REPO, root, ignore=IGNORE)
        command = [str(BIN / "snakemake"), "--profile", "workflow/profiles/default"]
        command += ["--configfile", "config/smoke.yaml", "--scheduler", scheduler]
        start = time.perf_counter()
        proc = subprocess.Popen(
            command, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
        )
        me, cpu, threads = psutil.Process(proc.pid), 0.0, 0
        while proc.poll() is None:
            try:
                times = me.cpu_times()
                cpu, threads = times.user + times.system, max(threads, me.num_threads())
            except psutil.NoSuchProcess:
                break
            time.sleep(0.2)
        if proc.returncode:
            raise SystemExit(f"snakemake --scheduler {scheduler} failed ({proc.returncode})")
        return time.perf_counter() - start, cpu, threads


def main(schedulers) -> None:
    print("scheduler  elapsed (s)  snakemake CPU (s)  share of one core  peak threads")
    for scheduler in schedulers:
        elapsed, cpu, threads = run(scheduler)
        print(f"{scheduler:9}  {elapsed:11.1f}  {cpu:17.1f}  {cpu / elapsed:16.1%}  {threads:12d}")


if __name__ == "__main__":
    main(sys.argv[1:] or ["greedy", "ilp"])
