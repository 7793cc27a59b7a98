// The character-level LSTM of docs/algorithms.md §3.6 at its training size: one layer of 512 units,
// vocabulary 100, batch 100, 100 time steps.
//   BM_LstmForward            the fused op forward (token input)
//   BM_LstmForwardBackward    the fused op forward + backward (upstream gradient given)
//   BM_CharLstmStep           the whole model: forward, 512->100 softmax layer over all 10,000
//                             positions, mean cross-entropy, backward (no optimizer step)
//   BM_CharLstmTrainStep      the same plus zeroing the gradients and one Adam step over the
//                             parameter arena: the identical step to bench/pytorch_lstm_step.py
//
//   build/bench/lstm_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only
//   OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 bench/pytorch_lstm_step.py
//
// Times are wall-clock; OpenBLAS uses its default thread count unless OPENBLAS_NUM_THREADS says.
// The CPU column is the main thread's only. On a shared machine compare with
// OPENBLAS_NUM_THREADS=1 and `pytorch_lstm_step.py --threads 1` as well, where CPU time is the
// whole work. Measured 2026-11-27 on the shared 2-core box (load average 4-5, so every wall
// time moves by +-30%; alternating runs, medians):
//   1 thread:  laq ~650 ms CPU vs PyTorch ~1000 ms CPU (ratio ~0.65; Step and TrainStep
//              are equal within the noise: Adam over 1.3M parameters is ~1 ms)
//   2 threads: laq ~1150 ms wall vs PyTorch ~1500 ms wall (ratios 0.52-0.84, median ~0.79)
// Debian's OpenBLAS picks its Haswell kernels on this AMD CPU (OPENBLAS_CORETYPE=SkylakeX
// changes that for both engines, PyTorch's GEMMs being OpenBLAS's too).
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "engine/lstm.h"
#include "engine/threads.h"
#include "layers/lstm.h"
#include "optim/adam.h"
#include "optim/arena.h"

namespace {

using laq::engine::Tensor;
using laq::engine::Var;

constexpr int64_t kBatch = 100, kSteps = 100, kVocab = 100, kHidden = 512;

void fill_uniform(Tensor& t, float bound, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-bound, bound);
  for (float& v : t.span()) v = u(rng);
}

std::vector<int32_t> tokens(uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<int32_t> t(kBatch * kSteps);
  for (auto& x : t) x = static_cast<int32_t>(rng() % kVocab);
  return t;
}

void init_model(laq::layers::CharLstmModel& m) {
  uint32_t seed = 1;
  for (auto* p : m.parameters()) fill_uniform(p->latent, 0.08f, seed++);
}

void counters(benchmark::State& state) {
  state.counters["threads"] = laq::engine::threads();
  // h·W_h forward: 2*B*T*H*4H multiply-adds x 2.
  state.counters["recurrent_GFLOP"] = 2.0 * kBatch * kSteps * kHidden * 4 * kHidden / 1e9;
}

void BM_LstmForward(benchmark::State& state) {
  laq::layers::LSTM lstm("lstm", kVocab, kHidden);
  for (auto* p : lstm.parameters()) fill_uniform(p->latent, 0.08f, 3);
  const auto x = tokens(7);
  for (auto _ : state) benchmark::DoNotOptimize(lstm.forward_tokens(x, kBatch, kSteps));
  counters(state);
}

void BM_LstmForwardBackward(benchmark::State& state) {
  laq::layers::LSTM lstm("lstm", kVocab, kHidden);
  for (auto* p : lstm.parameters()) fill_uniform(p->latent, 0.08f, 3);
  const auto x = tokens(7);
  Tensor dh({kSteps, kBatch, kHidden});
  fill_uniform(dh, 0.01f, 9);
  for (auto _ : state) {
    const Var h = lstm.forward_tokens(x, kBatch, kSteps);
    h->grad = dh;
    h->backward(*h);
    benchmark::DoNotOptimize(lstm.wh[0]->grad.data());
  }
  counters(state);
}

void BM_CharLstmStep(benchmark::State& state) {
  laq::layers::CharLstmModel model(kVocab, kHidden);
  init_model(model);
  const auto x = tokens(7), y = tokens(8);
  for (auto _ : state) {
    for (auto* p : model.parameters()) p->grad.fill(0.0f);
    const Var loss = model.loss(x, y, kBatch, kSteps);
    laq::engine::backward(loss);
    benchmark::DoNotOptimize(loss->value.data());
  }
  counters(state);
}

void BM_CharLstmTrainStep(benchmark::State& state) {
  laq::layers::CharLstmModel model(kVocab, kHidden);
  init_model(model);
  laq::optim::ParameterArena arena({{"all", model.parameters()}});
  laq::optim::Adam adam("adam", arena.values(), arena.grads());
  const auto x = tokens(7), y = tokens(8);
  for (auto _ : state) {
    arena.zero_grads();
    const Var loss = model.loss(x, y, kBatch, kSteps);
    laq::engine::backward(loss);
    adam.step(0.002f);
    benchmark::DoNotOptimize(loss->value.data());
  }
  counters(state);
}

}  // namespace

BENCHMARK(BM_LstmForward)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);
BENCHMARK(BM_LstmForwardBackward)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(3.0);
BENCHMARK(BM_CharLstmStep)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(3.0);
BENCHMARK(BM_CharLstmTrainStep)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(3.0);
