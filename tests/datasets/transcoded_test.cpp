// The CIFAR and SVHN readers on real images at real file sizes: MNIST transcoded into
// the CIFAR-10, CIFAR-100 and SVHN formats by tools/transcode_mnist.py (these are MNIST
// digits, not CIFAR or SVHN). Skipped with a message when the folders are absent.
// The full experiment loaders (GCN + ZCA on 50,000 images; GCN + LCN on 93,257) take a
// minute or more and run only with LAQ_SLOW_TESTS=1; they print their timings.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <cstring>

#include "datasets/cifar.h"
#include "datasets/mnist.h"
#include "datasets/svhn.h"
#include "idx_fixtures.h"

namespace laq::test {
namespace {

fs::path repo_data(const char* env, const char* sub) {
  if (const char* e = std::getenv(env); e && *e) return e;
  return fs::path(__FILE__).parent_path().parent_path().parent_path() / "data" / sub;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Image i of MNIST, padded to 32x32, equals every channel of `img`.
void expect_padded(const datasets::MnistSplit& m, int64_t i, const uint8_t* img) {
  for (int64_t ch = 0; ch < 3; ++ch)
    for (int64_t r = 0; r < 32; ++r)
      for (int64_t c = 0; c < 32; ++c) {
        const bool inside = r >= 2 && r < 30 && c >= 2 && c < 30;
        const uint8_t want = inside ? m.images[static_cast<std::size_t>(i * 784 + (r - 2) * 28 + (c - 2))] : 0;
        ASSERT_EQ(img[ch * 1024 + r * 32 + c], want) << "mnist " << i << " ch " << ch << " r " << r << " c " << c;
      }
}

struct Dirs {
  fs::path mnist = repo_data("LAQ_MNIST_DIR", "mnist");
  fs::path c10 = repo_data("LAQ_CIFAR10_DIR", "cifar10-from-mnist");
  fs::path c100 = repo_data("LAQ_CIFAR100_DIR", "cifar100-from-mnist");
  fs::path svhn = repo_data("LAQ_SVHN_DIR", "svhn-from-mnist");
  bool present() const {
    return fs::is_regular_file(c10 / "test_batch.bin") && fs::is_regular_file(c100 / "train.bin") &&
           fs::is_regular_file(svhn / "train_32x32.mat") && fs::is_directory(mnist);
  }
};

#define SKIP_UNLESS_PRESENT(d)                                                \
  if (!(d).present())                                                         \
  GTEST_SKIP() << "transcoded data not found under " << (d).c10.parent_path() \
               << " (run tools/get_data.sh mnist && /usr/bin/python3 tools/transcode_mnist.py)"

TEST(TranscodedMnist, CifarReaders) {
  Dirs d;
  SKIP_UNLESS_PRESENT(d);
  const auto mtr = datasets::load_mnist_split(d.mnist, "train");
  const auto mte = datasets::load_mnist_split(d.mnist, "t10k");
  const auto t0 = std::chrono::steady_clock::now();
  const auto tr = datasets::load_cifar10(d.c10, "train");
  const auto te = datasets::load_cifar10(d.c10, "test");
  const auto c100 = datasets::load_cifar100(d.c100, "train");
  const auto c100c = datasets::load_cifar100(d.c100, "test", datasets::Cifar100Label::coarse);
  std::printf("[ transcoded ] CIFAR-10 50k+10k and CIFAR-100 50k+10k records read in %.2f s\n", seconds_since(t0));
  ASSERT_EQ(tr.n, 50000);
  ASSERT_EQ(te.n, 10000);
  ASSERT_EQ(c100.n, 50000);
  ASSERT_EQ(c100c.n, 10000);
  for (int64_t i = 0; i < 50000; ++i) {
    ASSERT_EQ(tr.labels[static_cast<std::size_t>(i)], mtr.labels[static_cast<std::size_t>(i)]);
    ASSERT_EQ(c100.labels[static_cast<std::size_t>(i)], mtr.labels[static_cast<std::size_t>(i)]);
  }
  for (int64_t i = 0; i < 10000; ++i) ASSERT_EQ(c100c.labels[static_cast<std::size_t>(i)], mte.labels[static_cast<std::size_t>(i)] / 5);
  EXPECT_EQ(te.labels, mte.labels);
  for (int64_t i : {0, 9999, 10000, 49999}) expect_padded(mtr, i, tr.image(i));
  for (int64_t i : {0, 12345}) expect_padded(mtr, i, c100.image(i));
  expect_padded(mte, 9999, te.image(9999));
}

TEST(TranscodedMnist, SvhnReader) {
  Dirs d;
  SKIP_UNLESS_PRESENT(d);
  const auto mtr = datasets::load_mnist_split(d.mnist, "train");
  const auto mte = datasets::load_mnist_split(d.mnist, "t10k");
  const auto t0 = std::chrono::steady_clock::now();
  const auto tr = datasets::load_svhn(d.svhn / "train_32x32.mat");
  const double t_train = seconds_since(t0);
  const auto te = datasets::load_svhn(d.svhn / "test_32x32.mat");
  const auto ex = datasets::load_svhn(d.svhn / "extra_32x32.mat");
  std::printf("[ transcoded ] SVHN train_32x32.mat (%lld images, %.0f MB inflated) read in %.2f s\n",
              static_cast<long long>(tr.n), static_cast<double>(tr.images.size()) / 1e6, t_train);
  ASSERT_EQ(tr.n, 73257);
  ASSERT_EQ(te.n, 10000);
  ASSERT_GT(ex.n, 0);
  for (int64_t i = 0; i < tr.n; ++i) ASSERT_EQ(tr.labels[static_cast<std::size_t>(i)], mtr.labels[static_cast<std::size_t>(i % 60000)]);
  EXPECT_EQ(te.labels, mte.labels);
  for (int64_t i : {0, 59999, 60000, 73256}) expect_padded(mtr, i % 60000, tr.image(i));
  expect_padded(mtr, 73257 % 60000, ex.image(0));
  expect_padded(mte, 4321, te.image(4321));
}

TEST(TranscodedMnist, SlowCifarExperimentZcaFitAndCacheHit) {
  Dirs d;
  SKIP_UNLESS_PRESENT(d);
  if (!std::getenv("LAQ_SLOW_TESTS")) GTEST_SKIP() << "set LAQ_SLOW_TESTS=1 to run the 50,000-image ZCA fit";
  TempDir dir;
  datasets::CifarOptions o;
  o.zca_cache = dir / "zca.bin";
  auto t0 = std::chrono::steady_clock::now();
  const auto a = datasets::load_cifar10_experiment(d.c10, o);
  const double first = seconds_since(t0);
  EXPECT_FALSE(a.zca_cache_hit);
  t0 = std::chrono::steady_clock::now();
  const auto b = datasets::load_cifar10_experiment(d.c10, o);
  const double second = seconds_since(t0);
  EXPECT_TRUE(b.zca_cache_hit);
  std::printf("[ transcoded ] CIFAR-10 experiment (read + GCN + ZCA + apply): fit %.1f s, cache hit %.1f s\n", first,
              second);
  ASSERT_EQ(a.train_x.dim(0), 45000);
  ASSERT_EQ(a.val_x.dim(0), 5000);
  ASSERT_EQ(a.test_x.dim(0), 10000);
  EXPECT_EQ(0, std::memcmp(a.test_x.data(), b.test_x.data(), sizeof(float) * static_cast<std::size_t>(a.test_x.numel())));
}

TEST(TranscodedMnist, SlowSvhnExperiment) {
  Dirs d;
  SKIP_UNLESS_PRESENT(d);
  if (!std::getenv("LAQ_SLOW_TESTS")) GTEST_SKIP() << "set LAQ_SLOW_TESTS=1 to run the SVHN GCN + LCN pipeline";
  const auto t0 = std::chrono::steady_clock::now();
  const auto s = datasets::load_svhn_experiment(d.svhn);
  std::printf("[ transcoded ] SVHN experiment (read + split + GCN + LCN, %lld + %lld + %lld images): %.1f s\n",
              static_cast<long long>(s.train_x.dim(0)), static_cast<long long>(s.val_x.dim(0)),
              static_cast<long long>(s.test_x.dim(0)), seconds_since(t0));
  const auto ex = datasets::load_svhn(d.svhn / "extra_32x32.mat");
  EXPECT_EQ(s.val_x.dim(0), 6000);
  EXPECT_EQ(s.train_x.dim(0), 73257 + ex.n - 6000);
  EXPECT_EQ(s.test_x.dim(0), 10000);
}

}  // namespace
}  // namespace laq::test
