// `laq train` as a user meets it: the real binary (env LAQ_BIN) run in a temporary folder.
// Help documents every flag; bad flags and bad values exit 2 with one stderr line naming the
// option; broken data exits 1 naming the file; a tiny run writes its results.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "apps/laq_cli.h"

namespace laq::test {
namespace {

TEST(LaqTrainCli, HelpExitsZeroAndDocumentsEveryFlag) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  const RunResult r = run_laq(tmp.path(), {"train", "--help"});
  ASSERT_EQ(r.code, 0) << r.describe();
  EXPECT_TRUE(r.err.empty()) << r.describe();
  for (const char* flag :
       {"--experiment", "--method", "--epochs", "--steps-per-epoch", "--train-size", "--val-size", "--batch", "--lr",
        "--schedule", "--data", "--out", "--checkpoint-every", "--stop-after-steps", "--resume", "--quiet",
        "--threads", "--seed", "--help"})
    EXPECT_NE(r.out.find(flag), std::string::npos) << "laq train --help does not mention " << flag << "\n"
                                                   << r.out;
  EXPECT_NE(r.out.find("mnist-mlp"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("fpn"), std::string::npos) << r.out;
}

TEST(LaqTrainCli, TopLevelHelpAndUnknownCommand) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  RunResult r = run_laq(tmp.path(), {"--help"});
  EXPECT_EQ(r.code, 0) << r.describe();
  EXPECT_NE(r.out.find("train"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("bench"), std::string::npos) << r.out;
  r = run_laq(tmp.path(), {"no-such-command"});
  EXPECT_EQ(r.code, 2) << r.describe();
  EXPECT_NE(r.err.find("no-such-command"), std::string::npos) << r.describe();
  r = run_laq(tmp.path(), {"bench", "--help"});
  EXPECT_EQ(r.code, 0) << r.describe();
}

struct BadArgs {
  std::string name;
  std::vector<std::string> args;
  std::string option;  // the stderr line must name it
};
// Keeps the test names that ctest lists readable (no byte dump of the parameter).
void PrintTo(const BadArgs& b, std::ostream* os) { *os << b.name; }

class LaqTrainBadArgs : public ::testing::TestWithParam<BadArgs> {};

// Each case gets valid --data and --out, so a missing check would show up as a run, not as
// a different error.
TEST_P(LaqTrainBadArgs, ExitTwoWithOneLineNamingTheOption) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  write_tiny_mnist(tmp / "data");
  std::vector<std::string> args = {"train", "--data", (tmp / "data").string(), "--out", (tmp / "out").string(),
                                   "--val-size", "100", "--steps-per-epoch", "1", "--quiet"};
  args.insert(args.end(), GetParam().args.begin(), GetParam().args.end());
  const RunResult r = run_laq(tmp.path(), args);
  EXPECT_EQ(r.code, 2) << r.describe();
  const auto lines = r.err_lines();
  ASSERT_EQ(lines.size(), 1u) << "expected exactly one stderr line\n"
                              << r.describe();
  EXPECT_NE(lines[0].find(GetParam().option), std::string::npos)
      << "stderr does not name " << GetParam().option << "\n"
      << r.describe();
  EXPECT_FALSE(fs::exists(tmp / "out" / "results.jsonl")) << "a rejected command must not train";
}

INSTANTIATE_TEST_SUITE_P(
    Cases, LaqTrainBadArgs,
    ::testing::Values(BadArgs{"UnknownFlag", {"--epochz", "2"}, "--epochz"},
                      BadArgs{"EpochsNotANumber", {"--epochs", "x"}, "--epochs"},
                      BadArgs{"EpochsZero", {"--epochs", "0"}, "--epochs"},
                      BadArgs{"NegativeLr", {"--epochs", "1", "--lr", "-1"}, "--lr"},
                      BadArgs{"BogusSchedule", {"--epochs", "1", "--schedule", "bogus"}, "--schedule"},
                      BadArgs{"UnknownExperiment", {"--epochs", "1", "--experiment", "cifar-nope"}, "--experiment"},
                      BadArgs{"UnknownMethod", {"--epochs", "1", "--method", "nope"}, "--method"},
                      BadArgs{"BatchZero", {"--epochs", "1", "--batch", "0"}, "--batch"},
                      BadArgs{"ThreadsZero", {"--epochs", "1", "--threads", "0"}, "--threads"},
                      BadArgs{"MissingValue", {"--epochs"}, "--epochs"},
                      BadArgs{"DataNotAFolder", {"--epochs", "1", "--data", "/nonexistent/laq-data"}, "--data"}),
    [](const ::testing::TestParamInfo<BadArgs>& info) { return info.param.name; });

struct BrokenData {
  std::string name;
  std::string file;                 // which file is broken (stderr must name it)
  std::vector<uint8_t> (*bytes)();  // its content
};
void PrintTo(const BrokenData& b, std::ostream* os) { *os << b.name; }

std::vector<uint8_t> truncated_images() {
  std::vector<uint8_t> px, lb;
  tiny_mnist_split(300, 1, px, lb);
  px.resize(px.size() / 2);  // header says 300 images, half the payload is there
  return mnist_images(300, px);
}
std::vector<uint8_t> labels_bad_magic() {
  auto b = mnist_labels(std::vector<uint8_t>(100, 1));
  b[2] = 0x42;  // unknown element type code
  return b;
}
std::vector<uint8_t> labels_as_images() {  // a 3-d file where a 1-d label file belongs
  std::vector<uint8_t> px, lb;
  tiny_mnist_split(100, 2, px, lb);
  return mnist_images(100, px);
}
std::vector<uint8_t> empty_file() { return {}; }

class LaqTrainBrokenData : public ::testing::TestWithParam<BrokenData> {};

TEST_P(LaqTrainBrokenData, ExitOneNamingTheFile) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  write_tiny_mnist(tmp / "data");
  write_raw(tmp / "data" / GetParam().file, GetParam().bytes());
  const RunResult r = run_laq(tmp.path(), {"train", "--data", (tmp / "data").string(), "--out", (tmp / "out").string(),
                                           "--epochs", "1", "--val-size", "100", "--quiet", "--threads", "1"});
  EXPECT_EQ(r.code, 1) << r.describe();
  const auto lines = r.err_lines();
  ASSERT_EQ(lines.size(), 1u) << r.describe();
  EXPECT_EQ(lines[0].rfind("laq train: error: ", 0), 0u) << r.describe();
  EXPECT_NE(lines[0].find(GetParam().file), std::string::npos) << "stderr does not name " << GetParam().file << "\n"
                                                               << r.describe();
  EXPECT_FALSE(fs::exists(tmp / "out" / "results.jsonl"));
}

