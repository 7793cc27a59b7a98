// Nothing lost, nothing mixed (issue 17): the real laq binary against reused, shared,
// finished and killed run folders, outputs named like inputs, a full disk, and bad
// optimizer values. Crash windows are hit exactly with the test-only LAQ_TEST_KILL_AT hook
// (docs/robustness.md): the child is killed with SIGKILL between two writes of an epoch's
// end, then resumed, and its files must match an uninterrupted run's.
#include <H5Cpp.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <memory>
#include <sstream>

#include "apps/laq_cli.h"
#include "train/checkpoint.h"
#include "train/json_reader.h"
#include "train/packed_model.h"
#include "train/run_folder.h"

namespace laq::test {
namespace {

// A two-epoch run of two steps each: sgd without momentum keeps the checkpoint to the
// weights alone (about 40 MB for the mnist-mlp net).
std::vector<std::string> tiny_train(const fs::path& data, const fs::path& out, int64_t epochs = 2) {
  return {"train", "--data", data.string(), "--out", out.string(), "--epochs", std::to_string(epochs), "--batch", "20",
          "--val-size", "100", "--steps-per-epoch", "2", "--optimizer", "sgd", "--quiet", "--threads", "1"};
}

// Stopped (as if killed, nothing saved) at step 1 of epoch 2: checkpoint.h5 is epoch 1's
// end, best.h5 its copy, results.jsonl its line.
std::vector<std::string> stopped_at_step_3(const fs::path& data, const fs::path& out) {
  auto args = tiny_train(data, out);
  args.insert(args.end(), {"--checkpoint-every", "1", "--stop-after-steps", "3"});
  return args;
}

std::vector<std::string> lines_of(const fs::path& p) {
  std::istringstream s(slurp(p));
  std::vector<std::string> out;
  for (std::string l; std::getline(s, l);) out.push_back(l);
  return out;
}

// A results line without its wall-clock fields, for comparing two runs.
std::map<std::string, std::string> comparable(const std::string& line) {
  std::map<std::string, std::string> m;
  for (const auto& [k, v] : train::parse_json_line(line)) {
    if (k == "epoch_seconds" || k == "train_seconds" || k == "peak_rss_mb" || k.rfind("environment.", 0) == 0 || k == "config.out_dir")
      continue;
    m[k] = v.kind == train::JsonValue::number ? std::to_string(v.num) : v.str;
  }
  return m;
}

bool killed(const RunResult& r) { return r.code == -1 || r.code == 128 + 9; }

std::vector<std::string> strays(const fs::path& dir) {
  std::vector<std::string> found;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string n = e.path().filename().string();
    if (n.ends_with(".tmp") || n.ends_with(".partial")) found.push_back(n);
  }
  return found;
}

TEST(RunSafetyCli, ANewRunRefusesAFolderHoldingAnotherAndResumeOfAFinishedRunAppendsNothing) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  write_tiny_mnist(tmp / "data");
  const fs::path out = tmp / "out";
  RunResult r = run_laq(tmp.path(), tiny_train(tmp / "data", out));
  ASSERT_EQ(r.code, 0) << r.describe();
  const std::string before = slurp(out / "results.jsonl");
  const auto checkpoint_time = fs::last_write_time(out / "checkpoint.h5");

