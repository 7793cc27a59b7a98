// laq train: one run of one experiment (docs/algorithms.md §3), with checkpoints and results.
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <optional>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

#include "apps/commands.h"
#include "apps/options.h"
#include "apps/world.h"
#include "engine/error.h"
#include "engine/threads.h"
#include "quant/method.h"
#include "train/run_checks.h"
#include "train/run_folder.h"
#include "train/trainer.h"

namespace laq::apps {
namespace {

std::string clock_text(double seconds) {
  const int64_t s = static_cast<int64_t>(seconds + 0.5);
  std::ostringstream out;
  if (s >= 3600) out << s / 3600 << ":" << std::setw(2) << std::setfill('0') << (s / 60) % 60;
  else out << s / 60;
  out << ":" << std::setw(2) << std::setfill('0') << s % 60;
  return out.str();
}

// Progress on stderr: a line redrawn in place on a terminal, an occasional plain line in a log.
class ConsoleObserver : public train::TrainObserver {
 public:
  explicit ConsoleObserver(bool quiet) : quiet_(quiet), tty_(isatty(fileno(stderr))) {}

  void on_step(const train::StepReport& r) override {
    if (quiet_) return;
    const auto now = std::chrono::steady_clock::now();
    const double since = std::chrono::duration<double>(now - last_).count();
    if (r.step != r.steps && since < (tty_ ? 0.5 : 30.0)) return;
    last_ = now;
    std::fprintf(stderr, "%sepoch %lld/%lld  step %lld/%lld  %.1f steps/s  loss %.4f  ETA %s%s",
                 tty_ ? "\r\033[K" : "", (long long)r.epoch, (long long)r.epochs, (long long)r.step,
                 (long long)r.steps, r.steps_per_second, r.mean_loss, clock_text(r.eta_seconds).c_str(),
                 tty_ ? "" : "\n");
    std::fflush(stderr);
  }

  void on_epoch(const train::EpochReport& r) override {
    if (tty_ && !quiet_) std::fprintf(stderr, "\r\033[K");
    const auto f = [&](double v) { return train::format_metric(r.metric, v); };
    const char* m = r.metric == train::Metric::error_percent ? "err" : "CE";
    std::printf("epoch %3lld  lr %.2e  train loss %.4f  train %s %s  val %s %s  %s  %s\n", (long long)r.epoch, r.lr,
                r.train_loss, m, f(r.train_error).c_str(), m, f(r.val_error).c_str(),
                r.tested ? ("test " + std::string(m) + " " + f(r.test_error) + " (best)").c_str()
                         : ("best val " + f(r.best_val_error)).c_str(),
                clock_text(r.seconds).c_str());
    std::fflush(stdout);
  }

  void on_note(const std::string& text) override { std::fprintf(stderr, "%s\n", text.c_str()); }

