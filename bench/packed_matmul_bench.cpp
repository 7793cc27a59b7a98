// The packed product (engine/packed_matmul.h) on one MNIST-MLP hidden layer, 2048 x 2048,
// against the float product of the same (decoded) weights through OpenBLAS, at batch 1 and 8.
// Arguments: {batch, path} (0 portable, 1 avx2, 2 avx512; unsupported paths are skipped).
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <random>
#include <vector>

#include "engine/packed_matmul.h"

namespace {

using namespace laq::engine;

constexpr int64_t kRows = 2048, kCols = 2048;

PackedWeights make(PackedKind kind, int bits) {
  std::mt19937_64 rng(7);
  const uint32_t levels = kind == PackedKind::binary ? 2 : kind == PackedKind::ternary ? 3
                                                                                       : (1u << bits) - 1;
  std::vector<uint8_t> codes(kRows * kCols);
  for (auto& c : codes) c = static_cast<uint8_t>(rng() % levels);
  const auto at = [&](int64_t r, int64_t c) { return uint32_t(codes[r * kCols + c]); };
  if (kind == PackedKind::binary) return pack_binary(kRows, kCols, at, {0.03f}, {0.03f});
  if (kind == PackedKind::ternary) return pack_ternary(kRows, kCols, at, {0.03f}, {0.02f});
  std::vector<float> table(levels);
  for (uint32_t k = 0; k < levels; ++k) table[k] = 0.01f * (float(k) - float(levels / 2));
  return pack_levels(kRows, kCols, bits, at, levels, table);
}

std::vector<float> input(int64_t n) {
  std::mt19937_64 rng(8);
  std::uniform_real_distribution<float> u(-1, 1);
  std::vector<float> x(n * kCols);
  for (auto& v : x) v = u(rng);
  return x;
}

void run_packed(benchmark::State& state, PackedKind kind, int bits) {
  const int64_t n = state.range(0);
  const auto path = static_cast<KernelPath>(state.range(1));
  if (!kernel_path_supported(path)) {
    state.SkipWithError("path not supported by this CPU");
    return;
  }
  const PackedWeights packed = make(kind, bits);
  const std::vector<float> x = input(n);
  std::vector<float> y(n * kRows);
  for (auto _ : state) {
    packed_matmul_rows(path, packed, x.data(), n, kCols, y.data(), kRows, 0, kRows);
    benchmark::DoNotOptimize(y.data());
  }
  state.SetLabel(kernel_path_name(path));
  state.counters["weight_bytes"] = double(packed.resident_bytes());
}

void BM_PackedTernary(benchmark::State& s) { run_packed(s, PackedKind::ternary, 2); }
void BM_PackedBinary(benchmark::State& s) { run_packed(s, PackedKind::binary, 1); }
void BM_PackedLevels3(benchmark::State& s) { run_packed(s, PackedKind::levels, 3); }

void BM_FloatSgemm(benchmark::State& state) {
  const int64_t n = state.range(0);
  std::vector<float> w(kRows * kCols);
  std::mt19937_64 rng(9);
  std::uniform_real_distribution<float> u(-0.03f, 0.03f);
  for (auto& v : w) v = u(rng);
  const std::vector<float> x = input(n);
  std::vector<float> y(n * kRows);
  for (auto _ : state) {
    if (n == 1) cblas_sgemv(CblasRowMajor, CblasNoTrans, kRows, kCols, 1.0f, w.data(), kCols, x.data(), 1, 0.0f, y.data(), 1);
    else cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, kRows, kCols, 1.0f, x.data(), kCols, w.data(), kCols,
                     0.0f, y.data(), kRows);
    benchmark::DoNotOptimize(y.data());
  }
  state.counters["weight_bytes"] = double(w.size() * sizeof(float));
}

void paths(benchmark::internal::Benchmark* b) {
  for (const int64_t n : {1, 8})
    for (const int64_t p : {0, 1, 2}) b->Args({n, p});
}

BENCHMARK(BM_PackedTernary)->Apply(paths);
BENCHMARK(BM_PackedBinary)->Apply(paths);
BENCHMARK(BM_PackedLevels3)->Apply(paths);
BENCHMARK(BM_FloatSgemm)->Arg(1)->Arg(8);

}  // namespace
