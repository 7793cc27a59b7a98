// Out-of-range values and flags without effect, across every command: exit 2, one stderr
// line naming the flag, nothing trained or written. Each case runs the real binary with
// otherwise valid arguments (tiny MNIST data, a fresh --out), so a missing check shows up as
// a run or a different error, not as a pass. The accepted edges of each range run.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "apps/laq_cli.h"

namespace laq::test {
namespace {

struct FlagCase {
  std::string name;
  std::vector<std::string> args;  // after the command's valid base arguments
  std::string option;             // the stderr line must name --option
};
void PrintTo(const FlagCase& c, std::ostream* os) { *os << c.name; }

bool has(const std::vector<std::string>& args, const std::string& flag) {
  return std::find(args.begin(), args.end(), flag) != args.end();
}

// The case's arguments after valid base arguments of its command (the first argument), each
// base flag left out when the case gives it itself: a repeated flag is an error of its own.
std::vector<std::string> command_line(const TempDir& tmp, const FlagCase& c) {
  const std::string command = c.args.front();
  const std::vector<std::string> given(c.args.begin() + 1, c.args.end());
  std::vector<std::pair<std::string, std::string>> base;
  std::vector<std::string> a;
  if (command == "train") {
    a = {"train", "--quiet"};
    base = {{"--data", (tmp / "data").string()}, {"--out", (tmp / "out").string()}, {"--epochs", "1"}, {"--steps-per-epoch", "1"}, {"--threads", "1"}, {"--batch", "20"}};
    if (!has(given, "--experiment")) base.emplace_back("--val-size", "100");
  } else if (command == "quantize") {
    a = {"quantize"};
    base = {{"--input", (tmp / "w.csv").string()}};
  } else if (command == "bench") {
    a = {"bench"};
    base = {{"--steps", "20"}, {"--warmup", "0"}, {"--threads", "1"}};
  } else if (command == "table-sweep") {
    a = {"table", "--dry-run"};
    base = {{"--out", (tmp / "sweep").string()}};
  } else if (command == "table-report") {
    a = {"table", "--report"};
    base = {{"--runs", tmp.path().string()}, {"--out", (tmp / "rep").string()}};
  } else if (command == "inspect") {
    a = {"inspect", (tmp / "model.h5").string()};
  }
  for (const auto& [flag, value] : base)
    if (!has(given, flag)) a.insert(a.end(), {flag, value});
  a.insert(a.end(), given.begin(), given.end());
  return a;
}

class FlagRanges : public ::testing::TestWithParam<FlagCase> {};

TEST_P(FlagRanges, ExitTwoWithOneLineNamingTheFlag) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  write_tiny_mnist(tmp / "data");  // 300 training images: 200 train + 100 validation
  std::ofstream(tmp / "w.csv") << "w,d\n0.5,1\n-0.25,2\n0.1,1\n";
  const RunResult r = run_laq(tmp.path(), command_line(tmp, GetParam()));
  EXPECT_EQ(r.code, 2) << r.describe();
  const auto lines = r.err_lines();
  ASSERT_EQ(lines.size(), 1u) << "expected exactly one stderr line\n"
                              << r.describe();
  EXPECT_NE(lines[0].find("'--" + GetParam().option + "'"), std::string::npos)
      << "stderr does not name --" << GetParam().option << "\n"
      << r.describe();
  EXPECT_TRUE(r.out.empty()) << r.describe();
  EXPECT_FALSE(fs::exists(tmp / "out")) << "a refused command must not start a run";
  EXPECT_FALSE(fs::exists(tmp / "sweep")) << "a refused sweep must not plan cells";
  EXPECT_FALSE(fs::exists(tmp / "rep")) << "a refused report must not write tables";
}

#define CASE(name, option, ...) \
  FlagCase { name, {__VA_ARGS__}, option }

INSTANTIATE_TEST_SUITE_P(
    Train, FlagRanges,
    ::testing::Values(
        CASE("LaqLinearOneBit", "bits", "train", "--method", "laq-linear", "--bits", "1"),
        CASE("LaqLogNineBits", "bits", "train", "--method", "laq-log", "--bits", "9"),
        CASE("DorefaZeroBits", "bits", "train", "--method", "dorefa", "--bits", "0"),
        CASE("DorefaNineBits", "bits", "train", "--method", "dorefa", "--bits", "9"),
        CASE("BitsWithoutABitMethod", "bits", "train", "--method", "lat-e", "--bits", "3"),
        CASE("BitsWithFullPrecision", "bits", "train", "--bits", "4"),
        CASE("CodeFaithfulWithoutVariant", "code-faithful", "train", "--method", "bwn", "--code-faithful"),
        CASE("PerChannelFullPrecision", "per-channel", "train", "--per-channel"),
        CASE("LrInfinite", "lr", "train", "--lr", "inf"),
        CASE("LrNan", "lr", "train", "--lr", "nan"),
        CASE("LrZero", "lr", "train", "--lr", "0"),
        CASE("LrDecayInfinite", "lr-decay", "train", "--lr-decay", "inf"),
        CASE("LrDecayNegative", "lr-decay", "train", "--lr-decay", "-0.5"),
        CASE("LrDecayWithConstantSchedule", "lr-decay", "train", "--schedule", "constant", "--lr-decay", "0.5"),
        CASE("StepsOutOfOrder", "schedule", "train", "--schedule", "step:25,15"),
        CASE("StepsRepeated", "schedule", "train", "--schedule", "step:15,15"),
        CASE("ThreadsAbsurd", "threads", "train", "--threads", "10000"),
        CASE("ThreadsNegative", "threads", "train", "--threads", "-2"),
        CASE("EpochsNegative", "epochs", "train", "--epochs", "-1"),
        CASE("BatchNegative", "batch", "train", "--batch", "-5"),
        CASE("BatchOneWithBatchNorm", "batch", "train", "--batch", "1"),
        CASE("BatchLargerThanTrainingSet", "batch", "train", "--batch", "201"),
        CASE("StepsPerEpochNegative", "steps-per-epoch", "train", "--steps-per-epoch", "-3"),
        CASE("StepsPerEpochBeyondAnEpoch", "steps-per-epoch", "train", "--steps-per-epoch", "11"),
        CASE("TrainSizeNegative", "train-size", "train", "--train-size", "-5"),
        CASE("TrainSizeBeyondTheSet", "train-size", "train", "--train-size", "201"),
        CASE("CheckpointEveryNegative", "checkpoint-every", "train", "--checkpoint-every", "-1"),
        CASE("StopAfterZeroSteps", "stop-after-steps", "train", "--stop-after-steps", "0"),
        CASE("ValSizeZero", "val-size", "train", "--val-size", "0"),
        CASE("ValSizeNegative", "val-size", "train", "--val-size", "-1"),
        CASE("ValSizeWholeTrainingFile", "val-size", "train", "--val-size", "300"),
        CASE("ValSizeForSvhn", "val-size", "train", "--experiment", "svhn-vgg", "--val-size", "100"),
        CASE("ValSizeZeroForAnLstm", "val-size", "train", "--experiment", "ptb-lstm", "--val-size", "0"),
        CASE("BatchNormForAnLstm", "batch-norm", "train", "--experiment", "linux-lstm", "--batch-norm", "variance"),
        CASE("PerChannelLstm", "per-channel", "train", "--experiment", "ptb-lstm", "--method", "lat-e",
             "--per-channel"),
        CASE("PerChannelTtq", "per-channel", "train", "--method", "ttq", "--per-channel")),
    [](const ::testing::TestParamInfo<FlagCase>& info) { return info.param.name; });

INSTANTIATE_TEST_SUITE_P(
    OtherCommands, FlagRanges,
    ::testing::Values(
        CASE("QuantizeLaqLinearOneBit", "bits", "quantize", "--method", "laq-linear", "--bits", "1"),
        CASE("QuantizeDorefaNineBits", "bits", "quantize", "--method", "dorefa", "--bits", "9"),
        CASE("QuantizeBitsWithoutABitMethod", "bits", "quantize", "--method", "lat-e", "--bits", "4"),
        CASE("QuantizeCodeFaithfulWithoutVariant", "code-faithful", "quantize", "--method", "lab", "--code-faithful"),
        CASE("QuantizeLeastSquaresForTernary", "least-squares-alpha", "quantize", "--method", "lat-a",
             "--least-squares-alpha"),
        CASE("QuantizeWarmForAnExactSolver", "warm", "quantize", "--method", "lat-e", "--warm", "w.csv"),
        CASE("BenchUnknownMethod", "method", "bench", "--method", "nope"),
        CASE("BenchThreadsAbsurd", "threads", "bench", "--threads", "10000"),
        CASE("BenchBatchOne", "batch", "bench", "--batch", "1"),
        CASE("BenchBatchAbsurd", "batch", "bench", "--batch", "100000"),
        CASE("BenchLaqLogNineBits", "bits", "bench", "--method", "laq-log", "--bits", "9"),
        CASE("BenchBitsWithoutABitMethod", "bits", "bench", "--method", "lat-e", "--bits", "4"),
        CASE("BenchBitsWithFrom", "bits", "bench", "--method", "laq-log", "--bits", "4", "--from", "x.h5"),
        CASE("BenchNegativeWarmup", "warmup", "bench", "--warmup", "-1"),
        CASE("SweepBitsTooNarrowForLaq", "bits", "table-sweep", "--methods", "dorefa,laq-linear", "--bits", "1"),
        CASE("SweepBitsWithoutABitMethod", "bits", "table-sweep", "--methods", "lat-e,twn", "--bits", "4"),
        CASE("SweepThreadsAbsurd", "threads", "table-sweep", "--threads", "10000"),
        CASE("SweepNegativeEpochs", "epochs", "table-sweep", "--epochs", "-1"),
        CASE("SweepValSizeForTheLstmTable", "val-size", "table-sweep", "--table", "lstm", "--val-size", "100"),
        CASE("SweepPaperBelongsToReport", "paper", "table-sweep", "--paper", "p.csv"),
        CASE("SweepSlurmTasksWithoutEmitSlurm", "slurm-tasks", "table-sweep", "--slurm-tasks", "8"),
        CASE("ReportWithSweepEpochs", "epochs", "table-report", "--epochs", "5"),
        CASE("ReportWithSweepMethods", "methods", "table-report", "--methods", "lat-e"),
        CASE("InspectDataWithoutEvaluate", "data", "inspect", "--data", "somewhere")),
    [](const ::testing::TestParamInfo<FlagCase>& info) { return info.param.name; });

// The edges of the ranges are accepted: a check that refused them would pass the cases above.
TEST(FlagRanges, TheEdgesOfEachRangeAreAccepted) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  std::ofstream(tmp / "w.csv") << "w,d\n0.5,1\n-0.25,2\n0.1,1\n";
  for (const auto& [method, bits] : {std::pair{"laq-linear", "2"}, {"laq-log", "8"}, {"dorefa", "1"}, {"dorefa", "8"}}) {
    const RunResult r = run_laq(tmp.path(), {"quantize", "--input", (tmp / "w.csv").string(), "--method", method,
                                             "--bits", bits});
    EXPECT_EQ(r.code, 0) << method << " " << bits << "\n"
                         << r.describe();
  }
  for (const char* method : {"lat-e", "lat2-e", "lat2-a"}) {
    const RunResult r = run_laq(tmp.path(), {"quantize", "--input", (tmp / "w.csv").string(), "--method", method,
                                             "--code-faithful"});
    EXPECT_EQ(r.code, 0) << method << "\n"
                         << r.describe();
  }
  const RunResult sweep = run_laq(tmp.path(), {"table", "--out", (tmp / "s").string(), "--dry-run", "--methods",
                                               "dorefa", "--bits", "1", "--threads", "1024"});
  EXPECT_EQ(sweep.code, 0) << sweep.describe();
  write_tiny_mnist(tmp / "data");
  // Batch = the whole training set, validation = all but one image's worth of training.
  const RunResult train = run_laq(tmp.path(), {"train", "--data", (tmp / "data").string(), "--out",
                                               (tmp / "out").string(), "--val-size", "100", "--batch", "200",
                                               "--epochs", "1", "--steps-per-epoch", "1", "--threads", "1",
                                               "--lr-decay", "0.5", "--quiet"});
  EXPECT_EQ(train.code, 0) << train.describe();
}

TEST(FlagRanges, EveryHelpStatesTheRule) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  for (const char* command : {"train", "quantize", "bench", "export", "inspect", "table"}) {
    const RunResult r = run_laq(tmp.path(), {command, "--help"});
    EXPECT_EQ(r.code, 0) << command << "\n"
                         << r.describe();
    EXPECT_NE(r.out.find("has no effect"), std::string::npos) << command << " --help does not state the rule\n"
                                                              << r.out;
  }
}

}  // namespace
}  // namespace laq::test
