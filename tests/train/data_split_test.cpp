// Every data set's split comes from the files themselves: no count is assumed (CIFAR's
// 50,000 training images used to be), a split the files cannot give is refused naming the
// flag, and a language model's validation and test texts are evaluated at every position.
#include <gtest/gtest.h>

#include <string>

#include "apps/laq_cli.h"
#include "train/experiment.h"
#include "train/run_checks.h"

namespace laq::test {
namespace {

train::RunConfig config_for(const std::string& experiment, const fs::path& data) {
  train::RunConfig c;
  c.experiment = experiment;
  c.data_dir = data.string();
  c.val_size = train::experiment(experiment).val_size;
  c.batch = train::experiment(experiment).batch;
  return c;
}

// Runs fn, expects an OptionError for `option` whose message holds `part`.
template <typename F>
void expect_option_error(F fn, const std::string& option, const std::string& part) {
  try {
    fn();
    ADD_FAILURE() << "expected an OptionError for --" << option;
  } catch (const train::OptionError& e) {
    EXPECT_EQ(e.option(), option) << e.what();
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("'--" + option + "'"), std::string::npos) << e.what();
  }
}

const char* const kCifarTrainFiles[] = {"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin",
                                        "data_batch_5.bin"};

// The refusals name the file's own count; the accepted split itself (with its minutes-long
// whitening) is tested in tests/datasets/cifar_test.cpp.
TEST(DataSplit, CifarValidationIsCutFromTheFilesOwnCount) {
  TempDir tmp;
  for (int f = 0; f < 5; ++f)
    write_raw(tmp / kCifarTrainFiles[f], cifar_records(f, {{static_cast<uint8_t>(f)}, {static_cast<uint8_t>(9 - f)}}));
  write_raw(tmp / "test_batch.bin", cifar_records(5, {{5}, {4}, {3}}));
  train::RunConfig c = config_for("cifar10-vgg", tmp.path());  // the preset's 5,000
  expect_option_error([&] { train::load_data(c); }, "val-size", "hold 10 images");
  c.val_size = 10;  // all of them
  expect_option_error([&] { train::load_data(c); }, "val-size", "1..9");
}

TEST(DataSplit, Cifar100ValidationSizeIsCheckedAgainstItsFile) {
  TempDir tmp;
  write_raw(tmp / "train.bin", cifar_records(0, {{1, 11}, {2, 22}, {3, 33}, {4, 44}}));
  write_raw(tmp / "test.bin", cifar_records(1, {{5, 55}}));
  train::RunConfig c = config_for("cifar100-vgg", tmp.path());  // the preset's 5,000
  expect_option_error([&] { train::load_data(c); }, "val-size", "hold 4 images");
}

TEST(DataSplit, MnistValidationAndTrainingSizesAgainstTheFiles) {
  TempDir tmp;
  write_tiny_mnist(tmp / "data", 300, 100);
  train::RunConfig c = config_for("mnist-mlp", tmp / "data");
  expect_option_error([&] { train::load_data(c); }, "val-size", "hold 300 images");  // the preset's 10,000
  c.val_size = 300;
  expect_option_error([&] { train::load_data(c); }, "val-size", "1..299");
  c.val_size = 100;
  c.train_size = 201;
  expect_option_error([&] { train::load_data(c); }, "train-size", "only 200 examples");
  c.train_size = 200;
  const train::ClassificationData d = train::load_data(c);
  EXPECT_EQ(d.train.x.dim(0), 200);
  EXPECT_EQ(d.val.x.dim(0), 100);
}

void write_bytes(const fs::path& p, size_t n, uint8_t salt) {
  std::vector<uint8_t> b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>('a' + (i * 7 + salt) % 26);
  write_raw(p, b);
}

TEST(DataSplit, PtbValidationAndTestCountEveryPosition) {
  TempDir tmp;
  write_bytes(tmp / "ptb.train.txt", 1000, 1);
  write_bytes(tmp / "ptb.valid.txt", 257, 2);  // 2 windows of 100, then 56 more targets
  write_bytes(tmp / "ptb.test.txt", 301, 3);   // exactly 3 windows
  const train::ClassificationData d = train::load_data(config_for("ptb-lstm", tmp.path()));
  EXPECT_EQ(d.val.x.dim(0), 2);
  ASSERT_NE(d.val.tail, nullptr);
  EXPECT_EQ(d.val.tail->x.dim(1), 56);
  EXPECT_EQ(d.val.targets(), 256);  // every byte after the first is predicted once
  EXPECT_EQ(d.test.tail, nullptr);
  EXPECT_EQ(d.test.targets(), 300);
  EXPECT_EQ(d.train.tail, nullptr);  // training keeps whole windows (docs/algorithms.md §3.6: the remainder is dropped)
  // The tail continues the text: inputs valid[200, 256), targets valid[201, 257) (every file
  // holds all 26 letters, so a letter's id is its rank).
  const std::vector<uint8_t> valid = read_all(tmp / "ptb.valid.txt");
  const train::LabeledSet& tail = *d.val.tail;
  ASSERT_EQ(tail.y.size(), 56u);
  for (size_t k = 0; k < 56; ++k) {
    EXPECT_EQ(tail.x[static_cast<int64_t>(k)], float(valid[200 + k] - 'a')) << k;
    EXPECT_EQ(tail.y[k], valid[201 + k] - 'a') << k;
  }
}

TEST(DataSplit, WarAndPeaceBatchTooLargeForTheBlockSplitNamesTheBatch) {
  TempDir tmp;
  write_bytes(tmp / "warpeace_input.txt", 30000, 4);  // 2 blocks of 100 x 100: no validation block
  train::RunConfig c = config_for("warpeace-lstm", tmp.path());
  expect_option_error([&] { train::load_data(c); }, "batch", "too small for the split");
  c.batch = 2;  // 149 blocks of 2 x 100: 119 / 14 / 16
  const train::ClassificationData d = train::load_data(c);
  EXPECT_EQ(d.val.x.dim(0), 28);
  EXPECT_EQ(d.val.tail, nullptr);  // the block split ends every part on a window boundary
  EXPECT_EQ(d.val.targets(), 2800);
  write_bytes(tmp / "warpeace_input.txt", 50, 4);  // too small for any batch: the file's fault
  try {
    train::load_data(c);
    ADD_FAILURE() << "a 50-byte text was split";
  } catch (const train::OptionError& e) {
    ADD_FAILURE() << "blamed a flag for a file that is too small: " << e.what();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("warpeace_input.txt"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace laq::test
