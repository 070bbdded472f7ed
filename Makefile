# The README's two commands: `make paper` and `make test`. Both set up .venv and the TeX toolchain.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
SNAKEMAKE := $(VENV)/bin/snakemake --profile workflow/profiles/default
SMOKE := --configfile config/smoke.yaml
STAMP := $(VENV)/.installed
SCALE ?= paper

.PHONY: paper smoke test figures watch lint benchmark report arxiv clean setup tex verify

paper: setup
	$(SNAKEMAKE)

smoke: setup
	$(SNAKEMAKE) $(SMOKE)

test: setup
	$(PY) -m pytest

figures: setup  # every figure up to date, and nothing else (no paper)
	$(SNAKEMAKE) figures

watch: setup  # rerun the workflow after each change to config/, src/, paper/ or the plot style
	$(PY) -m sparsenets.watch $(ARGS)

verify:  # a run's claims against reference/$(SCALE).json (SCALE=paper|smoke), tolerances: README
	$(PY) -m sparsenets.verify compare --reference reference/$(SCALE).json \
		--results $(if $(filter smoke,$(SCALE)),results-smoke,results)

lint: setup  # ruff; snakefmt and `snakemake --lint` (clean) through their test
	$(VENV)/bin/ruff check src tests benchmarks
	$(PY) -m pytest -q tests/test_workflow.py -k lint_and_format

report: setup  # self-contained HTML report: every figure, its caption, rule and parameters
	$(SNAKEMAKE) --report results/report.zip

arxiv: setup  # LaTeX sources + generated files + .bbl, compiles alone with pdflatex
	$(SNAKEMAKE) results/paper/arxiv.tar.gz

benchmark: setup  # every benchmarks/ script: a hot path against its naive baseline
	for b in benchmarks/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

# The venv and the TeX toolchain install side by side (downloads and unpacking overlap).
setup:
	@$(MAKE) --no-print-directory -j2 $(STAMP) tex

# torch is pinned to its CPU build (+cpu), which the PyTorch index has and PyPI has not. It is
# installed first, alone: from pip's own sources when they have it (a local wheel: nothing asks
# the PyTorch index), else from TORCH_INDEX. Giving that index to the install of all the pins
# would make pip ask it for every package, each with retries when it cannot be reached.
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu
PIP := $(PY) -m pip install --quiet --disable-pip-version-check

$(STAMP): envs/requirements.txt pyproject.toml
	python3 -m venv $(VENV)
	torch=$$(grep '^torch==' envs/requirements.txt); \
	$(PIP) --no-deps "$$torch" 2>/dev/null || { \
	  echo "$$torch: not in pip's sources, installing it from $(TORCH_INDEX)"; \
	  $(PIP) --no-deps --index-url $(TORCH_INDEX) "$$torch"; }
	$(PIP) -r envs/requirements.txt
	$(PIP) --no-deps --no-build-isolation -e .
	touch $@

tex:
	@envs/install-tex.sh

clean:
	rm -rf results results-smoke .snakemake
