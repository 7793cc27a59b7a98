// docs/walkthrough.md shows the output of `laq quantize ... --explain` in ```console blocks;
// each block is rerun here, from the repository root, and must match character for character.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

struct Example {
  std::string command;   // after "$ laq "
  std::string expected;  // the lines after the command
};

fs::path repo_root() { return fs::path(__FILE__).parent_path().parent_path().parent_path(); }

std::vector<Example> examples(const fs::path& doc) {
  std::ifstream in(doc);
  std::vector<Example> out;
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    if (!inside && line == "```console") {
      inside = true;
      out.push_back({});
    } else if (inside && line == "```") {
      inside = false;
    } else if (inside && out.back().command.empty()) {
      EXPECT_EQ(line.rfind("$ laq ", 0), 0u) << "a console block must start with '$ laq ': " << line;
      out.back().command = line.substr(6);
    } else if (inside) {
      out.back().expected += line + "\n";
    }
  }
  return out;
}

std::string run(const std::string& command) {
  const std::string cmd = "cd '" + repo_root().string() + "' && '" + std::getenv("LAQ_BIN") + "' " + command + " 2>&1";
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  std::array<char, 4096> buf{};
  while (size_t n = fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
  EXPECT_EQ(pclose(p), 0) << command;
  return out;
}

TEST(Walkthrough, EveryWorkedExampleIsWhatLaqPrints) {
  if (!std::getenv("LAQ_BIN")) GTEST_SKIP() << "LAQ_BIN not set (run through ctest)";
  const auto all = examples(repo_root() / "docs" / "walkthrough.md");
  ASSERT_GE(all.size(), 8u) << "the walkthrough lost its worked examples";
  for (const Example& e : all) EXPECT_EQ(run(e.command), e.expected) << "$ laq " << e.command;
}

}  // namespace