 private:
  bool quiet_, tty_;
  std::chrono::steady_clock::time_point last_{};
};

// Flags the user gave that the chosen method, schedule or experiment would ignore (the rule
// of apps/options.h). SGD's momentum has its own check.
void refuse_flags_without_effect(const po::variables_map& vm, const train::RunConfig& c) {
  const quant::Method method = quant::parse_method(c.method);
  const quant::MethodTraits t = quant::traits(method);
  refuse_without_effect(vm, "bits", t.needs_bits, quant::bits_problem(method, c.bits));
  refuse_without_effect(vm, "code-faithful", t.has_code_faithful_variant,
                        c.method + " has no code-faithful variant (lat-e, lat2-e and lat2-a do)");
  refuse_without_effect(vm, "per-channel", t.codes != quant::CodeKind::none, "fpn has no quantized weights to scale");
  refuse_without_effect(vm, "lr-decay", c.schedule != "constant", "the schedule is constant");
  refuse_without_effect(vm, "val-size", train::experiment_takes_val_size(c.experiment),
                        c.experiment + " has its own validation split");
  refuse_without_effect(vm, "batch-norm", train::experiment_has_batch_norm(c.experiment),
                        c.experiment + " has no batch norm");
}

std::string default_out_dir(const train::RunConfig& c) {
  const std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", std::localtime(&now));
  return "runs/" + c.experiment + "-" + c.method + "-" + stamp;
}

// data/<name> under the working folder, else beside the binary's source tree (build/laq ->
// ./data), so `build/laq train` works from the repository root and from build/.
std::string default_data_dir(const std::string& name) {
  const std::filesystem::path here = std::filesystem::path("data") / name;
  std::error_code ec;
  if (std::filesystem::is_directory(here, ec)) return here.string();
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const auto beside = exe.parent_path().parent_path() / "data" / name;
    if (std::filesystem::is_directory(beside, ec)) return beside.string();
  }
  return here.string();
}

// Test-only fault injection (docs/robustness.md): LAQ_TEST_KILL_AT=POINT:EPOCH kills this
// process with SIGKILL at that point of that epoch's end (train/trainer.h names the points),
// so that the crash-window tests can stop it exactly between two writes.
void install_test_kill(train::Trainer& trainer) {
  const char* spec = std::getenv("LAQ_TEST_KILL_AT");
  if (!spec || !*spec) return;
  const std::string s = spec;
  const size_t colon = s.find(':');
  if (colon == std::string::npos) throw UsageError("LAQ_TEST_KILL_AT must be POINT:EPOCH, not '" + s + "'");
  const std::string point = s.substr(0, colon);
  const int64_t epoch = std::atoll(s.c_str() + colon + 1);
  trainer.set_fault_hook([point, epoch](const std::string& at, int64_t e) {
    if (at == point && e == epoch) std::raise(SIGKILL);
  });
}

// The folder's lock for the whole run, and the checks that need it held: a new run refuses a
// folder holding another (exit 2, the --out value is wrong); a folder another process is
// training in is refused with exit 1 (the flags are right, the folder is busy right now).
std::optional<train::RunFolderLock> claim_run_folder(const std::filesystem::path& dir, bool resuming, bool data_parallel) {
  std::error_code ec;
  if (!resuming && std::filesystem::exists(dir, ec) && !std::filesystem::is_directory(dir, ec))
    throw UsageError("option '--out': " + dir.string() + " is a file, expected a folder for the run");
  std::optional<train::RunFolderLock> lock(train::RunFolderLock::take(dir));
  if (!resuming) {
    try {
      train::require_no_run(dir);
    } catch (const train::RunFolderTaken& e) {
      if (data_parallel) throw;  // a laq::Error stops every rank; a usage error only this one
      throw UsageError(e.what());
    }
  }
  return lock;
}

}  // namespace

