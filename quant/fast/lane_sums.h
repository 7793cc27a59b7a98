#pragma once
// Sums over a tensor in double without one long chain of dependent additions.
//
// A single double accumulator waits for the previous add (about 4 cycles) on every element:
// 13 ms for the MLP's 10M weights, more than the rest of most solvers. Element i goes to
// lane i % kLanes instead, and the lanes are added in lane order at the end: a fixed order,
// so the same bits on every machine and thread count, and for up to kLanes elements the very
// order of a plain left-to-right sum.
#include <array>
#include <cstddef>

namespace laq::quant {

constexpr std::size_t kLanes = 8;

// 1.0 where b holds, else 0.0, by a table load: written as double(b) or b ? 1.0 : 0.0, GCC
// may turn `sum += mask * x` back into `if (b) sum += x`, a branch that real weights'
// random signs and supports mispredict half the time (TWN measured 5 ns per weight).
inline double mask(bool b) {
  static constexpr double kValues[2] = {0.0, 1.0};
  return kValues[b];
}

// Returns {sum_i terms(i)[0], ..., sum_i terms(i)[N-1]} for i in [0, n), where terms(i)
// returns std::array<double, N>.
template <std::size_t N, class Terms>
std::array<double, N> lane_sums(std::size_t n, Terms&& terms) {
  double lanes[N][kLanes] = {};
  const std::size_t blocked = n - n % kLanes;
  for (std::size_t i = 0; i < blocked; i += kLanes)
    for (std::size_t lane = 0; lane < kLanes; ++lane) {
      const std::array<double, N> t = terms(i + lane);
      for (std::size_t k = 0; k < N; ++k) lanes[k][lane] += t[k];
    }
  for (std::size_t i = blocked; i < n; ++i) {
    const std::array<double, N> t = terms(i);
    for (std::size_t k = 0; k < N; ++k) lanes[k][i - blocked] += t[k];
  }
  std::array<double, N> sums{};
  for (std::size_t k = 0; k < N; ++k)
    for (std::size_t lane = 0; lane < kLanes; ++lane) sums[k] += lanes[k][lane];
  return sums;
}

// The same order a block at a time, for loops that first fill arrays in a vectorised pass:
// adds term(i) for i in [0, m) to lanes[i % kLanes], for a block that starts at a multiple
// of kLanes. Blocks added in order, then lanes_total, give lane_sums' bits.
template <class Term>
inline void add_block_to_lanes(double (&lanes)[kLanes], std::size_t m, Term&& term) {
  const std::size_t whole = m - m % kLanes;
  for (std::size_t i = 0; i < whole; i += kLanes)
    for (std::size_t lane = 0; lane < kLanes; ++lane) lanes[lane] += term(i + lane);
  for (std::size_t i = whole; i < m; ++i) lanes[i - whole] += term(i);
}

inline double lanes_total(const double (&lanes)[kLanes]) {
  double total = 0;
  for (std::size_t lane = 0; lane < kLanes; ++lane) total += lanes[lane];
  return total;
}

}  // namespace laq::quant