  r = run_laq(tmp.path(), tiny_train(tmp / "data", out));
  EXPECT_EQ(r.code, 2) << r.describe();
  ASSERT_EQ(r.err_lines().size(), 1u) << r.describe();
  EXPECT_NE(r.err.find("already holds a run"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--resume " + (out / "checkpoint.h5").string()), std::string::npos) << r.err;

  r = run_laq(tmp.path(), {"train", "--resume", (out / "checkpoint.h5").string(), "--quiet"});
  EXPECT_EQ(r.code, 0) << r.describe();
  EXPECT_NE(r.out.find("is finished"), std::string::npos) << r.describe();
  EXPECT_EQ(slurp(out / "results.jsonl"), before);
  EXPECT_EQ(fs::last_write_time(out / "checkpoint.h5"), checkpoint_time);
  // Its best.h5, when the best epoch was not the last (epoch 1 of 2 on this data), is refused
  // with the way out: resuming it here would append a second run to finished results.
  r = run_laq(tmp.path(), {"train", "--resume", (out / "best.h5").string(), "--quiet"});
  if (train::read_checkpoint_progress(out / "best.h5").epoch <= 2) {
    EXPECT_EQ(r.code, 2) << r.describe();
    EXPECT_NE(r.err.find("copy it into a new folder"), std::string::npos) << r.err;
  } else {
    EXPECT_EQ(r.code, 0) << r.describe();
  }
  EXPECT_EQ(slurp(out / "results.jsonl"), before);

  // --out naming a file, or a folder that cannot be made.
  std::ofstream(tmp / "a-file") << "x";
  r = run_laq(tmp.path(), tiny_train(tmp / "data", tmp / "a-file"));
  EXPECT_EQ(r.code, 2) << r.describe();
  EXPECT_NE(r.err.find("is a file"), std::string::npos) << r.err;
  r = run_laq(tmp.path(), tiny_train(tmp / "data", tmp / "a-file" / "run"));
  EXPECT_EQ(r.code, 1) << r.describe();
  ASSERT_EQ(r.err_lines().size(), 1u) << r.describe();
  EXPECT_NE(r.err.find("cannot create the run folder"), std::string::npos) << r.err;
}

// A folder another process trains in is refused with exit 1 (the flags are right; the
// folder is busy now). Held here by the test itself, then by a real second laq train.
TEST(RunSafetyCli, ASecondTrainOnTheSameOutIsRefused) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  write_tiny_mnist(tmp / "data");
  const fs::path out = tmp / "out";
  {
    const train::RunFolderLock held = train::RunFolderLock::take(out);
    const RunResult r = run_laq(tmp.path(), tiny_train(tmp / "data", out));
    EXPECT_EQ(r.code, 1) << r.describe();
    ASSERT_EQ(r.err_lines().size(), 1u) << r.describe();
    EXPECT_NE(r.err.find("in use by another laq train"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(out / "results.jsonl"));
  }
  // Two at once: exactly one runs; the other is refused (busy, or the folder holds a run
  // when the first one has already finished); the results file holds one run.
  std::string cmd = "cd " + shell_quote(tmp.path().string()) + " || exit 1; ";
  for (int i = 0; i < 2; ++i) {
    const std::string n = std::to_string(i);
    cmd += "{ " + shell_quote(laq_bin());
    for (const auto& a : tiny_train(tmp / "data", out)) cmd += " " + shell_quote(a);
    cmd += " >out" + n + " 2>err" + n + " </dev/null; echo $? >code" + n + "; } & ";
  }
  cmd += "wait";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::vector<int> codes;
  for (int i = 0; i < 2; ++i) codes.push_back(std::stoi(slurp(tmp / ("code" + std::to_string(i)))));
  std::sort(codes.begin(), codes.end());
  EXPECT_EQ(codes[0], 0) << slurp(tmp / "err0") << slurp(tmp / "err1");
  EXPECT_TRUE(codes[1] == 1 || codes[1] == 2) << codes[1];
  size_t results = 0;
  for (const std::string& l : lines_of(out / "results.jsonl")) results += l.find("\"type\": \"result\"") != std::string::npos;
  EXPECT_EQ(results, 1u);
}

struct KillPoint {
  std::string point;  // LAQ_TEST_KILL_AT's point
  int64_t epoch;
};

// The uninterrupted run every kill point is compared with: trained once for the suite.
class RunSafetyKill : public ::testing::TestWithParam<KillPoint> {
 public:
  static void SetUpTestSuite() {
    if (laq_bin().empty()) return;
    shared_ = std::make_unique<TempDir>();
    write_tiny_mnist(*shared_ / "data");
    reference_ = run_laq(shared_->path(), tiny_train(*shared_ / "data", *shared_ / "ref"));
  }
  static void TearDownTestSuite() { shared_.reset(); }

 protected:
  static inline std::unique_ptr<TempDir> shared_;
  static inline RunResult reference_;
};

// Killed at each point between the writes of an epoch's end, then resumed: every epoch is
// listed once with the numbers of an uninterrupted run, best.h5 holds the best epoch, and no
// temporary file stays.
TEST_P(RunSafetyKill, ResumeListsEachEpochOnceAndRepairsBest) {
  LAQ_REQUIRE_BIN();
  ASSERT_EQ(reference_.code, 0) << reference_.describe();
  TempDir tmp;
  const fs::path ref = *shared_ / "ref", out = tmp / "out", data = *shared_ / "data";

  const std::string kill = GetParam().point + ":" + std::to_string(GetParam().epoch);
  ASSERT_EQ(setenv("LAQ_TEST_KILL_AT", kill.c_str(), 1), 0);
  RunResult r = run_laq(tmp.path(), tiny_train(data, out));
  unsetenv("LAQ_TEST_KILL_AT");
  ASSERT_TRUE(killed(r)) << r.describe();
  r = run_laq(tmp.path(), {"train", "--resume", (out / "checkpoint.h5").string(), "--quiet"});
  ASSERT_EQ(r.code, 0) << r.describe();

  const auto want = lines_of(ref / "results.jsonl"), got = lines_of(out / "results.jsonl");
  ASSERT_EQ(got.size(), want.size()) << slurp(out / "results.jsonl");
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(comparable(got[i]), comparable(want[i])) << "line " << i + 1;
  const train::FlatJson result = train::parse_json_line(got.back());
  EXPECT_EQ(train::read_checkpoint_progress(out / "best.h5").epoch, static_cast<int64_t>(result.at("best_epoch").num) + 1);
  EXPECT_TRUE(strays(out).empty()) << strays(out).front();
}

INSTANTIATE_TEST_SUITE_P(EpochEnd, RunSafetyKill,
                         ::testing::Values(KillPoint{"checkpoint", 1}, KillPoint{"best-partial", 1},
                                           KillPoint{"best", 1}, KillPoint{"results-line", 1},
                                           KillPoint{"checkpoint", 2}),
                         [](const auto& info) {
                           std::string n = info.param.point + std::to_string(info.param.epoch);
                           n.erase(std::remove(n.begin(), n.end(), '-'), n.end());
                           return n;
                         });

// A run folder written before the lock and the checkpoint's last epoch line existed (no lock
// file, a checkpoint without last_epoch_line) resumes: simulated by removing both.
TEST(RunSafetyCli, AFolderFromBeforeTheLockStillResumes) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  write_tiny_mnist(tmp / "data");
  const fs::path out = tmp / "out";
  RunResult r = run_laq(tmp.path(), stopped_at_step_3(tmp / "data", out));
  ASSERT_EQ(r.code, 3) << r.describe();
  fs::remove(out / train::kRunLockFile);
  {
    H5::H5File file((out / "checkpoint.h5").string(), H5F_ACC_RDWR);
    file.openGroup("/progress").removeAttr("last_epoch_line");
  }
  ASSERT_TRUE(train::read_checkpoint_progress(out / "checkpoint.h5").last_epoch_line.empty());
  r = run_laq(tmp.path(), {"train", "--resume", (out / "checkpoint.h5").string(), "--quiet"});
  ASSERT_EQ(r.code, 0) << r.describe();
  EXPECT_EQ(lines_of(out / "results.jsonl").size(), 3u);
}

// Disk full while a checkpoint is written: one line, exit 1, no signal, the temporary file
// removed and the previous checkpoint intact. The file-size limit (ulimit -f, EFBIG) works
// without root; as root the test also fills a real 100 MB tmpfs (ENOSPC).
void expect_clean_disk_full(const fs::path& tmp, const fs::path& out, const std::string& launcher_prefix,
                            const std::string& reason) {
  const train::Progress before = train::read_checkpoint_progress(out / "checkpoint.h5");
  std::string cmd = "cd " + shell_quote(tmp.string()) + " && " + launcher_prefix + " " + shell_quote(laq_bin()) +
                    " train --resume " + shell_quote((out / "checkpoint.h5").string()) + " --quiet >dfo 2>dfe";
  const int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  const std::string err = slurp(tmp / "dfe");
  EXPECT_EQ(WEXITSTATUS(status), 1) << err;
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
  EXPECT_NE(err.find("cannot write checkpoint"), std::string::npos) << err;
  EXPECT_NE(err.find(reason), std::string::npos) << err;
  EXPECT_FALSE(fs::exists(out / "checkpoint.h5.tmp"));
  EXPECT_EQ(train::read_checkpoint_progress(out / "checkpoint.h5").global_step, before.global_step);
}

TEST(RunSafetyCli, AFullDiskDuringACheckpointExitsOneCleanly) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  write_tiny_mnist(tmp / "data");
  const fs::path out = tmp / "out";
  RunResult r = run_laq(tmp.path(), stopped_at_step_3(tmp / "data", out));
  ASSERT_EQ(r.code, 3) << r.describe();
  // 20000 blocks (10 MB in dash's 512-byte blocks, 20 MB in bash's) < the 40 MB checkpoint.
  expect_clean_disk_full(tmp.path(), out, "ulimit -f 20000 &&", "file-size limit");
}

