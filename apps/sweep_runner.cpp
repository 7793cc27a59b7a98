#include "apps/sweep_runner.h"

#include <sys/types.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <deque>
#include <fstream>
#include <optional>
#include <thread>

#include "apps/child_process.h"
#include "engine/error.h"

namespace laq::apps {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// Messages: {kind, cell, value, milliseconds}.
enum Kind : int64_t { kReady = 1,
                      kDone = 2,
                      kRun = 3,
                      kStop = 4 };
// laq train's exit code for --stop-after-steps: stopped as if killed, resumable.
constexpr int kStopped = 3;
// Between polls, so that waiting ranks do not spin on a core a cell needs.
constexpr auto kPollInterval = std::chrono::milliseconds(20);

std::string now_text() {
  const std::time_t t = std::time(nullptr);
  char buf[16];
  std::strftime(buf, sizeof buf, "%H:%M:%S", std::localtime(&t));
  return buf;
}

std::string command_text(const std::vector<std::string>& args) {
  std::string s = "laq";
  for (const auto& a : args) s += " " + a;
  return s;
}

// Starts one cell as a child process; `resume` picks the resume command.
pid_t start_cell(const train::SweepCell& cell, bool resume, int rank) {
  std::error_code ec;
  fs::create_directories(cell.dir, ec);
  if (ec) throw Error("cannot create " + cell.dir.string() + ": " + ec.message());
  // A fresh start over the lines of an attempt killed before its first checkpoint would
  // mix two runs in one results file: keep them aside instead. (laq train would refuse the
  // folder otherwise: it holds a run's file.)
  if (!resume && fs::exists(cell.dir / "results.jsonl", ec)) {
    fs::rename(cell.dir / "results.jsonl", cell.dir / "results.jsonl.stale", ec);
    if (ec) throw Error("cannot set aside " + (cell.dir / "results.jsonl").string() + ": " + ec.message());
  }
  const auto& args = resume ? cell.resume_args : cell.fresh_args;
  {
    std::ofstream log(cell.dir / "train.log", std::ios::app);
    log << "== " << now_text() << " rank " << rank << ": " << command_text(args) << "\n";
  }
  return spawn_laq(args, cell.dir / "train.log");
}

struct CellRecord {
  std::string state = "pending";  // pending, running, done (earlier), finished, failed, stopped
  int exit_code = -1;
  double seconds = 0;
  int rank = -1;
  Clock::time_point started;
};

class Dispatcher {
 public:
  Dispatcher(const std::vector<train::SweepCell>& cells, const fs::path& status_file, train::Communicator& comm)
      : cells_(cells), status_(status_file), comm_(comm), records_(cells.size()) {}

  int run() {
    size_t done_before = 0;
    for (size_t i = 0; i < cells_.size(); ++i) {
      if (train::cell_state(cells_[i]) == train::CellState::done) {
        records_[i].state = "done (earlier)";
        ++done_before;
      } else {
        queue_.push_back(i);
      }
    }
    std::printf("laq table: %zu cells, %zu finished earlier, %zu to run on %d rank%s\n", cells_.size(), done_before,
                queue_.size(), comm_.size(), comm_.size() == 1 ? "" : "s");
    std::fflush(stdout);
    write_status();
    int workers = comm_.size() - 1;
    while (workers > 0 || own_ || !queue_.empty()) {
      bool busy = false;
      while (auto m = comm_.poll()) {
        busy = true;
        if (m->data.size() == 4 && m->data[0] == kDone) finish(size_t(m->data[1]), int(m->data[2]), m->data[3] / 1e3);
        if (queue_.empty()) {
          const int64_t stop[4] = {kStop, -1, 0, 0};
          comm_.send(m->from, stop);
          --workers;
        } else {
          const size_t i = next();
          const int64_t run[4] = {kRun, int64_t(i), 0, 0};
          comm_.send(m->from, run);
          started(i, m->from);
        }
      }
      if (own_) {
        if (auto code = child_exit_code(own_pid_, false)) {
          finish(*own_, *code, std::chrono::duration<double>(Clock::now() - records_[*own_].started).count());
          own_.reset();
          busy = true;
        }
      } else if (!queue_.empty()) {
        const size_t i = next();
        started(i, 0);
        try {
          own_pid_ = start_cell(cells_[i], train::cell_state(cells_[i]) == train::CellState::resumable, 0);
          own_ = i;
        } catch (const Error& e) {
          std::printf("[%s] %s: could not start: %s\n", now_text().c_str(), cells_[i].name.c_str(), e.what());
          finish(i, 127, 0);
        }
        busy = true;
      }
      if (!busy) std::this_thread::sleep_for(kPollInterval);
    }
    return summarise(done_before);
  }

 private:
  size_t next() {
    const size_t i = queue_.front();
    queue_.pop_front();
    return i;
  }

