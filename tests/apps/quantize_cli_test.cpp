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

// NaN, inf and out-of-range numbers in either file are refused with the file and line and
// exit 1 (a bad input file is a runtime error), for every method: the solvers once printed
// nulls for them (dorefa an integer garbage value).
TEST_F(QuantizeCli, NonFiniteValuesNameTheFileAndLine) {
  const std::pair<const char*, const char*> cases[] = {
      {"w,d\n0.5,1\nnan,1\n", "is not finite"}, {"w,d\n0.5,1\n-inf,1\n", "is not finite"}, {"w,d\n0.5,1\n0.2,inf\n", "is not finite"}, {"w,d\n0.5,1\n0.2,NaN\n", "is not finite"}, {"w,d\n0.5,1\n1e39,1\n", "beyond the float range"}, {"w,d\n0.5,1\n0.2,1e400\n", "beyond the float range"}, {"w,d\n0.5,1\n0.2,-3\n", "must be positive"}};
  auto expect_refused = [](const char* method, const char* text, const char* message) {
    const CliRun r = run(std::string("--method ") + method + " --input " + write("bad.csv", text));
    EXPECT_EQ(r.code, 1) << method << " " << text << r.out;
    EXPECT_NE(r.out.find("bad.csv:3"), std::string::npos) << method << " " << text << r.out;
    EXPECT_NE(r.out.find(message), std::string::npos) << method << " " << text << r.out;
    EXPECT_EQ(r.out.find("\"values\""), std::string::npos) << r.out;
  };
  for (const auto& [text, message] : cases) expect_refused("lat-e", text, message);
  for (const char* method : {"lab", "lat-a", "lat2-a", "laq-log", "twn", "bc", "dorefa"})
    expect_refused(method, cases[0].first, cases[0].second);
  const auto in = write("ok.csv", "w,d\n0.5,1\n-0.2,1\n");
  const CliRun warm = run("--method lat-a --input " + in + " --warm " + write("warm.csv", "w\n1\nnan\n"));
  EXPECT_EQ(warm.code, 1) << warm.out;
  EXPECT_NE(warm.out.find("warm.csv:3"), std::string::npos) << warm.out;
}

TEST_F(QuantizeCli, EmptyInputIsRefusedAndTinyValuesAreKept) {
  const CliRun empty = run("--method lat-e --input " + write("empty.csv", ""));
  EXPECT_EQ(empty.code, 1) << empty.out;
  EXPECT_NE(empty.out.find("empty.csv:1"), std::string::npos) << empty.out;
  const CliRun header = run("--method lat-e --input " + write("header.csv", "w,d\n"));
  EXPECT_EQ(header.code, 1) << header.out;
  EXPECT_NE(header.out.find("no rows"), std::string::npos) << header.out;
  // Below the float range is not an error: 1e-50 reads as 0, 1e-40 as a denormal.
  const CliRun tiny = run("--method lat-e --input " + write("tiny.csv", "w,d\n1e-50,1\n1e-40,1\n-1e-40,1e-40\n"));
  EXPECT_EQ(tiny.code, 0) << tiny.out;
  EXPECT_NE(tiny.out.find("\"values\": [0, 9.99994610111476e-41, -9.99994610111476e-41]"), std::string::npos)
      << tiny.out;
}

}  // namespace
