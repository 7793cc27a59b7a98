// `mpirun -np 2 laq table ...`: rank 0 hands the cells of a sweep to both ranks. Six tiny
// MNIST cells (2 steps each) plus cells whose data folder is missing (they fail at once):
// a first pass stops every MNIST cell after its first checkpoint (as if the sweep were
// killed), a second pass resumes exactly those and finishes them, a third reruns nothing.
#include <gtest/gtest.h>

#include "mpi/mpi_fixtures.h"

namespace laq::test {
namespace {

size_t count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t p = 0; (p = text.find(needle, p)) != std::string::npos; p += needle.size()) ++n;
  return n;
}

TEST(MpiSweep, CellsAreSharedOverTwoRanksFailuresReportedStoppedCellsResumedFinishedNeverRerun) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  write_tiny_mnist(tmp.path() / "data" / "mnist");  // and no data/cifar10
  auto sweep = [&](std::vector<std::string> more) {
    std::vector<std::string> a = {"table", "--table", "feedforward", "--methods", "fpn,bc,lat-e", "--seeds", "2",
                                  "--data-root", (tmp.path() / "data").string(), "--epochs", "1", "--train-size", "200",
                                  "--val-size", "100", "--threads", "1", "--checkpoint-every", "1", "--out", "sweep"};
    a.insert(a.end(), more.begin(), more.end());
    return run_mpi_laq(tmp.path(), 2, a);
  };
  const fs::path status_file = tmp.path() / "sweep" / "sweep-status.tsv";
  const std::vector<std::string> mnist = {"fpn-seed1", "fpn-seed2", "bc-seed1", "bc-seed2", "lat-e-seed1", "lat-e-seed2"};

  // Pass 1: every MNIST cell stops after step 2 (its checkpoint is from step 1); the CIFAR
  // cells fail; the sweep goes on through all of them and exits 1.
  const RunResult first = sweep({"--datasets", "mnist,cifar10", "--train-arg=--stop-after-steps=2"});
  EXPECT_EQ(first.code, 1) << first.describe();
  std::string status = slurp(status_file);
  EXPECT_EQ(count(status, "\tstopped\t3\t"), 6u) << status;
  EXPECT_EQ(count(status, "\tfailed\t2\t"), 6u) << status;
  EXPECT_NE(first.out.find("0 finished now, 0 earlier, 12 not finished"), std::string::npos) << first.out;
  // Both ranks ran cells (the rank column).
  EXPECT_GT(count(status, "\t0\t/"), 0u) << status;
  EXPECT_GT(count(status, "\t1\t/"), 0u) << status;
  for (const auto& m : mnist) EXPECT_TRUE(fs::exists(tmp.path() / "sweep" / ("mnist-mlp-" + m) / "checkpoint.h5")) << m;

  // Pass 2 (as after a killed sweep): the MNIST cells resume from their checkpoints and finish.
  const RunResult second = sweep({"--datasets", "mnist,cifar10"});
  EXPECT_EQ(second.code, 1) << second.describe();  // the CIFAR cells still fail
  EXPECT_EQ(count(second.out, ": resuming on rank"), 6u) << second.out;
  EXPECT_NE(second.out.find("6 finished now, 0 earlier, 6 not finished"), std::string::npos) << second.out;
  EXPECT_NE(second.out.find("cifar10-vgg-lat-e-seed2: failed (exit 2)"), std::string::npos) << second.out;
  std::vector<std::string> results;
  for (const auto& m : mnist) {
    const fs::path dir = tmp.path() / "sweep" / ("mnist-mlp-" + m);
    const std::string line = last_json_line(dir / "results.jsonl");
    EXPECT_EQ(json_field(line, "type"), "\"result\"") << m;
    EXPECT_EQ(json_field(line, "global_step"), "2") << m;
    EXPECT_NE(slurp(dir / "train.log").find("resuming epoch 1 at step 1"), std::string::npos) << m;
    results.push_back(slurp(dir / "results.jsonl"));
  }

  // Pass 3: everything of the MNIST column is finished; nothing runs, nothing changes.
  const RunResult third = sweep({"--datasets", "mnist"});
  EXPECT_EQ(third.code, 0) << third.describe();
  EXPECT_NE(third.out.find("6 cells, 6 finished earlier, 0 to run on 2 ranks"), std::string::npos) << third.out;
  EXPECT_EQ(count(third.out, "starting on rank") + count(third.out, "resuming on rank"), 0u) << third.out;
  for (size_t i = 0; i < mnist.size(); ++i)
    EXPECT_EQ(slurp(tmp.path() / "sweep" / ("mnist-mlp-" + mnist[i]) / "results.jsonl"), results[i]) << mnist[i];
  status = slurp(status_file);
  EXPECT_EQ(count(status, "\tdone (earlier)\t"), 6u) << status;
}

}  // namespace
}  // namespace laq::test