TEST(RunSafetyCli, AFullTmpfsDuringACheckpointExitsOneCleaning) {
  LAQ_REQUIRE_BIN();
  if (geteuid() != 0) GTEST_SKIP() << "mounting a tmpfs needs root; the ulimit test covers the rest";
  TempDir tmp;
  write_tiny_mnist(tmp / "data");
  const fs::path disk = tmp / "disk";
  fs::create_directories(disk);
  if (mount("tmpfs", disk.c_str(), "tmpfs", 0, "size=100m") != 0) GTEST_SKIP() << "tmpfs mount refused";
  struct Unmount {
    fs::path p;
    ~Unmount() { umount2(p.c_str(), MNT_DETACH); }
  } unmount{disk};
  RunResult r = run_laq(tmp.path(), stopped_at_step_3(tmp / "data", tmp / "out"));
  ASSERT_EQ(r.code, 3) << r.describe();
  // The run moves onto the tmpfs without best.h5: the resume rewrites best.h5 (2 x 40 MB
  // fit in 100 MB), then the next checkpoint's temporary file does not fit.
  const fs::path out = disk / "out";
  fs::create_directories(out);
  fs::copy_file(tmp / "out" / "checkpoint.h5", out / "checkpoint.h5");
  fs::copy_file(tmp / "out" / "results.jsonl", out / "results.jsonl");
  expect_clean_disk_full(tmp.path(), out, "", "the disk is full");
}

