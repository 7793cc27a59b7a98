#include "apps/cmd_sweep.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <system_error>
#include <utility>

#include "apps/commands.h"
#include "apps/sweep_runner.h"
#include "apps/table_files.h"
#include "apps/world.h"
#include "engine/error.h"
#include "train/run_checks.h"

namespace laq::apps {
namespace fs = std::filesystem;

namespace {

// `laq table` arguments that plan the same sweep (for the Slurm script), with absolute paths.
std::vector<std::string> sweep_args(const train::SweepRequest& r) {
  std::vector<std::string> a = {"table", "--table", r.table, "--out", fs::absolute(r.out).lexically_normal().string()};
  auto join = [](const auto& items, auto text) {
    std::string s;
    for (const auto& i : items) s.append(s.empty() ? "" : ",").append(text(i));
    return s;
  };
  if (!r.datasets.empty()) a.insert(a.end(), {"--datasets", join(r.datasets, [](const std::string& d) { return d; })});
  if (!r.methods.empty())
    a.insert(a.end(), {"--methods", join(r.methods, [](const train::RowKey& k) { return k.method; })});
  if (!r.bits.empty()) a.insert(a.end(), {"--bits", join(r.bits, [](int64_t b) { return std::to_string(b); })});
  a.insert(a.end(), {"--seeds", std::to_string(r.seeds)});
  const std::pair<const char*, int64_t> numbers[] = {{"--epochs", r.epochs}, {"--train-size", r.train_size}, {"--val-size", r.val_size}, {"--steps-per-epoch", r.steps_per_epoch}, {"--checkpoint-every", r.checkpoint_every}, {"--threads", r.threads}};
  for (const auto& [flag, value] : numbers)
    if (value > 0) a.insert(a.end(), {flag, std::to_string(value)});
  if (!r.data_root.empty()) a.insert(a.end(), {"--data-root", fs::absolute(r.data_root).lexically_normal().string()});
  for (const auto& t : r.train_args) a.push_back(std::string("--train-arg=").append(t));
  return a;
}

void print_plan(const std::vector<train::SweepCell>& cells, int64_t threads, int ranks) {
  double total = 0, longest = 0;
  std::printf("%-40s %-7s %9s %10s  %s\n", "cell", "state", "steps", "estimate", "command");
  for (const auto& c : cells) {
    const train::CellState state = train::cell_state(c);
    const double cost = state == train::CellState::done ? 0.0 : c.estimated_seconds;
    total += cost;
    longest = std::max(longest, cost);
    std::string cmd = "laq";
    for (const auto& a : state == train::CellState::resumable ? c.resume_args : c.fresh_args) cmd.append(" ").append(a);
    std::printf("%-40s %-7s %9lld %10s  %s\n", c.name.c_str(), train::to_string(state),
                (long long)(c.epochs * c.steps_per_epoch), train::format_duration(cost).c_str(), cmd.c_str());
  }
  std::printf(
      "%zu cells; estimated %s of training steps in all (%lld thread%s per cell, docs/results.md step times "
      "and each method's quantize stage; evaluation extra), about %s on %d rank%s\n",
      cells.size(), train::format_duration(total).c_str(), (long long)(threads > 0 ? threads : 2), threads == 1 ? "" : "s",
      train::format_duration(std::max(total / ranks, longest)).c_str(), ranks, ranks == 1 ? "" : "s");
}

void emit_slurm_script(train::SweepRequest& request, const std::vector<train::SweepCell>& cells,
                       const SlurmChoices& choices) {
  train::SlurmJob job;
  job.name = "laq-" + request.table;
  job.tasks = choices.tasks;
  job.array = choices.array;
  job.cells = int64_t(cells.size());
  job.cpus_per_task = request.threads > 0 ? request.threads : 2;
  if (request.threads == 0) request.threads = job.cpus_per_task;
  job.partition = choices.partition;
  job.account = choices.account;
  job.mem_per_cpu = choices.mem_per_cpu;
  std::vector<double> pending;  // seconds of each cell still to run
  for (const auto& c : cells)
    if (train::cell_state(c) != train::CellState::done)
      pending.push_back(choices.cell_minutes ? 60.0 * double(*choices.cell_minutes) : c.estimated_seconds);
  // A limit given by the user is taken as it is; the estimate, which assumes the documented
  // machine, gets 50% of room and at least 10 minutes (start-up, evaluation).
  if (choices.job_minutes) job.minutes = *choices.job_minutes;
  else if (choices.cell_minutes) job.minutes = train::slurm_minutes(pending, job.tasks, job.array, 1.0);
  else job.minutes = std::max<int64_t>(10, train::slurm_minutes(pending, job.tasks, job.array, 1.5));
  std::error_code ec;
  std::vector<std::string> args = sweep_args(request);
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  args.insert(args.begin(), ec ? std::string("laq") : self.string());
  // Slurm opens --output before the job starts, so its folder must exist already.
  job.log_dir = fs::absolute(request.out).lexically_normal();
  fs::create_directories(job.log_dir);
  write_file(choices.file, train::slurm_script(job, args));
  fs::permissions(choices.file, fs::perms::owner_exec | fs::perms::group_exec, fs::perm_options::add, ec);
  if (job.array)
    std::printf("laq table: wrote %s (%zu cells as a job array, %lld at a time x %lld cpus); submit with: sbatch %s\n",
                choices.file.c_str(), cells.size(), (long long)std::min<int64_t>(job.tasks, job.cells),
                (long long)job.cpus_per_task, choices.file.c_str());
  else
    std::printf("laq table: wrote %s (%zu cells, %lld tasks x %lld cpus); submit with: sbatch %s\n", choices.file.c_str(),
                cells.size(), (long long)job.tasks, (long long)job.cpus_per_task, choices.file.c_str());
}

}  // namespace

std::vector<std::string> split_list(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const auto& v : values) {
    std::istringstream s(v);
    for (std::string item; std::getline(s, item, ',');)
      if (!item.empty()) out.push_back(item);
  }
  return out;
}

