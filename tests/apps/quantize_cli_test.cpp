// laq quantize, run as a user would: a hand-checked LAT-e example, and bad input files.
#include <gtest/gtest.h>

#include "apps/laq_cli.h"

namespace {

namespace fs = std::filesystem;
using laq::test::RunResult;

// One folder per test: ctest runs tests in parallel, and the runner writes its output files
// into the working folder.
fs::path workdir() {
  const fs::path d = fs::temp_directory_path() / ("laq_quantize_cli_" +
      std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
  fs::create_directories(d);
  return d;
}

// `laq quantize ARGS` in the work folder; stdout and stderr together, as a user reads them.
struct CliRun {
  int code;
  std::string out;
};

CliRun run(const std::string& args) {
  std::vector<std::string> argv{"quantize"};
  std::istringstream in(args);
  for (std::string a; in >> a;) argv.push_back(a);
  const RunResult r = laq::test::run_laq(workdir(), argv);
  return {r.code, r.out + r.err};
}

std::string write(const std::string& name, const std::string& text) {
  const fs::path path = workdir() / name;
  std::ofstream(path) << text;
  return path.string();
}

class QuantizeCli : public ::testing::Test {
 protected:
  void SetUp() override {
    LAQ_REQUIRE_BIN();
  }
};

TEST_F(QuantizeCli, LatExactWorkedExample) {
  // Sorted |w| = 0.9 (d 1), 0.7 (d 0.5), 0.4 (d 3), 0.2 (d 2), 0.05 (d 1): P^2/D is largest
  // for the top three, alpha = (0.9 + 0.35 + 1.2) / 4.5 = 0.5444.., threshold alpha/2.
  const auto in = write("lat.csv", "w,d\n0.9,1\n-0.2,2\n0.05,1\n-0.7,0.5\n0.4,3\n");
  const CliRun r = run("--method lat-e --input " + in + " --explain");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("chosen support j* = 3"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"scales\": [0.54444444"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"values\": [0.54444444"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(", 0, 0, -0.54444444"), std::string::npos) << r.out;
}

TEST_F(QuantizeCli, TwoScaleMethodsReportBothScales) {
  const auto in = write("two.csv", "w,d\n0.9,1\n-0.2,2\n0.05,1\n-0.7,0.5\n0.4,3\n");
  const CliRun r = run("--method lat2-e --input " + in);
  ASSERT_EQ(r.code, 0) << r.out;
  // Positive side {0.9, 0.4}: (0.9 + 1.2)/4 = 0.525; negative side {-0.7} alone: 0.7.
  EXPECT_NE(r.out.find("\"scales\": [0.52499997"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(", 0.69999998"), std::string::npos) << r.out;
}

TEST_F(QuantizeCli, BadInputNamesTheFileAndLine) {
  const CliRun header = run("--method lab --input " + write("h.csv", "weight,d\n1,1\n"));
  EXPECT_EQ(header.code, 1);
  EXPECT_NE(header.out.find("h.csv:1"), std::string::npos) << header.out;
  const CliRun number = run("--method lab --input " + write("n.csv", "w,d\n1,1\nx,2\n"));
  EXPECT_EQ(number.code, 1);
  EXPECT_NE(number.out.find("n.csv:3"), std::string::npos) << number.out;
  const CliRun curvature = run("--method lab --input " + write("c.csv", "w,d\n1,0\n"));
  EXPECT_EQ(curvature.code, 1);
  EXPECT_NE(curvature.out.find("must be positive"), std::string::npos) << curvature.out;
  const CliRun method = run("--method nope --input " + write("m.csv", "w,d\n1,1\n"));
  EXPECT_EQ(method.code, 2);
  EXPECT_NE(method.out.find("--method"), std::string::npos) << method.out;
}

}  // namespace
