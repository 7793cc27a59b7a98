// Sweep planning (train/sweep_plan.h): which cells, named how, with which laq train commands,
// at what estimated cost, and what state a cell's folder is in.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "datasets/idx_fixtures.h"
#include "engine/error.h"
#include "quant/method.h"
#include "train/run_checks.h"
#include "train/sweep_plan.h"

namespace laq::train {
namespace {

bool has_pair(const std::vector<std::string>& args, const std::string& flag, const std::string& value) {
  for (size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == flag && args[i + 1] == value) return true;
  return false;
}

TEST(SweepPlan, TheWholeFeedforwardTableIsEveryDatasetTimesThePaperRows) {
  SweepRequest r;
  r.out = "/runs/ff";
  const auto cells = plan_sweep(r);
  EXPECT_EQ(cells.size(), 4u * paper_rows().size());
  EXPECT_EQ(cells.front().name, "mnist-mlp-fpn-seed1");
  EXPECT_EQ(cells.front().dir, std::filesystem::path("/runs/ff/mnist-mlp-fpn-seed1"));
  EXPECT_EQ(cells.back().experiment, "svhn-vgg");
  // The preset's budget: 50 epochs of 500 steps for MNIST, priced at the MLP's step cost.
  EXPECT_EQ(cells.front().epochs, 50);
  EXPECT_EQ(cells.front().steps_per_epoch, 500);
  EXPECT_DOUBLE_EQ(cells.front().estimated_seconds, 50 * 500 * step_seconds("mnist-mlp"));  // fpn, 2 threads
  // Names are unique: each cell has its own folder and checkpoint.
  std::vector<std::string> names;
  for (const auto& c : cells) names.push_back(c.name);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(std::adjacent_find(names.begin(), names.end()), names.end());
}

TEST(SweepPlan, BitsSplitOnlyTheMethodsThatReadThem) {
  SweepRequest r;
  r.datasets = {"mnist"};
  r.methods = {row_key("lat-e", 3), row_key("laq-log", 3)};
  r.bits = {2, 4};
  r.seeds = 2;
  r.out = "out";
  const auto cells = plan_sweep(r);
  ASSERT_EQ(cells.size(), (1u + 2u) * 2u);
  EXPECT_EQ(cells[0].name, "mnist-mlp-lat-e-seed1");
  EXPECT_EQ(cells[1].name, "mnist-mlp-lat-e-seed2");
  EXPECT_EQ(cells[2].name, "mnist-mlp-laq-log-2bit-seed1");
  EXPECT_EQ(cells[5].name, "mnist-mlp-laq-log-4bit-seed2");
  EXPECT_TRUE(has_pair(cells[5].fresh_args, "--bits", "4"));
  EXPECT_TRUE(has_pair(cells[5].fresh_args, "--seed", "2"));
  EXPECT_FALSE(has_pair(cells[0].fresh_args, "--bits", "3"));  // lat-e ignores bits
}

// A width must suit every selected m-bit method (laq-* take 2..8, dorefa 1..8), some method
// must take it, and a validation size goes only to the cells whose experiment cuts one from
// its training file: laq train refuses it elsewhere, so passing it would fail those cells.
TEST(SweepPlan, BitsAndValidationSizeReachOnlyTheCellsTheyApplyTo) {
  SweepRequest r;
  r.out = "out";
  r.datasets = {"mnist"};
  r.methods = {row_key("dorefa", 3), row_key("laq-linear", 3)};
  r.bits = {1};
  EXPECT_THROW(plan_sweep(r), OptionError);
  r.methods = {row_key("dorefa", 3)};
  EXPECT_EQ(plan_sweep(r).size(), 1u);
  r.methods = {row_key("lat-e", 3)};
  EXPECT_THROW(plan_sweep(r), OptionError);  // no method takes a width
  r.bits.clear();
  r.val_size = 500;
  r.datasets = {"mnist", "svhn"};
  const auto cells = plan_sweep(r);
  ASSERT_EQ(cells.size(), 2u);
  EXPECT_TRUE(has_pair(cells[0].fresh_args, "--val-size", "500"));
  EXPECT_EQ(std::find(cells[1].fresh_args.begin(), cells[1].fresh_args.end(), "--val-size"), cells[1].fresh_args.end());
  r.datasets = {"svhn"};
  EXPECT_THROW(plan_sweep(r), OptionError);
}

TEST(SweepPlan, FlagsReachEveryCellAndTheResumeCommandKeepsOnlyWhatResumeAccepts) {
  SweepRequest r;
  r.datasets = {"mnist"};
  r.methods = {row_key("fpn", 0)};
  r.epochs = 2;
  r.train_size = 500;
  r.threads = 1;
  r.data_root = "/data";
  r.out = "/o";
  r.train_args = {"--lr=0.001"};
  const auto cells = plan_sweep(r);
  ASSERT_EQ(cells.size(), 1u);
  const auto& a = cells[0].fresh_args;
  EXPECT_EQ(a.front(), "train");
  EXPECT_TRUE(has_pair(a, "--epochs", "2"));
  EXPECT_TRUE(has_pair(a, "--train-size", "500"));
  EXPECT_TRUE(has_pair(a, "--data", "/data/mnist"));
  EXPECT_TRUE(has_pair(a, "--out", "/o/mnist-mlp-fpn-seed1"));
  EXPECT_NE(std::find(a.begin(), a.end(), "--lr=0.001"), a.end());
  EXPECT_EQ(cells[0].steps_per_epoch, 5);  // 500 examples / batch 100
  EXPECT_EQ(cells[0].resume_args,
            (std::vector<std::string>{"train", "--resume", "/o/mnist-mlp-fpn-seed1/checkpoint.h5", "--threads", "1",
                                      "--quiet"}));
}

TEST(SweepPlan, UnknownNamesAreRefused) {
  SweepRequest r;
  r.out = "o";
  r.table = "cnn";
  EXPECT_THROW(plan_sweep(r), Error);
  r.table = "feedforward";
  r.datasets = {"ptb"};  // a column of the lstm table
  EXPECT_THROW(plan_sweep(r), Error);
  r.datasets = {"mnist"};
  r.methods = {row_key("lat-q", 0)};
  EXPECT_THROW(plan_sweep(r), Error);
}

TEST(SweepPlan, ACellsStateComesFromItsFolder) {
  test::TempDir tmp;
  SweepCell c;
  c.dir = tmp.path() / "cell";
  EXPECT_EQ(cell_state(c), CellState::fresh);
  std::filesystem::create_directories(c.dir);
  std::ofstream(c.dir / "results.jsonl") << "{\"type\": \"epoch\", \"epoch\": 1}\n";
  EXPECT_EQ(cell_state(c), CellState::fresh);
  std::ofstream(c.dir / "checkpoint.h5") << "x";
  EXPECT_EQ(cell_state(c), CellState::resumable);
  std::ofstream(c.dir / "results.jsonl", std::ios::app) << "{\"type\": \"result\", \"best_epoch\": 1}\n";
  EXPECT_EQ(cell_state(c), CellState::done);
}

SlurmJob job_of(int64_t tasks, int64_t cpus, int64_t minutes) {
  SlurmJob job;
  job.name = "laq-feedforward";
  job.tasks = tasks;
  job.cpus_per_task = cpus;
  job.minutes = minutes;
  job.log_dir = "/scratch";
  return job;
}

TEST(SweepPlan, TheSlurmScriptIsOneMpiJobStartedThroughPmixWithThreadsPerTask) {
  const std::string s = slurm_script(job_of(8, 4, 135), {"/opt/laq", "table", "--out", "/scratch/a b"});
  EXPECT_EQ(s.rfind("#!/bin/bash\n", 0), 0u);
  EXPECT_NE(s.find("#SBATCH --ntasks=8\n"), std::string::npos) << s;
  EXPECT_NE(s.find("#SBATCH --cpus-per-task=4\n"), std::string::npos) << s;
  EXPECT_NE(s.find("#SBATCH --time=2:15:00\n"), std::string::npos) << s;
  EXPECT_NE(s.find("#SBATCH --output=/scratch/slurm-%j.out\n"), std::string::npos) << s;
  EXPECT_NE(s.find("export OPENBLAS_NUM_THREADS=$SLURM_CPUS_PER_TASK\n"), std::string::npos) << s;
  EXPECT_NE(s.find("\nsrun --mpi=pmix --cpus-per-task=$SLURM_CPUS_PER_TASK --cpu-bind=cores /opt/laq table --out "
                   "'/scratch/a b'\n"),
            std::string::npos)
      << s;
  // Nothing the user did not ask for: the site's defaults stay in force.
  for (const char* absent : {"--partition", "--account", "--mem-per-cpu", "--array"})
    EXPECT_EQ(s.find(absent), std::string::npos) << absent << "\n"
                                                 << s;
}

TEST(SweepPlan, TheSlurmScriptCarriesPartitionAccountMemoryAndLongLimitsInDays) {
  SlurmJob job = job_of(2, 1, 3 * 1440 + 61);
  job.partition = "short,long";
  job.account = "proj-42";
  job.mem_per_cpu = "1500M";
  const std::string s = slurm_script(job, {"laq", "table"});
  EXPECT_NE(s.find("#SBATCH --partition=short,long\n"), std::string::npos) << s;
  EXPECT_NE(s.find("#SBATCH --account=proj-42\n"), std::string::npos) << s;
  EXPECT_NE(s.find("#SBATCH --mem-per-cpu=1500M\n"), std::string::npos) << s;
  EXPECT_NE(s.find("#SBATCH --time=3-01:01:00\n"), std::string::npos) << s;
}

TEST(SweepPlan, TheArrayScriptRunsCellNInTaskNWithoutMpi) {
  SlurmJob job = job_of(2, 1, 30);
  job.array = true;
  job.cells = 5;
  const std::string s = slurm_script(job, {"/opt/laq", "table", "--out", "/scratch/o"});
  EXPECT_NE(s.find("#SBATCH --array=1-5%2\n#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n"), std::string::npos) << s;
  EXPECT_NE(s.find("#SBATCH --output=/scratch/slurm-%A_%a.out\n"), std::string::npos) << s;
  EXPECT_NE(s.find("\n/opt/laq table --out /scratch/o --cell \"$SLURM_ARRAY_TASK_ID\"\n"), std::string::npos) << s;
  EXPECT_EQ(s.find("srun"), std::string::npos) << s;
  job.tasks = 5;  // as many at once as there are cells: no throttle
  EXPECT_NE(slurm_script(job, {"laq"}).find("#SBATCH --array=1-5\n"), std::string::npos);
}

TEST(SweepPlan, TheTimeLimitCoversTheBusiestRankWithMargin) {
  // Three equal cells on two ranks: one rank runs two of them (not 1.5 cells' worth).
  EXPECT_EQ(slurm_minutes({600, 600, 600}, 2, false), 30);  // 1.5 x 1200 s
  EXPECT_EQ(slurm_minutes({600, 600, 600}, 2, false, 1.0), 20);
  EXPECT_EQ(slurm_minutes({600, 6000, 600}, 4, true), 150);  // an array task: the longest cell
  EXPECT_EQ(slurm_minutes({61, 2}, 2, false, 1.0), 2);       // whole minutes, rounded up
  EXPECT_EQ(slurm_minutes({}, 2, false), 1);                 // never zero
}

TEST(SweepPlan, SlurmTimesParseInEverySbatchFormAndBadOnesAreRefused) {
  EXPECT_EQ(parse_slurm_time("90"), 90);
  EXPECT_EQ(parse_slurm_time("10:30"), 11);  // M:S, seconds rounded up
  EXPECT_EQ(parse_slurm_time("4:00:00"), 240);
  EXPECT_EQ(parse_slurm_time("2-12"), 3600);
  EXPECT_EQ(parse_slurm_time("1-00:30"), 1470);
  EXPECT_EQ(parse_slurm_time("1-00:00:01"), 1441);
  for (const char* bad : {"", "0", "0:00:00", "-5", "1-", "a", "1:2:3:4", "4h", "1:", ":30", "1--2", "2-3:x"})
    EXPECT_FALSE(parse_slurm_time(bad).has_value()) << bad;
}

TEST(SweepPlan, SlurmMemoryAndNamesAreCheckedLikeSbatchTakesThem) {
  for (const char* good : {"500", "500M", "4G", "1T", "64K"}) EXPECT_TRUE(is_slurm_memory(good)) << good;
  for (const char* bad : {"", "0", "0G", "G", "4GB", "4 G", "-1G", "1.5G", "4g"}) EXPECT_FALSE(is_slurm_memory(bad)) << bad;
  EXPECT_TRUE(is_slurm_name("gpu_a100-x.1", false));
  EXPECT_TRUE(is_slurm_name("short,long", true));
  for (const char* bad : {"", "a b", "a;b", "$(id)", "a,b"}) EXPECT_FALSE(is_slurm_name(bad, false)) << bad;
  for (const char* bad : {",a", "a,", "a,,b"}) EXPECT_FALSE(is_slurm_name(bad, true)) << bad;
}

TEST(SweepPlan, ACellIsPricedByItsMethodsQuantizeStageAndItsThreadCount) {
  SweepRequest r;
  r.out = "/runs/ff";
  r.datasets = {"mnist"};
  r.methods = {row_key("fpn", 3), row_key("bc", 3), row_key("lat-e", 3), row_key("lat2-a", 3)};
  auto seconds = [&](int64_t threads) {
    r.threads = threads;
    std::vector<double> s;
    for (const auto& c : plan_sweep(r)) s.push_back(c.estimated_seconds);
    return s;
  };
  const std::vector<double> two = seconds(0), one = seconds(1), four = seconds(4);
  ASSERT_EQ(two.size(), 4u);
  // Full precision costs the preset's step; every quantizer costs more, the slowest most.
  EXPECT_DOUBLE_EQ(two[0], 50 * 500 * step_seconds("mnist-mlp"));
  EXPECT_LT(two[0], two[1]);
  EXPECT_LT(two[1], two[2]);
  EXPECT_LT(two[2], two[3]);
  EXPECT_DOUBLE_EQ(two[2], two[0] * method_step_factor("lat-e"));
  // One thread per cell (two cells side by side on two cores) takes about twice as long;
  // more than two threads is priced as two, never as faster than measured.
  for (size_t i = 0; i < two.size(); ++i) {
    EXPECT_DOUBLE_EQ(one[i], 2.0 * two[i]);
    EXPECT_DOUBLE_EQ(four[i], two[i]);
  }
}

TEST(SweepPlan, EveryMethodHasAStepCostAndAnUnknownOneIsNamed) {
  for (const quant::Method m : quant::all_methods) EXPECT_GE(method_step_factor(quant::method_name(m)), 1.0);
  try {
    method_step_factor("lat3");
    FAIL() << "an unknown method was priced";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("lat3"), std::string::npos) << e.what();
  }
}

TEST(SweepPlan, DurationsReadLikeAClock) {
  EXPECT_EQ(format_duration(12.4), "12s");
  EXPECT_EQ(format_duration(200), "3m 20s");
  EXPECT_EQ(format_duration(3900), "1h 05m");
}

}  // namespace
}  // namespace laq::train
