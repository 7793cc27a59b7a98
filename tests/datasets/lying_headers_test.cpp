// Headers that claim 10^9 or more elements in a file of a few hundred bytes (issue 7, "a
// reader never allocates more than the file can justify"): each reader must refuse them
// with a laq::Error naming the file and the field, before allocating. (IDX has its own in
// idx_test.cpp: HugeClaimedCountIsRejectedBeforeAllocation. CIFAR and the text corpora have
// no header: they allocate exactly the file's size.)
#include <gtest/gtest.h>

#include "datasets/mat5.h"
#include "datasets/svhn.h"
#include "mat5_fixtures.h"

namespace laq::test {
namespace {

using datasets::load_svhn;
using datasets::read_mat5;

// X claiming 10^9 images of 32x32x3, with a real part whose tag agrees with the dims.
Bytes lying_x_matrix() {
  MatVarSpec x{"X", 9, 2, {32, 32, 3, 1000000000}, {}, 0};
  Bytes m = mat_matrix(x);
  // The real part's tag is the last 8 bytes (empty data). 3 * 10^12 bytes do not fit its
  // u32 size field: claim the largest multiple of 3072 that does.
  const uint32_t claim = 3072u * 1398101u;  // 4294966272 bytes, 1.4 million images
  std::memcpy(m.data() + m.size() - 4, &claim, 4);
  return m;
}

TEST(LyingHeaders, Mat5DimsClaimingABillionImagesWithNoPayload) {
  TempDir dir;
  const auto f = dir / "dims.mat";
  write_raw(f, mat_file({MatVarSpec{"X", 9, 2, {32, 32, 3, 1000000000}, {}, 0}, svhn_y({1})}, false));
  expect_error([&] { read_mat5(f, {"X"}); }, {f.string(), "variable 'X'", "real part holds 0 bytes", "need 3072000000000"});
}

TEST(LyingHeaders, Mat5RealPartClaimingFourGigabytesInAPlainElement) {
  TempDir dir;
  const auto f = dir / "plain.mat";
  write_raw(f, concat(mat_header(), lying_x_matrix()));
  expect_error([&] { load_svhn(f); }, {f.string(), "real part of 'X'", "claims 4294966272 bytes"});
}

TEST(LyingHeaders, Mat5CompressedElementInflatingToFourGigabytes) {
  TempDir dir;
  const auto f = dir / "compressed.mat";
  // The inner miMATRIX tag claims 4 GB; the zlib stream is a few hundred bytes.
  Bytes inner = lying_x_matrix();
  const uint32_t claim = 0xFFFFFFF0u;
  std::memcpy(inner.data() + 4, &claim, 4);
  write_raw(f, concat(mat_header(), mat_compressed(inner)));
  expect_error([&] { load_svhn(f); }, {f.string(), "element at offset 128", "inflated size mismatch", "4294967280"});
}

}  // namespace
}  // namespace laq::test
