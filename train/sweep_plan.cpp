#include "train/sweep_plan.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "engine/error.h"
#include "quant/method.h"
#include "train/experiment.h"
#include "train/experiments/preset.h"
#include "train/run_checks.h"

namespace laq::train {
namespace fs = std::filesystem;

namespace {

// The methods whose quantizer reads --bits (report.h: they alone split a row by bits).
bool takes_bits(const std::string& method) { return row_key(method, 3).bits != 0; }

std::string experiment_of(const std::string& dataset) {
  for (const auto& e : experiments())
    if (e.data_subdir == dataset) return e.name;
  throw Error("unknown dataset '" + dataset + "'");
}

}  // namespace

std::vector<std::string> table_datasets(const std::string& table) {
  std::vector<std::string> datasets;
  for (const auto& p : experiment_presets())
    if (p.table == table) datasets.push_back(p.dataset);
  if (datasets.empty()) throw Error("unknown table '" + table + "' (known: feedforward, lstm)");
  return datasets;
}

double step_seconds(const std::string& experiment) {
  const ExperimentPreset* p = find_experiment_preset(experiment);
  if (!p) throw Error("no step cost for experiment '" + experiment + "'");
  return p->step_seconds;
}

double method_step_factor(const std::string& method) {
  // 1 + the method's quantize stage (with its gradient stage) as a share of the fpn step of the
  // MNIST MLP at 2 threads (docs/performance.md, "3 December"), rounded up to a tenth. The MLP
  // has the most weights per FLOP of the presets, so this errs long for VGG and the LSTM: a
  // Slurm --time that is too long only queues longer, one that is too short kills the job.
  using quant::Method;
  switch (quant::parse_method(method)) {  // throws, listing the names
    case Method::fpn: return 1.0;
    case Method::bc: return 1.1;
    case Method::bwn: return 1.2;
    case Method::lab:
    case Method::twn:
    case Method::ttq: return 1.3;
    case Method::dorefa: return 1.5;
    case Method::lat_e: return 1.6;
    case Method::lat_a: return 1.8;
    case Method::lat2_e:
    case Method::laq_linear:
    case Method::laq_log: return 1.9;
    case Method::lat2_a: return 2.4;
  }
  throw Error("no step cost for method '" + method + "'");
}

double threads_step_factor(int64_t threads) {
  // One thread: the MLP's fpn step took 96 ms against 47 ms on two (laq bench, SkylakeX
  // kernels). Beyond two, nothing is assumed: the presets were timed on two cores.
  return threads == 1 ? 2.0 : 1.0;
}

int64_t full_steps_per_epoch(const std::string& experiment) {
  const ExperimentPreset* p = find_experiment_preset(experiment);
  if (!p) throw Error("no data size for experiment '" + experiment + "'");
  return p->full_steps_per_epoch;
}

std::vector<SweepCell> plan_sweep(const SweepRequest& r) {
  const std::vector<std::string> columns = table_datasets(r.table);
  std::vector<std::string> datasets = r.datasets.empty() ? columns : r.datasets;
  for (const auto& d : datasets) {
    bool in_table = false;
    for (const auto& c : columns) in_table = in_table || c == d;
    if (!in_table) throw Error("dataset '" + d + "' is not a column of the " + r.table + " table");
  }
  std::vector<RowKey> methods = r.methods.empty() ? paper_rows() : r.methods;
  for (const auto& m : methods) quant::parse_method(m.method);  // throws, listing the names
  // Every requested width must suit every selected m-bit method, and some method must take it.
  for (int64_t b : r.bits) {
    bool used = false;
    for (const auto& m : methods)
      if (takes_bits(m.method)) {
        used = true;
        const std::string why = quant::bits_problem(quant::parse_method(m.method), b);
        if (!why.empty()) throw OptionError("bits", std::to_string(b), why);
      }
    if (!used)
      throw OptionError("bits", std::to_string(b), "none of the selected methods takes a bit width (" + quant::methods_with_bits() + " do)");
  }
  bool val_size_used = false;
  for (const auto& d : datasets) val_size_used = val_size_used || experiment_takes_val_size(experiment_of(d));
  if (r.val_size > 0 && !val_size_used)
    throw OptionError("val-size", std::to_string(r.val_size),
                      "none of the selected datasets cuts its validation set from its training file");
  if (r.seeds < 1) throw Error("seeds must be at least 1");

  // Rows by bits: each m-bit method once per requested width, others once.
  std::vector<RowKey> rows;
  for (const auto& m : methods) {
    if (!takes_bits(m.method) || r.bits.empty()) {
      rows.push_back(row_key(m.method, m.bits == 0 ? 3 : m.bits));
      continue;
    }
    for (int64_t b : r.bits) rows.push_back(row_key(m.method, b));
  }

  std::vector<SweepCell> cells;
  for (const auto& dataset : datasets) {
    const std::string experiment = experiment_of(dataset);
    const ExperimentDefaults& preset = train::experiment(experiment);
    for (const auto& row : rows)
      for (int64_t seed = 1; seed <= r.seeds; ++seed) {
        SweepCell c;
        c.experiment = experiment;
        c.method = row.method;
        c.bits = row.bits;
        c.seed = seed;
        // append(), not "literal" + string: GCC 12 warns falsely (-Wrestrict) on the latter.
        c.name.append(experiment).append("-").append(row.method);
        if (row.bits) c.name.append("-").append(std::to_string(row.bits)).append("bit");
        c.name.append("-seed").append(std::to_string(seed));
        c.dir = r.out / c.name;
        c.epochs = r.epochs > 0 ? r.epochs : preset.epochs;
        int64_t steps = full_steps_per_epoch(experiment);
        if (r.train_size > 0) steps = std::min(steps, r.train_size / preset.batch);
        if (r.steps_per_epoch > 0) steps = std::min(steps, r.steps_per_epoch);
        c.steps_per_epoch = steps;
        c.estimated_seconds = double(c.epochs * steps) * step_seconds(experiment) *
                              method_step_factor(row.method) * threads_step_factor(r.threads);

        auto& a = c.fresh_args;
        a = {"train", "--experiment", experiment, "--method", row.method, "--seed", std::to_string(seed)};
        if (row.bits) a.insert(a.end(), {"--bits", std::to_string(row.bits)});
        if (r.epochs > 0) a.insert(a.end(), {"--epochs", std::to_string(r.epochs)});
        if (r.train_size > 0) a.insert(a.end(), {"--train-size", std::to_string(r.train_size)});
        // Only where it applies: laq train refuses it for a data set with its own split.
        if (r.val_size > 0 && experiment_takes_val_size(experiment))
          a.insert(a.end(), {"--val-size", std::to_string(r.val_size)});
        if (r.steps_per_epoch > 0) a.insert(a.end(), {"--steps-per-epoch", std::to_string(r.steps_per_epoch)});
        if (r.checkpoint_every > 0) a.insert(a.end(), {"--checkpoint-every", std::to_string(r.checkpoint_every)});
        if (!r.data_root.empty()) a.insert(a.end(), {"--data", (r.data_root / dataset).string()});
        a.insert(a.end(), r.train_args.begin(), r.train_args.end());
        c.resume_args = {"train", "--resume", (c.dir / "checkpoint.h5").string()};
        for (auto* args : {&c.fresh_args, &c.resume_args}) {
          if (r.threads > 0) args->insert(args->end(), {"--threads", std::to_string(r.threads)});
          args->push_back("--quiet");
        }
        c.fresh_args.insert(c.fresh_args.end(), {"--out", c.dir.string()});
        cells.push_back(std::move(c));
      }
  }
  return cells;
}

CellState cell_state(const SweepCell& cell) {
  std::ifstream results(cell.dir / "results.jsonl");
  for (std::string line; std::getline(results, line);)
    if (line.find("\"type\": \"result\"") != std::string::npos) return CellState::done;
  std::error_code ec;
  if (fs::exists(cell.dir / "checkpoint.h5", ec)) return CellState::resumable;
  return CellState::fresh;
}

const char* to_string(CellState state) {
  switch (state) {
    case CellState::done: return "done";
    case CellState::resumable: return "resume";
    case CellState::fresh: return "new";
  }
  return "?";
}

std::string format_duration(double seconds) {
  const int64_t s = std::llround(seconds);
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%lldh %02lldm", (long long)(s / 3600), (long long)(s / 60 % 60));
  else if (s >= 60) std::snprintf(buf, sizeof buf, "%lldm %02llds", (long long)(s / 60), (long long)(s % 60));
  else std::snprintf(buf, sizeof buf, "%llds", (long long)s);
  return buf;
}

namespace {

std::string shell_word(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=,:+") ==
                        std::string::npos)
    return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace

std::string slurm_script(const SlurmJob& job, const std::vector<std::string>& laq_args) {
  const int64_t minutes = std::max<int64_t>(1, job.minutes);
  char limit[48];
  if (minutes >= 24 * 60)
    std::snprintf(limit, sizeof limit, "%lld-%02lld:%02lld:00", (long long)(minutes / 1440),
                  (long long)(minutes % 1440 / 60), (long long)(minutes % 60));
  else
    std::snprintf(limit, sizeof limit, "%lld:%02lld:00", (long long)(minutes / 60), (long long)(minutes % 60));
  std::ostringstream s;
  s << "#!/bin/bash\n";
  if (job.array)
    s << "# Written by `laq table --emit-slurm --slurm-array`: the same sweep as a job array, one cell per\n"
      << "# array task (task N runs cell N of the plan, `laq table --dry-run` order). A finished cell\n"
      << "# is skipped and an interrupted one resumes from its checkpoint, so resubmitting this\n"
      << "# script after a timeout or a failure continues where the array stopped. See docs/cluster.md.\n";
  else
    s << "# Written by `laq table --emit-slurm`: the same sweep as one MPI job. Rank 0 hands the cells to\n"
      << "# the ranks as they free up; every cell is a `laq train` run with its own checkpoint, so\n"
      << "# resubmitting this script after a timeout or a failure continues where the job stopped\n"
      << "# (finished cells are skipped, interrupted ones resume). See docs/cluster.md.\n";
  s << "#SBATCH --job-name=" << job.name << "\n";
  if (!job.partition.empty()) s << "#SBATCH --partition=" << job.partition << "\n";
  if (!job.account.empty()) s << "#SBATCH --account=" << job.account << "\n";
  if (job.array) {
    s << "#SBATCH --array=1-" << job.cells;
    if (job.tasks < job.cells) s << "%" << job.tasks;
    s << "\n#SBATCH --ntasks=1\n";
  } else {
    s << "#SBATCH --ntasks=" << job.tasks << "\n";
  }
  s << "#SBATCH --cpus-per-task=" << job.cpus_per_task << "\n";
  if (!job.mem_per_cpu.empty()) s << "#SBATCH --mem-per-cpu=" << job.mem_per_cpu << "\n";
  s << "#SBATCH --time=" << limit << "\n"
    << "#SBATCH --output=" << (job.log_dir / (job.array ? "slurm-%A_%a.out" : "slurm-%j.out")).string() << "\n"
    << "set -euo pipefail\n";
  if (job.array) {
    s << "# One BLAS thread per core of the task; the cell runs in this batch step, no MPI.\n"
      << "export OPENBLAS_NUM_THREADS=$SLURM_CPUS_PER_TASK\n"
      << "export OMP_NUM_THREADS=$SLURM_CPUS_PER_TASK\n";
    for (size_t i = 0; i < laq_args.size(); ++i) s << (i ? " " : "") << shell_word(laq_args[i]);
    s << " --cell \"$SLURM_ARRAY_TASK_ID\"\n";
  } else {
    s << "# One BLAS thread per core of the task; ranks bound to their own cores, not one core each.\n"
      << "export OPENBLAS_NUM_THREADS=$SLURM_CPUS_PER_TASK\n"
      << "export OMP_NUM_THREADS=$SLURM_CPUS_PER_TASK\n"
      << "# Debian's Open MPI joins a job that srun starts only through PMIx (--mpi=pmix; with pmi2\n"
      << "# or none MPI_Init fails); srun does not pass the job's --cpus-per-task on to its tasks.\n"
      << "srun --mpi=pmix --cpus-per-task=$SLURM_CPUS_PER_TASK --cpu-bind=cores";
    for (const auto& a : laq_args) s << " " << shell_word(a);
    s << "\n";
  }
  return s.str();
}

int64_t slurm_minutes(const std::vector<double>& cell_seconds, int64_t tasks, bool array, double margin) {
  double busiest = 0;
  if (array) {
    for (double c : cell_seconds) busiest = std::max(busiest, c);
  } else {
    // The dispatcher hands the cells out in plan order to whichever rank frees up first.
    std::vector<double> load(size_t(std::max<int64_t>(1, tasks)), 0.0);
    for (double c : cell_seconds) *std::min_element(load.begin(), load.end()) += c;
    busiest = *std::max_element(load.begin(), load.end());
  }
  return std::max<int64_t>(1, std::llround(std::ceil(margin * busiest / 60.0)));
}

std::optional<int64_t> parse_slurm_time(const std::string& text) {
  // Slurm: "M", "M:S", "H:M:S", "D-H", "D-H:M", "D-H:M:S".
  std::string rest = text;
  int64_t days = -1;
  if (const size_t dash = rest.find('-'); dash != std::string::npos) {
    const std::string d = rest.substr(0, dash);
    if (d.empty() || d.find_first_not_of("0123456789") != std::string::npos || d.size() > 4) return std::nullopt;
    days = std::stoll(d);
    rest = rest.substr(dash + 1);
  }
  std::vector<int64_t> parts;
  std::istringstream in(rest);
  for (std::string p; std::getline(in, p, ':');) {
    if (p.empty() || p.size() > 6 || p.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    parts.push_back(std::stoll(p));
  }
  if (rest.empty() || rest.back() == ':' || parts.empty() || parts.size() > 3) return std::nullopt;
  int64_t seconds = 0;
  if (days >= 0) {
    const int64_t h = parts[0], m = parts.size() > 1 ? parts[1] : 0, sec = parts.size() > 2 ? parts[2] : 0;
    seconds = ((days * 24 + h) * 60 + m) * 60 + sec;
  } else if (parts.size() == 1) {
    seconds = parts[0] * 60;
  } else if (parts.size() == 2) {
    seconds = parts[0] * 60 + parts[1];
  } else {
    seconds = (parts[0] * 60 + parts[1]) * 60 + parts[2];
  }
  if (seconds <= 0) return std::nullopt;
  return (seconds + 59) / 60;
}

bool is_slurm_memory(const std::string& text) {
  const size_t n = text.find_first_not_of("0123456789");
  const std::string number = text.substr(0, n), unit = n == std::string::npos ? "" : text.substr(n);
  if (number.empty() || number.size() > 12 || number.find_first_not_of('0') == std::string::npos) return false;
  return unit.empty() || unit == "K" || unit == "M" || unit == "G" || unit == "T";
}

bool is_slurm_name(const std::string& text, bool list) {
  if (text.empty() || text.front() == ',' || text.back() == ',') return false;
  const std::string allowed =
      std::string("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") + (list ? "," : "");
  return text.find_first_not_of(allowed) == std::string::npos && text.find(",,") == std::string::npos;
}

}  // namespace laq::train
