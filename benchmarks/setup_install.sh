#!/usr/bin/env bash
# The venv install of `make setup`, pip against uv, on this machine (not run by `make benchmark`:
# minutes, and PyPI downloads). Each run: a fresh venv, torch from pip's sources (as the Makefile
# does), then the other pins of envs/requirements.txt with no download cache, timed; the
# installed set (a hash of `pip freeze`) is compared between the two installers.
#   benchmarks/setup_install.sh [runs]     (default 2: pip, uv, pip, uv)
set -euo pipefail
REQ="$(cd "$(dirname "$0")/.." && pwd)/envs/requirements.txt"
torch=$(grep '^torch==' "$REQ")
uv=uv==0.13.9  # the candidate installer (not a pin of the environment)
one() {
  local dir
  dir=$(mktemp -d)
  python3 -m venv "$dir/v"
  local pip=("$dir/v/bin/python" -m pip install -q --no-cache-dir --disable-pip-version-check)
  "${pip[@]}" --no-deps "$torch" 2>/dev/null
  local start end
  start=$(date +%s.%N)
  if [ "$1" = pip ]; then
    "${pip[@]}" -r "$REQ" 2>/dev/null
  else
    "${pip[@]}" --no-deps "$uv" 2>/dev/null
    "$dir/v/bin/uv" pip install -q --no-cache --compile-bytecode --python "$dir/v/bin/python" -r "$REQ"
  fi
  end=$(date +%s.%N)
  printf '%s %.1f s %s\n' "$1" "$(echo "$end - $start" | bc)" \
    "$("$dir/v/bin/python" -m pip freeze 2>/dev/null | sort | md5sum | cut -c1-12)"
  rm -rf "$dir"
}
for _ in $(seq "${1:-2}"); do one pip; one uv; done
