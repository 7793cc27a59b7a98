// The convolution path of the CIFAR-10 VGG-like net (docs/algorithms.md §3.3) at batch 50: each of the six
// 3x3 convs forward, and forward + backward (dW always; dX for all but the first, whose input
// is data); im2col alone over the batch; and the whole net's forward + backward (no optimizer
// step) built from the layers, to compare with bench/pytorch_vgg_step.py.
//
//   build-conv/bench/conv_bench --benchmark_repetitions=3 --benchmark_report_aggregates_only
//
// Times are wall-clock (OpenBLAS runs its own threads); the machine's thread count is the
// OpenBLAS default unless OPENBLAS_NUM_THREADS says otherwise. On a shared machine, compare
// with OPENBLAS_NUM_THREADS=1, where the CPU column is the work done (all of it on one thread).
//
// Two settings of the environment matter a lot here (measured 2026-11 on the 2-core Zen 4 box):
//   OPENBLAS_CORETYPE=SkylakeX  Debian's OpenBLAS 0.3.21 picks its Haswell (AVX2) kernels on this
//                               AMD CPU; the AVX-512 ones make the convs ~1.5x faster.
//   GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967295
//                               keeps the freed activation buffers in the heap instead of
//                               returning them to the kernel; page faults otherwise cost ~25%
//                               of the whole-net step.
#include <benchmark/benchmark.h>

#include <random>
#include <vector>

#include "engine/conv2d.h"
#include "engine/im2col.h"
#include "engine/losses.h"
#include "engine/threads.h"
#include "layers/batch_norm.h"
#include "layers/conv2d.h"
#include "layers/flatten.h"
#include "layers/linear.h"
#include "layers/max_pool.h"
#include "layers/relu.h"
#include "layers/sequential.h"

