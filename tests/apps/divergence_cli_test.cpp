// A run whose loss or weights turn non-finite stops with exit 1 and one line saying so, and
// saves nothing of the diverged state: checkpoint.h5 and best.h5 keep the last good epoch,
// results.jsonl its epochs and no result line.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "apps/laq_cli.h"
#include "train/checkpoint.h"
#include "train/session.h"

namespace laq::test {
namespace {

struct Saved {
  train::Progress progress;
  bool finite = true;
};

// Reads a checkpoint back with the real reader; whether every tensor it holds is finite.
Saved read_saved(const fs::path& file) {
  Saved s;
  const train::RunConfig config = train::read_checkpoint_config(file);
  train::Session session = train::make_session(config);
  train::load_checkpoint(file, s.progress, session.state());
  const train::ModelState state = session.state();
  for (const layers::Parameter* p : state.parameters)
    for (float v : p->latent.span()) s.finite = s.finite && std::isfinite(v);
  for (const layers::NamedBuffer& b : state.buffers)
    for (float v : b.tensor->span()) s.finite = s.finite && std::isfinite(v);
  for (const optim::StateBuffer& b : state.optimizer.buffers)
    for (float v : b.data) s.finite = s.finite && std::isfinite(v);
  return s;
}

int count_lines(const fs::path& results, const std::string& type) {
  std::istringstream in(slurp(results));
  int n = 0;
  for (std::string line; std::getline(in, line);) n += json_field(line, "type") == "\"" + type + "\"";
  return n;
}

std::vector<std::string> tiny_run(const TempDir& tmp, std::vector<std::string> more) {
  std::vector<std::string> a = {"train", "--data", (tmp / "data").string(), "--out", (tmp / "run").string(),
                                "--val-size", "100", "--batch", "20", "--threads", "1", "--quiet"};
  a.insert(a.end(), more.begin(), more.end());
  return a;
}

void expect_one_line_divergence(const RunResult& r) {
  EXPECT_EQ(r.code, 1) << r.describe();
  const auto lines = r.err_lines();
  ASSERT_EQ(lines.size(), 1u) << r.describe();
  EXPECT_EQ(lines[0].rfind("laq train: error: training diverged", 0), 0u) << r.describe();
  EXPECT_EQ(r.out.find("result:"), std::string::npos) << r.describe();
}

// Epoch 1 trains normally; the schedule then multiplies the rate by 1e36.
TEST(Divergence, LaterEpochDivergesAndTheGoodCheckpointSurvives) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  write_tiny_mnist(tmp / "data");
  for (const char* method : {"fpn", "lat-e"}) {
    fs::remove_all(tmp / "run");
    const RunResult r = run_laq(tmp.path(), tiny_run(tmp, {"--method", method, "--epochs", "3", "--lr", "0.01",
                                                           "--schedule", "step:1", "--lr-decay", "1e36"}));
    expect_one_line_divergence(r);
    EXPECT_NE(r.err.find("epoch 2"), std::string::npos) << method << "\n"
                                                        << r.describe();
    EXPECT_NE(r.err.find("keeps global step 10"), std::string::npos) << method << "\n"
                                                                     << r.describe();
    const fs::path run = tmp / "run";
    EXPECT_EQ(count_lines(run / "results.jsonl", "epoch"), 1) << method;
    EXPECT_EQ(count_lines(run / "results.jsonl", "result"), 0) << method;
    for (const char* file : {"checkpoint.h5", "best.h5"}) {
      ASSERT_TRUE(fs::exists(run / file)) << method << " " << file;
      const Saved s = read_saved(run / file);
      EXPECT_TRUE(s.finite) << method << " " << file << " holds non-finite values";
      EXPECT_EQ(s.progress.epoch, 2) << method << " " << file << " should hold the end of epoch 1";
      EXPECT_EQ(s.progress.global_step, 10) << method << " " << file;
    }
  }
}

// A rate of 1e30 from the first step, with a checkpoint after every step: whatever was saved
// before the run stopped is finite, and no result claims success.
TEST(Divergence, HugeRateFromTheStartNeverSavesANonFiniteCheckpoint) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  write_tiny_mnist(tmp / "data");
  const RunResult r = run_laq(tmp.path(), tiny_run(tmp, {"--lr", "1e30", "--epochs", "2", "--checkpoint-every", "1"}));
  expect_one_line_divergence(r);
  if (fs::exists(tmp / "run" / "checkpoint.h5")) {
    EXPECT_TRUE(read_saved(tmp / "run" / "checkpoint.h5").finite);
  }
  EXPECT_FALSE(fs::exists(tmp / "run" / "best.h5"));
  EXPECT_EQ(count_lines(tmp / "run" / "results.jsonl", "result"), 0);
}

}  // namespace
}  // namespace laq::test
