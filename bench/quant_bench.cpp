// Per-tensor cost of the solvers that run every training step, on a CIFAR-sized tensor:
// 4,194,304 weights ~ U(-1, 1), curvature |N(0, 1)| * 1e-3.
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>
#include <vector>

#include "optim/quant_threads.h"
#include "quant/alternating.h"
#include "quant/fast/histogram.h"
#include "quant/quantize.h"
#include "quant/ternary_exact.h"

namespace {

using namespace laq::quant;

// The solvers split large tensors over the engine's threads, as in training.
const bool kEngineThreads = (laq::optim::lend_engine_threads_to_quant(), true);

struct Tensor {
  std::vector<float> w, d, v, warm, out;
  Tensor() {
    const std::size_t n = std::size_t{1} << 22;
    std::mt19937 rng(42);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    w.resize(n), d.resize(n), warm.resize(n), out.resize(n);
    for (std::size_t i = 0; i < n; ++i) w[i] = u(rng), d[i] = std::fabs(normal(rng)) * 1e-3f + 1e-8f;
    v.resize(n);  // a second moment whose root is (nearly) d, for the quantize stage's path
    for (std::size_t i = 0; i < n; ++i) v[i] = (d[i] - 1e-8f) * (d[i] - 1e-8f);
    // A warm start near the answer, as in training: the previous step's LAT-e output of
    // slightly different weights.
    std::vector<float> earlier = w;
    for (auto& x : earlier) x += 0.01f * u(rng);
    lat_exact(earlier, d, warm);
  }
};

const Tensor& tensor() {
  static const Tensor t;
  return t;
}

void BM_lat_e_histogram(benchmark::State& state) {
  auto& t = const_cast<Tensor&>(tensor());
  for (auto _ : state) benchmark::DoNotOptimize(lat_exact(t.w, t.d, t.out));
}
// What the quantize stage runs: d read as sqrt(v) + 1e-8 on the fly (no d pass).
void BM_lat_e_stage_path(benchmark::State& state) {
  auto& t = const_cast<Tensor&>(tensor());
  const Curvature d = Curvature::root(t.v, 1e-8f);
  for (auto _ : state) benchmark::DoNotOptimize(lat_exact(t.w, d, t.out));
}
// The histogram pass of lat-e alone (one thread, one partial over the whole tensor, 8,192
// bins): the scattered (d|w|, d) additions every exact ternary solve pays per weight.
void BM_histogram_pass(benchmark::State& state) {
  auto& t = const_cast<Tensor&>(tensor());
  const histogram::Grid grid = histogram::Grid::over(1.0, 8192);
  histogram::SignedPartial part;
  const float* v = t.v.data();
  for (auto _ : state) {
    part.reset(grid, false);
    histogram::accumulate(part, grid, t.w.data(), t.w.size(), [v](std::size_t i) { return std::sqrt(v[i]) + 1e-8f; });
    benchmark::DoNotOptimize(part.sums.data());
  }
  state.counters["ns_per_weight"] =
      benchmark::Counter(double(t.w.size()) * double(state.iterations()), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}
void BM_lat_e_sorted(benchmark::State& state) {
  auto& t = const_cast<Tensor&>(tensor());
  for (auto _ : state) benchmark::DoNotOptimize(lat_exact_sorted(t.w, t.d, t.out));
}
void BM_lat_e_code_faithful(benchmark::State& state) {
  auto& t = const_cast<Tensor&>(tensor());
  for (auto _ : state) benchmark::DoNotOptimize(lat_exact(t.w, t.d, t.out, true));
}
void BM_lat_a(benchmark::State& state) {
  auto& t = const_cast<Tensor&>(tensor());
  for (auto _ : state) benchmark::DoNotOptimize(lat_alternating(t.w, t.d, t.warm, t.out, Options{}));
}
void BM_lat2_e(benchmark::State& state) {
  auto& t = const_cast<Tensor&>(tensor());
  for (auto _ : state) benchmark::DoNotOptimize(lat2_exact(t.w, t.d, t.out));
}
void BM_laq_linear_3bit(benchmark::State& state) {
  auto& t = const_cast<Tensor&>(tensor());
  Options options;
  options.bits = 3;
  for (auto _ : state) benchmark::DoNotOptimize(laq_linear(t.w, t.d, t.warm, t.out, options));
}

#define LAQ_QUANT_BENCH(f) BENCHMARK(f)->Unit(benchmark::kMillisecond)->Repetitions(5)->ReportAggregatesOnly(true)
LAQ_QUANT_BENCH(BM_lat_e_histogram);
LAQ_QUANT_BENCH(BM_lat_e_stage_path);
LAQ_QUANT_BENCH(BM_histogram_pass);
LAQ_QUANT_BENCH(BM_lat_e_sorted);
LAQ_QUANT_BENCH(BM_lat_e_code_faithful);
LAQ_QUANT_BENCH(BM_lat_a);
LAQ_QUANT_BENCH(BM_lat2_e);
LAQ_QUANT_BENCH(BM_laq_linear_3bit);

}  // namespace
