// docs/walkthrough.md shows the output of `laq quantize ... --explain` in ```console blocks;
// each block is rerun here, from the repository root, and must match character for character.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "apps/laq_cli.h"

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

// Runs in a scratch folder with the example files' paths made absolute, so parallel tests
// never write into the repository.
std::string run(const std::string& command) {
  std::vector<std::string> argv;
  std::istringstream in(command);
  for (std::string a; in >> a;) argv.push_back(a.rfind("docs/", 0) == 0 ? (repo_root() / a).string() : a);
  const fs::path dir = fs::temp_directory_path() / "laq_walkthrough";
  fs::create_directories(dir);
  const laq::test::RunResult r = laq::test::run_laq(dir, argv);
  EXPECT_EQ(r.code, 0) << command << "\n"
                       << r.err;
  return r.out;
}

TEST(Walkthrough, EveryWorkedExampleIsWhatLaqPrints) {
  LAQ_REQUIRE_BIN();
  const auto all = examples(repo_root() / "docs" / "walkthrough.md");
  ASSERT_GE(all.size(), 8u) << "the walkthrough lost its worked examples";
  for (const Example& e : all) EXPECT_EQ(run(e.command), e.expected) << "$ laq " << e.command;
}

}  // namespace
