#include "train/trainer.h"

#include <H5Cpp.h>
#include <cblas.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>

#include <sys/resource.h>

#include "datasets/batcher.h"
#include "engine/autograd.h"
#include "engine/error.h"
#include "engine/losses.h"
#include "engine/threads.h"
#include "optim/schedule.h"
#include "train/data_parallel.h"
#include "train/run_checks.h"
#include "train/run_folder.h"

#ifndef LAQ_VERSION
#define LAQ_VERSION "unknown"
#endif

namespace laq::train {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// The high-water mark of this process's resident memory, in MiB (Linux reports ru_maxrss in
// KiB). A resumed run reports the process that finished it, not the one that started it.
double peak_rss_mb() {
  rusage usage{};
  if (::getrusage(RUSAGE_SELF, &usage) != 0) return -1;
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

engine::Var loss_of(LossKind kind, const engine::Var& out, std::span<const int32_t> y) {
  return kind == LossKind::squared_hinge ? engine::squared_hinge(out, y)
                                         : engine::softmax_cross_entropy(out, y);
}

// The configuration of a resumed run: the checkpoint's, writing into the checkpoint's folder.
RunConfig resumed_config(const fs::path& checkpoint) {
  RunConfig c = read_checkpoint_config(checkpoint);
  c.out_dir = fs::absolute(checkpoint).lexically_normal().parent_path().string();
  return c;
}

// Checked before any data is read (train/run_checks.h).
RunConfig checked(RunConfig c) {
  check_run_config(c);
  return c;
}

// Whether every value is finite. x * 0 is 0 for a finite x and NaN for inf or NaN, so one
// sum per lane answers without a branch per element (a pass over the whole state costs a few
// milliseconds, once per epoch and per checkpoint).
bool all_finite(std::span<const float> v) {
  constexpr size_t kLanes = 8;
  float lane[kLanes] = {};
  size_t i = 0;
  for (; i + kLanes <= v.size(); i += kLanes)
    for (size_t k = 0; k < kLanes; ++k) lane[k] += v[i + k] * 0.0f;
  float sum = 0;
  for (; i < v.size(); ++i) sum += v[i] * 0.0f;
  for (float l : lane) sum += l;
  return sum == 0.0f;
}

// Everything a checkpoint holds: weights (latent and quantized), batch-norm statistics and
// the optimizer's state. Returns the name of the first tensor with a non-finite value, or "".
std::string first_non_finite(const ModelState& state) {
  for (const layers::Parameter* p : state.parameters) {
    if (!all_finite(p->latent.span())) return p->name;
    if (!all_finite(p->value.span())) return p->name + " (quantized)";
  }
  for (const layers::NamedBuffer& b : state.buffers)
    if (!all_finite(b.tensor->span())) return b.name;
  for (const optim::StateBuffer& b : state.optimizer.buffers)
    if (!all_finite(b.data)) return b.name;
  return {};
}

}  // namespace

Json environment_json(const RunConfig& config, int ranks) {
  unsigned maj = 0, min = 0, rel = 0;
  H5get_libversion(&maj, &min, &rel);
  Json env;
  env.add("laq", LAQ_VERSION)
      .add("openblas", openblas_get_config())
      .add("openblas_core", openblas_get_corename())
      .add("hdf5", std::to_string(maj) + "." + std::to_string(min) + "." + std::to_string(rel))
      .add("compiler", __VERSION__)
      .add("threads", config.threads)
      .add("ranks", ranks);
  return env;
}

Trainer::Trainer(RunConfig config, const fs::path& resume_from)
    : config_(checked(resume_from.empty() ? std::move(config) : resumed_config(resume_from))),
      defaults_(experiment(config_.experiment)),
      data_(load_data(config_)),
      out_dir_(config_.out_dir) {
  // A language model's size comes from its data; the checkpoint keeps it so that export
  // and inspect can rebuild the net without reading the corpus.
  if (defaults_.metric == Metric::cross_entropy) {
    if (config_.vocab != 0 && config_.vocab != data_.classes)
      throw Error(config_.data_dir + " has a vocabulary of " + std::to_string(data_.classes) +
                  " symbols, the checkpoint's model " + std::to_string(config_.vocab));
    config_.vocab = data_.classes;
  }
  session_ = make_session(config_);
  engine::set_threads(static_cast<int>(config_.threads));
  const int64_t examples = data_.train.x.dim(0);
  if (examples < config_.batch)
    throw OptionError("batch", std::to_string(config_.batch),
                      "larger than the training set (" + std::to_string(examples) + " examples)");
  if (config_.steps_per_epoch > examples / config_.batch)
    throw OptionError("steps-per-epoch", std::to_string(config_.steps_per_epoch),
                      "an epoch has only " + std::to_string(examples / config_.batch) + " steps (" +
                          std::to_string(examples) + " examples in batches of " + std::to_string(config_.batch) + ")");
  // Model selection and the reported figure need both sets; an empty one would read as 0% error.
  if (data_.val.targets() == 0) throw Error(config_.data_dir + ": the validation set is empty");
  if (data_.test.targets() == 0) throw Error(config_.data_dir + ": the test set is empty");
  if (!resume_from.empty()) {
    load_checkpoint(resume_from, progress_, session_.state());
    resumed_ = true;
    saved_step_ = progress_.global_step;
  } else {
    progress_.data_rng = engine::save_rng(engine::Rng(static_cast<uint64_t>(config_.seed) + 1));
  }
}

double Trainer::train_step(const engine::Tensor& x, std::span<const int32_t> y, int64_t& errors) {
  session_.arena->zero_grads();
  engine::Var out = session_.model->forward(engine::constant(x), true);
  engine::Var loss = loss_of(defaults_.loss, out, y);
  engine::backward(loss);
  if (defaults_.metric == Metric::error_percent) errors += engine::count_errors(out->value, y);
  return loss->value[0];
}

void Trainer::set_data_parallel(Communicator& comm) {
  if (config_.batch % comm.size() != 0)
    throw Error("data-parallel training needs the batch (" + std::to_string(config_.batch) +
                ") to be divisible by the number of ranks (" + std::to_string(comm.size()) + ")");
  if (comm_) throw Error("set_data_parallel: the run is already data-parallel");
  comm_ = &comm;
  synchronize_batch_norm(*session_.model, comm);
  session_.pipeline.sync_gradients_first(session_.arena->grads(),
                                         [&comm](std::span<float> grads) { average_gradients(grads, comm); });
}

double evaluate(Session& session, const LabeledSet& set, int64_t batch, const ExperimentDefaults& experiment,
                Communicator* comm) {
  if (batch < 1) throw Error("evaluate: the batch must be positive, got " + std::to_string(batch));
  const int64_t targets = set.targets();
  if (targets == 0) throw Error("evaluate: the set is empty");
  // Every example once, in order: floor(N/B) batches of B, the remainder as one smaller batch,
  // then the tail window. A language model's loss is a batch mean; weighted by the batch's
  // share of a full batch's targets, the total divided by (targets / full batch) is the mean
  // over every target, and equals the old mean of batch means bit for bit when all are full.
  const int64_t examples = set.x.dim(0), per = set.targets_per_example;
  const int64_t batches = (examples + batch - 1) / batch, pieces = batches + (set.tail ? 1 : 0);
  const double full_batch_targets = double(batch * per);
  const int64_t first = comm ? comm->rank() : 0, stride = comm ? comm->size() : 1;
  double total = 0;
  for (int64_t s = first; s < pieces; s += stride) {
    const LabeledSet& source = s < batches ? set : *set.tail;
    const int64_t b = s < batches ? s * batch : 0;
    const int64_t n = s < batches ? std::min(batch, examples - b) : source.x.dim(0);
    const int64_t sper = source.targets_per_example;
    engine::Tensor x = source.x.rows(b, b + n);
    const std::span<const int32_t> y = std::span(source.y).subspan(b * sper, n * sper);
    engine::Var out = session.model->forward(engine::constant(x), false);
    if (experiment.metric == Metric::error_percent) {
      total += double(engine::count_errors(out->value, y));
    } else {
      const double mean = loss_of(experiment.loss, out, y)->value[0];
      total += n * sper == batch * per ? mean : mean * (double(n * sper) / full_batch_targets);
    }
  }
  if (comm) comm->allreduce_sum(std::span<double>(&total, 1));
  return experiment.metric == Metric::error_percent ? 100.0 * total / double(targets)
                                                    : total / (double(targets) / full_batch_targets);
}

void gather_batch(const LabeledSet& set, std::span<const int64_t> idx, engine::Tensor& x, std::vector<int32_t>& y) {
  datasets::gather_rows_into(set.x, idx, x);
  const int64_t per = set.targets_per_example;
  y.resize(idx.size() * per);
  for (size_t i = 0; i < idx.size(); ++i)
    std::copy_n(set.y.begin() + idx[i] * per, per, y.begin() + i * per);
}

void Trainer::checkpoint() {
  if (writes_files()) save_checkpoint(out_dir_ / "checkpoint.h5", config_, progress_, session_.state());
  saved_step_ = progress_.global_step;
}

// A diverged run stops before anything of it is saved: the checkpoint and best.h5 keep the
// last good state (and the results file its epochs), so the run can be resumed with a change
// or its last good epoch exported.
void Trainer::diverged(const std::string& what) const {
  const std::string kept = saved_step_ < 0 ? "nothing was saved"
                                           : (out_dir_ / "checkpoint.h5").string() + " keeps global step " +
                                                 std::to_string(saved_step_);
  char lr[32];
  std::snprintf(lr, sizeof lr, "%g", config_.lr);
  throw Error("training diverged in epoch " + std::to_string(progress_.epoch) + " at global step " +
              std::to_string(progress_.global_step) + ": " + what + " (initial lr " + lr + "); " + kept);
}

void Trainer::require_finite_state() const {
  const std::string bad = first_non_finite(session_.state());
  if (!bad.empty()) diverged(bad + " holds non-finite values");
}

// The checkpoint just written is the best-validation epoch's: kept as best.h5, because the
// figure a run reports (test error at the best validation epoch) belongs to these weights,
// and `laq export --checkpoint RUN/best.h5` should pack them, not the last epoch's.
void Trainer::keep_best() {
  if (!writes_files()) return;
  copy_checkpoint_to_best(out_dir_, [&] { fault("best-partial", progress_.epoch - 1); });
}

Json Trainer::result_header() const {
  Json config;
  visit_fields(const_cast<RunConfig&>(config_), [&](const char* k, auto& v) { config.add(k, v); });
  Json j;
  j.add("config", config).add("seed", config_.seed).add("environment", environment_json(config_, comm_ ? comm_->size() : 1));
  return j;
}

void Trainer::append_result(const Json& line) const {
  if (!writes_files()) return;
  std::ofstream out(out_dir_ / "results.jsonl", std::ios::app | std::ios::binary);
  out << line.str() << "\n";
  out.flush();
  if (!out) throw Error("cannot append to " + (out_dir_ / "results.jsonl").string() + ": " + std::strerror(errno));
}

void Trainer::set_threads(int64_t count) {
  engine::set_threads(static_cast<int>(count));
  config_.threads = count;
}

TrainResult Trainer::run(TrainObserver& observer) {
  const optim::Schedule schedule = optim::Schedule::parse(
      config_.schedule, static_cast<float>(config_.lr), static_cast<float>(config_.lr_decay));
  datasets::Batcher batcher(data_.train.x.dim(0), config_.batch);
  const int64_t steps = config_.steps_per_epoch > 0 ? std::min(config_.steps_per_epoch, batcher.steps())
                                                    : batcher.steps();
  if (writes_files()) {
    std::error_code ec;
    fs::create_directories(out_dir_, ec);
    if (ec) throw Error("cannot create the run folder " + out_dir_.string() + ": " + ec.message());
    if (resumed_) repair_after_kill(out_dir_, progress_);
  }
  const auto run_start = Clock::now();
  const double elapsed_before = progress_.elapsed_seconds;
  const int ranks = comm_ ? comm_->size() : 1, rank = comm_ ? comm_->rank() : 0;
  engine::Shape batch_shape = data_.train.x.shape();
  batch_shape[0] = config_.batch / ranks;  // this rank's share of the global batch
  engine::Tensor xb(batch_shape);
  std::vector<int32_t> yb;

  while (progress_.epoch <= config_.epochs) {
    const auto epoch_start = Clock::now();
    const float lr = schedule.at(static_cast<int>(progress_.epoch));
    engine::Rng data_rng = engine::load_rng(progress_.data_rng);
    batcher.start_epoch(data_rng);
    if (progress_.step_in_epoch > 0)
      observer.on_note("resuming epoch " + std::to_string(progress_.epoch) + " at step " +
                       std::to_string(progress_.step_in_epoch));
    const int64_t first_step = progress_.step_in_epoch;

    for (int64_t s = first_step; s < steps; ++s) {
      const auto idx = rank_share(batcher.indices(s), rank, ranks);
      gather_batch(data_.train, idx, xb, yb);
      int64_t errors = 0;
      double loss = train_step(xb, yb, errors);
      if (comm_) {
        double totals[2] = {loss, double(errors)};  // the global batch's mean loss and error count
        comm_->allreduce_sum(totals);
        loss = totals[0] / ranks;
        errors = static_cast<int64_t>(totals[1]);
      }
      if (!std::isfinite(loss)) diverged("the training loss is " + std::to_string(loss));
      progress_.epoch_loss_sum += loss;
      progress_.epoch_errors += errors;
      session_.pipeline.step(lr);
      progress_.epoch_examples += config_.batch;
      progress_.step_in_epoch = s + 1;
      ++progress_.global_step;
      if (stop_after_steps_ > 0 && progress_.global_step >= stop_after_steps_)
        return {0, 0, 0, defaults_.metric, seconds_since(run_start), progress_.global_step, true};

      const double t = seconds_since(epoch_start);
      const double rate = double(s + 1 - first_step) / std::max(t, 1e-9);
      observer.on_step({progress_.epoch, config_.epochs, s + 1, steps,
                        progress_.epoch_loss_sum / double(s + 1), rate, double(steps - s - 1) / rate});
      if (config_.checkpoint_every > 0 && progress_.global_step % config_.checkpoint_every == 0 &&
          s + 1 < steps) {
        progress_.elapsed_seconds = elapsed_before + seconds_since(run_start);
        require_finite_state();
        checkpoint();
      }
    }
    require_finite_state();  // before the evaluation, the results line and the checkpoint

    EpochReport r{};
    r.epoch = progress_.epoch;
    r.lr = lr;
    r.train_loss = progress_.epoch_loss_sum / double(std::max<int64_t>(1, steps));
    r.metric = defaults_.metric;
    r.train_error = defaults_.metric == Metric::error_percent
                        ? 100.0 * double(progress_.epoch_errors) / double(std::max<int64_t>(1, progress_.epoch_examples))
                        : r.train_loss;
    r.val_error = evaluate(data_.val);
    if (!std::isfinite(r.val_error)) diverged("the validation " + std::string(metric_key(defaults_.metric)) + " is not finite");
    r.tested = r.val_error <= progress_.best_val_error;
    r.test_error = -1;
    if (r.tested) {
      r.test_error = evaluate(data_.test);
      if (!std::isfinite(r.test_error)) diverged("the test " + std::string(metric_key(defaults_.metric)) + " is not finite");
      progress_.best_val_error = r.val_error;
      progress_.best_epoch = progress_.epoch;
      progress_.test_error_at_best = r.test_error;
    }
    r.best_val_error = progress_.best_val_error;
    r.test_error_at_best = progress_.test_error_at_best;
    r.seconds = seconds_since(epoch_start);

    const std::string m = metric_key(defaults_.metric);
    Json line = result_header();
    line.add("type", "epoch").add("metric", m).add("epoch", r.epoch).add("lr", r.lr).add("train_loss", r.train_loss).add("train_" + m, r.train_error).add("val_" + m, r.val_error);
    if (r.tested) line.add("test_" + m, r.test_error);
    else line.add_null("test_" + m);
    line.add("best_epoch", progress_.best_epoch).add("best_val_" + m, r.best_val_error).add("test_" + m + "_at_best_val", r.test_error_at_best).add("epoch_seconds", r.seconds).add("global_step", progress_.global_step);
    // The next epoch starts from here: its data order continues this generator.
    progress_.data_rng = engine::save_rng(data_rng);
    progress_.step_in_epoch = 0;
    progress_.epoch_loss_sum = 0;
    progress_.epoch_errors = 0;
    progress_.epoch_examples = 0;
    progress_.elapsed_seconds = elapsed_before + seconds_since(run_start);
    progress_.last_epoch_line = line.str();
    ++progress_.epoch;
    // Checkpoint, best.h5, results line: each a complete file or line, in this order, so a
    // kill leaves at most a line the next resume appends, or a best.h5 it rewrites.
    checkpoint();
    fault("checkpoint", r.epoch);
    if (r.tested) {
      keep_best();
      fault("best", r.epoch);
    }
    append_result(line);
    fault("results-line", r.epoch);
    observer.on_epoch(r);
  }

  TrainResult result{progress_.best_epoch, progress_.best_val_error, progress_.test_error_at_best,
                     defaults_.metric, elapsed_before + seconds_since(run_start), progress_.global_step, false};
  const std::string m = metric_key(defaults_.metric);
  Json line = result_header();
  line.add("type", "result").add("metric", m).add("best_epoch", result.best_epoch).add("best_val_" + m, result.best_val_error).add("test_" + m + "_at_best_val", result.test_error_at_best_val).add("epochs", config_.epochs).add("global_step", progress_.global_step).add("train_seconds", result.seconds).add("peak_rss_mb", peak_rss_mb());
  if (comm_) {
    // Honest evidence that no rank drifted: every rank's hash of its whole state.
    const std::vector<uint64_t> hashes = all_gather(state_hash(session_.state()), *comm_);
    std::string list;
    bool identical = true;
    for (uint64_t h : hashes) {
      char hex[20];
      std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
      list.append(list.empty() ? "" : ",").append(hex);
      identical = identical && h == hashes.front();
    }
    line.add("rank_state_hashes", list).add("ranks_identical", identical);
  }
  append_result(line);
  return result;
}

}  // namespace laq::train
