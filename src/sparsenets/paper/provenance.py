"""Provenance: the build facts printed in the paper, results/MANIFEST.json, the arXiv tarball."""

import gzip
import hashlib
import io as _bytes
import platform
import re
import subprocess
import tarfile
from importlib import metadata
from pathlib import Path

from sparsenets.common import io

# Files that are not results: logs, timings, LaTeX's scratch folder, temp files, the manifest.
NOT_RESULTS = ("logs", "benchmarks", "build")
# Outputs that depend on the measured wall times (Appendix B), so they differ between runs.
RUN_DEPENDENT = ("paper/tables/compute.tex", "paper/paper.pdf", "paper/arxiv.tar.gz")


def git_state(repo=".") -> dict:
    """Commit and dirtiness of the checkout (None outside git)."""

    def git(*args):
        return subprocess.run(
            ["git", *args], cwd=repo, capture_output=True, text=True, check=True
        ).stdout.strip()

    try:
        return {"commit": git("rev-parse", "HEAD"), "dirty": bool(git("status", "--porcelain"))}
    except (OSError, subprocess.CalledProcessError):
        return {"commit": None, "dirty": None}


def build_macros(state: dict, scale: str, repository_url: str = "") -> dict:
    """Build facts for the front matter, and the target of each figure's code link: the file at
    the built commit on the forge when `repository_url` is configured, else the file in this
    checkout relative to results/paper/."""
    commit = state.get("commit")
    tree = " (uncommitted changes)" if state.get("dirty") else ""
    url = repository_url.rstrip("/")
    return {
        "BuildCommit": (commit[:12] if commit else "none (not a git checkout)") + tree,
        "BuildScale": scale,
        "CodeBase": f"{url}/blob/{commit}" if url and commit else "../..",
    }


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def result_files(results: Path) -> list:
    return sorted(
        p
        for p in results.rglob("*")
        if p.is_file()
        and not p.name.startswith(".")
        and p.name != "MANIFEST.json"
        and not set(p.relative_to(results).parts[:-1]) & set(NOT_RESULTS)
    )


def manifest(results: Path, config: dict, state: dict) -> dict:
    packages = {d.metadata["Name"]: d.version for d in metadata.distributions()}
    return {
        "commit": state.get("commit"),
        "dirty": state.get("dirty"),
        "python": platform.python_version(),
        "packages": dict(sorted(packages.items(), key=lambda kv: kv[0].lower())),
        "config": config,
        "run_dependent": {
            "files": list(RUN_DEPENDENT),
            "why": "Appendix B reports the measured wall time of every job",
        },
        "files": {
            str(p.relative_to(results)): {"sha256": sha256(p), "bytes": p.stat().st_size}
            for p in result_files(results)
        },
    }


def arxiv_members(paper_dir: Path, results: Path, families: list) -> dict:
    """{name in the tarball: bytes}: the sources with `../<family>/` paths made local, the
    generated macros and tables, every family's figures and tables, and the .bbl (no .bib)."""
    members = {}
    for path in [paper_dir / "paper.tex", paper_dir / "families.tex", paper_dir / "macros.tex"]:
        members[path.name] = path.read_bytes()
    for folder in ("sections", "tables"):
        for path in sorted((paper_dir / folder).glob("*.tex")):
            members[f"{folder}/{path.name}"] = path.read_bytes()
    members["paper.bbl"] = (paper_dir / "build" / "paper.bbl").read_bytes()
    for family in families:
        for path in sorted((results / family / "figures").glob("*.pdf")):
            members[f"{family}/figures/{path.name}"] = path.read_bytes()
        for path in sorted((results / family / "tables").glob("*.tex")):
            members[f"{family}/tables/{path.name}"] = path.read_bytes()
    for name in list(members):
        if name.endswith(".tex"):
            members[name] = re.sub(rb"\{\.\./", b"{", members[name])
    return members


def write_tarball(path, members: dict, mtime: int) -> None:
    """A gzip tarball with fixed owners, modes and times: identical inputs give identical bytes."""
    with io.atomic_path(path) as tmp:
        raw = _bytes.BytesIO()
        with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
            for name, data in sorted(members.items()):
                info = tarfile.TarInfo(name)
                info.size, info.mtime, info.mode = len(data), mtime, 0o644
                tar.addfile(info, _bytes.BytesIO(data))
        with open(tmp, "wb") as fh, gzip.GzipFile(fileobj=fh, mode="wb", mtime=mtime) as gz:
            gz.write(raw.getvalue())
