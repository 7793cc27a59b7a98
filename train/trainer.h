#pragma once
// The epoch loop of docs/algorithms.md §3.1: a fresh permutation each epoch, floor(N/B) steps, validation
// every epoch, the test set evaluated whenever validation error <= the best so far (ties go to
// the later epoch), the learning rate changed after the epoch's evaluation.
//
// Files under config.out_dir: results.jsonl (one line per epoch, one final line),
// checkpoint.h5 (every epoch end and every `checkpoint_every` steps), from which
// `laq train --resume` continues to bit-identical weights, and best.h5 (a copy of the best
// validation epoch's end checkpoint). An epoch ends by writing checkpoint.h5, then best.h5,
// then its results line; a resume repairs what a kill between them left (train/run_folder.h). A resumed run writes beside the
// checkpoint it resumes from: the out_dir stored in the file is replaced by that folder, never
// used as a place to write (a copied or crafted checkpoint could name any folder).
#include <filesystem>
#include <functional>
#include <string>

#include "train/checkpoint.h"
#include "train/communicator.h"
#include "train/experiment.h"
#include "train/json.h"
#include "train/run_config.h"
#include "train/session.h"

namespace laq::train {

// The metric (error in percent, or mean cross-entropy per target) of the session's current
// (quantized) weights on a set, with batch-norm running statistics, in order: every example
// exactly once, in ceil(N/B) batches (the last one smaller), then the set's tail window.
// This deviates from the authors' code, which drops the remainder (docs/algorithms.md §3.1, §3.5:
// SVHN's last 32 test images); with B dividing N the numbers are theirs, bit for bit. Throws on an
// empty set. With a communicator of K ranks, each rank evaluates every K-th batch and the
// totals are summed, so every rank returns the same number.
double evaluate(Session& session, const LabeledSet& set, int64_t batch, const ExperimentDefaults& experiment,
                Communicator* comm = nullptr);
// The examples `idx` of a set as one batch: rows of x, and their targets in the same order.
void gather_batch(const LabeledSet& set, std::span<const int64_t> idx, engine::Tensor& x, std::vector<int32_t>& y);

struct StepReport {
  int64_t epoch, epochs, step, steps;
  double mean_loss;  // over the epoch so far
  double steps_per_second;
  double eta_seconds;  // to the end of the epoch
};

struct EpochReport {
  int64_t epoch;
  // *_error hold the experiment's metric: error in percent, or cross-entropy in nats.
  double lr, train_loss, train_error, val_error, test_error, best_val_error, test_error_at_best;
  Metric metric;
  bool tested;  // this epoch improved (or tied) validation
  double seconds;
};

// Nothing below apps/ prints: the trainer tells an observer, which the app implements.
struct TrainObserver {
  virtual ~TrainObserver() = default;
  virtual void on_step(const StepReport&) {}
  virtual void on_epoch(const EpochReport&) {}
  virtual void on_note(const std::string&) {}
};

struct TrainResult {
  int64_t best_epoch;
  double best_val_error, test_error_at_best_val;  // the experiment's metric
  Metric metric;
  double seconds;
  int64_t global_step;
  bool interrupted;  // stopped by stop_after_steps
};

class Trainer {
 public:
  // A new run; `resume_from` (if not empty) continues the checkpointed run instead.
  explicit Trainer(RunConfig config, const std::filesystem::path& resume_from = {});
  TrainResult run(TrainObserver& observer);
  // Makes run() return right after this global step, saving nothing: a kill, for tests.
  void stop_after_steps(int64_t step) { stop_after_steps_ = step; }
  // Tests only (laq train reads it from LAQ_TEST_KILL_AT, docs/robustness.md): called with
  // the point's name and the epoch at each step of an epoch's end, so that a test can kill
  // the process exactly there. Points, in order: "checkpoint" (checkpoint.h5 renamed into
  // place), "best-partial" (best.h5.partial copied, not yet renamed), "best" (best.h5
  // renamed), "results-line" (the epoch's line appended).
  void set_fault_hook(std::function<void(const std::string& point, int64_t epoch)> hook) { fault_ = std::move(hook); }
  // A resumed run may continue on a machine with another core count. Results stay
  // reproducible for a given count, so a change of count can change the last bits.
  void set_threads(int64_t count);
  // Data-parallel training over comm's ranks (train/data_parallel.h): every rank constructs
  // the same Trainer and calls run(); rank 0 alone writes results and checkpoints. Throws
  // when the batch does not split evenly over the ranks.
  void set_data_parallel(Communicator& comm);

  Session& session() { return session_; }
  const RunConfig& config() const { return config_; }
  const ClassificationData& data() const { return data_; }
  double evaluate(const LabeledSet& set) { return train::evaluate(session_, set, config_.batch, defaults_, comm_); }

 private:
  double train_step(const engine::Tensor& x, std::span<const int32_t> y, int64_t& errors);
  void checkpoint();
  void keep_best();
  // Throws laq::Error saying what went non-finite and which checkpoint survives.
  [[noreturn]] void diverged(const std::string& what) const;
  void require_finite_state() const;
  Json result_header() const;
  void append_result(const Json& line) const;

  RunConfig config_;
  ExperimentDefaults defaults_;
  ClassificationData data_;
  Session session_;
  Progress progress_;
  std::filesystem::path out_dir_;
  int64_t stop_after_steps_ = 0;
  bool resumed_ = false;
  std::function<void(const std::string&, int64_t)> fault_;
  void fault(const char* point, int64_t epoch) const {
    if (fault_) fault_(point, epoch);
  }
  int64_t saved_step_ = -1;       // the global step the checkpoint on disk holds; -1: none yet
  Communicator* comm_ = nullptr;  // data-parallel; null: a single process
  bool writes_files() const { return !comm_ || comm_->rank() == 0; }
};

// Versions and machine facts recorded with every result; `ranks`: processes sharing each batch.
Json environment_json(const RunConfig& config, int ranks = 1);

}  // namespace laq::train
