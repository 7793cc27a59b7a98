#include "train/run_folder.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "train/json_reader.h"
#include "train/report.h"

namespace laq::train {
namespace fs = std::filesystem;

namespace {

std::string errno_text() { return std::strerror(errno); }

// The epoch number of one of our epoch lines, or 0.
int64_t epoch_of_line(const std::string& line) {
  try {
    const FlatJson f = parse_json_line(line);
    const auto it = f.find("epoch");
    return it != f.end() && it->second.kind == JsonValue::number ? static_cast<int64_t>(it->second.num) : 0;
  } catch (const Error&) {
    return 0;
  }
}

void cut_torn_last_line(const fs::path& file) {
  std::error_code ec;
  const auto size = fs::file_size(file, ec);
  if (ec || size == 0) return;
  std::ifstream in(file, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (text.empty() || text.back() == '\n') return;
  const size_t keep = text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1;
  fs::resize_file(file, keep, ec);
  if (ec) throw Error("cannot repair the torn last line of " + file.string() + ": " + ec.message());
}

void append_line(const fs::path& file, const std::string& line) {
  std::ofstream out(file, std::ios::app | std::ios::binary);
  out << line << "\n";
  out.flush();
  if (!out) throw Error("cannot append to " + file.string());
}

}  // namespace

RunFolderLock RunFolderLock::take(const fs::path& dir) {
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec))
    throw Error(dir.string() + " is a file, expected a run folder");
  fs::create_directories(dir, ec);
  if (ec) throw Error("cannot create the run folder " + dir.string() + ": " + ec.message());
  const fs::path lock = dir / kRunLockFile;
  const int fd = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw Error("cannot open the lock file " + lock.string() + ": " + errno_text());
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK)
      throw RunFolderBusy(dir.string() + " is in use by another laq train (it holds " + lock.string() +
                          "); wait for it to end, or choose another --out");
    throw Error("cannot lock " + lock.string() + ": " + std::strerror(err));
  }
  return RunFolderLock(fd);
}

RunFolderLock::~RunFolderLock() {
  if (fd_ >= 0) ::close(fd_);  // closing drops the flock
}

std::vector<std::string> run_files_in(const fs::path& dir) {
  std::vector<std::string> found;
  for (const char* name : {"results.jsonl", "checkpoint.h5", "best.h5"}) {
    std::error_code ec;
    if (fs::exists(fs::symlink_status(dir / name, ec))) found.push_back(name);
  }
  return found;
}

void require_no_run(const fs::path& dir) {
  const std::vector<std::string> found = run_files_in(dir);
  if (found.empty()) return;
  std::string list;
  for (const std::string& f : found) list += (list.empty() ? "" : ", ") + f;
  throw RunFolderTaken("--out " + dir.string() + " already holds a run (" + list +
                       "); continue it with --resume " + (dir / "checkpoint.h5").string() +
                       ", or choose another --out");
}

bool results_finished(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_regular_file(dir / "results.jsonl", ec)) return false;
  std::vector<std::string> skipped;
  const std::vector<RunRecord> runs = read_results_file(dir / "results.jsonl", &skipped);
  return !runs.empty() && runs.back().finished;
}

void copy_checkpoint_to_best(const fs::path& dir, const std::function<void()>& fault) {
  const fs::path partial = dir / "best.h5.partial";
  std::error_code ec;
  fs::copy_file(dir / "checkpoint.h5", partial, fs::copy_options::overwrite_existing, ec);
  if (ec) {
    fs::remove(partial, ec);
    throw Error("cannot copy " + (dir / "checkpoint.h5").string() + " to " + partial.string() + ": " +
                std::error_code(ec).message());
  }
  if (fault) fault();
  fs::rename(partial, dir / "best.h5", ec);
  if (ec) {
    const std::string why = ec.message();
    fs::remove(partial, ec);
    throw Error("cannot rename " + partial.string() + " to " + (dir / "best.h5").string() + ": " + why);
  }
}

void repair_after_kill(const fs::path& dir, const Progress& progress) {
  std::error_code ec;
  for (const char* stray : {"checkpoint.h5.tmp", "best.h5.tmp", "best.h5.partial"}) fs::remove(dir / stray, ec);

  const fs::path results = dir / "results.jsonl";
  if (fs::is_regular_file(results, ec)) cut_torn_last_line(results);
  const int64_t owed = epoch_of_line(progress.last_epoch_line);
  if (owed > 0) {
    std::vector<std::string> skipped;
    std::vector<RunRecord> runs;
    if (fs::is_regular_file(results, ec)) runs = read_results_file(results, &skipped);
    const bool listed = !runs.empty() && !runs.back().finished && runs.back().last_epoch() >= owed;
    if (!listed) append_line(results, progress.last_epoch_line);
  }

  const bool checkpoint_is_best =
      progress.step_in_epoch == 0 && progress.best_epoch > 0 && progress.best_epoch == progress.epoch - 1;
  if (checkpoint_is_best) {
    bool best_matches = false;
    try {
      best_matches = fs::exists(dir / "best.h5", ec) && read_checkpoint_progress(dir / "best.h5").epoch == progress.epoch;
    } catch (const Error&) {
      best_matches = false;  // unreadable: rewritten below
    }
    if (!best_matches) copy_checkpoint_to_best(dir);
  }
}

}  // namespace laq::train
