// laq table: runs a sweep over a table's cells (without --report; apps/sweep_runner.h), or,
// with --report, gathers the results.jsonl files under --runs into the paper's tables
// (Markdown on stdout, table.md and table.csv in --out), with the paper's numbers beside
// ours, and plots them with gnuplot (learning_curves.png, table.png; the .dat files and the
// plots.gp script are written even when gnuplot is missing).
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <set>
#include <sstream>

#include "apps/commands.h"
#include "apps/options.h"
#include "apps/sweep_runner.h"
#include "apps/world.h"
#include "engine/error.h"
#include "engine/threads.h"
#include "train/out_path.h"
#include "train/report.h"
#include "train/run_checks.h"
#include "train/sweep_plan.h"

namespace laq::apps {
namespace fs = std::filesystem;

namespace {

// Without throwing: a symlink loop or an unreadable parent is "not a folder" here.
bool is_folder(const fs::path& p) {
  std::error_code ec;
  return fs::is_directory(p, ec);
}

void write_file(const fs::path& p, const std::string& text) {
  std::error_code ec;
  if (fs::is_directory(p, ec)) throw Error("cannot write " + p.string() + ": it is a folder, expected a file");
  std::ofstream f(p, std::ios::binary);
  f << text;
  f.close();
  if (!f) throw Error("cannot write " + p.string());
}

// docs/paper_numbers.csv of the source tree the binary was built in (build/laq -> ../docs).
fs::path default_paper_file() {
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  for (fs::path dir = self.parent_path(); !dir.empty() && dir != dir.root_path(); dir = dir.parent_path()) {
    const fs::path p = dir / "docs" / "paper_numbers.csv";
    if (fs::is_regular_file(p, ec)) return p;
  }
  return {};
}

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (!path) return false;
  std::istringstream s(path);
  for (std::string dir; std::getline(s, dir, ':');)
    if (!dir.empty() && ::access((fs::path(dir) / program).c_str(), X_OK) == 0) return true;
  return false;
}

std::string gp_string(const std::string& s) {
  std::string q = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') q += '\\';
    q += c;
  }
  return q + "\"";
}

std::string metric_label(const std::string& metric, const char* which) {
  return metric == "error" ? std::string(which) + " error (%)" : std::string(which) + " cross-entropy (nats/char)";
}

// One color per paper row (and the extra rows after them), the same in both plots.
const char* color(size_t i) {
  static const char* c[] = {"#000000", "#e41a1c", "#377eb8", "#4daf4a", "#984ea3", "#ff7f00", "#a65628",
                            "#f781bf", "#999999", "#66c2a5", "#8da0cb", "#b8860b", "#1b9e77", "#d95f02",
                            "#7570b3", "#e7298a"};
  return c[i % 16];
}

// The epoch budgets of the finished runs among the cells; more than one means the panel would
// set runs of different budgets side by side, which the plots then say in every title.
std::set<int64_t> budgets_of(const std::vector<const train::CellSummary*>& cells) {
  std::set<int64_t> b;
  for (const auto* c : cells) b.insert(c->epochs.begin(), c->epochs.end());
  return b;
}
std::string budget_text(const std::set<int64_t>& b) {
  std::ostringstream s;
  for (int64_t e : b) s << (s.tellp() > 0 ? "/" : "") << e;
  s << " ep";
  return s.str();
}
const char* kMixedBudgets = " - MIXED EPOCH BUDGETS, NOT COMPARABLE";

