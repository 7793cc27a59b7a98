#include "engine/rng.h"

#include <cmath>
#include <numbers>
#include <sstream>

#include "engine/error.h"

namespace laq::engine {

std::string save_rng(const Rng& rng) {
  std::ostringstream out;
  out << rng;
  return out.str();
}

Rng load_rng(const std::string& state) {
  Rng rng;
  std::istringstream in(state);
  in >> rng;
  if (in.fail()) throw Error("malformed random-generator state (" + std::to_string(state.size()) + " bytes)");
  return rng;
}

double uniform01(Rng& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

uint64_t uniform_below(Rng& rng, uint64_t bound) {
  if (bound == 0) throw Error("uniform_below: bound must be positive");
  // Reject the top partial block so that every residue is equally likely.
  const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  uint64_t x;
  do x = rng();
  while (x >= limit);
  return x % bound;
}

double standard_normal(Rng& rng) {
  const double u1 = 1.0 - uniform01(rng);  // in (0, 1], so log is finite
  const double u2 = uniform01(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

}  // namespace laq::engine
