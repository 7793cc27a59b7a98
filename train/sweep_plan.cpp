#include "train/sweep_plan.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

#include "engine/error.h"
#include "quant/method.h"
#include "train/experiment.h"
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
  if (table == "feedforward") return {"mnist", "cifar10", "cifar100", "svhn"};
  if (table == "lstm") return {"warpeace", "linux", "ptb"};
  throw Error("unknown table '" + table + "' (known: feedforward, lstm)");
}

double step_seconds(const std::string& experiment) {
  // laq bench medians (docs/results.md, 2 threads, machine default kernels), rounded up.
  if (experiment == "mnist-mlp") return 0.045;        // 43 ms full precision; lat-e adds ~15 ms
  if (experiment == "cifar10-vgg") return 0.70;       // 674 ms at batch 50
  if (experiment == "cifar100-vgg") return 1.40;      // the same net at batch 100
  if (experiment == "svhn-vgg") return 0.20;          // half the widths: about a quarter of the work
  if (experiment.ends_with("-lstm")) return 0.40;     // 388 ms, 1x512, 100 steps, batch 100
  throw Error("no step cost for experiment '" + experiment + "'");
}

int64_t full_steps_per_epoch(const std::string& experiment) {
  if (experiment == "mnist-mlp") return 50000 / 100;
  if (experiment == "cifar10-vgg") return 45000 / 50;
  if (experiment == "cifar100-vgg") return 45000 / 100;
  if (experiment == "svhn-vgg") return 598388 / 50;   // train + extra - 6,000 validation
  // 100-character windows, batch 100: the training share of each corpus / 10,000 characters.
  if (experiment == "warpeace-lstm") return 3258000 * 8 / 10 / 10000;
  if (experiment == "linux-lstm") return 6206000 * 9 / 10 / 10000;
  if (experiment == "ptb-lstm") return 5101000 / 10000;
  throw Error("no data size for experiment '" + experiment + "'");
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
      throw OptionError("bits", std::to_string(b), "none of the selected methods takes a bit width (" +
                                                       quant::methods_with_bits() + " do)");
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
        c.estimated_seconds = double(c.epochs * steps) * step_seconds(experiment);

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
  if (fs::exists(cell.dir / "checkpoint.h5")) return CellState::resumable;
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

std::string slurm_script(const std::string& job_name, const std::vector<std::string>& laq_args, int64_t tasks,
                         int64_t cpus_per_task, double hours, const fs::path& log_dir) {
  const int64_t minutes = std::max<int64_t>(10, std::llround(std::ceil(hours * 60)));
  char limit[32];
  std::snprintf(limit, sizeof limit, "%lld:%02lld:00", (long long)(minutes / 60), (long long)(minutes % 60));
  std::ostringstream s;
  s << "#!/bin/bash\n"
    << "# Written by `laq table --emit-slurm`: the same sweep as one MPI job. Rank 0 hands the cells to\n"
    << "# the ranks as they free up; every cell is a `laq train` run with its own checkpoint, so\n"
    << "# resubmitting this script after a timeout or a failure continues where the job stopped\n"
    << "# (finished cells are skipped, interrupted ones resume). See docs/cluster.md.\n"
    << "#SBATCH --job-name=" << job_name << "\n"
    << "#SBATCH --ntasks=" << tasks << "\n"
    << "#SBATCH --cpus-per-task=" << cpus_per_task << "\n"
    << "#SBATCH --time=" << limit << "\n"
    << "#SBATCH --output=" << (log_dir / "slurm-%j.out").string() << "\n"
    << "set -euo pipefail\n"
    << "# One BLAS thread per core of the task; ranks bound to their own cores, not one core each.\n"
    << "export OPENBLAS_NUM_THREADS=$SLURM_CPUS_PER_TASK\n"
    << "export OMP_NUM_THREADS=$SLURM_CPUS_PER_TASK\n"
    << "srun --cpus-per-task=$SLURM_CPUS_PER_TASK --cpu-bind=cores";
  for (const auto& a : laq_args) s << " " << shell_word(a);
  s << "\n";
  return s.str();
}

}  // namespace laq::train
