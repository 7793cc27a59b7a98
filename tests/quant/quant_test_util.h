#pragma once
// Random inputs and brute-force oracles shared by the quant tests.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <thread>
#include <vector>

#include "quant/quantize.h"

namespace laq::quant::testing {

inline std::vector<float> uniform(std::mt19937& rng, std::size_t n, float lo = -1.0f, float hi = 1.0f) {
  std::uniform_real_distribution<float> u(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = u(rng);
  return v;
}

// Curvatures spanning six orders of magnitude, as Adam's second moments do.
inline std::vector<float> curvature(std::mt19937& rng, std::size_t n, double decades = 6.0) {
  std::uniform_real_distribution<double> u(-decades / 2, decades / 2);
  std::vector<float> v(n);
  for (auto& x : v) x = static_cast<float>(std::pow(10.0, u(rng)));
  return v;
}

// Sum d w^2 - the best achievable score: the objective of the optimal scale for a code.
// For the code's nonzero entries with sign s_i: alpha = max(0, sum d s w / sum d).
inline double side_gain(double sum_dsw, double sum_d) {
  return sum_d > 0 && sum_dsw > 0 ? sum_dsw * sum_dsw / sum_d : 0.0;
}

inline double total_dw2(const std::vector<float>& w, const std::vector<float>& d) {
  double s = 0;
  for (std::size_t i = 0; i < w.size(); ++i) s += double(d[i]) * w[i] * w[i];
  return s;
}

// Brute force over every code b in {-1,0,1}^n (binary: {-1,1}^n), the scale(s) optimal for
// each code; returns the smallest objective sum d (q - w)^2.
inline double brute_force(const std::vector<float>& w, const std::vector<float>& d, bool two_scales, bool binary) {
  const std::size_t n = w.size();
  const int base = binary ? 2 : 3;
  std::size_t codes = 1;
  for (std::size_t i = 0; i < n; ++i) codes *= base;
  const double total = total_dw2(w, d);
  double best = total;
  for (std::size_t code = 0; code < codes; ++code) {
    std::size_t c = code;
    double pos_dw = 0, pos_d = 0, neg_dw = 0, neg_d = 0;
    for (std::size_t i = 0; i < n; ++i, c /= base) {
      const int b = binary ? (c % 2 ? 1 : -1) : int(c % 3) - 1;
      if (b > 0) pos_dw += double(d[i]) * w[i], pos_d += d[i];
      if (b < 0) neg_dw -= double(d[i]) * w[i], neg_d += d[i];
    }
    const double gain =
        two_scales ? side_gain(pos_dw, pos_d) + side_gain(neg_dw, neg_d) : side_gain(pos_dw + neg_dw, pos_d + neg_d);
    best = std::min(best, total - gain);
  }
  return best;
}

// Latent weights, curvatures and a warm start that is a perturbed earlier quantization of
// them: what an alternating solver sees mid-training.
struct SolverCase {
  std::vector<float> w, d, warm;
};

inline SolverCase random_solver_case(unsigned seed, std::size_t n) {
  std::mt19937 rng(seed);
  SolverCase c{uniform(rng, n), curvature(rng, n, 4.0), std::vector<float>(n)};
  std::vector<float> earlier = c.w;
  for (auto& x : earlier) x += std::uniform_real_distribution<float>(-0.3f, 0.3f)(rng);
  initial_warm_start(earlier, c.warm);
  return c;
}

// A runner (quant/runner.h) that puts the odd tasks on a second thread: whatever the order
// and the threads, pieces' partial results must combine to the same bits.
inline void run_on_two_threads(std::size_t count, const std::function<void(std::size_t)>& task) {
  std::thread other([&] {
    for (std::size_t i = 1; i < count; i += 2) task(i);
  });
  for (std::size_t i = 0; i < count; i += 2) task(i);
  other.join();
}

}  // namespace laq::quant::testing
