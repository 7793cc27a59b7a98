// The checksum logic of tools/official_sources.sh (--verify), on a local file: the
// download itself cannot run here, but what decides "this file is the right one" can.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "idx_fixtures.h"

namespace laq::test {
namespace {

fs::path script() { return fs::path(__FILE__).parent_path().parent_path().parent_path() / "tools" / "official_sources.sh"; }

// Appends instead of "'" + s + "'": GCC 12 gives a false -Wrestrict on the latter (PR 105651).
std::string quoted(const fs::path& p) {
  std::string q(1, '\'');
  q.append(p.string());
  q.push_back('\'');
  return q;
}

int run(const std::string& args) {
  const std::string cmd = "bash " + quoted(script()) + " " + args + " >/dev/null 2>&1";
  const int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

TEST(OfficialSources, VerifyChecksSizeMd5Sha256AndGunzippedMd5) {
  if (!fs::is_regular_file(script()) || std::system("command -v bash md5sum sha256sum gzip >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "tools/official_sources.sh or bash/md5sum/sha256sum/gzip not available";
  TempDir dir;
  const auto f = dir / "hello.txt";
  write_raw(f, {'h', 'e', 'l', 'l', 'o', '\n'});
  const std::string q = quoted(f);
  const std::string md5 = "b1946ac92492d2347c6235b4d2611184";
  const std::string sha = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";
  EXPECT_EQ(run("--verify " + q + " --size 6 --md5 " + md5 + " --sha256 " + sha), 0);
  EXPECT_EQ(run("--verify " + q + " --md5 B1946AC92492D2347C6235B4D2611184"), 0);  // case-insensitive hex
  EXPECT_EQ(run("--verify " + q + " --size 7 --md5 " + md5), 1);
  EXPECT_EQ(run("--verify " + q + " --md5 b1946ac92492d2347c6235b4d2611185"), 1);
  EXPECT_EQ(run("--verify " + q + " --size 6 --sha256 " + sha.substr(0, 63) + "0"), 1);
  EXPECT_EQ(run("--verify " + quoted(dir / "missing") + " --size 6"), 1);
  EXPECT_NE(run("--verify " + q), 0);  // no expectation given is an error, not a pass
  // .gz: md5 of the inflated content.
  write_gz(dir / "hello.gz", {'h', 'e', 'l', 'l', 'o', '\n'});
  EXPECT_EQ(run("--verify " + quoted(dir / "hello.gz") + " --gunzip-md5 " + md5), 0);
  EXPECT_EQ(run("--verify " + quoted(dir / "hello.gz") + " --gunzip-md5 " + sha.substr(0, 32)), 1);
  EXPECT_EQ(run("--verify " + q + " --gunzip-md5 " + md5), 1);  // not gzip
  EXPECT_EQ(run(""), 0);                                        // printing the table works
}

}  // namespace
}  // namespace laq::test
