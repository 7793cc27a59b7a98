#pragma once
// The two passes of the alternating solvers (quant/alternating.h), made fast: the sums the
// next scale needs, and the output alpha * Pi(w / alpha). Optional reading:
// alternate_reference (quant/reference.h) does the same with the plain nearest-level rule
// quant::project, and the tests hold the two to the same codes.
//
// Pi(w / alpha) is taken here as "how many thresholds alpha * midpoint_r |w| passes", with
// the level magnitude built as a sum of steps M_r - M_{r-1} (no table lookup, no branch),
// sums in 8 independent lanes, and the output written by a chain of selects for the level
// counts the paper uses; each form was chosen by a measured timing.
#include <cstddef>
#include <span>

#include "quant/levels.h"

namespace laq::quant::fast {

// What the next scale update needs from the code b = Pi(w / alpha), gathered in one pass.
struct Sums {
  double d_b_w = 0;  // sum d |b| |w|
  double d_b = 0;    // sum d |b|
  double d_b2 = 0;   // sum d b^2
  std::size_t support = 0;
  double objective = 0;  // only when traced
};

// The sums of the code b = Pi(w / alpha); with `traced`, also its objective. The sums are
// the same with or without a trace (the same lanes, the same order), so that --explain
// shows the very run a plain call makes.
Sums sweep(const LevelSet& levels, std::span<const float> w, std::span<const float> d, float alpha, bool traced);

// out = alpha * Pi(w / alpha), with w's sign (and +0 for a zero level).
void write_levels(const LevelSet& levels, std::span<const float> w, float alpha, std::span<float> out);

}  // namespace laq::quant::fast
