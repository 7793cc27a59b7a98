// `laq train` reports errors over whole sets: with 7 validation images and batch 64, the
// validation error is a multiple of 1/7 (never the 0.00% of an empty evaluation), and the
// test error over 100 images is a multiple of 1% (not of 1/64, as when the last 36 images
// were dropped). The labels are noise, so the errors are far from zero.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>

#include "apps/laq_cli.h"

namespace laq::test {
namespace {

// error% x n / 100 is a whole number of examples.
void expect_whole_examples(double error_percent, int n, const std::string& what) {
  const double examples = error_percent * n / 100.0;
  EXPECT_NEAR(examples, std::round(examples), 1e-6) << what << " error " << error_percent << "% is not k/" << n;
  EXPECT_GT(examples, 0.5) << what << ": noise labels cannot give 0 errors";
}

TEST(EvalCoverageCli, ErrorsAreOverEveryValidationAndTestImage) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  write_tiny_mnist(tmp / "data");
  std::mt19937 rng(3);
  for (const auto& [name, n] : {std::pair{"train-labels-idx1-ubyte", 300}, std::pair{"t10k-labels-idx1-ubyte", 100}}) {
    std::vector<uint8_t> labels(n);
    for (auto& l : labels) l = static_cast<uint8_t>(rng() % 10);
    write_raw(tmp / "data" / name, mnist_labels(labels));
  }
  const fs::path out = tmp / "run";
  const RunResult r = run_laq(tmp.path(), {"train", "--data", (tmp / "data").string(), "--out", out.string(),
                                           "--val-size", "7", "--batch", "64", "--epochs", "2", "--threads", "1",
                                           "--quiet"});
  ASSERT_EQ(r.code, 0) << r.describe();
  std::istringstream lines(slurp(out / "results.jsonl"));
  int epochs = 0;
  for (std::string line; std::getline(lines, line);) {
    if (json_field(line, "type") != "\"epoch\"") continue;
    ++epochs;
    expect_whole_examples(std::stod(json_field(line, "val_error")), 7, "validation");
    const std::string test = json_field(line, "test_error");
    if (test != "null") expect_whole_examples(std::stod(test), 100, "test");
  }
  EXPECT_EQ(epochs, 2);
  expect_whole_examples(std::stod(json_field(last_json_line(out / "results.jsonl"), "test_error_at_best_val")), 100,
                        "reported test");
}

}  // namespace
}  // namespace laq::test
