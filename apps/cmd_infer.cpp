// laq infer: a packed model evaluated on its experiment's test set straight from its codes
// (train/packed_net.h), then, for comparison, through the float path of `laq inspect
// --evaluate` (the codes decoded into float32 weights and the ordinary layers).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>

#include "apps/commands.h"
#include "apps/options.h"
#include "engine/autograd.h"
#include "engine/error.h"
#include "engine/losses.h"
#include "engine/packed_matmul.h"
#include "engine/threads.h"
#include "layers/lstm.h"
#include "train/experiment.h"
#include "train/packed_lstm.h"
#include "train/packed_model.h"
#include "train/packed_net.h"
#include "train/session.h"

namespace laq::apps {
namespace {

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_maxrss) / 1024.0;  // Linux reports kilobytes
}

int64_t argmax(const float* row, int64_t n) { return std::max_element(row, row + n) - row; }

// The char LSTM: the packed recurrence over every test window (zero state per window, as the
// float evaluation does), its mean cross-entropy, then the float path on the same batches.
int infer_lstm(const std::string& model, const std::string& data_dir, int64_t batch, int64_t threads, bool compare) {
  const train::PackedCharLstm net = train::PackedCharLstm::load(model);
  train::RunConfig config = net.config();
  if (!data_dir.empty()) config.data_dir = data_dir;
  if (batch == 0) batch = config.batch;
  if (threads == 0) threads = config.threads;
  config.threads = threads;
  engine::set_threads(static_cast<int>(threads));
  const train::ClassificationData data = train::load_data(config);
  const train::LabeledSet& test = data.test;
  const int64_t T = test.targets_per_example, V = net.vocab();
  const int64_t steps = test.x.dim(0) / batch;
  if (steps == 0)
    throw Error("the test set of " + config.data_dir + " has " + std::to_string(test.x.dim(0)) +
                " windows, fewer than one batch of " + std::to_string(batch));
  std::vector<float> scores;
  double total = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int64_t s = 0; s < steps; ++s) {
    const std::vector<int32_t> tokens = layers::token_ids(test.x.rows(s * batch, (s + 1) * batch), V, model);
    const engine::Tensor out = net.forward(tokens, batch, T);
    total += engine::softmax_cross_entropy(engine::constant(out), std::span(test.y).subspan(s * batch * T, batch * T))
                 ->value[0];
    scores.insert(scores.end(), out.data(), out.data() + out.numel());
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double packed_peak = peak_rss_mb();
  const int64_t float_bytes = [&] {
    const train::PackedModelContents c = train::read_packed_model(model);
    int64_t b = 0;
    for (const auto& [name, t] : c.quantized) b += t.info.float_bytes;
    for (const auto& [name, t] : c.floats) b += t.numel() * int64_t(sizeof(float));
    return b;
  }();
  std::printf("%s: %s, method %s, codes run on the %s kernels\n", model.c_str(), config.experiment.c_str(),
              config.method.c_str(), engine::kernel_path_name(engine::best_kernel_path()));
  std::printf("resident weights: %lld bytes packed vs %lld as float32 (%.1fx smaller)\n",
              (long long)net.resident_weight_bytes(), (long long)float_bytes,
              double(float_bytes) / double(net.resident_weight_bytes()));
  std::printf("test cross_entropy of the packed model: %.4f nats (%lld windows of %lld, batch %lld, %lld threads, %.2f s)\n",
              total / double(steps), (long long)(steps * batch), (long long)T, (long long)batch, (long long)threads,
              seconds);
  std::printf("peak memory of the packed evaluation: %.1f MB (getrusage, data set included)\n", packed_peak);
  if (!compare) return 0;
  train::Session session = train::make_session(config);
  train::load_packed_model(model, session);
  double float_total = 0, largest = 0;
  int64_t differing = 0;
  for (int64_t s = 0; s < steps; ++s) {
    const engine::Var out = session.model->forward(engine::constant(test.x.rows(s * batch, (s + 1) * batch)), false);
    float_total +=
        engine::softmax_cross_entropy(out, std::span(test.y).subspan(s * batch * T, batch * T))->value[0];
    for (int64_t i = 0; i < batch * T; ++i) {
      const float* f = out->value.data() + i * V;
      const float* p = scores.data() + (s * batch * T + i) * V;
      if (argmax(f, V) != argmax(p, V)) ++differing;
      for (int64_t k = 0; k < V; ++k) largest = std::max(largest, double(std::fabs(f[k] - p[k])));
    }
  }
  std::printf(
      "float path (laq inspect --evaluate): test cross_entropy %.4f nats; predictions differing: %lld of %lld; "
      "largest score difference %.3g\n",
      float_total / double(steps), (long long)differing, (long long)(steps * batch * T), largest);
  return 0;
}

}  // namespace

