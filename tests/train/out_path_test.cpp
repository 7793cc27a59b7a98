// Names from data joined into an output folder stay inside it (issue 7, "output paths stay
// under --out").
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/error.h"
#include "train/out_path.h"

namespace laq {
namespace {

TEST(PathUnder, PlainNamesAreJoined) {
  EXPECT_EQ(train::path_under("/runs/out", "curves_mnist-mlp.dat", "x"), std::filesystem::path("/runs/out/curves_mnist-mlp.dat"));
  EXPECT_EQ(train::path_under("out", "..dat", "x"), std::filesystem::path("out/..dat"));
}

TEST(PathUnder, EscapingNamesAreRefusedNamingTheSource) {
  const std::vector<std::string> names = {"", ".", "..", "../x", "a/../../x", "/etc/passwd", "sub/file", std::string("a\0b", 3)};
  for (const std::string& name : names) {
    try {
      train::path_under("/runs/out", name, "experiment of results.jsonl");
      ADD_FAILURE() << "accepted '" << name << "'";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("experiment of results.jsonl"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("/runs/out"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace laq
