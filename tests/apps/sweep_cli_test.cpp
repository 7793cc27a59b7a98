// `laq table` without --report: a sweep over a table's cells, here in one process (the MPI
// runs are in tests/mpi/sweep_test.cpp). Tiny MNIST-format data, 2 steps per cell.
#include <gtest/gtest.h>

#include "apps/laq_cli.h"

namespace laq::test {
namespace {

std::vector<std::string> tiny_sweep(const fs::path& root, std::vector<std::string> more) {
  std::vector<std::string> a = {"table", "--table", "feedforward", "--data-root", root.string(), "--epochs", "1",
                                "--train-size", "200", "--val-size", "100", "--threads", "1", "--out", "sweep"};
  a.insert(a.end(), more.begin(), more.end());
  return a;
}

TEST(SweepCli, DryRunPrintsThePlanAndRunsNothing) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  const RunResult r = run_laq(tmp.path(), {"table", "--table", "lstm", "--methods", "fpn,laq-log", "--bits", "2,3",
                                           "--seeds", "2", "--out", "sweep", "--dry-run"});
  ASSERT_EQ(r.code, 0) << r.describe();
  EXPECT_NE(r.out.find("warpeace-lstm-laq-log-2bit-seed2"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("laq train --experiment ptb-lstm --method fpn --seed 1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("18 cells; estimated"), std::string::npos) << r.out;  // 3 datasets x 3 rows x 2 seeds
  EXPECT_FALSE(fs::exists(tmp.path() / "sweep"));
}

TEST(SweepCli, SerialSweepFinishesTheGoodCellsReportsTheFailedOneAndNeverRerunsAFinishedCell) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  write_tiny_mnist(tmp.path() / "data" / "mnist");  // no data/cifar10: those cells fail
  const auto args = tiny_sweep(tmp.path() / "data", {"--datasets", "mnist,cifar10", "--methods", "fpn"});
  const RunResult first = run_laq(tmp.path(), args);
  EXPECT_EQ(first.code, 1) << first.describe();
  EXPECT_NE(first.out.find("mnist-mlp-fpn-seed1: finished"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("cifar10-vgg-fpn-seed1: FAILED (exit 2)"), std::string::npos) << first.out;
  EXPECT_NE(first.out.find("1 finished now, 0 earlier, 1 not finished"), std::string::npos) << first.out;
  const std::string status = slurp(tmp.path() / "sweep" / "sweep-status.tsv");
  EXPECT_NE(status.find("mnist-mlp-fpn-seed1\tfinished\t0\t"), std::string::npos) << status;
  EXPECT_NE(status.find("cifar10-vgg-fpn-seed1\tfailed\t2\t"), std::string::npos) << status;
  EXPECT_NE(slurp(tmp.path() / "sweep" / "cifar10-vgg-fpn-seed1" / "train.log").find("is not a folder"),
            std::string::npos);

  const std::string results = slurp(tmp.path() / "sweep" / "mnist-mlp-fpn-seed1" / "results.jsonl");
  const RunResult second = run_laq(tmp.path(), tiny_sweep(tmp.path() / "data", {"--datasets", "mnist", "--methods", "fpn"}));
  EXPECT_EQ(second.code, 0) << second.describe();
  EXPECT_NE(second.out.find("1 cells, 1 finished earlier, 0 to run"), std::string::npos) << second.out;
  EXPECT_EQ(slurp(tmp.path() / "sweep" / "mnist-mlp-fpn-seed1" / "results.jsonl"), results);
}

TEST(SweepCli, BadSweepArgumentsExitTwoNamingTheArgument) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"table", "--table", "feedforward"}, "--out"},
      {{"table", "--out", "o", "--datasets", "ptb"}, "ptb"},
      {{"table", "--out", "o", "--methods", "lat-q"}, "lat-q"},
      {{"table", "--out", "o", "--bits", "9"}, "'--bits'"},
      {{"table", "--out", "o", "--seeds", "0"}, "'--seeds'"},
      {{"table", "--out", "o", "--data-root", "missing"}, "'--data-root'"},
  };
  for (const auto& [args, needle] : cases) {
    const RunResult r = run_laq(tmp.path(), args);
    EXPECT_EQ(r.code, 2) << r.describe();
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.describe();
  }
}

TEST(SweepCli, EmitSlurmWritesAnSbatchScriptForTheSamePlan) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  const RunResult r = run_laq(tmp.path(), {"table", "--table", "feedforward", "--datasets", "mnist", "--seeds", "3",
                                           "--out", "sweep", "--emit-slurm", "job.sbatch", "--slurm-tasks", "6"});
  ASSERT_EQ(r.code, 0) << r.describe();
  const std::string s = slurp(tmp.path() / "job.sbatch");
  EXPECT_NE(s.find("#SBATCH --ntasks=6\n"), std::string::npos) << s;
  EXPECT_NE(s.find("#SBATCH --cpus-per-task=2\n"), std::string::npos) << s;
  EXPECT_NE(s.find(" table --table feedforward --out " + (tmp.path() / "sweep").string() +
                   " --datasets mnist --seeds 3 --threads 2\n"),
            std::string::npos)
      << s;
  EXPECT_TRUE(fs::is_directory(tmp.path() / "sweep"));  // Slurm's --output folder
}

}  // namespace
}  // namespace laq::test
