#include "train/experiment.h"

#include <cstdio>

#include "engine/error.h"

namespace laq::train {

const char* metric_key(Metric metric) { return metric == Metric::error_percent ? "error" : "cross_entropy"; }

std::string format_metric(Metric metric, double value) {
  char buf[32];
  if (metric == Metric::error_percent) std::snprintf(buf, sizeof buf, "%.2f%%", value);
  else std::snprintf(buf, sizeof buf, "%.4f nats", value);
  return buf;
}

engine::BatchNormConfig batch_norm_config(const std::string& form) {
  if (form == "binary-connect") return {engine::BatchNormForm::binary_connect, 1e-4f, 0.1f};
  if (form == "variance") return {engine::BatchNormForm::variance, 1e-5f, 0.1f};
  throw Error("unknown batch-norm form '" + form + "' (known: binary-connect, variance)");
}

int64_t LabeledSet::targets() const {
  return x.dim(0) * targets_per_example + (tail ? tail->targets() : 0);
}

}  // namespace laq::train
