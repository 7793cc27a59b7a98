// Files laq reads and writes, under the conditions a real disk and a careless user produce:
// a full disk (RLIMIT_FSIZE in a forked child, EFBIG: a realistic stand-in that needs no
// root), a file another process holds, a missing folder, a folder or a symlink loop where a
// file was expected, a CSV with a byte-order mark, an output named like an input, and the
// run-folder lock (train/run_folder.h), including its release by a kill -9.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <H5Cpp.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <thread>
#include <vector>

#include "datasets/idx_fixtures.h"
#include "engine/error.h"
#include "train/checkpoint.h"
#include "train/hdf5_util.h"
#include "train/out_path.h"
#include "train/packed_model.h"
#include "train/report.h"
#include "train/run_folder.h"
#include "train/text_input.h"

namespace laq::test {
namespace {

constexpr const char* kFormat = "laq-test-file";

void write_test_file(const fs::path& path, size_t floats, float value) {
  train::hdf5::write_laq_file(path, "test file", kFormat, 1, [&](H5::H5File& file) {
    H5::Group root = file.openGroup("/");
    const std::vector<float> data(floats, value);
    train::hdf5::write_floats(root, "data", data, {});
  });
}

float first_value(const fs::path& path) {
  return train::hdf5::guard(path, "read test file", [&] {
    H5::H5File file = train::hdf5::open_laq_file(path, "test file", kFormat, 1);
    H5::DataSet ds = file.openDataSet("/data");
    std::vector<float> v(static_cast<size_t>(ds.getSpace().getSimpleExtentNpoints()));
    ds.read(v.data(), H5::PredType::NATIVE_FLOAT);
    return v.at(0);
  });
}

// Runs fn in a forked child; returns its exit status (a child killed by a signal fails).
int in_child(const std::function<int()>& fn) {
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    int code = 99;
    try {
      code = fn();
    } catch (...) {
      code = 98;
    }
    // HDF5's exit-time cleanup, as laq runs it, but not the rest of exit(): the engine pool's
    // destructor would wait for worker threads that exist only in the parent, forever, once an
    // earlier test in this process has started them (a whole-binary run, unlike ctest's).
    H5close();
    std::fflush(nullptr);
    _exit(code);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) return 1000 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

TEST(FileSafety, AFullDiskDuringAWriteIsOneErrorTheOldFileSurvivesAndNoTemporaryStays) {
  TempDir tmp;
  const fs::path file = tmp / "checkpoint.h5";
  write_test_file(file, 1000, 1.0f);
  // 8 MB of data against a 1 MB file-size limit: the write fails with EFBIG part way.
  const int code = in_child([&] {
    std::signal(SIGXFSZ, SIG_IGN);  // as laq's main does
    rlimit limit{1 << 20, 1 << 20};
    if (setrlimit(RLIMIT_FSIZE, &limit) != 0) return 10;
    try {
      write_test_file(file, 2'000'000, 2.0f);
    } catch (const Error& e) {
      const std::string msg = e.what();
      if (msg.find("cannot write test file " + file.string()) == std::string::npos) return 11;
      if (msg.find("file-size limit") == std::string::npos) return 12;
      if (msg.find('\n') != std::string::npos) return 13;
      return 0;
    }
    return 14;  // no error
  });
  EXPECT_EQ(code, 0) << "11/12/13: message, 14: no error, 1000+N: killed by signal N";
  EXPECT_FALSE(fs::exists(tmp / "checkpoint.h5.tmp"));
  EXPECT_EQ(first_value(file), 1.0f);
}

TEST(FileSafety, Hdf5ErrorsSayWhatToDo) {
  TempDir tmp;
  expect_error([&] { write_test_file(tmp / "no-such-folder" / "x.h5", 4, 1.0f); },
               {"cannot write test file", "does its folder exist"});
  fs::create_directories(tmp / "folder");
  expect_error([&] { write_test_file(tmp / "folder", 4, 1.0f); }, {"is a folder"});
  fs::create_symlink(tmp / "loop-a", tmp / "loop-b");
  fs::create_symlink(tmp / "loop-b", tmp / "loop-a");
  expect_error([&] { train::read_checkpoint_config(tmp / "loop-a"); }, {"symlink loop"});
  expect_error([&] { train::read_checkpoint_config(tmp / "folder"); }, {"is a folder, expected a file"});
}

// Held by another process: a file another laq is writing (its .tmp, locked), and an HDF5
// file another program has open for writing (HDF5's own lock, met when reading it).
TEST(FileSafety, AFileAnotherProcessHoldsIsReportedAsInUse) {
  TempDir tmp;
  const fs::path file = tmp / "x.h5", held_hdf5 = tmp / "held.h5";
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    const int fd = ::open((file.string() + ".tmp").c_str(), O_WRONLY | O_CREAT, 0644);
    if (fd < 0 || ::flock(fd, LOCK_EX) != 0) _exit(2);
    H5::H5File held(held_hdf5.string(), H5F_ACC_TRUNC);
    if (write(ready[1], "x", 1) != 1) _exit(2);
    pause();
    _exit(0);
  }
  char c;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  expect_error([&] { write_test_file(file, 4, 1.0f); }, {"cannot write test file", "in use by another process"});
  expect_error([&] { train::read_checkpoint_config(held_hdf5); }, {"in use by another process"});
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  close(ready[0]);
  close(ready[1]);
  // Once the other process is gone, both work.
  EXPECT_NO_THROW(write_test_file(file, 4, 1.0f));
  EXPECT_EQ(first_value(file), 1.0f);
}

TEST(FileSafety, TextInputsSayWhatIsWrongAndSkipAByteOrderMark) {
  TempDir tmp;
  expect_error([&] { train::open_text_input(tmp / "none.csv", "CSV file"); }, {"does not exist"});
  fs::create_directories(tmp / "dir.csv");
  expect_error([&] { train::open_text_input(tmp / "dir.csv", "CSV file"); }, {"is a folder, expected a file"});
  fs::create_symlink(tmp / "a.csv", tmp / "b.csv");
  fs::create_symlink(tmp / "b.csv", tmp / "a.csv");
  expect_error([&] { train::open_text_input(tmp / "a.csv", "CSV file"); }, {"a symlink loop"});
  std::string line = "\xEF\xBB\xBFtable,dataset";
  train::strip_utf8_bom(line);
  EXPECT_EQ(line, "table,dataset");
  line = "w,d";
  train::strip_utf8_bom(line);
  EXPECT_EQ(line, "w,d");
  // The paper numbers as a spreadsheet saves them: BOM and CRLF.
  {
    std::ofstream f(tmp / "paper.csv", std::ios::binary);
    f << "\xEF\xBB\xBFtable,dataset,method,bits,value,source\r\nfeedforward,mnist,lab,,1.180,Table 1\r\n";
  }
  const auto numbers = train::read_paper_numbers(tmp / "paper.csv");
  ASSERT_EQ(numbers.size(), 1u);
  EXPECT_EQ(numbers[0].value, "1.180");
}

TEST(FileSafety, AnOutputNeverReplacesAnInputOrAnotherCommandsFile) {
  TempDir tmp;
  const auto never = [](const fs::path&) { return false; };
  const auto always = [](const fs::path&) { return true; };
  {
    std::ofstream(tmp / "checkpoint.h5") << "x";
    std::ofstream(tmp / "notes.txt") << "x";
  }
  fs::create_hard_link(tmp / "notes.txt", tmp / "hard-link.h5");
  expect_error([&] { train::check_output_file(tmp / "checkpoint.h5", "--out", {tmp / "checkpoint.h5"}, always, "model"); },
               {"option '--out'", "is the input"});
  expect_error([&] { train::check_output_file(tmp / "hard-link.h5", "--out", {tmp / "notes.txt"}, always, "model"); },
               {"is the input"});
  for (const char* run_file : {"results.jsonl", "best.h5", "checkpoint.h5", ".laq-train.lock"})
    expect_error([&] { train::check_output_file(tmp / "." / run_file, "--out", {}, always, "model"); },
                 {"training run's"});
  expect_error([&] { train::check_output_file(tmp / "notes.txt", "--out", {}, never, "packed model"); },
               {"exists and is not a packed model"});
  expect_error([&] { train::check_output_file(tmp.path(), "--out", {}, always, "model"); }, {"is a folder"});
  expect_error([&] { train::check_output_file(tmp / "missing" / "m.h5", "--out", {}, always, "model"); },
               {"does not exist"});
  EXPECT_NO_THROW(train::check_output_file(tmp / "notes.txt", "--out", {}, always, "model"));
  EXPECT_NO_THROW(train::check_output_file(tmp / "new.h5", "--out", {tmp / "checkpoint.h5"}, never, "model"));
  EXPECT_FALSE(train::is_packed_model_file(tmp / "notes.txt"));
  EXPECT_FALSE(train::is_packed_model_file(tmp / "absent.h5"));
}

TEST(RunFolder, OneOwnerAtATimeAndTheLockDiesWithItsProcess) {
  TempDir tmp;
  const fs::path dir = tmp / "run";
  {
    train::RunFolderLock first = train::RunFolderLock::take(dir);
    EXPECT_THROW(train::RunFolderLock::take(dir), train::RunFolderBusy);
    expect_error([&] { train::RunFolderLock::take(dir); }, {"in use by another laq train"});
  }
  EXPECT_NO_THROW(train::RunFolderLock::take(dir));  // released with its owner

  // A process killed with SIGKILL holds no lock: the kernel drops it.
  int ready[2];
  ASSERT_EQ(pipe(ready), 0);
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    try {
      train::RunFolderLock held = train::RunFolderLock::take(dir);
      if (write(ready[1], "x", 1) != 1) _exit(2);
      pause();
    } catch (...) {
      _exit(3);
    }
    _exit(0);
  }
  char c;
  ASSERT_EQ(read(ready[0], &c, 1), 1);
  EXPECT_THROW(train::RunFolderLock::take(dir), train::RunFolderBusy);
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status));
  EXPECT_NO_THROW(train::RunFolderLock::take(dir));
  close(ready[0]);
  close(ready[1]);

  std::ofstream(tmp / "a-file") << "x";
  expect_error([&] { train::RunFolderLock::take(tmp / "a-file"); }, {"is a file, expected a run folder"});
}

TEST(RunFolder, ANewRunRefusesAFolderHoldingAnotherAndPointsToResume) {
  TempDir tmp;
  EXPECT_NO_THROW(train::require_no_run(tmp.path()));
  std::ofstream(tmp / "train.log") << "x";  // other files are no run
  EXPECT_NO_THROW(train::require_no_run(tmp.path()));
  for (const char* name : {"results.jsonl", "checkpoint.h5", "best.h5"}) {
    TempDir one;
    std::ofstream(one / name) << "x";
    expect_error([&] { train::require_no_run(one.path()); }, {"already holds a run", name, "--resume"});
    EXPECT_THROW(train::require_no_run(one.path()), train::RunFolderTaken);
  }
}

}  // namespace
}  // namespace laq::test