// Writes curves_<experiment>.dat, table_<table>.dat and plots.gp into out; returns the
// number of panels of each plot.
std::pair<int, int> write_plot_files(const fs::path& out, const std::vector<train::ReportTable>& tables) {
  std::ostringstream curves, bars;
  int curve_panels = 0, bar_panels = 0;
  for (const auto& t : tables) {
    // Learning curves: one panel per dataset with any epoch lines.
    for (size_t c = 0; c < t.columns.size(); ++c) {
      std::vector<size_t> rows;
      int64_t max_epoch = 0;
      for (size_t r = 0; r < t.rows.size(); ++r)
        if (!t.rows[r].cells[c].curve.empty()) {
          rows.push_back(r);
          max_epoch = std::max(max_epoch, t.rows[r].cells[c].curve.back().epoch);
        }
      if (rows.empty()) continue;
      ++curve_panels;
      const std::string dat = "curves_" + t.columns[c].experiment + ".dat";
      std::ostringstream d;
      d << "# validation " << t.metric << " per epoch, mean over the runs of each method; ? = no value\n# epoch";
      for (size_t r : rows) d << "\t" << t.rows[r].label;
      d << "\n";
      for (int64_t e = 1; e <= max_epoch; ++e) {
        d << e;
        for (size_t r : rows) {
          std::string v = "?";
          for (const auto& p : t.rows[r].cells[c].curve)
            if (p.epoch == e) v = std::to_string(p.val);
          d << "\t" << v;
        }
        d << "\n";
      }
      write_file(train::path_under(out, dat, "experiment '" + t.columns[c].experiment + "' of a results file"), d.str());
      std::vector<const train::CellSummary*> shown;
      for (size_t r : rows) shown.push_back(&t.rows[r].cells[c]);
      const bool mixed = budgets_of(shown).size() > 1;
      curves << "set title "
             << gp_string(t.columns[c].label + " (" + t.columns[c].experiment + ")" + (mixed ? kMixedBudgets : ""))
             << "\n"
             << "set ylabel " << gp_string(metric_label(t.metric, "validation")) << "\n"
             << "plot ";
      for (size_t i = 0; i < rows.size(); ++i) {
        const auto& row = t.rows[rows[i]];
        const std::string title = row.label + (row.cells[c].curve_unfinished_only ? " (in progress)" : "") +
                                  (mixed ? " [" + budget_text(budgets_of({&row.cells[c]})) + "]" : "");
        curves << (i ? ", \\\n     " : "") << gp_string(dat) << " using 1:" << i + 2
               << " with linespoints lw 2 pt " << (rows[i] % 12) + 1 << " ps 0.8 lc rgb " << gp_string(color(rows[i]))
               << (row.cells[c].curve_unfinished_only ? " dt 2" : "") << " title " << gp_string(title);
      }
      curves << "\n";
    }

    // Bars: the test metric per method, one group per dataset with finished runs.
    std::vector<size_t> cols, rows;
    for (size_t c = 0; c < t.columns.size(); ++c)
      for (const auto& row : t.rows)
        if (!row.cells[c].empty()) {
          cols.push_back(c);
          break;
        }
    for (size_t r = 0; r < t.rows.size(); ++r)
      for (size_t c : cols)
        if (!t.rows[r].cells[c].empty()) {
          rows.push_back(r);
          break;
        }
    if (cols.empty()) continue;
    ++bar_panels;
    const std::string dat = "table_" + t.name + ".dat";
    std::ostringstream d;
    d << "# test " << t.metric << " at best validation: mean and sample std per method; ? = no finished run\n"
      << "# dataset";
    for (size_t r : rows) d << "\t" << t.rows[r].label << "\t(std)";
    d << "\n";
    for (size_t c : cols) {
      d << gp_string(t.columns[c].label);
      for (size_t r : rows) {
        const auto& cell = t.rows[r].cells[c];
        if (cell.empty()) d << "\t?\t?";
        else d << "\t" << cell.mean << "\t" << cell.std;
      }
      d << "\n";
    }
    write_file(train::path_under(out, dat, "table '" + t.name + "'"), d.str());
    // The paper's number for a bar, as a black mark on it: bar i of group g sits at
    // g + (i - (n - 1) / 2) / (n + gap) in a clustered histogram (gap 2 below).
    std::ostringstream pd;
    double top = 0;
    const double n = double(rows.size());
    for (size_t g = 0; g < cols.size(); ++g)
      for (size_t i = 0; i < rows.size(); ++i) {
        const auto& cell = t.rows[rows[i]].cells[cols[g]];
        if (!cell.empty()) top = std::max(top, cell.mean + cell.std);
        if (!cell.paper || cell.empty()) continue;
        const double v = std::stod(cell.paper->value);
        top = std::max(top, v);
        pd << double(g) + (double(i) - (n - 1) / 2) / (n + 2) << "\t" << v << "\n";
      }
    const std::string paper_dat = "paper_" + t.name + ".dat";
    if (!pd.str().empty()) write_file(train::path_under(out, paper_dat, "table '" + t.name + "'"), "# x\tpaper value (docs/algorithms.md §4.1)\n" + pd.str());
    std::vector<const train::CellSummary*> shown;
    for (size_t r : rows)
      for (size_t c : cols) shown.push_back(&t.rows[r].cells[c]);
    const bool mixed = budgets_of(shown).size() > 1;
    bars << "set yrange [0:" << top * 1.15 << "]\n";
    bars << "set title "
         << gp_string(std::string(t.name == "feedforward" ? "Feedforward networks" : "LSTM language models") +
                      (mixed ? kMixedBudgets : ""))
         << "\nset ylabel " << gp_string(metric_label(t.metric, "test") + " at best validation") << "\nplot ";
    for (size_t i = 0; i < rows.size(); ++i)
      bars << (i ? ", \\\n     " : "") << gp_string(dat) << " using " << 2 * i + 2 << ":" << 2 * i + 3
           << (i == 0 ? ":xtic(1)" : "") << " lc rgb " << gp_string(color(rows[i])) << " title "
           << gp_string(t.rows[rows[i]].label + (mixed ? [&] {
                          std::vector<const train::CellSummary*> mine;
                          for (size_t c : cols) mine.push_back(&t.rows[rows[i]].cells[c]);
                          return " [" + budget_text(budgets_of(mine)) + "]";
                        }()
                                                       : std::string()));
    if (!pd.str().empty())
      bars << ", \\\n     " << gp_string(paper_dat)
           << " using 1:2 with points pt 5 ps 1.6 lc rgb \"#000000\" title \"paper (early LAB paper)\"";
    bars << "\n";
  }

  std::ostringstream gp;
  gp << "# laq table --report: run `gnuplot plots.gp` in this folder.\n"
        "set datafile missing \"?\"\nset datafile separator \"\\t\"\nset termoption noenhanced\n";
  if (curve_panels > 0) {
    gp << "set terminal pngcairo size 1100," << 120 + 380 * curve_panels << " font \",11\"\n"
       << "set output \"learning_curves.png\"\n"
       << "set multiplot layout " << curve_panels << ",1 title \"Validation metric per epoch (mean over seeds; "
                                                      "dashed: unfinished runs only)\"\n"
       << "set xlabel \"epoch\"\nset logscale y\nset grid\n"
       << "set ytics (0.1, 0.2, 0.3, 0.5, 0.7, 1, 1.5, 2, 3, 5, 7, 10, 15, 20, 30, 50, 70, 100)\n"
       << "set key outside right top vertical\n"
       << curves.str() << "unset multiplot\nunset logscale y\nunset title\n";
  }
  if (bar_panels > 0) {
    gp << "set terminal pngcairo size 1100," << 120 + 420 * bar_panels << " font \",11\"\n"
       << "set output \"table.png\"\nset multiplot layout " << bar_panels
       << ",1 title \"Test metric at the best-validation epoch (bars: mean over seeds; whiskers: sample std)\"\n"
       << "set xlabel \"dataset\"\nset ytics autofreq\nset grid ytics\nset key outside right top vertical\n"
          "set style data histogram\nset style histogram errorbars gap 2 lw 1\n"
          "set style fill solid 0.85 border -1\nset boxwidth 0.9\n"
       << bars.str() << "unset multiplot\n";
  }
  write_file(out / "plots.gp", gp.str());
  return {curve_panels, bar_panels};
}

}  // namespace

