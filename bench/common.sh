# common.sh: sourced by the bench scripts. Runs from the source directory, needs the release
# build ($bin), makes bench/results ($out), and lets mpirun start as root.
# shellcheck shell=bash
set -euo pipefail
cd "$(dirname "$0")/.."
bin=./build/release/conpar
out=bench/results
mkdir -p "$out"
[ -x "$bin" ] || { echo "bench: build first: cmake --preset release && cmake --build --preset release" >&2; exit 2; }
if [ "$(id -u)" = 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
