#include "quant/levels.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "base/error.h"

namespace laq::quant {
namespace {

LevelSet make(std::vector<double> magnitudes, TieRule tie, TieRule first_tie) {
  LevelSet levels;
  levels.tie = tie;
  levels.first_tie = first_tie;
  double previous = 0;
  for (double m : magnitudes) {
    levels.midpoints.push_back((previous + m) / 2);
    previous = m;
  }
  levels.magnitudes = std::move(magnitudes);
  return levels;
}

int nonzero_per_sign(int bits, const char* what) {
  if (bits < 2 || bits > 8)
    throw Error(std::string(what) + ": bits must be in [2, 8] (2^bits - 1 levels), got " + std::to_string(bits));
  return (1 << (bits - 1)) - 1;
}

}  // namespace

LevelSet ternary_levels() { return make({1.0}, TieRule::toward_zero, TieRule::toward_zero); }

LevelSet linear_levels(int bits) {
  const int k = nonzero_per_sign(bits, "linear_levels");
  std::vector<double> m;
  for (int r = 1; r <= k; ++r) m.push_back(double(r) / k);
  return make(std::move(m), TieRule::away_from_zero, TieRule::away_from_zero);
}

LevelSet log_levels(int bits) {
  const int k = nonzero_per_sign(bits, "log_levels");
  std::vector<double> m;
  for (int r = 1; r <= k; ++r) m.push_back(std::ldexp(1.0, r - k));
  return make(std::move(m), TieRule::toward_zero, TieRule::away_from_zero);
}

std::size_t nearest_index(const LevelSet& levels, double magnitude) {
  // The number of midpoints below the magnitude (or at it, when ties go outward). Values
  // beyond 1 land on the top level: that is the clip.
  const auto& mid = levels.midpoints;
  const auto it = levels.tie == TieRule::toward_zero ? std::lower_bound(mid.begin(), mid.end(), magnitude)
                                                     : std::upper_bound(mid.begin(), mid.end(), magnitude);
  // The lowest midpoint has its own rule (log levels lift it to M_1); the midpoints ascend
  // strictly, so at it the answer is 0 or 1 whatever the other ties do.
  if (!mid.empty() && magnitude == mid[0]) return levels.first_tie == TieRule::away_from_zero ? 1 : 0;
  return static_cast<std::size_t>(it - mid.begin());
}

double project(const LevelSet& levels, double x) {
  const std::size_t r = nearest_index(levels, std::fabs(x));
  const double m = r == 0 ? 0.0 : levels.magnitudes[r - 1];
  return x < 0 ? -m : m;
}

}  // namespace laq::quant