namespace {

std::vector<std::string> split_list(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const auto& v : values) {
    std::istringstream s(v);
    for (std::string item; std::getline(s, item, ',');)
      if (!item.empty()) out.push_back(item);
  }
  return out;
}

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
  const std::pair<const char*, int64_t> numbers[] = {{"--epochs", r.epochs}, {"--train-size", r.train_size},
                                                     {"--val-size", r.val_size}, {"--steps-per-epoch", r.steps_per_epoch},
                                                     {"--checkpoint-every", r.checkpoint_every}, {"--threads", r.threads}};
  for (const auto& [flag, value] : numbers)
    if (value > 0) a.insert(a.end(), {flag, std::to_string(value)});
  if (!r.data_root.empty()) a.insert(a.end(), {"--data-root", fs::absolute(r.data_root).lexically_normal().string()});
  for (const auto& t : r.train_args) a.push_back(std::string("--train-arg=").append(t));
  return a;
}

void print_plan(const std::vector<train::SweepCell>& cells, int ranks) {
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
  std::printf("%zu cells; estimated %s of training steps in all (2 threads per cell, docs/results.md step times; "
              "evaluation extra), about %s on %d rank%s\n",
              cells.size(), train::format_duration(total).c_str(),
              train::format_duration(std::max(total / ranks, longest)).c_str(), ranks, ranks == 1 ? "" : "s");
}

