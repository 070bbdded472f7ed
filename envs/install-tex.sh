#!/usr/bin/env bash
# Install the TeX toolchain of envs/apt.txt when latexmk is missing: apt-get as root, sudo otherwise.
set -euo pipefail
command -v latexmk >/dev/null && exit 0
packages=$(grep -v '^#' "$(dirname "$0")/apt.txt" | xargs)
if [ "$(id -u)" -eq 0 ]; then
  run=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  run=(sudo)
else
  echo "error: latexmk is missing and this user cannot install packages." >&2
  echo "Install the TeX toolchain, then rerun make:" >&2
  echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends $packages" >&2
  exit 1
fi
echo "Installing the TeX toolchain (envs/apt.txt): $packages"
"${run[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${run[@]}" apt-get install -y -qq --no-install-recommends $packages >/dev/null