namespace {

using laq::engine::Tensor;
using laq::engine::Var;

constexpr int64_t kBatch = 50;
struct ConvShape {
  int64_t cin, cout, size;
};
constexpr ConvShape kConvs[] = {{3, 128, 32}, {128, 128, 32}, {128, 256, 16}, {256, 256, 16}, {256, 512, 8}, {512, 512, 8}};

Tensor random_tensor(laq::engine::Shape shape, uint64_t seed) {
  std::mt19937 rng(static_cast<uint32_t>(seed));
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  Tensor t(std::move(shape));
  for (float& v : t.span()) v = u(rng);
  return t;
}

constexpr laq::engine::ConvAlgorithm kAlgorithms[] = {laq::engine::ConvAlgorithm::automatic,
                                                      laq::engine::ConvAlgorithm::im2col,
                                                      laq::engine::ConvAlgorithm::winograd};
constexpr const char* kAlgorithmNames[] = {"auto", "im2col", "winograd"};

void label(benchmark::State& state, const ConvShape& c) {
  state.SetLabel(std::to_string(c.cin) + "->" + std::to_string(c.cout) + " " + std::to_string(c.size) +
                 "x" + std::to_string(c.size) + " " + kAlgorithmNames[state.range(1)]);
  state.counters["threads"] = laq::engine::threads();
  // Multiply-adds x 2 of the forward product.
  state.counters["fwd_GFLOP"] = 2.0 * kBatch * c.cout * c.cin * 9 * c.size * c.size / 1e9;
}

void BM_ConvForward(benchmark::State& state) {
  const ConvShape c = kConvs[state.range(0)];
  const Var x = laq::engine::constant(random_tensor({kBatch, c.cin, c.size, c.size}, 1));
  const Var w = laq::engine::constant(random_tensor({c.cout, c.cin, 3, 3}, 2));
  const auto algorithm = kAlgorithms[state.range(1)];
  for (auto _ : state) benchmark::DoNotOptimize(laq::engine::conv2d(x, w, 1, 1, algorithm));
  label(state, c);
}

void BM_ConvForwardBackward(benchmark::State& state) {
  const ConvShape c = kConvs[state.range(0)];
  const Tensor xv = random_tensor({kBatch, c.cin, c.size, c.size}, 1);
  const Tensor wv = random_tensor({c.cout, c.cin, 3, 3}, 2);
  Tensor dw(wv.shape());
  const Tensor dy = random_tensor({kBatch, c.cout, c.size, c.size}, 3);
  const auto algorithm = kAlgorithms[state.range(1)];
  for (auto _ : state) {
    // The first layer's input is data: no input gradient, as in training.
    const Var x = c.cin == 3 ? laq::engine::constant(xv) : laq::engine::leaf(xv, Tensor(xv.shape()));
    const Var y = laq::engine::conv2d(x, laq::engine::leaf(wv, dw), 1, 1, algorithm);
    y->grad = dy;
    y->backward(*y);
    benchmark::DoNotOptimize(dw.data());
  }
  label(state, c);
}

void BM_Im2col(benchmark::State& state) {
  const ConvShape c = kConvs[state.range(0)];
  const Tensor x = random_tensor({kBatch, c.cin, c.size, c.size}, 1);
  const auto g = laq::engine::conv_geometry(c.cin, c.size, c.size, 3, 3, 1, 1, "bench");
  std::vector<float> col(static_cast<size_t>(g.rows() * g.cols()));
  for (auto _ : state)
    for (int64_t n = 0; n < kBatch; ++n) {  // every image into the same one-image buffer
      laq::engine::im2col(x.data() + n * c.cin * c.size * c.size, g, col.data(), g.cols());
      benchmark::ClobberMemory();
    }
  state.SetLabel(std::to_string(c.cin) + "->" + std::to_string(c.cout) + " " + std::to_string(c.size) +
                 "x" + std::to_string(c.size));
  state.SetBytesProcessed(state.iterations() * kBatch * g.rows() * g.cols() * 4);
}

// The VGG-like net of docs/algorithms.md §3.3, forward + squared hinge + backward, no optimizer step.
void BM_VggForwardBackward(benchmark::State& state) {
  namespace L = laq::layers;
  L::Sequential net;
  for (int i = 0; i < 6; ++i) {
    const ConvShape c = kConvs[i];
    const std::string id = std::to_string(i + 1);
    net.add<L::Conv2d>("conv" + id, c.cin, c.cout, 3);
    if (i % 2 == 1) net.add<L::MaxPool2d>("pool" + id);
    net.add<L::BatchNorm>("bn" + id, c.cout);
    net.add<L::ReLU>("relu" + id);
  }
  net.add<L::Flatten>("flatten");
  int64_t width = 512 * 4 * 4;
  for (int i = 0; i < 3; ++i) {
    const int64_t units = i < 2 ? 1024 : 10;
    const std::string id = std::to_string(i + 7);
    net.add<L::Linear>("fc" + id, width, units);
    net.add<L::BatchNorm>("bn" + id, units);
    if (i < 2) net.add<L::ReLU>("relu" + id);
    width = units;
  }
  uint64_t seed = 10;
  for (L::Parameter* p : net.parameters())
    if (p->quantizable) p->value.copy_from(random_tensor(p->value.shape(), seed++));
  const Var x = laq::engine::constant(random_tensor({kBatch, 3, 32, 32}, 4));
  std::vector<int32_t> labels(kBatch);
  for (int64_t i = 0; i < kBatch; ++i) labels[i] = static_cast<int32_t>(i % 10);
  for (auto _ : state) {
    const Var loss = laq::engine::squared_hinge(net.forward(x, true), labels);
    laq::engine::backward(loss);
    benchmark::DoNotOptimize(loss->value.data());
  }
  state.counters["threads"] = laq::engine::threads();
}

}  // namespace

// Arguments: layer 0-5, algorithm 0 (automatic), 1 (im2col), 2 (Winograd).
BENCHMARK(BM_ConvForward)->ArgsProduct({{0, 1, 2, 3, 4, 5}, {0, 1, 2}})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ConvForwardBackward)->ArgsProduct({{0, 1, 2, 3, 4, 5}, {0, 1, 2}})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Im2col)->DenseRange(0, 5)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_VggForwardBackward)->Unit(benchmark::kMillisecond)->UseRealTime();
