"""Bad input and faults: corrupt files, malformed configs, diverging runs.

Each gives a clear error naming the culprit (or, for a diverging run, a record in the metrics),
never a traceback from deep inside a library, and never a half-written output.
"""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

from sparsenets.common import io
from sparsenets.diagonal import stages

REPO = Path(__file__).resolve().parents[1]
SCHEMAS = REPO / "workflow/schemas"


def cli(*args) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sparsenets", *args], capture_output=True, text=True, cwd=REPO
    )


@pytest.fixture
def tiny(tmp_path):
    params = {
        "seed": 1,
        "experiment": "es_error",
        "data": dict(n=10, p=20, k=2, wstar="ones", design="rademacher", sigma=0.5, trials=2),
    }
    data = tmp_path / "data.npz"
    stages.data({}, {"data": str(data)}, params)
    return tmp_path, data


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_corrupt_intermediate_gives_one_paragraph_naming_the_file(tiny, damage):
    tmp_path, data = tiny
    raw = data.read_bytes()
    data.write_bytes(
        {"truncate": raw[: len(raw) // 2], "garbage": b"\x00" * 99, "empty": b""}[damage]
    )
    out = tmp_path / "run.npz"
    params = json.dumps(
        {
            "depth": 2,
            "alphas": [0.1],
            "eta": 0.01,
            "steps": 10,
            "records_per_decade": 5,
            "positive": False,
        }
    )
    run = cli(
        "diagonal", "train", "--in", f"data={data}", "--out", f"run={out}", "--params", params
    )
    assert run.returncode == 1
    assert str(data) in run.stderr and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_unknown_family_and_stage_are_named():
    run = cli("lottery", "train")
    assert run.returncode != 0 and "invalid choice: 'lottery'" in run.stderr
    run = cli("diagonal", "fly")
    assert run.returncode != 0 and "invalid choice: 'fly'" in run.stderr


def test_diverging_run_is_recorded_not_raised(tiny):
    tmp_path, data = tiny
    run = tmp_path / "run.npz"
    params = {"depth": 2, "alphas": [1.0], "eta": 50.0, "steps": 100, "records_per_decade": 5}
    stages.train({"data": str(data)}, {"run": str(run)}, params)
    saved = io.read_npz(run)
    assert saved["diverged"].all()
    outs = {
        t: str(tmp_path / f"es_error_{t}.csv")
        for t in ("trajectory", "measures", "summary", "paths")
    }
    stages.metrics(
        {"data": str(data), "runs": str(run)}, outs, {"experiment": "es_error", "seed": 1}
    )
    measures = io.read_csv(outs["measures"])
    assert (measures[measures.measure == "diverged"].value == 1).all()


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400))
def test_readers_reject_malformed_bytes_with_input_error(tmp_path_factory, blob):
    folder = tmp_path_factory.mktemp("blob")
    for suffix, reader in [(".npz", io.read_npz), (".csv", io.read_csv), (".json", io.read_json)]:
        path = folder / f"x{suffix}"
        path.write_bytes(blob)
        try:
            reader(path)
        except io.InputError as err:
            assert str(path) in str(err)


SIZE_KEYS = ["n", "p", "trials"]
NOT_A_SIZE = st.one_of(
    st.integers(max_value=0),
    st.floats(allow_nan=False).filter(lambda x: not x.is_integer()),  # 2.0 is an integer in JSON
    st.text(max_size=5),
    st.none(),
    st.lists(st.integers(), max_size=2),
)


@settings(max_examples=60, deadline=None)
@given(key=st.sampled_from(SIZE_KEYS), value=NOT_A_SIZE)
def test_schema_rejects_any_non_size_for_a_size(key, value):
    config = yaml.safe_load((REPO / "config/config.yaml").read_text())  # a whole config
    config["diagonal"]["experiments"]["es_error"]["data"][key] = value
    with pytest.raises(WorkflowError) as err:
        validate(config["diagonal"], str(SCHEMAS / "diagonal.schema.yaml"))
    assert "data" in str(err.value) or key in str(err.value)


@settings(max_examples=40, deadline=None)
@given(key=st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12))
def test_schema_rejects_any_unknown_top_level_key(key):
    config = yaml.safe_load((REPO / "config/config.yaml").read_text())  # a whole config
    if key in config or key in {"repository_url"}:
        return
    config[key] = 1
    with pytest.raises(WorkflowError) as err:
        validate(config, str(SCHEMAS / "config.schema.yaml"))
    assert repr(key) in str(err.value)


def test_write_is_atomic_when_the_writer_fails(tmp_path):
    target = tmp_path / "table.csv"
    target.write_text("old\n")
    with pytest.raises(RuntimeError), io.atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("killed mid-write")
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["table.csv"]


def test_csv_parsed_once_is_reread_after_a_rewrite_and_never_shared(tmp_path):
    """read_csv caches the parse per process: a rewrite under the same name (as atomic_path
    does, even with the same size) is read afresh, and a caller's edit never reaches another."""
    path = tmp_path / "t.csv"
    io.write_csv(path, pd.DataFrame({"a": [1, 2]}))
    first = io.read_csv(path)
    first.loc[0, "a"] = 99
    assert io.read_csv(path).a.tolist() == [1, 2]
    io.write_csv(path, pd.DataFrame({"a": [3, 4]}))
    assert io.read_csv(path).a.tolist() == [3, 4]
