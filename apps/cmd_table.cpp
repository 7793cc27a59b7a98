// laq table: runs a sweep over a table's cells (without --report; apps/sweep_runner.h), or,
// with --report, gathers the results.jsonl files under --runs into the paper's tables
// (Markdown on stdout, table.md and table.csv in --out), with the paper's numbers beside
// ours, and plots them with gnuplot (learning_curves.png, table.png; the .dat files and the
// plots.gp script are written even when gnuplot is missing).
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "apps/cmd_sweep.h"
#include "apps/commands.h"
#include "apps/options.h"
#include "apps/plots.h"
#include "apps/table_files.h"
#include "engine/error.h"
#include "engine/threads.h"
#include "train/report.h"
#include "train/sweep_plan.h"

namespace laq::apps {
namespace fs = std::filesystem;

int run_table(int argc, char** argv) {
  std::vector<std::string> runs, datasets, methods, bits, train_args;
  std::string out, which, paper, data_root, slurm_time, slurm_cell_time;
  bool report = false, dry_run = false;
  train::SweepRequest request;
  SlurmChoices slurm;
  int64_t only_cell = 0;
  po::options_description o("laq table options");
  o.add_options()("help,h", "show this help")("report", po::bool_switch(&report), "gather finished runs into the paper's tables and plots")("runs", po::value(&runs), "--report: a folder searched recursively for results.jsonl (repeatable)")("out", po::value(&out),
                                                                                                                                                                                                                                                "--report: where table.md, table.csv and the plots go (default: the first --runs); "
                                                                                                                                                                                                                                                "a sweep: the folder of its cells")("table", po::value(&which), "feedforward or lstm (--report default: every table that has runs; sweep default: feedforward)")("paper", po::value(&paper), "--report: the paper's numbers (default: docs/paper_numbers.csv of the source tree)");
  po::options_description sweep(
      "sweep options (without --report: train every cell of the table; under mpirun "
      "-np K the cells are shared out over K ranks; docs/cluster.md)");
  sweep.add_options()("datasets", po::value(&datasets),
                      "columns to run, comma-separated (feedforward: mnist,cifar10,cifar100,svhn; "
                      "lstm: warpeace,linux,ptb; default: all)")("methods", po::value(&methods), "rows to run, comma-separated (default: the paper's 13)")("bits", po::value(&bits), "bit widths of the m-bit methods (dorefa, laq-linear, laq-log), comma-separated (default: 3)")("seeds", po::value(&request.seeds)->default_value(1), "seeds 1..N per cell")("epochs", po::value(&request.epochs)->default_value(0), "epochs per cell (0: each experiment's preset)")("train-size", po::value(&request.train_size)->default_value(0), "passed to laq train (0: all)")("val-size", po::value(&request.val_size)->default_value(0), "passed to laq train (0: the preset's)")("steps-per-epoch", po::value(&request.steps_per_epoch)->default_value(0), "passed to laq train (0: all)")("checkpoint-every", po::value(&request.checkpoint_every)->default_value(0), "passed to laq train (0: epoch ends)")("threads", po::value(&request.threads)->default_value(0), "BLAS threads per cell (0: laq train's default, 2)")("data-root", po::value(&data_root), "folder holding each dataset's folder (default: laq train's data/<dataset>)")("train-arg", po::value(&train_args), "one more argument for every new cell's laq train, e.g. --train-arg=--lr=0.001 (repeatable)")("dry-run", po::bool_switch(&dry_run), "print the plan (cells, state, commands, estimated cost) and stop")("cell", po::value(&only_cell),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                          "run only cell N of the plan (1-based, --dry-run order), in this process; "
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                          "what each task of a --slurm-array job runs");
  po::options_description slurm_options("Slurm options (docs/cluster.md)");
  slurm_options.add_options()("emit-slurm", po::value(&slurm.file), "write an sbatch script that runs this sweep as one MPI job, and stop")("slurm-tasks", po::value(&slurm.tasks)->default_value(4),
                                                                                                                                            "MPI ranks of the job; with --slurm-array: array "
                                                                                                                                            "tasks running at once")("slurm-array", po::bool_switch(&slurm.array), "a job array instead, one cell per array task, no MPI")("slurm-partition", po::value(&slurm.partition), "#SBATCH --partition (default: the site's)")("slurm-account", po::value(&slurm.account), "#SBATCH --account (default: the user's)")("slurm-mem-per-cpu", po::value(&slurm.mem_per_cpu), "#SBATCH --mem-per-cpu, e.g. 2G (default: the site's)")("slurm-time", po::value(&slurm_time),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                           "time limit of the job (with --slurm-array: of each task), in Slurm's "
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                           "form (M, H:M:S, D-H:M, ...); default: 1.5 x the estimate")("slurm-cell-time", po::value(&slurm_cell_time),
                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                                       "time limit of one cell; the job's follows from the cells "
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
    for (const auto& [flag, value] : {std::pair<const char*, int64_t>{"epochs", request.epochs}, {"train-size", request.train_size}, {"val-size", request.val_size}, {"steps-per-epoch", request.steps_per_epoch}, {"checkpoint-every", request.checkpoint_every}, {"threads", request.threads}})
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
  for (const auto& f : train::find_results_files(std::vector<fs::path>(runs.begin(), runs.end()))) {
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