INSTANTIATE_TEST_SUITE_P(
    Cases, LaqTrainBrokenData,
    ::testing::Values(BrokenData{"TruncatedTrainImages", "train-images-idx3-ubyte", truncated_images},
                      BrokenData{"TestLabelsBadMagic", "t10k-labels-idx1-ubyte", labels_bad_magic},
                      BrokenData{"TestLabelsWrongShape", "t10k-labels-idx1-ubyte", labels_as_images},
                      BrokenData{"EmptyTrainLabels", "train-labels-idx1-ubyte", empty_file}),
    [](const ::testing::TestParamInfo<BrokenData>& info) { return info.param.name; });

TEST(LaqTrainCli, MissingDataFileExitsOneNamingIt) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  write_tiny_mnist(tmp / "data");
  fs::remove(tmp / "data" / "t10k-images-idx3-ubyte");
  const RunResult r = run_laq(tmp.path(), {"train", "--data", (tmp / "data").string(), "--out", (tmp / "out").string(),
                                           "--epochs", "1", "--val-size", "100", "--quiet"});
  EXPECT_EQ(r.code, 1) << r.describe();
  EXPECT_NE(r.err.find("t10k-images-idx3-ubyte"), std::string::npos) << r.describe();
}

// A whole (tiny) run: exit 0, a result line on stdout, results.jsonl ending in a result
// record and a checkpoint holding every parameter.
TEST(LaqTrainCli, TinyRunWritesResultsAndCheckpoint) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  write_tiny_mnist(tmp / "data");
  const fs::path out = tmp / "out";
  const RunResult r = run_laq(tmp.path(), {"train", "--data", (tmp / "data").string(), "--out", out.string(),
                                           "--epochs", "2", "--batch", "20", "--val-size", "100", "--quiet",
                                           "--threads", "1"});
  ASSERT_EQ(r.code, 0) << r.describe();
  EXPECT_NE(r.out.find("result: best epoch"), std::string::npos) << r.describe();
  ASSERT_TRUE(fs::exists(out / "results.jsonl"));
  ASSERT_TRUE(fs::exists(out / "checkpoint.h5"));
  const std::string last = last_json_line(out / "results.jsonl");
  EXPECT_EQ(json_field(last, "type"), "\"result\"") << last;
  EXPECT_FALSE(json_field(last, "best_epoch").empty()) << last;
  EXPECT_FALSE(json_field(last, "best_val_error").empty()) << last;
  EXPECT_FALSE(json_field(last, "test_error_at_best_val").empty()) << last;
  // The blocks are trivially separable: two epochs must beat chance (90% error) by far.
  EXPECT_LT(std::stod(json_field(last, "test_error_at_best_val")), 50.0) << last;
}

// A resumed run takes its configuration from the checkpoint, except the thread count: it
// may continue on another machine. Other flags are refused, not silently ignored.
TEST(LaqTrainCli, ResumeTakesANewThreadCountAndRefusesOtherFlags) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  write_tiny_mnist(tmp / "data");
  const fs::path out = tmp / "out";
  RunResult r = run_laq(tmp.path(), {"train", "--data", (tmp / "data").string(), "--out", out.string(), "--epochs",
                                     "1", "--batch", "20", "--val-size", "100", "--quiet", "--threads", "2",
                                     "--checkpoint-every", "2", "--stop-after-steps", "3"});
  ASSERT_EQ(r.code, 3) << r.describe();
  const std::string checkpoint = (out / "checkpoint.h5").string();
  r = run_laq(tmp.path(), {"train", "--resume", checkpoint, "--threads", "1", "--quiet", "--stop-after-steps", "4"});
  EXPECT_EQ(r.code, 3) << r.describe();
  EXPECT_NE(r.out.find(", 1 threads ->"), std::string::npos) << r.describe();
  r = run_laq(tmp.path(), {"train", "--resume", checkpoint, "--epochs", "5"});
  EXPECT_EQ(r.code, 2) << r.describe();
  EXPECT_NE(r.err.find("--epochs"), std::string::npos) << r.describe();
}

}  // namespace
}  // namespace laq::test
