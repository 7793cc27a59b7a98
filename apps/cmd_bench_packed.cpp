// laq bench --packed MODEL.h5: the forward pass of a packed model run from its codes
// (train/packed_net.h) and of the same model through the float layers, at one batch size,
// timed in the same run, as one JSON line. For a char LSTM: one generated character.
#include <algorithm>
#include <chrono>
#include <iostream>

#include "apps/bench_packed.h"
#include "apps/commands.h"
#include "engine/autograd.h"
#include "engine/packed_matmul.h"
#include "engine/rng.h"
#include "engine/threads.h"
#include "layers/lstm.h"
#include "train/experiment.h"
#include "train/float_char_lstm.h"
#include "train/json.h"
#include "train/packed_lstm.h"
#include "train/packed_model.h"
#include "train/packed_net.h"
#include "train/session.h"

namespace laq::apps {
namespace {

double percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double pos = q * double(v.size() - 1);
  const size_t i = static_cast<size_t>(pos);
  return i + 1 < v.size() ? v[i] + (pos - double(i)) * (v[i + 1] - v[i]) : v[i];
}

template <typename F>
std::vector<double> time_ms(int64_t warmup, int64_t steps, F&& forward) {
  using Clock = std::chrono::steady_clock;
  std::vector<double> ms;
  for (int64_t i = 0; i < warmup + steps; ++i) {
    const auto t0 = Clock::now();
    forward();
    if (i >= warmup) ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  return ms;
}

// The char LSTM: one generated character (one step of the recurrence and the softmax layer's
// logits, batch 1) packed and float; the float step carries h and c as the sampler would.
int bench_packed_lstm(const std::string& file, int64_t threads, int64_t steps, int64_t warmup) {
  const train::PackedCharLstm net = train::PackedCharLstm::load(file);
  train::RunConfig config = net.config();
  config.threads = threads;
  train::PackedCharLstm::State state = net.initial_state();
  std::vector<float> logits;
  int32_t token = 0;
  const std::vector<double> packed = time_ms(warmup, steps, [&] {
    net.step(token, state, logits);
    token = static_cast<int32_t>((token + 1) % net.vocab());
  });
  train::Session session = train::make_session(config);
  train::load_packed_model(file, session);
  train::FloatCharLstm float_net(*session.model);
  token = 0;
  const std::vector<double> full = time_ms(warmup, steps, [&] {
    float_net.step(token, logits);
    token = static_cast<int32_t>((token + 1) % net.vocab());
  });
  train::Json j;
  j.add("bench", "sample_step").add("engine", "laq").add("model", file).add("experiment", config.experiment).add("method", config.method).add("batch", int64_t{1}).add("threads", threads).add("steps", steps).add("kernels", engine::kernel_path_name(engine::best_kernel_path())).add("packed_median_ms", percentile(packed, 0.5)).add("packed_p10_ms", percentile(packed, 0.1)).add("packed_p90_ms", percentile(packed, 0.9)).add("float_median_ms", percentile(full, 0.5)).add("float_p10_ms", percentile(full, 0.1)).add("float_p90_ms", percentile(full, 0.9)).add("speedup", percentile(full, 0.5) / percentile(packed, 0.5)).add("packed_weight_bytes", net.resident_weight_bytes());
  std::cout << j.str() << std::endl;
  return 0;
}

}  // namespace

int bench_packed(const std::string& file, int64_t batch, int64_t threads, int64_t steps, int64_t warmup) {
  engine::set_threads(static_cast<int>(threads));
  if (train::experiment_network(train::read_packed_model_config(file).experiment) == train::Network::char_lstm) {
    if (batch != 1) throw UsageError("the argument for option '--batch' is invalid: a char LSTM is timed per generated character, at batch 1");
    return bench_packed_lstm(file, threads, steps, warmup);
  }
  const train::PackedNet net = train::PackedNet::load(file);
  train::RunConfig config = net.config();
  config.threads = threads;
  engine::Tensor x(train::input_shape(train::experiment_network(config.experiment), batch));
  engine::Rng rng(7);
  for (float& v : x.span()) v = static_cast<float>(engine::uniform01(rng) - 0.5);

  const std::vector<double> packed = time_ms(warmup, steps, [&] { net.forward(x); });
  train::Session session = train::make_session(config);
  train::load_packed_model(file, session);
  const std::vector<double> full = time_ms(warmup, steps, [&] {
    session.model->forward(engine::constant(x), false);
  });

  train::Json j;
  j.add("bench", "forward").add("engine", "laq").add("model", file).add("experiment", config.experiment).add("method", config.method).add("batch", batch).add("threads", threads).add("steps", steps).add("kernels", engine::kernel_path_name(engine::best_kernel_path())).add("packed_median_ms", percentile(packed, 0.5)).add("packed_p10_ms", percentile(packed, 0.1)).add("packed_p90_ms", percentile(packed, 0.9)).add("float_median_ms", percentile(full, 0.5)).add("float_p10_ms", percentile(full, 0.1)).add("float_p90_ms", percentile(full, 0.9)).add("speedup", percentile(full, 0.5) / percentile(packed, 0.5)).add("packed_weight_bytes", net.resident_weight_bytes()).add("float_weight_bytes", net.float_weight_bytes());
  std::cout << j.str() << std::endl;
  return 0;
}

}  // namespace laq::apps