int run_sweep_command(train::SweepRequest& request, bool dry_run, const SlurmChoices& slurm, int64_t only_cell) {
  std::vector<train::SweepCell> cells;
  try {
    cells = train::plan_sweep(request);
  } catch (const train::OptionError& e) {
    throw UsageError(e.what());
  } catch (const Error& e) {
    throw UsageError(std::string("cannot plan the sweep: ") + e.what());
  }
  if (only_cell > 0) {
    require(only_cell <= int64_t(cells.size()), "cell", only_cell,
            "the plan has " + std::to_string(cells.size()) + " cells (laq table --dry-run lists them in order)");
    require(launcher_ranks() == 1, "cell", only_cell,
            "runs one cell in one process, not under an MPI launcher of several ranks");
  }
  // Planning needs no other rank: under mpirun only rank 0 prints the plan or writes the script.
  if ((dry_run || !slurm.file.empty()) && launcher_rank() != 0) return 0;
  if (!slurm.file.empty()) {
    emit_slurm_script(request, cells, slurm);
    return 0;
  }
  if (dry_run) {
    print_plan(cells, request.threads, launcher_ranks());
    return 0;
  }
  train::Communicator& comm = world();
  if (only_cell > 0) {
    const train::SweepCell cell = cells[size_t(only_cell - 1)];
    return run_sweep({cell}, cell.dir / "cell-status.tsv", comm);
  }
  return run_sweep(cells, request.out / "sweep-status.tsv", comm);
}

// The Slurm flags: each is refused without --emit-slurm and checked the way sbatch would.
void validate_slurm(const po::variables_map& vm, SlurmChoices& slurm, const std::string& time,
                    const std::string& cell_time) {
  for (const char* flag : {"slurm-array", "slurm-partition", "slurm-account", "slurm-mem-per-cpu", "slurm-time",
                           "slurm-cell-time", "slurm-tasks"})
    if (vm.count(flag) && !vm[flag].defaulted() && slurm.file.empty())
      throw UsageError(std::string("option '--") + flag + "' belongs to --emit-slurm FILE");
  require(slurm.tasks >= 1, "slurm-tasks", slurm.tasks, "must be at least 1");
  if (vm.count("slurm-partition"))
    require(train::is_slurm_name(slurm.partition, true), "slurm-partition", slurm.partition,
            "expected a partition name (letters, digits, '_', '-', '.'; a list with ',')");
  if (vm.count("slurm-account"))
    require(train::is_slurm_name(slurm.account, false), "slurm-account", slurm.account,
            "expected an account name (letters, digits, '_', '-', '.')");
  if (vm.count("slurm-mem-per-cpu"))
    require(train::is_slurm_memory(slurm.mem_per_cpu), "slurm-mem-per-cpu", slurm.mem_per_cpu,
            "expected a size such as 500M or 4G (a positive number, then K, M, G or T; plain: megabytes)");
  if (vm.count("slurm-time") && vm.count("slurm-cell-time"))
    throw UsageError("options '--slurm-time' and '--slurm-cell-time' both set the time limit; give one");
  if (vm.count("slurm-time")) {
    slurm.job_minutes = train::parse_slurm_time(time);
    require(slurm.job_minutes.has_value(), "slurm-time", time, "expected a time limit such as 90, 4:00:00 or 2-12:00");
  }
  if (vm.count("slurm-cell-time")) {
    slurm.cell_minutes = train::parse_slurm_time(cell_time);
    require(slurm.cell_minutes.has_value(), "slurm-cell-time", cell_time,
            "expected a time limit such as 90, 4:00:00 or 2-12:00");
  }
}

}  // namespace laq::apps
