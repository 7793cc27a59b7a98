#pragma once
// Fake results.jsonl files for the `laq table --report` tests, written with the real
// writer (train/json.h) in the layout Trainer uses: config, seed, environment, then the
// epoch or result keys.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "train/json.h"
#include "train/run_config.h"

namespace laq::test {

struct FakeRun {
  std::string experiment = "mnist-mlp", method = "fpn";
  int64_t bits = 3, epochs = 3, seed = 1;
  std::vector<double> val;  // one validation value per epoch line written
  bool finished = true;     // write the result line
  double best_val = 0, test_at_best = 0;
  int64_t best_epoch = 1;
  std::string metric = "error";
};

inline std::string fake_line(const FakeRun& r, const std::string& type, size_t epoch_index) {
  train::RunConfig c;
  c.experiment = r.experiment;
  c.method = r.method;
  c.bits = r.bits;
  c.epochs = r.epochs;
  c.seed = r.seed;
  train::Json config;
  train::visit_fields(c, [&](const char* k, auto& v) { config.add(k, v); });
  train::Json env;
  env.add("laq", "0.1.0").add("threads", 2).add("ranks", 1);
  train::Json j;
  j.add("config", config).add("seed", r.seed).add("environment", env).add("type", type).add("metric", r.metric);
  const std::string& m = r.metric;
  if (type == "epoch") {
    j.add("epoch", static_cast<int64_t>(epoch_index + 1)).add("lr", 0.01).add("train_loss", 0.5).add("val_" + m, r.val[epoch_index]).add_null("test_" + m).add("best_epoch", r.best_epoch).add("best_val_" + m, r.best_val).add("test_" + m + "_at_best_val", r.test_at_best);
  } else {
    j.add("best_epoch", r.best_epoch).add("best_val_" + m, r.best_val).add("test_" + m + "_at_best_val", r.test_at_best).add("epochs", r.epochs);
  }
  return j.str();
}

// Writes dir/results.jsonl (appending, like Trainer).
inline void write_fake_run(const std::filesystem::path& dir, const FakeRun& r) {
  std::filesystem::create_directories(dir);
  std::ofstream f(dir / "results.jsonl", std::ios::app);
  for (size_t e = 0; e < r.val.size(); ++e) f << fake_line(r, "epoch", e) << "\n";
  if (r.finished) f << fake_line(r, "result", 0) << "\n";
}

}  // namespace laq::test
