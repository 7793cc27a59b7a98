// CIFAR-10 / CIFAR-100 binary readers on fixtures written at test time, and the LAQ
// experiment split (docs/algorithms.md §3.3-3.4).
#include <gtest/gtest.h>

#include <cmath>

#include "datasets/cifar.h"
#include "mat5_fixtures.h"

namespace laq::test {
namespace {

using datasets::Cifar100Label;
using datasets::ImageSet;
using datasets::load_cifar10;
using datasets::load_cifar100;

const char* const kTrainFiles[] = {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
                                   "data_batch_5.bin"};

// Two records per file; file f (0..4 train, 5 test) has labels {f, 9 - f}.
void write_cifar10(const fs::path& dir) {
  for (int f = 0; f < 5; ++f)
    write_raw(dir / kTrainFiles[f], cifar_records(f, {{static_cast<uint8_t>(f)}, {static_cast<uint8_t>(9 - f)}}));
  write_raw(dir / "test_batch.bin", cifar_records(5, {{5}, {4}}));
}

void expect_pixels(const ImageSet& s, int64_t image, int64_t file, int64_t record) {
  for (int64_t ch = 0; ch < 3; ++ch)
    for (int64_t r = 0; r < 32; ++r)
      for (int64_t c = 0; c < 32; ++c)
        ASSERT_EQ(s.image(image)[ch * 1024 + r * 32 + c], cifar_pixel(file, record, ch, r, c))
            << "image " << image << " ch " << ch << " r " << r << " c " << c;
}

TEST(Cifar10, AllSixFilesPlanarLayoutAndLabels) {
  TempDir dir;
  write_cifar10(dir.path());
  const ImageSet tr = load_cifar10(dir.path(), "train");
  EXPECT_EQ(tr.n, 10);
  EXPECT_EQ(tr.channels, 3);
  EXPECT_EQ(tr.rows, 32);
  EXPECT_EQ(tr.cols, 32);
  EXPECT_EQ(tr.labels, (std::vector<int32_t>{0, 9, 1, 8, 2, 7, 3, 6, 4, 5}));
  for (int64_t i = 0; i < 10; ++i) expect_pixels(tr, i, i / 2, i % 2);
  const ImageSet te = load_cifar10(dir.path(), "test");
  EXPECT_EQ(te.n, 2);
  EXPECT_EQ(te.labels, (std::vector<int32_t>{5, 4}));
  expect_pixels(te, 1, 5, 1);
}

TEST(Cifar10, Errors) {
  TempDir dir;
  write_cifar10(dir.path());
  expect_error([&] { load_cifar10(dir.path(), "valid"); }, {"\"valid\""});
  // Truncated last record: names the file and the byte offset where the record starts.
  auto bytes = cifar_records(2, {{1}, {2}});
  bytes.resize(bytes.size() - 100);
  write_raw(dir / "data_batch_3.bin", bytes);
  expect_error([&] { load_cifar10(dir.path(), "train"); },
               {(dir / "data_batch_3.bin").string(), "truncated record", "byte offset 3073", "2973 bytes"});
  write_cifar10(dir.path());
  write_raw(dir / "test_batch.bin", cifar_records(5, {{3}, {10}}));
  expect_error([&] { load_cifar10(dir.path(), "test"); },
               {(dir / "test_batch.bin").string(), "label 10", "record 1", "byte offset 3073", "< 10"});
  write_raw(dir / "test_batch.bin", {});
  expect_error([&] { load_cifar10(dir.path(), "test"); }, {(dir / "test_batch.bin").string(), "empty"});
  fs::remove(dir / "data_batch_5.bin");
  expect_error([&] { load_cifar10(dir.path(), "train"); }, {(dir / "data_batch_5.bin").string(), "no such"});
}

TEST(Cifar100, FineAndCoarseLabels) {
  TempDir dir;
  write_raw(dir / "train.bin", cifar_records(0, {{19, 99}, {0, 0}, {7, 35}}));
  write_raw(dir / "test.bin", cifar_records(1, {{3, 17}}));
  const ImageSet fine = load_cifar100(dir.path(), "train");
  EXPECT_EQ(fine.n, 3);
  EXPECT_EQ(fine.labels, (std::vector<int32_t>{99, 0, 35}));
  expect_pixels(fine, 2, 0, 2);
  EXPECT_EQ(load_cifar100(dir.path(), "train", Cifar100Label::coarse).labels, (std::vector<int32_t>{19, 0, 7}));
  const ImageSet te = load_cifar100(dir.path(), "test", Cifar100Label::coarse);
  EXPECT_EQ(te.labels, (std::vector<int32_t>{3}));
  expect_pixels(te, 0, 1, 0);
}

TEST(Cifar100, Errors) {
  TempDir dir;
  write_raw(dir / "train.bin", cifar_records(0, {{19, 99}, {20, 5}}));
  expect_error([&] { load_cifar100(dir.path(), "train"); },
               {(dir / "train.bin").string(), "coarse label 20", "record 1", "byte offset 3074", "< 20"});
  write_raw(dir / "train.bin", cifar_records(0, {{1, 100}}));
  expect_error([&] { load_cifar100(dir.path(), "train", Cifar100Label::coarse); },
               {(dir / "train.bin").string(), "fine label 100", "byte offset 1", "< 100"});
  // A CIFAR-10 file where a CIFAR-100 one is expected: 3073-byte records.
  write_raw(dir / "test.bin", cifar_records(0, {{1}, {2}}));
  expect_error([&] { load_cifar100(dir.path(), "test"); }, {(dir / "test.bin").string(), "3074-byte record"});
  expect_error([&] { load_cifar100(dir.path(), "extra"); }, {"\"extra\""});
}

TEST(CifarExperiment, SplitGcnAndZcaFittedOnAllTrainingImages) {
  TempDir dir;
  write_cifar10(dir.path());
  datasets::CifarOptions o;
  o.val_size = 3;  // of the file's 10: the counts come from the file
  const datasets::CifarData d = datasets::load_cifar10_experiment(dir.path(), o);
  EXPECT_EQ(d.train_x.shape(), (engine::Shape{7, 3, 32, 32}));
  EXPECT_EQ(d.val_x.shape(), (engine::Shape{3, 3, 32, 32}));
  EXPECT_EQ(d.test_x.shape(), (engine::Shape{2, 3, 32, 32}));
  EXPECT_EQ(d.train_y, (std::vector<int32_t>{0, 9, 1, 8, 2, 7, 3}));
  EXPECT_EQ(d.val_y, (std::vector<int32_t>{6, 4, 5}));
  EXPECT_EQ(d.test_y, (std::vector<int32_t>{5, 4}));
  // ZCA is fitted on all 10 training rows: their whitened mean is 0 (train + val together).
  double s = 0;
  for (int64_t p = 0; p < 3072; p += 97) {
    s = 0;
    for (int64_t i = 0; i < 7; ++i) s += d.train_x[i * 3072 + p];
    for (int64_t i = 0; i < 3; ++i) s += d.val_x[i * 3072 + p];
    EXPECT_NEAR(s, 0.0, 1e-3) << "pixel " << p;
  }
  o.val_size = 10;
  expect_error([&] { datasets::load_cifar10_experiment(dir.path(), o); }, {"val_size = 10", "(0, 10)"});
  o.val_size = 0;
  expect_error([&] { datasets::load_cifar10_experiment(dir.path(), o); }, {"val_size = 0", "(0, 10)"});
}

}  // namespace
}  // namespace laq::test
