#pragma once
// A run folder (laq train --out) belongs to one run and, while it trains, to one process.
//
//   ownership: `laq train` holds an flock on RUN/.laq-train.lock for its whole life. The
//     kernel drops the lock when the process ends, however it ends (kill -9 included), so
//     a lock is never stale; the file itself stays and means nothing on its own.
//   one run: a new run refuses a folder that already holds a run's files (results.jsonl,
//     checkpoint.h5, best.h5); `--resume RUN/checkpoint.h5` is the way to continue one.
//   crash repair: a resumed run first puts the folder back into the state an uninterrupted
//     run would have left at its checkpoint (repair_after_kill below).
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "engine/error.h"
#include "train/checkpoint.h"

namespace laq::train {

// Another process holds the folder's lock.
struct RunFolderBusy : Error {
  using Error::Error;
};
// A new run was pointed at a folder that holds another run.
struct RunFolderTaken : Error {
  using Error::Error;
};

inline constexpr const char* kRunLockFile = ".laq-train.lock";

class RunFolderLock {
 public:
  // Creates dir if needed and takes its lock without waiting: RunFolderBusy if another
  // process holds it, laq::Error if the folder cannot be created or the lock file opened.
  static RunFolderLock take(const std::filesystem::path& dir);
  RunFolderLock(RunFolderLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  RunFolderLock& operator=(RunFolderLock&&) = delete;
  ~RunFolderLock();

 private:
  explicit RunFolderLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// The run files present in dir (results.jsonl, checkpoint.h5, best.h5).
std::vector<std::string> run_files_in(const std::filesystem::path& dir);
// RunFolderTaken naming the files and pointing to --resume when dir holds a run.
void require_no_run(const std::filesystem::path& dir);
// Whether results.jsonl in dir ends with a finished run (its last run has a result line).
bool results_finished(const std::filesystem::path& dir);

// After a kill, with the lock held, before a resumed run continues from `progress` (read
// from dir/checkpoint.h5):
//  - removes the temporary files a killed write leaves (checkpoint.h5.tmp, best.h5.tmp,
//    best.h5.partial);
//  - cuts a torn last line off results.jsonl (a kill inside a write);
//  - appends the checkpoint's last epoch line when results.jsonl lacks it (the line is
//    written after the checkpoint, so a kill between the two loses it, never doubles it);
//  - rewrites best.h5 from checkpoint.h5 when the checkpoint is the end of the best epoch
//    and best.h5 holds another epoch (a kill between the checkpoint and best.h5).
void repair_after_kill(const std::filesystem::path& dir, const Progress& progress);

// Copies dir/checkpoint.h5 to dir/best.h5 through best.h5.partial and a rename, so a kill
// leaves the old best.h5 or the new one. `fault` (tests only) runs between copy and rename.
void copy_checkpoint_to_best(const std::filesystem::path& dir, const std::function<void()>& fault = {});

}  // namespace laq::train
