"""The config schema: both scales validate; bad configs stop the run with the culprit named."""

import copy
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from snakemake.exceptions import WorkflowError
from snakemake.utils import update_config, validate

from sparsenets import FAMILIES

REPO = Path(__file__).resolve().parents[1]
SCHEMAS = REPO / "workflow/schemas"
SNAKEMAKE = str(Path(sys.executable).parent / "snakemake")


def validate_all(config):
    """As the workflow does: the top level, then each family's section against its own schema."""
    validate(config, str(SCHEMAS / "config.schema.yaml"))
    for family in FAMILIES:
        if family in config:
            validate(config[family], str(SCHEMAS / f"{family}.schema.yaml"))


def read(name):
    return yaml.safe_load((REPO / "config" / name).read_text())


def load(*overrides):
    """The paper config with override files merged onto it, as Snakemake merges --configfile."""
    config = read("config.yaml")
    for name in overrides or ("smoke.yaml",):
        update_config(config, read(name))
    return config


def test_both_scales_validate():
    validate_all(read("config.yaml"))
    validate_all(load("smoke.yaml"))


def differences(base, override, path=""):
    """Keys of `override` that are absent from `base` or hold the same value there."""
    for key, value in override.items():
        where = f"{path}{key}"
        if key not in base:
            yield f"{where} (unknown)"
        elif isinstance(value, dict) and isinstance(base[key], dict):
            yield from differences(base[key], value, where + ".")
        elif value == base[key]:
            yield f"{where} (same as the paper scale)"


def test_smoke_holds_only_what_differs():
    assert list(differences(read("config.yaml"), read("smoke.yaml"))) == []


def _set(config, path, value):
    *parents, last = path.split(".")
    node = config
    for key in parents:
        node = node[key]
    if value is _DELETE:
        del node[last]
    else:
        node[last] = value


_DELETE = object()
ES = "diagonal.experiments.es_error"
BAD = [
    ("unknown top-level key", "colour", "blue", "colour"),
    ("unknown family key", "diagonal.speed", 3, "speed"),
    ("unknown experiment", "diagonal.experiments.lottery", {}, "lottery"),
    ("wrong type", f"{ES}.data.n", "100", "'100'"),
    ("negative size", f"{ES}.data.p", -5, "-5"),
    ("zero trials", f"{ES}.data.trials", 0, "trials"),
    ("empty depth grid", f"{ES}.depths", [], "depths"),
    ("unknown target", f"{ES}.data.wstar", "zeros", "zeros"),
    ("missing key", f"{ES}.eta", _DELETE, "eta"),
    ("unknown scale", "scale", "huge", "huge"),
]


@pytest.mark.parametrize(("case", "path", "value", "named"), BAD, ids=[b[0] for b in BAD])
def test_schema_rejects_bad_config_naming_the_culprit(case, path, value, named):
    config = copy.deepcopy(load())
    _set(config, path, value)
    with pytest.raises(WorkflowError) as err:
        validate_all(config)
    assert named in str(err.value), f"{case}: {err.value}"


def _dry_run(tmp_path, config) -> subprocess.CompletedProcess:
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(config))
    return subprocess.run(
        [SNAKEMAKE, "-n", "--configfile", str(path), "--replace-workflow-config"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )


def test_workflow_stops_on_unknown_key_before_any_job(tmp_path):
    config = load()
    config["diagonal"]["experiments"]["es_error"]["data"]["noise"] = 0.1
    run = _dry_run(tmp_path, config)
    assert run.returncode != 0
    assert "noise" in run.stderr + run.stdout
    assert "Error validating config" in run.stderr + run.stdout


def test_workflow_stops_on_per_depth_list_of_wrong_length(tmp_path):
    config = load()
    config["diagonal"]["experiments"]["es_error"]["steps"] = [10, 20, 30, 40]
    run = _dry_run(tmp_path, config)
    assert run.returncode != 0
    assert "diagonal.experiments.es_error.steps: 4 entries" in run.stderr + run.stdout
