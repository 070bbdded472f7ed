"""Atomic writes (temp file in the target folder, then rename) and strict readers.

A killed job never leaves a half-written file under the final name, and a truncated or foreign file
is reported with its path instead of a traceback from deep inside numpy or pandas.
"""

import functools
import json
import os
import tempfile
import zipfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd


def as_list(value) -> list:
    """The paths of one --in key as a list: the CLI gives a key with a single path as a string."""
    return value if isinstance(value, list) else [value]


class InputError(ValueError):
    """A file or setting that cannot be used: the CLI reports it in one paragraph, no traceback."""


_UMASK = os.umask(0)
os.umask(_UMASK)


@contextmanager
def atomic_path(path):
    """Yield a temporary path next to `path`; rename it onto `path` only if the block succeeds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_text(path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_json(path, obj) -> None:
    write_text(path, json.dumps(obj, indent=2, sort_keys=False, allow_nan=False) + "\n")


def read_json(path):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: not valid JSON ({err}); delete it and rerun") from err


def write_npz(path, **arrays) -> None:
    """Uncompressed npz with fixed zip timestamps (np.savez uses a constant date): byte-stable."""
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        np.savez(fh, **arrays)


def read_npz(path) -> dict:
    try:
        with np.load(path, allow_pickle=False) as data:
            return {k: data[k] for k in data.files}
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as err:
        raise InputError(f"{path}: corrupt or truncated npz ({err}); delete it and rerun") from err


def write_csv(path, frame: pd.DataFrame) -> None:
    # repr-exact floats: reruns compare byte for byte, and nothing is lost in the round trip.
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False, float_format="%.17g", lineterminator="\n")


def read_csv(path) -> pd.DataFrame:
    """The table at `path`, parsed once per process while the file is unchanged: a figure job
    reads its family's tables for every figure it draws. The caller gets its own copy."""
    stat = os.stat(path)
    return _parsed_csv(str(path), stat.st_ino, stat.st_mtime_ns, stat.st_size).copy()


@functools.lru_cache(maxsize=1024)
def _parsed_csv(path, inode, mtime_ns, size) -> pd.DataFrame:
    try:
        return pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: corrupt or truncated CSV ({err}); delete it and rerun") from err
