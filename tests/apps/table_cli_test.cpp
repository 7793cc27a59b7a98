// `laq table --report` end to end on fake results files: Markdown on stdout, table.md,
// table.csv and the gnuplot inputs in --out, the paper's numbers beside ours, exit codes
// 2 for bad flags, and a warning naming file and line for each broken results line (skipped).
#include <gtest/gtest.h>

#include <cstdlib>

#include "apps/laq_cli.h"
#include "train/results_fixtures.h"

namespace laq::test {
namespace {

const fs::path kPaper = fs::path(__FILE__).parent_path().parent_path().parent_path() / "docs" / "paper_numbers.csv";

void three_seeds(const fs::path& root) {
  for (int64_t s = 1; s <= 3; ++s) {
    FakeRun r;
    r.method = "lab";
    r.seed = s;
    r.val = {3.0, 2.0, 1.5};
    r.best_val = 1.5;
    r.best_epoch = 3;
    r.test_at_best = s == 1 ? 1.0 : s == 2 ? 1.2
                                           : 1.7;
    write_fake_run(root / ("lab-" + std::to_string(s)), r);
  }
  FakeRun u;
  u.method = "twn";
  u.epochs = 50;
  u.val = {5.0, 4.0};
  u.finished = false;
  write_fake_run(root / "twn", u);
}

TEST(TableCli, ReportWritesTheTablesAndPlotInputs) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  three_seeds(tmp / "runs");
  const RunResult r = run_laq(tmp.path(), {"table", "--report", "--runs", "runs", "--out", "out", "--paper", kPaper.string()});
  ASSERT_EQ(r.code, 0) << r.describe();
  EXPECT_NE(r.out.find("| lab | 1.30 ± 0.36 (3 seeds, 3 epochs) | 1.170 |"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("in progress: mnist-mlp twn, epoch 2 of 50"), std::string::npos) << r.out;
  EXPECT_EQ(slurp(tmp / "out/table.md"), r.out);
  const std::string csv = slurp(tmp / "out/table.csv");
  EXPECT_NE(csv.find("feedforward,mnist-mlp,mnist,lab,,,3,1.3,0.360555,1 2 3,3 3 3,1.170,"), std::string::npos) << csv;
  EXPECT_TRUE(fs::exists(tmp / "out/plots.gp"));
  EXPECT_TRUE(fs::exists(tmp / "out/curves_mnist-mlp.dat"));
  EXPECT_TRUE(fs::exists(tmp / "out/table_feedforward.dat"));
}

TEST(TableCli, WithoutGnuplotItStillWritesTheTables) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  three_seeds(tmp / "runs");
  const std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
  ::setenv("PATH", (tmp / "empty-bin").c_str(), 1);  // sh and laq are run by absolute path
  const RunResult r = run_laq(tmp.path(), {"table", "--report", "--runs", "runs", "--paper", kPaper.string()});
  ::setenv("PATH", path.c_str(), 1);
  ASSERT_EQ(r.code, 0) << r.describe();
  ASSERT_EQ(r.err_lines().size(), 1u) << r.describe();
  EXPECT_NE(r.err.find("gnuplot not found"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::exists(tmp / "runs/table.md"));  // --out defaults to the first --runs
  EXPECT_TRUE(fs::exists(tmp / "runs/table.csv"));
  EXPECT_TRUE(fs::exists(tmp / "runs/plots.gp"));
  EXPECT_FALSE(fs::exists(tmp / "runs/table.png"));
}

TEST(TableCli, BadFlagsAreUsageErrors) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  fs::create_directories(tmp / "runs");
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"table", "--report", "--runs", "runs", "--table", "cnn"},
        std::vector<std::string>{"table", "--report"},
        std::vector<std::string>{"table", "--report", "--runs", "missing"},
        std::vector<std::string>{"table", "--runs", "runs"}}) {
    const RunResult r = run_laq(tmp.path(), args);
    EXPECT_EQ(r.code, 2) << r.describe();
    EXPECT_EQ(r.err_lines().size(), 1u) << r.describe();
  }
}

// A malformed line is a warning naming file and line, and is skipped: the report still
// covers the good lines of every file.
TEST(TableCli, ABrokenResultsLineIsNamedAndSkipped) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  three_seeds(tmp / "runs");
  {
    std::ofstream f(tmp / "runs/lab-2/results.jsonl", std::ios::app);
    f << "{\"config\": oops}\n";
  }
  const RunResult r = run_laq(tmp.path(), {"table", "--report", "--runs", "runs", "--paper", kPaper.string()});
  EXPECT_EQ(r.code, 0) << r.describe();
  size_t warnings = 0;
  for (const std::string& line : r.err_lines())
    if (line.find("warning:") != std::string::npos) {
      ++warnings;
      EXPECT_NE(line.find("runs/lab-2/results.jsonl:5: malformed results line skipped"), std::string::npos) << line;
    }
  EXPECT_EQ(warnings, 1u) << r.describe();
  EXPECT_NE(r.out.find("(3 seeds"), std::string::npos) << r.out;
}

// Pathological lines of every kind: no signal, no abort; one warning per line.
TEST(TableCli, PathologicalResultsLinesNeverCrashTheReport) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  three_seeds(tmp / "runs");
  const std::vector<std::string> lines = {
      std::string(200000, '{'), std::string(200000, '['), R"({"a": "\u12"})", R"({"a": "\uD800"})",
      R"({"epoch": 1e999999})", std::string("{\"a\": \"\0\"}", 10), "{\"a\": \"\xc3\"}", R"([1, 2])",
      R"({"type": "epoch", "type": "epoch"})", R"({"config": {"experiment": "mnist-mlp", "method)"};
  {
    std::ofstream f(tmp / "runs/lab-1/results.jsonl", std::ios::app | std::ios::binary);
    for (const std::string& l : lines) f << l << "\n";
  }
  const RunResult r = run_laq(tmp.path(), {"table", "--report", "--runs", "runs", "--paper", kPaper.string()});
  EXPECT_EQ(r.code, 0) << r.describe();
  size_t warnings = 0;
  for (const std::string& line : r.err_lines()) warnings += line.find("malformed results line skipped") != std::string::npos;
  EXPECT_EQ(warnings, lines.size()) << r.describe();
}

// An experiment name is data: joined into a file name under --out, it must not lead out of it.
TEST(TableCli, AnExperimentNameCannotWriteOutsideOut) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  FakeRun r;
  r.experiment = "../../../escaped";
  r.val = {3.0, 2.0};
  r.best_val = 2.0;
  r.test_at_best = 2.5;
  r.best_epoch = 2;
  write_fake_run(tmp / "runs/evil", r);
  // With this folder present, "out/curves_../../../escaped.dat" resolves to a/b/escaped.dat.
  fs::create_directories(tmp / "a/b/out/curves_..");
  const RunResult res =
      run_laq(tmp / "a/b", {"table", "--report", "--runs", "../../runs", "--out", "out", "--paper", kPaper.string()});
  EXPECT_EQ(res.code, 1) << res.describe();
  EXPECT_NE(res.err.find("not a plain name"), std::string::npos) << res.err;
  EXPECT_FALSE(fs::exists(tmp / "a/b/escaped.dat"));
  for (const auto& e : fs::recursive_directory_iterator(tmp.path()))
    EXPECT_EQ(e.path().filename().string().find("escaped"), std::string::npos) << "written: " << e.path();
}

}  // namespace
}  // namespace laq::test
