#pragma once
// Level sets of the multi-level quantizers, and the projection onto them.
//
// A symmetric level set is {0, +-M_1, ..., +-M_k} with 0 < M_1 < ... < M_k = 1. Projecting
// x means: clip to [-1, 1], take the nearest level (docs/algorithms.md §2.6, §2.7). For a fixed scale this is
// the optimal code of each element, whatever its curvature d (docs/algorithms.md §2.0).
//
//   ternary (LAT):  {0, +-1}                    tie at 1/2 -> 0  (strict threshold |x| > 1/2)
//   linear, m bits: M_r = r/k, k = 2^(m-1)-1     tie -> larger magnitude (C round, half away from 0)
//   log, m bits:    M_r = 2^(r-k)                lowest midpoint 2^-k -> M_1 (the code zeroes only
//                                                t < 2^-k and lifts the rest to at least M_1);
//                                                every other midpoint 1.5*2^e -> the smaller
//                                                magnitude (round(log2 t - 0.0849625) with C
//                                                round sends the exponent e + 1/2 < 0 down to e)
// For m = 2 linear and log are both {0, +-1}, tie at 1/2 -> 1; they differ from ternary only
// at |x| = 1/2.
#include <cstddef>
#include <vector>

namespace laq::quant {

enum class TieRule {
  toward_zero,     // at an exact midpoint the smaller magnitude wins
  away_from_zero,  // the larger magnitude wins
};

struct LevelSet {
  std::vector<double> magnitudes;            // M_1 < ... < M_k = 1 (the zero level is implicit)
  std::vector<double> midpoints;             // (M_{r-1} + M_r) / 2 for r = 1..k, with M_0 = 0
  TieRule tie = TieRule::toward_zero;        // at midpoints 2..k
  TieRule first_tie = TieRule::toward_zero;  // at the lowest midpoint M_1 / 2 (zero or M_1)

  std::size_t nonzero_levels() const { return magnitudes.size(); }
  // The float value of magnitude index r (0 = zero level): the single place where the
  // float levels are made, used by both the solvers and decode().
  float magnitude_float(std::size_t r) const { return r == 0 ? 0.0f : static_cast<float>(magnitudes[r - 1]); }
};

LevelSet ternary_levels();
LevelSet linear_levels(int bits);  // bits in [2, 8]; throws laq::Error otherwise
LevelSet log_levels(int bits);     // bits in [2, 8]

// Index r in 0..k of the level nearest to min(|x|, 1); 0 is the zero level.
std::size_t nearest_index(const LevelSet& levels, double magnitude);
// The signed nearest level of x (clip to [-1, 1], nearest, sign of x).
double project(const LevelSet& levels, double x);

}  // namespace laq::quant
