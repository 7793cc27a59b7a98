// laq infer: a trained ternary MLP evaluated from its codes gives the float path's
// predictions to the image, and reports its memory; laq bench --packed times both paths;
// bad flags exit 2, a missing file 1.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "apps/laq_cli.h"

namespace laq::test {
namespace {

// The integer after `key` in text, or -1.
long long number_after(const std::string& text, const std::string& key) {
  const size_t at = text.find(key);
  if (at == std::string::npos) return -1;
  return std::stoll(text.substr(at + key.size()));
}

TEST(Infer, PackedTernaryMlpAgreesWithTheFloatPathToTheImage) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  const fs::path data = tmp / "data", run = tmp / "run";
  write_tiny_mnist(data);
  RunResult r = run_laq(tmp.path(), {"train", "--experiment", "mnist-mlp", "--method", "lat-e", "--data", data.string(),
                                     "--out", run.string(), "--batch", "20", "--val-size", "100", "--epochs", "1",
                                     "--threads", "1", "--quiet"});
  ASSERT_EQ(r.code, 0) << r.describe();
  r = run_laq(tmp.path(), {"export", "--checkpoint", (run / "best.h5").string()});
  ASSERT_EQ(r.code, 0) << r.describe();
  const std::string model = (run / "model.h5").string();

  r = run_laq(tmp.path(), {"infer", "--model", model, "--batch", "7", "--threads", "1"});
  ASSERT_EQ(r.code, 0) << r.describe();
  EXPECT_NE(r.out.find("test error of the packed model: "), std::string::npos) << r.describe();
  EXPECT_NE(r.out.find("(98 examples, batch 7"), std::string::npos) << r.describe();  // floor(100 / 7) batches
  EXPECT_EQ(number_after(r.out, "predictions differing: "), 0) << r.describe();
  EXPECT_GT(number_after(r.out, "peak memory of the packed evaluation: "), 0) << r.describe();
  const long long packed = number_after(r.out, "resident weights: ");
  const long long as_float = number_after(r.out, "bytes packed vs ");
  EXPECT_GT(packed, 0) << r.describe();
  EXPECT_GT(as_float, 10 * packed) << r.describe();

  // The packed error equals the float path's and inspect --evaluate's at the run's batch.
  r = run_laq(tmp.path(), {"infer", "--model", model});
  ASSERT_EQ(r.code, 0) << r.describe();
  const size_t at = r.out.find("test error of the packed model: ");
  ASSERT_NE(at, std::string::npos) << r.describe();
  const std::string packed_error = r.out.substr(at + 32, r.out.find('%', at) - at - 32);
  EXPECT_NE(r.out.find("float path (laq inspect --evaluate): test error " + packed_error + "%"), std::string::npos)
      << r.describe();
  const RunResult inspect = run_laq(tmp.path(), {"inspect", model, "--evaluate"});
  ASSERT_EQ(inspect.code, 0) << inspect.describe();
  EXPECT_NE(inspect.out.find("test error of the reloaded packed model: " + packed_error + "%"), std::string::npos)
      << inspect.describe() << r.describe();

  // laq bench --packed: both paths timed in one run, one JSON line.
  r = run_laq(tmp.path(), {"bench", "--packed", model, "--steps", "20", "--warmup", "0", "--threads", "1"});
  ASSERT_EQ(r.code, 0) << r.describe();
  for (const char* key : {"\"packed_median_ms\"", "\"packed_p10_ms\"", "\"packed_p90_ms\"", "\"float_median_ms\"",
                          "\"float_p10_ms\"", "\"float_p90_ms\"", "\"batch\": 1,"})
    EXPECT_NE(r.out.find(key), std::string::npos) << key << "\n"
                                                  << r.describe();
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.describe();
  r = run_laq(tmp.path(), {"bench", "--packed", model, "--batch", "0"});
  EXPECT_EQ(r.code, 2) << r.describe();

  r = run_laq(tmp.path(), {"infer", "--model", model, "--batch", "0"});
  EXPECT_EQ(r.code, 2) << r.describe();
  EXPECT_NE(r.err.find("--batch"), std::string::npos) << r.describe();
  r = run_laq(tmp.path(), {"infer", "--model", model, "--threads", "-1"});
  EXPECT_EQ(r.code, 2) << r.describe();
  r = run_laq(tmp.path(), {"infer", "--modle", model});
  EXPECT_EQ(r.code, 2) << r.describe();
  r = run_laq(tmp.path(), {"infer", "--model", (tmp / "missing.h5").string()});
  EXPECT_EQ(r.code, 1) << r.describe();
  EXPECT_NE(r.err.find("missing.h5"), std::string::npos) << r.describe();
  r = run_laq(tmp.path(), {"infer", "--model", (run / "best.h5").string()});  // a checkpoint, not a packed model
  EXPECT_EQ(r.code, 1) << r.describe();
}

}  // namespace
}  // namespace laq::test
