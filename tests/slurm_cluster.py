"""A real single-node SLURM cluster on localhost, for the cluster test of the workflow.

Debian's slurmctld + slurmd + munge, with ProctrackType=proctrack/linuxproc and TaskPlugin=task/none
(no cgroups). The configuration is written into a temporary folder; because the slurm-jobstep
executor plugin drops SLURM_CONF from the environment of the nested `srun`, the default path
/etc/slurm/slurm.conf is pointed at it for the test's lifetime (only if no configuration exists).
"""

import os
import shutil
import signal
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

PACKAGES = ["slurmctld", "slurmd", "munge", "slurm-client"]
DEFAULT_CONF = Path("/etc/slurm/slurm.conf")
MARK = "# written by sparsenets tests/slurm_cluster.py"


class Unavailable(Exception):
    """Why a cluster cannot be brought up here (the test is then skipped with this reason)."""


def _run(*cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


def ensure_packages() -> None:
    if all(shutil.which(p) for p in ("slurmctld", "slurmd", "munged", "sbatch", "squeue")):
        return
    if os.geteuid() != 0:
        raise Unavailable("SLURM is not installed and installing it needs root")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (
        ["apt-get", "update", "-qq"],
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *PACKAGES],
    ):
        done = _run(*cmd, env=env)
        if done.returncode:
            raise Unavailable(f"{' '.join(cmd)} failed: {done.stderr.strip()[-300:]}")


def write_conf(folder: Path) -> Path:
    host = socket.gethostname().split(".")[0]
    # Twice the machine's cores (slurmd takes the declared count: config_overrides): two cluster
    # jobs run at once, so that one's start-up (a Snakemake parse, srun) and the status-check
    # intervals overlap the other's work. The jobs' threads, and so their outputs, are as declared.
    cpus = 2 * (os.cpu_count() or 1)
    conf = folder / "slurm.conf"
    (folder / "state").mkdir()
    (folder / "spool").mkdir()
    conf.write_text(
        f"""{MARK}
ClusterName=sparsenets
SlurmctldHost={host}(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
StateSaveLocation={folder}/state
SlurmdSpoolDir={folder}/spool
SlurmctldPidFile={folder}/slurmctld.pid
SlurmdPidFile={folder}/slurmd.pid
SlurmctldLogFile={folder}/slurmctld.log
SlurmdLogFile={folder}/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
SlurmdParameters=config_overrides
MinJobAge=3600
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName={host} NodeAddr=127.0.0.1 CPUs={cpus} RealMemory=16000 State=UNKNOWN
PartitionName=debug Nodes={host} Default=YES MaxTime=INFINITE State=UP
"""
    )
    return conf


def _clear_stale_link() -> None:
    """Remove the /etc link a killed test run left behind (its `finally` never ran): our own
    configuration, whose slurmctld is gone. Left in place, it skips this test for good and makes
    every Snakemake start wait about 9 s for `scontrol` to time out on the dead controller."""
    if not DEFAULT_CONF.is_symlink():
        return
    target = DEFAULT_CONF.resolve()
    ours = target.read_text().startswith(MARK) if target.exists() else "pytest-of-" in str(target)
    if not ours:
        return
    pidfile = target.parent / "slurmctld.pid"
    try:
        os.kill(int(pidfile.read_text().strip()), 0)
        return  # a live test cluster: not ours to remove
    except (OSError, ValueError):
        DEFAULT_CONF.unlink()


def _kill_pidfile(path: Path) -> None:
    try:
        os.kill(int(path.read_text().strip()), signal.SIGTERM)
    except (OSError, ValueError):
        pass


@contextmanager
def cluster(folder: Path):
    """Start munge, slurmctld and slurmd; yield the environment to use; tear everything down."""
    if os.geteuid() != 0:
        raise Unavailable("starting SLURM daemons needs root")
    ensure_packages()
    _clear_stale_link()
    if DEFAULT_CONF.exists() or DEFAULT_CONF.is_symlink():
        raise Unavailable(f"{DEFAULT_CONF} exists: not touching a machine's own SLURM")
    conf = write_conf(folder)
    started_munge = False
    if _run("pgrep", "-x", "munged").returncode:
        Path("/run/munge").mkdir(parents=True, exist_ok=True)
        shutil.chown("/run/munge", "munge", "munge")
        if not Path("/etc/munge/munge.key").exists():
            raise Unavailable("/etc/munge/munge.key is missing")
        if _run("runuser", "-u", "munge", "--", "munged").returncode:
            raise Unavailable("munged did not start")
        started_munge = True
    DEFAULT_CONF.parent.mkdir(parents=True, exist_ok=True)
    DEFAULT_CONF.symlink_to(conf)
    env = {**os.environ, "SLURM_CONF": str(conf)}
    try:
        for daemon in ("slurmctld", "slurmd"):
            if _run(daemon, env=env).returncode:
                raise Unavailable(f"{daemon} did not start; see {folder}/{daemon}.log")
        for _ in range(60):
            state = _run("sinfo", "-h", "-o", "%T", env=env).stdout.strip()
            if state == "idle":
                break
            time.sleep(0.5)
        else:
            raise Unavailable(f"the node never became idle (sinfo: {state!r})")
        yield env
    finally:
        _run("scancel", "--user", "root", env=env)
        _kill_pidfile(folder / "slurmd.pid")
        _kill_pidfile(folder / "slurmctld.pid")
        DEFAULT_CONF.unlink(missing_ok=True)
        if started_munge:
            _run("pkill", "-x", "munged")
        time.sleep(1)