int run_train(int argc, char** argv) {
  train::RunConfig c;
  std::string resume;
  std::string preset_names;
  for (const train::ExperimentDefaults& e : train::experiments())
    preset_names += (preset_names.empty() ? "" : ", ") + e.name;
  bool data_parallel = false;
  po::options_description o("laq train options (unset values come from the experiment's preset)");
  o.add_options()("help,h", "show this help")("experiment", po::value(&c.experiment)->default_value(c.experiment), ("experiment preset: " + preset_names).c_str())("method", po::value(&c.method)->default_value(c.method), "weight quantizer: fpn (full precision), bc, bwn, twn, ttq, dorefa, lab, lat-e, lat-a, lat2-e, lat2-a, laq-linear, laq-log")("bits", po::value(&c.bits)->default_value(c.bits), "bit width m: laq-linear and laq-log 2..8, dorefa 1..8 (no other method takes one)")("code-faithful", po::bool_switch(&c.code_faithful), "reproduce the authors' code quirks (lat-e, lat2-e, lat2-a; docs/quantizers.md)")("per-channel", po::bool_switch(&c.per_channel), "one scale per output channel instead of per tensor (quantized methods; not the LSTMs)")("epochs", po::value<int64_t>(), "number of epochs (mnist-mlp: 50)")("batch", po::value<int64_t>(), "mini-batch size, at most the training set; at least 2 with batch norm (mnist-mlp: 100)")("lr", po::value<double>(), "initial learning rate, finite and positive (mnist-mlp: 0.01); a run whose loss or weights turn non-finite stops with exit 1, keeping its last good checkpoint")("schedule", po::value<std::string>(), "LR schedule: constant | step:E1,E2,.. (increasing) | every:N | exp:E (mnist-mlp: step:15,25)")("lr-decay", po::value<double>(), "LR factor applied by the schedule, finite and positive (mnist-mlp: 0.1; not with a constant schedule)")("optimizer", po::value(&c.optimizer)->default_value(c.optimizer), "adam | sgd")("momentum", po::value(&c.momentum)->default_value(c.momentum), "SGD momentum")("batch-norm", po::value(&c.batch_norm)->default_value(c.batch_norm), "binary-connect (std + 1e-4) | variance (not for the LSTMs, which have no batch norm)")("seed", po::value(&c.seed)->default_value(c.seed), "seed of initialisation and data order")("threads", po::value(&c.threads)->default_value(c.threads), "threads, 1..1024")("checkpoint-every", po::value(&c.checkpoint_every)->default_value(0), "also checkpoint every N steps (0: at epoch ends only)")("steps-per-epoch", po::value(&c.steps_per_epoch)->default_value(0), "cap on steps per epoch, for smoke runs, at most an epoch's (0: all)")("train-size", po::value(&c.train_size)->default_value(0), "use only the first N training examples, at most the training set (0: all)")("val-size", po::value<int64_t>(), "validation = the last N images of the training file, 1..(file size - 1) (mnist-mlp: 10000, cifar: 5000; svhn and the LSTMs have their own split)")("stop-after-steps", po::value<int64_t>(), "stop after this many steps without saving, as if killed (for resume tests)")("data", po::value(&c.data_dir), "dataset folder (default: data/<dataset>, where tools/get_data.sh puts it)")("out", po::value(&c.out_dir), "output folder for results.jsonl and checkpoint.h5 (default: a new folder under runs/)")("resume", po::value(&resume), "continue the run saved in this checkpoint (its configuration is used)")("data-parallel", po::bool_switch(&data_parallel), "under mpirun -np K: split each global batch over the K ranks (docs/cluster.md)")("quiet", "no progress line")("list", "list the experiment presets and their defaults");
  po::variables_map vm;
  if (!parse_or_help(argc, argv, o, vm, "usage: laq train --experiment NAME --method M [options]")) return 0;
  if (vm.count("list")) {
    std::printf("%-13s %6s %5s %8s %-11s %5s %6s  %s\n", "experiment", "epochs", "batch", "lr", "schedule", "decay",
                "val", "what");
    for (const auto& e : train::experiments())
      std::printf("%-13s %6lld %5lld %8g %-11s %5g %6lld  %s\n", e.name.c_str(), (long long)e.epochs,
                  (long long)e.batch, e.lr, e.schedule.c_str(), e.lr_decay, (long long)e.val_size, e.description.c_str());
    return 0;
  }

  if (!resume.empty()) {
    for (const char* flag : {"experiment", "method", "bits", "epochs", "batch", "lr", "schedule", "lr-decay",
                             "optimizer", "seed", "data", "out", "train-size", "steps-per-epoch", "val-size", "batch-norm",
                             "momentum", "code-faithful", "per-channel", "checkpoint-every"})
      if (vm.count(flag) && !vm[flag].defaulted())
        throw UsageError("--resume takes the configuration from the checkpoint; drop --" + std::string(flag));
  } else {
    const train::ExperimentDefaults* preset = nullptr;
    try {
      preset = &train::experiment(c.experiment);
    } catch (const Error& e) {
      throw UsageError(std::string("option '--experiment': ") + e.what());
    }
    c.epochs = vm.count("epochs") ? vm["epochs"].as<int64_t>() : preset->epochs;
    c.batch = vm.count("batch") ? vm["batch"].as<int64_t>() : preset->batch;
    c.lr = vm.count("lr") ? vm["lr"].as<double>() : preset->lr;
    c.schedule = vm.count("schedule") ? vm["schedule"].as<std::string>() : preset->schedule;
    c.lr_decay = vm.count("lr-decay") ? vm["lr-decay"].as<double>() : preset->lr_decay;
    c.val_size = vm.count("val-size") ? vm["val-size"].as<int64_t>() : preset->val_size;
    if (c.data_dir.empty()) c.data_dir = default_data_dir(preset->data_subdir);
    if (c.out_dir.empty()) c.out_dir = default_out_dir(c);
    try {
      train::check_run_config(c);
    } catch (const train::OptionError& e) {
      throw UsageError(e.what());
    }
    // As the optimizer holds it (a float): NaN fails both comparisons, 0.99999999999 rounds to 1.
    require(static_cast<float>(c.momentum) >= 0 && static_cast<float>(c.momentum) < 1, "momentum", c.momentum,
            "must be in [0, 1)");
    refuse_flags_without_effect(vm, c);
    // Stored absolute, so that --resume, export and inspect work from any folder.
    c.data_dir = std::filesystem::absolute(c.data_dir).lexically_normal().string();
    c.out_dir = std::filesystem::absolute(c.out_dir).lexically_normal().string();
    std::error_code ec;
    if (!std::filesystem::is_directory(c.data_dir, ec))
      throw UsageError("option '--data': " + c.data_dir + " is not a folder (run tools/get_data.sh " +
                       train::experiment(c.experiment).data_subdir + ")");
  }

  const int launched = launcher_ranks();
  if (launched > 1 && !data_parallel)
    throw UsageError("started by an MPI launcher with " + std::to_string(launched) +
                     " ranks: add --data-parallel (otherwise every rank would train the same run into the same folder)");
  if (data_parallel && resume.empty())
    require(c.batch % launched == 0, "batch", c.batch,
            "--data-parallel splits each batch over the " + std::to_string(launched) + " ranks; it must be divisible by " +
                std::to_string(launched));
  train::Communicator* comm = data_parallel ? &world() : nullptr;
  const bool speaker = !comm || comm->rank() == 0;

  if (vm.count("stop-after-steps"))
    require(vm["stop-after-steps"].as<int64_t>() >= 1, "stop-after-steps", vm["stop-after-steps"].as<int64_t>(),
            "must be at least 1");
  if (!resume.empty() && !vm["threads"].defaulted())
    require(c.threads >= 1 && c.threads <= engine::kMaxThreads, "threads", c.threads,
            "must be in 1.." + std::to_string(engine::kMaxThreads));
  const std::filesystem::path run_dir =
      resume.empty() ? std::filesystem::path(c.out_dir) : std::filesystem::absolute(resume).lexically_normal().parent_path();
  std::error_code exists_ec;
  const bool folder_existed = std::filesystem::exists(run_dir, exists_ec);
  std::optional<train::RunFolderLock> lock =
      speaker ? claim_run_folder(run_dir, !resume.empty(), comm != nullptr) : std::nullopt;
  if (!resume.empty()) {
    // A finished run is not run again: a second result line would count as another seed.
    const train::RunConfig saved = train::read_checkpoint_config(resume);
    if (train::results_finished(run_dir)) {
      if (train::read_checkpoint_progress(resume).epoch > saved.epochs) {
        if (speaker)
          std::printf("laq train: the run in %s is finished (results.jsonl holds its result line); nothing to do\n",
                      run_dir.c_str());
        return 0;
      }
      // An earlier checkpoint of a finished run (its best.h5): continuing it here would append
      // a second run to the finished run's results.
      throw UsageError("option '--resume': the run in " + run_dir.string() +
                       " is finished and " + resume +
                       " is one of its earlier epochs; to train on from it, copy it "
                       "into a new folder and resume it there");
    }
  }

  // Settings the data decides (a batch larger than the training set, a validation size the
  // file cannot give) are the user's flags in a new run, the checkpoint's in a resumed one.
  std::unique_ptr<train::Trainer> made;
  try {
    made = std::make_unique<train::Trainer>(c, resume);
  } catch (const train::OptionError& e) {
    if (resume.empty()) {
      // A refused new run leaves nothing behind: the folder it made only to lock goes again.
      if (lock && !folder_existed) {
        lock.reset();
        std::error_code ec;
        std::filesystem::remove(run_dir / train::kRunLockFile, ec);
        std::filesystem::remove(run_dir, ec);  // only if empty
      }
      throw UsageError(e.what());
    }
    throw Error(resume + ": the stored configuration no longer works: " + e.what());
  }
  train::Trainer& trainer = *made;
  install_test_kill(trainer);
  if (!resume.empty() && !vm["threads"].defaulted()) trainer.set_threads(c.threads);
  if (comm) {
    try {
      trainer.set_data_parallel(*comm);
    } catch (const Error& e) {  // a resumed run's batch that does not split
      throw UsageError(std::string("option '--data-parallel': ") + e.what());
    }
  }
  const train::RunConfig& rc = trainer.config();
  if (speaker)
    std::cout << "laq train: " << rc.experiment << ", method " << rc.method << ", " << rc.epochs
              << " epochs, batch " << rc.batch << ", lr " << rc.lr << " (" << rc.schedule << " x"
              << rc.lr_decay << "), seed " << rc.seed << ", " << rc.threads << " threads -> " << rc.out_dir
              << (comm ? ", data-parallel over " + std::to_string(comm->size()) + " ranks" : "") << "\n";
  ConsoleObserver console(vm.count("quiet") > 0);
  train::TrainObserver silent;  // the other ranks of a data-parallel run
  if (vm.count("stop-after-steps")) trainer.stop_after_steps(vm["stop-after-steps"].as<int64_t>());
  const train::TrainResult r = trainer.run(speaker ? console : silent);
  if (!speaker) return r.interrupted ? 3 : 0;
  if (r.interrupted) {
    std::printf("stopped after step %lld without saving (--stop-after-steps)\n", (long long)r.global_step);
    return 3;
  }
  const char* m = r.metric == train::Metric::error_percent ? "error" : "cross-entropy";
  std::printf("result: best epoch %lld, best val %s %s, test %s at best val %s, %s\n", (long long)r.best_epoch, m,
              train::format_metric(r.metric, r.best_val_error).c_str(), m,
              train::format_metric(r.metric, r.test_error_at_best_val).c_str(), clock_text(r.seconds).c_str());
  return 0;
}

}  // namespace laq::apps