TEST(RunSafetyCli, ExportNeverOverwritesACheckpointOrAnotherFile) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  write_tiny_mnist(tmp / "data");
  const fs::path out = tmp / "out";
  auto args = tiny_train(tmp / "data", out, 1);
  args.insert(args.end(), {"--method", "bc"});  // a quantized run: fpn has nothing to export
  RunResult r = run_laq(tmp.path(), args);
  ASSERT_EQ(r.code, 0) << r.describe();
  const std::string checkpoint = (out / "checkpoint.h5").string();
  std::ofstream(tmp / "notes.txt") << "mine";
  for (const fs::path& target : {out / "checkpoint.h5", out / "best.h5", out / "results.jsonl", tmp / "notes.txt",
                                 out / "." / "checkpoint.h5", tmp / "sub" / ".." / "out" / "best.h5"}) {
    r = run_laq(tmp.path(), {"export", "--checkpoint", checkpoint, "--out", target.string()});
    EXPECT_EQ(r.code, 2) << target << "\n"
                         << r.describe();
    EXPECT_EQ(r.err_lines().size(), 1u) << r.describe();
  }
  EXPECT_NO_THROW(train::read_checkpoint_progress(out / "checkpoint.h5"));
  EXPECT_NO_THROW(train::read_checkpoint_progress(out / "best.h5"));
  EXPECT_EQ(slurp(tmp / "notes.txt"), "mine");
  // Its own earlier export it replaces; a folder or a missing folder it refuses.
  for (int i = 0; i < 2; ++i) {
    r = run_laq(tmp.path(), {"export", "--checkpoint", (out / "best.h5").string()});
    EXPECT_EQ(r.code, 0) << r.describe();
  }
  EXPECT_TRUE(train::is_packed_model_file(out / "model.h5"));
  r = run_laq(tmp.path(), {"export", "--checkpoint", checkpoint, "--out", out.string()});
  EXPECT_EQ(r.code, 2) << r.describe();
  EXPECT_NE(r.err.find("is a folder"), std::string::npos) << r.err;
  r = run_laq(tmp.path(), {"export", "--checkpoint", out.string()});
  EXPECT_EQ(r.code, 1) << r.describe();
  EXPECT_NE(r.err.find("is a folder, expected a file"), std::string::npos) << r.err;
}