  void started(size_t i, int rank) {
    CellRecord& r = records_[i];
    r.state = "running";
    r.rank = rank;
    r.started = Clock::now();
    std::printf("[%s] %s: %s on rank %d\n", now_text().c_str(), cells_[i].name.c_str(),
                train::cell_state(cells_[i]) == train::CellState::resumable ? "resuming" : "starting", rank);
    std::fflush(stdout);
    write_status();
  }

  void finish(size_t i, int code, double seconds) {
    if (i >= records_.size()) throw Error("sweep: a rank reported cell " + std::to_string(i) + ", which is not planned");
    CellRecord& r = records_[i];
    r.exit_code = code;
    r.seconds = seconds;
    const bool finished = code == 0 && train::cell_state(cells_[i]) == train::CellState::done;
    r.state = finished ? "finished" : code == kStopped ? "stopped"
                                                       : "failed";
    if (finished)
      std::printf("[%s] %s: finished in %s\n", now_text().c_str(), cells_[i].name.c_str(),
                  train::format_duration(seconds).c_str());
    else
      std::printf("[%s] %s: %s (exit %d), see %s\n", now_text().c_str(), cells_[i].name.c_str(),
                  r.state == "stopped" ? "STOPPED" : "FAILED", code, (cells_[i].dir / "train.log").c_str());
    std::fflush(stdout);
    write_status();
  }

  void write_status() const {
    // Rewritten whole (temporary file, then rename), so a reader never sees half of it.
    const fs::path tmp = fs::path(status_).concat(".tmp");
    std::ofstream f(tmp);
    f << "cell\tstate\texit_code\tseconds\trank\tlog\n";
    for (size_t i = 0; i < cells_.size(); ++i) {
      const CellRecord& r = records_[i];
      f << cells_[i].name << "\t" << r.state << "\t";
      if (r.exit_code >= 0) f << r.exit_code;
      f << "\t";
      if (r.state != "pending" && r.state != "running" && r.state != "done (earlier)") f << r.seconds;
      f << "\t";
      if (r.rank >= 0) f << r.rank;
      f << "\t" << (cells_[i].dir / "train.log").string() << "\n";
    }
    f.close();
    if (!f) throw Error("cannot write " + tmp.string());
    std::error_code ec;
    fs::rename(tmp, status_, ec);
    if (ec) throw Error("cannot rename " + tmp.string() + " to " + status_.string() + ": " + ec.message());
  }

  int summarise(size_t done_before) const {
    size_t finished = 0;
    std::vector<size_t> failed;
    for (size_t i = 0; i < records_.size(); ++i) {
      if (records_[i].state == "finished") ++finished;
      else if (records_[i].state != "done (earlier)") failed.push_back(i);
    }
    std::printf("laq table: %zu finished now, %zu earlier, %zu not finished (status: %s)\n", finished, done_before,
                failed.size(), status_.c_str());
    for (size_t i : failed)
      std::printf("  %s: %s (exit %d), see %s\n", cells_[i].name.c_str(), records_[i].state.c_str(),
                  records_[i].exit_code, (cells_[i].dir / "train.log").c_str());
    std::fflush(stdout);
    return failed.empty() ? 0 : 1;
  }

  const std::vector<train::SweepCell>& cells_;
  fs::path status_;
  train::Communicator& comm_;
  std::vector<CellRecord> records_;
  std::deque<size_t> queue_;
  std::optional<size_t> own_;  // the cell rank 0 runs itself
  pid_t own_pid_ = -1;
};

// Ranks other than 0: ask for a cell, run it, report, until told to stop.
int work(const std::vector<train::SweepCell>& cells, train::Communicator& comm) {
  const int64_t ready[4] = {kReady, -1, 0, 0};
  comm.send(0, ready);
  for (;;) {
    std::optional<train::Message> m;
    while (!(m = comm.poll())) std::this_thread::sleep_for(kPollInterval);
    if (m->data.size() != 4 || m->data[0] == kStop) return 0;
    const size_t i = size_t(m->data[1]);
    if (i >= cells.size()) throw Error("sweep: rank 0 sent cell " + std::to_string(i) + ", which is not planned");
    const auto t0 = Clock::now();
    int code = 127;
    try {
      const bool resume = train::cell_state(cells[i]) == train::CellState::resumable;
      code = *child_exit_code(start_cell(cells[i], resume, comm.rank()), true);
    } catch (const Error& e) {
      std::fprintf(stderr, "laq table (rank %d): %s: %s\n", comm.rank(), cells[i].name.c_str(), e.what());
    }
    const int64_t ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0).count();
    const int64_t done[4] = {kDone, int64_t(i), code, ms};
    comm.send(0, done);
  }
}

}  // namespace

int run_sweep(const std::vector<train::SweepCell>& cells, const fs::path& status_file, train::Communicator& comm) {
  if (comm.rank() != 0) return work(cells, comm);
  std::error_code ec;
  fs::create_directories(status_file.parent_path(), ec);
  if (ec) throw Error("cannot create " + status_file.parent_path().string() + ": " + ec.message());
  return Dispatcher(cells, status_file, comm).run();
}

}  // namespace laq::apps
