// laq bench --from: the step timed on a run's trained weights (what the quantizers really
// see), refused with a clear message when the checkpoint is another experiment or method.
#include <gtest/gtest.h>

#include <string>

#include "apps/laq_cli.h"

namespace laq::test {
namespace {

TEST(BenchFrom, TimesTheStepOnACheckpointOfTheSameMethodAndRefusesAnother) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  const fs::path data = tmp / "data", run = tmp / "run";
  write_tiny_mnist(data);
  RunResult r = run_laq(tmp.path(), {"train", "--experiment", "mnist-mlp", "--method", "lat-e", "--data", data.string(),
                                     "--out", run.string(), "--batch", "20", "--val-size", "100", "--epochs", "1",
                                     "--threads", "1", "--quiet"});
  ASSERT_EQ(r.code, 0) << r.describe();

  r = run_laq(tmp.path(), {"bench", "--model", "mlp", "--method", "lat-e", "--from", (run / "best.h5").string(),
                           "--steps", "20", "--warmup", "0", "--threads", "1"});
  ASSERT_EQ(r.code, 0) << r.describe();
  EXPECT_NE(r.out.find("\"quantize:lat-e\""), std::string::npos) << r.describe();

  r = run_laq(tmp.path(), {"bench", "--model", "mlp", "--method", "lat2-e", "--from", (run / "best.h5").string()});
  EXPECT_EQ(r.code, 2) << r.describe();
  EXPECT_NE(r.err.find("--from"), std::string::npos) << r.describe();
  EXPECT_NE(r.err.find("mnist-mlp lat-e run"), std::string::npos) << r.describe();

  r = run_laq(tmp.path(), {"bench", "--model", "mlp", "--method", "lat-e", "--from", (tmp / "missing.h5").string()});
  EXPECT_EQ(r.code, 1) << r.describe();
  EXPECT_NE(r.err.find("missing.h5"), std::string::npos) << r.describe();
}

}  // namespace
}  // namespace laq::test