// A best.h5 that cannot be replaced (here a folder in its place) is one error line, exit 1.
TEST(RunSafetyCli, AFailingBestCopyIsAnErrorNotAnAbort) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  write_tiny_mnist(tmp / "data");
  const fs::path out = tmp / "out";
  RunResult r = run_laq(tmp.path(), stopped_at_step_3(tmp / "data", out));
  ASSERT_EQ(r.code, 3) << r.describe();
  fs::remove(out / "best.h5");
  fs::create_directories(out / "best.h5" / "in-the-way");
  r = run_laq(tmp.path(), {"train", "--resume", (out / "checkpoint.h5").string(), "--quiet"});
  EXPECT_EQ(r.code, 1) << r.describe();
  ASSERT_EQ(r.err_lines().size(), 1u) << r.describe();
  EXPECT_NE(r.err.find("best.h5"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out / "best.h5.partial"));
}

struct BadOptimizerValue {
  std::string flag, value;
};
class RunSafetyOptimizerValues : public ::testing::TestWithParam<BadOptimizerValue> {};

// --momentum nan used to pass the range check (NaN fails every comparison), leave the
// velocity unallocated and segfault in the first step.
TEST_P(RunSafetyOptimizerValues, AreRefusedWithExitTwoNamingTheFlag) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  write_tiny_mnist(tmp / "data");
  auto args = tiny_train(tmp / "data", tmp / "out");
  args.insert(args.end(), {"--" + GetParam().flag, GetParam().value});
  const RunResult r = run_laq(tmp.path(), args);
  EXPECT_EQ(r.code, 2) << r.describe();
  ASSERT_EQ(r.err_lines().size(), 1u) << r.describe();
  EXPECT_NE(r.err.find("--" + GetParam().flag), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(tmp / "out"));
}

INSTANTIATE_TEST_SUITE_P(NonFiniteOrOutOfRange, RunSafetyOptimizerValues,
                         ::testing::Values(BadOptimizerValue{"momentum", "nan"}, BadOptimizerValue{"momentum", "-nan"},
                                           BadOptimizerValue{"momentum", "inf"}, BadOptimizerValue{"momentum", "-0.5"},
                                           BadOptimizerValue{"momentum", "1"},
                                           BadOptimizerValue{"momentum", "0.99999999999"},
                                           BadOptimizerValue{"lr", "nan"}, BadOptimizerValue{"lr", "inf"},
                                           BadOptimizerValue{"lr-decay", "nan"}, BadOptimizerValue{"lr-decay", "inf"}),
                         [](const auto& info) {
                           std::string n = info.param.flag + "_" + info.param.value;
                           for (char& c : n)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return n + std::to_string(info.index);
                         });

TEST(RunSafetyCli, QuantizeReadsACsvWithAByteOrderMarkAndNamesAFolder) {
  LAQ_REQUIRE_BIN();
  TempDir tmp;
  {
    std::ofstream f(tmp / "w.csv", std::ios::binary);
    f << "\xEF\xBB\xBFw,d\r\n0.5,1\r\n-0.25,2\r\n";
  }
  RunResult r = run_laq(tmp.path(), {"quantize", "--method", "bwn", "--input", (tmp / "w.csv").string()});
  EXPECT_EQ(r.code, 0) << r.describe();
  fs::create_directories(tmp / "dir.csv");
  r = run_laq(tmp.path(), {"quantize", "--method", "bwn", "--input", (tmp / "dir.csv").string()});
  EXPECT_EQ(r.code, 1) << r.describe();
  EXPECT_NE(r.err.find("is a folder, expected a file"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace laq::test
