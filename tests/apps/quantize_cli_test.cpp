// laq quantize, run as a user would: a hand-checked LAT-e example, and bad input files.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace {

struct CliRun {
  int code;
  std::string out;
};

CliRun run(const std::string& args) {
  const char* bin = std::getenv("LAQ_BIN");
  const std::string cmd = std::string(bin) + " quantize " + args + " 2>&1";
  CliRun r{0, ""};
  FILE* p = popen(cmd.c_str(), "r");
  std::array<char, 4096> buf{};
  while (size_t n = fread(buf.data(), 1, buf.size(), p)) r.out.append(buf.data(), n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string write(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / ("laq_quantize_cli_" + name);
  std::ofstream(path) << text;
  return path.string();
}

class QuantizeCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!std::getenv("LAQ_BIN")) GTEST_SKIP() << "LAQ_BIN not set (run through ctest)";
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
