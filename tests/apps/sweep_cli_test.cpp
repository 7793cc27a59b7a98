// `laq table` without --report: a sweep over a table's cells, here in one process (the MPI
// runs are in tests/mpi/sweep_test.cpp). Tiny MNIST-format data, 2 steps per cell.
#include <gtest/gtest.h>

#include <algorithm>

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

TEST(SweepCli, EmitSlurmCarriesTheSiteOptionsAndTheArrayForm) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  const RunResult r = run_laq(tmp.path(), {"table", "--datasets", "mnist", "--methods", "fpn,bc,lat-e", "--out", "sweep",
                                           "--emit-slurm", "array.sbatch", "--slurm-array", "--slurm-tasks", "2",
                                           "--slurm-partition", "short", "--slurm-account", "proj1",
                                           "--slurm-mem-per-cpu", "2G", "--slurm-cell-time", "1:30:00"});
  ASSERT_EQ(r.code, 0) << r.describe();
  EXPECT_NE(r.out.find("3 cells as a job array, 2 at a time"), std::string::npos) << r.out;
  const std::string s = slurp(tmp.path() / "array.sbatch");
  for (const char* line : {"#SBATCH --partition=short\n", "#SBATCH --account=proj1\n", "#SBATCH --array=1-3%2\n",
                           "#SBATCH --mem-per-cpu=2G\n", "#SBATCH --time=1:30:00\n", " --cell \"$SLURM_ARRAY_TASK_ID\"\n"})
    EXPECT_NE(s.find(line), std::string::npos) << line << "\n"
                                               << s;

  // A limit per cell: one rank of two runs two of the three cells.
  const RunResult mpi = run_laq(tmp.path(), {"table", "--datasets", "mnist", "--methods", "fpn,bc,lat-e", "--out", "sweep",
                                             "--emit-slurm", "mpi.sbatch", "--slurm-tasks", "2", "--slurm-cell-time", "45"});
  ASSERT_EQ(mpi.code, 0) << mpi.describe();
  EXPECT_NE(slurp(tmp.path() / "mpi.sbatch").find("#SBATCH --time=1:30:00\n"), std::string::npos);
  // Taken as given: no margin and no 10-minute floor as for the estimate.
  const RunResult short_cells = run_laq(tmp.path(), {"table", "--datasets", "mnist", "--methods", "fpn,bc,lat-e", "--out",
                                                     "sweep", "--emit-slurm", "short.sbatch", "--slurm-array",
                                                     "--slurm-cell-time", "5"});
  ASSERT_EQ(short_cells.code, 0) << short_cells.describe();
  const std::string short_script = slurp(tmp.path() / "short.sbatch");
  EXPECT_NE(short_script.find("#SBATCH --time=0:05:00\n"), std::string::npos) << short_script;
  EXPECT_NE(short_script.find("#SBATCH --array=1-3\n"), std::string::npos) << short_script;  // 4 at once by default: no throttle
  const RunResult fixed = run_laq(tmp.path(), {"table", "--datasets", "mnist", "--out", "sweep", "--emit-slurm",
                                               "fixed.sbatch", "--slurm-time", "2-00:00:00"});
  ASSERT_EQ(fixed.code, 0) << fixed.describe();
  EXPECT_NE(slurp(tmp.path() / "fixed.sbatch").find("#SBATCH --time=2-00:00:00\n"), std::string::npos);
}

TEST(SweepCli, BadSlurmOptionsExitTwoNamingTheFlag) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  const std::vector<std::string> base = {"table", "--datasets", "mnist", "--out", "o", "--emit-slurm", "j.sbatch"};
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--slurm-time", "4h"}, "'--slurm-time'"},
      {{"--slurm-time", "0"}, "'--slurm-time'"},
      {{"--slurm-cell-time", "1:2:3:4"}, "'--slurm-cell-time'"},
      {{"--slurm-time", "10", "--slurm-cell-time", "10"}, "'--slurm-cell-time'"},
      {{"--slurm-mem-per-cpu", "4GB"}, "'--slurm-mem-per-cpu'"},
      {{"--slurm-partition", "a b"}, "'--slurm-partition'"},
      {{"--slurm-account", "x;rm"}, "'--slurm-account'"},
      {{"--slurm-tasks", "0"}, "'--slurm-tasks'"},
  };
  for (const auto& [more, needle] : cases) {
    std::vector<std::string> args = base;
    args.insert(args.end(), more.begin(), more.end());
    const RunResult r = run_laq(tmp.path(), args);
    EXPECT_EQ(r.code, 2) << r.describe();
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.describe();
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.describe();
    EXPECT_FALSE(fs::exists(tmp.path() / "j.sbatch"));
  }
  // Slurm flags without a script to put them in, and --cell where it has no meaning.
  const std::vector<std::pair<std::vector<std::string>, std::string>> misplaced = {
      {{"table", "--out", "o", "--slurm-array"}, "'--slurm-array'"},
      {{"table", "--out", "o", "--slurm-partition", "p"}, "'--slurm-partition'"},
      {{"table", "--out", "o", "--cell", "0"}, "'--cell'"},
      {{"table", "--out", "o", "--cell", "1", "--dry-run"}, "'--cell'"},
      {{"table", "--datasets", "mnist", "--methods", "fpn", "--out", "o", "--cell", "2"}, "'--cell'"},
  };
  for (const auto& [args, needle] : misplaced) {
    const RunResult r = run_laq(tmp.path(), args);
    EXPECT_EQ(r.code, 2) << r.describe();
    EXPECT_NE(r.err.find(needle), std::string::npos) << r.describe();
  }
}

TEST(SweepCli, CellRunsOnlyThatCellOfThePlanAndKeepsItsStatusInItsFolder) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  write_tiny_mnist(tmp.path() / "data" / "mnist");
  const auto args = tiny_sweep(tmp.path() / "data", {"--datasets", "mnist", "--methods", "fpn,bc", "--cell", "2"});
  const RunResult r = run_laq(tmp.path(), args);
  ASSERT_EQ(r.code, 0) << r.describe();
  EXPECT_NE(r.out.find("mnist-mlp-bc-seed1: finished"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(tmp.path() / "sweep" / "mnist-mlp-fpn-seed1"));
  EXPECT_FALSE(fs::exists(tmp.path() / "sweep" / "sweep-status.tsv"));
  EXPECT_NE(slurp(tmp.path() / "sweep" / "mnist-mlp-bc-seed1" / "cell-status.tsv").find("mnist-mlp-bc-seed1\tfinished\t0"),
            std::string::npos);
  const RunResult again = run_laq(tmp.path(), args);
  EXPECT_EQ(again.code, 0) << again.describe();
  EXPECT_NE(again.out.find("1 cells, 1 finished earlier, 0 to run"), std::string::npos) << again.out;
}

}  // namespace
}  // namespace laq::test
