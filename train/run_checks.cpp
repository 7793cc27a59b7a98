#include "train/run_checks.h"

#include <cmath>
#include <sstream>

#include "engine/threads.h"
#include "optim/schedule.h"
#include "quant/method.h"
#include "train/experiment.h"

namespace laq::train {
namespace {

template <typename T>
void require(bool ok, const char* option, const T& value, const std::string& why) {
  if (ok) return;
  std::ostringstream v;
  v << value;
  throw OptionError(option, v.str(), why);
}

bool finite_positive(double v) { return std::isfinite(v) && v > 0; }

}  // namespace

bool experiment_takes_val_size(const std::string& name) { return experiment(name).val_size > 0; }

bool experiment_has_batch_norm(const std::string& name) { return experiment_network(name) != Network::char_lstm; }

void check_run_config(const RunConfig& c) {
  try {
    experiment(c.experiment);
  } catch (const Error& e) {
    throw OptionError("experiment", c.experiment, e.what());
  }
  quant::Method method;
  try {
    method = quant::parse_method(c.method);
  } catch (const Error& e) {
    throw OptionError("method", c.method, e.what());
  }
  // Methods without a bit width ignore the stored value (3 by default).
  if (quant::traits(method).needs_bits) {
    const std::string why = quant::bits_problem(method, c.bits);
    require(why.empty(), "bits", c.bits, why);
  }
  require(c.epochs >= 1, "epochs", c.epochs, "must be at least 1");
  require(c.batch >= 1, "batch", c.batch, "must be at least 1");
  require(c.batch >= 2 || !experiment_has_batch_norm(c.experiment), "batch", c.batch,
          "batch norm needs at least 2 examples per batch (one example normalises to zero)");
  require(finite_positive(c.lr), "lr", c.lr, "must be a finite positive number");
  require(finite_positive(c.lr_decay), "lr-decay", c.lr_decay, "must be a finite positive number");
  try {
    optim::Schedule::parse(c.schedule, 1.0f, 1.0f);
  } catch (const Error& e) {
    throw OptionError("schedule", c.schedule, e.what());
  }
  require(c.optimizer == "adam" || c.optimizer == "sgd", "optimizer", c.optimizer, "expected adam or sgd");
  require(c.batch_norm == "binary-connect" || c.batch_norm == "variance", "batch-norm", c.batch_norm,
          "expected binary-connect or variance");
  require(c.threads >= 1 && c.threads <= engine::kMaxThreads, "threads", c.threads,
          "must be in 1.." + std::to_string(engine::kMaxThreads));
  require(c.checkpoint_every >= 0, "checkpoint-every", c.checkpoint_every, "must not be negative (0: at epoch ends only)");
  require(c.steps_per_epoch >= 0, "steps-per-epoch", c.steps_per_epoch, "must not be negative (0: all)");
  require(c.train_size >= 0, "train-size", c.train_size, "must not be negative (0: all)");
  if (experiment_takes_val_size(c.experiment))
    require(c.val_size >= 1, "val-size", c.val_size,
            "must be at least 1: the best epoch is chosen on the validation set");
  else
    require(c.val_size == 0, "val-size", c.val_size, c.experiment + " has its own validation split");
  require(!c.per_channel || experiment_network(c.experiment) != Network::char_lstm || c.method == "fpn", "per-channel",
          "true", "the LSTM's gate matrices keep their outputs along columns; use per-tensor scales");
  require(!c.per_channel || !quant::traits(method).scales_trained_by_gradient, "per-channel", "true",
          c.method + " trains one pair of scales per tensor; use per-tensor scales");
  require(c.vocab >= 0, "vocab", c.vocab, "must not be negative");
}

}  // namespace laq::train