int run_infer(int argc, char** argv) {
  std::string model, data_dir;
  int64_t batch = 0, threads = 0;
  bool compare = true;
  po::options_description o("laq infer options");
  o.add_options()("help,h", "show this help")("model", po::value(&model)->required(), "a packed model written by laq export")("data", po::value(&data_dir), "dataset folder (default: the run's)")("batch", po::value(&batch), "examples per forward pass (default: the run's batch)")("threads", po::value(&threads), "threads (default: the run's)")("no-compare", "skip the float path (its weights are the float32 copy this command otherwise avoids)");
  po::variables_map vm;
  if (!parse_or_help(argc, argv, o, vm, "usage: laq infer --model MODEL.h5 [--data DIR] [--batch N] [--threads N]"))
    return 0;
  if (vm.count("batch")) require(batch >= 1, "batch", batch, "must be at least 1");
  if (vm.count("threads")) require(threads >= 1, "threads", threads, "must be at least 1");
  compare = !vm.count("no-compare");

  if (train::experiment_network(train::read_packed_model_config(model).experiment) == train::Network::char_lstm)
    return infer_lstm(model, data_dir, batch, threads, compare);
  const train::PackedNet net = train::PackedNet::load(model);
  train::RunConfig config = net.config();
  if (!data_dir.empty()) config.data_dir = data_dir;
  if (batch == 0) batch = config.batch;
  if (threads == 0) threads = config.threads;
  config.threads = threads;
  engine::set_threads(static_cast<int>(threads));
  const auto& e = train::experiment(config.experiment);
  const train::ClassificationData data = train::load_data(config);
  const train::LabeledSet& test = data.test;
  const int64_t steps = test.x.dim(0) / batch, n = steps * batch;
  if (steps == 0)
    throw Error("the test set of " + config.data_dir + " has " + std::to_string(test.x.dim(0)) +
                " examples, fewer than one batch of " + std::to_string(batch));

  // The packed path first, so that the peak memory it reports never saw a float weight.
  std::vector<float> scores;
  int64_t classes = 0, errors = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int64_t s = 0; s < steps; ++s) {
    const engine::Tensor out = net.forward(test.x.rows(s * batch, (s + 1) * batch));
    classes = out.dim(1);
    errors += engine::count_errors(out, std::span(test.y).subspan(s * batch, batch));
    scores.insert(scores.end(), out.data(), out.data() + out.numel());
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double packed_peak = peak_rss_mb();
  std::printf("%s: %s, method %s, codes run on the %s kernels\n", model.c_str(), config.experiment.c_str(),
              config.method.c_str(), engine::kernel_path_name(engine::best_kernel_path()));
  std::printf("resident weights: %lld bytes packed vs %lld as float32 (%.1fx smaller)\n",
              (long long)net.resident_weight_bytes(), (long long)net.float_weight_bytes(),
              double(net.float_weight_bytes()) / double(net.resident_weight_bytes()));
  std::printf("test %s of the packed model: %s (%lld examples, batch %lld, %lld threads, %.2f s)\n",
              train::metric_key(e.metric), train::format_metric(e.metric, 100.0 * double(errors) / double(n)).c_str(),
              (long long)n, (long long)batch, (long long)threads, seconds);
  std::printf("peak memory of the packed evaluation: %.1f MB (getrusage, data set included)\n", packed_peak);
  if (!compare) return 0;

  train::Session session = train::make_session(config);
  train::load_packed_model(model, session);
  int64_t float_errors = 0, differing = 0;
  double largest = 0;
  for (int64_t s = 0; s < steps; ++s) {
    const engine::Var out = session.model->forward(engine::constant(test.x.rows(s * batch, (s + 1) * batch)), false);
    float_errors += engine::count_errors(out->value, std::span(test.y).subspan(s * batch, batch));
    for (int64_t i = 0; i < batch; ++i) {
      const float* f = out->value.data() + i * classes;
      const float* p = scores.data() + (s * batch + i) * classes;
      if (argmax(f, classes) != argmax(p, classes)) ++differing;
      for (int64_t k = 0; k < classes; ++k) largest = std::max(largest, double(std::fabs(f[k] - p[k])));
    }
  }
  std::printf(
      "float path (laq inspect --evaluate): test %s %s; predictions differing: %lld of %lld; "
      "largest score difference %.3g\n",
      train::metric_key(e.metric),
      train::format_metric(e.metric, 100.0 * double(float_errors) / double(n)).c_str(), (long long)differing,
      (long long)n, largest);
  return 0;
}

}  // namespace laq::apps
