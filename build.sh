#!/usr/bin/env bash
# conpar set-up in one command.
#   ./build.sh demo    install what is missing, build (release), run the default demo
#   ./build.sh test    install what is missing, build release, asan, tsan and fuzz, run every test
#   ./build.sh deps    only install what is missing
# Missing Debian packages are installed with apt-get when run as root; otherwise the exact
# apt-get line is printed and the script stops.
set -euo pipefail
cd "$(dirname "$0")"

PACKAGES=(build-essential cmake pkg-config openmpi-bin libopenmpi-dev libjansson-dev
          libcmocka-dev libcurl4-openssl-dev libmicrohttpd-dev curl python3-jsonschema
          gnuplot-nox iproute2 shellcheck)
# only the tests need these: a real Slurm for the job scripts, wrk for the server under load,
# clang with LLVM's OpenMP and sanitizer runtimes for the tsan and fuzz builds
TEST_PACKAGES=(slurmd slurmctld slurm-client munge wrk clang libomp-14-dev libclang-rt-14-dev)

missing_packages() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || echo "$p"
  done
}

install_deps() { # PACKAGE...
  local missing
  missing=$(missing_packages "$@" | xargs)
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "conpar: missing Debian packages; install them with:" >&2
    echo "  sudo apt-get install -y --no-install-recommends $missing" >&2
    exit 2
  fi
  echo "conpar: installing $missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

build() {
  cmake --preset "$1" >/dev/null
  cmake --build --preset "$1" -j "$(nproc)"
}

# Open MPI refuses to start as root unless told that it is deliberate (containers, CI).
if [ "$(id -u)" = 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi

case "${1:-demo}" in
  deps)
    install_deps "${PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    ;;
  demo)
    install_deps "${PACKAGES[@]}"
    build release
    shift || true
    ./build/release/conpar "$@"
    ;;
  test)
    install_deps "${PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    build release
    ctest --preset release -j "$(nproc)"
    build asan
    ctest --preset asan -j "$(nproc)"
    build tsan
    ctest --preset tsan -j "$(nproc)"
    build fuzz
    ctest --preset fuzz -j "$(nproc)"
    ;;
  *)
    echo "usage: ./build.sh [demo [CONPAR OPTIONS]|test|deps]" >&2
    exit 2
    ;;
esac