// What --emit-slurm writes besides the plan: the #SBATCH choices of the user.
struct SlurmChoices {
  std::string file;  // --emit-slurm; empty: run or plan the sweep instead
  int64_t tasks = 4;
  bool array = false;
  std::string partition, account, mem_per_cpu;
  std::optional<int64_t> job_minutes, cell_minutes;  // --slurm-time, --slurm-cell-time
};

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
    print_plan(cells, launcher_ranks());
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

}  // namespace

int run_table(int argc, char** argv) {
  std::vector<std::string> runs, datasets, methods, bits, train_args;
  std::string out, which, paper, data_root, slurm_time, slurm_cell_time;
  bool report = false, dry_run = false;
  train::SweepRequest request;
  SlurmChoices slurm;
  int64_t only_cell = 0;
  po::options_description o("laq table options");
  o.add_options()
      ("help,h", "show this help")
      ("report", po::bool_switch(&report), "gather finished runs into the paper's tables and plots")
      ("runs", po::value(&runs), "--report: a folder searched recursively for results.jsonl (repeatable)")
      ("out", po::value(&out), "--report: where table.md, table.csv and the plots go (default: the first --runs); "
                               "a sweep: the folder of its cells")
      ("table", po::value(&which), "feedforward or lstm (--report default: every table that has runs; sweep default: feedforward)")
      ("paper", po::value(&paper), "--report: the paper's numbers (default: docs/paper_numbers.csv of the source tree)");
  po::options_description sweep("sweep options (without --report: train every cell of the table; under mpirun "
                                "-np K the cells are shared out over K ranks; docs/cluster.md)");
  sweep.add_options()
      ("datasets", po::value(&datasets), "columns to run, comma-separated (feedforward: mnist,cifar10,cifar100,svhn; "
                                         "lstm: warpeace,linux,ptb; default: all)")
      ("methods", po::value(&methods), "rows to run, comma-separated (default: the paper's 13)")
      ("bits", po::value(&bits), "bit widths of the m-bit methods (dorefa, laq-linear, laq-log), comma-separated (default: 3)")
      ("seeds", po::value(&request.seeds)->default_value(1), "seeds 1..N per cell")
      ("epochs", po::value(&request.epochs)->default_value(0), "epochs per cell (0: each experiment's preset)")
      ("train-size", po::value(&request.train_size)->default_value(0), "passed to laq train (0: all)")
      ("val-size", po::value(&request.val_size)->default_value(0), "passed to laq train (0: the preset's)")
      ("steps-per-epoch", po::value(&request.steps_per_epoch)->default_value(0), "passed to laq train (0: all)")
      ("checkpoint-every", po::value(&request.checkpoint_every)->default_value(0), "passed to laq train (0: epoch ends)")
      ("threads", po::value(&request.threads)->default_value(0), "BLAS threads per cell (0: laq train's default, 2)")
      ("data-root", po::value(&data_root), "folder holding each dataset's folder (default: laq train's data/<dataset>)")
      ("train-arg", po::value(&train_args), "one more argument for every new cell's laq train, e.g. --train-arg=--lr=0.001 (repeatable)")
      ("dry-run", po::bool_switch(&dry_run), "print the plan (cells, state, commands, estimated cost) and stop")
      ("cell", po::value(&only_cell), "run only cell N of the plan (1-based, --dry-run order), in this process; "
                                      "what each task of a --slurm-array job runs");
  po::options_description slurm_options("Slurm options (docs/cluster.md)");
  slurm_options.add_options()
      ("emit-slurm", po::value(&slurm.file), "write an sbatch script that runs this sweep as one MPI job, and stop")
      ("slurm-tasks", po::value(&slurm.tasks)->default_value(4), "MPI ranks of the job; with --slurm-array: array "
                                                                  "tasks running at once")
      ("slurm-array", po::bool_switch(&slurm.array), "a job array instead, one cell per array task, no MPI")
      ("slurm-partition", po::value(&slurm.partition), "#SBATCH --partition (default: the site's)")
      ("slurm-account", po::value(&slurm.account), "#SBATCH --account (default: the user's)")
      ("slurm-mem-per-cpu", po::value(&slurm.mem_per_cpu), "#SBATCH --mem-per-cpu, e.g. 2G (default: the site's)")
      ("slurm-time", po::value(&slurm_time), "time limit of the job (with --slurm-array: of each task), in Slurm's "
                                             "form (M, H:M:S, D-H:M, ...); default: 1.5 x the estimate")
      ("slurm-cell-time", po::value(&slurm_cell_time), "time limit of one cell; the job's follows from the cells "
                                                       "each rank runs (instead of the estimate)");
  o.add(sweep).add(slurm_options);
  po::variables_map vm;
  if (!parse_or_help(argc, argv, o, vm,
                     "usage: laq table --report --runs DIR [--runs DIR ...] [--out DIR] [--table feedforward|lstm] "
                     "[--paper FILE]\n"
                     "       [mpirun -np K] laq table --table feedforward|lstm --out DIR [--datasets ...] [--methods ...] "
                     "[--bits ...] [--seeds N] [--epochs N] [--dry-run | --emit-slurm FILE]"))
    return 0;
  require(which.empty() || which == "feedforward" || which == "lstm", "table", which,
          "expected feedforward or lstm");
  if (report) {
    for (const auto* group : {&sweep, &slurm_options})
      for (const auto& option : group->options())
        refuse_without_effect(vm, option->long_name(), false,
                              "it is a sweep option, and --report only gathers finished runs");
  } else {
    refuse_without_effect(vm, "paper", false, "it belongs to --report");  // --emit-slurm's own flags: validate_slurm
  }
  if (!report) {
    if (!runs.empty()) throw UsageError("option '--runs' belongs to --report (gathering results), not to a sweep");
    if (out.empty()) throw UsageError("a sweep needs --out DIR, the folder of its cells (or --report to gather results)");
    require(request.seeds >= 1, "seeds", request.seeds, "must be at least 1");
    validate_slurm(vm, slurm, slurm_time, slurm_cell_time);
    if (vm.count("cell")) {
      require(only_cell >= 1, "cell", only_cell, "must be at least 1 (cells count from 1, in --dry-run order)");
      if (dry_run || !slurm.file.empty())
        throw UsageError("option '--cell' runs one cell; it cannot go with --dry-run or --emit-slurm");
    }
    for (const auto& [flag, value] : {std::pair<const char*, int64_t>{"epochs", request.epochs}, {"train-size", request.train_size},
                                      {"val-size", request.val_size}, {"steps-per-epoch", request.steps_per_epoch},
                                      {"checkpoint-every", request.checkpoint_every}, {"threads", request.threads}})
      require(value >= 0, flag, value, "must not be negative");
    require(request.threads <= engine::kMaxThreads, "threads", request.threads,
            "must be in 0.." + std::to_string(engine::kMaxThreads));
    if (!data_root.empty()) require(is_folder(data_root), "data-root", data_root, "not a folder");
    request.table = which.empty() ? "feedforward" : which;
    request.datasets = split_list(datasets);
    for (const auto& m : split_list(methods)) request.methods.push_back(train::row_key(m, 3));
    for (const auto& b : split_list(bits)) {
      char* end = nullptr;
      const long v = std::strtol(b.c_str(), &end, 10);
      require(*end == '\0' && v >= 1, "bits", b, "expected positive bit widths, comma-separated");
      request.bits.push_back(v);
    }
    request.out = fs::absolute(out).lexically_normal();
    if (!data_root.empty()) request.data_root = fs::absolute(data_root).lexically_normal();
    request.train_args = train_args;
    return run_sweep_command(request, dry_run, slurm, only_cell);
  }
  if (runs.empty()) throw UsageError("the option '--runs' is required with --report");
  for (const auto& r : runs) require(is_folder(r), "runs", r, "not a folder");
  if (out.empty()) out = runs.front();

  std::vector<train::PaperNumber> numbers;
  fs::path paper_file = paper.empty() ? default_paper_file() : fs::path(paper);
  if (!paper_file.empty()) numbers = train::read_paper_numbers(paper_file);
  else std::cerr << "laq table: docs/paper_numbers.csv not found beside the binary; the paper columns stay empty\n";

  std::vector<train::RunRecord> records;
  for (const auto& f : train::find_results_files(std::vector<fs::path>(runs.begin(), runs.end())))
  {
    std::vector<std::string> skipped;
    for (auto& r : train::read_results_file(f, &skipped)) records.push_back(std::move(r));
    for (const std::string& w : skipped) std::cerr << "laq table: warning: " << w << "\n";
  }
  const auto tables = train::build_tables(records, numbers, which);

  const std::string md = train::render_markdown(tables) + train::render_seed_details(tables);
  std::cout << md << std::flush;
  const fs::path dir(out);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Error("cannot create " + dir.string() + ": " + ec.message());
  write_file(dir / "table.md", md);
  write_file(dir / "table.csv", train::render_csv(tables));
  const auto [curve_panels, bar_panels] = write_plot_files(dir, tables);

  if (curve_panels + bar_panels == 0) {
    std::cerr << "laq table: no epochs to plot yet; wrote " << (dir / "table.md").string() << " and table.csv\n";
    return 0;
  }
  if (!on_path("gnuplot")) {
    std::cerr << "laq table: gnuplot not found (apt-get install gnuplot-nox); wrote the tables, the .dat files and "
              << (dir / "plots.gp").string() << " but no PNGs\n";
    return 0;
  }
  const std::string cmd = "cd '" + dir.string() + "' && gnuplot plots.gp";
  if (dir.string().find('\'') != std::string::npos) throw Error("cannot run gnuplot in " + dir.string());
  const int status = std::system(cmd.c_str());
  if (status != 0) throw Error("gnuplot failed on " + (dir / "plots.gp").string());
  std::cerr << "laq table: wrote " << (dir / "table.md").string() << ", table.csv"
            << (curve_panels ? ", learning_curves.png" : "") << (bar_panels ? ", table.png" : "") << "\n";
  return 0;
}

}  // namespace laq::apps
