// A run keeps its best-validation epoch as best.h5 beside checkpoint.h5, and that is the
// model whose test error the results report: exporting best.h5 packs the weights of
// `best_epoch` and evaluates to `test_error_at_best_val`, digit for digit.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>
#include <string>

#include "apps/laq_cli.h"
#include "train/report.h"

namespace laq::test {
namespace {

// MNIST-format files whose labels are noise: validation error wanders from epoch to epoch
// instead of improving to the last one, so the best epoch is an earlier one.
void write_noise_mnist(const fs::path& dir) {
  write_tiny_mnist(dir);
  std::mt19937 rng(7);
  for (const auto& [name, n] : {std::pair{"train-labels-idx1-ubyte", 300}, std::pair{"t10k-labels-idx1-ubyte", 100}}) {
    std::vector<uint8_t> labels(n);
    for (auto& l : labels) l = static_cast<uint8_t>(rng() % 10);
    write_raw(dir / name, mnist_labels(labels));
  }
}

TEST(BestCheckpoint, ExportedBestModelHasTheReportedTestErrorAtTheBestEpoch) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  const fs::path data = tmp / "data", out = tmp / "run";
  write_noise_mnist(data);
  RunResult r = run_laq(tmp.path(), {"train", "--experiment", "mnist-mlp", "--method", "lat-e", "--data",
                                     data.string(), "--out", out.string(), "--batch", "20", "--val-size", "100",
                                     "--epochs", "6", "--threads", "1", "--quiet"});
  ASSERT_EQ(r.code, 0) << r.describe();
  ASSERT_TRUE(fs::exists(out / "best.h5")) << "no best.h5 beside the checkpoint";
  EXPECT_FALSE(fs::exists(out / "best.h5.partial"));
  const std::string result = last_json_line(out / "results.jsonl");
  const std::string best_epoch = json_field(result, "best_epoch");
  const double test_at_best = std::stod(json_field(result, "test_error_at_best_val"));
  ASSERT_FALSE(best_epoch.empty()) << result;
  ASSERT_LT(std::stoi(best_epoch), 6) << "the fixture should make an earlier epoch the best one: " << result;

  r = run_laq(tmp.path(), {"export", "--checkpoint", (out / "best.h5").string(), "--out",
                           (tmp / "best-model.h5").string(), "--evaluate"});
  ASSERT_EQ(r.code, 0) << r.describe();
  EXPECT_NE(r.out.find("epoch " + best_epoch + ")"), std::string::npos)
      << "best.h5 should hold epoch " << best_epoch << "\n"
      << r.describe();
  char expected[64];
  std::snprintf(expected, sizeof expected, "test error of the exported weights: %.2f%%", test_at_best);
  EXPECT_NE(r.out.find(expected), std::string::npos) << "expected \"" << expected << "\"\n"
                                                     << r.describe();

  // The sizes go beside the packed model, where laq table --report finds them.
  const train::ModelSize size = train::read_model_size(tmp / "best-model.json");
  EXPECT_EQ(size.source, "best.h5");
  EXPECT_EQ(size.epoch, std::stoi(best_epoch));
  EXPECT_NEAR(size.quantized_ratio(), 16.0, 0.1) << "lat-e packs 2 bits per weight";
  EXPECT_GT(size.ratio(), 1.0);
}

}  // namespace
}  // namespace laq::test
